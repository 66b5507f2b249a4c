//! The keyed state backends, as far as restore compatibility tells them apart.

/// The keyed state backend a job restores with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    HashMap,
    RocksDb,
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
            _ => None,
        }
    }
}
