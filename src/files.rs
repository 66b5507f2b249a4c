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

/// Reads bytes `start..start + len` of `file` (fewer at its end) with positioned reads; the
/// buffer grows with what is actually read, never with `len` alone.
pub fn read_range(file: &File, start: u64, len: u64) -> io::Result<Vec<u8>> {
    const CHUNK: usize = 256 * 1024;
    let mut out = Vec::new();
    let mut pos = start;
    let end = start.saturating_add(len);
    while pos < end {
        let want = usize::try_from((end - pos).min(CHUNK as u64)).unwrap_or(CHUNK);
        let old = out.len();
        out.resize(old + want, 0);
        let n = read_at(file, &mut out[old..], pos)?;
        out.truncate(old + n);
        if n == 0 {
            break;
        }
        pos += n as u64;
    }
    Ok(out)
}

fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    loop {
        #[cfg(unix)]
        let r = std::os::unix::fs::FileExt::read_at(file, buf, offset);
        #[cfg(windows)]
        let r = std::os::windows::fs::FileExt::seek_read(file, buf, offset);
        match r {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

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
