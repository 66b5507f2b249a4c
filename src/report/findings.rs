//! One flat list of findings, the shape every CI format renders: rule, level, message, fix, and
//! where in the inputs it points.

use crate::analysis::result::{Prediction, Status};
use crate::analysis::rules::Severity;

#[derive(Debug, Clone)]
pub struct FlatFinding {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix: Option<String>,
    /// The operator it is about, as people name it.
    pub operator: String,
    pub operator_id: String,
    /// The operator's status in a prediction (`None` for lint findings).
    pub status: Option<Status>,
    pub file: Option<String>,
    pub line: Option<usize>,
    /// The reason from `spcompat.toml` when the finding is accepted.
    pub accepted: Option<String>,
}

/// How an operator reads in one line: uid, else name, else ID.
pub fn operator_label(uid: Option<&str>, name: Option<&str>, id: &str) -> String {
    crate::analysis::result::OperatorName { uid, name, id }.plain()
}

pub fn flatten(p: &Prediction) -> Vec<FlatFinding> {
    let mut out = Vec::new();
    for o in &p.operators {
        let id = o.operator_id.to_string();
        let label = operator_label(
            o.uid.as_deref().or(o.inferred_uid.as_deref()),
            o.name.as_deref(),
            &id,
        );
        // Point at the new job file even when the operator has no line there (unmapped).
        let file = o
            .location
            .as_ref()
            .map(|l| l.file.clone())
            .or_else(|| Some(p.new.clone()));
        for r in &o.reasons {
            out.push(FlatFinding {
                code: r.rule.id,
                severity: r.severity,
                message: r.message.clone(),
                fix: r.fix.clone(),
                operator: label.clone(),
                operator_id: id.clone(),
                status: Some(o.status),
                file: file.clone(),
                line: o.location.as_ref().map(|l| l.line),
                accepted: r.accepted.clone(),
            });
        }
    }
    out
}

/// Lint findings in the same flat shape.
pub fn flatten_lint(report: &crate::analysis::lint::LintReport) -> Vec<FlatFinding> {
    report
        .findings
        .iter()
        .map(|f| {
            let id = f.operator_id.map(|i| i.to_string()).unwrap_or_default();
            let label = match (&f.uid, f.node) {
                (Some(u), _) => format!("uid {u}"),
                (None, Some(n)) => format!("node {n}"),
                (None, None) => "job".to_string(),
            };
            FlatFinding {
                code: f.finding.rule.id,
                severity: f.finding.severity,
                message: f.finding.message.clone(),
                fix: f.finding.fix.clone(),
                operator: label,
                operator_id: id,
                status: None,
                file: f
                    .location
                    .as_ref()
                    .map(|l| l.file.clone())
                    .or_else(|| Some(report.job.clone())),
                line: f.location.as_ref().map(|l| l.line),
                accepted: f.finding.accepted.clone(),
            }
        })
        .collect()
}
