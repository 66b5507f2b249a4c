//! A bounds-checked reader for Java `DataOutput` bytes (big-endian, modified UTF-8).
//!
//! Every read is checked against the remaining input and every count read from the input is
//! checked against the bytes left before anything is allocated, so hostile length fields end in
//! a [`DecodeError`] naming the offset, never in a panic or a huge allocation.

use std::borrow::Cow;
use std::fmt;

/// Where decoding stopped and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Absolute byte offset in the file being decoded.
    pub offset: u64,
    /// What the reader expected to find, e.g. "i32 number of operator states".
    pub expected: String,
    /// What it found instead (end of input, a bad value, ...).
    pub found: String,
}

impl DecodeError {
    pub fn new(offset: u64, expected: impl Into<String>, found: impl Into<String>) -> Self {
        DecodeError {
            offset,
            expected: expected.into(),
            found: found.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at byte offset {}: expected {}, found {}",
            self.offset, self.expected, self.found
        )
    }
}

impl std::error::Error for DecodeError {}

pub type DecodeResult<T> = Result<T, DecodeError>;

/// A cursor over a byte slice that knows the slice's absolute position in its file.
#[derive(Clone)]
pub struct DataReader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Absolute file offset of `buf[0]`, so errors in nested blobs point into the real file.
    base: u64,
}

