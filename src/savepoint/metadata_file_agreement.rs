//! The differential test of the streamed `_metadata` reader: on every real fixture and cut and
//! corrupted copies of it, the streamed parse (refilled by the default chunk and by pieces of
//! several sizes) says exactly what the in-memory parse says.

use super::*;
use crate::javaio::data_input::DataReader;
use crate::savepoint::handles::{KeyedHandle, StreamHandle};
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
            let len = bytes.len() as u64;
            // Refill in pieces small enough that fields straddle refills, and in one piece
            // larger than a field can be.
            for chunk in [7, 333, 4096, 200_000] {
                let mut pieces = MetadataFileReader::reading_by(&file, len, chunk);
                let streamed = read_metadata(&mut pieces);
                assert_eq!(
                    format!("{in_memory:?}"),
                    format!("{streamed:?}"),
                    "{} ({} bytes, refilled by {chunk})",
                    entry.path().display(),
                    bytes.len()
                );
                let (kept, read_error) = pieces.finish();
                assert!(read_error.is_none());
                if let Ok(md) = streamed {
                    let whole = MetadataBytes::Whole(bytes.clone());
                    let streamed = MetadataBytes::Streamed {
                        file: file.try_clone().unwrap(),
                        kept,
                    };
                    let inline = inline_handles(&md).into_iter().flat_map(|(n, d)| [n, d]);
                    for range in md.trailer.iter().copied().chain(inline) {
                        assert_eq!(whole.range(range), streamed.range(range));
                    }
                }
                // A file shorter than measured (it shrank): both readers fail alike.
                let shrunk = read_metadata(&mut MetadataFileReader::new(&file, len + 99));
                let mut pieces = MetadataFileReader::reading_by(&file, len + 99, chunk);
                assert_eq!(
                    format!("{shrunk:?}"),
                    format!("{:?}", read_metadata(&mut pieces)),
                    "{} shrunk, refilled by {chunk}",
                    entry.path().display()
                );
                assert!(pieces.finish().1.is_none());
            }
            let mut reader = MetadataFileReader::new(&file, len);
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
                // Keeping every handle name parses the same and holds each name whole.
                let mut keeping = MetadataFileReader::new(&file, len).keeping_handle_names();
                let with_names = read_metadata(&mut keeping).unwrap();
                assert_eq!(format!("{md:?}"), format!("{with_names:?}"));
                let (names_kept, _) = keeping.finish();
                let names: Vec<ByteRange> = inline_handles(&md).iter().map(|h| h.0).collect();
                for range in &names {
                    let at = range.offset as usize;
                    assert_eq!(
                        names_kept.prefix(*range),
                        &bytes[at..at + range.len as usize]
                    );
                }
                let name_bytes: u64 = names.iter().map(|r| r.len).sum();
                // Names kept in between do not undo the sharing of equal state headers.
                assert!(
                    names_kept.held() <= kept.held() + name_bytes as usize,
                    "{}: {} held with names, {} without, {name_bytes} of names",
                    entry.path().display(),
                    names_kept.held(),
                    kept.held()
                );
                // Whatever was kept is the file's bytes, and the rest reads back the same.
                let whole = MetadataBytes::Whole(bytes.clone());
                let streamed = MetadataBytes::Streamed { file, kept };
                let inline = inline_handles(&md).into_iter().flat_map(|(n, d)| [n, d]);
                for range in md.trailer.iter().copied().chain(inline) {
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

/// The name and bytes of every inline handle of the coordinators and of each subtask's managed
/// keyed and operator state.
fn inline_handles(md: &crate::savepoint::metadata::Metadata) -> Vec<(ByteRange, ByteRange)> {
    fn inline(h: &StreamHandle, out: &mut Vec<(ByteRange, ByteRange)>) {
        match h {
            StreamHandle::Inline { name, data } => out.push((name.range(), *data)),
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
            match s.managed_keyed_state.as_deref() {
                Some(KeyedHandle::Incremental(h)) => {
                    for s in h.streams() {
                        inline(s, &mut out);
                    }
                }
                Some(k) => {
                    if let Some(h) = k.header_stream() {
                        inline(h, &mut out);
                    }
                }
                None => {}
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
