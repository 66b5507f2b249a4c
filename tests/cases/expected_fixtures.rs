//! Every generated fixture under `fixtures/savepoints` carries an `expected.json` written by the
//! generator from Flink's own reading of the savepoint (`Checkpoints.loadCheckpointMetadata`,
//! `KeyedBackendSerializationProxy`, `OperatorBackendSerializationProxy`) and from the states the
//! job registered. `spcompat inspect --format json` must agree with it.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use libtest_mimic::Trial;
use serde_json::Value;

use crate::{asserting, trial};

fn fixtures_with_expectations() -> Vec<(PathBuf, PathBuf)> {
    let base = common::root().join("fixtures/savepoints");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_name() != "expected.json" {
            continue;
        }
        let expected = entry.path().to_path_buf();
        let dir = expected.parent().unwrap();
        let rel: String = read_json(&expected)["metadataPath"]
            .as_str()
            .unwrap_or("_metadata")
            .to_string();
        out.push((dir.join(rel), expected));
    }
    out
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn inspect_json(metadata: &Path) -> Value {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["inspect", "--format", "json"])
        .arg(metadata)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "inspect failed on {}: {}",
        metadata.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Compares one serializer snapshot tree with Flink's reading of it.
fn same_snapshot(ctx: &str, ours: &Value, flink: &Value, errors: &mut Vec<String>) {
    if ours["class"] != flink["class"] {
        errors.push(format!(
            "{ctx}: class {} != {}",
            ours["class"], flink["class"]
        ));
        return;
    }
    if ours["version"] != flink["version"] {
        errors.push(format!(
            "{ctx}: version {} != {}",
            ours["version"], flink["version"]
        ));
    }
    if let Some(nested) = flink["nested"].as_array() {
        let ours_nested = ours["nested"].as_array().cloned().unwrap_or_default();
        if ours_nested.len() != nested.len() {
            errors.push(format!(
                "{ctx}: {} nested snapshots != {}",
                ours_nested.len(),
                nested.len()
            ));
        }
        for (i, (o, f)) in ours_nested.iter().zip(nested).enumerate() {
            same_snapshot(&format!("{ctx}.nested[{i}]"), o, f, errors);
        }
    }
    if let Some(fields) = flink["pojoFields"].as_object() {
        if ours["pojoClass"] != flink["pojoClass"] {
            errors.push(format!(
                "{ctx}: pojo class {} != {}",
                ours["pojoClass"], flink["pojoClass"]
            ));
        }
        let ours_fields: BTreeMap<String, Value> = ours["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap_or("").to_string(),
                    f["snapshot"].clone(),
                )
            })
            .collect();
        let names: Vec<&String> = ours_fields.keys().collect();
        let flink_names: Vec<&String> = fields.keys().collect();
        if names != flink_names {
            errors.push(format!("{ctx}: POJO fields {names:?} != {flink_names:?}"));
        }
        for (name, f) in fields {
            if let Some(o) = ours_fields.get(name) {
                same_snapshot(&format!("{ctx}.{name}"), o, f, errors);
            }
        }
    }
    if flink["class"]
        .as_str()
        .is_some_and(|c| c.ends_with("KryoSerializerSnapshot"))
        && ours["typeClass"] != flink["typeClass"]
    {
        errors.push(format!(
            "{ctx}: Kryo class {} != {}",
            ours["typeClass"], flink["typeClass"]
        ));
    }
}

fn compare_states(ctx: &str, ours: &[Value], flink: &[Value], errors: &mut Vec<String>) {
    for f in flink {
        let name = f["name"].as_str().unwrap();
        let Some(o) = ours.iter().find(|o| o["name"] == f["name"]) else {
            errors.push(format!("{ctx}: state {name} missing"));
            continue;
        };
        if o["backendStateType"] != f["backendStateType"] {
            errors.push(format!(
                "{ctx}/{name}: backend state type {} != {}",
                o["backendStateType"], f["backendStateType"]
            ));
        }
        let flink_serializers = f["serializers"].as_object().unwrap();
        let ours_serializers: BTreeMap<String, Value> = o["serializers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["key"].as_str().unwrap().to_string(),
                    s["snapshot"].clone(),
                )
            })
            .collect();
        for (key, snap) in flink_serializers {
            match ours_serializers.get(key) {
                Some(ours) => same_snapshot(&format!("{ctx}/{name}/{key}"), ours, snap, errors),
                None => errors.push(format!("{ctx}/{name}: serializer {key} missing")),
            }
        }
    }
}

/// The kind names the generator records for the states a job registered.
fn our_kind(kind: &str) -> &str {
    match kind {
        "timer" => "timers",
        other => other,
    }
}

