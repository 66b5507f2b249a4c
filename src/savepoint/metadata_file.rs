//! A local `_metadata` read as a stream through a small window instead of whole: a wide
//! savepoint's file is tens of MB, almost all of it inline state whose key-group data no
//! analysis reads. The structure is decoded as it streams past; of the inline bytes only what
//! a later reader asks for first (a state header, operator state) is kept; the rest is skipped
//! in the file and read again on demand (positioned reads of the same open file). Fresh memory
//! costs more than reading here: the file's pages are copied once into a reused window.

use std::borrow::Cow;
use std::fs::File;
use std::io;

use super::handles::ByteRange;
use crate::javaio::data_input::{DecodeError, DecodeResult};
use crate::javaio::input::JavaInput;

/// The window: large enough for any single field (a modified UTF-8 string is at most 64 KiB),
/// small enough to stay in cache.
const WINDOW: usize = 1 << 20;

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
        let Ok(i) = self.runs.binary_search_by_key(&range.offset, |r| r.offset) else {
            return &[];
        };
        let run = self.runs[i];
        let kept = usize::try_from(range.len).map_or(run.kept, |n| n.min(run.kept));
        &self.arena[run.at..run.at + kept]
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
    /// Allocated once; `window[..end]` holds the file's bytes from `window_start` on.
    window: Box<[u8]>,
    end: usize,
    /// File offset of `window[0]`.
    window_start: u64,
    /// Next byte within `window`.
    pos: usize,
    kept: KeptBytes,
    /// The first failed read: decoding stops with an end-of-input error, and the caller
    /// reports this instead.
    failed: Option<io::Error>,
}

impl<'f> MetadataFileReader<'f> {
    pub fn new(file: &'f File, len: u64) -> Self {
        MetadataFileReader {
            file,
            len,
            window: vec![0; WINDOW.min(usize::try_from(len).unwrap_or(WINDOW))].into_boxed_slice(),
            end: 0,
            window_start: 0,
            pos: 0,
            kept: KeptBytes::default(),
            failed: None,
        }
    }

    /// The kept bytes, and the read error that cut decoding short, if any.
    pub fn finish(self) -> (KeptBytes, Option<io::Error>) {
        (self.kept, self.failed)
    }

    fn available(&self) -> usize {
        self.end - self.pos
    }

