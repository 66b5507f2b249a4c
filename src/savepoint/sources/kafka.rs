//! Kafka: `KafkaPartitionSplit`, `KafkaSourceEnumState` and the legacy `FlinkKafkaConsumer`'s
//! `Tuple2<KafkaTopicPartition, Long>` offset entries.

use serde::Serialize;

use super::{RawBytes, expect_end, read_strict_bool};
use crate::javaio::data_input::{DataReader, DecodeError, DecodeResult};

/// Kafka starting-offset markers (`KafkaPartitionSplit`).
pub const KAFKA_LATEST: i64 = -1;
pub const KAFKA_EARLIEST: i64 = -2;
pub const KAFKA_COMMITTED: i64 = -3;
/// "No stopping offset" in a split; "offset is in the reader state" in enumerator state.
pub const KAFKA_NONE: i64 = i64::MIN;

/// `KafkaTopicPartitionStateSentinel` values of the legacy consumer.
const LEGACY_OFFSET_NOT_SET: i64 = -915_623_761_776;
const LEGACY_EARLIEST: i64 = -915_623_761_775;
const LEGACY_LATEST: i64 = -915_623_761_774;
const LEGACY_GROUP_OFFSET: i64 = -915_623_761_773;

/// `KafkaPartitionSplit` (serializer version 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaSplit {
    pub topic: String,
    pub partition: i32,
    /// Next offset to read, or a marker: -2 earliest, -1 latest, -3 committed.
    pub starting_offset: i64,
    /// `None` when the split is unbounded.
    pub stopping_offset: Option<i64>,
}

/// One `Tuple2<KafkaTopicPartition, Long>` of the legacy consumer. The offset is the last one
/// read (the consumer resumes at `offset + 1`) or a sentinel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyKafkaOffset {
    pub topic: Option<String>,
    pub partition: Option<i32>,
    pub offset: Option<i64>,
    /// The element when topic and partition could not be decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawBytes>,
}

/// `KafkaSourceEnumState` in any of its versions (0 to 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaEnumState {
    pub partitions: Vec<KafkaEnumPartition>,
    /// Stored since version 2; versions 0 and 1 restore as finished.
    pub initial_discovery_finished: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaEnumPartition {
    pub topic: String,
    pub partition: i32,
    /// Assigned to a reader (else discovered, not yet assigned).
    pub assigned: bool,
    /// Versions 0 and 3 store whole splits: the offset the split was assigned with.
    pub starting_offset: Option<i64>,
    /// Version 0 stores the reader it was assigned to.
    pub subtask: Option<i32>,
}

/// A Kafka partition and where the source resumes reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KafkaPosition {
    pub topic: String,
    pub partition: i32,
    /// The next offset to read, or the marker's raw value.
    pub offset: i64,
    /// `earliest`, `latest`, `committed`, `not-set` when the partition had no offset yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<&'static str>,
}

pub(super) fn kafka_marker(offset: i64) -> Option<&'static str> {
    match offset {
        KAFKA_EARLIEST => Some("earliest"),
        KAFKA_LATEST => Some("latest"),
        KAFKA_COMMITTED => Some("committed"),
        KAFKA_NONE => Some("not-set"),
        _ => None,
    }
}

pub(super) fn legacy_marker(offset: i64) -> Option<&'static str> {
    match offset {
        LEGACY_EARLIEST => Some("earliest"),
        LEGACY_LATEST => Some("latest"),
        LEGACY_GROUP_OFFSET => Some("committed"),
        LEGACY_OFFSET_NOT_SET => Some("not-set"),
        o if o < 0 => Some("not-set"),
        _ => None,
    }
}

/// A Kafka starting offset in words: `offset 1234`, `earliest`, ...
pub fn describe_kafka_offset(offset: i64) -> String {
    match kafka_marker(offset) {
        Some("earliest") => "earliest offset (nothing read yet)".into(),
        Some("latest") => "latest offset (nothing read yet)".into(),
        Some("committed") => "committed group offset (nothing read yet)".into(),
        Some(_) => "offset not set".into(),
        None if offset < 0 => format!("invalid offset {offset}"),
        None => format!("offset {offset}"),
    }
}

/// `KafkaPartitionSplitSerializer` version 0: `utf topic, i32 partition, i64 startingOffset,
/// i64 stoppingOffset`. Strict: the bytes must be consumed exactly and hold legal values
/// (the checks `KafkaPartitionSplit`'s constructor makes).
pub fn decode_kafka_split(payload: &[u8]) -> DecodeResult<KafkaSplit> {
    let mut r = DataReader::new(payload);
    let split = read_kafka_split(&mut r)?;
    expect_end(&r, "end of the Kafka split")?;
    Ok(split)
}

