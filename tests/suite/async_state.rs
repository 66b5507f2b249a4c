//! Flink 2.x's async state (State V2): every recorded case whose new job uses it. Flink
//! restored each, and failed the canonical savepoint the generator then tried of the running
//! new job (`canonicalSavepointOfNewJob` in case.json); `check` from the exported job graph
//! restores as Flink did and warns on exactly the operators that use async state, and a new
//! job without async state gets no such warning.

use crate::common;

use common::cases::{all_cases, check, compare, expected, stateful_operators};
use serde_json::Value;
use std::collections::BTreeSet;

const RULE: &str = "async-state-canonical-savepoint";

fn async_operators(job: &Value) -> BTreeSet<String> {
    job["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["asyncState"] == true)
        .map(|o| o["operatorId"].as_str().unwrap().to_string())
        .collect()
}

fn warned(report: &Value) -> BTreeSet<String> {
    report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| {
            o["reasons"]
                .as_array()
                .is_some_and(|r| r.iter().any(|f| f["code"] == RULE))
        })
        .map(|o| o["operatorId"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_recorded_async_state_job_restores_with_a_warning_on_its_async_operators() {
    let mut recorded = Vec::new();
    let mut errors = Vec::new();
    for case in all_cases() {
        let Some(new_job) = case.path("newJob") else {
            continue;
        };
        let job: Value = serde_json::from_slice(&std::fs::read(&new_job).unwrap()).unwrap();
        let async_ops = async_operators(&job);
        let probe = &case.json["canonicalSavepointOfNewJob"];
        // The generator tries a canonical savepoint exactly when the new job uses async state.
        assert_eq!(
            probe.is_object(),
            !async_ops.is_empty(),
            "{}: canonical probe {probe} vs async operators {async_ops:?}",
            case.name
        );
        if !case.id().contains("async-state") && async_ops.is_empty() {
            continue;
        }
        if !async_ops.is_empty() {
            recorded.push(case.name.clone());
            assert_eq!(probe["outcome"], "failed", "{}: {probe}", case.name);
            let cause = probe["rootCause"].as_str().unwrap_or_default();
            let backend = case.json["backend"].as_str().unwrap();
            let why = if backend == "forst" {
                "does not support CANONICAL savepoints"
            } else {
                "UnsupportedOperationException: Not supported yet."
            };
            assert!(cause.contains(why), "{}: {cause}", case.name);
        }
        let sp = case.base();
        let stateful = stateful_operators(&sp);
        for run in case.json["runs"].as_array().unwrap() {
            let n = run["allowNonRestoredState"].as_bool().unwrap();
            let (report, code, stderr) = check(&sp, &new_job, n);
            for e in compare(&report, code, &stderr, &expected(run, &stateful)) {
                errors.push(format!("{} (-n {n}): {e}", case.name));
            }
            let got = warned(&report);
            if got != async_ops {
                errors.push(format!(
                    "{} (-n {n}): warned on {got:?}, async operators {async_ops:?}",
                    case.name
                ));
            }
        }
    }
    // HashMap, RocksDB and ForSt on 2.3.0, and 1.20.3 savepoints on 2.1.3, 2.2.1 and 2.3.0.
    for want in [
        "2.3.0/async-state-hashmap",
        "2.3.0/async-state-rocksdb-native",
        "2.3.0/async-state-forst-identical",
        "2.1.3/async-state-from-1.20",
        "2.2.1/async-state-from-1.20",
        "2.3.0/async-state-from-1.20",
    ] {
        assert!(
            recorded.iter().any(|r| r == want),
            "{want} not recorded: {recorded:?}"
        );
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn lint_names_the_async_state_operator() {
    let job = common::root().join("fixtures/cases/2.3.0/async-state-hashmap/new-job.json");
    let out = common::run(&["lint", "--format", "json", "--job", job.to_str().unwrap()]);
    let report = common::stdout_json(&out);
    let hits: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == RULE)
        .collect();
    assert_eq!(hits.len(), 1, "{report}");
    assert_eq!(hits[0]["uid"], "counter");
    assert_eq!(hits[0]["severity"], "warning");
}
