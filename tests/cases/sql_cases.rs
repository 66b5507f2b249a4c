//! Real SQL restore cases (`fixtures/cases/<flink version>/<case>/case.json` with category
//! `sql`, written by `fixtures/sql-cases-generator/generate.sh`): a base SQL job's savepoint,
//! a changed query, and what Flink did when the changed query started from the savepoint with
//! and without `--allowNonRestoredState`.
//!
//! `tests/cases/flink_cases.rs` checks `check`'s prediction against Flink's outcome for every case,
//! SQL included (exported job graph and compiled plan). Here, for every SQL case:
//! - `diff OLD NEW` of the base's and the case's job graphs (and of their plans) names the
//!   same operators with the same verdict as `check`;
//! - with the old version given (`--old-job` / `--old-plan`) the report names the change in
//!   SQL terms (rule ids per case below);
//! - the exporter's job graphs carry the IDs real Flink gave (every operator of the base
//!   savepoint appears in the base's job graph), and compiled plans converted without a JVM
//!   give the same uids, IDs, key types and accumulator types as the exporter read from Flink.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::common;

use common::cases::{Case, all_cases};
use libtest_mimic::Trial;

use crate::{asserting, trial};

/// The disagreements, if any, as a trial's failure.
fn result(errors: Vec<String>) -> Result<(), String> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

fn sql_cases() -> Vec<Case> {
    all_cases()
        .into_iter()
        .filter(|c| c.json["category"] == "sql")
        .collect()
}

fn spcompat(args: &[&str], paths: &[&Path]) -> (Value, i32, String) {
    let mut cmd = Command::cargo_bin("spcompat").unwrap();
    cmd.args(args);
    for p in paths {
        cmd.arg(p);
    }
    let out = cmd.output().unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn check(savepoint: &Path, job: &Path, n: bool, extra: &[(&str, &Path)]) -> (Value, i32, String) {
    let mut cmd = Command::cargo_bin("spcompat").unwrap();
    cmd.args(["check", "--format", "json", "--savepoint"])
        .arg(savepoint)
        .arg("--job")
        .arg(job);
    for (flag, p) in extra {
        cmd.arg(flag).arg(p);
    }
    if n {
        cmd.arg("-n");
    }
    let out = cmd.output().unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn savepoint_operators(savepoint: &Path) -> BTreeMap<String, Option<String>> {
    let (report, _, _) = spcompat(&["inspect", "--format", "json"], &[savepoint]);
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| {
            Some((
                o["operatorId"].as_str()?.to_string(),
                o["keyType"].as_str().map(str::to_string),
            ))
        })
        .collect()
}

/// IDs of the old-side operators with a status (their savepoint IDs).
fn ids(report: &Value, status: &str) -> BTreeSet<String> {
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["status"] == status)
        .filter_map(|o| o["operatorId"].as_str().map(str::to_string))
        .collect()
}

fn codes(report: &Value) -> BTreeSet<String> {
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| o["reasons"].as_array().into_iter().flatten())
        .filter_map(|r| r["code"].as_str().map(str::to_string))
        .collect()
}

fn there_are_sql_cases_for_every_version() {
    let cases = sql_cases();
    for v in ["1.15.4", "1.18.1", "1.20.3", "2.3.0"] {
        let n = cases.iter().filter(|c| c.version() == v).count();
        assert!(n >= 15, "only {n} SQL cases for Flink {v}");
    }
}

