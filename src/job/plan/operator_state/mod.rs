//! The keyed state Flink's SQL operators register, beyond group aggregates: regular joins,
//! deduplication, changelog normalize, interval joins, rowtime temporal sorts, the
//! materializing lookup join, Top-N (`StreamExecRank`, also `LIMIT` and `ORDER BY ... LIMIT`),
//! event-time temporal joins, the window TVF deduplication, Top-N, join and aggregate,
//! legacy group window aggregates, session window TVFs, processing-time OVER aggregates,
//! MATCH_RECOGNIZE, the sink upsert materializer and the operator state of
//! async calcs and async lookup joins (`AsyncWaitOperator`). Each is derived from its ExecNode as the planner builds the
//! operator (`StreamExec*.translateToPlanInternal` and the runtime operator's `open()`), and
//! checked against the savepoints of Flink's own SQL restore tests (Flink 1.18/1.19 plans,
//! `tests/flink_restore_tests.rs`).
//!
//! A node is modelled whole or not at all: a partial state list would make the states left out
//! look removed. Where the plan says the operator is built another way (mini-batch joins, the
//! async-state operators of Flink 2.x, a proctime sort on several fields), nothing is declared
//! and the caller says so.

use std::collections::BTreeMap;

use serde_json::Value;

use super::options::PlanOptions;
use super::row_type::{RowType, positional_row};
use super::sql_info::int_list;
use super::{CompiledPlan, PlanNode};
use crate::job::model::{Location, StateDecl, StateKind};
use crate::schema::notation::sort_order_text;

mod cep;
mod over;
mod sink;
mod windows;
use cep::match_recognize;
use over::over_aggregate;
use sink::sink_upsert_materializer;
use windows::{
    group_window_aggregate, session_window_table_function, window_aggregate, window_join,
    window_rank,
};

/// The state of one operator as the plan implies it.
pub(super) struct Declared {
    pub key_type: String,
    pub states: Vec<StateDecl>,
}

/// `None` when this transformation's state is not modelled for this node.
pub(super) fn declare(
    plan: &CompiledPlan,
    node: &PlanNode,
    transformation: &str,
    opts: &PlanOptions,
    acc: Option<&[String]>,
    ttl: &dyn Fn(u32) -> Option<String>,
) -> Option<Declared> {
    if enabled(node, "table.exec.async-state.enabled", opts) {
        // Flink 2.x's async-state operators register their state through the State V2 API.
        return None;
    }
    let input = |i: usize| plan.input_row(node.id, i);
    match transformation {
        "join" => regular_join(node, input(0)?, input(1)?, opts, ttl),
        "deduplicate" => deduplicate(node, input(0)?, ttl),
        "changelog-normalize" => {
            let key = row_of(input(0)?, &int_list(node.raw.get("uniqueKeys"))?)?;
            Some(Declared {
                key_type: key,
                states: vec![decl(
                    "deduplicate-state",
                    StateKind::Value,
                    whole_row(input(0)?),
                    None,
                    ttl(0),
                )],
            })
        }
        "interval-join" => interval_join(node, input(0)?, input(1)?),
        "temporal-sort" => temporal_sort(node, input(0)?),
        "lookup-join-materialize" => lookup_join_materialize(node, input(0)?, ttl),
        "rank" => rank(node, input(0)?, ttl),
        "window-deduplicate" | "window-rank" => window_rank(node, transformation, input(0)?),
        "window-join" => window_join(node, input(0)?, input(1)?),
        "window-aggregate" | "global-window-aggregate" => window_aggregate(node, input(0)?, acc),
        "window" => session_window_table_function(node, input(0)?),
        "group-window-aggregate" => group_window_aggregate(node, input(0)?, acc, opts),
        "over-aggregate" => over_aggregate(node, input(0)?, acc, ttl),
        "temporal-join" => temporal_join(node, input(0)?, input(1)?),
        "upsert-materialize" => sink_upsert_materializer(node, input(0)?, ttl),
        "match" => match_recognize(node, input(0)?),
        _ => None,
    }
}

