//! Recognises what a NEW (or OLD) argument is from its content, never its name: a savepoint
//! (directory or `_metadata`), a job-graph file, a compiled SQL plan, or a DataStream job jar
//! (run through `export-job`). Loading checks first that an argument is not misplaced
//! ([`hints`]), so a swapped input gets a message that says so.

pub mod flink_rest;
pub mod hints;
pub mod k8s_resource;
pub mod newest;

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::files::{open_regular, read_range};
use crate::job::plan::{PlanError, PlanOptions, parse_plan, plan_to_job_graph};
use crate::job::{JobGraph, JobGraphError, parse_job_graph, sniff_job_graph};
use crate::savepoint::access::SavepointAccess;
use crate::savepoint::inventory::SavepointSummary;
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
    Misplaced(#[from] hints::MisplacedInput),

    #[error(transparent)]
    #[diagnostic(transparent)]
    FlinkRest(#[from] flink_rest::FlinkRestError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Resource(#[from] k8s_resource::ResourceError),

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
    if path
        .to_str()
        .is_some_and(crate::savepoint::store::looks_remote)
    {
        return Ok(JobInput::Savepoint(Box::new(Savepoint::open_with(
            path, access,
        )?)));
    }
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

/// Turns an opened savepoint into its summary. The CLI passes one that draws a progress bar;
/// [`summarize_quietly`] draws nothing.
pub type Summarize<'a> = &'a dyn Fn(&Savepoint) -> Result<SavepointSummary, SavepointError>;

pub fn summarize_quietly(sp: &Savepoint) -> Result<SavepointSummary, SavepointError> {
    SavepointSummary::build(sp)
}

/// A job version, loaded: its job graph (from a job-graph file, a compiled plan or a jar), or
/// the summary of its savepoint (the old version's, or a canary run of the new one).
#[derive(Clone)]
pub enum JobVersion {
    Graph {
        graph: Box<JobGraph>,
        /// The file it came from, as reports name it.
        origin: String,
    },
    Savepoint(Box<SavepointSummary>),
}

impl JobVersion {
    pub fn graph(&self) -> Option<&JobGraph> {
        match self {
            JobVersion::Graph { graph, .. } => Some(graph),
            JobVersion::Savepoint(_) => None,
        }
    }
}

/// Where the old version's savepoint comes from: a path or URL (`--savepoint`, `inspect`), or
/// a running cluster's newest checkpoint of a job (`--flink-rest URL --job-id ID`).
#[derive(Debug, Clone, Copy)]
pub enum SavepointSource<'a> {
    Path(&'a Path),
    FlinkRest(&'a flink_rest::FlinkRest),
}

/// The savepoint `source` names: a path or URL as given, the newest in a job's checkpoint
/// folder or a folder of savepoints, the one a Flink operator resource's status names, or the
/// one the Flink REST API reports; with what to say about the pick.
pub fn resolve_savepoint(
    source: SavepointSource<'_>,
) -> Result<(PathBuf, Option<newest::Picked>), InputError> {
    match source {
        SavepointSource::FlinkRest(rest) => {
            let (path, picked) = flink_rest::latest(rest)?;
            Ok((PathBuf::from(path), Some(picked)))
        }
        SavepointSource::Path(path) => {
            if let Some((path, picked)) = k8s_resource::resolve(path)? {
                return Ok((path, Some(picked)));
            }
            Ok(newest::resolve(path).map_err(SavepointError::from)?)
        }
    }
}

/// A `snapshot` input: `--flink-rest` and an operator resource give the savepoint they name;
/// any other path is read as it is (a job graph or a savepoint; a folder of savepoints is not
/// searched for its newest).
pub fn resolve_snapshot_input(
    source: SavepointSource<'_>,
) -> Result<(PathBuf, Option<newest::Picked>), InputError> {
    match source {
        SavepointSource::FlinkRest(_) => resolve_savepoint(source),
        SavepointSource::Path(path) => Ok(match k8s_resource::resolve(path)? {
            Some((path, picked)) => (path, Some(picked)),
            None => (path.to_path_buf(), None),
        }),
    }
}

/// A savepoint argument (`--savepoint`, `inspect`): refused early when it is a job-graph file
/// or a folder of savepoints.
pub fn load_savepoint(
    path: &Path,
    access: &SavepointAccess,
    summarize: Summarize<'_>,
) -> Result<SavepointSummary, InputError> {
    load_savepoint_from(SavepointSource::Path(path), access, summarize)
}

/// [`load_savepoint`] from any [`SavepointSource`].
pub fn load_savepoint_from(
    source: SavepointSource<'_>,
    access: &SavepointAccess,
    summarize: Summarize<'_>,
) -> Result<SavepointSummary, InputError> {
    let (path, picked) = resolve_savepoint(source)?;
    hints::check_savepoint_arg(&path)?;
    let sp = Savepoint::open_with(&path, access)?;
    let summary = with_source(&sp, summarize(&sp));
    release(sp);
    let mut summary = summary?;
    summary.picked = picked;
    Ok(summary)
}

/// The summary of a remote savepoint, with what reading it cost.
fn with_source(
    sp: &Savepoint,
    summary: Result<SavepointSummary, SavepointError>,
) -> Result<SavepointSummary, SavepointError> {
    let mut summary = summary?;
    if let Some((url, counters)) = sp.remote_reads() {
        summary.source = Some(counters.reads(&url));
    }
    Ok(summary)
}

/// Subtask records past which the model is freed on another thread.
const RELEASE_IN_BACKGROUND_MIN_SUBTASKS: usize = 10_000;

/// Set by a process that exits once its reports are written (the `spcompat` binary).
static MODELS_LEFT_TO_EXIT: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Says that this process ends soon after its reports are written: a savepoint's model is then
/// never freed (the exit returns its memory at once; freeing tens of thousands of records
/// costs about as much as building the report). Not for long-lived library callers.
pub fn leave_models_to_exit() {
    MODELS_LEFT_TO_EXIT.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Frees a savepoint's model once its summary is made. A wide savepoint holds tens of thousands
/// of subtask records, which take longer to free than the report takes to render, and nothing
/// waits for them: that work moves off the caller's thread (a CLI exits without waiting).
fn release(sp: Savepoint) {
    if MODELS_LEFT_TO_EXIT.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(sp);
        return;
    }
    let subtasks: usize = sp.metadata.operators.iter().map(|o| o.subtasks.len()).sum();
    if subtasks < RELEASE_IN_BACKGROUND_MIN_SUBTASKS {
        return;
    }
    // Where no thread can be started, the closure (and `sp` in it) is dropped right here.
    let _ = std::thread::Builder::new().spawn(move || drop(sp));
}

/// A job version given as OLD or NEW, of any kind [`load_job_input_with`] recognises.
pub fn load_version(
    path: &Path,
    plan_options: &PlanOptions,
    access: &SavepointAccess,
    summarize: Summarize<'_>,
) -> Result<JobVersion, InputError> {
    hints::check_folder(path)?;
    Ok(match load_job_input_with(path, plan_options, access)? {
        JobInput::JobGraph(graph) => JobVersion::Graph {
            graph: Box::new(graph),
            origin: path.display().to_string(),
        },
        JobInput::Savepoint(sp) => {
            let summary = with_source(&sp, summarize(&sp));
            release(*sp);
            JobVersion::Savepoint(Box::new(summary?))
        }
    })
}

/// A job-graph argument (`lint`, `inspect --uids`): refused early when it is a savepoint.
pub fn load_graph(path: &Path) -> Result<JobGraph, InputError> {
    hints::check_job_graph_arg(path)?;
    Ok(crate::job::load_job_graph(path)?)
}

/// A job version whose uids name a savepoint's operators (`inspect --uids`): a job-graph file
/// or a compiled plan (its uids as Flink gives them when it runs the plan); not a savepoint.
pub fn load_uid_graph(path: &Path) -> Result<JobGraph, InputError> {
    hints::check_job_graph_arg(path)?;
    match load_job_input(path)? {
        JobInput::JobGraph(g) => Ok(g),
        JobInput::Savepoint(_) => Err(hints::MisplacedInput::SavepointWhereJob {
            path: path.to_path_buf(),
        }
        .into()),
    }
}

/// The old version's graph besides its savepoint: `--old-job` (a job graph or plan),
/// enriched with `--old-plan` when both are given. A savepoint there names nothing.
pub fn load_old_graph(
    job: Option<&Path>,
    plan: Option<&Path>,
    plan_options: &PlanOptions,
    access: &SavepointAccess,
) -> Result<Option<JobGraph>, InputError> {
    use crate::job::plan::{enrich_job_graph, load_plan};
    let as_graph = |path: &Path| match load_job_input_with(path, plan_options, access)? {
        JobInput::JobGraph(g) => Ok(Some(g)),
        JobInput::Savepoint(_) => Ok(None),
    };
    match (job, plan) {
        (Some(job), Some(plan)) => {
            let mut graph = as_graph(job)?;
            if let Some(g) = graph.as_mut() {
                enrich_job_graph(g, &load_plan(plan)?, plan_options);
            }
            Ok(graph)
        }
        (Some(path), None) | (None, Some(path)) => as_graph(path),
        (None, None) => Ok(None),
    }
}
