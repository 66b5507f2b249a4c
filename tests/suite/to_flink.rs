//! `check --to-flink`: the same job, or the given new job, judged on another Flink release;
//! and how `check` loads its two inputs. Agreement with Flink on the recorded cross-version
//! cases is `tests/cases/flink_cases.rs`'s part; this covers the command line around it.

use assert_cmd::Command;
use serde_json::Value;

fn check(args: &[&str]) -> (Value, i32, String) {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rules(report: &Value) -> Vec<String> {
    report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["reasons"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["code"].as_str().map(str::to_string))
        .collect()
}

const KRYO_BASE: &str = "fixtures/cases/1.20.3/bases/ds-schema";
const KRYO_ON_2_3: &str = "fixtures/cases/2.3.0/kryo-across-flink-2/new-job.json";

#[test]
fn the_same_job_on_another_release_is_judged_for_that_release() {
    let (same, code, _) = check(&["--savepoint", KRYO_BASE, "--to-flink", "1.20"]);
    assert_eq!(code, 0);
    assert_eq!(same["toFlink"], "1.20");
    assert!(!rules(&same).iter().any(|r| r == "kryo-across-flink-2"));
    let (upgraded, code, _) = check(&["--savepoint", KRYO_BASE, "--to-flink", "2.3"]);
    assert_eq!(code, 0, "Flink 2.3.0 restored this savepoint");
    assert!(rules(&upgraded).iter().any(|r| r == "kryo-across-flink-2"));
    assert!(upgraded["new"].as_str().unwrap().ends_with("on Flink 2.3"));
}

#[test]
fn to_flink_overrides_the_release_a_new_job_file_gives() {
    let (as_given, _, _) = check(&["--savepoint", KRYO_BASE, "--job", KRYO_ON_2_3]);
    assert!(rules(&as_given).iter().any(|r| r == "kryo-across-flink-2"));
    let args = [
        "--savepoint",
        KRYO_BASE,
        "--job",
        KRYO_ON_2_3,
        "--to-flink",
        "1.20.3",
    ];
    let (overridden, _, _) = check(&args);
    assert_eq!(overridden["toFlink"], "1.20.3");
    assert!(
        !rules(&overridden)
            .iter()
            .any(|r| r == "kryo-across-flink-2")
    );
}

#[test]
fn a_check_needs_a_new_job_or_a_release_and_a_release_must_be_one() {
    let (_, code, stderr) = check(&["--savepoint", KRYO_BASE]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--job"), "{stderr}");
    for bad in ["2", "latest", "1.16 - 1.20", "after 2.3"] {
        let (_, code, stderr) = check(&["--savepoint", KRYO_BASE, "--to-flink", bad]);
        assert_eq!(code, 2, "{bad}");
        assert!(stderr.contains("names no Flink release"), "{bad}: {stderr}");
    }
}

/// `check` loads its two inputs at once; when both are unusable, the savepoint's error is the
/// one reported, as when they were loaded one after the other.
#[test]
fn the_savepoints_error_wins_when_both_inputs_are_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let (savepoint, job) = (dir.path().join("sp"), dir.path().join("job.json"));
    std::fs::create_dir(&savepoint).unwrap();
    std::fs::write(savepoint.join("_metadata"), b"not a savepoint").unwrap();
    std::fs::write(&job, b"{ not json").unwrap();
    let (savepoint, job) = (savepoint.to_str().unwrap(), job.to_str().unwrap());
    let (_, code, stderr) = check(&["--savepoint", savepoint, "--job", job]);
    assert_eq!(code, 2);
    assert!(stderr.contains("_metadata"), "{stderr}");
    assert!(!stderr.contains("job.json"), "{stderr}");
}

/// The README's "Moving to Flink 2.x" examples are real output: each `$ spcompat check ...`
/// block there, up to a `...` line, is what the command prints now.
#[test]
fn the_readmes_moving_to_flink_2_examples_are_real_output() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).unwrap();
    let section = readme
        .split("### Moving to Flink 2.x")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Moving to Flink 2.x section");
    let mut examples = 0;
    for block in section.split("```\n$ spcompat ").skip(1) {
        let block = block.split("\n```").next().unwrap();
        let (command, shown) = block.split_once('\n').unwrap();
        let args: Vec<&str> = command.split_whitespace().collect();
        let out = Command::cargo_bin("spcompat")
            .unwrap()
            .current_dir(crate::common::root())
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let shown = shown.split("\n...").next().unwrap();
        assert!(
            stdout.starts_with(shown),
            "README example `{command}` differs from its output:\n{stdout}"
        );
        examples += 1;
    }
    assert!(examples >= 2, "{examples} examples in the section");
}

