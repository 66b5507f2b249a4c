//! Flink SQL compiled plans: the JSON that `COMPILE PLAN` / `CompiledPlan#writeToFile` writes
//! (plan versions 1.15 to 2.3), read into a [`CompiledPlan`] and converted into the
//! [`JobGraph`] Flink builds when the job runs from that plan (`EXECUTE PLAN`).
//!
//! Each ExecNode of the plan creates zero or more transformations (`StreamExec*.java`,
//! `@ExecNodeMetadata(producedTransformations = ...)`); exchanges create none and only decide the
//! partitioner of the edge. With uids on (`table.exec.uid.generation`: `PLAN_ONLY`, the default,
//! sets them when running from a plan; `ALWAYS`; `DISABLED`), each transformation's uid is
//! `table.exec.uid.format` (default `<id>_<transformation>`; Flink 1.15 always
//! `<id>_<type>_<version>_<transformation>`, FLINK-28861 changed it in 1.16) and the operator ID is the murmur3 hash of that
//! uid, independent of the graph's shape and of parallelism.
//!
//! Besides operators, the plan says what SQL state looks like: a group aggregate is keyed by
//! its grouping columns (`ROW<...>` of their logical types) and keeps one `accState` row with
//! one field per accumulator. That and the SQL-level description (tables, connector options,
//! GROUP BY columns, aggregate calls, plan `state` entries with their TTL) are kept on each
//! operator under the job-graph extension field `sql` ([`SqlInfo`]).
//!
//! Files: this one reads the plan ([`CompiledPlan`]); [`options`] says how it runs;
//! [`translate`] builds the job graph; [`sql_info`] describes nodes in SQL terms; [`state`]
//! models their runtime state; [`row_type`] reads the plan's logical types.

mod accumulators;
mod distinct;
mod limits;
mod operator_state;
mod options;
mod row_type;
mod sql_info;
mod state;
mod translate;
mod uids;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde_json::Value;

use crate::flink::FlinkVersion;

pub use options::{PlanOptions, UidGeneration, version_pair};
pub use row_type::{RowType, logical_type_string, positional_row};
pub use sql_info::{PlanState, SqlInfo, short_table, sql_info};
pub use state::enrich_job_graph;
pub use translate::{plan_job_graph, plan_to_job_graph};
pub use uids::{is_legacy_plan_uid, legacy_uid_id};

use sql_info::string_map;

/// Why a compiled plan cannot be used.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum PlanError {
    #[error("cannot read compiled plan {}: {source}", path.display())]
    #[diagnostic(code(spcompat::plan::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{file}: not a Flink compiled plan: {message}")]
    #[diagnostic(
        code(spcompat::plan::invalid),
        help(
            "expected the JSON that COMPILE PLAN writes: {{\"flinkVersion\": \"1.20\", \"nodes\": [...], \"edges\": [...]}}"
        )
    )]
    Invalid { file: String, message: String },
}

/// One ExecNode of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanNode {
    pub id: u32,
    /// The ExecNode name without its version, e.g. `stream-exec-group-aggregate`.
    pub type_name: String,
    pub type_version: u32,
    /// The whole node as written (node-specific fields).
    pub raw: Value,
}

impl PlanNode {
    /// `stream-exec-group-aggregate_1`, as written in the plan.
    pub fn type_string(&self) -> String {
        format!("{}_{}", self.type_name, self.type_version)
    }

    /// Node-level options persisted at compile time (`configuration`).
    pub fn configuration(&self) -> BTreeMap<String, String> {
        string_map(self.raw.get("configuration"))
    }

    /// One option: the node's persisted configuration wins over how the plan is run.
    pub fn setting(&self, key: &str, opts: &PlanOptions) -> Option<String> {
        self.raw
            .get("configuration")
            .and_then(|c| c.get(key))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .or_else(|| opts.get(key).map(str::to_string))
    }

    /// The output row type as a type string (plans write types the string form cannot
    /// express, such as time attributes, as JSON objects).
    pub fn output_type(&self) -> Option<String> {
        self.raw.get("outputType").and_then(logical_type_string)
    }

