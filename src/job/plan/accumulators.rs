//! Accumulator layouts of the built-in aggregate functions, as the planner lays them out
//! (`AggregateUtil.transformToStreamAggregateInfoList`): what a group, window or OVER
//! aggregate keeps in its accumulator row, and the map views of DISTINCT calls.

use serde_json::Value;

use super::distinct::{DistinctView, distinct_views};
use super::operator_state::decl;
use super::row_type::{RowType, nullable};
use super::sql_info::int_list;
use super::{CompiledPlan, PlanNode};
use crate::job::model::{StateDecl, StateKind};

/// The accumulator fields of a (group) aggregate: `AggregateUtil.transformToStreamAggregateInfoList`
/// for the built-in declarative functions, then one map view per DISTINCT group; `None` when a
/// call is not modelled.
pub(super) fn derive_acc_types(
    node: &PlanNode,
    input: Option<&RowType>,
    notation: AccNotation,
) -> Option<(AccLayout, Vec<DistinctView>)> {
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
        Calls {
            notation,
            extreme_with_retract: false,
        },
    )?;
    // Retracting input: a DISTINCT group counts each value (with one FILTER clause at most).
    let views = distinct_views(calls, input, need_input_count)?;
    acc.fields.extend(views.iter().map(|_| map_view()));
    Some((acc, views))
}

