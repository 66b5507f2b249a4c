//! The per-key-group stream offsets of a key-groups handle. A savepoint at max parallelism 4096
//! holds 4096 of them per keyed operator; no analysis needs their values, only how many there
//! are and how many groups hold data, so they stay in `_metadata` and are decoded only for a
//! report that lists them (`inspect --all-handles`).

use serde::ser::{Error as _, Serialize, SerializeSeq, Serializer};

use super::handles::ByteRange;
use crate::javaio::data_input::{DataReader, DecodeResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyGroupOffsets {
    /// Where the big-endian i64 offsets sit in `_metadata`.
    range: ByteRange,
    count: usize,
    with_data: usize,
    /// The values, once [`KeyGroupOffsets::decode`] has read them (for serialization).
    decoded: Option<Box<[i64]>>,
}

impl KeyGroupOffsets {
    /// Reads `count` offsets at the reader's position, counting those that are not 0.
    pub(crate) fn read(r: &mut DataReader, count: usize) -> DecodeResult<KeyGroupOffsets> {
        let offset = r.offset();
        let bytes = r.take(count.saturating_mul(8), "key group offsets")?;
        // Fixed-size chunks let the compiler compare whole words (thousands per handle).
        let (words, _) = bytes.as_chunks::<8>();
        let with_data = words
            .iter()
            .filter(|w| u64::from_ne_bytes(**w) != 0)
            .count();
        Ok(KeyGroupOffsets {
            range: ByteRange {
                offset,
                len: bytes.len() as u64,
            },
            count,
            with_data,
            decoded: None,
        })
    }

    /// Key groups in the handle's range.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Key groups whose offset is not 0, i.e. that hold data.
    pub fn with_data(&self) -> usize {
        self.with_data
    }

    /// The offsets, read from `metadata` (the `_metadata` bytes they were parsed from).
    pub fn values<'a>(&self, metadata: &'a [u8]) -> impl Iterator<Item = i64> + 'a {
        let start = self.range.offset as usize;
        let end = start.saturating_add(self.range.len as usize);
        metadata
            .get(start..end)
            .unwrap_or(&[])
            .chunks_exact(8)
            .map(|b| i64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
    }

    /// Keeps the values, so that serializing lists them.
    pub fn decode(&mut self, metadata: &[u8]) {
        self.decoded = Some(self.values(metadata).collect());
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
