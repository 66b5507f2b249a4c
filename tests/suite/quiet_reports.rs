//! Quiet, scannable text reports on real fixtures: inferred uids stated once, Flink's timer
//! queues counted instead of listed, undecoded-empty enumerator state left out, one warning per
//! cause; each checked against `--verbose`, which shows everything as before. Also: the same
//! type notation in `inspect` and `check`, and the library pipeline without the CLI.

use crate::common;

use std::path::Path;

use assert_cmd::Command;
use common::root;

/// Runs spcompat with `args`: (stdout, stderr, exit code).
fn run(args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["--color", "never"])
        .args(args)
        .current_dir(root())
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Flink 1.15.4 writes metadata version 3, which stores no uids: `check` names the
/// savepoint's operators by hashing the new job's uids.
const OLD_FORMAT_SAVEPOINT: &str = "fixtures/cases/1.15.4/bases/ds-uids";
const OLD_FORMAT_JOB: &str = "fixtures/cases/1.15.4/identical/new-job.json";
const PER_LINE_MARK: &str = "[uid inferred by hashing known uids]";

#[test]
fn inferred_uids_are_stated_once_in_check() {
    let args = ["check", "-s", OLD_FORMAT_SAVEPOINT, "--job", OLD_FORMAT_JOB];
    let (verbose, _, code_v) = run(&[&args[..], &["--verbose"]].concat());
    let (quiet, _, code) = run(&args);
    assert_eq!((code, code_v), (0, 0), "{quiet}");
    // Before (still with --verbose): one mark per savepoint operator.
    let marks = verbose.matches(PER_LINE_MARK).count();
    assert!(marks >= 2, "{verbose}");
    // After: one sentence with the count, no per-line marks.
    assert_eq!(quiet.matches(PER_LINE_MARK).count(), 0, "{quiet}");
    let note = format!("the uids of {marks} operator(s) were inferred");
    assert_eq!(quiet.matches(&note).count(), 1, "{quiet}");
    assert!(quiet.contains("uid counter  ->  uid counter"), "{quiet}");
    // The source-positions block names the source by its inferred uid too.
    let positions = quiet.split("SOURCE POSITIONS").nth(1).expect("positions");
    assert!(positions.contains("uid source"), "{positions}");
    assert!(!positions.contains("(no uid, no name)"), "{positions}");
}

#[test]
fn inferred_uids_are_stated_once_in_inspect() {
    let args = ["inspect", OLD_FORMAT_SAVEPOINT, "--uids", OLD_FORMAT_JOB];
    let (verbose, _, _) = run(&[&args[..], &["--verbose"]].concat());
    let (quiet, _, code) = run(&args);
    assert_eq!(code, 0);
    let mark = "(uid inferred by hashing the given job graph's uids)";
    let marks = verbose.matches(mark).count();
    assert!(marks >= 2, "{verbose}");
    assert_eq!(quiet.matches(mark).count(), 0, "{quiet}");
    let note = format!("inferred for {marks} operator(s) by hashing the uids");
    assert_eq!(quiet.matches(&note).count(), 1, "{quiet}");
}

#[test]
fn timer_queues_are_counted_unless_verbose() {
    let sp = "fixtures/cases/2.3.0/bases/ds-schema";
    let (verbose, _, _) = run(&["inspect", sp, "--verbose"]);
    let (quiet, _, code) = run(&["inspect", sp]);
    assert_eq!(code, 0);
    let timers = verbose.matches("_timer_state/").count();
    assert!(timers >= 2, "{verbose}");
    assert_eq!(quiet.matches("_timer_state/").count(), 0, "{quiet}");
    // Every keyed operator's two queues are still accounted for.
    let counted = quiet
        .matches("(+ 2 timer queues; --verbose lists them)")
        .count();
    assert_eq!(counted * 2, timers, "{quiet}");
    // JSON (the contract) still lists them.
    let (json, _, _) = run(&["inspect", sp, "--format", "json"]);
    assert_eq!(json.matches("\"_timer_state/").count(), timers);

    let (check_v, _, _) = run(&[
        "check",
        "-s",
        sp,
        "--job",
        "fixtures/cases/2.3.0/pojo-field-type-changed/new-job.json",
        "--verbose",
    ]);
    let (check, _, code) = run(&[
        "check",
        "-s",
        sp,
        "--job",
        "fixtures/cases/2.3.0/pojo-field-type-changed/new-job.json",
    ]);
    assert_eq!(code, 1, "{check}");
    let state_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.trim_start().starts_with("state: "))
            .map(str::to_string)
            .collect()
    };
    let (before, after) = (state_lines(&check_v), state_lines(&check));
    assert_eq!(before.len(), after.len());
    assert!(before.iter().any(|l| l.contains("_timer_state/")));
    assert!(
        after.iter().all(|l| !l.contains("_timer_state/")),
        "{check}"
    );
    assert!(after.iter().any(|l| l.ends_with("(+ 2 timer queues)")));
}

