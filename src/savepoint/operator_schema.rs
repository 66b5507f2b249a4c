//! The state headers of an operator's subtasks, merged into what the operator registered:
//! keyed backend meta (state names, kinds, serializer snapshots) and operator backend meta.

use super::Savepoint;
use super::backend_meta::{
    KeyedBackendMeta, OperatorBackendMeta, read_keyed_backend_meta, read_operator_backend_meta,
};
use super::error::SavepointError;
use super::handles::{KeyedHandle, OperatorHandle};
use super::header_cache::HeaderCache;
use super::metadata::OperatorState;

/// What the state headers of one operator say (union over its subtasks).
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorSchema {
    pub keyed: Option<KeyedBackendMeta>,
    pub operator: Option<OperatorBackendMeta>,
    /// Things that could not be examined, in plain words.
    pub notes: Vec<String>,
}

impl Savepoint {
    /// Reads the keyed and operator backend headers of every subtask of `operator`.
    pub fn operator_schema(
        &self,
        operator: &OperatorState,
    ) -> Result<OperatorSchema, SavepointError> {
        let mut schema = OperatorSchema::default();
        if let Some(note) = self.not_examined_note(operator) {
            schema.notes.push(note);
        }
        self.prefetch_headers(operator);
        let mut keyed_seen = HeaderCache::default();
        let mut operator_seen = HeaderCache::default();
        for subtask in &operator.subtasks {
            // Raw keyed and raw operator state are bytes the user wrote, with no header.
            if let Some(handle) = &subtask.managed_keyed_state {
                self.merge_keyed(
                    handle,
                    operator,
                    subtask.index,
                    &mut schema,
                    &mut keyed_seen,
                )?;
            }
            if let Some(handle) = &subtask.managed_operator_state {
                self.merge_operator(
                    handle,
                    operator,
                    subtask.index,
                    &mut schema,
                    &mut operator_seen,
                )?;
            }
        }
        Ok(schema)
    }

    fn merge_keyed(
        &self,
        handle: &KeyedHandle,
        operator: &OperatorState,
        subtask: i32,
        schema: &mut OperatorSchema,
        seen: &mut HeaderCache,
    ) -> Result<(), SavepointError> {
        let Some(stream) = handle.header_stream() else {
            let note = format!(
                "keyed state in a {} (changelog) handle: its header is not examined",
                handle.kind()
            );
            if !schema.notes.contains(&note) {
                schema.notes.push(note);
            }
            return Ok(());
        };
        if !seen.first_visit(stream) {
            return Ok(());
        }
        let decoded = self.decode_stream_start(stream, operator, |bytes| {
            if seen.known_header(bytes.as_slice(), bytes.kept()) {
                return Ok(Header::Known);
            }
            let mut r = bytes.reader();
            if let Some(v) = r.peek_i32()
                && (1..6).contains(&v)
            {
                return Ok(Header::OldVersion(v));
            }
            let meta = read_keyed_backend_meta(&mut r).map_err(|e| {
                SavepointError::decode(
                    &bytes.file,
                    &format!(
                        "the keyed state header of operator {} subtask {subtask}",
                        operator.operator_id
                    ),
                    e,
                )
            })?;
            if meta.unreadable.is_none() {
                seen.remember(&bytes.as_slice()[..r.position()]);
            }
            Ok(Header::Decoded(meta))
        })?;
        let meta = match decoded {
            None | Some(Header::Known) => return Ok(()),
            Some(Header::OldVersion(v)) => {
                let note = format!(
                    "keyed state header version {v} (written before Flink 1.8) is not decoded; Flink 1.17+ cannot restore it either"
                );
                if !schema.notes.contains(&note) {
                    schema.notes.push(note);
                }
                return Ok(());
            }
            Some(Header::Decoded(meta)) => meta,
        };
        match &mut schema.keyed {
            None => {
                seen.names
                    .extend(meta.states.iter().map(|s| s.name.clone()));
                schema.keyed = Some(meta);
            }
            Some(existing) => {
                for state in meta.states {
                    if seen.names.insert(state.name.clone()) {
                        existing.states.push(state);
                    }
                }
                if existing.unreadable.is_none() {
                    existing.unreadable = meta.unreadable;
                }
            }
        }
        Ok(())
    }

    fn merge_operator(
        &self,
        handle: &OperatorHandle,
        operator: &OperatorState,
        subtask: i32,
        schema: &mut OperatorSchema,
        seen: &mut HeaderCache,
    ) -> Result<(), SavepointError> {
        let Some(stream) = &handle.delegate else {
            return Ok(());
        };
        if !seen.first_visit(stream) {
            return Ok(());
        }
        let decoded = self.decode_stream_start(stream, operator, |bytes| {
            if seen.known_header(bytes.as_slice(), bytes.kept()) {
                return Ok(Header::Known);
            }
            let mut r = bytes.reader();
            if let Some(v) = r.peek_i32()
                && (1..5).contains(&v)
            {
                return Ok(Header::OldVersion(v));
            }
            let meta = read_operator_backend_meta(&mut r).map_err(|e| {
                SavepointError::decode(
                    &bytes.file,
                    &format!(
                        "the operator state header of operator {} subtask {subtask}",
                        operator.operator_id
                    ),
                    e,
                )
            })?;
            if meta.unreadable.is_none() {
                seen.remember(&bytes.as_slice()[..r.position()]);
            }
            Ok(Header::Decoded(meta))
        })?;
        let meta = match decoded {
            None | Some(Header::Known) => return Ok(()),
            Some(Header::OldVersion(v)) => {
                let note = format!(
                    "operator state header version {v} (written before Flink 1.7) is not decoded"
                );
                if !schema.notes.contains(&note) {
                    schema.notes.push(note);
                }
                return Ok(());
            }
            Some(Header::Decoded(meta)) => meta,
        };
        match &mut schema.operator {
            None => {
                seen.names
                    .extend(meta.operator_states.iter().map(|s| s.name.clone()));
                seen.broadcast_names
                    .extend(meta.broadcast_states.iter().map(|s| s.name.clone()));
                schema.operator = Some(meta);
            }
            Some(existing) => {
                for state in meta.operator_states {
                    if seen.names.insert(state.name.clone()) {
                        existing.operator_states.push(state);
                    }
                }
                for state in meta.broadcast_states {
                    if seen.broadcast_names.insert(state.name.clone()) {
                        existing.broadcast_states.push(state);
                    }
                }
                if existing.unreadable.is_none() {
                    existing.unreadable = meta.unreadable;
                }
            }
        }
        Ok(())
    }
}

/// What a state header at the start of a stream turned out to be.
enum Header<T> {
    /// Byte-for-byte a header already merged.
    Known,
    /// A version written before the serialization proxies Flink reads today.
    OldVersion(i32),
    Decoded(T),
}