/// `diff` of the base's and the case's job graphs (and plans) names the same operators as
/// `check` against the real savepoint, with the same verdict.
fn diff_names_the_same_operators_as_check(case: &Case) -> Result<(), String> {
    let mut errors = Vec::new();
    let savepoint = case.base();
    let old_job = case.path("oldJob").expect("oldJob");
    let new_job = case.path("newJob").expect("newJob");
    let mut pairs = vec![("job graphs", old_job.clone(), new_job.clone())];
    if let (Some(old_plan), Some(new_plan)) = (
        case.path("oldPlan").filter(|_| {
            case.dir
                .join(case.json["base"].as_str().unwrap())
                .join("plan.json")
                .exists()
        }),
        case.path("newPlan"),
    ) {
        // Only when the base itself ran from its plan.
        let base_from_plan = std::fs::read_to_string(savepoint.join("base.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .is_some_and(|b| b["compiledPlan"] == true);
        if base_from_plan {
            pairs.push(("plans", old_plan, new_plan));
        }
    }
    for n in [false, true] {
        // With the old job, as diff has it (a MATCH_RECOGNIZE's old pattern is only there).
        let (c, _, cerr) = check(&savepoint, &new_job, n, &[("--old-job", &old_job)]);
        for (label, old, new) in &pairs {
            let mut args = vec!["diff", "--format", "json"];
            if n {
                args.push("-n");
            }
            let (d, code, derr) = spcompat(&args, &[old, new]);
            let tag = format!("{} [{label}{}]", case.name, if n { ", -n" } else { "" });
            if d.is_null() || c.is_null() {
                errors.push(format!("{tag}: unusable output: {derr} {cerr}"));
                continue;
            }
            if d["verdict"] != c["verdict"] {
                errors.push(format!(
                    "{tag}: diff says {} but check {}",
                    d["verdict"], c["verdict"]
                ));
            }
            let expected_exit = match d["verdict"].as_str() {
                Some("restores") => 0,
                Some("fails") => 1,
                _ => 3,
            };
            if code != expected_exit {
                errors.push(format!("{tag}: exit {code} for verdict {}", d["verdict"]));
            }
            for status in ["unmapped", "incompatible"] {
                if ids(&d, status) != ids(&c, status) {
                    errors.push(format!(
                        "{tag}: {status} by diff {:?}, by check {:?}",
                        ids(&d, status),
                        ids(&c, status)
                    ));
                }
            }
        }
    }
    result(errors)
}

/// With the old version known, the report names the change in SQL terms.
/// Case id -> (rule ids that must appear, text that must appear in the report) when the old
/// version is known.
const SQL_TERMS: &[(&str, &[&str], &str)] = &[
    (
        "aggregate-added",
        &["sql-aggregate-changed"],
        "aggregate added: MAX(v)",
    ),
    (
        "aggregate-removed",
        &["sql-aggregate-changed"],
        "aggregate removed: SUM(v)",
    ),
    (
        "plan-aggregate-added",
        &["sql-aggregate-changed"],
        "aggregate added: MAX(v)",
    ),
    (
        "group-key-added-same-shape",
        &["sql-group-key-changed"],
        "GROUP BY k -> GROUP BY k, g",
    ),
    (
        "plan-group-key-added-same-shape",
        &["sql-group-key-changed"],
        "GROUP BY k -> GROUP BY k, g",
    ),
    (
        "group-key-changed",
        &["sql-group-key-changed", "sql-topology-shifted-ids"],
        "GROUP BY k -> GROUP BY k, g",
    ),
    (
        "statement-set-new-source",
        &["sql-topology-shifted-ids"],
        "new INSERT INTO snk2 moves the IDs of",
    ),
    (
        "plan-statement-set-insert-first",
        &["sql-topology-shifted-ids"],
        "renumbers the plan's ExecNodes",
    ),
    (
        "where-filter-adds-calc",
        &["sql-topology-shifted-ids"],
        "new Calc node moves the IDs of",
    ),
    (
        "over-rowtime-range",
        &["sql-window-changed"],
        "OVER (ORDER BY ts ASC ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) -> OVER (ORDER BY ts ASC RANGE BETWEEN 2000 PRECEDING AND CURRENT ROW) (Flink restores",
    ),
    (
        "plan-over-rowtime-range",
        &["sql-window-changed"],
        "-> OVER (ORDER BY ts ASC RANGE BETWEEN 2000 PRECEDING AND CURRENT ROW) (Flink restores",
    ),
    (
        "over-rowtime-unbounded",
        &["sql-window-changed"],
        "-> OVER (ORDER BY ts ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) (the state changes with the frame (accState)",
    ),
    (
        "plan-over-rowtime-unbounded",
        &["sql-window-changed"],
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) (the state changes with the frame (accState)",
    ),
    (
        "over-rowtime-aggregate-added",
        &["sql-aggregate-changed"],
        "aggregate added: MAX(v)",
    ),
    (
        "plan-over-rowtime-aggregate-added",
        &["sql-aggregate-changed"],
        "aggregate added: MAX(v)",
    ),
    (
        "over-agg-aggregate-added",
        &["sql-aggregate-changed"],
        "aggregate added: MAX(v)",
    ),
    (
        "over-agg-rows-changed",
        &["sql-window-changed"],
        "ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) -> OVER (ORDER BY ts ASC ROWS BETWEEN 20 PRECEDING AND CURRENT ROW) (Flink restores",
    ),
    (
        "over-agg-range",
        &["sql-window-changed"],
        "-> OVER (ORDER BY ts ASC RANGE BETWEEN 10000 PRECEDING AND CURRENT ROW) (Flink restores",
    ),
    (
        "topn-retract-order-flipped",
        &["sql-top-n-changed"],
        "top 3 by total DESC -> top 3 by total (a retracting Top-N keeps its sort keys in a sorted map whose comparator must not change",
    ),
    (
        "plan-topn-retract-order-flipped",
        &["sql-top-n-changed"],
        "a retracting Top-N keeps its sort keys in a sorted map whose comparator must not change",
    ),
    (
        "minibatch-enabled",
        &["sql-topology-shifted-ids"],
        "two-phase aggregation (table.optimizer.agg-phase-strategy: GroupAggregate split into LocalGroupAggregate and GlobalGroupAggregate)",
    ),
    (
        "minibatch-one-phase",
        &["sql-topology-shifted-ids"],
        "mini-batch enabled (table.exec.mini-batch.enabled = true",
    ),
    (
        "plan-minibatch-enabled",
        &["sql-topology-shifted-ids"],
        "mini-batch enabled (table.exec.mini-batch.enabled = true",
    ),
    (
        "plan-minibatch-one-phase",
        &["sql-topology-shifted-ids"],
        "mini-batch enabled (table.exec.mini-batch.enabled = true",
    ),
    (
        "sql-to-plan",
        &["sql-plan-uids-missing"],
        "the new version sets operator uids",
    ),
    (
        "uid-generation-always",
        &["sql-plan-uids-missing"],
        "table.exec.uid.generation=ALWAYS",
    ),
    (
        "source-option-changed",
        &["sql-connector-options-changed"],
        "rows-per-second 20 -> 40",
    ),
    (
        "plan-source-option-changed",
        &["sql-connector-options-changed"],
        "rows-per-second 20 -> 40",
    ),
    (
        "projection-changed",
        &["sql-aggregate-changed"],
        "the accumulators keep their types",
    ),
    (
        "temporal-join-left-column-added",
        &["sql-join-changed"],
        "TemporalJoin: left input (left): ROW<`f0` INT, `f1` BIGINT, `f2` TIMESTAMP(3) NOT NULL *ROWTIME*> -> ROW<`f0` INT, `f1` BIGINT, `f2` VARCHAR(2147483647)",
    ),
    (
        "plan-temporal-join-left-column-added",
        &["sql-join-changed"],
        "TemporalJoin: left input (left)",
    ),
    (
        "temporal-join-inner-to-left",
        &["sql-join-changed"],
        "TemporalJoin: INNER JOIN -> LEFT JOIN (the state keeps its types: Flink restores",
    ),
    (
        "plan-temporal-join-inner-to-left",
        &["sql-join-changed"],
        "TemporalJoin: INNER JOIN -> LEFT JOIN",
    ),
    (
        "temporal-join-right-column-added",
        &["sql-join-changed", "sql-topology-shifted-ids"],
        "TemporalJoin: right input (right)",
    ),
    (
        "upsert-sink-column-added",
        &["sql-sink-materializer-changed"],
        "SinkMaterializer (the sink upsert materializer): the sink rows it keeps per key (values): List<ROW<`f0` INT NOT NULL, `f1` BIGINT>> -> List<ROW<`f0` INT NOT NULL, `f1` BIGINT, `f2` INT>>",
    ),
    (
        "plan-upsert-sink-column-added",
        &["sql-sink-materializer-changed"],
        "the sink rows it keeps per key (values)",
    ),
    (
        "upsert-sink-materialize-none",
        &["sql-topology-shifted-ids"],
        "sink upsert materializer removed (table.exec.sink.upsert-materialize = NONE",
    ),
    (
        "plan-upsert-sink-materialize-none",
        &["sql-aggregate-changed"],
        "the new plan has no sink upsert materializer: table.exec.sink.upsert-materialize = NONE",
    ),
    (
        "changelog-normalize-column-added",
        &["sql-deduplicate-changed"],
        "ChangelogNormalize: deduplicate-state: ROW<`f0` INT NOT NULL, `f1` BIGINT> -> ROW<`f0` INT NOT NULL, `f1` BIGINT, `f2` VARCHAR(2147483647)> (the latest row it keeps per primary key no longer fits",
    ),
    (
        "plan-changelog-normalize-column-added",
        &["sql-deduplicate-changed"],
        "ChangelogNormalize: deduplicate-state",
    ),
    (
        "changelog-normalize-off",
        &["sql-topology-shifted-ids"],
        "ChangelogNormalize removed (table.exec.source.cdc-events-duplicate = false",
    ),
    (
        "plan-changelog-normalize-off",
        &["sql-aggregate-changed"],
        "the new plan has no ChangelogNormalize: table.exec.source.cdc-events-duplicate = false",
    ),
    (
        "join-type-inner-to-left",
        &["sql-join-changed"],
        "INNER JOIN -> LEFT JOIN; left input (left-records): Integer -> Java Tuple2<Integer, Integer>",
    ),
    (
        "plan-join-type-inner-to-left",
        &["sql-join-changed"],
        "INNER JOIN -> LEFT JOIN",
    ),
    (
        "join-key-changed",
        &["sql-join-changed"],
        "ON k = k -> ON k = k AND x = y",
    ),
    (
        "plan-join-key-changed",
        &["sql-join-changed"],
        "ON k = k -> ON k = k AND x = y",
    ),
    (
        "dedup-keep-first-to-keep-last",
        &["sql-deduplicate-changed"],
        "keep the first row by processing time -> keep the last row by processing time",
    ),
    (
        "plan-dedup-keep-first-to-keep-last",
        &["sql-deduplicate-changed"],
        "keep the first row by processing time -> keep the last row by processing time",
    ),
    (
        "dedup-last-input-column-added",
        &["sql-deduplicate-changed"],
        "deduplicate-state: ROW<`f0` INT, `f1` BIGINT, `f2` TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*> -> ROW<",
    ),
    (
        "window-topn-size-changed",
        &["sql-window-changed"],
        "WindowRank: TUMBLE(2 s) -> TUMBLE(4 s) (Flink restores",
    ),
    (
        "plan-window-topn-size-changed",
        &["sql-window-changed"],
        "TUMBLE(2 s) -> TUMBLE(4 s)",
    ),
    (
        "window-agg-size-changed",
        &["sql-window-changed"],
        "GlobalWindowAggregate: TUMBLE(2 s) -> TUMBLE(4 s) (Flink restores",
    ),
    (
        "plan-window-agg-size-changed",
        &["sql-window-changed"],
        "TUMBLE(2 s) -> TUMBLE(4 s)",
    ),
    (
        "window-agg-cumulate",
        &["sql-window-changed"],
        "TUMBLE(2 s) -> CUMULATE(step 1 s, max 2 s)",
    ),
    (
        "plan-window-agg-cumulate",
        &["sql-window-changed"],
        "TUMBLE(2 s) -> CUMULATE(step 1 s, max 2 s)",
    ),
    (
        "window-topn-n-changed",
        &["sql-top-n-changed"],
        "WindowRank: top 3 by v DESC -> top 5 by v DESC (Flink restores",
    ),
    (
        "plan-window-topn-n-changed",
        &["sql-top-n-changed"],
        "top 3 by v DESC -> top 5 by v DESC",
    ),
    (
        "window-topn-sort-key-changed",
        &["sql-top-n-changed"],
        "top 3 by v DESC -> top 3 by s DESC",
    ),
    (
        "plan-window-topn-sort-key-changed",
        &["sql-top-n-changed"],
        "top 3 by v DESC -> top 3 by s DESC",
    ),
    (
        "plan-dedup-last-input-column-added",
        &["sql-deduplicate-changed"],
        "deduplicate-state: ROW<",
    ),
    (
        "match-variable-renamed",
        &["sql-match-changed"],
        "pattern variables A, B, C -> A, D, C: partial matches saved at B have no state in the new pattern",
    ),
    (
        "match-pattern-changed",
        &["sql-match-changed"],
        "with the same variables (A, B, C): Flink restores",
    ),
    (
        "distinct-added",
        &["sql-aggregate-changed"],
        "aggregate added: COUNT(DISTINCT g)",
    ),
    (
        "plan-distinct-added",
        &["sql-aggregate-changed"],
        "aggregate added: COUNT(DISTINCT g)",
    ),
    (
        "distinct-argument-type-changed",
        &["sql-aggregate-changed"],
        "distinctAcc_0 (the values COUNT(DISTINCT g) has seen) key ExternalSerializer<INT> -> ExternalSerializer<BIGINT>",
    ),
    (
        "plan-distinct-argument-type-changed",
        &["sql-aggregate-changed"],
        "distinctAcc_0 (the values COUNT(DISTINCT g) has seen) key ExternalSerializer<INT> -> ExternalSerializer<BIGINT>",
    ),
    (
        "session-window-gap-changed",
        &["sql-window-changed"],
        "WindowAggregate: SESSION(1 s) -> SESSION(2 s) (Flink restores",
    ),
    (
        "session-window-value-type-changed",
        &["sql-aggregate-changed"],
        "the same aggregates (COUNT(*), SUM(v)) read columns whose types changed: window-aggs ROW<`f0` BIGINT, `f1` BIGINT> -> ROW<`f0` BIGINT, `f1` INT>",
    ),
    (
        "plan-session-window-value-type-changed",
        &["sql-aggregate-changed"],
        "window-aggs ROW<`f0` BIGINT, `f1` BIGINT> -> ROW<`f0` BIGINT, `f1` INT>",
    ),
    // State TTL: the option or a STATE_TTL hint, per join input.
    (
        "state-ttl-enabled",
        &["sql-state-ttl-changed"],
        "GroupAggregate (accState): no TTL -> 1 h; a TTL switched on or off",
    ),
    (
        "join-state-ttl-enabled",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): no TTL -> 1 h; Join right input (right-records): no TTL -> 1 h",
    ),
    (
        "plan-join-state-ttl-enabled",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): no TTL -> 1 h; Join right input (right-records): no TTL -> 1 h",
    ),
    (
        "join-state-ttl-hint",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): no TTL -> 1 h; a TTL switched on or off",
    ),
    (
        "plan-join-state-ttl-hint",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): no TTL -> 1 h; a TTL switched on or off",
    ),
    (
        "groupby-state-ttl-hint",
        &["sql-state-ttl-changed"],
        "GroupAggregate (accState): no TTL -> 1 h",
    ),
    (
        "plan-groupby-state-ttl-hint",
        &["sql-state-ttl-changed"],
        "GroupAggregate (accState): no TTL -> 1 h",
    ),
    (
        "join-ttl-hint-values-changed",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): 1 h -> 3 h; Join right input (right-records): 2 h -> 4 h; the state keeps its serializer and Flink restores",
    ),
    (
        "plan-join-ttl-hint-values-changed",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): 1 h -> 3 h; Join right input (right-records): 2 h -> 4 h; the state keeps its serializer and Flink restores",
    ),
    (
        "join-ttl-hint-removed",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): 1 h -> no TTL; Join right input (right-records): 2 h -> no TTL",
    ),
    (
        "plan-join-ttl-hint-removed",
        &["sql-state-ttl-changed"],
        "Join left input (left-records): 1 h -> no TTL; Join right input (right-records): 2 h -> no TTL",
    ),
    (
        "join-ttl-hint-right-removed",
        &["sql-state-ttl-changed"],
        "Join right input (right-records): 2 h -> no TTL",
    ),
    (
        "over-agg-unbounded-ttl-disabled",
        &["sql-state-ttl-changed"],
        "OverAggregate (accState): 1 h -> no TTL; a TTL switched on or off",
    ),
    (
        "join-ttl-hint-to-option",
        &["sql-state-ttl-changed"],
        "Join right input (right-records): 2 h -> 1 h; the state keeps its serializer",
    ),
];

