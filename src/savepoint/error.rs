//! Errors of the savepoint layer: each names the file and, for bad bytes, the offset and what
//! was expected there.

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use super::bytes::DecodeError;

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
