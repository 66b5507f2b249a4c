//! `check`'s `offsets[]`: whether a source's saved positions carry over, where the new source
//! starts instead, and the topic findings. Savepoint cases use the reference sample
//! `flink-2.3.0-hashmap-canonical` (NumberSequenceSource, uid `source-uid`); Kafka cases use
//! splits written by the real `KafkaPartitionSplitSerializer` (fixtures/vectors/kafka.jsonl)
//! placed in an old side built in memory, since no real Kafka savepoint exists yet.

use crate::common;

use std::path::Path;

use spcompat::OperatorId;
use spcompat::analysis::predict::{UidNames, predict};
use spcompat::analysis::result::OffsetEntry;
use spcompat::analysis::result::{Prediction, Status, Verdict};
use spcompat::analysis::rules::Severity;
use spcompat::analysis::sides::{NewSide, OldOperator, OldSide};
use spcompat::job::{parse_job_graph, uid_hash};
use spcompat::savepoint::Savepoint;
use spcompat::savepoint::inventory::SavepointSummary;
use spcompat::savepoint::sources::{
    Connector, ReaderSplit, SourceKind, SourcePositions, decode_split,
};

const SOURCE_ID: &str = "bef22c5df1ab33dd94bb7a6ecac555fb";

/// The reference job: source (uid `source-uid`) -> keyBy -> counter (uid `counter-uid`) -> sink.
fn reference_job(source_uid: &str, source_decl: &str) -> String {
    format!(
        r#"{{
  "format": "spcompat-job-graph/1",
  "operators": [
    {{ "node": 1, "name": "Source: seq", "uid": "{source_uid}", "parallelism": 2, "inputs": []{source_decl},
      "state": [ {{ "name": "SourceReaderState", "kind": "operator-list", "type": "byte[]" }} ] }},
    {{ "node": 2, "name": "counter", "uid": "counter-uid", "parallelism": 2, "keyType": "Long",
      "inputs": [ {{ "node": 1, "partitioner": "HASH" }} ] }},
    {{ "node": 3, "name": "sink: Writer", "parallelism": 2,
      "inputs": [ {{ "node": 2, "partitioner": "FORWARD" }} ] }}
  ]
}}"#
    )
}

fn new_side(json: &str) -> NewSide {
    let graph = parse_job_graph(Path::new("new.json"), json).unwrap();
    NewSide::from_job_graph(&graph, "new.json").unwrap()
}

fn reference_old() -> OldSide {
    let dir = common::root().join("fixtures/reference/flink-2.3.0-hashmap-canonical");
    assert!(dir.is_dir(), "{} is part of the repository", dir.display());
    let sp = Savepoint::open(&dir).unwrap();
    OldSide::from_savepoint(&SavepointSummary::build(&sp).unwrap())
}

fn only_entry(p: &Prediction) -> &OffsetEntry {
    assert_eq!(p.offsets.len(), 1, "{:?}", p.offsets);
    &p.offsets[0]
}

fn codes(p: &Prediction, id: &str) -> Vec<(&'static str, Severity)> {
    p.operators
        .iter()
        .find(|o| o.operator_id.to_string() == id)
        .unwrap()
        .reasons
        .iter()
        .map(|r| (r.rule.id, r.severity))
        .collect()
}

#[test]
fn unchanged_source_carries_its_splits_over() {
    let old = reference_old();
    let new = new_side(&reference_job("source-uid", ""));
    let p = predict(&old, &new, false, &UidNames::new(Vec::<String>::new()));
    assert_eq!(p.verdict, Verdict::Restores);
    let e = only_entry(&p);
    assert_eq!(e.operator_id.to_string(), SOURCE_ID);
    assert!(e.carry_over);
    assert_eq!(e.connector, Some("number-sequence"));
    assert!(e.partitions.is_empty());
    assert_eq!(e.splits.len(), 2);
    assert!(e.splits.iter().all(|s| s.position.starts_with("next ")));
    assert_eq!(
        e.new_operator_id.map(|i| i.to_string()).as_deref(),
        Some(SOURCE_ID)
    );
    assert_eq!(e.starts_from, None);
    assert!(codes(&p, SOURCE_ID).is_empty());
    // The contract's JSON shape.
    let json = serde_json::to_value(&p).unwrap();
    let o = &json["offsets"][0];
    assert_eq!(o["operatorId"], SOURCE_ID);
    assert_eq!(o["carryOver"], true);
    assert!(o["partitions"].as_array().unwrap().is_empty());
}

