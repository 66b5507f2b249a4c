//! Conversion from the Java object Flink serializes for each field of a `RowData` serializer
//! snapshot.

use super::{
    DayTimeResolution, LogicalType, MAX_TYPE_DEPTH, ObjectIdentifier, RowField, StructuredType,
    TimestampKind, TypeKind, YearMonthResolution,
};
use crate::javaio::javaser::{self, JavaObject, JavaValue};

pub(super) const PKG: &str = "org.apache.flink.table.types.logical.";
const LOGICAL_TYPE_CLASS: &str = "org.apache.flink.table.types.logical.LogicalType";

/// Converts a parsed `org.apache.flink.table.types.logical.LogicalType` object.
pub fn logical_type_from_java(v: &JavaValue) -> Result<LogicalType, String> {
    convert(v, 0)
}

const RENDER_LIMIT: usize = 4096;

fn convert(v: &JavaValue, depth: usize) -> Result<LogicalType, String> {
    if depth > MAX_TYPE_DEPTH {
        return Err(format!("types nested deeper than {MAX_TYPE_DEPTH} levels"));
    }
    let o = match v {
        JavaValue::Object(o) => o,
        JavaValue::Cycle { class, .. } => {
            return Err(format!("cyclic reference to a {class} being read"));
        }
        other => {
            return Err(format!(
                "expected a LogicalType object, found {}",
                javaser::render(other, 100)
            ));
        }
    };
    let nullable = o
        .field_of(LOGICAL_TYPE_CLASS, "isNullable")
        .and_then(JavaValue::as_bool)
        .ok_or_else(|| format!("{} has no boolean LogicalType.isNullable", o.class))?;
    let root = o
        .field_of(LOGICAL_TYPE_CLASS, "typeRoot")
        .and_then(JavaValue::enum_constant)
        .map(str::to_string);
    let short = o.class.strip_prefix(PKG).unwrap_or("");
    let int = |name: &str| -> Result<i32, String> {
        o.field(name)
            .and_then(JavaValue::as_i32)
            .ok_or_else(|| format!("{} has no int field {name}", o.class))
    };
    let child = |name: &str| -> Result<Box<LogicalType>, String> {
        let v = o
            .field(name)
            .ok_or_else(|| format!("{} has no field {name}", o.class))?;
        convert(v, depth + 1)
            .map(Box::new)
            .map_err(|e| format!("{name}: {e}"))
    };
    let kind = match short {
        "CharType" => TypeKind::Char {
            length: int("length")?,
        },
        "VarCharType" => TypeKind::VarChar {
            length: int("length")?,
        },
        "BooleanType" => TypeKind::Boolean,
        "BinaryType" => TypeKind::Binary {
            length: int("length")?,
        },
        "VarBinaryType" => TypeKind::VarBinary {
            length: int("length")?,
        },
        "DecimalType" => TypeKind::Decimal {
            precision: int("precision")?,
            scale: int("scale")?,
        },
        "TinyIntType" => TypeKind::TinyInt,
        "SmallIntType" => TypeKind::SmallInt,
        "IntType" => TypeKind::Int,
        "BigIntType" => TypeKind::BigInt,
        "FloatType" => TypeKind::Float,
        "DoubleType" => TypeKind::Double,
        "DateType" => TypeKind::Date,
        "TimeType" => TypeKind::Time {
            precision: int("precision")?,
        },
        "TimestampType" => TypeKind::Timestamp {
            precision: int("precision")?,
            kind: timestamp_kind(o)?,
        },
        "LocalZonedTimestampType" => TypeKind::LocalZonedTimestamp {
            precision: int("precision")?,
            kind: timestamp_kind(o)?,
        },
        "ZonedTimestampType" => TypeKind::ZonedTimestamp {
            precision: int("precision")?,
            kind: timestamp_kind(o)?,
        },
        "DayTimeIntervalType" => TypeKind::DayTimeInterval {
            resolution: day_time_resolution(o)?,
            day_precision: int("dayPrecision")?,
            fractional_precision: int("fractionalPrecision")?,
        },
        "YearMonthIntervalType" => TypeKind::YearMonthInterval {
            resolution: year_month_resolution(o)?,
            year_precision: int("yearPrecision")?,
        },
        "ArrayType" => TypeKind::Array(child("elementType")?),
        "MultisetType" => TypeKind::Multiset(child("elementType")?),
        "MapType" => TypeKind::Map {
            key: child("keyType")?,
            value: child("valueType")?,
        },
        "RowType" => TypeKind::Row(fields(o, "fields", depth)?),
        "NullType" => TypeKind::Null,
        "RawType" => {
            let class = match o.field("clazz") {
                Some(JavaValue::Class(c)) => c.to_string(),
                _ => return Err(format!("{} has no Class field clazz", o.class)),
            };
            let serializer = o
                .field("serializer")
                .ok_or_else(|| format!("{} has no field serializer", o.class))?;
            TypeKind::Raw {
                class,
                serializer_class: serializer.class_name().unwrap_or("null").to_string(),
                serializer: javaser::render(serializer, RENDER_LIMIT),
            }
        }
        "SymbolType" => TypeKind::Symbol,
        "DescriptorType" => TypeKind::Descriptor,
        "VariantType" => TypeKind::Variant,
        "BitmapType" => TypeKind::Bitmap,
        "StructuredType" => {
            let super_type = match o.field("superType") {
                None | Some(JavaValue::Null) => None,
                Some(v) => Some(convert(v, depth + 1).map_err(|e| format!("superType: {e}"))?),
            };
            TypeKind::Structured(Box::new(StructuredType {
                identifier: identifier(o)?,
                class_name: opt_string(o, "className"),
                implementation_class: match o.field("implementationClass") {
                    Some(JavaValue::Class(c)) => Some(c.to_string()),
                    _ => None,
                },
                attributes: fields(o, "attributes", depth)?,
                is_final: o
                    .field("isFinal")
                    .and_then(JavaValue::as_bool)
                    .unwrap_or(true),
                is_instantiable: o
                    .field("isInstantiable")
                    .and_then(JavaValue::as_bool)
                    .unwrap_or(true),
                comparison: o
                    .field("comparison")
                    .and_then(JavaValue::enum_constant)
                    .map(str::to_string),
                super_type,
                description: opt_string(o, "description"),
            }))
        }
        "DistinctType" => TypeKind::Distinct {
            identifier: identifier(o)?,
            is_final: o
                .field("isFinal")
                .and_then(JavaValue::as_bool)
                .unwrap_or(true),
            description: opt_string(o, "description"),
            source: child("sourceType")?,
        },
        _ if o.class.ends_with(".LegacyTypeInformationType")
            || o.class.ends_with(".TypeInformationRawType") =>
        {
            let info = o.field("typeInfo").unwrap_or(&JavaValue::Null);
            TypeKind::Legacy {
                class: o.class.to_string(),
                root: root.clone().unwrap_or_else(|| "RAW".to_string()),
                type_info_class: info.class_name().unwrap_or("null").to_string(),
                type_info: javaser::render(info, RENDER_LIMIT),
            }
        }
        _ => {
            if !is_logical_type(o) {
                return Err(format!("{} is not a LogicalType", o.class));
            }
            let mut own_fields = String::new();
            for f in o.fields.iter().filter(|f| &*f.class != LOGICAL_TYPE_CLASS) {
                own_fields.push_str(&f.name);
                own_fields.push('=');
                own_fields.push_str(&javaser::render(&f.value, RENDER_LIMIT));
                own_fields.push(';');
            }
            TypeKind::Unknown {
                class: o.class.to_string(),
                root: root.clone(),
                fields: own_fields,
            }
        }
    };
    Ok(LogicalType { nullable, kind })
}

