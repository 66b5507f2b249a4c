//! The command line: one clap definition (`args`), one function per command, the exit codes of
//! the contract.

/// `eprintln!` without its panic: when stderr is closed or full, the exit code still tells.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod check;
mod inspect;
mod single;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use args::{Cli, ColorWhen, Command, Format, PlanArgs, ReportFormat, Shell};
pub use check::OldVersion;
use check::{check, diff};
use inspect::{inspect, snapshot};
use single::{explain, export_sql, lint};

use crate::report;
use crate::savepoint::Savepoint;
use crate::savepoint::summary::SavepointSummary;

/// Exit code for input that could not be used.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Renders a prediction in the chosen format.
pub fn render_prediction(p: &crate::analysis::restore::Prediction, format: ReportFormat) -> String {
    match format {
        ReportFormat::Text => report::check::render_text(p),
        ReportFormat::Json => report::check::render_json(p),
        ReportFormat::Sarif => report::sarif::render(p),
        ReportFormat::Junit => report::junit::render(p),
        ReportFormat::Github => report::github::render(p),
        ReportFormat::Markdown => report::markdown::render(p),
    }
}

/// Runs the command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.color {
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
        ColorWhen::Auto => {}
    }
    let config = match crate::config::Config::discover(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e.into()),
    };
    match cli.command {
        Command::Explain { rule } => explain(rule.as_deref()),
        Command::Snapshot { input, output } => snapshot(&input, output.as_deref()),
        Command::Lint { job, files, format } => {
            let all: Vec<PathBuf> = job.into_iter().chain(files).collect();
            if all.is_empty() {
                note!("spcompat lint: give a job-graph file with --job FILE");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            all.iter()
                .map(|j| lint(j, format, &config))
                .max_by_key(|c| exit_rank(*c))
                .unwrap_or(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
                Shell::Powershell => clap_complete::Shell::PowerShell,
                Shell::Elvish => clap_complete::Shell::Elvish,
            };
            clap_complete::generate(shell, &mut cmd, "spcompat", &mut out);
            emit(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut out) {
                note!("spcompat: cannot render the man page: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            emit(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Command::Inspect {
            savepoint,
            format,
            uids,
        } => inspect(&savepoint, format, &uids),
        Command::Check {
            savepoint: None,
            baseline: Some(baseline),
            job,
            allow_non_restored_state,
            format,
            plan,
            ..
        } => diff(
            &baseline,
            &job,
            allow_non_restored_state,
            &plan.options(),
            format,
            &config,
        ),
        Command::Check {
            savepoint,
            baseline: _,
            job,
            allow_non_restored_state,
            old_job,
            old_plan,
            format,
            plan,
        } => check(
            savepoint.as_deref().unwrap_or_else(|| Path::new("")),
            &job,
            allow_non_restored_state,
            OldVersion {
                job: old_job.as_deref(),
                plan: old_plan.as_deref(),
                options: plan.options(),
            },
            format,
            &config,
        ),
        Command::Diff {
            old,
            new,
            allow_non_restored_state,
            format,
            plan,
        } => diff(
            &old,
            &new,
            allow_non_restored_state,
            &plan.options(),
            format,
            &config,
        ),
        Command::ExportSql {
            script,
            flink,
            output,
            plan,
            from_plan,
            parallelism,
            exported,
        } => match (exported, plan) {
            (Some(raw), Some(plan)) => {
                match crate::job::export_sql::enrich_exported(&raw, &plan, &output, Some(&flink)) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(e.into()),
                }
            }
            (_, plan) => export_sql(crate::job::export_sql::ExportRequest {
                script,
                flink,
                output,
                plan,
                from_plan,
                parallelism,
            }),
        },
    }
}

fn fail(report: miette::Report) -> ExitCode {
    note!("{report:?}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Applies `spcompat.toml`, prints the report, and returns the exit code of the verdict that
/// remains once accepted findings no longer count.
pub fn finish_prediction(
    prediction: &mut crate::analysis::restore::Prediction,
    format: ReportFormat,
    config: &crate::config::Config,
) -> ExitCode {
    config.apply_to_prediction(prediction);
    emit(&render_prediction(prediction, format));
    ExitCode::from(prediction.effective_verdict.exit_code())
}

/// Several files: the worst exit wins (2 unusable input, then 1 findings, then 0).
fn exit_rank(code: ExitCode) -> u8 {
    if code == ExitCode::from(EXIT_BAD_INPUT) {
        2
    } else if code == ExitCode::SUCCESS {
        0
    } else {
        1
    }
}

/// Reads a savepoint's summary, with a progress bar on stderr when stderr is a terminal and the
/// savepoint references state files (nothing is drawn in CI logs or pipes).
fn summarize(sp: &Savepoint) -> Result<SavepointSummary, crate::savepoint::SavepointError> {
    use std::io::IsTerminal;
    let files = sp
        .metadata
        .operators
        .iter()
        .flat_map(|o| &o.subtasks)
        .filter(|s| s.managed_keyed_state.is_some() || s.managed_operator_state.is_some())
        .count();
    if !std::io::stderr().is_terminal() || files < 64 {
        return SavepointSummary::build(sp);
    }
    let bar = indicatif::ProgressBar::new(sp.metadata.operators.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} operators ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix("reading state headers");
    let result =
        SavepointSummary::build_with_progress(sp, &mut |done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    result
}

/// Writes a report to standard output; a closed pipe (`| head`) is not an error.
fn emit(text: &str) {
    use std::io::Write;
    // AutoStream drops color codes for pipes, NO_COLOR and `--color never`.
    let mut stdout = anstream::stdout().lock();
    let _ = writeln!(stdout, "{}", text.trim_end()).and_then(|_| stdout.flush());
}
