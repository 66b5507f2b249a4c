//! What an operator is in SQL terms: the job-graph extension field `sql` ([`SqlInfo`]), read
//! from a plan node's tables, keys, aggregate calls and state entries.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::accumulators::{AccLayout, AccNotation, AccView, derive_acc_types, over_acc_types};
use super::distinct::DistinctView;
use super::row_type::RowType;
use super::{CompiledPlan, PlanNode};
use crate::job::model::JobOperator;

/// A state entry of the plan (FLIP-292, Flink 1.18+): the label used to set its TTL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanState {
    pub index: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

/// A table's primary key constraint (compiled plans' `resolvedTable.schema.primaryKey`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

/// What an operator is in SQL terms (job-graph extension field `sql`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlInfo {
    /// The ExecNode id (the `[4]` of `GroupAggregate[4]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_node: Option<u32>,
    /// `stream-exec-group-aggregate_1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_type: Option<String>,
    /// The transformation of the node this operator is, e.g. `group-aggregate`, `sink`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transformation: Option<String>,
    /// The plan's description, e.g. `GroupAggregate(groupBy=[k], select=[...])`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Source or sink table, e.g. `` `default_catalog`.`default_database`.`src` ``.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The table's connector options.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// The table's primary key as the plan persisted it, constraint name included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// GROUP BY / PARTITION BY / join key column names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<String>>,
    /// Aggregate calls as SQL, e.g. `COUNT(*)`, `SUM(v)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregates: Option<Vec<String>>,
    /// Accumulator types, one per accumulator field (exported graphs: read from the runtime
    /// function; plans: derived from the aggregate calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acc_types: Option<Vec<String>>,
    /// Join keys, `left = right` column names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_keys: Option<Vec<String>>,
    /// A join's type as the plan writes it: `INNER`, `LEFT`, `RIGHT`, `FULL`, `SEMI`, `ANTI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_type: Option<String>,
    /// What a deduplication keeps, e.g. `keep the first row by processing time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduplicate: Option<String>,
    /// What a Top-N keeps, e.g. `top 3 by v DESC` (Top-N, window Top-N, LIMIT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_n: Option<String>,
    /// Window specification as the plan describes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// The plan's `state` entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan_state: Vec<PlanState>,
    /// State retention of the runtime function (exported graphs), in ms; 0 = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_retention_ms: Option<i64>,
    /// What about this operator's state spcompat could not model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_note: Option<String>,
    /// The DISTINCT groups of the aggregate calls, whose map views are state of their own
    /// (derived from the plan each time, never written).
    #[serde(skip)]
    pub distinct_views: Vec<DistinctView>,
    /// The built-in functions' map views (FIRST_VALUE/LAST_VALUE with retraction), state of
    /// their own (derived from the plan each time, never written).
    #[serde(skip)]
    pub acc_views: Vec<AccView>,
    /// The user-defined aggregate functions among the calls, whose data views (if any) the
    /// plan does not describe.
    #[serde(skip)]
    pub user_functions: Vec<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl SqlInfo {
    /// The `sql` extension of an operator, when it has one.
    pub fn of(op: &JobOperator) -> Option<SqlInfo> {
        // Read from the borrowed value: a clone of the whole extension per call is not needed.
        op.extra
            .get("sql")
            .and_then(|v| SqlInfo::deserialize(v).ok())
    }

    /// What an aggregate's calls keep: the accumulator fields, their map views and the
    /// user-defined functions among them.
    fn store_layout(&mut self, acc: AccLayout) {
        self.acc_types = Some(acc.fields);
        self.acc_views = acc.views;
        self.user_functions = acc.user_functions;
    }

    /// Stores this as the operator's `sql` extension.
    pub fn store(&self, op: &mut JobOperator) {
        if let Ok(v) = serde_json::to_value(self) {
            op.extra.insert("sql".to_string(), v);
        }
    }

    /// Short table name (`src` of `` `cat`.`db`.`src` ``).
    pub fn table_name(&self) -> Option<String> {
        self.table.as_deref().map(short_table)
    }
}

/// `src` of `` `default_catalog`.`default_database`.`src` `` (or of `cat.db.src`).
pub fn short_table(identifier: &str) -> String {
    let last = split_identifier(identifier).pop().unwrap_or_default();
    if last.is_empty() {
        identifier.to_string()
    } else {
        last
    }
}

