//! DataStream windows: what a window operator is built from (assigner, trigger, evictor,
//! allowed lateness; the job-graph operator's `window`, written by `export-job`) is code, not
//! state, so a savepoint does not hold it and Flink restores a changed window without a word.
//! When both versions' job graphs are known (`diff`, `check --old-job`), the change is named on
//! the operator whose state moves to the new window.

use std::collections::HashMap;

use serde_json::Value;

use super::result::{Finding, Prediction, Status};
use super::rules;
use crate::OperatorId;
use crate::job::{JobGraph, derive_operator_ids};

/// The parts of a window, in the order the finding names them.
const PARTS: [(&str, &str); 4] = [
    ("assigner", "assigner"),
    ("trigger", "trigger"),
    ("evictor", "evictor"),
    ("allowedLateness", "allowed lateness"),
];

/// The `window` of each operator of `graph` that has one, under every ID it can take state by.
fn windows(graph: &JobGraph) -> HashMap<OperatorId, &Value> {
    let Ok(ids) = derive_operator_ids(graph) else {
        // A graph whose IDs cannot be derived is reported by the restore check itself.
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for (op, derived) in graph.operators.iter().zip(&ids) {
        let Some(window) = op.extra.get("window").filter(|w| w.is_object()) else {
            continue;
        };
        for id in op.operator_id.into_iter().chain(derived.ids()) {
            out.entry(id).or_insert(window);
        }
    }
    out
}

fn part(window: &Value, key: &str) -> String {
    match &window[key] {
        Value::Null => "none".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `assigner TumblingEventTimeWindows(3600000) -> TumblingEventTimeWindows(7200000)`, one part
/// per change, or nothing when the windows are the same.
fn changes(old: &Value, new: &Value) -> Vec<String> {
    PARTS
        .iter()
        .filter_map(|(key, label)| {
            let (a, b) = (part(old, key), part(new, key));
            (a != b).then(|| format!("{label} {a} -> {b}"))
        })
        .collect()
}

/// Adds a `window-changed` warning to every restored operator whose window differs between the
/// two versions.
pub fn annotate(prediction: &mut Prediction, old: &JobGraph, new: &JobGraph) {
    let (old_windows, new_windows) = (windows(old), windows(new));
    if old_windows.is_empty() || new_windows.is_empty() {
        return;
    }
    for v in &mut prediction.operators {
        if v.status == Status::New || v.status == Status::Unmapped {
            continue;
        }
        let Some(to) = &v.new_operator else { continue };
        let (Some(a), Some(b)) = (
            old_windows.get(&v.operator_id),
            new_windows.get(&to.operator_id),
        ) else {
            continue;
        };
        let parts = changes(a, b);
        if parts.is_empty() {
            continue;
        }
        let mut f = Finding::new(
            &rules::WINDOW_CHANGED,
            format!(
                "the window changed: {} (Flink restores: a savepoint holds the open windows' contents and timers, not how they were cut or fired, so the windows open at the savepoint keep their old bounds and the first results after the upgrade mix both definitions)",
                parts.join("; ")
            ),
        );
        f.fix = rules::WINDOW_CHANGED.fix_template("").map(str::to_string);
        v.reasons.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changed_size_is_named_and_the_same_window_is_not() {
        let old = json!({"assigner": "TumblingEventTimeWindows(3600000)", "trigger": "EventTimeTrigger()", "allowedLateness": 0});
        let new = json!({"assigner": "TumblingEventTimeWindows(7200000)", "trigger": "EventTimeTrigger()", "allowedLateness": 0});
        assert_eq!(
            changes(&old, &new),
            ["assigner TumblingEventTimeWindows(3600000) -> TumblingEventTimeWindows(7200000)"]
        );
        assert!(changes(&old, &old).is_empty());
    }

    #[test]
    fn an_added_evictor_is_named() {
        let old = json!({"assigner": "GlobalWindows()"});
        let new = json!({"assigner": "GlobalWindows()", "evictor": "CountEvictor"});
        assert_eq!(changes(&old, &new), ["evictor none -> CountEvictor"]);
    }
}
