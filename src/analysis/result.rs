//! The result model every analysis produces and every report renders: the verdict, each
//! operator's status and the findings behind it, source positions and SQL changes. It sits
//! below the analyses (which fill it) and the renderers (which read it), so neither imports
//! the other.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Serialize, Serializer};

use super::rules::{self, Rule, Severity};
use crate::OperatorId;
use crate::job::JobGraph;
use crate::savepoint::sources::KafkaPosition;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Restores,
    Fails,
    RestoresWithStateLoss,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Restores => "restores",
            Verdict::Fails => "fails",
            Verdict::RestoresWithStateLoss => "restores-with-state-loss",
        }
    }

    /// Exit code of `check` and `diff` (contract: 0, 1, 3).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Restores => 0,
            Verdict::Fails => 1,
            Verdict::RestoresWithStateLoss => 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Restored,
    Unmapped,
    Incompatible,
    New,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Restored => "restored",
            Status::Unmapped => "unmapped",
            Status::Incompatible => "incompatible",
            Status::New => "new",
        }
    }
}

/// One reason behind an operator's status (JSON `reasons[]`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule that found it; JSON writes its id as `code`.
    #[serde(rename = "code", serialize_with = "rule_id")]
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The state the finding is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Flink's own error text for this failure, when Flink fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flink_error: Option<String>,
    /// Schema findings: the old and new type in job-graph notation, and a unified diff of
    /// the two, one line per field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Accepted in `spcompat.toml`, with the reason given there: reported, but it does not
    /// fail the exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

/// Rules serialize as their id (JSON `code`), the contract's stable spelling.
pub fn rule_id<S: Serializer>(rule: &&'static Rule, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.id)
}

impl Finding {
    /// Whether this finding was raised by `rule`.
    pub fn is(&self, rule: &Rule) -> bool {
        self.rule.id == rule.id
    }

    pub fn new(rule: &'static Rule, message: String) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message,
            fix: None,
            state: None,
            flink_error: None,
            old_type: None,
            new_type: None,
            diff: None,
            accepted: None,
        }
    }

    pub fn with_state(mut self, state: &str) -> Finding {
        self.state = Some(state.to_string());
        self
    }

    /// Sets the old and new type and their diff (empty diffs are left out).
    pub fn with_types(
        mut self,
        old: &impl std::fmt::Display,
        new: &impl std::fmt::Display,
        diff: String,
    ) -> Finding {
        self.old_type = Some(old.to_string());
        self.new_type = Some(new.to_string());
        self.diff = (!diff.trim().is_empty()).then_some(diff);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// Sets the fix from the rule's template for `case` (`""`: its only one), filling the
    /// template's `{name}` placeholders from `args`.
    pub fn fix_case(mut self, case: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Finding {
        self.fix = fix_of(self.rule, case, args);
        self
    }

    /// Sets Flink's error text from the rule's template for `case`, filling `args`.
    pub fn flink_error_case(
        mut self,
        case: &str,
        args: &[(&str, &dyn std::fmt::Display)],
    ) -> Finding {
        let template = self.rule.flink_error_template(case);
        debug_assert!(
            template.is_some(),
            "{}: no Flink error for {case:?}",
            self.rule.id
        );
        self.flink_error = template.map(|t| filled(self.rule, t, args));
        self
    }
}

/// `rule`'s fix for `case` (`""`: its only one), its `{name}` placeholders filled from `args`.
pub fn fix_of(rule: &Rule, case: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Option<String> {
    let template = rule.fix_template(case);
    debug_assert!(template.is_some(), "{}: no fix for {case:?}", rule.id);
    template.map(|t| filled(rule, t, args))
}

/// Fills a template; in test and debug builds, a placeholder the call site leaves unfilled
/// fails (so a stale call site cannot pass). Extra arguments are allowed: a site that picks
/// one of several cases (per role, per backend) passes what any of them may name.
fn filled(rule: &Rule, template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    if cfg!(debug_assertions) {
        let names = rules::placeholders(template);
        for name in &names {
            assert!(
                args.iter().any(|(n, _)| n == name),
                "{}: {{{name}}} is not filled in {template:?}",
                rule.id
            );
        }
    }
    rules::fill(template, args)
}

/// How findings and reports name an operator: by uid, else by name and ID, else by ID.
#[derive(Debug, Clone, Copy)]
pub struct OperatorName<'a> {
    pub uid: Option<&'a str>,
    pub name: Option<&'a str>,
    pub id: &'a str,
}

impl OperatorName<'_> {
    /// For plain-text places (CI annotations, test names): `uid u`, `n (id)` or `id`.
    pub fn plain(self) -> String {
        match (self.uid, self.name) {
            (Some(u), _) => format!("uid {u}"),
            (None, Some(n)) => format!("{n} ({})", self.id),
            (None, None) => self.id.to_string(),
        }
    }

    /// For finding messages, with the names in code spans: ``uid `u` ``, `` `n` (id) ``.
    pub fn quoted(self) -> String {
        match (self.uid, self.name) {
            (Some(u), _) => format!("uid `{u}`"),
            (None, Some(n)) => format!("`{n}` ({})", self.id),
            (None, None) => self.id.to_string(),
        }
    }
}

