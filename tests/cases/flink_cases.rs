//! Real-Flink restore cases (`fixtures/cases/<flink version>/<case>/case.json`): a savepoint of
//! a base job, a variant job, and what real Flink did when the variant was started from the
//! savepoint, with and without `--allowNonRestoredState`. `spcompat check` must predict the same
//! outcome from every form of the new job the case provides: the exported job-graph, the same
//! graph without operator IDs (so spcompat derives them), the canary savepoint of the variant,
//! and the compiled plan for SQL cases that run from one.

use crate::common;

use std::path::PathBuf;

use common::cases::{
    Case, all_cases, check, check_to_flink, check_with, check_with_old_job, compare, expected,
    stateful_operators,
};
use libtest_mimic::Trial;

use crate::{asserting, trial};

/// Where spcompat cannot agree with Flink from a given input, and why: (case, Flink versions
/// (empty: every version the case was recorded on), input labels, reason). An input label matches by prefix ("job-graph" covers "job-graph without IDs"). The
/// test fails if any other prediction disagrees, and also if a listed gap starts agreeing (so
/// a fixed gap must leave the list).
const KNOWN_GAPS: &[(&str, &[&str], &[&str], &str)] = &[
    (
        "sql-upgrade-groupby-plan-from-1.15",
        &[],
        &["--to-flink"],
        "a Flink 1.15 compiled plan run on 1.16 or later gives its operators uids of another pattern (FLINK-28861: <id>_<transformation> instead of <id>_<type>_<version>_<transformation>), so the group aggregate's state is unmapped on 1.16.3, 1.20.3, 2.1.3 and 2.3.0; the 1.15 savepoint alone does not say whether a plan ran the job (plain SQL, sql-upgrade-groupby-from-1.15, keeps its IDs), so --to-flink keeps the IDs and hedges: warning sql-plan-uid-format-changed, a headline that is not a bare restores. The plan run on the target, the exported job graph, the canary and --to-flink with --old-job agree with Flink",
    ),
    (
        "sql-upgrade-match-from-1.18",
        &[],
        &["--to-flink"],
        "the same plain SQL MATCH_RECOGNIZE planned anew by 1.19.3, 1.20.3, 2.0.0, 2.2.1 and 2.3.0 gives its Match operator another ID than 1.18.1 did (FLINK-27992 chains it to the timestamp inserter; the other plain SQL bases of 1.18.1 keep theirs). The savepoint alone shows neither the release that wrote it (its format spans 1.16 - 1.20) nor whether a compiled plan ran it, so --to-flink keeps the IDs and hedges: warning sql-match-id-changes-on-1-19, a headline that is not a bare restores; the job graph exported on the new release and the canary agree with Flink",
    ),
    (
        "on-conflict-nothing-to-error",
        &["2.3.0"],
        &["job-graph", "with the old job"],
        "ON CONFLICT DO NOTHING -> DO ERROR restores the same state, and whether the rows DO NOTHING kept then conflict depends on those rows: this savepoint's restored job failed in three recordings, a fresh base's restored and ran (as did plan-on-conflict-nothing-to-error); spcompat says restores with the warning sql-on-conflict-nothing-to-error (it does not read saved row values)",
    ),
    (
        "match-variable-renamed",
        &[],
        &["job-graph"],
        "the old MATCH_RECOGNIZE pattern is not in the savepoint: from the new job alone spcompat hedges (cep-pattern-not-compared, never a bare restores); with the old job (check --old-job, diff) it says fails (sql-match-changed, tests/cases/sql_cases.rs)",
    ),
    (
        "kryo-class-changed",
        &[],
        &["job-graph", "canary"],
        "Kryo's snapshot records only the class name, not its fields: no input shows the change (Flink fails inside Kryo at restore); spcompat warns that the state is a blind spot (kryo-serialized-state)",
    ),
    (
        "native-rocksdb-to-hashmap",
        &["1.18.1", "1.20.3", "2.3.0"],
        &["canary"],
        "the canary savepoint is canonical, so the new backend is unknown (the job graph's stateBackend shows it and agrees); on 1.15.4 the native savepoint restores on hashmap, as spcompat predicts from any input",
    ),
    (
        "native-forst-to-hashmap",
        &["2.3.0"],
        &["canary"],
        "as native-rocksdb-to-hashmap: the canary savepoint was taken on hashmap (canonical), so the new backend is unknown; the job graph's stateBackend shows it and agrees",
    ),
    (
        "custom-serializer-incompatible",
        &[],
        &["job-graph", "canary"],
        "a user-written TypeSerializerSnapshot decides by its own code: spcompat reports the state as not examined (and, against the canary, the snapshot's version change) but cannot know that Flink rejects it",
    ),
    (
        "map-key-pojo-evolved-rocksdb",
        &[],
        &["canary"],
        "the canary savepoint is canonical, so the new backend is unknown and a MapState key migration is only a warning (the job graph carries stateBackend and agrees)",
    ),
    (
        "upgrade-kryo-collections-from-1.20",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "upgrade-kryo-collections-from-1.18",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "upgrade-kryo-collections-rocksdb-from-1.20",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "upgrade-kryo-collections-rocksdb-from-1.18",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "upgrade-kryo-collections-from-1.19",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "upgrade-kryo-collections-rocksdb-from-1.19",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "upgrade-kryo-collections-from-1.15",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "upgrade-kryo-collections-rocksdb-from-1.15",
        &["2.0.0", "2.1.3", "2.2.1", "2.3.0"],
        &["job-graph", "canary", "--to-flink"],
        KRYO_HOLDS_A_COLLECTION,
    ),
    (
        "nouid-uidhash-rebind",
        &[],
        &["canary"],
        "setUidHash is not stored in savepoints, so a canary savepoint cannot show the rebinding; the job graph can and agrees",
    ),
];

