//! SQL logical types (`org.apache.flink.table.types.logical.*Type`) from their Java-serialized
//! form, as stored one per field in `RowDataSerializer$RowDataSerializerSnapshot`.
//!
//! [`LogicalType`]'s `Display` prints Flink's `LogicalType#asSerializableString` (e.g.
//! `VARCHAR(2147483647)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL`, ``ROW<`a` INT>``);
//! [`LogicalType::summary_string`] prints `asSummaryString` (`STRING`, `TIMESTAMP_LTZ(3)`, ...).
//! Equality follows Flink's `LogicalType#equals`: same class, nullability and parameters, row
//! field names, types and descriptions; the timestamp kind (`*ROWTIME*`, `*PROCTIME*`) does not
//! count, as in Flink.
//!
//! Files: this one holds the model; [`print`] Flink's string forms; [`from_java`] the
//! conversion from the Java-serialized objects.

mod from_java;
mod print;

pub use from_java::logical_type_from_java;

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

impl LogicalType {
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
}

#[cfg(test)]
mod tests;
