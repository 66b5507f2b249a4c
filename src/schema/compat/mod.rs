//! Serializer compatibility as Flink resolves it when the new version registers a state: the
//! old type (what the savepoint was written with) against the new one.
//!
//! Results and how nested results combine follow Flink's `TypeSerializerSchemaCompatibility`
//! (any incompatible part makes the whole incompatible, else any migration, else any
//! reconfiguration, else as is). Two outcomes Flink has no name for are added: a restore that
//! fails while *reading* the old snapshot (a class it names is gone, an enum constant was
//! removed), and "unknown" when a user-defined snapshot class or an undescribed detail decides.
//!
//! Built-in serializers give the same results whichever side judges (Flink <= 1.18: the old
//! snapshot; 1.19+: the new one), so the direction is not modelled.

//!
//! [`Resolver::resolve`] dispatches to one function per serializer family, each in the file
//! of its family.

mod composites;
mod enums_avro;
mod pojo_kryo;
mod sql;
mod user_defined;

use serde::Serialize;

use super::types::{Type, same_class};
use pojo_kryo::is_java_collection;
use user_defined::is_user_defined;

/// The outcome for one type, ordered from best to worst so that nested results combine with
/// `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compat {
    /// `COMPATIBLE_AS_IS`.
    AsIs,
    /// `COMPATIBLE_WITH_RECONFIGURED_SERIALIZER`.
    Reconfigured,
    /// `COMPATIBLE_AFTER_MIGRATION`: the state is read with the old serializer and rewritten.
    AfterMigration,
    /// Not decidable without running user code, or not described well enough.
    Unknown,
    /// `INCOMPATIBLE`.
    Incompatible,
    /// Flink fails while reading the old serializer snapshot, before any compatibility check.
    ReadFailure,
}

impl Compat {
    pub fn as_str(self) -> &'static str {
        match self {
            Compat::AsIs => "compatible as is",
            Compat::Reconfigured => "compatible with a reconfigured serializer",
            Compat::AfterMigration => "compatible after migration",
            Compat::Unknown => "compatibility unknown",
            Compat::Incompatible => "incompatible",
            Compat::ReadFailure => "the old serializer snapshot cannot be read",
        }
    }

    /// Flink's name for the result, where it has one.
    pub fn flink_name(self) -> Option<&'static str> {
        match self {
            Compat::AsIs => Some("COMPATIBLE_AS_IS"),
            Compat::Reconfigured => Some("COMPATIBLE_WITH_RECONFIGURED_SERIALIZER"),
            Compat::AfterMigration => Some("COMPATIBLE_AFTER_MIGRATION"),
            Compat::Incompatible => Some("INCOMPATIBLE"),
            Compat::Unknown | Compat::ReadFailure => None,
        }
    }

    /// Is a restore that needs this result fine (migration included)?
    pub fn is_compatible(self) -> bool {
        self <= Compat::AfterMigration
    }
}

/// What kind of difference a [`Change`] is; decides the rule reported for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A different serializer or basic type.
    TypeChanged,
    FieldAdded,
    FieldRemoved,
    /// A positional field with another name (names are not stored: no effect).
    FieldRenamed,
    /// The class a snapshot names (POJO, enum, Kryo type, Avro record, case class) changed.
    ClassRenamed,
    EnumConstantRemoved,
    EnumConstantsChanged,
    /// Tuple, Row, case class or composite with another number of fields.
    ArityChanged,
    /// SQL `RowData` logical types differ (type, precision, nullability, nested names, count).
    RowDataChanged,
    RowKindChanged,
    SubclassesChanged,
    KryoRegistrationsChanged,
    AvroSchemaEvolved,
    AvroIncompatible,
    /// Kryo for a `java.util` collection in the old state, a built-in collection serializer
    /// in the new (Flink 2.0 switched).
    KryoToBuiltInCollection,
    TtlChanged,
    /// A serializer snapshot class spcompat cannot interpret on the old and/or new side.
    UserSerializer {
        old: bool,
        new: bool,
    },
    /// The same user snapshot class at the same snapshot version on both sides (canary mode):
    /// still the class's own decision, but nothing about its format changed.
    UserSerializerUnchanged,
    LegacySnapshot,
    /// A detail one side does not describe (e.g. an Avro schema), so the result is assumed.
    NotDescribed,
}

