//! Flink SQL compiled plans: the JSON that `COMPILE PLAN` / `CompiledPlan#writeToFile` writes
//! (plan versions 1.15 to 2.3), read into a [`CompiledPlan`] and converted into the
//! [`JobGraph`] Flink builds when the job runs from that plan (`EXECUTE PLAN`).
//!
//! Each ExecNode of the plan creates zero or more transformations (`StreamExec*.java`,
//! `@ExecNodeMetadata(producedTransformations = ...)`); exchanges create none and only decide the
//! partitioner of the edge. With uids on (`table.exec.uid.generation`: `PLAN_ONLY`, the default,
//! sets them when running from a plan; `ALWAYS`; `DISABLED`), each transformation's uid is
//! `table.exec.uid.format` (default `<id>_<transformation>`; before Flink 1.18 always
//! `<id>_<type>_<version>_<transformation>`) and the operator ID is the murmur3 hash of that
//! uid, independent of the graph's shape and of parallelism.
//!
//! Besides operators, the plan says what SQL state looks like: a group aggregate is keyed by
//! its grouping columns (`ROW<...>` of their logical types) and keeps one `accState` row with
//! one field per accumulator. That and the SQL-level description (tables, connector options,
//! GROUP BY columns, aggregate calls, plan `state` entries with their TTL) are kept on each
//! operator under the job-graph extension field `sql` ([`SqlInfo`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{
    ChainingStrategy, JobGraph, JobGraphFormat, JobInput, JobOperator, Location, Partitioner,
    SourceDecl, StartupMode, StateDecl, StateKind,
};

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
    pub flink_version: String,
    pub nodes: Vec<PlanNode>,
    pub edges: Vec<PlanEdge>,
    /// The file it was read from, for reports.
    pub origin: Option<String>,
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
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| invalid(format!("not JSON ({e})")))?;
    let flink_version = match v.get("flinkVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => return Err(invalid("no \"flinkVersion\"".to_string())),
    };
    let Some(raw_nodes) = v.get("nodes").and_then(Value::as_array) else {
        return Err(invalid("no \"nodes\" array".to_string()));
    };
    let mut nodes = Vec::with_capacity(raw_nodes.len());
    for (i, n) in raw_nodes.iter().enumerate() {
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
        if nodes.iter().any(|x: &PlanNode| x.id == id as u32) {
            return Err(invalid(format!("node id {id} appears twice")));
        }
        nodes.push(PlanNode {
            id: id as u32,
            type_name,
            type_version,
            raw: n.clone(),
        });
    }
    let mut edges = Vec::new();
    for (i, e) in v
        .get("edges")
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
            if !nodes.iter().any(|n| n.id == id) {
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
    Ok(CompiledPlan {
        flink_version,
        nodes,
        edges,
        origin: Some(name.to_string()),
    })
}

impl CompiledPlan {
    pub fn node(&self, id: u32) -> Option<&PlanNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The inputs of a node, in the order of its input edges.
    pub fn inputs(&self, id: u32) -> Vec<&PlanNode> {
        self.edges
            .iter()
            .filter(|e| e.target == id)
            .filter_map(|e| self.node(e.source))
            .collect()
    }

    /// Nodes nothing consumes: the sinks, in plan order.
    pub fn sinks(&self) -> Vec<&PlanNode> {
        self.nodes
            .iter()
            .filter(|n| !self.edges.iter().any(|e| e.source == n.id))
            .collect()
    }

    /// The row type a node receives on input `i` (its input's output type).
    pub fn input_row(&self, id: u32, i: usize) -> Option<RowType> {
        self.inputs(id)
            .get(i)
            .and_then(|n| n.output_type())
            .and_then(|t| RowType::parse(&t))
    }
}

// ------------------------------------------------------------------------------------------------
// Logical row types as the plan writes them: ROW<`k` VARCHAR(2147483647), `v` BIGINT NOT NULL>.

