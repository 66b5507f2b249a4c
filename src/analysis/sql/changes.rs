//! One function per SQL rule: each compares one old operator with its counterpart in the new
//! query (or the two queries' IDs as a whole) and returns the change in SQL terms.

use std::collections::{BTreeSet, HashSet};

use super::super::result::{SqlChange, fix_of};
use super::super::rules::{self, Rule, Severity};
use super::{Unit, describe_mode, list, row_types, strategy};
use crate::OperatorId;

pub(super) fn change(
    rule: &'static Rule,
    severity: Severity,
    message: String,
    operators: Vec<OperatorId>,
    new_operator: Option<OperatorId>,
    fix: Option<&str>,
) -> SqlChange {
    // `fix` names the case of the rule's fix template (these have no placeholders).
    let fix = fix.and_then(|case| fix_of(rule, case, &[]));
    SqlChange {
        rule,
        severity,
        message,
        fix,
        operators,
        new_operator,
    }
}

/// A stateful operator of the old query with no counterpart in the new one: its state has
/// nowhere to go.
pub(super) fn unmatched_stateful(o: &Unit) -> Option<SqlChange> {
    let why = strategy::left_out_by_option(&o.title())
        .map(|(node, reason)| format!(" (the new plan has no {node}: {reason})"))
        .unwrap_or_default();
    o.stateful().then(|| {
        change(
            &rules::SQL_AGGREGATE_CHANGED,
            Severity::Warning,
            format!(
                "{} ({}) has no counterpart in the new query{why}: its state has no operator to go to",
                o.label(),
                o.title()
            ),
            vec![o.id],
            None,
            Some("unmatched"),
        )
    })
}

/// The saved state of `o` whose type differs from the same state of `n`: (name, old, new).
pub(super) fn changed_states<'a>(o: &'a Unit, n: &'a Unit) -> Vec<(&'a str, &'a str, &'a str)> {
    o.states
        .iter()
        .filter_map(|(name, old)| {
            let (_, new) = n.states.iter().find(|(m, _)| m == name)?;
            let differ = match (row_types(old).is_empty(), row_types(new).is_empty()) {
                (false, false) => row_types(old) != row_types(new),
                // Not two rows (`Integer`, `Java Tuple2<...>`, `List<ROW<...>>`): as written.
                _ => old.trim() != new.trim(),
            };
            differ.then_some((name.as_str(), old.as_str(), new.as_str()))
        })
        .collect()
}

pub(super) fn is_join(u: &Unit) -> bool {
    matches!(
        u.transformation(),
        "join" | "interval-join" | "temporal-join"
    )
}

/// The join input a join's state belongs to, by its name (`left-records`, `leftState`, ...).
pub(super) fn join_input(state: &str) -> &'static str {
    if state.starts_with("left") || state.contains("Left") {
        "left input"
    } else {
        "right input"
    }
}

/// `INNER JOIN -> LEFT JOIN`, `ON a.k = b.k -> ON a.k = b.k AND ...`, a column added to an
/// input: what changed in a regular, interval or event-time temporal join, and whether its
/// state still fits.
pub(super) fn join_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    if !is_join(o) || !is_join(n) {
        return None;
    }
    let mut parts = Vec::new();
    if o.info.join_type != n.info.join_type {
        let name = |t: &Option<String>| match t.as_deref() {
            Some("SEMI") => "semi join (IN / EXISTS)".to_string(),
            Some("ANTI") => "anti join (NOT IN / NOT EXISTS)".to_string(),
            Some(t) => format!("{t} JOIN"),
            None => "?".to_string(),
        };
        parts.push(format!(
            "{} -> {}",
            name(&o.info.join_type),
            name(&n.info.join_type)
        ));
    }
    if o.info.join_keys != n.info.join_keys {
        parts.push(format!(
            "ON {} -> ON {}",
            list(&o.info.join_keys).replace(", ", " AND "),
            list(&n.info.join_keys).replace(", ", " AND ")
        ));
    }
    let states = changed_states(o, n);
    for (name, old, new) in &states {
        parts.push(format!("{} ({name}): {old} -> {new}", join_input(name)));
    }
    let key_changed = o.key_type.is_some() && n.key_type.is_some() && o.key_type != n.key_type;
    if key_changed
        && o.info.join_keys == n.info.join_keys
        && let (Some(a), Some(b)) = (&o.key_type, &n.key_type)
    {
        parts.push(format!("join key {a} -> {b}"));
    }
    if parts.is_empty() {
        return None;
    }
    let incompatible = key_changed || !states.is_empty();
    let (severity, tail) = if incompatible {
        (
            Severity::Error,
            " (the join's saved rows no longer fit its state serializers)",
        )
    } else {
        (
            Severity::Warning,
            " (the state keeps its types: Flink restores, and the saved rows are joined under the new query)",
        )
    };
    Some(change(
        &rules::SQL_JOIN_CHANGED,
        severity,
        format!("{}: {}{tail}", o.title(), parts.join("; ")),
        vec![o.id],
        Some(n.id),
        incompatible.then_some("changed"),
    ))
}

