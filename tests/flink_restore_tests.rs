//! Flink's own SQL restore tests, all of them: for each, a compiled plan and the savepoint Flink
//! took running it, which Flink restores from that plan (`RestoreTestBase`). `check` must say
//! `restores` on every one and leave no serializer unexamined.
//!
//! The tests are Flink's files, not this project's: extract them first with
//! `tools/flink-restore-tests/extract.sh FLINK_SOURCES`, then
//! `cargo test --test flink_restore_tests -- --ignored`. (A few are committed in
//! fixtures/flink-restore-tests and checked by every `cargo test`.)

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

/// Transformations whose state the plan translation declares.
const MODELLED: &[&str] = &[
    "join",
    "deduplicate",
    "changelog-normalize",
    "interval-join",
    "temporal-sort",
    "lookup-join-materialize",
    "window-deduplicate",
    "window-rank",
    "window-join",
    "temporal-join",
    "async-calc",
    "lookup-join",
    // (Window aggregates too, but not with DISTINCT or on hopping and session windows, which
    // most of these tests use.)
];

#[test]
#[ignore = "needs Flink's restore tests: tools/flink-restore-tests/extract.sh FLINK_SOURCES"]
fn check_restores_every_flink_sql_restore_test() {
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/.cache/flink-restore-tests");
    let mut tests = Vec::new();
    for node in std::fs::read_dir(&root).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run tools/flink-restore-tests/extract.sh",
            root.display()
        )
    }) {
        for test in std::fs::read_dir(node.unwrap().path()).unwrap() {
            tests.push(test.unwrap().path());
        }
    }
    tests.sort();
    assert!(
        tests.len() >= 100,
        "only {} restore tests under {}",
        tests.len(),
        root.display()
    );
    let mut wrong = Vec::new();
    let mut compared = 0;
    for t in &tests {
        let plan = std::fs::read_dir(t.join("plan"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "json"))
            .unwrap();
        let out = Command::cargo_bin("spcompat")
            .unwrap()
            .args(["check", "--format", "json", "--savepoint"])
            .arg(t.join("savepoint"))
            .arg("--job")
            .arg(&plan)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let not_examined = report["operators"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|o| o["reasons"].as_array().into_iter().flatten())
            .filter(|r| r["code"] == "state-not-examined")
            .count();
        // The operators whose state spcompat models from the plan: their state is compared.
        for op in report["operators"].as_array().into_iter().flatten() {
            let uid = op["newOperator"]["uid"].as_str().unwrap_or_default();
            let transformation = uid.split_once('_').map_or("", |(_, t)| t);
            let modelled = MODELLED.contains(&transformation);
            let not_compared = op["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["code"] == "state-not-compared");
            if op["status"] == "restored" && modelled && not_compared {
                wrong.push(format!("{}: {uid}: state not compared", t.display()));
            }
            if op["status"] == "restored" && modelled {
                compared += 1;
            }
        }
        if report["verdict"] != "restores" || not_examined > 0 {
            wrong.push(format!(
                "{}: verdict {}, {not_examined} state-not-examined",
                t.display(),
                report["verdict"]
            ));
        }
    }
    eprintln!(
        "{} of {} restore tests: restores, every serializer examined; the state of {compared} modelled operators compared",
        tests.len() - wrong.len(),
        tests.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(compared >= 40, "only {compared} modelled operators");
}
