//! The state inventory of a savepoint: per operator, its ids, parallelism, state kinds, each
//! state's name and schema, and its handles. What `inspect` shows and what the analysis compares
//! against the new job.

use serde::Serialize;

use super::backend_meta::StateMetaInfo;
use super::handle_kind::KeyedHandleKind;
use super::metadata::{OperatorState, written_by};
use super::subtask_brief::{HandleDetail, SubtaskStates};
use super::{OperatorSchema, Savepoint, SavepointError};
use crate::OperatorId;
use crate::flink::FlinkRange;
use crate::schema::types::Type;

/// A snapshot's type in job-graph notation (Flink's `TypeInformation#toString()` style).
fn type_string(s: &SerializerSnapshot) -> String {
    Type::from_snapshot(s).to_string()
}
use crate::schema::snapshot::SerializerSnapshot;

/// Which savepoint was picked from a folder holding several (a job's checkpoint folder, a
/// savepoint directory), as reports give it (`picked` in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Picked {
    /// The folder given.
    pub from: String,
    /// The savepoint or checkpoint picked.
    pub path: String,
    /// `highest chk-N with _metadata`, `newest _metadata modification time`, or which field of
    /// a Flink REST answer or Kubernetes resource named it.
    pub rule: String,
    /// How many candidates the folder held (or the answer, the resource named).
    pub candidates: usize,
    /// `holds` for a folder; `names` for a REST answer or a resource, whose candidates are
    /// fields.
    #[serde(skip)]
    pub verb: &'static str,
}