/// Cases whose change keeps the stateful SQL unchanged.
const NO_SQL_CHANGE: &[&str] = &[
    "where-filter-added",
    "join-identical",
    "plan-join-identical",
    "join-ttl-hint-identical",
    "plan-join-ttl-hint-identical",
    "dedup-identical",
    "plan-dedup-identical",
    // Keep-first keeps only a flag: the row's new column never reaches the state.
    "dedup-input-column-added",
    "plan-dedup-input-column-added",
    "window-topn-identical",
    "topn-retract-identical",
    "over-rowtime-identical",
    "plan-over-rowtime-identical",
    "over-agg-identical",
    "plan-over-agg-identical",
    "plan-topn-retract-identical",
    "plan-window-topn-identical",
    "window-agg-identical",
    "plan-window-agg-identical",
    "interval-join-identical",
    "plan-interval-join-identical",
    "distinct-identical",
    "plan-distinct-identical",
    "session-window-identical",
    "plan-session-window-identical",
    "match-identical",
    "plan-match-identical",
    "temporal-join-identical",
    "plan-temporal-join-identical",
    "upsert-sink-identical",
    "plan-upsert-sink-identical",
    "changelog-normalize-identical",
    "plan-changelog-normalize-identical",
    // Idle-state retention adds (or leaves behind) the OVER function's cleanup-time state.
    "over-rowtime-state-ttl",
    "plan-over-rowtime-state-ttl",
    "over-agg-state-ttl",
    "plan-over-agg-state-ttl",
    "over-rowtime-ttl-disabled",
    "over-agg-ttl-disabled",
    "over-rowtime-range-ttl-identical",
    "over-rowtime-unbounded-ttl-identical",
    "over-agg-range-ttl-identical",
    "over-agg-unbounded-ttl-identical",
];

