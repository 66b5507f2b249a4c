//! Recognises what a NEW (or OLD) argument is from its content, never its name: a savepoint
//! (directory or `_metadata`), a job-graph file, a compiled SQL plan, or a DataStream job jar
//! (run through `export-job`).

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::files::{open_regular, read_range};
use crate::job::plan::{PlanError, PlanOptions, parse_plan, plan_to_job_graph};
use crate::job::{JobGraph, JobGraphError, parse_job_graph, sniff_job_graph};
use crate::savepoint::access::SavepointAccess;
use crate::savepoint::metadata::METADATA_MAGIC;
use crate::savepoint::{Savepoint, SavepointError};

/// A job version as given on the command line.
pub enum JobInput {
    JobGraph(JobGraph),
    Savepoint(Box<Savepoint>),
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum InputError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Savepoint(#[from] SavepointError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    JobGraph(#[from] JobGraphError),

    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(spcompat::input::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Jar(#[from] crate::job::export_job::ExportJobError),

    #[error("{}: not a savepoint, job-graph file or compiled plan", path.display())]
    #[diagnostic(
        code(spcompat::input::unknown_kind),
        help(
            "expected a savepoint directory or `_metadata` file (starts with bytes 49 60 67 2D), a job-graph file (JSON or YAML with \"format\": \"spcompat-job-graph/1\"), or the JSON that COMPILE PLAN writes"
        )
    )]
    UnknownKind { path: PathBuf },
}

/// Loads a job version, detecting its kind from the content.
pub fn load_job_input(path: &Path) -> Result<JobInput, InputError> {
    load_job_input_with(path, &PlanOptions::default(), &SavepointAccess::default())
}

/// The largest job-graph or plan file read (real ones are a few MB).
const MAX_JOB_FILE_BYTES: u64 = 1 << 30;

/// [`load_job_input`]; a compiled plan is converted into the job graph Flink builds when it
/// runs the plan, with these options (Flink version, parallelism, configuration); a savepoint
/// reads state files inside the folders `access` allows.
pub fn load_job_input_with(
    path: &Path,
    plan_options: &PlanOptions,
    access: &SavepointAccess,
) -> Result<JobInput, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Ok(JobInput::Savepoint(Box::new(Savepoint::open_with(
            path, access,
        )?)));
    }
    // Open first, then check what was opened: a FIFO must not block the read.
    let opened = open_regular(path, true).map_err(|e| io(e.into()))?;
    let head = read_range(&opened.file, 0, 4).map_err(io)?;
    if head.as_slice() == b"PK\x03\x04" {
        let req = crate::job::export_job::ExportJobRequest {
            jar: path.to_path_buf(),
            main_class: None,
            flink: plan_options
                .flink_version
                .clone()
                .unwrap_or_else(|| crate::job::export_job::DEFAULT_FLINK.to_string()),
            args: Vec::new(),
        };
        return Ok(JobInput::JobGraph(
            crate::job::export_job::export_job_graph(&req)?,
        ));
    }
    if head.len() == 4 && i32::from_be_bytes([head[0], head[1], head[2], head[3]]) == METADATA_MAGIC
    {
        return Ok(JobInput::Savepoint(Box::new(Savepoint::open_with(
            path, access,
        )?)));
    }
    if opened.len > MAX_JOB_FILE_BYTES {
        return Err(io(std::io::Error::other(format!(
            "{} bytes is larger than any job-graph file or plan ({MAX_JOB_FILE_BYTES} at most)",
            opened.len
        ))));
    }
    let bytes = read_range(&opened.file, 0, opened.len).map_err(io)?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Err(InputError::UnknownKind {
            path: path.to_path_buf(),
        });
    };
    if sniff_job_graph(text) {
        return Ok(JobInput::JobGraph(parse_job_graph(path, text)?));
    }
    if looks_like_compiled_plan(text) {
        let plan = parse_plan(text, &path.display().to_string())?;
        return Ok(JobInput::JobGraph(plan_to_job_graph(&plan, plan_options)));
    }
    // A file that tries to be a job graph but lacks `format` still gets the job-graph
    // loader's precise error.
    if text.contains("\"operators\"") || text.contains("operators:") {
        return Ok(JobInput::JobGraph(parse_job_graph(path, text)?));
    }
    Err(InputError::UnknownKind {
        path: path.to_path_buf(),
    })
}

fn looks_like_compiled_plan(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .is_some_and(|v| {
            v.get("nodes").is_some_and(|n| n.is_array()) && v.get("flinkVersion").is_some()
        })
}
