//! State schema compatibility of a mapped operator: what Flink checks when the new version
//! registers its state (key serializer, state kind, value / user-key / namespace / timer
//! serializers), plus the hazards of crossing Flink major versions.
//!
//! Each side's states come either from serializer snapshots (a savepoint, or a canary savepoint
//! of the new version: precise) or from the job-graph type notation (what the job declares).
//! Both are turned into [`Type`]s and compared with [`crate::schema::compat`].

use std::fmt;

use similar::TextDiff;

use super::result::Finding;
use super::rules::{self, Rule, Severity};
use super::sides::{NewOperator, NewSide, OldOperator, OldSide, StateSchema};
use crate::schema::compat::{self, ChangeKind, Compat, Options, Resolution};
use crate::schema::notation::{NotationError, parse_state_type, parse_type};
use crate::schema::snapshot::SerializerSnapshot;
use crate::schema::types::Type;

/// A Flink release line, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release {
    pub major: u32,
    pub minor: u32,
}

impl Release {
    pub const fn new(major: u32, minor: u32) -> Release {
        Release { major, minor }
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The Flink releases something may come from: one release, or a range when only the
/// savepoint's metadata version is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlinkRange {
    pub low: Release,
    pub high: Release,
}

const OPEN_END: Release = Release::new(99, 0);

impl FlinkRange {
    pub fn exactly(r: Release) -> FlinkRange {
        FlinkRange { low: r, high: r }
    }

    /// The releases that write a `_metadata` version.
    pub fn from_metadata_version(v: i32) -> Option<FlinkRange> {
        let (low, high) = match v {
            2 => (Release::new(1, 3), Release::new(1, 10)),
            3 => (Release::new(1, 11), Release::new(1, 15)),
            4 => (Release::new(1, 16), Release::new(1, 20)),
            5 => (Release::new(2, 0), Release::new(2, 0)),
            6 => (Release::new(2, 1), Release::new(2, 3)),
            7 => (Release::new(2, 4), OPEN_END),
            _ => return None,
        };
        Some(FlinkRange { low, high })
    }

    /// Reads `1.20.1`, `2.1`, `2.1-SNAPSHOT`, or the `written by` texts of savepoint summaries
    /// (`Flink 1.16 - 1.20`, `Flink 2.0`, `Flink after 2.3`).
    pub fn parse(text: &str) -> Option<FlinkRange> {
        let t = text.trim();
        let t = t.strip_prefix("Flink").unwrap_or(t).trim();
        if let Some(rest) = t.strip_prefix("after") {
            let r = release(rest.trim())?;
            return Some(FlinkRange {
                low: Release::new(r.major, r.minor + 1),
                high: OPEN_END,
            });
        }
        match t.split_once(" - ") {
            Some((a, b)) => {
                let (low, high) = (release(a)?, release(b)?);
                (low <= high).then_some(FlinkRange { low, high })
            }
            None => release(t).map(FlinkRange::exactly),
        }
    }

    /// Every release in the range is at least `r`.
    pub fn at_least(&self, r: Release) -> bool {
        self.low >= r
    }

    /// Every release in the range is below `r`.
    pub fn below(&self, r: Release) -> bool {
        self.high < r
    }
}

fn release(text: &str) -> Option<Release> {
    let mut parts = text.trim().split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some(Release { major, minor })
}

impl fmt::Display for FlinkRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.low == self.high {
            write!(f, "Flink {}", self.low)
        } else if self.high == OPEN_END {
            write!(f, "Flink {} or later", self.low)
        } else {
            write!(f, "Flink {} - {}", self.low, self.high)
        }
    }
}

/// The keyed state backend the new job restores with, where known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    HashMap,
    RocksDb,
}

/// What the schema checks need to know beyond the two operators.
#[derive(Debug, Clone, Default)]
pub struct CompatContext {
    /// The releases that wrote the old state (from the savepoint's metadata version).
    pub old_flink: Option<FlinkRange>,
    /// The release the new job runs on (job-graph `flinkVersion`, or a canary savepoint's
    /// metadata version). `None`: not given.
    pub new_flink: Option<FlinkRange>,
    /// The new job's keyed state backend, when known for the whole job.
    pub new_backend: Option<Backend>,
}

const FLINK_1_17: Release = Release::new(1, 17);
const FLINK_2_0: Release = Release::new(2, 0);
const FLINK_2_1: Release = Release::new(2, 1);

impl CompatContext {
    pub fn from_sides(old: &OldSide, new: &NewSide) -> CompatContext {
        CompatContext {
            old_flink: old.written_by.as_deref().and_then(FlinkRange::parse),
            new_flink: new
                .flink_version
                .as_deref()
                .or(new.written_by.as_deref())
                .and_then(FlinkRange::parse),
            new_backend: match new.state_backend.as_deref() {
                Some("hashmap") | Some("filesystem") | Some("memory") => Some(Backend::HashMap),
                Some("rocksdb") => Some(Backend::RocksDb),
                _ => None,
            },
        }
    }

