//! The clap definition of the command line: commands, their arguments and output formats.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::flink::FlinkVersion;

#[derive(Parser, Debug)]
#[command(
    name = "spcompat",
    version,
    long_version = LONG_VERSION,
    after_help = EXIT_CODES,
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
    /// A folder outside the savepoint that its state handles may point into (repeatable).
    /// Without it, state files are read only inside the savepoint folder and, for a retained
    /// checkpoint, the job's `shared/` and `taskowned/` folders.
    #[arg(long, value_name = "DIR", global = true)]
    pub allow_outside: Vec<PathBuf>,
    /// Judge savepoints from `_metadata` alone: no state file is read (state inline in
    /// `_metadata` still is), and the report names the state that was not examined. Also
    /// chosen automatically when the savepoint folder holds nothing but `_metadata`.
    #[arg(long, global = true)]
    pub metadata_only: bool,
    /// SARIF and GitLab code quality paths are relative to this folder (the repository root); default:
    /// `GITHUB_WORKSPACE`, then `CI_PROJECT_DIR`, then the working directory.
    #[arg(long, value_name = "DIR", global = true)]
    pub root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// `--version`: what this build knows how to read.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nsavepoints and retained checkpoints: Flink 1.11 to 2.3 (`_metadata` versions 2 to 7)",
    "\ncompiled plans (--flink): Flink 1.15, 1.16, 1.17, 1.18, 1.19, 1.20, 2.0, 2.1, 2.2, 2.3",
);

/// Exit codes, shown at the end of `--help`.
pub const EXIT_CODES: &str = "Exit codes (check, diff):\n  0  restores: every piece of state is restored\n  1  fails: Flink refuses the savepoint or the restore fails (lint: a finding at error level)\n  2  the input could not be used (unreadable, corrupt, unknown format, bad usage)\n  3  restores with state loss: start the job with --allowNonRestoredState (-n)";

/// Minor versions whose compiled plans `--flink` can translate.
pub const PLAN_FLINK_VERSIONS: [&str; 10] = [
    "1.15", "1.16", "1.17", "1.18", "1.19", "1.20", "2.0", "2.1", "2.2", "2.3",
];

fn parse_flink_version(v: &str) -> Result<String, String> {
    let known = crate::job::plan::version_pair(v).is_some_and(|(major, minor)| {
        PLAN_FLINK_VERSIONS.contains(&format!("{major}.{minor}").as_str())
    });
    if known {
        Ok(v.to_string())
    } else {
        Err(format!(
            "unknown Flink version `{v}`; known: {}",
            PLAN_FLINK_VERSIONS.join(", ")
        ))
    }
}

