//! What a rule is: its id, category, severity, Flink releases, doc page, and the texts a
//! finding of it shows (fix, Flink's error), as templates whose `{name}` placeholders the
//! detection site fills.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Matching savepoint state to operators by ID.
    Mapping,
    /// Max parallelism and parallelism checks at submission and state assignment.
    Parallelism,
    /// Serializer and state-kind compatibility when state is registered.
    Schema,
    /// What spcompat could not examine.
    Coverage,
    /// Source positions (offsets, splits) and where sources resume.
    Sources,
    /// Findings on one job version alone (`spcompat lint`).
    Lint,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Mapping => "mapping",
            Category::Parallelism => "parallelism",
            Category::Schema => "schema",
            Category::Coverage => "coverage",
            Category::Sources => "sources",
            Category::Lint => "lint",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub title: &'static str,
    /// The Flink releases the rule applies to, in words (doc header, SARIF description).
    pub flink_versions: &'static str,
    /// Releases (`1.20.3`) or upgrades (`1.15.4 → 1.18.1`) on which a recorded real-Flink case
    /// under `fixtures/cases/<release>` shows what the rule says.
    pub confirmed_on: &'static [&'static str],
    #[serde(skip)]
    pub doc: &'static str,
    /// What to do about a finding, per situation (`case`; `""` when there is one).
    #[serde(skip)]
    pub fixes: &'static [Text],
    /// Flink's own error text when it fails this way, per situation.
    #[serde(skip)]
    pub flink_errors: &'static [Text],
}

/// One template of a rule. `case` names the situation it is for (a backend, a role), so
/// that a rule with several texts keeps them together; `{name}` is filled by the finding.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub case: &'static str,
    pub text: &'static str,
}

impl Rule {
    /// The doc page's `**Flink:**` text: the releases it applies to, then where a real-Flink
    /// case confirms it.
    pub fn flink_header(&self) -> String {
        match self.confirmed_on {
            [] => self.flink_versions.to_string(),
            seen => format!("{}; confirmed on {}", self.flink_versions, seen.join(", ")),
        }
    }

    /// The fix template for `case`, if the rule has one.
    pub fn fix_template(&self, case: &str) -> Option<&'static str> {
        pick(self.fixes, case)
    }

    /// Flink's error template for `case`, if the rule has one; schema rules also have the
    /// shared serializer errors ([`super::shared::SERIALIZER_ERRORS`]).
    pub fn flink_error_template(&self, case: &str) -> Option<&'static str> {
        pick(self.flink_errors, case).or_else(|| match self.category {
            Category::Schema => pick(super::shared::SERIALIZER_ERRORS, case),
            _ => None,
        })
    }
}

fn pick(texts: &'static [Text], case: &str) -> Option<&'static str> {
    texts.iter().find(|t| t.case == case).map(|t| t.text)
}

/// The names of a template's `{name}` placeholders, in order (repeats included).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                names.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    names
}

/// Fills `{name}` in `template` from `args`; a placeholder with no argument stays as written
/// (the catalog test checks every call site's names against its template).
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(&value.to_string()),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_placeholders_and_keeps_unknown_ones() {
        let n = 128;
        assert_eq!(
            fill(
                "at most {max}, not {p} ({max})",
                &[("max", &n), ("p", &"x")]
            ),
            "at most 128, not x (128)"
        );
        assert_eq!(fill("{missing} and {", &[]), "{missing} and {");
        assert_eq!(placeholders("a {x} b {y} {x}"), ["x", "y", "x"]);
    }
}
