//! SQL logical types in either Flink form (`asSummaryString`: ``ROW<`id` BIGINT, `s` STRING>``;
//! `asSerializableString`: `VARCHAR(2147483647)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`), and the
//! scanner that this notation and the `TypeInformation` one ([`super::notation`]) share.
//!
//! It sits below both `notation` and `types` (whose snapshot reading parses the logical types a
//! `RowData` serializer records) and knows only [`super::logical_type`]. Parsing never panics;
//! errors carry the character offset.
//!
//! Files: this one holds the entry points and the scanner; [`sql`] the logical-type grammar.

mod sql;

use std::fmt;

use super::logical_type::LogicalType;

/// Deepest nesting accepted, so hostile input cannot exhaust the stack.
pub(in crate::schema) const MAX_DEPTH: usize = 64;

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

/// Parses a SQL logical type (summary or serializable form).
pub fn parse_logical_type(input: &str) -> Result<LogicalType, NotationError> {
    let mut p = Parser::new(input);
    let t = p.sql(0)?;
    p.end()?;
    Ok(t)
}

/// A field of a top-level `ROW<...>` type: its name, its type, and the type as written
/// (without a trailing description), for callers that keep types as their source spelled them.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenRowField {
    pub name: String,
    pub ty: LogicalType,
    pub written: String,
}

/// Parses a `ROW<...>` logical type (optionally `NOT NULL`) field by field.
pub fn parse_row_fields(input: &str) -> Result<Vec<WrittenRowField>, NotationError> {
    let mut p = Parser::new(input);
    p.expect("ROW")?;
    p.expect("<")?;
    let fields = p.list(">", |p| {
        let name = p.sql_identifier()?;
        p.ws();
        let start = p.boundary();
        let ty = p.sql(1)?;
        let written = p.s[start..p.boundary()].trim().to_string();
        p.ws();
        if p.peek() == Some('\'') {
            p.quoted()?;
        }
        Ok(WrittenRowField { name, ty, written })
    })?;
    if p.eat("NOT") {
        p.expect("NULL")?;
    }
    p.end()?;
    Ok(fields)
}

pub(in crate::schema) struct Parser<'a> {
    pub(in crate::schema) s: &'a str,
    pub(in crate::schema) pos: usize,
}

pub(in crate::schema) fn is_java_ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '.')
}

impl<'a> Parser<'a> {
    pub(in crate::schema) fn new(s: &'a str) -> Parser<'a> {
        Parser { s, pos: 0 }
    }

    pub(in crate::schema) fn rest(&self) -> &'a str {
        &self.s[self.boundary()..]
    }

    /// `pos`, moved forward to a character boundary: a step of one byte over a non-ASCII
    /// character must not make slicing panic (found by fuzzing).
    pub(in crate::schema) fn boundary(&self) -> usize {
        let mut p = self.pos.min(self.s.len());
        while !self.s.is_char_boundary(p) {
            p += 1;
        }
        p
    }

    pub(in crate::schema) fn err<T>(&self, message: impl Into<String>) -> Result<T, NotationError> {
        Err(NotationError {
            input: self.s.to_string(),
            at: self.s[..self.boundary()].chars().count(),
            message: message.into(),
        })
    }

    pub(in crate::schema) fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.s.len() - trimmed.len();
    }

    pub(in crate::schema) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Consumes `lit` (after whitespace) if it comes next.
    pub(in crate::schema) fn eat(&mut self, lit: &str) -> bool {
        self.ws();
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    pub(in crate::schema) fn expect(&mut self, lit: &str) -> Result<(), NotationError> {
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

    pub(in crate::schema) fn end(&mut self) -> Result<(), NotationError> {
        self.ws();
        if self.rest().is_empty() {
            Ok(())
        } else {
            self.err("unexpected text after the type")
        }
    }

    /// A Java identifier or dotted class name (`com.acme.Outer$Inner`).
    pub(in crate::schema) fn java_name(&mut self) -> Result<String, NotationError> {
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
    pub(in crate::schema) fn until_top_level(&mut self, stops: &[char]) -> String {
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

    pub(in crate::schema) fn list<T>(
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
}