/// A logical type of the plan as its serializable string: strings as written; JSON objects
/// (the form the plan uses for types without a string form, e.g. time attributes) rendered in
/// the same notation (`TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*`).
pub fn logical_type_string(v: &Value) -> Option<String> {
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    let o = v.as_object()?;
    let ty = o.get("type")?.as_str()?;
    let not_null = if o.get("nullable").and_then(Value::as_bool) == Some(false) {
        " NOT NULL"
    } else {
        ""
    };
    let precision = o.get("precision").and_then(Value::as_u64);
    let kind = match o.get("kind").and_then(Value::as_str) {
        Some("PROCTIME") => " *PROCTIME*",
        Some("ROWTIME") => " *ROWTIME*",
        _ => "",
    };
    let base = match ty {
        "ROW" => {
            let fields: Vec<String> = o
                .get("fields")?
                .as_array()?
                .iter()
                .map(|f| {
                    let name = f.get("name").and_then(Value::as_str).unwrap_or("?");
                    let t = f
                        .get("fieldType")
                        .and_then(logical_type_string)
                        .unwrap_or_else(|| "?".to_string());
                    format!("`{}` {t}", name.replace('`', "``"))
                })
                .collect();
            format!("ROW<{}>", fields.join(", "))
        }
        "TIMESTAMP_WITH_LOCAL_TIME_ZONE" => format!("TIMESTAMP_LTZ({})", precision.unwrap_or(6)),
        "TIMESTAMP_WITHOUT_TIME_ZONE" => format!("TIMESTAMP({})", precision.unwrap_or(6)),
        "TIMESTAMP_WITH_TIME_ZONE" => {
            format!("TIMESTAMP({}) WITH TIME ZONE", precision.unwrap_or(6))
        }
        other => match precision {
            Some(p) => format!("{other}({p})"),
            None => other.to_string(),
        },
    };
    Some(format!("{base}{not_null}{kind}"))
}

/// A parsed `ROW<...>` type string: field names and their type strings as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowType {
    pub fields: Vec<(String, String)>,
}

impl RowType {
    pub fn parse(s: &str) -> Option<RowType> {
        let s = s.trim();
        let s = s.strip_suffix(" NOT NULL").unwrap_or(s);
        let inner = s.strip_prefix("ROW<")?.strip_suffix('>')?;
        let mut fields = Vec::new();
        for part in split_top_level(inner) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, rest) = if let Some(rest) = part.strip_prefix('`') {
                let mut name = String::new();
                let mut chars = rest.char_indices().peekable();
                let mut end = rest.len();
                while let Some((i, c)) = chars.next() {
                    if c == '`' {
                        if chars.peek().map(|&(_, d)| d) == Some('`') {
                            name.push('`');
                            chars.next();
                            continue;
                        }
                        end = i + 1;
                        break;
                    }
                    name.push(c);
                }
                (name, rest[end..].trim())
            } else {
                match part.split_once(' ') {
                    Some((n, t)) => (n.to_string(), t.trim()),
                    None => (part.to_string(), ""),
                }
            };
            // A field description is written after the type as '...'.
            let ty = strip_description(rest);
            fields.push((name, ty.to_string()));
        }
        Some(RowType { fields })
    }

    pub fn name(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|(n, _)| n.as_str())
    }

    pub fn type_of(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|(_, t)| t.as_str())
    }
}

fn strip_description(t: &str) -> &str {
    let t = t.trim();
    if t.ends_with('\'') {
        // find the opening quote of a trailing '...'
        let mut depth = 0i32;
        for (i, c) in t.char_indices() {
            match c {
                '(' | '<' => depth += 1,
                ')' | '>' => depth -= 1,
                '\'' if depth == 0 => return t[..i].trim(),
                _ => {}
            }
        }
    }
    t
}

/// Splits at commas outside (), <>, backticks and quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '`' | '\'' => quote = Some(c),
                '(' | '<' => depth += 1,
                ')' | '>' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    out.push(&s[start..]);
    out
}

/// The type as a nullable type (accumulators are nullable).
fn nullable(t: &str) -> String {
    t.trim()
        .strip_suffix(" NOT NULL")
        .unwrap_or(t.trim())
        .to_string()
}

/// `ROW<`f0` T0, `f1` T1>`: how a savepoint's RowData serializer (types only) reads.
pub fn positional_row<S: AsRef<str>>(types: &[S]) -> String {
    let fields: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("`f{i}` {}", t.as_ref()))
        .collect();
    format!("ROW<{}>", fields.join(", "))
}

