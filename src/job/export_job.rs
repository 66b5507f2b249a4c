//! `spcompat export-job`: the job graph of a DataStream job jar, computed by Flink itself.
//!
//! Shells out to `tools/export-job/export-job.sh`, which compiles a small Java helper against
//! the released jars of the chosen Flink version (cached) and runs the jar's `main()` with every
//! `execute*` call captured: the helper writes the pipeline's StreamGraph (operator IDs from
//! Flink's `StreamGraphHasherV2`, names, uids, parallelism, edges, chaining) and then starts
//! it, with idle sources, on a local MiniCluster just long enough to take one canonical
//! savepoint before any record flows. That savepoint holds each operator's registered state
//! with the serializer snapshots Flink writes; [`add_captured_state`] copies it into the job
//! graph.

use std::path::{Path, PathBuf};
use std::process::Command;

use miette::Diagnostic;

use std::collections::BTreeMap;

use super::{JobGraph, JobGraphError, Location, StateDecl, StateKind, parse_job_graph};
use crate::savepoint::inventory::{OperatorSummary, SavepointSummary, StateSummary};
use crate::schema::notation::DeclaredType;

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportJobRequest {
    pub jar: PathBuf,
    pub main_class: Option<String>,
    /// The Flink version whose jars run the job, e.g. `2.3.0`.
    pub flink: String,
    /// Arguments for the job's `main()`.
    pub args: Vec<String>,
}

/// Where the helper left its output; removed on drop.
pub struct RawExport {
    pub graph: JobGraph,
    /// The capture savepoint's directory, when state could be captured.
    pub savepoint: Option<PathBuf>,
    /// Why state could not be captured.
    pub capture_error: Option<String>,
    dir: PathBuf,
}

impl Drop for RawExport {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ExportJobError {
    #[error("export-job needs `{tool}` (a JDK, version 17) on PATH, and it was not found")]
    #[diagnostic(
        code(spcompat::export_job::no_java),
        help(
            "install a JDK 17 so that `java` and `javac` are on PATH; without a JVM, check against a canary savepoint of the new version instead"
        )
    )]
    JavaMissing { tool: &'static str },

    #[error("cannot find the export-job helper ({})", tried.join(", "))]
    #[diagnostic(
        code(spcompat::export_job::no_helper),
        help(
            "run spcompat from its source tree, or set SPCOMPAT_EXPORT_JOB to the path of tools/export-job/export-job.sh"
        )
    )]
    HelperMissing { tried: Vec<String> },

    #[error("{}: not a jar (a jar is a zip file and starts with bytes 50 4B 03 04)", path.display())]
    #[diagnostic(code(spcompat::export_job::not_a_jar))]
    NotAJar { path: PathBuf },

    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(spcompat::export_job::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("export-job failed for {} with Flink {flink} (exit code {code}): {why}; the job's own messages are above", jar.display())]
    #[diagnostic(code(spcompat::export_job::failed))]
    Failed {
        jar: PathBuf,
        flink: String,
        code: i32,
        why: &'static str,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    JobGraph(#[from] JobGraphError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Savepoint(#[from] crate::savepoint::SavepointError),
}

/// The Flink version `export-job` and `check --job APP.jar` use when none is given: the newest
/// the project supports.
pub const DEFAULT_FLINK: &str = "2.3.0";

/// Runs the helper and returns the job graph with the captured state (or, where it could not
/// be captured, every operator marked `stateNotCaptured` with the reason).
pub fn export_job_graph(req: &ExportJobRequest) -> Result<JobGraph, ExportJobError> {
    let mut raw = run_export(req)?;
    let mut graph = std::mem::replace(&mut raw.graph, empty_graph());
    match (&raw.savepoint, &raw.capture_error) {
        (Some(dir), _) => {
            let sp = crate::savepoint::Savepoint::open(dir)?;
            let summary = SavepointSummary::build(&sp)?;
            add_captured_state(&mut graph, Ok(&summary));
        }
        (None, Some(why)) => {
            add_captured_state(&mut graph, Err(why));
        }
        (None, None) => {
            add_captured_state(&mut graph, Err("the exporter wrote no capture savepoint"));
        }
    }
    Ok(graph)
}

fn empty_graph() -> JobGraph {
    JobGraph {
        format: super::JobGraphFormat::V1,
        job: None,
        flink_version: None,
        max_parallelism: None,
        chaining: None,
        chain_operators_with_different_max_parallelism: None,
        operators: Vec::new(),
        extra: BTreeMap::new(),
        origin: None,
    }
}

/// Does the file start like a zip archive (every jar does)?
pub fn is_jar(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == *b"PK\x03\x04"
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Where `export-job.sh` is: `$SPCOMPAT_EXPORT_JOB`, the source tree spcompat was built from,
/// or `tools/export-job/` above the executable.
pub fn helper_path() -> Result<PathBuf, ExportJobError> {
    let mut tried = Vec::new();
    if let Some(p) = std::env::var_os("SPCOMPAT_EXPORT_JOB") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/export-job/export-job.sh");
    if built.is_file() {
        return Ok(built);
    }
    tried.push(built.display().to_string());
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            let p = dir.join("tools/export-job/export-job.sh");
            if p.is_file() {
                return Ok(p);
            }
            tried.push(p.display().to_string());
        }
    }
    Err(ExportJobError::HelperMissing { tried })
}

