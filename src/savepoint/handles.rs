//! State handles as `_metadata` stores them: pointers to inline bytes or files, and the keyed and
//! operator handles that wrap them.

use serde::Serialize;

use super::inline_name::InlineName;
use super::key_group_offsets::KeyGroupOffsets;
use crate::javaio::data_input::DecodeResult;
use crate::javaio::input::JavaInput;

/// A byte range inside the `_metadata` file (inline state is kept as a range, not copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteRange {
    pub offset: u64,
    pub len: u64,
}

/// Flink's `StreamStateHandle`: where a stream of state bytes lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum StreamHandle {
    /// `ByteStreamStateHandle`: the bytes are inline in `_metadata`.
    Inline { name: InlineName, data: ByteRange },
    /// `FileStateHandle`: an absolute path (retained checkpoints).
    File { path: String, size: i64 },
    /// `RelativeFileStateHandle`: a path relative to the savepoint directory.
    RelativeFile { relative_path: String, size: i64 },
    /// A legacy `KeyGroupsStateHandle` used as a stream handle.
    KeyGroups(Box<KeyGroupsHandle>),
    /// `SegmentFileStateHandle` (file merging, Flink 1.20+).
    Segment(Box<SegmentHandle>),
    /// `EmptySegmentFileStateHandle`.
    EmptySegment,
}

/// `SegmentFileStateHandle`: a range of a merged file (boxed: rarer than inline handles, and
/// as wide as three of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentHandle {
    pub start: i64,
    pub size: i64,
    pub scope: i32,
    pub physical_path: String,
    pub logical_file_id: String,
}

impl StreamHandle {
    /// Size in bytes of the stream as the handle records it.
    pub fn size(&self) -> u64 {
        match self {
            StreamHandle::Inline { data, .. } => data.len,
            StreamHandle::File { size, .. } | StreamHandle::RelativeFile { size, .. } => {
                (*size).max(0) as u64
            }
            StreamHandle::KeyGroups(h) => h.delegate.as_ref().map_or(0, |d| d.size()),
            StreamHandle::Segment(h) => h.size.max(0) as u64,
            StreamHandle::EmptySegment => 0,
        }
    }
}

/// Which encoding of a key-groups handle was read (they share one layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyGroupsKind {
    /// Type 3: `KeyGroupsStateHandle` (Flink <= 1.14 checkpoints and savepoints).
    V1,
    /// Type 7: `KeyGroupsSavepointStateHandle` (canonical savepoints, 1.13+).
    Savepoint,
    /// Type 12: `KeyGroupsStateHandle` with a handle id (1.15+ checkpoints, native heap savepoints).
    V2,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyGroupsHandle {
    pub kind: KeyGroupsKind,
    pub start_key_group: i32,
    /// Stream offset of each key group in the range; 0 means the group holds no data.
    pub offsets: KeyGroupOffsets,
    pub delegate: Option<StreamHandle>,
    pub state_handle_id: Option<Box<str>>,
}

/// A file of an incremental / native RocksDB snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RocksFile {
    pub local_name: String,
    pub handle: Option<StreamHandle>,
}

/// `IncrementalRemoteKeyedStateHandle` (boxed: a keyed handle is allocated per subtask, and
/// this variant is twice as wide as the key-groups one that canonical savepoints hold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IncrementalHandle {
    /// 1 = type 5 (<= 1.14), 2 = type 11 (1.15+).
    pub version: u8,
    pub checkpoint_id: i64,
    pub backend_id: String,
    pub start_key_group: i32,
    pub num_key_groups: i32,
    pub checkpointed_size: Option<i64>,
    pub meta: Option<StreamHandle>,
    pub shared: Vec<RocksFile>,
    pub private: Vec<RocksFile>,
    pub state_handle_id: Option<String>,
}

