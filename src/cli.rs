//! The command line: one clap definition, one function per command, exit codes of the contract.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::analysis::model::{NewSide, OldSide};
use crate::analysis::restore::{UidNames, predict};
use crate::input::{JobInput, load_job_input};
use crate::job::load_job_graph;
use crate::report;
use crate::savepoint::Savepoint;
use crate::savepoint::summary::SavepointSummary;

/// Exit code for input that could not be used.
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "spcompat",
    version,
    about = "Will the new version of a Flink job restore from the old version's savepoint?",
    long_about = "Reads Flink savepoints and retained checkpoints directly (no JVM), loads the new job version, maps state by operator ID and applies Flink's compatibility rules, before you deploy."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show what a savepoint holds: operators, IDs, parallelism, states and their schemas.
    Inspect {
        /// Savepoint or retained-checkpoint directory, or its `_metadata` file.
        savepoint: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// A job-graph file whose uids name the savepoint's operators (for savepoints that do
        /// not store uids: metadata version < 5).
        #[arg(long, value_name = "FILE")]
        uids: Vec<PathBuf>,
    },
    /// Predict what Flink does when NEW is started from SAVEPOINT.
    Check {
        /// The old version's savepoint or retained checkpoint.
        #[arg(long, value_name = "SAVEPOINT")]
        savepoint: PathBuf,
        /// The new version: a job-graph file, or a savepoint of the new version (canary run).
        #[arg(long, value_name = "NEW")]
        job: PathBuf,
        /// As Flink's --allowNonRestoredState: state with no operator in the new job is dropped.
        #[arg(short = 'n', long = "allow-non-restored-state")]
        allow_non_restored_state: bool,
        /// The old version's job-graph, used to name savepoint operators by their uids.
        #[arg(long, value_name = "FILE")]
        old_job: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Inspect {
            savepoint,
            format,
            uids,
        } => inspect(&savepoint, format, &uids),
        Command::Check {
            savepoint,
            job,
            allow_non_restored_state,
            old_job,
            format,
        } => check(
            &savepoint,
            &job,
            allow_non_restored_state,
            old_job.as_deref(),
            format,
        ),
    }
}

fn fail(report: miette::Report) -> ExitCode {
    eprintln!("{report:?}");
    ExitCode::from(EXIT_BAD_INPUT)
}

fn inspect(path: &Path, format: Format, uid_files: &[PathBuf]) -> ExitCode {
    let mut summary = match Savepoint::open(path).and_then(|sp| SavepointSummary::build(&sp)) {
        Ok(s) => s,
        Err(e) => return fail(e.into()),
    };
    let mut uids = Vec::new();
    for file in uid_files {
        match load_job_graph(file) {
            Ok(g) => uids.extend(g.operators.iter().filter_map(|o| o.uid.clone())),
            Err(e) => return fail(e.into()),
        }
    }
    let names = UidNames::new(uids);
    for op in &mut summary.operators {
        if op.uid.is_none() {
            op.inferred_uid = names.lookup(op.operator_id).map(str::to_string);
        }
    }
    let out = match format {
        Format::Text => report::inspect::render_text(&summary),
        Format::Json => report::inspect::render_json(&summary),
    };
    emit(&out);
    ExitCode::SUCCESS
}

fn check(
    savepoint: &Path,
    job: &Path,
    allow_non_restored_state: bool,
    old_job: Option<&Path>,
    format: Format,
) -> ExitCode {
    let old = match Savepoint::open(savepoint).and_then(|sp| SavepointSummary::build(&sp)) {
        Ok(s) => OldSide::from_savepoint(&s),
        Err(e) => return fail(e.into()),
    };
    let mut uids: Vec<String> = Vec::new();
    let new = match load_job_input(job) {
        Ok(JobInput::JobGraph(graph)) => {
            uids.extend(graph.operators.iter().filter_map(|o| o.uid.clone()));
            match NewSide::from_job_graph(&graph, &job.display().to_string()) {
                Ok(n) => n,
                Err(e) => return fail(e.into()),
            }
        }
        Ok(JobInput::Savepoint(sp)) => match SavepointSummary::build(&sp) {
            Ok(s) => {
                uids.extend(s.operators.iter().filter_map(|o| o.uid.clone()));
                NewSide::from_canary_savepoint(&s)
            }
            Err(e) => return fail(e.into()),
        },
        Err(e) => return fail(e.into()),
    };
    if let Some(file) = old_job {
        match load_job_graph(file) {
            Ok(g) => uids.extend(g.operators.iter().filter_map(|o| o.uid.clone())),
            Err(e) => return fail(e.into()),
        }
    }
    let prediction = predict(&old, &new, allow_non_restored_state, &UidNames::new(uids));
    let out = match format {
        Format::Text => report::check::render_text(&prediction),
        Format::Json => report::check::render_json(&prediction),
    };
    emit(&out);
    ExitCode::from(prediction.verdict.exit_code())
}

/// Writes a report to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", text.trim_end()).and_then(|_| stdout.flush());
}
