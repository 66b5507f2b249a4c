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
    /// When to color text output; `NO_COLOR` and non-terminals turn color off in `auto`.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
    /// Accepted findings and severity overrides; default: the nearest `spcompat.toml` in the
    /// working directory or above.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
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
        #[arg(long, value_name = "SAVEPOINT", required_unless_present = "baseline")]
        savepoint: Option<PathBuf>,
        /// A committed baseline (`spcompat snapshot`) standing in for the savepoint, as the old
        /// side of `diff`.
        #[arg(long, value_name = "FILE", conflicts_with = "savepoint")]
        baseline: Option<PathBuf>,
        /// The new version: a job-graph file, or a savepoint of the new version (canary run).
        #[arg(long, value_name = "NEW")]
        job: PathBuf,
        /// As Flink's --allowNonRestoredState: state with no operator in the new job is dropped.
        #[arg(short = 'n', long = "allow-non-restored-state")]
        allow_non_restored_state: bool,
        /// The old version's job-graph (or compiled plan), used to name savepoint operators by
        /// their uids; for SQL jobs the report also names the change in SQL terms.
        #[arg(long, value_name = "FILE")]
        old_job: Option<PathBuf>,
        /// The old version's compiled plan (SQL jobs): as --old-job, from the plan.
        #[arg(long, value_name = "FILE")]
        old_plan: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        plan: PlanArgs,
    },
    /// Explain a rule: what Flink does, its error message, and the fix. Lists all rules
    /// without an argument.
    Explain {
        /// A rule id such as `unmapped-state`.
        rule: Option<String>,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Findings on one job version alone, with no savepoint (e.g. a stateful operator
    /// without a uid). Exit 1 when a finding is at error level.
    Lint {
        /// The job-graph file (repeatable).
        #[arg(long, value_name = "FILE")]
        job: Vec<PathBuf>,
        /// More job-graph files (as pre-commit passes them).
        #[arg(value_name = "FILES")]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Write a baseline (a job-graph file with operator IDs, uids, states, types, key types
    /// and max parallelism) of a savepoint or job version, to commit for pre-commit checks.
    Snapshot {
        /// A savepoint, or a job-graph file.
        input: PathBuf,
        /// Output file; `.yaml`/`.yml` writes YAML, anything else JSON. Default: stdout (YAML).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Predict, with no savepoint, what Flink does when NEW starts from a savepoint of OLD:
    /// OLD's operators that declare state stand in for the savepoint. Same report and exit
    /// codes as `check`.
    Diff {
        /// The old version: a job-graph file (or baseline) or a compiled plan.
        old: PathBuf,
        /// The new version: a job-graph file or a compiled plan.
        new: PathBuf,
        /// As Flink's --allowNonRestoredState: state with no operator in the new job is dropped.
        #[arg(short = 'n', long = "allow-non-restored-state")]
        allow_non_restored_state: bool,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        plan: PlanArgs,
    },
    /// Export the job graph (with the operator IDs Flink computes) and the compiled plan of a
    /// Flink SQL script (SET, CREATE TABLE, INSERT INTO, EXECUTE STATEMENT SET, COMPILE PLAN /
    /// EXECUTE PLAN), using the released jars of a Flink version. Needs java and javac (17).
    ExportSql {
        /// The SQL script.
        script: PathBuf,
        /// The Flink version to build the job with, e.g. 1.20.3 or 2.3.0.
        #[arg(long, value_name = "VERSION")]
        flink: String,
        /// The job-graph file to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Also write the script's compiled plan here.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// The job runs from its compiled plan (as COMPILE PLAN + EXECUTE PLAN), even if the
        /// script does not say so.
        #[arg(long)]
        from_plan: bool,
        /// Default parallelism of the job (`parallelism.default` in the script wins).
        #[arg(long, value_name = "N")]
        parallelism: Option<u32>,
        /// Skip the JVM: FILE is the helper's job graph (with the plan at --plan); only add
        /// the plan's SQL description and state (used by the case generator).
        #[arg(long, value_name = "FILE", hide = true, requires = "plan")]
        exported: Option<PathBuf>,
    },
}

/// How compiled plans given as OLD or NEW are run (plans record neither the Flink version
/// that runs them nor parallelism).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PlanArgs {
    /// Compiled plans: the Flink version that runs them (their uids follow it); default: the
    /// plan's `flinkVersion`.
    #[arg(long = "flink", value_name = "VERSION")]
    pub flink: Option<String>,
    /// Compiled plans: the job's default parallelism; default 1 (operator IDs from uids do not
    /// depend on it).
    #[arg(long, value_name = "N")]
    pub parallelism: Option<u32>,
    /// Compiled plans: a job option as SET gives it, e.g. `table.exec.uid.generation=DISABLED`
    /// or `table.exec.state.ttl=1 h` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl PlanArgs {
    pub fn options(&self) -> crate::job::plan::PlanOptions {
        crate::job::plan::PlanOptions {
            flink_version: self.flink.clone(),
            parallelism: self.parallelism,
            config: self
                .set
                .iter()
                .filter_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    let unquote = |x: &str| x.trim().trim_matches(['\'', '"']).to_string();
                    Some((unquote(k), unquote(v)))
                })
                .collect(),
        }
    }
}

