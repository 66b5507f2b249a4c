//! Opening and reading input files safely: open first and check what was opened (a FIFO or
//! device never blocks or feeds a reader), read with bounded positioned reads (never mapped, so
//! a file that shrinks underneath is an error, not a crash), allocate by what was read.

use std::fs::File;
use std::io;
use std::path::Path;

/// A file opened for reading, checked to be a regular file.
pub struct OpenedFile {
    pub file: File,
    pub len: u64,
}

/// Why a file could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// Not there (or a dangling link).
    Missing,
    /// There, but not a regular file (directory, FIFO, socket, device).
    NotRegular,
    Io(io::Error),
}

impl From<OpenError> for io::Error {
    fn from(e: OpenError) -> io::Error {
        match e {
            OpenError::Missing => io::ErrorKind::NotFound.into(),
            OpenError::NotRegular => io::Error::other("not a regular file"),
            OpenError::Io(e) => e,
        }
    }
}

/// Opens `path` for reading without blocking on FIFOs, and checks that what was opened is a
/// regular file. With `follow_links == false` a link as the last component is refused.
pub fn open_regular(path: &Path, follow_links: bool) -> Result<OpenedFile, OpenError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC;
        if !follow_links {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => OpenError::Missing,
        _ if is_link_refusal(&e) => OpenError::NotRegular,
        _ => OpenError::Io(e),
    })?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular);
    }
    Ok(OpenedFile {
        len: meta.len(),
        file,
    })
}

