//! `spcompat inspect` output.

use std::io::{self, Write};

use super::{TextOptions, human_size, table};
use crate::savepoint::inventory::{OperatorSummary, SavepointSummary};
use crate::savepoint::sources::{
    EnumeratorContent, EnumeratorState, SourceKind, SourcePositions, Split,
};

pub fn render_json(summary: &SavepointSummary) -> String {
    serde_json::to_string_pretty(summary).unwrap_or_else(|e| json_error(&e))
}

fn json_error(e: &serde_json::Error) -> String {
    json_error_text(&e.to_string())
}

fn json_error_text(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}

/// Below this many operators one thread serializes faster than several start.
const PARALLEL_JSON_MIN_OPERATORS: usize = 32;

/// What reading a remote savepoint cost, as the text reports say it.
pub fn remote_reads_line(s: &crate::savepoint::store::SourceReads) -> String {
    format!(
        "read from {}: {} in {} object(s)",
        s.url,
        human_size(s.bytes_read),
        s.objects_read
    )
}

/// The same document as [`render_json`] without whitespace, for pipes and files.
pub fn render_json_compact(summary: &SavepointSummary) -> String {
    let mut out = Vec::new();
    match write_json_compact(summary, &mut out) {
        // serde_json writes UTF-8 only.
        Ok(()) => String::from_utf8(out).unwrap_or_else(|e| json_error_text(&e.to_string())),
        Err(e) => json_error_text(&e.to_string()),
    }
}

/// Operators each thread serializes per round: enough to outweigh starting the threads, few
/// enough that the round's buffers stay small and are reused (a wide savepoint's document is
/// tens of MB; building it whole costs more in fresh pages than serializing it).
const OPERATORS_PER_THREAD_ROUND: usize = 16;

/// Writes [`render_json_compact`]'s document to `out` as it is serialized: operators in rounds,
/// each round on up to four threads into reused buffers, written in order.
pub fn write_json_compact(
    summary: &SavepointSummary,
    out: &mut (impl Write + ?Sized),
) -> io::Result<()> {
    // Every field but the operators; a struct literal, so a new field cannot be left out.
    let head = SavepointSummary {
        path: summary.path.clone(),
        metadata_version: summary.metadata_version,
        written_by: summary.written_by,
        flink: summary.flink,
        checkpoint_id: summary.checkpoint_id,
        kind: summary.kind.clone(),
        savepoint_format: summary.savepoint_format.clone(),
        source: summary.source.clone(),
        metadata_only: summary.metadata_only.clone(),
        picked: summary.picked.clone(),
        operators: Vec::new(),
    };
    let head = serde_json::to_string(&head)?;
    // `operators` is the last field, so the head ends in its empty list.
    let Some(stem) = head.strip_suffix("[]}") else {
        return Ok(serde_json::to_writer(out, summary)?);
    };
    out.write_all(stem.as_bytes())?;
    out.write_all(b"[")?;
    let ops = &summary.operators;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let threads = if ops.len() < PARALLEL_JSON_MIN_OPERATORS {
        1
    } else {
        threads
    };
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    let mut first = true;
    for round in ops.chunks(threads * OPERATORS_PER_THREAD_ROUND) {
        let parts: Vec<&[OperatorSummary]> = round.chunks(round.len().div_ceil(threads)).collect();
        buffers = serialize_round(&parts, buffers)?;
        for buffer in buffers.iter().filter(|b| !b.is_empty()) {
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(buffer)?;
        }
    }
    out.write_all(b"]}")
}

/// Serializes each part (comma-separated operators) into a buffer of its own, reusing
/// `buffers`: the first part on this thread, the others on threads of their own (on this one
/// where a thread cannot be started). The buffers come back in the parts' order.
fn serialize_round(
    parts: &[&[OperatorSummary]],
    mut buffers: Vec<Vec<u8>>,
) -> io::Result<Vec<Vec<u8>>> {
    fn joined(ops: &[OperatorSummary], mut buffer: Vec<u8>) -> io::Result<Vec<u8>> {
        buffer.clear();
        for (i, op) in ops.iter().enumerate() {
            if i > 0 {
                buffer.push(b',');
            }
            serde_json::to_writer(&mut buffer, op)?;
        }
        Ok(buffer)
    }
    buffers.resize_with(parts.len(), Vec::new);
    let mut buffers = buffers.into_iter();
    std::thread::scope(|scope| {
        let mut own = None;
        let mut others = Vec::new();
        for (i, (ops, buffer)) in parts.iter().zip(buffers.by_ref()).enumerate() {
            if i == 0 {
                own = Some((*ops, buffer));
                continue;
            }
            let started =
                std::thread::Builder::new().spawn_scoped(scope, move || joined(ops, buffer));
            others.push((started, *ops));
        }
        let mut done = Vec::with_capacity(parts.len());
        if let Some((ops, buffer)) = own {
            done.push(joined(ops, buffer)?);
        }
        for (started, ops) in others {
            done.push(match started {
                Ok(t) => t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?,
                Err(_) => joined(ops, Vec::new())?,
            });
        }
        Ok(done)
    })
}

