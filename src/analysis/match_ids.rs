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
//! the new job (`check --to-flink` alone) are the IDs assumed, and the savepoint cannot tell
//! which release wrote it (one format spans 1.16 to 1.20) nor whether a plan ran the job: the
//! finding hedges, and the headline says that the restore was not fully judged.

use super::result::{Finding, OperatorVerdict, Status};
use super::rules;
use super::schema_check::CompatContext;
use super::sides::{NewSide, OldOperator, OldSide};
use crate::flink::{Release, StateKind};

const FLINK_1_19: Release = Release::new(1, 19);

/// Adds the finding to each mapped SQL MATCH_RECOGNIZE operator of `verdicts`.
pub fn annotate(
    old: &OldSide,
    new: &NewSide,
    ctx: &CompatContext,
    verdicts: &mut [OperatorVerdict],
) {
    if !new.stands_in_for_old {
        return;
    }
    let (Some(written), Some(target)) = (new.written_by, ctx.new_flink) else {
        return;
    };
    if written.at_least(FLINK_1_19) || !target.at_least(FLINK_1_19) {
        return;
    }
    let which = if written.below(FLINK_1_19) {
        format!("this savepoint was written by {written}, before 1.19")
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

/// The key type of `op` when it is a MATCH_RECOGNIZE: CEP's NFA state, keyed by a table row
/// (a DataStream CEP job keys by its own type, and no planner change moves its IDs).
fn sql_match_key(op: &OldOperator) -> Option<&str> {
    let key = op.key_type.as_ref()?.as_str();
    let cep = op
        .states
        .iter()
        .any(|s| s.name == super::cep::NFA_STATE && s.kind == StateKind::Value);
    (cep && key.starts_with("ROW<")).then_some(key)
}
