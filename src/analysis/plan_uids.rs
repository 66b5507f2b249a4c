//! Flink 1.15 gave the operators of a compiled plan uids of the form
//! `<id>_<type>_<version>_<transformation>` (`4_stream-exec-group-aggregate_1_group-aggregate`).
//! Flink 1.16 (FLINK-28861) dropped type and version from it (`4_group-aggregate`) and made the
//! pattern an option, `table.exec.uid.format`. The operator ID is the hash of the uid, so a job
//! that ran a 1.15 plan saved its state under IDs that the same plan run on 1.16 or later does
//! not have: Flink refuses the savepoint (recorded 1.15.4 -> 1.16.3, 1.20.3, 2.1.3, 2.3.0), unless the
//! option restores 1.15's pattern (recorded: it restores). Plain SQL had no uids on 1.15, and
//! keeps its generated IDs.
//!
//! A new side that knows its SQL operators (a plan translated for the target, a job graph
//! exported there) shows the move itself: the ID of an unmapped old operator is the hash of a
//! new operator's uid in 1.15's pattern. When the savepoint's operators stand in for the new job
//! (`check --to-flink`), the old job's graph (`--old-job`) says which uids have 1.15's pattern;
//! without it, a savepoint of 1.15 does not say whether a plan ran the job, and the finding
//! hedges.

use super::result::{Finding, OperatorVerdict, Status};
use super::rules::{self, Severity};
use super::schema_check::CompatContext;
use super::sides::{AssumedIds, NewSide, OldOperator, OldSide, saved_by};
use crate::OperatorId;
use crate::flink::Release;
use crate::job::plan::is_legacy_plan_uid;
use crate::job::{JobGraph, derive_operator_ids};

const FLINK_1_16: Release = Release::new(1, 16);

/// For a stand-in new side on 1.16 or later, with the old job's graph: removes the IDs that
/// uids in 1.15's plan pattern gave (the target gives those operators other ones) and records
/// what was checked.
pub fn settle_with_old_job(old: &OldSide, new: &mut NewSide, old_graph: &JobGraph) {
    let target = new.flink_version.as_ref().and_then(|v| v.range());
    let (true, Some(target)) = (new.stands_in_for_old, target) else {
        return;
    };
    if !target.at_least(FLINK_1_16) {
        return;
    }
    // An old graph whose IDs cannot be derived settles nothing: the finding then hedges.
    let Ok(ids) = derive_operator_ids(old_graph) else {
        return;
    };
    let moved: Vec<OperatorId> = old
        .operators
        .iter()
        .filter(|op| op.has_state)
        .filter(|op| {
            saved_by(old_graph, &ids, op.operator_id)
                .is_some_and(|g| g.uid.as_deref().is_some_and(is_legacy_plan_uid))
        })
        .map(|op| op.operator_id)
        .collect();
    new.operators.retain(|o| !moved.contains(&o.operator_id));
    new.assumed_plan_uids = AssumedIds::Checked { moved };
}

/// Adds the finding to each unmapped operator whose ID a uid in 1.15's plan pattern gave, and,
/// for a stand-in side the old job did not settle, a hedge to each mapped SQL operator of a
/// savepoint written by 1.15 or earlier.
pub fn annotate(
    old: &OldSide,
    new: &NewSide,
    ctx: &CompatContext,
    allow_non_restored_state: bool,
    verdicts: &mut [OperatorVerdict],
) {
    let target = ctx.new_flink.map(|t| t.low);
    for verdict in verdicts.iter_mut() {
        if verdict.status != Status::Unmapped {
            continue;
        }
        let id = verdict.operator_id;
        let successor = new
            .operators
            .iter()
            .find(|o| o.legacy_plan_uid_id == Some(id));
        let settled =
            matches!(&new.assumed_plan_uids, AssumedIds::Checked { moved } if moved.contains(&id));
        if successor.is_none() && !settled {
            continue;
        }
        let now = match successor {
            Some(o) => format!(
                "uid `{}` (ID {})",
                o.uid.as_deref().unwrap_or("?"),
                o.operator_id
            ),
            None => "a uid without type and version".to_string(),
        };
        let on = target.map_or("Flink 1.16 and later".to_string(), |t| format!("Flink {t}"));
        let finding = Finding::new(
            &rules::SQL_PLAN_UID_FORMAT_CHANGED,
            format!(
                "state saved under ID {id}, the hash of a uid in Flink 1.15's compiled-plan pattern `<id>_<type>_<version>_<transformation>`: {on} gives the operator {now} (table.exec.uid.format defaults to `<id>_<transformation>` since 1.16), so {}",
                outcome(allow_non_restored_state)
            ),
        )
        .fix_case("", &[])
        .flink_error_case("", &[("id", &id)]);
        let finding = if allow_non_restored_state {
            finding.with_severity(Severity::Warning)
        } else {
            finding
        };
        verdict.point_unmapped_fix_at("sql-uid-format", &rules::SQL_PLAN_UID_FORMAT_CHANGED);
        verdict.reasons.push(finding);
    }
    hedge(old, new, ctx, verdicts);
}

fn outcome(allow_non_restored_state: bool) -> &'static str {
    if allow_non_restored_state {
        "the job starts (-n) and this state is dropped"
    } else {
        "Flink refuses to start without -n (which drops this state)"
    }
}

/// A stand-in side of a savepoint written by 1.15 or earlier, moved to 1.16 or later, that no
/// old job settled: each mapped SQL operator with state keeps its ID only if no compiled plan
/// ran the job.
fn hedge(old: &OldSide, new: &NewSide, ctx: &CompatContext, verdicts: &mut [OperatorVerdict]) {
    if !new.stands_in_for_old || new.assumed_plan_uids != AssumedIds::Unchecked {
        return;
    }
    let (Some(written), Some(target)) = (new.written_by, ctx.new_flink) else {
        return;
    };
    if !written.below(FLINK_1_16) || !target.at_least(FLINK_1_16) {
        return;
    }
    for verdict in verdicts.iter_mut() {
        if verdict.status != Status::Restored {
            continue;
        }
        let Some(key) = old
            .operators
            .iter()
            .find(|o| o.operator_id == verdict.operator_id)
            .and_then(sql_key)
        else {
            continue;
        };
        verdict.reasons.push(
            Finding::new(
                &rules::SQL_PLAN_UID_FORMAT_CHANGED,
                format!(
                    "a SQL operator (keyed by {key}) in a savepoint written by {written}: if the job ran from a compiled plan, its uid had 1.15's pattern `<id>_<type>_<version>_<transformation>`, which Flink {} no longer gives (table.exec.uid.format defaults to `<id>_<transformation>` since 1.16), so ID {} is not in the new job and Flink refuses to start without -n; plain SQL keeps its ID",
                    target.low, verdict.operator_id
                ),
            )
            .with_severity(Severity::Warning)
            .fix_case("unsure", &[])
            .flink_error_case("", &[("id", &verdict.operator_id)]),
        );
    }
}

/// The key type of `op` when it is a keyed SQL operator (keyed by a table row).
fn sql_key(op: &OldOperator) -> Option<&str> {
    let key = op.key_type.as_ref()?.as_str();
    (op.has_state && key.starts_with("ROW<")).then_some(key)
}
