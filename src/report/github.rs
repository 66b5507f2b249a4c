//! GitHub Actions workflow commands (`::error file=…,line=…::…`) plus a job summary.

use super::findings::{FlatFinding, flatten};
use crate::analysis::result::Prediction;
use crate::analysis::rules::Severity;

/// Workflow-command escaping: data escapes %, CR, LF; properties also `:` and `,`.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation lines, one per finding.
pub fn annotations(findings: &[FlatFinding]) -> String {
    let mut out = String::new();
    for f in findings {
        let command = match f.severity {
            _ if f.accepted.is_some() => "notice",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!("file={}", escape_property(file)));
        }
        if let Some(line) = f.line {
            props.push(format!("line={line}"));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("spcompat {} ({})", f.code, f.operator))
        ));
        let mut message = f.message.clone();
        if let Some(reason) = &f.accepted {
            message.push_str(&format!("\nAccepted in spcompat.toml: {reason}"));
        }
        if let Some(fix) = &f.fix {
            message.push_str(&format!("\nFix: {fix}"));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// Annotations for stdout; the Markdown summary goes to `$GITHUB_STEP_SUMMARY` when set
/// (inside Actions), else after the annotations.
pub fn render(p: &Prediction) -> String {
    with_summary(annotations(&flatten(p)), super::markdown::render(p))
}

/// Annotations, then the job summary where GitHub wants it.
pub fn with_summary(annotations: String, summary: String) -> String {
    let mut out = annotations;
    match std::env::var_os("GITHUB_STEP_SUMMARY") {
        Some(path) if !path.is_empty() => {
            use std::io::Write;
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| f.write_all(summary.as_bytes()));
            if let Err(e) = written {
                out.push_str(&format!(
                    "::warning title=spcompat::cannot write the job summary: {}\n",
                    escape_data(&e.to_string())
                ));
            }
        }
        _ => {
            out.push('\n');
            out.push_str(&summary);
        }
    }
    out
}
