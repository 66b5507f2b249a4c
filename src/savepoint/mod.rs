//! Reading savepoints and retained checkpoints: `_metadata`, state handles, and the backend
//! serialization headers at the start of state streams.

pub mod access;
pub mod backend_meta;
pub mod error;
pub mod handle_kind;
pub mod handles;
mod header_cache;
pub mod inline_name;
pub mod inventory;
pub mod key_group_offsets;
pub mod metadata;
pub mod metadata_file;
mod metadata_only;
mod operator_schema;
pub mod properties;
mod remote;
pub mod sources;
pub mod store;
pub mod subtask_brief;

pub use self::operator_schema::OperatorSchema;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use self::access::{Confinement, OpenError, SavepointAccess, open_regular, read_range};

pub use self::error::SavepointError;
use self::handles::StreamHandle;
use self::metadata::{Metadata, OperatorState, parse_metadata, read_metadata};
use self::metadata_file::{MetadataBytes, MetadataFileReader};
use self::metadata_only::{METADATA_ONLY_ALONE, METADATA_ONLY_ASKED, file_backed, lone_metadata};
use self::properties::CheckpointProperties;
use self::remote::{Located, Source, Target};
use crate::javaio::data_input::{DataReader, DecodeError};
use crate::javaio::javaser;

/// The largest `_metadata` read: Flink's own loader keeps it in memory too, but a larger file is
/// no savepoint anyone wrote (the biggest seen are a few hundred MB).
const MAX_METADATA_BYTES: u64 = 4 << 30;

/// A state header is read from the first bytes of its stream; most fit in the first read, and
/// the prefix grows (by 16x) only when the header runs past it, up to this many bytes.
const FIRST_HEADER_READ: u64 = 64 << 10;
const MAX_HEADER_READ: u64 = 64 << 20;

/// A savepoint or retained checkpoint opened for reading.
pub struct Savepoint {
    /// The `_metadata` file.
    pub metadata_path: PathBuf,
    /// The directory holding `_metadata`; relative state handles are resolved against it.
    pub dir: PathBuf,
    /// Where state files may be read from.
    source: Source,
    bytes: MetadataBytes,
    pub metadata: Metadata,
    /// The `CheckpointProperties` trailer (metadata version 4+): savepoint or checkpoint, format.
    pub properties: Option<CheckpointProperties>,
    /// Why no state file is read (`--metadata-only`, or none is there): state is judged from
    /// `_metadata` alone, and each operator says what was not examined.
    pub metadata_only: Option<String>,
}

/// The state bytes a handle points at, with enough context to report errors in them.
pub struct StreamBytes<'a> {
    data: StreamData<'a>,
    /// The file these bytes come from (borrowed for `_metadata`: a header is decoded per
    /// subtask, and cloning the path each time showed in profiles).
    pub file: Cow<'a, Path>,
    /// Offset of the first byte within `file`.
    pub base: u64,
    /// Fewer bytes than the stream holds were read.
    pub cut: bool,
}

enum StreamData<'a> {
    Borrowed(&'a [u8]),
    Read(Vec<u8>),
}

impl StreamBytes<'_> {
    pub fn as_slice(&self) -> &[u8] {
        match &self.data {
            StreamData::Borrowed(b) => b,
            StreamData::Read(v) => v,
        }
    }

    /// The bytes, when they are kept from `_metadata` (which never changes once read, so equal
    /// addresses mean equal bytes); `None` when they were read for this call.
    fn kept(&self) -> Option<&[u8]> {
        match &self.data {
            StreamData::Borrowed(b) => Some(b),
            StreamData::Read(_) => None,
        }
    }

    pub fn reader(&self) -> DataReader<'_> {
        DataReader::with_base(self.as_slice(), self.base)
    }
}

impl Savepoint {
    /// Opens a savepoint directory, or a `_metadata` file directly; state files are read only
    /// from inside the savepoint folder (see [`access`]).
    pub fn open(path: &Path) -> Result<Savepoint, SavepointError> {
        Savepoint::open_with(path, &SavepointAccess::default())
    }

