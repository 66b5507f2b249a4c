//! SQL logical types in either Flink form: `asSummaryString` (``ROW<`id` BIGINT, `s` STRING>``)
//! and `asSerializableString` (`VARCHAR(2147483647)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`).

use super::{MAX_DEPTH, NotationError, Parser};
use crate::schema::logical_type::{
    DayTimeResolution, LogicalType, ObjectIdentifier, RowField, TimestampKind, TypeKind,
    YearMonthResolution,
};

/// SQL type keywords that start a logical type (upper case, unlike TypeInformation names).
const SQL_KEYWORDS: &[&str] = &[
    "ROW",
    "ARRAY",
    "MAP",
    "MULTISET",
    "CHAR",
    "CHARACTER",
    "VARCHAR",
    "STRING",
    "BOOLEAN",
    "BINARY",
    "VARBINARY",
    "BYTES",
    "DECIMAL",
    "DEC",
    "NUMERIC",
    "TINYINT",
    "SMALLINT",
    "INT",
    "INTEGER",
    "BIGINT",
    "FLOAT",
    "REAL",
    "DOUBLE",
    "DATE",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMP_LTZ",
    "INTERVAL",
    "NULL",
    "RAW",
    "VARIANT",
    "BITMAP",
    "DESCRIPTOR",
    "SYMBOL",
    "STRUCTURED",
    "LEGACY",
    "UNKNOWN",
];