fn parse_set(kv: &str) -> Result<String, String> {
    match kv.split_once('=') {
        Some((k, _)) if !k.trim().is_empty() => Ok(kv.to_string()),
        _ => Err(format!(
            "`{kv}` is not KEY=VALUE (e.g. `table.exec.state.ttl=1 h`)"
        )),
    }
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
        /// Savepoint or retained-checkpoint directory, or its `_metadata` file (or a URL, a job's
        /// checkpoint folder, a Flink operator resource).
        #[arg(required_unless_present = "flink_rest", conflicts_with = "flink_rest")]
        savepoint: Option<PathBuf>,
        #[command(flatten)]
        rest: RestArgs,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// A job-graph file or compiled plan whose uids name the savepoint's operators (for
        /// savepoints that do not store uids: metadata version < 5).
        #[arg(long, value_name = "FILE")]
        uids: Vec<PathBuf>,
        /// JSON: every subtask's state handles whole, with each key group's stream offset
        /// (by default key-group offsets are counted, not listed).
        #[arg(long)]
        all_handles: bool,
        /// Text report: also what is left out as noise (per-operator marks of inferred uids,
        /// timer queues, undecoded empty enumerator state, each repeat of a warning).
        #[arg(short, long)]
        verbose: bool,
    },
    /// Predict what Flink does when NEW is started from SAVEPOINT.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// The old version's savepoint or retained checkpoint (Flink's `-s`/`--fromSavepoint`
        /// spellings work too).
        #[arg(
            short = 's',
            long,
            visible_alias = "fromSavepoint",
            value_name = "SAVEPOINT",
            required_unless_present_any = ["baseline", "flink_rest"],
            conflicts_with = "flink_rest"
        )]
        savepoint: Option<PathBuf>,
        #[command(flatten)]
        rest: RestArgs,
        /// A committed baseline (`spcompat snapshot`) standing in for the savepoint, as the old
        /// side of `diff`.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["savepoint", "flink_rest"])]
        baseline: Option<PathBuf>,
        /// The new version, recognised from its content: a job-graph file (JSON or YAML, e.g.
        /// from `export-sql` or `snapshot`), a baseline, a Flink SQL compiled plan (COMPILE PLAN
        /// JSON), or a savepoint of the new version (canary run: folder or `_metadata`).
        #[arg(long, value_name = "NEW", required_unless_present = "to_flink")]
        job: Option<PathBuf>,
        /// The Flink release the new version runs on (`2.3` or `2.3.0`). Without --job: the
        /// same job (the savepoint's own operators and state types) restored on that release,
        /// e.g. before a 1.x -> 2.x upgrade. With --job: overrides the release its file gives
        /// (a compiled plan is translated as that release runs it, unless --flink says).
        #[arg(long, value_name = "VERSION", value_parser = parse_release)]
        to_flink: Option<FlinkVersion>,
        /// As Flink's --allowNonRestoredState: state with no operator in the new job is dropped.
        #[arg(
            short = 'n',
            long = "allow-non-restored-state",
            visible_alias = "allowNonRestoredState"
        )]
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
        /// Text report: also what is left out as noise (per-operator marks of inferred uids,
        /// timer queues, undecoded empty enumerator state, each repeat of a warning).
        #[arg(short, long)]
        verbose: bool,
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
        #[arg(required_unless_present = "flink_rest", conflicts_with = "flink_rest")]
        input: Option<PathBuf>,
        #[command(flatten)]
        rest: RestArgs,
        /// Output file; `.yaml`/`.yml` writes YAML, anything else JSON. Default: stdout (YAML).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Predict, with no savepoint, what Flink does when NEW starts from a savepoint of OLD:
    /// OLD's operators that declare state stand in for the savepoint. Same report and exit
    /// codes as `check`.
    #[command(after_help = EXIT_CODES)]
    Diff {
        /// The old version: a job-graph file (or baseline) or a compiled plan.
        old: PathBuf,
        /// The new version: a job-graph file or a compiled plan.
        new: PathBuf,
        /// As Flink's --allowNonRestoredState: state with no operator in the new job is dropped.
        #[arg(
            short = 'n',
            long = "allow-non-restored-state",
            visible_alias = "allowNonRestoredState"
        )]
        allow_non_restored_state: bool,
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Text report: also what is left out as noise (per-operator marks of inferred uids,
        /// timer queues, undecoded empty enumerator state, each repeat of a warning).
        #[arg(short, long)]
        verbose: bool,
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
    /// The job graph, with each operator's registered state, of a DataStream (or mixed
    /// DataStream/Table) job jar: its main() runs until `execute`, which hands over the
    /// pipeline; the state is captured on a local MiniCluster with idle sources before any
    /// record flows. Needs java and javac (17).
    ExportJob {
        /// The job jar.
        #[arg(long, value_name = "JAR")]
        jar: PathBuf,
        /// The main class (default: the manifest's Main-Class).
        #[arg(long = "class", value_name = "MAIN")]
        main_class: Option<String>,
        /// The Flink version to run the job with, e.g. 1.20.3 or 2.3.0.
        #[arg(long, value_name = "VERSION", default_value = crate::job::export_job::DEFAULT_FLINK)]
        flink: String,
        /// The job-graph file to write (default: standard output).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Arguments for the job's main(), after `--`.
        #[arg(last = true, value_name = "JOB_ARGS")]
        args: Vec<String>,
    },
}

/// How compiled plans given as OLD or NEW are run (plans record neither the Flink version
/// that runs them nor parallelism).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PlanArgs {
    /// Compiled plans: the Flink version that runs them (their uids follow it); default: the
    /// plan's `flinkVersion`.
    #[arg(long = "flink", value_name = "VERSION", value_parser = parse_flink_version)]
    pub flink: Option<String>,
    /// Compiled plans: the job's default parallelism; default 1 (operator IDs from uids do not
    /// depend on it).
    #[arg(long, value_name = "N")]
    pub parallelism: Option<u32>,
    /// Compiled plans: a job option as SET gives it, e.g. `table.exec.uid.generation=DISABLED`
    /// or `table.exec.state.ttl=1 h` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_set)]
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

/// A running cluster's newest checkpoint or savepoint of a job, in place of a savepoint path.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RestArgs {
    /// Read the newest completed checkpoint or savepoint of --job-id that a running Flink
    /// cluster reports (its REST address, e.g. http://jobmanager:8081; Flink 1.15 to 2.3).
    #[arg(long, value_name = "URL", requires = "job_id")]
    pub flink_rest: Option<String>,
    /// The job --flink-rest asks about (32 hexadecimal digits, as `flink list` shows).
    #[arg(long, value_name = "ID", requires = "flink_rest")]
    pub job_id: Option<String>,
}

impl RestArgs {
    pub fn rest(&self) -> Option<crate::input::flink_rest::FlinkRest> {
        Some(crate::input::flink_rest::FlinkRest {
            url: self.flink_rest.clone()?,
            job_id: self.job_id.clone()?,
        })
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
    /// GitLab code quality JSON (a CI job's `codequality` report).
    #[value(alias = "codequality")]
    Gitlab,
}

/// A Flink release line or release (`2.3`, `2.3.0`): `--to-flink` names one release.
fn parse_release(text: &str) -> Result<FlinkVersion, String> {
    let version = FlinkVersion::new(text.trim());
    match version.range() {
        Some(r) if r.low == r.high && r.low.major >= 1 => Ok(version),
        _ => Err(format!(
            "`{text}` names no Flink release: give a release line such as 2.3 or a release such as 2.3.0"
        )),
    }
}
