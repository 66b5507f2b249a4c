//! The runtime state of the transformations spcompat models, and the same for job graphs
//! exported from a SQL job (`spcompat export-sql`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::accumulators::{incremental_distinct_views, view_states};
use super::distinct::distinct_states;
use super::operator_state;
use super::options::PlanOptions;
use super::row_type::positional_row;
use super::sql_info::{SqlInfo, int_list, sql_info};
use super::{CompiledPlan, PlanNode};
use crate::job::model::{
    JobGraph, JobOperator, Location, SourceDecl, StartupMode, StateDecl, StateKind,
};
use crate::schema::notation::DeclaredType;

/// The runtime state of a transformation, where spcompat models it.
pub(super) fn apply_state(
    plan: &CompiledPlan,
    node: &PlanNode,
    transformation: &str,
    op: &mut JobOperator,
    info: &mut SqlInfo,
    opts: &PlanOptions,
) {
    let input = plan.input_row(node.id, 0);
    let key_of = |idx: &[usize]| -> Option<String> {
        let row = input.as_ref()?;
        let types: Option<Vec<String>> = idx
            .iter()
            .map(|&i| row.type_of(i).map(str::to_string))
            .collect();
        types.map(|t| positional_row(&t))
    };
    let ttl = state_ttl(node, info, opts);
    match transformation {
        "group-aggregate" | "global-group-aggregate" | "incremental-group-aggregate" => {
            if op.key_type.is_none()
                && let Some(g) = int_list(node.raw.get("grouping"))
                && !g.is_empty()
            {
                op.key_type = key_of(&g).map(DeclaredType::from);
            }
            if let Some(acc) = info.acc_types.clone() {
                op.state = vec![StateDecl {
                    name: "accState".to_string(),
                    kind: StateKind::Value,
                    type_: positional_row(&acc).into(),
                    user_key_type: None,
                    ttl: ttl.clone(),
                    avro_schema: None,
                    extra: BTreeMap::new(),
                    location: Location::default(),
                }];
                op.state
                    .extend(distinct_states(&info.distinct_views, ttl.as_deref()));
                op.state
                    .extend(view_states(&info.acc_views, ttl.as_deref()));
            }
            if transformation == "incremental-group-aggregate" {
                op.state.clear();
                let key = int_list(node.raw.get("partialAggGrouping")).and_then(|g| key_of(&g));
                match (incremental_distinct_views(node), key) {
                    (Some(views), Some(key)) => {
                        if op.key_type.is_none() {
                            op.key_type = Some(DeclaredType::from(key));
                        }
                        op.state = distinct_states(&views, ttl.as_deref());
                    }
                    _ => {
                        info.state_note = Some(
                            "incremental group aggregate: the partial aggregate calls are not modelled"
                                .to_string(),
                        );
                    }
                }
            }
        }
        "source" => {
            let connector = info.options.get("connector").cloned();
            if let Some(c) = &connector {
                op.source = Some(source_decl(c, &info.options));
                if is_flip27_connector(c) {
                    op.state = vec![StateDecl {
                        name: "SourceReaderState".to_string(),
                        kind: StateKind::OperatorList,
                        type_: "byte[]".into(),
                        user_key_type: None,
                        ttl: None,
                        avro_schema: None,
                        extra: BTreeMap::new(),
                        location: Location::default(),
                    }];
                }
            }
        }
        "join"
        | "deduplicate"
        | "changelog-normalize"
        | "interval-join"
        | "temporal-sort"
        | "lookup-join-materialize"
        | "rank"
        | "window-deduplicate"
        | "window-rank"
        | "window-join"
        | "window-aggregate"
        | "global-window-aggregate"
        | "group-window-aggregate"
        | "over-aggregate"
        | "temporal-join"
        | "upsert-materialize"
        | "match" => {
            let ttl_of = |index: u32| state_ttl_at(node, info, opts, index);
            let acc = info.acc_types.clone();
            match operator_state::declare(plan, node, transformation, opts, acc.as_deref(), &ttl_of)
            {
                Some(declared) => {
                    // A key type the exporter read from Flink itself is kept.
                    if !declared.states.is_empty() && op.key_type.is_none() {
                        op.key_type = Some(DeclaredType::from(declared.key_type));
                    }
                    op.state = declared.states;
                    // A window aggregate's DISTINCT map views (no other node has any); window
                    // state is cleaned up by its timers, not by a TTL.
                    op.state.extend(distinct_states(&info.distinct_views, None));
                    op.state.extend(view_states(&info.acc_views, None));
                }
                None => {
                    info.state_note = Some(format!(
                        "the runtime state of `{transformation}` is not modelled for this node (built another way: mini-batch, async state or a variant spcompat does not know); its operator ID is still derived"
                    ));
                }
            }
        }
        "async-calc" | "lookup-join" => {
            // A sync lookup join keeps no state; an async one (the plan then has `asyncOptions`)
            // and an async calc run as AsyncWaitOperator, which keeps its records in flight.
            let is_async = transformation == "async-calc"
                || node.raw.get("asyncOptions").is_some_and(|v| !v.is_null());
            if is_async {
                match input {
                    Some(row) => op.state = vec![operator_state::async_wait_state(row)],
                    None => {
                        info.state_note = Some(format!(
                            "the input row of `{transformation}` is not in the plan: its in-flight records' state is not modelled"
                        ));
                    }
                }
            }
        }
        "sink"
        | "constraint-validator"
        | "calc"
        | "exchange"
        | "expand"
        | "correlate"
        | "local-group-aggregate"
        | "local-window-aggregate"
        | "mini-batch-assigner"
        | "watermark-assigner"
        | "watermark-timestamp-assigner"
        | "drop-update-before"
        | "values" => {}
        "window" => {
            // Only a session window TVF (unaligned windows) keeps state; aligned ones assign
            // windows row by row.
            let session = node
                .raw
                .pointer("/windowing/window/type")
                .and_then(Value::as_str)
                == Some("SessionWindow");
            if session {
                let ttl_of = |_: u32| None;
                match operator_state::declare(plan, node, transformation, opts, None, &ttl_of) {
                    Some(declared) => {
                        if op.key_type.is_none() {
                            op.key_type = Some(DeclaredType::from(declared.key_type));
                        }
                        op.state = declared.states;
                    }
                    None => {
                        info.state_note = Some(
                            "the runtime state of a session window TVF is not modelled for this node; its operator ID is still derived"
                                .to_string(),
                        );
                    }
                }
            }
        }
        other => {
            if !info.plan_state.is_empty() || is_stateful_transformation(other) {
                info.state_note.get_or_insert_with(|| {
                    format!("the runtime state of `{other}` is not modelled; its operator ID is still derived")
                });
            }
        }
    }
    user_function_views(op, info);
}

