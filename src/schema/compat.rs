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

use serde::Serialize;

use super::logical_type::{LogicalType, TypeKind};
use super::types::{Generic, Pojo, Type, same_class};

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

/// `java.util` collection classes that Flink 1.x serialized with Kryo and 2.0 with built-in
/// List/Map/Set serializers.
fn is_java_collection(class: &str) -> bool {
    matches!(
        class,
        "java.util.List"
            | "java.util.ArrayList"
            | "java.util.LinkedList"
            | "java.util.Map"
            | "java.util.HashMap"
            | "java.util.LinkedHashMap"
            | "java.util.TreeMap"
            | "java.util.Set"
            | "java.util.HashSet"
            | "java.util.LinkedHashSet"
            | "java.util.TreeSet"
            | "java.util.Collection"
    )
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
            (Ttl(a), Ttl(b)) => self.resolve(p, a, b, d),
            (Ttl(a), b) => self.ttl(p, a, b, false, d),
            (a, Ttl(b)) => self.ttl(p, a, b, true, d),
            (Nullable(a), Nullable(b)) => self.resolve(p, a, b, d),
            (Simple(a), Simple(b)) => {
                if a.matches(b) {
                    Compat::AsIs
                } else {
                    self.changed(p, old, new)
                }
            }
            (
                Array {
                    component_class: ca,
                    component: a,
                },
                Array {
                    component_class: cb,
                    component: b,
                },
            ) => {
                if let (Some(ca), Some(cb)) = (ca, cb)
                    && !same_class(ca, cb)
                {
                    return self.note(
                        p,
                        ChangeKind::TypeChanged,
                        Compat::Incompatible,
                        format!("{}array component class {ca} -> {cb}", at(p)),
                    );
                }
                self.resolve(&join_path(p, "[]"), a, b, d)
            }
            (Tuple { fields: fa, .. }, Tuple { fields: fb, .. }) => {
                if fa.len() != fb.len() {
                    return self.note(
                        p,
                        ChangeKind::ArityChanged,
                        Compat::Incompatible,
                        format!(
                            "{}Tuple{} -> Tuple{}: a tuple serializer with another number of fields is incompatible",
                            at(p),
                            fa.len(),
                            fb.len()
                        ),
                    );
                }
                let mut result = Compat::AsIs;
                for (i, (a, b)) in fa.iter().zip(fb).enumerate() {
                    result = result.max(self.resolve(&join_path(p, &format!("f{i}")), a, b, d));
                }
                result
            }
            (
                Row {
                    fields: fa,
                    row_kind: ka,
                },
                Row {
                    fields: fb,
                    row_kind: kb,
                },
            ) => {
                if fa.len() != fb.len() {
                    return self.note(
                        p,
                        ChangeKind::ArityChanged,
                        Compat::Incompatible,
                        format!(
                            "{}Row with {} fields -> {} fields: a Row serializer with another number of fields is incompatible",
                            at(p),
                            fa.len(),
                            fb.len()
                        ),
                    );
                }
                let mut result = Compat::AsIs;
                if let (Some(ka), Some(kb)) = (ka, kb)
                    && ka != kb
                {
                    result = self.note(
                        p,
                        ChangeKind::RowKindChanged,
                        Compat::AfterMigration,
                        format!(
                            "{}the Row serializer {} the row kind now",
                            at(p),
                            if *kb { "writes" } else { "no longer writes" }
                        ),
                    );
                }
                for (i, (a, b)) in fa.iter().zip(fb).enumerate() {
                    let name = b
                        .name
                        .clone()
                        .or_else(|| a.name.clone())
                        .unwrap_or_else(|| format!("f{i}"));
                    if let (Some(na), Some(nb)) = (&a.name, &b.name)
                        && na != nb
                    {
                        self.note(
                            &join_path(p, nb),
                            ChangeKind::FieldRenamed,
                            Compat::AsIs,
                            format!(
                                "{}Row field {i} renamed from `{na}` (Row field names are not stored, so this alone changes nothing)",
                                at(&join_path(p, nb))
                            ),
                        );
                    }
                    result = result.max(self.resolve(&join_path(p, &name), &a.ty, &b.ty, d));
                }
                result
            }
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
            ) => self.avro(p, ca.as_deref(), cb.as_deref(), sa.as_deref(), sb.as_deref()),
            (
                Avro {
                    class: Some(ca), ..
                },
                Pojo(pb),
            ) if same_class(ca, &pb.class) => self.note(
                p,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                format!(
                    "{}the savepoint has Avro record {ca}; the new job's PojoType<...> is how Flink prints Avro specific records, so the Avro schemas decide: add `avroSchema` to the state declaration to compare them",
                    at(p)
                ),
            ),
            (List(a), List(b)) | (Set(a), Set(b)) => {
                self.resolve(&join_path(p, "element"), a, b, d)
            }
            (ScalaOption(a), ScalaOption(b)) => self.resolve(&join_path(p, "value"), a, b, d),
            (Map(ka, va), Map(kb, vb)) => {
                let k = self.resolve(&join_path(p, "key"), ka, kb, d);
                k.max(self.resolve(&join_path(p, "value"), va, vb, d))
            }
            (Either(la, ra), Either(lb, rb)) => {
                let l = self.resolve(&join_path(p, "left"), la, lb, d);
                l.max(self.resolve(&join_path(p, "right"), ra, rb, d))
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
            ) => {
                let k = self.resolve(&join_path(p, "key"), ka, kb, d);
                k.max(self.resolve(&join_path(p, "namespace"), na, nb, d))
            }
            (
                ValueClass {
                    serializer: sa,
                    class: ca,
                },
                ValueClass {
                    serializer: sb,
                    class: cb,
                },
            ) => {
                if sa == sb && same_class(ca, cb) {
                    Compat::AsIs
                } else {
                    self.changed(p, old, new)
                }
            }
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
            ) => {
                if sa == sb && va == vb {
                    Compat::AsIs
                } else {
                    self.changed(p, old, new)
                }
            }
            (Sql(a), Sql(b)) => {
                if undecidable_sql(a) || undecidable_sql(b) {
                    self.note(
                        p,
                        ChangeKind::NotDescribed,
                        Compat::Unknown,
                        format!("{}cannot compare SQL types {old} and {new}", at(p)),
                    )
                } else if sql_equal(a, b) {
                    Compat::AsIs
                } else {
                    self.changed(p, old, new)
                }
            }
            (Sql(_), _) | (_, Sql(_)) => self.note(
                p,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                format!(
                    "{}spcompat does not model the runtime serializer of {}; cannot compare it with {}",
                    at(p),
                    if matches!(old, Sql(_)) { old } else { new },
                    if matches!(old, Sql(_)) { new } else { old }
                ),
            ),
            (
                CaseClass {
                    class: ca,
                    fields: fa,
                },
                CaseClass {
                    class: cb,
                    fields: fb,
                },
            ) => {
                if !same_class(ca, cb) {
                    return self.class_renamed(p, "case class", ca, cb);
                }
                if fa.len() != fb.len() {
                    return self.note(
                        p,
                        ChangeKind::ArityChanged,
                        Compat::Incompatible,
                        format!(
                            "{}case class {ca} has {} fields now, {} before: the Scala case class serializer is incompatible",
                            at(p),
                            fb.len(),
                            fa.len()
                        ),
                    );
                }
                let mut result = Compat::AsIs;
                for (i, (a, b)) in fa.iter().zip(fb).enumerate() {
                    let name = b.name.clone().unwrap_or_else(|| format!("f{i}"));
                    result = result.max(self.resolve(&join_path(p, &name), &a.ty, &b.ty, d));
                }
                result
            }
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
            ) => {
                if ca != cb || oa != ob {
                    return self.changed(p, old, new);
                }
                if na.len() != nb.len() {
                    return self.note(
                        p,
                        ChangeKind::ArityChanged,
                        Compat::Incompatible,
                        format!(
                            "{}{ca} has {} nested serializers now, {} before",
                            at(p),
                            nb.len(),
                            na.len()
                        ),
                    );
                }
                let mut result = Compat::AsIs;
                for (i, (a, b)) in na.iter().zip(nb).enumerate() {
                    result = result.max(self.resolve(&join_path(p, &format!("#{i}")), a, b, d));
                }
                result
            }
            (Generic(g), List(_) | Map(..) | Set(_)) if is_java_collection(&g.class) => self.note(
                p,
                ChangeKind::KryoToBuiltInCollection,
                Compat::Incompatible,
                format!(
                    "{}{old} -> {new}: the savepoint serialized this java.util collection with Kryo (Flink 1.x); Flink 2.0+ uses its built-in collection serializers, which are incompatible with the Kryo snapshot",
                    at(p)
                ),
            ),
            (Pojo(a), Generic(b)) if same_class(&a.class, &b.class) => self.note(
                p,
                ChangeKind::TypeChanged,
                Compat::Incompatible,
                format!(
                    "{}{} is no longer a valid POJO, so Flink serializes it with Kryo: the Kryo serializer is incompatible with the POJO serializer",
                    at(p),
                    a.class
                ),
            ),
            (Generic(a), Pojo(b)) if same_class(&a.class, &b.class) => self.note(
                p,
                ChangeKind::TypeChanged,
                Compat::Incompatible,
                format!(
                    "{}{} became a valid POJO, so Flink now uses the POJO serializer: it is incompatible with the Kryo state in the savepoint",
                    at(p),
                    b.class
                ),
            ),
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

    fn pojo(&mut self, p: &str, a: &Pojo, b: &Pojo, d: usize) -> Compat {
        if !same_class(&a.class, &b.class) {
            return self.class_renamed(p, "POJO", &a.class, &b.class);
        }
        let mut result = Compat::AsIs;
        let same_field = |x: &super::types::PojoField, y: &super::types::PojoField| {
            x.name == y.name
                && match (&x.declaring_class, &y.declaring_class) {
                    (Some(cx), Some(cy)) => same_class(cx, cy),
                    _ => true,
                }
        };
        for f in &a.fields {
            let fp = join_path(p, &f.name);
            match b.fields.iter().find(|g| same_field(f, g)) {
                None => {
                    let ty = f.ty.as_ref().map_or_else(|| "?".to_string(), |t| t.to_string());
                    result = result.max(self.note(
                        &fp,
                        ChangeKind::FieldRemoved,
                        Compat::AfterMigration,
                        format!(
                            "field `{}` ({ty}) removed: its values are dropped when Flink migrates the state",
                            f.name
                        ),
                    ));
                }
                Some(g) => match (&f.ty, &g.ty) {
                    (Some(ft), Some(gt)) => result = result.max(self.resolve(&fp, ft, gt, d)),
                    (None, _) => {
                        result = result.max(self.note(
                            &fp,
                            ChangeKind::FieldRemoved,
                            Compat::AfterMigration,
                            format!(
                                "field `{}` has no serializer in the savepoint: Flink treats it as removed and migrates",
                                f.name
                            ),
                        ))
                    }
                    (Some(_), None) => {}
                },
            }
        }
        for g in &b.fields {
            if !a.fields.iter().any(|f| same_field(f, g)) {
                let ty =
                    g.ty.as_ref()
                        .map_or_else(|| "?".to_string(), |t| t.to_string());
                result = result.max(self.note(
                    &join_path(p, &g.name),
                    ChangeKind::FieldAdded,
                    Compat::AfterMigration,
                    format!(
                        "field `{}` ({ty}) added: after migration it holds its Java default (null/0/false)",
                        g.name
                    ),
                ));
            }
        }
        if let Some(old_non_registered) = &a.non_registered_subclasses
            && !old_non_registered.is_empty()
        {
            let names: Vec<&str> = old_non_registered
                .iter()
                .map(|s| s.class.as_str())
                .collect();
            result = result.max(self.note(
                p,
                ChangeKind::SubclassesChanged,
                Compat::Reconfigured,
                format!(
                    "{}the savepoint has values of non-registered subclasses ({}): Flink reconfigures the POJO serializer",
                    at(p),
                    names.join(", ")
                ),
            ));
        }
        if let (Some(ra), Some(rb)) = (&a.registered_subclasses, &b.registered_subclasses) {
            let names_a: Vec<&str> = ra.iter().map(|s| s.class.as_str()).collect();
            let names_b: Vec<&str> = rb.iter().map(|s| s.class.as_str()).collect();
            let missing: Vec<&str> = names_a
                .iter()
                .filter(|n| !names_b.contains(n))
                .copied()
                .collect();
            if !missing.is_empty() {
                result = result.max(self.note(
                    p,
                    ChangeKind::SubclassesChanged,
                    Compat::Reconfigured,
                    format!(
                        "{}subclass(es) {} no longer registered: Flink reconfigures the POJO serializer (incompatible if a class is gone from the classpath)",
                        at(p),
                        missing.join(", ")
                    ),
                ));
            } else if !names_b.starts_with(&names_a) {
                result = result.max(self.note(
                    p,
                    ChangeKind::SubclassesChanged,
                    Compat::Reconfigured,
                    format!(
                        "{}registered subclasses reordered: Flink reconfigures the POJO serializer",
                        at(p)
                    ),
                ));
            }
            for sa in ra {
                if let Some(sb) = rb.iter().find(|s| s.class == sa.class)
                    && let (Some(ta), Some(tb)) = (&sa.ty, &sb.ty)
                {
                    result = result.max(self.resolve(
                        &join_path(p, &format!("<{}>", sa.class)),
                        ta,
                        tb,
                        d,
                    ));
                }
            }
        }
        result
    }

    fn generic(&mut self, p: &str, a: &Generic, b: &Generic) -> Compat {
        if !same_class(&a.class, &b.class) {
            return self.class_renamed(p, "Kryo-serialized", &a.class, &b.class);
        }
        let mut result = Compat::AsIs;
        if let (Some(ra), Some(rb)) = (&a.registrations, &b.registrations)
            && !rb.starts_with(ra)
        {
            let missing: Vec<&str> = ra
                .iter()
                .filter(|r| !rb.iter().any(|x| x.0 == r.0))
                .map(|r| r.0.as_str())
                .collect();
            let message = if missing.is_empty() {
                format!(
                    "{}Kryo registrations changed order or serializer: Flink reconfigures the Kryo serializer to the savepoint's registration ids",
                    at(p)
                )
            } else {
                format!(
                    "{}Kryo registrations {} are missing in the new job: Flink re-adds them (incompatible if a class or its serializer no longer loads)",
                    at(p),
                    missing.join(", ")
                )
            };
            result = self.note(
                p,
                ChangeKind::KryoRegistrationsChanged,
                Compat::Reconfigured,
                message,
            );
        }
        if let (Some(da), Some(db)) = (&a.default_serializers, &b.default_serializers)
            && da != db
        {
            result = result.max(self.note(
                p,
                ChangeKind::KryoRegistrationsChanged,
                Compat::Reconfigured,
                format!(
                    "{}default Kryo serializers changed: Flink reconfigures the Kryo serializer",
                    at(p)
                ),
            ));
        }
        result
    }

    fn enumeration(
        &mut self,
        p: &str,
        ca: &str,
        cb: &str,
        ka: Option<&[String]>,
        kb: Option<&[String]>,
    ) -> Compat {
        if !same_class(ca, cb) {
            return self.class_renamed(p, "enum", ca, cb);
        }
        let (Some(ka), Some(kb)) = (ka, kb) else {
            return Compat::AsIs;
        };
        let removed: Vec<&str> = ka
            .iter()
            .filter(|c| !kb.contains(c))
            .map(String::as_str)
            .collect();
        if !removed.is_empty() {
            return self.note(
                p,
                ChangeKind::EnumConstantRemoved,
                Compat::ReadFailure,
                format!(
                    "{}enum {ca}: constant(s) {} removed; Flink cannot build a serializer that reads the old ids",
                    at(p),
                    removed.join(", ")
                ),
            );
        }
        if ka == kb {
            return Compat::AsIs;
        }
        let added: Vec<&str> = kb
            .iter()
            .filter(|c| !ka.contains(c))
            .map(String::as_str)
            .collect();
        let reordered = !kb.iter().filter(|c| ka.contains(c)).eq(ka.iter());
        let mut what = Vec::new();
        if !added.is_empty() {
            what.push(format!("constant(s) {} added", added.join(", ")));
        }
        if reordered {
            what.push("constants reordered".to_string());
        }
        self.note(
            p,
            ChangeKind::EnumConstantsChanged,
            Compat::Reconfigured,
            format!(
                "{}enum {ca}: {}; Flink keeps the savepoint's ids and appends new constants",
                at(p),
                what.join(", ")
            ),
        )
    }

    fn avro(
        &mut self,
        p: &str,
        ca: Option<&str>,
        cb: Option<&str>,
        sa: Option<&str>,
        sb: Option<&str>,
    ) -> Compat {
        const GENERIC: &str = "org.apache.avro.generic.GenericRecord";
        if let (Some(ca), Some(cb)) = (ca, cb)
            && ca != GENERIC
            && cb != GENERIC
            && !same_class(ca, cb)
        {
            return self.class_renamed(p, "Avro record", ca, cb);
        }
        let (Some(sa), Some(sb)) = (sa, sb) else {
            return self.note(
                p,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                format!(
                    "{}the Avro schema of the {} side is not known: add `avroSchema` to the state declaration to check schema evolution",
                    at(p),
                    if sa.is_none() { "old" } else { "new" }
                ),
            );
        };
        if sa == sb {
            return Compat::AsIs;
        }
        let parse = |s: &str| apache_avro::Schema::parse_str(s);
        let (writer, reader) = match (parse(sa), parse(sb)) {
            (Ok(w), Ok(r)) => (w, r),
            (Err(e), _) | (_, Err(e)) => {
                return self.note(
                    p,
                    ChangeKind::NotDescribed,
                    Compat::Unknown,
                    format!("{}cannot parse an Avro schema: {e}", at(p)),
                );
            }
        };
        // Parsing Canonical Form equality: close to Avro's Schema#equals, which ignores docs
        // (a changed default value would make Flink migrate, harmlessly).
        if writer == reader {
            return Compat::AsIs;
        }
        use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};
        match SchemaCompatibility::can_read(&writer, &reader) {
            Ok(Compatibility::Full) => self.note(
                p,
                ChangeKind::AvroSchemaEvolved,
                Compat::AfterMigration,
                format!(
                    "{}the new Avro schema can read data written with the old one (Avro schema resolution): Flink migrates the state",
                    at(p)
                ),
            ),
            Ok(Compatibility::Partial) => self.note(
                p,
                ChangeKind::AvroIncompatible,
                Compat::Incompatible,
                format!(
                    "{}the new Avro schema can read only part of the old data (e.g. an enum symbol or union branch is missing without a default): Avro calls this incompatible",
                    at(p)
                ),
            ),
            Err(e) => self.note(
                p,
                ChangeKind::AvroIncompatible,
                Compat::Incompatible,
                format!("{}Avro schema resolution fails: {e}", at(p)),
            ),
        }
    }

    fn row_data(
        &mut self,
        p: &str,
        a: &[super::types::SqlField],
        b: &[super::types::SqlField],
    ) -> Compat {
        if a.iter().chain(b).any(|f| undecidable_sql(&f.ty)) {
            return self.note(
                p,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                format!(
                    "{}a SQL logical type could not be read, so the rows cannot be compared",
                    at(p)
                ),
            );
        }
        if a.len() != b.len() {
            return self.note(
                p,
                ChangeKind::RowDataChanged,
                Compat::Incompatible,
                format!(
                    "{}SQL row with {} fields -> {} fields: RowDataSerializer requires identical logical types",
                    at(p),
                    a.len(),
                    b.len()
                ),
            );
        }
        let mut result = Compat::AsIs;
        for (i, (fa, fb)) in a.iter().zip(b).enumerate() {
            if sql_equal(&fa.ty, &fb.ty) {
                continue;
            }
            let name = fb
                .name
                .clone()
                .or_else(|| fa.name.clone())
                .unwrap_or_else(|| format!("f{i}"));
            let only_nullability = {
                let mut x = fa.ty.clone();
                x.nullable = fb.ty.nullable;
                sql_equal(&x, &fb.ty)
            };
            let why = if only_nullability {
                " (only nullability differs, which Flink's LogicalType equality counts)"
            } else {
                ""
            };
            result = self.note(
                &join_path(p, &name),
                ChangeKind::RowDataChanged,
                Compat::Incompatible,
                format!(
                    "SQL field {i} `{name}`: {} -> {}{why}",
                    fa.ty.summary_string(),
                    fb.ty.summary_string()
                ),
            );
        }
        result
    }
}

