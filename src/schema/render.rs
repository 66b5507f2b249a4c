//! Renders serializer snapshots as the type strings Flink's `TypeInformation#toString()` prints
//! (the notation of the job-graph format), so a savepoint's types read like the job's code.

use super::snapshot::{SerializerSnapshot, SnapshotDetail};

/// The type a snapshot serializes, in job-graph type notation.
pub fn type_string(s: &SerializerSnapshot) -> String {
    let short = s.short_class();
    let base = short.split('$').next().unwrap_or(short);
    match &s.detail {
        SnapshotDetail::Simple => simple_type_name(base).to_string(),
        SnapshotDetail::Pojo {
            pojo_class, fields, ..
        } => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| {
                    let ty = f
                        .snapshot
                        .as_ref()
                        .map_or_else(|| "?".to_string(), type_string);
                    format!("{}: {}", f.name, ty)
                })
                .collect();
            format!("PojoType<{pojo_class}, fields = [{}]>", fields.join(", "))
        }
        SnapshotDetail::Kryo { type_class, .. } => format!("GenericType<{type_class}>"),
        SnapshotDetail::Enum { enum_class, .. } => format!("EnumTypeInfo<{enum_class}>"),
        SnapshotDetail::Avro {
            runtime_class,
            schema,
        } => match runtime_class {
            Some(c) if c != "org.apache.avro.generic.GenericRecord" => format!("AvroType<{c}>"),
            _ => format!("GenericRecord({schema})"),
        },
        SnapshotDetail::RowData { logical_types, .. } => {
            let fields: Vec<String> = logical_types
                .iter()
                .enumerate()
                .map(|(i, t)| format!("`f{i}` {t}"))
                .collect();
            format!("ROW<{}>", fields.join(", "))
        }
        SnapshotDetail::TypeClass { type_class } => match base {
            "KryoSerializer" | "GenericTypeSerializerSnapshot" => {
                format!("GenericType<{type_class}>")
            }
            "AvroSerializer" => format!("AvroType<{type_class}>"),
            _ => format!("ValueType<{type_class}>"),
        },
        SnapshotDetail::Parameters { values } => {
            let params: Vec<String> = values.iter().map(|(_, v)| v.to_string()).collect();
            match base {
                "DecimalDataSerializer" => format!("DECIMAL({})", params.join(", ")),
                "TimestampDataSerializer" => format!("TIMESTAMP({})", params.join(", ")),
                _ => format!("{base}({})", params.join(", ")),
            }
        }
        SnapshotDetail::TtlAware { inner, .. } => type_string(inner),
        SnapshotDetail::Composite {
            outer_class,
            nested,
            ..
        } => composite_type(base, outer_class.as_deref(), nested),
        SnapshotDetail::LegacyConfigSnapshot => format!("LegacySnapshot<{}>", s.class),
        SnapshotDetail::Unknown { .. } => format!("Unknown<{}>", s.class),
    }
}

fn composite_type(base: &str, outer_class: Option<&str>, nested: &[SerializerSnapshot]) -> String {
    let args = || {
        nested
            .iter()
            .map(type_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let arg = |i: usize| nested.get(i).map_or_else(|| "?".to_string(), type_string);
    match base {
        "ListSerializerSnapshot" | "ArrayListSerializerSnapshot" => format!("List<{}>", arg(0)),
        "MapSerializerSnapshot" => format!("Map<{}, {}>", arg(0), arg(1)),
        "SetSerializerSnapshot" => format!("Set<{}>", arg(0)),
        "TupleSerializerSnapshot" => {
            let name = outer_class
                .and_then(|c| c.rsplit('.').next())
                .unwrap_or("Tuple");
            format!("Java {name}<{}>", args())
        }
        "RowSerializer" => {
            let fields: Vec<String> = nested
                .iter()
                .enumerate()
                .map(|(i, n)| format!("f{i}: {}", type_string(n)))
                .collect();
            format!("Row({})", fields.join(", "))
        }
        "GenericArraySerializerSnapshot" => format!("{}[]", arg(0)),
        "NullableSerializer" => arg(0),
        "TtlStateFactory" => arg(1),
        "JavaEitherSerializerSnapshot" => format!("Either <{}, {}>", arg(0), arg(1)),
        "TimerSerializerSnapshot" => format!("Timer<key = {}, namespace = {}>", arg(0), arg(1)),
        "ScalaCaseClassSerializerSnapshot" => {
            format!("{}({})", outer_class.unwrap_or("CaseClass"), args())
        }
        _ => format!("{base}<{}>", args()),
    }
}

fn simple_type_name(base: &str) -> &str {
    match base {
        "LongSerializer" => "Long",
        "IntSerializer" => "Integer",
        "StringSerializer" => "String",
        "DoubleSerializer" => "Double",
        "FloatSerializer" => "Float",
        "BooleanSerializer" => "Boolean",
        "ByteSerializer" => "Byte",
        "ShortSerializer" => "Short",
        "CharSerializer" => "Character",
        "BigIntSerializer" => "BigInteger",
        "BigDecSerializer" => "BigDecimal",
        "DateSerializer" => "Date",
        "InstantSerializer" => "Instant",
        "LocalDateSerializer" => "LocalDate",
        "LocalTimeSerializer" => "LocalTime",
        "LocalDateTimeSerializer" => "LocalDateTime",
        "SqlDateSerializer" => "java.sql.Date",
        "SqlTimeSerializer" => "java.sql.Time",
        "SqlTimestampSerializer" => "java.sql.Timestamp",
        "VoidSerializer" => "Void",
        "BytePrimitiveArraySerializer" => "byte[]",
        "IntPrimitiveArraySerializer" => "int[]",
        "LongPrimitiveArraySerializer" => "long[]",
        "ShortPrimitiveArraySerializer" => "short[]",
        "CharPrimitiveArraySerializer" => "char[]",
        "FloatPrimitiveArraySerializer" => "float[]",
        "DoublePrimitiveArraySerializer" => "double[]",
        "BooleanPrimitiveArraySerializer" => "boolean[]",
        "StringArraySerializer" => "String[]",
        "VoidNamespaceSerializer" => "VoidNamespace",
        "TimeWindow" => "TimeWindow",
        "GlobalWindow" => "GlobalWindow",
        "StringDataSerializer" => "STRING",
        "Tuple0SerializerSnapshot" => "Java Tuple0",
        other => other.strip_suffix("Serializer").unwrap_or(other),
    }
}

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
