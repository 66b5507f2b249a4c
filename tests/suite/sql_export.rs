//! `spcompat export-sql`: the job graph of an SQL script as Flink builds it. The end-to-end
//! run needs java, javac and the cached Flink jars (`fixtures/.cache/flink-VERSION/`), so it is
//! ignored by a plain `cargo test`; `.ci/run` fetches the jars and runs it with `--ignored`,
//! and then a missing prerequisite fails the test instead of skipping it.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

use crate::common;

fn have_jvm_and_jars(version: &str) -> bool {
    let on_path = |tool: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
    };
    on_path("java")
        && on_path("javac")
        && common::root()
            .join(format!("fixtures/.cache/flink-{version}/classpath.txt"))
            .is_file()
}

fn ids(path: &Path) -> BTreeSet<String> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["operatorId"].as_str().map(str::to_string))
        .collect()
}

#[test]
#[ignore = "needs java, javac and the Flink 2.3.0 jars; .ci/run fetches them and runs it"]
fn exports_the_ids_flink_gave_the_savepoint() {
    let version = "2.3.0";
    if !have_jvm_and_jars(version) {
        panic!(
            "needs java, javac and the Flink {version} jars: run fixtures/generator/fetch-flink.sh {version}"
        );
    }
    let base = common::root().join(format!("fixtures/cases/{version}/bases/sql-groupby-plan"));
    let out_dir = tempfile::tempdir().unwrap();
    let job = out_dir.path().join("job.json");
    let plan = out_dir.path().join("plan.json");
    let script = out_dir.path().join("job.sql");
    // The script compiles its plan to a relative file: run it from a copy.
    std::fs::copy(base.join("job.sql"), &script).unwrap();
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .arg("export-sql")
        .arg(&script)
        .args(["--flink", version, "--parallelism", "2", "-o"])
        .arg(&job)
        .arg("--plan")
        .arg(&plan)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every operator of the savepoint Flink wrote for this job, with the same IDs.
    let exported = ids(&job);
    let inspect = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["inspect", "--format", "json"])
        .arg(&base)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    for op in report["operators"].as_array().unwrap() {
        let id = op["operatorId"].as_str().unwrap();
        assert!(exported.contains(id), "{id} missing from {exported:?}");
    }
    // The written graph is a usable NEW: restores from the base savepoint.
    let check = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["check", "--savepoint"])
        .arg(&base)
        .arg("--job")
        .arg(&job)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0));
    let graph: Value = serde_json::from_str(&std::fs::read_to_string(&job).unwrap()).unwrap();
    let agg = graph["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["uid"] == "4_group-aggregate")
        .unwrap();
    assert_eq!(agg["state"][0]["type"], "ROW<`f0` BIGINT, `f1` BIGINT>");
    assert_eq!(agg["sql"]["aggregates"][1], "SUM(v)");
    assert!(plan.is_file());
}

/// Query hints are statements' own text: a `STATE_TTL` hint on a regular join reaches Flink,
/// the plan records it per input, and the exported join's state carries it.
#[test]
#[ignore = "needs java, javac and the Flink 2.3.0 jars; .ci/run fetches them and runs it"]
fn a_state_ttl_hint_reaches_the_plan_and_the_join_state() {
    let version = "2.3.0";
    if !have_jvm_and_jars(version) {
        panic!(
            "needs java, javac and the Flink {version} jars: run fixtures/generator/fetch-flink.sh {version}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("job.sql");
    std::fs::write(
        &script,
        "CREATE TABLE a (k INT, x BIGINT) WITH ('connector' = 'datagen');\n\
         CREATE TABLE b (k INT, y BIGINT) WITH ('connector' = 'datagen');\n\
         CREATE TABLE snk (k INT, x BIGINT, y BIGINT) WITH ('connector' = 'blackhole');\n\
         -- a comment; with a semicolon\n\
         INSERT INTO snk SELECT /*+ STATE_TTL('a' = '1h') */ a.k, a.x, b.y /* plain; comment */ FROM a JOIN b ON a.k = b.k;\n",
    )
    .unwrap();
    let job = dir.path().join("job.json");
    let plan = dir.path().join("plan.json");
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .arg("export-sql")
        .arg(&script)
        .args(["--flink", version, "-o"])
        .arg(&job)
        .arg("--plan")
        .arg(&plan)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let graph: Value = serde_json::from_str(&std::fs::read_to_string(&job).unwrap()).unwrap();
    let join = graph["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["sql"]["transformation"] == "join")
        .expect("a join operator");
    let ttl_of = |name: &str| {
        join["state"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["ttl"].clone())
            .unwrap_or_else(|| panic!("no state {name} in {join:#}"))
    };
    assert_eq!(ttl_of("left-records"), "1 h", "{join:#}");
    assert_eq!(ttl_of("right-records"), Value::Null, "{join:#}");
}

#[test]
fn a_missing_jdk_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("job.sql");
    std::fs::write(&script, "INSERT INTO snk SELECT * FROM src;").unwrap();
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .env("PATH", dir.path())
        .arg("export-sql")
        .arg(&script)
        .args(["--flink", "2.3.0", "-o"])
        .arg(dir.path().join("job.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs `java`"), "{err}");
}

/// `tools/export-sql/export-fixtures.sh` exported the job of every SQL savepoint fixture
/// (1.15.4 to 2.3.0, plain SQL and compiled plans) into `tests/data/sql-export/`: each export
/// has every operator ID of the savepoint Flink wrote for that job, and restores from it.
#[test]
fn exports_of_every_pinned_version_match_their_savepoints() {
    let data = common::root().join("tests/data/sql-export");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let savepoint = common::root().join("fixtures/savepoints").join(&name);
        // Every export is of a committed fixture: a missing one is a failure, not a skip.
        assert!(
            savepoint.join("_metadata").exists(),
            "{name}: no savepoint fixtures/savepoints/{name} for this export"
        );
        seen.push(name.clone());
        let exported = ids(&dir.join("job.json"));
        let inspect = Command::cargo_bin("spcompat")
            .unwrap()
            .args(["inspect", "--format", "json"])
            .arg(&savepoint)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&inspect.stdout).unwrap();
        for op in report["operators"].as_array().unwrap() {
            let id = op["operatorId"].as_str().unwrap();
            assert!(
                exported.contains(id),
                "{name}: {id} not exported: {exported:?}"
            );
        }
        let mut inputs = vec![dir.join("job.json")];
        if name.contains("-plan-") {
            inputs.push(dir.join("plan.json"));
        }
        for job in inputs {
            let check = Command::cargo_bin("spcompat")
                .unwrap()
                .args(["check", "--savepoint"])
                .arg(&savepoint)
                .arg("--job")
                .arg(&job)
                .output()
                .unwrap();
            assert_eq!(
                check.status.code(),
                Some(0),
                "{name} with {}: {}",
                job.display(),
                String::from_utf8_lossy(&check.stdout)
            );
        }
    }
    for v in ["1.15.4", "1.18.1", "1.20.3", "2.0.0", "2.3.0"] {
        assert!(
            seen.iter().any(|n| n.contains(v)),
            "no export for Flink {v}: {seen:?}"
        );
    }
}
