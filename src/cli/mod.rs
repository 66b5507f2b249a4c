//! The command line: one clap definition (`args`), one function per command, the exit codes of
//! the contract.

/// Like `eprintln!`, but a failed write to stderr is not a panic: the exit code still says
/// what happened.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod check;
mod hints;
mod inspect;
mod single;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use args::{Cli, ColorWhen, Command, Format, PlanArgs, ReportFormat, Shell};
pub use check::OldVersion;
use check::{check, diff};
use inspect::{inspect, snapshot};
use single::{explain, export_job, export_sql, lint};

use crate::report;
use crate::savepoint::Savepoint;
use crate::savepoint::subtask_brief::HandleDetail;
use crate::savepoint::summary::SavepointSummary;

/// Exit code for input that could not be used.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Renders a prediction in the chosen format.
pub fn render_prediction(p: &crate::analysis::result::Prediction, format: ReportFormat) -> String {
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
    if let Some(root) = &cli.root {
        report::sarif::set_root(root.clone());
    }
    let config = match crate::config::Config::discover(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e.into()),
    };
    let access = crate::savepoint::access::SavepointAccess {
        allow_outside: cli.allow_outside,
    };
    if let (Some(path), None) = (&config.path, &cli.config) {
        say!("spcompat: using config {}", path.display());
    }
    match cli.command {
        Command::Explain { rule } => explain(rule.as_deref()),
        Command::Snapshot { input, output } => snapshot(&input, output.as_deref(), &access),
        Command::Lint { job, files, format } => {
            let all: Vec<PathBuf> = job.into_iter().chain(files).collect();
            if all.is_empty() {
                say!("spcompat lint: give a job-graph file with --job FILE");
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
            let mut out = Vec::new();
            if let Err(e) = man_page(&mut out) {
                say!("spcompat: cannot render the man page: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            emit(&String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Command::Inspect {
            savepoint,
            format,
            uids,
            all_handles,
        } => inspect(&savepoint, format, &uids, &access, all_handles),
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
            &access,
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
                access: &access,
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
            &access,
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
        Command::ExportJob {
            jar,
            main_class,
            flink,
            output,
            args,
        } => export_job(
            crate::job::export_job::ExportJobRequest {
                jar,
                main_class,
                flink,
                args,
            },
            output.as_deref(),
        ),
    }
}

/// One man page holding every command: clap_mangen's default page refers to per-command
/// pages (`spcompat-check(1)`) that are not installed anywhere.
fn man_page(out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    let mut cmd = <Cli as clap::CommandFactory>::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        writeln!(out, ".SH \"COMMAND: spcompat {}\"", sub.get_name())?;
        let about = sub
            .get_long_about()
            .or(sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        writeln!(
            out,
            "{}",
            about.replace('\\', "\\\\").replace("\n.", "\n\\&.")
        )?;
        let mut options = Vec::new();
        let sub_man = clap_mangen::Man::new(sub.clone());
        sub_man.render_synopsis_section(&mut options)?;
        sub_man.render_options_section(&mut options)?;
        let options = String::from_utf8_lossy(&options)
            .replace(".SH SYNOPSIS", ".SS Synopsis")
            .replace(".SH OPTIONS", ".SS Options");
        out.write_all(options.as_bytes())?;
    }
    man.render_extra_section(out)?;
    man.render_version_section(out)
}

fn fail(report: miette::Report) -> ExitCode {
    say!("{report:?}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Applies `spcompat.toml`, prints the report, and returns the exit code of the verdict that
/// remains once accepted findings no longer count.
pub fn finish_prediction(
    prediction: &mut crate::analysis::result::Prediction,
    format: ReportFormat,
    config: &crate::config::Config,
) -> ExitCode {
    config.apply_to_prediction(prediction);
    for a in config.unmatched_acceptances(prediction) {
        say!(
            "spcompat: warning: {}: [[accept]] of `{}` for `{}` matches no finding of this report",
            config
                .path
                .as_deref()
                .unwrap_or(std::path::Path::new(crate::config::FILE_NAME))
                .display(),
            a.rule,
            a.operator
        );
    }
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
    summarize_with(sp, HandleDetail::Brief)
}

/// As [`summarize`], with the subtask handles at `detail`.
fn summarize_with(
    sp: &Savepoint,
    detail: HandleDetail,
) -> Result<SavepointSummary, crate::savepoint::SavepointError> {
    use std::io::IsTerminal;
    let files = sp
        .metadata
        .operators
        .iter()
        .flat_map(|o| &o.subtasks)
        .filter(|s| s.managed_keyed_state.is_some() || s.managed_operator_state.is_some())
        .count();
    if !std::io::stderr().is_terminal() || files < 64 {
        return SavepointSummary::build_with(sp, detail, &mut |_, _| {});
    }
    let bar = indicatif::ProgressBar::new(sp.metadata.operators.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} operators ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix("reading state headers");
    let result =
        SavepointSummary::build_with(sp, detail, &mut |done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    result
}

/// Writes a report to standard output; a closed pipe (`| head`) is not an error. Any other
/// failed write ends the process with exit 2 and a message: a lost report must never look like
/// a passing check.
fn emit(text: &str) {
    // AutoStream drops color codes for pipes, NO_COLOR and `--color never`.
    write_report(&mut anstream::stdout().lock(), text);
}

/// Writes a report; a closed pipe (`| head`) is not an error, any other failure exits 2 so a
/// lost report never passes as success.
fn write_report(out: &mut impl std::io::Write, text: &str) {
    let written = writeln!(out, "{}", text.trim_end()).and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            say!("spcompat: cannot write the report to standard output: {e}");
            std::process::exit(i32::from(EXIT_BAD_INPUT));
        }
        _ => {}
    }
}

/// As [`emit`], for output that never holds color codes (JSON): written as is, without the
/// color-stripping adapter's scan of every byte.
fn emit_plain(text: &str) {
    write_report(&mut std::io::stdout().lock(), text);
}
