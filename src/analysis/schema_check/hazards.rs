//! Hazards of crossing Flink major versions that the serializer rules alone do not show:
//! Kryo across 1.x -> 2.x, the removed Scala serializers, pre-1.7 snapshots on 1.17+.

use super::*;

/// The java.util interfaces that Flink 1.x serializes with Kryo and 2.x with its own serializers.
const KRYO_COLLECTIONS: &[&str] = &["java.util.List", "java.util.Map", "java.util.Set"];

impl Checker {
    /// Flink 2.0 hazards of a state that the serializer rules alone do not show.
    pub(super) fn hazards(&self, s: &StateSchema, out: &mut Vec<Finding>) {
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
    pub(super) fn key_hazards(&self, old: &OldOperator, out: &mut Vec<Finding>) {
        let snapshots: Vec<&SerializerSnapshot> = old.key_serializer.iter().collect();
        let types: Vec<Type> = match (&old.key_serializer, &old.key_type) {
            (None, Some(t)) => t.to_type().into_iter().collect(),
            _ => Vec::new(),
        };
        self.hazards_in("the key type", None, &snapshots, &types, out);
    }

    /// Kryo and Scala API serializers in `snapshots` (or, for job graphs, `types`) of state
    /// written by Flink 1.x and restored on 2.x.
    pub(super) fn hazards_in(
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
        // Flink 2.x serializes these with its own List/Map/Set serializers: a restore meets the
        // saved Kryo snapshot and fails (recorded), which a plain Kryo class does not.
        let is_collection = |c: &str| KRYO_COLLECTIONS.contains(&c);
        let collections: Vec<String> = kryo.iter().filter(|c| is_collection(c)).cloned().collect();
        if let (Some(new), false) = (crossing, collections.is_empty()) {
            out.push(with_state(
                Finding::new(
                    &rules::KRYO_COLLECTION_ON_FLINK_2,
                    format!(
                        "{subject} holds java.util collections ({}) that {old} serialized with Kryo; {new} serializes them with its built-in List/Map/Set serializers, which cannot read the saved Kryo data: the restore fails",
                        collections.join(", ")
                    ),
                )
                .fix_case("", &[]),
                state,
            ));
            kryo.retain(|c| !is_collection(c));
        }
        if !kryo.is_empty() {
            let extra = if collections.is_empty() || crossing.is_some() {
                String::new()
            } else {
                format!(
                    "; and Flink 2.0 serializes java.util collections ({}) with built-in List/Map/Set serializers instead of Kryo, which are incompatible with the saved Kryo snapshot",
                    collections.join(", ")
                )
            };
            let risk = "Kryo 5 in Flink 2.x reads Kryo 2 data for some class shapes only (recorded: a class with a long and a String restores intact, one holding a List and a Map fails inside Kryo; a restore that silently lost a list has been reported)";
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
            out.push(with_state(finding, state).fix_case("", &[]));
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
                .fix_case("", &[])
                .flink_error_case("", &[("class", &class)]),
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
                .fix_case("", &[]),
                state,
            ));
        }
    }

    /// Kryo's snapshot names only the class, so neither spcompat nor Flink's compatibility
    /// check sees a changed class shape: Kryo fails (or mis-reads) when it reads the values.
    pub(super) fn kryo_blind_spot(
        &self,
        name: &str,
        old: &Type,
        new: &Type,
        out: &mut Vec<Finding>,
    ) {
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
            .filter(|f| f.state.as_deref() == Some(name))
            .any(|f| f.is(&rules::KRYO_ACROSS_FLINK_2) || f.is(&rules::KRYO_COLLECTION_ON_FLINK_2));
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
            .fix_case("blind-spot", &[]),
        );
    }

    /// A state whose saved snapshot is a pre-1.7 `TypeSerializerConfigSnapshot`, on a Flink that
    /// no longer reads them (whatever type the new job declares).
    pub(super) fn legacy_finding(
        &self,
        name: &str,
        kind: StateKind,
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
        .fix_case("pre-1.7-snapshot", &[])
        .flink_error_case("pre-1.7-snapshot", &[("class", &class)])
    }
}
