//! The finding each schema rule raises for one comparison, with Flink's error text and the
//! fix: one function per rule family.

use super::*;

impl Checker {
    /// Flink's error when a state's value serializer is incompatible.
    pub(super) fn value_error(&self, kind: &str, old: &Type, new: &Type) -> String {
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
    pub(super) fn finding(
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

    pub(super) fn key_error(&self, old: &Type, new: &Type) -> String {
        format!(
            "The new key serializer ({}) must be compatible with the previous key serializer ({}).",
            ser(new),
            ser(old)
        )
    }

    pub(super) fn map_key_migration(
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
pub(super) fn read_failure_error(change: &compat::Change, old: &Type) -> Option<String> {
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
pub(super) fn type_at<'a>(t: &'a Type, path: &str) -> Option<&'a Type> {
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
pub(super) fn legacy_class(t: &Type) -> Option<(String, Option<String>)> {
    let mut found = None;
    t.visit(&mut |n| {
        if let (None, Type::Legacy { class, serializer }) = (&found, n) {
            found = Some((class.clone(), serializer.clone()));
        }
    });
    found
}
