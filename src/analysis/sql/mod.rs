//! SQL jobs: names the change between two versions of an SQL job in SQL terms.
//!
//! Both versions are job graphs whose operators carry the `sql` extension (compiled plans
//! converted by [`crate::job::plan`], or graphs written by `spcompat export-sql`). Operators of
//! the old and the new version are paired by what they are in the query (ExecNode kind, the
//! tables they read and write, their grouping and aggregates), not by ID, so that the report can
//! say *why* an ID moved or a state no longer fits:
//!
//! - `GROUP BY k -> GROUP BY k, g` ([`rules::SQL_GROUP_KEY_CHANGED`]): a group aggregate's state
//!   is keyed by the grouping columns; other key types fail the key serializer check;
//! - `aggregate added: MAX(v)` ([`rules::SQL_AGGREGATE_CHANGED`]): `accState` holds one
//!   accumulator field per aggregate call, so added or removed calls fail the state serializer
//!   check, while a changed argument of the same type restores;
//! - `new INSERT INTO snk_max moves the IDs of 3 operators` ([`rules::SQL_TOPOLOGY_SHIFTED_IDS`]):
//!   without uids, operator IDs follow the graph's shape;
//! - uids present on one side only ([`rules::SQL_PLAN_UIDS_MISSING`]): plain SQL versus a
//!   compiled plan (or `table.exec.uid.generation`);
//! - connector options of a source or sink ([`rules::SQL_CONNECTOR_OPTIONS_CHANGED`]).
//!
//! The findings explain; whether an operator's state maps or is compatible is decided by the
//! restore and schema checks ([`super::predict`], [`super::schema_check`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use similar::TextDiff;

mod aggregates;
mod changes;
mod matches;
mod over;
mod plan_upgrade;
mod sink;
mod strategy;
mod ttl;

use super::result::{Finding, NotCompared, Prediction, SqlReport, Status, compute_verdict};
use super::rules::{self, Severity};
use crate::OperatorId;
use crate::job::plan::{SqlInfo, short_table};
use crate::job::{JobGraph, derive_operator_ids};
pub use plan_upgrade::primary_key_names;

/// One operator of an SQL job, as the comparison sees it.
#[derive(Debug, Clone)]
struct Unit {
    index: usize,
    id: OperatorId,
    uid: Option<String>,
    name: Option<String>,
    info: SqlInfo,
    key_type: Option<String>,
    /// `accState` etc.: (name, type; a map's value type).
    states: Vec<(String, String)>,
    /// Map states' key types by state name (a DISTINCT call's seen values are keys).
    map_keys: BTreeMap<String, String>,
    /// The TTL of each state that has one, as written (`1 h`, `3600000 ms`).
    state_ttl: BTreeMap<String, String>,
    sinks: BTreeSet<String>,
    sources: BTreeSet<String>,
}

impl Unit {
    fn transformation(&self) -> &str {
        self.info.transformation.as_deref().unwrap_or("")
    }

    fn kind(&self) -> String {
        self.info
            .exec_type
            .as_deref()
            .map(|t| {
                let t = t.strip_prefix("stream-exec-").unwrap_or(t);
                t.rsplit_once('_').map_or(t, |(k, _)| k).to_string()
            })
            .unwrap_or_default()
    }

    fn stateful(&self) -> bool {
        !self.states.is_empty() || self.key_type.is_some()
    }

    fn label(&self) -> String {
        match (&self.name, &self.uid) {
            (Some(n), Some(u)) => format!("{n} (uid {u})"),
            (Some(n), None) => n.clone(),
            (None, Some(u)) => format!("uid {u}"),
            (None, None) => self.id.to_string(),
        }
    }

