//! A Markdown PR comment: verdict, a table of operators, details folded, the fix for each.

use super::findings::operator_label;
use crate::analysis::result::{Prediction, Status, Verdict};

/// The first line of every comment: hidden when rendered, it lets `ci/pr-comment.sh` find and
/// update its own comment on re-runs instead of adding one per push. One per job file.
pub fn marker(job: &str) -> String {
    format!("<!-- spcompat-report: {} -->\n", job.replace("--", "-"))
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(p: &Prediction) -> String {
    let undecided = p.undecided_operators();
    let not_compared = p.not_compared_operators();
    let (icon, verdict) = match p.verdict {
        Verdict::Restores if not_compared > 0 => (
            "⚠️",
            "restores only as far as the new job says (state not compared)",
        ),
        Verdict::Restores if undecided > 0 => ("⚠️", "restores, as far as spcompat can tell"),
        Verdict::Restores => ("✅", "restores"),
        Verdict::RestoresWithStateLoss => ("⚠️", "restores with state loss"),
        Verdict::Fails => ("❌", "fails"),
    };
    let mut out = marker(&p.new);
    out.push_str(&format!("## {icon} spcompat: the new job {verdict}\n\n"));
    out.push_str(&format!(
        "Old `{}` → new job `{}`{}\n\n",
        p.old,
        p.new,
        if p.allow_non_restored_state {
            " (with `--allow-non-restored-state`)"
        } else {
            ""
        }
    ));
    // Schemas alone get the export hint; a CEP pattern or an assumed mapping, the summary.
    let schemas_only = p
        .state_not_compared
        .iter()
        .all(|n| n.code == crate::analysis::rules::STATE_NOT_COMPARED.id);
    if not_compared > 0 && !schemas_only {
        out.push_str(&format!(
            "**Not fully compared:** {} (see their warnings).\n\n",
            p.not_compared_summary(None)
        ));
    } else if not_compared > 0 {
        out.push_str(&format!(
            "The state schemas of {not_compared} mapped operator(s) were **not compared**: the new job does not describe their state (export it with `spcompat export-job`, or check against a canary savepoint).\n\n"
        ));
    }
    if p.verdict == Verdict::Restores && undecided > 0 {
        out.push_str(&format!(
            "{undecided} operator(s) hold state that only its serializer's own code can judge: see their warnings.\n\n"
        ));
    }
    out.push_str(
        "| status | operator | operator ID | states | findings |\n|---|---|---|---|---|\n",
    );
    let order = [
        Status::Incompatible,
        Status::Unmapped,
        Status::Restored,
        Status::New,
    ];
    for status in order {
        for o in p.operators.iter().filter(|o| o.status == status) {
            let id = o.operator_id.to_string();
            let label = operator_label(
                o.uid.as_deref().or(o.inferred_uid.as_deref()),
                o.name.as_deref(),
                &id,
            );
            let codes: Vec<String> = o
                .reasons
                .iter()
                .map(|r| format!("`{}`", r.rule.id))
                .collect();
            out.push_str(&format!(
                "| {} | {} | `{}` | {} | {} |\n",
                status.as_str(),
                cell(&label),
                id,
                cell(&o.states.join(", ")),
                codes.join(" ")
            ));
        }
    }
    let with_reasons: Vec<_> = p
        .operators
        .iter()
        .filter(|o| !o.reasons.is_empty())
        .collect();
    if !with_reasons.is_empty() {
        out.push_str("\n<details><summary>Findings and fixes</summary>\n\n");
        for o in with_reasons {
            let id = o.operator_id.to_string();
            let label = operator_label(
                o.uid.as_deref().or(o.inferred_uid.as_deref()),
                o.name.as_deref(),
                &id,
            );
            out.push_str(&format!("### {} ({})\n\n", cell(&label), o.status.as_str()));
            for r in &o.reasons {
                out.push_str(&format!(
                    "- **{}** `{}`: {}\n",
                    r.severity.as_str(),
                    r.rule.id,
                    r.message
                ));
                if let Some(reason) = &r.accepted {
                    out.push_str(&format!("  - accepted in `spcompat.toml`: {reason}\n"));
                }
                if let Some(fix) = &r.fix {
                    out.push_str(&format!("  - fix: {fix}\n"));
                }
            }
            out.push('\n');
        }
        out.push_str("</details>\n");
    }
    out
}
