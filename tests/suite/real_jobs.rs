//! `export-job` on real public DataStream jobs: apache/flink-training's stateful solutions,
//! recorded by `fixtures/real-jobs/record-flink-training.sh` (each run with its generators on a
//! MiniCluster, a canonical savepoint taken, and `spcompat export-job` of the same jar). The
//! export must name every operator of Flink's savepoint by the same ID, with the same states
//! (name, kind, type) and key type, and `check` of the savepoint against it must say `restores`
//! with every state compared. Real edits of LongRidesSolution, run by the script from that
//! savepoint on Flink without and with allowNonRestoredState, are predicted from the edited
//! jar's export as Flink decided. A missing recording fails the tests.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::cases::{check, compare, expected, ids_with_status, stateful_operators};
use common::root;
use serde_json::Value;

const FLINK: &str = "1.20.3";
const TRAINING_COMMIT: &str = "dc81157";
const JOBS: [&str; 4] = [
    "rides-and-fares",
    "long-ride-alerts",
    "hourly-tips",
    "ride-count",
];

fn job_dir(job: &str) -> PathBuf {
    root().join(format!("fixtures/real-jobs/flink-training/{FLINK}/{job}"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The savepoint of a recorded job; its `_metadata` must be there.
fn savepoint(job: &str) -> PathBuf {
    let sp = job_dir(job).join("savepoint");
    assert!(
        sp.join("_metadata").is_file(),
        "{job}: no savepoint recorded"
    );
    sp
}

/// One operator as both sides describe it: key type and sorted `name/kind/type` of its states
/// (timers left out: the job-graph format has no kind for them, they follow the key type).
#[derive(Debug, PartialEq)]
struct Operator {
    key_type: Option<String>,
    states: Vec<String>,
}

fn operator(o: &Value, states: &str) -> Operator {
    let mut list: Vec<String> = o[states]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] != "timers")
        .map(|s| {
            format!(
                "{}/{}/{}",
                s["name"].as_str().unwrap(),
                s["kind"].as_str().unwrap(),
                s["type"].as_str().unwrap_or("?")
            )
        })
        .collect();
    list.sort();
    Operator {
        key_type: o["keyType"].as_str().map(str::to_string),
        states: list,
    }
}

/// Operator ID -> operator, of the recorded export.
fn exported(job: &str) -> BTreeMap<String, Operator> {
    let graph = read_json(&job_dir(job).join("job.json"));
    assert_eq!(graph["stateCaptured"], true, "{job}: state not captured");
    assert_eq!(graph["flinkVersion"], FLINK, "{job}");
    graph["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            assert!(
                o.get("stateNotCaptured").is_none(),
                "{job}: {} {}",
                o["name"],
                o["stateNotCaptured"]
            );
            let id = o["operatorId"].as_str().unwrap().to_string();
            // An operator without state has no key type worth comparing (the savepoint has none).
            let mut op = operator(o, "state");
            if op.states.is_empty() {
                op.key_type = None;
            }
            (id, op)
        })
        .collect()
}

/// Operator ID -> operator, as `spcompat inspect` reads Flink's savepoint.
fn saved(job: &str) -> BTreeMap<String, Operator> {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["inspect", "--format", "json"])
        .arg(savepoint(job))
        .output()
        .unwrap();
    assert!(out.status.success(), "{job}: inspect failed");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let mut op = operator(o, "states");
            if op.states.is_empty() {
                op.key_type = None;
            }
            (o["operatorId"].as_str().unwrap().to_string(), op)
        })
        .collect()
}

/// Each recording says where its job came from.
#[test]
fn flink_training_recordings_name_their_source() {
    for job in JOBS {
        let rec = read_json(&job_dir(job).join("recorded.json"));
        assert!(
            rec["commit"]
                .as_str()
                .is_some_and(|c| c.starts_with(TRAINING_COMMIT)),
            "{job}: {}",
            rec["commit"]
        );
        assert_eq!(rec["flinkVersion"], FLINK, "{job}");
        assert!(rec["mainClass"].as_str().is_some(), "{job}");
    }
}