/// `AsyncWaitOperator` (async calc, async lookup join): the records in flight, as operator
/// list state of `StreamElement`s of the input row (`AsyncWaitOperator.initializeState`).
pub(super) fn async_wait_state(input: &RowType) -> StateDecl {
    decl(
        "_async_wait_operator_state_",
        StateKind::OperatorList,
        format!("StreamElementSerializer<{}>", whole_row(input)),
        None,
        None,
    )
}

pub(super) fn decl(
    name: &str,
    kind: StateKind,
    type_: String,
    user_key_type: Option<String>,
    ttl: Option<String>,
) -> StateDecl {
    StateDecl {
        name: name.to_string(),
        kind,
        type_: type_.into(),
        user_key_type: user_key_type.map(Into::into),
        ttl,
        avro_schema: None,
        extra: BTreeMap::new(),
        location: Location::default(),
    }
}

/// The `RowData` of the given fields of `row`, as its serializer snapshot reads.
fn row_of(row: &RowType, fields: &[usize]) -> Option<String> {
    let types: Option<Vec<&str>> = fields.iter().map(|&i| row.type_of(i)).collect();
    Some(positional_row(&types?))
}

fn whole_row(row: &RowType) -> String {
    let types: Vec<&str> = (0..row.fields.len())
        .filter_map(|i| row.type_of(i))
        .collect();
    positional_row(&types)
}