    /// Title-cased kind without the ExecNode id, e.g. `GroupAggregate`.
    fn title(&self) -> String {
        match self.transformation() {
            "source" => format!(
                "source {}",
                self.info.table_name().unwrap_or_else(|| "?".to_string())
            ),
            "sink" => format!(
                "INSERT INTO {}",
                self.info.table_name().unwrap_or_else(|| "?".to_string())
            ),
            // Flink's own name for it (`SinkMaterializer[<node>]`).
            "upsert-materialize" => "SinkMaterializer".to_string(),
            t => t
                .split('-')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

/// How a graph's operators get IDs.
fn mode(graph: &JobGraph, units: &[Unit]) -> String {
    let declared = graph
        .extra
        .get("sqlMode")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let any_uid = units.iter().any(|u| u.uid.is_some());
    match declared.as_deref() {
        Some("compiled-plan") if any_uid => "compiled-plan".to_string(),
        Some("compiled-plan") => "compiled-plan-without-uids".to_string(),
        Some(_) | None if any_uid => "sql-uids".to_string(),
        _ => "sql".to_string(),
    }
}

fn units(graph: &JobGraph) -> Vec<Unit> {
    let Ok(ids) = derive_operator_ids(graph) else {
        return Vec::new();
    };
    let index_of: HashMap<u32, usize> = graph
        .operators
        .iter()
        .enumerate()
        .map(|(i, o)| (o.node, i))
        .collect();
    let infos: Vec<Option<SqlInfo>> = graph.operators.iter().map(SqlInfo::of).collect();
    // Downstream sinks and upstream sources of every operator.
    let n = graph.operators.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, op) in graph.operators.iter().enumerate() {
        for input in &op.inputs {
            if let Some(&up) = index_of.get(&input.node) {
                children[up].push(i);
            }
        }
    }
    let table_of = |i: usize, t: &str| {
        infos[i]
            .as_ref()
            .filter(|s| s.transformation.as_deref() == Some(t))
            .and_then(SqlInfo::table_name)
    };
    let mut out = Vec::new();
    for (i, op) in graph.operators.iter().enumerate() {
        let Some(info) = infos[i].clone() else {
            continue;
        };
        let mut sinks = BTreeSet::new();
        let mut seen = HashSet::new();
        let mut stack = vec![i];
        while let Some(k) = stack.pop() {
            if !seen.insert(k) {
                continue;
            }
            if let Some(t) = table_of(k, "sink") {
                sinks.insert(t);
            }
            stack.extend(children[k].iter().copied());
        }
        let mut sources = BTreeSet::new();
        let mut seen = HashSet::new();
        let mut stack = vec![i];
        while let Some(k) = stack.pop() {
            if !seen.insert(k) {
                continue;
            }
            if let Some(t) = table_of(k, "source") {
                sources.insert(t);
            }
            for input in &graph.operators[k].inputs {
                if let Some(&up) = index_of.get(&input.node) {
                    stack.push(up);
                }
            }
        }
        out.push(Unit {
            index: i,
            id: ids[i].user_defined.unwrap_or(ids[i].generated),
            uid: op.uid.clone(),
            name: op.name.clone(),
            info,
            key_type: op.key_type.as_deref().map(str::to_string),
            states: op
                .state
                .iter()
                .map(|s| (s.name.clone(), s.type_.to_string()))
                .collect(),
            map_keys: op
                .state
                .iter()
                .filter_map(|s| Some((s.name.clone(), s.user_key_type.as_ref()?.to_string())))
                .collect(),
            state_ttl: op
                .state
                .iter()
                .filter_map(|s| Some((s.name.clone(), s.ttl.clone()?)))
                .collect(),
            sinks,
            sources,
        });
    }
    out
}

/// Pairs old and new operators by what they are in the query.
fn pair(old: &[Unit], new: &[Unit]) -> Vec<(usize, Option<usize>)> {
    let mut used = vec![false; new.len()];
    let mut pairs = Vec::new();
    // Stateful operators first: they matter most and should get their best partner.
    let mut order: Vec<usize> = (0..old.len()).collect();
    order.sort_by_key(|&i| !old[i].stateful());
    for i in order {
        let o = &old[i];
        let mut best: Option<(i32, usize)> = None;
        for (j, n) in new.iter().enumerate() {
            if used[j] || n.transformation() != o.transformation() || n.kind() != o.kind() {
                continue;
            }
            // What the operator is in the query outweighs its ID: a renumbered plan can give
            // an old ID to another query's operator.
            let mut score = 0;
            if o.info.table.is_some() && o.info.table == n.info.table {
                score += 8;
            }
            if !o.sinks.is_disjoint(&n.sinks) {
                score += 6;
            }
            if o.sinks == n.sinks {
                score += 1;
            }
            if !o.sources.is_disjoint(&n.sources) {
                score += 3;
            }
            if n.id == o.id {
                score += 2;
            }
            if n.uid.is_some() && n.uid == o.uid {
                score += 1;
            }
            if o.info.group_by == n.info.group_by {
                score += 1;
            }
            if o.info.aggregates == n.info.aggregates {
                score += 1;
            }
            if o.info.exec_node == n.info.exec_node {
                score += 1;
            }
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, j));
            }
        }
        match best {
            Some((_, j)) => {
                used[j] = true;
                pairs.push((i, Some(j)));
            }
            None => pairs.push((i, None)),
        }
    }
    pairs.sort_by_key(|&(i, _)| old[i].index);
    pairs
}

