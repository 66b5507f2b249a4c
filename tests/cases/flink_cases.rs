//! Real-Flink restore cases (`fixtures/cases/<flink version>/<case>/case.json`): a savepoint of
//! a base job, a variant job, and what real Flink did when the variant was started from the
//! savepoint, with and without `--allowNonRestoredState`. `spcompat check` must predict the same
//! outcome from every form of the new job the case provides: the exported job-graph, the same
//! graph without operator IDs (so spcompat derives them), the canary savepoint of the variant,
//! and the compiled plan for SQL cases that run from one.

use crate::common;

use std::path::PathBuf;

use common::cases::{
    Case, all_cases, check, check_to_flink, compare, expected, stateful_operators,
};
use libtest_mimic::Trial;

use crate::{asserting, trial};

/// Where spcompat cannot agree with Flink from a given input, and why: (case, Flink versions
/// (empty: every version the case was recorded on), input labels, reason). An input label matches by prefix ("job-graph" covers "job-graph without IDs"). The
/// test fails if any other prediction disagrees, and also if a listed gap starts agreeing (so
/// a fixed gap must leave the list).
const KNOWN_GAPS: &[(&str, &[&str], &[&str], &str)] = &[
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
        "nouid-uidhash-rebind",
        &[],
        &["canary"],
        "setUidHash is not stored in savepoints, so a canary savepoint cannot show the rebinding; the job graph can and agrees",
    ),
];

/// Is the case's variant the base job itself, unchanged, on the case's Flink release? Then
/// `check --to-flink <that release>` with no new job describes exactly what Flink ran.
fn runs_the_same_job(id: &str) -> bool {
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
const PORTED_FOR_THE_TARGET: &[&str] = &["legacy-snapshot-after-1.17", "scala-option-on-flink-2"];

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
    for case in cases {
        trials.push(trial(format!("flink_cases::{}", case.name), move || {
            spcompat_agrees_with_flink(&case)
        }));
    }
    trials
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
    let to_flink = (runs_the_same_job(id) || PORTED_FOR_THE_TARGET.contains(&id))
        .then(|| case.json["flinkVersion"].as_str().unwrap());
    let mut disagreements: Vec<(String, String)> = Vec::new();
    let mut checked = 0;
    for run in case.json["runs"].as_array().unwrap() {
        let n = run["allowNonRestoredState"].as_bool().unwrap();
        let want = expected(run, &stateful);
        let mut predictions: Vec<(&str, (serde_json::Value, i32, String))> = inputs
            .iter()
            .map(|(label, input)| (*label, check(&savepoint, input, n)))
            .collect();
        if let Some(version) = to_flink {
            predictions.push(("--to-flink", check_to_flink(&savepoint, version, n)));
        }
        for (label, (report, code, stderr)) in &predictions {
            checked += 1;
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
