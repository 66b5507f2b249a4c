//! `spcompat export-sql`: the job graph and compiled plan of a Flink SQL script, computed by
//! Flink itself.
//!
//! Shells out to `tools/export-sql/export-sql.sh`, which fetches the released jars of the
//! chosen Flink version (cached), compiles a small Java helper against them and runs it: the
//! helper builds the StreamGraph exactly as the table environment submits it (plain SQL, or
//! from the compiled plan), hashes it with Flink's `StreamGraphHasherV2` and writes the
//! job-graph file with those operator IDs, names, uids, parallelism, edges, key types and the
//! accumulator types of the runtime functions. This module then adds what the compiled plan
//! says about each operator (tables, grouping, aggregate calls, state) with
//! [`super::plan::enrich_job_graph`].

use std::path::{Path, PathBuf};
use std::process::Command;

use miette::Diagnostic;

use super::plan::{PlanError, PlanOptions, enrich_job_graph, parse_plan};
use super::{JobGraphError, parse_job_graph};

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub script: PathBuf,
    /// The Flink version whose jars build the graph, e.g. `1.20.3`.
    pub flink: String,
    pub output: PathBuf,
    pub plan: Option<PathBuf>,
    /// Export the job as it runs from its compiled plan, even if the script does not say so.
    pub from_plan: bool,
    pub parallelism: Option<u32>,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ExportError {
    #[error("export-sql needs `{tool}` (a JDK, version 17) on PATH, and it was not found")]
    #[diagnostic(
        code(spcompat::export_sql::no_java),
        help(
            "install a JDK 17 (e.g. `apt-get install openjdk-17-jdk-headless`) so that `java` and `javac` are on PATH; without a JVM, write the job-graph file by hand or give a compiled plan (COMPILE PLAN) instead"
        )
    )]
    JavaMissing { tool: &'static str },

    #[error("cannot find the export-sql helper ({})", tried.join(", "))]
    #[diagnostic(
        code(spcompat::export_sql::no_helper),
        help(
            "run spcompat from its source tree, or set SPCOMPAT_EXPORT_SQL to the path of tools/export-sql/export-sql.sh"
        )
    )]
    HelperMissing { tried: Vec<String> },

    #[error("cannot read SQL script {}: {source}", path.display())]
    #[diagnostic(code(spcompat::export_sql::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("export-sql failed for {} with Flink {flink} (exit code {code}); its messages are above", script.display())]
    #[diagnostic(code(spcompat::export_sql::failed))]
    Failed {
        script: PathBuf,
        flink: String,
        code: i32,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    JobGraph(#[from] JobGraphError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(#[from] PlanError),
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Exported {
    pub operators: usize,
    pub with_state: usize,
    pub output: PathBuf,
    pub plan: Option<PathBuf>,
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let p = dir.join(tool);
            p.is_file()
        })
    })
}

/// Where `export-sql.sh` is: `$SPCOMPAT_EXPORT_SQL`, the source tree spcompat was built from,
/// or `tools/export-sql/` above the executable.
pub fn helper_path() -> Result<PathBuf, ExportError> {
    let mut tried = Vec::new();
    if let Some(p) = std::env::var_os("SPCOMPAT_EXPORT_SQL") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        tried.push(p.display().to_string());
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/export-sql/export-sql.sh");
    if built.is_file() {
        return Ok(built);
    }
    tried.push(built.display().to_string());
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            let p = dir.join("tools/export-sql/export-sql.sh");
            if p.is_file() {
                return Ok(p);
            }
            tried.push(p.display().to_string());
        }
    }
    Err(ExportError::HelperMissing { tried })
}

/// Runs the exporter and writes the enriched job graph (and the plan, when asked for).
pub fn export_sql(req: &ExportRequest) -> Result<Exported, ExportError> {
    if !req.script.is_file() {
        return Err(ExportError::Io {
            path: req.script.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    for tool in ["java", "javac"] {
        if !on_path(tool) {
            return Err(ExportError::JavaMissing { tool });
        }
    }
    let helper = helper_path()?;
    let tmp = std::env::temp_dir().join(format!(
        "spcompat-export-sql-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&tmp).map_err(|source| ExportError::Io {
        path: tmp.clone(),
        source,
    })?;
    let raw_job = tmp.join("job.json");
    let raw_plan = tmp.join("plan.json");
    let mut cmd = Command::new("bash");
    cmd.arg(&helper)
        .arg("--flink")
        .arg(&req.flink)
        .arg("--script")
        .arg(&req.script)
        .arg("--out")
        .arg(&raw_job)
        .arg("--plan-out")
        .arg(&raw_plan);
    if req.from_plan {
        cmd.arg("--from-plan");
    }
    if let Some(p) = req.parallelism {
        cmd.arg("--parallelism").arg(p.to_string());
    }
    let status = cmd.status().map_err(|source| ExportError::Io {
        path: helper.clone(),
        source,
    })?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(ExportError::Failed {
            script: req.script.clone(),
            flink: req.flink.clone(),
            code: status.code().unwrap_or(-1),
        });
    }
    let result = finish(req, &raw_job, &raw_plan);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn read(path: &Path) -> Result<String, ExportError> {
    std::fs::read_to_string(path).map_err(|source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, text: &str) -> Result<(), ExportError> {
    std::fs::write(path, text).map_err(|source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn finish(req: &ExportRequest, raw_job: &Path, raw_plan: &Path) -> Result<Exported, ExportError> {
    let job_text = read(raw_job)?;
    let plan_text = read(raw_plan)?;
    let mut graph = parse_job_graph(&req.output, &job_text)?;
    let plan = parse_plan(&plan_text, &raw_plan.display().to_string())?;
    let opts = PlanOptions {
        flink_version: (!req.flink.is_empty()).then(|| req.flink.clone()),
        parallelism: req.parallelism,
        ..PlanOptions::default()
    };
    enrich_job_graph(&mut graph, &plan, &opts);
    let text = serde_json::to_string_pretty(&graph).unwrap_or_default() + "\n";
    write(&req.output, &text)?;
    if let Some(p) = &req.plan {
        write(p, &plan_text)?;
    }
    Ok(Exported {
        operators: graph.operators.len(),
        with_state: graph
            .operators
            .iter()
            .filter(|o| !o.state.is_empty())
            .count(),
        output: req.output.clone(),
        plan: req.plan.clone(),
    })
}

/// Adds the plan's SQL description and state to a job graph written by the helper itself
/// (`raw`), writing the result to `output` (which may be `raw`).
pub fn enrich_exported(
    raw: &Path,
    plan: &Path,
    output: &Path,
    flink: Option<&str>,
) -> Result<(), ExportError> {
    let req = ExportRequest {
        script: PathBuf::new(),
        flink: flink.unwrap_or_default().to_string(),
        output: output.to_path_buf(),
        plan: None,
        from_plan: false,
        parallelism: None,
    };
    finish(&req, raw, plan).map(|_| ())
}