fn list(v: &Option<Vec<String>>) -> String {
    v.as_ref().map(|v| v.join(", ")).unwrap_or_default()
}

/// `ROW<`f0` INT, `f1` BIGINT>` -> the field types.
fn row_types(t: &str) -> Vec<String> {
    crate::job::plan::RowType::parse(t)
        .map(|r| r.fields.into_iter().map(|(_, t)| t).collect())
        .unwrap_or_default()
}

/// Compares two versions of an SQL job. `None` when neither graph describes SQL operators.
pub fn analyze(old: &JobGraph, new: &JobGraph) -> Option<SqlReport> {
    let old_units = units(old);
    let new_units = units(new);
    if old_units.is_empty() && new_units.is_empty() {
        return None;
    }
    let old_mode = mode(old, &old_units);
    let new_mode = mode(new, &new_units);
    let pairs = pair(&old_units, &new_units);
    let mut changes = Vec::new();
    let mut patterns_compared = Vec::new();

    // Per pair: keys, aggregates, options.
    for &(i, j) in &pairs {
        let o = &old_units[i];
        let Some(j) = j else {
            changes.extend(changes::unmatched_stateful(o));
            continue;
        };
        let n = &new_units[j];
        let len_before = changes.len();
        changes.extend(aggregates::group_key_changed(o, n));
        changes.extend(aggregates::aggregate_changed(o, n));
        changes.extend(aggregates::aggregate_input_type_changed(o, n));
        changes.extend(changes::join_changed(o, n));
        changes.extend(changes::deduplicate_changed(o, n));
        changes.extend(changes::window_changed(o, n));
        changes.extend(over::over_frame_changed(o, n));
        changes.extend(changes::top_n_changed(o, n));
        changes.extend(sink::sink_materializer_changed(o, n));
        changes.extend(sink::sink_materializer_replaced(o, n));
        changes.extend(sink::on_conflict_nothing_to_error(o, n));
        changes.extend(ttl::state_ttl_changed(o, n));
        if let Some(change) = matches::match_changed(o, n) {
            patterns_compared.push(o.id);
            changes.extend(change);
        }
        // When the ID moved as well, the saved state never reaches the changed operator: the
        // change is context for the unmapped state, not a failure of its own.
        if o.id != n.id {
            for c in &mut changes[len_before..] {
                if c.severity == Severity::Error {
                    c.severity = Severity::Warning;
                    c.message.push_str(
                        "; its operator ID moved too, so the saved state does not reach the changed operator",
                    );
                }
            }
        }
        changes.extend(changes::connector_options_changed(o, n));
    }

    // Moved IDs, and why.
    let moved: Vec<(usize, usize)> = pairs
        .iter()
        .filter_map(|&(i, j)| j.map(|j| (i, j)))
        .filter(|&(i, j)| old_units[i].id != new_units[j].id)
        .collect();
    if !moved.is_empty() {
        let old_uids = old_units.iter().any(|u| u.uid.is_some());
        let new_uids = new_units.iter().any(|u| u.uid.is_some());
        let ids: Vec<OperatorId> = moved.iter().map(|&(i, _)| old_units[i].id).collect();
        let stateful_moved: Vec<String> = moved
            .iter()
            .filter(|&&(i, _)| old_units[i].stateful())
            .map(|&(i, j)| {
                format!(
                    "{} {} -> {}",
                    old_units[i].label(),
                    old_units[i].id,
                    new_units[j].id
                )
            })
            .collect();
        let which = if stateful_moved.is_empty() {
            String::new()
        } else {
            format!(" ({})", stateful_moved.join("; "))
        };
        if old_uids != new_uids {
            changes.push(changes::plan_uids_missing(
                old_uids,
                (&old_mode, &new_mode),
                moved.len(),
                ids,
                &which,
            ));
        } else {
            changes.extend(changes::topology_shifted_ids(
                (&old_units, &new_units),
                &pairs,
                &moved,
                (old_uids, new_uids),
                ids,
                &which,
            ));
        }
    }

    let diff = TextDiff::from_lines(outline(&old_units), outline(&new_units))
        .unified_diff()
        .context_radius(3)
        .header("old", "new")
        .to_string();
    let old_names = old_units
        .iter()
        .filter_map(|u| Some((u.id, u.name.clone()?)))
        .collect();
    Some(SqlReport {
        old_mode,
        new_mode,
        changes,
        diff,
        old_names,
        patterns_compared,
    })
}

