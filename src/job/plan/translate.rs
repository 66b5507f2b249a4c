//! Plan -> job graph: the transformations (StreamNodes) each ExecNode creates and their uids.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::flink::FlinkVersion;

use super::options::{PlanOptions, version_pair};
use super::sql_info::{short_table, sql_info, table_columns, table_identifier, table_options};
use super::state::apply_state;
use super::uids::uid_for;
use super::{CompiledPlan, PlanNode};
use crate::job::model::{
    ChainingStrategy, JobGraph, JobGraphFormat, JobInput, JobOperator, Location, Partitioner,
};

/// One transformation an ExecNode creates, as a StreamNode.
struct Created {
    transformation: &'static str,
    name: String,
    chaining: ChainingStrategy,
    parallelism: u32,
    /// The partitioner of its input edge when the ExecNode itself adds one between its
    /// transformations (the sink's key-by before the upsert materializer).
    input_partitioner: Option<Partitioner>,
}

/// A StreamNode consumers of an ExecNode read from: (node, partitioner set by an exchange,
/// parallelism). A union passes on all of its inputs.
type Output = (u32, Option<Partitioner>, u32);

/// State of one conversion.
struct Translation<'a> {
    plan: &'a CompiledPlan,
    opts: &'a PlanOptions,
    runtime: FlinkVersion,
    default_parallelism: u32,
    ops: Vec<JobOperator>,
    outputs: HashMap<u32, Vec<Output>>,
    next_node: u32,
    visiting: HashSet<u32>,
}

/// Converts a plan into the job graph Flink builds when running it (`EXECUTE PLAN`).
///
/// StreamNode ids follow transformation creation order (sinks in plan order, each translating
/// its inputs first; exchanges use an id without a node), so that auto-generated IDs
/// (`table.exec.uid.generation=DISABLED`) come out as Flink computes them for simple graphs.
pub fn plan_to_job_graph(plan: &CompiledPlan, opts: &PlanOptions) -> JobGraph {
    let runtime = opts
        .flink_version
        .clone()
        .map_or_else(|| plan.flink_version.clone(), FlinkVersion::new);
    let mut t = Translation {
        plan,
        opts,
        runtime: runtime.clone(),
        default_parallelism: opts.parallelism(),
        ops: Vec::new(),
        outputs: HashMap::new(),
        next_node: 1,
        visiting: HashSet::new(),
    };
    for sink in plan.sinks() {
        t.translate(sink.id);
    }
    let max_parallelism = opts
        .get("pipeline.max-parallelism")
        .and_then(|m| m.trim().parse().ok())
        .filter(|&m: &u32| m > 0);
    let mut extra = BTreeMap::new();
    extra.insert(
        "sqlMode".to_string(),
        Value::String("compiled-plan".to_string()),
    );
    if let Some(origin) = &plan.origin {
        extra.insert("compiledPlan".to_string(), Value::String(origin.clone()));
    }
    // The release that wrote the plan, when another one runs it: what it persisted (table
    // schemas, primary key names) follows the writer, the uids the runner.
    if opts.flink_version.is_some() {
        extra.insert(
            "planFlinkVersion".to_string(),
            Value::String(plan.flink_version.as_str().to_string()),
        );
    }
    JobGraph {
        format: JobGraphFormat::V1,
        job: None,
        flink_version: Some(runtime),
        max_parallelism,
        chaining: opts
            .get("pipeline.operator-chaining.enabled")
            .or_else(|| opts.get("pipeline.operator-chaining"))
            .and_then(|v| v.trim().parse().ok()),
        chain_operators_with_different_max_parallelism: None,
        operators: t.ops,
        extra,
        origin: None,
    }
}

/// A node being translated: its inputs are translated first, in edge order, without recursion
/// (plans are checked to be at most [`super::limits::MAX_CHAIN_DEPTH`] deep, but the stack of a
/// library caller may be small).
struct Pending {
    id: u32,
    next_input: usize,
    inputs: Vec<Output>,
}