fn split_identifier(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_tick = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' if in_tick && chars.peek() == Some(&'`') => {
                cur.push('`');
                chars.next();
            }
            '`' => in_tick = !in_tick,
            '.' if !in_tick => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

pub(super) fn table_identifier(node: &PlanNode, pointer: &str) -> Option<String> {
    node.raw
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

pub(super) fn table_options(node: &PlanNode, pointer: &str) -> BTreeMap<String, String> {
    string_map(node.raw.pointer(pointer))
}

pub(super) fn table_columns(node: &PlanNode, pointer: &str) -> Vec<(String, String)> {
    node.raw
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|cols| {
            cols.iter()
                .filter_map(|c| {
                    Some((
                        c.get("name")?.as_str()?.to_string(),
                        c.get("dataType")
                            .and_then(|d| {
                                d.as_str()
                                    .map(str::to_string)
                                    .or_else(|| Some(d.to_string()))
                            })
                            .unwrap_or_default(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn int_list(v: Option<&Value>) -> Option<Vec<usize>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|x| x.as_u64().map(|i| i as usize))
            .collect()
    })
}

/// The SQL description of a node (everything but the per-operator fields).
pub fn sql_info(plan: &CompiledPlan, node: &PlanNode) -> SqlInfo {
    let mut info = SqlInfo {
        exec_node: Some(node.id),
        exec_type: Some(node.type_string()),
        description: node.description().map(str::to_string),
        ..SqlInfo::default()
    };
    for table in [
        "/scanTableSource/table",
        "/dynamicTableSink/table",
        "/temporalTable/table",
    ] {
        if let Some(t) = table_identifier(node, &format!("{table}/identifier")) {
            info.table = Some(t);
            info.options = table_options(node, &format!("{table}/resolvedTable/options"));
            info.primary_key = node
                .raw
                .pointer(&format!("{table}/resolvedTable/schema/primaryKey"))
                .and_then(|k| serde_json::from_value(k.clone()).ok());
            break;
        }
    }
    if let Some(states) = node.raw.get("state").and_then(Value::as_array) {
        info.plan_state = states
            .iter()
            .filter_map(|s| serde_json::from_value(s.clone()).ok())
            .collect();
    }
    let input = plan.input_row(node.id, 0);
    let names = |idx: &[usize]| -> Vec<String> {
        idx.iter()
            .map(|&i| {
                input
                    .as_ref()
                    .and_then(|r| r.name(i).map(str::to_string))
                    .unwrap_or_else(|| format!("${i}"))
            })
            .collect()
    };
    if let Some(grouping) = int_list(node.raw.get("grouping")) {
        info.group_by = Some(names(&grouping));
    } else if let Some(keys) = int_list(node.raw.pointer("/partitionSpec/fields"))
        .or_else(|| int_list(node.raw.pointer("/partition/fields")))
        .or_else(|| int_list(node.raw.get("uniqueKeys")))
        .or_else(|| int_list(node.raw.get("partitionKeys")))
    {
        info.group_by = Some(names(&keys));
    }
    if let Some(groups) = node
        .raw
        .pointer("/overSpec/groups")
        .and_then(Value::as_array)
    {
        let calls = groups
            .iter()
            .filter_map(|g| g.get("aggCalls").and_then(Value::as_array))
            .flatten();
        info.aggregates = Some(calls.map(|c| aggregate_sql(c, input)).collect());
        match over_acc_types(node, input, AccNotation::of(plan)) {
            Some(acc) => info.store_layout(acc),
            None => {
                info.state_note = Some(
                    "the accumulator types of this OVER aggregate are not modelled (several window groups, DISTINCT, MIN/MAX with retraction, user-defined or imperative functions)"
                        .to_string(),
                )
            }
        }
    }
    if let Some(calls) = node.raw.get("aggCalls").and_then(Value::as_array) {
        // A global aggregate's calls index the input of its local aggregate, not its own input
        // (the local aggregate's accumulators).
        let local_input = node.row_field("localAggInputRowType");
        let input = local_input.as_ref().or(input);
        info.aggregates = Some(calls.iter().map(|c| aggregate_sql(c, input)).collect());
        if let Some((acc, views)) = derive_acc_types(node, input, AccNotation::of(plan)) {
            info.store_layout(acc);
            info.distinct_views = views;
        } else {
            info.state_note = Some(
                "the accumulator types of these aggregate calls are not modelled (DISTINCT, MIN/MAX with retraction, user-defined or imperative functions)"
                    .to_string(),
            );
        }
    }
    if let (Some(rowtime), Some(keep_last)) = (
        node.raw.get("isRowtime").and_then(Value::as_bool),
        node.raw.get("keepLastRow").and_then(Value::as_bool),
    ) {
        info.deduplicate = Some(format!(
            "keep the {} row by {}",
            if keep_last { "last" } else { "first" },
            if rowtime {
                "event time"
            } else {
                "processing time"
            }
        ));
    }
    if let Some(end) = node
        .raw
        .pointer("/rankRange/end")
        .and_then(Value::as_i64)
        .filter(|_| node.raw.pointer("/rankRange/type").and_then(Value::as_str) == Some("Constant"))
    {
        let order = node
            .raw
            .pointer("/sortSpec/fields")
            .or_else(|| node.raw.pointer("/orderBy/fields"))
            .and_then(Value::as_array)
            .map(|fields| {
                fields
                    .iter()
                    .map(|f| {
                        let i = f.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                        let name = input
                            .as_ref()
                            .and_then(|r| r.name(i).map(str::to_string))
                            .unwrap_or_else(|| format!("${i}"));
                        let desc = f.get("isAscending").and_then(Value::as_bool) == Some(false);
                        format!("{name}{}", if desc { " DESC" } else { "" })
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        info.top_n = Some(if order.is_empty() {
            format!("top {end}")
        } else {
            format!("top {end} by {order}")
        });
    }
    let join_spec = node
        .raw
        .get("joinSpec")
        .or_else(|| node.raw.pointer("/intervalJoinSpec/joinSpec"));
    if let Some(spec) = join_spec {
        info.join_type = spec
            .get("joinType")
            .and_then(Value::as_str)
            .map(str::to_string);
        let left = int_list(spec.get("leftKeys")).unwrap_or_default();
        let right = int_list(spec.get("rightKeys")).unwrap_or_default();
        let l = plan.input_row(node.id, 0);
        let r = plan.input_row(node.id, 1);
        let name = |row: &Option<&RowType>, i: usize| {
            row.as_ref()
                .and_then(|r| r.name(i).map(str::to_string))
                .unwrap_or_else(|| format!("${i}"))
        };
        info.join_keys = Some(
            left.iter()
                .zip(&right)
                .map(|(&a, &b)| format!("{} = {}", name(&l, a), name(&r, b)))
                .collect(),
        );
        info.group_by = Some(left.iter().map(|&a| name(&l, a)).collect());
    }
    if let Some(w) = node
        .raw
        .get("windowing")
        .or_else(|| node.raw.get("window"))
        .or_else(|| node.raw.get("overSpec"))
    {
        info.window = Some(w.to_string());
    }
    info
}

/// `COUNT(*)`, `SUM(v)`, `COUNT(DISTINCT k)`, `MAX(v) FILTER (WHERE $3)`.
fn aggregate_sql(call: &Value, input: Option<&RowType>) -> String {
    let name = call
        .get("internalName")
        .and_then(Value::as_str)
        .map(|n| {
            // `$SUM$1` -> SUM
            n.trim_start_matches('$')
                .split('$')
                .next()
                .unwrap_or(n)
                .to_string()
        })
        .or_else(|| {
            call.get("catalogName")
                .and_then(Value::as_str)
                .map(short_table)
        })
        .or_else(|| {
            call.get("systemName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| {
            call.get("class")
                .and_then(Value::as_str)
                .map(|c| c.rsplit('.').next().unwrap_or(c).to_string())
        })
        .unwrap_or_else(|| "AGG".to_string());
    let args = int_list(call.get("argList")).unwrap_or_default();
    let col = |i: usize| {
        input
            .and_then(|r| r.name(i).map(str::to_string))
            .unwrap_or_else(|| format!("${i}"))
    };
    let mut inner: Vec<String> = args.iter().map(|&i| col(i)).collect();
    if inner.is_empty() && call.get("syntax").and_then(Value::as_str) == Some("FUNCTION_STAR") {
        inner.push("*".to_string());
    }
    let distinct = if call.get("distinct").and_then(Value::as_bool) == Some(true) {
        "DISTINCT "
    } else {
        ""
    };
    let mut s = format!("{name}({distinct}{})", inner.join(", "));
    if let Some(f) = call
        .get("filterArg")
        .and_then(Value::as_i64)
        .filter(|&f| f >= 0)
    {
        s.push_str(&format!(" FILTER (WHERE {})", col(f as usize)));
    }
    s
}