    /// A row type the node writes under `field` (`outputType`, `localAggInputRowType`, ...),
    /// parsed; `None` when absent or not a `ROW<...>`.
    pub fn row_field(&self, field: &str) -> Option<RowType> {
        let t = self.raw.get(field).and_then(logical_type_string)?;
        RowType::parse(&t)
    }

    /// A sink's `ON CONFLICT` behaviour (`DEDUPLICATE`, `ERROR`, `NOTHING`; plans of 2.3+).
    pub fn conflict_behavior(&self) -> Option<&str> {
        self.raw.get("conflictStrategy")?.get("behavior")?.as_str()
    }

    /// `ON CONFLICT DO ERROR` / `DO NOTHING`: Flink materializes this sink's rows by watermark
    /// (a `WatermarkTimestampAssigner` and a `WatermarkCompactingSinkMaterializer`).
    pub fn compacts_by_watermark(&self) -> bool {
        matches!(self.conflict_behavior(), Some("ERROR" | "NOTHING"))
    }

    pub fn description(&self) -> Option<&str> {
        self.raw.get("description").and_then(Value::as_str)
    }

    /// The ExecNode kind without the `stream-exec-` / `batch-exec-` prefix, e.g. `group-aggregate`.
    pub fn kind(&self) -> &str {
        self.type_name
            .strip_prefix("stream-exec-")
            .or_else(|| self.type_name.strip_prefix("batch-exec-"))
            .unwrap_or(&self.type_name)
    }

    fn is_exchange(&self) -> bool {
        self.kind() == "exchange"
    }
}

/// One edge of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEdge {
    pub source: u32,
    pub target: u32,
    /// `shuffle.type`, e.g. `FORWARD`.
    pub shuffle: Option<String>,
}

/// A compiled plan.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledPlan {
    /// The plan's `flinkVersion`, e.g. `1.20` (the version that compiled it).
    /// Parsed when read (a text that names no release is kept and reads as unknown).
    pub flink_version: FlinkVersion,
    pub nodes: Vec<PlanNode>,
    pub edges: Vec<PlanEdge>,
    /// The file it was read from, for reports.
    pub origin: Option<String>,
    /// Lookups built once at parse time, so translation does no scans per node.
    shape: Shape,
}

/// Where each node is and what it reads, by index into `nodes`.
#[derive(Debug, Clone, PartialEq, Default)]
struct Shape {
    index_of: HashMap<u32, usize>,
    /// Input nodes of each node, in the order of its input edges.
    inputs: Vec<Vec<usize>>,
    consumed: Vec<bool>,
    /// Each node's output row type, parsed once.
    output_rows: Vec<Option<RowType>>,
}

impl Shape {
    fn build(nodes: &[PlanNode], edges: &[PlanEdge]) -> Shape {
        let index_of: HashMap<u32, usize> =
            nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
        let mut inputs = vec![Vec::new(); nodes.len()];
        let mut consumed = vec![false; nodes.len()];
        for e in edges {
            if let (Some(&s), Some(&t)) = (index_of.get(&e.source), index_of.get(&e.target)) {
                inputs[t].push(s);
                consumed[s] = true;
            }
        }
        let output_rows = nodes
            .iter()
            .map(|n| n.output_type().and_then(|t| RowType::parse(&t)))
            .collect();
        Shape {
            index_of,
            inputs,
            consumed,
            output_rows,
        }
    }
}

/// Whether `text` is a compiled plan (a JSON object with `flinkVersion` and a `nodes` array).
pub fn sniff_plan(text: &str) -> bool {
    serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}'))
        .ok()
        .is_some_and(|v| {
            v.get("nodes").is_some_and(Value::is_array) && v.get("flinkVersion").is_some()
        })
}

/// Reads a compiled plan file.
pub fn load_plan(path: &Path) -> Result<CompiledPlan, PlanError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_plan(&text, &path.display().to_string())
}