/// Flink registers two timer queues for every keyed operator, whether or not it sets timers.
const TIMER_STATE_PREFIX: &str = "_timer_state/";

pub fn render_text(s: &SavepointSummary, options: &TextOptions) -> String {
    let verbose = options.verbose;
    let mut out = String::new();
    let kind = match (&s.kind, &s.savepoint_format) {
        (Some(k), Some(f)) => format!("{k} ({f} format)"),
        (Some(k), None) => k.clone(),
        _ => "savepoint or checkpoint (metadata version < 4 does not say which)".to_string(),
    };
    let with_state = s.operators.iter().filter(|o| o.has_state).count();
    let total: u64 = s.operators.iter().map(|o| o.state_size).sum();
    out.push_str(&table(
        &[
            vec!["Savepoint".into(), s.path.clone()],
            vec![
                "Format".into(),
                format!(
                    "metadata version {} (written by {}), {kind}, checkpoint {}",
                    s.metadata_version, s.written_by, s.checkpoint_id
                ),
            ],
            vec![
                "Operators".into(),
                format!(
                    "{} ({} with state), {} of state",
                    s.operators.len(),
                    with_state,
                    human_size(total)
                ),
            ],
        ],
        "",
    ));
    if let Some(source) = &s.source {
        out.push_str(&format!("{}\n", remote_reads_line(source)));
    }
    if let Some(reason) = &s.metadata_only {
        out.push_str(&format!(
            "JUDGED FROM `_metadata` ALONE ({reason}): the state names and serializers of file-backed state are unknown (see each operator's notes)\n"
        ));
    }
    let inferred = s
        .operators
        .iter()
        .filter(|o| o.uid.is_none() && o.inferred_uid.is_some())
        .count();
    if inferred > 0 {
        out.push_str(&format!(
            "Uids       inferred for {inferred} operator(s) by hashing the uids of the given job graphs (this format stores none)\n"
        ));
    }
    for op in &s.operators {
        out.push('\n');
        let uid = op.uid.as_ref().or(op.inferred_uid.as_ref());
        let title = match (uid, &op.name) {
            (Some(uid), Some(name)) => format!("{} uid={uid} \"{name}\"", op.operator_id),
            (Some(uid), None) => format!("{} uid={uid}", op.operator_id),
            (None, Some(name)) => format!("{} \"{name}\" (no uid)", op.operator_id),
            (None, None) => format!("{}", op.operator_id),
        };
        let title = if verbose && op.uid.is_none() && op.inferred_uid.is_some() {
            format!("{title} (uid inferred by hashing the given job graph's uids)")
        } else {
            title
        };
        out.push_str(&title);
        out.push('\n');
        let mut facts = vec![
            format!("parallelism {}", op.parallelism),
            format!("max parallelism {}", op.max_parallelism),
        ];
        if op.has_state {
            facts.push(format!(
                "{} state in {}",
                op.state_kinds.join(" + "),
                human_size(op.state_size)
            ));
        } else {
            facts.push("no state".into());
        }
        if op.fully_finished {
            facts.push("all subtasks finished".into());
        } else if op.finished_subtasks > 0 {
            facts.push(format!("{} subtask(s) finished", op.finished_subtasks));
        }
        if let Some(h) = op.keyed_handle {
            facts.push(h.to_string());
        }
        out.push_str(&format!("  {}\n", facts.join(", ")));
        if let Some(key) = &op.key_type {
            out.push_str(&format!("  key: {key}\n"));
        }
        let (timers, shown): (Vec<_>, Vec<_>) = op
            .states
            .iter()
            .partition(|st| !verbose && st.name.starts_with(TIMER_STATE_PREFIX));
        if !shown.is_empty() {
            let rows: Vec<Vec<String>> = shown
                .iter()
                .map(|st| {
                    let mut ty = match (&st.user_key_type, &st.type_) {
                        (Some(k), Some(v)) => format!("{k} -> {v}"),
                        (None, Some(v)) => v.clone(),
                        _ => "?".into(),
                    };
                    if st.ttl {
                        ty.push_str("  [TTL]");
                    }
                    if !st.complete {
                        ty.push_str("  [not fully decoded]");
                    }
                    vec![st.name.clone(), st.kind.to_string(), ty]
                })
                .collect();
            out.push_str(&table(&rows, "    "));
        }
        match timers.len() {
            0 => {}
            1 => out.push_str("    (+ 1 timer queue; --verbose lists it)\n"),
            n => out.push_str(&format!("    (+ {n} timer queues; --verbose lists them)\n")),
        }
        if let Some(size) = op.coordinator_state_size.filter(|s| verbose || *s > 0) {
            out.push_str(&format!("    (coordinator state, {})\n", human_size(size)));
        }
        if let Some(positions) = &op.source_positions {
            source_positions_text(positions, verbose, &mut out);
        }
        for note in &op.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
    }
    out
}