    /// [`Savepoint::open`], also reading state files inside the folders `access` allows.
    pub fn open_with(path: &Path, access: &SavepointAccess) -> Result<Savepoint, SavepointError> {
        if let Some(url) = path.to_str().filter(|p| store::looks_remote(p)) {
            return Savepoint::open_remote(url, access);
        }
        let io = |path: &Path, source| SavepointError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
        // A `_metadata` named by the user is theirs to choose; one found inside a folder must
        // be the folder's own file, not a link to elsewhere.
        let (metadata_path, follow_links) = if meta.is_dir() {
            (path.join("_metadata"), false)
        } else {
            (path.to_path_buf(), true)
        };
        let opened = match open_regular(&metadata_path, follow_links) {
            Ok(f) => f,
            Err(OpenError::Missing) if meta.is_dir() => {
                return Err(SavepointError::NoMetadata {
                    dir: path.to_path_buf(),
                });
            }
            Err(OpenError::Missing) => {
                return Err(io(&metadata_path, std::io::ErrorKind::NotFound.into()));
            }
            Err(OpenError::NotRegular) => {
                return Err(SavepointError::NotRegularFile {
                    path: metadata_path,
                });
            }
            Err(OpenError::Io(e)) => return Err(io(&metadata_path, e)),
        };
        if opened.len > MAX_METADATA_BYTES {
            return Err(SavepointError::TooLarge {
                path: metadata_path,
                len: opened.len,
                limit: MAX_METADATA_BYTES,
            });
        }
        let mut reader = MetadataFileReader::new(&opened.file, opened.len);
        if access.keep_handle_names {
            reader = reader.keeping_handle_names();
        }
        let parsed = read_metadata(&mut reader);
        let (kept, failed) = reader.finish();
        if let Some(e) = failed {
            return Err(io(&metadata_path, e));
        }
        let metadata = parsed
            .map_err(|e| SavepointError::decode(&metadata_path, "the `_metadata` file", e))?;
        let bytes = MetadataBytes::Streamed {
            file: opened.file,
            kept,
        };
        let dir = metadata_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut sp =
            Savepoint::from_parsed(metadata_path, dir, metadata, bytes, |dir, is_checkpoint| {
                Source::Local(Confinement::new(dir, is_checkpoint, access))
            })?;
        if access.metadata_only {
            sp.metadata_only = Some(METADATA_ONLY_ASKED.into());
        } else if sp.references_state_files() && lone_metadata(&sp.dir) {
            sp.metadata_only = Some(METADATA_ONLY_ALONE.into());
        }
        Ok(sp)
    }

    /// A savepoint from the whole bytes of its `_metadata` (as read from an object store).
    fn from_bytes(
        metadata_path: PathBuf,
        dir: PathBuf,
        bytes: Vec<u8>,
        source: impl FnOnce(&Path, bool) -> Source,
    ) -> Result<Savepoint, SavepointError> {
        let metadata = parse_metadata(&bytes)
            .map_err(|e| SavepointError::decode(&metadata_path, "the `_metadata` file", e))?;
        let bytes = MetadataBytes::Whole(bytes);
        Savepoint::from_parsed(metadata_path, dir, metadata, bytes, source)
    }

