//! `check` / `diff` reports: the verdict first, then operators grouped by status.

use anstyle::{AnsiColor, Style};

use std::collections::{HashMap, HashSet};

use super::TextOptions;
use super::findings::operator_label;
use crate::analysis::result::{Finding, OperatorVerdict, Prediction, Status, Verdict};
use crate::analysis::rules::Severity;

/// Flink registers two timer queues for every keyed operator, whether or not it sets timers.
const TIMER_STATE_PREFIX: &str = "_timer_state/";

/// The order in which text reports list operators.
const STATUS_SECTIONS: [(Status, &str); 4] = [
    (
        Status::Incompatible,
        "INCOMPATIBLE: mapped, but restoring fails",
    ),
    (
        Status::Unmapped,
        "UNMAPPED: no operator of the new job has this ID",
    ),
    (Status::Restored, "RESTORED"),
    (Status::New, "NEW: operators that start without saved state"),
];

/// A warning with the same rule and fix on several operators has one cause: it is printed
/// once, naming the other operators. Errors, accepted findings and warnings without a fix are
/// always printed.
type Cause<'a> = (&'static str, &'a str);

fn cause(r: &Finding) -> Option<Cause<'_>> {
    let fix = r.fix.as_deref()?;
    (r.severity != Severity::Error && r.accepted.is_none()).then_some((r.rule.id, fix))
}

/// Text-report state of one rendering: which causes were printed, who else shares them.
struct Repeats<'a> {
    others: HashMap<Cause<'a>, Vec<String>>,
    printed: HashSet<Cause<'a>>,
    verbose: bool,
}