/// The operator of the new job that an old operator maps to.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MappedTo {
    pub operator_id: OperatorId,
    pub node: Option<u32>,
    pub uid: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorVerdict {
    pub operator_id: OperatorId,
    pub uid: Option<String>,
    pub name: Option<String>,
    pub status: Status,
    pub reasons: Vec<Finding>,
    /// For savepoint operators that map: the new operator taking the state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_operator: Option<MappedTo>,
    /// The uid this savepoint operator most likely had, found by hashing known uids (when the
    /// savepoint does not store uids).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred_uid: Option<String>,
    /// Names of the states involved.
    pub states: Vec<String>,
    /// Where the new operator is written, when known (CI annotations point there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<FileLine>,
}

impl OperatorVerdict {
    /// Gives this operator's `unmapped-state` finding the fix of `case`, which points at `rule`:
    /// the rule that knows why the state has no place (a release moved the ID, not the job)
    /// explains the way across, where the generic fix would suggest a uid or setUidHash.
    pub fn point_unmapped_fix_at(&mut self, case: &str, rule: &Rule) {
        for reason in self
            .reasons
            .iter_mut()
            .filter(|r| r.is(&rules::UNMAPPED_STATE))
        {
            reason.fix = fix_of(&rules::UNMAPPED_STATE, case, &[("rule", &rule.id)]);
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prediction {
    pub verdict: Verdict,
    /// The verdict once findings accepted in `spcompat.toml` no longer count; the exit code
    /// follows it. Equal to `verdict` when nothing is accepted.
    pub effective_verdict: Verdict,
    /// Findings that `spcompat.toml` raises to `error` (and does not accept); any makes the
    /// effective verdict `fails` (a team's policy, e.g. for unexaminable state).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policy_errors: Vec<String>,
    pub allow_non_restored_state: bool,
    pub operators: Vec<OperatorVerdict>,
    /// Saved source positions and whether they carry over (see `analysis::offsets`).
    pub offsets: Vec<OffsetEntry>,
    pub old: String,
    pub new: String,
    /// `check --to-flink`: the Flink release the new version was judged to run on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_flink: Option<String>,
    /// SQL jobs: the change between the two versions in SQL terms (see `analysis::sql`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<SqlReport>,
    /// Mapped operators whose state the new side does not describe: their schemas were not
    /// compared, so a `restores` verdict does not vouch for them. Empty when every mapped
    /// state was compared.
    pub state_not_compared: Vec<NotCompared>,
    /// The old savepoint read from an object store: its URL and what reading it cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::savepoint::store::SourceReads>,
    /// Why the old savepoint's state files were not read (`--metadata-only`, or absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_only: Option<String>,
    /// With `metadata_only`: the operators whose state was not examined, and what of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub state_not_examined: Vec<NotCompared>,
    /// The old savepoint picked from the folder given, when it held several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picked: Option<crate::savepoint::inventory::Picked>,
}

/// One operator of [`Prediction::state_not_compared`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotCompared {
    /// The rule that says why: `state-not-compared` (the new side does not describe the state)
    /// or `cep-pattern-not-compared` (the pattern of saved partial matches is unknown).
    pub code: &'static str,
    pub operator_id: OperatorId,
    pub uid: Option<String>,
    pub name: Option<String>,
    pub states: Vec<String>,
    pub message: String,
}

impl NotCompared {
    /// One entry per operator with a `state-not-examined` finding that `reason` explains.
    pub fn not_examined(operators: &[OperatorVerdict], reason: &str) -> Vec<NotCompared> {
        NotCompared::each_with(
            operators,
            |_, r| r.is(&rules::STATE_NOT_EXAMINED) && r.message.ends_with(reason),
            |_| false,
        )
    }

    /// One entry per operator carrying a `state-not-compared` or `cep-pattern-not-compared`
    /// finding, or, mapped, one that says its mapping is only assumed (listed for that, the
    /// weightier doubt). An unmapped operator's ID finding is a decided move, not a doubt.
    pub fn collect(operators: &[OperatorVerdict]) -> Vec<NotCompared> {
        NotCompared::each_with(
            operators,
            |o, r| is_not_compared(r) && (o.status == Status::Restored || !is_assumed_mapping(r)),
            is_assumed_mapping,
        )
    }

    /// One entry per operator with a finding that `wanted` picks, carrying its message (the
    /// first that `first` picks, when one does).
    fn each_with(
        operators: &[OperatorVerdict],
        wanted: impl Fn(&OperatorVerdict, &Finding) -> bool,
        first: impl Fn(&Finding) -> bool,
    ) -> Vec<NotCompared> {
        operators
            .iter()
            .filter_map(|o| {
                let f = (o.reasons.iter().find(|r| wanted(o, r) && first(r)))
                    .or_else(|| o.reasons.iter().find(|r| wanted(o, r)))?;
                Some(NotCompared {
                    code: f.rule.id,
                    operator_id: o.operator_id,
                    uid: o.uid.clone(),
                    name: o.name.clone(),
                    states: o.states.clone(),
                    message: f.message.clone(),
                })
            })
            .collect()
    }
}

impl Prediction {
    /// Restored operators with state whose compatibility only serializer code decides
    /// (user-written snapshots, Kryo, Kryo 2 data read by Flink 2.x's Kryo 5): a `restores`
    /// verdict cannot vouch for them.
    pub fn undecided_operators(&self) -> usize {
        const UNDECIDED: [&Rule; 4] = [
            &rules::STATE_NOT_EXAMINED,
            &rules::STATE_TYPE_UNKNOWN,
            &rules::LINT_KRYO_STATE,
            &rules::KRYO_ACROSS_FLINK_2,
        ];
        self.operators
            .iter()
            .filter(|o| o.status == Status::Restored)
            .filter(|o| {
                o.reasons
                    .iter()
                    .any(|r| r.severity != Severity::Info && UNDECIDED.iter().any(|u| r.is(u)))
            })
            .count()
    }

    /// Restored operators whose state the new side does not describe (`state-not-compared`),
    /// or whose saved CEP partial matches follow an unknown pattern.
    pub fn not_compared_operators(&self) -> usize {
        self.operators
            .iter()
            .filter(|o| o.status == Status::Restored)
            .filter(|o| {
                o.reasons
                    .iter()
                    .any(|r| r.severity != Severity::Info && is_not_compared(r))
            })
            .count()
    }

    /// What was not compared, for headlines: `the state schemas of 2 of 5 mapped operator(s)
    /// were NOT compared (...)`; `of` is the number of mapped operators, when said.
    pub fn not_compared_summary(&self, of: Option<usize>) -> String {
        let n = self.not_compared_operators();
        let count = match of {
            Some(total) => format!("{n} of {total}"),
            None => n.to_string(),
        };
        let codes: BTreeSet<&str> = self
            .operators
            .iter()
            .filter(|o| o.status == Status::Restored)
            .flat_map(|o| &o.reasons)
            .filter(|r| r.severity != Severity::Info && is_not_compared(r))
            .map(|r| r.rule.id)
            .collect();
        let cep = codes.contains(rules::CEP_PATTERN_NOT_COMPARED.id);
        let schemas = codes.contains(rules::STATE_NOT_COMPARED.id);
        let matches = codes.contains(rules::SQL_MATCH_ID_CHANGES_ON_1_19.id);
        let plan_uids = codes.contains(rules::SQL_PLAN_UID_FORMAT_CHANGED.id);
        if matches || plan_uids {
            let assumed = self
                .operators
                .iter()
                .filter(|o| o.status == Status::Restored)
                .filter(|o| {
                    o.reasons
                        .iter()
                        .any(|r| r.severity != Severity::Info && is_assumed_mapping(r))
                })
                .count();
            let count = match of {
                Some(total) => format!("{assumed} of {total}"),
                None => assumed.to_string(),
            };
            let also = if cep || schemas {
                ", and state was not fully compared"
            } else {
                ""
            };
            return match (matches, plan_uids) {
                (true, false) => format!(
                    "whether {count} mapped MATCH_RECOGNIZE operator(s) keep their ID depends on the Flink release that wrote the savepoint (plain SQL planned by 1.18 or earlier gets new IDs on 1.19 and later){also}"
                ),
                (false, _) => format!(
                    "whether {count} mapped SQL operator(s) keep their ID depends on whether a compiled plan ran the job (a Flink 1.15 plan's uids take another format on 1.16 and later){also}"
                ),
                (true, true) => format!(
                    "whether {count} mapped SQL operator(s) keep their ID depends on the Flink release that wrote the savepoint and on whether a compiled plan ran the job{also}"
                ),
            };
        }
        match (schemas, cep) {
            (false, true) => format!(
                "the CEP pattern of {count} mapped operator(s) was NOT compared (the savepoint does not record the pattern their saved partial matches follow)"
            ),
            (true, true) => format!(
                "the state of {count} mapped operator(s) was NOT fully compared (the new job does not describe their state, or the savepoint does not record the CEP pattern of their partial matches)"
            ),
            _ => format!(
                "the state schemas of {count} mapped operator(s) were NOT compared (the new job does not describe their state)"
            ),
        }
    }
}

/// Is `r` a finding that the restore of a mapped operator was not fully judged: its state not
/// (fully) compared, or its mapping only assumed?
pub fn is_not_compared(r: &Finding) -> bool {
    r.is(&rules::STATE_NOT_COMPARED)
        || r.is(&rules::CEP_PATTERN_NOT_COMPARED)
        || is_assumed_mapping(r)
}

/// Is `r` a finding that an operator's ID may move on the target release, which a stand-in new
/// side (the savepoint's own operators) could only assume? On an unmapped operator the same
/// rules report a decided move.
fn is_assumed_mapping(r: &Finding) -> bool {
    r.is(&rules::SQL_MATCH_ID_CHANGES_ON_1_19) || r.is(&rules::SQL_PLAN_UID_FORMAT_CHANGED)
}

/// The contract's verdict: `fails` if any operator is incompatible, or unmapped without `-n`;
/// `restores-with-state-loss` if some operator is unmapped under `-n`; else `restores`. With
/// `skip_accepted`, operators whose failing findings are all accepted do not fail the verdict,
/// but an accepted unmapped operator still means state loss: Flink needs `-n` to drop it, so
/// the exit code must not tell a pipeline that a plain restore works.
pub fn compute_verdict(
    operators: &[OperatorVerdict],
    allow_non_restored_state: bool,
    skip_accepted: bool,
) -> Verdict {
    let counts = |o: &&OperatorVerdict| {
        if !skip_accepted {
            return true;
        }
        let failing: Vec<&Finding> = o
            .reasons
            .iter()
            .filter(|r| r.severity == Severity::Error || r.is(&rules::UNMAPPED_STATE))
            .collect();
        failing.is_empty() || failing.iter().any(|r| r.accepted.is_none())
    };
    let any = |status: Status| operators.iter().filter(counts).any(|o| o.status == status);
    let any_unmapped = operators.iter().any(|o| o.status == Status::Unmapped);
    if any(Status::Incompatible) || (!allow_non_restored_state && any(Status::Unmapped)) {
        Verdict::Fails
    } else if any_unmapped {
        Verdict::RestoresWithStateLoss
    } else {
        Verdict::Restores
    }
}

/// A place in an input file, for CI annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLine {
    pub file: String,
    pub line: usize,
}

impl FileLine {
    /// Where a job-graph operator is written, when the graph was read from a file.
    pub fn of_operator(graph: &JobGraph, op: &crate::job::JobOperator) -> Option<FileLine> {
        let origin = graph.origin.as_ref()?;
        let offset = op.location.span?.offset();
        let line = origin.line_of(offset);
        Some(FileLine {
            file: origin.name.clone(),
            line,
        })
    }
}

/// One source operator of the savepoint whose state holds positions (JSON `offsets[]`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetEntry {
    pub operator_id: OperatorId,
    pub uid: Option<String>,
    pub name: Option<String>,
    /// The saved positions will be restored into the new job.
    pub carry_over: bool,
    /// The connector the saved splits belong to, when recognised.
    pub connector: Option<&'static str>,
    /// Kafka partitions and the next offset to read (or a marker such as `earliest`).
    pub partitions: Vec<KafkaPosition>,
    /// Positions of non-Kafka splits, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub splits: Vec<SplitPosition>,
    /// The new operator that takes over (or most likely replaces) this source.
    pub new_operator_id: Option<OperatorId>,
    /// Where the new source starts when the positions do not carry over: its `startupMode`, or
    /// `unknown: set startupMode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_from: Option<String>,
    /// What that start means for the data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consequence: Option<String>,
    /// Topics the new source reads that no saved split has.
    pub topics_added: Vec<String>,
    /// Topics of saved splits the new source no longer lists.
    pub topics_removed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitPosition {
    pub subtask: i32,
    pub split: String,
    pub position: String,
}

/// One change, in SQL terms.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlChange {
    #[serde(rename = "code", serialize_with = "rule_id")]
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The old version's operators this change is about (their IDs in the savepoint).
    pub operators: Vec<OperatorId>,
    /// The new operator, when the change pairs an old operator with one of the new version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_operator: Option<OperatorId>,
}

impl SqlChange {
    /// Changes about operator IDs that moved: they lose state only where it is unmapped.
    pub fn moves_ids(&self) -> bool {
        self.rule.id == rules::SQL_TOPOLOGY_SHIFTED_IDS.id
            || self.rule.id == rules::SQL_PLAN_UIDS_MISSING.id
    }
}

/// The SQL-level comparison of two job versions.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlReport {
    /// How each version gets its operator IDs: `compiled-plan`, `sql` (plain), `sql-uids`
    /// (plain SQL with `table.exec.uid.generation=ALWAYS`).
    pub old_mode: String,
    pub new_mode: String,
    pub changes: Vec<SqlChange>,
    /// Unified diff of the two queries' outlines (one line per operator).
    pub diff: String,
    /// The old version's operator names by ID, to name savepoint operators whose metadata
    /// stores no names (before Flink 2.0).
    #[serde(skip)]
    pub old_names: BTreeMap<OperatorId, String>,
    /// Old CEP operators whose MATCH_RECOGNIZE pattern both versions describe, so that the
    /// pattern of their saved partial matches was compared.
    #[serde(skip)]
    pub patterns_compared: Vec<OperatorId>,
}
