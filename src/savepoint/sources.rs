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

use serde::Serialize;

use super::Savepoint;
use super::bytes::{DataReader, DecodeError, DecodeResult};
use super::handles::OperatorHandle;
use super::metadata::OperatorState;

/// The list state every FLIP-27 `SourceOperator` registers.
pub const READER_STATE_NAME: &str = "SourceReaderState";
/// The union list state of the legacy `FlinkKafkaConsumer` (removed in connector 4.0).
pub const LEGACY_KAFKA_STATE_NAME: &str = "topic-partition-offset-states";

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

/// `NumberSequenceSource.NumberSequenceSplit`: the numbers `from..=to` still to emit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberSequenceSplit {
    pub split_id: String,
    pub from: i64,
    pub to: i64,
}

/// `FileSourceSplit` (serializer version 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSplit {
    pub split_id: String,
    pub path: Option<String>,
    /// Byte range of the file this split covers.
    pub offset: i64,
    pub length: i64,
    pub modification_time: i64,
    pub file_size: i64,
    pub hostnames: Vec<String>,
    /// Where the reader stands: a byte offset and records to skip after it.
    pub reader_position: Option<FilePosition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePosition {
    pub offset: i64,
    pub records_after_offset: i64,
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

fn kafka_marker(offset: i64) -> Option<&'static str> {
    match offset {
        KAFKA_EARLIEST => Some("earliest"),
        KAFKA_LATEST => Some("latest"),
        KAFKA_COMMITTED => Some("committed"),
        KAFKA_NONE => Some("not-set"),
        _ => None,
    }
}

fn legacy_marker(offset: i64) -> Option<&'static str> {
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

// ---------------------------------------------------------------------------------------------
// Reading an operator's source state from a savepoint
// ---------------------------------------------------------------------------------------------

