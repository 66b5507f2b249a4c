//! The source-state decoders against bytes written by the real serializers
//! (`fixtures/vectors/*.jsonl`, made by `fixtures/vectors/generate.sh`):
//! flink-connector-kafka 4.0.1-2.0 (`KafkaPartitionSplitSerializer`,
//! `KafkaSourceEnumStateSerializer` and its version-1 writer, `SerdeUtils` for the version-0
//! layout, `SourceCoordinator.writeCheckpointBytes`), Flink's `FileSourceSplitSerializer`
//! (2.3.0 = 1.20.3), and Flink 1.20.3's Kryo writing the legacy `FlinkKafkaConsumer` element
//! for a stand-in `KafkaTopicPartition` class.

use crate::common;

use serde_json::Value;
use spcompat::javaio::data_input::DataReader;
use spcompat::savepoint::sources::{
    Connector, EnumeratorContent, KafkaEnumState, Split, decode_coordinator_state,
    decode_enumerator, decode_file_split, decode_kafka_enum_state, decode_kafka_split,
    decode_legacy_kafka_element, decode_split,
};

struct Vector {
    name: String,
    version: i32,
    bytes: Vec<u8>,
    expect: Value,
}

fn vectors(file: &str) -> Vec<Vector> {
    let path = common::root().join("fixtures/vectors").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let hex = v["hex"].as_str().unwrap();
            Vector {
                name: v["name"].as_str().unwrap().to_string(),
                version: v["serializerVersion"].as_i64().unwrap_or(-1) as i32,
                bytes: (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect(),
                expect: v["expect"].clone(),
            }
        })
        .collect()
}

fn get<'a>(all: &'a [Vector], name: &str) -> &'a Vector {
    all.iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("vector {name} missing"))
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

/// (topic, partition, assigned) of the enumerator partitions against the expectation.
fn assert_enum_partitions(state: &KafkaEnumState, expect: &Value, name: &str) {
    let expected: Vec<(String, i32, bool)> = expect["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["topic"].as_str().unwrap().to_string(),
                i(&p["partition"]) as i32,
                p.get("status").and_then(Value::as_str) != Some("unassigned"),
            )
        })
        .collect();
    let got: Vec<(String, i32, bool)> = state
        .partitions
        .iter()
        .map(|p| (p.topic.clone(), p.partition, p.assigned))
        .collect();
    assert_eq!(got, expected, "{name}");
}

#[test]
fn kafka_splits_from_the_real_serializer() {
    let all = vectors("kafka.jsonl");
    let mut splits = 0;
    for v in all.iter().filter(|v| v.name.starts_with("split-")) {
        splits += 1;
        assert_eq!(
            v.version, 0,
            "{}: KafkaPartitionSplitSerializer is version 0",
            v.name
        );
        let k = decode_kafka_split(&v.bytes).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(k.topic, v.expect["topic"].as_str().unwrap(), "{}", v.name);
        assert_eq!(
            i64::from(k.partition),
            i(&v.expect["partition"]),
            "{}",
            v.name
        );
        assert_eq!(
            k.starting_offset,
            i(&v.expect["startingOffset"]),
            "{}",
            v.name
        );
        let stop = i(&v.expect["stoppingOffset"]);
        assert_eq!(
            k.stopping_offset,
            (stop != i64::MIN).then_some(stop),
            "{}",
            v.name
        );
        // Auto-detection picks the Kafka layout with or without the hint, and no other layout
        // claims these bytes.
        for hint in [
            None,
            Some(Connector::Kafka),
            Some(Connector::File),
            Some(Connector::NumberSequence),
        ] {
            assert_eq!(
                decode_split(0, &v.bytes, hint),
                Split::Kafka(k.clone()),
                "{}",
                v.name
            );
        }
        assert!(
            matches!(decode_split(1, &v.bytes, None), Split::Raw(_)),
            "{}",
            v.name
        );
    }
    assert_eq!(splits, 5);
    let k = decode_kafka_split(&get(&all, "split-unicode-topic").bytes).unwrap();
    assert_eq!(k.topic, "bestellungen-\u{fc}\u{20ac}");
}

