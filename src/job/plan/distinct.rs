//! DISTINCT aggregate calls (`COUNT(DISTINCT a)`, `SUM(DISTINCT b) FILTER (WHERE ...)`): the
//! planner groups them by their argument columns (`AggregateUtil.extractDistinctInformation`),
//! and each group keeps, beside the calls' own accumulators, a state-backed map view of the
//! values seen to how often (one bit per FILTER clause of the group): a `distinctAcc_<i>`
//! map state and, since the map view takes null keys, a `distinctAcc_<i>_null_state` value
//! state for the null value. The accumulator row ends with one RAW MapView field per group.
//! Recorded on the savepoints of Flink's own SQL restore tests (group aggregates one- and
//! two-phase, group window aggregates, window TVF aggregates; Flink 1.19 plans).

use serde_json::Value;

use super::operator_state::decl;
use super::row_type::{RowType, nullable};
use super::sql_info::int_list;
use crate::job::model::{StateDecl, StateKind};

/// One group of DISTINCT calls over the same argument columns.
#[derive(Debug, Clone, PartialEq)]
pub struct DistinctView {
    /// The distinct value's type, as the savepoint's `ExternalSerializer<...>` reads.
    pub key: String,
    /// What each value maps to: a count or a bit set of the FILTER clauses, as a long.
    pub value: String,
}

/// The DISTINCT groups of `calls` in the order the planner numbers them (first use of each
/// argument list). `None` when a group is one spcompat has no recording of: several argument
/// columns (the key is a row then) or more FILTER clauses than one long holds (a long array
/// then; with retraction, more than one clause already).
pub(super) fn distinct_views(
    calls: &[Value],
    input: Option<&RowType>,
    consume_retraction: bool,
) -> Option<Vec<DistinctView>> {
    // (argument columns, FILTER clauses of the group's calls)
    let mut groups: Vec<(Vec<usize>, usize)> = Vec::new();
    for call in calls {
        if call.get("distinct").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let args = int_list(call.get("argList")).unwrap_or_default();
        match groups.iter_mut().find(|(a, _)| *a == args) {
            Some((_, filters)) => *filters += 1,
            None => groups.push((args, 1)),
        }
    }
    groups
        .into_iter()
        .map(|(args, filters)| {
            let [arg] = args.as_slice() else {
                return None;
            };
            let one_long = if consume_retraction {
                filters <= 1
            } else {
                filters <= 64
            };
            if !one_long {
                return None;
            }
            let key = nullable(input?.type_of(*arg)?);
            Some(DistinctView {
                key: format!("ExternalSerializer<{key}>"),
                value: "ExternalSerializer<Long>".to_string(),
            })
        })
        .collect()
}

/// The state the views keep, registered with the aggregate's own TTL.
pub(super) fn distinct_states(views: &[DistinctView], ttl: Option<&str>) -> Vec<StateDecl> {
    let ttl = || ttl.map(str::to_string);
    views
        .iter()
        .enumerate()
        .flat_map(|(i, v)| {
            [
                decl(
                    &format!("distinctAcc_{i}"),
                    StateKind::Map,
                    v.value.clone(),
                    Some(v.key.clone()),
                    ttl(),
                ),
                decl(
                    &format!("distinctAcc_{i}_null_state"),
                    StateKind::Value,
                    v.value.clone(),
                    None,
                    ttl(),
                ),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> RowType {
        RowType::parse("ROW<`e` BIGINT, `a` INT NOT NULL, `d` VARCHAR(2147483647)>").unwrap()
    }

    fn call(args: &[usize], distinct: bool) -> Value {
        json!({"internalName": "$COUNT$1", "argList": args, "distinct": distinct})
    }

    #[test]
    fn calls_over_the_same_column_share_one_view_numbered_by_first_use() {
        let calls = [
            call(&[2], true),
            call(&[1], true),
            call(&[0], false),
            call(&[2], true),
        ];
        let views = distinct_views(&calls, Some(&row()), false).unwrap();
        let keys: Vec<&str> = views.iter().map(|v| v.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "ExternalSerializer<VARCHAR(2147483647)>",
                "ExternalSerializer<INT>"
            ]
        );
        let states = distinct_states(&views, Some("1 h"));
        let names: Vec<&str> = states.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "distinctAcc_0",
                "distinctAcc_0_null_state",
                "distinctAcc_1",
                "distinctAcc_1_null_state"
            ]
        );
        assert!(states.iter().all(|s| s.ttl.as_deref() == Some("1 h")));
    }

    #[test]
    fn groups_without_a_recording_are_not_modelled() {
        // Several argument columns: the view's key is a row.
        assert!(distinct_views(&[call(&[0, 1], true)], Some(&row()), false).is_none());
        // Retracting input with two FILTER clauses on one column: a long array per value.
        let two = [call(&[1], true), call(&[1], true)];
        assert!(distinct_views(&two, Some(&row()), true).is_none());
        assert_eq!(distinct_views(&two, Some(&row()), false).unwrap().len(), 1);
        // No DISTINCT call: nothing.
        assert!(
            distinct_views(&[call(&[1], false)], Some(&row()), false)
                .unwrap()
                .is_empty()
        );
    }
}
