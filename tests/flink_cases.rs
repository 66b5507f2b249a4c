//! Real-Flink restore cases (`fixtures/cases/<flink version>/<case>/case.json`): a savepoint of
//! a base job, a variant job, and what real Flink did when the variant was started from the
//! savepoint, with and without `--allowNonRestoredState`. `spcompat check` must predict the same
//! outcome from every form of the new job the case provides: the exported job-graph, the same
//! graph without operator IDs (so spcompat derives them), the canary savepoint of the variant,
//! and the compiled plan for SQL cases that run from one.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// Where spcompat cannot agree with Flink from a given input, and why: (case, input labels,
/// reason). An input label matches by prefix ("job-graph" covers "job-graph without IDs"). The
/// test fails if any other prediction disagrees, and also if a listed gap starts agreeing, so
/// this list only shrinks.
const KNOWN_GAPS: &[(&str, &[&str], &str)] = &[
    (
        "kryo-class-changed",
        &["job-graph", "canary"],
        "Kryo's snapshot records only the class name, not its fields: no input shows the change (Flink fails inside Kryo at restore)",
    ),
    (
        "enum-constant-removed",
        &["job-graph"],
        "EnumTypeInfo<...> in the exported job graph lists no constants; the canary savepoint shows them and agrees",
    ),
    (
        "native-rocksdb-to-hashmap",
        &["job-graph", "canary"],
        "the exported job graph has no stateBackend field and the canary savepoint is canonical, so the new backend is unknown (given \"stateBackend\": \"hashmap\", spcompat predicts the failure)",
    ),
    (
        "nouid-uidhash-rebind",
        &["canary"],
        "setUidHash is not stored in savepoints, so a canary savepoint cannot show the rebinding; the job graph can and agrees",
    ),
];

/// Gaps are per case id, on every Flink version the case was recorded on.
fn gap_covers(case: &str, label: &str) -> bool {
    KNOWN_GAPS.iter().any(|(id, labels, _)| {
        case.rsplit('/').next() == Some(*id) && labels.iter().any(|l| label.starts_with(l))
    })
}

struct Case {
    dir: PathBuf,
    name: String,
    json: Value,
}

fn cases() -> Vec<Case> {
    let base = common::root().join("fixtures/cases");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&base)
        .min_depth(3)
        .max_depth(3)
        .sort_by_file_name()
    {
        let entry = entry.unwrap();
        if entry.file_name() != "case.json" {
            continue;
        }
        let dir = entry.path().parent().unwrap().to_path_buf();
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        let name = format!(
            "{}/{}",
            json["flinkVersion"].as_str().unwrap_or("?"),
            json["id"].as_str().unwrap_or("?")
        );
        out.push(Case { dir, name, json });
    }
    out
}

/// What spcompat must say for one recorded run.
struct Expected {
    verdict: &'static str,
    exit: i32,
    skipped: BTreeSet<String>,
    unmapped_named: Option<String>,
    failing_operator: Option<String>,
}

/// Flink logs "Skipping savepoint state for operator X" under `-n` for every unmapped operator,
/// with or without state; only those holding state lose anything. Which operators hold state is
/// Flink's own reading too: `inspect`'s `hasState` is checked against it by
/// `expected_fixtures.rs`.
fn stateful_operators(savepoint: &Path) -> BTreeSet<String> {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["inspect", "--format", "json"])
        .arg(savepoint)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["hasState"] == true)
        .filter_map(|o| o["operatorId"].as_str().map(str::to_string))
        .collect()
}

fn expected(run: &Value, stateful: &BTreeSet<String>) -> Expected {
    let n = run["allowNonRestoredState"].as_bool().unwrap();
    let skipped: BTreeSet<String> = run["skippedOperators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .filter(|id| stateful.contains(id))
        .collect();
    let (verdict, exit) = match run["outcome"].as_str().unwrap() {
        "failed" => ("fails", 1),
        _ if n && !skipped.is_empty() => ("restores-with-state-loss", 3),
        _ => ("restores", 0),
    };
    // Flink's unmapped-state error names the operator.
    let unmapped_named = run["message"].as_str().and_then(|m| {
        let rest = m.split("state for operator ").nth(1)?;
        Some(rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect())
    });
    Expected {
        verdict,
        exit,
        skipped,
        unmapped_named,
        failing_operator: run["failingOperator"].as_str().map(str::to_string),
    }
}

fn check(savepoint: &Path, job: &Path, n: bool) -> (Value, i32, String) {
    let mut cmd = Command::cargo_bin("spcompat").unwrap();
    cmd.args(["check", "--format", "json", "--savepoint"])
        .arg(savepoint)
        .arg("--job")
        .arg(job);
    if n {
        cmd.arg("-n");
    }
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (report, code, stderr)
}

fn ids_with_status(report: &Value, status: &str) -> BTreeSet<String> {
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["status"] == status)
        .flat_map(|o| {
            [
                o["operatorId"].as_str().map(str::to_string),
                o["newOperator"]["operatorId"].as_str().map(str::to_string),
            ]
        })
        .flatten()
        .collect()
}

