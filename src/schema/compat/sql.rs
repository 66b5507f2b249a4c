//! Table/SQL types: `RowData` serializers (exact field types) and logical types.

use super::{ChangeKind, Compat, Resolver, at, join_path};
use crate::schema::logical_type::{LogicalType, TypeKind};
use crate::schema::types::Type;

impl Resolver<'_> {
    pub(super) fn row_data(
        &mut self,
        p: &str,
        a: &[crate::schema::types::SqlField],
        b: &[crate::schema::types::SqlField],
    ) -> Compat {
        // RowDataSerializer needs the same arity whatever the fields are.
        if a.len() != b.len() {
            return self.note(
                p,
                ChangeKind::RowDataChanged,
                Compat::Incompatible,
                format!(
                    "{}SQL row with {} fields -> {} fields: RowDataSerializer requires identical logical types",
                    at(p),
                    a.len(),
                    b.len()
                ),
            );
        }
        let mut result = Compat::AsIs;
        // Fields that could not be read (or that the new job cannot describe, such as a
        // user-defined function's accumulator): the others are still compared.
        let mut undecided = Vec::new();
        for (i, (fa, fb)) in a.iter().zip(b).enumerate() {
            let name = fb
                .name
                .clone()
                .or_else(|| fa.name.clone())
                .unwrap_or_else(|| format!("f{i}"));
            if undecidable_sql(&fa.ty) || undecidable_sql(&fb.ty) {
                undecided.push(format!(
                    "SQL field {i} `{name}`: {} -> {}",
                    fa.ty.summary_string(),
                    fb.ty.summary_string()
                ));
                continue;
            }
            if sql_equal(&fa.ty, &fb.ty) {
                continue;
            }
            let only_nullability = {
                let mut x = fa.ty.clone();
                x.nullable = fb.ty.nullable;
                sql_equal(&x, &fb.ty)
            };
            let why = if only_nullability {
                " (only nullability differs, which Flink's LogicalType equality counts)"
            } else {
                ""
            };
            result = self.note(
                &join_path(p, &name),
                ChangeKind::RowDataChanged,
                Compat::Incompatible,
                format!(
                    "SQL field {i} `{name}`: {} -> {}{why}",
                    fa.ty.summary_string(),
                    fb.ty.summary_string()
                ),
            );
        }
        if result == Compat::AsIs && !undecided.is_empty() {
            return self.note(
                p,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                format!(
                    "{}fields not compared (a logical type unreadable or not described): {}",
                    at(p),
                    undecided.join("; ")
                ),
            );
        }
        result
    }

    pub(super) fn sql(
        &mut self,
        p: &str,
        (old, new): (&Type, &Type),
        a: &LogicalType,
        b: &LogicalType,
    ) -> Compat {
        if undecidable_sql(a) || undecidable_sql(b) {
            self.note(
                p,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                format!("{}cannot compare SQL types {old} and {new}", at(p)),
            )
        } else if sql_equal(a, b) {
            Compat::AsIs
        } else {
            self.changed(p, old, new)
        }
    }

    /// One side a SQL logical type, the other not.
    pub(super) fn sql_against_other(&mut self, p: &str, old: &Type, new: &Type) -> Compat {
        use Type::Sql;
        self.note(
            p,
            ChangeKind::NotDescribed,
            Compat::Unknown,
            format!(
                "{}spcompat does not model the runtime serializer of {}; cannot compare it with {}",
                at(p),
                if matches!(old, Sql(_)) { old } else { new },
                if matches!(old, Sql(_)) { new } else { old }
            ),
        )
    }
}

/// Does this SQL type contain something that could not be read?
fn undecidable_sql(t: &LogicalType) -> bool {
    matches!(&t.kind, TypeKind::Unknown { class, .. } if class == "UNKNOWN" || class == "unreadable logical type")
        || t.children().into_iter().any(undecidable_sql)
}

/// Flink's `LogicalType#equals`, except for what neither notation carries: a RAW type's
/// serializer when one side does not give it, and descriptions elided as `'...'` by summary
/// strings.
fn sql_equal(a: &LogicalType, b: &LogicalType) -> bool {
    let elided = has_elided_description(a) || has_elided_description(b);
    normalize(a, elided) == normalize(b, elided)
}

fn has_elided_description(t: &LogicalType) -> bool {
    let own = match &t.kind {
        TypeKind::Row(fields) => fields
            .iter()
            .any(|f| f.description.as_deref() == Some("...")),
        _ => false,
    };
    own || t.children().into_iter().any(has_elided_description)
}

fn normalize(t: &LogicalType, drop_descriptions: bool) -> LogicalType {
    let n = |x: &LogicalType| normalize(x, drop_descriptions);
    let kind = match &t.kind {
        TypeKind::Raw { class, .. } => TypeKind::Raw {
            class: class.clone(),
            serializer_class: String::new(),
            serializer: String::new(),
        },
        TypeKind::Array(x) => TypeKind::Array(Box::new(n(x))),
        TypeKind::Multiset(x) => TypeKind::Multiset(Box::new(n(x))),
        TypeKind::Map { key, value } => TypeKind::Map {
            key: Box::new(n(key)),
            value: Box::new(n(value)),
        },
        TypeKind::Row(fields) => TypeKind::Row(
            fields
                .iter()
                .map(|f| crate::schema::logical_type::RowField {
                    name: f.name.clone(),
                    ty: n(&f.ty),
                    description: if drop_descriptions {
                        None
                    } else {
                        f.description.clone()
                    },
                })
                .collect(),
        ),
        other => other.clone(),
    };
    LogicalType {
        nullable: t.nullable,
        kind,
    }
}
