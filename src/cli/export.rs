//! `export-sql` and `export-job`: job graphs built by Flink's own jars (they need a JVM).

use std::process::ExitCode;

use super::{emit, fail};

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