    /// Makes at least `n` (at most [`WINDOW`]) bytes available at `pos`; false at the end of
    /// the input or on a read error.
    fn fill(&mut self, n: usize) -> bool {
        if self.available() >= n {
            return true;
        }
        if n > self.window.len() || (n as u64) > self.len.saturating_sub(self.offset()) {
            return false;
        }
        // Move what is left to the front, then read after it.
        self.window.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.window_start += self.pos as u64;
        self.pos = 0;
        let want = usize::try_from(self.len - self.window_start)
            .unwrap_or(usize::MAX)
            .min(self.window.len());
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
        self.window_start + self.pos as u64
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
        if keep > 0 && keep <= self.window.len() {
            // Every subtask of an operator writes the same state header: a prefix equal to the
            // one kept just before shares its bytes.
            if !self.fill(keep) {
                return Err(self.end_of_input(n, what));
            }
            let bytes = &self.window[self.pos..self.pos + keep];
            let at = match self.kept.runs.last() {
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
        } else if keep > 0 {
            let at = self.kept.arena.len();
            let mut left = keep;
            while left > 0 {
                let run = left.min(self.window.len());
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
        }
        self.advance(n - keep);
        Ok(start)
    }

    fn scan(&mut self, n: usize, what: &str, visit: &mut dyn FnMut(&[u8])) -> DecodeResult<()> {
        if n > self.remaining() {
            return Err(self.end_of_input(n, what));
        }
        let mut left = n;
        while left > 0 {
            // Whole words per run: the window is a multiple of eight, or holds all that is left.
            let run = left.min(self.window.len() & !7).max(left.min(8));
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

/// A positioned read (the file's cursor is never moved, so nothing else depends on it).
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
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
        // Strings of 60 KiB each, so that fields straddle the 1 MiB window many times.
        let mut bytes = Vec::new();
        for i in 0..40u32 {
            let s = "x".repeat(60_000 + i as usize);
            bytes.extend_from_slice(&(s.len() as u16).to_be_bytes());
            bytes.extend_from_slice(s.as_bytes());
            bytes.extend_from_slice(&i64::from(i).to_be_bytes());
        }
        let file = file_of(&bytes);
        let mut streamed = MetadataFileReader::new(&file, bytes.len() as u64);
        let mut in_memory = DataReader::new(&bytes);
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
        assert!(JavaInput::is_empty(&streamed));
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
mod agreement {
    use super::*;
    use crate::javaio::data_input::DataReader;
    use crate::savepoint::metadata::read_metadata;
    use std::io::Write;
    use std::path::Path;

    /// The streamed parse must say exactly what the in-memory one says, on every real fixture
    /// and on cut and corrupted copies of them (the same metadata, or the same error at the
    /// same offset).
    #[test]
    fn streamed_and_in_memory_parses_agree_on_real_fixtures_and_corruptions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/savepoints");
        let mut compared = 0;
        let mut failed_alike = 0;
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_name() != "_metadata" {
                continue;
            }
            let original = std::fs::read(entry.path()).unwrap();
            let n = original.len();
            let mut variants = vec![original.clone()];
            for cut in [37, n / 3, n / 2, n.saturating_sub(1)] {
                variants.push(original[..cut.min(n)].to_vec());
            }
            for k in 1..8 {
                let mut flipped = original.clone();
                flipped[n * k / 8] ^= 0xFF;
                variants.push(flipped);
            }
            for bytes in variants {
                let mut file = tempfile::tempfile().unwrap();
                file.write_all(&bytes).unwrap();
                let in_memory = read_metadata(&mut DataReader::new(&bytes));
                let mut reader = MetadataFileReader::new(&file, bytes.len() as u64);
                let streamed = read_metadata(&mut reader);
                assert_eq!(
                    format!("{in_memory:?}"),
                    format!("{streamed:?}"),
                    "{} ({} bytes)",
                    entry.path().display(),
                    bytes.len()
                );
                let (kept, read_error) = reader.finish();
                assert!(read_error.is_none());
                if let Ok(md) = streamed {
                    // Whatever was kept is the file's bytes, and the rest reads back the same.
                    let whole = MetadataBytes::Whole(bytes.clone());
                    let streamed = MetadataBytes::Streamed { file, kept };
                    for range in md.trailer.iter().copied().chain(inline_ranges(&md)) {
                        assert_eq!(whole.range(range), streamed.range(range));
                        let first = streamed.prefix(range, 64 << 10, true).unwrap();
                        assert!(whole.range(range).starts_with(&first));
                    }
                } else {
                    failed_alike += 1;
                }
                compared += 1;
            }
        }
        assert!(compared >= 30 * 12, "only {compared} inputs compared");
        assert!(failed_alike > 0, "no corrupted copy failed");
    }

    /// The inline ranges of the managed keyed and operator state of every subtask.
    fn inline_ranges(md: &crate::savepoint::metadata::Metadata) -> Vec<ByteRange> {
        use crate::savepoint::handles::StreamHandle;
        fn inline(h: &StreamHandle, out: &mut Vec<ByteRange>) {
            match h {
                StreamHandle::Inline { data, .. } => out.push(*data),
                StreamHandle::KeyGroups(g) => {
                    if let Some(d) = &g.delegate {
                        inline(d, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        for op in &md.operators {
            if let Some(h) = &op.coordinator_state {
                inline(h, &mut out);
            }
            for s in &op.subtasks {
                if let Some(h) = s
                    .managed_keyed_state
                    .as_deref()
                    .and_then(|k| k.header_stream())
                {
                    inline(h, &mut out);
                }
                if let Some(d) = s
                    .managed_operator_state
                    .as_ref()
                    .and_then(|o| o.delegate.as_ref())
                {
                    inline(d, &mut out);
                }
            }
        }
        out
    }
}
