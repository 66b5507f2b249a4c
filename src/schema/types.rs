//! One model for the type of a state, whichever way it was described: a serializer snapshot
//! read from a savepoint ([`Type::from_snapshot`]) or the type notation of the job-graph format
//! (`TypeInformation#toString()` strings and SQL logical types, see [`super::notation`]).
//!
//! The model follows the serializers rather than the Java types, because Flink decides
//! compatibility serializer by serializer: two types are "the same" here when Flink would pick
//! the same serializer for them. Details a notation cannot express (enum constants, Kryo
//! registrations, POJO subclasses, Avro schemas) are `None` there, meaning "not described".
//!
//! [`Display`](std::fmt::Display) prints the notation Flink prints (`Java Tuple2<String, Long>`,
//! `PojoType<com.acme.Seen, fields = [count: Long]>`, ...), and [`Type::outline`] prints one
//! line per field for readable diffs.

use std::fmt;

use super::logical_type::{LogicalType, TypeKind};
use super::snapshot::{SerializerSnapshot, SnapshotDetail};

/// A state type as Flink serializes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// A parameterless serializer: basic types, primitive arrays, namespaces, windows, ...
    Simple(Simple),
    /// Object arrays (`GenericArraySerializer`): `BasicArrayTypeInfo<Integer>`,
    /// `ObjectArrayTypeInfo<...>`.
    Array {
        /// The component class recorded in the snapshot; `None` when not described.
        component_class: Option<String>,
        component: Box<Type>,
    },
    /// Java tuples. `class` is the tuple class, e.g. `org.apache.flink.api.java.tuple.Tuple2`.
    Tuple {
        class: String,
        fields: Vec<Type>,
    },
    /// DataStream `Row` (`RowTypeInfo`). Field names are not stored in snapshots.
    Row {
        fields: Vec<Field>,
        /// Whether the serializer writes the row kind; `None` when not described.
        row_kind: Option<bool>,
    },
    Pojo(Pojo),
    /// A generic type serialized by Kryo.
    Generic(Generic),
    Enum {
        class: String,
        /// In the order of the serializer's ids; `None` when not described.
        constants: Option<Vec<String>>,
    },
    Avro {
        /// The record class; `None` (or `GenericRecord`) for generic records.
        class: Option<String>,
        /// The Avro schema JSON; `None` when not described.
        schema: Option<String>,
    },
    List(Box<Type>),
    Map(Box<Type>, Box<Type>),
    Set(Box<Type>),
    Either(Box<Type>, Box<Type>),
    /// `NullableSerializer` around another serializer.
    Nullable(Box<Type>),
    /// Serializers of one named class: `ValueSerializer`, `CopyableValueSerializer`,
    /// `WritableSerializer` (`serializer` is the serializer's short name).
    ValueClass {
        serializer: String,
        class: String,
    },
    /// SQL `RowData` (`RowDataSerializer`): one logical type per field. Top-level field names
    /// are not stored in snapshots.
    RowData(Vec<SqlField>),
    /// A SQL serializer with parameters, e.g. `DecimalDataSerializer` (precision, scale).
    Parameterized {
        serializer: String,
        values: Vec<(String, i64)>,
    },
    /// A SQL type whose runtime serializer this model does not spell out (ARRAY, MAP, RAW, ...).
    Sql(LogicalType),
    /// Scala case classes (Flink 1.x Scala API).
    CaseClass {
        class: String,
        fields: Vec<Field>,
    },
    /// Scala `Option` (Flink 1.x Scala API).
    ScalaOption(Box<Type>),
    /// Timer queue elements.
    Timer {
        key: Box<Type>,
        namespace: Box<Type>,
    },
    /// The state TTL wrapper: the user value plus its last-access timestamp.
    Ttl(Box<Type>),
    /// Another composite serializer whose nested serializers are known.
    Composite {
        class: String,
        outer_class: Option<String>,
        nested: Vec<Type>,
    },
    /// A pre-1.7 `TypeSerializerConfigSnapshot` (unreadable since Flink 1.17).
    Legacy {
        class: String,
        /// The serializer class the config snapshot carries, when it could be read.
        serializer: Option<String>,
    },
    /// A snapshot class spcompat cannot interpret, usually a user-defined serializer.
    Opaque {
        class: String,
        reason: String,
        /// The snapshot's own version, when read from a savepoint.
        version: Option<i32>,
    },
}

