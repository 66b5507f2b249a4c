//! `StreamExecOverAggregate` (`KeyedProcessOperator` running one of the table runtime's
//! `*PrecedingFunction`s): per partition key (the empty row without PARTITION BY), the
//! accumulator row and, but for processing-time unbounded windows, the rows still to be
//! aggregated, by time. Processing-time windows bounded by ROWS or RANGE were recorded on Flink
//! 1.20.3 and 2.3.0 (the `over-agg-*` SQL cases); event-time windows bounded by ROWS, by RANGE
//! and unbounded on 1.18.1, 1.20.3 and 2.3.0 (the `over-rowtime-*` cases), and with LAG on
//! the savepoints of Flink's own SQL restore tests (1.19/1.20 plans), each also with idle-state
//! retention (`table.exec.state.ttl`). Flink 2.3's OVER ordered by a column that is not a time
//! attribute: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, recorded on 2.3.0 (the
//! `over-non-time-*` cases), without a retention time.

use serde_json::Value;

use super::super::PlanNode;
use super::super::row_type::{RowType, positional_row};
use super::super::sql_info::int_list;
use super::{Declared, decl, row_of, whole_row};
use crate::job::model::{StateDecl, StateKind};

pub(super) fn over_aggregate(
    node: &PlanNode,
    input: &RowType,
    acc: Option<&[String]>,
    ttl: &dyn Fn(u32) -> Option<String>,
) -> Option<Declared> {
    let spec = node.raw.get("overSpec")?;
    let [group] = spec.get("groups")?.as_array()?.as_slice() else {
        return None;
    };
    let partition = int_list(spec.pointer("/partition/fields"))?;
    let lower = group.pointer("/lowerBound/kind").and_then(Value::as_str)?;
    if group.pointer("/upperBound/kind").and_then(Value::as_str) != Some("CURRENT_ROW")
        || group
            .pointer("/lowerBound/isPreceding")
            .and_then(Value::as_bool)
            == Some(false)
    {
        return None;
    }
    // A retention time (`table.exec.state.ttl`): the ROWS-bounded and the event-time unbounded
    // functions clean up by timers and register one more state, their cleanup time; the
    // processing-time unbounded one sets a state TTL on its accumulators; the RANGE-bounded
    // ones keep their states as they are (read off KeyedProcessFunctionWithCleanupState and
    // the functions with javap, 1.20.3 and 2.3.0; confirmed by TTL base savepoints on 1.18.1,
    // 1.20.3 and 2.3.0).
    let retention = ttl(0);
    let bounded = match lower {
        "BOUNDED_WINDOW" => true,
        "UNBOUNDED_PRECEDING" => false,
        _ => return None,
    };
    let order = group.pointer("/orderBy/fields")?.as_array()?;
    let [order] = order.as_slice() else {
        return None;
    };
    let order = input.type_of(order.get("index")?.as_u64()? as usize)?;
    let rowtime = if order.contains("*PROCTIME*") {
        false
    } else if order.contains("*ROWTIME*") {
        true
    } else {
        return non_time_unbounded(group, input, &partition, order, acc?, retention);
    };
    // Flink 2.x plans may ask for `unboundedOverVersion` 2 on unbounded event-time windows:
    // RowTimeUnboundedPrecedingOverFunctionV2 registers the same `accState` and `inputState`
    // (read off the 2.3.0 runtime jar), so both versions declare the same states; an unknown
    // later version is not modelled.
    let version = node.raw.get("unboundedOverVersion").and_then(Value::as_i64);
    if rowtime && !bounded && version.is_some_and(|v| !(1..=2).contains(&v)) {
        return None;
    }
    let rows = group.get("isRows")?.as_bool()?;
    let long = |name: &str| decl(name, StateKind::Value, "Long".to_string(), None, None);
    let rows_by_time = decl(
        "inputState",
        StateKind::Map,
        format!("List<{}>", whole_row(input)),
        Some("Long".to_string()),
        None,
    );
    let acc_state = decl(
        "accState",
        StateKind::Value,
        positional_row(acc?),
        None,
        // Only ProcTimeUnboundedPrecedingFunction's accumulators carry a state TTL.
        if !rowtime && !bounded {
            retention.clone()
        } else {
            None
        },
    );
    let mut states: Vec<StateDecl> = match (rowtime, bounded, rows) {
        // ProcTimeUnboundedPrecedingFunction
        (false, false, _) => vec![acc_state],
        // ProcTimeRowsBoundedPrecedingFunction
        (false, true, true) => vec![
            rows_by_time,
            acc_state,
            long("processedCountState"),
            long("smallestTSState"),
        ],
        // ProcTimeRangeBoundedPrecedingFunction
        (false, true, false) => vec![rows_by_time, acc_state, long("cleanupTsState")],
        // RowTimeRowsBoundedPrecedingFunction
        (true, true, true) => vec![
            long("lastTriggeringTsState"),
            long("processedCountState"),
            acc_state,
            rows_by_time,
        ],
        // RowTimeRangeBoundedPrecedingFunction
        (true, true, false) => vec![
            long("lastTriggeringTsState"),
            acc_state,
            rows_by_time,
            long("cleanupTsState"),
        ],
        // RowTimeRowsUnboundedPrecedingFunction, RowTimeRangeUnboundedPrecedingFunction
        (true, false, _) => vec![acc_state, rows_by_time],
    };
    let cleanup = match (rowtime, bounded, rows) {
        (true, true, true) => Some("RowTimeBoundedRowsOverCleanupTime"),
        (false, true, true) => Some("ProcTimeBoundedRowsOverCleanupTime"),
        (true, false, _) => Some("RowTimeUnboundedOverCleanupTime"),
        _ => None,
    };
    if let Some(name) = cleanup.filter(|_| retention.is_some()) {
        states.push(long(name));
    }
    Some(Declared {
        key_type: row_of(input, &partition)?,
        states,
    })
}

/// Flink 2.3's OVER ordered by a column that is no time attribute (RANGE BETWEEN UNBOUNDED
/// PRECEDING AND CURRENT ROW, one sort column, as recorded): per partition key, the
/// accumulators by sort key, the sort keys in order with the ids of their rows, the rows by id
/// and the last id. Other frames, several sort columns and a retention time are not modelled.
fn non_time_unbounded(
    group: &Value,
    input: &RowType,
    partition: &[usize],
    order: &str,
    acc: &[String],
    retention: Option<String>,
) -> Option<Declared> {
    let unbounded_range = group.pointer("/lowerBound/kind").and_then(Value::as_str)
        == Some("UNBOUNDED_PRECEDING")
        && group.get("isRows").and_then(Value::as_bool) == Some(false);
    if !unbounded_range || retention.is_some() {
        return None;
    }
    let sort_key = positional_row(&[order]);
    Some(Declared {
        key_type: row_of(input, partition)?,
        states: vec![
            decl(
                "accMapState",
                StateKind::Map,
                positional_row(acc),
                Some(sort_key.clone()),
                None,
            ),
            decl(
                "sortedListState",
                StateKind::Value,
                format!("List<Java Tuple2<{sort_key}, List<Long>>>"),
                None,
                None,
            ),
            decl(
                "valueMapState",
                StateKind::Map,
                whole_row(input),
                Some("Long".to_string()),
                None,
            ),
            decl("idState", StateKind::Value, "Long".to_string(), None, None),
        ],
    })
}
