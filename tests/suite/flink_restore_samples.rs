//! A few of Flink's own SQL restore tests (fixtures/flink-restore-tests: a compiled plan and the
//! savepoint Flink took running it, which Flink restores from that plan). `check` must agree
//! (`restores`) and must decode every serializer Flink's table runtime and CEP wrote there, so
//! that nothing is left to `state-not-examined`. The whole set of 177 is
//! `tests/flink_restore_tests.rs` (run where the tests were extracted).

use crate::common;

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn sample(name: &str) -> PathBuf {
    common::root()
        .join("fixtures/flink-restore-tests")
        .join(name)
}

fn spcompat() -> Command {
    Command::cargo_bin("spcompat").unwrap()
}

fn check_json(name: &str) -> (Value, i32) {
    let dir = sample(name);
    check_report(name, &dir.join("savepoint"), &dir.join("plan.json"))
}

/// `check --format json` of `savepoint` against `job`: the report and the exit code.
fn check_report(what: &str, savepoint: &std::path::Path, job: &std::path::Path) -> (Value, i32) {
    let out = spcompat()
        .args(["check", "--format", "json", "--savepoint"])
        .arg(savepoint)
        .arg("--job")
        .arg(job)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap_or(-1))
}

/// The report's entry for the operator of the new job with this uid.
fn operator<'a>(report: &'a Value, uid: &str) -> &'a Value {
    report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["newOperator"]["uid"] == uid)
        .unwrap_or_else(|| panic!("no operator {uid} in {report:#}"))
}

fn inspect_text(dir: &std::path::Path) -> String {
    let out = spcompat()
        .args(["inspect", "--color", "never"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn reason_codes(report: &Value) -> Vec<String> {
    let mut codes = Vec::new();
    for op in report["operators"].as_array().unwrap() {
        for r in op["reasons"].as_array().into_iter().flatten() {
            codes.push(r["code"].as_str().unwrap_or_default().to_string());
        }
    }
    codes
}

const SAMPLES: &[&str] = &[
    "expand",
    "group-aggregate-simple-mini-batch",
    "group-window-aggregate-session-event-time",
    "incremental-group-aggregate-complex",
    "join-left-join",
    "lookup-join-with-try-resolve",
    "match-simple",
    "over-aggregate-lag",
    "rank-test-retract-strategy",
];

#[test]
fn every_sample_restores_with_every_serializer_decoded() {
    for name in SAMPLES {
        let (report, code) = check_json(name);
        assert_eq!(report["verdict"], "restores", "{name}: {report:#}");
        assert_eq!(code, 0, "{name}");
        let codes = reason_codes(&report);
        assert!(
            !codes
                .iter()
                .any(|c| c == "state-not-examined" || c.ends_with("-changed")),
            "{name}: {codes:?}"
        );
    }
}

#[test]
fn table_runtime_and_cep_serializers_are_decoded_into_their_types() {
    let expectations: &[(&str, &[&str])] = &[
        (
            "match-simple",
            &[
                "nfaStateName                              value  NFAState<DeweyNumber, NodeId<EventId>, EventId>",
                "Lockable<SharedBufferNode<SharedBufferEdge<NodeId<EventId>, DeweyNumber>>>",
            ],
        ),
        (
            "rank-test-retract-strategy",
            &[
                "sorted-map  value  SortedMap<ROW<`f0` INT NOT NULL>, Long, order = [0 ASC NULLS FIRST]>",
            ],
        ),
        (
            "over-aggregate-lag",
            &[
                "sink-results          operator-list  ExternalSerializer<ROW<`f0` STRING, `f1` MAP<DOUBLE, DOUBLE>>>",
            ],
        ),
        (
            "expand",
            &[
                "agg1$valueToOrderMap  map    ExternalSerializer<STRING> -> ExternalSerializer<ARRAY<BIGINT>>",
            ],
        ),
    ];
    for (name, lines) in expectations {
        let text = inspect_text(&sample(name).join("savepoint"));
        assert!(!text.contains("not fully decoded"), "{name}:\n{text}");
        for line in *lines {
            assert!(text.contains(line), "{name}: no `{line}` in\n{text}");
        }
    }
}

/// A lookup join with `TRY_RESOLVE` on a changelog input runs as a keyed
/// `lookup-join-materialize` operator: its state (`unique-value`) maps to that uid.
#[test]
fn lookup_join_with_upsert_materialize_maps_its_state() {
    let (report, _) = check_json("lookup-join-with-try-resolve");
    let op = report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["states"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s == "unique-value"))
        })
        .expect("the materializing operator's state is in the report");
    assert_eq!(op["status"], "restored", "{op:#}");
    assert_eq!(
        op["newOperator"]["uid"], "34_lookup-join-materialize",
        "{op:#}"
    );
}

