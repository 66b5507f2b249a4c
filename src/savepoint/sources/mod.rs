//! Source positions: what a source operator's state says about where it will resume.
//!
//! * FLIP-27 sources keep one `SourceReaderState` list element per split a reader owned
//!   (`i32 splitSerializerVersion, i32 length, split bytes`), and their enumerator's checkpoint
//!   in the operator's coordinator state (`i32 coordinatorSerdeVersion, i32
//!   enumeratorSerializerVersion, i32 length, bytes`).
//! * The legacy `FlinkKafkaConsumer` keeps `Tuple2<KafkaTopicPartition, Long>` elements in the
//!   union list state `topic-partition-offset-states`, the first field written by Kryo.
//!
//! The savepoint does not say which connector wrote a split, so every known layout is tried
//! strictly (exact length, valid strings, legal values) and anything else is kept raw. All
//! decoding is bounds-checked and returns values or notes, never errors.
//!
//! One file per connector (`kafka`, `number_sequence`, `file`); `read` finds the state in a
//! savepoint; this file holds what all connectors share.

mod file;
mod kafka;
mod number_sequence;
mod read;

use serde::Serialize;

use crate::javaio::data_input::{DataReader, DecodeResult};

pub use file::{FilePosition, FileSplit, decode_file_split};
pub use kafka::{
    KAFKA_COMMITTED, KAFKA_EARLIEST, KAFKA_LATEST, KAFKA_NONE, KafkaEnumPartition, KafkaEnumState,
    KafkaPosition, KafkaSplit, LegacyKafkaOffset, decode_kafka_enum_state, decode_kafka_split,
    decode_legacy_kafka_element, describe_kafka_offset,
};
pub use number_sequence::{
    NumberSequenceSplit, decode_number_sequence_enum, decode_number_sequence_split,
};
pub use read::read_source_positions;

use kafka::{kafka_marker, legacy_marker};

/// The list state every FLIP-27 `SourceOperator` registers.
pub const READER_STATE_NAME: &str = "SourceReaderState";
/// The union list state of the legacy `FlinkKafkaConsumer` (removed in connector 4.0).
pub const LEGACY_KAFKA_STATE_NAME: &str = "topic-partition-offset-states";

/// How many leading bytes of an undecoded blob are shown.
const RAW_PREFIX: usize = 32;

/// Connectors whose split layouts spcompat knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Connector {
    Kafka,
    NumberSequence,
    File,
}

impl Connector {
    pub fn as_str(self) -> &'static str {
        match self {
            Connector::Kafka => "kafka",
            Connector::NumberSequence => "number-sequence",
            Connector::File => "file",
        }
    }

    /// The connector a job-graph `source.connector` names (SQL connector names included).
    pub fn from_name(name: &str) -> Option<Connector> {
        match name.trim().to_ascii_lowercase().as_str() {
            "kafka" | "upsert-kafka" => Some(Connector::Kafka),
            "number-sequence" | "numbersequence" | "sequence" => Some(Connector::NumberSequence),
            "file" | "filesystem" | "files" => Some(Connector::File),
            _ => None,
        }
    }
}

/// Which kind of source state an operator holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A FLIP-27 `SourceOperator` (`SourceReaderState` + coordinator state).
    Flip27,
    /// The legacy `FlinkKafkaConsumer` (`topic-partition-offset-states`).
    LegacyKafkaConsumer,
}

/// The positions one source operator saved.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourcePositions {
    pub kind: SourceKind,
    /// The connector the splits' layout shows, when all decoded splits agree.
    pub connector: Option<Connector>,
    /// Reader splits (FLIP-27) or offset entries (legacy consumer), in subtask order.
    pub splits: Vec<ReaderSplit>,
    /// The enumerator checkpoint from the coordinator state (FLIP-27 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enumerator: Option<EnumeratorState>,
    /// What could not be decoded, in plain words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One split (or legacy offset entry) in one subtask's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReaderSplit {
    pub subtask: i32,
    /// The split serializer version stored with the split (FLIP-27 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serializer_version: Option<i32>,
    #[serde(flatten)]
    pub split: Split,
}

/// A decoded split.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Split {
    Kafka(KafkaSplit),
    NumberSequence(NumberSequenceSplit),
    File(FileSplit),
    LegacyKafka(LegacyKafkaOffset),
    Raw(RawBytes),
}

/// Bytes spcompat cannot decode, shown by length and a short prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RawBytes {
    pub length: usize,
    pub hex_prefix: String,
}

impl RawBytes {
    pub fn of(bytes: &[u8]) -> RawBytes {
        RawBytes {
            length: bytes.len(),
            hex_prefix: hex(&bytes[..bytes.len().min(RAW_PREFIX)]),
        }
    }
}

