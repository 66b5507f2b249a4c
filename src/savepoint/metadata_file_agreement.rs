//! The differential test of the streamed `_metadata` reader: on every real fixture and cut and
//! corrupted copies of it, the streamed parse (refilled by the default chunk and by pieces of
//! several sizes) says exactly what the in-memory parse says.

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
                    for range in md.trailer.iter().copied().chain(inline_ranges(&md)) {
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
