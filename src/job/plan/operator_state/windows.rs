//! The window operators' state: window TVF deduplication, Top-N, join and aggregate (slicing
//! operators, state per window or slice plus the watermark) and the legacy group window
//! aggregate (`WindowOperator`).

use serde_json::Value;

use super::super::PlanNode;
use super::super::options::PlanOptions;
use super::super::row_type::{RowType, positional_row};
use super::super::sql_info::int_list;
use super::{Declared, decl, enabled, row_of, whole_row};
use crate::job::model::{StateDecl, StateKind};

/// Event-time window TVF operators (`WindowAttached`: after a window TVF) keep their state per
/// window (the window end is the state namespace, not part of the state's type).
fn event_time_window_attached(windowing: &Value) -> bool {
    windowing.get("strategy").and_then(Value::as_str) == Some("WindowAttached")
        && windowing.get("isRowtime").and_then(Value::as_bool) == Some(true)
}

/// The slicing window operator's own operator state: the current watermark, one entry per
/// subtask, redistributed as a union list.
fn window_watermark() -> StateDecl {
    decl("watermark", StateKind::UnionList, "Long".into(), None, None)
}

/// `StreamExecWindowDeduplicate` (`window_deduplicate`: the kept row per partition key and
/// window) and `StreamExecWindowRank` (`window_rank`: per partition key and window, the rows by
/// sort key).
pub(super) fn window_rank(
    node: &PlanNode,
    transformation: &str,
    input: &RowType,
) -> Option<Declared> {
    if !event_time_window_attached(node.raw.get("windowing")?) {
        return None;
    }
    let (partition, state) = if transformation == "window-deduplicate" {
        (
            int_list(node.raw.get("partitionKeys"))?,
            decl(
                "window_deduplicate",
                StateKind::Value,
                whole_row(input),
                None,
                None,
            ),
        )
    } else {
        if node.raw.pointer("/rankRange/type").and_then(Value::as_str) != Some("Constant") {
            return None;
        }
        let sort: Option<Vec<usize>> = node
            .raw
            .pointer("/sortSpec/fields")?
            .as_array()?
            .iter()
            .map(|f| f.get("index").and_then(Value::as_u64).map(|i| i as usize))
            .collect();
        (
            int_list(node.raw.pointer("/partitionSpec/fields"))?,
            decl(
                "window_rank",
                StateKind::Map,
                format!("List<{}>", whole_row(input)),
                Some(row_of(input, &sort?)?),
                None,
            ),
        )
    };
    Some(Declared {
        key_type: row_of(input, &partition)?,
        states: vec![state, window_watermark()],
    })
}

/// `StreamExecWindowJoin` (`WindowJoinOperator`): per join key and window, each input's rows.
pub(super) fn window_join(node: &PlanNode, left: &RowType, right: &RowType) -> Option<Declared> {
    if !event_time_window_attached(node.raw.get("leftWindowing")?)
        || !event_time_window_attached(node.raw.get("rightWindowing")?)
    {
        return None;
    }
    let left_keys = int_list(node.raw.pointer("/joinSpec/leftKeys"))?;
    Some(Declared {
        key_type: row_of(left, &left_keys)?,
        states: vec![
            decl("left-records", StateKind::List, whole_row(left), None, None),
            decl(
                "right-records",
                StateKind::List,
                whole_row(right),
                None,
                None,
            ),
        ],
    })
}