/// A parameterless serializer, identified by its serializer class (the snapshot class up to
/// its first `$`, e.g. `org.apache.flink.api.common.typeutils.base.LongSerializer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simple {
    pub id: String,
}

/// A named (or positional) field of a Row, tuple-like or case class.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: Option<String>,
    pub ty: Type,
}

/// A field of SQL `RowData`.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlField {
    pub name: Option<String>,
    pub ty: LogicalType,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pojo {
    pub class: String,
    pub fields: Vec<PojoField>,
    /// `None` when not described (notation).
    pub registered_subclasses: Option<Vec<Subclass>>,
    pub non_registered_subclasses: Option<Vec<Subclass>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PojoField {
    pub name: String,
    /// The class declaring the field, when the snapshot says.
    pub declaring_class: Option<String>,
    /// `None` when Flink wrote no snapshot for the field.
    pub ty: Option<Type>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subclass {
    pub class: String,
    pub ty: Option<Type>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Generic {
    /// Binary class name (`$` for nested classes) as snapshots record it, or the canonical
    /// name `GenericType<...>` prints; compare with [`same_class`].
    pub class: String,
    /// Kryo registrations in order (class, serializer class); `None` when not described.
    pub registrations: Option<Vec<(String, Option<String>)>>,
    /// Classes with a default Kryo serializer; `None` when not described.
    pub default_serializers: Option<Vec<String>>,
}

/// Serializer class ids and the names Flink's `TypeInformation#toString()` prints for them.
const SIMPLE_NAMES: &[(&str, &str)] = &[
    (
        "org.apache.flink.api.common.typeutils.base.LongSerializer",
        "Long",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.IntSerializer",
        "Integer",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.StringSerializer",
        "String",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.DoubleSerializer",
        "Double",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.FloatSerializer",
        "Float",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.BooleanSerializer",
        "Boolean",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.ByteSerializer",
        "Byte",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.ShortSerializer",
        "Short",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.CharSerializer",
        "Character",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.BigIntSerializer",
        "BigInteger",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.BigDecSerializer",
        "BigDecimal",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.VoidSerializer",
        "Void",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.InstantSerializer",
        "Instant",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.LocalDateSerializer",
        "LocalDate",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.LocalTimeSerializer",
        "LocalTime",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.LocalDateTimeSerializer",
        "LocalDateTime",
    ),
    // `Date` is printed for both java.util.Date and java.sql.Date; see DATE_EITHER.
    (
        "org.apache.flink.api.common.typeutils.base.DateSerializer",
        "Date",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.SqlDateSerializer",
        "Date",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.SqlTimeSerializer",
        "Time",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.SqlTimestampSerializer",
        "Timestamp",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.BooleanValueSerializer",
        "ValueType<BooleanValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.ByteValueSerializer",
        "ValueType<ByteValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.CharValueSerializer",
        "ValueType<CharValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.DoubleValueSerializer",
        "ValueType<DoubleValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.FloatValueSerializer",
        "ValueType<FloatValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.IntValueSerializer",
        "ValueType<IntValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.LongValueSerializer",
        "ValueType<LongValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.NullValueSerializer",
        "ValueType<NullValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.ShortValueSerializer",
        "ValueType<ShortValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.StringValueSerializer",
        "ValueType<StringValue>",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer",
        "byte[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.IntPrimitiveArraySerializer",
        "int[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer",
        "long[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.ShortPrimitiveArraySerializer",
        "short[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.CharPrimitiveArraySerializer",
        "char[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.FloatPrimitiveArraySerializer",
        "float[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer",
        "double[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.BooleanPrimitiveArraySerializer",
        "boolean[]",
    ),
    (
        "org.apache.flink.api.common.typeutils.base.array.StringArraySerializer",
        "BasicArrayTypeInfo<String>",
    ),
    (
        "org.apache.flink.runtime.state.VoidNamespaceSerializer",
        "VoidNamespace",
    ),
    (
        "org.apache.flink.streaming.api.windowing.windows.TimeWindow",
        "TimeWindow",
    ),
    (
        "org.apache.flink.streaming.api.windowing.windows.GlobalWindow",
        "GlobalWindow",
    ),
    (
        "org.apache.flink.table.runtime.typeutils.StringDataSerializer",
        "STRING",
    ),
    (
        "org.apache.flink.runtime.state.JavaSerializer",
        "JavaSerializer",
    ),
];

/// Stands for "java.util.Date or java.sql.Date": the notation `Date` does not say which.
pub const DATE_EITHER: &str = "Date (java.util.Date or java.sql.Date)";

const TUPLE_PACKAGE: &str = "org.apache.flink.api.java.tuple.";

impl Simple {
    pub fn new(id: impl Into<String>) -> Simple {
        Simple { id: id.into() }
    }

    /// The simple serializer Flink's notation `name` stands for (`Long`, `byte[]`, ...).
    pub fn from_notation(name: &str) -> Option<Simple> {
        if name == "Date" {
            return Some(Simple::new(DATE_EITHER));
        }
        SIMPLE_NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(id, _)| Simple::new(*id))
    }

    /// The name Flink's notation prints for this serializer.
    pub fn display_name(&self) -> String {
        if self.id == DATE_EITHER {
            return "Date".to_string();
        }
        match SIMPLE_NAMES.iter().find(|(id, _)| *id == self.id) {
            Some((_, n)) => (*n).to_string(),
            None => {
                let short = self.id.rsplit('.').next().unwrap_or(&self.id);
                short
                    .strip_suffix("Serializer")
                    .unwrap_or(short)
                    .to_string()
            }
        }
    }

    /// Do these two describe the same serializer? (`Date` from a notation matches either date
    /// serializer.)
    pub fn matches(&self, other: &Simple) -> bool {
        const DATES: [&str; 2] = [
            "org.apache.flink.api.common.typeutils.base.DateSerializer",
            "org.apache.flink.api.common.typeutils.base.SqlDateSerializer",
        ];
        self.id == other.id
            || (self.id == DATE_EITHER && DATES.contains(&other.id.as_str()))
            || (other.id == DATE_EITHER && DATES.contains(&self.id.as_str()))
    }
}

/// Do two class names denote the same class? Snapshots record binary names (`Outer$Inner`),
/// `GenericType<...>` prints canonical names (`Outer.Inner`), and `ValueType<...>` prints only
/// the simple name.
pub fn same_class(a: &str, b: &str) -> bool {
    let na = a.replace('$', ".");
    let nb = b.replace('$', ".");
    if na == nb {
        return true;
    }
    // One side is a simple name (no package): compare with the other's last segment.
    let simple = |s: &str| !s.contains('.');
    (simple(&na) && nb.rsplit('.').next() == Some(na.as_str()))
        || (simple(&nb) && na.rsplit('.').next() == Some(nb.as_str()))
}

/// The snapshot class without its `$...Snapshot` tail: the serializer's class.
fn serializer_id(class: &str) -> &str {
    class.split('$').next().unwrap_or(class)
}

fn short(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

/// `TupleN` from the arity.
pub fn tuple_class(arity: usize) -> String {
    format!("{TUPLE_PACKAGE}Tuple{arity}")
}

impl Type {
    /// The type a serializer snapshot describes.
    pub fn from_snapshot(s: &SerializerSnapshot) -> Type {
        from_snapshot(s, 0)
    }

    /// Strips a TTL wrapper.
    pub fn without_ttl(&self) -> &Type {
        match self {
            Type::Ttl(inner) => inner,
            other => other,
        }
    }

    pub fn is_ttl(&self) -> bool {
        matches!(self, Type::Ttl(_))
    }

    /// Direct children, for walking the tree.
    pub fn children(&self) -> Vec<&Type> {
        match self {
            Type::Array { component, .. } => vec![component],
            Type::Tuple { fields, .. } => fields.iter().collect(),
            Type::Row { fields, .. } | Type::CaseClass { fields, .. } => {
                fields.iter().map(|f| &f.ty).collect()
            }
            Type::Pojo(p) => {
                let mut out: Vec<&Type> = p.fields.iter().filter_map(|f| f.ty.as_ref()).collect();
                for subs in [&p.registered_subclasses, &p.non_registered_subclasses]
                    .into_iter()
                    .flatten()
                {
                    out.extend(subs.iter().filter_map(|s| s.ty.as_ref()));
                }
                out
            }
            Type::List(t) | Type::Set(t) | Type::Nullable(t) | Type::ScalaOption(t) => vec![t],
            Type::Ttl(t) => vec![t],
            Type::Map(k, v) | Type::Either(k, v) => vec![k, v],
            Type::Timer { key, namespace } => vec![key, namespace],
            Type::Composite { nested, .. } => nested.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Visits this type and every nested one.
    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a Type)) {
        f(self);
        for c in self.children() {
            c.visit(f);
        }
    }

    /// The serializer class Flink uses for this type, as its `toString()` starts (for error
    /// texts such as `The new key serializer (<class>@<hash>) ...`).
    pub fn serializer_class(&self) -> String {
        let s = match self {
            Type::Simple(s) if s.id == DATE_EITHER => {
                "org.apache.flink.api.common.typeutils.base.DateSerializer"
            }
            Type::Simple(s) => return s.id.clone(),
            Type::Array { .. } => {
                "org.apache.flink.api.common.typeutils.base.GenericArraySerializer"
            }
            Type::Tuple { .. } => "org.apache.flink.api.java.typeutils.runtime.TupleSerializer",
            Type::Row { .. } => "org.apache.flink.api.java.typeutils.runtime.RowSerializer",
            Type::Pojo(_) => "org.apache.flink.api.java.typeutils.runtime.PojoSerializer",
            Type::Generic(_) => "org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer",
            Type::Enum { .. } => "org.apache.flink.api.common.typeutils.base.EnumSerializer",
            Type::Avro { .. } => "org.apache.flink.formats.avro.typeutils.AvroSerializer",
            Type::List(_) => "org.apache.flink.api.common.typeutils.base.ListSerializer",
            Type::Map(..) => "org.apache.flink.api.common.typeutils.base.MapSerializer",
            Type::Set(_) => "org.apache.flink.api.common.typeutils.base.SetSerializer",
            Type::Either(..) => "org.apache.flink.api.java.typeutils.runtime.EitherSerializer",
            Type::Nullable(_) => "org.apache.flink.api.java.typeutils.runtime.NullableSerializer",
            Type::ValueClass { serializer, .. } => serializer,
            Type::RowData(_) => "org.apache.flink.table.runtime.typeutils.RowDataSerializer",
            Type::Parameterized { serializer, .. } => serializer,
            Type::Sql(_) => "org.apache.flink.table.runtime.typeutils.InternalSerializers",
            Type::CaseClass { .. } => {
                "org.apache.flink.api.scala.typeutils.ScalaCaseClassSerializer"
            }
            Type::ScalaOption(_) => "org.apache.flink.api.scala.typeutils.OptionSerializer",
            Type::Timer { .. } => "org.apache.flink.streaming.api.operators.TimerSerializer",
            Type::Ttl(_) => "org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializer",
            Type::Composite { class, .. }
            | Type::Legacy { class, .. }
            | Type::Opaque { class, .. } => {
                return class
                    .strip_suffix("Snapshot")
                    .map(|c| c.split('$').next().unwrap_or(c))
                    .unwrap_or(class)
                    .to_string();
            }
        };
        s.to_string()
    }

    /// One line per field, indented by nesting: the form used for schema diffs.
    pub fn outline(&self) -> Vec<String> {
        let mut out = Vec::new();
        outline(self, "", 0, &mut out);
        out
    }
}

fn nested_types(nested: &[SerializerSnapshot], depth: u32) -> Vec<Type> {
    nested.iter().map(|n| from_snapshot(n, depth + 1)).collect()
}

fn nth(nested: &[SerializerSnapshot], i: usize, depth: u32) -> Type {
    match nested.get(i) {
        Some(n) => from_snapshot(n, depth + 1),
        None => Type::Opaque {
            class: "?".to_string(),
            reason: format!("nested serializer {i} is missing from the snapshot"),
            version: None,
        },
    }
}

/// Deepest snapshot nesting converted; the snapshot reader bounds it already (48), this only
/// guards hand-made trees.
const MAX_DEPTH: u32 = 64;

fn from_snapshot(s: &SerializerSnapshot, depth: u32) -> Type {
    if depth > MAX_DEPTH {
        return Type::Opaque {
            class: s.class.clone(),
            reason: "nested too deeply".to_string(),
            version: None,
        };
    }
    let short_class = short(&s.class);
    match &s.detail {
        SnapshotDetail::Simple => {
            if short_class == "Tuple0SerializerSnapshot" {
                Type::Tuple {
                    class: tuple_class(0),
                    fields: Vec::new(),
                }
            } else {
                Type::Simple(Simple::new(serializer_id(&s.class)))
            }
        }
        SnapshotDetail::Composite {
            outer_class,
            supports_row_kind,
            nested,
            ..
        } => {
            let base = short_class.split('$').next().unwrap_or(short_class);
            match base {
                "ListSerializerSnapshot" | "ArrayListSerializerSnapshot" => {
                    Type::List(Box::new(nth(nested, 0, depth)))
                }
                "MapSerializerSnapshot" => Type::Map(
                    Box::new(nth(nested, 0, depth)),
                    Box::new(nth(nested, 1, depth)),
                ),
                "SetSerializerSnapshot" => Type::Set(Box::new(nth(nested, 0, depth))),
                "GenericArraySerializerSnapshot" | "GenericArraySerializer" => Type::Array {
                    component_class: outer_class.clone(),
                    component: Box::new(nth(nested, 0, depth)),
                },
                "TupleSerializerSnapshot" => Type::Tuple {
                    class: outer_class
                        .clone()
                        .unwrap_or_else(|| tuple_class(nested.len())),
                    fields: nested_types(nested, depth),
                },
                "RowSerializer" => Type::Row {
                    fields: nested_types(nested, depth)
                        .into_iter()
                        .map(|ty| Field { name: None, ty })
                        .collect(),
                    row_kind: *supports_row_kind,
                },
                "NullableSerializer" => Type::Nullable(Box::new(nth(nested, 0, depth))),
                "JavaEitherSerializerSnapshot" => Type::Either(
                    Box::new(nth(nested, 0, depth)),
                    Box::new(nth(nested, 1, depth)),
                ),
                "TtlStateFactory" if s.class.contains(".ttl.") => {
                    Type::Ttl(Box::new(nth(nested, 1, depth)))
                }
                "TimerSerializerSnapshot" => Type::Timer {
                    key: Box::new(nth(nested, 0, depth)),
                    namespace: Box::new(nth(nested, 1, depth)),
                },
                "ScalaCaseClassSerializerSnapshot" => Type::CaseClass {
                    class: outer_class.clone().unwrap_or_default(),
                    fields: nested_types(nested, depth)
                        .into_iter()
                        .map(|ty| Field { name: None, ty })
                        .collect(),
                },
                "OptionSerializerSnapshot" | "ScalaOptionSerializerSnapshot"
                    if s.class.contains(".scala.") =>
                {
                    Type::ScalaOption(Box::new(nth(nested, 0, depth)))
                }
                _ => Type::Composite {
                    class: s.class.clone(),
                    outer_class: outer_class.clone(),
                    nested: nested_types(nested, depth),
                },
            }
        }
        SnapshotDetail::Pojo {
            pojo_class,
            fields,
            registered_subclasses,
            non_registered_subclasses,
        } => {
            let subclasses = |list: &[super::snapshot::NamedSnapshot]| {
                list.iter()
                    .map(|n| Subclass {
                        class: n.name.clone(),
                        ty: n.snapshot.as_ref().map(|s| from_snapshot(s, depth + 1)),
                    })
                    .collect::<Vec<_>>()
            };
            Type::Pojo(Pojo {
                class: pojo_class.clone(),
                fields: fields
                    .iter()
                    .map(|f| PojoField {
                        name: f.name.clone(),
                        declaring_class: f.declaring_class.clone(),
                        ty: f.snapshot.as_ref().map(|s| from_snapshot(s, depth + 1)),
                    })
                    .collect(),
                registered_subclasses: Some(subclasses(registered_subclasses)),
                non_registered_subclasses: Some(subclasses(non_registered_subclasses)),
            })
        }
        SnapshotDetail::Kryo {
            type_class,
            registrations,
            default_serializers,
            default_serializer_classes,
        } => Type::Generic(Generic {
            class: type_class.clone(),
            registrations: Some(
                registrations
                    .iter()
                    .map(|r| (r.class.clone(), r.serializer_class.clone()))
                    .collect(),
            ),
            default_serializers: Some(
                default_serializers
                    .iter()
                    .cloned()
                    .chain(default_serializer_classes.iter().map(|(c, _)| c.clone()))
                    .collect(),
            ),
        }),
        SnapshotDetail::Enum {
            enum_class,
            constants,
        } => Type::Enum {
            class: enum_class.clone(),
            constants: Some(constants.clone()),
        },
        SnapshotDetail::Avro {
            runtime_class,
            schema,
        } => Type::Avro {
            class: runtime_class.clone(),
            schema: Some(schema.clone()),
        },
        SnapshotDetail::RowData { logical_types, .. } => Type::RowData(
            logical_types
                .iter()
                .map(|t| SqlField {
                    name: None,
                    ty: super::notation::parse_logical_type(t).unwrap_or_else(|e| LogicalType {
                        nullable: true,
                        kind: TypeKind::Unknown {
                            class: "unreadable logical type".to_string(),
                            root: None,
                            fields: format!("{t}: {e}"),
                        },
                    }),
                })
                .collect(),
        ),
        SnapshotDetail::TypeClass { type_class } => {
            let base = short_class.split('$').next().unwrap_or(short_class);
            match base {
                "KryoSerializer" | "GenericTypeSerializerSnapshot" => Type::Generic(Generic {
                    class: type_class.clone(),
                    registrations: None,
                    default_serializers: None,
                }),
                "AvroSerializer" => Type::Avro {
                    class: Some(type_class.clone()),
                    schema: None,
                },
                other => Type::ValueClass {
                    serializer: other.to_string(),
                    class: type_class.clone(),
                },
            }
        }
        SnapshotDetail::Parameters { values } => Type::Parameterized {
            serializer: short_class
                .split('$')
                .next()
                .unwrap_or(short_class)
                .to_string(),
            values: values.clone(),
        },
        SnapshotDetail::TtlAware { ttl_enabled, inner } => {
            let inner = from_snapshot(inner, depth + 1);
            if *ttl_enabled {
                Type::Ttl(Box::new(inner))
            } else {
                inner
            }
        }
        SnapshotDetail::LegacyConfigSnapshot { serializer_class } => Type::Legacy {
            class: s.class.clone(),
            serializer: serializer_class.clone(),
        },
        SnapshotDetail::Unknown { reason } => Type::Opaque {
            class: s.class.clone(),
            reason: reason.clone(),
            version: Some(s.version),
        },
    }
}

// ------------------------------------------------------------------------------------------------
// Printing.

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_name(name: &Option<String>, i: usize) -> String {
    name.clone().unwrap_or_else(|| format!("f{i}"))
}

/// Is this a boxed basic type (component of `BasicArrayTypeInfo`)?
fn is_basic(t: &Type) -> bool {
    matches!(t, Type::Simple(s) if {
        let n = s.display_name();
        matches!(n.as_str(), "Long" | "Integer" | "String" | "Double" | "Float" | "Boolean"
            | "Byte" | "Short" | "Character" | "BigInteger" | "BigDecimal" | "Date" | "Void"
            | "Instant")
    })
}

fn sql_fields(fields: &[SqlField]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            format!(
                "`{}` {}",
                field_name(&f.name, i).replace('`', "``"),
                f.ty.summary_string()
            )
        })
        .collect();
    format!("ROW<{}>", parts.join(", "))
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Simple(s) => f.write_str(&s.display_name()),
            Type::Array { component, .. } if is_basic(component) => {
                write!(f, "BasicArrayTypeInfo<{component}>")
            }
            Type::Array { component, .. } => write!(f, "ObjectArrayTypeInfo<{component}>"),
            Type::Tuple { class, fields } => {
                let name = short(class);
                if fields.is_empty() {
                    write!(f, "Java {name}")
                } else {
                    write!(f, "Java {name}<{}>", join(fields))
                }
            }
            Type::Row { fields, .. } => {
                let parts: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, fl)| format!("{}: {}", field_name(&fl.name, i), fl.ty))
                    .collect();
                write!(f, "Row({})", parts.join(", "))
            }
            Type::Pojo(p) => {
                let parts: Vec<String> = p
                    .fields
                    .iter()
                    .map(|fl| match &fl.ty {
                        Some(t) => format!("{}: {t}", fl.name),
                        None => format!("{}: ?", fl.name),
                    })
                    .collect();
                write!(f, "PojoType<{}, fields = [{}]>", p.class, parts.join(", "))
            }
            Type::Generic(g) => write!(f, "GenericType<{}>", g.class.replace('$', ".")),
            Type::Enum { class, .. } => write!(f, "EnumTypeInfo<{class}>"),
            Type::Avro { class, schema } => match (class, schema) {
                (Some(c), _) if c != "org.apache.avro.generic.GenericRecord" => {
                    write!(f, "AvroType<{c}>")
                }
                (_, Some(s)) => write!(f, "GenericRecord({s})"),
                _ => write!(f, "GenericRecord(?)"),
            },
            Type::List(t) => write!(f, "List<{t}>"),
            Type::Map(k, v) => write!(f, "Map<{k}, {v}>"),
            Type::Set(t) => write!(f, "Set<{t}>"),
            Type::Either(l, r) => write!(f, "Either <{l}, {r}>"),
            Type::Nullable(t) => write!(f, "{t}"),
            Type::ValueClass { serializer, class } => match serializer.as_str() {
                "WritableSerializer" => write!(f, "WritableType<{class}>"),
                _ => write!(f, "ValueType<{}>", short(class)),
            },
            Type::RowData(fields) => f.write_str(&sql_fields(fields)),
            Type::Parameterized { serializer, values } => {
                let params: Vec<String> = values.iter().map(|(_, v)| v.to_string()).collect();
                match serializer.as_str() {
                    "DecimalDataSerializer" => write!(f, "DECIMAL({})", params.join(", ")),
                    "TimestampDataSerializer" => write!(f, "TIMESTAMP({})", params.join(", ")),
                    other => write!(f, "{other}({})", params.join(", ")),
                }
            }
            Type::Sql(t) => f.write_str(&t.summary_string()),
            Type::CaseClass { class, fields } => {
                let parts: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, fl)| format!("{}: {}", field_name(&fl.name, i), fl.ty))
                    .collect();
                write!(f, "{}({})", short(class), parts.join(", "))
            }
            Type::ScalaOption(t) => write!(f, "Option[{t}]"),
            Type::Timer { key, namespace } => {
                write!(f, "Timer<key = {key}, namespace = {namespace}>")
            }
            Type::Ttl(t) => write!(f, "TTL<{t}>"),
            Type::Composite { class, nested, .. } => {
                let base = short(class);
                let base = base.split('$').next().unwrap_or(base);
                write!(f, "{base}<{}>", join(nested))
            }
            Type::Legacy { class, .. } => write!(f, "LegacySnapshot<{class}>"),
            Type::Opaque { class, .. } => write!(f, "Opaque<{class}>"),
        }
    }
}

