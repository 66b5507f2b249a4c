//! The sample savepoints in fixtures/reference (Flink 1.20, 2.0, 2.3), checked against
//! the facts the reference records for them (operator IDs, states, types).

use crate::common;

use spcompat::savepoint::Savepoint;
use spcompat::savepoint::inventory::{OperatorSummary, SavepointSummary};

fn summary(name: &str) -> SavepointSummary {
    let dir = common::root().join("fixtures/reference").join(name);
    assert!(dir.is_dir(), "{} is part of the repository", dir.display());
    let sp = Savepoint::open(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
    SavepointSummary::build(&sp).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn op<'a>(s: &'a SavepointSummary, id: &str) -> &'a OperatorSummary {
    s.operators
        .iter()
        .find(|o| o.operator_id.to_string() == id)
        .unwrap_or_else(|| panic!("operator {id} not found"))
}

#[test]
fn datastream_samples_across_versions() {
    for (name, version, format) in [
        ("flink-1.20.0-hashmap-canonical", 4, Some("canonical")),
        ("flink-1.20.0-rocksdb-native", 4, Some("native")),
        ("flink-2.0.0-hashmap-canonical", 5, Some("canonical")),
        ("flink-2.0.0-rocksdb-native", 5, Some("native")),
        ("flink-2.3.0-hashmap-canonical", 6, Some("canonical")),
        ("flink-2.3.0-hashmap-native", 6, Some("native")),
        ("flink-2.3.0-rocksdb-canonical", 6, Some("canonical")),
        ("flink-2.3.0-rocksdb-native", 6, Some("native")),
    ] {
        let s = summary(name);
        assert_eq!(s.metadata_version, version, "{name}");
        assert_eq!(s.kind.as_deref(), Some("savepoint"), "{name}");
        assert_eq!(s.savepoint_format.as_deref(), format, "{name}");
        let source = op(&s, "bef22c5df1ab33dd94bb7a6ecac555fb");
        assert_eq!(source.parallelism, 2);
        assert_eq!(source.max_parallelism, 128);
        assert!(source.coordinator_state_size.is_some(), "{name}");
        let reader = source
            .states
            .iter()
            .find(|st| st.name == "SourceReaderState")
            .unwrap();
        assert_eq!(reader.kind, "operator-list");
        assert_eq!(reader.type_.as_deref(), Some("byte[]"));

        let counter = op(&s, "c064aed2fb075b14880c626828c7ed94");
        assert_eq!(counter.key_type.as_deref(), Some("Long"), "{name}");
        let count = counter.states.iter().find(|st| st.name == "count").unwrap();
        assert_eq!(
            (count.kind, count.type_.as_deref()),
            ("value", Some("Long"))
        );
        let m = counter.states.iter().find(|st| st.name == "m").unwrap();
        assert_eq!(m.kind, "map");
        assert_eq!(m.user_key_type.as_deref(), Some("String"));
        assert_eq!(m.type_.as_deref(), Some("Integer"));
        if version >= 5 {
            assert_eq!(source.uid.as_deref(), Some("source-uid"));
            assert_eq!(counter.uid.as_deref(), Some("counter-uid"));
        } else {
            assert_eq!(source.uid, None);
        }
        let sink = op(&s, "20430726f8aae796810d4ac7b158f665");
        assert!(!sink.has_state, "{name}");
    }
}

#[test]
fn kryo_generic_sample() {
    let s = summary("flink-1.20.0-kryo-generic");
    let generic = s
        .operators
        .iter()
        .flat_map(|o| &o.states)
        .find(|st| {
            st.type_
                .as_deref()
                .is_some_and(|t| t.starts_with("GenericType<"))
        })
        .expect("a Kryo-serialized state");
    assert_eq!(generic.kind, "value");
}

#[test]
fn sql_samples() {
    for name in ["flink-2.3.0-sql-plan", "flink-2.3.0-sql-sql"] {
        let s = summary(name);
        let agg = s
            .operators
            .iter()
            .find(|o| o.states.iter().any(|st| st.name == "accState"))
            .expect("group aggregate");
        assert_eq!(agg.name.as_deref(), Some("GroupAggregate[4]"));
        let key = agg.key_type.as_deref().unwrap();
        // VARCHAR(2147483647) prints as its summary string, as in job-graph notation.
        assert!(key.contains("STRING"), "{key}");
        let acc = agg.states.iter().find(|st| st.name == "accState").unwrap();
        let ty = acc.type_.as_deref().unwrap();
        assert_eq!(ty.matches("BIGINT").count(), 2, "{ty}");
        assert!(agg.states.iter().any(|st| st.kind == "timers"));
        if name.ends_with("plan") {
            assert_eq!(agg.uid.as_deref(), Some("4_group-aggregate"));
            assert_eq!(
                agg.operator_id.to_string(),
                "23eaad2bb152dd975bbc63554c2ca61f"
            );
        } else {
            assert_eq!(agg.uid, None);
            assert_eq!(
                agg.operator_id.to_string(),
                "90bea66de1c231edf33913ecd54406c1"
            );
        }
    }
}