/// `StreamExecWindowAggregate` and the global half of a two-phase window aggregate: per grouping
/// key and slice (tumbling, cumulative and hopping windows: slicing processors; hopping recorded
/// on Flink 1.20.3 and 2.3.0) or per session (`UnsliceWindowAggProcessor`), one accumulator row
/// (`window-aggs`, the same accumulator fields a group aggregate keeps), and the watermark.
/// Sessions merge, so their windows are also mapped to the window their state lives under
/// (`session-window-mapping`; Flink's restore tests of session windows with partition keys).
pub(super) fn window_aggregate(
    node: &PlanNode,
    input: &RowType,
    acc: Option<&[String]>,
) -> Option<Declared> {
    let window = node.raw.pointer("/windowing/window/type")?.as_str()?;
    if !matches!(
        window,
        "TumblingWindow" | "CumulativeWindow" | "HoppingWindow" | "SessionWindow"
    ) {
        return None;
    }
    let grouping = int_list(node.raw.get("grouping"))?;
    // A global aggregate's grouping indexes its local aggregate's input, like its calls.
    let key_input = node.row_field("localAggInputRowType");
    let key_row = key_input.as_ref().unwrap_or(input);
    let mut states = vec![decl(
        "window-aggs",
        StateKind::Value,
        positional_row(acc?),
        None,
        None,
    )];
    if window == "SessionWindow" {
        states.push(session_window_mapping());
    }
    states.push(window_watermark());
    Some(Declared {
        key_type: row_of(key_row, &grouping)?,
        states,
    })
}

/// `StreamExecWindowTableFunction` of a session window (unaligned: `UnalignedWindowTableFunctionOperator`,
/// when no aggregate absorbs the window TVF): keyed by the session's partition keys (an empty
/// row without them), it buffers each input row under a per-key counter until its session
/// closes (`session-window-tvf-counter`, `session-window-tvf-acc`: counter -> input row) and
/// maps merged sessions like a session aggregate. Aligned windows keep no state (`None` here
/// means nothing to declare only for those; see the caller).
pub(super) fn session_window_table_function(node: &PlanNode, input: &RowType) -> Option<Declared> {
    let window = node.raw.pointer("/windowing/window")?;
    if window.get("type")?.as_str()? != "SessionWindow" {
        return None;
    }
    let partition = int_list(window.get("partition_key_indices"))?;
    Some(Declared {
        key_type: row_of(input, &partition)?,
        states: vec![
            decl(
                "session-window-tvf-counter",
                StateKind::Value,
                "Long".into(),
                None,
                None,
            ),
            decl(
                "session-window-tvf-acc",
                StateKind::Map,
                whole_row(input),
                Some("Long".into()),
                None,
            ),
            session_window_mapping(),
        ],
    })
}

/// Merging (session) windows map each window to the one whose namespace holds its state
/// (`MergingWindowProcessFunction`).
fn session_window_mapping() -> StateDecl {
    decl(
        "session-window-mapping",
        StateKind::Map,
        TABLE_TIME_WINDOW.into(),
        Some(TABLE_TIME_WINDOW.into()),
        None,
    )
}

/// The table runtime's window class (not the DataStream `TimeWindow`).
const TABLE_TIME_WINDOW: &str = "org.apache.flink.table.runtime.operators.window.TimeWindow";

/// `StreamExecGroupWindowAggregate` (the legacy `GROUP BY TUMBLE(...)` / `HOP(...)` /
/// `SESSION(...)` syntax, run by the table runtime's `WindowOperator`): per grouping key and
/// window, the accumulator row (`window-aggs`); session windows, which merge, also map each
/// window to the one its state lives under (`session-window-mapping`; recorded on Flink's
/// restore tests, event and processing time). Early or late firing adds trigger state: not
/// modelled.
pub(super) fn group_window_aggregate(
    node: &PlanNode,
    input: &RowType,
    acc: Option<&[String]>,
    opts: &PlanOptions,
) -> Option<Declared> {
    let kind = node.raw.pointer("/window/kind")?.as_str()?;
    if !matches!(kind, "TUMBLING" | "SLIDING" | "SESSION")
        || enabled(node, "table.exec.emit.early-fire.enabled", opts)
        || enabled(node, "table.exec.emit.late-fire.enabled", opts)
    {
        return None;
    }
    let grouping = int_list(node.raw.get("grouping"))?;
    let mut states = vec![decl(
        "window-aggs",
        StateKind::Value,
        positional_row(acc?),
        None,
        None,
    )];
    if kind == "SESSION" {
        states.push(session_window_mapping());
    }
    Some(Declared {
        key_type: row_of(input, &grouping)?,
        states,
    })
}