    fn from_parsed(
        metadata_path: PathBuf,
        dir: PathBuf,
        metadata: Metadata,
        bytes: MetadataBytes,
        source: impl FnOnce(&Path, bool) -> Source,
    ) -> Result<Savepoint, SavepointError> {
        let properties = match metadata.trailer {
            Some(range) => {
                let trailer = bytes.range(range);
                let mut r = DataReader::with_base(&trailer, range.offset);
                javaser::read_stream(&mut r)
                    .and_then(|value| {
                        if !r.is_empty() {
                            return Err(r.error(
                                "end of file after the CheckpointProperties trailer",
                                format!("{} more bytes", r.remaining()),
                            ));
                        }
                        Ok(properties::checkpoint_properties(&value))
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
        let is_checkpoint = properties.as_ref().is_some_and(|p| !p.is_savepoint)
            || dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("chk-"));
        let source = source(&dir, is_checkpoint);
        Ok(Savepoint {
            metadata_path,
            dir,
            source,
            bytes,
            metadata,
            properties,
            metadata_only: None,
        })
    }

    /// The `_metadata` bytes later readers look at (inline state, key-group offsets).
    pub fn metadata_bytes(&self) -> &MetadataBytes {
        &self.bytes
    }

    /// The bytes a stream handle points at, read whole (operator and coordinator state, whose
    /// elements sit anywhere in the stream). At most [`MAX_HEADER_READ`] bytes are read; a
    /// longer stream is cut there, and decoding past the cut fails with an error.
    pub fn stream_bytes(
        &self,
        handle: &StreamHandle,
        operator: &OperatorState,
    ) -> Result<Option<StreamBytes<'_>>, SavepointError> {
        self.stream_prefix(handle, operator, MAX_HEADER_READ)
    }

    /// Decodes a header at the start of a stream, reading only as many of its first bytes as
    /// the header needs: `decode` is retried on a longer prefix when it fails on a cut one.
    pub fn decode_stream_start<T>(
        &self,
        handle: &StreamHandle,
        operator: &OperatorState,
        mut decode: impl FnMut(&StreamBytes<'_>) -> Result<T, SavepointError>,
    ) -> Result<Option<T>, SavepointError> {
        let mut limit = FIRST_HEADER_READ;
        loop {
            let Some(bytes) = self.stream_prefix(handle, operator, limit)? else {
                return Ok(None);
            };
            let cut = bytes.cut;
            match decode(&bytes) {
                Err(SavepointError::Decode { .. }) if cut && limit < MAX_HEADER_READ => {
                    limit = (limit * 16).min(MAX_HEADER_READ);
                }
                result => return result.map(Some),
            }
        }
    }

    /// At most `limit` bytes from the start of the stream a handle points at.
    fn stream_prefix(
        &self,
        handle: &StreamHandle,
        operator: &OperatorState,
        limit: u64,
    ) -> Result<Option<StreamBytes<'_>>, SavepointError> {
        // Key-group handles wrap a stream handle; follow the wrapping without recursion.
        let mut handle = handle;
        while let StreamHandle::KeyGroups(h) = handle {
            match &h.delegate {
                Some(d) => handle = d,
                None => return Ok(None),
            }
        }
        if self.metadata_only.is_some() && file_backed(handle) {
            return Ok(None);
        }
        let (resolved, start, size) = match handle {
            StreamHandle::Inline { data, .. } => {
                let bytes = self
                    .bytes
                    .prefix(*data, limit, limit <= FIRST_HEADER_READ)
                    .map_err(|source| SavepointError::Io {
                        path: self.metadata_path.clone(),
                        source,
                    })?;
                return Ok(Some(StreamBytes {
                    cut: (bytes.len() as u64) < data.len,
                    data: match bytes {
                        Cow::Borrowed(b) => StreamData::Borrowed(b),
                        Cow::Owned(v) => StreamData::Read(v),
                    },
                    file: Cow::Borrowed(&self.metadata_path),
                    base: data.offset,
                }));
            }
            StreamHandle::RelativeFile { relative_path, .. } => {
                (Target::Relative(relative_path), 0u64, None)
            }
            StreamHandle::File { path, .. } => (Target::Absolute(path), 0, None),
            StreamHandle::Segment(h) => (
                Target::Absolute(&h.physical_path),
                h.start.max(0) as u64,
                Some(h.size.max(0) as u64),
            ),
            StreamHandle::KeyGroups(_) | StreamHandle::EmptySegment => return Ok(None),
        };
        let (path, located) = self.locate(resolved, operator)?;
        let len = match &located {
            Located::Local(opened) => opened.len,
            Located::Remote(object) => object.len,
        };
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
        let want = (end - start).min(limit);
        let data = match &located {
            Located::Local(opened) => {
                read_range(&opened.file, start, want).map_err(|source| SavepointError::Io {
                    path: path.clone(),
                    source,
                })?
            }
            Located::Remote(object) => match &self.source {
                Source::Remote { remote, .. } => remote.read_range(&object.key, start, want)?,
                Source::Local(_) => Vec::new(),
            },
        };
        // The file may have shrunk since it was opened: that is a cut too, and decoding the
        // missing bytes fails with an error rather than a crash.
        let cut = (data.len() as u64) < end - start;
        Ok(Some(StreamBytes {
            data: StreamData::Read(data),
            file: Cow::Owned(path),
            base: start,
            cut,
        }))
    }
}

pub(crate) fn strip_file_scheme(uri: &str) -> &str {
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
