//! Reading an operator's source state from a savepoint: the reader-state list elements of each
//! subtask and the coordinator's enumerator checkpoint.

use super::*;
use crate::javaio::data_input::DataReader;
use crate::savepoint::Savepoint;
use crate::savepoint::handles::OperatorHandle;
use crate::savepoint::metadata::OperatorState;

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