/// Parses a compiled plan; `name` names it in errors and reports.
pub fn parse_plan(text: &str, name: &str) -> Result<CompiledPlan, PlanError> {
    let invalid = |message: String| PlanError::Invalid {
        file: name.to_string(),
        message,
    };
    let mut v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| invalid(format!("not JSON ({e})")))?;
    let flink_version = match v.get("flinkVersion") {
        Some(Value::String(s)) => FlinkVersion::new(s.clone()),
        Some(other) => FlinkVersion::new(other.to_string()),
        None => return Err(invalid("no \"flinkVersion\"".to_string())),
    };
    let raw_edges = v.get_mut("edges").map(Value::take);
    let Some(raw_nodes) = v.get_mut("nodes").and_then(Value::as_array_mut) else {
        return Err(invalid("no \"nodes\" array".to_string()));
    };
    let mut nodes = Vec::with_capacity(raw_nodes.len());
    let mut seen = HashSet::with_capacity(raw_nodes.len());
    for (i, n) in raw_nodes.iter_mut().enumerate() {
        let id = n
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| invalid(format!("nodes[{i}] has no integer \"id\"")))?;
        let ty = n
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("nodes[{i}] has no \"type\"")))?;
        let (type_name, type_version) = match ty.rsplit_once('_') {
            Some((name, ver)) if ver.parse::<u32>().is_ok() => {
                (name.to_string(), ver.parse().unwrap_or(1))
            }
            _ => (ty.to_string(), 1),
        };
        if !seen.insert(id as u32) {
            return Err(invalid(format!("node id {id} appears twice")));
        }
        nodes.push(PlanNode {
            id: id as u32,
            type_name,
            type_version,
            raw: n.take(),
        });
    }
    let mut edges = Vec::new();
    for (i, e) in raw_edges
        .as_ref()
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let get = |k: &str| {
            e.get(k)
                .and_then(Value::as_u64)
                .map(|x| x as u32)
                .ok_or_else(|| invalid(format!("edges[{i}] has no integer \"{k}\"")))
        };
        let (source, target) = (get("source")?, get("target")?);
        for id in [source, target] {
            if !seen.contains(&id) {
                return Err(invalid(format!("edges[{i}] refers to unknown node {id}")));
            }
        }
        edges.push(PlanEdge {
            source,
            target,
            shuffle: e
                .get("shuffle")
                .and_then(|s| s.get("type"))
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    let shape = Shape::build(&nodes, &edges);
    let plan = CompiledPlan {
        flink_version,
        nodes,
        edges,
        origin: Some(name.to_string()),
        shape,
    };
    limits::check(&plan).map_err(invalid)?;
    Ok(plan)
}

impl CompiledPlan {
    pub fn node(&self, id: u32) -> Option<&PlanNode> {
        self.shape.index_of.get(&id).map(|&i| &self.nodes[i])
    }

    /// The inputs of a node, in the order of its input edges.
    pub fn inputs(&self, id: u32) -> Vec<&PlanNode> {
        self.input_indexes(id)
            .iter()
            .map(|&i| &self.nodes[i])
            .collect()
    }

    fn input_indexes(&self, id: u32) -> &[usize] {
        self.shape
            .index_of
            .get(&id)
            .map_or(&[], |&i| self.shape.inputs[i].as_slice())
    }

    /// Nodes nothing consumes: the sinks, in plan order.
    pub fn sinks(&self) -> Vec<&PlanNode> {
        self.nodes
            .iter()
            .zip(&self.shape.consumed)
            .filter(|(_, consumed)| !**consumed)
            .map(|(n, _)| n)
            .collect()
    }

    /// The row type a node receives on input `i` (its input's output type).
    pub fn input_row(&self, id: u32, i: usize) -> Option<&RowType> {
        self.input_indexes(id)
            .get(i)
            .and_then(|&n| self.shape.output_rows[n].as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_types_parse() {
        let r = RowType::parse(
            "ROW<`k` VARCHAR(2147483647), `EXPR$1` BIGINT NOT NULL, `d` DECIMAL(10, 2) 'amount'>",
        )
        .unwrap();
        assert_eq!(
            r.fields,
            vec![
                ("k".to_string(), "VARCHAR(2147483647)".to_string()),
                ("EXPR$1".to_string(), "BIGINT NOT NULL".to_string()),
                ("d".to_string(), "DECIMAL(10, 2)".to_string()),
            ]
        );
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            short_table("`default_catalog`.`default_database`.`src`"),
            "src"
        );
        assert_eq!(short_table("cat.db.t"), "t");
        assert_eq!(version_pair("1.20.3"), Some((1, 20)));
        assert_eq!(version_pair("v1_15"), Some((1, 15)));
    }
}