/// The enumerator checkpoint inside a source coordinator's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnumeratorState {
    pub coordinator_serde_version: i32,
    pub serializer_version: i32,
    pub length: usize,
    #[serde(flatten)]
    pub content: EnumeratorContent,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EnumeratorContent {
    Kafka(KafkaEnumState),
    /// `NumberSequenceSource`: splits not yet handed to a reader.
    #[serde(rename_all = "camelCase")]
    NumberSequence {
        remaining: Vec<NumberSequenceSplit>,
    },
    Raw(RawBytes),
}

impl SourcePositions {
    /// Kafka positions as (topic, partition, next offset or marker), from reader splits and
    /// legacy entries, sorted by topic and partition.
    pub fn kafka_partitions(&self) -> Vec<KafkaPosition> {
        let mut out: Vec<KafkaPosition> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for s in &self.splits {
            let p = match &s.split {
                Split::Kafka(k) => KafkaPosition {
                    topic: k.topic.clone(),
                    partition: k.partition,
                    offset: k.starting_offset,
                    marker: kafka_marker(k.starting_offset),
                },
                Split::LegacyKafka(LegacyKafkaOffset {
                    topic: Some(topic),
                    partition: Some(partition),
                    offset: Some(offset),
                    ..
                }) => {
                    let marker = legacy_marker(*offset);
                    KafkaPosition {
                        topic: topic.clone(),
                        partition: *partition,
                        // The legacy consumer stores the last offset read.
                        offset: if marker.is_none() {
                            offset.saturating_add(1)
                        } else {
                            *offset
                        },
                        marker,
                    }
                }
                _ => continue,
            };
            // The first entry of a partition wins; a set keeps this linear in the entries.
            if seen.insert((p.topic.clone(), p.partition)) {
                out.push(p);
            }
        }
        out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        out
    }

    /// Topics the saved splits read, sorted.
    pub fn topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = self
            .kafka_partitions()
            .into_iter()
            .map(|p| p.topic)
            .collect();
        topics.dedup();
        topics
    }

    /// Whether the state holds any position at all.
    pub fn has_positions(&self) -> bool {
        !self.splits.is_empty()
    }
}

impl Split {
    /// One line for people: what the split covers and where the reader stands.
    pub fn describe(&self) -> (String, String) {
        match self {
            Split::Kafka(k) => {
                let mut pos = describe_kafka_offset(k.starting_offset);
                match k.stopping_offset {
                    None => {}
                    Some(KAFKA_LATEST) => pos.push_str(", stops at the latest offset"),
                    Some(KAFKA_COMMITTED) => pos.push_str(", stops at the committed offset"),
                    Some(s) => pos.push_str(&format!(", stops at offset {s}")),
                }
                (format!("{}-{}", k.topic, k.partition), pos)
            }
            Split::NumberSequence(n) => (
                format!("split {}", n.split_id),
                format!("next {}, up to {}", n.from, n.to),
            ),
            Split::File(f) => {
                let path = f.path.clone().unwrap_or_else(|| "(no path)".into());
                let range = format!("bytes {}+{}", f.offset, f.length);
                let at = match f.reader_position {
                    Some(p) if p.records_after_offset > 0 => format!(
                        "{range}, at byte {} + {} records",
                        p.offset, p.records_after_offset
                    ),
                    Some(p) => format!("{range}, at byte {}", p.offset),
                    None => format!("{range}, not started"),
                };
                (format!("{path} (split {})", f.split_id), at)
            }
            Split::LegacyKafka(l) => {
                let name = match (&l.topic, l.partition) {
                    (Some(t), Some(p)) => format!("{t}-{p}"),
                    _ => "(undecoded topic partition)".into(),
                };
                let pos = match l.offset {
                    Some(o) => match legacy_marker(o) {
                        Some("earliest") => "earliest offset (nothing read yet)".into(),
                        Some("latest") => "latest offset (nothing read yet)".into(),
                        Some("committed") => "committed group offset (nothing read yet)".into(),
                        Some(_) => "offset not set".into(),
                        None => format!("offset {} (last read {o})", o.saturating_add(1)),
                    },
                    None => "offset unknown".into(),
                };
                let pos = match &l.raw {
                    Some(raw) => format!("{pos}; {} bytes: {}", raw.length, raw.hex_prefix),
                    None => pos,
                };
                (name, pos)
            }
            Split::Raw(r) => (
                "split".into(),
                format!("not decoded, {} bytes: {}", r.length, r.hex_prefix),
            ),
        }
    }

    fn connector(&self) -> Option<Connector> {
        match self {
            Split::Kafka(_) | Split::LegacyKafka(_) => Some(Connector::Kafka),
            Split::NumberSequence(_) => Some(Connector::NumberSequence),
            Split::File(_) => Some(Connector::File),
            Split::Raw(_) => None,
        }
    }
}

