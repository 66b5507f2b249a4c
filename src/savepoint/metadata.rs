//! The `_metadata` file: header, master states, operator states and their subtask handles.

use serde::Serialize;

use super::handles::{
    ByteRange, KeyedHandle, OperatorHandle, StreamHandle, read_keyed_handle, read_operator_handle,
    read_stream_handle, skip_channel_handles,
};
use crate::OperatorId;
use crate::javaio::data_input::{DataReader, DecodeResult};
use crate::javaio::input::JavaInput;

pub const METADATA_MAGIC: i32 = 0x4960_672D;
const MASTER_STATE_MAGIC: i32 = 0xC96B_1696_u32 as i32;

/// Flink's upper bound for max parallelism (`KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM`):
/// no operator has more subtasks.
pub const MAX_SUBTASKS: usize = 1 << 15;
/// Most subtask records in one `_metadata` (128 operators at the largest parallelism): a cap on
/// memory and work whatever the counts in the file say.
pub const MAX_SUBTASK_RECORDS: usize = 1 << 22;

/// The Flink releases that write a given metadata version.
pub fn written_by(version: i32) -> &'static str {
    match version {
        2 => "Flink 1.3 - 1.10",
        3 => "Flink 1.11 - 1.15",
        4 => "Flink 1.16 - 1.20",
        5 => "Flink 2.0",
        6 => "Flink 2.1 - 2.3",
        7 => "Flink after 2.3",
        _ => "no known Flink release",
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub version: i32,
    pub checkpoint_id: i64,
    pub master_states: Vec<MasterState>,
    pub operators: Vec<OperatorState>,
    /// The Java-serialized `CheckpointProperties` after the operators (version 4+).
    pub trailer: Option<ByteRange>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MasterState {
    pub name: String,
    pub version: i32,
    pub payload: ByteRange,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorState {
    pub operator_id: OperatorId,
    /// Stored since metadata version 5 (Flink 2.0); `None` when absent.
    pub name: Option<String>,
    pub uid: Option<String>,
    pub parallelism: i32,
    pub max_parallelism: i32,
    pub coordinator_state: Option<StreamHandle>,
    /// FLIP-147: every subtask finished; no subtask records were written.
    pub fully_finished: bool,
    pub subtasks: Vec<SubtaskState>,
    /// Byte offset of this operator's record in `_metadata`.
    #[serde(skip)]
    pub record_offset: u64,
}

impl OperatorState {
    /// Flink's "has state": a coordinator state or any non-null handle in any subtask.
    pub fn has_state(&self) -> bool {
        self.coordinator_state.is_some() || self.subtasks.iter().any(SubtaskState::has_state)
    }

    pub fn state_size(&self) -> u64 {
        self.coordinator_state.as_ref().map_or(0, |c| c.size())
            + self
                .subtasks
                .iter()
                .map(SubtaskState::state_size)
                .sum::<u64>()
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubtaskState {
    pub index: i32,
    pub finished: bool,
    // Boxed: a finished or empty subtask record is 4 to 22 bytes of `_metadata`, and inline
    // handles would make each one take hundreds of bytes of memory.
    pub managed_operator_state: Option<Box<OperatorHandle>>,
    pub raw_operator_state: Option<Box<OperatorHandle>>,
    pub managed_keyed_state: Option<Box<KeyedHandle>>,
    pub raw_keyed_state: Option<Box<KeyedHandle>>,
    pub channel_state_handles: usize,
    pub channel_state_size: u64,
}

impl SubtaskState {
    pub fn has_state(&self) -> bool {
        self.managed_operator_state.is_some()
            || self.raw_operator_state.is_some()
            || self.managed_keyed_state.is_some()
            || self.raw_keyed_state.is_some()
            || self.channel_state_handles > 0
    }

    pub fn state_size(&self) -> u64 {
        let op = |h: &Option<Box<OperatorHandle>>| {
            h.as_ref()
                .and_then(|h| h.delegate.as_ref())
                .map_or(0, StreamHandle::size)
        };
        let keyed = |h: &Option<Box<KeyedHandle>>| h.as_deref().map_or(0, KeyedHandle::state_size);
        op(&self.managed_operator_state)
            + op(&self.raw_operator_state)
            + keyed(&self.managed_keyed_state)
            + keyed(&self.raw_keyed_state)
            + self.channel_state_size
    }
}

/// Parses a whole `_metadata` file.
pub fn parse_metadata(bytes: &[u8]) -> DecodeResult<Metadata> {
    read_metadata(&mut DataReader::new(bytes))
}

/// Decodes `_metadata` from `r` to its end. Inline state is retained through
/// [`JavaInput::retain`] (a streamed file keeps only what later readers look at first).
pub fn read_metadata(r: &mut impl JavaInput) -> DecodeResult<Metadata> {
    let magic = r.i32("the savepoint magic number 0x4960672D")?;
    if magic != METADATA_MAGIC {
        return Err(r.error_at(
            0,
            "the savepoint magic number 0x4960672D (this is not a Flink savepoint or checkpoint `_metadata` file, or it is corrupted)",
            format!("{:#010x}", magic as u32),
        ));
    }
    let version_at = r.offset();
    let version = r.i32("metadata version")?;
    match version {
        1 => {
            return Err(r.error_at(
                version_at,
                "metadata version 2 to 7",
                "version 1 (Flink 1.1 / 1.2), which no Flink since 1.3 can read",
            ));
        }
        2..=7 => {}
        other => {
            return Err(r.error_at(
                version_at,
                "metadata version 2 to 7",
                format!("{other} (Flink: Unrecognized checkpoint version number: {other})"),
            ));
        }
    }
    let id_at = r.offset();
    let checkpoint_id = r.i64("checkpoint id")?;
    if checkpoint_id < 0 {
        return Err(r.error_at(
            id_at,
            "a non-negative checkpoint id",
            checkpoint_id.to_string(),
        ));
    }
    let n = r.count("number of master states", 8)?;
    let mut master_states = Vec::new();
    for _ in 0..n {
        master_states.push(read_master_state(r)?);
    }
    let n = r.count("number of operator states", 28)?;
    let mut operators = Vec::new();
    let mut records_left = MAX_SUBTASK_RECORDS;
    for _ in 0..n {
        operators.push(read_operator_state(r, version, &mut records_left)?);
    }
    let trailer = if r.is_empty() {
        None
    } else {
        if version < 4 {
            return Err(r.error(
                "end of file (metadata version < 4 has no trailer)",
                format!("{} trailing bytes", r.remaining()),
            ));
        }
        if r.peek4() != Some([0xAC, 0xED, 0x00, 0x05]) {
            return Err(r.error(
                "a Java-serialized CheckpointProperties trailer (AC ED 00 05)",
                "other bytes",
            ));
        }
        let len = r.remaining();
        Some(ByteRange {
            offset: r.retain(len, len, "the CheckpointProperties trailer")?,
            len: len as u64,
        })
    };
    Ok(Metadata {
        version,
        checkpoint_id,
        master_states,
        operators,
        trailer,
    })
}

fn read_master_state(r: &mut impl JavaInput) -> DecodeResult<MasterState> {
    let at = r.offset();
    let magic = r.i32("master state magic")?;
    if magic != MASTER_STATE_MAGIC {
        return Err(r.error_at(
            at,
            "master state magic 0xC96B1696",
            format!("{:#010x}", magic as u32),
        ));
    }
    let len = r.length("master state length")?;
    // A master state is a few bytes (no Flink component writes one today): decoded from a
    // copy, read in the runs the input hands out (so never sized ahead of the bytes).
    let base = r.offset();
    let mut copy = Vec::new();
    r.scan(len, "master state block", &mut |run| {
        copy.extend_from_slice(run)
    })?;
    let mut block = DataReader::with_base(&copy, base);
    let version = block.i32("master state version")?;
    let name = block.utf("master state name")?;
    let payload_len = block.length("master state payload length")?;
    let payload = ByteRange {
        offset: block.offset(),
        len: payload_len as u64,
    };
    block.take(payload_len, "master state payload")?;
    if !block.is_empty() {
        return Err(block.error("end of master state block", "trailing bytes"));
    }
    Ok(MasterState {
        name,
        version,
        payload,
    })
}

fn optional_name(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

fn read_operator_state(
    r: &mut impl JavaInput,
    version: i32,
    records_left: &mut usize,
) -> DecodeResult<OperatorState> {
    let record_offset = r.offset();
    let (name, uid) = if version >= 5 {
        (
            optional_name(r.utf("operator name")?),
            optional_name(r.utf("operator uid")?),
        )
    } else {
        (None, None)
    };
    let operator_id = OperatorId::from_bytes(r.bytes16("operator id")?);
    let parallelism = r.i32("parallelism")?;
    let max_parallelism = r.i32("max parallelism")?;
    let coordinator_state = if version == 2 {
        r.i32("legacy chain length")?;
        None
    } else {
        let at = r.offset();
        let handle = read_stream_handle(r)?;
        if let Some(h) = &handle
            && !matches!(h, StreamHandle::Inline { .. })
        {
            return Err(r.error_at(
                at,
                "coordinator state as inline bytes (ByteStreamStateHandle) or null",
                "another handle type",
            ));
        }
        handle
    };
    let count_at = r.offset();
    let count = r.i32("number of subtask states")?;
    let mut subtasks = Vec::new();
    let fully_finished = version >= 3 && count == -1;
    if fully_finished {
        if coordinator_state.is_some() {
            return Err(r.error_at(
                count_at,
                "no coordinator state for a fully finished operator",
                "coordinator state",
            ));
        }
    } else {
        if count < 0 {
            return Err(r.error_at(
                count_at,
                "a non-negative number of subtask states",
                count.to_string(),
            ));
        }
        let limit = (r.remaining() / 4).min(MAX_SUBTASKS);
        if count as usize > limit {
            return Err(r.error_at(
                count_at,
                format!("number of subtask states of at most {limit}"),
                count.to_string(),
            ));
        }
        if count as usize > *records_left {
            return Err(r.error_at(
                count_at,
                format!("at most {MAX_SUBTASK_RECORDS} subtask states in one `_metadata`"),
                "more",
            ));
        }
        *records_left -= count as usize;
        // Sized once for the usual parallelism (growing it showed in profiles of wide
        // savepoints), not from the count alone: a finished subtask takes 4 bytes of input.
        subtasks.reserve_exact((count as usize).min(1024));
        for _ in 0..count {
            subtasks.push(read_subtask_state(r, version)?);
        }
    }
    Ok(OperatorState {
        operator_id,
        name,
        uid,
        parallelism,
        max_parallelism,
        coordinator_state,
        fully_finished,
        subtasks,
        record_offset,
    })
}

fn read_subtask_state(r: &mut impl JavaInput, version: i32) -> DecodeResult<SubtaskState> {
    let stored = r.i32("subtask index")?;
    if version >= 3 && stored < 0 {
        return Ok(SubtaskState {
            index: -(stored + 1),
            finished: true,
            managed_operator_state: None,
            raw_operator_state: None,
            managed_keyed_state: None,
            raw_keyed_state: None,
            channel_state_handles: 0,
            channel_state_size: 0,
        });
    }
    if version == 2 {
        r.i64("legacy duration")?;
        let at = r.offset();
        let legacy = r.i32("number of legacy states")?;
        if legacy != 0 {
            return Err(r.error_at(
                at,
                "no legacy (Flink <= 1.1 `Checkpointed`) state",
                format!("{legacy} legacy states"),
            ));
        }
    }
    let managed_operator_state =
        read_optional_operator_handle(r, "managed operator state handle count")?;
    let raw_operator_state = read_optional_operator_handle(r, "raw operator state handle count")?;
    let managed_keyed_state = read_keyed_handle(r)?.map(Box::new);
    let raw_keyed_state = read_keyed_handle(r)?.map(Box::new);
    let (mut channel_state_handles, mut channel_state_size) = (0, 0);
    if version >= 3 {
        for _ in 0..2 {
            let (n, size) = skip_channel_handles(r, version)?;
            channel_state_handles += n;
            channel_state_size += size;
        }
    }
    if version >= 7 && r.u8("reference checkpoint id marker")? == 1 {
        r.i64("reference checkpoint id")?;
    }
    Ok(SubtaskState {
        index: stored,
        finished: false,
        managed_operator_state,
        raw_operator_state,
        managed_keyed_state,
        raw_keyed_state,
        channel_state_handles,
        channel_state_size,
    })
}

/// `count_label` is static: this runs twice per subtask, so no label is formatted unless it is
/// reported.
fn read_optional_operator_handle(
    r: &mut impl JavaInput,
    count_label: &'static str,
) -> DecodeResult<Option<Box<OperatorHandle>>> {
    let at = r.offset();
    match r.i32(count_label)? {
        0 => Ok(None),
        1 => Ok(read_operator_handle(r)?.map(Box::new)),
        n => Err(r.error_at(at, format!("{count_label} 0 or 1"), n.to_string())),
    }
}
