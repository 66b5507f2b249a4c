//! Flink 2.x's async state (State V2, `keyBy(..).enableAsyncState()`): an operator that
//! processes records with it cannot be in a canonical savepoint. Flink fails the operator's task
//! when one is taken (`UnsupportedOperationException: Not supported yet.` from
//! `StreamOperatorStateHandler.snapshotState`), on HashMap, RocksDB and ForSt alike, and the job
//! restarts or fails; checkpoints and native savepoints work (recorded on 2.1.3, 2.2.1, 2.3.0).
//! Canonical is the default format of `flink stop --savepointPath` and `flink savepoint`, so the
//! restore itself succeeds and the next upgrade's savepoint is what breaks.
//!
//! Only a job graph says which operators use async state (the `asyncState` extension that
//! `export-job` writes): a savepoint does not show the API its state was written through.

use super::result::{Finding, OperatorVerdict, Status};
use super::rules;
use super::sides::NewSide;
use crate::job::JobOperator;

/// Adds the finding to each verdict whose new operator uses async state.
pub fn annotate(new: &NewSide, verdicts: &mut [OperatorVerdict]) {
    for verdict in verdicts.iter_mut() {
        if verdict.status == Status::Unmapped {
            continue;
        }
        let Some(op) = new.operator_for(verdict.operator_id) else {
            continue;
        };
        if op.async_state {
            let who = op
                .name
                .as_deref()
                .or(op.uid.as_deref())
                .unwrap_or("this operator");
            verdict.reasons.push(finding(who));
        }
    }
}

/// The lint finding for one operator of a job graph, when it uses async state.
pub fn lint(op: &JobOperator) -> Option<Finding> {
    op.uses_async_state().then(|| finding(&op.label()))
}

fn finding(who: &str) -> Finding {
    Finding::new(
        &rules::ASYNC_STATE_CANONICAL_SAVEPOINT,
        format!(
            "{who} processes records with async state (State V2): a canonical savepoint of this job, the default format of `flink stop --savepointPath` and `flink savepoint`, fails its task on Flink 2.x and the job restarts or fails; checkpoints and native savepoints work"
        ),
    )
    .fix_case("", &[])
    .flink_error_case("", &[])
}