/// Compares one prediction with Flink's recorded run; returns the disagreements.
fn compare(report: &Value, code: i32, stderr: &str, want: &Expected) -> Vec<String> {
    let mut errors = Vec::new();
    if code == 2 || report.is_null() {
        return vec![format!("spcompat could not read the input: {stderr}")];
    }
    if report["verdict"] != want.verdict {
        errors.push(format!(
            "verdict {} but Flink: {}",
            report["verdict"], want.verdict
        ));
    }
    if code != want.exit {
        errors.push(format!("exit {code} but expected {}", want.exit));
    }
    let unmapped = ids_with_status(report, "unmapped");
    if want.verdict == "restores-with-state-loss" && unmapped != want.skipped {
        errors.push(format!(
            "unmapped {unmapped:?} but Flink skipped {:?}",
            want.skipped
        ));
    }
    if want.verdict == "restores" && !unmapped.is_empty() {
        errors.push(format!(
            "unmapped {unmapped:?} but Flink restored everything"
        ));
    }
    if let Some(id) = &want.unmapped_named
        && !unmapped.contains(id)
    {
        errors.push(format!(
            "Flink could not map {id}; spcompat's unmapped: {unmapped:?}"
        ));
    }
    if let Some(id) = &want.failing_operator
        && !ids_with_status(report, "incompatible").contains(id)
    {
        errors.push(format!(
            "Flink failed restoring operator {id}; spcompat's incompatible: {:?}",
            ids_with_status(report, "incompatible")
        ));
    }
    errors
}

#[test]
fn spcompat_agrees_with_flink_on_every_recorded_case() {
    let cases = cases();
    assert!(!cases.is_empty(), "no cases under fixtures/cases");
    let mut disagreements: Vec<(String, String, String)> = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let savepoint = case.dir.join(case.json["base"].as_str().unwrap());
        let mut inputs: Vec<(&str, PathBuf)> = Vec::new();
        for (label, key) in [
            ("job-graph", "newJob"),
            ("job-graph without IDs", "newJobNoIds"),
            ("canary savepoint", "canary"),
            ("compiled plan", "newPlan"),
        ] {
            if let Some(rel) = case.json[key].as_str() {
                let path = case.dir.join(rel);
                if path.exists() {
                    inputs.push((label, path));
                }
            }
        }
        let stateful = stateful_operators(&savepoint);
        for run in case.json["runs"].as_array().unwrap() {
            let n = run["allowNonRestoredState"].as_bool().unwrap();
            let want = expected(run, &stateful);
            for (label, input) in &inputs {
                let (report, code, stderr) = check(&savepoint, input, n);
                checked += 1;
                for e in compare(&report, code, &stderr, &want) {
                    disagreements.push((
                        case.name.clone(),
                        label.to_string(),
                        format!("[{label}{}] {e}", if n { ", -n" } else { "" }),
                    ));
                }
            }
        }
    }
    let unexpected: Vec<String> = disagreements
        .iter()
        .filter(|(case, label, _)| !gap_covers(case, label))
        .map(|(case, _, e)| format!("{case}: {e}"))
        .collect();
    let mut fixed = Vec::new();
    for case in &cases {
        for (id, labels, _) in KNOWN_GAPS {
            if case.name.rsplit('/').next() != Some(*id) {
                continue;
            }
            for l in *labels {
                if !disagreements
                    .iter()
                    .any(|(c, label, _)| *c == case.name && label.starts_with(l))
                {
                    fixed.push(format!("{} [{l}]", case.name));
                }
            }
        }
    }
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "{checked} predictions checked over {} cases.\nDisagreements with Flink:\n{}\nKnown gaps that now agree (remove them from KNOWN_GAPS): {fixed:?}",
        cases.len(),
        unexpected.join("\n")
    );
}
