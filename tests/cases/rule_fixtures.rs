//! Every rule in the catalog has a real-Flink fixture that shows it: a recorded case (a base
//! savepoint and a changed job, with what Flink did) on which `spcompat check` reports the rule
//! for the right operator and state, or, for lint rules, a job graph exported from a real
//! job. A rule without such a fixture is listed in `NO_REAL_FIXTURE` with the reason; the
//! test fails when a rule has neither, and when a listed rule gains a fixture.
//!
//! The other way round, `CASE_RULES` names the rule that explains each recorded DataStream
//! case, checked on every Flink version the case was recorded on, from the job graph and the
//! canary savepoint; `QUIET_CASES` (changes Flink accepts) must report no error. Whether the
//! verdict agrees with Flink is `tests/cases/flink_cases.rs`'s part.

use crate::common;

use assert_cmd::Command;
use common::cases::{Case, all_cases, check};
use common::root;
use libtest_mimic::Trial;
use serde_json::Value;
use spcompat::analysis::rules;

use crate::{asserting, trial};

/// Where a rule shows: case `<flink version>/<case id>` (or, for lint rules, a job-graph file
/// under `fixtures/cases`), the input the new job is given as, the operator (uid, or a part of
/// the name for SQL operators without one), the state the finding names, and its severity.
struct Shows {
    rule: &'static str,
    case: &'static str,
    input: Input,
    operator: &'static str,
    state: Option<&'static str>,
    severity: &'static str,
}

#[derive(Clone, Copy)]
enum Input {
    JobGraph,
    /// The case's job graph without the old version's (`--old-job` not given).
    JobGraphAlone,
    /// The case's job graph with every `state` list removed (a StreamGraph-only export).
    JobGraphNoState,
    Canary,
    Plan,
    /// No new job: `check --to-flink <the case's Flink release>` (the savepoint's own job moved).
    ToFlink,
    /// The old version's compiled plan run on the case's release: `check --job <oldPlan>
    /// --to-flink <release>`.
    OldPlanToFlink,
    /// `spcompat lint` on the file named by `case`.
    Lint,
}

const fn shows(
    rule: &'static str,
    case: &'static str,
    input: Input,
    operator: &'static str,
    state: Option<&'static str>,
    severity: &'static str,
) -> Shows {
    Shows {
        rule,
        case,
        input,
        operator,
        state,
        severity,
    }
}

use Input::*;

