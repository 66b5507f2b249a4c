//! Flink's own CLI spellings, exit codes that say what a deploy must do, and messages that
//! point at swapped or mistyped inputs.

use crate::common;

use assert_cmd::Command;

fn fixture(p: &str) -> String {
    common::root().join(p).display().to_string()
}

const OLD: &str = "fixtures/cases/2.3.0/bases/ds-uids";
const RENAMED: &str = "fixtures/cases/2.3.0/uid-renamed/new-job.json";

fn run_in(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        unwrap_diagnostic(&String::from_utf8_lossy(&out.stderr)),
    )
}

/// miette wraps long messages at 80 columns with a `│` gutter; join them back for matching.
fn unwrap_diagnostic(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '│')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn flink_spellings_of_savepoint_and_allow_non_restored_state() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (fixture(OLD), fixture(RENAMED));
    for flag in ["-s", "--fromSavepoint", "--savepoint"] {
        let (code, out, err) = run_in(dir.path(), &["check", flag, &old, "--job", &new]);
        assert_eq!(code, 1, "{flag}: the renamed uid fails: {out}{err}");
    }
    for flag in [
        "-n",
        "--allowNonRestoredState",
        "--allow-non-restored-state",
    ] {
        let (code, out, err) = run_in(dir.path(), &["check", "-s", &old, "--job", &new, flag]);
        assert_eq!(code, 3, "{flag}: state loss: {out}{err}");
    }
}

#[test]
fn accepted_unmapped_state_still_exits_3_without_n() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("spcompat.toml"),
        "[[accept]]\nrule = \"unmapped-state\"\noperator = \"counter\"\nreason = \"rebuilt from the topic\"\n",
    )
    .unwrap();
    let (code, out, err) = run_in(
        dir.path(),
        &["check", "-s", &fixture(OLD), "--job", &fixture(RENAMED)],
    );
    assert_eq!(
        code, 3,
        "Flink still needs -n for an accepted loss: {out}{err}"
    );
    assert!(out.contains("--allowNonRestoredState"), "{out}");
}

#[test]
fn swapped_savepoint_and_job_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run_in(
        dir.path(),
        &[
            "check",
            "--savepoint",
            &fixture(RENAMED),
            "--job",
            &fixture(OLD),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("graph file or compiled plan, not a savepoint"),
        "{err}"
    );
    assert!(err.contains("did you swap --savepoint and --job?"), "{err}");

    let (code, _, err) = run_in(dir.path(), &["lint", "--job", &fixture(OLD)]);
    assert_eq!(code, 2);
    assert!(err.contains("this is a savepoint, not a job"), "{err}");
}

#[test]
fn a_folder_of_savepoints_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let parent = fixture("fixtures/cases/2.3.0/bases");
    // `diff` takes either side from anywhere: a folder of savepoints is ambiguous there
    // (`--savepoint` and `inspect` pick its newest, see tests/suite/newest.rs).
    let (code, _, err) = run_in(dir.path(), &["diff", &parent, &fixture(RENAMED)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no `_metadata` here"), "{err}");
    for name in ["ds-uids", "ds-nouids", "ds-schema"] {
        assert!(err.contains(name), "{name} not listed: {err}");
    }
}

#[test]
fn set_without_value_and_unknown_flink_versions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plan = fixture("fixtures/cases/2.3.0/aggregate-added/plan.json");
    let (code, _, err) = run_in(
        dir.path(),
        &["diff", &plan, &plan, "--set", "table.exec.state.ttl"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("is not KEY=VALUE"), "{err}");
    let (code, _, err) = run_in(dir.path(), &["diff", &plan, &plan, "--flink", "9.9"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown Flink version `9.9`"), "{err}");
    assert!(
        err.contains("1.15") && err.contains("2.3"),
        "known versions listed: {err}"
    );
    let (code, _, err) = run_in(dir.path(), &["diff", &plan, &plan, "--flink", "2.3.0"]);
    assert_eq!(code, 0, "a known version is accepted: {err}");
}

#[test]
fn accept_matching_nothing_warns_and_the_config_used_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("spcompat.toml"),
        "[[accept]]\nrule = \"unmapped-state\"\noperator = \"countr\"\nreason = \"typo\"\n",
    )
    .unwrap();
    let (code, _, err) = run_in(
        dir.path(),
        &["check", "-s", &fixture(OLD), "--job", &fixture(RENAMED)],
    );
    assert_eq!(code, 1, "the typo accepts nothing: {err}");
    assert!(err.contains("using config"), "{err}");
    assert!(err.contains("`countr` matches no finding"), "{err}");
}

#[test]
fn config_lookup_stops_at_the_repository_root() {
    let outer = tempfile::tempdir().unwrap();
    // A permissive stray config above the repository must not be used.
    std::fs::write(
        outer.path().join("spcompat.toml"),
        "[[accept]]\nrule = \"unmapped-state\"\noperator = \"counter\"\nreason = \"stray\"\n",
    )
    .unwrap();
    let repo = outer.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("jobs")).unwrap();
    let (code, _, err) = run_in(
        &repo.join("jobs"),
        &["check", "-s", &fixture(OLD), "--job", &fixture(RENAMED)],
    );
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("using config"), "{err}");
    // Outside any repository, the same file is found and named.
    let (code, _, err) = run_in(
        outer.path(),
        &["check", "-s", &fixture(OLD), "--job", &fixture(RENAMED)],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("using config"), "{err}");
}

#[test]
fn version_names_flink_and_metadata_versions_and_help_lists_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run_in(dir.path(), &["--version"]);
    assert_eq!(code, 0);
    assert!(out.contains("Flink 1.11 to 2.3"), "{out}");
    assert!(out.contains("versions 2 to 7"), "{out}");
    for args in [
        &["--help"][..],
        &["check", "--help"][..],
        &["diff", "--help"][..],
    ] {
        let (code, out, _) = run_in(dir.path(), args);
        assert_eq!(code, 0);
        for line in [
            "0  restores",
            "1  fails",
            "2  the input",
            "3  restores with state loss",
        ] {
            assert!(out.contains(line), "{args:?} lacks `{line}`: {out}");
        }
    }
    let (_, out, _) = run_in(dir.path(), &["check", "--help"]);
    for input in ["job-graph file", "baseline", "compiled plan", "canary"] {
        assert!(out.contains(input), "--job help lacks {input}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spcompat"))
        .current_dir(dir.path())
        .args(["check", "-s", &fixture(OLD), "--job", &fixture(OLD)])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write the report"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