    /// The new job's releases, and what was assumed to get them when not given.
    pub fn effective_new(&self) -> (Option<FlinkRange>, Option<String>) {
        match (self.new_flink, self.old_flink) {
            (Some(n), _) => (Some(n), None),
            (None, Some(o)) => (
                Some(o),
                Some(format!(
                    "the new job's Flink version is not given (set `flinkVersion` in the job graph); assuming the savepoint's release line, {o}"
                )),
            ),
            (None, None) => (None, None),
        }
    }

    /// The version-dependent rules for the new job, with the assumption made for them.
    pub fn options(&self) -> (Options, Option<String>) {
        let (new, assumed) = self.effective_new();
        match new {
            Some(n) => {
                let straddles_ttl = !n.at_least(FLINK_2_1) && !n.below(FLINK_2_1);
                let note = if straddles_ttl {
                    Some(format!(
                        "{}: assuming the TTL rules of Flink up to 2.0",
                        assumed.unwrap_or_else(|| format!("the new job runs on {n}"))
                    ))
                } else {
                    assumed
                };
                (
                    Options {
                        ttl_migration: n.at_least(FLINK_2_1),
                        legacy_snapshots_unreadable: !n.below(FLINK_1_17),
                    },
                    note,
                )
            }
            None => (
                Options::default(),
                Some(
                    "the Flink versions are unknown (set `flinkVersion` in the job graph): assuming Flink 1.17 - 2.0 rules"
                        .to_string(),
                ),
            ),
        }
    }
}

fn backend_of_handle(handle: Option<&str>) -> Option<Backend> {
    // Only incremental/native RocksDB snapshots pin the backend; canonical savepoints can be
    // restored by either.
    (handle == Some("IncrementalRemoteKeyedStateHandle")).then_some(Backend::RocksDb)
}

// ------------------------------------------------------------------------------------------------
// States as compared.

/// Which namespace of state names a kind lives in: Flink matches names within it.
fn family(kind: &str) -> &'static str {
    match kind {
        "value" | "list" | "map" | "reducing" | "aggregating" => "keyed",
        "operator-list" | "union-list" => "operator",
        "broadcast" => "broadcast",
        "timers" => "timers",
        _ => "other",
    }
}

/// Flink's names for state kinds in its error texts.
fn flink_kind(kind: &str) -> &str {
    match kind {
        "value" => "VALUE",
        "list" => "LIST",
        "map" => "MAP",
        "reducing" => "REDUCING",
        "aggregating" => "AGGREGATING",
        "operator-list" => "SPLIT_DISTRIBUTE",
        "union-list" => "UNION",
        "broadcast" => "BROADCAST",
        other => other,
    }
}

/// One side's view of a state's types.
struct StateTypes {
    /// Value type (element for lists, map value for maps), wrapped in [`Type::Ttl`] when TTL is
    /// on. `None`: not described.
    value: Option<Type>,
    /// Map / broadcast key type.
    user_key: Option<Type>,
    namespace: Option<Type>,
    /// Read from serializer snapshots (rather than notation).
    precise: bool,
}

fn serializer<'a>(s: &'a StateSchema, key: &str) -> Option<&'a SerializerSnapshot> {
    s.serializers.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn state_types(s: &StateSchema) -> Result<StateTypes, NotationError> {
    if !s.serializers.is_empty() {
        let value = serializer(s, "VALUE_SERIALIZER").map(Type::from_snapshot);
        let (value, user_key) = match (s.kind.as_str(), value) {
            ("list", Some(Type::List(e))) => (Some(*e), None),
            ("map", Some(Type::Map(k, v))) => (Some(*v), Some(*k)),
            ("broadcast", v) => (v, serializer(s, "KEY_SERIALIZER").map(Type::from_snapshot)),
            (_, v) => (v, None),
        };
        return Ok(StateTypes {
            value,
            user_key,
            namespace: serializer(s, "NAMESPACE_SERIALIZER").map(Type::from_snapshot),
            precise: true,
        });
    }
    let value = match &s.type_ {
        Some(t) => {
            let t = parse_state_type(t, s.avro_schema.as_deref())?;
            Some(if s.ttl { Type::Ttl(Box::new(t)) } else { t })
        }
        None => None,
    };
    let user_key = s.user_key_type.as_deref().map(parse_type).transpose()?;
    Ok(StateTypes {
        value,
        user_key,
        namespace: None,
        precise: false,
    })
}

/// What part of a state a comparison is about: decides Flink's rule and error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Key,
    Value,
    UserKey,
    Namespace,
    Timer,
}

// ------------------------------------------------------------------------------------------------
// Entry points.

