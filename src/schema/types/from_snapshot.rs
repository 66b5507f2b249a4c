//! The type a serializer snapshot describes, serializer by serializer.

use super::{
    Field, Generic, Pojo, PojoField, Simple, SqlField, Subclass, Type, serializer_id, short,
    tuple_class,
};
use crate::schema::logical_type::{LogicalType, TypeKind};
use crate::schema::snapshot::{SerializerSnapshot, SnapshotDetail};

fn nested_types(nested: &[SerializerSnapshot], depth: u32) -> Vec<Type> {
    nested.iter().map(|n| convert(n, depth + 1)).collect()
}

fn nth(nested: &[SerializerSnapshot], i: usize, depth: u32) -> Type {
    match nested.get(i) {
        Some(n) => convert(n, depth + 1),
        None => Type::Opaque {
            class: "?".to_string(),
            reason: format!("nested serializer {i} is missing from the snapshot"),
            version: None,
        },
    }
}

/// Deepest snapshot nesting converted; the snapshot reader bounds it already (48), this only
/// guards hand-made trees.
const MAX_DEPTH: u32 = 64;

pub(super) fn convert(s: &SerializerSnapshot, depth: u32) -> Type {
    if depth > MAX_DEPTH {
        return Type::Opaque {
            class: s.class.clone(),
            reason: "nested too deeply".to_string(),
            version: None,
        };
    }
    let short_class = short(&s.class);
    match &s.detail {
        SnapshotDetail::Simple => {
            if short_class == "Tuple0SerializerSnapshot" {
                Type::Tuple {
                    class: tuple_class(0),
                    fields: Vec::new(),
                }
            } else {
                Type::Simple(Simple::new(serializer_id(&s.class)))
            }
        }
        SnapshotDetail::Composite {
            opaque_outer: true, ..
        } => Type::Opaque {
            class: s.class.clone(),
            reason:
                "a composite serializer spcompat does not know: its outer data was skipped unread"
                    .to_string(),
            version: Some(s.version),
        },
        SnapshotDetail::Composite {
            outer_class,
            supports_row_kind,
            nested,
            ..
        } => {
            let base = short_class.split('$').next().unwrap_or(short_class);
            match base {
                "ListSerializerSnapshot" | "ArrayListSerializerSnapshot" => {
                    Type::List(Box::new(nth(nested, 0, depth)))
                }
                "MapSerializerSnapshot" => Type::Map(
                    Box::new(nth(nested, 0, depth)),
                    Box::new(nth(nested, 1, depth)),
                ),
                "SetSerializerSnapshot" => Type::Set(Box::new(nth(nested, 0, depth))),
                "GenericArraySerializerSnapshot" | "GenericArraySerializer" => Type::Array {
                    component_class: outer_class.clone(),
                    component: Box::new(nth(nested, 0, depth)),
                },
                "TupleSerializerSnapshot" => Type::Tuple {
                    class: outer_class
                        .clone()
                        .unwrap_or_else(|| tuple_class(nested.len())),
                    fields: nested_types(nested, depth),
                },
                "RowSerializer" => Type::Row {
                    fields: nested_types(nested, depth)
                        .into_iter()
                        .map(|ty| Field { name: None, ty })
                        .collect(),
                    row_kind: *supports_row_kind,
                },
                "NullableSerializer" => Type::Nullable(Box::new(nth(nested, 0, depth))),
                "JavaEitherSerializerSnapshot" => Type::Either(
                    Box::new(nth(nested, 0, depth)),
                    Box::new(nth(nested, 1, depth)),
                ),
                "TtlStateFactory" if s.class.contains(".ttl.") => {
                    Type::Ttl(Box::new(nth(nested, 1, depth)))
                }
                "TimerSerializerSnapshot" => Type::Timer {
                    key: Box::new(nth(nested, 0, depth)),
                    namespace: Box::new(nth(nested, 1, depth)),
                },
                "ScalaCaseClassSerializerSnapshot" => Type::CaseClass {
                    class: outer_class.clone().unwrap_or_default(),
                    fields: nested_types(nested, depth)
                        .into_iter()
                        .map(|ty| Field { name: None, ty })
                        .collect(),
                },
                "OptionSerializerSnapshot" | "ScalaOptionSerializerSnapshot"
                    if s.class.contains(".scala.") =>
                {
                    Type::ScalaOption(Box::new(nth(nested, 0, depth)))
                }
                _ => Type::Composite {
                    class: s.class.clone(),
                    outer_class: outer_class.clone(),
                    nested: nested_types(nested, depth),
                },
            }
        }
        SnapshotDetail::Pojo {
            pojo_class,
            fields,
            registered_subclasses,
            non_registered_subclasses,
        } => {
            let subclasses = |list: &[crate::schema::snapshot::NamedSnapshot]| {
                list.iter()
                    .map(|n| Subclass {
                        class: n.name.clone(),
                        ty: n.snapshot.as_ref().map(|s| convert(s, depth + 1)),
                    })
                    .collect::<Vec<_>>()
            };
            Type::Pojo(Pojo {
                class: pojo_class.clone(),
                fields: fields
                    .iter()
                    .map(|f| PojoField {
                        name: f.name.clone(),
                        declaring_class: f.declaring_class.clone(),
                        ty: f.snapshot.as_ref().map(|s| convert(s, depth + 1)),
                    })
                    .collect(),
                registered_subclasses: Some(subclasses(registered_subclasses)),
                non_registered_subclasses: Some(subclasses(non_registered_subclasses)),
            })
        }
        SnapshotDetail::Kryo {
            type_class,
            registrations,
            default_serializers,
            default_serializer_classes,
        } => Type::Generic(Generic {
            class: type_class.clone(),
            registrations: Some(
                registrations
                    .iter()
                    .map(|r| (r.class.clone(), r.serializer_class.clone()))
                    .collect(),
            ),
            default_serializers: Some(
                default_serializers
                    .iter()
                    .cloned()
                    .chain(default_serializer_classes.iter().map(|(c, _)| c.clone()))
                    .collect(),
            ),
        }),
        SnapshotDetail::Enum {
            enum_class,
            constants,
        } => Type::Enum {
            class: enum_class.clone(),
            constants: Some(constants.clone()),
        },
        SnapshotDetail::Avro {
            runtime_class,
            schema,
        } => Type::Avro {
            class: runtime_class.clone(),
            schema: Some(schema.clone()),
        },
        SnapshotDetail::RowData { logical_types, .. } => Type::RowData(
            logical_types
                .iter()
                .map(|t| SqlField {
                    name: None,
                    ty: sql_type(t),
                })
                .collect(),
        ),
        SnapshotDetail::SqlType { logical_type } => Type::Sql(sql_type(logical_type)),
        SnapshotDetail::TypeClass { type_class } => {
            let base = short_class.split('$').next().unwrap_or(short_class);
            match base {
                "KryoSerializer" | "GenericTypeSerializerSnapshot" => Type::Generic(Generic {
                    class: type_class.clone(),
                    registrations: None,
                    default_serializers: None,
                }),
                "AvroSerializer" => Type::Avro {
                    class: Some(type_class.clone()),
                    schema: None,
                },
                other => Type::ValueClass {
                    serializer: other.to_string(),
                    class: type_class.clone(),
                },
            }
        }
        SnapshotDetail::Parameters { values } => Type::Parameterized {
            serializer: short_class
                .split('$')
                .next()
                .unwrap_or(short_class)
                .to_string(),
            values: values.clone(),
        },
        SnapshotDetail::TtlAware { ttl_enabled, inner } => {
            let inner = convert(inner, depth + 1);
            if *ttl_enabled {
                Type::Ttl(Box::new(inner))
            } else {
                inner
            }
        }
        SnapshotDetail::LegacyConfigSnapshot { serializer_class } => Type::Legacy {
            class: s.class.clone(),
            serializer: serializer_class.clone(),
        },
        SnapshotDetail::Unknown { reason } => Type::Opaque {
            class: s.class.clone(),
            reason: reason.clone(),
            version: Some(s.version),
        },
    }
}

/// A logical type as the snapshot reader rendered it; one it could not read stays visible as
/// an unknown type (which never compares equal).
fn sql_type(t: &str) -> LogicalType {
    crate::schema::sql_notation::parse_logical_type(t).unwrap_or_else(|e| LogicalType {
        nullable: true,
        kind: TypeKind::Unknown {
            class: "unreadable logical type".to_string(),
            root: None,
            fields: format!("{t}: {e}"),
        },
    })
}
