//! The SQL rules of aggregating operators (group, window and OVER aggregates): their grouping,
//! their calls, and the types of the columns the calls read.

use std::collections::HashSet;

use super::super::result::SqlChange;
use super::super::rules::{self, Severity};
use super::changes::{change, changed_states, is_join};
use super::over::over_frame;
use super::{Unit, list, row_types};

/// `GROUP BY k -> GROUP BY k, g`: the state key of a grouping operator changed.
pub(super) fn group_key_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    if is_join(o) && is_join(n) {
        // A join's keys are its own rule's.
        return None;
    }
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
            msg.push_str(
                " (same key types: the state restores, but is now read under different columns)",
            );
            Severity::Warning
        };
        Some(change(
            &rules::SQL_GROUP_KEY_CHANGED,
            severity,
            msg,
            vec![o.id],
            Some(n.id),
            Some("grouping"),
        ))
    } else if o.key_type != n.key_type && o.key_type.is_some() && n.key_type.is_some() {
        Some(change(
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
            Some("key-type"),
        ))
    } else {
        None
    }
}

/// `aggregate added: MAX(v)`: the aggregate calls (and so the accumulator row) changed.
pub(super) fn aggregate_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    if o.info.aggregates != n.info.aggregates
        && (o.info.aggregates.is_some() || n.info.aggregates.is_some())
    {
        let before: Vec<String> = o.info.aggregates.clone().unwrap_or_default();
        let after: Vec<String> = n.info.aggregates.clone().unwrap_or_default();
        // Sets for the lookups: a plan from anywhere may list very many calls.
        let (before_set, after_set): (HashSet<&String>, HashSet<&String>) =
            (before.iter().collect(), after.iter().collect());
        let added: Vec<&String> = after.iter().filter(|a| !before_set.contains(a)).collect();
        let removed: Vec<&String> = before.iter().filter(|a| !after_set.contains(a)).collect();
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
        Some(change(
            &rules::SQL_AGGREGATE_CHANGED,
            severity,
            format!("{}: {}{detail}", o.title(), parts.join("; ")),
            vec![o.id],
            Some(n.id),
            (severity == Severity::Error).then_some("changed"),
        ))
    } else {
        None
    }
}

/// `COUNT(DISTINCT g)` with `g INT -> BIGINT`: the same calls over columns whose types changed,
/// so the accumulators (or a DISTINCT call's map of seen values) change type.
pub(super) fn aggregate_input_type_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    let calls = o.info.aggregates.as_ref()?;
    if n.info.aggregates.as_ref() != Some(calls) {
        // Different calls: `aggregate_changed` explains those.
        return None;
    }
    if o.transformation() == "over-aggregate" && over_frame(o) != over_frame(n) {
        // A new OVER frame changes the accumulators (an unbounded one does not retract):
        // `window_changed` explains it.
        return None;
    }
    let whose = |name: &str| {
        distinct_group(name)
            .and_then(|g| distinct_calls(calls, g))
            .map(|c| format!(" (the values {c} has seen)"))
            .unwrap_or_default()
    };
    let values = changed_states(o, n)
        .into_iter()
        .filter(|(name, _, _)| is_accumulator_state(name))
        .map(|(name, old, new)| format!("{name}{} {old} -> {new}", whose(name)));
    let keys = o.map_keys.iter().filter_map(|(name, old)| {
        let new = n.map_keys.get(name)?;
        (is_accumulator_state(name) && old != new)
            .then(|| format!("{name}{} key {old} -> {new}", whose(name)))
    });
    let changed: Vec<String> = keys.chain(values).collect();
    if changed.is_empty() {
        return None;
    }
    Some(change(
        &rules::SQL_AGGREGATE_CHANGED,
        Severity::Error,
        format!(
            "{}: the same aggregates ({}) read columns whose types changed: {}",
            o.title(),
            calls.join(", "),
            changed.join("; ")
        ),
        vec![o.id],
        Some(n.id),
        Some("input-type"),
    ))
}

/// The states that hold an aggregate's accumulators: the accumulator row of group, window and
/// OVER aggregates and the map views of DISTINCT calls.
fn is_accumulator_state(name: &str) -> bool {
    matches!(name, "accState" | "window-aggs") || distinct_group(name).is_some()
}

/// `distinctAcc_<i>` (not its `_null_state` companion) -> `i`.
fn distinct_group(name: &str) -> Option<usize> {
    name.strip_prefix("distinctAcc_")?.parse().ok()
}

/// The calls of DISTINCT group `group`: the planner numbers the groups by their argument
/// columns in order of first use (`COUNT(DISTINCT g), SUM(DISTINCT g)` share group 0).
fn distinct_calls(calls: &[String], group: usize) -> Option<String> {
    let argument = |c: &str| -> Option<String> {
        let (_, rest) = c.split_once("(DISTINCT ")?;
        Some(rest.trim_end_matches(')').to_string())
    };
    let mut groups: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for c in calls {
        if let Some(a) = argument(c)
            && seen.insert(a.clone())
        {
            groups.push(a);
        }
    }
    let wanted = groups.get(group)?;
    let members: Vec<&str> = calls
        .iter()
        .filter(|c| argument(c).as_ref() == Some(wanted))
        .map(String::as_str)
        .collect();
    Some(members.join(", "))
}
