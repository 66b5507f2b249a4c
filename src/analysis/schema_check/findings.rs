//! The finding each schema rule raises for one comparison, with Flink's error text and the
//! fix: one function per rule family.

use super::*;

impl Checker {
    /// Flink's error when a state's value serializer is incompatible.
    /// Sets Flink's error for a value serializer it rejects at registration (the serializer
    /// it registers, `old` and `new`, around the described type).
    pub(super) fn with_value_error(
        &self,
        f: Finding,
        kind: StateKind,
        old: &Type,
        new: &Type,
    ) -> Finding {
        let case = match kind.family() {
            StateFamily::Operator => "operator-value",
            StateFamily::Broadcast => "broadcast-value",
            _ => heap_or_rocks(self.backend, "value-heap", "value-rocksdb"),
        };
        f.flink_error_case(case, &[("new", &ser(new)), ("old", &ser(old))])
    }

    /// The finding for one comparison, if it is worth one.
    pub(super) fn finding(
        &self,
        state: Option<(&str, StateKind)>,
        role: Role,
        res: &Resolution,
        old: &Type,
        new: &Type,
    ) -> Option<Finding> {
        let what = match (role, state) {
            (Role::Key, _) => "the key type".to_string(),
            (Role::UserKey, Some((s, _))) => format!("the map key of state `{s}`"),
            (Role::Namespace, Some((s, _))) => format!("the namespace of state `{s}`"),
            (Role::Timer, Some((s, _))) => format!("timer queue `{s}`"),
            (_, Some((s, kind))) => format!("state `{s}` ({kind})"),
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
            if let Some((s, _)) = state {
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
                            .fix_case("migration", &[])
                            .flink_error_case("key", &[("new", &ser(new)), ("old", &ser(old))]),
                    ),
                    Role::Namespace | Role::Timer => Some(
                        base(&rules::STATE_TYPE_INCOMPATIBLE, format!("{what} would need a migration ({types}){detail}; Flink does not migrate namespaces or timers"))
                            .fix_case("namespace", &[])
                            .flink_error_case(self.role_error(role, state.map(|(_, k)| k)).unwrap_or_default(), &[("new", &ser(new)), ("old", &ser(old))]),
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
                .fix_case(
                    if not_described {
                        "not-described"
                    } else if same_user_class {
                        "user-class"
                    } else {
                        "canary"
                    },
                    &[],
                );
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
                // Key rule fixes are about keys; every other rule has one fix.
                let case = if role == Role::Key {
                    "incompatible"
                } else {
                    ""
                };
                let f = base(rule, format!("{what} is incompatible ({types}){detail}"))
                    .fix_case(case, &[]);
                // Value errors name the registered (list/map) serializer: set by the caller.
                let f = match self.role_error(role, state.map(|(_, k)| k)) {
                    Some(case) => {
                        f.flink_error_case(case, &[("new", &ser(new)), ("old", &ser(old))])
                    }
                    None => f,
                };
                Some(f)
            }
            Compat::ReadFailure => {
                let change = decisive.first()?;
                let rule = match change.kind {
                    ChangeKind::EnumConstantRemoved => &rules::ENUM_CONSTANT_REMOVED,
                    ChangeKind::LegacySnapshot => &rules::LEGACY_SERIALIZER_SNAPSHOT,
                    _ => &rules::CLASS_RENAMED,
                };
                let f = base(rule, format!("{what}: restore fails ({types}){detail}"))
                    .fix_case("", &[]);
                Some(match read_failure_error(change, old) {
                    Some((case, class)) => f.flink_error_case(case, &[("class", &class)]),
                    None => f,
                })
            }
        }
    }

    /// The case of Flink's error for a serializer it rejects in `role`, where the text
    /// depends only on the role and the backend (values: see [`Self::with_value_error`]).
    pub(super) fn role_error(&self, role: Role, kind: Option<StateKind>) -> Option<&'static str> {
        match role {
            Role::Key => Some("key"),
            Role::Namespace => Some(heap_or_rocks(
                self.backend,
                "namespace-heap",
                "namespace-rocksdb",
            )),
            Role::Timer => Some(heap_or_rocks(self.backend, "timer-heap", "timer-rocksdb")),
            Role::UserKey if kind == Some(StateKind::Broadcast) => Some("broadcast-key"),
            Role::UserKey | Role::Value => None,
        }
    }

    pub(super) fn map_key_migration(
        &self,
        base: impl Fn(&'static Rule, String) -> Finding,
        what: &str,
        types: &str,
        detail: &str,
    ) -> Finding {
        let message = format!("{what} needs a migration ({types}){detail}");
        let f = base(&rules::MAP_KEY_MIGRATION, message.clone()).fix_case("", &[]);
        match self.backend {
            Some(Backend::RocksDb | Backend::ForSt) => f.flink_error_case("rocksdb", &[]),
            Some(Backend::HashMap) => Finding {
                message: format!("{message}; fine on the HashMap backend, which migrates map keys"),
                ..f
            }
            .with_severity(Severity::Info),
            None => Finding {
                message: format!(
                    "{message}; the RocksDB and ForSt backends cannot migrate map keys and fail, the HashMap backend migrates them (the new job's backend is not known)"
                ),
                ..f
            }
            .with_severity(Severity::Warning),
        }
    }
}

/// Flink's error text for a restore that fails while reading the old snapshot.
/// The case of Flink's error when it cannot read the saved snapshot, and the class it names.
pub(super) fn read_failure_error(
    change: &compat::Change,
    old: &Type,
) -> Option<(&'static str, String)> {
    match change.kind {
        ChangeKind::EnumConstantRemoved | ChangeKind::ClassRenamed => {}
        _ => return None,
    }
    let at = type_at(old, &change.path)?;
    let at = at.without_ttl();
    Some(match (change.kind, at) {
        (ChangeKind::EnumConstantRemoved, Type::Enum { class, .. }) => ("read-enum", class.clone()),
        (_, Type::Avro { class: Some(c), .. }) => ("read-avro", c.clone()),
        (_, Type::Pojo(p)) => ("read-class", p.class.clone()),
        (_, Type::Generic(g)) => ("read-class", g.class.clone()),
        (_, Type::Enum { class, .. }) | (_, Type::CaseClass { class, .. }) => {
            ("read-class", class.clone())
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
