//! `check`, `diff` and `lint`: load the inputs, call the library's pipeline, render.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{ReportFormat, fail, finish_prediction, summarize};
use crate::flink::FlinkVersion;
use crate::input::{JobVersion, load_graph, load_old_graph, load_savepoint_from, load_version};
use crate::job::plan::PlanOptions;
use crate::pipeline::{Upgrade, predict_upgrade};
use crate::report::TextOptions;
use crate::savepoint::access::SavepointAccess;

/// How the inputs of `check` and `diff` are read, and how the report is written.
pub struct Loading<'a> {
    pub options: PlanOptions,
    pub access: &'a SavepointAccess,
    pub config: &'a crate::config::Config,
    pub format: ReportFormat,
    pub text: TextOptions,
}

/// What `check` knows about the old version besides its savepoint.
pub struct OldFiles<'a> {
    pub job: Option<&'a Path>,
    pub plan: Option<&'a Path>,
}

/// How the new version is started: Flink's flag, and the release it runs on when given.
pub struct Target<'a> {
    pub allow_non_restored_state: bool,
    pub to_flink: Option<&'a FlinkVersion>,
}

impl Target<'_> {
    /// How a compiled plan given as the new version runs: on the `--to-flink` release, unless
    /// `--flink` names one (its uids, and so its operator IDs, follow the release that runs it).
    fn new_plan_options(&self, options: &PlanOptions) -> PlanOptions {
        let mut options = options.clone();
        if options.flink_version.is_none() {
            options.flink_version = self.to_flink.map(|v| v.as_str().to_string());
        }
        options
    }
}

pub(super) fn check(
    savepoint: &super::SavepointArg,
    job: Option<&Path>,
    target: Target<'_>,
    old_files: OldFiles<'_>,
    how: &Loading<'_>,
) -> ExitCode {
    // The two inputs are independent: the new version loads on another thread while the
    // savepoint is read (a wide job's graph takes a third as long as its savepoint). The
    // savepoint's error, when both fail, is the one reported.
    let new_options = target.new_plan_options(&how.options);
    let load_new = |job: &Path| load_version(job, &new_options, how.access, &summarize);
    let (old, new) = std::thread::scope(|scope| {
        let pending = job.map(|job| {
            std::thread::Builder::new()
                .spawn_scoped(scope, move || load_new(job))
                .map_err(|_| job)
        });
        let old = load_savepoint_from(savepoint.source(), how.access, &summarize);
        let new = pending.map(|p| match p {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(job) => load_new(job),
        });
        (old, new)
    });
    let old = match old {
        Ok(s) => {
            if let Some(p) = &s.picked {
                say!("{}", p.note());
            }
            JobVersion::Savepoint(Box::new(s))
        }
        Err(e) => return fail(e.into()),
    };
    let new = match new {
        Some(Ok(v)) => v,
        Some(Err(e)) => return fail(e.into()),
        // `--to-flink` alone: the savepoint's own operators stand in for the new job.
        None => old.clone(),
    };
    let old_graph = match load_old_graph(old_files.job, old_files.plan, &how.options, how.access) {
        Ok(g) => g,
        Err(e) => return fail(e.into()),
    };
    predict_and_report(
        &Upgrade {
            old: &old,
            old_graph: old_graph.as_ref(),
            new: &new,
            allow_non_restored_state: target.allow_non_restored_state,
            to_flink: target.to_flink,
        },
        how,
    )
}

pub(super) fn diff(
    old_path: &Path,
    new_path: &Path,
    target: Target<'_>,
    how: &Loading<'_>,
) -> ExitCode {
    let new_options = target.new_plan_options(&how.options);
    let load = |path, options| load_version(path, options, how.access, &summarize);
    let loaded =
        load(old_path, &how.options).and_then(|old| Ok((old, load(new_path, &new_options)?)));
    let (old, new) = match loaded {
        Ok(sides) => sides,
        Err(e) => return fail(e.into()),
    };
    predict_and_report(
        &Upgrade {
            old: &old,
            old_graph: None,
            new: &new,
            allow_non_restored_state: target.allow_non_restored_state,
            to_flink: target.to_flink,
        },
        how,
    )
}

fn predict_and_report(upgrade: &Upgrade<'_>, how: &Loading<'_>) -> ExitCode {
    match predict_upgrade(upgrade, how.config) {
        Ok(report) => finish_prediction(report, how.format, &how.text),
        Err(e) => fail(e.into()),
    }
}

/// Lints every file; the worst exit wins (2 unusable input, then 1 findings, then 0).
pub(super) fn lint(
    files: &[PathBuf],
    format: ReportFormat,
    config: &crate::config::Config,
) -> ExitCode {
    files
        .iter()
        .map(|j| lint_one(j, format, config))
        .max_by_key(|c| exit_rank(*c))
        .unwrap_or(ExitCode::SUCCESS)
}

fn lint_one(job: &Path, format: ReportFormat, config: &crate::config::Config) -> ExitCode {
    let graph = match load_graph(job) {
        Ok(g) => g,
        Err(e) => return fail(e.into()),
    };
    let report = crate::pipeline::lint(&graph, &job.display().to_string(), config);
    super::render::emit_lint(&report, format);
    ExitCode::from(u8::from(report.has_errors()))
}

fn exit_rank(code: ExitCode) -> u8 {
    if code == ExitCode::from(super::EXIT_BAD_INPUT) {
        2
    } else if code == ExitCode::SUCCESS {
        0
    } else {
        1
    }
}
