//! Compiled plans as NEW: uids per Flink version and `table.exec.uid.*` options, operator IDs,
//! SQL state (key and accumulator types), and `check` against real savepoints of jobs that ran
//! from those plans.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

use spcompat::job::derive_operator_ids;
use spcompat::job::plan::{
    PlanOptions, RowType, SqlInfo, load_plan, parse_plan, plan_to_job_graph, sniff_plan,
};

use crate::common;

fn sample_plan() -> PathBuf {
    common::root().join("fixtures/cases/2.3.0/bases/sql-groupby-plan/plan.json")
}

fn options(version: &str, config: &[(&str, &str)]) -> PlanOptions {
    PlanOptions {
        flink_version: Some(version.to_string()),
        parallelism: Some(2),
        config: config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn uids(version: &str, config: &[(&str, &str)]) -> Vec<Option<String>> {
    let plan = load_plan(&sample_plan()).unwrap();
    plan_to_job_graph(&plan, &options(version, config))
        .operators
        .into_iter()
        .map(|o| o.uid)
        .collect()
}

#[test]
fn uids_follow_the_running_flink_version_and_options() {
    let s = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
    assert_eq!(
        uids("2.3.0", &[]),
        s(&["1_source", "2_calc", "4_group-aggregate", "5_sink"])
    );
    // Before 1.18 the format was fixed: <id>_<type>_<version>_<transformation>.
    assert_eq!(
        uids("1.15.4", &[])[2].as_deref(),
        Some("4_stream-exec-group-aggregate_1_group-aggregate")
    );
    assert_eq!(
        uids(
            "1.20.3",
            &[(
                "table.exec.uid.format",
                "<type>-<version>-<id>-<transformation>"
            )]
        )[2]
        .as_deref(),
        Some("stream-exec-group-aggregate-1-4-group-aggregate")
    );
    assert!(
        uids("2.3.0", &[("table.exec.uid.generation", "DISABLED")])
            .iter()
            .all(Option::is_none)
    );
    assert_eq!(
        uids("2.3.0", &[("table.exec.uid.generation", "ALWAYS")])[0].as_deref(),
        Some("1_source")
    );
}

#[test]
fn the_group_aggregate_of_a_plan_has_flinks_id_key_and_accumulators() {
    let plan = load_plan(&sample_plan()).unwrap();
    let graph = plan_to_job_graph(&plan, &options("2.3.0", &[]));
    let ids = derive_operator_ids(&graph).unwrap();
    let (i, agg) = graph
        .operators
        .iter()
        .enumerate()
        .find(|(_, o)| o.name.as_deref() == Some("GroupAggregate[4]"))
        .unwrap();
    assert_eq!(
        ids[i].generated.to_string(),
        "23eaad2bb152dd975bbc63554c2ca61f"
    );
    assert_eq!(agg.key_type.as_deref(), Some("ROW<`f0` INT>"));
    assert_eq!(agg.state.len(), 1);
    assert_eq!(agg.state[0].name, "accState");
    assert_eq!(agg.state[0].type_, "ROW<`f0` BIGINT, `f1` BIGINT>");
    assert_eq!(agg.state[0].ttl, None);
    let info = SqlInfo::of(agg).unwrap();
    assert_eq!(info.group_by, Some(vec!["k".to_string()]));
    assert_eq!(
        info.aggregates,
        Some(vec!["COUNT(*)".to_string(), "SUM(v)".to_string()])
    );
    assert_eq!(info.plan_state[0].name, "groupAggregateState");
    // The exchange is no operator: the aggregate reads the Calc over a HASH edge.
    assert_eq!(agg.inputs.len(), 1);
    assert_eq!(
        agg.inputs[0].partitioner,
        Some(spcompat::job::Partitioner::Hash)
    );
    let source = &graph.operators[0];
    let src = SqlInfo::of(source).unwrap();
    assert_eq!(src.table_name().as_deref(), Some("src"));
    assert_eq!(
        src.options.get("connector").map(String::as_str),
        Some("datagen")
    );
}

#[test]
fn the_reference_sample_maps_onto_its_savepoint() {
    let reference = common::root().join("fixtures/reference");
    let plan = reference.join("flink-2.3.0-compiled-plan-group-agg.json");
    let savepoint = reference.join("flink-2.3.0-sql-plan");
    assert!(
        plan.exists() && savepoint.exists(),
        "the reference samples are part of the repository"
    );
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["check", "--format", "json", "--savepoint"])
        .arg(&savepoint)
        .arg("--job")
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "restores");
    let restored: Vec<&str> = report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "restored")
        .filter_map(|o| o["operatorId"].as_str())
        .collect();
    assert_eq!(restored, vec!["23eaad2bb152dd975bbc63554c2ca61f"]);
    // The sink of this sample has NOT NULL columns: a ConstraintEnforcer with its own uid.
    let new: Vec<&str> = report["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "new")
        .filter_map(|o| o["uid"].as_str())
        .collect();
    assert!(new.contains(&"5_constraint-validator"), "{new:?}");
}

/// The generator's fixtures of jobs that ran from a plan (1.18.1 stores no uids in
/// `_metadata`: the IDs alone must match).
#[test]
fn plan_fixtures_of_other_versions_restore() {
    let mut seen = 0;
    for entry in std::fs::read_dir(common::root().join("fixtures/savepoints")).unwrap() {
        let dir = entry.unwrap().path();
        let plan = dir.join("plan.json");
        if !plan.exists() {
            continue;
        }
        seen += 1;
        let out = Command::cargo_bin("spcompat")
            .unwrap()
            .args(["check", "--format", "json", "--savepoint"])
            .arg(&dir)
            .arg("--job")
            .arg(&plan)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        assert_eq!(report["verdict"], "restores", "{}: {report}", dir.display());
    }
    assert!(seen >= 1);
}

#[test]
fn plans_are_recognised_by_content() {
    let text = std::fs::read_to_string(sample_plan()).unwrap();
    assert!(sniff_plan(&text));
    assert!(!sniff_plan(
        r#"{"format": "spcompat-job-graph/1", "operators": []}"#
    ));
    let err = parse_plan(
        r#"{"flinkVersion": "2.3", "nodes": [{"type": "x"}]}"#,
        "p.json",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("nodes[0] has no integer \"id\""),
        "{err}"
    );
    let row = RowType::parse("ROW<`k` VARCHAR(2147483647), `EXPR$1` BIGINT NOT NULL>").unwrap();
    assert_eq!(row.type_of(1), Some("BIGINT NOT NULL"));
}

/// `diff` of a plan against itself run with different uid settings: every ID moves.
#[test]
fn switching_uid_generation_is_reported() {
    let plan = sample_plan();
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["diff", "--format", "json"])
        .arg(common::root().join("fixtures/cases/2.3.0/bases/sql-groupby/job.json"))
        .arg(&plan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = report["sql"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert!(codes.contains(&"sql-plan-uids-missing"), "{codes:?}");
}