/// The source positions of `op`, or `None` when it holds no source state. Problems become
/// notes; this never fails.
pub fn read_source_positions(sp: &Savepoint, op: &OperatorState) -> Option<SourcePositions> {
    let has = |name: &str| {
        op.subtasks.iter().any(|s| {
            s.managed_operator_state
                .as_ref()
                .is_some_and(|h| h.states.iter().any(|e| e.name == name))
        })
    };
    let kind = if has(READER_STATE_NAME) {
        SourceKind::Flip27
    } else if has(LEGACY_KAFKA_STATE_NAME) {
        SourceKind::LegacyKafkaConsumer
    } else {
        return None;
    };
    let state_name = match kind {
        SourceKind::Flip27 => READER_STATE_NAME,
        SourceKind::LegacyKafkaConsumer => LEGACY_KAFKA_STATE_NAME,
    };
    let mut splits = Vec::new();
    let mut notes = Vec::new();
    for subtask in &op.subtasks {
        let Some(handle) = &subtask.managed_operator_state else {
            continue;
        };
        if let Err(note) =
            read_subtask(sp, op, handle, subtask.index, kind, state_name, &mut splits)
            && !notes.contains(&note)
        {
            notes.push(note);
        }
    }
    let connector = common_connector(&splits);
    let enumerator = match (kind, &op.coordinator_state) {
        (SourceKind::Flip27, Some(handle)) => match sp.stream_bytes(handle, op) {
            Ok(Some(bytes)) => match decode_coordinator_state(bytes.as_slice(), connector) {
                Ok(e) => Some(e),
                Err(e) => {
                    notes.push(format!("the source coordinator state is not readable: {e}"));
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                notes.push(format!("the source coordinator state is not readable: {e}"));
                None
            }
        },
        _ => None,
    };
    Some(SourcePositions {
        kind,
        connector,
        splits,
        enumerator,
        notes,
    })
}

fn common_connector(splits: &[ReaderSplit]) -> Option<Connector> {
    let mut found = None;
    for s in splits {
        match (found, s.split.connector()) {
            (_, None) => {}
            (None, c) => found = c,
            (Some(a), Some(b)) if a != b => return None,
            _ => {}
        }
    }
    found
}

fn read_subtask(
    sp: &Savepoint,
    op: &OperatorState,
    handle: &OperatorHandle,
    subtask: i32,
    kind: SourceKind,
    state_name: &str,
    out: &mut Vec<ReaderSplit>,
) -> Result<(), String> {
    let Some(entry) = handle.states.iter().find(|e| e.name == state_name) else {
        return Ok(());
    };
    if entry.offsets.is_empty() {
        return Ok(());
    }
    let Some(stream) = &handle.delegate else {
        return Ok(());
    };
    let bytes = match sp.stream_bytes(stream, op) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(()),
        Err(e) => {
            return Err(format!(
                "source state of subtask {subtask} is not readable: {e}"
            ));
        }
    };
    let data = bytes.as_slice();
    if operator_stream_compressed(data) {
        return Err(
            "operator state was written with snapshot compression; source positions are not decoded"
                .into(),
        );
    }
    // Element boundaries: each element ends where the next one (of any state) starts.
    let mut bounds: Vec<u64> = handle
        .states
        .iter()
        .flat_map(|e| e.offsets.iter().map(|&o| o.max(0) as u64))
        .collect();
    bounds.push(data.len() as u64);
    bounds.sort_unstable();
    bounds.dedup();
    for &offset in &entry.offsets {
        let start = offset.max(0) as u64;
        // The next element starts at the first bound above this one (bounds are sorted).
        let end = bounds
            .get(bounds.partition_point(|&b| b <= start))
            .copied()
            .unwrap_or(data.len() as u64);
        let element = data
            .get(start as usize..end as usize)
            .ok_or_else(|| {
                format!(
                    "source state of subtask {subtask}: element offset {offset} is outside the {}-byte stream",
                    data.len()
                )
            })?;
        let split = match kind {
            SourceKind::Flip27 => {
                let mut r = DataReader::with_base(element, bytes.base + start);
                match read_reader_element(&mut r) {
                    Ok((version, payload)) => ReaderSplit {
                        subtask,
                        serializer_version: Some(version),
                        split: decode_split(version, payload, None),
                    },
                    Err(e) => {
                        return Err(format!(
                            "a `{READER_STATE_NAME}` element of subtask {subtask} is not readable: {e}"
                        ));
                    }
                }
            }
            SourceKind::LegacyKafkaConsumer => ReaderSplit {
                subtask,
                serializer_version: None,
                split: Split::LegacyKafka(decode_legacy_kafka_element(element)),
            },
        };
        out.push(split);
    }
    Ok(())
}

/// Operator state proxy version 6+ has a compression flag right after the version.
fn operator_stream_compressed(data: &[u8]) -> bool {
    let r = DataReader::new(data);
    matches!(r.peek_i32(), Some(v) if v >= 6) && data.get(4).is_some_and(|&b| b != 0)
}

// ---------------------------------------------------------------------------------------------
// Pure decoders
// ---------------------------------------------------------------------------------------------

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

/// `writeBoolean` writes 0 or 1; anything else means this is not the layout being tried.
fn read_strict_bool(r: &mut DataReader, what: &str) -> DecodeResult<bool> {
    let at = r.offset();
    match r.u8(what)? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(r.error_at(at, format!("{what} (0 or 1)"), other.to_string())),
    }
}

/// `NumberSequenceSource` split serializer version 1: `utf splitId, i64 from, i64 to`.
pub fn decode_number_sequence_split(payload: &[u8]) -> DecodeResult<NumberSequenceSplit> {
    let mut r = DataReader::new(payload);
    let split = read_number_sequence_split(&mut r)?;
    expect_end(&r, "end of the number sequence split")?;
    Ok(split)
}

fn read_number_sequence_split(r: &mut DataReader) -> DecodeResult<NumberSequenceSplit> {
    let split_id = r.utf("split id")?;
    let at = r.offset();
    let from = r.i64("from")?;
    let to = r.i64("to")?;
    // The split's constructor requires from <= to (exhausted splits are not saved).
    if from > to {
        return Err(r.error_at(at, "from <= to", format!("from {from}, to {to}")));
    }
    Ok(NumberSequenceSplit { split_id, from, to })
}

