//! Accumulator layouts of the built-in aggregate functions, as the planner lays them out
//! (`AggregateUtil.transformToStreamAggregateInfoList`): what a group, window or OVER
//! aggregate keeps in its accumulator row, and the map views of DISTINCT calls.

use serde_json::Value;

use super::distinct::{DistinctView, distinct_views};
use super::row_type::{RowType, nullable};
use super::sql_info::int_list;
use super::{CompiledPlan, PlanNode};

/// The accumulator fields of a (group) aggregate: `AggregateUtil.transformToStreamAggregateInfoList`
/// for the built-in declarative functions, then one map view per DISTINCT group; `None` when a
/// call is not modelled.
pub(super) fn derive_acc_types(
    node: &PlanNode,
    input: Option<&RowType>,
) -> Option<(Vec<String>, Vec<DistinctView>)> {
    let calls = node.raw.get("aggCalls")?.as_array()?;
    let input_retracts = node
        .raw
        .get("needRetraction")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // Window aggregates carry no per-call list: a retracting input makes every call retract
    // (Flink's restore test of a session window over a CDC source: COUNT_RETRACT, SUM_RETRACT).
    let retractions = match node.raw.get("aggCallNeedRetractions") {
        Some(_) => need_retractions(node, "aggCallNeedRetractions"),
        None => vec![input_retracts; calls.len()],
    };
    // Hopping windows share slices between windows and count each slice's input rows to tell
    // an empty one (Flink's restore tests: a HOP aggregate without COUNT(*) keeps the count).
    let shared_slices = node
        .raw
        .pointer("/windowing/window/type")
        .and_then(Value::as_str)
        == Some("HoppingWindow");
    let need_input_count = shared_slices || input_retracts;
    // A global aggregate names the local aggregate's COUNT(*) that counts its input rows.
    let has_count_star = node
        .raw
        .get("indexOfCountStar")
        .and_then(Value::as_i64)
        .is_some_and(|i| i >= 0);
    // MIN/MAX with retraction: recorded in OVER windows only.
    let mut acc = acc_types_of(
        calls,
        &retractions,
        need_input_count,
        has_count_star,
        input,
        None,
    )?;
    // Retracting input: a DISTINCT group counts each value (with one FILTER clause at most).
    let views = distinct_views(calls, input, need_input_count)?;
    acc.extend(views.iter().map(|_| map_view()));
    Some((acc, views))
}

/// The accumulator fields of an OVER aggregate's one window group
/// (`StreamExecOverAggregate`): a bounded window retracts every call and counts its input
/// rows; an unbounded one does neither. `None` for several groups or a call not modelled.
pub(super) fn over_acc_types(
    node: &PlanNode,
    input: Option<&RowType>,
    notation: AccNotation,
) -> Option<Vec<String>> {
    let [group] = node.raw.pointer("/overSpec/groups")?.as_array()?.as_slice() else {
        return None;
    };
    let calls = group.get("aggCalls")?.as_array()?;
    if calls
        .iter()
        .any(|c| c.get("distinct").and_then(Value::as_bool) == Some(true))
    {
        // DISTINCT in an OVER window: not recorded.
        return None;
    }
    let bounded = group.pointer("/lowerBound/kind")?.as_str()? == "BOUNDED_WINDOW";
    acc_types_of(
        calls,
        &vec![bounded; calls.len()],
        bounded,
        false,
        input,
        Some(notation),
    )
}

/// How the runtime prints an imperative function's accumulator: Flink 1.x's structured-type
/// summary (`*class<fields>*`) or 2.x's `STRUCTURED<'class', fields>`.
#[derive(Clone, Copy)]
pub(super) enum AccNotation {
    Flink1,
    Flink2,
}

impl AccNotation {
    pub(super) fn of(plan: &CompiledPlan) -> AccNotation {
        match plan.flink_version.range() {
            Some(r) if r.low.major >= 2 => AccNotation::Flink2,
            _ => AccNotation::Flink1,
        }
    }

    /// `MaxWithRetractAggFunction`'s (or Min's) accumulator over values of `value`: the
    /// extreme value, the map's size, and the map of values to counts (a state-backed
    /// `MapView`). Recorded for MAX(BIGINT) in OVER windows on Flink 1.20.3 and 2.3.0.
    fn extreme_with_retract(self, max: bool, value: &str) -> String {
        let (function, field) = if max { ("Max", "max") } else { ("Min", "min") };
        let class = format!(
            "org.apache.flink.table.runtime.functions.aggregate.{function}WithRetractAggFunction${function}WithRetractAccumulator"
        );
        match self {
            // A structured type has no serializable string in 1.x: its summary elides the
            // nested RAW type's snapshot.
            AccNotation::Flink1 => format!(
                "*{class}<`{field}` {value}, `mapSize` BIGINT, `map` RAW('org.apache.flink.table.api.dataview.MapView', '...')>*"
            ),
            AccNotation::Flink2 => format!(
                "STRUCTURED<'{class}', `{field}` {value}, `mapSize` BIGINT, `map` {}>",
                map_view()
            ),
        }
    }
}