impl Parser<'_> {
    /// Does a SQL logical type start here? (Upper-case keyword, or a backquoted identifier.)
    pub(in crate::schema) fn starts_sql(&self) -> bool {
        let rest = self.rest();
        if rest.starts_with('`') {
            return true;
        }
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect();
        let next = rest[word.len()..].chars().next();
        SQL_KEYWORDS.contains(&word.as_str())
            && !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '$')
    }

    // --------------------------------------------------------------------------------------------
    // SQL logical types.

    pub(in crate::schema) fn keyword(&mut self) -> String {
        self.ws();
        let word: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
            .collect();
        self.pos += word.len();
        word.to_ascii_uppercase()
    }

    /// Consumes `word` if it is the next keyword.
    pub(in crate::schema) fn eat_keyword(&mut self, word: &str) -> bool {
        self.ws();
        let save = self.pos;
        if self.keyword() == word {
            true
        } else {
            self.pos = save;
            false
        }
    }

    pub(in crate::schema) fn int(&mut self) -> Result<i32, NotationError> {
        self.ws();
        let digits: String = self
            .rest()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        match digits.parse::<i32>() {
            Ok(n) => {
                self.pos += digits.len();
                Ok(n)
            }
            Err(_) => self.err("expected a number"),
        }
    }

    /// `(n)` if present.
    pub(in crate::schema) fn opt_param(&mut self) -> Result<Option<i32>, NotationError> {
        if self.eat("(") {
            let n = self.int()?;
            self.expect(")")?;
            Ok(Some(n))
        } else {
            Ok(None)
        }
    }

    /// A `'...'` string literal with `''` escapes.
    pub(in crate::schema) fn quoted(&mut self) -> Result<String, NotationError> {
        self.expect("'")?;
        let mut out = String::new();
        let mut chars = self.rest().char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if matches!(chars.peek(), Some((_, '\''))) {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                self.pos += i + 1;
                return Ok(out);
            }
            out.push(c);
        }
        self.err("unterminated string literal")
    }

    /// A `` `...` `` identifier with doubled backticks, or a bare identifier.
    pub(in crate::schema) fn sql_identifier(&mut self) -> Result<String, NotationError> {
        self.ws();
        if self.peek() == Some('`') {
            self.pos += 1;
            let mut out = String::new();
            let mut chars = self.rest().char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '`' {
                    if matches!(chars.peek(), Some((_, '`'))) {
                        chars.next();
                        out.push('`');
                        continue;
                    }
                    self.pos += i + 1;
                    return Ok(out);
                }
                out.push(c);
            }
            return self.err("unterminated identifier");
        }
        let len: usize = self
            .rest()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .map(char::len_utf8)
            .sum();
        if len == 0 {
            return self.err("expected a field name");
        }
        let name = self.rest()[..len].to_string();
        self.pos += len;
        Ok(name)
    }

    pub(in crate::schema) fn sql_fields(
        &mut self,
        close: &str,
        depth: usize,
    ) -> Result<Vec<RowField>, NotationError> {
        self.list(close, |p| {
            let name = p.sql_identifier()?;
            let ty = p.sql(depth)?;
            p.ws();
            let description = if p.peek() == Some('\'') {
                Some(p.quoted()?)
            } else {
                None
            };
            Ok(RowField {
                name,
                ty,
                description,
            })
        })
    }

    pub(in crate::schema) fn sql(&mut self, depth: usize) -> Result<LogicalType, NotationError> {
        if depth > MAX_DEPTH {
            return self.err("type nested too deeply");
        }
        let d = depth + 1;
        self.ws();
        let start = self.pos;
        let mut time_kind = TimestampKind::Regular;
        let kind = if self.peek() == Some('*') {
            // Flink 1.x's summary of a structured type (`*com.acme.Acc<`f` BIGINT>*`), as an
            // imperative aggregate function's accumulator prints; 2.x prints STRUCTURED<...>.
            self.expect("*")?;
            let len: usize = self
                .rest()
                .chars()
                .take_while(|c| !matches!(c, '<' | '*') && !c.is_whitespace())
                .map(char::len_utf8)
                .sum();
            if len == 0 {
                return self.err("expected a class name");
            }
            let class = self.rest()[..len].to_string();
            self.pos += len;
            let attributes = if self.eat("<") {
                self.sql_fields(">", d)?
            } else {
                Vec::new()
            };
            self.expect("*")?;
            structured(class, attributes)
        } else if self.peek() == Some('`') {
            // A named (structured or distinct) type: `cat`.`db`.`type`.
            let mut parts = vec![self.sql_identifier()?];
            while self.eat(".") {
                parts.push(self.sql_identifier()?);
            }
            let object = parts.pop().unwrap_or_default();
            let identifier = ObjectIdentifier {
                catalog: parts.first().cloned(),
                database: parts.get(1).cloned(),
                object,
            };
            TypeKind::Unknown {
                class: identifier.serializable_string(),
                root: None,
                fields: String::new(),
            }
        } else {
            let word = self.keyword();
            match word.as_str() {
                "CHAR" | "CHARACTER" => TypeKind::Char {
                    length: self.opt_param()?.unwrap_or(1),
                },
                "VARCHAR" => TypeKind::VarChar {
                    length: self.opt_param()?.unwrap_or(1),
                },
                "STRING" => TypeKind::VarChar { length: i32::MAX },
                "BOOLEAN" => TypeKind::Boolean,
                "BINARY" => TypeKind::Binary {
                    length: self.opt_param()?.unwrap_or(1),
                },
                "VARBINARY" => TypeKind::VarBinary {
                    length: self.opt_param()?.unwrap_or(1),
                },
                "BYTES" => TypeKind::VarBinary { length: i32::MAX },
                "DECIMAL" | "DEC" | "NUMERIC" => {
                    let (mut precision, mut scale) = (10, 0);
                    if self.eat("(") {
                        precision = self.int()?;
                        if self.eat(",") {
                            scale = self.int()?;
                        }
                        self.expect(")")?;
                    }
                    TypeKind::Decimal { precision, scale }
                }
                "TINYINT" => TypeKind::TinyInt,
                "SMALLINT" => TypeKind::SmallInt,
                "INT" | "INTEGER" => TypeKind::Int,
                "BIGINT" => TypeKind::BigInt,
                "FLOAT" | "REAL" => TypeKind::Float,
                "DOUBLE" => {
                    self.eat_keyword("PRECISION");
                    TypeKind::Double
                }
                "DATE" => TypeKind::Date,
                "TIME" => {
                    let precision = self.opt_param()?.unwrap_or(0);
                    if self.eat_keyword("WITHOUT") {
                        self.time_zone_words()?;
                    }
                    TypeKind::Time { precision }
                }
                "TIMESTAMP" => {
                    let precision = self.opt_param()?.unwrap_or(6);
                    if self.eat_keyword("WITHOUT") {
                        self.time_zone_words()?;
                        TypeKind::Timestamp {
                            precision,
                            kind: time_kind,
                        }
                    } else if self.eat_keyword("WITH") {
                        if self.eat_keyword("LOCAL") {
                            self.time_zone_words()?;
                            TypeKind::LocalZonedTimestamp {
                                precision,
                                kind: time_kind,
                            }
                        } else {
                            self.time_zone_words()?;
                            TypeKind::ZonedTimestamp {
                                precision,
                                kind: time_kind,
                            }
                        }
                    } else {
                        TypeKind::Timestamp {
                            precision,
                            kind: time_kind,
                        }
                    }
                }
                "TIMESTAMP_LTZ" => TypeKind::LocalZonedTimestamp {
                    precision: self.opt_param()?.unwrap_or(6),
                    kind: time_kind,
                },
                "INTERVAL" => self.interval()?,
                "ARRAY" => {
                    self.expect("<")?;
                    let t = self.sql(d)?;
                    self.expect(">")?;
                    TypeKind::Array(Box::new(t))
                }
                "MULTISET" => {
                    self.expect("<")?;
                    let t = self.sql(d)?;
                    self.expect(">")?;
                    TypeKind::Multiset(Box::new(t))
                }
                "MAP" => {
                    self.expect("<")?;
                    let k = self.sql(d)?;
                    self.expect(",")?;
                    let v = self.sql(d)?;
                    self.expect(">")?;
                    TypeKind::Map {
                        key: Box::new(k),
                        value: Box::new(v),
                    }
                }
                "ROW" => {
                    let fields = if self.eat("<") {
                        self.sql_fields(">", d)?
                    } else if self.eat("(") {
                        self.sql_fields(")", d)?
                    } else {
                        return self.err("expected `<` after ROW");
                    };
                    TypeKind::Row(fields)
                }
                "NULL" => TypeKind::Null,
                "RAW" => {
                    self.expect("(")?;
                    let class = self.quoted()?;
                    let serializer = if self.eat(",") {
                        self.quoted()?
                    } else {
                        String::new()
                    };
                    self.expect(")")?;
                    TypeKind::Raw {
                        class,
                        serializer_class: String::new(),
                        serializer,
                    }
                }
                "VARIANT" => TypeKind::Variant,
                "BITMAP" => TypeKind::Bitmap,
                "DESCRIPTOR" => TypeKind::Descriptor,
                "SYMBOL" => TypeKind::Symbol,
                "LEGACY" => {
                    self.expect("(")?;
                    let root = self.quoted()?;
                    self.expect(",")?;
                    let type_info_class = self.quoted()?;
                    self.expect(")")?;
                    TypeKind::Legacy {
                        class: String::new(),
                        root,
                        type_info_class,
                        type_info: String::new(),
                    }
                }
                "STRUCTURED" => {
                    self.expect("<")?;
                    let class = self.quoted()?;
                    let attributes = if self.eat(",") {
                        self.sql_fields(">", d)?
                    } else {
                        self.expect(">")?;
                        Vec::new()
                    };
                    structured(class, attributes)
                }
                "UNKNOWN" => {
                    // spcompat's own rendering of a logical type it could not convert.
                    self.expect("(")?;
                    let text = self.until_top_level(&[')']);
                    self.expect(")")?;
                    TypeKind::Unknown {
                        class: "UNKNOWN".to_string(),
                        root: None,
                        fields: text,
                    }
                }
                "" => return self.err("expected a SQL type"),
                other => {
                    self.pos = start;
                    return self.err(format!("unknown SQL type `{other}`"));
                }
            }
        };
        let mut t = LogicalType {
            nullable: true,
            kind,
        };
        // Suffixes: NOT NULL / NULL and the summary's time-attribute markers.
        loop {
            self.ws();
            let save = self.pos;
            if self.eat_keyword("NOT") {
                if self.eat_keyword("NULL") {
                    t.nullable = false;
                    continue;
                }
                self.pos = save;
                break;
            }
            if self.eat_keyword("NULL") {
                t.nullable = true;
                continue;
            }
            if self.eat("*ROWTIME*") {
                time_kind = TimestampKind::Rowtime;
                continue;
            }
            if self.eat("*PROCTIME*") {
                time_kind = TimestampKind::Proctime;
                continue;
            }
            break;
        }
        if time_kind != TimestampKind::Regular {
            match &mut t.kind {
                TypeKind::Timestamp { kind, .. }
                | TypeKind::LocalZonedTimestamp { kind, .. }
                | TypeKind::ZonedTimestamp { kind, .. } => *kind = time_kind,
                _ => return self.err("time attribute marker on a non-timestamp type"),
            }
        }
        Ok(t)
    }

    pub(in crate::schema) fn time_zone_words(&mut self) -> Result<(), NotationError> {
        if self.eat_keyword("TIME") && self.eat_keyword("ZONE") {
            Ok(())
        } else {
            self.err("expected `TIME ZONE`")
        }
    }

    pub(in crate::schema) fn interval(&mut self) -> Result<TypeKind, NotationError> {
        let first = self.keyword();
        let p1 = self.opt_param()?;
        let to = if self.eat_keyword("TO") {
            Some(self.keyword())
        } else {
            None
        };
        let p2 = if to.is_some() {
            self.opt_param()?
        } else {
            None
        };
        use DayTimeResolution as D;
        use YearMonthResolution as Y;
        let ym = |resolution, year_precision| TypeKind::YearMonthInterval {
            resolution,
            year_precision,
        };
        let dt = |resolution, day_precision, fractional_precision| TypeKind::DayTimeInterval {
            resolution,
            day_precision,
            fractional_precision,
        };
        let day = p1.unwrap_or(2);
        Ok(match (first.as_str(), to.as_deref()) {
            ("YEAR", None) => ym(Y::Year, p1.unwrap_or(2)),
            ("YEAR", Some("MONTH")) => ym(Y::YearToMonth, p1.unwrap_or(2)),
            ("MONTH", None) => ym(Y::Month, 2),
            ("DAY", None) => dt(D::Day, day, 6),
            ("DAY", Some("HOUR")) => dt(D::DayToHour, day, 6),
            ("DAY", Some("MINUTE")) => dt(D::DayToMinute, day, 6),
            ("DAY", Some("SECOND")) => dt(D::DayToSecond, day, p2.unwrap_or(6)),
            ("HOUR", None) => dt(D::Hour, 2, 6),
            ("HOUR", Some("MINUTE")) => dt(D::HourToMinute, 2, 6),
            ("HOUR", Some("SECOND")) => dt(D::HourToSecond, 2, p2.unwrap_or(6)),
            ("MINUTE", None) => dt(D::Minute, 2, 6),
            ("MINUTE", Some("SECOND")) => dt(D::MinuteToSecond, 2, p2.unwrap_or(6)),
            ("SECOND", None) => dt(D::Second, 2, p1.unwrap_or(6)),
            _ => return self.err("unknown INTERVAL resolution"),
        })
    }
}

