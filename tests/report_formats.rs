//! The CI formats of `check`: SARIF validates against the SARIF 2.1.0 schema, JUnit parses as
//! JUnit XML, GitHub annotations follow the workflow-command syntax. Run on real savepoints.

mod common;

use std::path::PathBuf;
use std::process::Command as Process;

use assert_cmd::Command;

/// The SARIF 2.1.0 schema as shipped in the `serde-sarif` crate we build SARIF with.
fn sarif_schema() -> serde_json::Value {
    // Only the host's dependencies: those are the ones the build already fetched.
    let rustc = Process::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("host triple");
    let out = Process::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
        ])
        .current_dir(common::root())
        .output()
        .expect("cargo metadata");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata json");
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif in the dependency graph");
    let schema = PathBuf::from(manifest)
        .parent()
        .unwrap()
        .join("src/schema.json");
    // The `language` patterns end in a stray `]` that ECMA regex reads as a literal and Rust's
    // regex rejects; escape it so the rest of the schema compiles as published.
    let text = std::fs::read_to_string(schema)
        .unwrap()
        .replace("{2}]?$", "{2}\\\\]?$");
    serde_json::from_str(&text).unwrap()
}

fn check(args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn cases() -> Vec<(String, String)> {
    let sp = common::root()
        .join("fixtures/savepoints/flink-2.3.0-datastream-hashmap-canonical")
        .display()
        .to_string();
    let job = common::root()
        .join("tests/data/check/datastream-all-uid-renamed.json")
        .display()
        .to_string();
    let same = common::root()
        .join("tests/data/check/datastream-all.json")
        .display()
        .to_string();
    vec![(sp.clone(), job), (sp, same)]
}

#[test]
fn sarif_validates_against_the_schema() {
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for (sp, job) in cases() {
        let (out, _) = check(&[
            "check",
            "--savepoint",
            &sp,
            "--job",
            &job,
            "--format",
            "sarif",
        ]);
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
        assert_eq!(doc["version"], "2.1.0");
        // The validator does reject what the schema forbids.
        let mut broken = doc.clone();
        broken["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] =
            "fatal".into();
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn junit_is_well_formed_xml_with_one_case_per_operator() {
    for (sp, job) in cases() {
        let (out, code) = check(&[
            "check",
            "--savepoint",
            &sp,
            "--job",
            &job,
            "--format",
            "junit",
        ]);
        let (json, _) = check(&[
            "check",
            "--savepoint",
            &sp,
            "--job",
            &job,
            "--format",
            "json",
        ]);
        let report: serde_json::Value = serde_json::from_str(&json).unwrap();
        let operators = report["operators"].as_array().unwrap().len();
        let doc = roxmltree::Document::parse(&out).expect("JUnit XML parses");
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), operators);
        let failures = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(failures > 0, code == 1, "failures iff the verdict fails");
    }
}

#[test]
fn github_annotations_follow_workflow_command_syntax() {
    let (sp, job) = cases().remove(0);
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args([
            "check",
            "--savepoint",
            &sp,
            "--job",
            &job,
            "--format",
            "github",
        ])
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty());
    for line in annotations {
        // ::error file=F,line=N,title=T::message  (message and properties escaped)
        let rest = line.strip_prefix("::").unwrap();
        let (head, message) = rest.split_once("::").expect("command::message");
        let (command, props) = head.split_once(' ').unwrap_or((head, ""));
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
        for prop in props.split(',').filter(|p| !p.is_empty()) {
            let (k, _) = prop.split_once('=').expect("key=value");
            assert!(
                ["file", "line", "title", "col", "endLine", "endColumn"].contains(&k),
                "{line}"
            );
        }
        assert!(!message.contains('\n') && !message.is_empty());
    }
    assert!(text.contains("## "), "job summary follows the annotations");
}