#[test]
fn a_warning_with_one_cause_is_printed_once_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let job = common::cases::without_state(
        &root().join("fixtures/cases/2.3.0/bases/ds-schema/job.json"),
        dir.path(),
    );
    let job = job.display().to_string();
    let sp = "fixtures/cases/2.3.0/bases/ds-schema";
    let (verbose, _, _) = run(&["check", "-s", sp, "--job", &job, "--verbose"]);
    let (quiet, _, code) = run(&["check", "-s", sp, "--job", &job]);
    let (json, _, code_json) = run(&["check", "-s", sp, "--job", &job, "--format", "json"]);
    assert_eq!(code, code_json);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let not_compared = report["stateNotCompared"].as_array().unwrap().len();
    assert!(not_compared >= 3, "{json}");
    let warning = "warning [state-not-compared]";
    assert_eq!(verbose.matches(warning).count(), not_compared, "{verbose}");
    assert_eq!(quiet.matches(warning).count(), 1, "{quiet}");
    let more = format!(
        "the same warning for {} more operator(s): ",
        not_compared - 1
    );
    assert_eq!(quiet.matches(&more).count(), 1, "{quiet}");
    assert_eq!(quiet.matches("fix: export the new job").count(), 1);
    // Every operator is still listed.
    for id in report["stateNotCompared"].as_array().unwrap() {
        let id = id["operatorId"].as_str().unwrap();
        assert!(quiet.contains(id), "{id} missing:\n{quiet}");
    }
}

