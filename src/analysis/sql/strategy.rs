//! Planner options that reshape a query's operators without changing the query: mini-batch
//! (`table.exec.mini-batch.enabled`), the aggregation phase strategy
//! (`table.optimizer.agg-phase-strategy`), split DISTINCT aggregation
//! (`table.optimizer.distinct-agg.split.enabled`), the sink upsert materializer
//! (`table.exec.sink.upsert-materialize`) and the source's ChangelogNormalize
//! (`table.exec.source.cdc-events-duplicate`). Each adds or removes planner nodes, which
//! moves auto-generated IDs; naming the option tells a team what they toggled, where the
//! node list alone reads like a query change.

use std::collections::BTreeSet;

/// One toggle read off the node kinds of both versions: what the option did, in SQL terms,
/// and the node titles it accounts for (so they are not listed again as new or removed).
pub(super) struct StrategyToggle {
    pub(super) cause: String,
    pub(super) explains: BTreeSet<String>,
}

/// The stateful planner nodes an option, not the query, leaves out: (what the node is, why a
/// plan has none).
const NORMALIZE_LEFT_OUT: (&str, &str) = (
    "ChangelogNormalize",
    "table.exec.source.cdc-events-duplicate = false, or the source no longer produces an upsert changelog with a primary key",
);
const MATERIALIZER_LEFT_OUT: (&str, &str) = (
    "sink upsert materializer",
    "table.exec.sink.upsert-materialize = NONE, or the sink's primary key is now an upsert key of the query",
);

/// Why a plan may have no node titled `title` although the query is the same, for the
/// stateful nodes an option leaves out: (what the node is, the reason).
pub(super) fn left_out_by_option(title: &str) -> Option<(&'static str, &'static str)> {
    match title {
        "ChangelogNormalize" => Some(NORMALIZE_LEFT_OUT),
        "SinkMaterializer" => Some(MATERIALIZER_LEFT_OUT),
        _ => None,
    }
}

/// Which titles each version has, counted; a toggle is a node kind present on one side
/// only.
pub(super) fn toggles(old_titles: &[String], new_titles: &[String]) -> Vec<StrategyToggle> {
    let count = |titles: &[String], t: &str| titles.iter().filter(|x| *x == t).count();
    // A node kind that one option adds or removes on its own: (title, cause when added, cause
    // when removed).
    let single_node = |title: &str, added: &str, removed: &str| {
        let (old, new) = (count(old_titles, title), count(new_titles, title));
        (old != new).then(|| StrategyToggle {
            cause: if new > old { added } else { removed }.to_string(),
            explains: BTreeSet::from([title.to_string()]),
        })
    };
    let mut out = Vec::new();

    out.extend(single_node(
        "MiniBatchAssigner",
        "mini-batch enabled (table.exec.mini-batch.enabled = true: the planner adds a MiniBatchAssigner node)",
        "mini-batch disabled (table.exec.mini-batch.enabled = false: the planner drops a MiniBatchAssigner node)",
    ));

    // Two-phase aggregation splits one aggregate into a local (pre-aggregating, stateless
    // between bundles) and a global one that holds the state.
    for single in ["GroupAggregate", "WindowAggregate"] {
        let local = format!("Local{single}");
        let global = format!("Global{single}");
        let split = |titles: &[String]| count(titles, &local) > 0 && count(titles, &global) > 0;
        let one = |titles: &[String]| count(titles, single) > 0;
        let explains = BTreeSet::from([single.to_string(), local.clone(), global.clone()]);
        if split(new_titles) && !split(old_titles) && one(old_titles) {
            out.push(StrategyToggle {
                cause: format!(
                    "two-phase aggregation (table.optimizer.agg-phase-strategy: {single} split into {local} and {global})"
                ),
                explains,
            });
        } else if split(old_titles) && !split(new_titles) && one(new_titles) {
            out.push(StrategyToggle {
                cause: format!(
                    "one-phase aggregation (table.optimizer.agg-phase-strategy = ONE_PHASE: {local} and {global} merged into {single})"
                ),
                explains,
            });
        }
    }

    out.extend(single_node(
        "IncrementalGroupAggregate",
        "split DISTINCT aggregation enabled (table.optimizer.distinct-agg.split.enabled = true: a partial aggregate per DISTINCT bucket, then an IncrementalGroupAggregate)",
        "split DISTINCT aggregation disabled (table.optimizer.distinct-agg.split.enabled = false: the IncrementalGroupAggregate and its bucketing are gone)",
    ));
    out.extend(single_node(
        "ChangelogNormalize",
        "ChangelogNormalize added (table.exec.source.cdc-events-duplicate = true on a CDC source with a primary key, or an upsert source: the planner keeps the latest row per key after the source)",
        &format!(
            "ChangelogNormalize removed ({}: the planner drops the per-key latest row)",
            NORMALIZE_LEFT_OUT.1
        ),
    ));
    out.extend(single_node(
        "SinkMaterializer",
        "sink upsert materializer added (table.exec.sink.upsert-materialize = FORCE, or the sink's primary key is no longer an upsert key of the query: the planner keys the rows by the primary key and adds a SinkMaterializer before the sink)",
        &format!(
            "sink upsert materializer removed ({}: the planner drops the SinkMaterializer and its key-by)",
            MATERIALIZER_LEFT_OUT.1
        ),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mini_batch_with_two_phase_names_both_options() {
        let old = titles(&["Calc", "GroupAggregate"]);
        let new = titles(&[
            "MiniBatchAssigner",
            "Calc",
            "LocalGroupAggregate",
            "GlobalGroupAggregate",
        ]);
        let found = toggles(&old, &new);
        assert_eq!(found.len(), 2);
        assert!(found[0].cause.starts_with("mini-batch enabled"));
        assert!(found[1].cause.contains("GroupAggregate split into"));
        let back = toggles(&new, &old);
        assert!(back[0].cause.starts_with("mini-batch disabled"));
        assert!(back[1].cause.starts_with("one-phase aggregation"));
    }

    #[test]
    fn a_dropped_sink_materializer_names_the_option() {
        let old = titles(&["GroupAggregate", "Calc", "SinkMaterializer"]);
        let new = titles(&["GroupAggregate", "Calc"]);
        let found = toggles(&old, &new);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .cause
                .contains("table.exec.sink.upsert-materialize = NONE")
        );
        assert!(found[0].explains.contains("SinkMaterializer"));
        assert!(
            toggles(&new, &old)[0]
                .cause
                .starts_with("sink upsert materializer added")
        );
    }

    #[test]
    fn an_unchanged_shape_toggles_nothing() {
        let same = titles(&["MiniBatchAssigner", "GroupAggregate"]);
        assert!(toggles(&same, &same).is_empty());
    }
}
