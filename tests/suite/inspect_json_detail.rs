//! `inspect --format json` counts key groups per keyed handle; `--all-handles` lists every
//! offset. Both describe the same handles of a real Flink savepoint.

use assert_cmd::Command;
use serde_json::Value;

fn inspect(dir: &str, extra: &[&str]) -> Value {
    let out = Command::cargo_bin("spcompat")
        .unwrap()
        .args(["inspect", "--format", "json"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn brief_key_group_counts_match_the_full_offsets() {
    for fixture in [
        "fixtures/savepoints/flink-1.20.3-datastream-hashmap-canonical",
        "fixtures/savepoints/flink-1.20.3-datastream-hashmap-native",
    ] {
        let brief = inspect(fixture, &[]);
        let full = inspect(fixture, &["--all-handles"]);
        let mut compared = 0;
        for (b, f) in brief["operators"]
            .as_array()
            .unwrap()
            .iter()
            .zip(full["operators"].as_array().unwrap())
        {
            assert_eq!(b["operatorId"], f["operatorId"]);
            for (bs, fs) in b["subtaskStates"]
                .as_array()
                .unwrap()
                .iter()
                .zip(f["subtaskStates"].as_array().unwrap())
            {
                assert_eq!(bs["index"], fs["index"]);
                let (bk, fk) = (&bs["managedKeyedState"], &fs["managedKeyedState"]);
                let Some(offsets) = fk["offsets"].as_array() else {
                    assert_eq!(bk, fk, "{fixture}: non-key-groups handles are kept whole");
                    continue;
                };
                assert!(
                    bk.get("offsets").is_none(),
                    "{fixture}: brief lists no offsets"
                );
                assert_eq!(bk["numKeyGroups"], offsets.len(), "{fixture}");
                let with_data = offsets.iter().filter(|o| o.as_i64() != Some(0)).count();
                assert_eq!(bk["keyGroupsWithData"], with_data, "{fixture}");
                assert_eq!(bk["startKeyGroup"], fk["startKeyGroup"]);
                assert_eq!(bk["delegate"], fk["delegate"]);
                assert_eq!(bs["managedOperatorState"], fs["managedOperatorState"]);
                compared += 1;
            }
        }
        assert!(compared > 0, "{fixture}: no key-groups handle compared");
        // Inline handle names stay in `_metadata` until a listing reads them: both forms show
        // the path Flink wrote for each.
        let (brief_names, full_names) = (inline_names(&brief), inline_names(&full));
        assert!(!brief_names.is_empty(), "{fixture}: no inline handle");
        assert_eq!(brief_names, full_names, "{fixture}");
        for name in &brief_names {
            assert!(
                name.starts_with("file:/") && name.contains("/savepoint-"),
                "{fixture}: {name}"
            );
        }
    }
}

/// The `name` of every inline handle in the document, in order.
fn inline_names(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if m.get("type").and_then(Value::as_str) == Some("inline") {
                    out.push(m["name"].as_str().unwrap_or("<not a string>").to_string());
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut out);
    out
}

/// The compact document (pipes and files; built on several threads for wide savepoints) says
/// exactly what the indented one says, also when the operators are split across threads.
#[test]
fn compact_json_is_the_indented_document() {
    use spcompat::report::inspect::{render_json, render_json_compact};
    use spcompat::savepoint::Savepoint;
    use spcompat::savepoint::inventory::SavepointSummary;
    let sp = Savepoint::open(std::path::Path::new(
        "fixtures/savepoints/flink-1.20.3-datastream-hashmap-canonical",
    ))
    .unwrap();
    let mut summary = SavepointSummary::build(&sp).unwrap();
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    assert_eq!(
        parse(&render_json_compact(&summary)),
        parse(&render_json(&summary))
    );
    // Wide enough for the parallel path, with operators told apart by their position.
    let one = summary.operators.clone();
    summary.operators = (0..100)
        .flat_map(|i| {
            one.iter().cloned().map(move |mut o| {
                o.name = Some(format!("copy {i} of {}", o.name.as_deref().unwrap_or("")));
                o
            })
        })
        .collect();
    let compact = render_json_compact(&summary);
    assert!(!compact.contains('\n'));
    let (compact, indented) = (parse(&compact), parse(&render_json(&summary)));
    assert_eq!(
        compact["operators"].as_array().unwrap().len(),
        100 * one.len()
    );
    assert_eq!(compact, indented);
}

#[test]
fn boxed_handle_variants_keep_their_json_shape() {
    // Segment (file merging) and incremental (RocksDB) handles are boxed structs in memory;
    // JSON consumers still see the tag beside the fields, camelCase, as for inline handles.
    use spcompat::savepoint::handles::{SegmentHandle, StreamHandle};
    let segment = StreamHandle::Segment(Box::new(SegmentHandle {
        start: 7,
        size: 42,
        scope: 1,
        physical_path: "/ckp/shared/merged-1".into(),
        logical_file_id: "lf-9".into(),
    }));
    assert_eq!(
        serde_json::to_value(&segment).unwrap(),
        serde_json::json!({
            "type": "segment",
            "start": 7,
            "size": 42,
            "scope": 1,
            "physicalPath": "/ckp/shared/merged-1",
            "logicalFileId": "lf-9",
        })
    );
    let doc = inspect(
        "fixtures/savepoints/flink-1.20.3-datastream-rocksdb-native",
        &["--all-handles"],
    );
    let keyed = doc.to_string();
    for key in [
        r#""type":"incremental""#,
        r#""backendId":"#,
        r#""checkpointedSize":"#,
    ] {
        assert!(
            keyed.contains(key),
            "{key} missing from the incremental handle's JSON"
        );
    }
}
