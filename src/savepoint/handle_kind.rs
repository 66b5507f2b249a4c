//! The class of a managed keyed-state handle, classified once when the savepoint is read: what
//! `inspect` names, and what it says about the state backend that can restore it.

use std::fmt;

use serde::{Serialize, Serializer};

use super::handles::{KeyGroupsKind, KeyedHandle};
use crate::flink::Backend;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyedHandleKind {
    /// `KeyGroupsStateHandle`: key-group streams (canonical savepoints, heap snapshots).
    KeyGroups,
    /// `KeyGroupsSavepointStateHandle`: the same, in a canonical savepoint (1.15+).
    KeyGroupsSavepoint,
    /// `IncrementalRemoteKeyedStateHandle`: RocksDB's own files (native savepoints,
    /// incremental checkpoints).
    IncrementalRemote,
    /// `ChangelogStateBackendHandle`.
    Changelog,
    /// `InMemoryChangelogStateHandle`.
    InMemoryChangelog,
    /// `ChangelogStateHandleStreamImpl`.
    ChangelogStream,
}

impl KeyedHandleKind {
    pub fn of(handle: &KeyedHandle) -> KeyedHandleKind {
        match handle {
            KeyedHandle::KeyGroups(h) => match h.kind {
                KeyGroupsKind::V1 | KeyGroupsKind::V2 => KeyedHandleKind::KeyGroups,
                KeyGroupsKind::Savepoint => KeyedHandleKind::KeyGroupsSavepoint,
            },
            KeyedHandle::Incremental { .. } => KeyedHandleKind::IncrementalRemote,
            KeyedHandle::Changelog { .. } => KeyedHandleKind::Changelog,
            KeyedHandle::InMemoryChangelog { .. } => KeyedHandleKind::InMemoryChangelog,
            KeyedHandle::ChangelogStream { .. } => KeyedHandleKind::ChangelogStream,
        }
    }

    /// Flink's class name (without package), as reports show it.
    pub fn class_name(self) -> &'static str {
        match self {
            KeyedHandleKind::KeyGroups => "KeyGroupsStateHandle",
            KeyedHandleKind::KeyGroupsSavepoint => "KeyGroupsSavepointStateHandle",
            KeyedHandleKind::IncrementalRemote => "IncrementalRemoteKeyedStateHandle",
            KeyedHandleKind::Changelog => "ChangelogStateBackendHandle",
            KeyedHandleKind::InMemoryChangelog => "InMemoryChangelogStateHandle",
            KeyedHandleKind::ChangelogStream => "ChangelogStateHandleStreamImpl",
        }
    }

    /// The backend kind that wrote this handle, where only its kind restores it: RocksDB
    /// for its own files (ForSt writes the same handle and reads RocksDB's: the two behave
    /// alike, see [`Backend::is_rocksdb_like`]). `None` when any backend restores it
    /// (key-group streams) or the handle does not tell (changelog).
    pub fn pinned_backend(self) -> Option<Backend> {
        (self == KeyedHandleKind::IncrementalRemote).then_some(Backend::RocksDb)
    }
}

impl fmt::Display for KeyedHandleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.class_name())
    }
}

/// As the class name: the `keyedHandle` of `inspect --format json`.
impl Serialize for KeyedHandleKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.class_name())
    }
}
