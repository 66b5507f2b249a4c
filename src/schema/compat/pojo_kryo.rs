//! POJOs and Kryo (generic) types, and a type moving between them or to Flink 2's built-in
//! collection serializers.

use super::{ChangeKind, Compat, Resolver, at, join_path};
use crate::schema::types::{Generic, Pojo, Type, same_class};

/// `java.util` collection classes that Flink 1.x serialized with Kryo and 2.0 with built-in
/// List/Map/Set serializers.
pub(super) fn is_java_collection(class: &str) -> bool {
    matches!(
        class,
        "java.util.List"
            | "java.util.ArrayList"
            | "java.util.LinkedList"
            | "java.util.Map"
            | "java.util.HashMap"
            | "java.util.LinkedHashMap"
            | "java.util.TreeMap"
            | "java.util.Set"
            | "java.util.HashSet"
            | "java.util.LinkedHashSet"
            | "java.util.TreeSet"
            | "java.util.Collection"
    )
}

impl Resolver<'_> {
    pub(super) fn pojo(&mut self, p: &str, a: &Pojo, b: &Pojo, d: usize) -> Compat {
        if !same_class(&a.class, &b.class) {
            return self.class_renamed(p, "POJO", &a.class, &b.class);
        }
        let mut result = Compat::AsIs;
        let same_field = |x: &crate::schema::types::PojoField,
                          y: &crate::schema::types::PojoField| {
            x.name == y.name
                && match (&x.declaring_class, &y.declaring_class) {
                    (Some(cx), Some(cy)) => same_class(cx, cy),
                    _ => true,
                }
        };
        for f in &a.fields {
            let fp = join_path(p, &f.name);
            match b.fields.iter().find(|g| same_field(f, g)) {
                None => {
                    let ty = f.ty.as_ref().map_or_else(|| "?".to_string(), |t| t.to_string());
                    result = result.max(self.note(
                        &fp,
                        ChangeKind::FieldRemoved,
                        Compat::AfterMigration,
                        format!(
                            "field `{}` ({ty}) removed: its values are dropped when Flink migrates the state",
                            f.name
                        ),
                    ));
                }
                Some(g) => match (&f.ty, &g.ty) {
                    (Some(ft), Some(gt)) => result = result.max(self.resolve(&fp, ft, gt, d)),
                    (None, _) => {
                        result = result.max(self.note(
                            &fp,
                            ChangeKind::FieldRemoved,
                            Compat::AfterMigration,
                            format!(
                                "field `{}` has no serializer in the savepoint: Flink treats it as removed and migrates",
                                f.name
                            ),
                        ))
                    }
                    (Some(_), None) => {}
                },
            }
        }
        for g in &b.fields {
            if !a.fields.iter().any(|f| same_field(f, g)) {
                let ty =
                    g.ty.as_ref()
                        .map_or_else(|| "?".to_string(), |t| t.to_string());
                result = result.max(self.note(
                    &join_path(p, &g.name),
                    ChangeKind::FieldAdded,
                    Compat::AfterMigration,
                    format!(
                        "field `{}` ({ty}) added: after migration it holds its Java default (null/0/false)",
                        g.name
                    ),
                ));
            }
        }
        if let Some(old_non_registered) = &a.non_registered_subclasses
            && !old_non_registered.is_empty()
        {
            let names: Vec<&str> = old_non_registered
                .iter()
                .map(|s| s.class.as_str())
                .collect();
            result = result.max(self.note(
                p,
                ChangeKind::SubclassesChanged,
                Compat::Reconfigured,
                format!(
                    "{}the savepoint has values of non-registered subclasses ({}): Flink reconfigures the POJO serializer",
                    at(p),
                    names.join(", ")
                ),
            ));
        }
        if let (Some(ra), Some(rb)) = (&a.registered_subclasses, &b.registered_subclasses) {
            let names_a: Vec<&str> = ra.iter().map(|s| s.class.as_str()).collect();
            let names_b: Vec<&str> = rb.iter().map(|s| s.class.as_str()).collect();
            let missing: Vec<&str> = names_a
                .iter()
                .filter(|n| !names_b.contains(n))
                .copied()
                .collect();
            if !missing.is_empty() {
                result = result.max(self.note(
                    p,
                    ChangeKind::SubclassesChanged,
                    Compat::Reconfigured,
                    format!(
                        "{}subclass(es) {} no longer registered: Flink reconfigures the POJO serializer (incompatible if a class is gone from the classpath)",
                        at(p),
                        missing.join(", ")
                    ),
                ));
            } else if !names_b.starts_with(&names_a) {
                result = result.max(self.note(
                    p,
                    ChangeKind::SubclassesChanged,
                    Compat::Reconfigured,
                    format!(
                        "{}registered subclasses reordered: Flink reconfigures the POJO serializer",
                        at(p)
                    ),
                ));
            }
            for sa in ra {
                if let Some(sb) = rb.iter().find(|s| s.class == sa.class)
                    && let (Some(ta), Some(tb)) = (&sa.ty, &sb.ty)
                {
                    result = result.max(self.resolve(
                        &join_path(p, &format!("<{}>", sa.class)),
                        ta,
                        tb,
                        d,
                    ));
                }
            }
        }
        result
    }

    pub(super) fn generic(&mut self, p: &str, a: &Generic, b: &Generic) -> Compat {
        if !same_class(&a.class, &b.class) {
            return self.class_renamed(p, "Kryo-serialized", &a.class, &b.class);
        }
        let mut result = Compat::AsIs;
        if let (Some(ra), Some(rb)) = (&a.registrations, &b.registrations)
            && !rb.starts_with(ra)
        {
            let missing: Vec<&str> = ra
                .iter()
                .filter(|r| !rb.iter().any(|x| x.0 == r.0))
                .map(|r| r.0.as_str())
                .collect();
            let message = if missing.is_empty() {
                format!(
                    "{}Kryo registrations changed order or serializer: Flink reconfigures the Kryo serializer to the savepoint's registration ids",
                    at(p)
                )
            } else {
                format!(
                    "{}Kryo registrations {} are missing in the new job: Flink re-adds them (incompatible if a class or its serializer no longer loads)",
                    at(p),
                    missing.join(", ")
                )
            };
            result = self.note(
                p,
                ChangeKind::KryoRegistrationsChanged,
                Compat::Reconfigured,
                message,
            );
        }
        if let (Some(da), Some(db)) = (&a.default_serializers, &b.default_serializers)
            && da != db
        {
            result = result.max(self.note(
                p,
                ChangeKind::KryoRegistrationsChanged,
                Compat::Reconfigured,
                format!(
                    "{}default Kryo serializers changed: Flink reconfigures the Kryo serializer",
                    at(p)
                ),
            ));
        }
        result
    }

    pub(super) fn kryo_to_built_in_collection(
        &mut self,
        p: &str,
        old: &Type,
        new: &Type,
    ) -> Compat {
        self.note(
    p,
    ChangeKind::KryoToBuiltInCollection,
    Compat::Incompatible,
    format!(
        "{}{old} -> {new}: the savepoint serialized this java.util collection with Kryo (Flink 1.x); Flink 2.0+ uses its built-in collection serializers, which are incompatible with the Kryo snapshot",
        at(p)
    ),
)
    }

    pub(super) fn pojo_to_kryo(&mut self, p: &str, a: &Pojo) -> Compat {
        self.note(
    p,
    ChangeKind::TypeChanged,
    Compat::Incompatible,
    format!(
        "{}{} is no longer a valid POJO, so Flink serializes it with Kryo: the Kryo serializer is incompatible with the POJO serializer",
        at(p),
        a.class
    ),
)
    }

    pub(super) fn kryo_to_pojo(&mut self, p: &str, b: &Pojo) -> Compat {
        self.note(
    p,
    ChangeKind::TypeChanged,
    Compat::Incompatible,
    format!(
        "{}{} became a valid POJO, so Flink now uses the POJO serializer: it is incompatible with the Kryo state in the savepoint",
        at(p),
        b.class
    ),
)
    }
}
