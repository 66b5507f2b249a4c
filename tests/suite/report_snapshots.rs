//! Snapshot tests of every report format over real recorded cases (Flink 2.3.0): a renamed uid
//! (Flink refused the savepoint), an added aggregate in SQL (Flink failed restoring the
//! aggregate's state), and lint of a job without uids. A change to any rendering shows up as a
//! reviewed snapshot diff.

use crate::common;

use assert_cmd::Command;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

const UID_RENAMED: &[&str] = &[
    "check",
    "--savepoint",
    "fixtures/cases/2.3.0/bases/ds-uids",
    "--job",
    "fixtures/cases/2.3.0/uid-renamed/new-job.json",
];

const SQL_AGGREGATE_ADDED: &[&str] = &[
    "check",
    "--savepoint",
    "fixtures/cases/2.3.0/bases/sql-groupby",
    "--job",
    "fixtures/cases/2.3.0/aggregate-added/job.json",
    "--old-job",
    "fixtures/cases/2.3.0/bases/sql-groupby/job.json",
];

const LINT_NO_UIDS: &[&str] = &[
    "lint",
    "--job",
    "fixtures/cases/2.3.0/nouid-unchanged/new-job.json",
];

fn with_format(base: &[&str], format: &str) -> Vec<String> {
    base.iter()
        .map(|s| s.to_string())
        .chain(["--format".to_string(), format.to_string()])
        .collect()
}

#[test]
fn every_format_of_check_and_lint() {
    for (name, base) in [
        ("uid_renamed", UID_RENAMED),
        ("sql_aggregate_added", SQL_AGGREGATE_ADDED),
        ("lint_no_uids", LINT_NO_UIDS),
    ] {
        for format in ["text", "json", "sarif", "junit", "github", "markdown"] {
            let args = with_format(base, format);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            insta::assert_snapshot!(format!("{name}_{format}"), run(&args));
        }
    }
}
