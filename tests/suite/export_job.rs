//! `spcompat export-job` on jars built from the project's own generator jobs
//! (`fixtures/cases-generator`, `JobMain base NAME | case ID`): the exported operator IDs and
//! states equal those in the real savepoints the generator recorded for the same job, `check`
//! of the base savepoint against the export says `restores`, and recorded edit cases agree
//! with Flink's outcome from the exported jar, with and without -n.
//!
//! Each export starts a JVM and a MiniCluster (15-30 s), and the first run per version compiles
//! the generator (about 2 min), so these tests are ignored by `cargo test`; `.ci/run` runs them
//! with `--ignored`. A missing JDK or Flink jar cache fails them, never skips them.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use common::cases::{all_cases, check, compare, expected, stateful_operators};
use common::root;
use serde_json::Value;

fn cache() -> PathBuf {
    std::env::var_os("SPCOMPAT_FIXTURE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("fixtures/.cache"))
}

/// The generator's job jar for `version` with the state classes of `model`; with `job`
/// (`["base", NAME]` or `["case", ID]`), main() runs that job when given no arguments.
fn jar(version: &str, model: &str, job: &[&str]) -> PathBuf {
    for tool in ["java", "javac", "jar"] {
        let found = Process::new(tool).arg("-version").output().is_ok();
        assert!(found, "`{tool}` is not on PATH: a JDK 17 is needed");
    }
    // Tests run in parallel; fetching, compiling into the shared cache and writing a jar
    // happen one at a time.
    static PREPARE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = PREPARE.lock().unwrap_or_else(|e| e.into_inner());
    let status = Process::new(root().join("fixtures/generator/fetch-flink.sh"))
        .arg(version)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "cannot fetch the Flink {version} jars");
    let classes = cache().join(format!("cases-{version}"));
    if !classes
        .join("main/com/example/cases/JobMain.class")
        .is_file()
    {
        let status = Process::new(root().join("fixtures/cases-generator/compile.sh"))
            .arg(version)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "cannot compile the cases generator for {version}"
        );
    }
    let dir = root().join("target/export-job-jars");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("cases-{version}-{model}{}.jar", job.join("-")));
    let status = Process::new(root().join("fixtures/cases-generator/jar.sh"))
        .args([version, model])
        .arg(&out)
        .args(job)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cannot build the job jar {}",
        out.display()
    );
    drop(guard);
    out
}

/// `spcompat export-job` of one catalog job; the job graph file written.
fn export(version: &str, model: &str, what: &str, name: &str, out: &Path) -> Value {
    let jar = jar(version, model, &[]);
    let result = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["export-job", "--flink", version, "--jar"])
        .arg(&jar)
        .arg("-o")
        .arg(out)
        .args(["--", what, name])
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "export-job {what} {name} on {version} failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// Operator ID -> sorted `name/kind` of its states (timers left out: the job-graph format has
/// no kind for them, they follow the key type).
fn states_of_export(graph: &Value) -> BTreeMap<String, Vec<String>> {
    graph["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let mut states: Vec<String> = o["state"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    format!(
                        "{}/{}",
                        s["name"].as_str().unwrap(),
                        s["kind"].as_str().unwrap()
                    )
                })
                .collect();
            states.sort();
            (o["operatorId"].as_str().unwrap().to_string(), states)
        })
        .collect()
}

fn states_of_savepoint(savepoint: &Path) -> BTreeMap<String, Vec<String>> {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["inspect", "--format", "json"])
        .arg(savepoint)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let mut states: Vec<String> = o["states"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| s["kind"] != "timers")
                .map(|s| {
                    format!(
                        "{}/{}",
                        s["name"].as_str().unwrap(),
                        s["kind"].as_str().unwrap()
                    )
                })
                .collect();
            states.sort();
            (o["operatorId"].as_str().unwrap().to_string(), states)
        })
        .collect()
}