/// Row field names are not stored in savepoints (Flink matches Row fields by position).
fn without_row_names(ty: &str) -> String {
    let mut out = String::new();
    let mut rest = ty;
    while let Some(i) = rest.find("Row(") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let end = rest.find(')').unwrap_or(rest.len());
        let fields: Vec<String> = rest[..end]
            .split(", ")
            .map(|f| f.split_once(": ").map_or(f, |(_, t)| t).to_string())
            .collect();
        out.push_str(&fields.join(", "));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `inspect` agrees with Flink's reading of one fixture.
fn inspect_agrees_with_flinks_own_reading(
    metadata: &Path,
    expected_path: &Path,
) -> Result<(), String> {
    let mut errors = Vec::new();
    let expected = read_json(expected_path);
    let ours = inspect_json(metadata);
    let ctx = expected_path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    for key in ["metadataVersion", "checkpointId"] {
        if ours[key] != expected[key] {
            errors.push(format!("{ctx}: {key} {} != {}", ours[key], expected[key]));
        }
    }
    if let Some(kind) = expected["kind"].as_str()
        && ours["metadataVersion"].as_i64().unwrap_or(0) >= 4
    {
        if ours["kind"] != kind {
            errors.push(format!("{ctx}: kind {} != {kind}", ours["kind"]));
        }
        if expected["savepointFormat"].is_string()
            && ours["savepointFormat"] != expected["savepointFormat"]
        {
            errors.push(format!(
                "{ctx}: format {} != {}",
                ours["savepointFormat"], expected["savepointFormat"]
            ));
        }
    }
    let ours_ops = ours["operators"].as_array().unwrap();
    let flink_ops = expected["operators"].as_array().unwrap();
    if ours_ops.len() != flink_ops.len() {
        errors.push(format!(
            "{ctx}: {} operators != {}",
            ours_ops.len(),
            flink_ops.len()
        ));
    }
    for f in flink_ops {
        let id = f["operatorId"].as_str().unwrap();
        let Some(o) = ours_ops.iter().find(|o| o["operatorId"] == id) else {
            errors.push(format!("{ctx}: operator {id} missing"));
            continue;
        };
        let octx = format!("{ctx}/{id}");
        for key in [
            "name",
            "uid",
            "parallelism",
            "maxParallelism",
            "fullyFinished",
        ] {
            if o[key] != f[key] {
                errors.push(format!("{octx}: {key} {} != {}", o[key], f[key]));
            }
        }
        if o["coordinatorStateSize"].is_null() == f["hasCoordinatorState"].as_bool().unwrap() {
            errors.push(format!("{octx}: coordinator state presence differs"));
        }
        if o["subtasks"] != f["subtasks"] {
            errors.push(format!(
                "{octx}: subtasks {} != {}",
                o["subtasks"], f["subtasks"]
            ));
        }
        if o["hasState"].as_bool() == f["stateless"].as_bool() {
            errors.push(format!(
                "{octx}: has-state differs from Flink's stateless flag"
            ));
        }
        let states = o["states"].as_array().unwrap();
        if f["keyed"].is_object() {
            let key = &f["keyed"]["keySerializerSnapshot"];
            same_snapshot(
                &format!("{octx}/key"),
                &o["keySerializer"],
                key,
                &mut errors,
            );
            compare_states(
                &octx,
                states,
                f["keyed"]["states"].as_array().unwrap(),
                &mut errors,
            );
        }
        for list in ["operatorStates", "broadcastStates"] {
            if let Some(list) = f[list].as_array() {
                compare_states(&octx, states, list, &mut errors);
            }
        }
    }
    // The job's own view: each registered state appears under its operator's uid with the
    // kind and type the job declared.
    for reg in expected["registered"].as_array().into_iter().flatten() {
        let uid = reg["uid"].as_str().unwrap();
        let name = reg["name"].as_str().unwrap();
        let Some(o) = ours_ops.iter().find(|o| {
            o["uid"] == uid || o["inferredUid"] == uid || {
                // Formats before metadata version 5 store no uid: match by hash.
                o["operatorId"] == spcompat::job::uid_hash(uid).to_string()
            }
        }) else {
            errors.push(format!("{ctx}: no operator for uid {uid}"));
            continue;
        };
        let Some(st) = o["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
        else {
            errors.push(format!("{ctx}: uid {uid} lacks registered state {name}"));
            continue;
        };
        let kind = our_kind(reg["kind"].as_str().unwrap());
        if st["kind"] != kind {
            errors.push(format!("{ctx}/{uid}/{name}: kind {} != {kind}", st["kind"]));
        }
        if kind != "timers" {
            let want = without_row_names(reg["type"].as_str().unwrap());
            let got = without_row_names(st["type"].as_str().unwrap_or(""));
            if got != want {
                errors.push(format!("{ctx}/{uid}/{name}: type {} != {want}", st["type"]));
            }
            if let Some(k) = reg["keyType"].as_str()
                && st["userKeyType"] != k
            {
                errors.push(format!(
                    "{ctx}/{uid}/{name}: key type {} != {k}",
                    st["userKeyType"]
                ));
            }
            if st["ttl"].as_bool() != Some(!reg["ttl"].is_null()) {
                errors.push(format!("{ctx}/{uid}/{name}: ttl flag differs"));
            }
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} disagreements:\n{}",
        errors.len(),
        errors.join("\n")
    ))
}

/// One trial per fixture with an `expected.json`
/// (`expected_fixtures::<fixture folder under fixtures/savepoints>`), and one that there are
/// such fixtures.
pub fn trials() -> Vec<Trial> {
    let mut trials = vec![asserting("expected_fixtures::there_are_fixtures", || {
        assert!(
            !fixtures_with_expectations().is_empty(),
            "no generated fixtures with expected.json"
        )
    })];
    let base = common::root().join("fixtures/savepoints");
    for (metadata, expected) in fixtures_with_expectations() {
        let dir = expected.parent().unwrap_or(&base);
        let name = dir.strip_prefix(&base).unwrap_or(dir).display().to_string();
        trials.push(trial(format!("expected_fixtures::{name}"), move || {
            inspect_agrees_with_flinks_own_reading(&metadata, &expected)
        }));
    }
    trials
}