fn describe_mode(mode: &str) -> &'static str {
    match mode {
        "compiled-plan" => "runs from a compiled plan",
        "compiled-plan-without-uids" => "compiled plan with table.exec.uid.generation=DISABLED",
        "sql-uids" => "plain SQL with table.exec.uid.generation=ALWAYS",
        _ => "plain SQL",
    }
}

/// One line per operator, SQL-centric and free of IDs, in graph order.
fn outline(units: &[Unit]) -> String {
    let mut out = String::new();
    for u in units {
        let mut line = u.title();
        match u.transformation() {
            "source" | "sink" => {
                if !u.info.options.is_empty() {
                    let opts: Vec<String> = u
                        .info
                        .options
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    line.push_str(&format!(" WITH ({})", opts.join(", ")));
                }
            }
            _ => {
                if let Some(g) = &u.info.group_by {
                    let what = if u.transformation().contains("aggregate") {
                        "GROUP BY"
                    } else {
                        "KEY"
                    };
                    line.push_str(&format!(" {what} {}", g.join(", ")));
                }
                if let Some(a) = &u.info.aggregates {
                    line.push_str(&format!(" SELECT {}", a.join(", ")));
                }
                let described = [
                    u.info.join_type.as_ref().map(|t| format!("{t} JOIN")),
                    u.info.deduplicate.clone(),
                    u.info.top_n.clone(),
                    u.info.window.as_deref().and_then(changes::describe_window),
                    over::over_frame(u).map(|f| format!("OVER ({f})")),
                ];
                for d in described.into_iter().flatten() {
                    line.push_str(&format!(" {d}"));
                }
                if u.info.group_by.is_none()
                    && u.info.aggregates.is_none()
                    && let Some(d) = &u.info.description
                {
                    line.push_str(&format!(" {d}"));
                }
            }
        }
        if let Some(k) = &u.key_type {
            line.push_str(&format!(" | key {k}"));
        }
        for (name, ty) in &u.states {
            match u.map_keys.get(name) {
                Some(key) => line.push_str(&format!(" | {name} {key} -> {ty}")),
                None => line.push_str(&format!(" | {name} {ty}")),
            }
            if let Some(t) = u.state_ttl.get(name) {
                line.push_str(&format!(" TTL {}", ttl::shown(Some(t))));
            }
        }
        if let Some(uid) = &u.uid {
            line.push_str(&format!(" | uid {uid}"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Attaches the SQL changes to the operators of a prediction (as reasons) and the report to
/// the prediction itself.
pub fn annotate(prediction: &mut Prediction, mut report: SqlReport) {
    // Under -n, moved IDs lose state but do not fail the start.
    if prediction.allow_non_restored_state {
        for c in &mut report.changes {
            if c.moves_ids() && c.new_operator.is_none() {
                c.severity = c.severity.min(Severity::Warning);
            }
        }
    }
    for v in &mut prediction.operators {
        if v.name.is_none() && v.status != Status::New {
            v.name = report.old_names.get(&v.operator_id).cloned();
        }
    }
    // Where both MATCH_RECOGNIZE patterns are known, the saved partial matches' pattern was
    // compared: the hedge that it was not goes.
    for v in &mut prediction.operators {
        if report.patterns_compared.contains(&v.operator_id) {
            v.reasons
                .retain(|r| !r.is(&rules::CEP_PATTERN_NOT_COMPARED));
        }
    }
    for c in &report.changes {
        for id in &c.operators {
            let Some(v) = prediction
                .operators
                .iter_mut()
                .find(|o| o.operator_id == *id && o.status != Status::New)
            else {
                continue;
            };
            // Errors about moved IDs only matter where the state really is unmapped; on a
            // mapped operator they are context.
            let mut severity = c.severity;
            // (A change that names the new operator taking the state stays as it is.)
            if c.moves_ids()
                && c.new_operator.is_none()
                && (v.status != Status::Unmapped || prediction.allow_non_restored_state)
            {
                severity = severity.min(Severity::Warning);
            }
            // The change's fix is already filled from its rule's template.
            let mut f = Finding::new(c.rule, c.message.clone()).with_severity(severity);
            f.fix.clone_from(&c.fix);
            v.reasons.push(f);
            // A pattern variable gone fails the restored job: the one SQL rule that decides.
            if c.rule.id == rules::SQL_MATCH_CHANGED.id
                && severity == Severity::Error
                && v.status == Status::Restored
            {
                v.status = Status::Incompatible;
            }
        }
    }
    prediction.verdict = compute_verdict(
        &prediction.operators,
        prediction.allow_non_restored_state,
        false,
    );
    prediction.effective_verdict = prediction.verdict;
    prediction.state_not_compared = NotCompared::collect(&prediction.operators);
    prediction.sql = Some(report);
}

/// With no old version at hand: a plain SQL job whose state does not map is most likely one
/// whose auto-generated IDs moved.
pub fn annotate_new_only(prediction: &mut Prediction, new: &JobGraph) {
    on_conflict_error_from_unknown(prediction, new);
    let any_sql = new.operators.iter().any(|o| SqlInfo::of(o).is_some());
    let any_uid = new.operators.iter().any(|o| o.uid.is_some());
    if !any_sql || any_uid {
        return;
    }
    let severity = if prediction.allow_non_restored_state {
        Severity::Warning
    } else {
        Severity::Error
    };
    for v in prediction
        .operators
        .iter_mut()
        .filter(|o| o.status == Status::Unmapped)
    {
        v.reasons.push(
            Finding::new(
                &rules::SQL_PLAN_UIDS_MISSING,
                "the new version is plain SQL without operator uids: its operator IDs follow the planned graph's shape, and this state's ID is not among them".to_string(),
            )
            .with_severity(severity)
            .fix_case("new-only", &[]),
        );
    }
}

/// A new ON CONFLICT DO ERROR materializer mapped to saved watermark-compacting state: DO
/// NOTHING and DO ERROR keep the same state, so without the old job the savepoint cannot say
/// which clause wrote it, and from DO NOTHING the restored job may fail.
fn on_conflict_error_from_unknown(prediction: &mut Prediction, new: &JobGraph) {
    // Found once (a job has a materializer per upsert sink at most), not per verdict.
    let error_materializers: Vec<u32> = new
        .operators
        .iter()
        .filter(|o| {
            SqlInfo::of(o).is_some_and(|info| {
                info.transformation.as_deref() == Some("upsert-materialize")
                    && sink::conflict_strategy(&info) == Some("ERROR")
            })
        })
        .map(|o| o.node)
        .collect();
    if error_materializers.is_empty() {
        return;
    }
    for v in prediction
        .operators
        .iter_mut()
        .filter(|v| v.status == Status::Restored)
    {
        let mapped_to_one = v
            .new_operator
            .as_ref()
            .and_then(|m| m.node)
            .is_some_and(|node| error_materializers.contains(&node));
        if !mapped_to_one || !v.states.iter().any(|s| s == "watermark-buffer") {
            continue;
        }
        v.reasons.push(
            Finding::new(
                &rules::SQL_ON_CONFLICT_NOTHING_TO_ERROR,
                "the new INSERT says ON CONFLICT DO ERROR and its materializer restores saved watermark-compacting state, which ON CONFLICT DO NOTHING writes alike: if the savepoint's job said DO NOTHING, the rows it kept may conflict and Flink fail the job soon after the restore (TableRuntimeException: Primary key constraint violation); the old job (check --old-job, diff) says which clause it was".to_string(),
            )
            .fix_case("unknown-old", &[]),
        );
    }
}

/// Source and sink tables of a job graph (short names), for summaries.
pub fn tables(graph: &JobGraph) -> BTreeMap<String, String> {
    graph
        .operators
        .iter()
        .filter_map(SqlInfo::of)
        .filter_map(|i| {
            let t = i.table.as_deref().map(short_table)?;
            Some((t, i.transformation.unwrap_or_default()))
        })
        .collect()
}
