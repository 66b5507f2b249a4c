//! The job-graph model (`spcompat-job-graph/1`, see `shared/spec/job-graph-format.md`).
//!
//! One [`JobOperator`] per Flink `StreamNode`. Every operator and state declaration carries a
//! [`Location`] (JSON path and byte span in the file it was read from) so that later diagnostics
//! can point at it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};

use super::span::{self, Syntax};
use crate::OperatorId;
use crate::flink::{Backend, FlinkVersion};
use crate::schema::notation::DeclaredType;

/// The only `format` value this version understands.
pub const FORMAT_V1: &str = "spcompat-job-graph/1";

/// The `format` field. Unknown values are rejected by the loader before the rest is parsed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobGraphFormat {
    #[default]
    #[serde(rename = "spcompat-job-graph/1")]
    V1,
}

/// One version of a Flink job as its `StreamGraph` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobGraph {
    pub format: JobGraphFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Parsed when read; written back as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flink_version: Option<FlinkVersion>,
    /// Job-wide `pipeline.max-parallelism` when explicitly configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallelism: Option<u32>,
    /// Extension: `pipeline.operator-chaining.enabled` (Flink default `true`). Chaining decides
    /// auto-generated operator IDs, so a job that disables it gets different IDs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chaining: Option<bool>,
    /// Extension: `pipeline.operator-chaining.chain-operators-with-different-max-parallelism`
    /// (Flink 1.18+, default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_operators_with_different_max_parallelism: Option<bool>,
    pub operators: Vec<JobOperator>,
    /// Fields this version does not know; kept so that tools can still look at them.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The file this graph was read from (absent for graphs built in code).
    #[serde(skip)]
    pub origin: Option<SourceText>,
}

/// One `StreamNode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobOperator {
    pub node: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `setUidHash(...)`: the user-defined (alternative) operator ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid_hash: Option<OperatorId>,
    /// The ID Flink computed, when known; authoritative over any derivation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<OperatorId>,
    pub parallelism: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallelism: Option<u32>,
    pub inputs: Vec<JobInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chaining_strategy: Option<ChainingStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_sharing_group: Option<String>,
    /// Parsed when read, as the state types are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_type: Option<DeclaredType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub state: Vec<StateDecl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDecl>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
    #[serde(skip)]
    pub location: Location,
}

/// One in-edge of an operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInput {
    pub node: u32,
    /// Absent means what Flink picks when none is given: FORWARD if both sides have the same
    /// parallelism, else REBALANCE (see [`JobInput::effective_partitioner`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioner: Option<Partitioner>,
}

impl JobInput {
    pub fn effective_partitioner(
        &self,
        upstream_parallelism: u32,
        downstream_parallelism: u32,
    ) -> Partitioner {
        match self.partitioner {
            Some(p) => p,
            None if upstream_parallelism == downstream_parallelism => Partitioner::Forward,
            None => Partitioner::Rebalance,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Partitioner {
    Forward,
    Hash,
    Rebalance,
    Rescale,
    Shuffle,
    Broadcast,
    Global,
    Custom,
}

impl Partitioner {
    pub fn as_str(self) -> &'static str {
        match self {
            Partitioner::Forward => "FORWARD",
            Partitioner::Hash => "HASH",
            Partitioner::Rebalance => "REBALANCE",
            Partitioner::Rescale => "RESCALE",
            Partitioner::Shuffle => "SHUFFLE",
            Partitioner::Broadcast => "BROADCAST",
            Partitioner::Global => "GLOBAL",
            Partitioner::Custom => "CUSTOM",
        }
    }
}

impl fmt::Display for Partitioner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChainingStrategy {
    Always,
    Head,
    Never,
    HeadWithSources,
}

impl ChainingStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            ChainingStrategy::Always => "ALWAYS",
            ChainingStrategy::Head => "HEAD",
            ChainingStrategy::Never => "NEVER",
            ChainingStrategy::HeadWithSources => "HEAD_WITH_SOURCES",
        }
    }
}

