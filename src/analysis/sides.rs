//! The two sides of a prediction, whatever they were read from: the state the old version left
//! (a savepoint, or an old job-graph standing in for one) and the operators of the new version
//! (a job-graph, or a savepoint of the new version from a canary run).

use serde::Serialize;

use super::result::FileLine;

use crate::OperatorId;
use crate::flink::{Backend, FlinkRange, FlinkVersion, StateKind};
use crate::job::{
    DerivedIds, IdSource, JobGraph, JobGraphError, JobOperator, SourceDecl, derive_operator_ids,
};
use crate::savepoint::handle_kind::KeyedHandleKind;
use crate::savepoint::inventory::{OperatorSummary, SavepointSummary, StateSummary};
use crate::savepoint::sources::SourcePositions;
use crate::schema::notation::DeclaredType;
use crate::schema::snapshot::SerializerSnapshot;

/// One state, as far as the input describes it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateSchema {
    pub name: String,
    /// value, list, map, reducing, aggregating, operator-list, union-list, broadcast, timers.
    pub kind: StateKind,
    /// Parsed once (job graphs: when read); the text is what reports show.
    #[serde(rename = "type")]
    pub type_: Option<DeclaredType>,
    pub user_key_type: Option<DeclaredType>,
    pub ttl: bool,
    /// The serializer snapshots when the input is a savepoint.
    #[serde(skip)]
    pub serializers: Vec<(String, SerializerSnapshot)>,
    /// The job-graph `avroSchema` (JSON text), for Avro types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avro_schema: Option<String>,
}

impl StateSchema {
    fn from_summary(s: &StateSummary) -> StateSchema {
        StateSchema {
            name: s.name.clone(),
            kind: StateKind::from_name(s.kind),
            type_: s.type_.as_deref().map(DeclaredType::from),
            user_key_type: s.user_key_type.as_deref().map(DeclaredType::from),
            ttl: s.ttl,
            serializers: s
                .serializers
                .iter()
                .map(|n| (n.key.clone(), n.snapshot.clone()))
                .collect(),
            avro_schema: None,
        }
    }
}

/// An operator of the old version that may hold state.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OldOperator {
    pub operator_id: OperatorId,
    pub uid: Option<String>,
    pub name: Option<String>,
    pub parallelism: u32,
    pub max_parallelism: u32,
    /// Flink's "has state": any handle at all, even of an empty list.
    pub has_state: bool,
    /// Parsed once (job graphs: when read; savepoints: from the type text of the key snapshot).
    pub key_type: Option<DeclaredType>,
    pub states: Vec<StateSchema>,
    /// What about this operator's state could not be examined.
    pub notes: Vec<String>,
    /// Decoded source positions, when the old side is a savepoint and this is a source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_positions: Option<SourcePositions>,
    /// The key serializer snapshot (savepoint input), for key compatibility.
    #[serde(skip)]
    pub key_serializer: Option<SerializerSnapshot>,
    /// The keyed state handle class (tells a RocksDB native/incremental snapshot).
    #[serde(skip)]
    pub keyed_handle: Option<KeyedHandleKind>,
}

/// The old side.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OldSide {
    /// Where it came from (a path), for reports.
    pub origin: String,
    /// The Flink releases that wrote it, when known (from the metadata version, or a job
    /// graph's `flinkVersion`).
    pub written_by: Option<FlinkRange>,
    pub operators: Vec<OldOperator>,
}

impl OldSide {
    pub fn from_savepoint(s: &SavepointSummary) -> OldSide {
        OldSide {
            origin: s.path.clone(),
            written_by: s.flink,
            operators: s.operators.iter().map(old_from_summary).collect(),
        }
    }

    /// An old job version standing in for its savepoint (`diff`): every operator, under the
    /// ID Flink gives it and with the max parallelism its vertex would run with (a savepoint
    /// records both for stateless operators too); those that declare state hold it.
    pub fn from_job_graph(graph: &JobGraph, origin: &str) -> Result<OldSide, JobGraphError> {
        let side = NewSide::from_job_graph(graph, origin)?;
        let operators = side
            .operators
            .into_iter()
            .map(|o| OldOperator {
                operator_id: o.operator_id,
                uid: o.uid,
                name: o.name,
                parallelism: o.parallelism,
                max_parallelism: o.max_parallelism,
                has_state: o.declares_state,
                key_type: o.key_type,
                states: o.states,
                notes: Vec::new(),
                source_positions: None,
                key_serializer: None,
                keyed_handle: None,
            })
            .collect();
        Ok(OldSide {
            origin: origin.to_string(),
            written_by: graph.flink_version.as_ref().and_then(FlinkVersion::range),
            operators,
        })
    }
}

fn old_from_summary(o: &OperatorSummary) -> OldOperator {
    OldOperator {
        operator_id: o.operator_id,
        uid: o.uid.clone(),
        name: o.name.clone(),
        parallelism: o.parallelism.max(0) as u32,
        max_parallelism: o.max_parallelism.max(0) as u32,
        has_state: o.has_state,
        key_type: o.key_type.as_deref().map(DeclaredType::from),
        states: o.states.iter().map(StateSchema::from_summary).collect(),
        notes: o.notes.clone(),
        source_positions: o.source_positions.clone(),
        key_serializer: o.key_serializer.clone(),
        keyed_handle: o.keyed_handle,
    }
}

