//! SQL logical types (`org.apache.flink.table.types.logical.*Type`) from their Java-serialized
//! form, as stored one per field in `RowDataSerializer$RowDataSerializerSnapshot`.
//!
//! [`LogicalType`]'s `Display` prints Flink's `LogicalType#asSerializableString` (e.g.
//! `VARCHAR(2147483647)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL`, ``ROW<`a` INT>``);
//! [`LogicalType::summary_string`] prints `asSummaryString` (`STRING`, `TIMESTAMP_LTZ(3)`, ...).
//! Equality follows Flink's `LogicalType#equals`: same class, nullability and parameters, row
//! field names, types and descriptions; the timestamp kind (`*ROWTIME*`, `*PROCTIME*`) does not
//! count, as in Flink.

use std::fmt;

use crate::javaio::javaser::{self, JavaObject, JavaValue};

const PKG: &str = "org.apache.flink.table.types.logical.";
const LOGICAL_TYPE_CLASS: &str = "org.apache.flink.table.types.logical.LogicalType";

/// Deepest type nesting converted (each level is at least one Java object, whose nesting the
/// stream reader already bounds; this guards direct callers with hand-made trees).
const MAX_TYPE_DEPTH: usize = 64;

/// A Flink SQL logical type.
#[derive(Debug, Clone, PartialEq)]
pub struct LogicalType {
    pub nullable: bool,
    pub kind: TypeKind,
}

/// The kind of a [`LogicalType`] with its parameters.
#[derive(Debug, Clone)]
pub enum TypeKind {
    Char {
        length: i32,
    },
    VarChar {
        length: i32,
    },
    Boolean,
    Binary {
        length: i32,
    },
    VarBinary {
        length: i32,
    },
    Decimal {
        precision: i32,
        scale: i32,
    },
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Date,
    Time {
        precision: i32,
    },
    Timestamp {
        precision: i32,
        kind: TimestampKind,
    },
    LocalZonedTimestamp {
        precision: i32,
        kind: TimestampKind,
    },
    ZonedTimestamp {
        precision: i32,
        kind: TimestampKind,
    },
    DayTimeInterval {
        resolution: DayTimeResolution,
        day_precision: i32,
        fractional_precision: i32,
    },
    YearMonthInterval {
        resolution: YearMonthResolution,
        year_precision: i32,
    },
    Array(Box<LogicalType>),
    Multiset(Box<LogicalType>),
    Map {
        key: Box<LogicalType>,
        value: Box<LogicalType>,
    },
    Row(Vec<RowField>),
    Null,
    /// `RawType`: the value class and the Java-serialized `TypeSerializer`.
    Raw {
        class: String,
        serializer_class: String,
        /// A bounded rendering of the serializer object (see [`javaser::render`]), compared in
        /// place of Flink's `TypeSerializer#equals`.
        serializer: String,
    },
    Symbol,
    Descriptor,
    Variant,
    Bitmap,
    Structured(Box<StructuredType>),
    Distinct {
        identifier: Option<ObjectIdentifier>,
        is_final: bool,
        description: Option<String>,
        source: Box<LogicalType>,
    },
    /// `LegacyTypeInformationType`/`TypeInformationRawType`: wraps a legacy `TypeInformation`.
    Legacy {
        class: String,
        root: String,
        type_info_class: String,
        /// Bounded rendering of the `TypeInformation` object.
        type_info: String,
    },
    /// A type class this module does not know (e.g. one added by a later Flink version).
    Unknown {
        class: String,
        /// The `typeRoot` enum constant, e.g. `UUID`.
        root: Option<String>,
        /// Bounded rendering of the object's own fields (not those of `LogicalType`), so two
        /// unknown types are equal only if everything serialized about them is.
        fields: String,
    },
}

/// `TimestampKind`: only shown in summary strings and ignored by equality, as in Flink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampKind {
    Regular,
    Rowtime,
    Proctime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayTimeResolution {
    Day,
    DayToHour,
    DayToMinute,
    DayToSecond,
    Hour,
    HourToMinute,
    HourToSecond,
    Minute,
    MinuteToSecond,
    Second,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearMonthResolution {
    Year,
    YearToMonth,
    Month,
}

/// A field of a ROW type.
#[derive(Debug, Clone, PartialEq)]
pub struct RowField {
    pub name: String,
    pub ty: LogicalType,
    pub description: Option<String>,
}

/// `org.apache.flink.table.catalog.ObjectIdentifier`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectIdentifier {
    pub catalog: Option<String>,
    pub database: Option<String>,
    pub object: String,
}

/// `StructuredType` (best effort).
#[derive(Debug, Clone)]
pub struct StructuredType {
    pub identifier: Option<ObjectIdentifier>,
    pub class_name: Option<String>,
    pub implementation_class: Option<String>,
    pub attributes: Vec<RowField>,
    pub is_final: bool,
    pub is_instantiable: bool,
    /// `StructuredComparison` constant: `EQUALS`, `FULL`, `NONE`.
    pub comparison: Option<String>,
    pub super_type: Option<LogicalType>,
    pub description: Option<String>,
}

impl PartialEq for StructuredType {
    /// Flink 2.x compares everything but the implementation class.
    fn eq(&self, o: &Self) -> bool {
        self.identifier == o.identifier
            && self.is_final == o.is_final
            && self.description == o.description
            && self.is_instantiable == o.is_instantiable
            && self.attributes == o.attributes
            && self.comparison == o.comparison
            && self.super_type == o.super_type
            && self.class_name == o.class_name
    }
}

