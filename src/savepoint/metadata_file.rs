//! A local `_metadata` read as a stream through a small window instead of whole: a wide
//! savepoint's file is tens of MB, almost all of it inline state whose key-group data no
//! analysis reads. The structure is decoded as it streams past; of the inline bytes only what
//! a later reader asks for first (a state header, operator state) is kept; the rest is skipped
//! in the file and read again on demand (positioned reads of the same open file). Fresh memory
//! costs more than reading here: the file's pages are copied once into a reused window.

use std::borrow::Cow;
use std::cell::Cell;
use std::fs::File;
use std::io;

use super::handles::ByteRange;
use crate::files::read_at;
use crate::javaio::data_input::{
    DecodeError, DecodeResult, decode_modified_utf8, invalid_modified_utf8,
};
use crate::javaio::input::JavaInput;

/// The most bytes one refill makes contiguous: more than any single field needs (a modified
/// UTF-8 string is at most 64 KiB).
const MOST: usize = 128 << 10;

/// Bytes read per refill. With [`MOST`] the window is 256 KiB, small enough to stay in cache:
/// on this project's benchmark a window this size read on the decoding thread beat a 1 MiB
/// window filled ahead by a second thread (the kernel's copy into buffers that the other core
/// then reads cost more than the overlap saved).
const CHUNK: usize = 128 << 10;

/// Inline bytes kept from the stream, in file order.
#[derive(Debug, Default)]
pub struct KeptBytes {
    arena: Vec<u8>,
    runs: Vec<KeptRun>,
}

#[derive(Debug, Clone, Copy)]
struct KeptRun {
    /// Where the range starts in `_metadata`.
    offset: u64,
    /// Where its first `kept` bytes sit in the arena.
    at: usize,
    kept: usize,
}

impl KeptBytes {
    /// The kept prefix of `range` (all of it, part of it, or nothing).
    pub fn prefix(&self, range: ByteRange) -> &[u8] {
        let Some(i) = self.run_at(range.offset) else {
            return &[];
        };
        let run = self.runs[i];
        let kept = usize::try_from(range.len).map_or(run.kept, |n| n.min(run.kept));
        &self.arena[run.at..run.at + kept]
    }

    /// The run starting at `offset`. A thread summarising an operator asks for its subtasks'
    /// headers in file order, so the run it found last, or one just after it, is almost always
    /// the one asked for next; a binary search over tens of thousands of runs missed the cache
    /// at every step and was a fifth of the summaries' time on a wide savepoint.
    fn run_at(&self, offset: u64) -> Option<usize> {
        thread_local! {
            static LAST_FOUND: Cell<usize> = const { Cell::new(0) };
        }
        LAST_FOUND.with(|last| {
            let from = last.get().min(self.runs.len());
            let near = &self.runs[from..self.runs.len().min(from + 4)];
            let found = match near.iter().position(|r| r.offset == offset) {
                Some(i) => Some(from + i),
                None => self.runs.binary_search_by_key(&offset, |r| r.offset).ok(),
            };
            if let Some(i) = found {
                last.set(i);
            }
            found
        })
    }

    fn record(&mut self, offset: u64, at: usize, kept: usize) {
        self.runs.push(KeptRun { offset, at, kept });
    }

    /// Bytes held.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.arena.len()
    }
}

/// The bytes of a `_metadata` that later readers look at: the whole file (read from an object
/// store), or an opened local file with what its streamed parse kept.
pub enum MetadataBytes {
    Whole(Vec<u8>),
    Streamed { file: File, kept: KeptBytes },
}

impl MetadataBytes {
    /// The start of `range`: all of it when it is at hand, else a kept prefix when
    /// `kept_will_do` (a header usually ends inside the prefix kept for it), else its first
    /// `limit` bytes read from the file.
    pub fn prefix(
        &self,
        range: ByteRange,
        limit: u64,
        kept_will_do: bool,
    ) -> io::Result<Cow<'_, [u8]>> {
        let start = usize::try_from(range.offset).unwrap_or(usize::MAX);
        let len = usize::try_from(range.len).unwrap_or(usize::MAX);
        match self {
            MetadataBytes::Whole(bytes) => Ok(Cow::Borrowed(
                bytes.get(start..start.saturating_add(len)).unwrap_or(&[]),
            )),
            MetadataBytes::Streamed { file, kept } => {
                let held = kept.prefix(range);
                if held.len() == len || (kept_will_do && !held.is_empty()) {
                    return Ok(Cow::Borrowed(held));
                }
                crate::files::read_range(file, range.offset, range.len.min(limit)).map(Cow::Owned)
            }
        }
    }

    /// All of `range` (empty where the file no longer holds it).
    pub fn range(&self, range: ByteRange) -> Cow<'_, [u8]> {
        self.prefix(range, range.len, false)
            .unwrap_or(Cow::Borrowed(&[]))
    }
}