#[test]
fn repeated_config_warnings_are_printed_once_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("spcompat.toml");
    let entry =
        "[[accept]]\nrule = \"unmapped-state\"\noperator = \"no-such-uid\"\nreason = \"OPS-1\"\n\n";
    std::fs::write(&config, entry.repeat(3)).unwrap();
    let (_, stderr, code) = run(&[
        "check",
        "--config",
        &config.display().to_string(),
        "-s",
        "fixtures/cases/2.3.0/bases/ds-uids",
        "--job",
        "fixtures/cases/2.3.0/identical/new-job.json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let warning = "[[accept]] of `unmapped-state` for `no-such-uid` matches no finding";
    assert_eq!(stderr.matches(warning).count(), 1, "{stderr}");
    assert!(stderr.contains("(3 times)"), "{stderr}");
}

/// A FLIP-27 source whose enumerator wrote nothing spcompat can decode: Flink's own test
/// savepoints have them. No bundled fixture does, so the real summary of a savepoint is
/// changed in memory (never its bytes) and rendered.
#[test]
fn undecoded_empty_enumerator_state_is_hidden_unless_verbose() {
    use spcompat::report::{TextOptions, inspect::render_text};
    use spcompat::savepoint::Savepoint;
    use spcompat::savepoint::inventory::SavepointSummary;
    use spcompat::savepoint::sources::{EnumeratorContent, RawBytes};
    let sp = Savepoint::open(&root().join("fixtures/cases/2.3.0/bases/ds-uids")).unwrap();
    let mut summary = SavepointSummary::build(&sp).unwrap();
    let source = summary
        .operators
        .iter_mut()
        .find(|o| o.source_positions.is_some())
        .expect("a source with positions");
    let enumerator = source
        .source_positions
        .as_mut()
        .and_then(|p| p.enumerator.as_mut())
        .expect("an enumerator");
    enumerator.content = EnumeratorContent::Raw(RawBytes::of(&[]));
    let quiet = render_text(&summary, &TextOptions::default());
    let verbose = render_text(&summary, &TextOptions { verbose: true });
    assert!(
        verbose.contains("enumerator: serializer version"),
        "{verbose}"
    );
    assert!(verbose.contains("not decoded, 0 bytes"), "{verbose}");
    assert!(!quiet.contains("enumerator:"), "{quiet}");
    // A real, decoded enumerator is shown either way.
    let real = render_text(
        &SavepointSummary::build(&sp).unwrap(),
        &TextOptions::default(),
    );
    assert!(
        real.contains("enumerator: no splits left to assign"),
        "{real}"
    );
}

/// The type a savepoint's state has in `inspect` is spelled the same in `check`'s finding.
#[test]
fn inspect_and_check_spell_types_the_same() {
    let sp = "fixtures/cases/2.3.0/bases/ds-schema";
    let (json, _, _) = run(&["inspect", sp, "--format", "json"]);
    let summary: serde_json::Value = serde_json::from_str(&json).unwrap();
    let pojo = summary["operators"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["states"].as_array().unwrap())
        .find(|s| s["name"] == "pojo")
        .expect("state pojo");
    let old_type = pojo["type"].as_str().unwrap();
    let (text, _, _) = run(&["inspect", sp]);
    assert!(text.contains(old_type), "{old_type} not in:\n{text}");
    let (report, _, code) = run(&[
        "check",
        "-s",
        sp,
        "--job",
        "fixtures/cases/2.3.0/pojo-field-type-changed/new-job.json",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let finding = report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["reasons"].as_array().unwrap())
        .find(|r| r["code"] == "state-type-incompatible")
        .expect("the type change");
    assert_eq!(finding["oldType"].as_str(), Some(old_type), "{finding}");
    assert!(finding["message"].as_str().unwrap().contains(old_type));
}

/// `check` as a library call: inputs loaded by the library, the config applied there, the
/// result model returned; the same verdict as the CLI.
#[test]
fn the_pipeline_runs_without_the_cli() {
    use spcompat::input::{load_savepoint, load_version, summarize_quietly};
    use spcompat::pipeline::{Upgrade, predict_upgrade};
    let access = spcompat::savepoint::access::SavepointAccess::default();
    let sp = root().join("fixtures/cases/2.3.0/bases/ds-uids");
    let job = root().join("fixtures/cases/2.3.0/uid-renamed/new-job.json");
    let old = spcompat::input::JobVersion::Savepoint(Box::new(
        load_savepoint(&sp, &access, &summarize_quietly).unwrap(),
    ));
    let new = load_version(&job, &Default::default(), &access, &summarize_quietly).unwrap();
    let upgrade = |n| Upgrade {
        old: &old,
        old_graph: None,
        new: &new,
        allow_non_restored_state: n,
        to_flink: None,
    };
    let config = spcompat::config::Config::default();
    let report = predict_upgrade(&upgrade(false), &config).unwrap();
    assert_eq!(report.prediction.effective_verdict.exit_code(), 1);
    assert!(report.warnings.is_empty());
    let with_n = predict_upgrade(&upgrade(true), &config).unwrap();
    assert_eq!(with_n.prediction.effective_verdict.exit_code(), 3);
    let (_, _, cli_code) = run(&[
        "check",
        "-s",
        &sp.display().to_string(),
        "--job",
        &job.display().to_string(),
    ]);
    assert_eq!(cli_code, 1);
    // An acceptance in the config is applied by the library, not the CLI.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spcompat.toml");
    std::fs::write(
        &path,
        "[[accept]]\nrule = \"unmapped-state\"\noperator = \"counter\"\nreason = \"OPS-2\"\n",
    )
    .unwrap();
    let config = spcompat::config::Config::load(Path::new(&path)).unwrap();
    let accepted = predict_upgrade(&upgrade(false), &config).unwrap();
    assert_eq!(accepted.prediction.effective_verdict.exit_code(), 3);
}