/// `keep the first row by processing time -> keep the last row ...`, or the kept row's columns.
pub(super) fn deduplicate_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    let dedup = |u: &Unit| matches!(u.transformation(), "deduplicate" | "changelog-normalize");
    if !dedup(o) || !dedup(n) {
        return None;
    }
    let mut parts = Vec::new();
    if o.info.deduplicate != n.info.deduplicate {
        parts.push(format!(
            "{} -> {}",
            o.info.deduplicate.as_deref().unwrap_or("?"),
            n.info.deduplicate.as_deref().unwrap_or("?")
        ));
    }
    let states = changed_states(o, n);
    for (name, old, new) in &states {
        parts.push(format!("{name}: {old} -> {new}"));
    }
    if parts.is_empty() {
        return None;
    }
    let incompatible = !states.is_empty();
    let normalize = o.transformation() == "changelog-normalize";
    let (severity, tail) = if incompatible {
        (
            Severity::Error,
            if normalize {
                " (the latest row it keeps per primary key no longer fits the state's serializer)"
            } else {
                " (the saved value no longer fits the state's serializer)"
            },
        )
    } else {
        (
            Severity::Warning,
            " (the state keeps its type: Flink restores, and the saved row now stands for the other end)",
        )
    };
    let fix = match (incompatible, normalize) {
        (false, _) => None,
        (true, true) => Some("normalize-changed"),
        (true, false) => Some("changed"),
    };
    Some(change(
        &rules::SQL_DEDUPLICATE_CHANGED,
        severity,
        format!("{}: {}{tail}", o.title(), parts.join("; ")),
        vec![o.id],
        Some(n.id),
        fix,
    ))
}

/// `TUMBLE(2 s)`, `HOP(10 s, 5 s)`, `CUMULATE(5 s, 15 s)`, `SESSION(...)` from the plan's
/// `windowing`; `None` when it is not a window TVF's.
pub(super) fn describe_window(windowing: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(windowing).ok()?;
    let w = v.get("window")?;
    let d = |k: &str| w.get(k).and_then(|x| x.as_str()).map(iso_duration);
    let mut s = match w.get("type")?.as_str()? {
        "TumblingWindow" => format!("TUMBLE({})", d("size")?),
        "HoppingWindow" => format!("HOP({}, slide {})", d("size")?, d("slide")?),
        "CumulativeWindow" => format!("CUMULATE(step {}, max {})", d("step")?, d("maxSize")?),
        "SessionWindow" => format!("SESSION({})", d("gap").unwrap_or_else(|| "?".into())),
        other => other.to_string(),
    };
    if let Some(offset) = d("offset") {
        s.push_str(&format!(" offset {offset}"));
    }
    Some(s)
}

/// `PT4S` -> `4 s`, `PT1H30M` -> `1 h 30 min` (the ISO-8601 durations plans write).
fn iso_duration(iso: &str) -> String {
    let Some(rest) = iso.strip_prefix("PT") else {
        return iso.to_string();
    };
    let mut out = Vec::new();
    let mut num = String::new();
    for c in rest.chars() {
        match c {
            'H' => out.push(format!("{num} h")),
            'M' => out.push(format!("{num} min")),
            'S' => out.push(format!("{num} s")),
            _ => {
                num.push(c);
                continue;
            }
        }
        num.clear();
    }
    if out.is_empty() || !num.is_empty() {
        iso.to_string()
    } else {
        out.join(" ")
    }
}

/// `TUMBLE(2 s) -> TUMBLE(4 s)` on a window TVF operator: Flink restores (its state is per
/// window end), and windows open at the savepoint finish under their old bounds.
pub(super) fn window_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    // (The window TVF itself keeps no state: the operators after it carry the warning.)
    if !o.transformation().contains("window")
        || o.transformation() != n.transformation()
        || !o.stateful()
    {
        return None;
    }
    let (a, b) = (
        describe_window(o.info.window.as_deref()?)?,
        describe_window(n.info.window.as_deref()?)?,
    );
    (a != b).then(|| {
        change(
            &rules::SQL_WINDOW_CHANGED,
            Severity::Warning,
            format!(
                "{}: {a} -> {b} (Flink restores: the windows open at the savepoint keep their saved state under their old bounds, so their first results mix both window definitions)",
                o.title()
            ),
            vec![o.id],
            Some(n.id),
            Some("changed"),
        )
    })
}

