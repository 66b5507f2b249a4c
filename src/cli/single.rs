//! `lint`, `explain` and `export-sql`: one job version alone, the rule catalog, SQL export.

use std::path::Path;
use std::process::ExitCode;

use super::{EXIT_BAD_INPUT, ReportFormat, emit, fail};
use crate::job::load_job_graph;
use crate::report;

pub(super) fn lint(job: &Path, format: ReportFormat, config: &crate::config::Config) -> ExitCode {
    if let Err(e) = super::hints::check_job_graph_arg(job) {
        return fail(e.into());
    }
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
                say!(
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
            say!(
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

pub(super) fn export_job(
    req: crate::job::export_job::ExportJobRequest,
    output: Option<&std::path::Path>,
) -> ExitCode {
    let graph = match crate::job::export_job::export_job_graph(&req) {
        Ok(g) => g,
        Err(e) => return fail(e.into()),
    };
    let text = serde_json::to_string_pretty(&graph).unwrap_or_default() + "\n";
    let with_state = graph
        .operators
        .iter()
        .filter(|o| !o.state.is_empty())
        .count();
    let not_captured = graph
        .operators
        .iter()
        .filter(|o| o.state_not_captured().is_some())
        .count();
    match output {
        Some(path) => {
            if let Err(source) = std::fs::write(path, text) {
                return fail(
                    crate::job::export_job::ExportJobError::Io {
                        path: path.to_path_buf(),
                        source,
                    }
                    .into(),
                );
            }
            eprintln!(
                "wrote {} ({} operators, {with_state} with state, {not_captured} with state not captured)",
                path.display(),
                graph.operators.len()
            );
        }
        None => emit(&text),
    }
    ExitCode::SUCCESS
}