/// A Kryo class holding a List and a Map, 1.x -> 2.x: Flink 2.x fails inside Kryo
/// (`Encountered unregistered class ID`), a Kryo class with only a long and a String restores.
const KRYO_HOLDS_A_COLLECTION: &str = "Kryo's snapshot records only the class name, not its fields: no input shows that the class holds a java.util collection; spcompat warns that 1.x Kryo state crosses to 2.x (kryo-across-flink-2), and its headline says that only the serializer can judge that state (not a bare restores), but it cannot predict the failure";

/// Is the case's variant the base job itself, unchanged, on the case's Flink release? Then
/// `check --to-flink <that release>` with no new job describes exactly what Flink ran.
fn runs_the_same_job(case: &Case) -> bool {
    // The upgrade corpus: the base job itself on a later Flink.
    if case.json["category"] == "upgrade" {
        return true;
    }
    // SQL jobs moved to a later Flink: those that run the base's own SQL (or plan).
    if case.json["category"] == "sql-upgrade" {
        return case.json["sameJob"] == true;
    }
    let id = case.id();
    id.ends_with("identical")
        || id.ends_with("unchanged")
        || [
            "kryo-across-flink-2",
            "downgrade-2.3-to-1.20",
            "kafka-same-topics",
        ]
        .contains(&id)
}

/// Cross-version cases whose job had to be ported to build against the target release (the
/// serializer classes it used are gone there): Flink fails to read the saved state even so, and
/// the unported job, which `--to-flink` judges, cannot read it either.
const PORTED_FOR_THE_TARGET: &[&str] = &[
    "legacy-snapshot-after-1.17",
    "scala-option-on-flink-2",
    "scala-case-class-on-flink-2",
];

/// Does a gap entry name this case (`<version>/<id>`)?
fn gap_names(case: &str, id: &str, versions: &[&str]) -> bool {
    let (version, case_id) = case.split_once('/').unwrap_or(("", case));
    case_id == id && (versions.is_empty() || versions.contains(&version))
}

fn gap_covers(case: &str, label: &str) -> bool {
    KNOWN_GAPS.iter().any(|(id, versions, labels, _)| {
        gap_names(case, id, versions) && labels.iter().any(|l| label.starts_with(l))
    })
}

/// One trial per recorded case, named `flink_cases::<flink version>/<case id>`, plus one that
/// there are cases at all.
pub fn trials() -> Vec<Trial> {
    let cases = all_cases();
    let mut trials = vec![asserting("flink_cases::there_are_recorded_cases", || {
        assert!(!all_cases().is_empty(), "no cases under fixtures/cases")
    })];
    trials.push(asserting(
        "flink_cases::upgrade_runs_read_back_every_key",
        upgrade_runs_read_back_every_key,
    ));
    trials.push(asserting(
        "flink_cases::timer_runs_account_for_every_timer",
        timer_runs_account_for_every_timer,
    ));
    for case in cases {
        trials.push(trial(format!("flink_cases::{}", case.name), move || {
            spcompat_agrees_with_flink(&case)
        }));
    }
    trials
}