/// Runs the helper on the jar: the job graph without state, and the capture savepoint.
pub fn run_export(req: &ExportJobRequest) -> Result<RawExport, ExportJobError> {
    if !req.jar.is_file() {
        return Err(ExportJobError::Io {
            path: req.jar.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    if !is_jar(&req.jar) {
        return Err(ExportJobError::NotAJar {
            path: req.jar.clone(),
        });
    }
    for tool in ["java", "javac"] {
        if !on_path(tool) {
            return Err(ExportJobError::JavaMissing { tool });
        }
    }
    let helper = helper_path()?;
    let dir = std::env::temp_dir().join(format!(
        "spcompat-export-job-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).map_err(|source| ExportJobError::Io {
        path: dir.clone(),
        source,
    })?;
    let raw = dir.join("job.json");
    let jar = std::path::absolute(&req.jar).unwrap_or_else(|_| req.jar.clone());
    let mut cmd = Command::new("bash");
    cmd.arg(&helper)
        .arg("--flink")
        .arg(&req.flink)
        .arg("--jar")
        .arg(&jar)
        .arg("--out")
        .arg(&raw)
        .arg("--savepoint-dir")
        .arg(dir.join("capture"));
    if let Some(c) = &req.main_class {
        cmd.arg("--class").arg(c);
    }
    cmd.arg("--").args(&req.args);
    // The job's own prints must not mix with a job graph written to standard output.
    cmd.stdout(std::process::Stdio::from(std::io::stderr()));
    let status = cmd.status().map_err(|source| ExportJobError::Io {
        path: helper.clone(),
        source,
    })?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&dir);
        let code = status.code().unwrap_or(-1);
        return Err(ExportJobError::Failed {
            jar: req.jar.clone(),
            flink: req.flink.clone(),
            code,
            why: match code {
                2 => "bad usage (no main class?)",
                3 => "no JDK",
                4 => "main() failed or returned before calling execute",
                _ => "the helper failed",
            },
        });
    }
    let text = std::fs::read_to_string(&raw).map_err(|source| ExportJobError::Io {
        path: raw.clone(),
        source,
    })?;
    let mut graph = parse_job_graph(&raw, &text)?;
    graph.origin = None;
    let savepoint = graph.extra.remove("captureSavepoint").and_then(|v| {
        v.as_str()
            .map(|s| PathBuf::from(s.trim_start_matches("file:")))
    });
    let capture_error = graph
        .extra
        .remove("stateCaptureError")
        .and_then(|v| v.as_str().map(str::to_string));
    Ok(RawExport {
        graph,
        savepoint,
        capture_error,
        dir,
    })
}

fn kind_of(s: &StateSummary) -> Option<StateKind> {
    // Timers are the operator's own; the job-graph format has no kind for them.
    StateKind::try_from(crate::flink::StateKind::from_name(s.kind)).ok()
}

/// The state declarations of a savepoint operator (timers are the operator's own and have no
/// kind in the job-graph format).
pub fn state_decls(o: &OperatorSummary) -> Vec<StateDecl> {
    o.states
        .iter()
        .filter_map(|st| {
            Some(StateDecl {
                name: st.name.clone(),
                kind: kind_of(st)?,
                type_: st.type_.as_deref().unwrap_or("?").into(),
                user_key_type: st.user_key_type.as_deref().map(DeclaredType::from),
                // Savepoints record that TTL is on, not its duration.
                ttl: st.ttl.then(|| "enabled".to_string()),
                avro_schema: None,
                extra: BTreeMap::new(),
                location: Location::default(),
            })
        })
        .collect()
}

/// Fills an exported job graph (`spcompat export-job`) with the state its operators registered,
/// as the capture savepoint holds it, and marks the graph `stateCaptured`. Without a savepoint
/// every operator is marked `stateNotCaptured` with `error`, so reports say the state was not
/// compared.
pub fn add_captured_state(graph: &mut JobGraph, capture: Result<&SavepointSummary, &str>) -> usize {
    let summary = match capture {
        Ok(s) => s,
        Err(why) => {
            for op in &mut graph.operators {
                op.extra
                    .insert("stateNotCaptured".into(), serde_json::json!(why));
            }
            return 0;
        }
    };
    let mut with_state = 0;
    for op in &mut graph.operators {
        let Some(id) = op.operator_id else {
            op.extra.insert(
                "stateNotCaptured".into(),
                serde_json::json!("the exporter wrote no operator ID for this node"),
            );
            continue;
        };
        let Some(saved) = summary.operators.iter().find(|o| o.operator_id == id) else {
            continue;
        };
        op.state = state_decls(saved);
        if op.key_type.is_none() {
            op.key_type = saved.key_type.as_deref().map(DeclaredType::from);
        }
        if !op.state.is_empty() {
            with_state += 1;
        }
    }
    graph
        .extra
        .insert("stateCaptured".into(), serde_json::json!(true));
    with_state
}