fn read_kafka_split(r: &mut DataReader) -> DecodeResult<KafkaSplit> {
    let topic = read_topic(r)?;
    let at = r.offset();
    let partition = r.i32("partition")?;
    if partition < 0 {
        return Err(r.error_at(at, "a partition >= 0", partition.to_string()));
    }
    let at = r.offset();
    let start = r.i64("starting offset")?;
    if start < 0 && ![KAFKA_LATEST, KAFKA_EARLIEST, KAFKA_COMMITTED, KAFKA_NONE].contains(&start) {
        return Err(r.error_at(at, "a starting offset >= 0 or a marker", start.to_string()));
    }
    let at = r.offset();
    let stop = r.i64("stopping offset")?;
    if stop < 0 && ![KAFKA_LATEST, KAFKA_COMMITTED, KAFKA_NONE].contains(&stop) {
        return Err(r.error_at(at, "a stopping offset >= 0 or a marker", stop.to_string()));
    }
    Ok(KafkaSplit {
        topic,
        partition,
        starting_offset: start,
        stopping_offset: (stop != KAFKA_NONE).then_some(stop),
    })
}

/// A Kafka topic as `writeUTF` stores it: non-empty, no control characters, at most 249
/// characters (Kafka's limit).
fn read_topic(r: &mut DataReader) -> DecodeResult<String> {
    let at = r.offset();
    let topic = r.utf("topic")?;
    if topic.is_empty() || topic.chars().count() > 249 || topic.chars().any(char::is_control) {
        return Err(r.error_at(at, "a Kafka topic name", format!("{topic:?}")));
    }
    Ok(topic)
}

/// The split serializer version the enumerator state embeds: Kafka splits only have version 0.
fn read_kafka_split_version(r: &mut DataReader) -> DecodeResult<()> {
    let at = r.offset();
    let split_version = r.i32("split serializer version")?;
    if split_version != 0 {
        return Err(r.error_at(
            at,
            "Kafka split serializer version 0",
            split_version.to_string(),
        ));
    }
    Ok(())
}

/// `KafkaSourceEnumStateSerializer`, versions 0 to 3 (see the reference, §9.3).
pub fn decode_kafka_enum_state(version: i32, payload: &[u8]) -> DecodeResult<KafkaEnumState> {
    let mut r = DataReader::new(payload);
    let mut partitions = Vec::new();
    let initial_discovery_finished = match version {
        0 => {
            // SerdeUtils split assignments: i32 readers, i32 split serializer version, then per
            // reader: i32 subtask, i32 n, n x (i32 len, split).
            let readers = r.count("number of readers", 8)?;
            read_kafka_split_version(&mut r)?;
            for _ in 0..readers {
                let subtask = r.i32("reader subtask")?;
                let n = r.count("number of assigned splits", 4)?;
                for _ in 0..n {
                    let len = r.length("split length")?;
                    let split = decode_kafka_split(r.take(len, "split bytes")?)?;
                    partitions.push(KafkaEnumPartition {
                        topic: split.topic,
                        partition: split.partition,
                        assigned: true,
                        starting_offset: Some(split.starting_offset),
                        subtask: Some(subtask),
                    });
                }
            }
            None
        }
        1 | 2 => {
            let n = r.count("number of partitions", 6)?;
            for _ in 0..n {
                let topic = read_topic(&mut r)?;
                let partition = read_partition(&mut r)?;
                let assigned = if version == 2 {
                    read_assignment_status(&mut r)?
                } else {
                    true
                };
                partitions.push(KafkaEnumPartition {
                    topic,
                    partition,
                    assigned,
                    starting_offset: None,
                    subtask: None,
                });
            }
            if version == 2 {
                Some(read_strict_bool(&mut r, "initial discovery finished flag")?)
            } else {
                None
            }
        }
        3 => {
            let n = r.count("number of splits", 8)?;
            read_kafka_split_version(&mut r)?;
            for _ in 0..n {
                let len = r.length("split length")?;
                let split = decode_kafka_split(r.take(len, "split bytes")?)?;
                let assigned = read_assignment_status(&mut r)?;
                partitions.push(KafkaEnumPartition {
                    topic: split.topic,
                    partition: split.partition,
                    assigned,
                    starting_offset: Some(split.starting_offset),
                    subtask: None,
                });
            }
            Some(read_strict_bool(&mut r, "initial discovery finished flag")?)
        }
        other => {
            return Err(DecodeError::new(
                0,
                "Kafka enumerator state version 0-3",
                other.to_string(),
            ));
        }
    };
    expect_end(&r, "end of the Kafka enumerator state")?;
    Ok(KafkaEnumState {
        partitions,
        initial_discovery_finished,
    })
}

fn read_partition(r: &mut DataReader) -> DecodeResult<i32> {
    let at = r.offset();
    let p = r.i32("partition")?;
    if p < 0 {
        return Err(r.error_at(at, "a partition >= 0", p.to_string()));
    }
    Ok(p)
}

/// `AssignmentStatus` code: 0 assigned, 1 unassigned (discovered before the initial discovery
/// finished).
fn read_assignment_status(r: &mut DataReader) -> DecodeResult<bool> {
    let at = r.offset();
    match r.i32("assignment status")? {
        0 => Ok(true),
        1 => Ok(false),
        other => Err(r.error_at(at, "assignment status 0 or 1", other.to_string())),
    }
}

