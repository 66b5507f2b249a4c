//! Completions, the man page and `explain` come from the same definitions as `--help` and the
//! rule catalog.

use assert_cmd::Command;

fn run(args: &[&str]) -> (String, i32) {
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

#[test]
fn completions_for_every_shell_know_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (out, code) = run(&["completions", shell]);
        assert_eq!(code, 0);
        for command in ["inspect", "check", "diff", "lint", "snapshot"] {
            assert!(out.contains(command), "{shell} completion lacks {command}");
        }
    }
}

#[test]
fn man_page_documents_the_commands() {
    let (out, code) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH spcompat"),
        "{out}"
    );
    assert!(out.contains("check"));
    // No references to per-command pages that do not exist; every command is on this page.
    assert!(!out.contains("(1)"), "dangling page reference");
    for command in [
        "inspect",
        "check",
        "diff",
        "lint",
        "snapshot",
        "explain",
        "export-sql",
    ] {
        assert!(
            out.contains(&format!(".SH \"COMMAND: spcompat {command}\"")),
            "{command} missing"
        );
    }
    assert!(
        out.contains("\\-\\-fromSavepoint"),
        "options of commands are listed"
    );
    assert!(
        out.contains("restores with state loss"),
        "exit codes are listed"
    );
}

#[test]
fn explain_lists_rules_and_shows_their_docs() {
    let (list, code) = run(&["explain"]);
    assert_eq!(code, 0);
    assert!(list.lines().count() >= 30, "{list}");
    for line in list.lines() {
        let id = line.split_whitespace().next().unwrap();
        let (doc, code) = run(&["explain", id]);
        assert_eq!(code, 0);
        assert!(doc.starts_with(&format!("# {id}")), "{id}: {doc}");
        assert!(
            doc.contains("## Fix")
                || doc.contains("## Why it is reported")
                || doc.contains("## What it means"),
            "{id} has no fix section"
        );
    }
    let (_, code) = run(&["explain", "no-such-rule"]);
    assert_eq!(code, 2);
}