/// Is this type printed on one line in outlines (no fields worth a line of their own)?
fn is_leaf(t: &Type) -> bool {
    match t {
        Type::List(e) | Type::Set(e) | Type::Nullable(e) | Type::ScalaOption(e) => is_leaf(e),
        Type::Array { component, .. } => is_leaf(component),
        Type::Map(k, v) | Type::Either(k, v) => is_leaf(k) && is_leaf(v),
        Type::Tuple { fields, .. } => fields.is_empty(),
        Type::Row { .. }
        | Type::Pojo(_)
        | Type::RowData(_)
        | Type::CaseClass { .. }
        | Type::Ttl(_)
        | Type::Timer { .. }
        | Type::Composite { .. } => false,
        Type::Enum { constants, .. } => constants.is_none(),
        Type::Avro { schema, .. } => schema.is_none(),
        Type::Generic(_)
        | Type::Simple(_)
        | Type::ValueClass { .. }
        | Type::Parameterized { .. }
        | Type::Sql(_)
        | Type::Legacy { .. }
        | Type::Opaque { .. } => true,
    }
}

fn pad(indent: usize) -> String {
    "  ".repeat(indent)
}

fn outline(t: &Type, label: &str, indent: usize, out: &mut Vec<String>) {
    let p = pad(indent);
    if is_leaf(t) {
        out.push(format!("{p}{label}{t}"));
        return;
    }
    let child = |name: String, ty: &Type, out: &mut Vec<String>| {
        outline(ty, &format!("{name}: "), indent + 1, out)
    };
    match t {
        Type::Tuple { class, fields } => {
            out.push(format!("{p}{label}Java {}", short(class)));
            for (i, f) in fields.iter().enumerate() {
                child(format!("f{i}"), f, out);
            }
        }
        Type::Row { fields, row_kind } => {
            let kind = match row_kind {
                Some(true) => " (with row kind)",
                Some(false) => " (without row kind)",
                None => "",
            };
            out.push(format!("{p}{label}Row{kind}"));
            for (i, f) in fields.iter().enumerate() {
                child(field_name(&f.name, i), &f.ty, out);
            }
        }
        Type::CaseClass { class, fields } => {
            out.push(format!("{p}{label}{class}"));
            for (i, f) in fields.iter().enumerate() {
                child(field_name(&f.name, i), &f.ty, out);
            }
        }
        Type::Pojo(pj) => {
            out.push(format!("{p}{label}PojoType<{}>", pj.class));
            for f in &pj.fields {
                match &f.ty {
                    Some(ty) => child(f.name.clone(), ty, out),
                    None => out.push(format!(
                        "{}{}: (no serializer recorded)",
                        pad(indent + 1),
                        f.name
                    )),
                }
            }
            for (what, subs) in [
                ("registered subclass", &pj.registered_subclasses),
                ("non-registered subclass", &pj.non_registered_subclasses),
            ] {
                for s in subs.iter().flatten() {
                    out.push(format!("{}{what} {}", pad(indent + 1), s.class));
                }
            }
        }
        Type::RowData(fields) => {
            out.push(format!("{p}{label}ROW"));
            for (i, f) in fields.iter().enumerate() {
                out.push(format!(
                    "{}`{}` {}",
                    pad(indent + 1),
                    field_name(&f.name, i),
                    f.ty.summary_string()
                ));
            }
        }
        Type::Enum {
            class,
            constants: Some(constants),
        } => {
            out.push(format!("{p}{label}EnumTypeInfo<{class}>"));
            for c in constants {
                out.push(format!("{}{c}", pad(indent + 1)));
            }
        }
        Type::Avro {
            class,
            schema: Some(schema),
        } => {
            let head = match class {
                Some(c) if c != "org.apache.avro.generic.GenericRecord" => format!("AvroType<{c}>"),
                _ => "GenericRecord".to_string(),
            };
            out.push(format!("{p}{label}{head}"));
            let pretty = serde_json::from_str::<serde_json::Value>(schema)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| schema.clone());
            for line in pretty.lines() {
                out.push(format!("{}{line}", pad(indent + 1)));
            }
        }
        Type::List(e) => {
            out.push(format!("{p}{label}List"));
            child("element".into(), e, out);
        }
        Type::Set(e) => {
            out.push(format!("{p}{label}Set"));
            child("element".into(), e, out);
        }
        Type::Nullable(e) => outline(e, label, indent, out),
        Type::ScalaOption(e) => {
            out.push(format!("{p}{label}Option"));
            child("value".into(), e, out);
        }
        Type::Array { component, .. } => {
            out.push(format!("{p}{label}Array"));
            child("component".into(), component, out);
        }
        Type::Map(k, v) => {
            out.push(format!("{p}{label}Map"));
            child("key".into(), k, out);
            child("value".into(), v, out);
        }
        Type::Either(l, r) => {
            out.push(format!("{p}{label}Either"));
            child("left".into(), l, out);
            child("right".into(), r, out);
        }
        Type::Timer { key, namespace } => {
            out.push(format!("{p}{label}Timer"));
            child("key".into(), key, out);
            child("namespace".into(), namespace, out);
        }
        Type::Ttl(inner) => {
            out.push(format!("{p}{label}TTL (last-access timestamp + value)"));
            child("value".into(), inner, out);
        }
        Type::Composite { class, nested, .. } => {
            out.push(format!("{p}{label}{}", short(class)));
            for (i, n) in nested.iter().enumerate() {
                child(format!("#{i}"), n, out);
            }
        }
        other => out.push(format!("{p}{label}{other}")),
    }
}