/// With the old version known, the report names the change of `case` in SQL terms.
fn the_report_names_the_change_in_sql_terms(
    case: &Case,
    rules: &[&str],
    text: &str,
) -> Result<(), String> {
    let mut errors = Vec::new();
    let old_job = case.path("oldJob").unwrap();
    let new_job = case.path("newJob").unwrap();
    for (label, report) in [
        (
            "check --old-job",
            check(&case.base(), &new_job, false, &[("--old-job", &old_job)]).0,
        ),
        (
            "diff",
            spcompat(&["diff", "--format", "json"], &[&old_job, &new_job]).0,
        ),
    ] {
        let sql = &report["sql"];
        let found: BTreeSet<String> = sql["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["code"].as_str().map(str::to_string))
            .collect();
        for r in rules {
            if !found.contains(*r) {
                errors.push(format!("{} [{label}]: no {r} in {found:?}", case.name));
            }
        }
        let messages: Vec<&str> = sql["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["message"].as_str())
            .collect();
        if !messages.iter().any(|m| m.contains(text)) {
            errors.push(format!(
                "{} [{label}]: no change says {text:?}: {messages:?}",
                case.name
            ));
        }
        if !sql["diff"].as_str().is_some_and(|d| d.contains("--- old")) {
            errors.push(format!("{} [{label}]: no outline diff", case.name));
        }
        // The findings are attached to the old operators as well.
        if rules.iter().any(|r| *r != "sql-connector-options-changed")
            && !rules.iter().any(|r| codes(&report).contains(*r))
        {
            errors.push(format!(
                "{} [{label}]: no operator carries {rules:?}",
                case.name
            ));
        }
    }
    result(errors)
}

/// Unchanged stateful SQL: no key or aggregate findings.
fn unchanged_sql_has_no_key_or_aggregate_findings(case: &Case) -> Result<(), String> {
    let mut errors = Vec::new();
    let (report, _, _) = spcompat(
        &["diff", "--format", "json"],
        &[&case.path("oldJob").unwrap(), &case.path("newJob").unwrap()],
    );
    let found: Vec<&str> = report["sql"]["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["code"].as_str())
        .filter(|c| {
            matches!(
                *c,
                "sql-group-key-changed"
                    | "sql-aggregate-changed"
                    | "sql-join-changed"
                    | "sql-deduplicate-changed"
                    | "sql-window-changed"
                    | "sql-top-n-changed"
                    | "sql-state-ttl-changed"
            )
        })
        .collect();
    if !found.is_empty() {
        errors.push(format!("{}: unexpected {found:?}", case.name));
    }
    result(errors)
}

/// Every serializer Flink's table runtime writes is known: checking a SQL case against its
/// savepoint (with the old job) never hedges with `state-type-unknown` or `state-not-examined`
/// (those are for user-written serializers).
fn flinks_own_serializers_are_known(case: &Case) -> Result<(), String> {
    let (Some(base), Some(job), Some(old)) =
        (case.path("base"), case.path("newJob"), case.path("oldJob"))
    else {
        return Err(format!("{}: no base, newJob or oldJob", case.name));
    };
    let (report, code, stderr) = check(&base, &job, false, &[("--old-job", &old)]);
    if report.is_null() {
        return Err(format!("{}: no report (exit {code}): {stderr}", case.name));
    }
    let hedges: Vec<String> = codes(&report)
        .into_iter()
        .filter(|c| c == "state-type-unknown" || c == "state-not-examined")
        .collect();
    match hedges.is_empty() {
        true => Ok(()),
        false => Err(format!("{}: {hedges:?}", case.name)),
    }
}

fn job_operators(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["operators"].as_array().cloned().unwrap_or_default()
}

/// The exporter writes the IDs Flink computed: every operator in a base savepoint is an
/// operator of the base's exported job graph, with the same key type.
/// The SQL cases' base savepoints.
fn sql_bases() -> BTreeSet<PathBuf> {
    sql_cases().iter().map(Case::base).collect()
}

fn there_are_sql_bases() {
    let bases = sql_bases();
    assert!(bases.len() >= 6, "bases: {bases:?}");
}

fn exported_job_graph_carries_flinks_operator_ids(base: &Path) -> Result<(), String> {
    let mut errors = Vec::new();
    let job = job_operators(&base.join("job.json"));
    let exported: BTreeMap<String, Option<String>> = job
        .iter()
        .filter_map(|o| {
            Some((
                o["operatorId"].as_str()?.to_string(),
                o["keyType"].as_str().map(str::to_string),
            ))
        })
        .collect();
    for (id, key) in savepoint_operators(base) {
        match exported.get(&id) {
            None => errors.push(format!(
                "{}: savepoint operator {id} is not in job.json",
                base.display()
            )),
            Some(k) if key.is_some() && *k != key => errors.push(format!(
                "{}: {id} key type {k:?} in job.json, {key:?} in the savepoint",
                base.display()
            )),
            _ => {}
        }
    }
    result(errors)
}

/// A compiled plan converted without a JVM gives, for every operator, the uid and ID the
/// exporter got from Flink running that plan, and the key and accumulator types Flink's
/// runtime functions use.
/// The folders (cases and bases) that ran from a compiled plan.
fn plan_dirs() -> BTreeSet<PathBuf> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for case in sql_cases() {
        if case.json["runsFromPlan"] == true {
            dirs.insert(case.dir.clone());
        }
        let base = case.base();
        if std::fs::read_to_string(base.join("base.json"))
            .is_ok_and(|t| t.contains("\"compiledPlan\": true"))
        {
            dirs.insert(base);
        }
    }
    dirs
}

fn there_are_plan_dirs() {
    let dirs = plan_dirs();
    assert!(dirs.len() >= 8, "{dirs:?}");
}

fn compiled_plan_converts_to_the_graph_flink_runs(dir: &Path) -> Result<(), String> {
    use spcompat::job::derive_operator_ids;
    use spcompat::job::plan::{PlanOptions, SqlInfo, load_plan, plan_to_job_graph};
    let mut errors = Vec::new();
    let plan = load_plan(&dir.join("plan.json")).unwrap();
    let version = dir
        .ancestors()
        .filter_map(|a| a.file_name()?.to_str())
        .find(|n| n.starts_with("1.") || n.starts_with("2."))
        .unwrap()
        .to_string();
    let converted = plan_to_job_graph(
        &plan,
        &PlanOptions {
            flink_version: Some(version),
            parallelism: Some(2),
            ..PlanOptions::default()
        },
    );
    let converted_ids = derive_operator_ids(&converted).unwrap();
    let exported = spcompat::job::load_job_graph(&dir.join("job.json")).unwrap();
    for op in &exported.operators {
        let Some(uid) = &op.uid else {
            errors.push(format!(
                "{}: exported {:?} has no uid",
                dir.display(),
                op.name
            ));
            continue;
        };
        let Some((i, c)) = converted
            .operators
            .iter()
            .enumerate()
            .find(|(_, c)| c.uid.as_ref() == Some(uid))
        else {
            errors.push(format!(
                "{}: no converted operator with uid {uid}",
                dir.display()
            ));
            continue;
        };
        if Some(converted_ids[i].generated) != op.operator_id {
            errors.push(format!(
                "{}: uid {uid}: converted ID {} but Flink {:?}",
                dir.display(),
                converted_ids[i].generated,
                op.operator_id
            ));
        }
        if c.key_type != op.key_type {
            errors.push(format!(
                "{}: uid {uid}: key {:?} converted, {:?} from Flink",
                dir.display(),
                c.key_type,
                op.key_type
            ));
        }
        let acc = |o: &spcompat::job::JobOperator| SqlInfo::of(o).and_then(|s| s.acc_types);
        if acc(op).is_some() && acc(c) != acc(op) {
            errors.push(format!(
                "{}: uid {uid}: accumulators {:?} derived, {:?} from Flink's runtime function",
                dir.display(),
                acc(c),
                acc(op)
            ));
        }
    }
    if converted.operators.len() != exported.operators.len() {
        errors.push(format!(
            "{}: {} operators converted, {} exported",
            dir.display(),
            converted.operators.len(),
            exported.operators.len()
        ));
    }
    result(errors)
}

/// Plain SQL (no uids): the plan converted with `table.exec.uid.generation=DISABLED` has the
/// graph Flink translates from the SQL, so spcompat's auto-generated IDs equal the ones Flink
/// computed for every operator (and with `ALWAYS`, the same uids).
/// Plain SQL cases (not run from a plan) with the compiled plan of their query.
fn plain_sql_cases() -> Vec<(Case, PathBuf)> {
    sql_cases()
        .into_iter()
        .filter(|c| c.json["runsFromPlan"] != true)
        .filter_map(|c| c.path("compiledPlan").map(|plan| (c, plan)))
        .collect()
}

fn there_are_plain_sql_cases() {
    let compared = plain_sql_cases().len();
    assert!(compared >= 20, "only {compared} plain SQL cases");
}

fn plain_sql_ids_follow_from_the_plan_without_a_jvm(
    case: &Case,
    plan_path: &Path,
) -> Result<(), String> {
    use spcompat::job::derive_operator_ids;
    use spcompat::job::plan::{PlanOptions, load_plan, plan_to_job_graph};
    let mut errors = Vec::new();
    let sql = std::fs::read_to_string(case.dir.join("job.sql")).unwrap_or_default();
    let generation = if sql.contains("'table.exec.uid.generation' = 'ALWAYS'") {
        "ALWAYS"
    } else {
        "DISABLED"
    };
    let plan = load_plan(plan_path).unwrap();
    let converted = plan_to_job_graph(
        &plan,
        &PlanOptions {
            flink_version: Some(case.version().to_string()),
            parallelism: Some(2),
            config: [(
                "table.exec.uid.generation".to_string(),
                generation.to_string(),
            )]
            .into_iter()
            .collect(),
        },
    );
    let derived_ids = derive_operator_ids(&converted).unwrap();
    let derived: BTreeSet<String> = derived_ids
        .iter()
        .map(|d| d.generated.to_string())
        .collect();
    // Same operator (same ID): same key type and accumulators as Flink's runtime.
    let flink = spcompat::job::load_job_graph(&case.path("newJob").unwrap()).unwrap();
    for (op, ids) in converted.operators.iter().zip(&derived_ids) {
        let Some(real) = flink
            .operators
            .iter()
            .find(|o| o.operator_id == Some(ids.generated))
        else {
            continue;
        };
        let acc = |o: &spcompat::job::JobOperator| {
            spcompat::job::plan::SqlInfo::of(o).and_then(|s| s.acc_types)
        };
        if op.key_type != real.key_type || (acc(real).is_some() && acc(op) != acc(real)) {
            errors.push(format!(
                "{} {:?}: key {:?} / acc {:?} derived, key {:?} / acc {:?} from Flink",
                case.name,
                op.name,
                op.key_type,
                acc(op),
                real.key_type,
                acc(real)
            ));
        }
    }
    let exported: BTreeSet<String> = job_operators(&case.path("newJob").unwrap())
        .iter()
        .filter_map(|o| o["operatorId"].as_str().map(str::to_string))
        .collect();
    if derived != exported {
        errors.push(format!(
            "{}: derived {derived:?}, Flink {exported:?}",
            case.name
        ));
    }
    result(errors)
}

/// One trial per SQL case (and per base or plan folder) and check, named
/// `sql_cases::<check>::<flink version>/<case>`, plus the counts that keep the set from
/// shrinking unnoticed.
pub fn trials() -> Vec<Trial> {
    let mut trials = vec![
        asserting(
            "sql_cases::there_are_sql_cases_for_every_version",
            there_are_sql_cases_for_every_version,
        ),
        asserting("sql_cases::there_are_sql_bases", there_are_sql_bases),
        asserting("sql_cases::there_are_plan_dirs", there_are_plan_dirs),
        asserting(
            "sql_cases::there_are_plain_sql_cases",
            there_are_plain_sql_cases,
        ),
    ];
    let cases = sql_cases();
    for case in &cases {
        let c = case.clone();
        trials.push(trial(
            format!("sql_cases::diff::{}", case.name),
            move || diff_names_the_same_operators_as_check(&c),
        ));
    }
    for case in cases.iter().filter(|c| c.path("newJob").is_some()) {
        let c = case.clone();
        trials.push(trial(
            format!("sql_cases::flinks_own_serializers_are_known::{}", case.name),
            move || flinks_own_serializers_are_known(&c),
        ));
    }
    for &(id, rules, text) in SQL_TERMS {
        let matching: Vec<&Case> = cases.iter().filter(|c| c.id() == id).collect();
        if matching.is_empty() {
            trials.push(trial(format!("sql_cases::sql_terms::{id}"), move || {
                Err(format!("no case {id}"))
            }));
        }
        for case in matching {
            let c = case.clone();
            trials.push(trial(
                format!("sql_cases::sql_terms::{}", case.name),
                move || the_report_names_the_change_in_sql_terms(&c, rules, text),
            ));
        }
    }
    for case in cases.iter().filter(|c| NO_SQL_CHANGE.contains(&c.id())) {
        let c = case.clone();
        trials.push(trial(
            format!("sql_cases::no_sql_change::{}", case.name),
            move || unchanged_sql_has_no_key_or_aggregate_findings(&c),
        ));
    }
    let root = common::root();
    let short = move |p: &Path| {
        p.strip_prefix(root.join("fixtures/cases"))
            .unwrap_or(p)
            .display()
            .to_string()
    };
    for base in sql_bases() {
        trials.push(trial(
            format!("sql_cases::exported_ids::{}", short(&base)),
            move || exported_job_graph_carries_flinks_operator_ids(&base),
        ));
    }
    for dir in plan_dirs() {
        trials.push(trial(
            format!("sql_cases::plan_converts::{}", short(&dir)),
            move || compiled_plan_converts_to_the_graph_flink_runs(&dir),
        ));
    }
    for (case, plan) in plain_sql_cases() {
        trials.push(trial(
            format!("sql_cases::plain_sql_ids::{}", case.name),
            move || plain_sql_ids_follow_from_the_plan_without_a_jvm(&case, &plan),
        ));
    }
    trials
}
