//! Which Flink releases and state backend a comparison assumes: the saved and the new side's
//! release lines, and the backend that decides heap-versus-RocksDB failures.

use super::super::sides::{NewSide, OldSide};
pub use crate::flink::{Backend, FlinkRange, Release};
use crate::savepoint::handle_kind::KeyedHandleKind;
use crate::schema::compat::Options;

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
            old_flink: old.written_by,
            // A `flinkVersion` that names no release wins over the canary's and reads as unknown.
            new_flink: match &new.flink_version {
                Some(v) => v.range(),
                None => new.written_by,
            },
            new_backend: new.state_backend,
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

pub(super) fn backend_of_handle(handle: Option<KeyedHandleKind>) -> Option<Backend> {
    handle.and_then(KeyedHandleKind::pinned_backend)
}
