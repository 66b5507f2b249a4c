//! Real Kafka source state (flink-connector-kafka 4.0.1 on Flink 2.0.0, a real broker):
//! `inspect` shows the partitions and offsets Flink's own reading recorded, and `check` says
//! whether positions carry over exactly as the restored jobs behaved (the first offset each
//! restored job read per partition, recorded by the generator).

use crate::common;

use std::collections::BTreeMap;

use assert_cmd::Command;
use common::cases::all_cases;
use serde_json::Value;

fn json(args: &[&str]) -> (Value, i32) {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .current_dir(common::root())
        .args(args)
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn inspect_shows_the_partitions_and_offsets_flink_read() {
    let mut checked = 0;
    for fixture in common::all_fixtures() {
        let Ok(text) = std::fs::read_to_string(fixture.join("expected.json")) else {
            continue;
        };
        let expected: Value = serde_json::from_str(&text).unwrap();
        let Some(sources) = expected["sourcePositions"].as_array() else {
            continue;
        };
        let (ours, code) = json(&["inspect", "--format", "json", fixture.to_str().unwrap()]);
        assert_eq!(code, 0);
        for source in sources {
            let id = source["operatorId"].as_str().unwrap();
            let op = ours["operators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["operatorId"] == id)
                .unwrap_or_else(|| panic!("{id} missing in {}", fixture.display()));
            let split_key = |s: &Value| {
                (
                    s["subtask"].as_i64(),
                    s["topic"].as_str().map(str::to_string),
                    s["partition"].as_i64(),
                    s["startingOffset"].as_i64(),
                    s["stoppingOffset"].as_i64(),
                )
            };
            let mut flink: Vec<_> = source["splits"]
                .as_array()
                .unwrap()
                .iter()
                .map(split_key)
                .collect();
            let mut spcompat: Vec<_> = op["sourcePositions"]["splits"]
                .as_array()
                .unwrap()
                .iter()
                .map(split_key)
                .collect();
            flink.sort();
            spcompat.sort();
            assert!(!flink.is_empty());
            assert_eq!(spcompat, flink, "{}", fixture.display());
            checked += 1;
        }
    }
    assert!(checked > 0, "no fixture with recorded Kafka positions");
}

#[test]
fn check_says_whether_offsets_carry_over_as_the_restored_jobs_did() {
    let mut checked = 0;
    for case in all_cases()
        .into_iter()
        .filter(|c| c.json["generator"] == "fixtures/kafka-generator")
    {
        let saved: BTreeMap<String, i64> = case.json["kafka"]["savepointPositions"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
            .collect();
        let base = case.base();
        let job = case.path("newJob").unwrap();
        for run in case.json["runs"].as_array().unwrap() {
            if run["outcome"] != "restored" {
                continue;
            }
            let observed: BTreeMap<String, i64> = run["observedStartOffsets"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
                .collect();
            // Flink resumed from the savepoint iff every saved partition it read again started
            // exactly at the saved position.
            let resumed = observed
                .iter()
                .filter(|(p, _)| saved.contains_key(*p))
                .all(|(p, offset)| saved[p] == *offset);
            let mut args = vec![
                "check",
                "--format",
                "json",
                "--savepoint",
                base.to_str().unwrap(),
                "--job",
                job.to_str().unwrap(),
            ];
            if run["allowNonRestoredState"] == true {
                args.push("-n");
            }
            let (report, _) = json(&args);
            let entries = report["offsets"].as_array().unwrap();
            assert_eq!(entries.len(), 1, "{}: one Kafka source", case.name);
            let entry = &entries[0];
            assert_eq!(
                entry["carryOver"].as_bool(),
                Some(resumed),
                "{}: carryOver vs what Flink did (observed {observed:?}, saved {saved:?})",
                case.name
            );
            let ours: BTreeMap<String, i64> = entry["partitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        format!("{}-{}", p["topic"].as_str().unwrap(), p["partition"]),
                        p["offset"].as_i64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(ours, saved, "{}: saved positions", case.name);
            if !resumed {
                let mode = case.json["kafka"]["newSource"]["startupMode"]
                    .as_str()
                    .unwrap();
                assert!(
                    entry["startsFrom"].as_str().unwrap_or("").contains(mode),
                    "{}: starts from {} but the new source uses {mode}",
                    case.name,
                    entry["startsFrom"]
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no Kafka cases");
}