// ------------------------------------------------------------------------------------------------
// The `sql` extension of job-graph operators.

/// A state entry of the plan (FLIP-292, Flink 1.18+): the label used to set its TTL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanState {
    pub index: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

/// What an operator is in SQL terms (job-graph extension field `sql`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlInfo {
    /// The ExecNode id (the `[4]` of `GroupAggregate[4]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_node: Option<u32>,
    /// `stream-exec-group-aggregate_1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_type: Option<String>,
    /// The transformation of the node this operator is, e.g. `group-aggregate`, `sink`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transformation: Option<String>,
    /// The plan's description, e.g. `GroupAggregate(groupBy=[k], select=[...])`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Source or sink table, e.g. `` `default_catalog`.`default_database`.`src` ``.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The table's connector options.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// GROUP BY / PARTITION BY / join key column names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<String>>,
    /// Aggregate calls as SQL, e.g. `COUNT(*)`, `SUM(v)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregates: Option<Vec<String>>,
    /// Accumulator types, one per accumulator field (exported graphs: read from the runtime
    /// function; plans: derived from the aggregate calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc_types: Option<Vec<String>>,
    /// Join keys, `left = right` column names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_keys: Option<Vec<String>>,
    /// Window specification as the plan describes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// The plan's `state` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan_state: Vec<PlanState>,
    /// State retention of the runtime function (exported graphs), in ms; 0 = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_retention_ms: Option<i64>,
    /// What about this operator's state spcompat could not model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_note: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl SqlInfo {
    /// The `sql` extension of an operator, when it has one.
    pub fn of(op: &JobOperator) -> Option<SqlInfo> {
        op.extra
            .get("sql")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Stores this as the operator's `sql` extension.
    pub fn store(&self, op: &mut JobOperator) {
        if let Ok(v) = serde_json::to_value(self) {
            op.extra.insert("sql".to_string(), v);
        }
    }

    /// Short table name (`src` of `` `cat`.`db`.`src` ``).
    pub fn table_name(&self) -> Option<String> {
        self.table.as_deref().map(short_table)
    }
}

/// `src` of `` `default_catalog`.`default_database`.`src` `` (or of `cat.db.src`).
pub fn short_table(identifier: &str) -> String {
    let last = split_identifier(identifier).pop().unwrap_or_default();
    if last.is_empty() {
        identifier.to_string()
    } else {
        last
    }
}

fn split_identifier(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_tick = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' if in_tick && chars.peek() == Some(&'`') => {
                cur.push('`');
                chars.next();
            }
            '`' => in_tick = !in_tick,
            '.' if !in_tick => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

// ------------------------------------------------------------------------------------------------
// Conversion options.

/// `table.exec.uid.generation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UidGeneration {
    /// Default: uids only when the job runs from a compiled plan.
    PlanOnly,
    Always,
    Disabled,
}

impl UidGeneration {
    pub fn parse(s: &str) -> Option<UidGeneration> {
        match s.trim().to_ascii_uppercase().replace('-', "_").as_str() {
            "PLAN_ONLY" => Some(UidGeneration::PlanOnly),
            "ALWAYS" => Some(UidGeneration::Always),
            "DISABLED" => Some(UidGeneration::Disabled),
            _ => None,
        }
    }
}

/// How the plan is run: the Flink version that executes it and the job's configuration.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// The Flink version that runs the plan (e.g. `1.20.3`); default: the plan's `flinkVersion`.
    /// Uids are computed by the running version.
    pub flink_version: Option<String>,
    /// Default parallelism (`parallelism.default`); 1 when neither this nor the config has it.
    pub parallelism: Option<u32>,
    /// Job configuration (`SET` options): `table.exec.uid.generation`, `table.exec.uid.format`,
    /// `table.exec.legacy-transformation-uids`, `parallelism.default`,
    /// `pipeline.max-parallelism`, `table.exec.state.ttl`, ...
    pub config: BTreeMap<String, String>,
}

impl PlanOptions {
    fn get(&self, key: &str) -> Option<&str> {
        self.config.get(key).map(String::as_str)
    }