#[test]
fn kafka_reader_state_element() {
    let all = vectors("kafka.jsonl");
    let v = get(&all, "reader-element-orders-3");
    // SourceOperator stores it behind BytePrimitiveArraySerializer's length.
    let mut element = (v.bytes.len() as i32).to_be_bytes().to_vec();
    element.extend_from_slice(&v.bytes);
    let mut r = DataReader::new(&element);
    let (version, payload) = spcompat::savepoint::sources::read_reader_element(&mut r).unwrap();
    assert!(r.is_empty());
    assert_eq!(version, 0);
    match decode_split(version, payload, None) {
        Split::Kafka(k) => {
            assert_eq!(
                (k.topic.as_str(), k.partition, k.starting_offset),
                ("orders", 3, 1234)
            );
            assert_eq!(k.stopping_offset, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn kafka_enumerator_state_versions_0_to_2() {
    let all = vectors("kafka.jsonl");
    // Current version of connector 4.0.1 (2): partitions with assignment status + flag.
    for name in ["enum-current", "enum-current-empty"] {
        let v = get(&all, name);
        assert_eq!(v.version, 2, "{name}");
        let s = decode_kafka_enum_state(v.version, &v.bytes).unwrap();
        assert_enum_partitions(&s, &v.expect, name);
        assert_eq!(
            s.initial_discovery_finished,
            v.expect["initialDiscoveryFinished"].as_bool(),
            "{name}"
        );
        assert!(s.partitions.iter().all(|p| p.starting_offset.is_none()));
    }
    let v = get(&all, "enum-v1");
    let s = decode_kafka_enum_state(1, &v.bytes).unwrap();
    assert_enum_partitions(&s, &v.expect, "enum-v1");
    assert_eq!(s.initial_discovery_finished, None);

    let v = get(&all, "enum-v0");
    let s = decode_kafka_enum_state(0, &v.bytes).unwrap();
    assert_enum_partitions(&s, &v.expect, "enum-v0");
    let offsets: Vec<Option<i64>> = s.partitions.iter().map(|p| p.starting_offset).collect();
    let expected: Vec<Option<i64>> = v.expect["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Some(i(&p["startingOffset"])))
        .collect();
    assert_eq!(offsets, expected);
    let readers: Vec<Option<i32>> = s.partitions.iter().map(|p| p.subtask).collect();
    assert_eq!(readers, vec![Some(0), Some(1), Some(1)]);

    // A version-2 state is not a valid version-1 or -3 state.
    let v2 = &get(&all, "enum-current").bytes;
    assert!(decode_kafka_enum_state(1, v2).is_err());
    assert!(decode_kafka_enum_state(3, v2).is_err());
}

#[test]
fn kafka_coordinator_state_wrapper() {
    let all = vectors("kafka.jsonl");
    let v = get(&all, "coordinator-enum-current");
    let e = decode_coordinator_state(&v.bytes, None).unwrap();
    assert_eq!((e.coordinator_serde_version, e.serializer_version), (1, 2));
    assert_eq!(e.length, v.bytes.len() - 12);
    match &e.content {
        EnumeratorContent::Kafka(k) => {
            assert_enum_partitions(k, &v.expect, &v.name);
            assert_eq!(k.initial_discovery_finished, Some(true));
        }
        other => panic!("{other:?}"),
    }
    // The wrapper's length must match: one byte more is rejected.
    let mut longer = v.bytes.clone();
    longer.push(0);
    assert!(decode_coordinator_state(&longer, None).is_err());
    // The empty version-2 state is five bytes no other known enumerator layout accepts.
    let empty = get(&all, "enum-current-empty");
    assert!(matches!(
        decode_enumerator(2, &empty.bytes, Some(Connector::NumberSequence)),
        EnumeratorContent::Kafka(_)
    ));
}

#[test]
fn file_source_splits_from_the_real_serializer() {
    for v in vectors("file-source.jsonl") {
        assert_eq!(v.version, 1, "{}", v.name);
        let f = decode_file_split(&v.bytes).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(f.split_id, v.expect["splitId"].as_str().unwrap());
        assert_eq!(f.path.as_deref(), v.expect["path"].as_str());
        assert_eq!(f.offset, i(&v.expect["offset"]));
        assert_eq!(f.length, i(&v.expect["length"]));
        assert_eq!(f.file_size, i(&v.expect["fileSize"]));
        match v.expect.get("readerOffset") {
            Some(o) => {
                let p = f.reader_position.expect("reader position");
                assert_eq!(p.offset, i(o));
                assert_eq!(p.records_after_offset, i(&v.expect["recordsAfterOffset"]));
            }
            None => assert_eq!(f.reader_position, None),
        }
        // Version 1 is also NumberSequenceSource's; the strict layouts tell them apart.
        assert_eq!(
            decode_split(1, &v.bytes, None),
            Split::File(f.clone()),
            "{}",
            v.name
        );
    }
}

#[test]
fn legacy_kafka_consumer_elements_stand_in() {
    // Bytes from Flink 1.20.3's KryoSerializer with a stand-in KafkaTopicPartition (same name
    // and fields as the connector's; see fixtures/vectors/java/legacy). Still to be confirmed
    // on a real FlinkKafkaConsumer savepoint.
    let all = vectors("legacy-kafka.jsonl");
    assert_eq!(all.len(), 5);
    for v in &all {
        let l = decode_legacy_kafka_element(&v.bytes);
        assert_eq!(l.topic.as_deref(), v.expect["topic"].as_str(), "{}", v.name);
        assert_eq!(
            l.partition.map(i64::from),
            v.expect["partition"].as_i64(),
            "{}",
            v.name
        );
        assert_eq!(l.offset, v.expect["offset"].as_i64(), "{}", v.name);
        assert_eq!(l.raw, None, "{}", v.name);
        // A corrupted hash field makes the decoder fall back to the raw bytes and the offset.
        let mut bad = v.bytes.clone();
        bad[2] ^= 0x01;
        let l = decode_legacy_kafka_element(&bad);
        assert_eq!(l.topic, None, "{}", v.name);
        assert_eq!(l.offset, v.expect["offset"].as_i64(), "{}", v.name);
        assert!(l.raw.is_some());
    }
}