/// How sure we are of a new operator's max parallelism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaxParallelismKind {
    /// Set on the operator or job-wide: must equal the savepoint's.
    Configured,
    /// Derived from the parallelism: adopts the savepoint's value.
    Derived,
    /// Seen in a canary savepoint, equal to Flink's default for its parallelism: most likely
    /// derived.
    ObservedDefault,
    /// Seen in a canary savepoint and not Flink's default: it must have been configured.
    ObservedNonDefault,
}

/// An operator of the new version.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewOperator {
    /// The job-graph node, when the input has nodes.
    pub node: Option<u32>,
    pub operator_id: OperatorId,
    /// `setUidHash`: Flink restores from this ID first when the savepoint has state under it.
    pub user_defined_id: Option<OperatorId>,
    /// How `operator_id` was obtained.
    pub id_source: &'static str,
    pub uid: Option<String>,
    pub name: Option<String>,
    pub parallelism: u32,
    /// The max parallelism of the job vertex that will run it.
    pub max_parallelism: u32,
    pub max_parallelism_kind: MaxParallelismKind,
    /// Parsed once (job graphs: when read; savepoints: from the type text of the key snapshot).
    pub key_type: Option<DeclaredType>,
    pub states: Vec<StateSchema>,
    /// Does the input describe this operator's state at all? (A job-graph may leave `state`
    /// out; a canary savepoint always describes it.)
    pub declares_state: bool,
    /// The exporter could not capture (all of) this operator's state, and says why
    /// (job-graph extension `stateNotCaptured`): the states it lists may not be all there is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_not_captured: Option<String>,
    /// Where the operator is written (job-graph input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<FileLine>,
    /// The job-graph `source` declaration (connector, topics, startup mode), for sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDecl>,
    /// Planned by the Table planner (job-graph `sql` extension): it takes no `uid` or
    /// `setUidHash` from a user, so fixes speak of the query instead.
    #[serde(skip)]
    pub planned_by_sql: bool,
    /// Processes records with async state (job-graph `asyncState` extension); a canary
    /// savepoint does not show it.
    #[serde(skip)]
    pub async_state: bool,
    /// The ID its uid would have in Flink 1.15's plan uid format, for a SQL operator from a
    /// compiled plan whose uid has another format: state saved under it did not move with it.
    #[serde(skip)]
    pub legacy_plan_uid_id: Option<OperatorId>,
    /// The key serializer snapshot (canary savepoint input).
    #[serde(skip)]
    pub key_serializer: Option<SerializerSnapshot>,
    /// The keyed state handle class (canary savepoint input).
    #[serde(skip)]
    pub keyed_handle: Option<KeyedHandleKind>,
}

impl NewOperator {
    /// Is every state this operator registers described, so that a saved state missing from
    /// the list was really dropped?
    pub fn describes_all_state(&self) -> bool {
        self.declares_state && self.state_not_captured.is_none()
    }
}

/// The new side.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSide {
    pub origin: String,
    pub flink_version: Option<FlinkVersion>,
    /// For a canary savepoint: the Flink releases that write its metadata version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_by: Option<FlinkRange>,
    /// The new job's state backend: the job-graph extension field `stateBackend`, or what a
    /// canary savepoint's handles show; `None` when neither tells.
    #[serde(skip)]
    pub state_backend: Option<Backend>,
    pub operators: Vec<NewOperator>,
    /// The savepoint's own operators stand in for the new job (`check --to-flink` alone): its
    /// operator IDs are assumed, not known.
    #[serde(skip)]
    pub stands_in_for_old: bool,
    /// For a stand-in side: whether the old job's graph settled which assumed IDs move.
    #[serde(skip)]
    pub assumed_ids: AssumedIds,
    /// For a stand-in side: whether the old job's graph settled which IDs of a Flink 1.15
    /// compiled plan move with the uid format (`plan_uids`).
    #[serde(skip)]
    pub assumed_plan_uids: AssumedIds,
}

/// The operator of the old job's `graph` (`ids` derived from it) that saved state under `id` as
/// its generated ID, with no uid hash: what the old job says about a savepoint operator whose
/// ID a stand-in new side assumes.
pub fn saved_by<'a>(
    graph: &'a JobGraph,
    ids: &[DerivedIds],
    id: OperatorId,
) -> Option<&'a JobOperator> {
    graph
        .operators
        .iter()
        .zip(ids)
        .find(|(_, d)| d.generated == id && d.user_defined.is_none())
        .map(|(g, _)| g)
}

/// What the old job's graph says about the IDs a stand-in new side assumes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AssumedIds {
    /// No old job given: the IDs are assumed to stay.
    #[default]
    Unchecked,
    /// The old job's release and shape were checked; these IDs move on the target release
    /// (and are no longer on the new side).
    Checked { moved: Vec<OperatorId> },
}