#[test]
fn renamed_source_loses_its_positions() {
    let old = reference_old();
    let new = new_side(&reference_job("source-uid-v2", ""));
    let renamed = uid_hash("source-uid-v2").to_string();

    // With -n: the state is dropped, the sequence starts again.
    let p = predict(&old, &new, true, &UidNames::new(Vec::<String>::new()));
    assert_eq!(p.verdict, Verdict::RestoresWithStateLoss);
    let e = only_entry(&p);
    assert!(!e.carry_over);
    assert_eq!(
        e.new_operator_id.map(|i| i.to_string()),
        Some(renamed.clone())
    );
    assert_eq!(e.starts_from.as_deref(), Some("the first number"));
    let c = codes(&p, SOURCE_ID);
    assert!(
        c.contains(&("source-offsets-reset", Severity::Warning)),
        "{c:?}"
    );
    // The source finding does not change the status the mapping gave.
    let v = p
        .operators
        .iter()
        .find(|o| o.operator_id.to_string() == SOURCE_ID)
        .unwrap();
    assert_eq!(v.status, Status::Unmapped);
    let reset = v
        .reasons
        .iter()
        .find(|r| r.rule.id == "source-offsets-reset")
        .unwrap();
    assert!(reset.message.contains("2 split(s)"), "{}", reset.message);
    assert!(reset.message.contains("-n drops it"), "{}", reset.message);
    assert!(
        reset
            .fix
            .as_deref()
            .unwrap()
            .contains("uid(\"source-uid\")")
    );

    // Without -n Flink refuses; the positions would not carry over either.
    let p = predict(&old, &new, false, &UidNames::new(Vec::<String>::new()));
    assert_eq!(p.verdict, Verdict::Fails);
    assert!(!only_entry(&p).carry_over);
    let v = p
        .operators
        .iter()
        .find(|o| o.operator_id.to_string() == SOURCE_ID)
        .unwrap();
    let reset = v
        .reasons
        .iter()
        .find(|r| r.rule.id == "source-offsets-reset")
        .unwrap();
    assert!(
        reset.message.contains("refuses without -n"),
        "{}",
        reset.message
    );
}

#[test]
fn renamed_source_starts_where_its_startup_mode_says() {
    let old = reference_old();
    for (mode, expect, words) in [
        ("latest", "latest", "skipped"),
        ("earliest", "earliest", "processed again"),
        ("group-offsets", "group-offsets", "committed offsets"),
    ] {
        let decl = format!(r#", "source": {{ "connector": "kafka", "startupMode": "{mode}" }}"#);
        let new = new_side(&reference_job("source-uid-v2", &decl));
        let p = predict(&old, &new, true, &UidNames::new(Vec::<String>::new()));
        let e = only_entry(&p);
        assert!(!e.carry_over);
        assert_eq!(e.starts_from.as_deref(), Some(expect));
        assert!(
            e.consequence.as_deref().unwrap().contains(words),
            "{mode}: {e:?}"
        );
    }
}

#[test]
fn old_side_without_positions_gives_no_entries() {
    let mut old = reference_old();
    for o in &mut old.operators {
        o.source_positions = None;
    }
    let new = new_side(&reference_job("source-uid-v2", ""));
    let p = predict(&old, &new, true, &UidNames::new(Vec::<String>::new()));
    assert!(p.offsets.is_empty());
    assert!(
        !codes(&p, SOURCE_ID)
            .iter()
            .any(|(c, _)| c.starts_with("source-"))
    );
}

// --- Kafka, with splits written by the real connector -----------------------------------------

fn kafka_split(name: &str, subtask: i32) -> ReaderSplit {
    let path = common::root().join("fixtures/vectors/kafka.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["name"] == name)
        .unwrap();
    let hex = line["hex"].as_str().unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    ReaderSplit {
        subtask,
        serializer_version: Some(0),
        split: decode_split(0, &bytes, None),
    }
}

fn kafka_old(uid: &str) -> OldSide {
    let positions = SourcePositions {
        kind: SourceKind::Flip27,
        connector: Some(Connector::Kafka),
        splits: vec![
            kafka_split("split-orders-3", 0),
            kafka_split("split-orders-0-earliest", 1),
            kafka_split("split-payments-11-committed-stop-5000", 1),
        ],
        enumerator: None,
        notes: Vec::new(),
    };
    OldSide {
        origin: "kafka savepoint (in memory)".into(),
        written_by: None,
        operators: vec![OldOperator {
            operator_id: uid_hash(uid),
            uid: Some(uid.into()),
            name: Some("Source: orders".into()),
            parallelism: 2,
            max_parallelism: 128,
            has_state: true,
            key_type: None,
            states: Vec::new(),
            notes: Vec::new(),
            source_positions: Some(positions),
            key_serializer: None,
            keyed_handle: None,
        }],
    }
}

fn kafka_job(uid: &str, topics: &str, mode: &str) -> String {
    format!(
        r#"{{
  "format": "spcompat-job-graph/1",
  "operators": [
    {{ "node": 1, "name": "Source: orders", "uid": "{uid}", "parallelism": 2, "inputs": [],
      "source": {{ "connector": "kafka", "topics": {topics}, "startupMode": "{mode}" }},
      "state": [ {{ "name": "SourceReaderState", "kind": "operator-list", "type": "byte[]" }} ] }}
  ]
}}"#
    )
}

