//! GitLab code quality (the `codequality` report of a CI job): a JSON array of issues, each
//! with a description, check name, fingerprint, severity and location, so merge requests show
//! the findings next to the job file.

use std::io::Cursor;

use serde::Serialize;

use super::findings::{FlatFinding, flatten};
use crate::analysis::result::Prediction;
use crate::analysis::rules::Severity;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab's levels: an accepted finding no longer blocks, so it is only `info`.
fn severity(f: &FlatFinding) -> &'static str {
    match f.severity {
        _ if f.accepted.is_some() => "info",
        Severity::Error => "critical",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// The same finding on the same operator of the same file keeps its fingerprint from run to
/// run (GitLab compares the merge request's issues with the target branch's by it).
fn fingerprint(f: &FlatFinding, path: &str) -> String {
    let key = format!("{}\0{}\0{}\0{}", f.code, f.operator_id, path, f.message);
    let hash = murmur3::murmur3_x64_128(&mut Cursor::new(key.as_bytes()), 0).unwrap_or_default();
    format!("{hash:032x}")
}

pub fn render(p: &Prediction) -> String {
    render_findings(&flatten(p), &p.new)
}

/// Code quality JSON for any list of findings; `default_path` names the input when a finding
/// has no file. Paths are relative to the repository root, as for SARIF.
pub fn render_findings(findings: &[FlatFinding], default_path: &str) -> String {
    let root = super::sarif::root();
    let issues: Vec<Issue> = findings
        .iter()
        .map(|f| {
            let path = super::sarif::artifact_uri(
                f.file.as_deref().unwrap_or(default_path),
                root.as_deref(),
            );
            let mut description = format!("{} ({}): {}", f.code, f.operator, f.message);
            if let Some(reason) = &f.accepted {
                description.push_str(&format!(" [accepted in spcompat.toml: {reason}]"));
            }
            Issue {
                fingerprint: fingerprint(f, &path),
                description,
                check_name: f.code,
                severity: severity(f),
                location: IssueLocation {
                    path,
                    lines: Lines {
                        begin: f.line.unwrap_or(1),
                    },
                },
            }
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string())
}
