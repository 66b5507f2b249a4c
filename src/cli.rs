//! The command line: one clap definition, one function per command, exit codes of the contract.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
        Command::Inspect { savepoint, format } => inspect(&savepoint, format),
    }
}

fn fail(report: miette::Report) -> ExitCode {
    eprintln!("{report:?}");
    ExitCode::from(EXIT_BAD_INPUT)
}

fn inspect(path: &std::path::Path, format: Format) -> ExitCode {
    let summary = match Savepoint::open(path).and_then(|sp| SavepointSummary::build(&sp)) {
        Ok(s) => s,
        Err(e) => return fail(e.into()),
    };
    let out = match format {
        Format::Text => report::inspect::render_text(&summary),
        Format::Json => report::inspect::render_json(&summary),
    };
    emit(&out);
    ExitCode::SUCCESS
}

/// Writes a report to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", text.trim_end()).and_then(|_| stdout.flush());
}
