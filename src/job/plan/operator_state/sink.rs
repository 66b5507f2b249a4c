//! The sink upsert materializer (`SinkMaterializer[...]`), which the planner puts before a sink
//! whose primary key is not an upsert key of its input (`requireUpsertMaterialize`).

use std::collections::HashMap;

use serde_json::Value;

use super::super::PlanNode;
use super::super::row_type::{RowType, logical_type_string, positional_row};
use super::{Declared, decl};
use crate::job::model::{StateDecl, StateKind};

/// The materializer Flink builds from the plan, keyed by the sink's primary key and keeping
/// rows of the sink table (see [`materializer`] for which one). Recorded on 2.3.0: the bases
/// `sql-upsert-sink` (LEGACY), `sql-upsert-sink-on-conflict-deduplicate`,
/// `sql-upsert-sink-on-conflict-{nothing,error}` and `sql-upsert-sink-strategy-{value,map,adaptive}` hold
/// exactly these states.
pub(super) fn sink_upsert_materializer(
    node: &PlanNode,
    input: &RowType,
    ttl: &dyn Fn(u32) -> Option<String>,
) -> Option<Declared> {
    let implementation = materializer(node)?;
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
    let row = positional_row(&row);
    let states = match implementation {
        Materializer::WatermarkCompacting => {
            // Rows wait in `watermark-buffer` (by watermark) until compacted into `current-value`.
            // With a TTL, Flink gives the buffer 5 s and the checkpoint id 10 s more than the
            // configured TTL; only whether a TTL is set shows in a savepoint, so they share it.
            vec![
                decl(
                    "watermark-buffer",
                    StateKind::Map,
                    format!("List<{row}>"),
                    Some("SortedLong".to_string()),
                    ttl(0),
                ),
                decl("current-value", StateKind::Value, row, None, ttl(0)),
                decl(
                    "consolidated-checkpoint-id",
                    StateKind::Value,
                    "Long".to_string(),
                    None,
                    ttl(0),
                ),
            ]
        }
        Materializer::Legacy => vec![decl(
            "values",
            StateKind::Value,
            format!("List<{row}>"),
            None,
            ttl(0),
        )],
        Materializer::ValueList => value_list_states(&row, ttl),
        Materializer::LinkedMap => linked_map_states(&row, ttl),
        // It registers both layouts up front (recorded on the heap backend) and moves a key's
        // rows between them by their number.
        Materializer::Adaptive => {
            let mut states = value_list_states(&row, ttl);
            states.extend(linked_map_states(&row, ttl));
            states
        }
    };
    Some(Declared {
        key_type: positional_row(&key),
        states,
    })
}

/// `SinkUpsertMaterializerV2`, VALUE layout: the rows with their sequence numbers in one list
/// per key.
fn value_list_states(row: &str, ttl: &dyn Fn(u32) -> Option<String>) -> Vec<StateDecl> {
    vec![decl(
        "list",
        StateKind::Value,
        format!("List<Java Tuple2<{row}, Long>>"),
        None,
        ttl(0),
    )]
}

/// `SinkUpsertMaterializerV2`, MAP layout: a linked multi-set of the highest sequence numbers,
/// each row's sequence numbers, and the list's nodes by sequence number.
fn linked_map_states(row: &str, ttl: &dyn Fn(u32) -> Option<String>) -> Vec<StateDecl> {
    vec![
        decl(
            "highestSqnState",
            StateKind::Value,
            "MetaSqnInfoSerializer<Long, Long>".to_string(),
            None,
            ttl(0),
        ),
        decl(
            "rowToSqnState",
            StateKind::Map,
            "RowSqnInfoSerializer<Long, Long>".to_string(),
            Some(format!("RowDataKey<{row}>")),
            ttl(0),
        ),
        decl(
            "sqnToNodeState",
            StateKind::Map,
            format!(
                "NodeSerializer<{row}, Long, Nullable<Long>, Nullable<Long>, Nullable<Long>, Long>"
            ),
            Some("Long".to_string()),
            ttl(0),
        ),
    ]
}

/// The materializer implementations whose state is modelled.
enum Materializer {
    /// `SinkUpsertMaterializer`: the `LEGACY` strategy (the default), `ON CONFLICT DO DEDUPLICATE`.
    Legacy,
    /// `WatermarkCompactingSinkMaterializer`: `ON CONFLICT DO ERROR` / `DO NOTHING` (2.3+).
    WatermarkCompacting,
    /// `SinkUpsertMaterializerV2`, strategy `VALUE` (2.3+).
    ValueList,
    /// `SinkUpsertMaterializerV2`, strategy `MAP` (2.3+).
    LinkedMap,
    /// `SinkUpsertMaterializerV2`, strategy `ADAPTIVE` (2.3+): both layouts.
    Adaptive,
}

/// Which materializer Flink builds for this sink node: an ERROR/NOTHING conflict strategy wins
/// over the materialize strategy; a behaviour or strategy spcompat does not know is not
/// modelled (`None`).
fn materializer(node: &PlanNode) -> Option<Materializer> {
    if node.compacts_by_watermark() {
        return Some(Materializer::WatermarkCompacting);
    }
    if node.conflict_behavior().is_some_and(|b| b != "DEDUPLICATE") {
        return None;
    }
    match node.raw.get("upsertMaterializeStrategy") {
        None | Some(Value::Null) => Some(Materializer::Legacy),
        Some(s) => match s.as_str()? {
            "LEGACY" => Some(Materializer::Legacy),
            "VALUE" => Some(Materializer::ValueList),
            "MAP" => Some(Materializer::LinkedMap),
            "ADAPTIVE" => Some(Materializer::Adaptive),
            _ => None,
        },
    }
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