fn enabled(node: &PlanNode, key: &str, opts: &PlanOptions) -> bool {
    node.setting(key, opts)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// `StreamExecJoin` -> `StreamingJoinOperator` / `StreamingSemiAntiJoinOperator`: per side
/// `left-records` / `right-records`, shaped by `JoinUtil.analyzeJoinInput` over the side's
/// upsert keys (the planner's unique keys before 1.17): a unique key inside the join key keeps
/// one row per key (value state), another unique key a map from it to the row, no unique key a
/// map from the row to its count. An outer side (and the left side of SEMI/ANTI) also counts
/// each row's matches (`OuterJoinRecordStateViews`: `Tuple2<.., Integer>`).
fn regular_join(
    node: &PlanNode,
    left: &RowType,
    right: &RowType,
    opts: &PlanOptions,
    ttl: &dyn Fn(u32) -> Option<String>,
) -> Option<Declared> {
    if enabled(node, "table.exec.mini-batch.enabled", opts) {
        // Flink 2.x builds a MiniBatchStreamingJoinOperator then: not modelled.
        return None;
    }
    let spec = node.raw.get("joinSpec")?;
    let join_type = spec.get("joinType")?.as_str()?;
    let left_keys = int_list(spec.get("leftKeys"))?;
    let right_keys = int_list(spec.get("rightKeys"))?;
    let (left_outer, right_outer) = match join_type {
        "INNER" => (false, false),
        "LEFT" | "SEMI" | "ANTI" => (true, false),
        "RIGHT" => (false, true),
        "FULL" => (true, true),
        _ => return None,
    };
    let side = |name: &str,
                row: &RowType,
                join_keys: &[usize],
                keys_field: &str,
                outer: bool,
                index: u32|
     -> Option<StateDecl> {
        let unique_keys = unique_keys(node, keys_field)?;
        let record = whole_row(row);
        let counted = |t: String| {
            if outer {
                format!("Java Tuple2<{t}, Integer>")
            } else {
                t
            }
        };
        let contains_unique_key = unique_keys
            .iter()
            .any(|uk| uk.iter().all(|f| join_keys.contains(f)));
        Some(if unique_keys.is_empty() {
            let count = if outer {
                "Java Tuple2<Integer, Integer>".to_string()
            } else {
                "Integer".to_string()
            };
            decl(name, StateKind::Map, count, Some(record), ttl(index))
        } else if contains_unique_key {
            // Which of the contained keys is the smallest does not change the state's type.
            decl(name, StateKind::Value, counted(record), None, ttl(index))
        } else {
            // `reduce((k1, k2) -> k1.length <= k2.length ? k1 : k2)`: the first of the shortest.
            let smallest = unique_keys
                .iter()
                .reduce(|a, b| if a.len() <= b.len() { a } else { b })?;
            let key = row_of(row, smallest)?;
            decl(name, StateKind::Map, counted(record), Some(key), ttl(index))
        })
    };
    Some(Declared {
        key_type: row_of(left, &left_keys)?,
        states: vec![
            side(
                "left-records",
                left,
                &left_keys,
                "leftUpsertKeys",
                left_outer,
                0,
            )?,
            side(
                "right-records",
                right,
                &right_keys,
                "rightUpsertKeys",
                right_outer,
                1,
            )?,
        ],
    })
}

/// A join side's unique keys: `leftUpsertKeys` (1.17+) or `leftUniqueKeys` (earlier plans);
/// absent means none. `None` when present but unreadable.
fn unique_keys(node: &PlanNode, field: &str) -> Option<Vec<Vec<usize>>> {
    let older = field.replace("Upsert", "Unique");
    let Some(v) = node
        .raw
        .get(field)
        .or_else(|| node.raw.get(older.as_str()))
        .filter(|v| !v.is_null())
    else {
        return Some(Vec::new());
    };
    v.as_array()?
        .iter()
        .map(|k| int_list(Some(k)))
        .collect::<Option<Vec<_>>>()
}

/// `StreamExecDeduplicate`: one `deduplicate-state` value per partition key, holding the kept
/// row, or only a flag for keep-first on processing time (`ProcTimeDeduplicateKeepFirstRow*`),
/// with or without mini-batch.
fn deduplicate(
    node: &PlanNode,
    input: &RowType,
    ttl: &dyn Fn(u32) -> Option<String>,
) -> Option<Declared> {
    let key = row_of(input, &int_list(node.raw.get("uniqueKeys"))?)?;
    let rowtime = node.raw.get("isRowtime")?.as_bool()?;
    let keep_last = node.raw.get("keepLastRow")?.as_bool()?;
    let value = if !rowtime && !keep_last {
        "Boolean".to_string()
    } else {
        whole_row(input)
    };
    Some(Declared {
        key_type: key,
        states: vec![decl(
            "deduplicate-state",
            StateKind::Value,
            value,
            None,
            ttl(0),
        )],
    })
}

/// `StreamExecIntervalJoin` with a window of non-negative size (`TimeIntervalJoin`): per side a
/// cache from timestamp to the rows and whether each was matched, and the side's next timer.
/// A negative window is built from stateless filters and paddings instead.
fn interval_join(node: &PlanNode, left: &RowType, right: &RowType) -> Option<Declared> {
    let spec = node.raw.get("intervalJoinSpec")?;
    let bounds = spec.get("windowBounds")?;
    let lower = bounds.get("leftLowerBound")?.as_i64()?;
    let upper = bounds.get("leftUpperBound")?.as_i64()?;
    if upper.checked_sub(lower)? < 0 {
        return Some(Declared {
            key_type: String::new(),
            states: Vec::new(),
        });
    }
    let left_keys = int_list(spec.pointer("/joinSpec/leftKeys"))?;
    let cache = |row: &RowType| format!("List<Java Tuple2<{}, Boolean>>", whole_row(row));
    Some(Declared {
        key_type: row_of(left, &left_keys)?,
        states: vec![
            decl(
                "IntervalJoinLeftCache",
                StateKind::Map,
                cache(left),
                Some("Long".into()),
                None,
            ),
            decl(
                "IntervalJoinRightCache",
                StateKind::Map,
                cache(right),
                Some("Long".into()),
                None,
            ),
            decl(
                "IntervalJoinLeftTimerState",
                StateKind::Value,
                "Long".into(),
                None,
                None,
            ),
            decl(
                "IntervalJoinRightTimerState",
                StateKind::Value,
                "Long".into(),
                None,
                None,
            ),
        ],
    })
}

/// `StreamExecTemporalSort`: on a rowtime attribute `RowTimeSortOperator` buffers rows per
/// timestamp (keyed by the empty key, like every non-partitioned SQL operator); on processing
/// time with no other sort field the node forwards rows and keeps nothing. (A processing-time
/// sort on more fields, `ProcTimeSortOperator`, is not modelled.)
fn temporal_sort(node: &PlanNode, input: &RowType) -> Option<Declared> {
    let fields = node.raw.pointer("/orderBy/fields")?.as_array()?;
    let first = fields.first()?.get("index")?.as_u64()? as usize;
    let time = input.type_of(first)?;
    if time.contains("*ROWTIME*") {
        Some(Declared {
            key_type: "ROW<>".to_string(),
            states: vec![
                decl(
                    "dataState",
                    StateKind::Map,
                    format!("List<{}>", whole_row(input)),
                    Some("Long".into()),
                    None,
                ),
                decl(
                    "lastTriggeringTsState",
                    StateKind::Value,
                    "Long".into(),
                    None,
                    None,
                ),
            ],
        })
    } else if time.contains("*PROCTIME*") && fields.len() == 1 {
        Some(Declared {
            key_type: String::new(),
            states: Vec::new(),
        })
    } else {
        None
    }
}

/// `StreamExecLookupJoin` with `requireUpsertMaterialize` (`KeyedLookupJoinWrapper`), keyed by
/// the input's upsert key (all columns without one): when the lookup key holds the lookup
/// table's primary key, one `unique-value` row of the looked-up side per key. (Without it, a
/// list of rows: not modelled.)
fn lookup_join_materialize(
    node: &PlanNode,
    input: &RowType,
    ttl: &dyn Fn(u32) -> Option<String>,
) -> Option<Declared> {
    if node.raw.get("lookupKeyContainsPrimaryKey")?.as_bool()? {
        let output = node.row_field("outputType")?;
        let right: Vec<usize> = (input.fields.len()..output.fields.len()).collect();
        let mut key: Vec<usize> = match node.raw.get("inputUpsertKey") {
            Some(Value::Array(_)) => int_list(node.raw.get("inputUpsertKey"))?,
            _ => Vec::new(),
        };
        if key.is_empty() {
            key = (0..input.fields.len()).collect();
        }
        key.sort_unstable();
        Some(Declared {
            key_type: row_of(input, &key)?,
            states: vec![decl(
                "unique-value",
                StateKind::Value,
                row_of(&output, &right)?,
                None,
                ttl(0),
            )],
        })
    } else {
        None
    }
}

/// `StreamExecRank` (Top-N; `LIMIT` and `ORDER BY ... LIMIT` too), per partition key, by the
/// function its strategy picks: the first N on ascending processing time only count
/// (`AppendOnlyFirstNFunction`); a top 1 keeps its row (`FastTop1Function`); an append-only
/// top N the rows by sort key (`AppendOnlyTopNFunction`); an updating top N each row with its
/// position by primary key (`UpdatableTopNFunction`); a retracting top N the rows by sort key
/// and the sort keys' counts in a sorted map (`RetractableTopNFunction`). Variable rank ranges
/// are not modelled.
fn rank(node: &PlanNode, input: &RowType, ttl: &dyn Fn(u32) -> Option<String>) -> Option<Declared> {
    let partition = int_list(node.raw.pointer("/partition/fields"))?;
    // (input column, ascending, nulls last): only the retracting strategy needs the null order.
    let sort: Vec<(usize, bool, Option<bool>)> = node
        .raw
        .pointer("/orderBy/fields")?
        .as_array()?
        .iter()
        .map(|f| {
            Some((
                f.get("index")?.as_u64()? as usize,
                f.get("isAscending")?.as_bool()?,
                f.get("nullIsLast").and_then(Value::as_bool),
            ))
        })
        .collect::<Option<_>>()?;
    if node.raw.pointer("/rankRange/type").and_then(Value::as_str) != Some("Constant") {
        return None;
    }
    let top1 = node.raw.pointer("/rankRange/end").and_then(Value::as_i64) == Some(1);
    let sort_key = row_of(input, &sort.iter().map(|&(i, _, _)| i).collect::<Vec<_>>())?;
    let record = whole_row(input);
    let state = match node
        .raw
        .pointer("/rankStrategy/type")
        .and_then(Value::as_str)?
    {
        "AppendFast"
            if sort.len() == 1 && sort[0].1 && input.type_of(sort[0].0)?.contains("*PROCTIME*") =>
        {
            decl(
                "counterState",
                StateKind::Value,
                "Integer".into(),
                None,
                ttl(0),
            )
        }
        "AppendFast" | "UpdateFast" if top1 => {
            decl("Top1-Rank-State", StateKind::Value, record, None, ttl(0))
        }
        "AppendFast" => decl(
            "data-state-with-append",
            StateKind::Map,
            format!("List<{record}>"),
            Some(sort_key),
            ttl(0),
        ),
        "UpdateFast" => {
            let keys = int_list(node.raw.pointer("/rankStrategy/primaryKeys"))?;
            decl(
                "data-state-with-update",
                StateKind::Map,
                format!("Java Tuple2<{record}, Integer>"),
                Some(row_of(input, &keys)?),
                ttl(0),
            )
        }
        // RetractableTopNFunction: the rows by sort key, and the sort keys' counts in a sorted
        // map whose comparator Flink requires to be equal: sort directions and null order
        // (positions are those inside the sort key).
        "Retract" => {
            let order: Vec<(i32, bool, bool)> = sort
                .iter()
                .enumerate()
                .map(|(i, &(_, ascending, last))| Some((i as i32, ascending, last?)))
                .collect::<Option<_>>()?;
            return Some(Declared {
                key_type: row_of(input, &partition)?,
                states: vec![
                    decl(
                        "data-state",
                        StateKind::Map,
                        format!("List<{record}>"),
                        Some(sort_key.clone()),
                        ttl(0),
                    ),
                    decl(
                        "sorted-map",
                        StateKind::Value,
                        format!("SortedMap<{sort_key}, Long, {}>", sort_order_text(&order)),
                        None,
                        ttl(0),
                    ),
                ],
            });
        }
        _ => return None,
    };
    Some(Declared {
        key_type: row_of(input, &partition)?,
        states: vec![state],
    })
}

/// `StreamExecTemporalJoin` on event time (`FOR SYSTEM_TIME AS OF` a rowtime, or a temporal
/// table function): `TemporalRowTimeJoinOperator` keeps, per join key, both inputs' rows by a
/// running index, the next index and the registered timer. The processing-time join is not
/// modelled.
fn temporal_join(node: &PlanNode, left: &RowType, right: &RowType) -> Option<Declared> {
    let time = node.raw.get("leftTimeAttributeIndex")?.as_u64()? as usize;
    if !left.type_of(time)?.contains("*ROWTIME*") {
        return None;
    }
    let left_keys = int_list(node.raw.pointer("/joinSpec/leftKeys"))?;
    Some(Declared {
        key_type: row_of(left, &left_keys)?,
        states: vec![
            decl("next-index", StateKind::Value, "Long".into(), None, None),
            decl(
                "left",
                StateKind::Map,
                whole_row(left),
                Some("Long".into()),
                None,
            ),
            decl(
                "right",
                StateKind::Map,
                whole_row(right),
                Some("Long".into()),
                None,
            ),
            decl("timer", StateKind::Value, "Long".into(), None, None),
        ],
    })
}
