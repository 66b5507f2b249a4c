//! The Markdown PR comment carries a hidden marker, and `ci/pr-comment.sh` uses it to create
//! the comment once and update it on re-runs (driven here with a stand-in `gh` that records the
//! API calls and answers the comment listing the way `gh api --jq` would).

use crate::common;

use std::process::Command;

const FAKE_GH: &str = r#"#!/bin/sh
echo "$*" >> "$GH_LOG"
case "$*" in
  *--paginate*) [ -f "$GH_STATE" ] && grep -q "$(head -n 1 "$GH_REPORT")" "$GH_STATE" && echo 42 ;;
  *"--method POST"*) head -n 1 "$GH_REPORT" >> "$GH_STATE" ;;
esac
exit 0
"#;

#[test]
fn markdown_comment_is_created_once_then_updated() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.md");
    let out = Command::new(env!("CARGO_BIN_EXE_spcompat"))
        .current_dir(common::root())
        .args([
            "check",
            "-s",
            "fixtures/cases/2.3.0/bases/ds-uids",
            "--job",
            "fixtures/cases/2.3.0/uid-renamed/new-job.json",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(&report, &out.stdout).unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "<!-- spcompat-report: fixtures/cases/2.3.0/uid-renamed/new-job.json -->\n"
        ),
        "{text}"
    );

    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("gh"), FAKE_GH).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("gh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = dir.path().join("gh.log");
    let post = || {
        let out = Command::new(common::root().join("ci/pr-comment.sh"))
            .arg(&report)
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("GITHUB_REPOSITORY", "acme/jobs")
            .env("PR_NUMBER", "7")
            .env("GH_LOG", &log)
            .env("GH_STATE", dir.path().join("state"))
            .env("GH_REPORT", &report)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(post().contains("created a comment"));
    assert!(post().contains("updated comment 42"));
    let calls = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        calls
            .matches("--method POST repos/acme/jobs/issues/7/comments")
            .count(),
        1,
        "{calls}"
    );
    assert_eq!(
        calls
            .matches("--method PATCH repos/acme/jobs/issues/comments/42")
            .count(),
        1,
        "{calls}"
    );
}