impl fmt::Display for ChainingStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One state descriptor an operator registers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateDecl {
    pub name: String,
    pub kind: StateKind,
    /// Value type (element type for list kinds, accumulator for reducing/aggregating); parsed
    /// when read, a notation error kept for the analysis to report.
    #[serde(rename = "type")]
    pub type_: DeclaredType,
    /// Map key type; required for `map` and `broadcast`. Parsed when read, as `type_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_key_type: Option<DeclaredType>,
    /// TTL as written, e.g. `1 h`; absent means no TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// Inline Avro schema, either as a JSON object or as a string holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avro_schema: Option<serde_json::Value>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
    #[serde(skip)]
    pub location: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateKind {
    Value,
    List,
    Map,
    Reducing,
    Aggregating,
    OperatorList,
    UnionList,
    Broadcast,
}

impl StateKind {
    /// Keyed state lives in the keyed backend; the others in the operator backend.
    pub fn is_keyed(self) -> bool {
        matches!(
            self,
            StateKind::Value
                | StateKind::List
                | StateKind::Map
                | StateKind::Reducing
                | StateKind::Aggregating
        )
    }

    /// Kinds whose declaration must name a key type (`userKeyType`).
    pub fn has_user_key(self) -> bool {
        matches!(self, StateKind::Map | StateKind::Broadcast)
    }

    /// The kind's name, as [`crate::flink::StateKind`] spells it.
    pub fn as_str(self) -> &'static str {
        crate::flink::StateKind::from(self).as_str()
    }
}

impl fmt::Display for StateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The declared kinds are a subset of the kinds the analysis compares.
impl From<StateKind> for crate::flink::StateKind {
    fn from(k: StateKind) -> Self {
        use crate::flink::StateKind as F;
        match k {
            StateKind::Value => F::Value,
            StateKind::List => F::List,
            StateKind::Map => F::Map,
            StateKind::Reducing => F::Reducing,
            StateKind::Aggregating => F::Aggregating,
            StateKind::OperatorList => F::OperatorList,
            StateKind::UnionList => F::UnionList,
            StateKind::Broadcast => F::Broadcast,
        }
    }
}

/// The declarable kinds; timers and the kinds the format does not model have no job-graph kind.
impl TryFrom<crate::flink::StateKind> for StateKind {
    type Error = crate::flink::StateKind;

    fn try_from(k: crate::flink::StateKind) -> Result<Self, Self::Error> {
        use crate::flink::StateKind as F;
        Ok(match k {
            F::Value => StateKind::Value,
            F::List => StateKind::List,
            F::Map => StateKind::Map,
            F::Reducing => StateKind::Reducing,
            F::Aggregating => StateKind::Aggregating,
            F::OperatorList => StateKind::OperatorList,
            F::UnionList => StateKind::UnionList,
            F::Broadcast => StateKind::Broadcast,
            other @ (F::Timers | F::Folding | F::Unknown) => return Err(other),
        })
    }
}

/// What a source operator reads and where it starts when it has no restored position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceDecl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_mode: Option<StartupMode>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartupMode {
    GroupOffsets,
    Earliest,
    Latest,
    Timestamp,
    SpecificOffsets,
}

/// Where an element sits in its file: JSON path (`operators[1].state[0]`) and byte span.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub span: Option<SourceSpan>,
}

/// The text a graph was parsed from, kept for diagnostics.
#[derive(Clone)]
pub struct SourceText {
    /// The file name as given (shown in reports).
    pub name: String,
    pub text: Arc<str>,
    pub syntax: Syntax,
    /// Offsets of the text's line breaks, found on first use (reports give a line per operator;
    /// counting from the start for each would be quadratic).
    pub line_breaks: OnceLock<Vec<usize>>,
}

/// Equal when name, text and syntax are (the line index is a cache).
impl PartialEq for SourceText {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.text == other.text && self.syntax == other.syntax
    }
}

impl Eq for SourceText {}

impl fmt::Debug for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceText")
            .field("name", &self.name)
            .field("syntax", &self.syntax)
            .field("len", &self.text.len())
            .finish()
    }
}

