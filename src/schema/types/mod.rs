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
//! line per field for readable diffs.//!
//! Files: this one holds the model; [`from_snapshot`] builds it from serializer snapshots;
//! [`print`] prints the notation and outlines.

mod from_snapshot;
mod print;

use super::logical_type::LogicalType;
use super::snapshot::SerializerSnapshot;

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
    // The table runtime's own window class, a different serializer: written by its class name
    // (`TimeWindow` is the DataStream one above), so that a baseline reads back as it was.
    (
        "org.apache.flink.table.runtime.operators.window.TimeWindow",
        "org.apache.flink.table.runtime.operators.window.TimeWindow",
    ),
    (
        "org.apache.flink.table.runtime.typeutils.StringDataSerializer",
        "STRING",
    ),
    (
        "org.apache.flink.runtime.state.JavaSerializer",
        "JavaSerializer",
    ),
    // The watermark-compacting sink materializer's buffer keys (2.3, ON CONFLICT DO ERROR /
    // DO NOTHING): longs in an order-preserving encoding.
    (
        "org.apache.flink.table.runtime.operators.sink.SortedLongSerializer",
        "SortedLong",
    ),
    // CEP's shared-buffer keys and NFA versions.
    ("org.apache.flink.cep.nfa.DeweyNumber", "DeweyNumber"),
    ("org.apache.flink.cep.nfa.sharedbuffer.EventId", "EventId"),
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
        from_snapshot::convert(s, 0)
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
        print::outline(self, "", 0, &mut out);
        out
    }
}