#[rustfmt::skip]
const FIXTURES: &[Shows] = &[
    // mapping and parallelism
    shows("unmapped-state", "2.3.0/uid-renamed", JobGraph, "counter", None, "error"),
    shows("native-state-backend-changed", "2.3.0/native-rocksdb-to-hashmap", JobGraph, "counter", None, "error"),
    shows("async-state-canonical-savepoint", "2.3.0/async-state-hashmap", JobGraph, "counter", None, "warning"),
    shows("sql-plan-uid-format-changed", "2.3.0/sql-upgrade-groupby-plan-from-1.15", JobGraph, "35ec24167c145ebd981eae1e4f4ff490", None, "error"),
    shows("sql-plan-uid-format-changed", "2.1.3/sql-upgrade-groupby-plan-from-1.15", OldPlanToFlink, "35ec24167c145ebd981eae1e4f4ff490", None, "error"),
    shows("sql-plan-uid-format-changed", "1.20.3/sql-upgrade-groupby-plan-from-1.15", ToFlink, "35ec24167c145ebd981eae1e4f4ff490", None, "warning"),
    shows("max-parallelism-mismatch", "2.3.0/max-parallelism-explicit-changed", JobGraph, "counter", None, "error"),
    shows("parallelism-above-max-parallelism", "2.3.0/parallelism-above-max-parallelism", JobGraph, "counter", None, "error"),
    shows("max-parallelism-adopted", "2.3.0/max-parallelism-implicit-changed", JobGraph, "counter", None, "info"),
    shows("restored-via-uid-hash", "2.3.0/nouid-uidhash-rebind", JobGraph, "counter", None, "info"),
    // coverage
    shows("state-not-examined", "2.3.0/custom-serializer-unchanged", JobGraph, "money", Some("balance"), "warning"),
    shows("state-type-unknown", "2.3.0/custom-serializer-incompatible", Canary, "money", Some("balance"), "warning"),
    shows("state-not-compared", "2.3.0/pojo-field-type-changed", JobGraphNoState, "pojo", Some("pojo"), "warning"),
    // sources (Kafka)
    shows("source-offsets-reset", "2.0.0/kafka-source-uid-changed", JobGraph, "kafka-source", None, "warning"),
    shows("source-topic-removed", "2.0.0/kafka-topic-removed", JobGraph, "kafka-source", None, "warning"),
    shows("source-topic-added", "2.0.0/kafka-topic-added", JobGraph, "kafka-source", None, "info"),
    // schema
    shows("key-type-changed", "2.3.0/key-type-changed", JobGraph, "bystring", None, "error"),
    shows("state-kind-changed", "2.3.0/value-to-list-state", JobGraph, "kind", Some("events"), "error"),
    shows("state-type-incompatible", "2.3.0/pojo-field-type-changed", JobGraph, "pojo", Some("pojo"), "error"),
    shows("state-type-migrated", "2.3.0/pojo-field-added", JobGraph, "pojo", Some("pojo"), "info"),
    shows("state-serializer-reconfigured", "2.3.0/enum-constant-added", Canary, "enum", Some("color"), "info"),
    shows("class-renamed", "2.3.0/pojo-class-renamed", JobGraph, "pojo", Some("pojo"), "error"),
    shows("enum-constant-removed", "2.3.0/enum-constant-removed", JobGraph, "enum", Some("color"), "error"),
    shows("tuple-arity-changed", "2.3.0/tuple2-to-tuple3", JobGraph, "tuple", Some("pair"), "error"),
    shows("rowdata-type-changed", "2.3.0/aggregate-added", JobGraph, "GroupAggregate", Some("accState"), "error"),
    shows("ttl-changed", "1.20.3/ttl-enabled", JobGraph, "ttl", Some("last"), "error"),
    shows("map-key-migration", "2.3.0/map-key-pojo-evolved-rocksdb", JobGraph, "mapkey", Some("byKey"), "error"),
    shows("kryo-across-flink-2", "2.3.0/kryo-across-flink-2", JobGraph, "kryo", Some("blob"), "warning"),
    shows("scala-serializer-on-flink-2", "2.3.0/scala-option-on-flink-2", JobGraph, "opt", Some("last"), "error"),
    shows("kryo-collection-on-flink-2", "2.3.0/upgrade-pojo-collections-from-1.20", JobGraph, "pojo", Some("pojo"), "error"),
    shows("kryo-collection-on-flink-2", "2.0.0/upgrade-collection-values-from-1.18", JobGraph, "colls", Some("list"), "error"),
    shows("state-dropped", "2.3.0/state-dropped", JobGraph, "twostate", Some("b"), "warning"),
    shows("state-added", "2.3.0/state-renamed", JobGraph, "kind", Some("events-v2"), "info"),
    shows("legacy-serializer-snapshot", "1.18.1/legacy-snapshot-after-1.17", JobGraph, "money", Some("balance"), "error"),
    shows("savepoint-newer-than-flink", "1.20.3/downgrade-2.3-to-1.20", JobGraph, "counter", None, "error"),
    // SQL
    shows("sql-group-key-changed", "2.3.0/group-key-added-same-shape", JobGraph, "GroupAggregate", None, "error"),
    shows("sql-aggregate-changed", "2.3.0/aggregate-added", JobGraph, "GroupAggregate", None, "error"),
    shows("sql-topology-shifted-ids", "2.3.0/statement-set-new-source", JobGraph, "GroupAggregate", None, "error"),
    shows("sql-plan-uids-missing", "2.3.0/sql-to-plan", Plan, "GroupAggregate", None, "error"),
    shows("sql-connector-options-changed", "2.3.0/source-option-changed", JobGraph, "source src", None, "info"),
    shows("sql-join-changed", "2.3.0/join-type-inner-to-left", JobGraph, "Join", None, "error"),
    shows("sql-deduplicate-changed", "2.3.0/dedup-keep-first-to-keep-last", JobGraph, "Deduplicate", None, "error"),
    shows("sql-window-changed", "2.3.0/window-topn-size-changed", JobGraph, "WindowRank", None, "warning"),
    shows("sql-top-n-changed", "2.3.0/window-topn-sort-key-changed", JobGraph, "WindowRank", None, "error"),
    shows("cep-pattern-not-compared", "1.20.3/match-identical", JobGraphAlone, "Match", Some("nfaStateName"), "warning"),
    shows("sql-match-changed", "1.20.3/match-variable-renamed", JobGraph, "Match", None, "error"),
    shows("sql-sink-materializer-changed", "1.20.3/upsert-sink-column-added", JobGraph, "SinkMaterializer", None, "error"),
    shows("sql-sink-materializer-replaced", "2.3.0/upsert-sink-strategy-map", JobGraph, "SinkMaterializer", None, "warning"),
    shows("sql-on-conflict-nothing-to-error", "2.3.0/on-conflict-nothing-to-error", JobGraph, "SinkMaterializer", None, "warning"),
    shows("sql-on-conflict-nothing-to-error", "2.3.0/on-conflict-nothing-to-error", JobGraphAlone, "SinkMaterializer", None, "warning"),
    shows("sql-sink-materializer-replaced", "2.3.0/upsert-sink-strategy-value-to-legacy", JobGraph, "SinkMaterializer", None, "warning"),
    shows("sql-state-ttl-changed", "1.20.3/join-ttl-hint-right-removed", JobGraph, "Join", None, "info"),
    shows("sql-plan-primary-key-name", "2.3.0/sql-upgrade-upsert-sink-plan-from-1.18", OldPlanToFlink, "snk", None, "warning"),
    shows("sql-plan-primary-key-name", "1.20.3/sql-upgrade-changelog-normalize-plan-from-1.18", OldPlanToFlink, "src", None, "warning"),
    shows("sql-on-conflict-required", "2.3.0/sql-upgrade-upsert-sink-require-on-conflict-from-1.20", ToFlink, "8169645948178b87f8ca664b8ebcd2e2", Some("values"), "warning"),
    shows("sql-match-id-changes-on-1-19", "1.19.3/sql-upgrade-match-from-1.18", ToFlink, "fbb4ef531e002f8fb3a2052db255adf5", Some("nfaStateName"), "warning"),
    // lint (one job version alone): job graphs exported from the real jobs
    shows("stateful-operator-without-uid", "2.3.0/bases/ds-nouids/job.json", Lint, "counter", None, "error"),
    shows("max-parallelism-not-set", "2.3.0/bases/ds-uids/job.json", Lint, "counter", None, "warning"),
    shows("kryo-serialized-state", "2.3.0/bases/ds-schema/job.json", Lint, "kryo", Some("blob"), "warning"),
    shows("sql-ids-follow-dag-shape", "2.3.0/bases/sql-groupby/job.json", Lint, "GroupAggregate", None, "warning"),
    shows("async-state-canonical-savepoint", "2.3.0/async-state-hashmap/new-job.json", Lint, "counter", None, "warning"),
];