impl<'a> Repeats<'a> {
    fn new(p: &'a Prediction, verbose: bool) -> Repeats<'a> {
        let mut others: HashMap<Cause<'a>, Vec<String>> = HashMap::new();
        for (status, _) in STATUS_SECTIONS {
            for o in p.operators.iter().filter(|o| o.status == status) {
                for key in o.reasons.iter().filter_map(cause) {
                    others.entry(key).or_default().push(label(o));
                }
            }
        }
        Repeats {
            others,
            printed: HashSet::new(),
            verbose,
        }
    }
}

fn label(o: &OperatorVerdict) -> String {
    operator_label(
        o.uid.as_deref().or(o.inferred_uid.as_deref()),
        o.name.as_deref(),
        &o.operator_id.to_string(),
    )
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

fn status_style(status: Status) -> Style {
    let color = match status {
        Status::Incompatible | Status::Unmapped => AnsiColor::Red,
        Status::Restored => AnsiColor::Green,
        Status::New => AnsiColor::Cyan,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

pub fn render_json(p: &Prediction) -> String {
    serde_json::to_string_pretty(p).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn who(uid: Option<&str>, name: Option<&str>) -> String {
    match (uid, name) {
        (Some(u), Some(n)) => format!("uid {u} \"{n}\""),
        (Some(u), None) => format!("uid {u}"),
        (None, Some(n)) => format!("\"{n}\" (no uid)"),
        (None, None) => "(no uid, no name)".to_string(),
    }
}

fn headline(p: &Prediction) -> String {
    let count = |s: Status| p.operators.iter().filter(|o| o.status == s).count();
    let (unmapped, incompatible) = (count(Status::Unmapped), count(Status::Incompatible));
    let undecided = p.undecided_operators();
    let not_compared = p.not_compared_operators();
    let restored = count(Status::Restored);
    let not_examined = p.state_not_examined.len();
    match p.verdict {
        // Judged from `_metadata` alone: never a plain `RESTORES`.
        Verdict::Restores if p.metadata_only.is_some() => format!(
            "RESTORES ONLY AS FAR AS `_metadata` SHOWS: the state of {not_examined} of {restored} mapped operator(s) was NOT examined ({}); operator IDs, parallelism and state kinds were checked, state names and serializers were not (see the warnings).",
            p.metadata_only.as_deref().unwrap_or_default()
        ),
        Verdict::Restores if not_compared > 0 => {
            let also = if undecided > 0 {
                format!(
                    ", and {undecided} hold state that only its serializer's own code can judge"
                )
            } else {
                String::new()
            };
            format!(
                "RESTORES only as far as the new job says: {}{also}; see the warnings.",
                p.not_compared_summary(Some(restored))
            )
        }
        Verdict::Restores if undecided > 0 => format!(
            "RESTORES, as far as spcompat can tell: nothing it can check breaks ({restored} operator(s) with state mapped), but {undecided} operator(s) hold state that only its serializer's own code can judge (see the warnings)."
        ),
        Verdict::Restores => format!(
            "RESTORES: Flink will start the new job and restore all state ({restored} operator(s) with state mapped)."
        ),
        Verdict::RestoresWithStateLoss if not_compared > 0 => format!(
            "RESTORES WITH STATE LOSS: the job starts (-n), but the state of {unmapped} operator(s) is dropped, and {}.",
            p.not_compared_summary(None)
        ),
        Verdict::RestoresWithStateLoss => format!(
            "RESTORES WITH STATE LOSS: the job starts (-n), but the state of {unmapped} operator(s) is dropped."
        ),
        Verdict::Fails => {
            let mut parts = Vec::new();
            if incompatible > 0 {
                parts.push(format!(
                    "{incompatible} operator(s) cannot be restored (-n does not help)"
                ));
            }
            if unmapped > 0 && !p.allow_non_restored_state {
                parts.push(format!(
                    "{unmapped} operator(s) have state with no place in the new job (Flink refuses without -n)"
                ));
            }
            format!("FAILS: {}.", parts.join("; "))
        }
    }
}

fn operator_block<'a>(o: &'a OperatorVerdict, repeats: &mut Repeats<'a>, out: &mut String) {
    let old = who(
        o.uid.as_deref().or(o.inferred_uid.as_deref()),
        o.name.as_deref(),
    );
    let mut line = format!("  {}  {old}", o.operator_id);
    if repeats.verbose && o.uid.is_none() && o.inferred_uid.is_some() {
        line.push_str(" [uid inferred by hashing known uids]");
    }
    if let Some(target) = &o.new_operator {
        let mut new = who(target.uid.as_deref(), target.name.as_deref());
        if let Some(node) = target.node {
            new.push_str(&format!(" (node {node})"));
        }
        if target.operator_id != o.operator_id {
            new.push_str(&format!(" [{}]", target.operator_id));
        }
        line.push_str(&format!("  ->  {new}"));
    }
    out.push_str(&line);
    out.push('\n');
    out.push_str(&states_line(&o.states, repeats.verbose));
    for r in &o.reasons {
        let mut shared = Vec::new();
        if let Some(key) = cause(r).filter(|_| !repeats.verbose) {
            if !repeats.printed.insert(key) {
                continue;
            }
            shared = repeats.others.get(&key).cloned().unwrap_or_default();
        }
        let color = match r.severity {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Info => AnsiColor::Blue,
        };
        out.push_str(&format!(
            "      {} [{}]: {}\n",
            paint(
                Style::new().fg_color(Some(color.into())),
                r.severity.as_str()
            ),
            r.rule.id,
            r.message
        ));
        if let Some(reason) = &r.accepted {
            out.push_str(&format!("        accepted in spcompat.toml: {reason}\n"));
        }
        if let Some(fix) = &r.fix {
            out.push_str(&format!("        fix: {fix}\n"));
        }
        if shared.len() > 1 {
            out.push_str(&format!(
                "        the same warning for {} more operator(s): {}\n",
                shared.len() - 1,
                shown_list(&shared[1..])
            ));
        }
        // Schema findings: the two types, one line per field (skip the `---`/`+++` header).
        if let Some(diff) = &r.diff {
            for line in diff
                .lines()
                .filter(|l| !l.starts_with("---") && !l.starts_with("+++"))
            {
                out.push_str(&format!("        | {line}\n"));
            }
        }
    }
}

/// The state names of an operator; Flink's timer queues are counted, not listed, unless
/// verbose.
fn states_line(states: &[String], verbose: bool) -> String {
    let (timers, own): (Vec<&String>, Vec<&String>) = states
        .iter()
        .partition(|s| !verbose && s.starts_with(TIMER_STATE_PREFIX));
    let mut parts: Vec<String> = own.iter().map(|s| s.to_string()).collect();
    match timers.len() {
        0 => {}
        1 => parts.push("(+ 1 timer queue)".into()),
        n => parts.push(format!("(+ {n} timer queues)")),
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("      state: {}\n", parts.join(", ").replace(", (+", " (+"))
    }
}

/// At most ten names, then how many more.
fn shown_list(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

pub fn render_text(p: &Prediction, options: &TextOptions) -> String {
    let color = match p.verdict {
        Verdict::Restores if p.undecided_operators() + p.not_compared_operators() > 0 => {
            AnsiColor::Yellow
        }
        Verdict::Restores => AnsiColor::Green,
        Verdict::RestoresWithStateLoss => AnsiColor::Yellow,
        Verdict::Fails => AnsiColor::Red,
    };
    let mut out = paint(
        Style::new().bold().fg_color(Some(color.into())),
        &headline(p),
    );
    out.push('\n');
    if !p.policy_errors.is_empty() {
        out.push_str(&format!(
            "  spcompat.toml raises {} to error: exit code as for `{}`\n",
            p.policy_errors.join(", "),
            p.effective_verdict.as_str()
        ));
    } else if p.effective_verdict != p.verdict {
        out.push_str(&format!(
            "  every failing finding is accepted in spcompat.toml: exit code as for `{}`\n",
            p.effective_verdict.as_str()
        ));
        if p.effective_verdict == Verdict::RestoresWithStateLoss && !p.allow_non_restored_state {
            out.push_str(
                "  the accepted loss still needs --allowNonRestoredState (-n) when deploying: Flink refuses the savepoint without it (exit 3)\n",
            );
        }
    }
    out.push_str(&format!("  old: {}\n  new: {}\n", p.old, p.new));
    if let Some(s) = &p.source {
        out.push_str(&format!("  {}\n", super::inspect::remote_reads_line(s)));
    }
    if p.allow_non_restored_state {
        out.push_str("  with --allow-non-restored-state (-n)\n");
    }
    let inferred = p
        .operators
        .iter()
        .filter(|o| o.uid.is_none() && o.inferred_uid.is_some())
        .count();
    if inferred > 0 {
        out.push_str(&format!(
            "  the savepoint stores no uids: the uids of {inferred} operator(s) were inferred by hashing the uids of the job graphs given\n"
        ));
    }
    let mut repeats = Repeats::new(p, options.verbose);
    for (status, title) in STATUS_SECTIONS {
        let ops: Vec<&OperatorVerdict> =
            p.operators.iter().filter(|o| o.status == status).collect();
        if ops.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n{}\n",
            paint(status_style(status), &format!("{title} ({})", ops.len()))
        ));
        for o in ops {
            operator_block(o, &mut repeats, &mut out);
        }
    }
    if let Some(sql) = &p.sql {
        sql_block(sql, &mut out);
    }
    if !p.offsets.is_empty() {
        offsets_block(p, &mut out);
    }
    out
}

/// Saved source positions: carried over or not, and where a source without them starts.
fn offsets_block(p: &Prediction, out: &mut String) {
    out.push_str("\nSOURCE POSITIONS\n");
    let by_id: HashMap<crate::OperatorId, &OperatorVerdict> =
        p.operators.iter().map(|o| (o.operator_id, o)).collect();
    for e in &p.offsets {
        // Older formats store no uid: name the source as its operator block does.
        let known = by_id.get(&e.operator_id);
        let uid = e
            .uid
            .as_deref()
            .or(known.and_then(|o| o.uid.as_deref().or(o.inferred_uid.as_deref())));
        let name = e.name.as_deref().or(known.and_then(|o| o.name.as_deref()));
        let state = if e.carry_over {
            "carry over".to_string()
        } else {
            format!(
                "do NOT carry over; the new source starts from {}",
                e.starts_from.as_deref().unwrap_or("an unknown position")
            )
        };
        out.push_str(&format!(
            "  {}  {}: {state}\n",
            e.operator_id,
            who(uid, name)
        ));
        // Long partition lists are cut; `inspect` and the JSON report list them all.
        const SHOWN: usize = 20;
        for p in e.partitions.iter().take(SHOWN) {
            let at = match p.marker {
                Some(m) => format!("{m} (no offset yet)"),
                None => format!("offset {}", p.offset),
            };
            out.push_str(&format!("      {}-{}  {at}\n", p.topic, p.partition));
        }
        for s in e.splits.iter().take(SHOWN) {
            out.push_str(&format!(
                "      {}  {}  (subtask {})\n",
                s.split, s.position, s.subtask
            ));
        }
        let hidden =
            e.partitions.len().saturating_sub(SHOWN) + e.splits.len().saturating_sub(SHOWN);
        if hidden > 0 {
            out.push_str(&format!("      ... and {hidden} more\n"));
        }
        if let Some(c) = &e.consequence {
            out.push_str(&format!("      then: {c}\n"));
        }
        if !e.topics_added.is_empty() {
            out.push_str(&format!(
                "      topics added: {}\n",
                e.topics_added.join(", ")
            ));
        }
        if !e.topics_removed.is_empty() {
            out.push_str(&format!(
                "      topics removed: {}\n",
                e.topics_removed.join(", ")
            ));
        }
    }
}

/// SQL jobs: the changes in SQL terms and the diff of the two queries' outlines.
fn sql_block(sql: &crate::analysis::result::SqlReport, out: &mut String) {
    out.push_str(&format!(
        "\nSQL CHANGES (old: {}, new: {})\n",
        sql.old_mode, sql.new_mode
    ));
    if sql.changes.is_empty() {
        out.push_str("  no change to stateful SQL operators\n");
    }
    for c in &sql.changes {
        out.push_str(&format!(
            "  {} [{}]: {}\n",
            c.severity.as_str(),
            c.rule.id,
            c.message
        ));
        if let Some(fix) = &c.fix {
            out.push_str(&format!("    fix: {fix}\n"));
        }
    }
    if !sql.diff.trim().is_empty() {
        out.push('\n');
        for line in sql.diff.lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
}
