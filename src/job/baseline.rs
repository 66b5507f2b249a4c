//! Baselines for pre-commit: a small, diff-friendly job-graph file that records what a savepoint
//! (or a job version) holds — operator IDs, uids, state names, kinds, types, key types and max
//! parallelism — so that `diff` and `check --baseline` can compare against it with no
//! savepoint at hand.

use std::collections::BTreeMap;

use crate::job::export_job::state_decls;
use crate::job::{
    JobGraph, JobGraphError, JobGraphFormat, JobOperator, Location, derive_operator_ids,
};
use crate::savepoint::inventory::SavepointSummary;
use crate::schema::notation::DeclaredType;

fn extra(pairs: &[(&str, serde_json::Value)]) -> BTreeMap<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// A baseline of a savepoint: every operator with the ID and max parallelism it is stored
/// under (Flink checks max parallelism for stateless operators too) and the state it holds.
pub fn from_savepoint(s: &SavepointSummary) -> JobGraph {
    let operators = s
        .operators
        .iter()
        .enumerate()
        .map(|(i, o)| JobOperator {
            node: i as u32 + 1,
            name: o.name.clone(),
            uid: o.uid.clone().or_else(|| o.inferred_uid.clone()),
            uid_hash: None,
            operator_id: Some(o.operator_id),
            parallelism: o.parallelism.max(1) as u32,
            max_parallelism: Some(o.max_parallelism.max(1) as u32),
            inputs: Vec::new(),
            chaining_strategy: None,
            slot_sharing_group: None,
            key_type: o.key_type.as_deref().map(DeclaredType::from),
            state: state_decls(o),
            source: None,
            extra: extra(&[("stateKinds", serde_json::json!(o.state_kinds))]),
            location: Location::default(),
        })
        .collect();
    JobGraph {
        format: JobGraphFormat::V1,
        job: Some(format!("baseline of {}", s.path)),
        flink_version: None,
        max_parallelism: None,
        chaining: None,
        chain_operators_with_different_max_parallelism: None,
        operators,
        extra: extra(&[
            ("baselineOf", serde_json::json!("savepoint")),
            ("metadataVersion", serde_json::json!(s.metadata_version)),
            ("writtenBy", serde_json::json!(s.written_by)),
        ]),
        origin: None,
    }
}

/// A baseline of a job version: the same graph with every operator ID Flink will compute
/// written out, so later versions are compared against fixed IDs.
pub fn from_job_graph(graph: &JobGraph) -> Result<JobGraph, JobGraphError> {
    let ids = derive_operator_ids(graph)?;
    let mut out = graph.clone();
    for (op, ids) in out.operators.iter_mut().zip(&ids) {
        op.operator_id = Some(ids.generated);
    }
    out.extra
        .insert("baselineOf".into(), serde_json::json!("job-graph"));
    out.origin = None;
    Ok(out)
}

/// YAML when the file name says so, else JSON; both are job-graph files `check`, `diff` and
/// `lint` read.
pub fn serialize(graph: &JobGraph, yaml: bool) -> String {
    if yaml {
        serde_saphyr::to_string(graph).unwrap_or_else(|e| format!("# cannot write YAML: {e}\n"))
    } else {
        serde_json::to_string_pretty(graph).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
