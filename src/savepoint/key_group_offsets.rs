//! The per-key-group stream offsets of a key-groups handle. A savepoint at max parallelism 4096
//! holds 4096 of them per keyed operator; no analysis needs their values, only how many there
//! are and how many groups hold data, so they stay in `_metadata` and are decoded only for a
//! report that lists them (`inspect --all-handles`).

use std::num::NonZeroU64;

use serde::ser::{Error as _, Serialize, SerializeSeq, Serializer};

use super::handles::ByteRange;
use crate::javaio::data_input::DecodeResult;
use crate::javaio::input::JavaInput;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGroupOffsets {
    /// Where the big-endian i64 offsets start in `_metadata` (`count` x 8 bytes). Narrow
    /// fields: one of these is held per keyed subtask, and a key-groups handle has at most
    /// 32,768 groups.
    at: u64,
    count: u32,
    with_data: u32,
    first_data: Option<NonZeroU64>,
    /// The values, once [`KeyGroupOffsets::decode`] has read them (for serialization).
    decoded: Option<Box<[i64]>>,
}

impl KeyGroupOffsets {
    /// Reads `count` offsets at the reader's position, counting those that are not 0.
    pub(crate) fn read(r: &mut impl JavaInput, count: usize) -> DecodeResult<KeyGroupOffsets> {
        let at = r.offset();
        let len = count.saturating_mul(8);
        // The smallest non-zero offset, less one: 0 wraps to the largest value, so the loop has
        // no branch (which groups hold data looks random to a branch predictor).
        let (mut with_data, mut least_less_one) = (0, u64::MAX);
        r.scan(len, "key group offsets", &mut |run| {
            // Fixed-size chunks let the compiler compare whole words (thousands per handle).
            let (words, _) = run.as_chunks::<8>();
            for w in words {
                let v = u64::from_be_bytes(*w);
                with_data += usize::from(v != 0);
                least_less_one = least_less_one.min(v.wrapping_sub(1));
            }
        })?;
        // An offset of u64::MAX counts as data but, as before, is no start of data.
        let first_data = least_less_one.saturating_add(1);
        // `scan` read `count` x 8 bytes, and no savepoint holds 2^32 x 8 bytes in one handle.
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(KeyGroupOffsets {
            at,
            count: narrow(count),
            with_data: narrow(with_data),
            first_data: NonZeroU64::new(first_data).filter(|v| v.get() != u64::MAX),
            decoded: None,
        })
    }

    /// The smallest non-zero offset: where the first key group's data starts in the stream,
    /// so where the state header before it ends. Negative offsets (hostile input) read as huge.
    pub fn first_data(&self) -> Option<u64> {
        self.first_data.map(NonZeroU64::get)
    }

    /// Where the offsets sit in `_metadata`.
    pub fn range(&self) -> ByteRange {
        ByteRange {
            offset: self.at,
            len: u64::from(self.count) * 8,
        }
    }

    /// Key groups in the handle's range.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Key groups whose offset is not 0, i.e. that hold data.
    pub fn with_data(&self) -> usize {
        self.with_data as usize
    }

    /// Keeps the values, read from `bytes` (the bytes of [`KeyGroupOffsets::range`]), so that
    /// serializing lists them.
    pub fn decode(&mut self, bytes: &[u8]) {
        let values = bytes
            .get(..self.len().saturating_mul(8))
            .unwrap_or(&[])
            .chunks_exact(8)
            .map(|b| i64::from_be_bytes(b.try_into().unwrap_or([0; 8])));
        self.decoded = Some(values.collect());
    }
}

impl Serialize for KeyGroupOffsets {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Some(values) = &self.decoded else {
            return Err(S::Error::custom(
                "key-group offsets are serialized only after they are decoded",
            ));
        };
        let mut seq = s.serialize_seq(Some(values.len()))?;
        for v in values.iter() {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}