fn short(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

/// Does this SQL type contain something that could not be read?
fn undecidable_sql(t: &LogicalType) -> bool {
    matches!(&t.kind, TypeKind::Unknown { class, .. } if class == "UNKNOWN" || class == "unreadable logical type")
        || t.children().into_iter().any(undecidable_sql)
}

/// Flink's `LogicalType#equals`, except for what neither notation carries: a RAW type's
/// serializer when one side does not give it, and descriptions elided as `'...'` by summary
/// strings.
fn sql_equal(a: &LogicalType, b: &LogicalType) -> bool {
    let elided = has_elided_description(a) || has_elided_description(b);
    normalize(a, elided) == normalize(b, elided)
}

fn has_elided_description(t: &LogicalType) -> bool {
    let own = match &t.kind {
        TypeKind::Row(fields) => fields
            .iter()
            .any(|f| f.description.as_deref() == Some("...")),
        _ => false,
    };
    own || t.children().into_iter().any(has_elided_description)
}

fn normalize(t: &LogicalType, drop_descriptions: bool) -> LogicalType {
    let n = |x: &LogicalType| normalize(x, drop_descriptions);
    let kind = match &t.kind {
        TypeKind::Raw { class, .. } => TypeKind::Raw {
            class: class.clone(),
            serializer_class: String::new(),
            serializer: String::new(),
        },
        TypeKind::Array(x) => TypeKind::Array(Box::new(n(x))),
        TypeKind::Multiset(x) => TypeKind::Multiset(Box::new(n(x))),
        TypeKind::Map { key, value } => TypeKind::Map {
            key: Box::new(n(key)),
            value: Box::new(n(value)),
        },
        TypeKind::Row(fields) => TypeKind::Row(
            fields
                .iter()
                .map(|f| super::logical_type::RowField {
                    name: f.name.clone(),
                    ty: n(&f.ty),
                    description: if drop_descriptions {
                        None
                    } else {
                        f.description.clone()
                    },
                })
                .collect(),
        ),
        other => other.clone(),
    };
    LogicalType {
        nullable: t.nullable,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::notation::{parse_state_type, parse_type};
    use crate::schema::types::{Generic, Subclass};

    fn t(s: &str) -> Type {
        parse_type(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn check(old: &str, new: &str) -> Resolution {
        resolve(&t(old), &t(new), &Options::default())
    }

    fn kinds(r: &Resolution) -> Vec<ChangeKind> {
        r.decisive().map(|c| c.kind).collect()
    }

    #[test]
    fn basic_types() {
        assert_eq!(check("Long", "Long").result, Compat::AsIs);
        let r = check("Integer", "Long");
        assert_eq!(r.result, Compat::Incompatible);
        assert_eq!(kinds(&r), [ChangeKind::TypeChanged]);
        assert!(
            r.changes[0].message.contains("Integer -> Long"),
            "{:?}",
            r.changes
        );
        assert_eq!(check("byte[]", "long[]").result, Compat::Incompatible);
        assert_eq!(check("Long", "String").result, Compat::Incompatible);
    }

    #[test]
    fn pojo_evolution() {
        let base = "PojoType<a.P, fields = [count: Integer, name: String]>";
        assert_eq!(check(base, base).result, Compat::AsIs);
        let r = check(
            base,
            "PojoType<a.P, fields = [count: Integer, extra: Long, name: String]>",
        );
        assert_eq!(r.result, Compat::AfterMigration);
        assert_eq!(kinds(&r), [ChangeKind::FieldAdded]);
        assert_eq!(r.changes[0].path, "extra");
        let r = check(base, "PojoType<a.P, fields = [count: Integer]>");
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::AfterMigration, vec![ChangeKind::FieldRemoved])
        );
        let r = check(base, "PojoType<a.P, fields = [count: Long, name: String]>");
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::Incompatible, vec![ChangeKind::TypeChanged])
        );
        assert_eq!(r.changes[0].path, "count");
        // A nested POJO that evolved migrates with its parent.
        let r = check(
            "PojoType<a.P, fields = [inner: PojoType<a.Q, fields = [x: Long]>]>",
            "PojoType<a.P, fields = [inner: PojoType<a.Q, fields = [x: Long, y: Long]>]>",
        );
        assert_eq!(r.result, Compat::AfterMigration);
        assert_eq!(r.changes[0].path, "inner.y");
        // Renamed class: Flink fails reading the old snapshot.
        let r = check(
            base,
            "PojoType<a.Renamed, fields = [count: Integer, name: String]>",
        );
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::ReadFailure, vec![ChangeKind::ClassRenamed])
        );
        // No longer a POJO: Kryo now.
        let r = check(base, "GenericType<a.P>");
        assert_eq!(r.result, Compat::Incompatible);
    }

    #[test]
    fn pojo_subclass_registrations() {
        let pojo = |registered: Option<Vec<&str>>, non_registered: Vec<&str>| {
            Type::Pojo(Pojo {
                class: "a.P".into(),
                fields: vec![],
                registered_subclasses: registered.map(|r| {
                    r.into_iter()
                        .map(|c| Subclass {
                            class: c.into(),
                            ty: None,
                        })
                        .collect()
                }),
                non_registered_subclasses: Some(
                    non_registered
                        .into_iter()
                        .map(|c| Subclass {
                            class: c.into(),
                            ty: None,
                        })
                        .collect(),
                ),
            })
        };
        let o = Options::default();
        let same = resolve(
            &pojo(Some(vec!["a.S1", "a.S2"]), vec![]),
            &pojo(Some(vec!["a.S1", "a.S2", "a.S3"]), vec![]),
            &o,
        );
        assert_eq!(same.result, Compat::AsIs);
        let reordered = resolve(
            &pojo(Some(vec!["a.S1", "a.S2"]), vec![]),
            &pojo(Some(vec!["a.S2", "a.S1"]), vec![]),
            &o,
        );
        assert_eq!(reordered.result, Compat::Reconfigured);
        let unregistered = resolve(
            &pojo(Some(vec![]), vec!["a.S9"]),
            &pojo(Some(vec![]), vec![]),
            &o,
        );
        assert_eq!(
            (unregistered.result, kinds(&unregistered)),
            (Compat::Reconfigured, vec![ChangeKind::SubclassesChanged])
        );
    }

    #[test]
    fn tuples_rows_and_case_classes() {
        let r = check(
            "Java Tuple2<String, Long>",
            "Java Tuple3<String, Long, Long>",
        );
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::Incompatible, vec![ChangeKind::ArityChanged])
        );
        let r = check("Java Tuple2<String, Long>", "Java Tuple2<String, Integer>");
        assert_eq!(r.result, Compat::Incompatible);
        assert_eq!(r.changes[0].path, "f1");
        let r = check(
            "Row(name: String, cnt: Long)",
            "Row(name: String, cnt: Long, extra: Long)",
        );
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::Incompatible, vec![ChangeKind::ArityChanged])
        );
        // Row names are not stored: a rename alone is as is (and noted).
        let r = check(
            "Row(name: String, cnt: Long)",
            "Row(label: String, cnt: Long)",
        );
        assert_eq!(r.result, Compat::AsIs);
        assert_eq!(r.changes[0].kind, ChangeKind::FieldRenamed);
        // Row kind flag: snapshot-only detail.
        let row = |k| Type::Row {
            fields: vec![],
            row_kind: Some(k),
        };
        assert_eq!(
            resolve(&row(false), &row(true), &Options::default()).result,
            Compat::AfterMigration
        );
        assert_eq!(
            check("C(a: Long)", "C(a: Long, b: Long)").result,
            Compat::Incompatible
        );
    }

    #[test]
    fn collections() {
        assert_eq!(check("List<Long>", "List<Long>").result, Compat::AsIs);
        let r = check(
            "Map<String, PojoType<a.V, fields = [x: Long]>>",
            "Map<String, PojoType<a.V, fields = [x: Long, y: Long]>>",
        );
        assert_eq!(r.result, Compat::AfterMigration);
        assert_eq!(r.changes[0].path, "value.y");
        assert_eq!(
            check("Map<String, Long>", "Map<Integer, Long>").result,
            Compat::Incompatible
        );
        assert_eq!(
            check("List<Long>", "Set<Long>").result,
            Compat::Incompatible
        );
        // Flink 1.x Kryo for a java.util collection vs the built-in serializer of 2.x.
        let r = check("GenericType<java.util.List>", "List<String>");
        assert_eq!(kinds(&r), [ChangeKind::KryoToBuiltInCollection]);
    }

    #[test]
    fn enums() {
        let e = |c: &[&str]| Type::Enum {
            class: "a.Color".into(),
            constants: Some(c.iter().map(|s| s.to_string()).collect()),
        };
        let o = Options::default();
        assert_eq!(
            resolve(&e(&["RED", "GREEN"]), &e(&["RED", "GREEN"]), &o).result,
            Compat::AsIs
        );
        let added = resolve(&e(&["RED", "GREEN"]), &e(&["RED", "GREEN", "BLUE"]), &o);
        assert_eq!(
            (added.result, kinds(&added)),
            (Compat::Reconfigured, vec![ChangeKind::EnumConstantsChanged])
        );
        let reordered = resolve(&e(&["RED", "GREEN"]), &e(&["GREEN", "RED"]), &o);
        assert!(reordered.changes[0].message.contains("reordered"));
        assert_eq!(reordered.result, Compat::Reconfigured);
        let removed = resolve(&e(&["RED", "GREEN", "BLUE"]), &e(&["RED", "GREEN"]), &o);
        assert_eq!(
            (removed.result, kinds(&removed)),
            (Compat::ReadFailure, vec![ChangeKind::EnumConstantRemoved])
        );
        assert!(removed.changes[0].message.contains("BLUE"));
        // The notation does not list constants: assumed unchanged.
        assert_eq!(
            resolve(&e(&["RED"]), &t("EnumTypeInfo<a.Color>"), &o).result,
            Compat::AsIs
        );
        let renamed = resolve(&e(&["RED"]), &t("EnumTypeInfo<a.Colour>"), &o);
        assert_eq!(renamed.result, Compat::ReadFailure);
    }

    #[test]
    fn kryo() {
        let g = |regs: &[&str]| {
            Type::Generic(Generic {
                class: "a.Outer$Blob".into(),
                registrations: Some(regs.iter().map(|r| (r.to_string(), None)).collect()),
                default_serializers: Some(vec![]),
            })
        };
        let o = Options::default();
        assert_eq!(
            resolve(&g(&["x", "y"]), &g(&["x", "y", "z"]), &o).result,
            Compat::AsIs
        );
        assert_eq!(
            resolve(&g(&["x", "y"]), &g(&["y", "x"]), &o).result,
            Compat::Reconfigured
        );
        // Canonical names (GenericType<...> prints them) match binary names.
        assert_eq!(
            resolve(&g(&["x"]), &t("GenericType<a.Outer.Blob>"), &o).result,
            Compat::AsIs
        );
        assert_eq!(
            resolve(&g(&["x"]), &t("GenericType<a.Other>"), &o).result,
            Compat::ReadFailure
        );
    }

    #[test]
    fn row_data_is_exact() {
        let old = "ROW<`f0` BIGINT, `f1` BIGINT>";
        // Top-level names are not stored in the snapshot.
        assert_eq!(
            check(old, "ROW<`cnt` BIGINT, `sum` BIGINT>").result,
            Compat::AsIs
        );
        let r = check(old, "ROW<`cnt` BIGINT NOT NULL, `sum` BIGINT>");
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::Incompatible, vec![ChangeKind::RowDataChanged])
        );
        assert!(
            r.changes[0].message.contains("only nullability"),
            "{}",
            r.changes[0].message
        );
        assert_eq!(check(old, "ROW<`a` BIGINT>").result, Compat::Incompatible);
        assert_eq!(
            check(old, "ROW<`a` BIGINT, `b` INT>").result,
            Compat::Incompatible
        );
        // Nested row field names count.
        assert_eq!(
            check("ROW<`r` ROW<`a` INT>>", "ROW<`r` ROW<`b` INT>>").result,
            Compat::Incompatible
        );
        // Summary strings and serializable strings describe the same types.
        assert_eq!(
            check("ROW<`f0` VARCHAR(2147483647)>", "ROW<`k` STRING>").result,
            Compat::AsIs
        );
        assert_eq!(
            check("ROW<`f0` DECIMAL(10, 2)>", "ROW<`f0` DECIMAL(12, 2)>").result,
            Compat::Incompatible
        );
    }

    #[test]
    fn ttl_depends_on_the_flink_version() {
        let plain = t("Long");
        let ttl = Type::Ttl(Box::new(t("Long")));
        let old_flink = Options {
            ttl_migration: false,
            legacy_snapshots_unreadable: true,
        };
        let new_flink = Options {
            ttl_migration: true,
            legacy_snapshots_unreadable: true,
        };
        let r = resolve(&plain, &ttl, &old_flink);
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::Incompatible, vec![ChangeKind::TtlChanged])
        );
        assert!(r.changes[0].message.contains("enabled"));
        let r = resolve(&ttl, &plain, &new_flink);
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::AfterMigration, vec![ChangeKind::TtlChanged])
        );
        assert!(r.changes[0].message.contains("disabled"));
        // On 2.1+ the inner types still decide.
        let r = resolve(&Type::Ttl(Box::new(t("Long"))), &t("String"), &new_flink);
        assert_eq!(r.result, Compat::Incompatible);
        assert_eq!(resolve(&ttl, &ttl, &old_flink).result, Compat::AsIs);
    }

    #[test]
    fn avro_schema_resolution() {
        let v1 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"}]}"#;
        let v2 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
        let v3 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"},{"name":"note","type":"string"}]}"#;
        let v4 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"int"}]}"#;
        let avro = |s: &str| parse_state_type("AvroType<com.acme.Event>", Some(s)).unwrap();
        let o = Options::default();
        assert_eq!(resolve(&avro(v1), &avro(v1), &o).result, Compat::AsIs);
        let r = resolve(&avro(v1), &avro(v2), &o);
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::AfterMigration, vec![ChangeKind::AvroSchemaEvolved])
        );
        let r = resolve(&avro(v1), &avro(v3), &o);
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::Incompatible, vec![ChangeKind::AvroIncompatible])
        );
        assert!(
            r.changes[0].message.contains("note"),
            "{}",
            r.changes[0].message
        );
        // long -> int cannot be read; int -> long can (promotion).
        assert_eq!(
            resolve(&avro(v1), &avro(v4), &o).result,
            Compat::Incompatible
        );
        assert_eq!(
            resolve(&avro(v4), &avro(v1), &o).result,
            Compat::AfterMigration
        );
        // Without the new schema nothing can be said.
        let r = resolve(&avro(v1), &t("AvroType<com.acme.Event>"), &o);
        assert_eq!(
            (r.result, kinds(&r)),
            (Compat::Unknown, vec![ChangeKind::NotDescribed])
        );
        // Flink prints Avro specific records as PojoType<...>.
        let r = resolve(
            &avro(v1),
            &t("PojoType<com.acme.Event, fields = [id: Long]>"),
            &o,
        );
        assert_eq!(r.result, Compat::Unknown);
        assert_eq!(
            resolve(&avro(v1), &avro("not json"), &o).result,
            Compat::Unknown
        );
    }

    #[test]
    fn user_and_legacy_snapshots() {
        let opaque = |c: &str| Type::Opaque {
            class: c.into(),
            reason: "user".into(),
            version: None,
        };
        let o = Options::default();
        let r = resolve(&opaque("a.MySnap"), &opaque("a.MySnap"), &o);
        assert_eq!(
            (r.result, kinds(&r)),
            (
                Compat::Unknown,
                vec![ChangeKind::UserSerializer {
                    old: true,
                    new: true
                }]
            )
        );
        assert_eq!(
            resolve(&t("Long"), &opaque("a.MySnap"), &o).result,
            Compat::Unknown
        );
        let legacy = Type::Legacy {
            class: "a.Old".into(),
            serializer: None,
        };
        assert_eq!(resolve(&legacy, &t("Long"), &o).result, Compat::ReadFailure);
        let o16 = Options {
            ttl_migration: false,
            legacy_snapshots_unreadable: false,
        };
        assert_eq!(resolve(&legacy, &t("Long"), &o16).result, Compat::Unknown);
    }

    #[test]
    fn worst_part_decides() {
        let r = check(
            "Java Tuple3<PojoType<a.P, fields = [x: Long]>, Long, Integer>",
            "Java Tuple3<PojoType<a.P, fields = [x: Long, y: Long]>, Long, Long>",
        );
        assert_eq!(r.result, Compat::Incompatible);
        assert_eq!(r.changes.len(), 2);
        assert_eq!(kinds(&r), [ChangeKind::TypeChanged]);
        assert!(Compat::AfterMigration.is_compatible() && !Compat::Unknown.is_compatible());
        let deep = (0..300).fold(t("Long"), |acc, _| Type::List(Box::new(acc)));
        assert_eq!(
            resolve(&deep, &deep, &Options::default()).result,
            Compat::Unknown
        );
    }
}
