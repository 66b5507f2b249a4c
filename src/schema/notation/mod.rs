//! The type notation of the job-graph format: the strings Flink's `TypeInformation#toString()`
//! prints (`Long`, `Java Tuple2<String, Long>`, `PojoType<c, fields = [a: Long]>`,
//! `Row(a: String)`, `GenericType<c>`, `EnumTypeInfo<c>`, `List<T>`, `Map<K, V>`, ...), plus
//! `AvroType<c>` and, for Table/SQL internal types, logical type strings in either Flink form
//! (`asSummaryString`: ``ROW<`id` BIGINT, `s` STRING>``; `asSerializableString`:
//! `VARCHAR(2147483647)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`).
//!
//! One extension: `EnumTypeInfo<c, constants = [A, B]>` may list an enum's constants in
//! declaration order (Flink prints the class only), so that a removed constant can be seen
//! without a canary savepoint.
//!
//! Parsing never panics; errors carry the character offset.
//!
//! Files: this one holds the entry points; [`type_info`] reads `TypeInformation` strings. SQL
//! logical types and the scanner both notations share are one layer down, in
//! [`super::sql_notation`] (which `types::from_snapshot` uses too, without a circle).

mod declared;
mod type_info;

pub use declared::DeclaredType;
pub use type_info::{SORTED_MAP_SNAPSHOT, sort_order_text};

use super::logical_type::{LogicalType, TypeKind};
use super::sql_notation::Parser;
pub use super::sql_notation::{
    NotationError, WrittenRowField, parse_logical_type, parse_row_fields,
};
use super::types::{Simple, SqlField, Type};

/// Parses a type in job-graph notation.
pub fn parse_type(input: &str) -> Result<Type, NotationError> {
    let mut p = Parser::new(input);
    let t = p.ty(0)?;
    p.end()?;
    Ok(t)
}

/// Parses a state's type; `avro_schema` (the job-graph `avroSchema` field) completes an
/// `AvroType<...>`, or stands alone for a generic record.
pub fn parse_state_type(input: &str, avro_schema: Option<&str>) -> Result<Type, NotationError> {
    parse_type(input).map(|t| complete_avro(t, avro_schema))
}

/// A parsed state type with the job graph's `avroSchema` applied (see [`parse_state_type`]).
pub fn complete_avro(t: Type, avro_schema: Option<&str>) -> Type {
    match (t, avro_schema) {
        (Type::Avro { class, .. }, Some(s)) => Type::Avro {
            class,
            schema: Some(s.to_string()),
        },
        // Flink prints Avro specific records as `PojoType<...>` (AvroTypeInfo extends
        // PojoTypeInfo); a schema next to it says which it is.
        (Type::Pojo(p), Some(s)) => Type::Avro {
            class: Some(p.class),
            schema: Some(s.to_string()),
        },
        (t, _) => t,
    }
}

/// The serializer Flink's Table runtime uses for a top-level SQL type
/// (`InternalSerializers`), in this model.
pub fn sql_internal_type(t: LogicalType) -> Type {
    let simple = |class: &str| {
        Type::Simple(Simple::new(format!(
            "org.apache.flink.api.common.typeutils.base.{class}"
        )))
    };
    match &t.kind {
        TypeKind::Boolean => simple("BooleanSerializer"),
        TypeKind::TinyInt => simple("ByteSerializer"),
        TypeKind::SmallInt => simple("ShortSerializer"),
        TypeKind::Int | TypeKind::Date | TypeKind::Time { .. } => simple("IntSerializer"),
        TypeKind::YearMonthInterval { .. } => simple("IntSerializer"),
        TypeKind::BigInt | TypeKind::DayTimeInterval { .. } => simple("LongSerializer"),
        TypeKind::Float => simple("FloatSerializer"),
        TypeKind::Double => simple("DoubleSerializer"),
        TypeKind::Char { .. } | TypeKind::VarChar { .. } => Type::Simple(Simple::new(
            "org.apache.flink.table.runtime.typeutils.StringDataSerializer",
        )),
        TypeKind::Binary { .. } | TypeKind::VarBinary { .. } => Type::Simple(Simple::new(
            "org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer",
        )),
        TypeKind::Decimal { precision, scale } => Type::Parameterized {
            serializer: "DecimalDataSerializer".to_string(),
            values: vec![
                ("precision".to_string(), i64::from(*precision)),
                ("scale".to_string(), i64::from(*scale)),
            ],
        },
        TypeKind::Timestamp { precision, .. } | TypeKind::LocalZonedTimestamp { precision, .. } => {
            Type::Parameterized {
                serializer: "TimestampDataSerializer".to_string(),
                values: vec![("precision".to_string(), i64::from(*precision))],
            }
        }
        TypeKind::Row(fields) => Type::RowData(
            fields
                .iter()
                .map(|f| SqlField {
                    name: Some(f.name.clone()),
                    ty: f.ty.clone(),
                })
                .collect(),
        ),
        _ => Type::Sql(t),
    }
}

#[cfg(test)]
mod tests;