impl Translation<'_> {
    /// Translates `root` and everything it reads, depth first, each node once.
    fn translate(&mut self, root: u32) {
        if self.outputs.contains_key(&root) || self.plan.node(root).is_none() {
            return;
        }
        let mut stack = vec![Pending {
            id: root,
            next_input: 0,
            inputs: Vec::new(),
        }];
        self.visiting.insert(root);
        while let Some(top) = stack.last_mut() {
            let plan = self.plan;
            if let Some(&input) = plan.input_indexes(top.id).get(top.next_input) {
                let input = plan.nodes[input].id;
                top.next_input += 1;
                if let Some(out) = self.outputs.get(&input) {
                    top.inputs.extend_from_slice(out);
                } else if self.visiting.insert(input) {
                    stack.push(Pending {
                        id: input,
                        next_input: 0,
                        inputs: Vec::new(),
                    });
                }
                // else: a cycle; plans are DAGs, so malformed input only loses that edge.
                continue;
            }
            let Some(done) = stack.pop() else { break };
            self.visiting.remove(&done.id);
            let out = self.finish(done.id, done.inputs);
            if let Some(parent) = stack.last_mut() {
                parent.inputs.extend_from_slice(&out);
            }
        }
    }

    /// Creates the StreamNodes of node `id` once its inputs are translated; returns what its
    /// consumers read.
    fn finish(&mut self, id: u32, inputs: Vec<Output>) -> Vec<Output> {
        let plan = self.plan;
        let Some(node) = plan.node(id) else {
            return Vec::new();
        };
        if node.is_exchange() {
            // A PartitionTransformation: no StreamNode, only the partitioner of the edge.
            self.next_node += 1;
            let dist = node
                .raw
                .pointer("/inputProperties/0/requiredDistribution/type")
                .and_then(Value::as_str)
                .unwrap_or("UNKNOWN");
            let out: Vec<Output> = inputs
                .iter()
                .map(|&(up, _, parallelism)| match dist {
                    "HASH" => (up, Some(Partitioner::Hash), parallelism),
                    "SINGLETON" => (up, Some(Partitioner::Global), 1),
                    "BROADCAST" => (up, Some(Partitioner::Broadcast), parallelism),
                    _ => (up, Some(Partitioner::Rebalance), parallelism),
                })
                .collect();
            self.outputs.insert(id, out.clone());
            return out;
        }
        let created = transformations_of(
            self.plan,
            node,
            self.opts,
            &self.runtime,
            self.default_parallelism,
            &inputs,
        );
        let mut upstream = inputs;
        let info = sql_info(self.plan, node);
        for c in created {
            let node_id = self.next_node;
            self.next_node += 1;
            let mut op = JobOperator {
                node: node_id,
                name: Some(c.name),
                uid: uid_for(node, c.transformation, self.opts, &self.runtime),
                uid_hash: None,
                operator_id: None,
                parallelism: c.parallelism,
                max_parallelism: None,
                inputs: upstream
                    .iter()
                    .map(|&(up, partitioner, up_parallelism)| JobInput {
                        node: up,
                        partitioner: c.input_partitioner.or(partitioner).or(Some(
                            if up_parallelism == c.parallelism {
                                Partitioner::Forward
                            } else {
                                Partitioner::Rebalance
                            },
                        )),
                    })
                    .collect(),
                chaining_strategy: Some(c.chaining),
                slot_sharing_group: None,
                key_type: None,
                state: Vec::new(),
                source: None,
                extra: BTreeMap::new(),
                location: Location {
                    path: format!("nodes[id={}]", node.id),
                    span: None,
                },
            };
            let mut op_info = info.clone();
            op_info.exec_node = Some(node.id);
            op_info.exec_type = Some(node.type_string());
            op_info.transformation = Some(c.transformation.to_string());
            apply_state(
                self.plan,
                node,
                c.transformation,
                &mut op,
                &mut op_info,
                self.opts,
            );
            op_info.store(&mut op);
            self.ops.push(op);
            upstream = vec![(node_id, None, c.parallelism)];
        }
        // A node that creates no StreamNode (union) passes its inputs on.
        self.outputs.insert(id, upstream.clone());
        upstream
    }
}

