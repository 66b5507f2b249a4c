//! The name of an inline (`ByteStreamStateHandle`) handle: the path its bytes would have had as
//! a file. No analysis reads it, and a wide savepoint holds one per subtask (38,400 of about 120
//! bytes on the 600-operator benchmark), so it stays in `_metadata` as a checked range until a
//! report lists handles and [`InlineName::decode`] reads it.

use serde::ser::{Error as _, Serialize, Serializer};

use super::handles::ByteRange;
use crate::javaio::data_input::{DecodeResult, decode_modified_utf8};
use crate::javaio::input::JavaInput;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineName {
    /// Where the modified UTF-8 bytes sit in `_metadata` (checked when read).
    range: ByteRange,
    /// The text, once decoded (for serialization).
    text: Option<Box<str>>,
}

impl InlineName {
    /// Reads a `writeUTF` name at the reader's position.
    pub(crate) fn read(r: &mut impl JavaInput) -> DecodeResult<InlineName> {
        let (offset, len) = r.utf_bytes_at("inline handle name")?;
        Ok(InlineName {
            range: ByteRange {
                offset,
                len: len as u64,
            },
            text: None,
        })
    }

    /// Where the name's bytes sit in `_metadata`.
    pub fn range(&self) -> ByteRange {
        self.range
    }

    /// Keeps the text, read from `bytes` (the bytes of [`InlineName::range`]; empty when the
    /// file no longer holds them, which decodes as an empty name).
    pub fn decode(&mut self, bytes: &[u8]) {
        let text = decode_modified_utf8(bytes).unwrap_or_default();
        self.text = Some(text.into());
    }
}

impl Serialize for InlineName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.text {
            Some(text) => s.serialize_str(text),
            None => Err(S::Error::custom(
                "inline handle names are serialized only after they are decoded",
            )),
        }
    }
}