/// (a) The export has exactly the savepoint's operators, under the same IDs, and each stateful
/// one with the same states (name, kind, type) and key type.
#[test]
fn flink_training_exports_match_their_savepoints() {
    let mut errors = Vec::new();
    let mut stateful = 0;
    for job in JOBS {
        let exported = exported(job);
        let saved = saved(job);
        stateful += saved.values().filter(|o| !o.states.is_empty()).count();
        assert!(
            saved.values().any(|o| !o.states.is_empty()),
            "{job}: the savepoint holds no state"
        );
        if exported != saved {
            errors.push(format!("{job}: export {exported:#?}\nsavepoint {saved:#?}"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // rides-and-fares 1, long-ride-alerts 1, hourly-tips 2 (two windows), ride-count 1.
    assert_eq!(stateful, 5);
}

/// (b) `check` of each savepoint against the job's own export: `restores`, exit 0, every
/// stateful operator restored and every state compared, with and without -n.
#[test]
fn flink_training_savepoints_restore_into_their_own_exports() {
    let mut errors = Vec::new();
    for job in JOBS {
        let sp = savepoint(job);
        let graph = job_dir(job).join("job.json");
        let stateful: Vec<String> = saved(job)
            .into_iter()
            .filter(|(_, o)| !o.states.is_empty())
            .map(|(id, _)| id)
            .collect();
        for n in [false, true] {
            let (report, code, stderr) = check(&sp, &graph, n);
            if report["verdict"] != "restores" || code != 0 {
                errors.push(format!(
                    "{job} -n {n}: {} (exit {code}) {stderr}",
                    report["verdict"]
                ));
            }
            if report["stateNotCompared"] != Value::Array(vec![]) {
                errors.push(format!(
                    "{job} -n {n}: not compared {}",
                    report["stateNotCompared"]
                ));
            }
            let restored = ids_with_status(&report, "restored");
            for id in &stateful {
                if !restored.contains(id) {
                    errors.push(format!("{job} -n {n}: {id} not restored: {restored:?}"));
                }
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The ID of LongRidesSolution's KeyedProcessFunction (no uid: auto-generated), which holds the
/// job's only state, `ride event`.
const ALERT_FUNCTION: &str = "90bea66de1c231edf33913ecd54406c1";

/// A recorded edit of long-ride-alerts: its case file and the edited jar's export.
fn edit(id: &str) -> (Value, PathBuf) {
    let dir = job_dir("long-ride-alerts").join("edits").join(id);
    let case = read_json(&dir.join("case.json"));
    assert_eq!(case["id"], id);
    assert_eq!(case["flinkVersion"], FLINK);
    let job = dir.join(case["newJob"].as_str().unwrap());
    assert!(job.is_file(), "{id}: no export of the edited jar");
    let graph = read_json(&job);
    assert_eq!(graph["stateCaptured"], true, "{id}");
    (case, job)
}

/// Flink's recorded outcome of one edit: (outcome, exception) without and with -n.
fn flink_outcomes(case: &Value) -> Vec<(bool, String, String)> {
    case["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["allowNonRestoredState"].as_bool().unwrap(),
                r["outcome"].as_str().unwrap().to_string(),
                r["exception"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// What Flink did with each edit (the recordings are what the next test compares with).
#[test]
fn long_rides_edits_recorded_flinks_outcomes() {
    let (case, _) = edit("state-type-changed");
    let migration = "org.apache.flink.util.StateMigrationException".to_string();
    assert_eq!(
        flink_outcomes(&case),
        [
            (false, "failed".into(), migration.clone()),
            (true, "failed".into(), migration)
        ]
    );
    let (case, _) = edit("operator-inserted");
    assert_eq!(
        flink_outcomes(&case),
        [
            (
                false,
                "failed".into(),
                "java.lang.IllegalStateException".into()
            ),
            (true, "restored".into(), String::new())
        ]
    );
    let skipped = case["runs"][1]["skippedOperators"].as_array().unwrap();
    assert!(
        skipped.contains(&Value::from(ALERT_FUNCTION)),
        "{skipped:?}"
    );
}

/// Each edit, from the edited jar's export: the verdict Flink's runs imply, the operators Flink
/// could not map (unmapped) or failed restoring (incompatible; the task Flink names runs it),
/// with and without -n.
#[test]
fn long_rides_edits_agree_with_flink_from_the_export() {
    let sp = savepoint("long-ride-alerts");
    let stateful = stateful_operators(&sp);
    assert_eq!(
        stateful.iter().collect::<Vec<_>>(),
        [ALERT_FUNCTION],
        "stateful operators of the savepoint"
    );
    let mut errors = Vec::new();
    let mut checked = 0;
    for id in ["state-type-changed", "operator-inserted"] {
        let (case, job) = edit(id);
        for run in case["runs"].as_array().unwrap() {
            let n = run["allowNonRestoredState"].as_bool().unwrap();
            let want = expected(run, &stateful);
            let (report, code, stderr) = check(&sp, &job, n);
            checked += 1;
            for e in compare(&report, code, &stderr, &want) {
                errors.push(format!("{id} (-n {n}): {e}"));
            }
            if id == "state-type-changed" {
                let incompatible = ids_with_status(&report, "incompatible");
                if !incompatible.contains(ALERT_FUNCTION) {
                    errors.push(format!("{id} (-n {n}): incompatible {incompatible:?}"));
                }
            }
            // Flink's heap backend names the failing task, not the operator: the operator
            // spcompat finds incompatible must be one that task runs.
            if let Some(task) = run["failingTask"].as_str() {
                let incompatible: Vec<&str> = report["operators"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|o| o["status"] == "incompatible")
                    .filter_map(|o| o["newOperator"]["name"].as_str())
                    .collect();
                if incompatible.is_empty() || !incompatible.iter().all(|n| task.contains(n)) {
                    errors.push(format!(
                        "{id} (-n {n}): Flink failed in task {task}; spcompat's incompatible: {incompatible:?}"
                    ));
                }
            }
        }
    }
    assert_eq!(checked, 4);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
