//! MATCH_RECOGNIZE: the saved partial matches of a CEP operator follow the old pattern, by the
//! names of its variables (see [`crate::analysis::cep`]). With both queries known, the
//! patterns are compared here.

use super::super::result::SqlChange;
use super::super::rules::{self, Severity};
use super::Unit;
use super::changes::change;

/// The `name=[...]` field of an ExecNode description (`Match(partitionBy=[k], ...,
/// pattern=[...], define=[...])`), brackets balanced; linear in the description's length.
pub(super) fn description_field<'a>(description: &'a str, name: &str) -> Option<&'a str> {
    let start = description.find(&format!("{name}=["))? + name.len() + 2;
    let mut depth = 1usize;
    for (i, c) in description[start..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&description[start..start + i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The pattern's variables in order of first appearance: the quoted names in `pattern=[...]`
/// (`_UTF-16LE'A'`).
fn pattern_variables(pattern: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    // A set beside the list: a hostile description may name very many variables.
    let mut seen = std::collections::HashSet::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('\'') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('\'') else { break };
        let name = &after[..close];
        if seen.insert(name) {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

/// The parts of a MATCH_RECOGNIZE that decide what the saved partial matches mean.
struct MatchShape<'a> {
    variables: Vec<&'a str>,
    rest: Vec<Option<&'a str>>,
}

fn shape(u: &Unit) -> Option<MatchShape<'_>> {
    if u.transformation() != "match" {
        return None;
    }
    let d = u.info.description.as_deref()?;
    let pattern = description_field(d, "pattern")?;
    Some(MatchShape {
        variables: pattern_variables(pattern),
        rest: ["pattern", "define", "measures", "after", "rowsPerMatch"]
            .iter()
            .map(|f| description_field(d, f))
            .collect(),
    })
}

/// Both patterns known: `None` when they are the same (the saved partial matches fit), else
/// the change. A variable the new pattern lacks is an error: its saved partial matches have no
/// state in the new NFA.
pub(super) fn match_changed(o: &Unit, n: &Unit) -> Option<Option<SqlChange>> {
    let (a, b) = (shape(o)?, shape(n)?);
    if a.rest == b.rest {
        return Some(None);
    }
    let new_variables: std::collections::HashSet<&str> = b.variables.iter().copied().collect();
    let gone: Vec<&str> = a
        .variables
        .iter()
        .filter(|v| !new_variables.contains(*v))
        .copied()
        .collect();
    let vars = |s: &MatchShape| s.variables.join(", ");
    let (severity, message, case) = if gone.is_empty() {
        (
            Severity::Warning,
            format!(
                "{}: the pattern, its definitions or measures changed, with the same variables ({}): Flink restores, and the partial matches saved under the old pattern continue under the new one",
                o.title(),
                vars(&a)
            ),
            "changed",
        )
    } else {
        (
            Severity::Error,
            format!(
                "{}: pattern variables {} -> {}: partial matches saved at {} have no state in the new pattern, and Flink fails on their next row (`State {} does not exist in the NFA`)",
                o.title(),
                vars(&a),
                vars(&b),
                gone.join(", "),
                gone[0]
            ),
            "variable-removed",
        )
    };
    Some(Some(change(
        &rules::SQL_MATCH_CHANGED,
        severity,
        message,
        vec![o.id],
        Some(n.id),
        Some(case),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESC: &str = "Match(partitionBy=[k], orderBy=[ts ASC], measures=[FINAL(A.v) AS av], rowsPerMatch=[ONE ROW PER MATCH], after=[SKIP PAST LAST ROW], pattern=[((_UTF-16LE'A', PATTERN_QUANTIFIER(_UTF-16LE'B', 1, -1, false)), _UTF-16LE'C')], define=[{A=>(PREV(A.$1, 0), 50)}])";

    #[test]
    fn reads_the_pattern_and_its_variables() {
        let p = description_field(DESC, "pattern").unwrap();
        assert_eq!(pattern_variables(p), ["A", "B", "C"]);
        assert_eq!(description_field(DESC, "after"), Some("SKIP PAST LAST ROW"));
        assert_eq!(description_field("Match(pattern=[('A'", "pattern"), None);
    }
}
