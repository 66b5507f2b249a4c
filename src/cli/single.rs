//! `lint`, `explain` and `export-sql`: one job version alone, the rule catalog, SQL export.

use std::path::Path;
use std::process::ExitCode;

use super::{EXIT_BAD_INPUT, ReportFormat, emit, fail};
use crate::job::load_job_graph;
use crate::report;

pub(super) fn lint(job: &Path, format: ReportFormat, config: &crate::config::Config) -> ExitCode {
    let graph = match load_job_graph(job) {
        Ok(g) => g,
        Err(e) => return fail(e.into()),
    };
    let mut report = crate::analysis::lint::lint(&graph, &job.display().to_string());
    config.apply_to_lint(&mut report);
    let out = match format {
        ReportFormat::Text => report::lint::render_text(&report),
        ReportFormat::Json => report::lint::render_json(&report),
        ReportFormat::Sarif => report::lint::render_sarif(&report),
        ReportFormat::Junit => report::lint::render_junit(&report),
        ReportFormat::Github => report::lint::render_github(&report),
        ReportFormat::Markdown => report::lint::render_markdown(&report),
    };
    emit(&out);
    ExitCode::from(u8::from(report.has_errors()))
}

pub(super) fn explain(rule: Option<&str>) -> ExitCode {
    use crate::analysis::rules;
    match rule {
        None => {
            let rows: Vec<Vec<String>> = rules::ALL
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.severity.as_str().to_string(),
                        r.title.to_string(),
                    ]
                })
                .collect();
            emit(&report::table(&rows, ""));
            ExitCode::SUCCESS
        }
        Some(id) => match rules::find(id) {
            Some(r) => {
                emit(r.doc);
                ExitCode::SUCCESS
            }
            None => {
                note!(
                    "spcompat: no rule `{id}`; `spcompat explain` lists the {} rules",
                    rules::ALL.len()
                );
                ExitCode::from(EXIT_BAD_INPUT)
            }
        },
    }
}

pub(super) fn export_sql(req: crate::job::export_sql::ExportRequest) -> ExitCode {
    match crate::job::export_sql::export_sql(&req) {
        Ok(done) => {
            note!(
                "wrote {} ({} operators, {} with state){}",
                done.output.display(),
                done.operators,
                done.with_state,
                done.plan
                    .map(|p| format!(" and {}", p.display()))
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.into()),
    }
}
