//! Real edits of apache/flink-training's solutions, as teams make them (state type, key type,
//! state added, removed or renamed, uid changed or removed, an operator inserted, a window's
//! function, size, trigger or evictor changed), recorded by
//! `fixtures/real-jobs/record-flink-training.sh` (+ `record-flink-training-edits.sh`): each
//! edited jar run on Flink from its job's recorded savepoint without and with
//! allowNonRestoredState (Flink's outcome in `case.json`), run fresh for its own savepoint (the
//! canary) and exported (`new-job.json`). `check` must predict Flink's outcome from the export
//! exactly as from the canary, and the export must describe the edited job as its canary does.
//! A missing recording fails the tests.

use crate::common;
use crate::real_jobs::{
    EXAMPLES, FLINK, Set, TRAINING, differences, export_operators_on, job_dir, job_dir_on,
    read_json, savepoint, savepoint_on, savepoint_operators,
};

use std::path::PathBuf;

use common::cases::{
    check, compare, expected, ids_with_status, reasons_with_code, stateful_operators,
};
use serde_json::Value;

/// What Flink did with one edit, without and with -n: `restored`, or the exception it failed
/// with (the recordings are asserted so that a re-recording that changes Flink's answer is
/// seen, not silently taken as the new truth).
struct Edit {
    v: &'static str,
    set: &'static Set,
    job: &'static str,
    id: &'static str,
    without_n: &'static str,
    with_n: &'static str,
}

const RESTORED: &str = "restored";
const MIGRATION: &str = "org.apache.flink.util.StateMigrationException";
/// Flink's unmapped-state error, and its "Incompatible key/value state types" of a changed kind.
const ILLEGAL_STATE: &str = "java.lang.IllegalStateException";

const EDITS: [Edit; 16] = [
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "long-ride-alerts",
        id: "state-type-changed",
        without_n: MIGRATION,
        with_n: MIGRATION,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "long-ride-alerts",
        id: "operator-inserted",
        without_n: ILLEGAL_STATE,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "long-ride-alerts",
        id: "key-type-changed",
        without_n: MIGRATION,
        with_n: MIGRATION,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "rides-and-fares",
        id: "state-added",
        without_n: RESTORED,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "rides-and-fares",
        id: "state-removed",
        without_n: RESTORED,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "rides-and-fares",
        id: "state-renamed",
        without_n: RESTORED,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "rides-and-fares",
        id: "uid-changed",
        without_n: ILLEGAL_STATE,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "rides-and-fares",
        id: "uid-removed",
        without_n: ILLEGAL_STATE,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "hourly-tips",
        id: "window-function-reduce",
        without_n: ILLEGAL_STATE,
        with_n: ILLEGAL_STATE,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "hourly-tips",
        id: "window-function-aggregate",
        without_n: ILLEGAL_STATE,
        with_n: ILLEGAL_STATE,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "hourly-tips",
        id: "window-size-changed",
        without_n: RESTORED,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "hourly-tips",
        id: "trigger-changed",
        without_n: RESTORED,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &TRAINING,
        job: "hourly-tips",
        id: "evictor-added",
        without_n: MIGRATION,
        with_n: MIGRATION,
    },
    Edit {
        v: FLINK,
        set: &EXAMPLES,
        job: "top-speed-windowing",
        id: "evictor-changed",
        without_n: RESTORED,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &EXAMPLES,
        job: "session-windowing",
        id: "gap-changed",
        without_n: RESTORED,
        with_n: RESTORED,
    },
    Edit {
        v: FLINK,
        set: &EXAMPLES,
        job: "state-machine",
        id: "uid-added",
        without_n: ILLEGAL_STATE,
        with_n: RESTORED,
    },
];

/// The edits whose outcome could differ between versions (state and key type, uid, window
/// function, evictor), recorded on 1.18.1 and 2.3.0 too (`record-flink-training.sh VERSION`,
/// and two of the examples' on 2.3.0: `record-flink-examples.sh --edits-only 2.3.0`).
const OTHER_EDITS: [Edit; 12] = other_edits();

