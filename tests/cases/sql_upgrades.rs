//! SQL jobs moved to a later Flink (`fixtures/cases/<release>/sql-upgrade-*`, category
//! `sql-upgrade`, recorded by `fixtures/sql-cases-generator` with `UPGRADE_FROM`): an older
//! release's base savepoint started on the newer one, with the base's own SQL (planned anew),
//! its compiled plan as the old release wrote it, or the statement as changed for the new
//! release. Whether each verdict agrees with Flink is `flink_cases`' part; here: the statements
//! the new release refuses to plan are named from the savepoint alone (`--to-flink`), and a
//! statement that did plan there gets no such warning from its export or canary savepoint.

use crate::common::cases::{
    Case, all_cases, check, check_job_on_flink, check_to_flink, reasons_with_code,
};
use crate::trial;
use libtest_mimic::Trial;
use serde_json::Value;
use spcompat::flink::{FlinkRange, Release};

const ON_CONFLICT_REQUIRED: &str = "sql-on-conflict-required";
const PLAN_PRIMARY_KEY_NAME: &str = "sql-plan-primary-key-name";

fn sql_upgrades() -> Vec<Case> {
    all_cases()
        .into_iter()
        .filter(|c| c.json["category"] == "sql-upgrade")
        .collect()
}

/// The findings of `rule` in a check report: (operator ID, state).
fn findings_of(report: &Value, rule: &str) -> Vec<(String, String)> {
    reasons_with_code(report, rule)
        .into_iter()
        .map(|(o, r)| {
            (
                o["operatorId"].as_str().unwrap_or("").to_string(),
                r["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Every SQL base of a release that SQL jobs were moved from (1.20.3 at least) has its
/// same-job upgrade to 2.3.0.
fn every_sql_base_is_moved_to_the_newest_flink() -> Result<(), String> {
    let cases = sql_upgrades();
    let mut from: Vec<String> = cases
        .iter()
        .filter_map(|c| c.json["baseFlinkVersion"].as_str().map(str::to_string))
        .chain(["1.20.3".to_string()])
        .collect();
    from.sort();
    from.dedup();
    let mut missing = Vec::new();
    for version in &from {
        let dir = crate::common::root()
            .join("fixtures/cases")
            .join(version)
            .join("bases");
        let bases: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("sql-"))
            .collect();
        if bases.is_empty() {
            return Err(format!("no SQL bases on {version}"));
        }
        for b in bases {
            let base = format!("../../{version}/bases/{b}");
            if !cases.iter().any(|c| {
                c.json["sameJob"] == true
                    && c.json["flinkVersion"] == "2.3.0"
                    && c.json["base"].as_str() == Some(base.as_str())
            }) {
                missing.push(format!("{version}/{b}"));
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "SQL bases without a same-job upgrade to 2.3.0 (UPGRADE_FROM=<release> fixtures/sql-cases-generator/generate.sh 2.3.0): {missing:?}"
        ))
    }
}

/// The job-level SQL changes of `rule` in a check report: their messages.
fn sql_changes_of(report: &Value, rule: &str) -> Vec<String> {
    report["sql"]["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["code"] == rule)
        .map(|c| c["message"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A run Flink refused while planning is named, with and without -n: the ON CONFLICT
/// requirement by `check --to-flink` on the base (on the savepoint's materializer state), a
/// table of an old plan that no longer matches the catalog by `check --job <the old plan>
/// --to-flink` (as a SQL change naming the table).
fn planning_refusals_are_named(case: &Case) -> Result<(), String> {
    let base = case.dir.join(case.json["base"].as_str().unwrap());
    let version = case.json["flinkVersion"].as_str().unwrap();
    let mut errors = Vec::new();
    for run in case.json["runs"].as_array().unwrap() {
        if run["phase"] != "planning" {
            continue;
        }
        let message = run["message"].as_str().unwrap_or("");
        let n = run["allowNonRestoredState"].as_bool().unwrap();
        if message
            .contains("from the persisted plan does not match the schema loaded from the catalog")
        {
            let plan = case.dir.join(case.json["oldPlan"].as_str().unwrap());
            let (report, code, stderr) = check_job_on_flink(&base, &plan, version, n);
            let table = message
                .split('\'')
                .nth(1)
                .and_then(|t| t.rsplit('.').next())
                .unwrap_or("?");
            let found = sql_changes_of(&report, PLAN_PRIMARY_KEY_NAME);
            if !found.iter().any(|m| m.contains(&format!("`{table}`"))) {
                errors.push(format!(
                    "--job {} --to-flink {version}{}: no {PLAN_PRIMARY_KEY_NAME} for table `{table}` (exit {code}): {found:?} {stderr}",
                    plan.display(),
                    if n { " -n" } else { "" }
                ));
            }
            continue;
        }
        if !message.contains("ON CONFLICT") {
            errors.push(format!("no rule names this planning refusal: {message}"));
            continue;
        }
        let (report, code, stderr) = check_to_flink(&base, version, n);
        let found = findings_of(&report, ON_CONFLICT_REQUIRED);
        if !found.iter().any(|(_, state)| state == "values") {
            errors.push(format!(
                "--to-flink {version}{}: no {ON_CONFLICT_REQUIRED} on the materializer's `values` (exit {code}): {found:?} {stderr}",
                if n { " -n" } else { "" }
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// A statement that planned on the new release (its export ran there, its canary savepoint was
/// taken there) gets no ON CONFLICT warning from either.
fn a_planned_statement_is_not_warned(case: &Case) -> Result<(), String> {
    let base = case.dir.join(case.json["base"].as_str().unwrap());
    let mut errors = Vec::new();
    for key in ["newJob", "canary"] {
        let Some(rel) = case.json[key].as_str() else {
            continue;
        };
        let (report, _, stderr) = check(&base, &case.dir.join(rel), false);
        if report.is_null() {
            errors.push(format!("{key}: no report: {stderr}"));
        }
        let found = findings_of(&report, ON_CONFLICT_REQUIRED);
        if !found.is_empty() {
            errors.push(format!("{key}: {ON_CONFLICT_REQUIRED} on {found:?}"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// On a release before 2.3 the statement plans without ON CONFLICT (recorded on 2.0.0), so the
/// savepoint alone gets no ON CONFLICT warning there either: the rule's lower bound.
fn no_on_conflict_warning_before_2_3(case: &Case) -> Result<(), String> {
    let base = case.dir.join(case.json["base"].as_str().unwrap());
    let version = case.json["flinkVersion"].as_str().unwrap();
    let mut errors = Vec::new();
    for n in [false, true] {
        let (report, code, stderr) = check_to_flink(&base, version, n);
        if report.is_null() {
            errors.push(format!(
                "--to-flink {version}: no report (exit {code}): {stderr}"
            ));
        }
        let found = findings_of(&report, ON_CONFLICT_REQUIRED);
        if !found.is_empty() {
            errors.push(format!(
                "--to-flink {version}{}: {ON_CONFLICT_REQUIRED} on {found:?}",
                if n { " -n" } else { "" }
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Releases before 2.3 (when the ON CONFLICT requirement came): 2.0.0 is the one recorded.
fn before_2_3(case: &Case) -> bool {
    case.json["flinkVersion"]
        .as_str()
        .and_then(FlinkRange::parse)
        .is_some_and(|v| v.below(Release::new(2, 3)))
}

fn has_planning_run(case: &Case) -> bool {
    case.json["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["phase"] == "planning")
}

pub fn trials() -> Vec<Trial> {
    let cases = sql_upgrades();
    let mut trials = vec![
        trial(
            "sql_upgrades::every_sql_base_is_moved_to_the_newest_flink",
            every_sql_base_is_moved_to_the_newest_flink,
        ),
        trial("sql_upgrades::a_planning_refusal_is_recorded", {
            let refused = cases.iter().filter(|c| has_planning_run(c)).count();
            move || match refused {
                0 => Err("no SQL upgrade case records a planning refusal".into()),
                _ => Ok(()),
            }
        }),
    ];
    let materializer_before_2_3 = cases
        .iter()
        .filter(|c| before_2_3(c) && c.name.contains("upsert-sink-require-on-conflict"))
        .count();
    trials.push(trial(
        "sql_upgrades::the_on_conflict_requirement_is_recorded_before_2_3",
        move || match materializer_before_2_3 {
            0 => Err("no upsert-sink-require-on-conflict upgrade onto a release before 2.3 (UPGRADE_FROM=1.20.3 fixtures/sql-cases-generator/generate.sh 2.0.0)".into()),
            _ => Ok(()),
        },
    ));
    for case in cases {
        let name = case.name.clone();
        if before_2_3(&case) && !has_planning_run(&case) {
            let c = case.clone();
            trials.push(trial(
                format!("sql_upgrades::no_on_conflict_warning_before_2_3::{name}"),
                move || no_on_conflict_warning_before_2_3(&c),
            ));
        }
        if has_planning_run(&case) {
            trials.push(trial(
                format!("sql_upgrades::planning_refusal_named::{name}"),
                move || planning_refusals_are_named(&case),
            ));
        } else {
            trials.push(trial(
                format!("sql_upgrades::planned_statement_not_warned::{name}"),
                move || a_planned_statement_is_not_warned(&case),
            ));
        }
    }
    trials
}
