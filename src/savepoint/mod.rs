//! Reading savepoints and retained checkpoints: `_metadata`, state handles, and the backend
//! serialization headers at the start of state streams.

pub mod backend_meta;
pub mod bytes;
pub mod error;
pub mod handles;
mod header_cache;
pub mod metadata;
pub mod sources;
pub mod subtask_brief;
pub mod summary;

use std::fs::File;
use std::path::{Component, Path, PathBuf};

use memmap2::Mmap;

use self::backend_meta::{
    KeyedBackendMeta, OperatorBackendMeta, read_keyed_backend_meta, read_operator_backend_meta,
};
use self::bytes::{DataReader, DecodeError};
pub use self::error::SavepointError;
use self::handles::{ByteRange, KeyedHandle, OperatorHandle, StreamHandle};
use self::header_cache::HeaderCache;
use self::metadata::{Metadata, OperatorState, parse_metadata};
use crate::schema::javaser::{self, CheckpointProperties};

/// Bytes of a file, memory-mapped (state files are only read at their headers, so mapping
/// avoids reading whole SST or data files).
enum FileBytes {
    Mapped(Mmap),
    Empty,
}

impl FileBytes {
    fn open(path: &Path) -> std::io::Result<FileBytes> {
        let file = File::open(path)?;
        if file.metadata()?.len() == 0 {
            return Ok(FileBytes::Empty);
        }
        // SAFETY: the map is read-only; a savepoint being rewritten while we read it could
        // change the bytes under us, which at worst makes decoding fail with an error.
        let map = unsafe { Mmap::map(&file)? };
        Ok(FileBytes::Mapped(map))
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Empty => &[],
        }
    }
}

/// A savepoint or retained checkpoint opened for reading.
pub struct Savepoint {
    /// The `_metadata` file.
    pub metadata_path: PathBuf,
    /// The directory holding `_metadata`; relative state handles are resolved against it.
    pub dir: PathBuf,
    bytes: FileBytes,
    pub metadata: Metadata,
    /// The `CheckpointProperties` trailer (metadata version 4+): savepoint or checkpoint, format.
    pub properties: Option<CheckpointProperties>,
}

/// The state bytes a handle points at, with enough context to report errors in them.
pub struct StreamBytes<'a> {
    data: StreamData<'a>,
    /// The file these bytes come from.
    pub file: PathBuf,
    /// Offset of the first byte within `file`.
    pub base: u64,
}

enum StreamData<'a> {
    Borrowed(&'a [u8]),
    File(FileBytes, std::ops::Range<usize>),
}