/// Rules no real fixture can show, and why.
const NO_REAL_FIXTURE: &[(&str, &str)] = &[
    (
        "avro-schema-incompatible",
        "flink-avro and Avro are in no PyPI wheel and no Maven repository is reachable here, so no Flink job with Avro state can run; the rule is checked against apache-avro's schema resolution only",
    ),
    (
        "duplicate-uid",
        "Flink refuses to build a job graph with a duplicate uid, so no real job or savepoint has one; the lint exists for hand-written or generated job graphs",
    ),
    (
        "window-changed",
        "needs the old version's export-job graph (check --old-job, diff), which the cases under fixtures/cases do not carry; shown on real Flink by the recorded real-job edits hourly-tips window-size-changed and trigger-changed (tests/suite/real_job_edits.rs)",
    ),
];

fn spcompat() -> Command {
    Command::cargo_bin("spcompat").unwrap()
}

/// The reasons of the operator `name` (uid, else part of its or its new operator's name).
fn operator_reasons<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    let matches = |o: &Value| {
        [
            &o["uid"],
            &o["inferredUid"],
            &o["newOperator"]["uid"],
            &o["operatorId"],
        ]
        .iter()
        .any(|u| u.as_str() == Some(name))
            || [&o["name"], &o["newOperator"]["name"]]
                .iter()
                .any(|n| n.as_str().is_some_and(|n| n.contains(name)))
    };
    report["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| matches(o))
        .flat_map(|o| o["reasons"].as_array().into_iter().flatten())
        .collect()
}