const fn other_edits() -> [Edit; 12] {
    const fn on(
        v: &'static str,
        job: &'static str,
        id: &'static str,
        without_n: &'static str,
        with_n: &'static str,
    ) -> Edit {
        Edit {
            v,
            set: &TRAINING,
            job,
            id,
            without_n,
            with_n,
        }
    }
    [
        on(
            "1.18.1",
            "long-ride-alerts",
            "state-type-changed",
            MIGRATION,
            MIGRATION,
        ),
        on(
            "1.18.1",
            "long-ride-alerts",
            "key-type-changed",
            MIGRATION,
            MIGRATION,
        ),
        on(
            "1.18.1",
            "rides-and-fares",
            "uid-changed",
            ILLEGAL_STATE,
            RESTORED,
        ),
        on(
            "1.18.1",
            "hourly-tips",
            "window-function-reduce",
            ILLEGAL_STATE,
            ILLEGAL_STATE,
        ),
        on(
            "1.18.1",
            "hourly-tips",
            "evictor-added",
            MIGRATION,
            MIGRATION,
        ),
        on(
            "2.3.0",
            "long-ride-alerts",
            "state-type-changed",
            MIGRATION,
            MIGRATION,
        ),
        on(
            "2.3.0",
            "long-ride-alerts",
            "key-type-changed",
            MIGRATION,
            MIGRATION,
        ),
        on(
            "2.3.0",
            "rides-and-fares",
            "uid-changed",
            ILLEGAL_STATE,
            RESTORED,
        ),
        on(
            "2.3.0",
            "hourly-tips",
            "window-function-reduce",
            ILLEGAL_STATE,
            ILLEGAL_STATE,
        ),
        on(
            "2.3.0",
            "hourly-tips",
            "evictor-added",
            MIGRATION,
            MIGRATION,
        ),
        Edit {
            v: "2.3.0",
            set: &EXAMPLES,
            job: "top-speed-windowing",
            id: "evictor-changed",
            without_n: RESTORED,
            with_n: RESTORED,
        },
        Edit {
            v: "2.3.0",
            set: &EXAMPLES,
            job: "state-machine",
            id: "uid-added",
            without_n: ILLEGAL_STATE,
            with_n: RESTORED,
        },
    ]
}

/// Every recorded edit, on every version.
fn all_edits() -> impl Iterator<Item = &'static Edit> {
    EDITS.iter().chain(OTHER_EDITS.iter())
}

impl Edit {
    fn dir(&self) -> PathBuf {
        job_dir_on(self.v, self.set, self.job)
            .join("edits")
            .join(self.id)
    }

    fn case(&self) -> Value {
        let case = read_json(&self.dir().join("case.json"));
        assert_eq!(case["id"], self.id);
        assert_eq!(case["flinkVersion"], self.v);
        assert_eq!(case["category"], "real-job-edit");
        case
    }

    /// A file or folder the case names, which must be there.
    fn named(&self, case: &Value, key: &str) -> PathBuf {
        let path = self.dir().join(case[key].as_str().unwrap());
        assert!(path.exists(), "{}: no {key} at {}", self.id, path.display());
        path
    }
}

/// Flink's recorded outcome of a run: `restored` or the exception it failed with.
fn outcome(run: &Value) -> String {
    match run["outcome"].as_str().unwrap() {
        "restored" => RESTORED.to_string(),
        _ => run["exception"].as_str().unwrap_or("?").to_string(),
    }
}

