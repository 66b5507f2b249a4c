//! State schema compatibility of a mapped operator: what Flink checks when the new version
//! registers its state (key serializer, state kind, value / user-key / namespace / timer
//! serializers), plus the hazards of crossing Flink major versions.
//!
//! Each side's states come either from serializer snapshots (a savepoint, or a canary savepoint
//! of the new version: precise) or from the job-graph type notation (what the job declares).
//! Both are turned into [`Type`]s and compared with [`crate::schema::compat`].

mod context;
mod findings;
mod hazards;

use similar::TextDiff;

pub use context::{Backend, CompatContext, FlinkRange, Release};
use context::{FLINK_2_0, backend_of_handle};
use findings::legacy_class;

use super::result::Finding;
use super::rules::{self, Rule, Severity};
use super::sides::{NewOperator, NewSide, OldOperator, OldSide, StateSchema};
use crate::flink::{StateFamily, StateKind};
use crate::schema::compat::{self, ChangeKind, Compat, Options, Resolution};
use crate::schema::notation::{DeclaredType, NotationError};
use crate::schema::snapshot::SerializerSnapshot;
use crate::schema::types::Type;

// ------------------------------------------------------------------------------------------------
// States as compared.

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
        let (value, user_key) = match (s.kind, value) {
            (StateKind::List, Some(Type::List(e))) => (Some(*e), None),
            (StateKind::Map, Some(Type::Map(k, v))) => (Some(*v), Some(*k)),
            (StateKind::Broadcast, v) => {
                (v, serializer(s, "KEY_SERIALIZER").map(Type::from_snapshot))
            }
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
            let t = t.state_type(s.avro_schema.as_deref())?;
            Some(if s.ttl { Type::Ttl(Box::new(t)) } else { t })
        }
        None => None,
    };
    let user_key = s
        .user_key_type
        .as_ref()
        .map(DeclaredType::to_type)
        .transpose()?;
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
    let mut seen_new: Vec<(StateFamily, &str)> = Vec::new();
    for s in &old.states {
        let fam = s.kind.family();
        let target = new
            .states
            .iter()
            .find(|n| n.name == s.name && n.kind.family() == fam);
        if let Some(t) = target {
            seen_new.push((fam, t.name.as_str()));
        }
        if new.describes_all_state() && target.is_none() && fam != StateFamily::Timers {
            out.push(c.dropped(s, new));
            continue;
        }
        // Timer queues hold keys, whose hazards are reported with the key type.
        if fam != StateFamily::Timers {
            c.hazards(s, &mut out);
        }
        if let Some(t) = target {
            c.state(s, t, &mut out);
        }
    }
    if new.declares_state {
        for n in &new.states {
            let fam = n.kind.family();
            if fam != StateFamily::Timers && !seen_new.contains(&(fam, n.name.as_str())) {
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
        Some(b) if b.is_rocksdb_like() => rocks,
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
fn registered(kind: StateKind, value: &Type, user_key: Option<&Type>) -> Type {
    match (kind, user_key) {
        (StateKind::List, _) => Type::List(Box::new(value.clone())),
        (StateKind::Map, Some(k)) => Type::Map(Box::new(k.clone()), Box::new(value.clone())),
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
            .fix_case("", &[("flink", &old.low)])
            .flink_error_case("", &[("version", &version)]),
        );
    }

    fn key(&self, old: &OldOperator, new: &NewOperator, out: &mut Vec<Finding>) {
        let old_t = match (&old.key_serializer, &old.key_type) {
            (Some(s), _) => Ok(Type::from_snapshot(s)),
            (None, Some(t)) => t.to_type(),
            (None, None) => return,
        };
        let new_t = match (&new.key_serializer, &new.key_type) {
            (Some(s), _) => Ok(Type::from_snapshot(s)),
            (None, Some(t)) => t.to_type(),
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
                    .fix_case("key-notation", &[]),
                );
                return;
            }
        };
        let res = compat::resolve(&old_t, &new_t, &self.options);
        if let Some(f) = self.finding(None, Role::Key, &res, &old_t, &new_t) {
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
        .fix_case("", &[("name", &s.name)])
    }

    fn state(&self, old: &StateSchema, new: &StateSchema, out: &mut Vec<Finding>) {
        let name = old.name.as_str();
        if old.kind != new.kind {
            let (was, now) = (old.kind.flink_name(), new.kind.flink_name());
            let error = if old.kind.family() == StateFamily::Operator {
                "operator"
            } else {
                "keyed"
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
                .fix_case("", &[("name", &name), ("kind", &old.kind.as_str())])
                .flink_error_case(error, &[("was", &was), ("now", &now)]),
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
                    out.push(self.legacy_finding(name, old.kind, &class, serializer.as_deref()));
                    return;
                }
                out.push(
                    Finding::new(
                        &rules::STATE_TYPE_UNKNOWN,
                        format!("state `{name}`: the type cannot be compared: {e}"),
                    )
                    .with_state(name)
                    .fix_case("notation", &[]),
                );
                return;
            }
        };
        if old.kind == StateKind::Timers {
            // Timer queues are compared only when both sides are savepoints.
            if let (true, true, Some(a), Some(b)) =
                (old_t.precise, new_t.precise, &old_t.value, &new_t.value)
            {
                let res = compat::resolve(a, b, &self.options);
                out.extend(self.finding(Some((name, old.kind)), Role::Timer, &res, a, b));
            }
            return;
        }
        if let (Some(a), Some(b)) = (&old_t.namespace, &new_t.namespace) {
            let res = compat::resolve(a, b, &self.options);
            out.extend(self.finding(Some((name, old.kind)), Role::Namespace, &res, a, b));
        }
        if let (Some(a), Some(b)) = (&old_t.user_key, &new_t.user_key) {
            let res = compat::resolve(a, b, &self.options);
            out.extend(self.finding(Some((name, old.kind)), Role::UserKey, &res, a, b));
        }
        if let (Some(a), Some(b)) = (&old_t.value, &new_t.value) {
            self.kryo_blind_spot(name, a, b, out);
            let res = compat::resolve(a, b, &self.options);
            let f = self.finding(Some((name, old.kind)), Role::Value, &res, a, b);
            out.extend(f.map(|f| {
                // Flink reports the serializer it registers (the list/map serializer around the
                // described type).
                if f.severity == Severity::Error && f.flink_error.is_none() {
                    let (ra, rb) = (
                        registered(old.kind, a, old_t.user_key.as_ref()),
                        registered(new.kind, b, new_t.user_key.as_ref()),
                    );
                    self.with_value_error(f, old.kind, &ra, &rb)
                } else {
                    f
                }
            }));
        }
    }
}