#[test]
fn kafka_partitions_and_topic_changes() {
    let old = kafka_old("orders-source");
    let new = new_side(&kafka_job(
        "orders-source",
        r#"["orders", "invoices"]"#,
        "latest",
    ));
    let p = predict(&old, &new, false, &UidNames::new(Vec::<String>::new()));
    assert_eq!(p.verdict, Verdict::Restores);
    let e = only_entry(&p);
    assert!(e.carry_over);
    assert_eq!(e.connector, Some("kafka"));
    let parts: Vec<(&str, i32, i64, Option<&str>)> = e
        .partitions
        .iter()
        .map(|p| (p.topic.as_str(), p.partition, p.offset, p.marker))
        .collect();
    assert_eq!(
        parts,
        vec![
            ("orders", 0, -2, Some("earliest")),
            ("orders", 3, 1234, None),
            ("payments.v2", 11, -3, Some("committed")),
        ]
    );
    assert_eq!(e.topics_removed, vec!["payments.v2"]);
    assert_eq!(e.topics_added, vec!["invoices"]);
    // Carried over: the startup mode does not apply.
    assert_eq!(e.starts_from, None);
    let id = uid_hash("orders-source").to_string();
    let c = codes(&p, &id);
    assert!(
        c.contains(&("source-topic-removed", Severity::Warning)),
        "{c:?}"
    );
    assert!(c.contains(&("source-topic-added", Severity::Info)), "{c:?}");
    assert!(!c.iter().any(|(code, _)| *code == "source-offsets-reset"));

    let json = serde_json::to_value(&p).unwrap();
    let first = &json["offsets"][0]["partitions"][1];
    assert_eq!(first["topic"], "orders");
    assert_eq!(first["partition"], 3);
    assert_eq!(first["offset"], 1234);
}

#[test]
fn kafka_source_with_new_uid_falls_back_to_group_offsets() {
    let old = kafka_old("orders-source");
    let new = new_side(&kafka_job(
        "orders-source-v2",
        r#"["orders"]"#,
        "group-offsets",
    ));
    let p = predict(&old, &new, true, &UidNames::new(Vec::<String>::new()));
    assert_eq!(p.verdict, Verdict::RestoresWithStateLoss);
    let e = only_entry(&p);
    assert!(!e.carry_over);
    assert_eq!(e.partitions.len(), 3);
    assert_eq!(e.new_operator_id, Some(uid_hash("orders-source-v2")));
    assert_eq!(e.starts_from.as_deref(), Some("group-offsets"));
    assert!(
        e.consequence
            .as_deref()
            .unwrap()
            .contains("auto.offset.reset")
    );
    // Topic differences are listed but not reported: nothing is restored to keep reading them.
    assert_eq!(e.topics_removed, vec!["payments.v2"]);
    let c = codes(&p, &uid_hash("orders-source").to_string());
    assert_eq!(
        c.iter()
            .filter(|(code, _)| code.starts_with("source-"))
            .collect::<Vec<_>>(),
        vec![&("source-offsets-reset", Severity::Warning)]
    );
    let reset = &p.operators[0]
        .reasons
        .iter()
        .find(|r| r.rule.id == "source-offsets-reset")
        .unwrap()
        .message;
    assert!(
        reset.contains("3 partition(s) of orders, payments.v2"),
        "{reset}"
    );
}

