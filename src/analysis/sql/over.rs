//! OVER aggregates: the frame (`ROWS BETWEEN 5 PRECEDING AND CURRENT ROW`) decides which rows
//! and accumulators the state keeps, so a new frame is explained here in the query's words.

use super::super::result::SqlChange;
use super::super::rules::{self, Severity};
use super::Unit;
use super::changes::{change, changed_states};
use super::matches::description_field;

/// An OVER window's frame, as the plan's description writes it: `ROWS BETWEEN 5 PRECEDING AND
/// CURRENT ROW`, `RANGE BETWEEN 2000 PRECEDING AND CURRENT ROW` (milliseconds).
pub(super) fn over_frame(u: &Unit) -> Option<String> {
    if u.transformation() != "over-aggregate" {
        return None;
    }
    let description = u.info.description.as_deref()?;
    let frame = description_field(description, "window")?.trim();
    // Flink 1.x descriptions spell it `RANG BETWEEN`.
    let frame = match frame.strip_prefix("RANG ") {
        Some(rest) => format!("RANGE {rest}"),
        None => frame.to_string(),
    };
    let order = description_field(description, "orderBy")
        .map(|o| format!("ORDER BY {o} "))
        .unwrap_or_default();
    Some(format!("{order}{frame}"))
}

/// `ROWS BETWEEN 5 PRECEDING -> RANGE BETWEEN 2000 PRECEDING`: the rows an OVER aggregate keeps
/// were chosen for the old frame. Recorded on 1.18.1, 1.20.3 and 2.3.0 (`over-rowtime-*`):
/// ROWS -> RANGE restores; bounded -> unbounded fails (the accumulators no longer retract).
pub(super) fn over_frame_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    let (a, b) = (over_frame(o)?, over_frame(n)?);
    if a == b || !o.stateful() {
        return None;
    }
    let changed: Vec<&str> = changed_states(o, n)
        .iter()
        .map(|(name, _, _)| *name)
        .collect();
    let (severity, tail) = if changed.is_empty() {
        (
            Severity::Warning,
            "Flink restores: the rows and accumulators saved for the old frame are read under the new one, so the first results after the restore mix both frames".to_string(),
        )
    } else {
        (
            Severity::Error,
            format!(
                "the state changes with the frame ({}): the saved state no longer fits",
                changed.join(", ")
            ),
        )
    };
    Some(change(
        &rules::SQL_WINDOW_CHANGED,
        severity,
        format!("{}: OVER ({a}) -> OVER ({b}) ({tail})", o.title()),
        vec![o.id],
        Some(n.id),
        Some("changed"),
    ))
}