/// One `SourceReaderState` element as `BytePrimitiveArraySerializer` writes it: `i32 length`,
/// then `i32 splitSerializerVersion, i32 payloadLength, payload`. Returns the version and
/// payload; the reader is left after the element.
pub fn read_reader_element<'a>(r: &mut DataReader<'a>) -> DecodeResult<(i32, &'a [u8])> {
    let len = r.length("length of a SourceReaderState element")?;
    let mut e = r.sub_reader(len, "SourceReaderState element")?;
    let version = e.i32("split serializer version")?;
    let n = e.length("split length")?;
    let payload = e.take(n, "split bytes")?;
    if !e.is_empty() {
        return Err(e.error(
            "end of the SourceReaderState element",
            format!("{} more bytes", e.remaining()),
        ));
    }
    Ok((version, payload))
}

/// Decodes split bytes by trying every known layout that fits the serializer version.
/// Unknown layouts come back as [`Split::Raw`]; so do bytes that fit several layouts, unless
/// `hint` names one of them.
pub fn decode_split(version: i32, payload: &[u8], hint: Option<Connector>) -> Split {
    let fits = [Connector::Kafka, Connector::NumberSequence, Connector::File]
        .into_iter()
        .filter_map(|c| {
            let decoded = match (c, version) {
                (Connector::Kafka, 0) => decode_kafka_split(payload).map(Split::Kafka),
                (Connector::NumberSequence, 1) => {
                    decode_number_sequence_split(payload).map(Split::NumberSequence)
                }
                (Connector::File, 1) => decode_file_split(payload).map(Split::File),
                _ => return None,
            };
            decoded.ok().map(|d| (c, d))
        })
        .collect();
    pick(fits, hint).unwrap_or_else(|| Split::Raw(RawBytes::of(payload)))
}

/// The one layout that fits, or the hinted one among several.
fn pick<T>(mut fits: Vec<(Connector, T)>, hint: Option<Connector>) -> Option<T> {
    if fits.len() > 1 {
        fits.retain(|(c, _)| Some(*c) == hint);
    }
    match fits.len() {
        1 => fits.pop().map(|(_, d)| d),
        _ => None,
    }
}

/// The coordinator state of a source: `i32 coordinatorSerdeVersion` (0 or 1), `i32
/// enumeratorSerializerVersion`, `i32 length`, enumerator checkpoint. Version 1 has nothing
/// after it; version 0 tolerated trailing bytes.
pub fn decode_coordinator_state(
    bytes: &[u8],
    hint: Option<Connector>,
) -> DecodeResult<EnumeratorState> {
    let mut r = DataReader::new(bytes);
    let at = r.offset();
    let serde = r.i32("source coordinator serde version")?;
    if !(0..=1).contains(&serde) {
        return Err(r.error_at(
            at,
            "source coordinator serde version 0 or 1",
            serde.to_string(),
        ));
    }
    let version = r.i32("enumerator serializer version")?;
    let len = r.length("enumerator checkpoint length")?;
    let payload = r.take(len, "enumerator checkpoint")?;
    if serde == 1 {
        expect_end(&r, "end of the source coordinator state")?;
    }
    Ok(EnumeratorState {
        coordinator_serde_version: serde,
        serializer_version: version,
        length: len,
        content: decode_enumerator(version, payload, hint),
    })
}

/// Tries the known enumerator layouts. An empty checkpoint (`00000000`) fits both Kafka
/// version 1 and `NumberSequenceSource`: then only `hint` (e.g. the connector of the saved
/// splits) decides, and without one the bytes stay raw.
pub fn decode_enumerator(
    version: i32,
    payload: &[u8],
    hint: Option<Connector>,
) -> EnumeratorContent {
    let fits = [Connector::Kafka, Connector::NumberSequence]
        .into_iter()
        .filter_map(|c| {
            let decoded = match (c, version) {
                (Connector::Kafka, 0..=3) => {
                    decode_kafka_enum_state(version, payload).map(EnumeratorContent::Kafka)
                }
                (Connector::NumberSequence, 1) => decode_number_sequence_enum(payload)
                    .map(|remaining| EnumeratorContent::NumberSequence { remaining }),
                _ => return None,
            };
            decoded.ok().map(|d| (c, d))
        })
        .collect();
    pick(fits, hint).unwrap_or_else(|| EnumeratorContent::Raw(RawBytes::of(payload)))
}

/// `writeBoolean` writes 0 or 1; anything else means this is not the layout being tried.
pub(super) fn read_strict_bool(r: &mut DataReader, what: &str) -> DecodeResult<bool> {
    let at = r.offset();
    match r.u8(what)? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(r.error_at(at, format!("{what} (0 or 1)"), other.to_string())),
    }
}

pub(super) fn expect_end(r: &DataReader, what: &str) -> DecodeResult<()> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(r.error(what, format!("{} more bytes", r.remaining())))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
