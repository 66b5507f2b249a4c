//! Flink's own CLI spellings, exit codes that say what a deploy must do, and messages that
//! point at swapped or mistyped inputs.

mod common;

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
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
