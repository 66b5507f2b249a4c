//! Source positions across the upgrade: does each source's saved position (Kafka offsets,
//! splits) carry over into the new job, and where does the new source start when it does not.
//!
//! A position carries over only through the source operator's own state: the operator must map
//! to the new job and restore (status `restored`). Otherwise the new source starts as it is
//! configured (`startupMode`), and for Kafka only the consumer group's committed offsets can
//! bridge the gap.

use std::collections::BTreeSet;

use super::result::{Finding, OffsetEntry, OperatorVerdict, SplitPosition, Status};
use super::rules::{self, Severity};
use super::sides::{NewOperator, NewSide, OldOperator, OldSide};
use crate::job::StartupMode;
use crate::savepoint::sources::{
    Connector, LEGACY_KAFKA_STATE_NAME, READER_STATE_NAME, SourceKind, SourcePositions, Split,
};

/// Builds the `offsets[]` entries and adds the source findings to the savepoint operators'
/// verdicts (which must already be computed). Old sides without decoded positions (job-graphs)
/// give no entries.
pub fn analyze(
    old: &OldSide,
    new: &NewSide,
    allow_non_restored_state: bool,
    verdicts: &mut [OperatorVerdict],
) -> Vec<OffsetEntry> {
    let mut entries = Vec::new();
    // New sources that no saved state maps to: candidates for replacing an unmapped source.
    let fresh: Vec<&NewOperator> = new
        .operators
        .iter()
        .filter(|n| is_source(n))
        .filter(|n| {
            verdicts
                .iter()
                .any(|v| v.status == Status::New && v.operator_id == n.operator_id)
        })
        .collect();
    for op in &old.operators {
        let Some(positions) = op.source_positions.as_ref().filter(|p| p.has_positions()) else {
            continue;
        };
        let Some(verdict) = verdicts
            .iter_mut()
            .find(|v| v.operator_id == op.operator_id)
        else {
            continue;
        };
        let carry_over = verdict.status == Status::Restored;
        let target = match &verdict.new_operator {
            Some(m) => new
                .operators
                .iter()
                .find(|n| n.operator_id == m.operator_id),
            None => replacement(op, positions, &fresh),
        };
        let entry = entry(op, positions, carry_over, target);
        findings(
            &entry,
            positions,
            verdict,
            allow_non_restored_state,
            target.is_some(),
        );
        entries.push(entry);
    }
    entries
}

fn is_source(n: &NewOperator) -> bool {
    n.source.is_some()
        || n.states
            .iter()
            .any(|s| s.name == READER_STATE_NAME || s.name == LEGACY_KAFKA_STATE_NAME)
}

/// The new source most likely replacing an unmapped one: same name, else the only new source
/// of the same connector, else the only new source.
fn replacement<'a>(
    op: &OldOperator,
    positions: &SourcePositions,
    fresh: &[&'a NewOperator],
) -> Option<&'a NewOperator> {
    if let Some(n) = fresh
        .iter()
        .find(|n| op.name.is_some() && n.name == op.name)
    {
        return Some(n);
    }
    let same_connector: Vec<&&NewOperator> = fresh
        .iter()
        .filter(|n| {
            let declared = n
                .source
                .as_ref()
                .and_then(|s| s.connector.as_deref())
                .and_then(Connector::from_name);
            declared.is_some() && declared == positions.connector
        })
        .collect();
    match (same_connector.as_slice(), fresh) {
        ([one], _) => Some(one),
        ([], [one]) => Some(one),
        _ => None,
    }
}

