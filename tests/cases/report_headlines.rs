//! What the reports say about state spcompat could not judge: the headline and the PR comment
//! of a check on recorded cases, and the serializer a legacy snapshot names.

use crate::asserting;
use crate::common::cases::check_rendered;
use crate::common::root;

use assert_cmd::Command;
use libtest_mimic::Trial;
use serde_json::Value;

/// The tests of this file, under the names they had in rule_fixtures.rs.
pub fn trials() -> Vec<Trial> {
    vec![
        asserting(
            "rule_fixtures::legacy_snapshot_names_its_serializer",
            legacy_snapshot_names_its_serializer,
        ),
        asserting(
            "rule_fixtures::headline_says_what_could_not_be_checked",
            headline_says_what_could_not_be_checked,
        ),
        asserting(
            "rule_fixtures::markdown_comment_says_what_could_not_be_checked",
            markdown_comment_says_what_could_not_be_checked,
        ),
    ]
}

fn spcompat() -> Command {
    Command::cargo_bin("spcompat").unwrap()
}

/// A pre-1.7 config snapshot carries the Java-serialized serializer: spcompat names it (the
/// class a team has to port), read from the real 1.15.4 savepoint.
fn legacy_snapshot_names_its_serializer() {
    let out = spcompat()
        .args(["inspect", "--format", "json"])
        .arg(root().join("fixtures/cases/1.15.4/bases/ds-legacy"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let balance = report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["states"].as_array().into_iter().flatten())
        .find(|s| s["name"] == "balance")
        .expect("state balance");
    let snapshot = &balance["serializers"][0]["snapshot"];
    assert_eq!(snapshot["kind"], "legacyConfigSnapshot", "{snapshot}");
    assert_eq!(
        snapshot["class"],
        "com.example.cases.model.MoneyConfigSnapshot"
    );
    assert_eq!(
        snapshot["serializerClass"],
        "com.example.cases.model.MoneySerializer"
    );
}

/// The first line `check` prints in `format` for a 2.3.0 case restored from one of its bases.
fn first_report_line(format: &str, base: &str, case: &str) -> String {
    let dir = root().join("fixtures/cases/2.3.0");
    let (out, _) = check_rendered(
        &dir.join("bases").join(base),
        &dir.join(case).join("new-job.json"),
        format,
    );
    // The Markdown comment's hidden marker (for updating it on re-runs) is not shown.
    out.lines()
        .find(|l| !l.starts_with("<!-- spcompat-report"))
        .unwrap_or_default()
        .to_string()
}

/// The text headline does not promise a full restore when some state only its serializer's
/// code can judge (a user-written snapshot; Kryo; 1.x Kryo data on 2.x), and does when
/// everything was checked.
fn headline_says_what_could_not_be_checked() {
    for (base, case) in [
        ("ds-custom", "custom-serializer-unchanged"),
        ("ds-schema", "kryo-class-changed"),
    ] {
        let h = first_report_line("text", base, case);
        assert!(
            h.starts_with("RESTORES, as far as spcompat can tell") && h.contains("1 operator(s)"),
            "{case}: {h}"
        );
    }
    // 1.x Kryo data read by 2.x's Kryo 5: Flink failed on this one (a class holding a List and
    // a Map), which no input shows; the headline must not promise the restore.
    let cases = root().join("fixtures/cases");
    let (out, _) = check_rendered(
        &cases.join("1.20.3/bases/upgrade-kryo-collections"),
        &cases.join("2.3.0/upgrade-kryo-collections-from-1.20/new-job.json"),
        "text",
    );
    let h = out.lines().next().unwrap_or_default();
    assert!(
        h.starts_with("RESTORES, as far as spcompat can tell") && h.contains("1 operator(s)"),
        "kryo across 1.x -> 2.x: {h}"
    );
    let h = first_report_line("text", "ds-uids", "identical");
    assert!(
        h.starts_with("RESTORES: Flink will start the new job and restore all state"),
        "{h}"
    );
}

/// The PR comment says the same as the text headline.
fn markdown_comment_says_what_could_not_be_checked() {
    assert_eq!(
        first_report_line("markdown", "ds-custom", "custom-serializer-unchanged"),
        "## ⚠️ spcompat: the new job restores, as far as spcompat can tell"
    );
    assert_eq!(
        first_report_line("markdown", "ds-uids", "identical"),
        "## ✅ spcompat: the new job restores"
    );
}