fn is_logical_type(o: &JavaObject) -> bool {
    o.fields.iter().any(|f| &*f.class == LOGICAL_TYPE_CLASS)
}

fn opt_string(o: &JavaObject, name: &str) -> Option<String> {
    o.field(name)
        .and_then(JavaValue::as_str)
        .map(str::to_string)
}

fn enum_field<'a>(o: &'a JavaObject, name: &str) -> Result<&'a str, String> {
    o.field(name)
        .and_then(JavaValue::enum_constant)
        .ok_or_else(|| format!("{} has no enum field {name}", o.class))
}

fn timestamp_kind(o: &JavaObject) -> Result<TimestampKind, String> {
    Ok(match enum_field(o, "kind")? {
        "REGULAR" => TimestampKind::Regular,
        "ROWTIME" => TimestampKind::Rowtime,
        "PROCTIME" => TimestampKind::Proctime,
        other => return Err(format!("unknown TimestampKind {other}")),
    })
}

fn day_time_resolution(o: &JavaObject) -> Result<DayTimeResolution, String> {
    use DayTimeResolution::*;
    Ok(match enum_field(o, "resolution")? {
        "DAY" => Day,
        "DAY_TO_HOUR" => DayToHour,
        "DAY_TO_MINUTE" => DayToMinute,
        "DAY_TO_SECOND" => DayToSecond,
        "HOUR" => Hour,
        "HOUR_TO_MINUTE" => HourToMinute,
        "HOUR_TO_SECOND" => HourToSecond,
        "MINUTE" => Minute,
        "MINUTE_TO_SECOND" => MinuteToSecond,
        "SECOND" => Second,
        other => return Err(format!("unknown DayTimeResolution {other}")),
    })
}

