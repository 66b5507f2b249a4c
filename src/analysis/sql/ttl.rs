//! `STATE_TTL('a' = '1h')` or `table.exec.state.ttl` changed: an operator's state TTL in SQL
//! terms, per input of a join.

use super::super::result::SqlChange;
use super::super::rules::{self, Severity};
use super::Unit;
use super::changes::{change, is_join, join_input};

/// The TTL of each state both versions keep, where it differs: enabled, disabled, or another
/// duration. Whether the restore survives it is the schema check's call (`ttl-changed`: the
/// serializer changes when a TTL is switched on or off); this names the SQL that did it.
pub(super) fn state_ttl_changed(o: &Unit, n: &Unit) -> Option<SqlChange> {
    let mut parts = Vec::new();
    let mut switched = false;
    for (name, _) in &o.states {
        if !n.states.iter().any(|(m, _)| m == name) {
            continue;
        }
        let old = o.state_ttl.get(name).map(String::as_str);
        let new = n.state_ttl.get(name).map(String::as_str);
        let differ = match (old, new) {
            (None, None) => false,
            (Some(_), None) | (None, Some(_)) => {
                switched = true;
                true
            }
            // "enabled" (a DataStream export) or an unreadable duration: nothing to compare.
            (Some(a), Some(b)) => matches!((millis(a), millis(b)), (Some(x), Some(y)) if x != y),
        };
        if differ {
            let state = if is_join(o) {
                format!("{} ({name})", join_input(name))
            } else {
                format!("({name})")
            };
            parts.push(format!(
                "{} {state}: {} -> {}",
                o.title(),
                shown(old),
                shown(new)
            ));
        }
    }
    if parts.is_empty() {
        return None;
    }
    let tail = if switched {
        "; a TTL switched on or off changes the state's serializer (see ttl-changed for whether this Flink version migrates it)"
    } else {
        "; the state keeps its serializer and Flink restores: saved entries expire by their last access under the new TTL"
    };
    Some(change(
        &rules::SQL_STATE_TTL_CHANGED,
        Severity::Info,
        format!(
            "state TTL (a STATE_TTL hint or table.exec.state.ttl): {}{tail}",
            parts.join("; ")
        ),
        vec![o.id],
        Some(n.id),
        switched.then_some("switched"),
    ))
}

/// `no TTL`, `1 h`, or the text as written where it is no duration (`enabled`).
pub(super) fn shown(ttl: Option<&str>) -> String {
    match ttl {
        None => "no TTL".to_string(),
        Some(t) => match millis(t) {
            Some(ms) => human(ms),
            None => t.to_string(),
        },
    }
}

/// A Flink duration (`1 h`, `3600000 ms`, `90min`, `2 d`) in milliseconds.
fn millis(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let per: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 1,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
        "min" | "m" | "minute" | "minutes" => 60_000,
        "h" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        _ => return None,
    };
    number.checked_mul(per)
}

/// The largest whole unit: 3600000 -> `1 h`, 90000 -> `90 s`.
fn human(ms: u64) -> String {
    for (per, unit) in [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "min"),
        (1_000, "s"),
    ] {
        if ms >= per && ms.is_multiple_of(per) {
            return format!("{} {unit}", ms / per);
        }
    }
    format!("{ms} ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read_as_flink_writes_them() {
        assert_eq!(millis("1 h"), Some(3_600_000));
        assert_eq!(millis("3600000 ms"), Some(3_600_000));
        assert_eq!(millis("90min"), Some(5_400_000));
        assert_eq!(millis("enabled"), None);
        assert_eq!(millis("99999999999999999999 d"), None);
        assert_eq!(human(3_600_000), "1 h");
        assert_eq!(human(90_000), "90 s");
        assert_eq!(human(1_500), "1500 ms");
    }
}