/// The saved positions of a source: one row per split (`orders-0  offset 1234  subtask 0`),
/// then what the enumerator holds.
fn source_positions_text(p: &SourcePositions, verbose: bool, out: &mut String) {
    let what = match (p.kind, p.connector) {
        (SourceKind::LegacyKafkaConsumer, _) => "legacy FlinkKafkaConsumer".to_string(),
        (SourceKind::Flip27, Some(c)) => format!("FLIP-27 source, {}", c.as_str()),
        (SourceKind::Flip27, None) => "FLIP-27 source".to_string(),
    };
    out.push_str(&format!("  source positions ({what}):\n"));
    if p.splits.is_empty() {
        out.push_str("    no splits saved (the readers held none)\n");
    }
    let rows: Vec<Vec<String>> = p
        .splits
        .iter()
        .map(|s| {
            let (name, position) = s.split.describe();
            let position = match (&s.split, s.serializer_version) {
                (Split::Raw(_), Some(v)) => format!("serializer version {v}, {position}"),
                _ => position,
            };
            vec![name, position, format!("subtask {}", s.subtask)]
        })
        .collect();
    out.push_str(&table(&rows, "    "));
    // An enumerator of an unknown source that wrote nothing says nothing.
    let empty_unknown =
        |e: &&EnumeratorState| matches!(&e.content, EnumeratorContent::Raw(r) if r.length == 0);
    if let Some(e) = p
        .enumerator
        .as_ref()
        .filter(|e| verbose || !empty_unknown(e))
    {
        out.push_str(&format!("    enumerator: {}\n", enumerator_text(e)));
    }
    for note in &p.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
}

fn enumerator_text(e: &EnumeratorState) -> String {
    match &e.content {
        EnumeratorContent::Kafka(k) => {
            let assigned = k.partitions.iter().filter(|p| p.assigned).count();
            let mut text = format!(
                "Kafka enumerator state version {}, {} partition(s) known, {assigned} assigned",
                e.serializer_version,
                k.partitions.len()
            );
            let unassigned: Vec<String> = k
                .partitions
                .iter()
                .filter(|p| !p.assigned)
                .map(|p| format!("{}-{}", p.topic, p.partition))
                .collect();
            if !unassigned.is_empty() {
                text.push_str(&format!(" (not yet assigned: {})", unassigned.join(", ")));
            }
            match k.initial_discovery_finished {
                Some(true) => text.push_str(", initial discovery finished"),
                Some(false) => text.push_str(", initial discovery not finished"),
                None => {}
            }
            text
        }
        EnumeratorContent::NumberSequence { remaining } if remaining.is_empty() => {
            "no splits left to assign".to_string()
        }
        EnumeratorContent::NumberSequence { remaining } => {
            let ids: Vec<&str> = remaining.iter().map(|s| s.split_id.as_str()).collect();
            format!(
                "{} split(s) not yet assigned: {}",
                remaining.len(),
                ids.join(", ")
            )
        }
        EnumeratorContent::Raw(r) => format!(
            "serializer version {}, not decoded, {} bytes: {}",
            e.serializer_version, r.length, r.hex_prefix
        ),
    }
}