impl StreamBytes<'_> {
    pub fn as_slice(&self) -> &[u8] {
        match &self.data {
            StreamData::Borrowed(b) => b,
            StreamData::File(f, range) => f.as_slice().get(range.clone()).unwrap_or(&[]),
        }
    }

    pub fn reader(&self) -> DataReader<'_> {
        DataReader::with_base(self.as_slice(), self.base)
    }
}

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
    /// Opens a savepoint directory, or a `_metadata` file directly.
    pub fn open(path: &Path) -> Result<Savepoint, SavepointError> {
        let meta = std::fs::metadata(path).map_err(|source| SavepointError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let metadata_path = if meta.is_dir() {
            let candidate = path.join("_metadata");
            if !candidate.is_file() {
                return Err(SavepointError::NoMetadata {
                    dir: path.to_path_buf(),
                });
            }
            candidate
        } else {
            path.to_path_buf()
        };
        let dir = metadata_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let bytes = FileBytes::open(&metadata_path).map_err(|source| SavepointError::Io {
            path: metadata_path.clone(),
            source,
        })?;
        let metadata = parse_metadata(bytes.as_slice())
            .map_err(|e| SavepointError::decode(&metadata_path, "the `_metadata` file", e))?;
        let properties = match metadata.trailer {
            Some(range) => {
                let mut r = DataReader::with_base(bytes.as_slice(), 0);
                r.take(range.offset as usize, "operator states")
                    .and_then(|_| javaser::read_stream(&mut r))
                    .and_then(|value| {
                        if !r.is_empty() {
                            return Err(r.error(
                                "end of file after the CheckpointProperties trailer",
                                format!("{} more bytes", r.remaining()),
                            ));
                        }
                        Ok(javaser::checkpoint_properties(&value))
                    })
                    .map_err(|e| {
                        SavepointError::decode(
                            &metadata_path,
                            "the CheckpointProperties trailer of `_metadata`",
                            e,
                        )
                    })?
            }
            None => None,
        };
        Ok(Savepoint {
            metadata_path,
            dir,
            bytes,
            metadata,
            properties,
        })
    }

    /// The raw `_metadata` bytes.
    pub fn metadata_bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// Bytes of a range inside `_metadata` (inline state).
    pub fn inline_bytes(&self, range: ByteRange) -> &[u8] {
        let start = range.offset as usize;
        let end = start.saturating_add(range.len as usize);
        self.metadata_bytes().get(start..end).unwrap_or(&[])
    }

    /// Opens the bytes a stream handle points at.
    pub fn stream_bytes(
        &self,
        handle: &StreamHandle,
        operator: &OperatorState,
    ) -> Result<Option<StreamBytes<'_>>, SavepointError> {
        let (path, start, size) = match handle {
            StreamHandle::Inline { data, .. } => {
                return Ok(Some(StreamBytes {
                    data: StreamData::Borrowed(self.inline_bytes(*data)),
                    file: self.metadata_path.clone(),
                    base: data.offset,
                }));
            }
            StreamHandle::RelativeFile { relative_path, .. } => {
                (self.resolve_relative(relative_path)?, 0u64, None)
            }
            StreamHandle::File { path, .. } => (self.resolve_absolute(path), 0, None),
            StreamHandle::Segment {
                start,
                size,
                physical_path,
                ..
            } => (
                self.resolve_absolute(physical_path),
                (*start).max(0) as u64,
                Some((*size).max(0) as u64),
            ),
            StreamHandle::KeyGroups(h) => {
                return match &h.delegate {
                    Some(d) => self.stream_bytes(d, operator),
                    None => Ok(None),
                };
            }
            StreamHandle::EmptySegment => return Ok(None),
        };
        if !path.is_file() {
            return Err(SavepointError::MissingStateFile {
                file: path,
                metadata: self.metadata_path.clone(),
                operator: operator.operator_id.to_hex(),
            });
        }
        let bytes = FileBytes::open(&path).map_err(|source| SavepointError::Io {
            path: path.clone(),
            source,
        })?;
        let len = bytes.as_slice().len() as u64;
        let end = size.map_or(len, |s| start.saturating_add(s));
        if start > len || end > len {
            return Err(SavepointError::decode(
                &path,
                "a state file segment",
                DecodeError::new(
                    len,
                    format!("bytes {start}..{end} of the state file"),
                    format!("a file of {len} bytes"),
                ),
            ));
        }
        Ok(Some(StreamBytes {
            data: StreamData::File(bytes, start as usize..end as usize),
            file: path,
            base: start,
        }))
    }

    /// A relative handle must stay inside the savepoint directory.
    fn resolve_relative(&self, relative: &str) -> Result<PathBuf, SavepointError> {
        let rel = Path::new(relative);
        let safe = rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if !safe {
            return Err(SavepointError::UnsafePath {
                path: relative.to_string(),
                metadata: self.metadata_path.clone(),
            });
        }
        Ok(self.dir.join(rel))
    }

    /// Absolute handles (retained checkpoints) name the place the checkpoint was written. If
    /// the checkpoint was moved, find the same file relative to where it is now:
    /// `.../<chk-N>/x` beside `_metadata`, `.../shared/x` or `.../taskowned/x` in its parent.
    fn resolve_absolute(&self, uri: &str) -> PathBuf {
        let path = strip_file_scheme(uri);
        let original = PathBuf::from(path);
        if original.is_file() {
            return original;
        }
        let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let own_name = self.dir.file_name().and_then(|n| n.to_str());
        for (i, c) in components.iter().enumerate().rev() {
            let rest = &components[i + 1..];
            if rest.is_empty() || rest.contains(&"..") {
                continue;
            }
            let base = if Some(*c) == own_name {
                Some(self.dir.clone())
            } else if *c == "shared" || *c == "taskowned" {
                self.dir.parent().map(|p| p.join(c))
            } else {
                None
            };
            if let Some(base) = base {
                let candidate = rest.iter().fold(base, |p, r| p.join(r));
                if candidate.is_file() {
                    return candidate;
                }
            }
        }
        original
    }

    /// Reads the keyed and operator backend headers of every subtask of `operator`.
    pub fn operator_schema(
        &self,
        operator: &OperatorState,
    ) -> Result<OperatorSchema, SavepointError> {
        let mut schema = OperatorSchema::default();
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
                handle.kind_name()
            );
            if !schema.notes.contains(&note) {
                schema.notes.push(note);
            }
            return Ok(());
        };
        if !seen.first_visit(stream) {
            return Ok(());
        }
        let Some(bytes) = self.stream_bytes(stream, operator)? else {
            return Ok(());
        };
        if seen.known_header(bytes.as_slice()) {
            return Ok(());
        }
        let mut r = bytes.reader();
        if let Some(v) = r.peek_i32()
            && (1..6).contains(&v)
        {
            let note = format!(
                "keyed state header version {v} (written before Flink 1.8) is not decoded; Flink 1.17+ cannot restore it either"
            );
            if !schema.notes.contains(&note) {
                schema.notes.push(note);
            }
            return Ok(());
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
        let Some(bytes) = self.stream_bytes(stream, operator)? else {
            return Ok(());
        };
        if seen.known_header(bytes.as_slice()) {
            return Ok(());
        }
        let mut r = bytes.reader();
        if let Some(v) = r.peek_i32()
            && (1..5).contains(&v)
        {
            let note = format!(
                "operator state header version {v} (written before Flink 1.7) is not decoded"
            );
            if !schema.notes.contains(&note) {
                schema.notes.push(note);
            }
            return Ok(());
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

fn strip_file_scheme(uri: &str) -> &str {
    let rest = uri.strip_prefix("file:").unwrap_or(uri);
    // `file:///a` and `file:/a` both mean `/a`.
    if let Some(stripped) = rest.strip_prefix("//") {
        if stripped.starts_with('/') {
            stripped
        } else {
            rest
        }
    } else {
        rest
    }
}