/// One difference between the old and new type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Where in the type, e.g. `balance`, `f1`, `value.owner`; empty for the type itself.
    pub path: String,
    pub kind: ChangeKind,
    pub result: Compat,
    pub message: String,
}

/// The outcome for a pair of types, with every difference found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    pub result: Compat,
    pub changes: Vec<Change>,
}

impl Resolution {
    /// The changes that decide the result (those as bad as the whole).
    pub fn decisive(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.result == self.result)
    }
}

/// Version-dependent behaviour of the Flink that restores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Flink 2.1+ migrates a state whose TTL was switched on or off; earlier versions fail.
    pub ttl_migration: bool,
    /// Flink 1.17+ cannot read pre-1.7 `TypeSerializerConfigSnapshot`s.
    pub legacy_snapshots_unreadable: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ttl_migration: false,
            legacy_snapshots_unreadable: true,
        }
    }
}

/// Resolves the compatibility of the new type with the old one.
pub fn resolve(old: &Type, new: &Type, options: &Options) -> Resolution {
    let mut r = Resolver {
        options,
        changes: Vec::new(),
    };
    let result = r.resolve("", old, new, 0);
    Resolution {
        result,
        changes: r.changes,
    }
}

/// Guards against hand-made, absurdly deep trees (real ones are bounded by their readers).
const MAX_DEPTH: usize = 128;

struct Resolver<'o> {
    options: &'o Options,
    changes: Vec<Change>,
}

fn join_path(path: &str, part: &str) -> String {
    if path.is_empty() {
        part.to_string()
    } else {
        format!("{path}.{part}")
    }
}

fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("`{path}`: ")
    }
}

