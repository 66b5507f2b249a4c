//! The keyed state backends, as far as restore compatibility tells them apart.

/// The keyed state backend a job restores with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    HashMap,
    RocksDb,
    /// Flink 2.x's disaggregated backend: RocksDB's fork, with RocksDB's serialized layout
    /// (recorded on 2.3.0: native savepoints move between ForSt and RocksDB both ways, and
    /// map keys are not migrated).
    ForSt,
}

impl Backend {
    /// A backend as configured (`state.backend.type`, the job-graph `stateBackend` extension),
    /// case-insensitively; `None` for a name Flink does not ship (unknown, not an error: a
    /// custom backend factory may stand behind it). `filesystem` and `memory` are the pre-1.13
    /// names of the heap backend.
    pub fn from_name(name: &str) -> Option<Backend> {
        match name.to_ascii_lowercase().as_str() {
            "hashmap" | "filesystem" | "memory" => Some(Backend::HashMap),
            "rocksdb" => Some(Backend::RocksDb),
            "forst" => Some(Backend::ForSt),
            _ => None,
        }
    }

    /// Keeps state as serialized bytes, which it migrates while restoring (and cannot for map
    /// keys), and reads RocksDB's own files (native savepoints, incremental checkpoints).
    pub fn is_rocksdb_like(self) -> bool {
        matches!(self, Backend::RocksDb | Backend::ForSt)
    }
}
