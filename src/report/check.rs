//! `check` / `diff` reports: the verdict first, then operators grouped by status.

use crate::analysis::restore::{OperatorVerdict, Prediction, Status, Verdict};

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
    match p.verdict {
        Verdict::Restores => format!(
            "RESTORES: Flink will start the new job and restore all state ({} operator(s) with state mapped).",
            count(Status::Restored)
        ),
        Verdict::RestoresWithStateLoss => format!(
            "RESTORES WITH STATE LOSS: the job starts (-n), but the state of {unmapped} operator(s) is dropped."
        ),
        Verdict::Fails => {
            let mut parts = Vec::new();
            if incompatible > 0 {
                parts.push(format!(
                    "{incompatible} operator(s) have state that cannot be restored (-n does not help)"
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
        out.push_str(&format!(
            "      {} [{}]: {}\n",
            r.severity.as_str(),
            r.code,
            r.message
        ));
        if let Some(fix) = &r.fix {
            out.push_str(&format!("        fix: {fix}\n"));
        }
    }
}

pub fn render_text(p: &Prediction) -> String {
    let mut out = headline(p);
    out.push('\n');
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
        out.push_str(&format!("\n{title} ({})\n", ops.len()));
        for o in ops {
            operator_block(o, &mut out);
        }
    }
    out
}
