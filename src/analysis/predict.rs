//! Predicts what Flink does when the new version starts from the old version's state: which
//! operator takes which state (by operator ID), and which checks fail before records flow.

use std::collections::HashSet;

use super::result::{
    Finding, MappedTo, NotCompared, OperatorName, OperatorVerdict, Prediction, Status,
    compute_verdict,
};
use super::rules::{self, Severity};
use super::schema_check::CompatContext;
use super::sides::{MaxParallelismKind, NewOperator, NewSide, OldOperator, OldSide};
use crate::OperatorId;
use crate::flink::{Backend, StateKind};
use crate::savepoint::handle_kind::KeyedHandleKind;

/// Known uids, hashed, to name savepoint operators whose uid the format does not store.
pub struct UidNames {
    names: Vec<(OperatorId, String)>,
}

impl UidNames {
    pub fn new(uids: impl IntoIterator<Item = String>) -> UidNames {
        let mut names: Vec<(OperatorId, String)> = Vec::new();
        for uid in uids {
            let id = crate::job::uid_hash(&uid);
            if !names.iter().any(|(i, _)| *i == id) {
                names.push((id, uid));
            }
        }
        UidNames { names }
    }

    pub fn lookup(&self, id: OperatorId) -> Option<&str> {
        self.names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, u)| u.as_str())
    }
}

/// Runs the prediction.
pub fn predict(
    old: &OldSide,
    new: &NewSide,
    allow_non_restored_state: bool,
    uid_names: &UidNames,
) -> Prediction {
    let ctx = CompatContext::from_sides(old, new);
    predict_with(old, new, allow_non_restored_state, uid_names, &ctx)
}

/// [`predict`] with explicit schema-check context (Flink versions, state backend).
pub fn predict_with(
    old: &OldSide,
    new: &NewSide,
    allow_non_restored_state: bool,
    uid_names: &UidNames,
    ctx: &CompatContext,
) -> Prediction {
    let mut operators = Vec::new();
    let mut claimed: HashSet<OperatorId> = HashSet::new();
    for op in &old.operators {
        if !op.has_state {
            // Flink checks max parallelism for every operator in the savepoint, stateless ones
            // included, when it maps them at submission.
            if let Some(target) = new.operator_for(op.operator_id)
                && let Some(verdict) = stateless_max_parallelism(op, target)
            {
                claimed.insert(target.operator_id);
                operators.push(verdict);
            }
            continue;
        }
        let inferred_uid = match &op.uid {
            Some(_) => None,
            None => uid_names.lookup(op.operator_id).map(str::to_string),
        };
        let verdict = match new.operator_for(op.operator_id) {
            Some(target) => {
                claimed.insert(target.operator_id);
                mapped(op, target, inferred_uid, ctx)
            }
            None => unmapped(op, new, allow_non_restored_state, inferred_uid),
        };
        operators.push(verdict);
    }
    for target in &new.operators {
        if claimed.contains(&target.operator_id) {
            continue;
        }
        operators.push(OperatorVerdict {
            operator_id: target.operator_id,
            uid: target.uid.clone(),
            name: target.name.clone(),
            status: Status::New,
            reasons: Vec::new(),
            new_operator: None,
            inferred_uid: None,
            states: target.states.iter().map(|s| s.name.clone()).collect(),
            location: target.location.clone(),
        });
    }
    // Source findings are warnings and info: they never change an operator's status.
    let offsets = super::offsets::analyze(old, new, allow_non_restored_state, &mut operators);
    // A warning: it never changes an operator's status.
    super::on_conflict::annotate(old, new, ctx, &mut operators);
    // A warning too, and one that keeps the headline from a bare `restores`.
    super::match_ids::annotate(old, new, ctx, allow_non_restored_state, &mut operators);
    // A warning about the new job's own future savepoints, not about this restore.
    super::async_state::annotate(new, &mut operators);
    // An error where the new side shows the move; a hedge (warning) where it only stands in.
    super::plan_uids::annotate(old, new, ctx, allow_non_restored_state, &mut operators);
    let verdict = compute_verdict(&operators, allow_non_restored_state, false);
    let state_not_compared = NotCompared::collect(&operators);
    Prediction {
        verdict,
        effective_verdict: verdict,
        policy_errors: Vec::new(),
        allow_non_restored_state,
        operators,
        offsets,
        old: old.origin.clone(),
        new: new.origin.clone(),
        to_flink: None,
        sql: None,
        state_not_compared,
        source: None,
        metadata_only: None,
        state_not_examined: Vec::new(),
        picked: None,
    }
}