/// One element of the legacy consumer's `topic-partition-offset-states`:
/// `Tuple2<KafkaTopicPartition, Long>` = Kryo bytes of the partition, then `i64` offset.
/// Best effort: when the Kryo part is not the layout below, only the offset (the last 8
/// bytes) is kept along with the raw bytes.
///
/// Kryo 2.24 (all Flink 1.x) writes the class (varint registration id + 2, or 1 + name id +
/// class name), a reference marker (1 = new object) when references are on, then the fields
/// sorted by name: `cachedHash` and `partition` as zig-zag varints, `topic` as a Kryo string
/// (with its own reference marker). `cachedHash = 31 * topic.hashCode() + partition` lets us
/// confirm the decoding.
pub fn decode_legacy_kafka_element(element: &[u8]) -> LegacyKafkaOffset {
    if element.len() >= 8 {
        let (kryo, tail) = element.split_at(element.len() - 8);
        let offset = DataReader::new(tail).i64("offset").ok();
        for references in [true, false] {
            if let Some((topic, partition)) = decode_kryo_topic_partition(kryo, references) {
                return LegacyKafkaOffset {
                    topic: Some(topic),
                    partition: Some(partition),
                    offset,
                    raw: None,
                };
            }
        }
        return LegacyKafkaOffset {
            topic: None,
            partition: None,
            offset,
            raw: Some(RawBytes::of(kryo)),
        };
    }
    LegacyKafkaOffset {
        topic: None,
        partition: None,
        offset: None,
        raw: Some(RawBytes::of(element)),
    }
}

fn decode_kryo_topic_partition(kryo: &[u8], references: bool) -> Option<(String, i32)> {
    let mut r = DataReader::new(kryo);
    match kryo_varint(&mut r)? {
        0 => return None, // null
        1 => {
            // Unregistered class: name id, then the name (first use in this object graph).
            kryo_varint(&mut r)?;
            let name = kryo_string(&mut r)??;
            if !String::from_utf16(&name)
                .ok()?
                .ends_with("KafkaTopicPartition")
            {
                return None;
            }
        }
        _ => {}
    }
    if references && kryo_varint(&mut r)? != 1 {
        return None;
    }
    let cached_hash = zigzag(kryo_varint(&mut r)?);
    let partition = zigzag(kryo_varint(&mut r)?);
    if references && kryo_varint(&mut r)? != 1 {
        return None;
    }
    let topic = kryo_string(&mut r)??;
    if !r.is_empty() || partition < 0 || topic.is_empty() {
        return None;
    }
    let hash = topic
        .iter()
        .fold(0i32, |h, &c| h.wrapping_mul(31).wrapping_add(i32::from(c)));
    if hash.wrapping_mul(31).wrapping_add(partition) != cached_hash {
        return None;
    }
    Some((String::from_utf16(&topic).ok()?, partition))
}

/// Kryo's variable-length int: 7 bits per byte, low groups first, at most 5 bytes.
fn kryo_varint(r: &mut DataReader) -> Option<u32> {
    let mut value = 0u32;
    for shift in [0, 7, 14, 21, 28] {
        let b = r.u8("varint").ok()?;
        value |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn zigzag(v: u32) -> i32 {
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

/// Kryo 2.x `Output.writeString` as UTF-16 units: ASCII with the last byte's high bit set, or
/// a flagged length (chars + 1; 0 = null) and chars in (Java-style) UTF-8. `Some(None)` is null.
fn kryo_string(r: &mut DataReader) -> Option<Option<Vec<u16>>> {
    let first = r.peek_u8()?;
    if first & 0x80 == 0 {
        let mut units = Vec::new();
        loop {
            let b = r.u8("ascii char").ok()?;
            units.push(u16::from(b & 0x7f));
            if b & 0x80 != 0 {
                return Some(Some(units));
            }
        }
    }
    r.u8("string length").ok()?;
    let mut len = u32::from(first & 0x3f);
    if first & 0x40 != 0 {
        let mut shift = 6;
        loop {
            let b = r.u8("string length").ok()?;
            len |= u32::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 || shift >= 27 {
                break;
            }
            shift += 7;
        }
    }
    if len == 0 {
        return Some(None);
    }
    let chars = (len - 1) as usize;
    // Every char takes at least one byte.
    if chars > r.remaining() {
        return None;
    }
    let mut units = Vec::with_capacity(chars);
    for _ in 0..chars {
        let b = u16::from(r.u8("char").ok()?);
        let unit = match b >> 4 {
            0..=7 => b,
            12 | 13 => ((b & 0x1f) << 6) | (u16::from(r.u8("char").ok()?) & 0x3f),
            14 => {
                let b2 = u16::from(r.u8("char").ok()?);
                let b3 = u16::from(r.u8("char").ok()?);
                ((b & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)
            }
            _ => return None,
        };
        units.push(unit);
    }
    Some(Some(units))
}
