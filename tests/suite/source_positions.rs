//! Source positions decoded from real savepoints: the reference samples (FLIP-27
//! `NumberSequenceSource`, uid `source-uid`) and the generated corpus (`datastream-all`: two
//! `NumberSequenceSource(0, 1_000_000_000)`-based sources, uid `source` at parallelism 2 and
//! uid `rules-source` at parallelism 1), checked for plausibility against what those jobs did
//! and, for the corpus, against the element counts Flink itself recorded in `expected.json`.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use spcompat::savepoint::Savepoint;
use spcompat::savepoint::inventory::SavepointSummary;
use spcompat::savepoint::sources::{
    Connector, EnumeratorContent, NumberSequenceSplit, SourceKind, SourcePositions, Split,
};

fn summary(dir: &Path) -> SavepointSummary {
    let sp = Savepoint::open(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    SavepointSummary::build(&sp).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn positions<'a>(s: &'a SavepointSummary, id: &str) -> &'a SourcePositions {
    s.operators
        .iter()
        .find(|o| o.operator_id.to_string() == id)
        .unwrap_or_else(|| panic!("operator {id} not found"))
        .source_positions
        .as_ref()
        .unwrap_or_else(|| panic!("operator {id} has no source positions"))
}

/// The number-sequence splits, with their subtasks, or a panic naming what else was found.
fn sequence_splits(p: &SourcePositions, what: &str) -> Vec<(i32, NumberSequenceSplit)> {
    assert_eq!(p.kind, SourceKind::Flip27, "{what}");
    assert_eq!(p.connector, Some(Connector::NumberSequence), "{what}");
    assert!(p.notes.is_empty(), "{what}: {:?}", p.notes);
    p.splits
        .iter()
        .map(|s| {
            assert_eq!(s.serializer_version, Some(1), "{what}");
            match &s.split {
                Split::NumberSequence(n) => (s.subtask, n.clone()),
                other => panic!("{what}: not a number-sequence split: {other:?}"),
            }
        })
        .collect()
}

/// All splits were handed out when the job started, so the enumerator has none left; its
/// checkpoint is the coordinator state `00000001 00000001 00000004 00000000`.
fn assert_enumerator_empty(p: &SourcePositions, what: &str) {
    let e = p
        .enumerator
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: no enumerator"));
    assert_eq!(
        (e.coordinator_serde_version, e.serializer_version, e.length),
        (1, 1, 4),
        "{what}"
    );
    assert_eq!(
        e.content,
        EnumeratorContent::NumberSequence { remaining: vec![] },
        "{what}"
    );
}

/// One split per reader; the splits tile `[first, last]` without overlap, and each reader has
/// emitted some numbers (its `from` moved past the split's start) but not many (the jobs run
/// for seconds and emit slowly). Returns each reader's progress.
fn assert_tiles(
    splits: &[(i32, NumberSequenceSplit)],
    parallelism: usize,
    first: i64,
    last: i64,
    what: &str,
) -> Vec<i64> {
    assert_eq!(splits.len(), parallelism, "{what}: one split per reader");
    let subtasks: BTreeSet<i32> = splits.iter().map(|(s, _)| *s).collect();
    assert_eq!(subtasks, (0..parallelism as i32).collect(), "{what}");
    let ids: BTreeSet<&str> = splits.iter().map(|(_, n)| n.split_id.as_str()).collect();
    assert_eq!(ids.len(), parallelism, "{what}: split ids are distinct");
    let mut sorted: Vec<&NumberSequenceSplit> = splits.iter().map(|(_, n)| n).collect();
    sorted.sort_by_key(|n| n.to);
    assert_eq!(
        sorted.last().unwrap().to,
        last,
        "{what}: the last split ends the sequence"
    );
    let mut start = first;
    let mut progress = Vec::new();
    for n in sorted {
        assert!(n.from <= n.to, "{what}: {n:?}");
        let emitted = n.from - start;
        assert!(
            (1..1_000_000).contains(&emitted),
            "{what}: split {} emitted {emitted} numbers",
            n.split_id
        );
        progress.push(emitted);
        start = n.to.saturating_add(1);
    }
    progress
}