fn year_month_resolution(o: &JavaObject) -> Result<YearMonthResolution, String> {
    Ok(match enum_field(o, "resolution")? {
        "YEAR" => YearMonthResolution::Year,
        "YEAR_TO_MONTH" => YearMonthResolution::YearToMonth,
        "MONTH" => YearMonthResolution::Month,
        other => return Err(format!("unknown YearMonthResolution {other}")),
    })
}

/// `RowType.fields` (`RowField`s) or `StructuredType.attributes` (`StructuredAttribute`s): a
/// `java.util.List` of objects with `name`, `type` and `description`.
fn fields(o: &JavaObject, name: &str, depth: usize) -> Result<Vec<RowField>, String> {
    let list = o
        .field(name)
        .ok_or_else(|| format!("{} has no field {name}", o.class))?;
    let elements = javaser::list_elements(list).ok_or_else(|| {
        format!(
            "{}.{name} is not a list I can read: {}",
            o.class,
            javaser::render(list, 200)
        )
    })?;
    let mut out = Vec::with_capacity(elements.len());
    for (i, e) in elements.into_iter().enumerate() {
        let f = e
            .as_object()
            .ok_or_else(|| format!("{name}[{i}] is not an object"))?;
        let field_name = f
            .field("name")
            .and_then(JavaValue::as_str)
            .ok_or_else(|| format!("{name}[{i}] ({}) has no string name", f.class))?;
        let ty = f
            .field("type")
            .ok_or_else(|| format!("{name}[{i}] ({}) has no type", f.class))?;
        let ty = convert(ty, depth + 1).map_err(|e| format!("{name}[{i}] `{field_name}`: {e}"))?;
        out.push(RowField {
            name: field_name.to_string(),
            ty,
            description: opt_string(f, "description"),
        });
    }
    Ok(out)
}

fn identifier(o: &JavaObject) -> Result<Option<ObjectIdentifier>, String> {
    match o.field("objectIdentifier") {
        None | Some(JavaValue::Null) => Ok(None),
        Some(JavaValue::Object(id)) => Ok(Some(ObjectIdentifier {
            catalog: opt_string(id, "catalogName"),
            database: opt_string(id, "databaseName"),
            object: opt_string(id, "objectName")
                .ok_or_else(|| format!("{} has no objectName", id.class))?,
        })),
        Some(other) => Err(format!(
            "objectIdentifier is {}",
            javaser::render(other, 100)
        )),
    }
}
