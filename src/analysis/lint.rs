//! `spcompat lint`: findings on one job version alone, before any savepoint exists — the
//! mistakes that make a later upgrade lose or break state.

use std::collections::HashMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::result::{FileLine, Finding};
use super::rules::{self, Severity};
use crate::OperatorId;
use crate::job::{JobGraph, JobOperator, derive_operator_ids};

/// A lint finding: the one [`Finding`] type, and the operator it is about.
#[derive(Debug, Clone)]
pub struct LintFinding {
    pub finding: Finding,
    pub node: Option<u32>,
    pub uid: Option<String>,
    pub operator_id: Option<OperatorId>,
    pub location: Option<FileLine>,
}

/// Written by hand to keep the lint JSON contract: the finding's fields around the
/// operator's (code, severity, message, fix, node, uid, operatorId, location, accepted).
impl Serialize for LintFinding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = &self.finding;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", f.rule.id)?;
        m.serialize_entry("severity", &f.severity)?;
        m.serialize_entry("message", &f.message)?;
        if let Some(fix) = &f.fix {
            m.serialize_entry("fix", fix)?;
        }
        m.serialize_entry("node", &self.node)?;
        m.serialize_entry("uid", &self.uid)?;
        m.serialize_entry("operatorId", &self.operator_id)?;
        if let Some(location) = &self.location {
            m.serialize_entry("location", location)?;
        }
        if let Some(accepted) = &f.accepted {
            m.serialize_entry("accepted", accepted)?;
        }
        m.end()
    }
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
            .any(|f| f.finding.severity == Severity::Error && f.finding.accepted.is_none())
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
    let mut push = |op: &JobOperator, finding: Finding| {
        findings.push(LintFinding {
            finding,
            node: Some(op.node),
            uid: op.uid.clone(),
            operator_id: id_of(op),
            location: FileLine::of_operator(graph, op),
        });
    };
    let sql_job = graph.operators.iter().any(looks_like_sql);
    for op in &graph.operators {
        if let Some(uid) = &op.uid
            && uid_count.get(uid.as_str()).copied().unwrap_or(0) > 1
        {
            push(
                op,
                Finding::new(
                    &rules::LINT_DUPLICATE_UID,
                    format!(
                        "uid \"{uid}\" is used by more than one operator; Flink rejects the job: Hash collision on user-specified ID \"{uid}\""
                    ),
                )
                .fix_case("", &[]),
            );
        }
        if is_stateful(op) && op.uid.is_none() && op.uid_hash.is_none() {
            if sql_job && looks_like_sql(op) {
                push(
                    op,
                    Finding::new(
                        &rules::LINT_SQL_IDS_FOLLOW_DAG_SHAPE,
                        format!(
                            "{} is a stateful SQL operator without a uid: its operator ID is a hash of its position in the plan, so adding a statement, a filter or a join elsewhere can orphan its state",
                            op.label()
                        ),
                    )
                    .fix_case("", &[]),
                );
            } else {
                let finding = Finding::new(
                    &rules::LINT_STATEFUL_WITHOUT_UID,
                    format!(
                        "{} holds state but has no uid: its operator ID is derived from the job's shape, so inserting or removing any operator upstream orphans its state",
                        op.label()
                    ),
                );
                let finding = match id_of(op) {
                    // The ID it has today, so existing savepoints keep restoring.
                    Some(id) => finding.fix_case("id", &[("id", &id)]),
                    None => finding.fix_case("no-id", &[]),
                };
                push(op, finding);
            }
        }
        if let Some(finding) = super::async_state::lint(op) {
            push(op, finding);
        }
        for st in &op.state {
            let kryo = [Some(st.type_.as_str()), st.user_key_type.as_deref()]
                .into_iter()
                .flatten()
                .any(|t| t.contains("GenericType<"));
            if kryo {
                push(
                    op,
                    Finding::new(
                        &rules::LINT_KRYO_STATE,
                        format!(
                            "state `{}` of {} is serialized with Kryo ({}): its schema cannot evolve, and Flink 2.0's Kryo upgrade cannot read 1.x Kryo state reliably",
                            st.name,
                            op.label(),
                            st.type_
                        ),
                    )
                    .fix_case("", &[]),
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
            first,
            Finding::new(
                &rules::LINT_MAX_PARALLELISM_UNSET,
                "the job keeps keyed state but sets no max parallelism: Flink derives one from the first deployment's parallelism (128 for small jobs), and that value caps the parallelism of every later version restored from its savepoints".into(),
            )
            .fix_case("", &[]),
        );
    }
    findings.sort_by(|a, b| {
        (b.finding.severity)
            .cmp(&a.finding.severity)
            .then(a.node.cmp(&b.node))
    });
    LintReport {
        findings,
        job: job.to_string(),
    }
}
