//! Helpers for reading state types out of serializer snapshots.

use super::snapshot::{SerializerSnapshot, SnapshotDetail};

/// Is this (outermost) snapshot a TTL wrapper?
pub fn is_ttl_wrapper(s: &SerializerSnapshot) -> bool {
    s.short_class() == "TtlStateFactory$TtlSerializerSnapshot"
        || matches!(
            s.detail,
            SnapshotDetail::TtlAware {
                ttl_enabled: true,
                ..
            }
        )
}

/// Strips a TTL wrapper, returning the user serializer's snapshot.
pub fn without_ttl(s: &SerializerSnapshot) -> &SerializerSnapshot {
    match &s.detail {
        SnapshotDetail::Composite { nested, .. } if is_ttl_wrapper(s) => nested.get(1).unwrap_or(s),
        SnapshotDetail::TtlAware { inner, .. } => inner,
        _ => s,
    }
}