impl Resolver<'_> {
    fn note(&mut self, path: &str, kind: ChangeKind, result: Compat, message: String) -> Compat {
        self.changes.push(Change {
            path: path.to_string(),
            kind,
            result,
            message,
        });
        result
    }

    fn resolve(&mut self, path: &str, old: &Type, new: &Type, depth: usize) -> Compat {
        use Type::*;
        if depth > MAX_DEPTH {
            return self.note(
                path,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                "types nested too deeply to compare".to_string(),
            );
        }
        let d = depth + 1;
        let p = path;
        if is_user_defined(old) || is_user_defined(new) {
            return self.user_defined(p, old, new);
        }
        match (old, new) {
            (Ttl(a), Ttl(b)) => self.resolve(p, a, b, d),
            (Ttl(a), b) => self.ttl(p, a, b, false, d),
            (a, Ttl(b)) => self.ttl(p, a, b, true, d),
            (Nullable(a), Nullable(b)) => self.resolve(p, a, b, d),
            (Simple(a), Simple(b)) if a.matches(b) => Compat::AsIs,
            (
                Array {
                    component_class: ca,
                    component: a,
                },
                Array {
                    component_class: cb,
                    component: b,
                },
            ) => self.array(p, (ca, a), (cb, b), d),
            (Tuple { fields: fa, .. }, Tuple { fields: fb, .. }) => self.tuple(p, fa, fb, d),
            (
                Row {
                    fields: fa,
                    row_kind: ka,
                },
                Row {
                    fields: fb,
                    row_kind: kb,
                },
            ) => self.row(p, (fa, ka), (fb, kb), d),
            (Pojo(a), Pojo(b)) => self.pojo(p, a, b, d),
            (Generic(a), Generic(b)) => self.generic(p, a, b),
            (
                Enum {
                    class: ca,
                    constants: ka,
                },
                Enum {
                    class: cb,
                    constants: kb,
                },
            ) => self.enumeration(p, ca, cb, ka.as_deref(), kb.as_deref()),
            (
                Avro {
                    class: ca,
                    schema: sa,
                },
                Avro {
                    class: cb,
                    schema: sb,
                },
            ) => self.avro(
                p,
                ca.as_deref(),
                cb.as_deref(),
                sa.as_deref(),
                sb.as_deref(),
            ),
            (
                Avro {
                    class: Some(ca), ..
                },
                Pojo(pb),
            ) if same_class(ca, &pb.class) => self.avro_as_pojo(p, ca),
            (List(a), List(b)) | (Set(a), Set(b)) => {
                self.resolve(&join_path(p, "element"), a, b, d)
            }
            (ScalaOption(a), ScalaOption(b)) => self.resolve(&join_path(p, "value"), a, b, d),
            (Map(ka, va), Map(kb, vb)) => self.pair(p, ("key", ka, kb), ("value", va, vb), d),
            (Either(la, ra), Either(lb, rb)) => {
                self.pair(p, ("left", la, lb), ("right", ra, rb), d)
            }
            (
                Timer {
                    key: ka,
                    namespace: na,
                },
                Timer {
                    key: kb,
                    namespace: nb,
                },
            ) => self.pair(p, ("key", ka, kb), ("namespace", na, nb), d),
            (
                ValueClass {
                    serializer: sa,
                    class: ca,
                },
                ValueClass {
                    serializer: sb,
                    class: cb,
                },
            ) if sa == sb && same_class(ca, cb) => Compat::AsIs,
            (RowData(a), RowData(b)) => self.row_data(p, a, b),
            (
                Parameterized {
                    serializer: sa,
                    values: va,
                },
                Parameterized {
                    serializer: sb,
                    values: vb,
                },
            ) if sa == sb && va == vb => Compat::AsIs,
            (Sql(a), Sql(b)) => self.sql(p, (old, new), a, b),
            (Sql(_), _) | (_, Sql(_)) => self.sql_against_other(p, old, new),
            (
                CaseClass {
                    class: ca,
                    fields: fa,
                },
                CaseClass {
                    class: cb,
                    fields: fb,
                },
            ) => self.case_class(p, (ca, fa), (cb, fb), d),
            (
                Composite {
                    class: ca,
                    outer_class: oa,
                    nested: na,
                },
                Composite {
                    class: cb,
                    outer_class: ob,
                    nested: nb,
                },
            ) => self.composite(p, (old, new), (ca, oa, na), (cb, ob, nb), d),
            (Generic(g), List(_) | Map(..) | Set(_)) if is_java_collection(&g.class) => {
                self.kryo_to_built_in_collection(p, old, new)
            }
            (Pojo(a), Generic(b)) if same_class(&a.class, &b.class) => self.pojo_to_kryo(p, a),
            (Generic(a), Pojo(b)) if same_class(&a.class, &b.class) => self.kryo_to_pojo(p, b),
            _ => self.changed(p, old, new),
        }
    }

    fn changed(&mut self, p: &str, old: &Type, new: &Type) -> Compat {
        let how = if old.serializer_class() != new.serializer_class() {
            format!(
                " (serializer {} -> {})",
                short(&old.serializer_class()),
                short(&new.serializer_class())
            )
        } else {
            String::new()
        };
        self.note(
            p,
            ChangeKind::TypeChanged,
            Compat::Incompatible,
            format!("{}{old} -> {new}{how}", at(p)),
        )
    }

    fn class_renamed(&mut self, p: &str, what: &str, old: &str, new: &str) -> Compat {
        self.note(
            p,
            ChangeKind::ClassRenamed,
            Compat::ReadFailure,
            format!(
                "{}{what} class {old} -> {new}: Flink loads the class named in the savepoint's snapshot and fails if it is gone (if it still exists, the serializers are incompatible)",
                at(p)
            ),
        )
    }

    fn ttl(&mut self, p: &str, a: &Type, b: &Type, enabled: bool, d: usize) -> Compat {
        let inner = self.resolve(p, a, b, d);
        let what = if enabled { "enabled" } else { "disabled" };
        if self.options.ttl_migration {
            self.note(
                p,
                ChangeKind::TtlChanged,
                Compat::AfterMigration,
                format!(
                    "{}state TTL {what}: Flink 2.1+ migrates the values ({})",
                    at(p),
                    if enabled {
                        "each gets a last-access timestamp"
                    } else {
                        "their TTL timestamps are dropped"
                    }
                ),
            );
            inner.max(Compat::AfterMigration)
        } else {
            self.note(
                p,
                ChangeKind::TtlChanged,
                Compat::Incompatible,
                format!(
                    "{}state TTL {what}: up to Flink 2.0 the TTL serializer (value plus last-access timestamp) and the plain serializer are incompatible",
                    at(p)
                ),
            );
            inner.max(Compat::Incompatible)
        }
    }
}

fn short(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

#[cfg(test)]
mod tests;