impl NewSide {
    pub fn from_job_graph(graph: &JobGraph, origin: &str) -> Result<NewSide, JobGraphError> {
        let ids = derive_operator_ids(graph)?;
        let operators = graph
            .operators
            .iter()
            .zip(&ids)
            .map(|(op, ids)| new_from_job(graph, op, ids))
            .collect();
        Ok(NewSide {
            origin: origin.to_string(),
            flink_version: graph.flink_version.clone(),
            written_by: None,
            state_backend: graph.state_backend(),
            operators,
            stands_in_for_old: false,
            assumed_ids: AssumedIds::Unchecked,
            assumed_plan_uids: AssumedIds::Unchecked,
        })
    }

    /// A savepoint of the new version (canary run) describes the new operators as Flink built
    /// them: their real IDs, parallelism, max parallelism and registered state.
    pub fn from_canary_savepoint(s: &SavepointSummary) -> NewSide {
        let operators = s
            .operators
            .iter()
            .map(|o| {
                let parallelism = o.parallelism.max(0) as u32;
                let max_parallelism = o.max_parallelism.max(0) as u32;
                let kind = if max_parallelism == crate::job::default_max_parallelism(parallelism) {
                    MaxParallelismKind::ObservedDefault
                } else {
                    MaxParallelismKind::ObservedNonDefault
                };
                NewOperator {
                    node: None,
                    operator_id: o.operator_id,
                    user_defined_id: None,
                    id_source: "canary savepoint",
                    uid: o.uid.clone(),
                    name: o.name.clone(),
                    parallelism,
                    max_parallelism,
                    max_parallelism_kind: kind,
                    key_type: o.key_type.as_deref().map(DeclaredType::from),
                    states: o.states.iter().map(StateSchema::from_summary).collect(),
                    declares_state: true,
                    state_not_captured: None,
                    location: None,
                    source: None,
                    // A savepoint does not say what planned its operators.
                    planned_by_sql: false,
                    async_state: false,
                    legacy_plan_uid_id: None,
                    key_serializer: o.key_serializer.clone(),
                    keyed_handle: o.keyed_handle,
                }
            })
            .collect();
        // Only RocksDB writes handles that pin it (native savepoints, incremental checkpoints).
        let state_backend = s
            .operators
            .iter()
            .find_map(|o| o.keyed_handle.and_then(KeyedHandleKind::pinned_backend));
        NewSide {
            origin: s.path.clone(),
            flink_version: None,
            written_by: s.flink,
            state_backend,
            operators,
            stands_in_for_old: false,
            assumed_ids: AssumedIds::Unchecked,
            assumed_plan_uids: AssumedIds::Unchecked,
        }
    }

    /// The operator that takes the state saved under `id`, as Flink's state assignment picks
    /// it: a user-defined ID (`setUidHash`) first, then the generated ID.
    pub fn operator_for(&self, id: OperatorId) -> Option<&NewOperator> {
        self.operators
            .iter()
            .find(|o| o.user_defined_id == Some(id))
            .or_else(|| self.operators.iter().find(|o| o.operator_id == id))
    }
}

fn new_from_job(graph: &JobGraph, op: &crate::job::JobOperator, ids: &DerivedIds) -> NewOperator {
    let vertex_max = graph
        .vertex_max_parallelism(op.node)
        .unwrap_or_else(|| graph.effective_max_parallelism(op));
    NewOperator {
        node: Some(op.node),
        operator_id: ids.generated,
        user_defined_id: ids.user_defined,
        id_source: match ids.generated_from {
            IdSource::Explicit => "operatorId field",
            IdSource::Uid => "uid",
            IdSource::UidHash => "uidHash",
            IdSource::Auto => "auto-generated from the graph",
        },
        uid: op.uid.clone(),
        name: op.name.clone(),
        parallelism: op.parallelism,
        max_parallelism: vertex_max.value,
        max_parallelism_kind: if vertex_max.is_configured() {
            MaxParallelismKind::Configured
        } else {
            MaxParallelismKind::Derived
        },
        key_type: op.key_type.clone(),
        states: op
            .state
            .iter()
            .map(|s| StateSchema {
                name: s.name.clone(),
                kind: s.kind.into(),
                type_: Some(s.type_.clone()),
                user_key_type: s.user_key_type.clone(),
                ttl: s.ttl.is_some(),
                serializers: Vec::new(),
                avro_schema: s.avro_schema.as_ref().map(|v| match v {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                }),
            })
            .collect(),
        // An exporter that captured every operator's state (`stateCaptured: true`) means an
        // empty list: this operator registers none.
        declares_state: !op.state.is_empty() || graph.states_captured(),
        state_not_captured: op.state_not_captured(),
        location: FileLine::of_operator(graph, op),
        source: op.source.clone(),
        planned_by_sql: op.extra.contains_key("sql"),
        async_state: op.uses_async_state(),
        legacy_plan_uid_id: crate::job::plan::legacy_uid_id(op),
        key_serializer: None,
        keyed_handle: None,
    }
}
