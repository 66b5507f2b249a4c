//! The real-Flink restore cases under `fixtures/cases` and how a prediction is compared with
//! what Flink recorded; shared by the case tests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

#[derive(Clone)]
pub struct Case {
    pub dir: PathBuf,
    /// `<flink version>/<case id>`.
    pub name: String,
    pub json: Value,
}

impl Case {
    /// A path the case file names (relative to the case), if it exists.
    pub fn path(&self, key: &str) -> Option<PathBuf> {
        self.json[key]
            .as_str()
            .map(|rel| self.dir.join(rel))
            .filter(|p| p.exists())
    }

    pub fn base(&self) -> PathBuf {
        self.path("base").expect("base savepoint")
    }

    pub fn id(&self) -> &str {
        self.json["id"].as_str().unwrap_or("?")
    }

    pub fn version(&self) -> &str {
        self.json["flinkVersion"].as_str().unwrap_or("?")
    }
}

/// Every `fixtures/cases/<version>/<case>/case.json`.
pub fn all_cases() -> Vec<Case> {
    let base = super::root().join("fixtures/cases");
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
pub struct Expected {
    pub verdict: &'static str,
    pub exit: i32,
    pub skipped: BTreeSet<String>,
    pub unmapped_named: Option<String>,
    pub failing_operator: Option<String>,
}

/// Flink logs "Skipping savepoint state for operator X" under `-n` for every unmapped operator,
/// with or without state; only those holding state lose anything. Which operators hold state is
/// Flink's own reading too: `inspect`'s `hasState` is checked against it by
/// `expected_fixtures.rs`.
pub fn stateful_operators(savepoint: &Path) -> BTreeSet<String> {
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

pub fn expected(run: &Value, stateful: &BTreeSet<String>) -> Expected {
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

pub fn check(savepoint: &Path, job: &Path, n: bool) -> (Value, i32, String) {
    check_with(savepoint, &["--job".as_ref(), job.as_os_str()], n)
}

/// `spcompat check --job JOB --old-job OLD_JOB`: the new job with the old version's graph (for
/// SQL jobs, the change in SQL terms, e.g. the old MATCH_RECOGNIZE pattern).
pub fn check_with_old_job(
    savepoint: &Path,
    job: &Path,
    old_job: &Path,
    n: bool,
) -> (Value, i32, String) {
    check_with(
        savepoint,
        &[
            "--job".as_ref(),
            job.as_os_str(),
            "--old-job".as_ref(),
            old_job.as_os_str(),
        ],
        n,
    )
}

/// `spcompat check --color never --format FORMAT --savepoint SAVEPOINT --job JOB` as a user
/// sees it: its standard output and exit code (a GitHub step summary is not written).
pub fn check_rendered(savepoint: &Path, job: &Path, format: &str) -> (String, i32) {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args([
            "check",
            "--color",
            "never",
            "--format",
            format,
            "--savepoint",
        ])
        .arg(savepoint)
        .arg("--job")
        .arg(job)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `spcompat check --to-flink VERSION` (no new job: the savepoint's own operators on `version`).
/// Each reason of a check report whose code is `rule`, with the operator it is on.
pub fn reasons_with_code<'a>(report: &'a Value, rule: &str) -> Vec<(&'a Value, &'a Value)> {
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| {
            o["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["code"] == rule)
                .map(move |r| (o, r))
        })
        .collect()
}

pub fn check_to_flink(savepoint: &Path, version: &str, n: bool) -> (Value, i32, String) {
    check_with(savepoint, &["--to-flink".as_ref(), version.as_ref()], n)
}

/// `spcompat check --job JOB --to-flink VERSION`: a job (e.g. an old compiled plan) on a
/// later Flink release.
pub fn check_job_on_flink(
    savepoint: &Path,
    job: &Path,
    version: &str,
    n: bool,
) -> (Value, i32, String) {
    check_with(
        savepoint,
        &[
            "--job".as_ref(),
            job.as_os_str(),
            "--to-flink".as_ref(),
            version.as_ref(),
        ],
        n,
    )
}

/// `spcompat check --format json --savepoint SAVEPOINT NEW... [-n]`: the report, exit code and
/// stderr.
pub fn check_with(savepoint: &Path, new: &[&std::ffi::OsStr], n: bool) -> (Value, i32, String) {
    let mut cmd = Command::cargo_bin("spcompat").unwrap();
    cmd.args(["check", "--format", "json", "--savepoint"])
        .arg(savepoint)
        .args(new);
    if n {
        cmd.arg("-n");
    }
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (report, code, stderr)
}

pub fn ids_with_status(report: &Value, status: &str) -> BTreeSet<String> {
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
pub fn compare(report: &Value, code: i32, stderr: &str, want: &Expected) -> Vec<String> {
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

/// A copy of the job graph `job` in `dir` with every operator's `state` list removed: what a
/// StreamGraph-only export or a hand-written job graph says about the job.
pub fn without_state(job: &Path, dir: &Path) -> PathBuf {
    let mut graph: Value = serde_json::from_str(&std::fs::read_to_string(job).unwrap()).unwrap();
    let operators = graph["operators"].as_array_mut().unwrap();
    for op in operators {
        op.as_object_mut().unwrap().remove("state");
    }
    let out = dir.join(job.file_name().unwrap());
    std::fs::write(&out, serde_json::to_string_pretty(&graph).unwrap()).unwrap();
    out
}