impl PartialEq for TypeKind {
    fn eq(&self, o: &Self) -> bool {
        use TypeKind::*;
        match (self, o) {
            (Char { length: a }, Char { length: b })
            | (VarChar { length: a }, VarChar { length: b })
            | (Binary { length: a }, Binary { length: b })
            | (VarBinary { length: a }, VarBinary { length: b })
            | (Time { precision: a }, Time { precision: b }) => a == b,
            (
                Decimal {
                    precision: p1,
                    scale: s1,
                },
                Decimal {
                    precision: p2,
                    scale: s2,
                },
            ) => p1 == p2 && s1 == s2,
            (Timestamp { precision: a, .. }, Timestamp { precision: b, .. })
            | (
                LocalZonedTimestamp { precision: a, .. },
                LocalZonedTimestamp { precision: b, .. },
            )
            | (ZonedTimestamp { precision: a, .. }, ZonedTimestamp { precision: b, .. }) => a == b,
            (
                DayTimeInterval {
                    resolution: r1,
                    day_precision: d1,
                    fractional_precision: f1,
                },
                DayTimeInterval {
                    resolution: r2,
                    day_precision: d2,
                    fractional_precision: f2,
                },
            ) => r1 == r2 && d1 == d2 && f1 == f2,
            (
                YearMonthInterval {
                    resolution: r1,
                    year_precision: y1,
                },
                YearMonthInterval {
                    resolution: r2,
                    year_precision: y2,
                },
            ) => r1 == r2 && y1 == y2,
            (Array(a), Array(b)) | (Multiset(a), Multiset(b)) => a == b,
            (Map { key: k1, value: v1 }, Map { key: k2, value: v2 }) => k1 == k2 && v1 == v2,
            (Row(a), Row(b)) => a == b,
            (
                Raw {
                    class: c1,
                    serializer: s1,
                    ..
                },
                Raw {
                    class: c2,
                    serializer: s2,
                    ..
                },
            ) => c1 == c2 && s1 == s2,
            (Structured(a), Structured(b)) => a == b,
            (
                Distinct {
                    identifier: i1,
                    is_final: f1,
                    description: d1,
                    source: s1,
                },
                Distinct {
                    identifier: i2,
                    is_final: f2,
                    description: d2,
                    source: s2,
                },
            ) => i1 == i2 && f1 == f2 && d1 == d2 && s1 == s2,
            (
                Legacy {
                    class: c1,
                    root: r1,
                    type_info: t1,
                    ..
                },
                Legacy {
                    class: c2,
                    root: r2,
                    type_info: t2,
                    ..
                },
            ) => c1 == c2 && r1 == r2 && t1 == t2,
            (
                Unknown {
                    class: c1,
                    root: r1,
                    fields: f1,
                },
                Unknown {
                    class: c2,
                    root: r2,
                    fields: f2,
                },
            ) => c1 == c2 && r1 == r2 && f1 == f2,
            (Boolean, Boolean)
            | (TinyInt, TinyInt)
            | (SmallInt, SmallInt)
            | (Int, Int)
            | (BigInt, BigInt)
            | (Float, Float)
            | (Double, Double)
            | (Date, Date)
            | (Null, Null)
            | (Symbol, Symbol)
            | (Descriptor, Descriptor)
            | (Variant, Variant)
            | (Bitmap, Bitmap) => true,
            _ => false,
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Printing.

/// Flink's `EncodingUtils.escapeIdentifier`: backticks, inner backticks doubled.
fn escape_identifier(s: &str) -> String {
    format!("`{}`", s.replace('`', "``"))
}

fn escape_single_quotes(s: &str) -> String {
    s.replace('\'', "''")
}

impl ObjectIdentifier {
    /// `` `catalog`.`database`.`object` `` (only the object name when catalog and database are
    /// absent, as for anonymous identifiers).
    pub fn serializable_string(&self) -> String {
        match (&self.catalog, &self.database) {
            (Some(c), Some(d)) => format!(
                "{}.{}.{}",
                escape_identifier(c),
                escape_identifier(d),
                escape_identifier(&self.object)
            ),
            _ => escape_identifier(&self.object),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Serializable,
    Summary,
}

impl TimestampKind {
    fn suffix(self) -> &'static str {
        match self {
            TimestampKind::Regular => "",
            TimestampKind::Rowtime => " *ROWTIME*",
            TimestampKind::Proctime => " *PROCTIME*",
        }
    }
}

impl LogicalType {
    /// Flink's `asSummaryString`: `STRING`/`BYTES` for maximum-length `VARCHAR`/`VARBINARY`,
    /// `TIMESTAMP_LTZ(p)`, time attribute markers, `'...'` for descriptions.
    pub fn summary_string(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Style::Summary);
        out
    }

    /// Flink's `asSerializableString` (what `Display` prints). For RAW types the serializer
    /// snapshot is not available without a JVM, so the summary form `RAW('class', '...')` is
    /// printed; zero-length strings (no serializable form in Flink) print as e.g. `CHAR(0)`.
    pub fn serializable_string(&self) -> String {
        self.to_string()
    }

    /// The `LogicalTypeRoot` name, e.g. `VARCHAR`, `TIMESTAMP_WITH_LOCAL_TIME_ZONE`.
    pub fn root(&self) -> &str {
        use TypeKind::*;
        match &self.kind {
            Char { .. } => "CHAR",
            VarChar { .. } => "VARCHAR",
            Boolean => "BOOLEAN",
            Binary { .. } => "BINARY",
            VarBinary { .. } => "VARBINARY",
            Decimal { .. } => "DECIMAL",
            TinyInt => "TINYINT",
            SmallInt => "SMALLINT",
            Int => "INTEGER",
            BigInt => "BIGINT",
            Float => "FLOAT",
            Double => "DOUBLE",
            Date => "DATE",
            Time { .. } => "TIME_WITHOUT_TIME_ZONE",
            Timestamp { .. } => "TIMESTAMP_WITHOUT_TIME_ZONE",
            LocalZonedTimestamp { .. } => "TIMESTAMP_WITH_LOCAL_TIME_ZONE",
            ZonedTimestamp { .. } => "TIMESTAMP_WITH_TIME_ZONE",
            DayTimeInterval { .. } => "INTERVAL_DAY_TIME",
            YearMonthInterval { .. } => "INTERVAL_YEAR_MONTH",
            Array(_) => "ARRAY",
            Multiset(_) => "MULTISET",
            Map { .. } => "MAP",
            Row(_) => "ROW",
            Null => "NULL",
            Raw { .. } => "RAW",
            Symbol => "SYMBOL",
            Descriptor => "DESCRIPTOR",
            Variant => "VARIANT",
            Bitmap => "BITMAP",
            Structured(_) => "STRUCTURED_TYPE",
            Distinct { .. } => "DISTINCT_TYPE",
            Legacy { root, .. } => root,
            Unknown { root, class, .. } => root.as_deref().unwrap_or(class),
        }
    }

    /// The directly nested types (element, key and value, row fields, ...).
    pub fn children(&self) -> Vec<&LogicalType> {
        match &self.kind {
            TypeKind::Array(t) | TypeKind::Multiset(t) => vec![t],
            TypeKind::Map { key, value } => vec![key, value],
            TypeKind::Row(fields) => fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Structured(s) => s.attributes.iter().map(|f| &f.ty).collect(),
            TypeKind::Distinct { source, .. } => vec![source],
            _ => vec![],
        }
    }

    fn write(&self, out: &mut String, style: Style) {
        use TypeKind::*;
        use std::fmt::Write as _;
        let summary = style == Style::Summary;
        let mut time_kind = TimestampKind::Regular;
        let mut nullable = self.nullable;
        let _ = match &self.kind {
            Char { length } => write!(out, "CHAR({length})"),
            VarChar { length } if summary && *length == i32::MAX => write!(out, "STRING"),
            VarChar { length } => write!(out, "VARCHAR({length})"),
            Boolean => write!(out, "BOOLEAN"),
            Binary { length } => write!(out, "BINARY({length})"),
            VarBinary { length } if summary && *length == i32::MAX => write!(out, "BYTES"),
            VarBinary { length } => write!(out, "VARBINARY({length})"),
            Decimal { precision, scale } => write!(out, "DECIMAL({precision}, {scale})"),
            TinyInt => write!(out, "TINYINT"),
            SmallInt => write!(out, "SMALLINT"),
            Int => write!(out, "INT"),
            BigInt => write!(out, "BIGINT"),
            Float => write!(out, "FLOAT"),
            Double => write!(out, "DOUBLE"),
            Date => write!(out, "DATE"),
            Time { precision } => write!(out, "TIME({precision})"),
            Timestamp { precision, kind } => {
                time_kind = *kind;
                write!(out, "TIMESTAMP({precision})")
            }
            LocalZonedTimestamp { precision, kind } => {
                time_kind = *kind;
                if summary {
                    write!(out, "TIMESTAMP_LTZ({precision})")
                } else {
                    write!(out, "TIMESTAMP({precision}) WITH LOCAL TIME ZONE")
                }
            }
            ZonedTimestamp { precision, kind } => {
                time_kind = *kind;
                write!(out, "TIMESTAMP({precision}) WITH TIME ZONE")
            }
            DayTimeInterval {
                resolution,
                day_precision: d,
                fractional_precision: f,
            } => {
                use DayTimeResolution::*;
                match resolution {
                    Day => write!(out, "INTERVAL DAY({d})"),
                    DayToHour => write!(out, "INTERVAL DAY({d}) TO HOUR"),
                    DayToMinute => write!(out, "INTERVAL DAY({d}) TO MINUTE"),
                    DayToSecond => write!(out, "INTERVAL DAY({d}) TO SECOND({f})"),
                    Hour => write!(out, "INTERVAL HOUR"),
                    HourToMinute => write!(out, "INTERVAL HOUR TO MINUTE"),
                    HourToSecond => write!(out, "INTERVAL HOUR TO SECOND({f})"),
                    Minute => write!(out, "INTERVAL MINUTE"),
                    MinuteToSecond => write!(out, "INTERVAL MINUTE TO SECOND({f})"),
                    Second => write!(out, "INTERVAL SECOND({f})"),
                }
            }
            YearMonthInterval {
                resolution,
                year_precision: y,
            } => match resolution {
                YearMonthResolution::Year => write!(out, "INTERVAL YEAR({y})"),
                YearMonthResolution::YearToMonth => write!(out, "INTERVAL YEAR({y}) TO MONTH"),
                YearMonthResolution::Month => write!(out, "INTERVAL MONTH"),
            },
            Array(t) => {
                out.push_str("ARRAY<");
                t.write(out, style);
                write!(out, ">")
            }
            Multiset(t) => {
                out.push_str("MULTISET<");
                t.write(out, style);
                write!(out, ">")
            }
            Map { key, value } => {
                out.push_str("MAP<");
                key.write(out, style);
                out.push_str(", ");
                value.write(out, style);
                write!(out, ">")
            }
            Row(fields) => {
                out.push_str("ROW<");
                write_fields(out, fields, style);
                write!(out, ">")
            }
            Null => {
                nullable = true;
                write!(out, "NULL")
            }
            Raw { class, .. } => write!(out, "RAW('{}', '...')", escape_single_quotes(class)),
            Symbol => write!(out, "SYMBOL"),
            Descriptor => write!(out, "DESCRIPTOR"),
            Variant => write!(out, "VARIANT"),
            Bitmap => write!(out, "BITMAP"),
            Structured(s) => match (&s.identifier, &s.class_name) {
                (Some(id), _) => write!(out, "{}", id.serializable_string()),
                (None, class) => {
                    let class = class
                        .as_deref()
                        .or(s.implementation_class.as_deref())
                        .unwrap_or("");
                    let _ = write!(out, "STRUCTURED<'{}'", escape_single_quotes(class));
                    if !s.attributes.is_empty() {
                        out.push_str(", ");
                        write_fields(out, &s.attributes, style);
                    }
                    write!(out, ">")
                }
            },
            Distinct {
                identifier, source, ..
            } => match identifier {
                Some(id) => write!(out, "{}", id.serializable_string()),
                None => {
                    source.write(out, style);
                    Ok(())
                }
            },
            Legacy {
                root,
                type_info_class,
                ..
            } => write!(out, "LEGACY('{root}', '{type_info_class}')"),
            Unknown { class, root, .. } => match root {
                Some(root) => write!(out, "{root}"),
                None => write!(out, "UNKNOWN('{class}')"),
            },
        };
        if !nullable {
            out.push_str(" NOT NULL");
        }
        if summary {
            out.push_str(time_kind.suffix());
        }
    }
}

fn write_fields(out: &mut String, fields: &[RowField], style: Style) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&escape_identifier(&f.name));
        out.push(' ');
        f.ty.write(out, style);
        if let Some(d) = &f.description {
            out.push_str(" '");
            if style == Style::Summary {
                out.push_str("...");
            } else {
                out.push_str(&escape_single_quotes(d));
            }
            out.push('\'');
        }
    }
}