fn entry(
    op: &OldOperator,
    positions: &SourcePositions,
    carry_over: bool,
    target: Option<&NewOperator>,
) -> OffsetEntry {
    let partitions = positions.kafka_partitions();
    let splits = positions
        .splits
        .iter()
        // Kafka positions are in `partitions`; legacy entries whose topic could not be decoded
        // are listed here so that no saved position goes unmentioned.
        .filter(|s| match &s.split {
            Split::Kafka(_) => false,
            Split::LegacyKafka(l) => {
                l.topic.is_none() || l.partition.is_none() || l.offset.is_none()
            }
            _ => true,
        })
        .map(|s| {
            let (split, position) = s.split.describe();
            SplitPosition {
                subtask: s.subtask,
                split,
                position,
            }
        })
        .collect();
    let decl = target.and_then(|t| t.source.as_ref());
    let (topics_added, topics_removed) = match decl {
        Some(d) if !d.topics.is_empty() && !partitions.is_empty() => {
            let saved: BTreeSet<&str> = partitions.iter().map(|p| p.topic.as_str()).collect();
            let wanted: BTreeSet<&str> = d.topics.iter().map(String::as_str).collect();
            (
                wanted.difference(&saved).map(|t| t.to_string()).collect(),
                saved.difference(&wanted).map(|t| t.to_string()).collect(),
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    let (starts_from, consequence) = if carry_over {
        (None, None)
    } else {
        let (from, what) = fresh_start(positions.connector, decl.and_then(|d| d.startup_mode));
        (Some(from), Some(what))
    };
    OffsetEntry {
        operator_id: op.operator_id,
        uid: op.uid.clone(),
        name: op.name.clone(),
        carry_over,
        connector: positions.connector.map(Connector::as_str),
        partitions,
        splits,
        new_operator_id: target.map(|t| t.operator_id),
        starts_from,
        consequence,
        topics_added,
        topics_removed,
    }
}

/// Where a source without restored state starts, and what that means.
fn fresh_start(connector: Option<Connector>, mode: Option<StartupMode>) -> (String, String) {
    let (name, what) = match mode {
        Some(StartupMode::Earliest) => (
            "earliest",
            "every partition is read again from its earliest retained offset: records processed before the savepoint are processed again (duplicates downstream unless the sink is idempotent)",
        ),
        Some(StartupMode::Latest) => (
            "latest",
            "only records produced after the new job starts are read: everything produced since the savepoint is skipped (data loss)",
        ),
        Some(StartupMode::GroupOffsets) => (
            "group-offsets",
            "resumes from the consumer group's committed offsets if the old job committed them on checkpoints (a group.id set and commit on checkpoint, the default); a savepoint commits nothing, so these are the offsets of the last completed checkpoint, behind the savepoint: records read after it are read again; partitions without a committed offset fall back per `auto.offset.reset` (unset: the source fails)",
        ),
        Some(StartupMode::Timestamp) => (
            "timestamp",
            "starts at the first record at or after the configured timestamp: records between the savepoint and that time are skipped, or re-read if the timestamp is older",
        ),
        Some(StartupMode::SpecificOffsets) => (
            "specific-offsets",
            "starts at the offsets configured in the job; compare them with the saved positions listed here",
        ),
        None if connector == Some(Connector::NumberSequence) => (
            "the first number",
            "the sequence is generated again from its first number: numbers emitted before the savepoint are emitted again",
        ),
        None => (
            "unknown: set startupMode",
            "spcompat cannot tell where the new source starts; declare `source.startupMode` in the new job-graph",
        ),
    };
    (name.to_string(), what.to_string())
}

fn position_count(entry: &OffsetEntry) -> String {
    if !entry.partitions.is_empty() {
        let topics: BTreeSet<&str> = entry.partitions.iter().map(|p| p.topic.as_str()).collect();
        format!(
            "{} partition(s) of {}",
            entry.partitions.len(),
            topics.into_iter().collect::<Vec<_>>().join(", ")
        )
    } else {
        format!("{} split(s)", entry.splits.len())
    }
}

fn findings(
    entry: &OffsetEntry,
    positions: &SourcePositions,
    verdict: &mut OperatorVerdict,
    allow_non_restored_state: bool,
    has_target: bool,
) {
    let saved = position_count(entry);
    if !entry.carry_over {
        let why = match verdict.status {
            Status::Unmapped if allow_non_restored_state => {
                "no operator of the new job takes this source's state, so -n drops it".to_string()
            }
            Status::Unmapped => {
                "no operator of the new job takes this source's state (Flink refuses without -n; with -n it is dropped)".to_string()
            }
            _ => "restoring this operator fails".to_string(),
        };
        let from = entry.starts_from.as_deref().unwrap_or("unknown");
        let how = if has_target {
            format!(
                "the new source starts from {from}: {}",
                entry.consequence.as_deref().unwrap_or("")
            )
        } else {
            "no source of the new job was recognised as its successor, so where reading starts is unknown".to_string()
        };
        let keep = match &entry.uid {
            Some(u) => format!("keep uid(\"{u}\") on the new source"),
            None => format!(
                "call setUidHash(\"{}\") on the new source",
                entry.operator_id
            ),
        };
        verdict.reasons.push(
            Finding::new(
                &rules::SOURCE_OFFSETS_RESET,
                format!("the saved positions of {saved} will not carry over: {why}; {how}"),
            )
            .fix_case("", &[("keep", &keep)]),
        );
        return;
    }
    let legacy = positions.kind == SourceKind::LegacyKafkaConsumer;
    if !entry.topics_removed.is_empty() {
        let topics = entry.topics_removed.join(", ");
        let finding = if legacy {
            Finding::new(
                &rules::SOURCE_TOPIC_REMOVED,
                format!(
                    "topic(s) {topics} are in the saved offsets but not in the new source's topics: FlinkKafkaConsumer drops restored partitions of topics it no longer subscribes to"
                ),
            )
            .with_severity(Severity::Info)
        } else {
            Finding::new(
                &rules::SOURCE_TOPIC_REMOVED,
                format!(
                    "topic(s) {topics} are in the saved splits but not in the new source's topics: KafkaSource keeps reading restored splits of topics it no longer subscribes to (its enumerator only logs removed partitions)"
                ),
            )
            .fix_case("", &[])
        };
        verdict.reasons.push(finding);
    }
    if !entry.topics_added.is_empty() {
        verdict.reasons.push(Finding::new(
            &rules::SOURCE_TOPIC_ADDED,
            format!(
                "topic(s) {} are new to this source: after the restore their partitions are discovered and read from the earliest offset, whatever startupMode says",
                entry.topics_added.join(", ")
            ),
        ));
    }
}