    fn parallelism(&self) -> u32 {
        self.parallelism
            .or_else(|| {
                self.get("parallelism.default")
                    .and_then(|p| p.trim().parse().ok())
            })
            .filter(|&p| p > 0)
            .unwrap_or(1)
    }
}

/// (major, minor) of a version string such as `1.20`, `1.20.3`, `v1_15`, `2.3-SNAPSHOT`.
pub fn version_pair(v: &str) -> Option<(u32, u32)> {
    let cleaned: String = v
        .trim()
        .trim_start_matches(['v', 'V'])
        .chars()
        .map(|c| if c == '_' { '.' } else { c })
        .collect();
    let mut parts = cleaned.split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

// ------------------------------------------------------------------------------------------------
// Plan -> job graph.

/// One transformation an ExecNode creates, as a StreamNode.
struct Created {
    transformation: &'static str,
    name: String,
    chaining: ChainingStrategy,
    parallelism: u32,
}

/// A StreamNode consumers of an ExecNode read from: (node, partitioner set by an exchange,
/// parallelism). A union passes on all of its inputs.
type Output = (u32, Option<Partitioner>, u32);

/// State of one conversion.
struct Translation<'a> {
    plan: &'a CompiledPlan,
    opts: &'a PlanOptions,
    runtime: String,
    default_parallelism: u32,
    ops: Vec<JobOperator>,
    outputs: HashMap<u32, Vec<Output>>,
    next_node: u32,
    visiting: Vec<u32>,
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
        .unwrap_or_else(|| plan.flink_version.clone());
    let mut t = Translation {
        plan,
        opts,
        runtime: runtime.clone(),
        default_parallelism: opts.parallelism(),
        ops: Vec::new(),
        outputs: HashMap::new(),
        next_node: 1,
        visiting: Vec::new(),
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

impl Translation<'_> {
    fn translate(&mut self, id: u32) -> Vec<Output> {
        if let Some(out) = self.outputs.get(&id) {
            return out.clone();
        }
        if self.visiting.contains(&id) {
            return Vec::new(); // a cycle: plans are DAGs, tolerate malformed input
        }
        let Some(node) = self.plan.node(id) else {
            return Vec::new();
        };
        self.visiting.push(id);
        let mut inputs: Vec<Output> = Vec::new();
        for input in self.plan.inputs(id) {
            inputs.extend(self.translate(input.id));
        }
        self.visiting.pop();
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
                        partitioner: partitioner.or(Some(if up_parallelism == c.parallelism {
                            Partitioner::Forward
                        } else {
                            Partitioner::Rebalance
                        })),
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
            }]
        }
        "values" => vec![Created {
            transformation: "values",
            name: format!("Values[{}]", node.id),
            chaining: ChainingStrategy::Head,
            parallelism: 1,
        }],
        "sink" | "legacy-sink" => {
            sink_transformations(plan, node, opts, runtime, input_parallelism)
        }
        "union" => Vec::new(),
        "match" => {
            let mut v = Vec::new();
            if node.raw.pointer("/matchSpec/orderKeys/fields/0").is_some()
                && plan
                    .input_row(node.id, 0)
                    .and_then(|r| {
                        let i = node
                            .raw
                            .pointer("/matchSpec/orderKeys/fields/0/index")
                            .and_then(Value::as_u64)? as usize;
                        r.type_of(i).map(|t| t.contains("*ROWTIME*"))
                    })
                    .unwrap_or(false)
            {
                v.push(Created {
                    transformation: "timestamp-inserter",
                    name: format!("StreamRecordTimestampInserter[{}]", node.id),
                    chaining: ChainingStrategy::Always,
                    parallelism: input_parallelism,
                });
            }
            v.extend(one("match"));
            v
        }
        "interval-join" => one("interval-join"),
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
        v.push(Created {
            transformation: "upsert-materialize",
            name: format!("SinkMaterializer[{}]", node.id),
            chaining: ChainingStrategy::Always,
            parallelism: sink_parallelism,
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
    });
    v
}

