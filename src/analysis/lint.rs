//! `spcompat lint`: findings on one job version alone, before any savepoint exists — the
//! mistakes that make a later upgrade lose or break state.

use std::collections::HashMap;

use serde::Serialize;

use super::result::FileLine;
use super::rules::{self, Rule, Severity};
use crate::OperatorId;
use crate::job::{JobGraph, JobOperator, derive_operator_ids};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LintFinding {
    #[serde(rename = "code", serialize_with = "super::result::rule_id")]
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    pub node: Option<u32>,
    pub uid: Option<String>,
    pub operator_id: Option<OperatorId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<FileLine>,
    /// Accepted in `spcompat.toml`, with its reason: shown, but not failing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LintReport {
    pub findings: Vec<LintFinding>,
    #[serde(skip)]
    pub job: String,
}

impl LintReport {
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == Severity::Error && f.accepted.is_none())
    }
}

fn is_stateful(op: &JobOperator) -> bool {
    !op.state.is_empty() || op.key_type.is_some()
}

/// SQL planner operators are named `Kind[<exec node id>]`, e.g. `GroupAggregate[4]`.
fn looks_like_sql(op: &JobOperator) -> bool {
    op.name.as_deref().is_some_and(|n| {
        let n = n.trim_start_matches("Source: ");
        n.split(':')
            .next()
            .and_then(|head| head.strip_suffix(']'))
            .and_then(|head| head.rsplit_once('['))
            .is_some_and(|(_, id)| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
    })
}

pub fn lint(graph: &JobGraph, job: &str) -> LintReport {
    let mut findings = Vec::new();
    let mut uid_count: HashMap<&str, usize> = HashMap::new();
    for op in &graph.operators {
        if let Some(uid) = &op.uid {
            *uid_count.entry(uid.as_str()).or_default() += 1;
        }
    }
    let duplicates = uid_count.values().any(|n| *n > 1);
    // IDs cannot be derived when uids collide (Flink rejects the job for the same reason).
    let ids = if duplicates {
        None
    } else {
        derive_operator_ids(graph).ok()
    };
    let id_of = |op: &JobOperator| -> Option<OperatorId> {
        ids.as_ref()
            .and_then(|ids| ids.iter().find(|d| d.node == op.node))
            .map(|d| d.user_defined.unwrap_or(d.generated))
    };
    let mut push = |rule: &'static Rule, op: &JobOperator, message: String, fix: String| {
        findings.push(LintFinding {
            rule,
            severity: rule.severity,
            message,
            fix: Some(fix),
            node: Some(op.node),
            uid: op.uid.clone(),
            operator_id: id_of(op),
            location: FileLine::of_operator(graph, op),
            accepted: None,
        });
    };
    let sql_job = graph.operators.iter().any(looks_like_sql);
    for op in &graph.operators {
        if let Some(uid) = &op.uid
            && uid_count.get(uid.as_str()).copied().unwrap_or(0) > 1
        {
            push(
                &rules::LINT_DUPLICATE_UID,
                op,
                format!(
                    "uid \"{uid}\" is used by more than one operator; Flink rejects the job: Hash collision on user-specified ID \"{uid}\""
                ),
                "give every operator its own uid".into(),
            );
        }
        if is_stateful(op) && op.uid.is_none() && op.uid_hash.is_none() {
            if sql_job && looks_like_sql(op) {
                push(
                    &rules::LINT_SQL_IDS_FOLLOW_DAG_SHAPE,
                    op,
                    format!(
                        "{} is a stateful SQL operator without a uid: its operator ID is a hash of its position in the plan, so adding a statement, a filter or a join elsewhere can orphan its state",
                        op.label()
                    ),
                    "run the job from a compiled plan (COMPILE PLAN / EXECUTE PLAN), which sets uids, or set table.exec.uid.generation=ALWAYS before the first deployment".into(),
                );
            } else {
                push(
                    &rules::LINT_STATEFUL_WITHOUT_UID,
                    op,
                    format!(
                        "{} holds state but has no uid: its operator ID is derived from the job's shape, so inserting or removing any operator upstream orphans its state",
                        op.label()
                    ),
                    match id_of(op) {
                        // The ID it has today, so existing savepoints keep restoring.
                        Some(id) => format!(
                            "call .uid(\"<stable-name>\") on it, and .setUidHash(\"{id}\") once so existing savepoints keep restoring into it"
                        ),
                        None => "call .uid(\"<stable-name>\") on it (and keep the current ID for existing savepoints with .setUidHash(\"<current id>\") once)".into(),
                    },
                );
            }
        }
        for st in &op.state {
            let kryo = [Some(st.type_.as_str()), st.user_key_type.as_deref()]
                .into_iter()
                .flatten()
                .any(|t| t.contains("GenericType<"));
            if kryo {
                push(
                    &rules::LINT_KRYO_STATE,
                    op,
                    format!(
                        "state `{}` of {} is serialized with Kryo ({}): its schema cannot evolve, and Flink 2.0's Kryo upgrade cannot read 1.x Kryo state reliably",
                        st.name,
                        op.label(),
                        st.type_
                    ),
                    "make the type a POJO (public no-arg constructor, public fields or getters/setters), use Avro, or register a TypeInformation / custom serializer".into(),
                );
            }
        }
    }
    let stateful: Vec<&JobOperator> = graph.operators.iter().filter(|o| is_stateful(o)).collect();
    if graph.max_parallelism.is_none()
        && let Some(first) = stateful
            .iter()
            .find(|o| o.max_parallelism.is_none() && o.key_type.is_some())
    {
        push(
            &rules::LINT_MAX_PARALLELISM_UNSET,
            first,
            "the job keeps keyed state but sets no max parallelism: Flink derives one from the first deployment's parallelism (128 for small jobs), and that value caps the parallelism of every later version restored from its savepoints".into(),
            "set pipeline.max-parallelism (or env.setMaxParallelism) to the highest parallelism you may ever need, before the first savepoint".into(),
        );
    }
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.node.cmp(&b.node)));
    LintReport {
        findings,
        job: job.to_string(),
    }
}
