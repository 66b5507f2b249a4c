//! The sink upsert materializer: the rows it keeps per primary key follow the sink table.

use super::super::result::SqlChange;
use super::super::rules::{self, Severity};
use super::Unit;
use super::changes::{change, changed_states};
use crate::job::plan::SqlInfo;

fn is_materializer(u: &Unit) -> bool {
    u.transformation() == "upsert-materialize"
}

/// A sink column added, removed or retyped, or another primary key: the materializer's saved
/// rows (`values`, keyed by the primary key) no longer fit its serializers.
pub(super) fn sink_materializer_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    if !is_materializer(o) || !is_materializer(n) {
        return None;
    }
    let mut parts = Vec::new();
    if let (Some(a), Some(b)) = (&o.key_type, &n.key_type)
        && a != b
    {
        parts.push(format!("the sink's primary key {a} -> {b}"));
    }
    for (name, old, new) in changed_states(o, n) {
        parts.push(format!(
            "the sink rows it keeps per key ({name}): {old} -> {new}"
        ));
    }
    if parts.is_empty() {
        return None;
    }
    Some(change(
        &rules::SQL_SINK_MATERIALIZER_CHANGED,
        Severity::Error,
        format!(
            "{} (the sink upsert materializer): {} (the saved rows no longer fit its state serializers)",
            o.title(),
            parts.join("; ")
        ),
        vec![o.id],
        Some(n.id),
        Some("changed"),
    ))
}

/// The materializer kept its operator ID but is built another way (2.3's ON CONFLICT
/// strategies and `table.exec.sink.upsert-materialize-strategy`): no saved state name is
/// registered again, so Flink restores and the new one starts empty per key.
pub(super) fn sink_materializer_replaced(o: &Unit, n: &Unit) -> Option<SqlChange> {
    if !is_materializer(o) || !is_materializer(n) || o.states.is_empty() || n.states.is_empty() {
        return None;
    }
    let names = |u: &Unit| -> Vec<String> { u.states.iter().map(|(s, _)| s.clone()).collect() };
    let (old, new) = (names(o), names(n));
    if old.iter().any(|s| new.contains(s)) {
        return None;
    }
    Some(change(
        &rules::SQL_SINK_MATERIALIZER_REPLACED,
        Severity::Warning,
        format!(
            "{} (the sink upsert materializer) is built another way: it kept its rows in {} and now keeps them in {} (an ON CONFLICT clause or table.exec.sink.upsert-materialize-strategy changed); Flink restores, but the new materializer starts empty per key and the saved rows are left unread",
            o.title(),
            old.join(", "),
            new.join(", ")
        ),
        vec![o.id],
        Some(n.id),
        Some(""),
    ))
}

/// A sink's ON CONFLICT behaviour as its plan describes the sink (`conflictStrategy=[NOTHING]`;
/// absent before 2.3 and for plain upsert sinks).
pub(super) fn conflict_strategy(info: &SqlInfo) -> Option<&str> {
    let d = info.description.as_deref()?;
    let rest = &d[d.find("conflictStrategy=[")? + "conflictStrategy=[".len()..];
    Some(&rest[..rest.find(']')?])
}

/// ON CONFLICT DO NOTHING -> DO ERROR on the same watermark-compacting materializer (same
/// state): Flink restores, and the rows DO NOTHING kept may then conflict under DO ERROR. Whether
/// they do depends on the saved rows (recorded on 2.3.0 both ways), so this warns and does not
/// decide.
pub(super) fn on_conflict_nothing_to_error(o: &Unit, n: &Unit) -> Option<SqlChange> {
    if !is_materializer(o)
        || !is_materializer(n)
        || conflict_strategy(&o.info) != Some("NOTHING")
        || conflict_strategy(&n.info) != Some("ERROR")
    {
        return None;
    }
    Some(change(
        &rules::SQL_ON_CONFLICT_NOTHING_TO_ERROR,
        Severity::Warning,
        format!(
            "{} (the sink upsert materializer): ON CONFLICT DO NOTHING -> DO ERROR: the same state restores, but it holds the rows DO NOTHING kept; where one of them conflicts with the query's next rows for its key, Flink fails the job soon after the restore (TableRuntimeException: Primary key constraint violation), with or without -n; whether it does depends on the saved rows (recorded both ways)",
            o.title()
        ),
        vec![o.id],
        Some(n.id),
        Some(""),
    ))
}
