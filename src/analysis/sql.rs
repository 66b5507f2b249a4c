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

use super::result::{Finding, Prediction, SqlChange, SqlReport, Status};
use super::rules::{self, Rule, Severity};
use crate::OperatorId;
use crate::job::plan::{SqlInfo, short_table};
use crate::job::{JobGraph, derive_operator_ids};

/// One operator of an SQL job, as the comparison sees it.
#[derive(Debug, Clone)]
struct Unit {
    index: usize,
    id: OperatorId,
    uid: Option<String>,
    name: Option<String>,
    info: SqlInfo,
    key_type: Option<String>,
    /// `accState` etc.: (name, type).
    states: Vec<(String, String)>,
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
            key_type: op.key_type.clone(),
            states: op
                .state
                .iter()
                .map(|s| (s.name.clone(), s.type_.clone()))
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

fn change(
    rule: &'static Rule,
    severity: Severity,
    message: String,
    operators: Vec<OperatorId>,
    new_operator: Option<OperatorId>,
    fix: Option<String>,
) -> SqlChange {
    SqlChange {
        rule,
        severity,
        message,
        fix,
        operators,
        new_operator,
    }
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

    // Per pair: keys, aggregates, options.
    for &(i, j) in &pairs {
        let o = &old_units[i];
        let Some(j) = j else {
            if o.stateful() {
                changes.push(change(
                    &rules::SQL_AGGREGATE_CHANGED,
                    Severity::Warning,
                    format!(
                        "{} ({}) has no counterpart in the new query: its state has no operator to go to",
                        o.label(),
                        o.title()
                    ),
                    vec![o.id],
                    None,
                    Some("keep the statement that created this operator, or run with -n to drop its state".to_string()),
                ));
            }
            continue;
        };
        let n = &new_units[j];
        let len_before = changes.len();
        if o.info.group_by != n.info.group_by
            && (o.info.group_by.is_some() || n.info.group_by.is_some())
        {
            let key_changed = o.key_type != n.key_type;
            let what = if o.transformation().contains("aggregate") {
                "GROUP BY"
            } else {
                "key"
            };
            let mut msg = format!(
                "{}: {what} {} -> {what} {}",
                o.title(),
                list(&o.info.group_by),
                list(&n.info.group_by)
            );
            let severity = if key_changed {
                if let (Some(a), Some(b)) = (&o.key_type, &n.key_type) {
                    msg.push_str(&format!(" (state key {a} -> {b})"));
                }
                Severity::Error
            } else {
                msg.push_str(" (same key types: the state restores, but is now read under different columns)");
                Severity::Warning
            };
            changes.push(change(
                &rules::SQL_GROUP_KEY_CHANGED,
                severity,
                msg,
                vec![o.id],
                Some(n.id),
                Some("keep the grouping columns and their types; a new grouping needs a fresh start (new state, e.g. a new uid or -n with the old aggregate removed)".to_string()),
            ));
        } else if o.key_type != n.key_type && o.key_type.is_some() && n.key_type.is_some() {
            changes.push(change(
                &rules::SQL_GROUP_KEY_CHANGED,
                Severity::Error,
                format!(
                    "{}: the key's type changed: {} -> {}",
                    o.title(),
                    o.key_type.as_deref().unwrap_or("?"),
                    n.key_type.as_deref().unwrap_or("?")
                ),
                vec![o.id],
                Some(n.id),
                Some("keep the key columns' types (including nullability)".to_string()),
            ));
        }
        if o.info.aggregates != n.info.aggregates
            && (o.info.aggregates.is_some() || n.info.aggregates.is_some())
        {
            let before: Vec<String> = o.info.aggregates.clone().unwrap_or_default();
            let after: Vec<String> = n.info.aggregates.clone().unwrap_or_default();
            let added: Vec<&String> = after.iter().filter(|a| !before.contains(a)).collect();
            let removed: Vec<&String> = before.iter().filter(|a| !after.contains(a)).collect();
            let mut parts = Vec::new();
            if !added.is_empty() && removed.len() == added.len() && before.len() == after.len() {
                for (r, a) in removed.iter().zip(&added) {
                    parts.push(format!("aggregate changed: {r} -> {a}"));
                }
            } else {
                for a in &added {
                    parts.push(format!("aggregate added: {a}"));
                }
                for r in &removed {
                    parts.push(format!("aggregate removed: {r}"));
                }
                if added.is_empty() && removed.is_empty() {
                    parts.push(format!(
                        "aggregates reordered: {} -> {}",
                        before.join(", "),
                        after.join(", ")
                    ));
                }
            }
            let old_acc = o
                .states
                .iter()
                .find(|(s, _)| s == "accState")
                .map(|(_, t)| t);
            let new_acc = n
                .states
                .iter()
                .find(|(s, _)| s == "accState")
                .map(|(_, t)| t);
            let (severity, detail) = match (old_acc, new_acc) {
                (Some(a), Some(b)) if row_types(a) != row_types(b) => (
                    Severity::Error,
                    format!(
                        " (accState {a} -> {b}: one accumulator field per aggregate, so the state serializer changes)"
                    ),
                ),
                (Some(_), Some(_)) => (
                    Severity::Info,
                    " (the accumulators keep their types: the state restores)".to_string(),
                ),
                _ => (
                    Severity::Warning,
                    " (the accumulator types are not known for both versions)".to_string(),
                ),
            };
            changes.push(change(
                &rules::SQL_AGGREGATE_CHANGED,
                severity,
                format!("{}: {}{detail}", o.title(), parts.join("; ")),
                vec![o.id],
                Some(n.id),
                (severity == Severity::Error).then(|| {
                    "keep the aggregate calls (and their order); compute a new aggregate in a separate query with its own state".to_string()
                }),
            ));
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
        if matches!(o.transformation(), "source" | "sink") && o.info.options != n.info.options {
            let keys: BTreeSet<&String> =
                o.info.options.keys().chain(n.info.options.keys()).collect();
            let mut parts = Vec::new();
            for k in keys {
                match (o.info.options.get(k), n.info.options.get(k)) {
                    (Some(a), Some(b)) if a != b => parts.push(format!("{k} {a} -> {b}")),
                    (Some(a), None) => parts.push(format!("{k} {a} removed")),
                    (None, Some(b)) => parts.push(format!("{k} {b} added")),
                    _ => {}
                }
            }
            let topic = parts
                .iter()
                .any(|p| p.starts_with("topic ") || p.starts_with("topic-pattern "));
            changes.push(change(
                &rules::SQL_CONNECTOR_OPTIONS_CHANGED,
                if topic {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                format!("{}: option {}", o.title(), parts.join(", ")),
                vec![o.id],
                Some(n.id),
                topic.then(|| {
                    "the source's saved positions are per topic partition: partitions of a new topic start from the startup mode, those of a removed topic are dropped".to_string()
                }),
            ));
        }
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
            let msg = if old_uids {
                format!(
                    "the old version set operator uids ({}), the new one sets none ({}): the IDs of {} operator(s) now follow the graph's shape{which}",
                    describe_mode(&old_mode),
                    describe_mode(&new_mode),
                    moved.len()
                )
            } else {
                format!(
                    "the new version sets operator uids ({}) that the old one did not have ({}): the IDs of {} operator(s) change{which}",
                    describe_mode(&new_mode),
                    describe_mode(&old_mode),
                    moved.len()
                )
            };
            changes.push(change(
                &rules::SQL_PLAN_UIDS_MISSING,
                Severity::Error,
                msg,
                ids,
                None,
                Some(if old_uids {
                    "run the new version from a compiled plan as well (COMPILE PLAN ... / EXECUTE PLAN), or with the same table.exec.uid.generation".to_string()
                } else {
                    "keep running the query the way the savepoint was taken (plain SQL without uids), or migrate once with -n accepting the state loss, then stay on compiled plans".to_string()
                }),
            ));
        } else {
            let old_sinks: BTreeSet<String> = old_units
                .iter()
                .filter(|u| u.transformation() == "sink")
                .filter_map(|u| u.info.table_name())
                .collect();
            let new_sinks: BTreeSet<String> = new_units
                .iter()
                .filter(|u| u.transformation() == "sink")
                .filter_map(|u| u.info.table_name())
                .collect();
            let added: Vec<&String> = new_sinks.difference(&old_sinks).collect();
            let removed: Vec<&String> = old_sinks.difference(&new_sinks).collect();
            let mut causes = Vec::new();
            for a in &added {
                causes.push(format!("new INSERT INTO {a}"));
            }
            for r in &removed {
                causes.push(format!("removed INSERT INTO {r}"));
            }
            let paired_new: HashSet<usize> = pairs.iter().filter_map(|&(_, j)| j).collect();
            let new_nodes: Vec<String> = new_units
                .iter()
                .enumerate()
                .filter(|(j, u)| {
                    !paired_new.contains(j)
                        && u.transformation() != "sink"
                        && u.transformation() != "source"
                })
                .map(|(_, u)| u.title())
                .collect();
            let paired_old: HashSet<usize> = pairs
                .iter()
                .filter(|&&(_, j)| j.is_some())
                .map(|&(i, _)| i)
                .collect();
            let gone: Vec<String> = old_units
                .iter()
                .enumerate()
                .filter(|(i, u)| {
                    !paired_old.contains(i)
                        && u.transformation() != "sink"
                        && u.transformation() != "source"
                })
                .map(|(_, u)| u.title())
                .collect();
            if added.is_empty() && removed.is_empty() {
                for t in &new_nodes {
                    causes.push(format!("new {t} node"));
                }
                for t in &gone {
                    causes.push(format!("removed {t} node"));
                }
            }
            let renumbered = old_uids && new_uids;
            let cause = if causes.is_empty() {
                if renumbered {
                    "the recompiled plan numbers its ExecNodes differently".to_string()
                } else {
                    "the planned graph changed shape".to_string()
                }
            } else {
                causes.join(", ")
            };
            // An old ID that now belongs to a different operator of the query: its state goes
            // there (renumbered plans, or auto IDs that happen to line up).
            let mut captures = Vec::new();
            for &(i, j) in &moved {
                let o = &old_units[i];
                if !o.stateful() {
                    continue;
                }
                let Some(thief) = new_units
                    .iter()
                    .enumerate()
                    .find(|&(k, n)| k != j && n.id == o.id)
                    .map(|(_, n)| n)
                else {
                    continue;
                };
                let feeds = |u: &Unit| {
                    u.sinks
                        .iter()
                        .map(|s| format!("INSERT INTO {s}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                captures.push(change(
                    &rules::SQL_TOPOLOGY_SHIFTED_IDS,
                    Severity::Error,
                    format!(
                        "ID {} of {} ({}) now belongs to {} of {}: that operator takes this state",
                        o.id,
                        o.label(),
                        feeds(o),
                        thief.label(),
                        feeds(thief)
                    ),
                    vec![o.id],
                    Some(thief.id),
                    Some("keep the ExecNode ids (or the graph's shape) of stateful operators; a state restored into a different query is either incompatible or silently wrong".to_string()),
                ));
            }
            let how = if renumbered {
                "renumbers the plan's ExecNodes, which moves the uids and IDs of"
            } else {
                "moves the IDs of"
            };
            changes.push(change(
                &rules::SQL_TOPOLOGY_SHIFTED_IDS,
                Severity::Error,
                format!("{cause} {how} {} operator(s){which}", moved.len()),
                ids,
                None,
                Some(if renumbered {
                    "keep the ExecNode ids of stateful nodes: edit the existing plan instead of recompiling, or set table.exec.uid.format per node in the plan".to_string()
                } else {
                    "keep the statement set's order and shape, or run the job from a compiled plan (uids do not depend on the graph's shape); to accept the loss run with -n".to_string()
                }),
            ));
            changes.extend(captures);
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
            line.push_str(&format!(" | {name} {ty}"));
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
            let mut f = Finding::new(c.rule, c.message.clone()).with_severity(severity);
            if let Some(fix) = &c.fix {
                f = f.with_fix(fix.clone());
            }
            v.reasons.push(f);
        }
    }
    prediction.sql = Some(report);
}

/// With no old version at hand: a plain SQL job whose state does not map is most likely one
/// whose auto-generated IDs moved.
pub fn annotate_new_only(prediction: &mut Prediction, new: &JobGraph) {
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
            .with_fix("compare with the old version (--old-plan / --old-job) to see what moved; run SQL jobs from a compiled plan to keep IDs stable"),
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
