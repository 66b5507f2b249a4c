//! Planner options that reshape an aggregation without changing the query: mini-batch
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

/// Which titles each version has, counted; a toggle is a node kind present on one side
/// only.
pub(super) fn toggles(old_titles: &[String], new_titles: &[String]) -> Vec<StrategyToggle> {
    let count = |titles: &[String], t: &str| titles.iter().filter(|x| *x == t).count();
    let mut out = Vec::new();

    let assigners = (
        count(old_titles, "MiniBatchAssigner"),
        count(new_titles, "MiniBatchAssigner"),
    );
    if assigners.0 != assigners.1 {
        let (what, value) = if assigners.1 > assigners.0 {
            ("mini-batch enabled", "true: the planner adds")
        } else {
            ("mini-batch disabled", "false: the planner drops")
        };
        out.push(StrategyToggle {
            cause: format!(
                "{what} (table.exec.mini-batch.enabled = {value} a MiniBatchAssigner node)"
            ),
            explains: BTreeSet::from(["MiniBatchAssigner".to_string()]),
        });
    }

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

    let incremental = (
        count(old_titles, "IncrementalGroupAggregate"),
        count(new_titles, "IncrementalGroupAggregate"),
    );
    if incremental.0 != incremental.1 {
        let what = if incremental.1 > incremental.0 {
            "split DISTINCT aggregation enabled (table.optimizer.distinct-agg.split.enabled = true: a partial aggregate per DISTINCT bucket, then an IncrementalGroupAggregate)"
        } else {
            "split DISTINCT aggregation disabled (table.optimizer.distinct-agg.split.enabled = false: the IncrementalGroupAggregate and its bucketing are gone)"
        };
        out.push(StrategyToggle {
            cause: what.to_string(),
            explains: BTreeSet::from(["IncrementalGroupAggregate".to_string()]),
        });
    }
    let normalizers = (
        count(old_titles, "ChangelogNormalize"),
        count(new_titles, "ChangelogNormalize"),
    );
    if normalizers.0 != normalizers.1 {
        let what = if normalizers.1 > normalizers.0 {
            "ChangelogNormalize added (table.exec.source.cdc-events-duplicate = true on a CDC source with a primary key, or an upsert source: the planner keeps the latest row per key after the source)"
        } else {
            "ChangelogNormalize removed (table.exec.source.cdc-events-duplicate = false, or the source no longer produces an upsert changelog with a primary key: the planner drops the per-key latest row)"
        };
        out.push(StrategyToggle {
            cause: what.to_string(),
            explains: BTreeSet::from(["ChangelogNormalize".to_string()]),
        });
    }
    let materializers = (
        count(old_titles, "SinkMaterializer"),
        count(new_titles, "SinkMaterializer"),
    );
    if materializers.0 != materializers.1 {
        let what = if materializers.1 > materializers.0 {
            "sink upsert materializer added (table.exec.sink.upsert-materialize = FORCE, or the sink's primary key is no longer an upsert key of the query: the planner keys the rows by the primary key and adds a SinkMaterializer before the sink)"
        } else {
            "sink upsert materializer removed (table.exec.sink.upsert-materialize = NONE, or the query now writes the sink's primary key as its upsert key: the planner drops the SinkMaterializer and its key-by)"
        };
        out.push(StrategyToggle {
            cause: what.to_string(),
            explains: BTreeSet::from(["SinkMaterializer".to_string()]),
        });
    }
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
