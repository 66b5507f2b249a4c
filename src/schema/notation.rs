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

use std::fmt;

use super::logical_type::{
    DayTimeResolution, LogicalType, ObjectIdentifier, RowField, TimestampKind, TypeKind,
    YearMonthResolution,
};
use super::types::{Field, Generic, Pojo, PojoField, Simple, SqlField, Type, tuple_class};

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotationError {
    pub input: String,
    /// Character offset of the problem.
    pub at: usize,
    pub message: String,
}

impl fmt::Display for NotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read type `{}` at character {}: {}",
            self.input, self.at, self.message
        )
    }
}

impl std::error::Error for NotationError {}

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
    let t = parse_type(input)?;
    Ok(match (t, avro_schema) {
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
    })
}

/// Parses a SQL logical type (summary or serializable form).
pub fn parse_logical_type(input: &str) -> Result<LogicalType, NotationError> {
    let mut p = Parser::new(input);
    let t = p.sql(0)?;
    p.end()?;
    Ok(t)
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

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

fn is_java_ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '.')
}

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

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Parser<'a> {
        Parser { s, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.boundary()..]
    }

    /// `pos`, moved forward to a character boundary: a step of one byte over a non-ASCII
    /// character must not make slicing panic (found by fuzzing).
    fn boundary(&self) -> usize {
        let mut p = self.pos.min(self.s.len());
        while !self.s.is_char_boundary(p) {
            p += 1;
        }
        p
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, NotationError> {
        Err(NotationError {
            input: self.s.to_string(),
            at: self.s[..self.boundary()].chars().count(),
            message: message.into(),
        })
    }

    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.s.len() - trimmed.len();
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Consumes `lit` (after whitespace) if it comes next.
    fn eat(&mut self, lit: &str) -> bool {
        self.ws();
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, lit: &str) -> Result<(), NotationError> {
        if self.eat(lit) {
            Ok(())
        } else {
            let found: String = self.rest().chars().take(12).collect();
            if found.is_empty() {
                self.err(format!("expected `{lit}`, found the end"))
            } else {
                self.err(format!("expected `{lit}`, found `{found}`"))
            }
        }
    }

    fn end(&mut self) -> Result<(), NotationError> {
        self.ws();
        if self.rest().is_empty() {
            Ok(())
        } else {
            self.err("unexpected text after the type")
        }
    }

    /// A Java identifier or dotted class name (`com.acme.Outer$Inner`).
    fn java_name(&mut self) -> Result<String, NotationError> {
        self.ws();
        let len: usize = self
            .rest()
            .chars()
            .take_while(|c| is_java_ident_char(*c))
            .map(char::len_utf8)
            .sum();
        if len == 0 {
            return self.err("expected a name");
        }
        let name = self.rest()[..len].to_string();
        self.pos += len;
        Ok(name)
    }

    /// Text up to (not including) the first of `stops` at bracket depth 0.
    fn until_top_level(&mut self, stops: &[char]) -> String {
        let mut depth = 0i32;
        let mut len = 0;
        for c in self.rest().chars() {
            match c {
                '<' | '(' | '[' => depth += 1,
                '>' | ')' | ']' if depth > 0 => depth -= 1,
                _ if depth == 0 && stops.contains(&c) => break,
                _ => {}
            }
            len += c.len_utf8();
        }
        let text = self.rest()[..len].trim().to_string();
        self.pos += len;
        text
    }

    fn list<T>(
        &mut self,
        close: &str,
        mut item: impl FnMut(&mut Self) -> Result<T, NotationError>,
    ) -> Result<Vec<T>, NotationError> {
        let mut out = Vec::new();
        if self.eat(close) {
            return Ok(out);
        }
        loop {
            out.push(item(self)?);
            if self.eat(",") {
                continue;
            }
            self.expect(close)?;
            return Ok(out);
        }
    }

    fn ty(&mut self, depth: usize) -> Result<Type, NotationError> {
        if depth > MAX_DEPTH {
            return self.err("type nested too deeply");
        }
        let d = depth + 1;
        self.ws();
        if self.eat("Java Tuple") {
            let digits: String = self
                .rest()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            self.pos += digits.len();
            let arity: usize = match digits.parse() {
                Ok(n) => n,
                Err(_) => return self.err("expected the tuple arity after `Java Tuple`"),
            };
            let fields = if self.eat("<") {
                self.list(">", |p| p.ty(d))?
            } else {
                Vec::new()
            };
            if fields.len() != arity {
                return self.err(format!(
                    "Tuple{arity} has {} field types, expected {arity}",
                    fields.len()
                ));
            }
            return Ok(Type::Tuple {
                class: tuple_class(arity),
                fields,
            });
        }
        if self.eat("PojoType<") {
            let class = self.until_top_level(&[',', '>']);
            let mut fields = Vec::new();
            if self.eat(",") {
                self.expect("fields")?;
                self.expect("=")?;
                self.expect("[")?;
                fields = self.list("]", |p| {
                    let name = p.java_name()?;
                    p.expect(":")?;
                    let ty = p.ty(d)?;
                    Ok(PojoField {
                        name,
                        declaring_class: None,
                        ty: Some(ty),
                    })
                })?;
            }
            self.expect(">")?;
            return Ok(Type::Pojo(Pojo {
                class,
                fields,
                registered_subclasses: None,
                non_registered_subclasses: None,
            }));
        }
        if self.eat("EnumTypeInfo<") {
            let class = self.java_name()?;
            // spcompat extension: `EnumTypeInfo<c, constants = [A, B]>` lists the constants in
            // declaration order (Flink prints the class only), so removals can be seen.
            let constants = if self.eat(",") {
                self.expect("constants")?;
                self.expect("=")?;
                self.expect("[")?;
                Some(self.list("]", |p| p.java_name())?)
            } else {
                None
            };
            self.expect(">")?;
            return Ok(Type::Enum { class, constants });
        }
        for (prefix, what) in [
            ("GenericType<", 0),
            ("AvroType<", 2),
            ("ValueType<", 3),
            ("WritableType<", 4),
        ] {
            if self.eat(prefix) {
                let class = self.java_name()?;
                self.expect(">")?;
                return Ok(match what {
                    0 => Type::Generic(Generic {
                        class,
                        registrations: None,
                        default_serializers: None,
                    }),
                    2 => Type::Avro {
                        class: Some(class),
                        schema: None,
                    },
                    3 => match Simple::from_notation(&format!("ValueType<{class}>")) {
                        Some(s) => Type::Simple(s),
                        None => Type::ValueClass {
                            serializer: "ValueSerializer".to_string(),
                            class,
                        },
                    },
                    _ => Type::ValueClass {
                        serializer: "WritableSerializer".to_string(),
                        class,
                    },
                });
            }
        }
        if self.eat("GenericRecord(") {
            self.ws();
            let mut stream =
                serde_json::Deserializer::from_str(self.rest()).into_iter::<serde_json::Value>();
            let schema = match stream.next() {
                Some(Ok(v)) => v.to_string(),
                _ => return self.err("expected an Avro schema (JSON) in `GenericRecord(...)`"),
            };
            self.pos += stream.byte_offset();
            self.expect(")")?;
            return Ok(Type::Avro {
                class: Some("org.apache.avro.generic.GenericRecord".to_string()),
                schema: Some(schema),
            });
        }
        for (prefix, close) in [
            ("List<", ">"),
            ("Set<", ">"),
            ("Multiset<", ">"),
            ("Option[", "]"),
            ("BasicArrayTypeInfo<", ">"),
            ("ObjectArrayTypeInfo<", ">"),
            ("TTL<", ">"),
        ] {
            if self.eat(prefix) {
                let inner = self.ty(d)?;
                self.expect(close)?;
                return Ok(match prefix {
                    "List<" => Type::List(Box::new(inner)),
                    "Set<" => Type::Set(Box::new(inner)),
                    // MultisetTypeInfo is a MapTypeInfo<T, Integer>.
                    "Multiset<" => Type::Map(
                        Box::new(inner),
                        Box::new(Type::Simple(Simple::new(
                            "org.apache.flink.api.common.typeutils.base.IntSerializer",
                        ))),
                    ),
                    "Option[" => Type::ScalaOption(Box::new(inner)),
                    "TTL<" => Type::Ttl(Box::new(inner)),
                    "BasicArrayTypeInfo<" if inner.to_string() == "String" => {
                        Type::Simple(Simple::new(
                            "org.apache.flink.api.common.typeutils.base.array.StringArraySerializer",
                        ))
                    }
                    "BasicArrayTypeInfo<" => Type::Array {
                        component_class: Some(format!("java.lang.{inner}")),
                        component: Box::new(inner),
                    },
                    _ => Type::Array {
                        component_class: None,
                        component: Box::new(inner),
                    },
                });
            }
        }
        if self.eat("Map<") {
            let k = self.ty(d)?;
            self.expect(",")?;
            let v = self.ty(d)?;
            self.expect(">")?;
            return Ok(Type::Map(Box::new(k), Box::new(v)));
        }
        if self.eat("Either <") || self.eat("Either<") {
            let l = self.ty(d)?;
            self.expect(",")?;
            let r = self.ty(d)?;
            self.expect(">")?;
            return Ok(Type::Either(Box::new(l), Box::new(r)));
        }
        if self.eat("Timer<") {
            self.expect("key")?;
            self.expect("=")?;
            let key = self.ty(d)?;
            self.expect(",")?;
            self.expect("namespace")?;
            self.expect("=")?;
            let namespace = self.ty(d)?;
            self.expect(">")?;
            return Ok(Type::Timer {
                key: Box::new(key),
                namespace: Box::new(namespace),
            });
        }
        if self.eat("Row(") {
            let fields = self.list(")", |p| p.named_field(d))?;
            return Ok(Type::Row {
                fields,
                row_kind: None,
            });
        }
        if self.starts_sql() {
            let t = self.sql(d)?;
            return Ok(sql_internal_type(t));
        }
        let name = self.java_name()?;
        if self.eat("[]") {
            return match Simple::from_notation(&format!("{name}[]")) {
                Some(s) => Ok(Type::Simple(s)),
                None if name == "String" || name == "java.lang.String" => {
                    Ok(Type::Simple(Simple::new(
                        "org.apache.flink.api.common.typeutils.base.array.StringArraySerializer",
                    )))
                }
                None => self.err(format!("`{name}[]` is not a primitive array type")),
            };
        }
        if self.peek() == Some('(') {
            // Scala case class: `Name(a: Integer, b: String)`.
            self.pos += 1;
            let fields = self.list(")", |p| p.named_field(d))?;
            return Ok(Type::CaseClass {
                class: name,
                fields,
            });
        }
        let bare = name.strip_prefix("java.lang.").unwrap_or(&name);
        let bare = match bare {
            "Int" | "int" => "Integer",
            "Char" | "char" => "Character",
            "long" => "Long",
            "double" => "Double",
            "float" => "Float",
            "boolean" => "Boolean",
            "byte" => "Byte",
            "short" => "Short",
            other => other,
        };
        match Simple::from_notation(bare) {
            Some(s) => Ok(Type::Simple(s)),
            None => {
                self.pos -= name.len();
                self.err(format!(
                    "unknown type `{name}` (expected a Flink TypeInformation string such as `Long`, `PojoType<...>`, `GenericType<...>`)"
                ))
            }
        }
    }

    fn named_field(&mut self, depth: usize) -> Result<Field, NotationError> {
        let name = self.java_name()?;
        self.expect(":")?;
        let ty = self.ty(depth)?;
        Ok(Field {
            name: Some(name),
            ty,
        })
    }

    /// Does a SQL logical type start here? (Upper-case keyword, or a backquoted identifier.)
    fn starts_sql(&self) -> bool {
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

    fn keyword(&mut self) -> String {
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
    fn eat_keyword(&mut self, word: &str) -> bool {
        self.ws();
        let save = self.pos;
        if self.keyword() == word {
            true
        } else {
            self.pos = save;
            false
        }
    }

    fn int(&mut self) -> Result<i32, NotationError> {
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
    fn opt_param(&mut self) -> Result<Option<i32>, NotationError> {
        if self.eat("(") {
            let n = self.int()?;
            self.expect(")")?;
            Ok(Some(n))
        } else {
            Ok(None)
        }
    }

    /// A `'...'` string literal with `''` escapes.
    fn quoted(&mut self) -> Result<String, NotationError> {
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
    fn sql_identifier(&mut self) -> Result<String, NotationError> {
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

    fn sql_fields(&mut self, close: &str, depth: usize) -> Result<Vec<RowField>, NotationError> {
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

    fn sql(&mut self, depth: usize) -> Result<LogicalType, NotationError> {
        if depth > MAX_DEPTH {
            return self.err("type nested too deeply");
        }
        let d = depth + 1;
        self.ws();
        let start = self.pos;
        let mut time_kind = TimestampKind::Regular;
        let kind = if self.peek() == Some('`') {
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
                    TypeKind::Structured(Box::new(super::logical_type::StructuredType {
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

    fn time_zone_words(&mut self) -> Result<(), NotationError> {
        if self.eat_keyword("TIME") && self.eat_keyword("ZONE") {
            Ok(())
        } else {
            self.err("expected `TIME ZONE`")
        }
    }

    fn interval(&mut self) -> Result<TypeKind, NotationError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(name: &str) -> Type {
        Type::Simple(Simple::from_notation(name).unwrap())
    }

    fn parse(s: &str) -> Type {
        parse_type(s).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Every example of the job-graph format's type notation section.
    #[test]
    fn spec_examples() {
        assert_eq!(
            parse("Long"),
            Type::Simple(Simple::new(
                "org.apache.flink.api.common.typeutils.base.LongSerializer"
            ))
        );
        assert_eq!(parse("String"), simple("String"));
        assert_eq!(parse("Integer"), simple("Integer"));
        assert_eq!(
            parse("byte[]"),
            Type::Simple(Simple::new(
                "org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer"
            ))
        );
        assert_eq!(
            parse("Java Tuple2<String, Long>"),
            Type::Tuple {
                class: "org.apache.flink.api.java.tuple.Tuple2".into(),
                fields: vec![simple("String"), simple("Long")],
            }
        );
        let Type::Pojo(p) =
            parse("PojoType<com.acme.Seen, fields = [count: Long, firstSeen: Long]>")
        else {
            panic!("not a POJO")
        };
        assert_eq!(p.class, "com.acme.Seen");
        let names: Vec<&str> = p.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["count", "firstSeen"]);
        assert_eq!(p.fields[1].ty, Some(simple("Long")));
        assert_eq!(
            p.registered_subclasses, None,
            "notation does not describe subclasses"
        );
        assert_eq!(
            parse("Row(name: String, cnt: Long)"),
            Type::Row {
                fields: vec![
                    Field {
                        name: Some("name".into()),
                        ty: simple("String")
                    },
                    Field {
                        name: Some("cnt".into()),
                        ty: simple("Long")
                    },
                ],
                row_kind: None,
            }
        );
        assert_eq!(
            parse("GenericType<com.acme.Blob>"),
            Type::Generic(Generic {
                class: "com.acme.Blob".into(),
                registrations: None,
                default_serializers: None,
            })
        );
        assert_eq!(parse("List<Long>"), Type::List(Box::new(simple("Long"))));
        assert_eq!(
            parse("Map<String, Long>"),
            Type::Map(Box::new(simple("String")), Box::new(simple("Long")))
        );
        let Type::RowData(fields) = parse("ROW<`id` BIGINT, `cnt` BIGINT NOT NULL>") else {
            panic!("not RowData")
        };
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].name.as_deref(), Some("id"));
        assert!(fields[0].ty.nullable);
        assert_eq!(fields[1].ty.kind, TypeKind::BigInt);
        assert!(!fields[1].ty.nullable);
        assert_eq!(
            parse("AvroType<com.acme.Event>"),
            Type::Avro {
                class: Some("com.acme.Event".into()),
                schema: None
            }
        );
        let schema = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"}]}"#;
        assert_eq!(
            parse_state_type("AvroType<com.acme.Event>", Some(schema)).unwrap(),
            Type::Avro {
                class: Some("com.acme.Event".into()),
                schema: Some(schema.into())
            }
        );
        // Flink prints enums as `EnumTypeInfo<binary class name>`.
        assert_eq!(
            parse("EnumTypeInfo<com.acme.Outer$Color>"),
            Type::Enum {
                class: "com.acme.Outer$Color".into(),
                constants: None
            }
        );
    }

    #[test]
    fn enum_constants_extension() {
        assert_eq!(
            parse("EnumTypeInfo<a.Color, constants = [RED, GREEN]>"),
            Type::Enum {
                class: "a.Color".into(),
                constants: Some(vec!["RED".into(), "GREEN".into()])
            }
        );
        // Printed the way Flink prints it.
        assert_eq!(
            parse("EnumTypeInfo<a.Color, constants = [RED]>").to_string(),
            "EnumTypeInfo<a.Color>"
        );
        assert!(parse_type("EnumTypeInfo<a.Color, [RED]>").is_err());
    }

    #[test]
    fn more_flink_type_strings() {
        assert_eq!(
            parse("Java Tuple0"),
            Type::Tuple {
                class: tuple_class(0),
                fields: vec![]
            }
        );
        assert_eq!(
            parse("BasicArrayTypeInfo<String>"),
            Type::Simple(Simple::new(
                "org.apache.flink.api.common.typeutils.base.array.StringArraySerializer"
            ))
        );
        assert!(matches!(
            parse("BasicArrayTypeInfo<Integer>"),
            Type::Array { component_class: Some(c), .. } if c == "java.lang.Integer"
        ));
        assert!(matches!(
            parse("ObjectArrayTypeInfo<PojoType<a.B, fields = []>>"),
            Type::Array { .. }
        ));
        assert_eq!(
            parse("Either <String, Long>"),
            Type::Either(Box::new(simple("String")), Box::new(simple("Long")))
        );
        assert_eq!(parse("Set<String>"), Type::Set(Box::new(simple("String"))));
        assert_eq!(
            parse("ValueType<LongValue>"),
            simple("ValueType<LongValue>")
        );
        assert_eq!(
            parse("ValueType<MyValue>"),
            Type::ValueClass {
                serializer: "ValueSerializer".into(),
                class: "MyValue".into()
            }
        );
        assert_eq!(
            parse("Option[Integer]"),
            Type::ScalaOption(Box::new(simple("Integer")))
        );
        assert!(matches!(
            parse("Order(id: Long, items: List<String>)"),
            Type::CaseClass { class, fields } if class == "Order" && fields.len() == 2
        ));
        assert_eq!(parse("long[]"), simple("long[]"));
        assert_eq!(parse("java.lang.Long"), simple("Long"));
        // Nested: a POJO inside a tuple inside a map, with spacing variations.
        let t = parse(
            "Map<String,Java Tuple2<PojoType<a.B, fields = [x: List<Long>, y: Map<String, Integer>]>, Row(f: Double)>>",
        );
        let Type::Map(_, v) = t else { panic!() };
        let Type::Tuple { fields, .. } = *v else {
            panic!()
        };
        assert!(matches!(&fields[0], Type::Pojo(p) if p.fields.len() == 2));
        // Generic records carry their schema inline.
        let t = parse(
            r#"GenericRecord({"type":"record","name":"R","fields":[{"name":"a","type":"string"}]})"#,
        );
        assert!(matches!(
            t,
            Type::Avro {
                schema: Some(_),
                ..
            }
        ));
    }

    #[test]
    fn display_is_flink_notation_and_round_trips() {
        for s in [
            "Long",
            "String",
            "byte[]",
            "Java Tuple2<String, Long>",
            "Java Tuple3<Long, String, Double>",
            "PojoType<com.acme.Seen, fields = [count: Long, firstSeen: Long]>",
            "Row(name: String, cnt: Long)",
            "GenericType<com.acme.Blob>",
            "List<Long>",
            "Map<String, Long>",
            "EnumTypeInfo<com.acme.Color>",
            "AvroType<com.acme.Event>",
            "Either <String, Long>",
            "BasicArrayTypeInfo<Integer>",
            "BasicArrayTypeInfo<String>",
            "ValueType<LongValue>",
            "Option[Integer]",
            "ROW<`id` BIGINT, `cnt` BIGINT NOT NULL>",
            "ROW<`k` STRING, `t` TIMESTAMP_LTZ(3), `m` MAP<STRING, ARRAY<INT NOT NULL>>>",
            "DECIMAL(10, 2)",
        ] {
            let t = parse(s);
            assert_eq!(t.to_string(), s, "display of {s}");
            assert_eq!(parse(&t.to_string()), t, "round trip of {s}");
        }
    }

    #[test]
    fn sql_summary_and_serializable_forms_agree() {
        let pairs = [
            ("STRING", "VARCHAR(2147483647)"),
            ("BYTES", "VARBINARY(2147483647)"),
            ("TIMESTAMP_LTZ(3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE"),
            ("TIMESTAMP(3) *ROWTIME*", "TIMESTAMP(3)"),
            ("TIMESTAMP(6)", "TIMESTAMP WITHOUT TIME ZONE"),
            ("INT NOT NULL", "INTEGER NOT NULL"),
            ("DECIMAL(10, 0)", "DECIMAL"),
            ("DOUBLE", "DOUBLE PRECISION"),
            ("ROW<`a` INT 'x'>", "ROW<a INT 'x'>"),
            ("ROW<`a``b` INT>", "ROW(`a``b` INT)"),
            ("INTERVAL DAY(2) TO SECOND(3)", "INTERVAL DAY TO SECOND(3)"),
            ("RAW('com.acme.X', '...')", "RAW('com.acme.X', '...')"),
        ];
        for (a, b) in pairs {
            let (x, y) = (
                parse_logical_type(a).unwrap(),
                parse_logical_type(b).unwrap(),
            );
            assert_eq!(x, y, "{a} vs {b}");
        }
        let t = parse_logical_type("ROW<`a` INT NOT NULL 'it''s', `b` ARRAY<STRING>>").unwrap();
        let TypeKind::Row(fields) = &t.kind else {
            panic!()
        };
        assert_eq!(fields[0].description.as_deref(), Some("it's"));
        assert!(!fields[0].ty.nullable);
        // Summary and serializable strings print back as Flink does.
        assert_eq!(
            t.serializable_string(),
            "ROW<`a` INT NOT NULL 'it''s', `b` ARRAY<VARCHAR(2147483647)>>"
        );
        assert_ne!(
            parse_logical_type("BIGINT").unwrap(),
            parse_logical_type("BIGINT NOT NULL").unwrap()
        );
    }

    #[test]
    fn sql_scalars_map_to_their_runtime_serializers() {
        assert_eq!(parse("BIGINT"), simple("Long"));
        assert_eq!(parse("INT"), simple("Integer"));
        assert_eq!(parse("STRING"), simple("STRING"));
        assert_eq!(
            parse("DECIMAL(5, 2)"),
            Type::Parameterized {
                serializer: "DecimalDataSerializer".into(),
                values: vec![("precision".into(), 5), ("scale".into(), 2)]
            }
        );
        assert!(matches!(parse("ARRAY<INT>"), Type::Sql(_)));
    }

    #[test]
    fn errors_say_where() {
        let e = parse_type("Map<String Long>").unwrap_err();
        assert!(e.message.contains("expected `,`"), "{e}");
        assert_eq!(e.at, 11);
        let e = parse_type("com.acme.Thing").unwrap_err();
        assert!(e.message.contains("unknown type `com.acme.Thing`"), "{e}");
        assert_eq!(e.at, 0);
        assert!(parse_type("Long extra").is_err());
        assert!(parse_type("Java Tuple2<Long>").is_err());
        assert!(parse_type("").is_err());
        assert!(parse_type("ROW<`a` FOO>").is_err());
        assert!(parse_logical_type("TIMESTAMP(3) WITH").is_err());
        assert!(parse_logical_type("INT *ROWTIME*").is_err());
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let samples = [
            "PojoType<com.acme.Seen, fields = [count: Long, firstSeen: Map<String, List<Row(a: Integer)>>]>",
            "ROW<`id` BIGINT NOT NULL 'd''x', `m` MAP<STRING, ROW<`q` DECIMAL(10, 2)>>, `t` TIMESTAMP(3) *ROWTIME*>",
            r#"GenericRecord({"type":"record","name":"R","fields":[]})"#,
            "Either <Option[Integer], EnumTypeInfo<a.B>>",
            "INTERVAL YEAR(4) TO MONTH",
            "RAW('a''b', 'c')",
            "`cat`.`db`.`type`",
        ];
        for s in samples {
            assert!(parse_type(s).is_ok(), "{s}");
            // Every prefix and every character-dropped variant must fail or parse, never panic.
            for (i, _) in s.char_indices() {
                let _ = parse_type(&s[..i]);
                let mut dropped = s.to_string();
                dropped.remove(i);
                let _ = parse_type(&dropped);
            }
        }
        let deep = "List<".repeat(10_000) + "Long" + &">".repeat(10_000);
        assert!(
            parse_type(&deep)
                .unwrap_err()
                .message
                .contains("too deeply")
        );
        let deep_sql = "ARRAY<".repeat(10_000) + "INT" + &">".repeat(10_000);
        assert!(parse_type(&deep_sql).is_err());
        assert!(parse_type("Über<ä>").is_err());
    }

    #[test]
    fn date_notation_matches_both_date_serializers() {
        let Type::Simple(d) = parse("Date") else {
            panic!()
        };
        for id in [
            "org.apache.flink.api.common.typeutils.base.DateSerializer",
            "org.apache.flink.api.common.typeutils.base.SqlDateSerializer",
        ] {
            assert!(d.matches(&Simple::new(id)));
        }
        assert!(!d.matches(&Simple::new(
            "org.apache.flink.api.common.typeutils.base.LongSerializer"
        )));
    }
}