/// A user-defined aggregate function's accumulator may hold data views, each a state of its
/// own (`agg<i>$<field>`) that the plan does not describe: the declared states are compared,
/// and a saved state beyond them is not compared rather than taken for dropped.
fn user_function_views(op: &mut JobOperator, info: &SqlInfo) {
    if info.user_functions.is_empty() || op.state.is_empty() {
        return;
    }
    let reason = format!(
        "the plan does not say whether the accumulators of the user-defined aggregate functions {} hold data views (ListView/MapView), which Flink keeps as states of their own",
        info.user_functions.join(", ")
    );
    op.extra
        .entry("stateNotCaptured".to_string())
        .or_insert(Value::String(reason));
}

fn is_stateful_transformation(t: &str) -> bool {
    matches!(
        t,
        "deduplicate"
            | "join"
            | "interval-join"
            | "temporal-join"
            | "rank"
            | "over-aggregate"
            | "window-aggregate"
            | "global-window-aggregate"
            | "group-window-aggregate"
            | "window-join"
            | "window-rank"
            | "window-deduplicate"
            | "changelog-normalize"
            | "upsert-materialize"
            | "match"
            | "lookup-join"
            | "group-table-aggregate"
            | "temporal-sort"
            | "sort"
    )
}

/// The TTL of the operator's state: the plan's per-state `ttl` (1.18+), else the job's
/// `table.exec.state.ttl`.
fn state_ttl(node: &PlanNode, info: &SqlInfo, opts: &PlanOptions) -> Option<String> {
    state_ttl_at(node, info, opts, 0)
}

