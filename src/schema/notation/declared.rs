//! A type as a job graph writes it, parsed once when the graph is read.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{NotationError, complete_avro, parse_type};
use crate::schema::types::Type;

/// A type in job-graph notation: the text as written (what reports show and what is written
/// back) and the notation parsed from it. A text that does not parse keeps its error rather
/// than failing the load, so that the analysis raises the finding it always has on it
/// (`state-type-unknown`) and the rest of the graph is still checked.
#[derive(Clone)]
pub struct DeclaredType {
    text: String,
    parsed: Result<Type, NotationError>,
}

impl DeclaredType {
    pub fn new(text: impl Into<String>) -> DeclaredType {
        let text = text.into();
        let parsed = parse_type(&text);
        DeclaredType { text, parsed }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed type, or why the text is not one.
    pub fn parsed(&self) -> Result<&Type, &NotationError> {
        self.parsed.as_ref()
    }

    /// An owned copy of [`DeclaredType::parsed`], for models that take their types by value.
    pub fn to_type(&self) -> Result<Type, NotationError> {
        self.parsed.clone()
    }

    /// As a state's type, with the job graph's `avroSchema` (see [`super::parse_state_type`]).
    pub fn state_type(&self, avro_schema: Option<&str>) -> Result<Type, NotationError> {
        self.to_type().map(|t| complete_avro(t, avro_schema))
    }
}

/// Equal when the texts are: the parse follows from the text.
impl PartialEq for DeclaredType {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for DeclaredType {}

/// Against its text (`assert_eq!(state.type_, "byte[]")`).
impl PartialEq<&str> for DeclaredType {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// The text, so that a declared type reads where a `&str` is wanted.
impl std::ops::Deref for DeclaredType {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

/// As the text, as the `String` field it replaces printed.
impl fmt::Debug for DeclaredType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl fmt::Display for DeclaredType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<&str> for DeclaredType {
    fn from(text: &str) -> DeclaredType {
        DeclaredType::new(text)
    }
}

impl From<String> for DeclaredType {
    fn from(text: String) -> DeclaredType {
        DeclaredType::new(text)
    }
}

impl Serialize for DeclaredType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// From a string, as the `String` field it replaces: a non-string is the same type error.
impl<'de> Deserialize<'de> for DeclaredType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DeclaredType, D::Error> {
        String::deserialize(d).map(DeclaredType::new)
    }
}
