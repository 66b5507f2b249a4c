//! Checks the rule catalog against itself and its doc pages: every rule defined is registered
//! in `rules::ALL` once, every page under `docs/rules/` belongs to a rule and every rule has
//! one, and each page's header says what the definition says (category, severity, Flink
//! versions). A release named in `confirmed_on` must have recorded cases under
//! `fixtures/cases/`. Fix and Flink-error templates are well formed, and every rule that can
//! fail a restore says what to do.

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
    // The catalog and every file of its submodules (rules/flink2.rs, rules/sql.rs, ...).
    let mut files = vec![root().join("src/analysis/rules.rs")];
    for entry in std::fs::read_dir(root().join("src/analysis/rules")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let defined: usize = files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .matches(": Rule = rule!(")
                .count()
        })
        .sum();
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

/// Every template of the catalog, with the rule it belongs to (schema rules share
/// [`rules::SERIALIZER_ERRORS`], checked once).
fn templates() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    for rule in rules::ALL {
        for t in rule.fixes.iter().chain(rule.flink_errors) {
            out.push((rule.id, t.case, t.text));
        }
    }
    for t in rules::SERIALIZER_ERRORS {
        out.push(("(schema rules)", t.case, t.text));
    }
    out
}

#[test]
fn templates_are_well_formed() {
    for (id, case, text) in templates() {
        assert!(!text.trim().is_empty(), "{id} {case:?}: empty template");
        // Rendered with its own placeholder names, nothing of the `{name}` syntax is left:
        // the braces pair up and every name is a plain identifier.
        let names = rules::placeholders(text);
        let args: Vec<(&str, &dyn std::fmt::Display)> = names
            .iter()
            .map(|n| (*n, n as &dyn std::fmt::Display))
            .collect();
        let rendered = rules::fill(text, &args);
        assert!(
            !rendered.contains('{') && !rendered.contains('}'),
            "{id} {case:?}: unpaired brace in {text:?}"
        );
        for name in names {
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{id} {case:?}: placeholder {{{name}}}"
            );
        }
    }
}

#[test]
fn cases_are_unique_per_rule() {
    for rule in rules::ALL {
        for texts in [rule.fixes, rule.flink_errors] {
            let cases: BTreeSet<&str> = texts.iter().map(|t| t.case).collect();
            assert_eq!(cases.len(), texts.len(), "{}: a case twice", rule.id);
        }
    }
    let shared: BTreeSet<&str> = rules::SERIALIZER_ERRORS.iter().map(|t| t.case).collect();
    assert_eq!(shared.len(), rules::SERIALIZER_ERRORS.len());
}

/// An error stops the restore: its rule says what to do, and its page has a Fix section.
/// Rules with a fix template have the section too (it is what `explain` shows).
#[test]
fn error_rules_have_a_fix_and_pages_a_fix_section() {
    for rule in rules::ALL {
        if rule.severity == rules::Severity::Error {
            assert!(
                !rule.fixes.is_empty(),
                "{}: an error rule with no fix",
                rule.id
            );
        }
        if !rule.fixes.is_empty() {
            assert!(rule.doc.contains("\n## Fix"), "{}: no Fix section", rule.id);
        }
    }
}

/// The check of a template's placeholders against the call site's arguments runs in
/// `Finding::fix_case` (debug builds): an unfilled or unknown name fails.
#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "is not filled")]
fn an_unfilled_placeholder_fails() {
    let _ = super::result::Finding::new(&rules::PARALLELISM_ABOVE_MAX_PARALLELISM, String::new())
        .fix_case("", &[]);
}

#[test]
fn a_filled_fix_has_no_placeholder_left() {
    let f = super::result::Finding::new(&rules::PARALLELISM_ABOVE_MAX_PARALLELISM, String::new())
        .fix_case("", &[("old_max", &128)]);
    assert_eq!(
        f.fix.as_deref(),
        Some("use a parallelism of at most 128 for this operator")
    );
}

/// `cargo xtask new-rule` appends a stub check marked `spcompat:stub`: it returns no finding,
/// so it fails here until the check is written and the marker removed.
#[test]
fn no_scaffolded_stub_is_left() {
    // Spelled in two halves so that this file does not match itself.
    let marker = concat!("spcompat", ":stub");
    let mut dirs = vec![root().join("src")];
    let mut stubs = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let stub = |l: &&str| l.trim_start().starts_with(&format!("// {marker}"));
                for line in text.lines().filter(stub) {
                    stubs.push(format!("{}: {}", path.display(), line.trim()));
                }
            }
        }
    }
    assert!(stubs.is_empty(), "unwired rule checks: {stubs:#?}");
}
