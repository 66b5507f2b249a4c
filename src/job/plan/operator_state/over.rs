//! `StreamExecOverAggregate` (`KeyedProcessOperator` running one of the table runtime's
//! `*PrecedingFunction`s): per partition key, the accumulator row and, for bounded windows,
//! the rows still in the window by time. Recorded on Flink 1.20.3 and 2.3.0 (the
//! `over-agg-*` SQL cases) for processing-time windows bounded by ROWS or RANGE; other shapes
//! (event time, unbounded, idle-state retention's cleanup state) are not modelled.

use serde_json::Value;

use super::super::PlanNode;
use super::super::row_type::{RowType, positional_row};
use super::super::sql_info::int_list;
use super::{Declared, decl, row_of, whole_row};
use crate::job::model::StateKind;

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
    if partition.is_empty()
        || group.pointer("/upperBound/kind").and_then(Value::as_str) != Some("CURRENT_ROW")
        || group.pointer("/lowerBound/kind").and_then(Value::as_str) != Some("BOUNDED_WINDOW")
        || group.pointer("/lowerBound/isPreceding").and_then(Value::as_bool) != Some(true)
        // A retention time adds the functions' cleanup-time state (not recorded).
        || ttl(0).is_some()
    {
        return None;
    }
    let order = group.pointer("/orderBy/fields")?.as_array()?;
    let [order] = order.as_slice() else {
        return None;
    };
    let order = order.get("index")?.as_u64()? as usize;
    if !input.type_of(order)?.contains("*PROCTIME*") {
        return None;
    }
    let long = || "Long".to_string();
    let rows_by_time = decl(
        "inputState",
        StateKind::Map,
        format!("List<{}>", whole_row(input)),
        Some(long()),
        None,
    );
    let acc_state = decl(
        "accState",
        StateKind::Value,
        positional_row(acc?),
        None,
        None,
    );
    let states = if group.get("isRows")?.as_bool()? {
        // ProcTimeRowsBoundedPrecedingFunction
        vec![
            rows_by_time,
            acc_state,
            decl("processedCountState", StateKind::Value, long(), None, None),
            decl("smallestTSState", StateKind::Value, long(), None, None),
        ]
    } else {
        // ProcTimeRangeBoundedPrecedingFunction
        vec![
            rows_by_time,
            acc_state,
            decl("cleanupTsState", StateKind::Value, long(), None, None),
        ]
    };
    Some(Declared {
        key_type: row_of(input, &partition)?,
        states,
    })
}