/// The transformations (StreamNodes) an ExecNode creates, in creation order.
fn transformations_of(
    plan: &CompiledPlan,
    node: &PlanNode,
    opts: &PlanOptions,
    runtime: &str,
    default_parallelism: u32,
    inputs: &[(u32, Option<Partitioner>, u32)],
) -> Vec<Created> {
    let input_parallelism = inputs
        .first()
        .map(|&(_, _, p)| p)
        .unwrap_or(default_parallelism);
    let simple = simplified_name(node);
    let one = |t: &'static str| {
        vec![Created {
            transformation: t,
            name: format!("{simple}[{}]", node.id),
            chaining: ChainingStrategy::Always,
            parallelism: input_parallelism,
            input_partitioner: None,
        }]
    };
    match node.kind() {
        "table-source-scan" | "legacy-table-source-scan" | "data-stream-scan" => {
            let options = table_options(node, "/scanTableSource/table/resolvedTable/options");
            let p = options
                .get("scan.parallelism")
                .and_then(|p| p.parse().ok())
                .unwrap_or(default_parallelism);
            let table = table_identifier(node, "/scanTableSource/table/identifier")
                .map(|t| short_table(&t))
                .unwrap_or_else(|| "source".to_string());
            vec![Created {
                transformation: "source",
                name: format!("Source: {table}[{}]", node.id),
                chaining: ChainingStrategy::Head,
                parallelism: p,
                input_partitioner: None,
            }]
        }
        "values" => vec![Created {
            transformation: "values",
            name: format!("Values[{}]", node.id),
            chaining: ChainingStrategy::Head,
            parallelism: 1,
            input_partitioner: None,
        }],
        "sink" | "legacy-sink" => {
            sink_transformations(plan, node, opts, runtime, input_parallelism)
        }
        "union" => Vec::new(),
        "match" => {
            let mut v = Vec::new();
            // Ordered by a rowtime attribute, the records get their timestamps from it first.
            // The plan calls the ordering `orderBy` (1.15 to 2.3; `orderKeys` also read).
            let first_order_index = [
                "/matchSpec/orderBy/fields/0/index",
                "/matchSpec/orderKeys/fields/0/index",
            ]
            .iter()
            .find_map(|p| node.raw.pointer(p).and_then(Value::as_u64));
            if let Some(i) = first_order_index
                && plan
                    .input_row(node.id, 0)
                    .and_then(|r| r.type_of(i as usize).map(|t| t.contains("*ROWTIME*")))
                    .unwrap_or(false)
            {
                v.push(Created {
                    transformation: "timestamp-inserter",
                    name: format!("StreamRecordTimestampInserter[{}]", node.id),
                    chaining: ChainingStrategy::Always,
                    parallelism: input_parallelism,
                    input_partitioner: None,
                });
            }
            // The planner chains the CEP operator to its input from 1.19 on (read off the
            // 1.18.1 and 1.19.3 planner jars); before, it kept the operator default, a chain head.
            let mut cep = one("match");
            if version_pair(runtime).is_some_and(|v| v < (1, 19)) {
                cep[0].chaining = ChainingStrategy::Head;
            }
            v.extend(cep);
            v
        }
        "interval-join" => one("interval-join"),
        // With `requireUpsertMaterialize` (TRY_RESOLVE on a changelog input) a sync lookup join
        // becomes a keyed operator behind a hash partitioner, under its own transformation name
        // (`CommonExecLookupJoin`); async lookups never materialize.
        "lookup-join"
            if node
                .raw
                .get("requireUpsertMaterialize")
                .and_then(Value::as_bool)
                == Some(true)
                && node.raw.get("asyncOptions").is_none_or(Value::is_null) =>
        {
            vec![Created {
                transformation: "lookup-join-materialize",
                name: format!("{simple}[{}]", node.id),
                chaining: ChainingStrategy::Always,
                parallelism: input_parallelism,
                input_partitioner: None,
            }]
        }
        "limit" | "sort-limit" | "rank" => one("rank"),
        "window-table-function" => one("window"),
        "process-table-function" => one("process"),
        kind => match KNOWN_TRANSFORMATIONS.iter().find(|(k, _)| *k == kind) {
            Some((_, t)) => one(t),
            None => one("unknown"),
        },
    }
}

/// ExecNode kind -> its single transformation (from the planner's `*_TRANSFORMATION` constants).
const KNOWN_TRANSFORMATIONS: &[(&str, &str)] = &[
    ("async-calc", "async-calc"),
    ("async-correlate", "async-correlate"),
    ("calc", "calc"),
    ("changelog-normalize", "changelog-normalize"),
    ("correlate", "correlate"),
    ("deduplicate", "deduplicate"),
    ("delta-join", "delta-join"),
    ("drop-update-before", "drop-update-before"),
    ("expand", "expand"),
    ("global-group-aggregate", "global-group-aggregate"),
    ("global-window-aggregate", "global-window-aggregate"),
    ("group-aggregate", "group-aggregate"),
    ("group-table-aggregate", "group-table-aggregate"),
    ("group-window-aggregate", "group-window-aggregate"),
    ("incremental-group-aggregate", "incremental-group-aggregate"),
    ("join", "join"),
    ("local-group-aggregate", "local-group-aggregate"),
    ("local-window-aggregate", "local-window-aggregate"),
    ("lookup-join", "lookup-join"),
    ("mini-batch-assigner", "mini-batch-assigner"),
    ("ml-predict-table-function", "ml-predict-table-function"),
    ("multi-join", "multi-join"),
    ("over-aggregate", "over-aggregate"),
    ("python-async-calc", "python-async-calc"),
    ("python-calc", "python-calc"),
    ("python-correlate", "python-correlate"),
    ("python-group-aggregate", "python-group-aggregate"),
    (
        "python-group-window-aggregate",
        "python-group-window-aggregate",
    ),
    ("python-over-aggregate", "python-over-aggregate"),
    ("sort", "sort"),
    ("temporal-join", "temporal-join"),
    ("temporal-sort", "temporal-sort"),
    (
        "vector-search-table-function",
        "vector-search-table-function",
    ),
    ("watermark-assigner", "watermark-assigner"),
    ("window-aggregate", "window-aggregate"),
    ("window-deduplicate", "window-deduplicate"),
    ("window-join", "window-join"),
    ("window-rank", "window-rank"),
];

