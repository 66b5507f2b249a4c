//! Errors of the savepoint layer: each names the file and, for bad bytes, the offset and what
//! was expected there.

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::javaio::data_input::DecodeError;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum SavepointError {
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(spcompat::savepoint::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} has no `_metadata` file", dir.display())]
    #[diagnostic(
        code(spcompat::savepoint::no_metadata),
        help(
            "pass a savepoint or retained-checkpoint directory (the folder that holds `_metadata`), or the `_metadata` file itself"
        )
    )]
    NoMetadata { dir: PathBuf },

    #[error("{}: {context}: at byte offset {offset} ({offset:#x}): expected {expected}, found {found}", file.display())]
    #[diagnostic(
        code(spcompat::savepoint::corrupt),
        help(
            "the file is truncated, corrupted or not what a Flink savepoint holds at this place; Flink itself would fail to read it too"
        )
    )]
    Decode {
        file: PathBuf,
        context: String,
        offset: u64,
        expected: String,
        found: String,
    },

    #[error("state file {} is missing (referenced by {} for operator {operator})", file.display(), metadata.display())]
    #[diagnostic(
        code(spcompat::savepoint::missing_state_file),
        help(
            "copy the whole savepoint directory, not only `_metadata`; retained checkpoints also need their `shared/` and `taskowned/` folders"
        )
    )]
    MissingStateFile {
        file: PathBuf,
        metadata: PathBuf,
        operator: String,
    },

    #[error("{} references the state file `{path}`, which points outside the savepoint directory", metadata.display())]
    #[diagnostic(code(spcompat::savepoint::unsafe_path))]
    UnsafePath { path: String, metadata: PathBuf },

    #[error("{} references the state file `{path}` for operator {operator}: it lies outside the savepoint folder, so it was not opened", metadata.display())]
    #[diagnostic(
        code(spcompat::savepoint::outside_savepoint),
        help(
            "state files are read only inside the savepoint folder (and a retained checkpoint's `shared/` and `taskowned/`), after following links; if this file is really part of the snapshot, copy it there or name its folder with `--allow-outside DIR`"
        )
    )]
    OutsideSavepoint {
        path: String,
        metadata: PathBuf,
        operator: String,
    },

    #[error("{} references the state file `{path}` for operator {operator}: it lies outside the savepoint's root ({roots}), so it was not requested", metadata.display())]
    #[diagnostic(
        code(spcompat::savepoint::outside_store_root),
        help(
            "state files are read only under the savepoint's own prefix (and a retained checkpoint's `shared/` and `taskowned/`) of the same bucket; if this object is really part of the snapshot, name its folder with `--allow-outside URL`"
        )
    )]
    OutsideStoreRoot {
        path: String,
        metadata: PathBuf,
        operator: String,
        roots: String,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] super::store::StoreError),

    #[error("state file {} of operator {operator} cannot be read: {reason}", file.display())]
    #[diagnostic(
        code(spcompat::savepoint::unreadable_state_file),
        help("state files must be regular files inside the savepoint folder")
    )]
    UnreadableStateFile {
        file: PathBuf,
        reason: String,
        operator: String,
    },

    #[error("{} is not a regular file", path.display())]
    #[diagnostic(
        code(spcompat::savepoint::not_regular_file),
        help(
            "`_metadata` must be a regular file inside the savepoint folder, not a link, FIFO or device"
        )
    )]
    NotRegularFile { path: PathBuf },

    #[error("{} has {len} bytes, more than the {limit} a `_metadata` file can have", path.display())]
    #[diagnostic(code(spcompat::savepoint::too_large))]
    TooLarge { path: PathBuf, len: u64, limit: u64 },
}

impl SavepointError {
    pub fn decode(file: &Path, context: &str, e: DecodeError) -> Self {
        SavepointError::Decode {
            file: file.to_path_buf(),
            context: context.to_string(),
            offset: e.offset,
            expected: e.expected,
            found: e.found,
        }
    }
}
