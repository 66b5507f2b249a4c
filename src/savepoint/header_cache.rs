//! Remembers which state-header streams one operator's summary has already merged, so that
//! reading an operator's schema stays linear in its subtasks: a stream shared by many subtasks
//! (one file, or the same segment) is read once, and a header byte-for-byte equal to one already
//! decoded (every subtask of a job writes the same serializers) is not decoded again.

use std::collections::HashSet;

use super::handles::StreamHandle;

#[derive(Default)]
pub(super) struct HeaderCache {
    streams: HashSet<StreamKey>,
    /// Headers decoded without an unreadable part: the exact bytes the decoder consumed.
    decoded: Vec<Vec<u8>>,
    /// Names of the states merged so far (a later subtask adds only new names).
    pub(super) names: HashSet<String>,
    pub(super) broadcast_names: HashSet<String>,
}

/// What identifies a stream's bytes: the handle as `_metadata` records it.
#[derive(PartialEq, Eq, Hash)]
struct StreamKey(String);

/// Distinct headers kept per operator; past this, headers are simply decoded again (bounds the
/// comparisons per subtask when every subtask's header differs).
const MAX_DECODED: usize = 8;

impl HeaderCache {
    /// True the first time `stream` is seen; false when its bytes were merged already.
    pub(super) fn first_visit(&mut self, stream: &StreamHandle) -> bool {
        match stream {
            // Inline bytes belong to one handle; equal headers among them are found by content.
            StreamHandle::Inline { .. } => true,
            _ => self.streams.insert(StreamKey(format!("{stream:?}"))),
        }
    }

    /// True when `bytes` start with a header decoded before (merging it again changes nothing).
    pub(super) fn known_header(&self, bytes: &[u8]) -> bool {
        self.decoded.iter().any(|h| bytes.starts_with(h))
    }

    /// Records the `consumed` bytes of a header that decoded completely.
    pub(super) fn remember(&mut self, consumed: &[u8]) {
        if self.decoded.len() < MAX_DECODED && !self.known_header(consumed) {
            self.decoded.push(consumed.to_vec());
        }
    }
}