/// Shells `completions` can write scripts for.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Output formats of `check`, `diff` and `lint`. The exit code never depends on the format.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// For people: verdict first, operators grouped by status.
    Text,
    /// The stable report of the CLI contract.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML, one test case per operator.
    Junit,
    /// GitHub Actions annotations plus a job summary.
    Github,
    /// A Markdown PR comment.
    Markdown,
}

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
                eprintln!("spcompat lint: give a job-graph file with --job FILE");
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
                eprintln!("spcompat: cannot render the man page: {e}");
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
    eprintln!("{report:?}");
    ExitCode::from(EXIT_BAD_INPUT)
}

fn inspect(path: &Path, format: Format, uid_files: &[PathBuf]) -> ExitCode {
    let mut summary = match Savepoint::open(path).and_then(|sp| summarize(&sp)) {
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

/// What `check` knows about the old version besides its savepoint.
pub struct OldVersion<'a> {
    pub job: Option<&'a Path>,
    pub plan: Option<&'a Path>,
    pub options: crate::job::plan::PlanOptions,
}

impl OldVersion<'_> {
    /// The old version's graph: `--old-job` (a job graph or plan), enriched with `--old-plan`
    /// when both are given.
    fn graph(&self) -> Result<Option<crate::job::JobGraph>, crate::input::InputError> {
        use crate::input::load_job_input_with;
        use crate::job::plan::{enrich_job_graph, load_plan};
        let as_graph = |path: &Path| match load_job_input_with(path, &self.options)? {
            JobInput::JobGraph(g) => Ok(Some(g)),
            JobInput::Savepoint(_) => Ok(None),
        };
        match (self.job, self.plan) {
            (Some(job), Some(plan)) => {
                let mut g = as_graph(job)?;
                if let Some(g) = g.as_mut() {
                    let plan = load_plan(plan)?;
                    enrich_job_graph(g, &plan, &self.options);
                }
                Ok(g)
            }
            (Some(path), None) | (None, Some(path)) => as_graph(path),
            (None, None) => Ok(None),
        }
    }
}

fn check(
    savepoint: &Path,
    job: &Path,
    allow_non_restored_state: bool,
    old_version: OldVersion<'_>,
    format: ReportFormat,
    config: &crate::config::Config,
) -> ExitCode {
    let old = match Savepoint::open(savepoint).and_then(|sp| summarize(&sp)) {
        Ok(s) => OldSide::from_savepoint(&s),
        Err(e) => return fail(e.into()),
    };
    let mut uids: Vec<String> = Vec::new();
    let mut new_graph = None;
    let new = match crate::input::load_job_input_with(job, &old_version.options) {
        Ok(JobInput::JobGraph(graph)) => {
            uids.extend(graph.operators.iter().filter_map(|o| o.uid.clone()));
            let side = match NewSide::from_job_graph(&graph, &job.display().to_string()) {
                Ok(n) => n,
                Err(e) => return fail(e.into()),
            };
            new_graph = Some(graph);
            side
        }
        Ok(JobInput::Savepoint(sp)) => match summarize(&sp) {
            Ok(s) => {
                uids.extend(s.operators.iter().filter_map(|o| o.uid.clone()));
                NewSide::from_canary_savepoint(&s)
            }
            Err(e) => return fail(e.into()),
        },
        Err(e) => return fail(e.into()),
    };
    let old_graph = match old_version.graph() {
        Ok(g) => g,
        Err(e) => return fail(e.into()),
    };
    if let Some(g) = &old_graph {
        uids.extend(g.operators.iter().filter_map(|o| o.uid.clone()));
    }
    let mut prediction = predict(&old, &new, allow_non_restored_state, &UidNames::new(uids));
    sql_findings(&mut prediction, old_graph.as_ref(), new_graph.as_ref());
    finish_prediction(&mut prediction, format, config)
}

