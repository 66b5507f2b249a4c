//! `lint`, `spcompat.toml` (accepted findings, severity overrides) and `snapshot` baselines.

use crate::common;

use assert_cmd::Command;
use serde_json::Value;

fn spcompat(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("spcompat").unwrap();
    c.current_dir(dir);
    c
}

fn data(p: &str) -> String {
    common::root()
        .join("tests/data")
        .join(p)
        .display()
        .to_string()
}

#[test]
fn lint_reports_each_rule_with_node_uid_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = spcompat(dir.path())
        .args([
            "lint",
            "--job",
            &data("lint/risky.json"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "error-level findings exit 1");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for code in [
        "duplicate-uid",
        "stateful-operator-without-uid",
        "kryo-serialized-state",
        "max-parallelism-not-set",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let no_uid = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "stateful-operator-without-uid")
        .unwrap();
    assert_eq!(no_uid["node"], 2);
    assert!(no_uid["uid"].is_null());
    // Duplicate uids make the job invalid for Flink, so no ID is claimed.
    assert!(no_uid["operatorId"].is_null());
    assert_eq!(no_uid["severity"], "error");
}

#[test]
fn clean_job_has_no_findings_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = spcompat(dir.path())
        .args([
            "lint",
            "--job",
            &data("lint/clean.yaml"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn accepted_finding_is_shown_but_does_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("spcompat.toml"),
        r#"
[[accept]]
rule = "duplicate-uid"
operator = "orders"
reason = "enrich is being renamed in the next release"

[[accept]]
rule = "stateful-operator-without-uid"
operator = "node-2-has-no-uid"
reason = "does not match anything"

[severity]
stateful-operator-without-uid = "warning"
"#,
    )
    .unwrap();
    // The config is found from a subdirectory too.
    let sub = dir.path().join("jobs");
    std::fs::create_dir(&sub).unwrap();
    let out = spcompat(&sub)
        .args([
            "lint",
            "--job",
            &data("lint/risky.json"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let dup: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"] == "duplicate-uid")
        .collect();
    assert!(!dup.is_empty());
    assert!(
        dup.iter()
            .all(|f| f["accepted"] == "enrich is being renamed in the next release")
    );
    let no_uid = findings
        .iter()
        .find(|f| f["code"] == "stateful-operator-without-uid")
        .unwrap();
    assert_eq!(no_uid["severity"], "warning", "severity override applies");
    assert!(
        no_uid.get("accepted").is_none(),
        "acceptance is per operator"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing unaccepted at error level"
    );
}

#[test]
fn bad_config_is_a_usage_error_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("spcompat.toml"),
        "[[accept]]\nrule = \"no-such-rule\"\noperator = \"x\"\nreason = \"y\"\n",
    )
    .unwrap();
    let out = spcompat(dir.path())
        .args(["lint", "--job", &data("lint/clean.yaml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no-such-rule") && err.contains("spcompat.toml"),
        "{err}"
    );
}

#[test]
fn snapshot_of_a_savepoint_is_a_job_graph_that_lint_and_check_read() {
    let dir = tempfile::tempdir().unwrap();
    let sp = common::root()
        .join("fixtures/savepoints/flink-2.3.0-datastream-hashmap-canonical")
        .display()
        .to_string();
    let base = dir.path().join("baseline.yaml");
    let out = spcompat(dir.path())
        .args(["snapshot", &sp, "-o"])
        .arg(&base)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(text.contains("format: spcompat-job-graph/1"));
    assert!(text.contains("uid: keyed-all"));
    assert!(text.contains("operatorId: 1bb0d0690859a544a9c1566e3b830a44"));
    // The baseline is itself a valid new-job input: checking the savepoint against its own
    // baseline maps every operator.
    let out = spcompat(dir.path())
        .args(["check", "--savepoint", &sp, "--job"])
        .arg(&base)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "restores", "{report}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn check_with_a_baseline_instead_of_a_savepoint() {
    // A baseline of the real base savepoint, then the real uid-renamed case (Flink refused it).
    let dir = tempfile::tempdir().unwrap();
    let root = common::root();
    let base = dir.path().join("ds-uids.baseline.yaml");
    let out = spcompat(dir.path())
        .arg("snapshot")
        .arg(root.join("fixtures/cases/2.3.0/bases/ds-uids"))
        .arg("-o")
        .arg(&base)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = spcompat(dir.path())
        .args(["check", "--format", "json", "--baseline"])
        .arg(&base)
        .arg("--job")
        .arg(root.join("fixtures/cases/2.3.0/uid-renamed/new-job.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let unmapped: Vec<&Value> = report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "unmapped")
        .collect();
    assert_eq!(unmapped.len(), 1);
    assert_eq!(
        unmapped[0]["operatorId"],
        "0da08f51eaa85fc298e176a139b3649a"
    );
    assert_eq!(unmapped[0]["uid"], "counter");
}

#[test]
fn lint_fix_names_the_operator_id_to_keep() {
    let dir = tempfile::tempdir().unwrap();
    let job = common::root()
        .join("fixtures/cases/2.3.0/nouid-unchanged/new-job.json")
        .display()
        .to_string();
    let out = spcompat(dir.path())
        .args(["lint", "--job", &job, "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let no_uid: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "stateful-operator-without-uid")
        .collect();
    assert!(!no_uid.is_empty());
    for f in no_uid {
        let id = f["operatorId"]
            .as_str()
            .expect("IDs derive without duplicate uids");
        let fix = f["fix"].as_str().unwrap();
        assert!(fix.contains(&format!(".setUidHash(\"{id}\")")), "{fix}");
    }
}
