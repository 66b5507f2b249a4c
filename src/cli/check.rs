//! `check` and `diff`: load both versions, predict the restore, name SQL changes.

use std::path::Path;
use std::process::ExitCode;

use super::{ReportFormat, fail, finish_prediction, summarize};
use crate::analysis::predict::{UidNames, predict};
use crate::analysis::sides::{NewSide, OldSide};
use crate::input::{JobInput, load_job_input_with};
use crate::job::JobGraph;
use crate::job::plan::PlanOptions;
use crate::savepoint::Savepoint;
use crate::savepoint::access::SavepointAccess;

/// What `check` knows about the old version besides its savepoint.
pub struct OldVersion<'a> {
    pub job: Option<&'a Path>,
    pub plan: Option<&'a Path>,
    pub options: PlanOptions,
    pub access: &'a SavepointAccess,
}

impl OldVersion<'_> {
    /// The old version's graph: `--old-job` (a job graph or plan), enriched with `--old-plan`
    /// when both are given.
    fn graph(&self) -> Result<Option<JobGraph>, crate::input::InputError> {
        use crate::job::plan::{enrich_job_graph, load_plan};
        let as_graph = |path: &Path| match load_job_input_with(path, &self.options, self.access)? {
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

pub(super) fn check(
    savepoint: &Path,
    job: &Path,
    allow_non_restored_state: bool,
    old_version: OldVersion<'_>,
    format: ReportFormat,
    config: &crate::config::Config,
) -> ExitCode {
    if let Err(e) = super::hints::check_savepoint_arg(savepoint) {
        return fail(e.into());
    }
    let access = old_version.access;
    let old = match Savepoint::open_with(savepoint, access).and_then(|sp| summarize(&sp)) {
        Ok(s) => OldSide::from_savepoint(&s),
        Err(e) => return fail(e.into()),
    };
    let mut uids: Vec<String> = Vec::new();
    let (new, new_graph) = match load_new(job, &old_version.options, access, &mut uids) {
        Ok(loaded) => loaded,
        Err(e) => return fail(e),
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
    prediction: &mut crate::analysis::result::Prediction,
    old: Option<&JobGraph>,
    new: Option<&JobGraph>,
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

pub(super) fn diff(
    old_path: &Path,
    new_path: &Path,
    allow_non_restored_state: bool,
    options: &PlanOptions,
    access: &SavepointAccess,
    format: ReportFormat,
    config: &crate::config::Config,
) -> ExitCode {
    let mut uids: Vec<String> = Vec::new();
    let loaded = load_old(old_path, options, access, &mut uids)
        .and_then(|old| Ok((old, load_new(new_path, options, access, &mut uids)?)));
    let ((old, old_graph), (new, new_graph)) = match loaded {
        Ok(sides) => sides,
        Err(e) => return fail(e),
    };
    let mut prediction = predict(&old, &new, allow_non_restored_state, &UidNames::new(uids));
    sql_findings(&mut prediction, old_graph.as_ref(), new_graph.as_ref());
    finish_prediction(&mut prediction, format, config)
}

/// The old version from a job graph (or plan) or a savepoint; its uids go to `uids`.
fn load_old(
    path: &Path,
    options: &PlanOptions,
    access: &SavepointAccess,
    uids: &mut Vec<String>,
) -> Result<(OldSide, Option<JobGraph>), miette::Report> {
    super::hints::check_folder(path)?;
    match load_job_input_with(path, options, access)? {
        JobInput::JobGraph(g) => {
            uids.extend(g.operators.iter().filter_map(|o| o.uid.clone()));
            let side = OldSide::from_job_graph(&g, &path.display().to_string())?;
            Ok((side, Some(g)))
        }
        JobInput::Savepoint(sp) => Ok((OldSide::from_savepoint(&summarize(&sp)?), None)),
    }
}

/// The new version from a job graph (or plan) or a canary savepoint; its uids go to `uids`.
fn load_new(
    path: &Path,
    options: &PlanOptions,
    access: &SavepointAccess,
    uids: &mut Vec<String>,
) -> Result<(NewSide, Option<JobGraph>), miette::Report> {
    super::hints::check_folder(path)?;
    match load_job_input_with(path, options, access)? {
        JobInput::JobGraph(g) => {
            uids.extend(g.operators.iter().filter_map(|o| o.uid.clone()));
            let side = NewSide::from_job_graph(&g, &path.display().to_string())?;
            Ok((side, Some(g)))
        }
        JobInput::Savepoint(sp) => {
            let s = summarize(&sp)?;
            uids.extend(s.operators.iter().filter_map(|o| o.uid.clone()));
            Ok((NewSide::from_canary_savepoint(&s), None))
        }
    }
}