/// The uid Flink gives transformation `t` of `node` when it runs this plan, if any.
fn uid_for(
    node: &PlanNode,
    transformation: &str,
    opts: &PlanOptions,
    runtime: &str,
) -> Option<String> {
    let setting = |k: &str| node.setting(k, opts);
    let version = version_pair(runtime).unwrap_or((2, 0));
    let legacy = setting("table.exec.legacy-transformation-uids")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let generation = setting("table.exec.uid.generation")
        .and_then(|g| UidGeneration::parse(&g))
        .unwrap_or(UidGeneration::PlanOnly);
    // 1.15.0/1.15.1 (and legacy uids) always set uids; otherwise per generation. Running from
    // a plan satisfies PLAN_ONLY.
    if generation == UidGeneration::Disabled && !legacy {
        return None;
    }
    let format = match setting("table.exec.uid.format") {
        Some(f) if version >= (1, 18) => f,
        _ if version < (1, 18) => "<id>_<type>_<version>_<transformation>".to_string(),
        _ => "<id>_<transformation>".to_string(),
    };
    Some(
        format
            .replace("<id>", &node.id.to_string())
            .replace("<type>", &node.type_name)
            .replace("<version>", &node.type_version.to_string())
            .replace("<transformation>", transformation),
    )
}

// ------------------------------------------------------------------------------------------------
// SQL descriptions and state.