/// Every schema finding for an old operator and the new operator that takes its state.
///
/// Only what the new side describes is compared: a job-graph operator without a `state` list
/// gets no state findings (its key type is still compared when given).
pub fn check_states(old: &OldOperator, new: &NewOperator, ctx: &CompatContext) -> Vec<Finding> {
    let (options, assumption) = ctx.options();
    let backend = ctx
        .new_backend
        .or_else(|| backend_of_handle(new.keyed_handle))
        .or_else(|| backend_of_handle(old.keyed_handle));
    let c = Checker {
        options,
        assumption,
        backend,
        old_flink: ctx.old_flink,
        new_flink: ctx.new_flink,
    };
    let mut out = Vec::new();
    c.downgrade(&mut out);
    c.key(old, new, &mut out);
    c.key_hazards(old, &mut out);
    let mut seen_new: Vec<(&str, &str)> = Vec::new();
    for s in &old.states {
        let fam = family(&s.kind);
        let target = new
            .states
            .iter()
            .find(|n| n.name == s.name && family(&n.kind) == fam);
        if let Some(t) = target {
            seen_new.push((fam, t.name.as_str()));
        }
        if new.describes_all_state() && target.is_none() && fam != "timers" {
            out.push(c.dropped(s, new));
            continue;
        }
        // Timer queues hold keys, whose hazards are reported with the key type.
        if fam != "timers" {
            c.hazards(s, &mut out);
        }
        if let Some(t) = target {
            c.state(s, t, &mut out);
        }
    }
    if new.declares_state {
        for n in &new.states {
            let fam = family(&n.kind);
            if fam != "timers" && !seen_new.contains(&(fam, n.name.as_str())) {
                let ty = match (&n.user_key_type, &n.type_) {
                    (Some(k), Some(v)) => format!(" {k} -> {v}"),
                    (None, Some(v)) => format!(" {v}"),
                    _ => String::new(),
                };
                out.push(
                    Finding::new(
                        &rules::STATE_ADDED,
                        format!(
                            "state `{}` ({}{ty}) is new: it starts empty",
                            n.name, n.kind
                        ),
                    )
                    .with_state(&n.name),
                );
            }
        }
    }
    out
}

/// Schema findings for every old operator that maps to a new one (for tests and tools that
/// want the schema view alone).
pub fn check_all(
    old: &OldSide,
    new: &NewSide,
    ctx: &CompatContext,
) -> Vec<(crate::OperatorId, Finding)> {
    let mut out = Vec::new();
    for op in old.operators.iter().filter(|o| o.has_state) {
        if let Some(target) = new.operator_for(op.operator_id) {
            for f in check_states(op, target, ctx) {
                out.push((op.operator_id, f));
            }
        }
    }
    out
}

struct Checker {
    options: Options,
    assumption: Option<String>,
    backend: Option<Backend>,
    old_flink: Option<FlinkRange>,
    /// As given (not assumed).
    new_flink: Option<FlinkRange>,
}

fn heap_or_rocks<'a>(backend: Option<Backend>, heap: &'a str, rocks: &'a str) -> &'a str {
    match backend {
        Some(Backend::RocksDb) => rocks,
        _ => heap,
    }
}

fn with_state(f: Finding, state: Option<&str>) -> Finding {
    match state {
        Some(s) => f.with_state(s),
        None => f,
    }
}

/// A serializer as Flink's `toString()` prints it in error texts.
fn ser(t: &Type) -> String {
    format!("{}@<hash>", t.serializer_class())
}

/// The serializer registered for a state: list and map states wrap the described type.
fn registered(kind: &str, value: &Type, user_key: Option<&Type>) -> Type {
    match (kind, user_key) {
        ("list", _) => Type::List(Box::new(value.clone())),
        ("map", Some(k)) => Type::Map(Box::new(k.clone()), Box::new(value.clone())),
        _ => value.clone(),
    }
}

/// A unified diff of the two types, one line per field.
pub fn type_diff(old: &Type, new: &Type) -> String {
    let a = old.outline().join("\n") + "\n";
    let b = new.outline().join("\n") + "\n";
    TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header("old", "new")
        .to_string()
}

impl Checker {
    fn with_assumption(&self, message: String, version_dependent: bool) -> String {
        match (&self.assumption, version_dependent) {
            (Some(a), true) => format!("{message} ({a})"),
            _ => message,
        }
    }

    /// A savepoint written by a newer Flink than the new job runs on cannot be read at all.
    fn downgrade(&self, out: &mut Vec<Finding>) {
        let (Some(old), Some(new)) = (self.old_flink, self.new_flink) else {
            return;
        };
        if new.high >= old.low {
            return;
        }
        let version = (2..=7)
            .find(|v| FlinkRange::from_metadata_version(*v) == Some(old))
            .map(|v| v.to_string())
            .unwrap_or_else(|| "<n>".to_string());
        out.push(
            Finding::new(
                &rules::SAVEPOINT_NEWER_THAN_FLINK,
                format!(
                    "the savepoint was written by {old} (metadata version {version}); the new job runs on {new}, which cannot read that format"
                ),
            )
            .with_fix(format!(
                "run the new job on {} or later, or take the savepoint with the older Flink",
                old.low
            ))
            .with_flink_error(format!("Unrecognized checkpoint version number: {version}")),
        );
    }