fn bases_match(version: &str, bases: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let mut errors = Vec::new();
    for base in bases {
        let sp = root().join(format!("fixtures/cases/{version}/bases/{base}"));
        let out = dir.path().join(format!("{base}.json"));
        let graph = export(version, "base", "base", base, &out);
        assert_eq!(
            graph["stateCaptured"], true,
            "{version}/{base}: state not captured"
        );
        let exported = states_of_export(&graph);
        let saved = states_of_savepoint(&sp);
        // Every operator of the savepoint is in the export under the same ID, with the same
        // states; and the export has no operator the savepoint lacks.
        if exported != saved {
            errors.push(format!(
                "{version}/{base}: export {exported:#?}\nsavepoint {saved:#?}"
            ));
        }
        let (report, code, stderr) = check(&sp, &out, false);
        if report["verdict"] != "restores" || code != 0 {
            errors.push(format!(
                "{version}/{base}: check of the base against its own export: {} (exit {code}) {stderr}",
                report["verdict"]
            ));
        }
        if report["stateNotCompared"] != Value::Array(vec![]) {
            errors.push(format!(
                "{version}/{base}: not compared: {}",
                report["stateNotCompared"]
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Recorded edit cases: from the exported jar, spcompat predicts what Flink did.
fn cases_agree(version: &str, ids: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let mut errors = Vec::new();
    let mut checked = 0;
    for id in ids {
        let name = format!("{version}/{id}");
        let case = all_cases()
            .into_iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no recorded case {name}"));
        let model = case.json["model"].as_str().unwrap_or("base");
        let out = dir.path().join(format!("{id}.json"));
        export(version, model, "case", id, &out);
        let sp = case.base();
        let stateful = stateful_operators(&sp);
        for run in case.json["runs"].as_array().unwrap() {
            let n = run["allowNonRestoredState"].as_bool().unwrap();
            let want = expected(run, &stateful);
            let (report, code, stderr) = check(&sp, &out, n);
            checked += 1;
            for e in compare(&report, code, &stderr, &want) {
                errors.push(format!("{name} (-n {n}): {e}"));
            }
        }
    }
    assert!(checked >= 2 * ids.len(), "only {checked} runs checked");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
#[ignore = "starts JVMs and MiniClusters (minutes); .ci/run runs it with --ignored"]
fn exports_of_2_3_0_bases_match_their_savepoints() {
    bases_match(
        "2.3.0",
        &[
            "ds-uids",
            "ds-nouids",
            "ds-schema",
            "ds-more",
            "ds-uids-forst-native",
            // State V2 (enableAsyncState) on ForSt.
            "ds-async-forst-native",
        ],
    );
}

#[test]
#[ignore = "starts JVMs and MiniClusters (minutes); .ci/run runs it with --ignored"]
fn exports_of_1_20_3_bases_match_their_savepoints() {
    bases_match("1.20.3", &["ds-uids", "ds-nouids", "ds-schema"]);
}

#[test]
#[ignore = "starts JVMs and MiniClusters (minutes); .ci/run runs it with --ignored"]
fn recorded_2_3_0_cases_agree_from_the_exported_jar() {
    cases_agree(
        "2.3.0",
        &[
            "uid-renamed",
            "nouid-operator-inserted",
            "key-type-changed",
            "state-dropped",
            "value-to-list-state",
            "pojo-field-type-changed",
            "pojo-field-added",
            // The upgrade corpus: 1.20.3 savepoints, the same job exported on 2.3.0.
            "upgrade-pojo-collections-from-1.20",
            "upgrade-kryo-plain-from-1.20",
            // ForSt: the exported job says stateBackend "forst".
            "native-forst-to-hashmap",
            "native-rocksdb-to-forst",
            "async-state-to-sync-forst",
            // State V2 on HashMap: captured from a native savepoint (a canonical one fails).
            "async-state-hashmap",
        ],
    );
}

/// The export says which operator uses async state, from the operator itself, and `check`
/// warns that the new job cannot take canonical savepoints (Flink failed the recorded attempt).
#[test]
#[ignore = "starts JVMs and MiniClusters (minutes); .ci/run runs it with --ignored"]
fn an_export_marks_async_state_and_check_warns_about_canonical_savepoints() {
    let dir = tempfile::tempdir().unwrap();
    let case = root().join("fixtures/cases/2.3.0/async-state-hashmap");
    let recorded: Value =
        serde_json::from_slice(&std::fs::read(case.join("case.json")).unwrap()).unwrap();
    assert_eq!(recorded["canonicalSavepointOfNewJob"]["outcome"], "failed");
    let out = dir.path().join("async.json");
    let doc = export("2.3.0", "base", "case", "async-state-hashmap", &out);
    let async_ops: Vec<&str> = doc["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["asyncState"] == true)
        .filter_map(|o| o["uid"].as_str())
        .collect();
    assert_eq!(async_ops, ["counter"]);
    let sp = root().join("fixtures/cases/2.3.0/bases/ds-uids");
    let (report, code, stderr) = check(&sp, &out, false);
    assert_eq!(
        (report["verdict"].as_str(), code),
        (Some("restores"), 0),
        "{stderr}"
    );
    let warned: Vec<&str> = report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| {
            o["reasons"].as_array().is_some_and(|r| {
                r.iter()
                    .any(|f| f["code"] == "async-state-canonical-savepoint")
            })
        })
        .filter_map(|o| o["uid"].as_str())
        .collect();
    assert_eq!(warned, ["counter"]);
}

#[test]
#[ignore = "starts JVMs and MiniClusters (minutes); .ci/run runs it with --ignored"]
fn recorded_1_20_3_cases_agree_from_the_exported_jar() {
    cases_agree(
        "1.20.3",
        &["uid-renamed", "key-type-changed", "pojo-field-type-changed"],
    );
}

/// Not a jar: a clear error, exit 2, before any JVM starts.
#[test]
fn a_file_that_is_not_a_jar_is_refused() {
    let job = root().join("fixtures/cases/2.3.0/uid-renamed/new-job.json");
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["export-job", "--jar"])
        .arg(&job)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a jar"), "{err}");
}

/// `check --job APP.jar` and `diff OLD.jar NEW.jar` take jars directly (detected by content).
#[test]
#[ignore = "starts JVMs and MiniClusters (minutes); .ci/run runs it with --ignored"]
fn check_and_diff_take_jars() {
    let version = "2.3.0";
    let base = jar(version, "base", &["base", "ds-uids"]);
    let renamed = jar(version, "base", &["case", "uid-renamed"]);
    let sp = root().join("fixtures/cases/2.3.0/bases/ds-uids");
    let (report, code, stderr) = check(&sp, &base, false);
    assert_eq!(
        (report["verdict"].as_str(), code),
        (Some("restores"), 0),
        "check of ds-uids against its own jar: {stderr}"
    );
    assert_eq!(report["stateNotCompared"], Value::Array(vec![]));
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["diff", "--format", "json"])
        .arg(&base)
        .arg(&renamed)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    // Flink refused the savepoint of ds-uids for uid-renamed: counter's state has no place.
    assert_eq!(
        (report["verdict"].as_str(), out.status.code()),
        (Some("fails"), Some(1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let unmapped = common::cases::ids_with_status(&report, "unmapped");
    assert!(
        unmapped.contains("0da08f51eaa85fc298e176a139b3649a"),
        "{unmapped:?}"
    );
}

/// executeAsync and execute, twice in one main(): both are captured, main() goes on, and the
/// first pipeline is the one exported.
#[test]
#[ignore = "starts a JVM and a MiniCluster; .ci/run runs it with --ignored"]
fn every_execute_variant_is_captured() {
    let version = "2.3.0";
    let dir = tempfile::tempdir().unwrap();
    let app = testjob_jar(version, "TwoPipelines", dir.path());
    let out = dir.path().join("job.json");
    let result = Command::cargo_bin("spcompat")
        .unwrap()
        .args([
            "export-job",
            "--flink",
            version,
            "--class",
            "testjobs.TwoPipelines",
            "--jar",
        ])
        .arg(&app)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(stderr.contains("captured pipeline 2 (second)"), "{stderr}");
    let graph: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(graph["pipelines"], 2);
    assert_eq!(graph["job"], "first");
    assert_eq!(graph["stateCaptured"], true);
    let uids: Vec<&str> = graph["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["uid"].as_str())
        .collect();
    assert_eq!(uids, ["first", "first-map"]);
}

/// A jar of one job of `tools/export-job/testjobs/NAME.java`, compiled against `version`.
fn testjob_jar(version: &str, name: &str, dir: &Path) -> PathBuf {
    jar(version, "base", &[]); // checks the JDK and fetches the Flink jars
    let classes = dir.join("classes");
    let cp =
        std::fs::read_to_string(cache().join(format!("flink-{version}/classpath.txt"))).unwrap();
    let status = Process::new("javac")
        .args(["-nowarn", "--release", "11", "-cp", cp.trim(), "-d"])
        .arg(&classes)
        .arg(root().join(format!("tools/export-job/testjobs/{name}.java")))
        .status()
        .unwrap();
    assert!(status.success(), "cannot compile {name}.java");
    let app = dir.join(format!("{name}.jar"));
    let status = Process::new("jar")
        .arg("cf")
        .arg(&app)
        .arg("-C")
        .arg(&classes)
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    app
}

/// State registered on the first record (a count window's trigger state, a ValueState got in
/// processElement) is not in the export's savepoint: the export lists those operators as
/// `stateNotCaptured`, and `check` of a real savepoint with that state (recorded by
/// `testjobs/record-lazy-state.sh`) says the state was not compared, never a bare `restores`.
#[test]
#[ignore = "starts a JVM and a MiniCluster; .ci/run runs it with --ignored"]
fn lazily_registered_state_is_reported_not_compared() {
    let version = "2.3.0";
    let dir = tempfile::tempdir().unwrap();
    let app = testjob_jar(version, "LazyState", dir.path());
    let out = dir.path().join("job.json");
    let result = Command::cargo_bin("spcompat")
        .unwrap()
        .args([
            "export-job",
            "--flink",
            version,
            "--class",
            "testjobs.LazyState",
            "--jar",
        ])
        .arg(&app)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    let graph: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let not_captured: BTreeMap<&str, &str> = graph["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| Some((o["uid"].as_str()?, o["stateNotCaptured"].as_str()?)))
        .collect();
    assert_eq!(
        not_captured.keys().copied().collect::<Vec<_>>(),
        ["count-window", "last-seen"],
        "{not_captured:#?}"
    );
    assert!(
        not_captured["count-window"].contains("`count`"),
        "{not_captured:#?}"
    );
    assert!(
        not_captured["last-seen"].contains("processElement"),
        "{not_captured:#?}"
    );
    let sp = root().join(format!(
        "fixtures/export-job/lazy-state/{version}/savepoint"
    ));
    let saved = states_of_savepoint(&sp);
    assert!(
        saved.values().flatten().any(|s| s == "count/reducing")
            && saved.values().flatten().any(|s| s == "last/value"),
        "the recorded savepoint lacks the lazy states: {saved:#?}"
    );
    for n in [false, true] {
        let (report, code, stderr) = check(&sp, &out, n);
        // Not a bare `restores`: the report says which operators' state was not compared.
        let not_compared: BTreeMap<&str, Vec<&str>> = report["stateNotCompared"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| {
                let states = o["states"].as_array()?.iter().filter_map(Value::as_str);
                Some((o["uid"].as_str()?, states.collect()))
            })
            .collect();
        assert!(
            not_compared
                .get("count-window")
                .is_some_and(|s| s.contains(&"count"))
                && not_compared
                    .get("last-seen")
                    .is_some_and(|s| s.contains(&"last")),
            "-n {n}: {} (exit {code}) {stderr}",
            report["stateNotCompared"]
        );
    }
}