/// SQL jobs: the change in SQL terms when both versions are known, else what the new
/// version alone says about moved IDs.
fn sql_findings(
    prediction: &mut crate::analysis::restore::Prediction,
    old: Option<&crate::job::JobGraph>,
    new: Option<&crate::job::JobGraph>,
) {
    use crate::analysis::sql;
    match (old, new) {
        (Some(old), Some(new)) => {
            if let Some(report) = sql::analyze(old, new) {
                sql::annotate(prediction, report);
            }
        }
        (None, Some(new)) => sql::annotate_new_only(prediction, new),
        _ => {}
    }
}

fn diff(
    old_path: &Path,
    new_path: &Path,
    allow_non_restored_state: bool,
    options: &crate::job::plan::PlanOptions,
    format: ReportFormat,
    config: &crate::config::Config,
) -> ExitCode {
    use crate::input::load_job_input_with;
    let mut uids: Vec<String> = Vec::new();
    let (old, old_graph) = match load_job_input_with(old_path, options) {
        Ok(JobInput::JobGraph(g)) => {
            uids.extend(g.operators.iter().filter_map(|o| o.uid.clone()));
            match OldSide::from_job_graph(&g, &old_path.display().to_string()) {
                Ok(side) => (side, Some(g)),
                Err(e) => return fail(e.into()),
            }
        }
        Ok(JobInput::Savepoint(sp)) => match summarize(&sp) {
            Ok(s) => (OldSide::from_savepoint(&s), None),
            Err(e) => return fail(e.into()),
        },
        Err(e) => return fail(e.into()),
    };
    let (new, new_graph) = match load_job_input_with(new_path, options) {
        Ok(JobInput::JobGraph(g)) => {
            uids.extend(g.operators.iter().filter_map(|o| o.uid.clone()));
            match NewSide::from_job_graph(&g, &new_path.display().to_string()) {
                Ok(side) => (side, Some(g)),
                Err(e) => return fail(e.into()),
            }
        }
        Ok(JobInput::Savepoint(sp)) => match summarize(&sp) {
            Ok(s) => (NewSide::from_canary_savepoint(&s), None),
            Err(e) => return fail(e.into()),
        },
        Err(e) => return fail(e.into()),
    };
    let mut prediction = predict(&old, &new, allow_non_restored_state, &UidNames::new(uids));
    sql_findings(&mut prediction, old_graph.as_ref(), new_graph.as_ref());
    finish_prediction(&mut prediction, format, config)
}

fn export_sql(req: crate::job::export_sql::ExportRequest) -> ExitCode {
    match crate::job::export_sql::export_sql(&req) {
        Ok(done) => {
            eprintln!(
                "wrote {} ({} operators, {} with state){}",
                done.output.display(),
                done.operators,
                done.with_state,
                done.plan
                    .map(|p| format!(" and {}", p.display()))
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e.into()),
    }
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

fn lint(job: &Path, format: ReportFormat, config: &crate::config::Config) -> ExitCode {
    let graph = match load_job_graph(job) {
        Ok(g) => g,
        Err(e) => return fail(e.into()),
    };
    let mut report = crate::analysis::lint::lint(&graph, &job.display().to_string());
    config.apply_to_lint(&mut report);
    let out = match format {
        ReportFormat::Text => report::lint::render_text(&report),
        ReportFormat::Json => report::lint::render_json(&report),
        ReportFormat::Sarif => report::lint::render_sarif(&report),
        ReportFormat::Junit => report::lint::render_junit(&report),
        ReportFormat::Github => report::lint::render_github(&report),
        ReportFormat::Markdown => report::lint::render_markdown(&report),
    };
    emit(&out);
    ExitCode::from(u8::from(report.has_errors()))
}

fn snapshot(input: &Path, output: Option<&Path>) -> ExitCode {
    use crate::analysis::baseline;
    let graph = match load_job_input(input) {
        Ok(JobInput::Savepoint(sp)) => match summarize(&sp) {
            Ok(s) => baseline::from_savepoint(&s),
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
            if let Err(source) = std::fs::write(path, text) {
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

fn explain(rule: Option<&str>) -> ExitCode {
    use crate::analysis::rules;
    match rule {
        None => {
            let rows: Vec<Vec<String>> = rules::ALL
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.severity.as_str().to_string(),
                        r.title.to_string(),
                    ]
                })
                .collect();
            emit(&report::table(&rows, ""));
            ExitCode::SUCCESS
        }
        Some(id) => match rules::find(id) {
            Some(r) => {
                emit(r.doc);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!(
                    "spcompat: no rule `{id}`; `spcompat explain` lists the {} rules",
                    rules::ALL.len()
                );
                ExitCode::from(EXIT_BAD_INPUT)
            }
        },
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