impl IncrementalHandle {
    /// The streams it points at: the meta stream, then each shared and private file's.
    pub fn streams(&self) -> impl Iterator<Item = &StreamHandle> {
        let files = self.shared.iter().chain(&self.private);
        self.meta
            .iter()
            .chain(files.filter_map(|f| f.handle.as_ref()))
    }
}

/// Flink's `KeyedStateHandle` variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum KeyedHandle {
    KeyGroups(KeyGroupsHandle),
    /// `IncrementalRemoteKeyedStateHandle` (RocksDB incremental checkpoints, native savepoints).
    Incremental(Box<IncrementalHandle>),
    /// `ChangelogStateBackendHandle` (changelog backend).
    #[serde(rename_all = "camelCase")]
    Changelog {
        start_key_group: i32,
        num_key_groups: i32,
        materialized: Vec<KeyedHandle>,
        non_materialized: Vec<KeyedHandle>,
        materialization_id: i64,
    },
    /// `InMemoryChangelogStateHandle`.
    #[serde(rename_all = "camelCase")]
    InMemoryChangelog {
        start_key_group: i32,
        num_key_groups: i32,
        changes: usize,
    },
    /// `ChangelogStateHandleStreamImpl`.
    #[serde(rename_all = "camelCase")]
    ChangelogStream {
        start_key_group: i32,
        num_key_groups: i32,
        handles: Vec<StreamHandle>,
        size: i64,
    },
}

impl KeyedHandle {
    /// The stream whose first bytes are the keyed backend's serialization header, if this handle
    /// has one (full snapshots: offset 0 of the data stream; RocksDB native: the meta stream).
    pub fn header_stream(&self) -> Option<&StreamHandle> {
        match self {
            KeyedHandle::KeyGroups(h) => h.delegate.as_ref(),
            KeyedHandle::Incremental(h) => h.meta.as_ref(),
            KeyedHandle::Changelog { materialized, .. } => {
                materialized.iter().find_map(|h| h.header_stream())
            }
            KeyedHandle::InMemoryChangelog { .. } | KeyedHandle::ChangelogStream { .. } => None,
        }
    }

    /// Bytes of state this handle points at.
    pub fn state_size(&self) -> u64 {
        match self {
            KeyedHandle::KeyGroups(h) => h.delegate.as_ref().map_or(0, |d| d.size()),
            KeyedHandle::Incremental(h) => h.streams().map(StreamHandle::size).sum(),
            KeyedHandle::Changelog {
                materialized,
                non_materialized,
                ..
            } => materialized
                .iter()
                .chain(non_materialized)
                .map(|h| h.state_size())
                .sum(),
            KeyedHandle::InMemoryChangelog { .. } => 0,
            KeyedHandle::ChangelogStream { size, .. } => (*size).max(0) as u64,
        }
    }

    /// The handle's class, classified (see [`super::handle_kind`]).
    pub fn kind(&self) -> super::handle_kind::KeyedHandleKind {
        super::handle_kind::KeyedHandleKind::of(self)
    }
}

/// How operator (non-keyed) list state is redistributed on restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DistributionMode {
    SplitDistribute,
    Union,
    Broadcast,
}

impl DistributionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DistributionMode::SplitDistribute => "SPLIT_DISTRIBUTE",
            DistributionMode::Union => "UNION",
            DistributionMode::Broadcast => "BROADCAST",
        }
    }
}

/// One named state in an operator state handle's map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorStateEntry {
    pub name: String,
    pub mode: DistributionMode,
    /// Stream offsets of the elements (list states) or of the single map (broadcast).
    pub offsets: Vec<i64>,
}

/// `OperatorStreamStateHandle` (type 4) or its file-merging variant (type 17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorHandle {
    pub states: Vec<OperatorStateEntry>,
    pub file_merging: bool,
    pub delegate: Option<StreamHandle>,
}

const MIN_HANDLE: usize = 1;