/// The TTL of the operator's state `index` (a join's inputs: 0 left, 1 right): the plan's
/// `state` entry of that index (1.18+, where `STATE_TTL` hints land), else the job's
/// `table.exec.state.ttl`.
fn state_ttl_at(node: &PlanNode, info: &SqlInfo, opts: &PlanOptions, index: u32) -> Option<String> {
    // "0 ms", "0", "0 h", "" all mean: no TTL.
    let enabled = |t: &str| {
        let t = t.trim();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        !(t.is_empty() || digits.parse::<u64>().ok() == Some(0))
    };
    if let Some(st) = info
        .plan_state
        .iter()
        .find(|s| s.index == index)
        .or_else(|| info.plan_state.first().filter(|_| index == 0))
    {
        return st.ttl.clone().filter(|t| enabled(t));
    }
    if let Some(ms) = info.state_retention_ms {
        return (ms > 0).then(|| format!("{ms} ms"));
    }
    node.setting("table.exec.state.ttl", opts)
        .filter(|t| enabled(t))
}

fn is_flip27_connector(c: &str) -> bool {
    matches!(
        c,
        "kafka" | "upsert-kafka" | "filesystem" | "kinesis" | "pulsar" | "mongodb" | "hybrid"
    )
}

fn source_decl(connector: &str, options: &BTreeMap<String, String>) -> SourceDecl {
    let topics = options
        .get("topic")
        .map(|t| {
            t.split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let startup_mode = options
        .get("scan.startup.mode")
        .and_then(|m| match m.trim() {
            "earliest-offset" => Some(StartupMode::Earliest),
            "latest-offset" => Some(StartupMode::Latest),
            "group-offsets" => Some(StartupMode::GroupOffsets),
            "timestamp" => Some(StartupMode::Timestamp),
            "specific-offsets" => Some(StartupMode::SpecificOffsets),
            _ => None,
        })
        .or_else(|| (connector == "kafka").then_some(StartupMode::GroupOffsets));
    let mut extra = BTreeMap::new();
    if let Some(p) = options.get("topic-pattern") {
        extra.insert("topicPattern".to_string(), Value::String(p.clone()));
    }
    SourceDecl {
        connector: Some(connector.to_string()),
        topics,
        startup_mode,
        extra,
    }
}

/// Adds the plan's SQL description and state declarations to a job graph exported from the
/// same job (`spcompat export-sql`): each operator whose `sql.execNode` names a plan node gets
/// that node's description and, for the transformations spcompat models, its state. Values the
/// exporter read from Flink itself (key type, accumulator types) are kept.
pub fn enrich_job_graph(graph: &mut JobGraph, plan: &CompiledPlan, opts: &PlanOptions) {
    for op in &mut graph.operators {
        let Some(mut info) = SqlInfo::of(op) else {
            continue;
        };
        let Some(exec) = info.exec_node else { continue };
        let Some(node) = plan.node(exec) else {
            continue;
        };
        if info
            .exec_type
            .as_deref()
            .is_some_and(|t| t != node.type_string())
        {
            continue;
        }
        let from_plan = sql_info(plan, node);
        let exported_acc = info.acc_types.take();
        let transformation = info.transformation.clone();
        let retention = info.state_retention_ms;
        let extra = std::mem::take(&mut info.extra);
        info = SqlInfo {
            exec_node: info.exec_node,
            exec_type: info.exec_type,
            transformation: transformation.clone(),
            state_retention_ms: retention,
            extra,
            ..from_plan
        };
        if exported_acc.is_some() {
            info.acc_types = exported_acc;
            info.state_note = None;
        }
        // The exporter never writes `state`: it is always the plan's (idempotent).
        if let Some(t) = transformation.as_deref() {
            op.state.clear();
            apply_state(plan, node, t, op, &mut info, opts);
        }
        info.store(op);
    }
}