/// A global aggregate's accumulators follow the local aggregate's input, and its `COUNT(*)`
/// from the local side (`indexOfCountStar`) is not counted twice: the plan's `accState` row is
/// the savepoint's, field for field.
#[test]
fn mini_batch_global_aggregates_declare_the_savepoints_accumulators() {
    for (name, uid, acc) in [
        (
            "group-aggregate-simple-mini-batch",
            "12_global-group-aggregate",
            "ROW<`f0` BIGINT, `f1` BIGINT, `f2` BIGINT, `f3` STRING>",
        ),
        (
            "incremental-group-aggregate-complex",
            "20_global-group-aggregate",
            "ROW<`f0` BIGINT, `f1` BIGINT, `f2` BIGINT, `f3` BIGINT>",
        ),
    ] {
        let (report, _) = check_json(name);
        let op = operator(&report, uid);
        assert_eq!(op["status"], "restored", "{name}: {op:#}");
        let text = inspect_text(&sample(name).join("savepoint"));
        assert!(
            text.contains(&format!("accState  value  {acc}")),
            "{name}:\n{text}"
        );
        assert!(
            op["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|r| r["code"] != "state-not-compared"),
            "{name}: the plan declares {uid}'s accState, so it is compared: {op:#}"
        );
    }
}

/// A composite serializer spcompat does not know keeps its nested serializers readable, but
/// its own outer data was skipped: its state stays `state-not-examined`, never silently judged.
/// (The real savepoint with its table-runtime class renamed to a same-length user class.)
#[test]
fn an_unknown_composite_is_reported_not_examined() {
    let dir = sample("join-left-join").join("savepoint");
    let mut bytes = std::fs::read(dir.join("_metadata")).unwrap();
    let flink =
        b"org.apache.flink.table.runtime.typeutils.ExternalSerializer$ExternalSerializerSnapshot";
    let user: Vec<u8> = {
        let mut u = b"com.example.MySerializer$MySnapshot".to_vec();
        u.resize(flink.len(), b'x');
        u
    };
    let mut replaced = 0;
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(flink.len()).position(|w| w == flink) {
        bytes[i + at..i + at + flink.len()].copy_from_slice(&user);
        i += at + flink.len();
        replaced += 1;
    }
    assert!(replaced > 0);
    let copy = common::savepoint_with_metadata(&dir, &bytes);
    let (report, _) = check_report(
        "join-left-join (user snapshot)",
        copy.path(),
        &sample("join-left-join").join("plan.json"),
    );
    let codes = reason_codes(&report);
    assert!(codes.iter().any(|c| c == "state-not-examined"), "{codes:?}");
    // The nested serializer after the skipped outer data was still read.
    let text = inspect_text(copy.path());
    assert!(
        text.contains("Opaque<com.example.MySerializer$MySnapshot"),
        "{text}"
    );
}

/// A compiled plan names the operators of a savepoint that stores no uids, as a job graph does.
#[test]
fn inspect_names_operators_by_a_plans_uids() {
    let dir = sample("join-left-join");
    let out = spcompat()
        .args(["inspect", "--color", "never", "--uids"])
        .arg(dir.join("plan.json"))
        .arg(dir.join("savepoint"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("4b11362dc19a1244cbd37e32ee6e910c uid=81_join"),
        "{text}"
    );
}

/// An async lookup join runs as AsyncWaitOperator, whose in-flight records are operator list
/// state of the join's input rows: declared from the plan, compared with Flink's savepoint, and
/// a changed input column type is the incompatibility Flink's RowData serializer reports.
#[test]
fn async_lookup_join_declares_its_in_flight_records() {
    let state = "_async_wait_operator_state_";
    let (report, code) = check_json("lookup-join-async-hint");
    assert_eq!(report["verdict"], "restores", "{report:#}");
    assert_eq!(code, 0);
    let op = operator(&report, "26_lookup-join");
    assert_eq!(op["status"], "restored", "{op:#}");
    assert!(
        op["states"].as_array().unwrap().iter().any(|s| s == state),
        "{op:#}"
    );
    assert!(
        !reason_codes(&serde_json::json!({ "operators": [op] }))
            .iter()
            .any(|c| c == "state-not-compared"),
        "{op:#}"
    );

    // The same plan with the source's `total` column as FLOAT instead of DOUBLE.
    let dir = sample("lookup-join-async-hint");
    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    let source = plan["nodes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n["id"] == 25)
        .unwrap();
    let changed = source["outputType"]
        .as_str()
        .unwrap()
        .replace("`total` DOUBLE", "`total` FLOAT");
    source["outputType"] = Value::String(changed);
    let edited = tempfile::tempdir().unwrap();
    let plan_path = edited.path().join("plan.json");
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    let (report, _) = check_report("edited plan", &dir.join("savepoint"), &plan_path);
    assert_eq!(report["verdict"], "fails", "{report:#}");
    let op = operator(&report, "26_lookup-join");
    assert_eq!(op["status"], "incompatible", "{op:#}");
    let text = op.to_string();
    assert!(text.contains(state) && text.contains("FLOAT"), "{op:#}");
}

/// A legacy session window aggregate keeps its window mapping in the table runtime's own
/// `TimeWindow` (not the DataStream class of that name): declared from the plan and compared.
#[test]
fn session_group_window_declares_its_window_mapping() {
    let (report, code) = check_json("group-window-aggregate-session-event-time");
    assert_eq!(report["verdict"], "restores", "{report:#}");
    assert_eq!(code, 0);
    let op = operator(&report, "18_group-window-aggregate");
    assert_eq!(op["status"], "restored", "{op:#}");
    let reasons = reason_codes(&serde_json::json!({ "operators": [op] }));
    assert!(!reasons.iter().any(|c| c == "state-not-compared"), "{op:#}");
    assert!(
        op["states"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "session-window-mapping"),
        "{op:#}"
    );
}

/// A baseline written by `snapshot` from a savepoint reads back as the same types: checking
/// the savepoint against its own baseline restores, on every sample (the table runtime's
/// `TimeWindow` once came back as the DataStream one, a false `fails`).
#[test]
fn every_sample_restores_against_its_own_baseline() {
    let mut samples: Vec<&str> = SAMPLES.to_vec();
    samples.push("lookup-join-async-hint");
    for name in samples {
        let dir = sample(name);
        let baseline = tempfile::tempdir().unwrap();
        let path = baseline.path().join("baseline.json");
        let out = spcompat()
            .arg("snapshot")
            .arg(dir.join("savepoint"))
            .arg("-o")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (report, _) = check_report(name, &dir.join("savepoint"), &path);
        assert_eq!(report["verdict"], "restores", "{name}: {report:#}");
    }
}
