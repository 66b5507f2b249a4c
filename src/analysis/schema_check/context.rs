//! Which Flink releases and state backend a comparison assumes: the saved and the new side's
//! release lines, and the backend that decides heap-versus-RocksDB failures.

use std::fmt;

use super::super::sides::{NewSide, OldSide};
use crate::schema::compat::Options;

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

pub(super) const OPEN_END: Release = Release::new(99, 0);

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

/// The keyed state backend the new job restores with, where known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    HashMap,
    RocksDb,
}

/// What the schema checks need to know beyond the two operators.
#[derive(Debug, Clone, Default)]
pub struct CompatContext {
    /// The releases that wrote the old state (from the savepoint's metadata version).
    pub old_flink: Option<FlinkRange>,
    /// The release the new job runs on (job-graph `flinkVersion`, or a canary savepoint's
    /// metadata version). `None`: not given.
    pub new_flink: Option<FlinkRange>,
    /// The new job's keyed state backend, when known for the whole job.
    pub new_backend: Option<Backend>,
}

pub(super) const FLINK_1_17: Release = Release::new(1, 17);
pub(super) const FLINK_2_0: Release = Release::new(2, 0);
pub(super) const FLINK_2_1: Release = Release::new(2, 1);

impl CompatContext {
    pub fn from_sides(old: &OldSide, new: &NewSide) -> CompatContext {
        CompatContext {
            old_flink: old.written_by.as_deref().and_then(FlinkRange::parse),
            new_flink: new
                .flink_version
                .as_deref()
                .or(new.written_by.as_deref())
                .and_then(FlinkRange::parse),
            new_backend: match new.state_backend.as_deref() {
                Some("hashmap") | Some("filesystem") | Some("memory") => Some(Backend::HashMap),
                Some("rocksdb") => Some(Backend::RocksDb),
                _ => None,
            },
        }
    }

    /// The new job's releases, and what was assumed to get them when not given.
    pub fn effective_new(&self) -> (Option<FlinkRange>, Option<String>) {
        match (self.new_flink, self.old_flink) {
            (Some(n), _) => (Some(n), None),
            (None, Some(o)) => (
                Some(o),
                Some(format!(
                    "the new job's Flink version is not given (set `flinkVersion` in the job graph); assuming the savepoint's release line, {o}"
                )),
            ),
            (None, None) => (None, None),
        }
    }

    /// The version-dependent rules for the new job, with the assumption made for them.
    pub fn options(&self) -> (Options, Option<String>) {
        let (new, assumed) = self.effective_new();
        match new {
            Some(n) => {
                let straddles_ttl = !n.at_least(FLINK_2_1) && !n.below(FLINK_2_1);
                let note = if straddles_ttl {
                    Some(format!(
                        "{}: assuming the TTL rules of Flink up to 2.0",
                        assumed.unwrap_or_else(|| format!("the new job runs on {n}"))
                    ))
                } else {
                    assumed
                };
                (
                    Options {
                        ttl_migration: n.at_least(FLINK_2_1),
                        legacy_snapshots_unreadable: !n.below(FLINK_1_17),
                    },
                    note,
                )
            }
            None => (
                Options::default(),
                Some(
                    "the Flink versions are unknown (set `flinkVersion` in the job graph): assuming Flink 1.17 - 2.0 rules"
                        .to_string(),
                ),
            ),
        }
    }
}

pub(super) fn backend_of_handle(handle: Option<&str>) -> Option<Backend> {
    // Only incremental/native RocksDB snapshots pin the backend; canonical savepoints can be
    // restored by either.
    (handle == Some("IncrementalRemoteKeyedStateHandle")).then_some(Backend::RocksDb)
}