/// The streaming reader over an opened `_metadata`.
pub struct MetadataFileReader<'f> {
    file: &'f File,
    /// The file's size when it was opened: the input ends there.
    len: u64,
    /// `window[..end]` holds the file's bytes from `window_start` on (allocated once).
    window: Vec<u8>,
    end: usize,
    /// File offset of `window[0]`.
    window_start: u64,
    /// Next byte within `window`.
    pos: usize,
    /// The most bytes one `fill` makes contiguous.
    most: usize,
    /// Bytes one refill reads (at least).
    chunk: usize,
    kept: KeptBytes,
    /// Keep the bytes of every string read with [`JavaInput::utf_bytes_at`] (inline handle
    /// names), for a report that lists them all.
    keep_names: bool,
    /// The prefix [`JavaInput::retain`] kept last (names kept in between do not count).
    last_prefix: Option<KeptRun>,
    /// The first failed read: decoding stops with an end-of-input error, and the caller
    /// reports this instead.
    failed: Option<io::Error>,
}

impl<'f> MetadataFileReader<'f> {
    /// A reader of the first `len` bytes of `file`.
    pub fn new(file: &'f File, len: u64) -> Self {
        Self::reading_by(file, len, CHUNK)
    }

    /// A reader that refills `chunk` bytes at a time (tests and the fuzz target: small pieces
    /// make fields straddle refills often); what it decodes does not depend on `chunk`.
    pub fn reading_by(file: &'f File, len: u64, chunk: usize) -> Self {
        let chunk = chunk.max(1);
        let size = (MOST + chunk).min(usize::try_from(len).unwrap_or(usize::MAX));
        MetadataFileReader {
            file,
            len,
            window: vec![0; size],
            end: 0,
            window_start: 0,
            pos: 0,
            most: MOST.min(size),
            chunk,
            kept: KeptBytes::default(),
            keep_names: false,
            last_prefix: None,
            failed: None,
        }
    }

    /// Also keeps every inline handle's name (read again one by one, a wide savepoint's
    /// tens of thousands of names would cost a read each).
    pub fn keeping_handle_names(mut self) -> Self {
        self.keep_names = true;
        self
    }

    /// The kept bytes, and the read error that cut decoding short, if any.
    pub fn finish(self) -> (KeptBytes, Option<io::Error>) {
        (self.kept, self.failed)
    }

    fn available(&self) -> usize {
        self.end - self.pos
    }

    /// Makes at least `n` (at most [`Self::most`]) bytes available at `pos`; false at the end
    /// of the input or on a read error.
    fn fill(&mut self, n: usize) -> bool {
        if self.available() >= n {
            return true;
        }
        if n > self.most || (n as u64) > self.len.saturating_sub(self.offset()) {
            return false;
        }
        // Move what is left to the front, then read after it.
        self.window.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.window_start += self.pos as u64;
        self.pos = 0;
        // At least a chunk, and all that `n` asks for (`n <= most`, so it fits).
        let want = usize::try_from(self.len - self.window_start)
            .unwrap_or(usize::MAX)
            .min(self.window.len())
            .min(self.end + self.chunk.max(n - self.end));
        while self.end < n {
            let at = self.window_start + self.end as u64;
            match read_at(self.file, &mut self.window[self.end..want], at) {
                // The file shrank since it was measured.
                Ok(0) => return false,
                Ok(got) => self.end += got,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.failed.get_or_insert(e);
                    return false;
                }
            }
        }
        true
    }

    fn end_of_input(&self, n: usize, what: &str) -> DecodeError {
        crate::javaio::input::end_of_input(self.offset(), n, what, self.remaining())
    }

    /// Moves `n` bytes on without reading them.
    fn advance(&mut self, n: usize) {
        if n <= self.available() {
            self.pos += n;
        } else {
            self.window_start = self.offset() + n as u64;
            self.end = 0;
            self.pos = 0;
        }
    }
}