/// A state-backed `MapView` as an accumulator field: the RAW type of its placeholder (null)
/// serializer, with that serializer's snapshot, as Flink's runtime function prints it (1.20.3
/// and 2.3.0: DISTINCT map views at the top of the accumulator row, and MIN/MAX with retraction
/// inside a structured accumulator on 2.x).
pub(super) fn map_view() -> String {
    "RAW('org.apache.flink.table.api.dataview.MapView', 'AEVvcmcuYXBhY2hlLmZsaW5rLnRhYmxlLmRhdGF2aWV3Lk51bGxTZXJpYWxpemVyJE51bGxTZXJpYWxpemVyU25hcHNob3QAAAAD')".to_string()
}

/// `AggregateUtil.transformToStreamAggregateInfoList` for the built-in declarative functions:
/// each call's accumulator fields, then the input-row count where one is needed and no
/// COUNT(*) already keeps it.
fn acc_types_of(
    calls: &[Value],
    retractions: &[bool],
    need_input_count: bool,
    mut has_count_star: bool,
    input: Option<&RowType>,
    extreme_with_retract: Option<AccNotation>,
) -> Option<Vec<String>> {
    let mut acc = Vec::new();
    // A DISTINCT call keeps the accumulator it has without DISTINCT; its map view comes after
    // all of them (`distinct_views`).
    for (i, call) in calls.iter().enumerate() {
        let retract = retractions.get(i).copied().unwrap_or(false);
        let name = call
            .get("internalName")
            .and_then(Value::as_str)?
            .trim_start_matches('$')
            .split('$')
            .next()?
            .to_ascii_uppercase();
        let args = int_list(call.get("argList")).unwrap_or_default();
        let result = call.get("type").and_then(Value::as_str).map(nullable);
        let arg_type = args
            .first()
            .and_then(|&a| input.and_then(|r| r.type_of(a)))
            .map(nullable);
        match name.as_str() {
            "COUNT" => {
                if args.is_empty() {
                    has_count_star = true;
                }
                acc.push("BIGINT".to_string());
            }
            "SUM" => {
                acc.push(result?);
                if retract {
                    acc.push("BIGINT".to_string());
                }
            }
            "SUM0" | "$SUM0" => acc.push(result?),
            "AVG" => {
                let a = arg_type?;
                let sum =
                    if ["TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT"].contains(&a.as_str()) {
                        "BIGINT".to_string()
                    } else if a == "FLOAT" || a == "DOUBLE" {
                        "DOUBLE".to_string()
                    } else if let Some(scale) = a
                        .strip_prefix("DECIMAL(")
                        .and_then(|r| r.strip_suffix(')'))
                        .and_then(|r| r.split(',').nth(1))
                    {
                        format!("DECIMAL(38, {})", scale.trim())
                    } else {
                        return None;
                    };
                acc.push(sum);
                acc.push("BIGINT".to_string());
            }
            "MAX" | "MIN" if !retract => acc.push(arg_type.or(result)?),
            "MAX" | "MIN" => {
                let notation = extreme_with_retract?;
                acc.push(notation.extreme_with_retract(name == "MAX", &arg_type?));
            }
            _ => return None,
        }
    }
    if need_input_count && !has_count_star {
        acc.push("BIGINT".to_string());
    }
    Some(acc)
}

/// `StreamExecIncrementalGroupAggregate` (a split DISTINCT aggregate's partial results merged
/// per final key, mini-batch only): the partial aggregate's calls run again over the local
/// aggregate's input, and only their DISTINCT map views are state (the accumulators live in
/// the mini-batch buffer). `None` when a call is not a built-in function spcompat lays out (its
/// own data views would be state too).
pub(super) fn incremental_distinct_views(node: &PlanNode) -> Option<Vec<DistinctView>> {
    let calls = node.raw.get("partialOriginalAggCalls")?.as_array()?;
    let input = node.row_field("partialLocalAggInputRowType");
    let retract = node
        .raw
        .get("partialAggNeedRetraction")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let retractions = need_retractions(node, "partialAggCallNeedRetractions");
    acc_types_of(calls, &retractions, retract, false, input.as_ref(), None)?;
    distinct_views(calls, input.as_ref(), retract)
}

/// Which aggregate calls consume retractions (`aggCallNeedRetractions` and the like); absent
/// means none.
fn need_retractions(node: &PlanNode, field: &str) -> Vec<bool> {
    node.raw
        .get(field)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|b| b.as_bool().unwrap_or(false)).collect())
        .unwrap_or_default()
}