/// How much of an inline stream a streamed `_metadata` keeps at hand; the rest is read again
/// from the file when a reader asks for it, so this decides speed and memory, not results.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keep {
    /// Operator and coordinator state, read whole.
    All,
    /// A keyed stream: its state header, which ends where the first key group starts.
    Prefix(usize),
    /// Bytes no analysis reads (unaligned-checkpoint channel state).
    Nothing,
}

/// A stream handle whose inline bytes are all kept.
pub(crate) fn read_stream_handle(r: &mut impl JavaInput) -> DecodeResult<Option<StreamHandle>> {
    read_stream_handle_keeping(r, Keep::All)
}

pub(crate) fn read_stream_handle_keeping(
    r: &mut impl JavaInput,
    keep: Keep,
) -> DecodeResult<Option<StreamHandle>> {
    let at = r.offset();
    let kind = r.u8("stream state handle type")?;
    Ok(Some(match kind {
        0 => return Ok(None),
        1 => {
            let name = InlineName::read(r)?;
            let len = r.length("inline state length")?;
            let keep = match keep {
                Keep::All => len,
                Keep::Prefix(n) => n,
                Keep::Nothing => 0,
            };
            let offset = r.retain(len, keep, "inline state bytes")?;
            StreamHandle::Inline {
                name,
                data: ByteRange {
                    offset,
                    len: len as u64,
                },
            }
        }
        2 => {
            let size = r.i64("file state size")?;
            let path = r.utf("file state path")?;
            StreamHandle::File { path, size }
        }
        3 => StreamHandle::KeyGroups(Box::new(read_key_groups(r, KeyGroupsKind::V1)?)),
        6 => {
            let relative_path = r.utf("relative file state path")?;
            let size = r.i64("relative file state size")?;
            StreamHandle::RelativeFile {
                relative_path,
                size,
            }
        }
        15 => StreamHandle::Segment(Box::new(SegmentHandle {
            start: r.i64("segment start position")?,
            size: r.i64("segment state size")?,
            scope: r.i32("segment file scope")?,
            physical_path: r.utf("segment physical file path")?,
            logical_file_id: r.utf("segment logical file id")?,
        })),
        16 => StreamHandle::EmptySegment,
        other => {
            return Err(r.error_at(
                at,
                "a stream state handle type (0, 1, 2, 3, 6, 15 or 16)",
                format!("unknown type {other}"),
            ));
        }
    }))
}

/// The most of a keyed stream's start kept when its key-group offsets do not say where the
/// header ends (a longer header is read again from the file).
const KEYED_PREFIX_KEPT: usize = 64 << 10;

/// Flink's upper bound for max parallelism, so also for the key groups of one handle.
const MAX_KEY_GROUPS: usize = 1 << 15;

fn read_key_groups(r: &mut impl JavaInput, kind: KeyGroupsKind) -> DecodeResult<KeyGroupsHandle> {
    let start_key_group = r.i32("start key group")?;
    let at = r.offset();
    let n = r.count("number of key groups", 8)?;
    if n > MAX_KEY_GROUPS {
        return Err(r.error_at(
            at,
            format!("at most {MAX_KEY_GROUPS} key groups (Flink's largest max parallelism)"),
            n.to_string(),
        ));
    }
    let offsets = KeyGroupOffsets::read(r, n)?;
    let header = offsets.first_data().map_or(KEYED_PREFIX_KEPT, |at| {
        at.min(KEYED_PREFIX_KEPT as u64) as usize
    });
    let delegate = read_stream_handle_keeping(r, Keep::Prefix(header))?;
    let state_handle_id = if kind == KeyGroupsKind::V2 {
        Some(r.utf("state handle id")?.into_boxed_str())
    } else {
        None
    };
    Ok(KeyGroupsHandle {
        kind,
        start_key_group,
        offsets,
        delegate,
        state_handle_id,
    })
}

fn read_rocks_files(r: &mut impl JavaInput, what: &str) -> DecodeResult<Vec<RocksFile>> {
    let n = r.count(what, 3)?;
    let mut files = Vec::new();
    for _ in 0..n {
        let local_name = r.utf("RocksDB file name")?;
        let handle = read_stream_handle(r)?;
        files.push(RocksFile { local_name, handle });
    }
    Ok(files)
}