#[test]
fn reference_samples_number_sequence_source() {
    let base = common::root().join("fixtures/reference");
    assert!(
        base.is_dir(),
        "{} is part of the repository",
        base.display()
    );
    for name in [
        "flink-1.20.0-hashmap-canonical",
        "flink-1.20.0-rocksdb-native",
        "flink-2.0.0-hashmap-canonical",
        "flink-2.0.0-rocksdb-native",
        "flink-2.3.0-hashmap-canonical",
        "flink-2.3.0-hashmap-native",
        "flink-2.3.0-rocksdb-canonical",
        "flink-2.3.0-rocksdb-native",
    ] {
        let s = summary(&base.join(name));
        // uid `source-uid`, NumberSequenceSource(0, Long.MAX_VALUE), parallelism 2.
        let p = positions(&s, "bef22c5df1ab33dd94bb7a6ecac555fb");
        let splits = sequence_splits(p, name);
        assert_tiles(&splits, 2, 0, i64::MAX, name);
        assert_enumerator_empty(p, name);
        // Only the source has source positions.
        assert_eq!(
            s.operators
                .iter()
                .filter(|o| o.source_positions.is_some())
                .count(),
            1,
            "{name}"
        );
    }
}

#[test]
fn every_fixture_split_is_decoded() {
    for dir in common::all_fixtures() {
        let s = summary(&dir);
        for o in &s.operators {
            let Some(p) = &o.source_positions else {
                continue;
            };
            // Every split in every fixture is in a known layout: nothing is left raw.
            for split in &p.splits {
                assert!(
                    !matches!(split.split, Split::Raw(_)),
                    "{}: {} has an undecoded split {split:?}",
                    dir.display(),
                    o.operator_id
                );
            }
            assert!(p.notes.is_empty(), "{}: {:?}", dir.display(), p.notes);
        }
    }
}

#[test]
fn generated_datastream_fixtures_number_sequence_sources() {
    let base = common::root().join("fixtures/savepoints");
    let dirs: Vec<_> = common::all_fixtures()
        .into_iter()
        .filter(|d| d.starts_with(&base))
        .filter(|d| {
            d.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("-datastream-"))
        })
        .collect();
    assert!(
        !dirs.is_empty(),
        "no generated datastream fixtures in {}",
        base.display()
    );
    let source = spcompat::job::uid_hash("source").to_string();
    let rules = spcompat::job::uid_hash("rules-source").to_string();
    for dir in dirs {
        let what = dir.display().to_string();
        let s = summary(&dir);
        let p = positions(&s, &source);
        let splits = sequence_splits(p, &what);
        let source_progress = assert_tiles(&splits, 2, 0, 1_000_000_000, &what);
        assert_enumerator_empty(p, &what);

        let p = positions(&s, &rules);
        let splits = sequence_splits(p, &what);
        let rules_progress = assert_tiles(&splits, 1, 0, 1_000_000_000, &what);
        assert_enumerator_empty(p, &what);
        // rules-source emits every 200 ms, source every 40 ms per reader, for the same time.
        assert!(
            rules_progress[0] <= *source_progress.iter().max().unwrap(),
            "{what}: rules-source {rules_progress:?} vs source {source_progress:?}"
        );

        // Flink's own reading: as many `SourceReaderState` elements per subtask as we decoded.
        let expected = common::root().join(&dir).join("expected.json");
        let Ok(text) = std::fs::read_to_string(&expected) else {
            continue;
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for (id, decoded) in [
            (&source, &positions(&s, &source).splits),
            (&rules, &positions(&s, &rules).splits),
        ] {
            let op = json["operators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["operatorId"] == id.as_str())
                .unwrap_or_else(|| panic!("{what}: {id} not in expected.json"));
            assert_eq!(op["hasCoordinatorState"], true, "{what}");
            for st in op["subtaskStates"].as_array().unwrap() {
                let index = st["index"].as_i64().unwrap() as i32;
                let elements: usize = st["managedOperator"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|h| h["states"]["SourceReaderState"]["offsets"].as_array())
                    .map(Vec::len)
                    .sum();
                let ours = decoded.iter().filter(|s| s.subtask == index).count();
                assert_eq!(ours, elements, "{what}: {id} subtask {index}");
            }
        }
    }
}
