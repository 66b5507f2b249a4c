//! Paths of the bundled real-Flink fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The spcompat binary under test.
pub fn spcompat() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_spcompat"))
}

/// `fixtures/savepoints/NAME`.
pub fn savepoint_fixture(name: &str) -> PathBuf {
    root().join("fixtures/savepoints").join(name)
}

/// Runs spcompat with `args` and no stdin.
pub fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(spcompat())
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// The JSON on a run's stdout; panics with its stderr when there is none.
pub fn stdout_json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// Every fixture folder (holding `_metadata`) under `fixtures/savepoints`, plus the reference
/// samples in `fixtures/reference` (copied from the reference research).
pub fn all_fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for base in [
        root().join("fixtures/savepoints"),
        root().join("fixtures/reference"),
    ] {
        assert!(
            base.is_dir(),
            "{} is part of the repository",
            base.display()
        );
        for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_name() == "_metadata" {
                out.push(entry.path().parent().unwrap().to_path_buf());
            }
        }
    }
    assert!(!out.is_empty(), "no fixtures found");
    out
}

/// Fixtures whose state is all inline in `_metadata` (self-contained) and small.
pub fn inline_fixtures() -> Vec<PathBuf> {
    all_fixtures()
        .into_iter()
        .filter(|p| only_metadata(p))
        .collect()
}

fn only_metadata(p: &Path) -> bool {
    std::fs::read_dir(p)
        .map(|d| {
            d.filter_map(Result::ok).all(|e| {
                e.file_name() == "_metadata"
                    || e.file_name() == "expected.json"
                    || e.file_name() == "plan.json"
            })
        })
        .unwrap_or(false)
}
/// A copy of a real savepoint folder whose `_metadata` is replaced by `bytes`.
pub fn savepoint_with_metadata(original: &Path, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(original).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() && entry.file_name() != "_metadata" {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    std::fs::write(dir.path().join("_metadata"), bytes).unwrap();
    dir
}

pub mod cases;
pub mod stores;