/// `NumberSequenceSource` enumerator checkpoint version 1: `i32 n`, n splits.
pub fn decode_number_sequence_enum(payload: &[u8]) -> DecodeResult<Vec<NumberSequenceSplit>> {
    let mut r = DataReader::new(payload);
    let n = r.count("number of remaining splits", 18)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(read_number_sequence_split(&mut r)?);
    }
    expect_end(&r, "end of the number sequence enumerator state")?;
    Ok(out)
}

/// `FileSourceSplitSerializer` version 1: `utf id`, `Path`, `i64 offset, length,
/// modificationTime, fileSize`, `i32 n` host names (`utf`), `bool` + reader position
/// (`i64 offset, i64 recordsAfterOffset`).
pub fn decode_file_split(payload: &[u8]) -> DecodeResult<FileSplit> {
    let mut r = DataReader::new(payload);
    let split_id = r.utf("split id")?;
    let path = read_flink_path(&mut r)?;
    let offset = r.i64("split offset")?;
    let length = r.i64("split length")?;
    let modification_time = r.i64("file modification time")?;
    let file_size = r.i64("file size")?;
    if offset < 0 || length < 0 || file_size < 0 {
        return Err(r.error(
            "non-negative offset, length and file size",
            "a negative value",
        ));
    }
    let n = r.count("number of host names", 2)?;
    let mut hostnames = Vec::with_capacity(n);
    for _ in 0..n {
        hostnames.push(r.utf("host name")?);
    }
    let reader_position = if read_strict_bool(&mut r, "reader position flag")? {
        Some(FilePosition {
            offset: r.i64("reader offset")?,
            records_after_offset: r.i64("records after offset")?,
        })
    } else {
        None
    };
    expect_end(&r, "end of the file split")?;
    Ok(FileSplit {
        split_id,
        path,
        offset,
        length,
        modification_time,
        file_size,
        hostnames,
        reader_position,
    })
}

