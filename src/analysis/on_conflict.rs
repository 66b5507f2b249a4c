//! Flink 2.3's ON CONFLICT requirement, seen from a savepoint: from 2.3 on, the planner refuses
//! an INSERT whose upsert key differs from the sink's primary key unless the statement says
//! ON CONFLICT (or `table.exec.sink.require-on-conflict` is false). Such a query is the one that
//! gets a sink upsert materializer, whose state the savepoint shows. So when the new job is the
//! savepoint's own job moved to 2.3 (`check --to-flink`), the same plain SQL no longer plans.
//!
//! A job graph exported on 2.3, or a canary savepoint taken there, proves the query planned: the
//! finding is for a new side that stands in from a savepoint written before 2.3.

use super::result::{Finding, OperatorVerdict, Status};
use super::rules;
use super::schema_check::CompatContext;
use super::sides::{NewSide, OldOperator, OldSide};
use crate::flink::{Release, StateKind};

const FLINK_2_3: Release = Release::new(2, 3);

/// The sink upsert materializer's state: the rows kept per primary key.
const MATERIALIZER_STATE: &str = "values";

/// Adds the finding to each mapped sink upsert materializer of `verdicts`.
pub fn annotate(
    old: &OldSide,
    new: &NewSide,
    ctx: &CompatContext,
    verdicts: &mut [OperatorVerdict],
) {
    let (Some(written), Some(target)) = (new.written_by, ctx.new_flink) else {
        return;
    };
    if written.at_least(FLINK_2_3) || !target.at_least(FLINK_2_3) {
        return;
    }
    let maybe_later = if written.below(FLINK_2_3) {
        String::new()
    } else {
        format!(" (if the savepoint was written before Flink 2.3; {written} write its format)")
    };
    // Found once: a job has a materializer per upsert sink at most.
    let materializers: Vec<(&OldOperator, &str)> = old
        .operators
        .iter()
        .filter_map(|op| Some((op, materializer_rows(op)?)))
        .collect();
    if materializers.is_empty() {
        return;
    }
    for verdict in verdicts.iter_mut() {
        if matches!(verdict.status, Status::Unmapped | Status::New) {
            continue;
        }
        let Some(&(op, rows)) = materializers
            .iter()
            .find(|(op, _)| op.operator_id == verdict.operator_id)
        else {
            continue;
        };
        let key = op.key_type.as_ref().map_or("?", |k| k.as_str());
        verdict.reasons.push(
            Finding::new(
                &rules::SQL_ON_CONFLICT_REQUIRED,
                format!(
                    "a sink upsert materializer (keyed by the sink's primary key {key}, state `{MATERIALIZER_STATE}`: {rows}): Flink {} plans its INSERT only with an ON CONFLICT clause or table.exec.sink.require-on-conflict = false, so the same plain SQL fails before it starts{maybe_later}; once it plans, the saved rows restore (recorded with ON CONFLICT DO DEDUPLICATE, with the option, and with the old release's compiled plan)",
                    target.low
                ),
            )
            .with_state(MATERIALIZER_STATE)
            .fix_case("", &[])
            .flink_error_case("", &[]),
        );
    }
}

/// The rows type of `op`'s materializer state, when `op` is a sink upsert materializer: keyed
/// by a table row (the primary key) with value state `values` holding a list of rows.
fn materializer_rows(op: &OldOperator) -> Option<&str> {
    if !op.key_type.as_ref()?.as_str().starts_with("ROW<") {
        return None;
    }
    op.states
        .iter()
        .find(|s| s.name == MATERIALIZER_STATE && s.kind == StateKind::Value)
        .and_then(|s| s.type_.as_ref())
        .map(|t| t.as_str())
        .filter(|t| t.starts_with("List<ROW<"))
}