fn display_name(uid: Option<&str>, name: Option<&str>, id: OperatorId) -> String {
    let id = id.to_string();
    OperatorName { uid, name, id: &id }.quoted()
}

fn mapped(
    op: &OldOperator,
    target: &NewOperator,
    inferred_uid: Option<String>,
    ctx: &CompatContext,
) -> OperatorVerdict {
    let mut reasons = Vec::new();
    let mut status = Status::Restored;
    let old_max = op.max_parallelism;
    if target.user_defined_id == Some(op.operator_id) && target.operator_id != op.operator_id {
        reasons.push(Finding::new(
            &rules::RESTORED_VIA_UID_HASH,
            format!(
                "state of {} is restored through setUidHash(\"{}\") on the new operator (generated ID {})",
                op.operator_id, op.operator_id, target.operator_id
            ),
        ));
    }
    if op
        .keyed_handle
        .and_then(KeyedHandleKind::pinned_backend)
        .is_some_and(Backend::is_rocksdb_like)
    {
        // RocksDB's own files (native savepoint or incremental checkpoint) restore only on
        // RocksDB and ForSt.
        match ctx.new_backend {
            Some(super::schema_check::Backend::HashMap) => {
                status = Status::Incompatible;
                reasons.push(
                    Finding::new(
                        &rules::NATIVE_STATE_BACKEND_CHANGED,
                        "the keyed state is in RocksDB's native format (a native savepoint or incremental checkpoint of RocksDB or ForSt), and the new job uses the HashMap backend".to_string(),
                    )
                    .fix_case("hashmap", &[])
                    .flink_error_case("", &[]),
                );
            }
            Some(_) => {}
            None => reasons.push(
                Finding::new(
                    &rules::NATIVE_STATE_BACKEND_CHANGED,
                    "the keyed state is in RocksDB's native format: it restores only if the new job uses RocksDB or ForSt (the new job's backend is not given; set `stateBackend` in the job graph to check)".to_string(),
                )
                .with_severity(Severity::Info)
                .fix_case("unknown", &[]),
            ),
        }
    }
    let configured = matches!(
        target.max_parallelism_kind,
        MaxParallelismKind::Configured | MaxParallelismKind::ObservedNonDefault
    );
    if target.max_parallelism != old_max {
        if configured {
            status = Status::Incompatible;
            let how = if target.max_parallelism_kind == MaxParallelismKind::ObservedNonDefault {
                " (the canary savepoint's value is not Flink's default for its parallelism, so it was configured)"
            } else {
                ""
            };
            reasons.push(
                Finding::new(
                    &rules::MAX_PARALLELISM_MISMATCH,
                    format!(
                        "the savepoint was taken with max parallelism {old_max}; the new job configures {}{how}",
                        target.max_parallelism
                    ),
                )
                .fix_case("stateful", &[("old_max", &old_max)])
                .flink_error_case(
                    "",
                    &[
                        ("id", &op.operator_id),
                        ("old_max", &old_max),
                        ("new_max", &target.max_parallelism),
                    ],
                ),
            );
        } else {
            reasons.push(Finding::new(
                &rules::MAX_PARALLELISM_ADOPTED,
                format!(
                    "the new job derives max parallelism {} from its parallelism; Flink adopts the savepoint's {old_max}",
                    target.max_parallelism
                ),
            ));
        }
    }
    // The vertex runs with the savepoint's max parallelism when it adopts it.
    let effective_max = if configured {
        target.max_parallelism
    } else {
        old_max
    };
    if status != Status::Incompatible && target.parallelism > old_max && effective_max == old_max {
        status = Status::Incompatible;
        reasons.push(
            Finding::new(
                &rules::PARALLELISM_ABOVE_MAX_PARALLELISM,
                format!(
                    "new parallelism {} is above the savepoint's max parallelism {old_max}",
                    target.parallelism
                ),
            )
            .fix_case("", &[("old_max", &old_max)])
            .flink_error_case(
                "",
                &[("old_max", &old_max), ("parallelism", &target.parallelism)],
            ),
        );
    }
    for note in &op.notes {
        reasons.push(Finding::new(&rules::STATE_NOT_EXAMINED, note.clone()));
    }
    if let Some(finding) = not_compared(op, target) {
        reasons.push(finding);
    }
    reasons.extend(super::cep::pattern_not_compared(op, target));
    let schema = super::schema_check::check_states(op, target, ctx);
    if schema.iter().any(|f| f.severity == Severity::Error) {
        status = Status::Incompatible;
    }
    reasons.extend(schema);
    OperatorVerdict {
        operator_id: op.operator_id,
        uid: op.uid.clone(),
        name: op.name.clone(),
        status,
        reasons,
        new_operator: Some(MappedTo {
            operator_id: target.operator_id,
            node: target.node,
            uid: target.uid.clone(),
            name: target.name.clone(),
        }),
        inferred_uid,
        states: op.states.iter().map(|s| s.name.clone()).collect(),
        location: target.location.clone(),
    }
}

