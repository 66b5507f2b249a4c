//! What a sequential decoder of `DataOutput` bytes needs from its input, whether the bytes are
//! all in memory ([`DataReader`]) or streamed from a file through a small window (the
//! `_metadata` reader of `savepoint`). The field decoders are written once, here, on top of a
//! few primitives, so both inputs report the same errors at the same offsets.

use super::data_input::{
    DataReader, DecodeError, DecodeResult, decode_modified_utf8, invalid_modified_utf8,
};

pub trait JavaInput {
    /// Absolute offset of the next byte.
    fn offset(&self) -> u64;

    /// Bytes left before the end of the input.
    fn remaining(&self) -> usize;

    /// The next `n` bytes, consumed; `n` is small (a field, a modified UTF-8 string).
    fn bytes(&mut self, n: usize, what: &str) -> DecodeResult<&[u8]>;

    /// Consumes `n` bytes that a later reader may look at again: the input keeps (at least)
    /// the first `keep` of them at hand, the rest it may leave in the file. Returns the offset
    /// of the first byte.
    fn retain(&mut self, n: usize, keep: usize, what: &str) -> DecodeResult<u64>;

    /// Consumes `n` bytes, handing them to `visit` in runs whose lengths are multiples of
    /// eight except the last (so fixed-size words never straddle two runs).
    fn scan(&mut self, n: usize, what: &str, visit: &mut dyn FnMut(&[u8])) -> DecodeResult<()>;

    /// The next four bytes, not consumed.
    fn peek4(&mut self) -> Option<[u8; 4]>;

    fn error(&self, expected: impl Into<String>, found: impl Into<String>) -> DecodeError {
        DecodeError::new(self.offset(), expected, found)
    }