/// Nesting guard: changelog handles contain keyed handles.
const MAX_HANDLE_DEPTH: u32 = 8;

pub(crate) fn read_keyed_handle(r: &mut impl JavaInput) -> DecodeResult<Option<KeyedHandle>> {
    read_keyed_handle_at_depth(r, 0)
}

fn read_keyed_handle_at_depth(
    r: &mut impl JavaInput,
    depth: u32,
) -> DecodeResult<Option<KeyedHandle>> {
    if depth > MAX_HANDLE_DEPTH {
        return Err(r.error(
            "keyed state handles nested at most 8 deep",
            "deeper nesting",
        ));
    }
    let at = r.offset();
    let kind = r.u8("keyed state handle type")?;
    Ok(Some(match kind {
        0 => return Ok(None),
        3 => KeyedHandle::KeyGroups(read_key_groups(r, KeyGroupsKind::V1)?),
        7 => KeyedHandle::KeyGroups(read_key_groups(r, KeyGroupsKind::Savepoint)?),
        12 => KeyedHandle::KeyGroups(read_key_groups(r, KeyGroupsKind::V2)?),
        5 | 11 => {
            let version = if kind == 5 { 1 } else { 2 };
            let checkpoint_id = r.i64("checkpoint id")?;
            let backend_id = r.utf("backend id")?;
            let start_key_group = r.i32("start key group")?;
            let num_key_groups = r.i32("number of key groups")?;
            let checkpointed_size = if version == 2 {
                Some(r.i64("checkpointed size")?)
            } else {
                None
            };
            let meta = read_stream_handle(r)?;
            let shared = read_rocks_files(r, "number of shared files")?;
            let private = read_rocks_files(r, "number of private files")?;
            let state_handle_id = if version == 2 {
                Some(r.utf("state handle id")?)
            } else {
                None
            };
            KeyedHandle::Incremental(Box::new(IncrementalHandle {
                version,
                checkpoint_id,
                backend_id,
                start_key_group,
                num_key_groups,
                checkpointed_size,
                meta,
                shared,
                private,
                state_handle_id,
            }))
        }
        8 | 14 => {
            let start_key_group = r.i32("start key group")?;
            let num_key_groups = r.i32("number of key groups")?;
            r.i64("checkpointed size")?;
            let n = r.count("number of materialized handles", MIN_HANDLE)?;
            let mut materialized = Vec::new();
            for _ in 0..n {
                materialized.extend(read_keyed_handle_at_depth(r, depth + 1)?);
            }
            let n = r.count("number of non-materialized handles", MIN_HANDLE)?;
            let mut non_materialized = Vec::new();
            for _ in 0..n {
                non_materialized.extend(read_keyed_handle_at_depth(r, depth + 1)?);
            }
            let materialization_id = r.i64("materialization id")?;
            if kind == 14 {
                r.i64("checkpoint id")?;
            }
            r.utf("state handle id")?;
            KeyedHandle::Changelog {
                start_key_group,
                num_key_groups,
                materialized,
                non_materialized,
                materialization_id,
            }
        }
        9 => {
            let start_key_group = r.i32("start key group")?;
            let num_key_groups = r.i32("number of key groups")?;
            r.i64("from sequence number")?;
            r.i64("to sequence number")?;
            let changes = r.count("number of changes", 8)?;
            for _ in 0..changes {
                r.i32("change key group")?;
                let len = r.length("change length")?;
                r.skip(len, "change bytes")?;
            }
            r.utf("state handle id")?;
            KeyedHandle::InMemoryChangelog {
                start_key_group,
                num_key_groups,
                changes,
            }
        }
        10 | 13 => {
            let start_key_group = r.i32("start key group")?;
            let num_key_groups = r.i32("number of key groups")?;
            let n = r.count("number of changelog stream handles", 9)?;
            let mut handles = Vec::new();
            for _ in 0..n {
                r.i64("changelog offset")?;
                handles.extend(read_stream_handle(r)?);
            }
            let size = r.i64("changelog size")?;
            r.i64("checkpointed size")?;
            r.utf("state handle id")?;
            if kind == 13 {
                r.utf("changelog storage identifier")?;
            }
            KeyedHandle::ChangelogStream {
                start_key_group,
                num_key_groups,
                handles,
                size,
            }
        }
        other => {
            return Err(r.error_at(
                at,
                "a keyed state handle type (0, 3, 5, 7, 8-14)",
                format!(
                    "unknown type {other} (Flink: Reading invalid KeyedStateHandle, type: {other})"
                ),
            ));
        }
    }))
}