/// The saved states the new side says nothing about: with no state list, or where the
/// exporter could not capture the operator's state, a missing state is unknown, not dropped.
fn not_compared(op: &OldOperator, target: &NewOperator) -> Option<Finding> {
    if target.describes_all_state() {
        return None;
    }
    // Timer queues hold keys and namespaces: the key type compares them when the new side
    // gives one.
    let key_known = target.key_type.is_some() || target.key_serializer.is_some();
    let missing: Vec<&str> = op
        .states
        .iter()
        .filter(|s| !(s.kind == StateKind::Timers && key_known))
        .filter(|s| {
            !target
                .states
                .iter()
                .any(|n| n.name == s.name && n.kind == s.kind)
        })
        .map(|s| s.name.as_str())
        .collect();
    if missing.is_empty() {
        return None;
    }
    let list = missing
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let why = match &target.state_not_captured {
        Some(reason) => format!("the new job may register more state than it lists ({reason})"),
        None => "the new job does not describe this operator's state (no `state` list: a hand-written or StreamGraph-only job graph)".to_string(),
    };
    let mut finding = Finding::new(
        &rules::STATE_NOT_COMPARED,
        format!("{why}: the schemas of {list} were not compared, so a changed state type would go unnoticed"),
    )
    .fix_case(
        if target.state_not_captured.is_some() {
            "incomplete"
        } else {
            ""
        },
        &[],
    );
    if let [only] = missing.as_slice() {
        finding = finding.with_state(only);
    }
    Some(finding)
}

/// A stateless savepoint operator whose new vertex configures another max parallelism: Flink
/// rejects the savepoint at submission even though there is no state to restore.
fn stateless_max_parallelism(op: &OldOperator, target: &NewOperator) -> Option<OperatorVerdict> {
    let configured = matches!(
        target.max_parallelism_kind,
        MaxParallelismKind::Configured | MaxParallelismKind::ObservedNonDefault
    );
    if !configured || target.max_parallelism == op.max_parallelism {
        return None;
    }
    let old_max = op.max_parallelism;
    Some(OperatorVerdict {
        operator_id: op.operator_id,
        uid: op.uid.clone(),
        name: op.name.clone(),
        status: Status::Incompatible,
        reasons: vec![
            Finding::new(
                &rules::MAX_PARALLELISM_MISMATCH,
                format!(
                    "this operator holds no state, but the savepoint records max parallelism {old_max} for it and the new job configures {}: Flink checks every operator it maps",
                    target.max_parallelism
                ),
            )
            .fix_case("stateless", &[("old_max", &old_max)])
            .flink_error_case(
                "",
                &[
                    ("id", &op.operator_id),
                    ("old_max", &old_max),
                    ("new_max", &target.max_parallelism),
                ],
            ),
        ],
        new_operator: Some(MappedTo {
            operator_id: target.operator_id,
            node: target.node,
            uid: target.uid.clone(),
            name: target.name.clone(),
        }),
        inferred_uid: None,
        states: Vec::new(),
        location: target.location.clone(),
    })
}