    fn error_at(
        &self,
        offset: u64,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> DecodeError {
        DecodeError::new(offset, expected, found)
    }

    fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Consumes `n` bytes nobody reads again.
    fn skip(&mut self, n: usize, what: &str) -> DecodeResult<()> {
        self.retain(n, 0, what).map(|_| ())
    }

    fn u8(&mut self, what: &str) -> DecodeResult<u8> {
        Ok(self.bytes(1, what)?[0])
    }

    fn bool(&mut self, what: &str) -> DecodeResult<bool> {
        Ok(self.u8(what)? != 0)
    }

    fn i32(&mut self, what: &str) -> DecodeResult<i32> {
        let b = self.bytes(4, what)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self, what: &str) -> DecodeResult<i64> {
        let mut out = [0u8; 8];
        out.copy_from_slice(self.bytes(8, what)?);
        Ok(i64::from_be_bytes(out))
    }

    fn bytes16(&mut self, what: &str) -> DecodeResult<[u8; 16]> {
        let mut out = [0u8; 16];
        out.copy_from_slice(self.bytes(16, what)?);
        Ok(out)
    }

    /// A non-negative i32 length that must fit in what is left of the input.
    fn length(&mut self, what: &str) -> DecodeResult<usize> {
        let at = self.offset();
        let n = self.i32(what)?;
        checked_length(at, n, self.remaining(), what)
    }

    /// A non-negative element count; each element takes at least `min_element_size` bytes, which
    /// bounds the count by the input left before any collection is sized from it.
    fn count(&mut self, what: &str, min_element_size: usize) -> DecodeResult<usize> {
        let at = self.offset();
        let n = self.i32(what)?;
        checked_count(at, n.into(), self.remaining(), what, min_element_size)
    }

    /// [`JavaInput::utf`] checked but not copied: the offset and length of the string's
    /// bytes, for a value seldom read (it is decoded later from the same bytes).
    fn utf_bytes_at(&mut self, what: &str) -> DecodeResult<(u64, usize)> {
        let at = self.offset();
        let b = self.bytes(2, what)?;
        let n = usize::from(u16::from_be_bytes([b[0], b[1]]));
        let raw = self.bytes(n, what)?;
        if decode_modified_utf8(raw).is_none() {
            return Err(invalid_modified_utf8(at, what));
        }
        Ok((at + 2, n))
    }

    /// Java `DataInput.readUTF`: u16 byte length, then modified UTF-8.
    fn utf(&mut self, what: &str) -> DecodeResult<String> {
        let at = self.offset();
        let b = self.bytes(2, what)?;
        let n = usize::from(u16::from_be_bytes([b[0], b[1]]));
        let raw = self.bytes(n, what)?;
        match decode_modified_utf8(raw) {
            Some(s) => Ok(s.into_owned()),
            None => Err(invalid_modified_utf8(at, what)),
        }
    }
}

/// The error of a read of `n` bytes with only `remaining` left, the same from every input.
#[cold]
#[inline(never)]
pub(crate) fn end_of_input(offset: u64, n: usize, what: &str, remaining: usize) -> DecodeError {
    DecodeError::new(
        offset,
        format!("{n} bytes of {what}"),
        format!("end of input after {remaining} bytes"),
    )
}

/// [`JavaInput::length`]'s check, shared with [`DataReader::length`].
pub(crate) fn checked_length(at: u64, n: i32, remaining: usize, what: &str) -> DecodeResult<usize> {
    if n < 0 {
        return Err(DecodeError::new(
            at,
            format!("non-negative {what}"),
            n.to_string(),
        ));
    }
    let n = n as usize;
    if n > remaining {
        return Err(DecodeError::new(
            at,
            format!("{what} of at most {remaining} (the bytes left)"),
            n.to_string(),
        ));
    }
    Ok(n)
}

/// [`JavaInput::count`]'s check, shared with [`DataReader::count`].
pub(crate) fn checked_count(
    at: u64,
    n: i64,
    remaining: usize,
    what: &str,
    min_element_size: usize,
) -> DecodeResult<usize> {
    if n < 0 {
        return Err(DecodeError::new(
            at,
            format!("non-negative {what}"),
            n.to_string(),
        ));
    }
    let n = n as usize;
    let limit = remaining / min_element_size.max(1);
    if n > limit {
        return Err(DecodeError::new(
            at,
            format!("{what} of at most {limit} (bounded by the {remaining} bytes left)"),
            n.to_string(),
        ));
    }
    Ok(n)
}

/// The in-memory input: everything is at hand already, so retaining is consuming.
impl JavaInput for DataReader<'_> {
    fn offset(&self) -> u64 {
        DataReader::offset(self)
    }

    fn remaining(&self) -> usize {
        DataReader::remaining(self)
    }

    #[inline]
    fn bytes(&mut self, n: usize, what: &str) -> DecodeResult<&[u8]> {
        self.take(n, what)
    }

    fn retain(&mut self, n: usize, _keep: usize, what: &str) -> DecodeResult<u64> {
        let at = DataReader::offset(self);
        self.take(n, what)?;
        Ok(at)
    }

    fn scan(&mut self, n: usize, what: &str, visit: &mut dyn FnMut(&[u8])) -> DecodeResult<()> {
        visit(self.take(n, what)?);
        Ok(())
    }

    fn peek4(&mut self) -> Option<[u8; 4]> {
        self.rest().get(..4).map(|b| [b[0], b[1], b[2], b[3]])
    }

    // The reader's own (inlined, hot) decoders, not the provided ones built on `bytes`.
    fn u8(&mut self, what: &str) -> DecodeResult<u8> {
        DataReader::u8(self, what)
    }

    fn i32(&mut self, what: &str) -> DecodeResult<i32> {
        DataReader::i32(self, what)
    }

    fn i64(&mut self, what: &str) -> DecodeResult<i64> {
        DataReader::i64(self, what)
    }

    fn utf(&mut self, what: &str) -> DecodeResult<String> {
        DataReader::utf(self, what)
    }
}
