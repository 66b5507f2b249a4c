//! The Java-serialized `CheckpointProperties` trailer of `_metadata` (version 4+): savepoint or
//! checkpoint, and the savepoint format.

use crate::javaio::javaser::{JavaObject, JavaValue};

const CHECKPOINT_PROPERTIES_CLASS: &str =
    "org.apache.flink.runtime.checkpoint.CheckpointProperties";
const SAVEPOINT_TYPE_CLASS: &str = "org.apache.flink.runtime.checkpoint.SavepointType";
const CHECKPOINT_TYPE_CLASS: &str = "org.apache.flink.runtime.checkpoint.CheckpointType";

/// What the Java-serialized `CheckpointProperties` at the end of a V4+ `_metadata` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckpointProperties {
    /// The class of `checkpointType`: `...checkpoint.SavepointType` or `...checkpoint.CheckpointType`.
    pub snapshot_type_class: String,
    pub is_savepoint: bool,
    /// `SavepointType.formatType`: `"CANONICAL"` or `"NATIVE"` (savepoints only).
    pub savepoint_format: Option<String>,
    /// The snapshot type's `name`, e.g. `"Savepoint"`, `"Terminate Savepoint"`, `"Checkpoint"`,
    /// `"Full Checkpoint"`.
    pub type_name: Option<String>,
    /// `SavepointType.postCheckpointAction`: `"NONE"`, `"TERMINATE"` or `"SUSPEND"`.
    pub post_checkpoint_action: Option<String>,
    /// `CheckpointType.sharingFilesStrategy`: `"FORWARD_BACKWARD"`, `"FORWARD"`, `"NO_SHARING"`.
    pub sharing_files_strategy: Option<String>,
    pub forced: Option<bool>,
    pub discard_subsumed: Option<bool>,
    pub discard_finished: Option<bool>,
    pub discard_cancelled: Option<bool>,
    pub discard_failed: Option<bool>,
    pub discard_suspended: Option<bool>,
    pub unclaimed: Option<bool>,
}

