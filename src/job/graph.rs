//! The operator graph (petgraph) and Flink's chainability predicate.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use super::error::{JobGraphError, JobGraphErrorKind};
use super::model::{ChainingStrategy, JobGraph, JobInput, JobOperator, Partitioner, SourceText};

/// Context for building errors: the file name and text, when known.
pub(crate) struct Ctx<'a> {
    pub origin: Option<&'a SourceText>,
}

impl<'a> Ctx<'a> {
    pub fn of(graph: &'a JobGraph) -> Self {
        Ctx {
            origin: graph.origin.as_ref(),
        }
    }

    pub fn file(&self) -> String {
        self.origin
            .map_or_else(|| "<job graph>".to_string(), |o| o.name.clone())
    }

    pub fn src(&self) -> Option<miette::NamedSource<std::sync::Arc<str>>> {
        self.origin.map(SourceText::named_source)
    }

    pub fn span(&self, path: &str) -> Option<miette::SourceSpan> {
        self.origin.and_then(|o| o.locate(path))
    }
}

/// Operators as petgraph nodes (weight = index into `JobGraph::operators`), one edge per input
/// (weight = position in the downstream operator's `inputs`).
pub(crate) struct Topology {
    pub graph: DiGraph<usize, usize>,
    pub nodes: Vec<NodeIndex>,
    /// `node` id -> index into `JobGraph::operators`.
    pub index_of: HashMap<u32, usize>,
}

impl Topology {
    /// Checks that node ids are unique, inputs refer to existing nodes and there is no cycle.
    pub fn build(job: &JobGraph) -> Result<Topology, JobGraphError> {
        let ctx = Ctx::of(job);
        let mut graph = DiGraph::with_capacity(job.operators.len(), job.operators.len());
        let mut index_of = HashMap::new();
        let mut nodes = Vec::with_capacity(job.operators.len());
        for (i, op) in job.operators.iter().enumerate() {
            if let Some(&first) = index_of.get(&op.node) {
                let path = format!("operators[{i}].node");
                let first_path = format!("operators[{first}].node");
                return Err(JobGraphError::from(JobGraphErrorKind::DuplicateNode {
                    file: ctx.file(),
                    node: op.node,
                    src: ctx.src(),
                    span: ctx.span(&path),
                    first_span: ctx.span(&first_path),
                    path,
                    first_path,
                }));
            }
            index_of.insert(op.node, i);
            nodes.push(graph.add_node(i));
        }
        for (i, op) in job.operators.iter().enumerate() {
            for (k, input) in op.inputs.iter().enumerate() {
                let Some(&up) = index_of.get(&input.node) else {
                    let path = format!("operators[{i}].inputs[{k}].node");
                    let mut known: Vec<u32> = index_of.keys().copied().collect();
                    known.sort_unstable();
                    let known: Vec<String> = known.iter().map(u32::to_string).collect();
                    return Err(JobGraphError::from(JobGraphErrorKind::UnknownInput {
                        file: ctx.file(),
                        node: input.node,
                        src: ctx.src(),
                        span: ctx.span(&path),
                        path,
                        help: Some(format!("defined nodes: {}", known.join(", "))),
                    }));
                };
                graph.add_edge(nodes[up], nodes[i], k);
            }
        }
        if let Err(cycle) = petgraph::algo::toposort(&graph, None) {
            let i = graph[cycle.node_id()];
            return Err(JobGraphError::from(JobGraphErrorKind::Cycle {
                file: ctx.file(),
                node: job.operators[i].node,
                src: ctx.src(),
                span: ctx.span(&format!("operators[{i}].node")),
            }));
        }
        Ok(Topology {
            graph,
            nodes,
            index_of,
        })
    }

    /// Out-edges of operator `i` as (target operator index, input position), in the order
    /// Flink created them. Flink appends an out-edge when the downstream transformation is
    /// translated, which follows transformation (= node id) order; so: by target node id, then
    /// by position among the target's inputs.
    pub fn out_edges(&self, job: &JobGraph, i: usize) -> Vec<(usize, usize)> {
        let mut edges: Vec<(usize, usize)> = self
            .graph
            .edges_directed(self.nodes[i], Direction::Outgoing)
            .map(|e| (self.graph[e.target()], *e.weight()))
            .collect();
        edges.sort_by_key(|&(t, pos)| (job.operators[t].node, pos));
        edges
    }
}

/// Whether Flink chains `downstream` to `upstream` over `input` (one of `downstream.inputs`);
/// the predicate of `StreamingJobGraphGenerator.isChainable`, which the ID hasher also uses.
///
/// Approximations: a `HEAD_WITH_SOURCES` operator chains to any source (Flink: only FLIP-27
/// sources); exchange mode and the legacy-source/yielding-operator rule are not modelled.
pub fn is_chainable(
    job: &JobGraph,
    upstream: &JobOperator,
    downstream: &JobOperator,
    input: &JobInput,
) -> bool {
    if job.chaining == Some(false) || downstream.inputs.len() != 1 {
        return false;
    }
    if upstream.effective_slot_sharing_group() != downstream.effective_slot_sharing_group() {
        return false;
    }
    if upstream.effective_chaining_strategy() == ChainingStrategy::Never {
        return false;
    }
    let strategy_ok = match downstream.effective_chaining_strategy() {
        ChainingStrategy::Always => true,
        ChainingStrategy::Never | ChainingStrategy::Head => false,
        ChainingStrategy::HeadWithSources => upstream.is_source(),
    };
    if !strategy_ok || upstream.parallelism != downstream.parallelism {
        return false;
    }
    // StreamGraphGenerator copies the job-wide value onto operators without their own.
    if job.chain_operators_with_different_max_parallelism == Some(false)
        && upstream.max_parallelism.or(job.max_parallelism)
            != downstream.max_parallelism.or(job.max_parallelism)
    {
        return false;
    }
    input.effective_partitioner(upstream.parallelism, downstream.parallelism)
        == Partitioner::Forward
}

/// The head of the operator chain (job vertex) that operator `node` belongs to; `None` if no
/// operator has that node id.
pub fn chain_head(job: &JobGraph, node: u32) -> Option<u32> {
    let mut current = job.operator(node)?;
    // Bounded walk: a malformed (cyclic) graph must not loop forever.
    for _ in 0..job.operators.len() {
        let [input] = current.inputs.as_slice() else {
            break;
        };
        let Some(up) = job.operator(input.node) else {
            break;
        };
        if !is_chainable(job, up, current, input) {
            break;
        }
        current = up;
    }
    Some(current.node)
}