impl Picked {
    /// The stderr note.
    pub fn note(&self) -> String {
        format!(
            "spcompat: {} {} {} savepoint(s)/checkpoint(s): using {} ({})",
            self.from, self.verb, self.candidates, self.path, self.rule
        )
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavepointSummary {
    pub path: String,
    pub metadata_version: i32,
    /// The Flink releases that write this metadata version, as reports say it.
    pub written_by: &'static str,
    /// The same releases, typed; `None` for a metadata version no known release writes.
    #[serde(skip)]
    pub flink: Option<FlinkRange>,
    pub checkpoint_id: i64,
    /// `savepoint` or `checkpoint` where the file says (metadata version 4+), else `null`.
    pub kind: Option<String>,
    /// `canonical` or `native` for savepoints that say.
    pub savepoint_format: Option<String>,
    /// A savepoint read from an object store: its URL and what reading it cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<super::store::SourceReads>,
    /// Why no state file was read (`--metadata-only`, or the folder holds only `_metadata`):
    /// the operators' notes say which state was not examined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_only: Option<String>,
    /// The savepoint picked from the folder given, when it held several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picked: Option<Picked>,
    // `operators` stays the last field (the compact JSON splices it in).
    pub operators: Vec<OperatorSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorSummary {
    pub operator_id: OperatorId,
    pub uid: Option<String>,
    /// The uid this operator most likely had, found by hashing uids of given job graphs (for
    /// formats that do not store uids).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred_uid: Option<String>,
    pub name: Option<String>,
    pub parallelism: i32,
    pub max_parallelism: i32,
    pub has_state: bool,
    /// Bytes of state referenced by this operator's handles.
    pub state_size: u64,
    pub subtasks: usize,
    pub finished_subtasks: usize,
    pub fully_finished: bool,
    pub coordinator_state_size: Option<u64>,
    /// Which kinds of state the operator holds: keyed, operator, broadcast, raw, coordinator.
    pub state_kinds: Vec<&'static str>,
    /// The handle class of the managed keyed state (tells the backend and savepoint format).
    pub keyed_handle: Option<KeyedHandleKind>,
    pub key_type: Option<String>,
    pub key_serializer: Option<SerializerSnapshot>,
    pub states: Vec<StateSummary>,
    /// What could not be examined, in plain words.
    pub notes: Vec<String>,
    /// Every subtask's state handles as `_metadata` records them (key-group offsets only
    /// counted unless built with [`HandleDetail::Full`]; absent with [`HandleDetail::Omitted`]).
    #[serde(skip_serializing_if = "SubtaskStates::is_omitted")]
    pub subtask_states: SubtaskStates,
    /// Decoded source positions (FLIP-27 splits, legacy Kafka consumer offsets), for sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_positions: Option<super::sources::SourcePositions>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateSummary {
    pub name: String,
    /// value, list, map, reducing, aggregating, operator-list, union-list, broadcast, timers.
    pub kind: &'static str,
    pub backend_state_type: &'static str,
    /// Value type (element type for lists, map value type for maps).
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub user_key_type: Option<String>,
    pub ttl: bool,
    /// False when a serializer of this state could not be decoded.
    pub complete: bool,
    /// Classes of serializer snapshots spcompat could not decode.
    pub unknown_classes: Vec<String>,
    pub serializers: Vec<super::backend_meta::NamedSerializer>,
}

impl SavepointSummary {
    pub fn build(sp: &Savepoint) -> Result<SavepointSummary, SavepointError> {
        Self::build_with_progress(sp, &mut |_, _| {})
    }

    /// As [`build`](Self::build), reporting `(operators read, operators)` after each operator
    /// (reading state-file headers is the slow part of large savepoints).
    pub fn build_with_progress(
        sp: &Savepoint,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SavepointSummary, SavepointError> {
        Self::build_with(sp, HandleDetail::Brief, progress)
    }

    /// As [`build_with_progress`](Self::build_with_progress), with the subtask handles at
    /// `detail`.
    pub fn build_with(
        sp: &Savepoint,
        detail: HandleDetail,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SavepointSummary, SavepointError> {
        let md = &sp.metadata;
        let (kind, savepoint_format) = match &sp.properties {
            Some(p) => (
                Some(
                    if p.is_savepoint {
                        "savepoint"
                    } else {
                        "checkpoint"
                    }
                    .to_string(),
                ),
                p.savepoint_format.as_ref().map(|f| f.to_ascii_lowercase()),
            ),
            None => (None, None),
        };
        let operators = summarize_operators(sp, detail, progress)?;
        Ok(SavepointSummary {
            path: sp.metadata_path.display().to_string(),
            metadata_version: md.version,
            written_by: written_by(md.version),
            flink: FlinkRange::from_metadata_version(md.version),
            checkpoint_id: md.checkpoint_id,
            kind,
            savepoint_format,
            source: None,
            metadata_only: sp.metadata_only.clone(),
            picked: None,
            operators,
        })
    }
}

impl OperatorSummary {
    fn build(
        op: &OperatorState,
        schema: OperatorSchema,
        detail: HandleDetail,
        metadata: &super::metadata_file::MetadataBytes,
    ) -> OperatorSummary {
        let mut state_kinds = Vec::new();
        let any = |f: &dyn Fn(&super::metadata::SubtaskState) -> bool| op.subtasks.iter().any(f);
        if any(&|s| s.managed_keyed_state.is_some()) {
            state_kinds.push("keyed");
        }
        if any(&|s| s.managed_operator_state.is_some()) {
            state_kinds.push("operator");
        }
        if any(&|s| s.raw_keyed_state.is_some() || s.raw_operator_state.is_some()) {
            state_kinds.push("raw");
        }
        if op.coordinator_state.is_some() {
            state_kinds.push("coordinator");
        }
        let keyed_handle = op
            .subtasks
            .iter()
            .find_map(|s| s.managed_keyed_state.as_ref())
            .map(|h| h.kind());
        let mut states = Vec::new();
        let mut notes = schema.notes;
        let mut key_serializer = None;
        if let Some(keyed) = schema.keyed {
            states.extend(keyed.states.iter().map(StateSummary::build));
            if let Some(u) = &keyed.unreadable {
                notes.push(unreadable_note("keyed", u));
            }
            key_serializer = Some(keyed.key_serializer);
        }
        if let Some(operator) = schema.operator {
            states.extend(operator.operator_states.iter().map(StateSummary::build));
            if !operator.broadcast_states.is_empty() && !state_kinds.contains(&"broadcast") {
                state_kinds.push("broadcast");
            }
            states.extend(operator.broadcast_states.iter().map(StateSummary::build));
            if let Some(u) = &operator.unreadable {
                notes.push(unreadable_note("operator", u));
            }
        }
        for s in &states {
            for class in &s.unknown_classes {
                notes.push(format!(
                    "state `{}`: serializer snapshot class {class} is not known to spcompat, so this state's schema cannot be compared; a verdict that depends on it is uncertain",
                    s.name
                ));
            }
        }
        OperatorSummary {
            operator_id: op.operator_id,
            uid: op.uid.clone(),
            inferred_uid: None,
            name: op.name.clone(),
            parallelism: op.parallelism,
            max_parallelism: op.max_parallelism,
            has_state: op.has_state(),
            state_size: op.state_size(),
            subtasks: op.subtasks.len(),
            finished_subtasks: op.subtasks.iter().filter(|s| s.finished).count(),
            fully_finished: op.fully_finished,
            coordinator_state_size: op.coordinator_state.as_ref().map(|c| c.size()),
            state_kinds,
            keyed_handle,
            key_type: key_serializer.as_ref().map(type_string),
            key_serializer,
            states,
            notes,
            subtask_states: SubtaskStates::build(&op.subtasks, detail, metadata),
            source_positions: None,
        }
    }
}

/// Below this many operators one thread summarizes faster than several start.
const PARALLEL_MIN_OPERATORS: usize = 32;

/// Each operator's summary, in the savepoint's order. Operators are independent (each reads
/// its own subtasks' headers), so wide jobs are summarized on up to four threads that take the
/// next operator as they finish one.
fn summarize_operators(
    sp: &Savepoint,
    detail: HandleDetail,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<OperatorSummary>, SavepointError> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let ops = &sp.metadata.operators;
    let one = |op: &OperatorState| -> Result<OperatorSummary, SavepointError> {
        let schema = sp.operator_schema(op)?;
        let mut summary = OperatorSummary::build(op, schema, detail, sp.metadata_bytes());
        summary.source_positions = super::sources::read_source_positions(sp, op);
        Ok(summary)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if ops.len() < PARALLEL_MIN_OPERATORS || threads < 2 {
        let mut out = Vec::with_capacity(ops.len());
        for (i, op) in ops.iter().enumerate() {
            progress(i, ops.len());
            out.push(one(op)?);
        }
        return Ok(out);
    }
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // Every thread, the calling one too, takes the next operator as it finishes one; the
    // calling thread reports progress between its own operators (polling with sleeps instead
    // left both cores idle for up to a poll interval at the end).
    let work = |progress: &mut dyn FnMut(usize, usize)| {
        let mut mine = Vec::new();
        loop {
            if failed.load(Ordering::Relaxed) {
                break;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(op) = ops.get(i) else { break };
            let result = one(op);
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            mine.push((i, result));
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(finished.min(ops.len()), ops.len());
        }
        mine
    };
    let mut results: Vec<(usize, Result<OperatorSummary, SavepointError>)> =
        std::thread::scope(|scope| {
            // Threads that cannot be started are simply fewer workers.
            let workers: Vec<_> = (1..threads)
                .filter_map(|_| {
                    std::thread::Builder::new()
                        .spawn_scoped(scope, || work(&mut |_, _| {}))
                        .ok()
                })
                .collect();
            let mut all = work(progress);
            for w in workers {
                all.extend(w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            }
            all
        });
    results.sort_by_key(|(i, _)| *i);
    // The first failure in the savepoint's order, as the sequential loop would report it.
    // Indices are taken in order, so every operator before the first failure was summarized.
    results.into_iter().map(|(_, result)| result).collect()
}

fn unreadable_note(which: &str, u: &super::backend_meta::Unreadable) -> String {
    let why = if u.legacy {
        format!(
            "serializer snapshot class {} is a pre-1.7 TypeSerializerConfigSnapshot, whose config bytes are not framed",
            u.class
        )
    } else {
        format!(
            "serializer snapshot class {} is not known to spcompat",
            u.class
        )
    };
    format!(
        "the {which} state header stops being readable at byte {} because {why}; {} more state(s) declared there could not be examined",
        u.offset, u.states_not_read
    )
}

impl StateSummary {
    // Copies the schema's serializer trees rather than taking them: the copies sit together,
    // while the originals are interleaved with the decoder's freed scratch memory (taking them
    // cost 300 more page faults, 10%, on the 600-operator benchmark).
    fn build(m: &StateMetaInfo) -> StateSummary {
        let kind = m.kind();
        let value = m.serializer("VALUE_SERIALIZER");
        // Lists and maps declare their element / value type; TTL wraps that element or value.
        let (type_, user_key_type, ttl) = match (kind, value.map(Type::from_snapshot)) {
            (_, None) => (None, None, false),
            ("list", Some(Type::List(elem))) => {
                (Some(elem.without_ttl().to_string()), None, elem.is_ttl())
            }
            ("map", Some(Type::Map(key, value))) => (
                Some(value.without_ttl().to_string()),
                Some(key.to_string()),
                value.is_ttl(),
            ),
            ("broadcast", Some(t)) => (
                Some(t.to_string()),
                m.serializer("KEY_SERIALIZER").map(type_string),
                false,
            ),
            (_, Some(t)) => (Some(t.without_ttl().to_string()), None, t.is_ttl()),
        };
        let mut unknown_classes = Vec::new();
        for s in &m.serializers {
            for c in s.snapshot.unknown_classes() {
                if !unknown_classes.iter().any(|u: &String| u == c) {
                    unknown_classes.push(c.to_string());
                }
            }
        }
        StateSummary {
            name: m.name.clone(),
            kind,
            backend_state_type: m.backend_state_type.as_str(),
            type_,
            user_key_type,
            ttl,
            complete: m.complete,
            unknown_classes,
            serializers: m.serializers.clone(),
        }
    }
}
