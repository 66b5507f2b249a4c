//! Flink 1.19 chains the CEP operator of a MATCH_RECOGNIZE to the timestamp inserter before it
//! (FLINK-27992). Chaining is part of what a generated operator ID hashes, so plain SQL (no
//! compiled plan, hence no uids) planned by 1.18 or earlier saved its partial matches under an
//! ID that the same SQL planned by 1.19 or later does not have: Flink refuses the savepoint
//! (recorded from 1.18.1 onto 1.19.3, 1.20.3, 2.0.0, 2.2.1 and 2.3.0). Savepoints of 1.19 and
//! later keep their IDs (recorded 1.19.3 -> 1.20.3, 1.20.3 -> 2.x), as do jobs run from a
//! compiled plan, whose uids fix the IDs (the `-plan-from-1.18` recordings).
//!
//! A job graph exported on the target release, or a canary savepoint, carries the real new IDs,
//! so the mapping itself shows the move. Only when the savepoint's own operators stand in for
//! the new job (`check --to-flink`) are the IDs assumed. The old job's graph (`--old-job`)
//! settles it: its release and whether its operators have uids say which IDs move, and those
//! leave the new side, so that they are unmapped as on Flink. Without it the savepoint cannot
//! tell which release wrote it (one format spans 1.16 to 1.20) nor whether a plan ran the job:
//! the finding hedges, and the headline says that the restore was not fully judged.

use super::result::{Finding, OperatorVerdict, Status};
use super::rules::{self, Severity};
use super::schema_check::CompatContext;
use super::sides::{AssumedIds, NewSide, OldOperator, OldSide, saved_by};
use crate::OperatorId;
use crate::flink::Release;
use crate::job::{JobGraph, derive_operator_ids};

const FLINK_1_19: Release = Release::new(1, 19);

/// For a stand-in new side on 1.19 or later, with the old job's graph: removes the IDs of the
/// MATCH_RECOGNIZE operators that plain SQL planned before 1.19 gave (they are not in the new
/// job) and records what was checked.
pub fn settle_with_old_job(old: &OldSide, new: &mut NewSide, old_graph: &JobGraph) {
    let target = new.flink_version.as_ref().and_then(|v| v.range());
    let (true, Some(target), Some(planned_by)) = (
        new.stands_in_for_old,
        target,
        old_graph.flink_version.as_ref().and_then(|v| v.range()),
    ) else {
        return;
    };
    // A release range across 1.19 (a `written by` text) does not decide it.
    let decided = planned_by.below(FLINK_1_19) || planned_by.at_least(FLINK_1_19);
    if !target.at_least(FLINK_1_19) || !decided {
        return;
    }
    // An old graph whose IDs cannot be derived settles nothing: the finding then hedges.
    let Ok(ids) = derive_operator_ids(old_graph) else {
        return;
    };
    let mut moved: Vec<OperatorId> = Vec::new();
    if planned_by.below(FLINK_1_19) {
        for op in old.operators.iter().filter(|o| sql_match_key(o).is_some()) {
            // Plain SQL: a generated ID, no uid and no uid hash (a compiled plan sets uids).
            let plain_sql = saved_by(old_graph, &ids, op.operator_id)
                .is_some_and(|g| g.uid.is_none() && g.extra.contains_key("sql"));
            if plain_sql {
                moved.push(op.operator_id);
            }
        }
    }
    new.operators.retain(|o| !moved.contains(&o.operator_id));
    new.assumed_ids = AssumedIds::Checked { moved };
}

/// Adds the finding to each SQL MATCH_RECOGNIZE operator of `verdicts` whose mapping a stand-in
/// new side assumes (a warning), or that the old job showed to move (an error on its unmapped
/// state).
pub fn annotate(
    old: &OldSide,
    new: &NewSide,
    ctx: &CompatContext,
    allow_non_restored_state: bool,
    verdicts: &mut [OperatorVerdict],
) {
    if !new.stands_in_for_old {
        return;
    }
    let (Some(written), Some(target)) = (new.written_by, ctx.new_flink) else {
        return;
    };
    if let AssumedIds::Checked { moved } = &new.assumed_ids {
        for verdict in verdicts.iter_mut() {
            if verdict.status == Status::Unmapped && moved.contains(&verdict.operator_id) {
                let id = verdict.operator_id;
                verdict.point_unmapped_fix_at("sql-release", &rules::SQL_MATCH_ID_CHANGES_ON_1_19);
                let finding = moved_finding(id, target.low, allow_non_restored_state);
                verdict.reasons.push(finding);
            }
        }
        return;
    }
    if written.at_least(FLINK_1_19) || !target.at_least(FLINK_1_19) {
        return;
    }
    let which = if written.below(FLINK_1_19) {
        format!("this savepoint was written by {written} (before 1.19)")
    } else {
        format!(
            "this savepoint was written by Flink 1.18 or earlier (its format is written by {written})"
        )
    };
    for verdict in verdicts.iter_mut() {
        if verdict.status != Status::Restored {
            continue;
        }
        let Some(op) = old
            .operators
            .iter()
            .find(|o| o.operator_id == verdict.operator_id)
        else {
            continue;
        };
        let Some(key) = sql_match_key(op) else {
            continue;
        };
        verdict.reasons.push(
            Finding::new(
                &rules::SQL_MATCH_ID_CHANGES_ON_1_19,
                format!(
                    "a SQL MATCH_RECOGNIZE operator (CEP state `{}`, keyed by {key}): Flink 1.19 and later chain it to the timestamp inserter before it, which changes the operator IDs of plain SQL (a job without a compiled plan has no uids); if {which} and the job is plain SQL, Flink {} has no operator with ID {} and refuses to start without -n (with -n the saved partial matches and timers are dropped); written by 1.19 or later, or run from a compiled plan, the ID stays",
                    super::cep::NFA_STATE,
                    target.low,
                    verdict.operator_id
                ),
            )
            .with_state(super::cep::NFA_STATE)
            .fix_case("", &[])
            .flink_error_case("", &[("id", &verdict.operator_id)]),
        );
    }
}

/// The finding on a MATCH_RECOGNIZE operator that the old job shows to move: as
/// `unmapped-state`, an error unless -n drops the state.
fn moved_finding(id: OperatorId, target: Release, allow_non_restored_state: bool) -> Finding {
    let (outcome, severity) = if allow_non_restored_state {
        (
            "the job starts (-n) and its saved partial matches and timers are dropped",
            Severity::Warning,
        )
    } else {
        (
            "Flink refuses to start without -n (which drops its saved partial matches and timers)",
            Severity::Error,
        )
    };
    Finding::new(
        &rules::SQL_MATCH_ID_CHANGES_ON_1_19,
        format!(
            "a SQL MATCH_RECOGNIZE operator of plain SQL planned by a release before 1.19 (the old job says so): Flink 1.19 and later chain its CEP operator to the timestamp inserter before it, which gives it another ID, so Flink {target} has no operator with ID {id}: {outcome}"
        ),
    )
    .with_severity(severity)
    .with_state(super::cep::NFA_STATE)
    .fix_case("", &[])
    .flink_error_case("", &[("id", &id)])
}

/// The key type of `op` when it is a MATCH_RECOGNIZE: CEP's NFA state, keyed by a table row
/// (a DataStream CEP job keys by its own type, and no planner change moves its IDs).
fn sql_match_key(op: &OldOperator) -> Option<&str> {
    let key = op.key_type.as_ref()?.as_str();
    (super::cep::holds_partial_matches(op) && key.starts_with("ROW<")).then_some(key)
}
