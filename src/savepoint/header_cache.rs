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
    /// Address and length of the last kept header found known.
    known_kept: Option<(usize, usize)>,
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
    /// `kept` is `bytes` when they are kept from `_metadata`: every subtask of an operator
    /// usually shares one kept copy of the header, found known once and then by its address.
    pub(super) fn known_header(&mut self, bytes: &[u8], kept: Option<&[u8]>) -> bool {
        let at = kept.map(|k| (k.as_ptr() as usize, k.len()));
        if at.is_some() && at == self.known_kept {
            return true;
        }
        let known = self.decoded.iter().any(|h| bytes.starts_with(h));
        if known && at.is_some() {
            self.known_kept = at;
        }
        known
    }

    /// Records the `consumed` bytes of a header that decoded completely.
    pub(super) fn remember(&mut self, consumed: &[u8]) {
        if self.decoded.len() < MAX_DECODED && !self.decoded.iter().any(|h| consumed.starts_with(h))
        {
            self.decoded.push(consumed.to_vec());
        }
    }
}
