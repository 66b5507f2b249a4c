//! The CI formats of `check`: SARIF validates against the SARIF 2.1.0 schema, JUnit parses as
//! JUnit XML, GitHub annotations follow the workflow-command syntax. Run on real savepoints.

use crate::common;

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

/// `spcompat check --savepoint SP --job JOB --format FORMAT`, the command every test here
/// runs (some add environment or flags).
fn check_command(sp: &str, job: &str, format: &str) -> Command {
    let mut cmd = Command::cargo_bin("spcompat").unwrap();
    cmd.args(["check", "--savepoint", sp, "--job", job, "--format", format]);
    cmd
}

/// Runs [`check_command`]: stdout and the exit code.
fn check(sp: &str, job: &str, format: &str) -> (String, i32) {
    let out = check_command(sp, job, format).output().unwrap();
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
        let (out, _) = check(&sp, &job, "sarif");
        let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
        assert_eq!(doc["version"], "2.1.0");
        // The validator does reject what the schema forbids.
        let mut broken = doc.clone();
        broken["runs"][0]["results"] = "not a list".into();
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn junit_is_well_formed_xml_with_one_case_per_operator() {
    for (sp, job) in cases() {
        let (out, code) = check(&sp, &job, "junit");
        let (json, _) = check(&sp, &job, "json");
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
    let out = check_command(&sp, &job, "github")
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

/// GitHub code scanning's documented upload requirements, beyond the schema: relative URIs that
/// attach to repository files, a region on every result, each rule described once, only rules
/// that appear, and a size far from the upload limit.
#[test]
fn sarif_meets_github_code_scanning_upload_rules() {
    let root = common::root();
    let (sp, job) = cases().remove(0);
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |envs: &[(&str, &std::path::Path)], extra: &[&str]| {
        let mut cmd = check_command(&sp, &job, "sarif");
        cmd.current_dir(elsewhere.path())
            .env_remove("GITHUB_WORKSPACE")
            .env_remove("CI_PROJECT_DIR");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.args(extra).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    for text in [
        run(&[("GITHUB_WORKSPACE", &root)], &[]),
        run(&[("CI_PROJECT_DIR", &root)], &[]),
        run(&[], &["--root", root.to_str().unwrap()]),
    ] {
        assert!(
            text.len() < 32 * 1024,
            "SARIF of one failing check is {} bytes",
            text.len()
        );
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let run = &doc["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "spcompat");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty() && results.len() <= 25_000);
        let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let mut used: Vec<&str> = results
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap())
            .collect();
        used.sort();
        used.dedup();
        let mut described = rule_ids.clone();
        described.sort();
        assert_eq!(
            described, used,
            "each rule that appears described once, no others"
        );
        for rule in rules {
            assert!(
                rule["shortDescription"]["text"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty())
            );
            assert!(rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        }
        assert!(results.iter().any(|r| r["ruleId"] == "unmapped-state"));
        for r in results {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rule_ids[index], r["ruleId"]);
            assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
            assert!(
                r["partialFingerprints"]
                    .as_object()
                    .is_some_and(|f| !f.is_empty())
            );
            let physical = &r["locations"][0]["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains(':'),
                "relative URI: {uri}"
            );
            assert!(
                root.join(uri).is_file(),
                "{uri} is a file of the repository"
            );
            assert!(
                physical["region"]["startLine"]
                    .as_u64()
                    .is_some_and(|l| l >= 1),
                "{r}"
            );
        }
    }
}

/// GitLab code quality: the fields GitLab documents as required (description, check_name,
/// fingerprint, severity, location.path, location.lines.begin), its five severities, paths
/// relative to the project, and fingerprints that are unique and stable between runs.
#[test]
fn gitlab_code_quality_has_the_required_fields() {
    let root = common::root();
    let lint_job = root.join("fixtures/cases/2.3.0/nouid-unchanged/new-job.json");
    let runs: Vec<Vec<String>> = cases()
        .into_iter()
        .map(|(sp, job)| {
            vec![
                "check".into(),
                "--savepoint".into(),
                sp,
                "--job".into(),
                job,
            ]
        })
        .chain([vec![
            "lint".to_string(),
            "--job".into(),
            lint_job.display().to_string(),
        ]])
        .collect();
    let mut issues_seen = 0;
    for args in runs {
        let render = |format: &str| {
            let out = Command::cargo_bin("spcompat")
                .unwrap()
                .args(&args)
                .args(["--format", format])
                .env("CI_PROJECT_DIR", &root)
                .env_remove("GITHUB_WORKSPACE")
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        let text = render("gitlab");
        assert_eq!(
            text,
            render("gitlab"),
            "the same input gives the same report"
        );
        assert_eq!(text, render("codequality"), "alias");
        let issues: Vec<serde_json::Value> = serde_json::from_str(&text).expect("a JSON array");
        let mut fingerprints = std::collections::BTreeSet::new();
        for issue in &issues {
            let field = |path: &str| {
                issue
                    .pointer(path)
                    .unwrap_or_else(|| panic!("{path}: {issue}"))
            };
            assert!(!field("/description").as_str().unwrap().is_empty());
            let rule = field("/check_name").as_str().unwrap();
            assert!(
                spcompat::analysis::rules::find(rule).is_some(),
                "check_name {rule} is a rule id"
            );
            let severity = field("/severity").as_str().unwrap();
            assert!(
                ["info", "minor", "major", "critical", "blocker"].contains(&severity),
                "{severity}"
            );
            let fingerprint = field("/fingerprint").as_str().unwrap();
            assert!(!fingerprint.is_empty());
            assert!(
                fingerprints.insert(fingerprint.to_string()),
                "unique: {text}"
            );
            let path = field("/location/path").as_str().unwrap();
            assert!(
                !path.starts_with('/') && root.join(path).is_file(),
                "{path}"
            );
            assert!(field("/location/lines/begin").as_u64().unwrap() >= 1);
        }
        issues_seen += issues.len();
    }
    assert!(
        issues_seen >= 3,
        "the failing check and the lint have findings"
    );
}

/// The GitLab snippet publishes that report as the job's code quality artifact.
#[test]
fn gitlab_ci_publishes_the_code_quality_report() {
    let text = std::fs::read_to_string(common::root().join("ci/gitlab-ci.yml")).unwrap();
    let ci: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let job = &ci["spcompat"];
    let report = job["artifacts"]["reports"]["codequality"]
        .as_str()
        .expect("artifacts:reports:codequality");
    let script: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert!(
        script
            .iter()
            .any(|s| s.contains("--format gitlab") && s.contains(&format!("> {report}"))),
        "{script:?}"
    );
}

/// Inside GitHub Actions the job summary goes to `$GITHUB_STEP_SUMMARY` (appended), and
/// stdout keeps only the annotations.
#[test]
fn github_job_summary_goes_to_the_step_summary_file() {
    let (sp, job) = cases().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = check_command(&sp, &job, "github")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("::error "), "{stdout}");
    assert!(stdout.lines().all(|l| l.starts_with("::")), "{stdout}");
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("earlier step\n<!-- spcompat-report:"),
        "{written}"
    );
    assert!(written.contains("## "), "{written}");
}
