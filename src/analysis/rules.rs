//! The catalog of compatibility rules. Every finding carries one of these ids as its JSON
//! `reasons[].code`; each rule has a doc page under `docs/rules/` (shown by `spcompat explain`).

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
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub title: &'static str,
    /// The Flink releases the rule was confirmed on, or the range it applies to.
    pub flink_versions: &'static str,
    #[serde(skip)]
    pub doc: &'static str,
}

macro_rules! rule {
    ($id:literal, $cat:ident, $sev:ident, $title:literal, $versions:literal) => {
        Rule {
            id: $id,
            category: Category::$cat,
            severity: Severity::$sev,
            title: $title,
            flink_versions: $versions,
            doc: include_str!(concat!("../../docs/rules/", $id, ".md")),
        }
    };
}

pub const UNMAPPED_STATE: Rule = rule!(
    "unmapped-state",
    Mapping,
    Error,
    "State in the savepoint has no operator in the new job",
    "1.3 and later"
);
pub const MAX_PARALLELISM_MISMATCH: Rule = rule!(
    "max-parallelism-mismatch",
    Parallelism,
    Error,
    "A configured max parallelism differs from the savepoint's",
    "1.3 and later"
);
pub const PARALLELISM_ABOVE_MAX_PARALLELISM: Rule = rule!(
    "parallelism-above-max-parallelism",
    Parallelism,
    Error,
    "New parallelism is above the savepoint's max parallelism",
    "1.3 and later"
);
pub const MAX_PARALLELISM_ADOPTED: Rule = rule!(
    "max-parallelism-adopted",
    Parallelism,
    Info,
    "A derived max parallelism adopts the savepoint's value",
    "1.3 and later"
);
pub const RESTORED_VIA_UID_HASH: Rule = rule!(
    "restored-via-uid-hash",
    Mapping,
    Info,
    "State is restored through setUidHash",
    "1.3 and later"
);
pub const STATE_NOT_EXAMINED: Rule = rule!(
    "state-not-examined",
    Coverage,
    Warning,
    "A state's serializer could not be decoded, so its compatibility is unknown",
    "all"
);

pub const ALL: &[Rule] = &[
    UNMAPPED_STATE,
    MAX_PARALLELISM_MISMATCH,
    PARALLELISM_ABOVE_MAX_PARALLELISM,
    MAX_PARALLELISM_ADOPTED,
    RESTORED_VIA_UID_HASH,
    STATE_NOT_EXAMINED,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}