/// `O_NOFOLLOW` on a link fails with `ELOOP`.
fn is_link_refusal(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// Reads bytes `start..start + len` of `file` (fewer at its end). The buffer is reserved once
/// from the opened file's own size (never from `len` alone, which may come from a handle in the
/// input), and filled without zeroing it first: a large `_metadata` is read in one pass.
pub fn read_range(file: &File, start: u64, len: u64) -> io::Result<Vec<u8>> {
    let present = file.metadata()?.len().saturating_sub(start).min(len);
    let mut out = Vec::with_capacity(usize::try_from(present).unwrap_or(0));
    back_with_huge_pages(&mut out);
    let filled = fill_in_parallel(file, start, present, &mut out)? as u64;
    let (mut at, mut left) = (start + filled, len - filled);
    // The rest by positioned reads (threads share the opened `_metadata`, so a seek and a read
    // of one could interleave with another's): all of a small range, or what is left when the
    // file shrank or grew since it was measured.
    while left > 0 {
        let old = out.len();
        let want = usize::try_from(left.min(READ_PIECE)).unwrap_or(0);
        out.resize(old + want, 0);
        match read_at(file, &mut out[old..], at) {
            Ok(n) => {
                out.truncate(old + n);
                if n == 0 {
                    break;
                }
                at += n as u64;
                left -= n as u64;
            }
            Err(e) => {
                out.truncate(old);
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
    Ok(out)
}

/// The most bytes one positioned read of [`read_range`] asks for past what it measured.
const READ_PIECE: u64 = 1 << 20;

/// Reads at `offset` without moving (or using) the file's cursor.
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

/// Below this, one thread reads faster than two start.
#[cfg(unix)]
const PARALLEL_READ_MIN: usize = 16 << 20;

/// Fills the first `present` bytes of `out`'s spare capacity from `start` on with positioned
/// reads on two threads (the copy from the page cache and the zeroing of fresh pages are most
/// of the time a large `_metadata` takes to read, and both scale with cores). Returns how many
/// bytes were filled: `present`, or fewer when the file shrank (the caller reads on and finds
/// the end), or 0 when that is too little to be worth it.
#[cfg(unix)]
fn fill_in_parallel(file: &File, start: u64, present: u64, out: &mut Vec<u8>) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    // Never more than asked for: the allocator may round the capacity up.
    let total = usize::try_from(present)
        .unwrap_or(usize::MAX)
        .min(out.capacity() - out.len());
    if total < PARALLEL_READ_MIN || !out.is_empty() {
        return Ok(0);
    }
    let half = total / 2;
    let base = out.spare_capacity_mut().as_mut_ptr() as usize;
    let fd = file.as_raw_fd();
    // Reads `len` bytes at `offset` into `base + at`; returns the count read (short at EOF).
    let fill = move |at: usize, len: usize| -> io::Result<usize> {
        let mut done = 0;
        while done < len {
            let offset = libc::off_t::try_from(start + (at + done) as u64)
                .map_err(|_| io::Error::other("offset out of range"))?;
            // SAFETY: `base + at + done .. base + at + len` lies inside `out`'s spare capacity,
            // and the two calls of `fill` write disjoint halves of it; `out` is neither read nor
            // reallocated until both have returned. pread writes at most `len - done` bytes.
            let n = unsafe {
                libc::pread(
                    fd,
                    (base + at + done) as *mut libc::c_void,
                    len - done,
                    offset,
                )
            };
            match n {
                0 => break,
                n if n > 0 => done += n as usize,
                _ => {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
            }
        }
        Ok(done)
    };
    let (first, second) = std::thread::scope(|scope| {
        // Where no thread can be started, this one reads both halves.
        match std::thread::Builder::new().spawn_scoped(scope, move || fill(half, total - half)) {
            Ok(second) => {
                let first = fill(0, half);
                (first, second.join())
            }
            Err(_) => (fill(0, half), Ok(fill(half, total - half))),
        }
    });
    let first = first?;
    let second = second.map_err(|_| io::Error::other("a reader thread panicked"))??;
    // Only a full first half makes the second half's bytes contiguous with it.
    let filled = if first == half { half + second } else { first };
    // SAFETY: the first `filled` bytes of the spare capacity were written by pread above.
    unsafe { out.set_len(filled) };
    Ok(filled)
}

#[cfg(not(unix))]
fn fill_in_parallel(
    _file: &File,
    _start: u64,
    _present: u64,
    _out: &mut Vec<u8>,
) -> io::Result<usize> {
    Ok(0)
}

/// Asks the kernel to back a large, still-untouched buffer with transparent huge pages: filling
/// a 100 MB `_metadata` buffer page by page otherwise costs more than reading the file.
#[cfg(target_os = "linux")]
fn back_with_huge_pages(buf: &mut Vec<u8>) {
    const PAGE: usize = 4096;
    const WORTH_IT: usize = 8 << 20;
    let spare = buf.spare_capacity_mut();
    if spare.len() < WORTH_IT {
        return;
    }
    let start = spare.as_mut_ptr() as usize;
    let aligned = start.next_multiple_of(PAGE);
    let len = (start + spare.len() - aligned) / PAGE * PAGE;
    // SAFETY: `aligned..aligned + len` lies inside this Vec's own allocation, which nothing else
    // references. MADV_HUGEPAGE changes only how the kernel backs the pages, never their
    // contents or whether they may be accessed; failure (e.g. THP disabled) is harmless.
    unsafe {
        libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn back_with_huge_pages(_buf: &mut Vec<u8>) {}

/// Reads a whole regular file of at most `max` bytes.
pub fn read_regular_file(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let opened = open_regular(path, true)?;
    if opened.len > max {
        return Err(io::Error::other(format!(
            "{} bytes, more than the {max} this input can have",
            opened.len
        )));
    }
    read_range(&opened.file, 0, opened.len)
}

/// Writes `bytes` to `path` by writing a new file beside it and renaming it over `path`: a
/// reader never sees half a file, and a link at `path` is replaced, not followed. Refuses a
/// `path` inside any of `protected` (e.g. the savepoint that was read) or equal to one of them.
pub fn write_replacing(path: &Path, bytes: &[u8], protected: &[&Path]) -> io::Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the output path names no file"))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let canonical_parent = std::fs::canonicalize(&parent)?;
    let target = canonical_parent.join(name);
    for p in protected {
        let Ok(canonical) = std::fs::canonicalize(p) else {
            continue;
        };
        if target == canonical || target.starts_with(&canonical) {
            return Err(io::Error::other(format!(
                "refusing to write into {}, which is an input of this command",
                p.display()
            )));
        }
    }
    let temp = canonical_parent.join(format!(
        ".{}.spcompat-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Threads summarising a wide savepoint read small ranges of the one opened `_metadata` at
    /// once: each gets its own bytes (a seek then a read of a shared file handed some threads
    /// another's range, and `inspect --all-handles` listed wrong key-group offsets).
    #[test]
    fn small_reads_of_a_shared_file_from_many_threads_return_their_own_range() {
        let bytes: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, &bytes).unwrap();
        let file = &file;
        std::thread::scope(|scope| {
            for t in 0..4u64 {
                let bytes = &bytes;
                scope.spawn(move || {
                    for i in 0..2_000u64 {
                        let start = (i * 4_099 + t * 131_071) % (1 << 20);
                        let got = read_range(file, start, 100).unwrap();
                        let end = (start as usize + 100).min(bytes.len());
                        assert_eq!(got, bytes[start as usize..end], "thread {t}, read {i}");
                    }
                });
            }
        });
    }

    /// Large enough for the two-thread read: the bytes come back exactly, a range stops at its
    /// end even where the allocator rounds the buffer up, and a range past the end is short.
    #[test]
    fn large_reads_return_exactly_the_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let bytes: Vec<u8> = (0..40u32 << 20).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let file = File::open(&path).unwrap();
        assert_eq!(read_range(&file, 0, bytes.len() as u64).unwrap(), bytes);
        let (start, len) = (3 << 20, (20 << 20) + 7);
        assert_eq!(
            read_range(&file, start as u64, len as u64).unwrap(),
            &bytes[start..start + len]
        );
        let tail = read_range(&file, (30 << 20) as u64, 20 << 20).unwrap();
        assert_eq!(tail, &bytes[30 << 20..]);
    }
}