const MATCH_1_18: &str = "fixtures/cases/1.18.1/bases/sql-match";
const MATCH_ID: &str = "fbb4ef531e002f8fb3a2052db255adf5";
const MATCH_RULE: &str = "sql-match-id-changes-on-1-19";

#[test]
fn a_match_recognize_savepoint_standing_in_for_the_new_job_is_hedged_from_1_19_on() {
    // On 1.19.3 and later Flink gave this 1.18.1 plain SQL MATCH_RECOGNIZE another ID
    // (fixtures/cases/*/sql-upgrade-match-from-1.18); the savepoint alone cannot show it.
    let (on_2_0, code, _) = check(&["--savepoint", MATCH_1_18, "--to-flink", "2.0"]);
    assert_eq!(
        code, 0,
        "a hedge, not a failure: 1.19/1.20 savepoints keep their IDs"
    );
    assert!(rules(&on_2_0).iter().any(|r| r == MATCH_RULE));
    let listed = on_2_0["stateNotCompared"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|n| n["code"] == MATCH_RULE && n["operatorId"] == MATCH_ID),
        "the doubt is in the JSON's not-compared list: {listed:?}"
    );
    let text = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["check", "--savepoint", MATCH_1_18, "--to-flink", "1.19"])
        .output()
        .unwrap();
    let headline = String::from_utf8_lossy(&text.stdout);
    let headline = headline.lines().next().unwrap();
    assert!(
        headline.contains("keep their ID depends on the Flink release"),
        "{headline}"
    );
    // Before 1.19 nothing moves.
    let (on_1_18, _, _) = check(&["--savepoint", MATCH_1_18, "--to-flink", "1.18"]);
    assert!(!rules(&on_1_18).iter().any(|r| r == MATCH_RULE));
}

#[test]
fn a_new_job_with_its_own_ids_shows_the_match_move_as_unmapped_state() {
    // The job graph exported on the target release carries the real new IDs: no hedge, the
    // mapping says it (as Flink did on 2.0.0).
    let new = "fixtures/cases/2.0.0/sql-upgrade-match-from-1.18/job.json";
    let (report, code, _) = check(&["--savepoint", MATCH_1_18, "--job", new, "--to-flink", "2.0"]);
    assert_eq!(code, 1);
    assert!(!rules(&report).iter().any(|r| r == MATCH_RULE));
    assert!(rules(&report).iter().any(|r| r == "unmapped-state"));
    // A canary savepoint of the new job likewise.
    let canary = "fixtures/cases/2.0.0/sql-upgrade-match-from-1.18/canary";
    let (report, _, _) = check(&[
        "--savepoint",
        MATCH_1_18,
        "--job",
        canary,
        "--to-flink",
        "2.0",
    ]);
    assert!(!rules(&report).iter().any(|r| r == MATCH_RULE));
}