/// Flink's `Path.serializeToDataOutputView`: `bool` present, then the URI's scheme, user
/// info, host (nullable `StringValue` strings), `i32` port, path, query, fragment.
fn read_flink_path(r: &mut DataReader) -> DecodeResult<Option<String>> {
    if !read_strict_bool(r, "path present flag")? {
        return Ok(None);
    }
    let nullable = |r: &mut DataReader, what: &str| -> DecodeResult<Option<String>> {
        if read_strict_bool(r, what)? {
            r.flink_string(what)
        } else {
            Ok(None)
        }
    };
    let scheme = nullable(r, "path scheme")?;
    let user = nullable(r, "path user info")?;
    let host = nullable(r, "path host")?;
    let port = r.i32("path port")?;
    let path = nullable(r, "path")?;
    let query = nullable(r, "path query")?;
    let fragment = nullable(r, "path fragment")?;
    let mut uri = String::new();
    if let Some(s) = scheme {
        uri.push_str(&s);
        uri.push(':');
    }
    if host.is_some() || user.is_some() {
        uri.push_str("//");
        if let Some(u) = user {
            uri.push_str(&u);
            uri.push('@');
        }
        uri.push_str(host.as_deref().unwrap_or(""));
        if port >= 0 {
            uri.push_str(&format!(":{port}"));
        }
    }
    uri.push_str(path.as_deref().unwrap_or(""));
    if let Some(q) = query {
        uri.push('?');
        uri.push_str(&q);
    }
    if let Some(f) = fragment {
        uri.push('#');
        uri.push_str(&f);
    }
    Ok(Some(uri))
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

fn expect_end(r: &DataReader, what: &str) -> DecodeResult<()> {
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
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn number_sequence_split_and_empty_enumerator() {
        // "0", from 5, to 499999999 (as NumberSequenceSource writes it).
        let mut b = vec![0, 1, b'0'];
        b.extend_from_slice(&5i64.to_be_bytes());
        b.extend_from_slice(&499_999_999i64.to_be_bytes());
        assert_eq!(
            decode_split(1, &b, None),
            Split::NumberSequence(NumberSequenceSplit {
                split_id: "0".into(),
                from: 5,
                to: 499_999_999
            })
        );
        // Version 0 is not NumberSequenceSource's, and these bytes are no Kafka split.
        assert!(matches!(decode_split(0, &b, None), Split::Raw(_)));
        // The reference fixture's coordinator state: an empty enumerator checkpoint fits both
        // Kafka v1 and NumberSequence v1; the hint decides.
        let coord = unhex("00000001000000010000000400000000");
        let e = decode_coordinator_state(&coord, Some(Connector::NumberSequence)).unwrap();
        assert_eq!(
            e.content,
            EnumeratorContent::NumberSequence { remaining: vec![] }
        );
        let e = decode_coordinator_state(&coord, Some(Connector::Kafka)).unwrap();
        assert!(matches!(e.content, EnumeratorContent::Kafka(k) if k.partitions.is_empty()));
        let e = decode_coordinator_state(&coord, None).unwrap();
        assert!(matches!(e.content, EnumeratorContent::Raw(r) if r.hex_prefix == "00000000"));
        assert_eq!(
            (e.coordinator_serde_version, e.serializer_version, e.length),
            (1, 1, 4)
        );
    }

    #[test]
    fn unknown_layouts_are_raw_with_a_prefix() {
        let blob: Vec<u8> = (0..100u8).collect();
        match decode_split(7, &blob, Some(Connector::Kafka)) {
            Split::Raw(r) => {
                assert_eq!(r.length, 100);
                assert_eq!(r.hex_prefix.len(), 2 * RAW_PREFIX);
                assert!(r.hex_prefix.starts_with("00010203"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode_enumerator(9, &blob, None),
            EnumeratorContent::Raw(_)
        ));
    }

    #[test]
    fn truncated_and_hostile_inputs_never_panic() {
        let samples: Vec<Vec<u8>> = vec![
            unhex("00066f72646572730000000300000000000004d28000000000000000"),
            unhex(
                "0000000300066f7264657273000000000000000000066f72646572730000000100000000000b7061796d656e74732e7632000000020000000101",
            ),
            unhex("5701839998ff0806016f72646572f300000000000004d1"),
            vec![0xff; 40],
            vec![0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0],
        ];
        for s in &samples {
            for cut in 0..=s.len() {
                let b = &s[..cut];
                for v in -1..5 {
                    let _ = decode_split(v, b, None);
                    let _ = decode_enumerator(v, b, Some(Connector::Kafka));
                    let _ = decode_kafka_enum_state(v, b);
                }
                let _ = decode_coordinator_state(b, None);
                let _ = decode_legacy_kafka_element(b);
                let _ = decode_file_split(b);
                let _ = read_reader_element(&mut DataReader::new(b));
            }
        }
    }

    #[test]
    fn kafka_split_is_strict() {
        let good = unhex("00066f72646572730000000300000000000004d28000000000000000");
        assert!(decode_kafka_split(&good).is_ok());
        let mut longer = good.clone();
        longer.push(0);
        assert!(decode_kafka_split(&longer).is_err());
        // Negative partition.
        let mut neg = good.clone();
        neg[8..12].copy_from_slice(&(-1i32).to_be_bytes());
        assert!(decode_kafka_split(&neg).is_err());
        // Starting offset -5 is no marker.
        let mut bad_off = good;
        bad_off[12..20].copy_from_slice(&(-5i64).to_be_bytes());
        assert!(decode_kafka_split(&bad_off).is_err());
    }

    #[test]
    fn legacy_element_falls_back_to_the_offset() {
        let mut b = vec![0x57, 0x01, 0x02, 0x03];
        b.extend_from_slice(&77i64.to_be_bytes());
        let l = decode_legacy_kafka_element(&b);
        assert_eq!((l.topic, l.partition, l.offset), (None, None, Some(77)));
        assert_eq!(l.raw.unwrap().length, 4);
    }
}
