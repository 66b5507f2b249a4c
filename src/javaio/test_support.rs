//! Helpers for the unit tests of the Java-stream readers and of the `_metadata` parts built on
//! them: real reference fixtures, the offsets of Java-serialization streams, hex literals.

use crate::javaio::javaser::is_stream_start;

/// The `_metadata` of a reference fixture (fixtures/reference, copied from ../shared).
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/fixtures/reference/{name}/_metadata",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// Every offset at which a Java-serialization stream starts.
pub(crate) fn stream_offsets(data: &[u8]) -> Vec<usize> {
    (0..data.len())
        .filter(|&i| is_stream_start(&data[i..]))
        .collect()
}

/// Bytes from hex digits, whitespace ignored.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
