//! Bounds on a plan's shape, checked once at parse time so that translation does bounded,
//! linear work on any plan it is given.
//!
//! Two things grow with the shape rather than the size of the file: the longest chain of
//! ExecNodes (each level is one step of translation) and the inputs a union or exchange passes
//! on (a union of unions of the same node multiplies them: 2^k inputs from k small nodes).

use std::collections::VecDeque;

use super::CompiledPlan;

/// Longest chain of ExecNodes accepted. Flink's planner translates a plan recursively, node by
/// node; plans far shorter than this already exhaust a JVM's default thread stack.
pub(super) const MAX_CHAIN_DEPTH: usize = 4096;

/// Most operator inputs the translated job graph may have in total (every edge once per input
/// a union or exchange passes through it).
pub(super) const MAX_TRANSLATED_INPUTS: u64 = 1 << 20;

/// Nodes that create no StreamNode of their own and pass their inputs on to their consumers.
fn passes_inputs_on(kind: &str) -> bool {
    matches!(kind, "exchange" | "union")
}

/// Checks the plan's depth and union fan-out in one pass in topological order (Kahn). Nodes on
/// a cycle are never reached; translation skips such edges, as it always did.
pub(super) fn check(plan: &CompiledPlan) -> Result<(), String> {
    let n = plan.nodes.len();
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pending = vec![0usize; n];
    for (target, inputs) in plan.shape.inputs.iter().enumerate() {
        pending[target] = inputs.len();
        for &source in inputs {
            consumers[source].push(target);
        }
    }
    let mut depth = vec![1usize; n];
    // Inputs a consumer of each node receives from it.
    let mut passed_on = vec![0u64; n];
    let mut total_inputs = 0u64;
    let mut ready: VecDeque<usize> = (0..n).filter(|&i| pending[i] == 0).collect();
    while let Some(i) = ready.pop_front() {
        let node = &plan.nodes[i];
        let received: u64 = plan.shape.inputs[i]
            .iter()
            .fold(0u64, |sum, &s| sum.saturating_add(passed_on[s]));
        passed_on[i] = if passes_inputs_on(node.kind()) {
            received
        } else {
            total_inputs = total_inputs.saturating_add(received);
            1
        };
        if total_inputs > MAX_TRANSLATED_INPUTS || passed_on[i] > MAX_TRANSLATED_INPUTS {
            return Err(format!(
                "node {} (nodes[{i}]) would give the job graph more than {MAX_TRANSLATED_INPUTS} operator inputs: unions pass on every input they receive",
                node.id
            ));
        }
        if depth[i] > MAX_CHAIN_DEPTH {
            return Err(format!(
                "node {} (nodes[{i}]) ends a chain of more than {MAX_CHAIN_DEPTH} ExecNodes",
                node.id
            ));
        }
        for &c in &consumers[i] {
            depth[c] = depth[c].max(depth[i] + 1);
            pending[c] -= 1;
            if pending[c] == 0 {
                ready.push_back(c);
            }
        }
    }
    Ok(())
}
