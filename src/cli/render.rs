//! From result model to output: the renderer for the chosen format, then the one place where
//! a report is written (stdout, and GitHub's job summary file).

use super::{ReportFormat, emit, emit_plain};
use crate::analysis::lint::LintReport;
use crate::analysis::result::Prediction;
use crate::report::{self, TextOptions, github::GithubReport};

/// Renders a prediction in the chosen format and writes it.
pub fn emit_prediction(p: &Prediction, format: ReportFormat, text: &TextOptions) {
    match format {
        ReportFormat::Text => emit(&report::check::render_text(p, text)),
        ReportFormat::Json => emit_plain(&report::check::render_json(p)),
        ReportFormat::Sarif => emit_plain(&report::sarif::render(p)),
        ReportFormat::Junit => emit(&report::junit::render(p)),
        ReportFormat::Github => emit_github(report::github::render(p)),
        ReportFormat::Markdown => emit(&report::markdown::render(p)),
        ReportFormat::Gitlab => emit_plain(&report::gitlab::render(p)),
    }
}

/// Renders a lint report in the chosen format and writes it.
pub fn emit_lint(r: &LintReport, format: ReportFormat) {
    use report::lint;
    match format {
        ReportFormat::Text => emit(&lint::render_text(r)),
        ReportFormat::Json => emit_plain(&lint::render_json(r)),
        ReportFormat::Sarif => emit_plain(&lint::render_sarif(r)),
        ReportFormat::Junit => emit(&lint::render_junit(r)),
        ReportFormat::Github => emit_github(lint::render_github(r)),
        ReportFormat::Markdown => emit(&lint::render_markdown(r)),
        ReportFormat::Gitlab => emit_plain(&lint::render_gitlab(r)),
    }
}

/// Annotations to stdout; the job summary appended to `$GITHUB_STEP_SUMMARY` when set (inside
/// Actions), else printed after the annotations.
fn emit_github(r: GithubReport) {
    let mut out = r.annotations;
    match std::env::var_os("GITHUB_STEP_SUMMARY") {
        Some(path) if !path.is_empty() => {
            use std::io::Write;
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| f.write_all(r.summary.as_bytes()));
            if let Err(e) = written {
                out.push_str(&report::github::summary_not_written(&e.to_string()));
            }
        }
        _ => {
            out.push('\n');
            out.push_str(&r.summary);
        }
    }
    emit(&out);
}
