//! Serializers spcompat cannot interpret: user-defined snapshot classes and pre-1.7 config
//! snapshots. Their own code decides, so the result is "unknown" unless Flink fails first.

use super::{ChangeKind, Compat, Resolver, at};
use crate::schema::types::Type;

/// Is this a serializer only its own code can judge?
pub(super) fn is_user_defined(t: &Type) -> bool {
    matches!(t, Type::Opaque { .. } | Type::Legacy { .. })
}

impl Resolver<'_> {
    /// Either side is [`is_user_defined`].
    pub(super) fn user_defined(&mut self, p: &str, old: &Type, new: &Type) -> Compat {
        use Type::*;
        match (old, new) {
        (
            Opaque {
                class: a,
                version: va,
                ..
            },
            Opaque {
                class: b,
                version: vb,
                ..
            },
        ) if a == b => {
            let (kind, versions) = match (va, vb) {
                (Some(x), Some(y)) if x != y => (
                    ChangeKind::UserSerializer {
                        old: true,
                        new: true,
                    },
                    format!(
                        " (its snapshot version changed {x} -> {y}: the serializer's format changed)"
                    ),
                ),
                (Some(x), Some(_)) => (
                    ChangeKind::UserSerializerUnchanged,
                    format!(" (snapshot version {x} on both sides)"),
                ),
                _ => (
                    ChangeKind::UserSerializer {
                        old: true,
                        new: true,
                    },
                    String::new(),
                ),
            };
            self.note(
                p,
                kind,
                Compat::Unknown,
                format!(
                    "{}both versions use serializer snapshot class {a}{versions}, which spcompat cannot interpret: its own resolveSchemaCompatibility decides",
                    at(p)
                ),
            )
        }
        (Opaque { class, .. }, _) => self.note(
            p,
            ChangeKind::UserSerializer {
                old: true,
                new: false,
            },
            Compat::Unknown,
            format!(
                "{}the savepoint's serializer snapshot class {class} is not known to spcompat",
                at(p)
            ),
        ),
        // Flink fails reading the old snapshot before the new serializer matters.
        (Legacy { class, serializer }, _) => {
            let of = serializer
                .as_ref()
                .map(|s| format!(" of {s}"))
                .unwrap_or_default();
            if self.options.legacy_snapshots_unreadable {
                self.note(
                    p,
                    ChangeKind::LegacySnapshot,
                    Compat::ReadFailure,
                    format!(
                        "{}the savepoint holds a pre-1.7 TypeSerializerConfigSnapshot ({class}{of}), which Flink 1.17+ cannot read",
                        at(p)
                    ),
                )
            } else {
                self.note(
                    p,
                    ChangeKind::LegacySnapshot,
                    Compat::Unknown,
                    format!(
                        "{}the savepoint holds a pre-1.7 TypeSerializerConfigSnapshot ({class}{of}); its serializer's code decides",
                        at(p)
                    ),
                )
            }
        }
        (_, Opaque { class, .. }) => self.note(
            p,
            ChangeKind::UserSerializer {
                old: false,
                new: true,
            },
            Compat::Unknown,
            format!(
                "{}the new serializer snapshot class {class} is not known to spcompat; its code decides whether the old state is compatible",
                at(p)
            ),
        ),
        (_, Legacy { .. }) => Compat::AsIs,
            _ => self.changed(p, old, new),
        }
    }
}