/// The accumulator fields of an OVER aggregate's one window group
/// (`StreamExecOverAggregate`): a bounded window retracts every call and counts its input
/// rows; an unbounded one does neither. `None` for several groups or a call not modelled.
pub(super) fn over_acc_types(
    node: &PlanNode,
    input: Option<&RowType>,
    notation: AccNotation,
) -> Option<AccLayout> {
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
        Calls {
            notation,
            extreme_with_retract: true,
        },
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
        let class = format!("{function}WithRetractAggFunction${function}WithRetractAccumulator");
        self.structured(
            &class,
            &[
                (field, value.to_string()),
                ("mapSize", "BIGINT".to_string()),
                ("map", self.map_view()),
            ],
        )
    }

    /// `FirstValueWithRetractAggFunction`'s (or Last's) accumulator: the value, its order,
    /// and two map views (recorded in the `expand` restore test, Flink 1.19).
    fn first_last_with_retract(self, first: bool, value: &str) -> String {
        let (function, field) = if first {
            ("First", "first")
        } else {
            ("Last", "last")
        };
        let class =
            format!("{function}ValueWithRetractAggFunction${function}ValueWithRetractAccumulator");
        self.structured(
            &class,
            &[
                (&format!("{field}Value"), value.to_string()),
                (&format!("{field}Order"), "BIGINT".to_string()),
                ("valueToOrderMap", self.map_view()),
                ("orderToValueMap", self.map_view()),
            ],
        )
    }

    /// `LagAggFunction`'s accumulator: the offset, the default value and the buffered values
    /// (a RAW linked list, whose serializer the comparison leaves aside). Recorded in the
    /// `over-aggregate-lag` restore test (Flink 1.19).
    fn lag(self, value: &str) -> String {
        self.structured(
            "LagAggFunction$LagAcc",
            &[
                ("offset", "INT".to_string()),
                ("defaultValue", value.to_string()),
                ("buffer", "RAW('java.util.LinkedList', '...')".to_string()),
            ],
        )
    }

    /// A structured accumulator of a class of the table runtime's aggregate functions.
    fn structured(self, class: &str, fields: &[(&str, String)]) -> String {
        let class = format!("org.apache.flink.table.runtime.functions.aggregate.{class}");
        let fields: Vec<String> = fields.iter().map(|(n, t)| format!("`{n}` {t}")).collect();
        match self {
            // A structured type has no serializable string in 1.x: its summary elides the
            // nested RAW types' snapshots.
            AccNotation::Flink1 => format!("*{class}<{}>*", fields.join(", ")),
            AccNotation::Flink2 => format!("STRUCTURED<'{class}', {}>", fields.join(", ")),
        }
    }

    /// A `MapView` field inside a structured accumulator.
    fn map_view(self) -> String {
        match self {
            AccNotation::Flink1 => {
                "RAW('org.apache.flink.table.api.dataview.MapView', '...')".to_string()
            }
            AccNotation::Flink2 => map_view(),
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

/// What an aggregate node's calls keep: the accumulator row's fields, the state-backed data
/// views inside them, and the user-defined functions among the calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct AccLayout {
    pub fields: Vec<String>,
    /// The built-in functions' map views, each a map state of its own.
    pub views: Vec<AccView>,
    /// User-defined functions: their accumulator fields are `UNKNOWN(...)`, and whether they
    /// hold data views (more state) the plan does not say.
    pub user_functions: Vec<String>,
}

/// A state-backed `MapView` of a built-in function's accumulator: Flink registers it as the
/// map state `agg<call index>$<field>` (`DataViewUtils`), with the aggregate's TTL.
#[derive(Debug, Clone, PartialEq)]
pub struct AccView {
    pub name: String,
    pub key: String,
    pub value: String,
}

/// The map states of the accumulators' views.
pub(super) fn view_states(views: &[AccView], ttl: Option<&str>) -> Vec<StateDecl> {
    views
        .iter()
        .map(|v| {
            decl(
                &v.name,
                StateKind::Map,
                v.value.clone(),
                Some(v.key.clone()),
                ttl.map(str::to_string),
            )
        })
        .collect()
}

/// How the calls are laid out: the notation of imperative accumulators, and whether MIN/MAX
/// with retraction is laid out (recorded in OVER windows only).
#[derive(Clone, Copy)]
struct Calls {
    notation: AccNotation,
    extreme_with_retract: bool,
}

/// `AggregateUtil.transformToStreamAggregateInfoList` for the built-in functions: each call's
/// accumulator fields, then the input-row count where one is needed and no COUNT(*) already
/// keeps it.
fn acc_types_of(
    calls: &[Value],
    retractions: &[bool],
    need_input_count: bool,
    mut has_count_star: bool,
    input: Option<&RowType>,
    how: Calls,
) -> Option<AccLayout> {
    let mut acc = AccLayout::default();
    // A DISTINCT call keeps the accumulator it has without DISTINCT; its map view comes after
    // all of them (`distinct_views`).
    for (i, call) in calls.iter().enumerate() {
        let retract = retractions.get(i).copied().unwrap_or(false);
        let Some(internal) = call.get("internalName").and_then(Value::as_str) else {
            // A user-defined function (by its catalog or system name): its accumulator type
            // is the function's own, which the plan does not carry.
            let udf = call
                .get("catalogName")
                .or_else(|| call.get("systemName"))
                .and_then(Value::as_str)?;
            let udf: String = udf
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
                .collect();
            acc.fields.push(format!(
                "UNKNOWN(the accumulator of user-defined aggregate function {udf}: not in the plan)"
            ));
            acc.user_functions.push(udf);
            continue;
        };
        let name = internal
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
                acc.fields.push("BIGINT".to_string());
            }
            "SUM" => {
                acc.fields.push(result?);
                if retract {
                    acc.fields.push("BIGINT".to_string());
                }
            }
            "SUM0" | "$SUM0" => acc.fields.push(result?),
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
                acc.fields.push(sum);
                acc.fields.push("BIGINT".to_string());
            }
            "MAX" | "MIN" if !retract => acc.fields.push(arg_type.or(result)?),
            "MAX" | "MIN" if how.extreme_with_retract => {
                acc.fields
                    .push(how.notation.extreme_with_retract(name == "MAX", &arg_type?));
            }
            "FIRST_VALUE" | "LAST_VALUE" => {
                let first = name == "FIRST_VALUE";
                let value = arg_type?;
                if retract {
                    acc.fields
                        .push(how.notation.first_last_with_retract(first, &value));
                    acc.views.extend(first_last_views(i, &value));
                } else {
                    // `FirstValueAggFunction` / `LastValueAggFunction`: a row.
                    let (v, o) = if first {
                        ("firstValue", "firstOrder")
                    } else {
                        ("lastValue", "lastOrder")
                    };
                    acc.fields.push(format!("ROW<`{v}` {value}, `{o}` BIGINT>"));
                }
            }
            // `LagAggFunction` (OVER windows; it does not retract).
            "LAG" if !retract => acc.fields.push(how.notation.lag(&arg_type?)),
            _ => return None,
        }
    }
    if need_input_count && !has_count_star {
        acc.fields.push("BIGINT".to_string());
    }
    Some(acc)
}

/// FIRST_VALUE / LAST_VALUE with retraction keep every value with its arrival orders, and
/// the values by order, in two map views (`FirstValueWithRetractAggFunction`), as the
/// savepoints of Flink's restore tests read them.
fn first_last_views(call: usize, value: &str) -> [AccView; 2] {
    [
        AccView {
            name: format!("agg{call}$valueToOrderMap"),
            key: format!("ExternalSerializer<{value}>"),
            value: "ExternalSerializer<ARRAY<BIGINT>>".to_string(),
        },
        AccView {
            name: format!("agg{call}$orderToValueMap"),
            key: "ExternalSerializer<Long>".to_string(),
            value: format!("ExternalSerializer<ARRAY<{value} NOT NULL>>"),
        },
    ]
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
    let calls_layout = Calls {
        notation: AccNotation::Flink1,
        extreme_with_retract: false,
    };
    let layout = acc_types_of(
        calls,
        &retractions,
        retract,
        false,
        input.as_ref(),
        calls_layout,
    )?;
    if !layout.views.is_empty() || !layout.user_functions.is_empty() {
        // Their data views would be state of this node too.
        return None;
    }
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