/// Interprets a parsed trailer stream: `None` unless `v` is a `CheckpointProperties` object.
pub fn checkpoint_properties(v: &JavaValue) -> Option<CheckpointProperties> {
    let o = v.as_object()?;
    if &*o.class != CHECKPOINT_PROPERTIES_CLASS {
        return None;
    }
    let flag = |name: &str| o.field(name).and_then(JavaValue::as_bool);
    let mut props = CheckpointProperties {
        forced: flag("forced"),
        discard_subsumed: flag("discardSubsumed"),
        discard_finished: flag("discardFinished"),
        discard_cancelled: flag("discardCancelled"),
        discard_failed: flag("discardFailed"),
        discard_suspended: flag("discardSuspended"),
        unclaimed: flag("unclaimed"),
        ..CheckpointProperties::default()
    };
    let enum_field = |t: &JavaObject, name: &str| {
        t.field(name)
            .and_then(JavaValue::enum_constant)
            .map(str::to_string)
    };
    match o.field("checkpointType") {
        Some(JavaValue::Object(t)) => {
            props.snapshot_type_class = t.class.to_string();
            props.type_name = t
                .field("name")
                .and_then(JavaValue::as_str)
                .map(str::to_string);
            props.savepoint_format = enum_field(t, "formatType");
            props.post_checkpoint_action = enum_field(t, "postCheckpointAction");
            props.sharing_files_strategy = enum_field(t, "sharingFilesStrategy");
            props.is_savepoint = &*t.class == SAVEPOINT_TYPE_CLASS
                || (&*t.class != CHECKPOINT_TYPE_CLASS && props.savepoint_format.is_some());
        }
        // Before FLINK-25434 (Flink <= 1.15) CheckpointType was an enum whose savepoint
        // constants start with SAVEPOINT.
        Some(JavaValue::Enum { class, constant }) => {
            props.snapshot_type_class = class.to_string();
            props.type_name = Some(constant.to_string());
            props.is_savepoint = constant.starts_with("SAVEPOINT");
        }
        _ => {}
    }
    Some(props)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::javaio::data_input::DataReader;
    use crate::javaio::javaser::{read_stream, render};
    use crate::javaio::test_support::{fixture, hex, stream_offsets};

    /// The trailer is the last stream of the file and ends exactly at the end of the file.
    fn trailer(name: &str) -> (JavaValue, u64) {
        let data = fixture(name);
        let start = *stream_offsets(&data).last().expect("a trailer stream");
        let mut r = DataReader::with_base(&data[start..], start as u64);
        let v = read_stream(&mut r).unwrap();
        assert!(r.is_empty(), "{name}: trailer ends at end of file");
        (v, start as u64)
    }

    const ALL_FIXTURES: [&str; 11] = [
        "flink-1.20.0-hashmap-canonical",
        "flink-1.20.0-kryo-generic",
        "flink-1.20.0-rocksdb-native",
        "flink-2.0.0-hashmap-canonical",
        "flink-2.0.0-rocksdb-native",
        "flink-2.3.0-hashmap-canonical",
        "flink-2.3.0-hashmap-native",
        "flink-2.3.0-rocksdb-canonical",
        "flink-2.3.0-rocksdb-native",
        "flink-2.3.0-sql-plan",
        "flink-2.3.0-sql-sql",
    ];

    #[test]
    fn trailers_of_all_fixtures_are_savepoints_with_the_folder_format() {
        for name in ALL_FIXTURES {
            let (v, _) = trailer(name);
            let p = checkpoint_properties(&v).unwrap_or_else(|| panic!("{name}: properties"));
            assert!(p.is_savepoint, "{name}");
            assert_eq!(p.snapshot_type_class, SAVEPOINT_TYPE_CLASS, "{name}");
            let expected = if name.contains("native") {
                "NATIVE"
            } else {
                "CANONICAL"
            };
            assert_eq!(p.savepoint_format.as_deref(), Some(expected), "{name}");
            assert_eq!(p.type_name.as_deref(), Some("Savepoint"), "{name}");
            assert_eq!(p.post_checkpoint_action.as_deref(), Some("NONE"), "{name}");
            assert_eq!(p.sharing_files_strategy, None, "{name}");
            // CheckpointProperties.forSavepoint(forced = true, ...): never discarded, not unclaimed.
            assert_eq!(p.forced, Some(true), "{name}");
            for flag in [
                p.discard_subsumed,
                p.discard_finished,
                p.discard_cancelled,
                p.discard_failed,
                p.discard_suspended,
                p.unclaimed,
            ] {
                assert_eq!(flag, Some(false), "{name}");
            }
        }
    }

    #[test]
    fn trailer_structure_of_a_native_savepoint() {
        let (v, _) = trailer("flink-2.3.0-hashmap-native");
        let o = v.as_object().unwrap();
        assert_eq!(&*o.class, CHECKPOINT_PROPERTIES_CLASS);
        let names: Vec<&str> = o.fields.iter().map(|f| &*f.name).collect();
        assert_eq!(
            names,
            [
                "discardCancelled",
                "discardFailed",
                "discardFinished",
                "discardSubsumed",
                "discardSuspended",
                "forced",
                "unclaimed",
                "checkpointType"
            ]
        );
        let enums: Vec<(String, String)> = v
            .enum_constants()
            .iter()
            .map(|(c, k)| (c.to_string(), k.to_string()))
            .collect();
        assert_eq!(
            enums,
            [
                (
                    "org.apache.flink.core.execution.SavepointFormatType".to_string(),
                    "NATIVE".to_string()
                ),
                (
                    "org.apache.flink.runtime.checkpoint.SavepointType$PostCheckpointAction"
                        .to_string(),
                    "NONE".to_string()
                ),
            ]
        );
        let strings: Vec<String> = v.strings().iter().map(|s| s.to_string()).collect();
        assert_eq!(strings, ["Savepoint"]);
        assert!(
            render(&v, 10_000)
                .contains("formatType=org.apache.flink.core.execution.SavepointFormatType.NATIVE")
        );
    }

    /// `CheckpointProperties.forCheckpoint(RETAIN_ON_CANCELLATION)` written by
    /// `ObjectOutputStream.writeObject` with the Flink 2.3.0 jars on OpenJDK 17 (the fixtures
    /// hold savepoints only).
    const RETAINED_CHECKPOINT_PROPERTIES: &str = "\
        aced0005737200386f72672e6170616368652e666c696e6b2e72756e74696d652e636865636b706f696e742e43686563\
        6b706f696e7450726f7065727469657300000000000000020200085a00106469736361726443616e63656c6c65645a00\
        0d646973636172644661696c65645a000f6469736361726446696e69736865645a000f6469736361726453756273756d\
        65645a00106469736361726453757370656e6465645a0006666f726365645a0009756e636c61696d65644c000e636865\
        636b706f696e74547970657400324c6f72672f6170616368652f666c696e6b2f72756e74696d652f636865636b706f69\
        6e742f536e617073686f74547970653b787000000101000000737200326f72672e6170616368652e666c696e6b2e7275\
        6e74696d652e636865636b706f696e742e436865636b706f696e7454797065d6de4f0305ae1d3a0200024c00046e616d\
        657400124c6a6176612f6c616e672f537472696e673b4c001473686172696e6746696c65735374726174656779740047\
        4c6f72672f6170616368652f666c696e6b2f72756e74696d652f636865636b706f696e742f536e617073686f74547970\
        652453686172696e6746696c657353747261746567793b787074000a436865636b706f696e747e7200456f72672e6170\
        616368652e666c696e6b2e72756e74696d652e636865636b706f696e742e536e617073686f7454797065245368617269\
        6e6746696c6573537472617465677900000000000000001200007872000e6a6176612e6c616e672e456e756d00000000\
        000000001200007870740010464f52574152445f4241434b57415244";

    #[test]
    fn trailer_of_a_retained_checkpoint() {
        let data = hex(RETAINED_CHECKPOINT_PROPERTIES);
        let mut r = DataReader::new(&data);
        let v = read_stream(&mut r).unwrap();
        assert!(r.is_empty());
        let p = checkpoint_properties(&v).unwrap();
        assert!(!p.is_savepoint);
        assert_eq!(p.snapshot_type_class, CHECKPOINT_TYPE_CLASS);
        assert_eq!(p.type_name.as_deref(), Some("Checkpoint"));
        assert_eq!(
            p.sharing_files_strategy.as_deref(),
            Some("FORWARD_BACKWARD")
        );
        assert_eq!(p.savepoint_format, None);
        assert_eq!(p.forced, Some(false));
        assert_eq!(p.discard_subsumed, Some(true));
        assert_eq!(p.discard_finished, Some(true));
        assert_eq!(p.discard_cancelled, Some(false));
    }
}