    fn key(&self, old: &OldOperator, new: &NewOperator, out: &mut Vec<Finding>) {
        let old_t = match (&old.key_serializer, &old.key_type) {
            (Some(s), _) => Ok(Type::from_snapshot(s)),
            (None, Some(t)) => parse_type(t),
            (None, None) => return,
        };
        let new_t = match (&new.key_serializer, &new.key_type) {
            (Some(s), _) => Ok(Type::from_snapshot(s)),
            (None, Some(t)) => parse_type(t),
            (None, None) => return,
        };
        let (old_t, new_t) = match (old_t, new_t) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                out.push(
                    Finding::new(
                        &rules::STATE_TYPE_UNKNOWN,
                        format!("the key type cannot be compared: {e}"),
                    )
                    .with_fix("write the key type as Flink's TypeInformation#toString() prints it (see the job-graph format)"),
                );
                return;
            }
        };
        let res = compat::resolve(&old_t, &new_t, &self.options);
        if let Some(f) = self.finding(None, "key", Role::Key, &res, &old_t, &new_t) {
            out.push(f);
        }
    }

    fn dropped(&self, s: &StateSchema, new: &NewOperator) -> Finding {
        let elsewhere = new
            .states
            .iter()
            .find(|n| n.name == s.name)
            .map(|n| {
                format!(
                    " (the new job declares `{}` as {} state, which Flink keeps apart from {} state)",
                    n.name, n.kind, s.kind
                )
            })
            .unwrap_or_default();
        Finding::new(
            &rules::STATE_DROPPED,
            format!(
                "the new job does not declare state `{}` ({}){elsewhere}: Flink does not fail, it carries the saved values along unread",
                s.name, s.kind
            ),
        )
        .with_state(&s.name)
        .with_fix(format!(
            "if the state was renamed, keep the descriptor name `{}` (Flink matches state by name); if it is obsolete, nothing to do",
            s.name
        ))
    }

    /// Flink 2.0 hazards of a state that the serializer rules alone do not show.
    fn hazards(&self, s: &StateSchema, out: &mut Vec<Finding>) {
        let snapshots: Vec<&SerializerSnapshot> = s.serializers.iter().map(|(_, v)| v).collect();
        let types: Vec<Type> = if s.serializers.is_empty() {
            state_types(s)
                .map(|t| t.value.into_iter().chain(t.user_key).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        self.hazards_in(
            &format!("state `{}`", s.name),
            Some(&s.name),
            &snapshots,
            &types,
            out,
        );
    }

    /// The same for a key type.
    fn key_hazards(&self, old: &OldOperator, out: &mut Vec<Finding>) {
        let snapshots: Vec<&SerializerSnapshot> = old.key_serializer.iter().collect();
        let types: Vec<Type> = match (&old.key_serializer, &old.key_type) {
            (None, Some(t)) => parse_type(t).into_iter().collect(),
            _ => Vec::new(),
        };
        self.hazards_in("the key type", None, &snapshots, &types, out);
    }

    /// Kryo and Scala API serializers in `snapshots` (or, for job graphs, `types`) of state
    /// written by Flink 1.x and restored on 2.x.
    fn hazards_in(
        &self,
        subject: &str,
        state: Option<&str>,
        snapshots: &[&SerializerSnapshot],
        types: &[Type],
        out: &mut Vec<Finding>,
    ) {
        let Some(old) = self.old_flink else {
            return;
        };
        if !old.below(FLINK_2_0) {
            return;
        }
        // `None`: the new version is not given, so the crossing is only possible.
        let crossing = match self.new_flink {
            Some(n) if n.at_least(FLINK_2_0) => Some(n),
            Some(_) => return,
            None => None,
        };
        let mut kryo: Vec<String> = Vec::new();
        let mut scala: Vec<String> = Vec::new();
        let mut scala_types: Vec<String> = Vec::new();
        let add = |list: &mut Vec<String>, c: &str| {
            if !list.iter().any(|x| x == c) {
                list.push(c.to_string());
            }
        };
        // A job graph standing in for the savepoint (`diff`): its notation tells Kryo
        // (`GenericType<...>`) and Scala API types (case classes, `Option[...]`).
        for t in types {
            t.visit(&mut |n| match n {
                Type::Generic(g) => add(&mut kryo, &g.class),
                Type::CaseClass { class, .. } => add(&mut scala_types, class),
                Type::ScalaOption(_) => add(&mut scala_types, "scala.Option"),
                _ => {}
            });
        }
        for snap in snapshots {
            snap.visit(&mut |n| match &n.detail {
                crate::schema::snapshot::SnapshotDetail::Kryo { type_class, .. } => {
                    add(&mut kryo, type_class)
                }
                _ if n.class.starts_with("org.apache.flink.api.scala.typeutils.") => {
                    add(&mut scala, &n.class)
                }
                _ => {}
            });
        }
        if !kryo.is_empty() {
            let collections: Vec<&String> = kryo
                .iter()
                .filter(|c| c.starts_with("java.util."))
                .collect();
            let extra = if collections.is_empty() {
                String::new()
            } else {
                format!(
                    "; and Flink 2.0 serializes java.util collections ({}) with built-in List/Map/Set serializers instead of Kryo, which are incompatible with the saved Kryo snapshot",
                    collections
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let risk = "Kryo 5 in Flink 2.x does not read Kryo 2 data reliably (restores were observed to succeed and silently lose data)";
            let fix = "before upgrading, move the state to a POJO, Avro or custom-serializer type on Flink 1.x (new state + migration, or the State Processor API), take a savepoint, then upgrade";
            let finding = match crossing {
                Some(new) => Finding::new(
                    &rules::KRYO_ACROSS_FLINK_2,
                    format!(
                        "{subject} holds Kryo-serialized values ({}) written by {old}; the new job runs on {new}: {risk}{extra}",
                        kryo.join(", ")
                    ),
                ),
                None => Finding::new(
                    &rules::KRYO_ACROSS_FLINK_2,
                    format!(
                        "{subject} holds Kryo-serialized values ({}) written by {old}; the new job's Flink version is not given (set `flinkVersion`): if it is 2.x, {risk}{extra}",
                        kryo.join(", ")
                    ),
                )
                .with_severity(Severity::Info),
            };
            out.push(with_state(finding, state).with_fix(fix));
        }
        let Some(new) = crossing else {
            return;
        };
        for class in scala {
            out.push(with_state(
                Finding::new(
                    &rules::SCALA_SERIALIZER_ON_FLINK_2,
                    format!(
                        "{subject} uses the Scala API serializer {class}; Flink {} removed the Scala DataStream API",
                        new.low
                    ),
                )
                .with_fix("ship a library that provides the flink-scala serializer classes with the job, or migrate the state to Java types on Flink 1.x before upgrading")
                .with_flink_error(format!("Could not find class '{class}' in classpath.")),
                state,
            ));
        }
        if !scala_types.is_empty() {
            out.push(with_state(
                Finding::new(
                    &rules::SCALA_SERIALIZER_ON_FLINK_2,
                    format!(
                        "{subject} holds Scala API types ({}), written by the flink-scala serializers that Flink {} removed",
                        scala_types.join(", "),
                        new.low
                    ),
                )
                .with_fix("ship a library that provides the flink-scala serializer classes with the job, or migrate the state to Java types on Flink 1.x before upgrading"),
                state,
            ));
        }
    }

    fn state(&self, old: &StateSchema, new: &StateSchema, out: &mut Vec<Finding>) {
        let name = old.name.as_str();
        if old.kind != new.kind {
            let fam = family(&old.kind);
            let (was, now) = (flink_kind(&old.kind), flink_kind(&new.kind));
            let flink_error = if fam == "operator" {
                format!(
                    "Incompatible state assignment modes. Was [{was}], registered with [{now}]."
                )
            } else {
                format!("Incompatible key/value state types. Was [{was}], registered with [{now}].")
            };
            out.push(
                Finding::new(
                    &rules::STATE_KIND_CHANGED,
                    format!(
                        "state `{name}` was {} state and is registered as {} state now",
                        old.kind, new.kind
                    ),
                )
                .with_state(name)
                .with_fix(format!(
                    "keep `{name}` a {} state, or register the new state under a new name (and migrate the old values with the State Processor API if they are needed)",
                    old.kind
                ))
                .with_flink_error(flink_error),
            );
            return;
        }
        let (old_t, new_t) = match (state_types(old), state_types(new)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                // A pre-1.7 snapshot fails while Flink reads the savepoint, before the new
                // type matters: report it even when the new type cannot be read.
                if let Ok(a) = state_types(old)
                    && let Some((class, serializer)) = a.value.as_ref().and_then(legacy_class)
                    && self.options.legacy_snapshots_unreadable
                {
                    out.push(self.legacy_finding(name, &old.kind, &class, serializer.as_deref()));
                    return;
                }
                out.push(
                    Finding::new(
                        &rules::STATE_TYPE_UNKNOWN,
                        format!("state `{name}`: the type cannot be compared: {e}"),
                    )
                    .with_state(name)
                    .with_fix("write the type as Flink's TypeInformation#toString() prints it (see the job-graph format)"),
                );
                return;
            }
        };
        if old.kind == "timers" {
            // Timer queues are compared only when both sides are savepoints.
            if let (true, true, Some(a), Some(b)) =
                (old_t.precise, new_t.precise, &old_t.value, &new_t.value)
            {
                let res = compat::resolve(a, b, &self.options);
                out.extend(self.finding(Some(name), &old.kind, Role::Timer, &res, a, b));
            }
            return;
        }
        if let (Some(a), Some(b)) = (&old_t.namespace, &new_t.namespace) {
            let res = compat::resolve(a, b, &self.options);
            out.extend(self.finding(Some(name), &old.kind, Role::Namespace, &res, a, b));
        }
        if let (Some(a), Some(b)) = (&old_t.user_key, &new_t.user_key) {
            let res = compat::resolve(a, b, &self.options);
            out.extend(self.finding(Some(name), &old.kind, Role::UserKey, &res, a, b));
        }
        if let (Some(a), Some(b)) = (&old_t.value, &new_t.value) {
            self.kryo_blind_spot(name, a, b, out);
            let res = compat::resolve(a, b, &self.options);
            let mut f = self.finding(Some(name), &old.kind, Role::Value, &res, a, b);
            if let Some(f) = &mut f {
                // Flink reports the serializer it registers (the list/map serializer around the
                // described type).
                if f.severity == Severity::Error && f.flink_error.is_none() {
                    let (ra, rb) = (
                        registered(&old.kind, a, old_t.user_key.as_ref()),
                        registered(&new.kind, b, new_t.user_key.as_ref()),
                    );
                    f.flink_error = Some(self.value_error(&old.kind, &ra, &rb));
                }
            }
            out.extend(f);
        }
    }

    /// Kryo's snapshot names only the class, so neither spcompat nor Flink's compatibility
    /// check sees a changed class shape: Kryo fails (or mis-reads) when it reads the values.
    fn kryo_blind_spot(&self, name: &str, old: &Type, new: &Type, out: &mut Vec<Finding>) {
        let kryo = |t: &Type| {
            let mut classes: Vec<String> = Vec::new();
            t.visit(&mut |n| {
                if let Type::Generic(g) = n {
                    classes.push(g.class.clone());
                }
            });
            classes
        };
        let new_classes = kryo(new);
        let shared: Vec<String> = kryo(old)
            .into_iter()
            .filter(|c| {
                new_classes
                    .iter()
                    .any(|n| crate::schema::types::same_class(c, n))
            })
            .collect();
        let across_2 = out
            .iter()
            .any(|f| f.is(&rules::KRYO_ACROSS_FLINK_2) && f.state.as_deref() == Some(name));
        if shared.is_empty() || across_2 {
            return;
        }
        out.push(
            Finding::new(
                &rules::LINT_KRYO_STATE,
                format!(
                    "state `{name}` is Kryo-serialized ({}): the savepoint records only the class name, so a field added, removed or retyped in it is not visible here, and Flink's own check passes it too; Kryo then fails (or mis-reads) while reading the values",
                    shared.join(", ")
                ),
            )
            .with_state(name)
            .with_fix("keep the class's fields unchanged while its values are in Kryo state; to evolve it, make it a POJO (or Avro, or give it its own TypeInformation) and migrate the state under a new name"),
        );
    }

    /// A state whose saved snapshot is a pre-1.7 `TypeSerializerConfigSnapshot`, on a Flink that
    /// no longer reads them (whatever type the new job declares).
    fn legacy_finding(
        &self,
        name: &str,
        kind: &str,
        class: &str,
        serializer: Option<&str>,
    ) -> Finding {
        let on = self
            .new_flink
            .map_or_else(|| "Flink 1.17 and later".to_string(), |n| n.to_string());
        let of = serializer.map(|s| format!(" of {s}")).unwrap_or_default();
        Finding::new(
            &rules::LEGACY_SERIALIZER_SNAPSHOT,
            format!(
                "state `{name}` ({kind}): the savepoint holds a pre-1.7 TypeSerializerConfigSnapshot ({class}{of}), which {on} cannot read"
            ),
        )
        .with_state(name)
        .with_fix("restore on Flink 1.16 or earlier with a serializer whose snapshot implements TypeSerializerSnapshot, take a new savepoint there (it rewrites the snapshot in the current format), then upgrade")
        // The class cannot exist in a job built against 1.17+ (its base class is gone).
        .with_flink_error(format!("Could not find class '{class}' in classpath."))
    }

    /// Flink's error when a state's value serializer is incompatible.
    fn value_error(&self, kind: &str, old: &Type, new: &Type) -> String {
        match family(kind) {
            "operator" => {
                "The new state typeSerializer for operator state must not be incompatible."
                    .to_string()
            }
            "broadcast" => {
                "The new value typeSerializer for broadcast state must not be incompatible."
                    .to_string()
            }
            _ => format!(
                "{} new state serializer ({}) must not be incompatible with the old state serializer ({}).",
                heap_or_rocks(self.backend, "For heap backends, the", "The"),
                ser(new),
                ser(old)
            ),
        }
    }

    /// The finding for one comparison, if it is worth one.
    fn finding(
        &self,
        state: Option<&str>,
        kind: &str,
        role: Role,
        res: &Resolution,
        old: &Type,
        new: &Type,
    ) -> Option<Finding> {
        let what = match (role, state) {
            (Role::Key, _) => "the key type".to_string(),
            (Role::UserKey, Some(s)) => format!("the map key of state `{s}`"),
            (Role::Namespace, Some(s)) => format!("the namespace of state `{s}`"),
            (Role::Timer, Some(s)) => format!("timer queue `{s}`"),
            (_, Some(s)) => format!("state `{s}` ({kind})"),
            (_, None) => "the state".to_string(),
        };
        let decisive: Vec<&compat::Change> = res.decisive().collect();
        let details: Vec<String> = decisive.iter().map(|c| c.message.clone()).collect();
        let detail = if details.is_empty() {
            String::new()
        } else {
            format!(": {}", details.join("; "))
        };
        let has = |k: ChangeKind| decisive.iter().any(|c| c.kind == k);
        let ttl_dependent = has(ChangeKind::TtlChanged);
        let base = |rule: &'static Rule, message: String| {
            let mut f = Finding::new(rule, self.with_assumption(message, ttl_dependent))
                .with_types(old, new, type_diff(old, new));
            if let Some(s) = state {
                f = f.with_state(s);
            }
            f
        };
        let types = format!("{old} -> {new}");
        match res.result {
            Compat::AsIs => None,
            Compat::Reconfigured => Some(base(
                &rules::STATE_SERIALIZER_RECONFIGURED,
                format!("{what}: Flink reconfigures the serializer ({types}){detail}"),
            )),
            Compat::AfterMigration => {
                let message = format!("{what} is migrated on restore ({types}){detail}");
                match role {
                    Role::Key => Some(
                        base(&rules::KEY_TYPE_CHANGED, format!("{what} would need a migration ({types}){detail}; Flink cannot migrate keys"))
                            .with_fix("keep the old key type; to change it, re-key the state with the State Processor API")
                            .with_flink_error(self.key_error(old, new)),
                    ),
                    Role::Namespace | Role::Timer => Some(
                        base(&rules::STATE_TYPE_INCOMPATIBLE, format!("{what} would need a migration ({types}){detail}; Flink does not migrate namespaces or timers"))
                            .with_fix("keep the old window/namespace type")
                            .with_flink_error(if role == Role::Namespace {
                                format!("{} new namespace serializer ({}) must be compatible with the old namespace serializer ({}).", heap_or_rocks(self.backend, "For heap backends, the", "The"), ser(new), ser(old))
                            } else {
                                heap_or_rocks(self.backend, "For heap backends, the new priority queue serializer must not be incompatible.", "The new priority queue serializer must not be incompatible.").to_string()
                            }),
                    ),
                    Role::UserKey => Some(self.map_key_migration(base, &what, &types, &detail)),
                    Role::Value if ttl_dependent => Some(
                        base(&rules::TTL_CHANGED, message).with_severity(Severity::Info),
                    ),
                    Role::Value => Some(base(&rules::STATE_TYPE_MIGRATED, message)),
                }
            }
            Compat::Unknown => {
                // An undecodable class in the savepoint is already reported (state-not-examined).
                let only_old_opaque = decisive.iter().all(|c| {
                    matches!(
                        c.kind,
                        ChangeKind::UserSerializer {
                            old: true,
                            new: false
                        }
                    )
                });
                if only_old_opaque {
                    return None;
                }
                let not_described = decisive.iter().all(|c| c.kind == ChangeKind::NotDescribed);
                let unchanged_user_class = !decisive.is_empty()
                    && decisive
                        .iter()
                        .all(|c| c.kind == ChangeKind::UserSerializerUnchanged);
                let same_user_class = unchanged_user_class
                    || decisive.iter().any(|c| {
                        c.kind
                            == ChangeKind::UserSerializer {
                                old: true,
                                new: true,
                            }
                    });
                let f = base(
                    &rules::STATE_TYPE_UNKNOWN,
                    format!("{what}: compatibility cannot be decided ({types}){detail}"),
                )
                .with_fix(if not_described {
                    "describe the type fully in the job graph (e.g. `avroSchema`), or compare against a canary savepoint"
                } else if same_user_class {
                    "only the class's own code can decide: restore this savepoint in a staging run of the new version; if Flink rejects it, make the new snapshot's resolveSchemaCompatibility accept the old format (compatibleAfterMigration with a restoreSerializer that reads it)"
                } else {
                    "test the restore with a canary run (spcompat check against the canary's savepoint compares the same class on both sides)"
                });
                Some(if not_described || unchanged_user_class {
                    f.with_severity(Severity::Info)
                } else {
                    f
                })
            }
            Compat::Incompatible => {
                let rule = if role == Role::Key {
                    &rules::KEY_TYPE_CHANGED
                } else if has(ChangeKind::TtlChanged) {
                    &rules::TTL_CHANGED
                } else if has(ChangeKind::RowDataChanged) {
                    &rules::ROWDATA_TYPE_CHANGED
                } else if has(ChangeKind::ArityChanged) {
                    &rules::TUPLE_ARITY_CHANGED
                } else if has(ChangeKind::AvroIncompatible) {
                    &rules::AVRO_SCHEMA_INCOMPATIBLE
                } else {
                    &rules::STATE_TYPE_INCOMPATIBLE
                };
                let fix = match rule.id {
                    "key-type-changed" => {
                        "keep the old key type (key selector result type); to change it, re-key the state with the State Processor API"
                    }
                    "ttl-changed" => {
                        "keep the TTL setting of the old version, or run the new job on Flink 2.1+, which migrates; alternatively register the state under a new name"
                    }
                    "rowdata-type-changed" => {
                        "keep the query's state-relevant columns and aggregates unchanged (types and nullability), or start the changed query from scratch under new operator IDs"
                    }
                    "avro-schema-incompatible" => {
                        "evolve the Avro schema compatibly: give added fields defaults, keep removed fields' readers tolerant, do not change field types incompatibly"
                    }
                    _ => {
                        "keep the old type for this state; to change it, register a new state (new name) and migrate the values, or give the type a custom TypeSerializerSnapshot that can read the old data"
                    }
                };
                let mut f =
                    base(rule, format!("{what} is incompatible ({types}){detail}")).with_fix(fix);
                f = match role {
                    Role::Key => f.with_flink_error(self.key_error(old, new)),
                    Role::Namespace => f.with_flink_error(format!(
                        "{} new namespace serializer ({}) must be compatible with the old namespace serializer ({}).",
                        heap_or_rocks(self.backend, "For heap backends, the", "The"),
                        ser(new),
                        ser(old)
                    )),
                    Role::Timer => f.with_flink_error(heap_or_rocks(
                        self.backend,
                        "For heap backends, the new priority queue serializer must not be incompatible.",
                        "The new priority queue serializer must not be incompatible.",
                    )),
                    Role::UserKey if kind == "broadcast" => f.with_flink_error(
                        "The new key typeSerializer for broadcast state must not be incompatible.",
                    ),
                    // Value errors name the registered (list/map) serializer: set by the caller.
                    Role::Value | Role::UserKey => f,
                };
                Some(f)
            }
            Compat::ReadFailure => {
                let change = decisive.first()?;
                let (rule, fix) = match change.kind {
                    ChangeKind::EnumConstantRemoved => (
                        &rules::ENUM_CONSTANT_REMOVED,
                        "keep the removed enum constant(s) (mark them deprecated); enums may only gain constants",
                    ),
                    ChangeKind::LegacySnapshot => (
                        &rules::LEGACY_SERIALIZER_SNAPSHOT,
                        "restore on Flink 1.16 first and take a new savepoint there (it rewrites the snapshot in the current format), then upgrade",
                    ),
                    _ => (
                        &rules::CLASS_RENAMED,
                        "keep the old class name and package (a class Flink names in the savepoint must still load); to rename, register a new state and migrate the values",
                    ),
                };
                let f =
                    base(rule, format!("{what}: restore fails ({types}){detail}")).with_fix(fix);
                Some(match read_failure_error(change, old) {
                    Some(e) => f.with_flink_error(e),
                    None => f,
                })
            }
        }
    }

    fn key_error(&self, old: &Type, new: &Type) -> String {
        format!(
            "The new key serializer ({}) must be compatible with the previous key serializer ({}).",
            ser(new),
            ser(old)
        )
    }

    fn map_key_migration(
        &self,
        base: impl Fn(&'static Rule, String) -> Finding,
        what: &str,
        types: &str,
        detail: &str,
    ) -> Finding {
        let message = format!("{what} needs a migration ({types}){detail}");
        let f = base(&rules::MAP_KEY_MIGRATION, message.clone())
            .with_fix("keep the old map key type; to change it, copy the entries into a new MapState (new name) on restore, or use the HashMap state backend for the upgrade savepoint");
        let rocks = "The new serializer for a MapState requires state migration in order for the job to proceed, since the key schema has changed. However, migration for MapState currently only allows value schema evolutions.";
        match self.backend {
            Some(Backend::RocksDb) => f.with_flink_error(rocks),
            Some(Backend::HashMap) => Finding {
                message: format!("{message}; fine on the HashMap backend, which migrates map keys"),
                ..f
            }
            .with_severity(Severity::Info),
            None => Finding {
                message: format!(
                    "{message}; the RocksDB backend cannot migrate map keys and fails, the HashMap backend migrates them (the new job's backend is not known)"
                ),
                ..f
            }
            .with_severity(Severity::Warning),
        }
    }
}

/// Flink's error text for a restore that fails while reading the old snapshot.
fn read_failure_error(change: &compat::Change, old: &Type) -> Option<String> {
    match change.kind {
        ChangeKind::EnumConstantRemoved | ChangeKind::ClassRenamed => {}
        _ => return None,
    }
    let at = type_at(old, &change.path)?;
    let at = at.without_ttl();
    Some(match (change.kind, at) {
        (ChangeKind::EnumConstantRemoved, Type::Enum { class, .. }) => format!(
            "Could not create a restore serializer for enum {class}. Probably because an enum value was removed."
        ),
        (_, Type::Avro { class: Some(c), .. }) => format!(
            "Unable to find the class '{c}' which is used to deserialize the elements of this serializer. Were the class was moved or renamed?"
        ),
        (_, Type::Pojo(p)) => format!("Could not find class '{}' in classpath.", p.class),
        (_, Type::Generic(g)) => format!("Could not find class '{}' in classpath.", g.class),
        (_, Type::Enum { class, .. }) | (_, Type::CaseClass { class, .. }) => {
            format!("Could not find class '{class}' in classpath.")
        }
        _ => return None,
    })
}

/// The nested type a change path points at (paths as [`compat`] writes them).
fn type_at<'a>(t: &'a Type, path: &str) -> Option<&'a Type> {
    if path.is_empty() {
        return Some(t);
    }
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let t = t.without_ttl();
    let next: Option<&Type> = match t {
        Type::Pojo(p) => p
            .fields
            .iter()
            .find(|f| f.name == head)
            .and_then(|f| f.ty.as_ref()),
        Type::Tuple { fields, .. } => head
            .strip_prefix('f')
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| fields.get(i)),
        Type::Row { fields, .. } | Type::CaseClass { fields, .. } => fields
            .iter()
            .enumerate()
            .find(|(i, f)| f.name.as_deref() == Some(head) || format!("f{i}") == head)
            .map(|(_, f)| &f.ty),
        Type::List(e) | Type::Set(e) if head == "element" => Some(e),
        Type::ScalaOption(e) if head == "value" => Some(e),
        Type::Map(k, _) if head == "key" => Some(k),
        Type::Map(_, v) if head == "value" => Some(v),
        Type::Either(l, _) if head == "left" => Some(l),
        Type::Either(_, r) if head == "right" => Some(r),
        Type::Array { component, .. } if head == "[]" => Some(component),
        Type::Nullable(e) => return type_at(e, path),
        _ => None,
    };
    type_at(next?, rest)
}

/// The first pre-1.7 `TypeSerializerConfigSnapshot` in this type: its class, and the
/// serializer it carries when known.
fn legacy_class(t: &Type) -> Option<(String, Option<String>)> {
    let mut found = None;
    t.visit(&mut |n| {
        if let (None, Type::Legacy { class, serializer }) = (&found, n) {
            found = Some((class.clone(), serializer.clone()));
        }
    });
    found
}