/// An anonymous structured type of `class` (as the planner derives one from a class).
fn structured(class: String, attributes: Vec<RowField>) -> TypeKind {
    TypeKind::Structured(Box::new(crate::schema::logical_type::StructuredType {
        identifier: None,
        class_name: Some(class),
        implementation_class: None,
        attributes,
        is_final: true,
        is_instantiable: true,
        comparison: None,
        super_type: None,
        description: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::parse_logical_type;

    /// Flink 1.x prints an imperative aggregate's accumulator as `*class<fields>*` where 2.x
    /// prints `STRUCTURED<'class', fields>` (both recorded for MAX with retraction): the same
    /// type either way.
    #[test]
    fn flink_1_structured_summary_is_a_structured_type() {
        let class = "org.apache.flink.table.runtime.functions.aggregate.MaxWithRetractAggFunction$MaxWithRetractAccumulator";
        let fields = "`max` BIGINT, `mapSize` BIGINT";
        let old = parse_logical_type(&format!("ROW<`f0` *{class}<{fields}>*>")).unwrap();
        let new =
            parse_logical_type(&format!("ROW<`f0` STRUCTURED<'{class}', {fields}>>")).unwrap();
        assert_eq!(old, new);
        assert!(parse_logical_type("*com.acme.Acc<`a` INT>").is_err());
        assert!(parse_logical_type("**").is_err());
    }
}