/// The states (`operator/state` in case.json) whose values a restored run read back differently
/// from what the base wrote, or not at all: silent corruption. Timers the base registered that
/// did not fire after the restore, or fired at another time, count against the timer queue
/// Flink keeps them in (`_timer_state/event_user-timers`, `_timer_state/processing_user-timers`).
fn lost_on_read_back(run: &serde_json::Value) -> Vec<String> {
    let mut lost: Vec<String> = run["readBack"]["states"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, c)| c["mismatched"].as_u64() > Some(0) || c["missing"].as_u64() > Some(0))
        .filter_map(|(k, _)| k.split_once('/').map(|(_, state)| state.to_string()))
        .collect();
    for (domain, c) in run["readBack"]["timers"].as_object().into_iter().flatten() {
        if c["missing"].as_u64() > Some(0) || c["wrong"].as_u64() > Some(0) {
            lost.push(format!("_timer_state/{domain}_user-timers"));
        }
    }
    lost
}

/// The timer-firing cases record, per restored run, the base's 8 event-time and 8
/// processing-time timers as fired or missing (and any firing at a wrong time), so a restore
/// that drops timers is caught by `lost_on_read_back` above.
fn timer_runs_account_for_every_timer() {
    let mut runs = 0;
    for case in all_cases()
        .iter()
        .filter(|c| c.id().starts_with("upgrade-timer-firing"))
    {
        for run in case.json["runs"].as_array().unwrap() {
            if run["outcome"] != "restored" {
                continue;
            }
            runs += 1;
            for domain in ["event", "processing"] {
                let t = &run["readBack"]["timers"][domain];
                assert_eq!(t["expected"], 8, "{}: {domain} timers expected", case.name);
                let (fired, missing) = (t["fired"].as_u64(), t["missing"].as_u64());
                assert_eq!(
                    fired.zip(missing).map(|(f, m)| f + m),
                    Some(8),
                    "{}: {domain} timers neither fired nor missing",
                    case.name
                );
                assert!(t["wrong"].is_u64(), "{}: {domain} wrong", case.name);
            }
        }
    }
    assert!(runs >= 16, "only {runs} restored timer-firing runs");
}

/// Does the report carry an error-level reason about `state`?
fn has_error_on_state(report: &serde_json::Value, state: &str) -> bool {
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| o["reasons"].as_array().into_iter().flatten())
        .any(|r| r["severity"] == "error" && r["state"] == state)
}

/// The upgrade corpus reads every key's state back after a restore: each restored run of an
/// upgrade case has a read-back covering all 8 keys of each keyed state (2 subtasks for
/// broadcast and union state), so a regenerated corpus that loses values is seen above.
fn upgrade_runs_read_back_every_key() {
    let mut runs = 0;
    for case in all_cases()
        .iter()
        .filter(|c| c.json["category"] == "upgrade")
    {
        for run in case.json["runs"].as_array().unwrap() {
            if run["outcome"] != "restored" {
                assert!(
                    run["readBack"].is_null(),
                    "{}: a failed run has no read-back",
                    case.name
                );
                continue;
            }
            runs += 1;
            let states = run["readBack"]["states"]
                .as_object()
                .unwrap_or_else(|| panic!("{}: restored without a read-back", case.name));
            assert!(!states.is_empty(), "{}: nothing read back", case.name);
            for (state, c) in states {
                let per_subtask = state.starts_with("bcast/") || state.starts_with("union/");
                let want = if per_subtask { 2 } else { 8 };
                assert_eq!(c["checked"], want, "{}: {state} checked", case.name);
            }
        }
    }
    assert!(
        runs >= 20,
        "only {runs} restored upgrade runs with a read-back"
    );
}

/// For a SQL case whose base an older release wrote and whose new job runs from a compiled
/// plan: the arguments that say how the plan runs (`--to-flink` the case's release, `--set`
/// each `SET 'key' = 'value';` of its script).
fn plan_across_releases(case: &Case) -> Option<Vec<std::ffi::OsString>> {
    case.json["baseFlinkVersion"].as_str()?;
    case.json["newPlan"].as_str()?;
    let mut args: Vec<std::ffi::OsString> = vec![
        "--to-flink".into(),
        case.json["flinkVersion"].as_str()?.into(),
    ];
    let script = case
        .path("newSql")
        .and_then(|p| std::fs::read_to_string(p).ok());
    for line in script.iter().flat_map(|s| s.lines()) {
        let Some(rest) = line.trim().strip_prefix("SET ") else {
            continue;
        };
        let parts: Vec<&str> = rest.split('\'').collect();
        if let [_, key, _, value, ..] = parts.as_slice() {
            args.push("--set".into());
            args.push(format!("{key}={value}").into());
        }
    }
    Some(args)
}

