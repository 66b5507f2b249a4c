//! Reading speed of the savepoint reader over every bundled real fixture: `_metadata`, state
//! handles, backend headers and serializer snapshots (what `inspect` and `check` do first).
//!
//! Run: `cargo bench --bench read_savepoints` (release build). Prints the time per full read of
//! each fixture and the bytes of `_metadata` read per second.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use spcompat::savepoint::Savepoint;
use spcompat::savepoint::inventory::SavepointSummary;

fn fixtures() -> Vec<PathBuf> {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/savepoints");
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(base)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "_metadata")
        .map(|e| e.path().to_path_buf())
        .collect();
    out.sort();
    out
}

fn main() {
    // `cargo test --all-targets` runs this too (without `--bench`): then one read of each
    // fixture is a smoke test, and timing is left to `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        for metadata in fixtures() {
            let sp = Savepoint::open(&metadata).expect("fixture opens");
            SavepointSummary::build(&sp).expect("fixture reads");
        }
        return;
    }
    let budget = Duration::from_millis(300);
    println!(
        "{:<70} {:>10} {:>12} {:>10}",
        "fixture", "reads", "per read", "MB/s"
    );
    for metadata in fixtures() {
        let size = std::fs::metadata(&metadata).map(|m| m.len()).unwrap_or(0);
        let start = Instant::now();
        let mut reads = 0u32;
        while start.elapsed() < budget {
            let sp = Savepoint::open(&metadata).expect("fixture opens");
            let summary = SavepointSummary::build(&sp).expect("fixture reads");
            std::hint::black_box(summary);
            reads += 1;
        }
        let per = start.elapsed() / reads.max(1);
        let mbps = size as f64 / per.as_secs_f64() / 1e6;
        let name = metadata
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&metadata)
            .display()
            .to_string();
        println!(
            "{name:<70} {reads:>10} {:>10.1}µs {mbps:>10.1}",
            per.as_secs_f64() * 1e6
        );
    }
}