impl JavaInput for MetadataFileReader<'_> {
    fn offset(&self) -> u64 {
        self.window_start.wrapping_add(self.pos as u64)
    }

    fn remaining(&self) -> usize {
        usize::try_from(self.len.saturating_sub(self.offset())).unwrap_or(usize::MAX)
    }

    #[inline]
    fn bytes(&mut self, n: usize, what: &str) -> DecodeResult<&[u8]> {
        if !self.fill(n) {
            return Err(self.end_of_input(n, what));
        }
        let out = &self.window[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn retain(&mut self, n: usize, keep: usize, what: &str) -> DecodeResult<u64> {
        let start = self.offset();
        if n > self.remaining() {
            return Err(self.end_of_input(n, what));
        }
        let keep = keep.min(n);
        if keep > 0 && keep <= self.most {
            // Every subtask of an operator writes the same state header: a prefix equal to the
            // one kept just before shares its bytes.
            if !self.fill(keep) {
                return Err(self.end_of_input(n, what));
            }
            let bytes = &self.window[self.pos..self.pos + keep];
            let at = match self.last_prefix {
                Some(last)
                    if last.kept == keep && self.kept.arena[last.at..last.at + keep] == *bytes =>
                {
                    last.at
                }
                _ => {
                    let at = self.kept.arena.len();
                    self.kept.arena.extend_from_slice(bytes);
                    at
                }
            };
            self.pos += keep;
            self.kept.record(start, at, keep);
            self.last_prefix = self.kept.runs.last().copied();
        } else if keep > 0 {
            let at = self.kept.arena.len();
            let mut left = keep;
            while left > 0 {
                let run = left.min(self.most);
                if !self.fill(run) {
                    self.kept.arena.truncate(at);
                    return Err(self.end_of_input(n, what));
                }
                self.kept
                    .arena
                    .extend_from_slice(&self.window[self.pos..self.pos + run]);
                self.pos += run;
                left -= run;
            }
            self.kept.record(start, at, keep);
            self.last_prefix = self.kept.runs.last().copied();
        }
        self.advance(n - keep);
        Ok(start)
    }

    fn utf_bytes_at(&mut self, what: &str) -> DecodeResult<(u64, usize)> {
        let at = self.offset();
        let b = self.bytes(2, what)?;
        let n = usize::from(u16::from_be_bytes([b[0], b[1]]));
        // At most 64 KiB, within what one refill makes contiguous.
        if !self.fill(n) {
            return Err(self.end_of_input(n, what));
        }
        let start = self.offset();
        let raw = &self.window[self.pos..self.pos + n];
        if decode_modified_utf8(raw).is_none() {
            return Err(invalid_modified_utf8(at, what));
        }
        if self.keep_names && n > 0 {
            let kept_at = self.kept.arena.len();
            self.kept.arena.extend_from_slice(raw);
            self.kept.record(start, kept_at, n);
        }
        self.pos += n;
        Ok((start, n))
    }

    fn scan(&mut self, n: usize, what: &str, visit: &mut dyn FnMut(&[u8])) -> DecodeResult<()> {
        if n > self.remaining() {
            return Err(self.end_of_input(n, what));
        }
        let mut left = n;
        while left > 0 {
            // Whole words per run: `most` is a multiple of eight, or the window holds all that
            // is left.
            let run = left.min(self.most & !7).max(left.min(8));
            if !self.fill(run) {
                return Err(self.end_of_input(left, what));
            }
            visit(&self.window[self.pos..self.pos + run]);
            self.pos += run;
            left -= run;
        }
        Ok(())
    }

    fn peek4(&mut self) -> Option<[u8; 4]> {
        if !self.fill(4) {
            return None;
        }
        let b = &self.window[self.pos..self.pos + 4];
        Some([b[0], b[1], b[2], b[3]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::javaio::data_input::DataReader;
    use std::io::Write;

    fn file_of(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    #[test]
    fn reads_fields_across_window_refills_like_the_in_memory_reader() {
        // Strings of 60 KiB each, so that fields straddle refills many times.
        let mut bytes = Vec::new();
        for i in 0..40u32 {
            let s = "x".repeat(60_000 + i as usize);
            bytes.extend_from_slice(&(s.len() as u16).to_be_bytes());
            bytes.extend_from_slice(s.as_bytes());
            bytes.extend_from_slice(&i64::from(i).to_be_bytes());
        }
        let file = file_of(&bytes);
        let len = bytes.len() as u64;
        for mut streamed in [
            MetadataFileReader::new(&file, len),
            MetadataFileReader::reading_by(&file, len, 100_000),
        ] {
            same_fields_as_in_memory(&mut streamed, &bytes);
        }
    }

    fn same_fields_as_in_memory(streamed: &mut MetadataFileReader<'_>, bytes: &[u8]) {
        let mut in_memory = DataReader::new(bytes);
        for _ in 0..40 {
            assert_eq!(
                streamed.utf("s").unwrap(),
                JavaInput::utf(&mut in_memory, "s").unwrap()
            );
            assert_eq!(streamed.offset(), JavaInput::offset(&in_memory));
            assert_eq!(
                streamed.i64("n").unwrap(),
                JavaInput::i64(&mut in_memory, "n").unwrap()
            );
        }
        assert!(JavaInput::is_empty(streamed));
        let e = streamed.i32("past the end").unwrap_err();
        assert_eq!(
            e,
            JavaInput::i32(&mut in_memory, "past the end").unwrap_err()
        );
    }

    #[test]
    fn retained_prefixes_are_kept_and_the_rest_is_skipped() {
        let mut bytes = vec![7u8; 10];
        bytes.extend((0..3_000_000u32).map(|i| (i % 251) as u8));
        bytes.extend_from_slice(&42i32.to_be_bytes());
        let file = file_of(&bytes);
        let mut r = MetadataFileReader::new(&file, bytes.len() as u64);
        r.skip(10, "head").unwrap();
        let at = r.retain(3_000_000, 1000, "inline").unwrap();
        assert_eq!(at, 10);
        assert_eq!(r.i32("tail").unwrap(), 42);
        let (kept, failed) = r.finish();
        assert!(failed.is_none());
        assert_eq!(kept.held(), 1000);
        let range = ByteRange {
            offset: 10,
            len: 3_000_000,
        };
        assert_eq!(kept.prefix(range), &bytes[10..1010]);
        assert!(kept.prefix(ByteRange { offset: 11, len: 5 }).is_empty());
    }

    #[test]
    fn kept_prefixes_are_found_in_any_order_of_lookups() {
        // 500 kept runs of 7 bytes, each 100 bytes apart; lookups in file order, backwards,
        // repeated and strided must all find their own run (the in-order hint is only a hint).
        let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
        let file = file_of(&bytes);
        let mut r = MetadataFileReader::new(&file, bytes.len() as u64);
        for _ in 0..500 {
            r.retain(100, 7, "inline").unwrap();
        }
        let (kept, failed) = r.finish();
        assert!(failed.is_none());
        let order = (0..500u64)
            .chain((0..500).rev())
            .chain([3, 3, 3, 499, 0])
            .chain((0..500).step_by(37));
        for run in order {
            let offset = run * 100;
            let range = ByteRange { offset, len: 100 };
            assert_eq!(
                kept.prefix(range),
                &bytes[offset as usize..][..7],
                "run {run}"
            );
            let between = ByteRange {
                offset: offset + 1,
                len: 5,
            };
            assert!(
                kept.prefix(between).is_empty(),
                "no run starts at {}",
                offset + 1
            );
        }
    }

    #[test]
    fn a_length_past_the_end_is_an_error_at_its_offset() {
        let bytes = [0u8, 0, 0, 9, 1, 2];
        let file = file_of(&bytes);
        let mut r = MetadataFileReader::new(&file, bytes.len() as u64);
        let e = r.length("inline state length").unwrap_err();
        let mut m = DataReader::new(&bytes);
        assert_eq!(e, m.length("inline state length").unwrap_err());
        assert_eq!(e.offset, 0);
    }
}

#[cfg(test)]
#[path = "metadata_file_agreement.rs"]
mod agreement;
