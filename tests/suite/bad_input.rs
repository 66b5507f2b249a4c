//! Corrupted real savepoints: truncation at many offsets and random bit flips must never panic,
//! and truncation must always give an error that names the file and a byte offset.

use crate::common;

use std::path::{Path, PathBuf};

use spcompat::savepoint::Savepoint;
use spcompat::savepoint::inventory::SavepointSummary;

fn read_all(dir: &Path) -> Result<SavepointSummary, spcompat::savepoint::SavepointError> {
    Savepoint::open(dir).and_then(|sp| SavepointSummary::build(&sp))
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The self-contained savepoints, plus the case bases whose headers hold snapshots spcompat
/// reads only in part (a user-written snapshot, a pre-1.7 config snapshot, Scala's Option).
fn corruption_targets() -> Vec<PathBuf> {
    let mut out = common::inline_fixtures();
    for base in [
        "1.15.4/bases/ds-legacy",
        "2.3.0/bases/ds-custom",
        "1.20.3/bases/ds-scala",
    ] {
        let dir = common::root().join("fixtures/cases").join(base);
        assert!(dir.join("_metadata").is_file(), "{}", dir.display());
        out.push(dir);
    }
    out
}

#[test]
fn truncated_metadata_always_fails_with_offset() {
    for fixture in corruption_targets() {
        let bytes = std::fs::read(fixture.join("_metadata")).unwrap();
        let step = (bytes.len() / 400).max(1);
        let mut offsets: Vec<usize> = (0..bytes.len()).step_by(step).collect();
        offsets.extend(bytes.len().saturating_sub(64)..bytes.len());
        for cut in offsets {
            let dir = common::savepoint_with_metadata(&fixture, &bytes[..cut]);
            let result = std::panic::catch_unwind(|| read_all(dir.path()));
            let result =
                result.unwrap_or_else(|_| panic!("panic at cut {cut} of {}", fixture.display()));
            let err = match result {
                Ok(_) => panic!("truncation at {cut} of {} was accepted", fixture.display()),
                Err(e) => e,
            };
            let msg = err.to_string();
            assert!(msg.contains("_metadata"), "{msg}");
            assert!(msg.contains("offset") || msg.contains("expected"), "{msg}");
        }
    }
}

#[test]
fn bit_flips_never_panic() {
    let mut rng = XorShift(0x5eed_1234_abcd_ef01);
    for fixture in corruption_targets() {
        let original = std::fs::read(fixture.join("_metadata")).unwrap();
        for _ in 0..300 {
            let mut bytes = original.clone();
            for _ in 0..(1 + rng.next() % 4) {
                let i = (rng.next() as usize) % bytes.len();
                bytes[i] ^= 1 << (rng.next() % 8);
            }
            let dir = common::savepoint_with_metadata(&fixture, &bytes);
            let outcome = std::panic::catch_unwind(|| read_all(dir.path()).map(|_| ()));
            assert!(
                outcome.is_ok(),
                "panic on bit flip of {}",
                fixture.display()
            );
        }
    }
}

#[test]
fn not_a_savepoint() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_all(dir.path()).expect_err("empty dir must fail");
    assert!(err.to_string().contains("no `_metadata`"), "{err}");
    std::fs::write(dir.path().join("_metadata"), b"{\"not\": \"a savepoint\"}").unwrap();
    let err = read_all(dir.path()).expect_err("json must fail");
    let msg = err.to_string();
    assert!(msg.contains("magic"), "{msg}");
    assert!(msg.contains("offset 0"), "{msg}");
}