fn lint_findings<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["uid"].as_str() == Some(name)
                || f["message"].as_str().is_some_and(|m| m.contains(name))
        })
        .collect()
}

/// Runs `case` with `input` (check, or lint) and returns the findings for `operator`. With
/// `expect_failure`, the case must be one where Flink failed without -n.
fn findings_of(
    case: &str,
    input_kind: Input,
    operator: &str,
    expect_failure: bool,
) -> Result<Vec<Value>, String> {
    let cases = root().join("fixtures/cases");
    if let Lint = input_kind {
        let out = spcompat()
            .args(["lint", "--format", "json"])
            .arg(cases.join(case))
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
            format!(
                "lint output is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        return Ok(lint_findings(&report, operator)
            .into_iter()
            .cloned()
            .collect());
    }
    let dir = cases.join(case);
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("case.json"))
            .map_err(|e| format!("no case.json: {e}"))?,
    )
    .unwrap();
    let key = match input_kind {
        JobGraph | JobGraphAlone | JobGraphNoState => Some("newJob"),
        Canary => Some("canary"),
        Plan => Some("newPlan"),
        ToFlink => None,
        OldPlanToFlink => Some("oldPlan"),
        Lint => unreachable!(),
    };
    let mut cmd = spcompat();
    cmd.args(["check", "--format", "json", "--savepoint"])
        .arg(dir.join(case["base"].as_str().unwrap()));
    let stripped = tempfile::tempdir().unwrap();
    if let Some(key) = key {
        let mut input = dir.join(case[key].as_str().ok_or(format!("the case has no {key}"))?);
        if let JobGraphNoState = input_kind {
            input = common::cases::without_state(&input, stripped.path());
        }
        cmd.arg("--job").arg(input);
    }
    let to_flink = matches!(input_kind, ToFlink | OldPlanToFlink);
    if to_flink {
        cmd.arg("--to-flink")
            .arg(case["flinkVersion"].as_str().unwrap());
    }
    // The old job graph names the savepoint's operators, and for SQL jobs lets the report
    // name the change in SQL terms.
    if let Some(old) = case["oldJob"]
        .as_str()
        .filter(|_| !to_flink && !matches!(input_kind, JobGraphAlone))
    {
        cmd.arg("--old-job").arg(dir.join(old));
    }
    let out = cmd.output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "check output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    // The rule must explain Flink's outcome: an error where Flink failed without -n.
    let flink_failed = case["runs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["allowNonRestoredState"] == false && r["outcome"] == "failed");
    if expect_failure && !flink_failed {
        return Err("the fixture is meant to show an error but Flink restored".into());
    }
    let mut found: Vec<Value> = operator_reasons(&report, operator)
        .into_iter()
        .cloned()
        .collect();
    // SQL changes that concern no operator with state (e.g. a source's connector options)
    // are listed once for the job.
    found.extend(
        report["sql"]["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["message"].as_str().is_some_and(|m| m.contains(operator)))
            .cloned(),
    );
    Ok(found)
}

/// `s.rule` is reported on its fixture for the right operator, state and severity.
fn rule_shows_on_its_fixture(s: &Shows) -> Result<(), String> {
    let found = findings_of(s.case, s.input, s.operator, s.severity == "error")
        .map_err(|e| format!("{} on {}: {e}", s.rule, s.case))?;
    let hit = found.iter().find(|f| {
        f["code"] == s.rule
            && f["severity"] == s.severity
            && s.state.is_none_or(|st| {
                f["state"].as_str() == Some(st)
                    || f["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(&format!("`{st}`")))
            })
    });
    if hit.is_some() {
        return Ok(());
    }
    let got: Vec<String> = found
        .iter()
        .map(|f| format!("{} {} {}", f["code"], f["severity"], f["state"]))
        .collect();
    Err(format!(
        "{} ({}) not reported on {} for {}{}: got {got:?}",
        s.rule,
        s.severity,
        s.case,
        s.operator,
        s.state.map(|st| format!(" / {st}")).unwrap_or_default()
    ))
}

fn every_rule_has_a_real_fixture_or_a_reason() {
    for rule in rules::ALL {
        let shown = FIXTURES.iter().any(|s| s.rule == rule.id);
        let excused = NO_REAL_FIXTURE.iter().any(|(id, _)| *id == rule.id);
        assert!(
            shown || excused,
            "rule {} has no real fixture in tests/cases/rule_fixtures.rs",
            rule.id
        );
        assert!(
            !(shown && excused),
            "rule {} has a fixture now: drop it from NO_REAL_FIXTURE",
            rule.id
        );
    }
    for s in FIXTURES {
        assert!(rules::find(s.rule).is_some(), "unknown rule {}", s.rule);
    }
}

/// A user-written serializer leaves spcompat unable to decide, and Flink's recorded answer on
/// `custom-serializer-incompatible` is a failure: a team can make such state block the deploy
/// by raising the coverage rules to errors. The prediction stays Flink's (`restores` as far as
/// spcompat can tell); the exit code follows the policy.
fn unexaminable_state_can_be_made_blocking() {
    let dir = root().join("fixtures/cases/1.20.3/custom-serializer-incompatible");
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        config.path(),
        "[severity]\nstate-not-examined = \"error\"\nstate-type-unknown = \"error\"\n",
    )
    .unwrap();
    let run = |config: Option<&std::path::Path>| {
        let mut cmd = spcompat();
        cmd.args(["check", "--format", "json", "--savepoint"])
            .arg(dir.join("../bases/ds-custom"))
            .arg("--job")
            .arg(dir.join("canary"));
        if let Some(c) = config {
            cmd.arg("--config").arg(c);
        }
        let out = cmd.output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (report, out.status.code())
    };
    let (plain, code) = run(None);
    assert_eq!(
        (plain["effectiveVerdict"].as_str(), code),
        (Some("restores"), Some(0))
    );
    let (strict, code) = run(Some(config.path()));
    assert_eq!(strict["verdict"], "restores");
    assert_eq!(
        (strict["effectiveVerdict"].as_str(), code),
        (Some("fails"), Some(1))
    );
    let errors: Vec<&str> = strict["policyErrors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.as_str())
        .collect();
    assert!(
        errors.iter().any(|e| e.starts_with("state-type-unknown")),
        "{errors:?}"
    );
}

/// The rule each recorded DataStream case must be explained by: (case id, Flink versions (empty:
/// every version it was recorded on), inputs, operator uid, state, rule). Kafka and SQL cases are checked
/// by their own tests (`kafka_sources.rs`, `sql_cases.rs`); cases with nothing to say
/// (identical jobs, allowed changes) must report no error (`quiet_case_reports_no_error`).
/// (case id, Flink versions, inputs, operator uid, state, rule)
type CaseRule = (
    &'static str,
    &'static [&'static str],
    &'static [Input],
    &'static str,
    Option<&'static str>,
    &'static str,
);

#[rustfmt::skip]
const CASE_RULES: &[CaseRule] = &[
    ("stateful-operator-removed", &[], &[JobGraph, Canary], "counter", None, "unmapped-state"),
    ("uid-renamed", &[], &[JobGraph, Canary], "counter", None, "unmapped-state"),
    ("source-uid-renamed", &[], &[JobGraph, Canary], "source", None, "unmapped-state"),
    ("source-uid-renamed", &[], &[JobGraph, Canary], "source", None, "source-offsets-reset"),
    ("max-parallelism-explicit-changed", &[], &[JobGraph, Canary], "counter", None, "max-parallelism-mismatch"),
    ("max-parallelism-jobwide-changed", &[], &[JobGraph, Canary], "counter", None, "max-parallelism-mismatch"),
    ("parallelism-above-max-parallelism", &[], &[JobGraph, Canary], "counter", None, "parallelism-above-max-parallelism"),
    ("nouid-uidhash-rebind", &[], &[JobGraph], "counter", None, "restored-via-uid-hash"),
    ("pojo-field-added", &[], &[JobGraph, Canary], "pojo", Some("pojo"), "state-type-migrated"),
    ("pojo-field-added-rocksdb", &[], &[JobGraph, Canary], "pojo", Some("pojo"), "state-type-migrated"),
    ("pojo-field-removed", &[], &[JobGraph, Canary], "pojo", Some("pojo"), "state-type-migrated"),
    ("pojo-field-type-changed", &[], &[JobGraph, Canary], "pojo", Some("pojo"), "state-type-incompatible"),
    ("pojo-class-renamed", &[], &[JobGraph, Canary], "pojo", Some("pojo"), "class-renamed"),
    ("state-renamed", &[], &[JobGraph, Canary], "kind", Some("events-v2"), "state-added"),
    ("state-renamed", &[], &[JobGraph, Canary], "kind", Some("events"), "state-dropped"),
    ("operator-state-type-changed", &[], &[JobGraph, Canary], "opstate", Some("buffer"), "state-type-incompatible"),
    ("tuple2-to-tuple3", &[], &[JobGraph, Canary], "tuple", Some("pair"), "tuple-arity-changed"),
    ("row-field-added", &[], &[JobGraph, Canary], "row", Some("row"), "tuple-arity-changed"),
    ("value-to-list-state", &[], &[JobGraph, Canary], "kind", Some("events"), "state-kind-changed"),
    ("key-type-changed", &[], &[JobGraph, Canary], "bystring", None, "key-type-changed"),
    ("ttl-enabled", &[], &[JobGraph, Canary], "ttl", Some("last"), "ttl-changed"),
    ("ttl-enabled-rocksdb", &[], &[JobGraph, Canary], "ttl", Some("last"), "ttl-changed"),
    ("ttl-disabled", &[], &[JobGraph, Canary], "ttl", Some("last"), "ttl-changed"),
    ("enum-constant-added", &[], &[JobGraph, Canary], "enum", Some("color"), "state-serializer-reconfigured"),
    ("enum-constant-removed", &[], &[JobGraph, Canary], "enum", Some("color"), "enum-constant-removed"),
    ("enum-constants-reordered", &[], &[JobGraph, Canary], "enum", Some("color"), "state-serializer-reconfigured"),
    ("tuple-field-type-changed", &[], &[JobGraph, Canary], "tuple", Some("pair"), "state-type-incompatible"),
    ("row-field-type-changed", &[], &[JobGraph, Canary], "row", Some("row"), "state-type-incompatible"),
    ("mapstate-value-type-changed", &[], &[JobGraph, Canary], "mapstate", Some("perKey"), "state-type-incompatible"),
    ("enum-class-renamed", &[], &[JobGraph, Canary], "enum", Some("color"), "class-renamed"),
    ("mapstate-value-evolved-heap", &[], &[JobGraph, Canary], "mapstate", Some("perKey"), "state-type-migrated"),
    ("mapstate-value-evolved-rocksdb", &[], &[JobGraph, Canary], "mapstate", Some("perKey"), "state-type-migrated"),
    ("map-key-pojo-evolved-heap", &[], &[JobGraph, Canary], "mapkey", Some("byKey"), "map-key-migration"),
    ("map-key-pojo-evolved-rocksdb", &[], &[JobGraph, Canary], "mapkey", Some("byKey"), "map-key-migration"),
    ("operator-list-to-union", &[], &[JobGraph, Canary], "oplist", Some("buffer"), "state-kind-changed"),
    ("broadcast-value-type-changed", &[], &[JobGraph, Canary], "bcast", Some("rules"), "state-type-incompatible"),
    ("state-dropped", &[], &[JobGraph, Canary], "twostate", Some("b"), "state-dropped"),
    // Flink restores these; a canonical savepoint of the new job then fails (case.json).
    ("async-state-hashmap", &[], &[JobGraph], "counter", None, "async-state-canonical-savepoint"),
    ("async-state-rocksdb-native", &[], &[JobGraph], "counter", None, "async-state-canonical-savepoint"),
    ("async-state-from-1.20", &[], &[JobGraph], "counter", None, "async-state-canonical-savepoint"),
    ("async-state-forst-identical", &[], &[JobGraph], "counter", None, "async-state-canonical-savepoint"),
    ("native-rocksdb-to-hashmap", &["1.18.1", "1.20.3", "2.3.0"], &[JobGraph], "counter", None, "native-state-backend-changed"),
    ("kryo-across-flink-2", &[], &[JobGraph, Canary], "kryo", Some("blob"), "kryo-across-flink-2"),
    ("kryo-class-changed", &[], &[JobGraph, Canary], "kryo", Some("blob"), "kryo-serialized-state"),
    ("downgrade-2.3-to-1.20", &[], &[JobGraph], "counter", None, "savepoint-newer-than-flink"),
    ("custom-serializer-unchanged", &[], &[JobGraph, Canary], "money", Some("balance"), "state-type-unknown"),
    ("custom-serializer-incompatible", &[], &[JobGraph, Canary], "money", Some("balance"), "state-type-unknown"),
    ("custom-serializer-incompatible", &[], &[JobGraph, Canary], "money", None, "state-not-examined"),
    ("scala-option-on-flink-2", &[], &[JobGraph, Canary], "opt", Some("last"), "scala-serializer-on-flink-2"),
    ("scala-case-class-on-flink-2", &[], &[JobGraph, Canary], "pair", Some("pair"), "scala-serializer-on-flink-2"),
    ("upgrade-pojo-collections-from-1.20", &[], &[JobGraph, Canary], "pojo", Some("pojo"), "kryo-collection-on-flink-2"),
    ("upgrade-pojo-collections-from-1.18", &["2.0.0", "2.3.0"], &[JobGraph, Canary], "pojo", Some("pojo"), "kryo-collection-on-flink-2"),
    ("upgrade-collection-values-from-1.20", &[], &[JobGraph, Canary], "colls", Some("list"), "kryo-collection-on-flink-2"),
    ("upgrade-collection-values-from-1.20", &[], &[JobGraph, Canary], "colls", Some("set"), "kryo-collection-on-flink-2"),
    ("upgrade-collection-values-from-1.18", &["2.0.0", "2.3.0"], &[JobGraph, Canary], "colls", Some("list"), "kryo-collection-on-flink-2"),
    ("upgrade-pojo-collections-rocksdb-from-1.20", &[], &[JobGraph, Canary], "pojo", Some("pojo"), "kryo-collection-on-flink-2"),
    ("upgrade-collection-values-rocksdb-from-1.20", &[], &[JobGraph, Canary], "colls", Some("list"), "kryo-collection-on-flink-2"),
    ("legacy-snapshot-unchanged", &[], &[JobGraph, Canary], "money", None, "state-not-examined"),
    ("legacy-snapshot-after-1.17", &[], &[JobGraph, Canary], "money", Some("balance"), "legacy-serializer-snapshot"),
];

/// DataStream cases whose change Flink accepts without a finding worth an error.
const QUIET_CASES: &[&str] = &[
    "identical",
    "schema-identical",
    "name-changed-uid-kept",
    "parallelism-changed",
    "max-parallelism-explicit-same",
    "max-parallelism-implicit-changed",
    "stateless-operator-added",
    "stateful-operator-added",
    "nouid-unchanged",
    "canonical-rocksdb-to-hashmap",
    "native-rocksdb-identical",
    "scala-option-unchanged",
    "scala-case-class-unchanged",
    "pojo-subclass-registered",
];

/// Case `c` (one recording of a `CASE_RULES` entry) reports `rule` on operator `uid` (and
/// `state`) from each of `inputs`.
fn case_names_its_rule(
    c: &Case,
    inputs: &[Input],
    uid: &str,
    state: Option<&str>,
    rule: &str,
) -> Result<(), String> {
    let mut errors = Vec::new();
    let case = &c.name;
    for input in inputs {
        match findings_of(case, *input, uid, false) {
            Err(e) => errors.push(format!("{case}: {e}")),
            Ok(found) => {
                let hit = found.iter().any(|f| {
                    f["code"] == rule && state.is_none_or(|st| f["state"].as_str() == Some(st))
                });
                if !hit {
                    let got: Vec<String> = found
                        .iter()
                        .map(|f| format!("{}/{}", f["code"], f["state"]))
                        .collect();
                    errors.push(format!(
                        "{case} [{}]: {rule} not reported on {uid}: got {got:?}",
                        input_name(*input)
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// A quiet case reports no error, from its job graph or its canary.
fn quiet_case_reports_no_error(c: &Case) -> Result<(), String> {
    let mut errors = Vec::new();
    for key in ["newJob", "canary"] {
        let input = c.path(key).ok_or(format!("the case has no {key}"))?;
        let (report, _, _) = check(&c.base(), &input, false);
        for o in report["operators"].as_array().unwrap() {
            for r in o["reasons"].as_array().unwrap() {
                if r["severity"] == "error" {
                    errors.push(format!("{} [{key}]: {}", c.name, r["message"]));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// One trial per rule fixture (`rule_fixtures::rule::<rule>::<case>`), per recorded case of
/// `CASE_RULES` (`rule_fixtures::case::<version>/<case>::<rule>`, or a failing trial for an
/// entry that names no recorded case) and per quiet case (`rule_fixtures::quiet::...`), plus
/// the tests of this file that are not data-driven.
pub fn trials() -> Vec<Trial> {
    let mut trials = vec![
        asserting(
            "rule_fixtures::every_rule_has_a_real_fixture_or_a_reason",
            every_rule_has_a_real_fixture_or_a_reason,
        ),
        asserting(
            "rule_fixtures::unexaminable_state_can_be_made_blocking",
            unexaminable_state_can_be_made_blocking,
        ),
    ];
    trials.extend(super::report_headlines::trials());
    for s in FIXTURES {
        trials.push(trial(
            format!("rule_fixtures::rule::{}::{}", s.rule, s.case),
            || rule_shows_on_its_fixture(s),
        ));
    }
    let all = all_cases();
    for &(id, versions, inputs, uid, state, rule) in CASE_RULES {
        let recorded: Vec<&Case> = all
            .iter()
            .filter(|c| c.id() == id)
            .filter(|c| versions.is_empty() || versions.contains(&c.version()))
            .collect();
        if recorded.is_empty() {
            trials.push(trial(
                format!("rule_fixtures::case::{id}::{rule}"),
                move || Err(format!("{id}: no recorded case")),
            ));
        }
        for c in recorded {
            let c = c.clone();
            trials.push(trial(
                format!("rule_fixtures::case::{}::{rule}", c.name),
                move || case_names_its_rule(&c, inputs, uid, state, rule),
            ));
        }
    }
    for &id in QUIET_CASES {
        let recorded: Vec<Case> = all_cases().into_iter().filter(|c| c.id() == id).collect();
        if recorded.is_empty() {
            trials.push(trial(format!("rule_fixtures::quiet::{id}"), move || {
                Err(format!("{id}: no recorded case"))
            }));
        }
        for c in recorded {
            trials.push(trial(
                format!("rule_fixtures::quiet::{}", c.name),
                move || quiet_case_reports_no_error(&c),
            ));
        }
    }
    trials
}

fn input_name(input: Input) -> &'static str {
    match input {
        JobGraph => "job-graph",
        JobGraphAlone => "job-graph without the old job",
        JobGraphNoState => "job-graph without state",
        Canary => "canary",
        Plan => "plan",
        ToFlink => "--to-flink",
        OldPlanToFlink => "old plan --to-flink",
        Lint => "lint",
    }
}
