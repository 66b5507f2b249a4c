//! `check` / `diff` reports: the verdict first, then operators grouped by status.

use anstyle::{AnsiColor, Style};

use crate::analysis::result::{OperatorVerdict, Prediction, Status, Verdict};
use crate::analysis::rules::Severity;

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
    match p.verdict {
        Verdict::Restores if not_compared > 0 => {
            let also = if undecided > 0 {
                format!(
                    ", and {undecided} hold state that only its serializer's own code can judge"
                )
            } else {
                String::new()
            };
            format!(
                "RESTORES only as far as the new job says: the state schemas of {not_compared} of {restored} mapped operator(s) were NOT compared (the new job does not describe their state){also}; see the warnings."
            )
        }
        Verdict::Restores if undecided > 0 => format!(
            "RESTORES, as far as spcompat can tell: nothing it can check breaks ({restored} operator(s) with state mapped), but {undecided} operator(s) hold state that only its serializer's own code can judge (see the warnings)."
        ),
        Verdict::Restores => format!(
            "RESTORES: Flink will start the new job and restore all state ({restored} operator(s) with state mapped)."
        ),
        Verdict::RestoresWithStateLoss if not_compared > 0 => format!(
            "RESTORES WITH STATE LOSS: the job starts (-n), but the state of {unmapped} operator(s) is dropped, and the state schemas of {not_compared} mapped operator(s) were NOT compared (the new job does not describe their state)."
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

fn operator_block(o: &OperatorVerdict, out: &mut String) {
    let old = who(
        o.uid.as_deref().or(o.inferred_uid.as_deref()),
        o.name.as_deref(),
    );
    let mut line = format!("  {}  {old}", o.operator_id);
    if o.uid.is_none() && o.inferred_uid.is_some() {
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
    if !o.states.is_empty() {
        out.push_str(&format!("      state: {}\n", o.states.join(", ")));
    }
    for r in &o.reasons {
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

pub fn render_text(p: &Prediction) -> String {
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
    if p.allow_non_restored_state {
        out.push_str("  with --allow-non-restored-state (-n)\n");
    }
    for (status, title) in [
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
    ] {
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
            operator_block(o, &mut out);
        }
    }
    if let Some(sql) = &p.sql {
        sql_block(sql, &mut out);
    }
    if !p.offsets.is_empty() {
        offsets_block(&p.offsets, &mut out);
    }
    out
}

/// Saved source positions: carried over or not, and where a source without them starts.
fn offsets_block(offsets: &[crate::analysis::result::OffsetEntry], out: &mut String) {
    out.push_str("\nSOURCE POSITIONS\n");
    for e in offsets {
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
            who(e.uid.as_deref(), e.name.as_deref())
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