/// What Flink did with each edit, without and with -n.
#[test]
fn real_edits_recorded_flinks_outcomes() {
    let mut errors = Vec::new();
    for e in all_edits() {
        let case = e.case();
        let runs: Vec<(bool, String)> = case["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["allowNonRestoredState"].as_bool().unwrap(), outcome(r)))
            .collect();
        let want = vec![
            (false, e.without_n.to_string()),
            (true, e.with_n.to_string()),
        ];
        if runs != want {
            errors.push(format!(
                "{} on {}: Flink {runs:?}, the table {want:?}",
                e.id, e.v
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The edited jar's export describes the edited job as Flink's savepoint of it (the canary)
/// does: the same operator IDs and, per operator, the same states (name, kind, type) and key
/// type.
#[test]
fn real_edits_exports_match_their_canaries() {
    let mut errors = Vec::new();
    for e in all_edits() {
        let case = e.case();
        let exported = export_operators_on(e.v, &e.named(&case, "newJob"));
        let canary = savepoint_operators(&e.named(&case, "canary"));
        errors.extend(
            differences(&exported, &canary)
                .into_iter()
                .map(|d| format!("{} on {}: {d}", e.id, e.v)),
        );
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Each edit, from the edited jar's export and from its canary savepoint: the verdict Flink's
/// runs imply, the operators Flink could not map (unmapped) or failed restoring (incompatible:
/// the task Flink names runs it), with and without -n.
#[test]
fn real_edits_agree_with_flink_from_the_export_and_the_canary() {
    let mut errors = Vec::new();
    let mut checked = 0;
    for e in all_edits() {
        let case = e.case();
        let sp = savepoint_on(e.v, e.set, e.job);
        let stateful = stateful_operators(&sp);
        for (input, key) in [("export", "newJob"), ("canary", "canary")] {
            let new = e.named(&case, key);
            for run in case["runs"].as_array().unwrap() {
                let n = run["allowNonRestoredState"].as_bool().unwrap();
                let (report, code, stderr) = check(&sp, &new, n);
                checked += 1;
                let at = format!("{} on {} from the {input} (-n {n})", e.id, e.v);
                for err in compare(&report, code, &stderr, &expected(run, &stateful)) {
                    errors.push(format!("{at}: {err}"));
                }
                if let Some(task) = run["failingTask"].as_str() {
                    failing_task_runs_the_incompatible(&report, &sp, task, &at, &mut errors);
                }
            }
        }
    }
    assert_eq!(checked, (EDITS.len() + OTHER_EDITS.len()) * 4);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Flink's heap backend names the failing task, not the operator: every operator spcompat
/// finds incompatible must be one that task runs (by the name the savepoint's job gave it).
fn failing_task_runs_the_incompatible(
    report: &Value,
    sp: &std::path::Path,
    task: &str,
    at: &str,
    errors: &mut Vec<String>,
) {
    let incompatible = ids_with_status(report, "incompatible");
    let names: Vec<String> = report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["status"] == "incompatible")
        .filter_map(|o| {
            o["newOperator"]["name"]
                .as_str()
                .or(o["name"].as_str())
                .map(str::to_string)
        })
        .collect();
    if incompatible.is_empty() {
        errors.push(format!(
            "{at}: Flink failed in task {task}; spcompat finds nothing incompatible in {}",
            sp.display()
        ));
    } else if !names.is_empty() && !names.iter().all(|n| task.contains(n.as_str())) {
        errors.push(format!(
            "{at}: Flink failed in task {task}; spcompat's incompatible: {names:?}"
        ));
    }
}

/// The keyed window of HourlyTipsSolution, TopSpeedWindowing's and SessionWindowing's windows
/// (no uids: auto-generated IDs).
const HOURLY_WINDOW: &str = "9dd63673dd41ea021b896d5203f3ba7c";
const TOP_SPEED_WINDOW: &str = "90bea66de1c231edf33913ecd54406c1";
const SESSION_WINDOW: &str = "20ba6b65f97481d5570070de90e4e791";

/// Operator ID -> the `window-changed` messages of a report.
fn window_changes(report: &Value) -> Vec<(String, String)> {
    reasons_with_code(report, "window-changed")
        .into_iter()
        .map(|(o, r)| {
            (
                o["operatorId"].as_str().unwrap_or("?").to_string(),
                r["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A window's size, trigger or evictor is code, not state: Flink restored such edits silently
/// (an added evictor fails on the changed state serializer instead). Knowing
/// the old version's export (`check --old-job`, `diff`), spcompat still says `restores` and
/// warns on the keyed window, naming what changed; no other edit gets that warning, and
/// without the old job graph (the savepoint alone) there is nothing to see.
#[test]
fn a_changed_window_restores_with_a_warning_when_the_old_export_is_known() {
    let old_job = job_dir(&TRAINING, "hourly-tips").join("job.json");
    let sp = savepoint(&TRAINING, "hourly-tips");
    let mut errors = Vec::new();
    for e in EDITS.iter() {
        let case = e.case();
        let new = e.named(&case, "newJob");
        let old = job_dir(e.set, e.job).join("job.json");
        let out = assert_cmd::Command::cargo_bin("spcompat")
            .unwrap()
            .args(["check", "--format", "json", "--savepoint"])
            .arg(savepoint(e.set, e.job))
            .arg("--job")
            .arg(&new)
            .arg("--old-job")
            .arg(&old)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let changes = window_changes(&report);
        let want = match e.id {
            "window-size-changed" => Some((
                HOURLY_WINDOW,
                "TumblingEventTimeWindows(3600000) -> TumblingEventTimeWindows(7200000)",
            )),
            "trigger-changed" => Some((
                HOURLY_WINDOW,
                "EventTimeTrigger() -> ContinuousEventTimeTrigger(600000)",
            )),
            "evictor-added" => Some((HOURLY_WINDOW, "evictor none -> CountEvictor")),
            "evictor-changed" => Some((
                TOP_SPEED_WINDOW,
                "evictor TimeEvictor(10000) -> TimeEvictor(20000)",
            )),
            "gap-changed" => Some((
                SESSION_WINDOW,
                "EventTimeSessionWindows(3) -> EventTimeSessionWindows(5)",
            )),
            _ => None,
        };
        let as_wanted = match want {
            Some((op, text)) => {
                changes.len() == 1 && changes[0].0 == op && changes[0].1.contains(text)
            }
            None => changes.is_empty(),
        };
        if !as_wanted {
            errors.push(format!(
                "{}: window changes {changes:?}, want {want:?}",
                e.id
            ));
        }
        let restored = e.without_n == RESTORED;
        if (report["verdict"] == "restores") != restored {
            errors.push(format!(
                "{}: verdict {} with --old-job",
                e.id, report["verdict"]
            ));
        }
    }
    // The savepoint alone does not show a window's size.
    let size = EDITS
        .iter()
        .find(|e| e.id == "window-size-changed")
        .unwrap();
    let (report, code, _) = check(&sp, &size.named(&size.case(), "newJob"), false);
    assert_eq!(window_changes(&report), Vec::<(String, String)>::new());
    assert_eq!((report["verdict"].as_str(), code), (Some("restores"), 0));
    // `diff` of the two exports says the same as check --old-job.
    let out = assert_cmd::Command::cargo_bin("spcompat")
        .unwrap()
        .args(["diff", "--format", "json"])
        .arg(&old_job)
        .arg(size.named(&size.case(), "newJob"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let changes = window_changes(&report);
    if changes.len() != 1 || changes[0].0 != HOURLY_WINDOW {
        errors.push(format!("diff: window changes {changes:?}"));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
