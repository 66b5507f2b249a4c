//! The sink upsert materializer: the rows it keeps per primary key follow the sink table.

use super::super::result::SqlChange;
use super::super::rules::{self, Severity};
use super::Unit;
use super::changes::{change, changed_states};

/// A sink column added, removed or retyped, or another primary key: the materializer's saved
/// rows (`values`, keyed by the primary key) no longer fit its serializers.
pub(super) fn sink_materializer_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    let materializer = |u: &Unit| u.transformation() == "upsert-materialize";
    if !materializer(o) || !materializer(n) {
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
    let materializer = |u: &Unit| u.transformation() == "upsert-materialize";
    if !materializer(o) || !materializer(n) || o.states.is_empty() || n.states.is_empty() {
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