#[test]
fn unknown_startup_mode_is_said_so() {
    let old = kafka_old("orders-source");
    let job =
        kafka_job("other", r#"["orders"]"#, "latest").replace(r#", "startupMode": "latest""#, "");
    let p = predict(
        &old,
        &new_side(&job),
        true,
        &UidNames::new(Vec::<String>::new()),
    );
    let e = only_entry(&p);
    assert_eq!(e.starts_from.as_deref(), Some("unknown: set startupMode"));
    let _: OperatorId = e.new_operator_id.unwrap();
}

// --- The command line -----------------------------------------------------------------------

fn reference_dir() -> std::path::PathBuf {
    let dir = common::root().join("fixtures/reference/flink-2.3.0-hashmap-canonical");
    assert!(dir.is_dir(), "{} is part of the repository", dir.display());
    dir
}

#[test]
fn check_json_and_text_show_the_offsets() {
    let dir = reference_dir();
    let job = common::root().join("tests/data/offsets/reference-source-renamed.json");
    let out = assert_cmd::Command::cargo_bin("spcompat")
        .unwrap()
        .args(["check", "--savepoint"])
        .arg(&dir)
        .arg("--job")
        .arg(&job)
        .args(["-n", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let offsets = json["offsets"].as_array().unwrap();
    assert_eq!(offsets.len(), 1);
    assert_eq!(offsets[0]["operatorId"], SOURCE_ID);
    assert_eq!(offsets[0]["carryOver"], false);
    assert_eq!(offsets[0]["partitions"], serde_json::json!([]));
    assert_eq!(offsets[0]["startsFrom"], "latest");

    let out = assert_cmd::Command::cargo_bin("spcompat")
        .unwrap()
        .args(["--color", "never", "check", "--savepoint"])
        .arg(&dir)
        .arg("--job")
        .arg(&job)
        .arg("-n")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("SOURCE POSITIONS"), "{text}");
    assert!(
        text.contains("do NOT carry over; the new source starts from latest"),
        "{text}"
    );
    assert!(text.contains("[source-offsets-reset]"), "{text}");
}

#[test]
fn inspect_lists_the_splits() {
    let dir = reference_dir();
    let out = assert_cmd::Command::cargo_bin("spcompat")
        .unwrap()
        .arg("inspect")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("source positions (FLIP-27 source, number-sequence):"),
        "{text}"
    );
    assert!(
        text.contains("split 1  next 19662, up to 4611686018427387904"),
        "{text}"
    );
    assert!(
        text.contains("enumerator: no splits left to assign"),
        "{text}"
    );

    let out = assert_cmd::Command::cargo_bin("spcompat")
        .unwrap()
        .arg("inspect")
        .arg(&dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let source = json["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operatorId"] == SOURCE_ID)
        .unwrap();
    let sp = &source["sourcePositions"];
    assert_eq!(sp["kind"], "flip27");
    assert_eq!(sp["connector"], "number-sequence");
    assert_eq!(sp["splits"].as_array().unwrap().len(), 2);
    assert_eq!(sp["enumerator"]["type"], "number-sequence");
}

// --- Against real Flink restores ----------------------------------------------------------

/// `fixtures/cases/<version>/<case>/case.json` records what Flink did when a variant job was
/// started from a base savepoint. For every run Flink completed, each source's positions carry
/// over exactly when Flink did not skip that source's state (`skippedOperatorsWithState`).
#[test]
fn carry_over_agrees_with_real_flink_restores() {
    let base = common::root().join("fixtures/cases");
    assert!(
        base.is_dir(),
        "{} is part of the repository",
        base.display()
    );
    let (mut checked, mut dropped) = (0, 0);
    for entry in walkdir::WalkDir::new(&base)
        .min_depth(3)
        .max_depth(3)
        .sort_by_file_name()
    {
        let entry = entry.unwrap();
        if entry.file_name() != "case.json" {
            continue;
        }
        let dir = entry.path().parent().unwrap();
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        let (Some(savepoint), Some(job)) = (case["base"].as_str(), case["newJob"].as_str()) else {
            continue;
        };
        let (savepoint, job) = (dir.join(savepoint), dir.join(job));
        if !savepoint.join("_metadata").is_file() || !job.is_file() {
            continue;
        }
        for run in case["runs"].as_array().into_iter().flatten() {
            if run["outcome"] != "restored" {
                continue;
            }
            let n = run["allowNonRestoredState"] == true;
            let mut cmd = assert_cmd::Command::cargo_bin("spcompat").unwrap();
            cmd.args(["check", "--format", "json", "--savepoint"])
                .arg(&savepoint)
                .arg("--job")
                .arg(&job);
            if n {
                cmd.arg("-n");
            }
            let out = cmd.output().unwrap();
            let Ok(report) = serde_json::from_slice::<serde_json::Value>(&out.stdout) else {
                continue;
            };
            let skipped: Vec<&str> = run["skippedOperatorsWithState"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .collect();
            for e in report["offsets"].as_array().into_iter().flatten() {
                let id = e["operatorId"].as_str().unwrap();
                let flink_kept = !skipped.contains(&id);
                assert_eq!(
                    e["carryOver"],
                    flink_kept,
                    "{} (-n: {n}): source {id}",
                    dir.display()
                );
                checked += 1;
                if !flink_kept {
                    dropped += 1;
                }
            }
        }
    }
    eprintln!("{checked} source entries checked against Flink, {dropped} dropped");
    assert!(checked > 0, "no case with a stateful source was found");
}
