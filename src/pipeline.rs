//! The commands as library calls: loaded inputs ([`crate::input`]) and the config in, the
//! result model out. The CLI parses flags, loads inputs, calls these and hands the result to a
//! renderer; nothing here prints or writes files.

use crate::analysis::lint::LintReport;
use crate::analysis::predict::{UidNames, predict};
use crate::analysis::result::Prediction;
use crate::analysis::sides::{NewSide, OldSide};
use crate::config::Config;
use crate::flink::FlinkVersion;
use crate::input::JobVersion;
use crate::job::{JobGraph, JobGraphError};
use crate::savepoint::inventory::SavepointSummary;

/// What `check` and `diff` compare: the old version (its savepoint, or its job graph standing
/// in for one) and the new version.
pub struct Upgrade<'a> {
    pub old: &'a JobVersion,
    /// The old version's job graph besides its savepoint (`check --old-job/--old-plan`): its
    /// uids name savepoint operators, and SQL jobs get their change in SQL terms.
    pub old_graph: Option<&'a JobGraph>,
    pub new: &'a JobVersion,
    /// As Flink's `--allowNonRestoredState`.
    pub allow_non_restored_state: bool,
    /// `check --to-flink`: the Flink release the new version runs on, whatever its input says.
    pub to_flink: Option<&'a FlinkVersion>,
}

/// The prediction with the config applied, and what the config got wrong.
pub struct UpgradeReport {
    pub prediction: Prediction,
    /// Warnings for stderr: e.g. an `[[accept]]` that matches no finding.
    pub warnings: Vec<String>,
}

/// `check` and `diff`: what Flink does when the new version starts from the old one's state.
pub fn predict_upgrade(u: &Upgrade<'_>, config: &Config) -> Result<UpgradeReport, JobGraphError> {
    let old = match u.old {
        JobVersion::Graph { graph, origin } => OldSide::from_job_graph(graph, origin)?,
        JobVersion::Savepoint(s) => OldSide::from_savepoint(s),
    };
    let mut new = match u.new {
        JobVersion::Graph { graph, origin } => NewSide::from_job_graph(graph, origin)?,
        JobVersion::Savepoint(s) => NewSide::from_canary_savepoint(s),
    };
    if let (Some(_), JobVersion::Savepoint(old), JobVersion::Savepoint(standing_in)) =
        (u.to_flink, u.old, u.new)
    {
        new.stands_in_for_old = old.path == standing_in.path;
    }
    if let Some(target) = u.to_flink {
        new.flink_version = Some(target.clone());
        if let Some(old_graph) = u.old_graph {
            crate::analysis::match_ids::settle_with_old_job(&old, &mut new, old_graph);
            crate::analysis::plan_uids::settle_with_old_job(&old, &mut new, old_graph);
        }
        new.origin = format!("{}, on Flink {}", new.origin, target.as_str());
    }
    // Uids known from any version name the savepoint operators whose format stores none.
    let mut uids: Vec<String> = Vec::new();
    uids.extend(u.old.graph().into_iter().flat_map(graph_uids));
    match u.new {
        JobVersion::Graph { graph, .. } => uids.extend(graph_uids(graph)),
        JobVersion::Savepoint(s) => {
            uids.extend(s.operators.iter().filter_map(|o| o.uid.clone()));
        }
    }
    uids.extend(u.old_graph.into_iter().flat_map(graph_uids));
    let mut prediction = predict(&old, &new, u.allow_non_restored_state, &UidNames::new(uids));
    prediction.to_flink = u.to_flink.map(|v| v.as_str().to_string());
    sql_findings(
        &mut prediction,
        u.old_graph.or(u.old.graph()),
        u.new.graph(),
    );
    if let (Some(old), Some(new)) = (u.old_graph.or(u.old.graph()), u.new.graph()) {
        crate::analysis::windows::annotate(&mut prediction, old, new);
    }
    if let (Some(target), Some(new)) = (u.to_flink, u.new.graph()) {
        crate::analysis::sql::primary_key_names(&mut prediction, new, target);
    }
    if let JobVersion::Savepoint(s) = u.old {
        prediction.source = s.source.clone();
        prediction.picked = s.picked.clone();
        if let Some(reason) = &s.metadata_only {
            prediction.state_not_examined =
                crate::analysis::result::NotCompared::not_examined(&prediction.operators, reason);
            // The old states of these operators are unknown, so "this state is new" would be
            // a guess: say nothing rather than that it starts empty.
            for op in &mut prediction.operators {
                if prediction
                    .state_not_examined
                    .iter()
                    .any(|n| n.operator_id == op.operator_id)
                {
                    op.reasons
                        .retain(|r| !r.is(&crate::analysis::rules::STATE_ADDED));
                }
            }
            prediction.metadata_only = Some(reason.clone());
        }
    }
    config.apply_to_prediction(&mut prediction);
    let warnings = config
        .unmatched_acceptances(&prediction)
        .into_iter()
        .map(|a| {
            format!(
                "{}: [[accept]] of `{}` for `{}` matches no finding of this report",
                config
                    .path
                    .as_deref()
                    .unwrap_or(std::path::Path::new(crate::config::FILE_NAME))
                    .display(),
                a.rule,
                a.operator
            )
        })
        .collect();
    Ok(UpgradeReport {
        prediction,
        warnings,
    })
}

fn graph_uids(graph: &JobGraph) -> impl Iterator<Item = String> + '_ {
    graph.operators.iter().filter_map(|o| o.uid.clone())
}

/// SQL jobs: the change in SQL terms when both versions' graphs are known, else what the new
/// version alone says about moved IDs.
fn sql_findings(prediction: &mut Prediction, old: Option<&JobGraph>, new: Option<&JobGraph>) {
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

/// `lint`: findings on one job version alone, with the config's acceptances and severities.
pub fn lint(graph: &JobGraph, origin: &str, config: &Config) -> LintReport {
    let mut report = crate::analysis::lint::lint(graph, origin);
    config.apply_to_lint(&mut report);
    report
}

/// `inspect`: the savepoint's summary, its operators named by the uids of `uid_graphs` where
/// the format stores none.
pub fn inspect(mut summary: SavepointSummary, uid_graphs: &[JobGraph]) -> SavepointSummary {
    let names = UidNames::new(uid_graphs.iter().flat_map(graph_uids));
    for op in &mut summary.operators {
        if op.uid.is_none() {
            op.inferred_uid = names.lookup(op.operator_id).map(str::to_string);
        }
    }
    summary
}
