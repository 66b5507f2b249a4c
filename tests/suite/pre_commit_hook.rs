//! Drives `hooks/pre-commit` in a real git repository holding a job-graph file and its
//! committed baseline: dropping a stateful operator's uid is blocked with the rule id and fix,
//! an unchanged job passes, and a loss accepted in `spcompat.toml` passes, shown as accepted.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

const JOB: &str = r#"{
  "format": "spcompat-job-graph/1",
  "job": "orders",
  "maxParallelism": 256,
  "operators": [
    { "node": 1, "name": "Source: orders", "uid": "orders", "parallelism": 2, "inputs": [],
      "state": [ { "name": "SourceReaderState", "kind": "operator-list", "type": "byte[]" } ] },
    { "node": 2, "name": "dedup", "uid": "dedup", "parallelism": 2,
      "inputs": [ { "node": 1, "partitioner": "HASH" } ], "keyType": "String",
      "state": [ { "name": "seen", "kind": "value", "type": "Long" } ] },
    { "node": 3, "name": "sink", "parallelism": 2, "inputs": [ { "node": 2, "partitioner": "FORWARD" } ] }
  ]
}
"#;

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("SPCOMPAT", env!("CARGO_BIN_EXE_spcompat"))
        .env("NO_COLOR", "1")
        .output()
        .expect("git runs")
}

fn commit(dir: &Path, message: &str) -> (bool, String) {
    let out = git(dir, &["commit", "-q", "-m", message]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn hook_blocks_dropped_uid_passes_unchanged_and_accepted() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    assert!(git(dir, &["init", "-q"]).status.success());
    let hook = common::root().join("hooks/pre-commit");
    let hooks_dir = dir.join(".git/hooks");
    std::fs::copy(&hook, hooks_dir.join("pre-commit")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = hooks_dir.join("pre-commit");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    std::fs::create_dir(dir.join("jobs")).unwrap();
    std::fs::write(dir.join("jobs/orders-job.json"), JOB).unwrap();
    let baseline = Command::new(env!("CARGO_BIN_EXE_spcompat"))
        .args([
            "snapshot",
            "jobs/orders-job.json",
            "-o",
            "jobs/orders-job.baseline.yaml",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        baseline.status.success(),
        "{}",
        String::from_utf8_lossy(&baseline.stderr)
    );
    git(dir, &["add", "."]);
    let (ok, out) = commit(dir, "first version");
    assert!(ok, "a clean job commits: {out}");

    // Unchanged job (a touch elsewhere) passes.
    std::fs::write(dir.join("README"), "orders job\n").unwrap();
    std::fs::write(
        dir.join("jobs/orders-job.json"),
        JOB.replace("\"orders\",", "\"orders\", "),
    )
    .unwrap();
    git(dir, &["add", "."]);
    let (ok, out) = commit(dir, "unchanged job");
    assert!(ok, "an unchanged job passes: {out}");

    // Dropping dedup's uid is blocked with the rule id and the fix.
    let dropped = JOB.replace(r#""name": "dedup", "uid": "dedup","#, r#""name": "dedup","#);
    assert_ne!(dropped, JOB);
    std::fs::write(dir.join("jobs/orders-job.json"), &dropped).unwrap();
    git(dir, &["add", "."]);
    let (ok, out) = commit(dir, "drop the uid");
    assert!(
        !ok,
        "dropping a stateful operator's uid must be blocked: {out}"
    );
    assert!(out.contains("stateful-operator-without-uid"), "{out}");
    assert!(
        out.contains("unmapped-state"),
        "the baseline diff names the lost state: {out}"
    );
    assert!(out.contains("fix:"), "{out}");

    // Accepting the loss lets the commit through, with the findings shown as accepted.
    std::fs::write(
        dir.join("spcompat.toml"),
        r#"
[[accept]]
rule = "stateful-operator-without-uid"
operator = "node-2"
reason = "placeholder that matches nothing"

[[accept]]
rule = "unmapped-state"
operator = "dedup"
reason = "dedup state is rebuilt within an hour (OPS-42)"

[severity]
stateful-operator-without-uid = "warning"
"#,
    )
    .unwrap();
    git(dir, &["add", "."]);
    let (ok, out) = commit(dir, "drop dedup state on purpose");
    assert!(ok, "an accepted loss passes: {out}");
    assert!(
        out.contains("accepted in spcompat.toml: dedup state is rebuilt within an hour (OPS-42)"),
        "{out}"
    );
    assert!(
        out.contains("deploy it with --allowNonRestoredState"),
        "an accepted loss still needs -n: {out}"
    );
}

fn install_hook(dir: &Path) {
    let hooks_dir = dir.join(".git/hooks");
    std::fs::copy(
        common::root().join("hooks/pre-commit"),
        hooks_dir.join("pre-commit"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = hooks_dir.join("pre-commit");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn snapshot(dir: &Path, job: &str, baseline: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_spcompat"))
        .args(["snapshot", job, "-o", baseline])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn hook_diffs_each_job_file_against_its_own_baseline() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    assert!(git(dir, &["init", "-q"]).status.success());
    install_hook(dir);
    std::fs::create_dir(dir.join("jobs")).unwrap();
    // Two jobs whose stateful operators differ: each must be compared with its own baseline.
    let payments = JOB
        .replace("\"orders\"", "\"payments\"")
        .replace("\"dedup\"", "\"fraud\"");
    std::fs::write(dir.join("jobs/orders-job.json"), JOB).unwrap();
    std::fs::write(dir.join("jobs/payments-job.json"), &payments).unwrap();
    snapshot(dir, "jobs/orders-job.json", "jobs/orders-job.baseline.yaml");
    snapshot(
        dir,
        "jobs/payments-job.json",
        "jobs/payments-job.baseline.yaml",
    );
    git(dir, &["add", "."]);
    let (ok, out) = commit(dir, "two jobs");
    assert!(
        ok,
        "two unchanged jobs against their own baselines pass: {out}"
    );

    // Both staged in one commit: only payments lost its fraud state.
    std::fs::write(
        dir.join("jobs/orders-job.json"),
        JOB.replace("\"orders\",", "\"orders\", "),
    )
    .unwrap();
    std::fs::write(
        dir.join("jobs/payments-job.json"),
        payments.replace("\"uid\": \"fraud\"", "\"uid\": \"fraud-v2\""),
    )
    .unwrap();
    git(dir, &["add", "."]);
    let (ok, out) = commit(dir, "rename fraud uid");
    assert!(!ok, "the renamed uid is blocked: {out}");
    assert!(out.contains("unmapped-state"), "{out}");
    assert!(
        out.contains("uid `fraud`"),
        "payments is diffed against its own baseline: {out}"
    );
    assert!(
        !out.contains("uid `dedup`"),
        "orders has nothing lost: {out}"
    );

    // As the pre-commit framework runs it: the files as arguments.
    let run = Command::new(dir.join(".git/hooks/pre-commit"))
        .arg("jobs/orders-job.json")
        .current_dir(dir)
        .env("SPCOMPAT", env!("CARGO_BIN_EXE_spcompat"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "only orders given, and orders is unchanged: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}