/// Every prediction for `case`, from every form of the new job it provides, agrees with
/// Flink, except the known gaps, each of which must still disagree.
fn spcompat_agrees_with_flink(case: &Case) -> Result<(), String> {
    let savepoint = case.dir.join(case.json["base"].as_str().unwrap());
    let mut inputs: Vec<(&str, PathBuf)> = Vec::new();
    for (label, key) in [
        ("job-graph", "newJob"),
        ("job-graph without IDs", "newJobNoIds"),
        ("canary savepoint", "canary"),
        ("compiled plan", "newPlan"),
    ] {
        if let Some(rel) = case.json[key].as_str() {
            let path = case.dir.join(rel);
            // A file the case names but lacks would silently drop an input.
            if !path.exists() {
                return Err(format!("{key}: {} is missing", path.display()));
            }
            inputs.push((label, path));
        }
    }
    let stateful = stateful_operators(&savepoint);
    let id = case.json["id"].as_str().unwrap();
    let to_flink = (runs_the_same_job(case) || PORTED_FOR_THE_TARGET.contains(&id))
        .then(|| case.json["flinkVersion"].as_str().unwrap());
    let across = plan_across_releases(case);
    let mut disagreements: Vec<(String, String)> = Vec::new();
    let mut checked = 0;
    for run in case.json["runs"].as_array().unwrap() {
        // A statement the new release refuses to plan never reaches the state: the rule that
        // names the refusal is `sql_upgrades`' part.
        if run["phase"] == "planning" {
            continue;
        }
        let n = run["allowNonRestoredState"].as_bool().unwrap();
        let want = expected(run, &stateful);
        let mut predictions: Vec<(&str, (serde_json::Value, i32, String))> = inputs
            .iter()
            .map(|(label, input)| match (*label, &across) {
                // An older release's plan run on this one: as a user asks for it, with the
                // release and the job's SET options.
                ("compiled plan", Some(args)) => {
                    let mut args: Vec<&std::ffi::OsStr> =
                        args.iter().map(|a| a.as_os_str()).collect();
                    args.splice(0..0, ["--job".as_ref(), input.as_os_str()]);
                    (*label, check_with(&savepoint, &args, n))
                }
                _ => (*label, check(&savepoint, input, n)),
            })
            .collect();
        if let Some(version) = to_flink {
            predictions.push(("--to-flink", check_to_flink(&savepoint, version, n)));
        }
        // SQL cases: also with the old job, which alone carries e.g. the old MATCH_RECOGNIZE
        // pattern (its label is not covered by the job-graph gaps).
        let sql = ["sql", "sql-upgrade"].contains(&case.json["category"].as_str().unwrap_or(""));
        if let (true, Some(new), Some(old)) = (
            sql,
            case.json["newJob"].as_str(),
            case.json["oldJob"].as_str(),
        ) {
            predictions.push((
                "with the old job: job-graph",
                check_with_old_job(&savepoint, &case.dir.join(new), &case.dir.join(old), n),
            ));
        }
        let lost = lost_on_read_back(run);
        for (label, (report, code, stderr)) in &predictions {
            checked += 1;
            for state in &lost {
                if !has_error_on_state(report, state) {
                    disagreements.push((
                        label.to_string(),
                        format!("[{label}{}] Flink restored but state `{state}` read back wrong or missing; spcompat reports no error for it", if n { ", -n" } else { "" }),
                    ));
                }
            }
            for e in compare(report, *code, stderr, &want) {
                disagreements.push((
                    label.to_string(),
                    format!("[{label}{}] {e}", if n { ", -n" } else { "" }),
                ));
            }
        }
    }
    let unexpected: Vec<&str> = disagreements
        .iter()
        .filter(|(label, _)| !gap_covers(&case.name, label))
        .map(|(_, e)| e.as_str())
        .collect();
    let mut fixed = Vec::new();
    for (id, versions, labels, _) in KNOWN_GAPS {
        if !gap_names(&case.name, id, versions) {
            continue;
        }
        for l in *labels {
            if !disagreements.iter().any(|(label, _)| label.starts_with(l)) {
                fixed.push(format!("{} [{l}]", case.name));
            }
        }
    }
    if unexpected.is_empty() && fixed.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{checked} predictions checked.\nDisagreements with Flink:\n{}\nKnown gaps that now agree (remove them from KNOWN_GAPS): {fixed:?}",
        unexpected.join("\n")
    ))
}
