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

mod analyze;
mod args;
mod docs;
mod export;
mod inspect;
mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use analyze::{Loading, OldFiles, Target, check, diff, lint};
pub use args::{Cli, ColorWhen, Command, Format, PlanArgs, ReportFormat, RestArgs, Shell};
use docs::{explain, man_page};
use export::{export_job, export_sql};
use inspect::{inspect, snapshot};

use crate::report::{self, TextOptions};
use crate::savepoint::Savepoint;
use crate::savepoint::inventory::SavepointSummary;
use crate::savepoint::subtask_brief::HandleDetail;

/// Exit code for input that could not be used.
pub const EXIT_BAD_INPUT: u8 = 2;

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
        metadata_only: cli.metadata_only,
        keep_handle_names: false,
    };
    if let (Some(path), None) = (&config.path, &cli.config) {
        say!("spcompat: using config {}", path.display());
    }
    let loading = |plan: &PlanArgs, format: ReportFormat, verbose: bool| Loading {
        options: plan.options(),
        access: &access,
        config: &config,
        format,
        text: TextOptions { verbose },
    };
    match cli.command {
        Command::Explain { rule } => explain(rule.as_deref()),
        Command::Snapshot {
            input,
            rest,
            output,
        } => snapshot(
            &savepoint_source(input.as_deref(), &rest),
            output.as_deref(),
            &access,
        ),
        Command::Lint { job, files, format } => {
            let all: Vec<PathBuf> = job.into_iter().chain(files).collect();
            if all.is_empty() {
                say!("spcompat lint: give a job-graph file with --job FILE");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            lint(&all, format, &config)
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
            rest,
            format,
            uids,
            all_handles,
            verbose,
        } => inspect(
            &savepoint_source(savepoint.as_deref(), &rest),
            format,
            &uids,
            &access,
            all_handles,
            &TextOptions { verbose },
        ),
        Command::Check {
            savepoint: None,
            baseline: Some(baseline),
            job,
            to_flink,
            allow_non_restored_state,
            format,
            verbose,
            plan,
            ..
        } => diff(
            &baseline,
            // Without --job (only with --to-flink): the same job on another release.
            job.as_deref().unwrap_or(&baseline),
            Target {
                allow_non_restored_state,
                to_flink: to_flink.as_ref(),
            },
            &loading(&plan, format, verbose),
        ),
        Command::Check {
            savepoint,
            rest,
            baseline: _,
            job,
            to_flink,
            allow_non_restored_state,
            old_job,
            old_plan,
            format,
            verbose,
            plan,
        } => check(
            &savepoint_source(savepoint.as_deref(), &rest),
            job.as_deref(),
            Target {
                allow_non_restored_state,
                to_flink: to_flink.as_ref(),
            },
            OldFiles {
                job: old_job.as_deref(),
                plan: old_plan.as_deref(),
            },
            &loading(&plan, format, verbose),
        ),
        Command::Diff {
            old,
            new,
            allow_non_restored_state,
            format,
            verbose,
            plan,
        } => diff(
            &old,
            &new,
            Target {
                allow_non_restored_state,
                to_flink: None,
            },
            &loading(&plan, format, verbose),
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

/// What names the old savepoint: `--flink-rest` with `--job-id` (clap lets only one of the two
/// ways through), else the path.
enum SavepointArg {
    Path(PathBuf),
    FlinkRest(crate::input::flink_rest::FlinkRest),
}

impl SavepointArg {
    fn source(&self) -> crate::input::SavepointSource<'_> {
        match self {
            SavepointArg::Path(p) => crate::input::SavepointSource::Path(p),
            SavepointArg::FlinkRest(r) => crate::input::SavepointSource::FlinkRest(r),
        }
    }
}

fn savepoint_source(path: Option<&Path>, rest: &RestArgs) -> SavepointArg {
    match (rest.rest(), path) {
        (Some(r), _) => SavepointArg::FlinkRest(r),
        (None, p) => SavepointArg::Path(p.unwrap_or_else(|| Path::new("")).to_path_buf()),
    }
}

fn fail(report: miette::Report) -> ExitCode {
    say!("{report:?}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Prints the config's warnings (each cause once, with a count) and the report, and returns
/// the exit code of the verdict that remains once accepted findings no longer count.
fn finish_prediction(
    report: crate::pipeline::UpgradeReport,
    format: ReportFormat,
    text: &TextOptions,
) -> ExitCode {
    say_warnings(&report.warnings);
    render::emit_prediction(&report.prediction, format, text);
    ExitCode::from(report.prediction.effective_verdict.exit_code())
}

/// Warnings on stderr, one line per distinct warning: a repeat says how often it came.
fn say_warnings(warnings: &[String]) {
    for (warning, count) in report::count_repeats(warnings) {
        if count > 1 {
            say!("spcompat: warning: {warning} ({count} times)");
        } else {
            say!("spcompat: warning: {warning}");
        }
    }
}

/// Reads a savepoint's summary, with a progress bar on stderr when stderr is a terminal and the
/// savepoint references state files (nothing is drawn in CI logs or pipes).
/// `check`, `diff` and `snapshot` never show subtask handles, so none are kept.
fn summarize(sp: &Savepoint) -> Result<SavepointSummary, crate::savepoint::SavepointError> {
    summarize_with(sp, HandleDetail::Omitted)
}

/// As [`summarize`], with the subtask handles at `detail`.
fn summarize_with(
    sp: &Savepoint,
    detail: HandleDetail,
) -> Result<SavepointSummary, crate::savepoint::SavepointError> {
    use std::io::IsTerminal;
    if let Some((url, counters)) = sp.remote_reads() {
        return summarize_remote(sp, detail, &url, &counters);
    }
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

/// A remote savepoint's summary, with a line on stderr counting the bytes and objects read so
/// far, drawn only on a terminal and never in CI (`CI` set).
fn summarize_remote(
    sp: &Savepoint,
    detail: HandleDetail,
    url: &str,
    counters: &crate::savepoint::store::Counters,
) -> Result<SavepointSummary, crate::savepoint::SavepointError> {
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicBool, Ordering};
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return SavepointSummary::build_with(sp, detail, &mut |_, _| {});
    }
    let bar = indicatif::ProgressBar::new(sp.metadata.operators.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} operators, {msg} ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix(format!("reading {url}"));
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    let done = AtomicBool::new(false);
    let message = || {
        let r = counters.reads(url);
        format!(
            "{} in {} object(s)",
            indicatif::HumanBytes(r.bytes_read),
            r.objects_read
        )
    };
    bar.set_message(message());
    let result = std::thread::scope(|scope| {
        // The counters move while the reads run on the store's runtime; a ticker shows them.
        let ticker = scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                bar.set_message(message());
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        let result =
            SavepointSummary::build_with(sp, detail, &mut |d, _| bar.set_position(d as u64));
        done.store(true, Ordering::Relaxed);
        let _ = ticker.join();
        result
    });
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
    report_written(written);
}

/// As [`emit_plain`], for a document written as it is produced (never held whole in memory).
fn emit_streamed(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let written = write(&mut out)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush());
    report_written(written);
}

fn report_written(written: std::io::Result<()>) {
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