/// Flink's recorded outcome of a case run: `failed` or `restored`, without and with -n.
fn recorded(case: &str) -> Vec<(bool, String)> {
    let text = std::fs::read_to_string(format!("fixtures/cases/{case}/case.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = r["allowNonRestoredState"].as_bool().unwrap();
            (n, r["outcome"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn the_old_job_settles_whether_a_match_recognize_moves() {
    // 1.18.1 plain SQL: Flink refused it on 1.19.3 and later; the old job's graph says so.
    let old_job = format!("{MATCH_1_18}/job.json");
    for (case, target) in [
        ("1.19.3/sql-upgrade-match-from-1.18", "1.19.3"),
        ("2.0.0/sql-upgrade-match-from-1.18", "2.0.0"),
    ] {
        for (n, outcome) in recorded(case) {
            let mut args = vec!["--savepoint", MATCH_1_18, "--to-flink", target];
            args.extend(["--old-job", old_job.as_str()]);
            if n {
                args.push("-n");
            }
            let (report, code, stderr) = check(&args);
            let want = match (outcome.as_str(), n) {
                ("failed", false) => ("fails", 1),
                ("restored", true) => ("restores-with-state-loss", 3),
                other => panic!("{case}: unexpected recording {other:?}"),
            };
            assert_eq!(
                (report["verdict"].as_str().unwrap(), code),
                want,
                "{case} -n={n}: {stderr}"
            );
            let moved = report["operators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["operatorId"] == MATCH_ID)
                .unwrap();
            assert_eq!(moved["status"], "unmapped");
            assert!(rules(&report).iter().any(|r| r == MATCH_RULE));
            // No uid hash can bind a SQL operator: the unmapped state's fix points at the rule.
            let unmapped_fix = moved["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["code"] == "unmapped-state")
                .and_then(|r| r["fix"].as_str())
                .unwrap();
            assert!(
                unmapped_fix.contains(MATCH_RULE) && !unmapped_fix.contains("setUidHash"),
                "{case} -n={n}: {unmapped_fix}"
            );
        }
    }
    // Its compiled plan (uids) and a 1.19.3 savepoint keep their IDs: Flink restored both,
    // and with the old job no doubt is left.
    for (savepoint, case) in [
        (
            "fixtures/cases/1.18.1/bases/sql-match-plan",
            "2.0.0/sql-upgrade-match-plan-from-1.18",
        ),
        (
            "fixtures/cases/1.19.3/bases/sql-match",
            "2.3.0/sql-upgrade-match-from-1.19",
        ),
    ] {
        assert!(
            recorded(case).iter().all(|(_, o)| o == "restored"),
            "{case}"
        );
        let old_job = format!("{savepoint}/job.json");
        let target = case.split('/').next().unwrap();
        let args = [
            "--savepoint",
            savepoint,
            "--to-flink",
            target,
            "--old-job",
            &old_job,
        ];
        let (report, code, stderr) = check(&args);
        assert_eq!(
            (report["verdict"].as_str(), code),
            (Some("restores"), 0),
            "{case}: {stderr}"
        );
        assert!(!rules(&report).iter().any(|r| r == MATCH_RULE), "{case}");
    }
}

const PLAN_UID_RULE: &str = "sql-plan-uid-format-changed";

/// A 1.15.4 compiled plan's uids take another pattern on 1.16 and later: Flink refused its
/// savepoint on 1.16.3, 1.20.3, 2.1.3 and 2.3.0, and restored the plain SQL base. The old job's graph
/// (its uids) decides it; the savepoint alone hedges.
#[test]
fn the_old_job_settles_whether_a_1_15_plans_ids_move() {
    for target in ["1.16.3", "1.20.3", "2.1.3", "2.3.0"] {
        let case = format!("{target}/sql-upgrade-groupby-plan-from-1.15");
        let savepoint = "fixtures/cases/1.15.4/bases/sql-groupby-plan";
        let old_job = format!("{savepoint}/job.json");
        for (n, outcome) in recorded(&case) {
            let mut args = vec!["--savepoint", savepoint, "--to-flink", target];
            args.extend(["--old-job", old_job.as_str()]);
            if n {
                args.push("-n");
            }
            let (report, code, stderr) = check(&args);
            let want = match (outcome.as_str(), n) {
                ("failed", false) => ("fails", 1),
                ("restored", true) => ("restores-with-state-loss", 3),
                other => panic!("{case}: unexpected recording {other:?}"),
            };
            assert_eq!(
                (report["verdict"].as_str().unwrap(), code),
                want,
                "{case} -n={n}: {stderr}"
            );
            assert!(rules(&report).iter().any(|r| r == PLAN_UID_RULE), "{case}");
            assert_eq!(report["stateNotCompared"], Value::Array(vec![]), "{case}");
        }
        // Without the old job: a hedge, not a bare restores.
        let (report, code, _) = check(&["--savepoint", savepoint, "--to-flink", target]);
        assert_eq!((report["verdict"].as_str(), code), (Some("restores"), 0));
        let doubts: Vec<&str> = report["stateNotCompared"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["code"].as_str())
            .collect();
        assert_eq!(doubts, [PLAN_UID_RULE], "{case}");
        // Plain SQL: Flink restored it, and its old job (no uids) leaves no doubt.
        let plain = "fixtures/cases/1.15.4/bases/sql-groupby";
        let case = format!("{target}/sql-upgrade-groupby-from-1.15");
        assert!(
            recorded(&case).iter().all(|(_, o)| o == "restored"),
            "{case}"
        );
        let old_job = format!("{plain}/job.json");
        let (report, code, stderr) = check(&[
            "--savepoint",
            plain,
            "--to-flink",
            target,
            "--old-job",
            &old_job,
        ]);
        assert_eq!(
            (report["verdict"].as_str(), code),
            (Some("restores"), 0),
            "{case}: {stderr}"
        );
        assert!(!rules(&report).iter().any(|r| r == PLAN_UID_RULE), "{case}");
    }
}
