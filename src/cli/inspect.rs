//! `inspect` and `snapshot`: what a savepoint (or job graph) holds.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{Format, emit, emit_plain, emit_streamed, fail, summarize, summarize_with};
use crate::input::{JobInput, load_job_input_with, load_savepoint_from, load_uid_graph};
use crate::job::plan::PlanOptions;
use crate::report::{self, TextOptions};
use crate::savepoint::access::SavepointAccess;
use crate::savepoint::subtask_brief::HandleDetail;

pub(super) fn inspect(
    savepoint: &super::SavepointArg,
    format: Format,
    uid_files: &[PathBuf],
    access: &SavepointAccess,
    all_handles: bool,
    text: &TextOptions,
) -> ExitCode {
    let detail = match (all_handles, format) {
        (true, _) => HandleDetail::Full,
        (false, Format::Json) => HandleDetail::Brief,
        // The text report shows no subtask handles.
        (false, _) => HandleDetail::Omitted,
    };
    let access = SavepointAccess {
        keep_handle_names: detail != HandleDetail::Omitted,
        ..access.clone()
    };
    let summary = match load_savepoint_from(savepoint.source(), &access, &|sp| {
        summarize_with(sp, detail)
    }) {
        Ok(s) => {
            if let Some(p) = &s.picked {
                say!("{}", p.note());
            }
            s
        }
        Err(e) => return fail(e.into()),
    };
    let graphs: Result<Vec<_>, _> = uid_files.iter().map(|f| load_uid_graph(f)).collect();
    let summary = match graphs {
        Ok(graphs) => crate::pipeline::inspect(summary, &graphs),
        Err(e) => return fail(e.into()),
    };
    match format {
        Format::Text => emit(&report::inspect::render_text(&summary, text)),
        // Indented for a person at a terminal; compact (and built on several threads) for
        // pipes and files, where a wide savepoint's document is tens of MB.
        Format::Json if std::io::stdout().is_terminal() => {
            emit_plain(&report::inspect::render_json(&summary))
        }
        Format::Json => emit_streamed(|out| report::inspect::write_json_compact(&summary, out)),
    }
    ExitCode::SUCCESS
}

pub(super) fn snapshot(
    input: &super::SavepointArg,
    output: Option<&Path>,
    access: &SavepointAccess,
) -> ExitCode {
    use crate::job::baseline;
    let (path, picked) = match crate::input::resolve_snapshot_input(input.source()) {
        Ok(resolved) => resolved,
        Err(e) => return fail(e.into()),
    };
    if let Some(p) = &picked {
        say!("{}", p.note());
    }
    // The baseline never overwrites what it was made from (the savepoint folder or the file,
    // and an operator resource that named it).
    let mut protected = vec![path.clone()];
    if let super::SavepointArg::Path(given) = input {
        protected.push(given.clone());
    }
    let input = path.as_path();
    let graph = match load_job_input_with(input, &PlanOptions::default(), access) {
        Ok(JobInput::Savepoint(sp)) => match summarize(&sp) {
            Ok(s) => {
                protected.push(sp.dir.clone());
                baseline::from_savepoint(&s)
            }
            Err(e) => return fail(e.into()),
        },
        Ok(JobInput::JobGraph(g)) => match baseline::from_job_graph(&g) {
            Ok(b) => b,
            Err(e) => return fail(e.into()),
        },
        Err(e) => return fail(e.into()),
    };
    let yaml = output.is_none_or(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
    });
    let text = baseline::serialize(&graph, yaml);
    match output {
        Some(path) => {
            let protected: Vec<&Path> = protected.iter().map(PathBuf::as_path).collect();
            if let Err(source) = crate::files::write_replacing(path, text.as_bytes(), &protected) {
                return fail(
                    crate::input::InputError::Io {
                        path: path.to_path_buf(),
                        source,
                    }
                    .into(),
                );
            }
        }
        None => emit(&text),
    }
    ExitCode::SUCCESS
}