/// `top 3 by v DESC -> top 5 by v DESC`: the saved state is the old top N per partition.
pub(super) fn top_n_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    let (a, b) = (o.info.top_n.as_deref()?, n.info.top_n.as_deref()?);
    if a == b {
        return None;
    }
    let order = |s: &str| s.split_once(" by ").map(|(_, o)| o.to_string());
    let states = changed_states(o, n);
    // A retracting Top-N's sorted map is accepted only with an equal comparator.
    let comparator_only =
        !states.is_empty() && states.iter().all(|(name, _, _)| *name == "sorted-map");
    let (severity, case, tail) = if comparator_only {
        (
            Severity::Error,
            "order",
            " (a retracting Top-N keeps its sort keys in a sorted map whose comparator must not change: Flink refuses the new sort direction or null order)",
        )
    } else if !states.is_empty() {
        (
            Severity::Error,
            "order",
            " (the saved rows are keyed by the old sort key: the state serializer changes)",
        )
    } else if order(a) != order(b) {
        (
            Severity::Warning,
            "order",
            " (the sort key keeps its types: Flink restores, and the saved rows are ranked by the new order)",
        )
    } else {
        (
            Severity::Warning,
            "n",
            " (Flink restores; the state kept only the old N rows per partition, so rows ranked beyond it before the savepoint are missing)",
        )
    };
    Some(change(
        &rules::SQL_TOP_N_CHANGED,
        severity,
        format!("{}: {a} -> {b}{tail}", o.title()),
        vec![o.id],
        Some(n.id),
        Some(case),
    ))
}

/// A source or sink table's connector options changed.
pub(super) fn connector_options_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    if matches!(o.transformation(), "source" | "sink") && o.info.options != n.info.options {
        let keys: BTreeSet<&String> = o.info.options.keys().chain(n.info.options.keys()).collect();
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
        Some(change(
            &rules::SQL_CONNECTOR_OPTIONS_CHANGED,
            if topic {
                Severity::Warning
            } else {
                Severity::Info
            },
            format!("{}: option {}", o.title(), parts.join(", ")),
            vec![o.id],
            Some(n.id),
            topic.then_some("topic"),
        ))
    } else {
        None
    }
}

/// Uids on one side only (compiled plan versus plain SQL): every auto-generated ID moves.
pub(super) fn plan_uids_missing(
    old_uids: bool,
    (old_mode, new_mode): (&str, &str),
    moved: usize,
    ids: Vec<OperatorId>,
    which: &str,
) -> SqlChange {
    let msg = if old_uids {
        format!(
            "the old version set operator uids ({}), the new one sets none ({}): the IDs of {} operator(s) now follow the graph's shape{which}",
            describe_mode(old_mode),
            describe_mode(new_mode),
            moved
        )
    } else {
        format!(
            "the new version sets operator uids ({}) that the old one did not have ({}): the IDs of {} operator(s) change{which}",
            describe_mode(new_mode),
            describe_mode(old_mode),
            moved
        )
    };
    change(
        &rules::SQL_PLAN_UIDS_MISSING,
        Severity::Error,
        msg,
        ids,
        None,
        Some(if old_uids { "old-uids" } else { "new-uids" }),
    )
}

/// A changed query or statement set moved auto-generated IDs: the shifted-IDs change, then
/// one per stateful old ID that a different operator of the new query now owns.
pub(super) fn topology_shifted_ids(
    (old_units, new_units): (&[Unit], &[Unit]),
    pairs: &[(usize, Option<usize>)],
    moved: &[(usize, usize)],
    (old_uids, new_uids): (bool, bool),
    ids: Vec<OperatorId>,
    which: &str,
) -> Vec<SqlChange> {
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
    let gone_units: Vec<&Unit> = old_units
        .iter()
        .enumerate()
        .filter(|(i, u)| {
            !paired_old.contains(i)
                && u.transformation() != "sink"
                && u.transformation() != "source"
        })
        .map(|(_, u)| u)
        .collect();
    let gone: Vec<String> = gone_units.iter().map(|u| u.title()).collect();
    let mut ids = ids;
    let mut strategy = false;
    if added.is_empty() && removed.is_empty() {
        let all_titles = |units: &[Unit]| units.iter().map(Unit::title).collect::<Vec<_>>();
        let toggles = strategy::toggles(&all_titles(old_units), &all_titles(new_units));
        strategy = !toggles.is_empty();
        let explained: BTreeSet<&String> = toggles.iter().flat_map(|t| &t.explains).collect();
        causes.extend(toggles.iter().map(|t| t.cause.clone()));
        // A stateful node the option removed (a GroupAggregate split in two) lost its state
        // to the toggle: the finding belongs on it too.
        let mut listed: HashSet<OperatorId> = ids.iter().copied().collect();
        for (u, title) in gone_units.iter().zip(&gone) {
            if u.stateful() && explained.contains(title) && listed.insert(u.id) {
                ids.push(u.id);
            }
        }
        for t in new_nodes.iter().filter(|t| !explained.contains(t)) {
            causes.push(format!("new {t} node"));
        }
        for t in gone.iter().filter(|t| !explained.contains(t)) {
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
    for &(i, j) in moved {
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
            Some("captured"),
        ));
    }
    let how = if renumbered {
        "renumbers the plan's ExecNodes, which moves the uids and IDs of"
    } else {
        "moves the IDs of"
    };
    let mut changes = vec![change(
        &rules::SQL_TOPOLOGY_SHIFTED_IDS,
        Severity::Error,
        format!("{cause} {how} {} operator(s){which}", moved.len()),
        ids,
        None,
        Some(if strategy {
            "planner-options"
        } else if renumbered {
            "renumbered"
        } else {
            "moved"
        }),
    )];
    changes.extend(captures);
    changes
}
