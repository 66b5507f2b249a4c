//! The two sides of a prediction, whatever they were read from: the state the old version left
//! (a savepoint, or an old job-graph standing in for one) and the operators of the new version
//! (a job-graph, or a savepoint of the new version from a canary run).

use serde::Serialize;

use crate::OperatorId;
use crate::job::{DerivedIds, IdSource, JobGraph, JobGraphError, derive_operator_ids};
use crate::savepoint::summary::{OperatorSummary, SavepointSummary, StateSummary};
use crate::schema::snapshot::SerializerSnapshot;

/// One state, as far as the input describes it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateSchema {
    pub name: String,
    /// value, list, map, reducing, aggregating, operator-list, union-list, broadcast, timers.
    pub kind: String,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub user_key_type: Option<String>,
    pub ttl: bool,
    /// The serializer snapshots when the input is a savepoint.
    #[serde(skip)]
    pub serializers: Vec<(String, SerializerSnapshot)>,
}

impl StateSchema {
    fn from_summary(s: &StateSummary) -> StateSchema {
        StateSchema {
            name: s.name.clone(),
            kind: s.kind.to_string(),
            type_: s.type_.clone(),
            user_key_type: s.user_key_type.clone(),
            ttl: s.ttl,
            serializers: s
                .serializers
                .iter()
                .map(|n| (n.key.clone(), n.snapshot.clone()))
                .collect(),
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
    pub key_type: Option<String>,
    pub states: Vec<StateSchema>,
    /// What about this operator's state could not be examined.
    pub notes: Vec<String>,
}

/// The old side.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OldSide {
    /// Where it came from (a path), for reports.
    pub origin: String,
    /// The Flink release line that wrote it, when known (e.g. from the metadata version).
    pub written_by: Option<String>,
    pub operators: Vec<OldOperator>,
}

impl OldSide {
    pub fn from_savepoint(s: &SavepointSummary) -> OldSide {
        OldSide {
            origin: s.path.clone(),
            written_by: Some(s.written_by.to_string()),
            operators: s.operators.iter().map(old_from_summary).collect(),
        }
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
        key_type: o.key_type.clone(),
        states: o.states.iter().map(StateSchema::from_summary).collect(),
        notes: o.notes.clone(),
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
    pub key_type: Option<String>,
    pub states: Vec<StateSchema>,
    /// Does the input describe this operator's state at all? (A job-graph may leave `state`
    /// out; a canary savepoint always describes it.)
    pub declares_state: bool,
}

/// The new side.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSide {
    pub origin: String,
    pub flink_version: Option<String>,
    pub operators: Vec<NewOperator>,
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
            operators,
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
                    key_type: o.key_type.clone(),
                    states: o.states.iter().map(StateSchema::from_summary).collect(),
                    declares_state: true,
                }
            })
            .collect();
        NewSide {
            origin: s.path.clone(),
            flink_version: None,
            operators,
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
                kind: s.kind.as_str().to_string(),
                type_: Some(s.type_.clone()),
                user_key_type: s.user_key_type.clone(),
                ttl: s.ttl.is_some(),
                serializers: Vec::new(),
            })
            .collect(),
        declares_state: !op.state.is_empty(),
    }
}
