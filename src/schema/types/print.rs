//! Printing: the notation Flink prints (`Display`) and one-line-per-field outlines.

use std::fmt;

use super::{SqlField, Type, short};

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_name(name: &Option<String>, i: usize) -> String {
    name.clone().unwrap_or_else(|| format!("f{i}"))
}

/// Is this a boxed basic type (component of `BasicArrayTypeInfo`)?
fn is_basic(t: &Type) -> bool {
    matches!(t, Type::Simple(s) if {
        let n = s.display_name();
        matches!(n.as_str(), "Long" | "Integer" | "String" | "Double" | "Float" | "Boolean"
            | "Byte" | "Short" | "Character" | "BigInteger" | "BigDecimal" | "Date" | "Void"
            | "Instant")
    })
}

fn sql_fields(fields: &[SqlField]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            format!(
                "`{}` {}",
                field_name(&f.name, i).replace('`', "``"),
                f.ty.summary_string()
            )
        })
        .collect();
    format!("ROW<{}>", parts.join(", "))
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Simple(s) => f.write_str(&s.display_name()),
            Type::Array { component, .. } if is_basic(component) => {
                write!(f, "BasicArrayTypeInfo<{component}>")
            }
            Type::Array { component, .. } => write!(f, "ObjectArrayTypeInfo<{component}>"),
            Type::Tuple { class, fields } => {
                let name = short(class);
                if fields.is_empty() {
                    write!(f, "Java {name}")
                } else {
                    write!(f, "Java {name}<{}>", join(fields))
                }
            }
            Type::Row { fields, .. } => {
                let parts: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, fl)| format!("{}: {}", field_name(&fl.name, i), fl.ty))
                    .collect();
                write!(f, "Row({})", parts.join(", "))
            }
            Type::Pojo(p) => {
                let parts: Vec<String> = p
                    .fields
                    .iter()
                    .map(|fl| match &fl.ty {
                        Some(t) => format!("{}: {t}", fl.name),
                        None => format!("{}: ?", fl.name),
                    })
                    .collect();
                write!(f, "PojoType<{}, fields = [{}]>", p.class, parts.join(", "))
            }
            Type::Generic(g) => write!(f, "GenericType<{}>", g.class.replace('$', ".")),
            Type::Enum { class, .. } => write!(f, "EnumTypeInfo<{class}>"),
            Type::Avro { class, schema } => match (class, schema) {
                (Some(c), _) if c != "org.apache.avro.generic.GenericRecord" => {
                    write!(f, "AvroType<{c}>")
                }
                (_, Some(s)) => write!(f, "GenericRecord({s})"),
                _ => write!(f, "GenericRecord(?)"),
            },
            Type::List(t) => write!(f, "List<{t}>"),
            Type::Map(k, v) => write!(f, "Map<{k}, {v}>"),
            Type::Set(t) => write!(f, "Set<{t}>"),
            Type::Either(l, r) => write!(f, "Either <{l}, {r}>"),
            Type::Nullable(t) => write!(f, "Nullable<{t}>"),
            Type::ValueClass { serializer, class } => match serializer.as_str() {
                "WritableSerializer" => write!(f, "WritableType<{class}>"),
                _ => write!(f, "ValueType<{}>", short(class)),
            },
            Type::RowData(fields) => f.write_str(&sql_fields(fields)),
            Type::Parameterized { serializer, values } => {
                let params: Vec<String> = values.iter().map(|(_, v)| v.to_string()).collect();
                match serializer.as_str() {
                    "DecimalDataSerializer" => write!(f, "DECIMAL({})", params.join(", ")),
                    "TimestampDataSerializer" => write!(f, "TIMESTAMP({})", params.join(", ")),
                    other => write!(f, "{other}({})", params.join(", ")),
                }
            }
            Type::Sql(t) => f.write_str(&t.summary_string()),
            Type::CaseClass { class, fields } => {
                let parts: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, fl)| format!("{}: {}", field_name(&fl.name, i), fl.ty))
                    .collect();
                write!(f, "{}({})", short(class), parts.join(", "))
            }
            Type::ScalaOption(t) => write!(f, "Option[{t}]"),
            Type::Timer { key, namespace } => {
                write!(f, "Timer<key = {key}, namespace = {namespace}>")
            }
            Type::Ttl(t) => write!(f, "TTL<{t}>"),
            Type::Composite {
                class,
                outer_class: Some(order),
                nested,
            } if class == crate::schema::notation::SORTED_MAP_SNAPSHOT
                && order.starts_with("order = [") =>
            {
                write!(f, "SortedMap<{}, {order}>", join(nested))
            }
            Type::Composite { class, nested, .. } => {
                let base = short(class);
                let base = base.split('$').next().unwrap_or(base);
                // `LockableTypeSerializerSnapshot` -> `Lockable`, `SortedMapSerializerSnapshot`
                // -> `SortedMap`: the serializer's subject, as for the other composites.
                let base = [
                    "TypeSerializerSnapshot",
                    "SerializerSnapshotV2",
                    "SerializerSnapshot",
                ]
                .iter()
                .find_map(|suffix| base.strip_suffix(suffix).filter(|b| !b.is_empty()))
                .unwrap_or(base);
                write!(f, "{base}<{}>", join(nested))
            }
            Type::Legacy { class, .. } => write!(f, "LegacySnapshot<{class}>"),
            Type::Opaque { class, .. } => write!(f, "Opaque<{class}>"),
        }
    }
}

