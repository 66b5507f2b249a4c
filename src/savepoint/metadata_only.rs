//! Judging from `_metadata` alone (`--metadata-only`, or a folder holding only `_metadata`):
//! which state is file-backed, and the per-operator note that names what was not examined.

use std::path::Path;

use super::Savepoint;
use super::handles::StreamHandle;
use super::metadata::OperatorState;

/// Why state files are not read when the user asked.
pub(super) const METADATA_ONLY_ASKED: &str = "--metadata-only: state files were not read";
/// Why state files are not read when the folder holds none.
pub(super) const METADATA_ONLY_ALONE: &str =
    "the savepoint folder holds only `_metadata`: its state files are absent";

impl Savepoint {
    /// Whether any state handle names a file (rather than bytes inline in `_metadata`).
    pub(super) fn references_state_files(&self) -> bool {
        self.metadata
            .operators
            .iter()
            .flat_map(|o| &o.subtasks)
            .any(|s| {
                s.managed_keyed_state
                    .as_ref()
                    .and_then(|h| h.header_stream())
                    .is_some_and(file_backed)
                    || s.managed_operator_state
                        .as_ref()
                        .and_then(|h| h.delegate.as_ref())
                        .is_some_and(file_backed)
            })
    }

    /// The note for an operator whose file-backed state is not read, naming what was skipped.
    pub(super) fn not_examined_note(&self, operator: &OperatorState) -> Option<String> {
        let reason = self.metadata_only.as_ref()?;
        let keyed = operator
            .subtasks
            .iter()
            .filter(|s| {
                s.managed_keyed_state
                    .as_ref()
                    .and_then(|h| h.header_stream())
                    .is_some_and(file_backed)
            })
            .count();
        let op = operator
            .subtasks
            .iter()
            .filter(|s| {
                s.managed_operator_state
                    .as_ref()
                    .and_then(|h| h.delegate.as_ref())
                    .is_some_and(file_backed)
            })
            .count();
        let mut parts = Vec::new();
        if keyed > 0 {
            parts.push(format!("keyed state of {keyed} subtask(s)"));
        }
        if op > 0 {
            parts.push(format!("operator state of {op} subtask(s)"));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "{} not examined (state names and serializers unknown): {reason}",
                parts.join(" and ")
            )
        })
    }
}

/// Whether a stream's bytes lie in a file (not inline in `_metadata`, not empty).
pub(super) fn file_backed(stream: &StreamHandle) -> bool {
    let mut stream = stream;
    while let StreamHandle::KeyGroups(h) = stream {
        match &h.delegate {
            Some(d) => stream = d,
            None => return false,
        }
    }
    matches!(
        stream,
        StreamHandle::File { .. }
            | StreamHandle::RelativeFile { .. }
            | StreamHandle::Segment { .. }
    )
}

/// Whether `dir` holds `_metadata` and nothing else (a lone copied `_metadata`).
pub(super) fn lone_metadata(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    // Two entries are enough to tell: `_metadata` and any other.
    let names: Vec<_> = entries.flatten().take(2).map(|e| e.file_name()).collect();
    names.len() == 1 && names[0] == "_metadata"
}
