//! Flink release lines (`major.minor`), the ranges of them a savepoint or job may come from,
//! and a version as a file gives it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Flink release line, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    pub major: u32,
    pub minor: u32,
}

impl Release {
    pub const fn new(major: u32, minor: u32) -> Release {
        Release { major, minor }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The Flink releases something may come from: one release, or a range when only the
/// savepoint's metadata version is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlinkRange {
    pub low: Release,
    pub high: Release,
}

/// The high end of a range that no release bounds yet.
pub const OPEN_END: Release = Release::new(99, 0);

impl FlinkRange {
    pub fn exactly(r: Release) -> FlinkRange {
        FlinkRange { low: r, high: r }
    }

    /// The releases that write a `_metadata` version.
    pub fn from_metadata_version(v: i32) -> Option<FlinkRange> {
        let (low, high) = match v {
            2 => (Release::new(1, 3), Release::new(1, 10)),
            3 => (Release::new(1, 11), Release::new(1, 15)),
            4 => (Release::new(1, 16), Release::new(1, 20)),
            5 => (Release::new(2, 0), Release::new(2, 0)),
            6 => (Release::new(2, 1), Release::new(2, 3)),
            7 => (Release::new(2, 4), OPEN_END),
            _ => return None,
        };
        Some(FlinkRange { low, high })
    }

    /// Reads `1.20.1`, `2.1`, `2.1-SNAPSHOT`, or the `written by` texts of savepoint summaries
    /// (`Flink 1.16 - 1.20`, `Flink 2.0`, `Flink after 2.3`).
    pub fn parse(text: &str) -> Option<FlinkRange> {
        let t = text.trim();
        let t = t.strip_prefix("Flink").unwrap_or(t).trim();
        if let Some(rest) = t.strip_prefix("after") {
            let r = release(rest.trim())?;
            return Some(FlinkRange {
                low: Release::new(r.major, r.minor + 1),
                high: OPEN_END,
            });
        }
        match t.split_once(" - ") {
            Some((a, b)) => {
                let (low, high) = (release(a)?, release(b)?);
                (low <= high).then_some(FlinkRange { low, high })
            }
            None => release(t).map(FlinkRange::exactly),
        }
    }

    /// Every release in the range is at least `r`.
    pub fn at_least(&self, r: Release) -> bool {
        self.low >= r
    }

    /// Every release in the range is below `r`.
    pub fn below(&self, r: Release) -> bool {
        self.high < r
    }
}

fn release(text: &str) -> Option<Release> {
    let mut parts = text.trim().split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some(Release { major, minor })
}

impl fmt::Display for FlinkRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.low == self.high {
            write!(f, "Flink {}", self.low)
        } else if self.high == OPEN_END {
            write!(f, "Flink {} or later", self.low)
        } else {
            write!(f, "Flink {} - {}", self.low, self.high)
        }
    }
}

/// As its text (`Flink 1.16 - 1.20`), for models that derive `Serialize`.
impl Serialize for FlinkRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A Flink version as a job graph or compiled plan gives it (`flinkVersion`): the text as
/// written, which is what is written back, and the releases it names, parsed once at load.
///
/// A text that names no release (`"latest"`) is kept and reads as unknown, as it always has:
/// it is not an error, the analysis just does not know the version.
///
/// Boxed, so that it costs a job graph no more than the `Option<String>` it replaces.
#[derive(Clone, PartialEq, Eq)]
pub struct FlinkVersion(Box<Parsed>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    text: String,
    range: Option<FlinkRange>,
}

impl FlinkVersion {
    pub fn new(text: impl Into<String>) -> FlinkVersion {
        let text = text.into();
        let range = FlinkRange::parse(&text);
        FlinkVersion(Box::new(Parsed { text, range }))
    }

    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The releases the text names; `None` when it names none.
    pub fn range(&self) -> Option<FlinkRange> {
        self.0.range
    }
}

/// The text, so that a version reads where a `&str` is wanted (`graph.flink_version.as_deref()`).
impl std::ops::Deref for FlinkVersion {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

/// As the text, as the `String` field it replaces printed.
impl fmt::Debug for FlinkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for FlinkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for FlinkVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// From a string, as `Option<String>` was: a non-string is the same type error as before.
impl<'de> Deserialize<'de> for FlinkVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FlinkVersion, D::Error> {
        String::deserialize(d).map(FlinkVersion::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_versions_and_their_written_by_texts_agree() {
        for (v, text) in [
            (2, "Flink 1.3 - 1.10"),
            (3, "Flink 1.11 - 1.15"),
            (4, "Flink 1.16 - 1.20"),
            (5, "Flink 2.0"),
            (6, "Flink 2.1 - 2.3"),
            (7, "Flink after 2.3"),
            (8, "no known Flink release"),
        ] {
            assert_eq!(
                FlinkRange::from_metadata_version(v),
                FlinkRange::parse(text)
            );
        }
    }

    #[test]
    fn versions_keep_their_text() {
        let v = FlinkVersion::new("1.20.1");
        assert_eq!(v.as_str(), "1.20.1");
        assert_eq!(v.range(), Some(FlinkRange::exactly(Release::new(1, 20))));
        let unknown = FlinkVersion::new("latest");
        assert_eq!((unknown.as_str(), unknown.range()), ("latest", None));
    }
}
