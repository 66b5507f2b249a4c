//! Checks the rule catalog against itself and its doc pages: every rule defined is registered
//! in `rules::ALL` once, every page under `docs/rules/` belongs to a rule and every rule has
//! one, and each page's header says what the definition says (category, severity, Flink
//! versions). A release named in `confirmed_on` must have recorded cases under
//! `fixtures/cases/`.

use std::collections::BTreeSet;
use std::path::Path;

use super::rules::{self, Rule};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The header paragraph of a doc page (between the title and the first section), on one line.
fn header(rule: &Rule) -> String {
    let body = rule
        .doc
        .strip_prefix(&format!("# {}\n", rule.id))
        .unwrap_or("");
    let head = body.split("\n## ").next().unwrap_or("");
    head.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text after `**label:**` up to the next ` · ` (or the end of the header).
fn field<'a>(header: &'a str, label: &str) -> Option<&'a str> {
    let start = header.find(&format!("**{label}:**"))? + label.len() + 5;
    let rest = header[start..].trim_start();
    Some(rest.split(" · ").next().unwrap_or(rest).trim())
}

#[test]
fn every_defined_rule_is_registered_once() {
    let source = std::fs::read_to_string(root().join("src/analysis/rules.rs")).unwrap();
    let defined = source.matches(": Rule = rule!(").count();
    assert_eq!(
        defined,
        rules::ALL.len(),
        "a rule is defined but not in rules::ALL"
    );
    let ids: BTreeSet<&str> = rules::ALL.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), rules::ALL.len(), "duplicate rule ids");
    for id in ids {
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}: ids are kebab-case"
        );
    }
}

#[test]
fn every_doc_page_has_a_rule_and_every_rule_a_page() {
    let pages: BTreeSet<String> = std::fs::read_dir(root().join("docs/rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let ids: BTreeSet<String> = rules::ALL.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(pages, ids, "docs/rules/*.md versus rules::ALL");
}

#[test]
fn doc_headers_agree_with_the_definitions() {
    let mut disagreements = Vec::new();
    for rule in rules::ALL {
        assert!(
            rule.doc.starts_with(&format!("# {}\n", rule.id)),
            "{}: title",
            rule.id
        );
        // Info rules may explain instead of fixing; anything that warns says what to do.
        if rule.severity != rules::Severity::Info {
            assert!(rule.doc.contains("\n## Fix"), "{}: a Fix section", rule.id);
        }
        let head = header(rule);
        let category = field(&head, "Category").unwrap_or("");
        if category.split_whitespace().next() != Some(rule.category.as_str()) {
            disagreements.push(format!("{}: category {category:?}", rule.id));
        }
        let severity = field(&head, "Severity").unwrap_or("");
        if severity.split_whitespace().next() != Some(rule.severity.as_str()) {
            disagreements.push(format!("{}: severity {severity:?}", rule.id));
        }
        let flink = field(&head, "Flink").unwrap_or("");
        if flink != rule.flink_header() {
            disagreements.push(format!(
                "{}: Flink {flink:?}, definition {:?}",
                rule.id,
                rule.flink_header()
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn confirmed_releases_have_recorded_cases() {
    for rule in rules::ALL {
        for seen in rule.confirmed_on {
            for release in seen.split(" → ") {
                let cases = root().join("fixtures/cases").join(release);
                assert!(
                    cases.is_dir(),
                    "{}: confirmed on {release}, but {} does not exist",
                    rule.id,
                    cases.display()
                );
            }
        }
    }
}