impl fmt::Display for LogicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out, Style::Serializable);
        f.write_str(&out)
    }
}

// ------------------------------------------------------------------------------------------------
// Conversion from the Java object.

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::javaio::data_input::DataReader;
    use crate::javaio::javaser::{is_stream_start, read_stream};

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/fixtures/reference/{name}/_metadata",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    const ROW_DATA_SNAPSHOT: &[u8] =
        b"org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot";

    /// Every RowData snapshot in a fixture: after the snapshot class name come `i32 version`
    /// (3), `i32 numFields` and one Java serialization stream per field, then the nested
    /// serializers delegate (magic 0x001457FD).
    fn row_data_types(name: &str) -> Vec<Vec<LogicalType>> {
        let data = fixture(name);
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(pos) = data[from..]
            .windows(ROW_DATA_SNAPSHOT.len())
            .position(|w| w == ROW_DATA_SNAPSHOT)
        {
            let start = from + pos + ROW_DATA_SNAPSHOT.len();
            from = start;
            let mut r = DataReader::with_base(&data[start..], start as u64);
            assert_eq!(r.i32("version").unwrap(), 3);
            let n = r.count("fields", 4).unwrap();
            let mut types = Vec::new();
            for _ in 0..n {
                assert!(is_stream_start(r.rest()));
                let v = read_stream(&mut r).unwrap();
                types.push(logical_type_from_java(&v).unwrap());
            }
            assert!(r.rest().starts_with(&[0x00, 0x14, 0x57, 0xFD]), "{name}");
            out.push(types);
        }
        out
    }

    #[test]
    fn sql_fixtures_key_is_nullable_varchar_and_accumulators_are_bigint() {
        for name in ["flink-2.3.0-sql-sql", "flink-2.3.0-sql-plan"] {
            let snapshots = row_data_types(name);
            assert!(!snapshots.is_empty(), "{name}");
            let rendered: Vec<Vec<String>> = snapshots
                .iter()
                .map(|ts| ts.iter().map(|t| t.to_string()).collect())
                .collect();
            // The GROUP BY key (a STRING column) and the two accumulators (COUNT, SUM of BIGINT):
            // every snapshot is one of these two shapes.
            for ts in &rendered {
                assert!(
                    ts == &["VARCHAR(2147483647)"] || ts == &["BIGINT", "BIGINT"],
                    "{name}: {ts:?}"
                );
            }
            assert!(rendered.iter().any(|ts| ts.len() == 1), "{name}");
            assert!(rendered.iter().any(|ts| ts.len() == 2), "{name}");
            let key = &snapshots.iter().find(|ts| ts.len() == 1).unwrap()[0];
            assert!(key.nullable, "the key column is nullable in the bytes");
            assert_eq!(key.kind, TypeKind::VarChar { length: i32::MAX });
            assert_eq!(key.summary_string(), "STRING");
            assert_eq!(key.root(), "VARCHAR");
            let acc = &snapshots.iter().find(|ts| ts.len() == 2).unwrap()[0];
            assert_eq!(
                *acc,
                LogicalType {
                    nullable: true,
                    kind: TypeKind::BigInt
                }
            );
        }
    }

    /// Expected `(class, asSerializableString, asSummaryString)` of each element of
    /// [`ALL_TYPES_STREAM`], printed by Flink 2.3.0 itself.
    const EXPECTED: &[(&str, &str, &str)] = &[
        ("CharType", "CHAR(5)", "CHAR(5)"),
        (
            "VarCharType",
            "VARCHAR(2147483647) NOT NULL",
            "STRING NOT NULL",
        ),
        ("BooleanType", "BOOLEAN", "BOOLEAN"),
        ("BinaryType", "BINARY(3)", "BINARY(3)"),
        ("VarBinaryType", "VARBINARY(2147483647)", "BYTES"),
        ("DecimalType", "DECIMAL(10, 2)", "DECIMAL(10, 2)"),
        (
            "DecimalType",
            "DECIMAL(38, 0) NOT NULL",
            "DECIMAL(38, 0) NOT NULL",
        ),
        ("TinyIntType", "TINYINT", "TINYINT"),
        ("SmallIntType", "SMALLINT", "SMALLINT"),
        ("IntType", "INT NOT NULL", "INT NOT NULL"),
        ("BigIntType", "BIGINT", "BIGINT"),
        ("FloatType", "FLOAT", "FLOAT"),
        ("DoubleType", "DOUBLE", "DOUBLE"),
        ("DateType", "DATE", "DATE"),
        ("TimeType", "TIME(3)", "TIME(3)"),
        ("TimestampType", "TIMESTAMP(3)", "TIMESTAMP(3)"),
        ("TimestampType", "TIMESTAMP(3)", "TIMESTAMP(3) *ROWTIME*"),
        (
            "LocalZonedTimestampType",
            "TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL",
            "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*",
        ),
        (
            "ZonedTimestampType",
            "TIMESTAMP(6) WITH TIME ZONE",
            "TIMESTAMP(6) WITH TIME ZONE",
        ),
        (
            "DayTimeIntervalType",
            "INTERVAL DAY(2) TO SECOND(6)",
            "INTERVAL DAY(2) TO SECOND(6)",
        ),
        ("DayTimeIntervalType", "INTERVAL HOUR", "INTERVAL HOUR"),
        (
            "DayTimeIntervalType",
            "INTERVAL MINUTE TO SECOND(3)",
            "INTERVAL MINUTE TO SECOND(3)",
        ),
        (
            "YearMonthIntervalType",
            "INTERVAL YEAR(2) TO MONTH",
            "INTERVAL YEAR(2) TO MONTH",
        ),
        ("YearMonthIntervalType", "INTERVAL MONTH", "INTERVAL MONTH"),
        ("ArrayType", "ARRAY<INT>", "ARRAY<INT>"),
        (
            "MultisetType",
            "MULTISET<VARCHAR(2147483647)> NOT NULL",
            "MULTISET<STRING> NOT NULL",
        ),
        (
            "MapType",
            "MAP<VARCHAR(2147483647), BIGINT NOT NULL>",
            "MAP<STRING, BIGINT NOT NULL>",
        ),
        (
            "RowType",
            "ROW<`a` INT, `b``x` VARCHAR(2147483647) 'it''s b', `n` ROW<`x` INT, `y` INT> NOT NULL>",
            "ROW<`a` INT, `b``x` STRING '...', `n` ROW<`x` INT, `y` INT> NOT NULL>",
        ),
        ("NullType", "NULL", "NULL"),
        // Flink's serializable form embeds the serializer snapshot in Base64
        // ('AFRvcmcu...AAAAD'); without a JVM we print the summary form.
        (
            "RawType",
            "RAW('java.lang.String', '...')",
            "RAW('java.lang.String', '...')",
        ),
        ("BitmapType", "BITMAP", "BITMAP"),
        ("VariantType", "VARIANT", "VARIANT"),
        ("DescriptorType", "DESCRIPTOR", "DESCRIPTOR"),
        ("StructuredType", "`cat`.`db`.`Pt`", "`cat`.`db`.`Pt`"),
        (
            "StructuredType",
            "STRUCTURED<'com.example.Pojo', `f` BIGINT>",
            "STRUCTURED<'com.example.Pojo', `f` BIGINT>",
        ),
        ("DistinctType", "`cat`.`db`.`Money`", "`cat`.`db`.`Money`"),
    ];

    /// `ObjectOutputStream.writeObject(LogicalType[])` of the types in [`EXPECTED`], written
    /// with the Flink 2.3.0 jars on OpenJDK 17. The inner ROW's two fields share one `IntType`
    /// instance (object back-references); the StructuredType attributes are a `List.of`
    /// (`java.util.CollSer`, externalizable); the RawType holds `StringSerializer.INSTANCE`.
    const ALL_TYPES_STREAM: &str = "\
        aced0005757200335b4c6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c\
        6f676963616c547970653b183447acdb71a1360200007870000000247372002d6f72672e6170616368652e666c696e6b\
        2e7461626c652e74797065732e6c6f676963616c2e436861725479706500000000000000010200014900066c656e6774\
        68787200306f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c6f67696361\
        6c5479706500000000000000010200025a000a69734e756c6c61626c654c000874797065526f6f747400364c6f72672f\
        6170616368652f666c696e6b2f7461626c652f74797065732f6c6f676963616c2f4c6f676963616c54797065526f6f74\
        3b7870017e7200346f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c6f67\
        6963616c54797065526f6f7400000000000000001200007872000e6a6176612e6c616e672e456e756d00000000000000\
        0012000078707400044348415200000005737200306f72672e6170616368652e666c696e6b2e7461626c652e74797065\
        732e6c6f676963616c2e566172436861725479706500000000000000010200014900066c656e6774687871007e000300\
        7e71007e0006740007564152434841527fffffff737200306f72672e6170616368652e666c696e6b2e7461626c652e74\
        797065732e6c6f676963616c2e426f6f6c65616e5479706500000000000000010200007871007e0003017e71007e0006\
        740007424f4f4c45414e7372002f6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963\
        616c2e42696e6172795479706500000000000000010200014900066c656e6774687871007e0003017e71007e00067400\
        0642494e41525900000003737200326f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f6769\
        63616c2e56617242696e6172795479706500000000000000010200014900066c656e6774687871007e0003017e71007e\
        000674000956415242494e4152597fffffff737200306f72672e6170616368652e666c696e6b2e7461626c652e747970\
        65732e6c6f676963616c2e446563696d616c547970650000000000000001020002490009707265636973696f6e490005\
        7363616c657871007e0003017e71007e0006740007444543494d414c0000000a000000027371007e001a0071007e001c\
        0000002600000000737200306f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c\
        2e54696e79496e745479706500000000000000010200007871007e0003017e71007e000674000754494e59494e547372\
        00316f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e536d616c6c496e7454\
        79706500000000000000010200007871007e0003017e71007e0006740008534d414c4c494e547372002c6f72672e6170\
        616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e496e745479706500000000000000010200\
        007871007e0003007e71007e0006740007494e54454745527372002f6f72672e6170616368652e666c696e6b2e746162\
        6c652e74797065732e6c6f676963616c2e426967496e745479706500000000000000010200007871007e0003017e7100\
        7e0006740006424947494e547372002e6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f67\
        6963616c2e466c6f61745479706500000000000000010200007871007e0003017e71007e0006740005464c4f41547372\
        002f6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e446f75626c65547970\
        6500000000000000010200007871007e0003017e71007e0006740006444f55424c457372002d6f72672e617061636865\
        2e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e446174655479706500000000000000010200007871\
        007e0003017e71007e0006740004444154457372002d6f72672e6170616368652e666c696e6b2e7461626c652e747970\
        65732e6c6f676963616c2e54696d65547970650000000000000001020001490009707265636973696f6e7871007e0003\
        017e71007e000674001654494d455f574954484f55545f54494d455f5a4f4e4500000003737200326f72672e61706163\
        68652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e54696d657374616d7054797065000000000000\
        0001020002490009707265636973696f6e4c00046b696e647400344c6f72672f6170616368652f666c696e6b2f746162\
        6c652f74797065732f6c6f676963616c2f54696d657374616d704b696e643b7871007e0003017e71007e000674001b54\
        494d455354414d505f574954484f55545f54494d455f5a4f4e45000000037e7200326f72672e6170616368652e666c69\
        6e6b2e7461626c652e74797065732e6c6f676963616c2e54696d657374616d704b696e64000000000000000012000078\
        71007e0007740007524547554c41527371007e003f0171007e0042000000037e71007e0044740007524f5754494d4573\
        72003c6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c6f63616c5a6f6e\
        656454696d657374616d70547970650000000000000001020002490009707265636973696f6e4c00046b696e6471007e\
        00407871007e0003007e71007e000674001e54494d455354414d505f574954485f4c4f43414c5f54494d455f5a4f4e45\
        000000037e71007e004474000850524f4354494d45737200376f72672e6170616368652e666c696e6b2e7461626c652e\
        74797065732e6c6f676963616c2e5a6f6e656454696d657374616d705479706500000000000000010200024900097072\
        65636973696f6e4c00046b696e6471007e00407871007e0003017e71007e000674001854494d455354414d505f574954\
        485f54494d455f5a4f4e450000000671007e0045737200386f72672e6170616368652e666c696e6b2e7461626c652e74\
        797065732e6c6f676963616c2e44617954696d65496e74657276616c54797065000000000000000102000349000c6461\
        79507265636973696f6e4900136672616374696f6e616c507265636973696f6e4c000a7265736f6c7574696f6e74004c\
        4c6f72672f6170616368652f666c696e6b2f7461626c652f74797065732f6c6f676963616c2f44617954696d65496e74\
        657276616c547970652444617954696d655265736f6c7574696f6e3b7871007e0003017e71007e0006740011494e5445\
        5256414c5f4441595f54494d4500000002000000067e72004a6f72672e6170616368652e666c696e6b2e7461626c652e\
        74797065732e6c6f676963616c2e44617954696d65496e74657276616c547970652444617954696d655265736f6c7574\
        696f6e00000000000000001200007871007e000774000d4441595f544f5f5345434f4e447371007e00540171007e0057\
        00000002000000067e71007e0059740004484f55527371007e00540171007e005700000002000000037e71007e005974\
        00104d494e5554455f544f5f5345434f4e447372003a6f72672e6170616368652e666c696e6b2e7461626c652e747970\
        65732e6c6f676963616c2e596561724d6f6e7468496e74657276616c54797065000000000000000102000249000d7965\
        6172507265636973696f6e4c000a7265736f6c7574696f6e7400504c6f72672f6170616368652f666c696e6b2f746162\
        6c652f74797065732f6c6f676963616c2f596561724d6f6e7468496e74657276616c5479706524596561724d6f6e7468\
        5265736f6c7574696f6e3b7871007e0003017e71007e0006740013494e54455256414c5f594541525f4d4f4e54480000\
        00027e72004e6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e596561724d\
        6f6e7468496e74657276616c5479706524596561724d6f6e74685265736f6c7574696f6e000000000000000012000078\
        71007e000774000d594541525f544f5f4d4f4e54487371007e00620171007e0065000000027e71007e00677400054d4f\
        4e54487372002e6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e41727261\
        795479706500000000000000010200014c000b656c656d656e74547970657400324c6f72672f6170616368652f666c69\
        6e6b2f7461626c652f74797065732f6c6f676963616c2f4c6f676963616c547970653b7871007e0003017e71007e0006\
        74000541525241597371007e00270171007e0029737200316f72672e6170616368652e666c696e6b2e7461626c652e74\
        797065732e6c6f676963616c2e4d756c74697365745479706500000000000000010200014c000b656c656d656e745479\
        706571007e006e7871007e0003007e71007e00067400084d554c54495345547371007e000a0171007e000c7fffffff73\
        72002c6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4d61705479706500\
        000000000000010200024c00076b65795479706571007e006e4c000976616c75655479706571007e006e7871007e0003\
        017e71007e00067400034d41507371007e000a0171007e000c7fffffff7371007e002b0071007e002d7372002c6f7267\
        2e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e526f775479706500000000000000\
        010200014c00066669656c64737400104c6a6176612f7574696c2f4c6973743b7871007e0003017e71007e0006740003\
        524f57737200266a6176612e7574696c2e436f6c6c656374696f6e7324556e6d6f6469666961626c654c697374fc0f25\
        31b5ec8e100200014c00046c69737471007e007f7872002c6a6176612e7574696c2e436f6c6c656374696f6e7324556e\
        6d6f6469666961626c65436f6c6c656374696f6e19420080cb5ef71e0200014c0001637400164c6a6176612f7574696c\
        2f436f6c6c656374696f6e3b7870737200136a6176612e7574696c2e41727261794c6973747881d21d99c7619d030001\
        49000473697a65787000000003770400000003737200356f72672e6170616368652e666c696e6b2e7461626c652e7479\
        7065732e6c6f676963616c2e526f775479706524526f774669656c6400000000000000010200034c000b646573637269\
        7074696f6e7400124c6a6176612f6c616e672f537472696e673b4c00046e616d6571007e008a4c00047479706571007e\
        006e787070740001617371007e00270171007e00297371007e00897400066974277320627400036260787371007e000a\
        0171007e000c7fffffff7371007e0089707400016e7371007e007e0071007e00817371007e00837371007e0087000000\
        027704000000027371007e008970740001787371007e00270171007e00297371007e0089707400017971007e00997871\
        007e00967871007e00887372002d6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963\
        616c2e4e756c6c5479706500000000000000010200007871007e0003017e71007e00067400044e554c4c7372002c6f72\
        672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e52617754797065000000000000\
        00010200024c0005636c617a7a7400114c6a6176612f6c616e672f436c6173733b4c000a73657269616c697a65727400\
        364c6f72672f6170616368652f666c696e6b2f6170692f636f6d6d6f6e2f747970657574696c732f5479706553657269\
        616c697a65723b7871007e0003017e71007e0006740003524157767200106a6176612e6c616e672e537472696e67a0f0\
        a4387a3bb34202000078707372003b6f72672e6170616368652e666c696e6b2e6170692e636f6d6d6f6e2e7479706575\
        74696c732e626173652e537472696e6753657269616c697a65720000000000000001020000787200426f72672e617061\
        6368652e666c696e6b2e6170692e636f6d6d6f6e2e747970657574696c732e626173652e5479706553657269616c697a\
        657253696e676c65746f6e79a987aac72e7745020000787200346f72672e6170616368652e666c696e6b2e6170692e63\
        6f6d6d6f6e2e747970657574696c732e5479706553657269616c697a6572000000000000000102000078707372002f6f\
        72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4269746d6170547970650000\
        0000000000010200007871007e0003017e71007e00067400064249544d4150737200306f72672e6170616368652e666c\
        696e6b2e7461626c652e74797065732e6c6f676963616c2e56617269616e7454797065979114bfb3839bfc0200007871\
        007e0003017e71007e000674000756415249414e54737200336f72672e6170616368652e666c696e6b2e7461626c652e\
        74797065732e6c6f676963616c2e44657363726970746f725479706500000000000000010200007871007e0003017e71\
        007e000674000a44455343524950544f52737200336f72672e6170616368652e666c696e6b2e7461626c652e74797065\
        732e6c6f676963616c2e537472756374757265645479706500000000000000010200065a000e6973496e7374616e7469\
        61626c654c000a6174747269627574657371007e007f4c0009636c6173734e616d6571007e008a4c000a636f6d706172\
        69736f6e74004a4c6f72672f6170616368652f666c696e6b2f7461626c652f74797065732f6c6f676963616c2f537472\
        75637475726564547970652453747275637475726564436f6d70617269736f6e3b4c0013696d706c656d656e74617469\
        6f6e436c61737371007e00a14c00097375706572547970657400354c6f72672f6170616368652f666c696e6b2f746162\
        6c652f74797065732f6c6f676963616c2f53747275637475726564547970653b787200346f72672e6170616368652e66\
        6c696e6b2e7461626c652e74797065732e6c6f676963616c2e55736572446566696e6564547970650000000000000001\
        0200035a0007697346696e616c4c000b6465736372697074696f6e71007e008a4c00106f626a6563744964656e746966\
        6965727400314c6f72672f6170616368652f666c696e6b2f7461626c652f636174616c6f672f4f626a6563744964656e\
        7469666965723b7871007e0003017e71007e000674000f535452554354555245445f5459504501707372002f6f72672e\
        6170616368652e666c696e6b2e7461626c652e636174616c6f672e4f626a6563744964656e746966696572a41cb49f8b\
        51f44d0200034c000b636174616c6f674e616d6571007e008a4c000c64617461626173654e616d6571007e008a4c000a\
        6f626a6563744e616d6571007e008a78707400036361747400026462740002507401737200116a6176612e7574696c2e\
        436f6c6c536572578eabb63a1ba811030001490003746167787000000001770400000002737200476f72672e61706163\
        68652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e53747275637475726564547970652453747275\
        63747572656441747472696275746500000000000000010200034c000b6465736372697074696f6e71007e008a4c0004\
        6e616d6571007e008a4c00047479706571007e006e78707071007e00987371007e00270171007e00297371007e00c774\
        000377687971007e009b7371007e00330171007e003578707e7200486f72672e6170616368652e666c696e6b2e746162\
        6c652e74797065732e6c6f676963616c2e53747275637475726564547970652453747275637475726564436f6d706172\
        69736f6e00000000000000001200007871007e0007740006455155414c5370707371007e00b80171007e00be01707001\
        7371007e00c5000000017704000000017371007e00c770740001667371007e002b0171007e002d78740010636f6d2e65\
        78616d706c652e506f6a6f71007e00ce7070737200316f72672e6170616368652e666c696e6b2e7461626c652e747970\
        65732e6c6f676963616c2e44697374696e63745479706500000000000000010200014c000a736f757263655479706571\
        007e006e7871007e00bb017e71007e000674000d44495354494e43545f5459504501707371007e00c071007e00c27100\
        7e00c37400054d6f6e65797371007e001a0171007e001c0000000a00000002";

    fn all_types() -> Vec<LogicalType> {
        let data = hex(ALL_TYPES_STREAM);
        let mut r = DataReader::new(&data);
        let v = read_stream(&mut r).unwrap();
        assert!(r.is_empty());
        let elements = javaser::list_elements(&v).unwrap();
        assert_eq!(elements.len(), EXPECTED.len());
        elements
            .iter()
            .zip(EXPECTED)
            .map(|(e, (class, _, _))| {
                assert_eq!(e.class_name(), Some(format!("{PKG}{class}").as_str()));
                logical_type_from_java(e).unwrap()
            })
            .collect()
    }

    #[test]
    fn every_type_prints_like_flink() {
        for (t, (class, serializable, summary)) in all_types().iter().zip(EXPECTED) {
            assert_eq!(t.to_string(), *serializable, "{class}");
            assert_eq!(t.summary_string(), *summary, "{class}");
        }
    }

    #[test]
    fn decoded_parameters() {
        let ts = all_types();
        assert_eq!(
            ts[5].kind,
            TypeKind::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert!(!ts[6].nullable);
        assert!(matches!(
            ts[17].kind,
            TypeKind::LocalZonedTimestamp {
                precision: 3,
                kind: TimestampKind::Proctime
            }
        ));
        match &ts[27].kind {
            TypeKind::Row(fields) => {
                assert_eq!(fields.len(), 3);
                assert_eq!(fields[1].name, "b`x");
                assert_eq!(fields[1].description.as_deref(), Some("it's b"));
                let TypeKind::Row(inner) = &fields[2].ty.kind else {
                    panic!("nested row")
                };
                assert_eq!(inner[0].ty, inner[1].ty);
                assert!(!fields[2].ty.nullable);
            }
            other => panic!("{other:?}"),
        }
        match &ts[29].kind {
            TypeKind::Raw {
                class,
                serializer_class,
                ..
            } => {
                assert_eq!(class, "java.lang.String");
                assert_eq!(
                    serializer_class,
                    "org.apache.flink.api.common.typeutils.base.StringSerializer"
                );
            }
            other => panic!("{other:?}"),
        }
        match &ts[33].kind {
            TypeKind::Structured(s) => {
                assert_eq!(
                    s.identifier,
                    Some(ObjectIdentifier {
                        catalog: Some("cat".into()),
                        database: Some("db".into()),
                        object: "Pt".into()
                    })
                );
                assert_eq!(s.attributes.len(), 2);
                assert_eq!(s.attributes[1].description.as_deref(), Some("why"));
                assert_eq!(s.comparison.as_deref(), Some("EQUALS"));
            }
            other => panic!("{other:?}"),
        }
        match &ts[35].kind {
            TypeKind::Distinct { source, .. } => assert_eq!(source.to_string(), "DECIMAL(10, 2)"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn equality_follows_flink() {
        let ts = all_types();
        for (i, a) in ts.iter().enumerate() {
            for (j, b) in ts.iter().enumerate() {
                // Only the two TIMESTAMP(3) types (REGULAR and ROWTIME) are equal in Flink.
                let same = i == j || matches!((i, j), (15, 16) | (16, 15));
                assert_eq!(a == b, same, "{a} vs {b}");
            }
        }
        let mut not_null = ts[0].clone();
        not_null.nullable = false;
        assert_ne!(not_null, ts[0]);
        let TypeKind::Row(fields) = &ts[27].kind else {
            panic!()
        };
        let mut other = fields.clone();
        other[1].description = None;
        assert_ne!(TypeKind::Row(other.clone()), ts[27].kind);
        other[1].description = fields[1].description.clone();
        assert_eq!(TypeKind::Row(other.clone()), ts[27].kind);
        other[0].name = "z".into();
        assert_ne!(TypeKind::Row(other), ts[27].kind);
    }

    #[test]
    fn formats_not_in_the_stream() {
        use DayTimeResolution::*;
        let cases = [
            (Day, 3, 4, "INTERVAL DAY(3)"),
            (DayToHour, 3, 4, "INTERVAL DAY(3) TO HOUR"),
            (DayToMinute, 3, 4, "INTERVAL DAY(3) TO MINUTE"),
            (HourToMinute, 2, 6, "INTERVAL HOUR TO MINUTE"),
            (HourToSecond, 2, 4, "INTERVAL HOUR TO SECOND(4)"),
            (Minute, 2, 6, "INTERVAL MINUTE"),
            (Second, 2, 4, "INTERVAL SECOND(4)"),
        ];
        for (resolution, d, f, expected) in cases {
            let t = LogicalType {
                nullable: false,
                kind: TypeKind::DayTimeInterval {
                    resolution,
                    day_precision: d,
                    fractional_precision: f,
                },
            };
            assert_eq!(t.to_string(), format!("{expected} NOT NULL"));
        }
        let t = LogicalType {
            nullable: true,
            kind: TypeKind::YearMonthInterval {
                resolution: YearMonthResolution::Year,
                year_precision: 3,
            },
        };
        assert_eq!(t.to_string(), "INTERVAL YEAR(3)");
        let t = LogicalType {
            nullable: false,
            kind: TypeKind::Row(vec![]),
        };
        assert_eq!(t.to_string(), "ROW<> NOT NULL");
    }

    /// A type class this reader does not know (the real stream with `BitmapType` renamed to
    /// `BitmapTypX`, same length) falls back to its type root and keeps its fields for equality.
    #[test]
    fn unknown_type_classes_fall_back_to_the_root() {
        let mut data = hex(ALL_TYPES_STREAM);
        let from = b"logical.BitmapType";
        let pos = data.windows(from.len()).position(|w| w == from).unwrap();
        data[pos + from.len() - 1] = b'X';
        let v = read_stream(&mut DataReader::new(&data)).unwrap();
        let elements = javaser::list_elements(&v).unwrap();
        let t = logical_type_from_java(elements[30]).unwrap();
        assert_eq!(
            t.kind,
            TypeKind::Unknown {
                class: format!("{PKG}BitmapTypX"),
                root: Some("BITMAP".into()),
                fields: String::new(),
            }
        );
        assert_eq!(t.to_string(), "BITMAP");
        assert_ne!(t, all_types()[30]);
    }

    #[test]
    fn non_types_are_errors_and_damaged_streams_never_panic() {
        let v = JavaValue::String("x".into());
        assert!(logical_type_from_java(&v).is_err());
        let data = hex(ALL_TYPES_STREAM);
        let mut copy = data.clone();
        for i in 0..data.len() {
            for x in [0x01u8, 0x20, 0xFF] {
                copy[i] = data[i] ^ x;
                if let Ok(v) = read_stream(&mut DataReader::new(&copy))
                    && let Some(elements) = javaser::list_elements(&v)
                {
                    for e in elements {
                        let _ =
                            logical_type_from_java(e).map(|t| (t.to_string(), t.summary_string()));
                    }
                }
            }
            copy[i] = data[i];
        }
    }
}
