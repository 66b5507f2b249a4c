//! Honest verdicts on thin input: when the new job says nothing about a mapped operator's
//! state (a hand-written or StreamGraph-only job graph, or an operator an exporter could not
//! set up), the report says the schemas were not compared, in every format, and never prints
//! a bare `restores`.

use crate::common;

use std::path::{Path, PathBuf};

use common::cases::{Case, all_cases, check_rendered as check, without_state};
use serde_json::Value;

fn case(name: &str) -> Case {
    all_cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no recorded case {name}"))
}

/// The operator Flink's failed run (without -n) names.
fn failing_operator(case: &Case) -> String {
    case.json["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["allowNonRestoredState"] == false && r["outcome"] == "failed")
        .and_then(|r| r["failingOperator"].as_str())
        .expect("Flink failed on this case")
        .to_string()
}

/// A recorded case where Flink failed on a changed state type, given as its exported job graph
/// with the state lists stripped: spcompat cannot see the change, and must say so everywhere.
#[test]
fn stripped_job_graph_of_a_failed_type_change_is_not_an_unqualified_restore() {
    for name in [
        "2.3.0/pojo-field-type-changed",
        "1.20.3/pojo-field-type-changed",
    ] {
        let case = case(name);
        let failing = failing_operator(&case);
        let dir = tempfile::tempdir().unwrap();
        let job = without_state(&case.path("newJob").unwrap(), dir.path());
        let sp = case.base();

        // With its state, the job graph shows Flink's failure and every state is compared.
        let (full, code) = check(&sp, &case.path("newJob").unwrap(), "json");
        let full: Value = serde_json::from_str(&full).unwrap();
        assert_eq!(
            (full["verdict"].as_str(), code),
            (Some("fails"), 1),
            "{name}"
        );
        assert_eq!(full["stateNotCompared"], Value::Array(vec![]), "{name}");

        let (text, _) = check(&sp, &job, "text");
        let headline = text.lines().next().unwrap_or_default();
        assert!(
            headline.starts_with("RESTORES only as far as the new job says")
                && headline.contains("NOT compared"),
            "{name}: {headline}"
        );

        let (json, code) = check(&sp, &job, "json");
        let report: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(report["verdict"], "restores", "{name}");
        assert_eq!(code, 0, "{name}: the contract's exit code for restores");
        let not_compared: Vec<&str> = report["stateNotCompared"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["operatorId"].as_str())
            .collect();
        assert!(
            not_compared.contains(&failing.as_str()),
            "{name}: {failing} not in {not_compared:?}"
        );

        let (junit, _) = check(&sp, &job, "junit");
        let xml = roxmltree::Document::parse(&junit).unwrap();
        let pojo = xml
            .descendants()
            .find(|n| {
                n.has_tag_name("testcase") && n.attribute("name") == Some("uid pojo [restored]")
            })
            .expect("a test case for the pojo operator");
        let skipped = pojo.children().find(|n| n.has_tag_name("skipped"));
        assert_eq!(
            skipped.and_then(|s| s.attribute("type")),
            Some("state-not-compared"),
            "{name}: the pojo test case is skipped, not passed"
        );

        let (sarif, _) = check(&sp, &job, "sarif");
        let sarif: Value = serde_json::from_str(&sarif).unwrap();
        let hit = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| {
                r["ruleId"] == "state-not-compared"
                    && r["partialFingerprints"]["spcompat/v1"]
                        .as_str()
                        .is_some_and(|f| f.ends_with(&failing))
            });
        assert!(hit, "{name}: no SARIF result for {failing}");

        let (github, _) = check(&sp, &job, "github");
        assert!(
            github.lines().any(|l| l.starts_with("::warning ")
                && l.contains("state-not-compared (uid pojo)")),
            "{name}: no GitHub warning for uid pojo"
        );

        let (markdown, _) = check(&sp, &job, "markdown");
        // The first line is the hidden marker that lets a re-run update its PR comment.
        assert_eq!(
            markdown.lines().find(|l| l.starts_with("## ")),
            Some(
                "## ⚠️ spcompat: the new job restores only as far as the new job says (state not compared)"
            ),
            "{name}"
        );
    }
}

/// Every recorded DataStream case, from its job graph stripped of state: whenever spcompat
/// says `restores`, it lists the operators whose state it could not compare (every base has
/// stateful operators that map).
#[test]
fn no_stripped_case_yields_a_bare_restore() {
    let mut checked = 0;
    let mut errors = Vec::new();
    for case in all_cases() {
        let (Some(job), Some(_)) = (case.path("newJob"), case.path("base")) else {
            continue;
        };
        if case.path("newPlan").is_some() || case.json["category"] == "sql" {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let stripped = without_state(&job, dir.path());
        let (json, _) = check(&case.base(), &stripped, "json");
        let Ok(report) = serde_json::from_str::<Value>(&json) else {
            errors.push(format!("{}: no JSON report", case.name));
            continue;
        };
        checked += 1;
        let listed = report["stateNotCompared"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        if report["verdict"] == "restores" && !listed {
            errors.push(format!("{}: bare restores", case.name));
        }
    }
    assert!(checked >= 50, "only {checked} DataStream cases found");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The exporter's markers: `stateCaptured: true` says an operator without `state` holds
/// none (a saved state missing from it is dropped, as Flink drops it), while
/// `stateNotCaptured` on an operator says its list may be incomplete (not compared).
#[test]
fn exporter_markers_decide_dropped_versus_not_compared() {
    let case = case("2.3.0/pojo-field-type-changed");
    let mut graph: Value =
        serde_json::from_str(&std::fs::read_to_string(case.path("newJob").unwrap()).unwrap())
            .unwrap();
    let pojo = graph["operators"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["uid"] == "pojo")
        .unwrap();
    pojo.as_object_mut().unwrap().remove("state");
    let dir = tempfile::tempdir().unwrap();
    let write = |g: &Value, name: &str| -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, serde_json::to_string(g).unwrap()).unwrap();
        p
    };
    let codes_for_pojo = |job: &Path| -> Vec<String> {
        let (json, _) = check(&case.base(), job, "json");
        let report: Value = serde_json::from_str(&json).unwrap();
        report["operators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["uid"] == "pojo")
            .unwrap()["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect()
    };

    graph["stateCaptured"] = Value::Bool(true);
    let captured = codes_for_pojo(&write(&graph, "captured.json"));
    assert!(
        captured.contains(&"state-dropped".to_string()),
        "{captured:?}"
    );
    assert!(
        !captured.contains(&"state-not-compared".to_string()),
        "{captured:?}"
    );

    let pojo = graph["operators"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["uid"] == "pojo")
        .unwrap();
    pojo["stateNotCaptured"] = Value::String("open() failed: no connection".into());
    let marked = codes_for_pojo(&write(&graph, "marked.json"));
    assert!(
        marked.contains(&"state-not-compared".to_string()),
        "{marked:?}"
    );
    assert!(!marked.contains(&"state-dropped".to_string()), "{marked:?}");
}