impl SourceText {
    /// The 1-based line of byte `offset` (1 when it is not a character boundary of the text).
    pub fn line_of(&self, offset: usize) -> usize {
        if self.text.get(..offset).is_none() {
            return 1;
        }
        let breaks = self.line_breaks.get_or_init(|| {
            self.text
                .bytes()
                .enumerate()
                .filter_map(|(i, b)| (b == b'\n').then_some(i))
                .collect()
        });
        breaks.partition_point(|&b| b < offset) + 1
    }

    pub fn named_source(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(&self.name, Arc::clone(&self.text)).with_language(self.syntax.language())
    }

    /// Best span for a JSON path such as `operators[1].inputs[0].node` (exact for JSON,
    /// line-based for YAML; falls back to the deepest part of the path found).
    pub fn locate(&self, path: &str) -> Option<SourceSpan> {
        span::locate(&self.text, self.syntax, &span::parse_path(path))
            .map(|r| SourceSpan::from(r.start..r.end))
    }
}

impl JobGraph {
    pub fn operator(&self, node: u32) -> Option<&JobOperator> {
        self.operators.iter().find(|op| op.node == node)
    }

    /// See [`SourceText::locate`]; `None` for graphs not read from a file.
    pub fn locate(&self, path: &str) -> Option<SourceSpan> {
        self.origin.as_ref().and_then(|o| o.locate(path))
    }

    /// File name for messages.
    pub fn file_name(&self) -> String {
        self.origin
            .as_ref()
            .map_or_else(|| "<job graph>".to_string(), |o| o.name.clone())
    }

    pub fn named_source(&self) -> Option<NamedSource<Arc<str>>> {
        self.origin.as_ref().map(SourceText::named_source)
    }

    /// Extension `stateBackend` (`hashmap`, `rocksdb`, ...): the backend the job restores with;
    /// `None` when not given or not a backend Flink ships. It stays in `extra`, so that the
    /// graph is written back with its fields in the order they were.
    pub fn state_backend(&self) -> Option<Backend> {
        self.extra
            .get("stateBackend")
            .and_then(serde_json::Value::as_str)
            .and_then(Backend::from_name)
    }

    /// Extension `stateCaptured: true`: an exporter set up every operator and recorded the
    /// state it registered, so an operator without `state` holds none (rather than "not said").
    pub fn states_captured(&self) -> bool {
        self.extra.get("stateCaptured") == Some(&serde_json::Value::Bool(true))
    }
}

impl JobOperator {
    /// Operators without inputs are sources (Flink registers exactly those as source IDs).
    pub fn is_source(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Flink's default when none is set: ALWAYS for ordinary operators; sources are chain heads.
    pub fn effective_chaining_strategy(&self) -> ChainingStrategy {
        self.chaining_strategy.unwrap_or(if self.is_source() {
            ChainingStrategy::Head
        } else {
            ChainingStrategy::Always
        })
    }

    pub fn effective_slot_sharing_group(&self) -> &str {
        self.slot_sharing_group.as_deref().unwrap_or("default")
    }

    /// Extension `stateNotCaptured`: why an exporter could not record (all of) this operator's
    /// state, e.g. state registered on the first record or an `open()` that needs a connection.
    /// `true` without a reason is accepted too.
    pub fn state_not_captured(&self) -> Option<String> {
        match self.extra.get("stateNotCaptured")? {
            serde_json::Value::String(reason) => Some(reason.clone()),
            serde_json::Value::Bool(true) => Some("the exporter gave no reason".to_string()),
            _ => None,
        }
    }

    /// Extension `asyncState`: the operator processes records with async state (Flink 2.x's
    /// State V2 API, e.g. `keyBy(..).enableAsyncState()`), as the operator itself reports it.
    pub fn uses_async_state(&self) -> bool {
        matches!(
            self.extra.get("asyncState"),
            Some(serde_json::Value::Bool(true))
        )
    }

    /// Human label: `name (node N)` or `node N`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{name} (node {})", self.node),
            None => format!("node {}", self.node),
        }
    }
}