pub(crate) fn read_operator_handle(r: &mut impl JavaInput) -> DecodeResult<Option<OperatorHandle>> {
    let at = r.offset();
    let kind = r.u8("operator state handle type")?;
    if kind == 0 {
        return Ok(None);
    }
    if kind != 4 && kind != 17 {
        return Err(r.error_at(
            at,
            "an operator state handle type (0, 4 or 17)",
            format!(
                "unknown type {kind} (Flink: Reading invalid OperatorStateHandle, type: {kind})"
            ),
        ));
    }
    let n = r.count("number of operator states", 7)?;
    let mut states = Vec::new();
    for _ in 0..n {
        let name = r.utf("operator state name")?;
        let mode_at = r.offset();
        let mode = match r.u8("distribution mode")? {
            0 => DistributionMode::SplitDistribute,
            1 => DistributionMode::Union,
            2 => DistributionMode::Broadcast,
            other => {
                return Err(r.error_at(
                    mode_at,
                    "distribution mode 0 (SPLIT_DISTRIBUTE), 1 (UNION) or 2 (BROADCAST)",
                    other.to_string(),
                ));
            }
        };
        let count = r.count("number of element offsets", 8)?;
        let mut offsets = Vec::with_capacity(count);
        for _ in 0..count {
            offsets.push(r.i64("element offset")?);
        }
        states.push(OperatorStateEntry {
            name,
            mode,
            offsets,
        });
    }
    let file_merging = kind == 17;
    if file_merging {
        r.utf("task-owned directory")?;
        r.utf("shared directory")?;
        r.bool("empty flag")?;
    }
    let delegate = read_stream_handle(r)?;
    Ok(Some(OperatorHandle {
        states,
        file_merging,
        delegate,
    }))
}

/// Unaligned-checkpoint channel state: parsed to stay in step, summarised as count and size.
pub(crate) fn skip_channel_handles(
    r: &mut impl JavaInput,
    metadata_version: i32,
) -> DecodeResult<(usize, u64)> {
    let n = r.count("number of channel state handles", 9)?;
    let mut size = 0u64;
    for _ in 0..n {
        if metadata_version >= 6 {
            let at = r.offset();
            match r.u8("channel state handle kind")? {
                1 | 2 => {}
                3 | 4 => {
                    r.i32("subtask index")?;
                    size += r.i64("state size")?.max(0) as u64;
                    read_stream_handle_keeping(r, Keep::Nothing)?;
                    let len = r.length("serialized channel offsets length")?;
                    r.skip(len, "serialized channel offsets")?;
                    continue;
                }
                other => {
                    return Err(r.error_at(at, "channel state handle kind 1-4", other.to_string()));
                }
            }
        }
        r.i32("subtask index")?;
        r.i32("gate or partition index")?;
        r.i32("channel or subpartition index")?;
        let offsets = r.count("number of channel offsets", 8)?;
        r.skip(offsets * 8, "channel offsets")?;
        size += r.i64("state size")?.max(0) as u64;
        read_stream_handle_keeping(r, Keep::Nothing)?;
    }
    Ok((n, size))
}