/// The planner's simplified operator name: the ExecNode class without `StreamExec`
/// (`stream-exec-group-aggregate` -> `GroupAggregate`).
fn simplified_name(node: &PlanNode) -> String {
    node.kind()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn sink_transformations(
    plan: &CompiledPlan,
    node: &PlanNode,
    opts: &PlanOptions,
    runtime: &str,
    input_parallelism: u32,
) -> Vec<Created> {
    let setting = |k: &str| node.setting(k, opts);
    let columns = table_columns(node, "/dynamicTableSink/table/resolvedTable/schema/columns");
    let options = table_options(node, "/dynamicTableSink/table/resolvedTable/options");
    let table = table_identifier(node, "/dynamicTableSink/table/identifier")
        .map(|t| short_table(&t))
        .unwrap_or_else(|| "sink".to_string());
    let sink_parallelism = options
        .get("sink.parallelism")
        .and_then(|p| p.parse().ok())
        .unwrap_or(input_parallelism);
    let has_pk = node
        .raw
        .pointer("/dynamicTableSink/table/resolvedTable/schema/primaryKey")
        .is_some_and(|v| !v.is_null());
    let mut v = Vec::new();
    // ConstraintEnforcer: NOT NULL columns (enforcer ERROR or DROP), CHAR/BINARY lengths
    // (type-length enforcer not IGNORE).
    let not_null = setting("table.exec.sink.not-null-enforcer")
        .is_none_or(|s| !s.eq_ignore_ascii_case("IGNORE"));
    let length = setting("table.exec.sink.type-length-enforcer")
        .is_some_and(|s| !s.eq_ignore_ascii_case("IGNORE"));
    let needs_enforcer = columns.iter().any(|(_, ty)| {
        (not_null && ty.trim_end().ends_with("NOT NULL"))
            || (length
                && ["CHAR(", "VARCHAR(", "BINARY(", "VARBINARY("]
                    .iter()
                    .any(|p| ty.starts_with(p) && !ty.contains("2147483647")))
    });
    if needs_enforcer {
        v.push(Created {
            transformation: "constraint-validator",
            name: format!("ConstraintEnforcer[{}]", node.id),
            chaining: ChainingStrategy::Always,
            parallelism: input_parallelism,
            input_partitioner: None,
        });
    }
    let insert_only = node
        .raw
        .get("inputChangelogMode")
        .and_then(Value::as_array)
        .is_none_or(|m| m.iter().all(|k| k.as_str() == Some("INSERT")));
    let materialize = node
        .raw
        .get("requireUpsertMaterialize")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if has_pk && materialize && !insert_only {
        // CommonExecSink keys the rows by the primary key before materializing them; for ON
        // CONFLICT DO ERROR / DO NOTHING (2.3+) a WatermarkTimestampAssigner takes the keyed
        // rows first and the materializer is chained to it.
        let mut keyed = Some(Partitioner::Hash);
        if node.compacts_by_watermark() {
            v.push(Created {
                transformation: "watermark-timestamp-assigner",
                name: format!("WatermarkTimestampAssigner[{}]", node.id),
                chaining: ChainingStrategy::Always,
                parallelism: sink_parallelism,
                input_partitioner: keyed.take(),
            });
        }
        v.push(Created {
            transformation: "upsert-materialize",
            name: format!("SinkMaterializer[{}]", node.id),
            chaining: ChainingStrategy::Always,
            parallelism: sink_parallelism,
            input_partitioner: keyed,
        });
    }
    let _ = plan;
    // Sink V2 writers are named `<table>[id]: Writer` (blackhole, Kafka, files: 1.18+ and the
    // Sink V2 connectors earlier); SinkFunction sinks `Sink: <table>[id]`. Names do not affect
    // IDs.
    let recent = version_pair(runtime).is_some_and(|v| v >= (1, 18));
    let connector = options.get("connector").map(String::as_str).unwrap_or("");
    let sink_v2 = (recent && connector != "print")
        || matches!(connector, "kafka" | "upsert-kafka" | "filesystem");
    v.push(Created {
        transformation: "sink",
        name: if sink_v2 {
            format!("{table}[{}]: Writer", node.id)
        } else {
            format!("Sink: {table}[{}]", node.id)
        },
        chaining: ChainingStrategy::Always,
        parallelism: sink_parallelism,
        input_partitioner: None,
    });
    v
}

/// Converts a plan into a job graph with the default options and the given parallelism.
pub fn plan_job_graph(plan: &CompiledPlan, parallelism: Option<u32>) -> JobGraph {
    plan_to_job_graph(
        plan,
        &PlanOptions {
            parallelism,
            ..PlanOptions::default()
        },
    )
}