fn unmapped(
    op: &OldOperator,
    new: &NewSide,
    allow_non_restored_state: bool,
    inferred_uid: Option<String>,
) -> OperatorVerdict {
    let uid = op.uid.as_deref().or(inferred_uid.as_deref());
    let who = display_name(uid, op.name.as_deref(), op.operator_id);
    let states: Vec<String> = op.states.iter().map(|s| s.name.clone()).collect();
    let what = if states.is_empty() {
        "its state".to_string()
    } else {
        format!("its state ({})", states.join(", "))
    };
    let message = if allow_non_restored_state {
        format!(
            "no operator of the new job has ID {}: {what} of {who} is dropped",
            op.operator_id
        )
    } else {
        format!(
            "no operator of the new job has ID {}: Flink refuses to start without --allowNonRestoredState ({what} of {who} would be dropped)",
            op.operator_id
        )
    };
    let id = op.operator_id;
    let finding = Finding::new(&rules::UNMAPPED_STATE, message);
    let finding = match successor(op, new) {
        Some(candidate) => {
            let target = display_name(
                candidate.uid.as_deref(),
                candidate.name.as_deref(),
                candidate.operator_id,
            );
            match uid {
                // The planner gives SQL operators their IDs: no uid or setUidHash to hand over.
                _ if candidate.planned_by_sql => {
                    finding.fix_case("sql-successor", &[("target", &target)])
                }
                Some(u) => finding.fix_case(
                    "successor-uid",
                    &[("target", &target), ("uid", &u), ("id", &id)],
                ),
                None => finding.fix_case("successor", &[("target", &target), ("id", &id)]),
            }
        }
        None => match uid {
            Some(u) => finding.fix_case("uid", &[("uid", &u)]),
            None if new.operators.iter().any(|o| o.planned_by_sql) => finding.fix_case("sql", &[]),
            None => finding.fix_case("no-uid", &[("id", &id)]),
        },
    };
    let finding = if allow_non_restored_state {
        finding.with_severity(Severity::Warning)
    } else {
        finding.flink_error_case("", &[("id", &id)])
    };
    OperatorVerdict {
        operator_id: op.operator_id,
        uid: op.uid.clone(),
        name: op.name.clone(),
        status: Status::Unmapped,
        reasons: vec![finding],
        new_operator: None,
        inferred_uid,
        states,
        location: None,
    }
}

/// A new operator that probably replaces an unmapped old one: same name, or the same set of
/// state names, and not itself mapped to saved state.
fn successor<'a>(op: &OldOperator, new: &'a NewSide) -> Option<&'a NewOperator> {
    let unclaimed = |c: &&NewOperator| c.operator_id != op.operator_id;
    let same_states = |c: &&NewOperator| {
        let old: HashSet<&str> = op
            .states
            .iter()
            .filter(|s| s.kind != StateKind::Timers)
            .map(|s| s.name.as_str())
            .collect();
        let new: HashSet<&str> = c
            .states
            .iter()
            .filter(|s| s.kind != StateKind::Timers)
            .map(|s| s.name.as_str())
            .collect();
        !old.is_empty() && old == new
    };
    new.operators
        .iter()
        .filter(unclaimed)
        .find(|c| op.name.is_some() && c.name == op.name)
        .or_else(|| new.operators.iter().filter(unclaimed).find(same_states))
}