/// Is this type printed on one line in outlines (no fields worth a line of their own)?
fn is_leaf(t: &Type) -> bool {
    match t {
        Type::List(e) | Type::Set(e) | Type::Nullable(e) | Type::ScalaOption(e) => is_leaf(e),
        Type::Array { component, .. } => is_leaf(component),
        Type::Map(k, v) | Type::Either(k, v) => is_leaf(k) && is_leaf(v),
        Type::Tuple { fields, .. } => fields.is_empty(),
        Type::Row { .. }
        | Type::Pojo(_)
        | Type::RowData(_)
        | Type::CaseClass { .. }
        | Type::Ttl(_)
        | Type::Timer { .. }
        | Type::Composite { .. } => false,
        Type::Enum { constants, .. } => constants.is_none(),
        Type::Avro { schema, .. } => schema.is_none(),
        Type::Generic(_)
        | Type::Simple(_)
        | Type::ValueClass { .. }
        | Type::Parameterized { .. }
        | Type::Sql(_)
        | Type::Legacy { .. }
        | Type::Opaque { .. } => true,
    }
}

fn pad(indent: usize) -> String {
    "  ".repeat(indent)
}

pub(super) fn outline(t: &Type, label: &str, indent: usize, out: &mut Vec<String>) {
    let p = pad(indent);
    if is_leaf(t) {
        out.push(format!("{p}{label}{t}"));
        return;
    }
    let child = |name: String, ty: &Type, out: &mut Vec<String>| {
        outline(ty, &format!("{name}: "), indent + 1, out)
    };
    match t {
        Type::Tuple { class, fields } => {
            out.push(format!("{p}{label}Java {}", short(class)));
            for (i, f) in fields.iter().enumerate() {
                child(format!("f{i}"), f, out);
            }
        }
        Type::Row { fields, row_kind } => {
            let kind = match row_kind {
                Some(true) => " (with row kind)",
                Some(false) => " (without row kind)",
                None => "",
            };
            out.push(format!("{p}{label}Row{kind}"));
            for (i, f) in fields.iter().enumerate() {
                child(field_name(&f.name, i), &f.ty, out);
            }
        }
        Type::CaseClass { class, fields } => {
            out.push(format!("{p}{label}{class}"));
            for (i, f) in fields.iter().enumerate() {
                child(field_name(&f.name, i), &f.ty, out);
            }
        }
        Type::Pojo(pj) => {
            out.push(format!("{p}{label}PojoType<{}>", pj.class));
            for f in &pj.fields {
                match &f.ty {
                    Some(ty) => child(f.name.clone(), ty, out),
                    None => out.push(format!(
                        "{}{}: (no serializer recorded)",
                        pad(indent + 1),
                        f.name
                    )),
                }
            }
            for (what, subs) in [
                ("registered subclass", &pj.registered_subclasses),
                ("non-registered subclass", &pj.non_registered_subclasses),
            ] {
                for s in subs.iter().flatten() {
                    out.push(format!("{}{what} {}", pad(indent + 1), s.class));
                }
            }
        }
        Type::RowData(fields) => {
            out.push(format!("{p}{label}ROW"));
            for (i, f) in fields.iter().enumerate() {
                out.push(format!(
                    "{}`{}` {}",
                    pad(indent + 1),
                    field_name(&f.name, i),
                    f.ty.summary_string()
                ));
            }
        }
        Type::Enum {
            class,
            constants: Some(constants),
        } => {
            out.push(format!("{p}{label}EnumTypeInfo<{class}>"));
            for c in constants {
                out.push(format!("{}{c}", pad(indent + 1)));
            }
        }
        Type::Avro {
            class,
            schema: Some(schema),
        } => {
            let head = match class {
                Some(c) if c != "org.apache.avro.generic.GenericRecord" => format!("AvroType<{c}>"),
                _ => "GenericRecord".to_string(),
            };
            out.push(format!("{p}{label}{head}"));
            let pretty = serde_json::from_str::<serde_json::Value>(schema)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| schema.clone());
            for line in pretty.lines() {
                out.push(format!("{}{line}", pad(indent + 1)));
            }
        }
        Type::List(e) => {
            out.push(format!("{p}{label}List"));
            child("element".into(), e, out);
        }
        Type::Set(e) => {
            out.push(format!("{p}{label}Set"));
            child("element".into(), e, out);
        }
        Type::Nullable(e) => outline(e, label, indent, out),
        Type::ScalaOption(e) => {
            out.push(format!("{p}{label}Option"));
            child("value".into(), e, out);
        }
        Type::Array { component, .. } => {
            out.push(format!("{p}{label}Array"));
            child("component".into(), component, out);
        }
        Type::Map(k, v) => {
            out.push(format!("{p}{label}Map"));
            child("key".into(), k, out);
            child("value".into(), v, out);
        }
        Type::Either(l, r) => {
            out.push(format!("{p}{label}Either"));
            child("left".into(), l, out);
            child("right".into(), r, out);
        }
        Type::Timer { key, namespace } => {
            out.push(format!("{p}{label}Timer"));
            child("key".into(), key, out);
            child("namespace".into(), namespace, out);
        }
        Type::Ttl(inner) => {
            out.push(format!("{p}{label}TTL (last-access timestamp + value)"));
            child("value".into(), inner, out);
        }
        Type::Composite { class, nested, .. } => {
            out.push(format!("{p}{label}{}", short(class)));
            for (i, n) in nested.iter().enumerate() {
                child(format!("#{i}"), n, out);
            }
        }
        other => out.push(format!("{p}{label}{other}")),
    }
}
