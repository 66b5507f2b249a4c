//! The sink upsert materializer (`SinkMaterializer[...]`), which the planner puts before a sink
//! whose primary key is not an upsert key of its input (`requireUpsertMaterialize`).

use std::collections::HashMap;

use serde_json::Value;

use super::super::PlanNode;
use super::super::row_type::{RowType, logical_type_string, positional_row};
use super::{Declared, decl};
use crate::job::model::StateKind;

/// `SinkUpsertMaterializer`, keyed by the sink's primary key, keeps every row it has seen per
/// key as one `values` list (`ValueState<List<RowData>>` of the sink table's row). Flink 2.3.0
/// keeps it for `ON CONFLICT DO DEDUPLICATE` (recorded: its canary savepoint holds the same
/// `values` state) and builds other materializers when the plan asks for them
/// (`upsertMaterializeStrategy` other than `LEGACY`: `SinkUpsertMaterializerV2`; `DO ERROR`,
/// `DO NOTHING`: `WatermarkCompactingSinkMaterializer`): those are not modelled.
pub(super) fn sink_upsert_materializer(
    node: &PlanNode,
    input: &RowType,
    ttl: &dyn Fn(u32) -> Option<String>,
) -> Option<Declared> {
    let strategy = node.raw.get("upsertMaterializeStrategy");
    if strategy.is_some_and(|s| !s.is_null() && s.as_str() != Some("LEGACY")) {
        return None;
    }
    if node
        .raw
        .get("conflictStrategy")
        .is_some_and(|c| !c.is_null() && c["behavior"] != "DEDUPLICATE")
    {
        return None;
    }
    let columns = physical_columns(node)?;
    if columns.len() != input.fields.len() {
        return None;
    }
    let positions: HashMap<&str, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (*name, i))
        .collect();
    let key: Vec<&str> = node
        .raw
        .pointer("/dynamicTableSink/table/resolvedTable/schema/primaryKey/columns")?
        .as_array()?
        .iter()
        .map(|name| Some(columns[*positions.get(name.as_str()?)?].1.as_str()))
        .collect::<Option<_>>()?;
    if key.is_empty() {
        return None;
    }
    let row: Vec<&str> = columns.iter().map(|(_, t)| t.as_str()).collect();
    Some(Declared {
        key_type: positional_row(&key),
        states: vec![decl(
            "values",
            StateKind::Value,
            format!("List<{}>", positional_row(&row)),
            None,
            ttl(0),
        )],
    })
}

/// The sink table's physical columns (name, type) in order: the row the materializer keeps is
/// the table's, not its input's (a primary key column is `NOT NULL` there).
fn physical_columns(node: &PlanNode) -> Option<Vec<(&str, String)>> {
    node.raw
        .pointer("/dynamicTableSink/table/resolvedTable/schema/columns")?
        .as_array()?
        .iter()
        .filter(|c| {
            c.get("kind")
                .and_then(Value::as_str)
                .is_none_or(|k| k == "PHYSICAL")
        })
        .map(|c| {
            let name = c.get("name").and_then(Value::as_str)?;
            Some((name, logical_type_string(c.get("dataType")?)?))
        })
        .collect()
}
