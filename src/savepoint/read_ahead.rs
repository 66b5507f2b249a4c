//! Reading a large `_metadata` ahead of its decoder on a second thread: the kernel's copy of the
//! file's pages (about half the time a wide savepoint takes to decode) overlaps the decoding.
//! The thread reads the file in order into a small pool of buffers, which go to the decoder
//! through a bounded channel and come back to be filled again: memory stays bounded whatever
//! the file's size, and each buffer is owned by one thread at a time (no shared bytes).

use std::fs::File;
use std::io;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

/// Bytes kept free in front of each buffer's data: the decoder moves the unread end of the
/// previous buffer there, so that a field straddling two buffers is contiguous. At least the
/// largest single field (a modified UTF-8 string of 65,535 bytes) and the largest state-header
/// prefix kept in one piece (64 KiB).
pub(super) const HEADROOM: usize = 128 << 10;

/// Bytes of the file per buffer: each hand-over can cost the decoder a wait and a wake-up (on a
/// busy machine the two threads share a core), so buffers are large; three stay in cache.
pub(super) const CHUNK: usize = 1 << 20;

/// Buffers in flight (read, queued, or being decoded).
const POOL: usize = 3;

/// One buffer: `bytes[HEADROOM..HEADROOM + len]` are the file's bytes from `offset` on.
pub(super) struct Chunk {
    pub bytes: Vec<u8>,
    pub offset: u64,
    pub len: usize,
}

/// The decoder's end of the read-ahead thread.
pub(super) struct ReadAhead {
    /// `None` once the thread has stopped (end of file, shrunk file, or a read error).
    chunks: Option<Receiver<io::Result<Chunk>>>,
    free: Option<Sender<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl ReadAhead {
    /// Starts reading bytes `0..len` of `file` in pieces of `chunk` bytes; `None` where the file
    /// cannot be shared with a thread or no thread can be started (the caller reads itself).
    pub(super) fn start(file: &File, len: u64, chunk: usize) -> Option<ReadAhead> {
        let file = file.try_clone().ok()?;
        let chunk = chunk.max(1);
        let (chunk_tx, chunk_rx) = sync_channel(POOL);
        let (free_tx, free_rx) = channel();
        let thread = std::thread::Builder::new()
            .name("metadata-read-ahead".into())
            .spawn(move || read_all(&file, len, chunk, &chunk_tx, &free_rx))
            .ok()?;
        Some(ReadAhead {
            chunks: Some(chunk_rx),
            free: Some(free_tx),
            thread: Some(thread),
        })
    }

    /// The next buffer in file order; `None` after the last one, or where the file ended early
    /// (it shrank since it was measured).
    pub(super) fn next(&mut self) -> Option<io::Result<Chunk>> {
        let got = self.chunks.as_ref()?.recv().ok();
        if got.is_none() {
            self.chunks = None;
        }
        got
    }

    /// Hands a buffer back to be filled again.
    pub(super) fn recycle(&self, bytes: Vec<u8>) {
        if let Some(free) = &self.free {
            // The thread may have stopped already; the buffer is then simply freed.
            let _ = free.send(bytes);
        }
    }
}

impl Drop for ReadAhead {
    /// Stops the thread and waits for it: with both channels gone, its next send or wait
    /// fails, and it returns after at most the one read it is in.
    fn drop(&mut self) {
        self.chunks = None;
        self.free = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The thread: reads `0..len` in order, in pieces of `chunk`, until the end, a short file, a
/// read error (sent, then it stops) or the decoder's going away.
fn read_all(
    file: &File,
    len: u64,
    chunk: usize,
    out: &SyncSender<io::Result<Chunk>>,
    free: &Receiver<Vec<u8>>,
) {
    let mut allocated = 0;
    let mut offset = 0u64;
    while offset < len {
        let mut bytes = if allocated < POOL {
            allocated += 1;
            vec![0; HEADROOM + chunk]
        } else {
            match free.recv() {
                Ok(b) => b,
                Err(_) => return,
            }
        };
        let want = usize::try_from(len - offset)
            .unwrap_or(usize::MAX)
            .min(chunk);
        let mut got = 0;
        while got < want {
            let at = offset + got as u64;
            match super::metadata_file::read_at(
                file,
                &mut bytes[HEADROOM + got..HEADROOM + want],
                at,
            ) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if got > 0 {
                        let _ = out.send(Ok(Chunk {
                            bytes,
                            offset,
                            len: got,
                        }));
                    }
                    let _ = out.send(Err(e));
                    return;
                }
            }
        }
        if got > 0
            && out
                .send(Ok(Chunk {
                    bytes,
                    offset,
                    len: got,
                }))
                .is_err()
        {
            return;
        }
        if got < want {
            // The file shrank: its end is here.
            return;
        }
        offset += got as u64;
    }
}
