//! Printing: Flink's `asSerializableString` (`Display`) and `asSummaryString`.

use std::fmt;

use super::{
    DayTimeResolution, LogicalType, ObjectIdentifier, RowField, TimestampKind, TypeKind,
    YearMonthResolution,
};

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
            Unknown {
                class,
                root,
                fields,
            } => match root {
                Some(root) => write!(out, "{root}"),
                // The notation's own `UNKNOWN(why)` prints back as written.
                None if class == "UNKNOWN" => write!(out, "UNKNOWN({fields})"),
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