fn table_identifier(node: &PlanNode, pointer: &str) -> Option<String> {
    node.raw
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn table_options(node: &PlanNode, pointer: &str) -> BTreeMap<String, String> {
    string_map(node.raw.pointer(pointer))
}

fn table_columns(node: &PlanNode, pointer: &str) -> Vec<(String, String)> {
    node.raw
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|cols| {
            cols.iter()
                .filter_map(|c| {
                    Some((
                        c.get("name")?.as_str()?.to_string(),
                        c.get("dataType")
                            .and_then(|d| {
                                d.as_str()
                                    .map(str::to_string)
                                    .or_else(|| Some(d.to_string()))
                            })
                            .unwrap_or_default(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn int_list(v: Option<&Value>) -> Option<Vec<usize>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|x| x.as_u64().map(|i| i as usize))
            .collect()
    })
}

/// The SQL description of a node (everything but the per-operator fields).
pub fn sql_info(plan: &CompiledPlan, node: &PlanNode) -> SqlInfo {
    let mut info = SqlInfo {
        exec_node: Some(node.id),
        exec_type: Some(node.type_string()),
        description: node.description().map(str::to_string),
        ..SqlInfo::default()
    };
    for (table_ptr, options_ptr) in [
        (
            "/scanTableSource/table/identifier",
            "/scanTableSource/table/resolvedTable/options",
        ),
        (
            "/dynamicTableSink/table/identifier",
            "/dynamicTableSink/table/resolvedTable/options",
        ),
        (
            "/temporalTable/table/identifier",
            "/temporalTable/table/resolvedTable/options",
        ),
    ] {
        if let Some(t) = table_identifier(node, table_ptr) {
            info.table = Some(t);
            info.options = table_options(node, options_ptr);
            break;
        }
    }
    if let Some(states) = node.raw.get("state").and_then(Value::as_array) {
        info.plan_state = states
            .iter()
            .filter_map(|s| serde_json::from_value(s.clone()).ok())
            .collect();
    }
    let input = plan.input_row(node.id, 0);
    let names = |idx: &[usize]| -> Vec<String> {
        idx.iter()
            .map(|&i| {
                input
                    .as_ref()
                    .and_then(|r| r.name(i).map(str::to_string))
                    .unwrap_or_else(|| format!("${i}"))
            })
            .collect()
    };
    if let Some(grouping) = int_list(node.raw.get("grouping")) {
        info.group_by = Some(names(&grouping));
    } else if let Some(keys) = int_list(node.raw.pointer("/partitionSpec/fields"))
        .or_else(|| int_list(node.raw.pointer("/partition/fields")))
        .or_else(|| int_list(node.raw.get("uniqueKeys")))
        .or_else(|| int_list(node.raw.get("partitionKeys")))
    {
        info.group_by = Some(names(&keys));
    }
    if let Some(calls) = node.raw.get("aggCalls").and_then(Value::as_array) {
        info.aggregates = Some(
            calls
                .iter()
                .map(|c| aggregate_sql(c, input.as_ref()))
                .collect(),
        );
        if let Some(acc) = derive_acc_types(node, input.as_ref()) {
            info.acc_types = Some(acc);
        } else {
            info.state_note = Some(
                "the accumulator types of these aggregate calls are not modelled (DISTINCT, MIN/MAX with retraction, user-defined or imperative functions)"
                    .to_string(),
            );
        }
    }
    if let Some(spec) = node.raw.get("joinSpec") {
        let left = int_list(spec.get("leftKeys")).unwrap_or_default();
        let right = int_list(spec.get("rightKeys")).unwrap_or_default();
        let l = plan.input_row(node.id, 0);
        let r = plan.input_row(node.id, 1);
        let name = |row: &Option<RowType>, i: usize| {
            row.as_ref()
                .and_then(|r| r.name(i).map(str::to_string))
                .unwrap_or_else(|| format!("${i}"))
        };
        info.join_keys = Some(
            left.iter()
                .zip(&right)
                .map(|(&a, &b)| format!("{} = {}", name(&l, a), name(&r, b)))
                .collect(),
        );
        info.group_by = Some(left.iter().map(|&a| name(&l, a)).collect());
    }
    if let Some(w) = node
        .raw
        .get("windowing")
        .or_else(|| node.raw.get("window"))
        .or_else(|| node.raw.get("overSpec"))
    {
        info.window = Some(w.to_string());
    }
    info
}

/// `COUNT(*)`, `SUM(v)`, `COUNT(DISTINCT k)`, `MAX(v) FILTER (WHERE $3)`.
fn aggregate_sql(call: &Value, input: Option<&RowType>) -> String {
    let name = call
        .get("internalName")
        .and_then(Value::as_str)
        .map(|n| {
            // `$SUM$1` -> SUM
            n.trim_start_matches('$')
                .split('$')
                .next()
                .unwrap_or(n)
                .to_string()
        })
        .or_else(|| {
            call.get("catalogName")
                .and_then(Value::as_str)
                .map(short_table)
        })
        .or_else(|| {
            call.get("systemName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| {
            call.get("class")
                .and_then(Value::as_str)
                .map(|c| c.rsplit('.').next().unwrap_or(c).to_string())
        })
        .unwrap_or_else(|| "AGG".to_string());
    let args = int_list(call.get("argList")).unwrap_or_default();
    let col = |i: usize| {
        input
            .and_then(|r| r.name(i).map(str::to_string))
            .unwrap_or_else(|| format!("${i}"))
    };
    let mut inner: Vec<String> = args.iter().map(|&i| col(i)).collect();
    if inner.is_empty() && call.get("syntax").and_then(Value::as_str) == Some("FUNCTION_STAR") {
        inner.push("*".to_string());
    }
    let distinct = if call.get("distinct").and_then(Value::as_bool) == Some(true) {
        "DISTINCT "
    } else {
        ""
    };
    let mut s = format!("{name}({distinct}{})", inner.join(", "));
    if let Some(f) = call
        .get("filterArg")
        .and_then(Value::as_i64)
        .filter(|&f| f >= 0)
    {
        s.push_str(&format!(" FILTER (WHERE {})", col(f as usize)));
    }
    s
}

/// The accumulator fields of a (group) aggregate: `AggregateUtil.transformToStreamAggregateInfoList`
/// for the built-in declarative functions; `None` when a call is not modelled.
fn derive_acc_types(node: &PlanNode, input: Option<&RowType>) -> Option<Vec<String>> {
    let calls = node.raw.get("aggCalls")?.as_array()?;
    let retractions: Vec<bool> = node
        .raw
        .get("aggCallNeedRetractions")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|b| b.as_bool().unwrap_or(false)).collect())
        .unwrap_or_default();
    let need_input_count = node
        .raw
        .get("needRetraction")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut acc = Vec::new();
    let mut has_count_star = false;
    for (i, call) in calls.iter().enumerate() {
        if call.get("distinct").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        let retract = retractions.get(i).copied().unwrap_or(false);
        let name = call
            .get("internalName")
            .and_then(Value::as_str)?
            .trim_start_matches('$')
            .split('$')
            .next()?
            .to_ascii_uppercase();
        let args = int_list(call.get("argList")).unwrap_or_default();
        let result = call.get("type").and_then(Value::as_str).map(nullable);
        let arg_type = args
            .first()
            .and_then(|&a| input.and_then(|r| r.type_of(a)))
            .map(nullable);
        match name.as_str() {
            "COUNT" => {
                if args.is_empty() {
                    has_count_star = true;
                }
                acc.push("BIGINT".to_string());
            }
            "SUM" => {
                acc.push(result?);
                if retract {
                    acc.push("BIGINT".to_string());
                }
            }
            "SUM0" | "$SUM0" => acc.push(result?),
            "AVG" => {
                let a = arg_type?;
                let sum =
                    if ["TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT"].contains(&a.as_str()) {
                        "BIGINT".to_string()
                    } else if a == "FLOAT" || a == "DOUBLE" {
                        "DOUBLE".to_string()
                    } else if let Some(scale) = a
                        .strip_prefix("DECIMAL(")
                        .and_then(|r| r.strip_suffix(')'))
                        .and_then(|r| r.split(',').nth(1))
                    {
                        format!("DECIMAL(38, {})", scale.trim())
                    } else {
                        return None;
                    };
                acc.push(sum);
                acc.push("BIGINT".to_string());
            }
            "MAX" | "MIN" if !retract => acc.push(arg_type.or(result)?),
            _ => return None,
        }
    }
    if need_input_count && !has_count_star {
        acc.push("BIGINT".to_string());
    }
    Some(acc)
}

/// The runtime state of a transformation, where spcompat models it.
fn apply_state(
    plan: &CompiledPlan,
    node: &PlanNode,
    transformation: &str,
    op: &mut JobOperator,
    info: &mut SqlInfo,
    opts: &PlanOptions,
) {
    let input = plan.input_row(node.id, 0);
    let key_of = |idx: &[usize]| -> Option<String> {
        let row = input.as_ref()?;
        let types: Option<Vec<String>> = idx
            .iter()
            .map(|&i| row.type_of(i).map(str::to_string))
            .collect();
        types.map(|t| positional_row(&t))
    };
    let ttl = state_ttl(node, info, opts);
    match transformation {
        "group-aggregate" | "global-group-aggregate" | "incremental-group-aggregate" => {
            if op.key_type.is_none()
                && let Some(g) = int_list(node.raw.get("grouping"))
                && !g.is_empty()
            {
                op.key_type = key_of(&g);
            }
            if let Some(acc) = info.acc_types.clone() {
                op.state = vec![StateDecl {
                    name: "accState".to_string(),
                    kind: StateKind::Value,
                    type_: positional_row(&acc),
                    user_key_type: None,
                    ttl,
                    avro_schema: None,
                    extra: BTreeMap::new(),
                    location: Location::default(),
                }];
            }
            if transformation == "incremental-group-aggregate" {
                info.state_note = Some(
                    "incremental group aggregate: the accumulator layout is not modelled"
                        .to_string(),
                );
                op.state.clear();
            }
        }
        "source" => {
            let connector = info.options.get("connector").cloned();
            if let Some(c) = &connector {
                op.source = Some(source_decl(c, &info.options));
                if is_flip27_connector(c) {
                    op.state = vec![StateDecl {
                        name: "SourceReaderState".to_string(),
                        kind: StateKind::OperatorList,
                        type_: "byte[]".to_string(),
                        user_key_type: None,
                        ttl: None,
                        avro_schema: None,
                        extra: BTreeMap::new(),
                        location: Location::default(),
                    }];
                }
            }
        }
        "sink"
        | "constraint-validator"
        | "calc"
        | "exchange"
        | "expand"
        | "correlate"
        | "local-group-aggregate"
        | "local-window-aggregate"
        | "mini-batch-assigner"
        | "watermark-assigner"
        | "drop-update-before"
        | "values"
        | "window" => {}
        other => {
            if !info.plan_state.is_empty() || is_stateful_transformation(other) {
                info.state_note.get_or_insert_with(|| {
                    format!("the runtime state of `{other}` is not modelled; its operator ID is still derived")
                });
            }
        }
    }
}

fn is_stateful_transformation(t: &str) -> bool {
    matches!(
        t,
        "deduplicate"
            | "join"
            | "interval-join"
            | "temporal-join"
            | "rank"
            | "over-aggregate"
            | "window-aggregate"
            | "global-window-aggregate"
            | "group-window-aggregate"
            | "window-join"
            | "window-rank"
            | "window-deduplicate"
            | "changelog-normalize"
            | "upsert-materialize"
            | "match"
            | "lookup-join"
            | "group-table-aggregate"
            | "temporal-sort"
            | "sort"
    )
}

/// The TTL of the operator's state: the plan's per-state `ttl` (1.18+), else the job's
/// `table.exec.state.ttl`.
fn state_ttl(node: &PlanNode, info: &SqlInfo, opts: &PlanOptions) -> Option<String> {
    // "0 ms", "0", "0 h", "" all mean: no TTL.
    let enabled = |t: &str| {
        let t = t.trim();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        !(t.is_empty() || digits.parse::<u64>().ok() == Some(0))
    };
    if let Some(st) = info.plan_state.first() {
        return st.ttl.clone().filter(|t| enabled(t));
    }
    if let Some(ms) = info.state_retention_ms {
        return (ms > 0).then(|| format!("{ms} ms"));
    }
    node.setting("table.exec.state.ttl", opts)
        .filter(|t| enabled(t))
}

fn is_flip27_connector(c: &str) -> bool {
    matches!(
        c,
        "kafka" | "upsert-kafka" | "filesystem" | "kinesis" | "pulsar" | "mongodb" | "hybrid"
    )
}

fn source_decl(connector: &str, options: &BTreeMap<String, String>) -> SourceDecl {
    let topics = options
        .get("topic")
        .map(|t| {
            t.split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let startup_mode = options
        .get("scan.startup.mode")
        .and_then(|m| match m.trim() {
            "earliest-offset" => Some(StartupMode::Earliest),
            "latest-offset" => Some(StartupMode::Latest),
            "group-offsets" => Some(StartupMode::GroupOffsets),
            "timestamp" => Some(StartupMode::Timestamp),
            "specific-offsets" => Some(StartupMode::SpecificOffsets),
            _ => None,
        })
        .or_else(|| (connector == "kafka").then_some(StartupMode::GroupOffsets));
    let mut extra = BTreeMap::new();
    if let Some(p) = options.get("topic-pattern") {
        extra.insert("topicPattern".to_string(), Value::String(p.clone()));
    }
    SourceDecl {
        connector: Some(connector.to_string()),
        topics,
        startup_mode,
        extra,
    }
}

// ------------------------------------------------------------------------------------------------
// Exported job graphs: the plan's SQL description and state, attached to the operators.

/// Adds the plan's SQL description and state declarations to a job graph exported from the
/// same job (`spcompat export-sql`): each operator whose `sql.execNode` names a plan node gets
/// that node's description and, for the transformations spcompat models, its state. Values the
/// exporter read from Flink itself (key type, accumulator types) are kept.
pub fn enrich_job_graph(graph: &mut JobGraph, plan: &CompiledPlan, opts: &PlanOptions) {
    for op in &mut graph.operators {
        let Some(mut info) = SqlInfo::of(op) else {
            continue;
        };
        let Some(exec) = info.exec_node else { continue };
        let Some(node) = plan.node(exec) else {
            continue;
        };
        if info
            .exec_type
            .as_deref()
            .is_some_and(|t| t != node.type_string())
        {
            continue;
        }
        let from_plan = sql_info(plan, node);
        let exported_acc = info.acc_types.take();
        let transformation = info.transformation.clone();
        let retention = info.state_retention_ms;
        let extra = std::mem::take(&mut info.extra);
        info = SqlInfo {
            exec_node: info.exec_node,
            exec_type: info.exec_type,
            transformation: transformation.clone(),
            state_retention_ms: retention,
            extra,
            ..from_plan
        };
        if exported_acc.is_some() {
            info.acc_types = exported_acc;
            info.state_note = None;
        }
        // The exporter never writes `state`: it is always the plan's (idempotent).
        if let Some(t) = transformation.as_deref() {
            op.state.clear();
            apply_state(plan, node, t, op, &mut info, opts);
        }
        info.store(op);
    }
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