impl<'a> DataReader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        DataReader {
            buf,
            pos: 0,
            base: 0,
        }
    }

    pub fn with_base(buf: &'a [u8], base: u64) -> Self {
        DataReader { buf, pos: 0, base }
    }

    /// Absolute offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    pub fn peek_u8(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    pub fn peek_i32(&self) -> Option<i32> {
        let b = self.buf.get(self.pos..self.pos + 4)?;
        Some(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn error(&self, expected: impl Into<String>, found: impl Into<String>) -> DecodeError {
        DecodeError::new(self.offset(), expected, found)
    }

    /// An error at an earlier absolute offset (e.g. the start of the field just read).
    pub fn error_at(
        &self,
        offset: u64,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> DecodeError {
        DecodeError::new(offset, expected, found)
    }

    #[inline]
    pub fn take(&mut self, n: usize, what: &str) -> DecodeResult<&'a [u8]> {
        match self.buf.get(self.pos..).and_then(|rest| rest.get(..n)) {
            Some(out) => {
                self.pos += n;
                Ok(out)
            }
            None => Err(self.end_of_input(n, what)),
        }
    }

    // Kept out of line: the hot path of every read is the bounds check alone.
    fn end_of_input(&self, n: usize, what: &str) -> DecodeError {
        super::input::end_of_input(self.offset(), n, what, self.remaining())
    }

    /// A sub-reader over the next `n` bytes, keeping absolute offsets.
    pub fn sub_reader(&mut self, n: usize, what: &str) -> DecodeResult<DataReader<'a>> {
        let base = self.offset();
        let bytes = self.take(n, what)?;
        Ok(DataReader::with_base(bytes, base))
    }

    #[inline]
    fn array<const N: usize>(&mut self, what: &str) -> DecodeResult<[u8; N]> {
        let b = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    pub fn u8(&mut self, what: &str) -> DecodeResult<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    pub fn bool(&mut self, what: &str) -> DecodeResult<bool> {
        Ok(self.u8(what)? != 0)
    }

    pub fn u16(&mut self, what: &str) -> DecodeResult<u16> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub fn i16(&mut self, what: &str) -> DecodeResult<i16> {
        Ok(i16::from_be_bytes(self.array(what)?))
    }

    pub fn i32(&mut self, what: &str) -> DecodeResult<i32> {
        Ok(i32::from_be_bytes(self.array(what)?))
    }

    pub fn i64(&mut self, what: &str) -> DecodeResult<i64> {
        Ok(i64::from_be_bytes(self.array(what)?))
    }

    pub fn bytes16(&mut self, what: &str) -> DecodeResult<[u8; 16]> {
        self.array(what)
    }

    /// A non-negative i32 length that must fit in what is left of the input.
    pub fn length(&mut self, what: &str) -> DecodeResult<usize> {
        let at = self.offset();
        let n = self.i32(what)?;
        super::input::checked_length(at, n, self.remaining(), what)
    }

    /// A non-negative element count; each element takes at least `min_element_size` bytes, which
    /// bounds the count by the input left before any collection is sized from it.
    pub fn count(&mut self, what: &str, min_element_size: usize) -> DecodeResult<usize> {
        let at = self.offset();
        let n = self.i32(what)?;
        self.check_count(at, n as i64, what, min_element_size)
    }

    /// Like [`count`](Self::count) for an i16 count.
    pub fn count16(&mut self, what: &str, min_element_size: usize) -> DecodeResult<usize> {
        let at = self.offset();
        let n = self.i16(what)?;
        self.check_count(at, n as i64, what, min_element_size)
    }

    fn check_count(
        &self,
        at: u64,
        n: i64,
        what: &str,
        min_element_size: usize,
    ) -> DecodeResult<usize> {
        super::input::checked_count(at, n, self.remaining(), what, min_element_size)
    }

    /// Java `DataInput.readUTF`: u16 byte length, then modified UTF-8.
    pub fn utf(&mut self, what: &str) -> DecodeResult<String> {
        let at = self.offset();
        let n = self.u16(what)? as usize;
        let raw = self.take(n, what)?;
        decode_modified_utf8(raw)
            .map(Cow::into_owned)
            .ok_or_else(|| invalid_modified_utf8(at, what))
    }

    /// Flink `StringValue` string: varint length+1 (0 = null), then one varint per UTF-16 unit.
    pub fn flink_string(&mut self, what: &str) -> DecodeResult<Option<String>> {
        let at = self.offset();
        let len = self.varint(what)?;
        if len == 0 {
            return Ok(None);
        }
        let n = (len - 1) as usize;
        // Every char takes at least one byte.
        if n > self.remaining() {
            return Err(self.error_at(
                at,
                format!("{what} of at most {} chars", self.remaining()),
                n.to_string(),
            ));
        }
        let mut units = Vec::with_capacity(n);
        for _ in 0..n {
            let c = self.varint(what)?;
            if c > 0xFFFF {
                return Err(self.error("UTF-16 code unit", format!("{c:#x}")));
            }
            units.push(c as u16);
        }
        Ok(Some(String::from_utf16_lossy(&units)))
    }

    fn varint(&mut self, what: &str) -> DecodeResult<u32> {
        let mut value: u32 = 0;
        let mut shift = 0;
        loop {
            let b = self.u8(what)?;
            if shift > 28 {
                return Err(self.error(format!("varint {what}"), "more than 5 bytes"));
            }
            value |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
    }
}

/// The error of a `writeUTF` string at `at` whose bytes are not modified UTF-8.
pub(crate) fn invalid_modified_utf8(at: u64, what: &str) -> DecodeError {
    DecodeError::new(at, format!("modified UTF-8 {what}"), "invalid bytes")
}

/// Decodes Java's modified UTF-8 (NUL as `C0 80`, supplementary characters as surrogate pairs).
pub fn decode_modified_utf8(raw: &[u8]) -> Option<Cow<'_, str>> {
    // Fast path (file paths and class names, tens of thousands per savepoint): bytes 1..=0x7F
    // are the same in modified UTF-8 and UTF-8. One branch-free pass that the compiler
    // vectorizes: a byte sets the high bit of `b | (b - 1)` exactly when it is 0 or >= 0x80.
    if raw.iter().fold(0u8, |acc, &b| acc | b | b.wrapping_sub(1)) < 0x80 {
        // SAFETY: every byte is in 1..=0x7F (checked just above), and ASCII is valid UTF-8.
        return Some(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(raw) }));
    }
    cesu8::from_java_cesu8(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_and_tracks_offsets() {
        let data = [0x49, 0x60, 0x67, 0x2d, 0, 0, 0, 6, 0, 2, b'h', b'i'];
        let mut r = DataReader::with_base(&data, 100);
        assert_eq!(r.i32("magic").unwrap(), 0x4960672d);
        assert_eq!(r.i32("version").unwrap(), 6);
        assert_eq!(r.utf("name").unwrap(), "hi");
        assert!(r.is_empty());
        let err = r.u8("more").unwrap_err();
        assert_eq!(err.offset, 112);
        assert!(err.expected.contains("more"));
    }

    #[test]
    fn hostile_counts_are_rejected_before_allocation() {
        let data = [0x7f, 0xff, 0xff, 0xff, 1, 2, 3];
        let mut r = DataReader::new(&data);
        let err = r.count("number of states", 1).unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(err.expected.contains("at most 3"));
        let mut r = DataReader::new(&[0xff, 0xff, 0xff, 0xff]);
        assert!(
            r.length("length")
                .unwrap_err()
                .expected
                .contains("non-negative")
        );
    }

    #[test]
    fn modified_utf8_and_flink_strings() {
        assert_eq!(decode_modified_utf8(&[0x61, 0xc0, 0x80]).unwrap(), "a\0");
        // "k0" as a Flink StringValue (length+1 = 3).
        let mut r = DataReader::new(&[0x03, 0x6b, 0x30]);
        assert_eq!(r.flink_string("s").unwrap().as_deref(), Some("k0"));
        let mut r = DataReader::new(&[0x00]);
        assert_eq!(r.flink_string("s").unwrap(), None);
    }

    /// The fast path changes no result: for every byte between two letters (and for none), the
    /// decoding equals the full decoder's, and the bytes 1..=0x7F come back unchanged.
    #[test]
    fn fast_path_agrees_with_the_full_decoder() {
        for b in 0..=255u8 {
            let raw = [b'x', b, b'y'];
            let full = cesu8::from_java_cesu8(&raw).ok();
            assert_eq!(decode_modified_utf8(&raw), full, "byte {b:#x}");
            if (1..0x80).contains(&b) {
                assert_eq!(decode_modified_utf8(&raw).unwrap().as_bytes(), raw);
            }
        }
        assert_eq!(decode_modified_utf8(&[]).unwrap(), "");
    }
}
