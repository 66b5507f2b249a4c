//! `TypeInformation#toString()` strings: `Long`, `Java Tuple2<String, Long>`,
//! `PojoType<c, fields = [a: Long]>`, `Row(a: String)`, `GenericType<c>`, ...

use super::sql_internal_type;
use crate::schema::sql_notation::{MAX_DEPTH, NotationError, Parser};
use crate::schema::types::{Field, Generic, Pojo, PojoField, Simple, Type, tuple_class};

/// The table runtime's sorted-map serializer snapshot (a retracting Top-N's `sorted-map`).
pub const SORTED_MAP_SNAPSHOT: &str =
    "org.apache.flink.table.runtime.typeutils.SortedMapSerializerSnapshot";

/// The sort spec a `ComparableRecordComparator` is compared by, one `(position in the sort
/// key, ascending, nulls last)` per field, as the notation writes it:
/// `order = [0 DESC NULLS LAST]`.
pub fn sort_order_text(keys: &[(i32, bool, bool)]) -> String {
    let keys: Vec<String> = keys
        .iter()
        .map(|&(position, ascending, nulls_last)| {
            format!(
                "{position} {} NULLS {}",
                if ascending { "ASC" } else { "DESC" },
                if nulls_last { "LAST" } else { "FIRST" }
            )
        })
        .collect();
    format!("order = [{}]", keys.join(", "))
}

/// Wrapper serializers of one nested serializer, by the name `inspect` prints for them.
/// Flink-internal composite serializers, printed as `Name<nested, ...>`: the printed prefix, the
/// snapshot class the savepoint names and the number of nested serializers.
const INTERNAL_COMPOSITES: &[(&str, &str, usize)] = &[
    (
        "StreamElementSerializer<",
        "org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer$StreamElementSerializerSnapshot",
        1,
    ),
    // The Table runtime's external-to-internal converter around the internal serializer of a
    // SQL type (the map views of DISTINCT aggregates).
    (
        "ExternalSerializer<",
        "org.apache.flink.table.runtime.typeutils.ExternalSerializer$ExternalSerializerSnapshot",
        1,
    ),
    // CEP's NFA state and shared buffer (MATCH_RECOGNIZE, DataStream CEP): the same snapshot
    // classes from Flink 1.15 to 2.3 (read off their cep jars).
    (
        "NFAState<",
        "org.apache.flink.cep.nfa.NFAStateSerializerSnapshot",
        3,
    ),
    (
        "Lockable<",
        "org.apache.flink.cep.nfa.sharedbuffer.LockableTypeSerializerSnapshot",
        1,
    ),
    (
        "NodeId<",
        "org.apache.flink.cep.nfa.sharedbuffer.NodeId$NodeIdSerializer$NodeIdSerializerSnapshot",
        1,
    ),
    (
        "SharedBufferNode<",
        "org.apache.flink.cep.nfa.sharedbuffer.SharedBufferNodeSerializerSnapshotV2",
        1,
    ),
    (
        "SharedBufferEdge<",
        "org.apache.flink.cep.nfa.sharedbuffer.SharedBufferEdge$SharedBufferEdgeSerializer$SharedBufferEdgeSerializerSnapshot",
        2,
    ),
    // Flink 2.3's SinkUpsertMaterializerV2 with the MAP strategy: its linked multi-set state.
    (
        "MetaSqnInfoSerializer<",
        "org.apache.flink.table.runtime.sequencedmultisetstate.linked.MetaSqnInfoSerializer$MetaSqnInfoSerializerSnapshot",
        2,
    ),
    (
        "RowSqnInfoSerializer<",
        "org.apache.flink.table.runtime.sequencedmultisetstate.linked.RowSqnInfoSerializer$RowSqnInfoSerializerSnapshot",
        2,
    ),
    (
        "RowDataKey<",
        "org.apache.flink.table.runtime.sequencedmultisetstate.linked.RowDataKeySerializerSnapshot",
        1,
    ),
    (
        "NodeSerializer<",
        "org.apache.flink.table.runtime.sequencedmultisetstate.linked.NodeSerializer$NodeSerializerSnapshot",
        6,
    ),
];

impl Parser<'_> {
    pub(super) fn ty(&mut self, depth: usize) -> Result<Type, NotationError> {
        if depth > MAX_DEPTH {
            return self.err("type nested too deeply");
        }
        let d = depth + 1;
        self.ws();
        if self.eat("Java Tuple") {
            let digits: String = self
                .rest()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            self.pos += digits.len();
            let arity: usize = match digits.parse() {
                Ok(n) => n,
                Err(_) => return self.err("expected the tuple arity after `Java Tuple`"),
            };
            let fields = if self.eat("<") {
                self.list(">", |p| p.ty(d))?
            } else {
                Vec::new()
            };
            if fields.len() != arity {
                return self.err(format!(
                    "Tuple{arity} has {} field types, expected {arity}",
                    fields.len()
                ));
            }
            return Ok(Type::Tuple {
                class: tuple_class(arity),
                fields,
            });
        }
        if self.eat("PojoType<") {
            let class = self.until_top_level(&[',', '>']);
            let mut fields = Vec::new();
            if self.eat(",") {
                self.expect("fields")?;
                self.expect("=")?;
                self.expect("[")?;
                fields = self.list("]", |p| {
                    let name = p.java_name()?;
                    p.expect(":")?;
                    let ty = p.ty(d)?;
                    Ok(PojoField {
                        name,
                        declaring_class: None,
                        ty: Some(ty),
                    })
                })?;
            }
            self.expect(">")?;
            return Ok(Type::Pojo(Pojo {
                class,
                fields,
                registered_subclasses: None,
                non_registered_subclasses: None,
            }));
        }
        // spcompat extension: the table runtime's sorted map (retracting Top-N), with the sort
        // spec its comparator is compared by: `SortedMap<K, V, order = [0 DESC NULLS LAST]>`.
        if self.eat("SortedMap<") {
            let key = self.ty(d)?;
            self.expect(",")?;
            let value = self.ty(d)?;
            let mut outer_class = None;
            if self.eat(",") {
                self.expect("order")?;
                self.expect("=")?;
                self.expect("[")?;
                let keys = self.list("]", |p| {
                    let position = p.int()?;
                    let ascending = if p.eat("ASC") {
                        true
                    } else {
                        p.expect("DESC")?;
                        false
                    };
                    p.expect("NULLS")?;
                    let nulls_last = if p.eat("LAST") {
                        true
                    } else {
                        p.expect("FIRST")?;
                        false
                    };
                    Ok((position, ascending, nulls_last))
                })?;
                outer_class = Some(sort_order_text(&keys));
            }
            self.expect(">")?;
            return Ok(Type::Composite {
                class: SORTED_MAP_SNAPSHOT.to_string(),
                outer_class,
                nested: vec![key, value],
            });
        }
        // spcompat extension: a Flink-internal wrapper serializer, written as `inspect` prints
        // it. No TypeInformation names these; the planner wraps rows (async operators) and
        // data-view values in them.
        for (printed, snapshot_class, arity) in INTERNAL_COMPOSITES {
            if self.eat(printed) {
                let nested = self.list(">", |p| p.ty(d))?;
                if nested.len() != *arity {
                    return self.err(format!(
                        "`{printed}...>` takes {arity} type(s), found {}",
                        nested.len()
                    ));
                }
                return Ok(Type::Composite {
                    class: (*snapshot_class).to_string(),
                    outer_class: None,
                    nested,
                });
            }
        }
        if self.eat("EnumTypeInfo<") {
            let class = self.java_name()?;
            // spcompat extension: `EnumTypeInfo<c, constants = [A, B]>` lists the constants in
            // declaration order (Flink prints the class only), so removals can be seen.
            let constants = if self.eat(",") {
                self.expect("constants")?;
                self.expect("=")?;
                self.expect("[")?;
                Some(self.list("]", |p| p.java_name())?)
            } else {
                None
            };
            self.expect(">")?;
            return Ok(Type::Enum { class, constants });
        }
        for (prefix, what) in [
            ("GenericType<", 0),
            ("AvroType<", 2),
            ("ValueType<", 3),
            ("WritableType<", 4),
        ] {
            if self.eat(prefix) {
                let class = self.java_name()?;
                self.expect(">")?;
                return Ok(match what {
                    0 => Type::Generic(Generic {
                        class,
                        registrations: None,
                        default_serializers: None,
                    }),
                    2 => Type::Avro {
                        class: Some(class),
                        schema: None,
                    },
                    3 => match Simple::from_notation(&format!("ValueType<{class}>")) {
                        Some(s) => Type::Simple(s),
                        None => Type::ValueClass {
                            serializer: "ValueSerializer".to_string(),
                            class,
                        },
                    },
                    _ => Type::ValueClass {
                        serializer: "WritableSerializer".to_string(),
                        class,
                    },
                });
            }
        }
        if self.eat("GenericRecord(") {
            self.ws();
            let mut stream =
                serde_json::Deserializer::from_str(self.rest()).into_iter::<serde_json::Value>();
            let schema = match stream.next() {
                Some(Ok(v)) => v.to_string(),
                _ => return self.err("expected an Avro schema (JSON) in `GenericRecord(...)`"),
            };
            self.pos += stream.byte_offset();
            self.expect(")")?;
            return Ok(Type::Avro {
                class: Some("org.apache.avro.generic.GenericRecord".to_string()),
                schema: Some(schema),
            });
        }
        for (prefix, close) in [
            ("List<", ">"),
            ("Set<", ">"),
            ("Multiset<", ">"),
            ("Option[", "]"),
            ("BasicArrayTypeInfo<", ">"),
            ("ObjectArrayTypeInfo<", ">"),
            ("TTL<", ">"),
            ("Nullable<", ">"),
        ] {
            if self.eat(prefix) {
                let inner = self.ty(d)?;
                self.expect(close)?;
                return Ok(match prefix {
                    "List<" => Type::List(Box::new(inner)),
                    "Set<" => Type::Set(Box::new(inner)),
                    // MultisetTypeInfo is a MapTypeInfo<T, Integer>.
                    "Multiset<" => Type::Map(
                        Box::new(inner),
                        Box::new(Type::Simple(Simple::new(
                            "org.apache.flink.api.common.typeutils.base.IntSerializer",
                        ))),
                    ),
                    "Option[" => Type::ScalaOption(Box::new(inner)),
                    "TTL<" => Type::Ttl(Box::new(inner)),
                    // spcompat extension: `NullableSerializer` around a serializer that cannot
                    // write null (e.g. the optional fields of 2.3's linked multi-set nodes).
                    "Nullable<" => Type::Nullable(Box::new(inner)),
                    "BasicArrayTypeInfo<" if inner.to_string() == "String" => {
                        Type::Simple(Simple::new(
                            "org.apache.flink.api.common.typeutils.base.array.StringArraySerializer",
                        ))
                    }
                    "BasicArrayTypeInfo<" => Type::Array {
                        component_class: Some(format!("java.lang.{inner}")),
                        component: Box::new(inner),
                    },
                    _ => Type::Array {
                        component_class: None,
                        component: Box::new(inner),
                    },
                });
            }
        }
        if self.eat("Map<") {
            let k = self.ty(d)?;
            self.expect(",")?;
            let v = self.ty(d)?;
            self.expect(">")?;
            return Ok(Type::Map(Box::new(k), Box::new(v)));
        }
        if self.eat("Either <") || self.eat("Either<") {
            let l = self.ty(d)?;
            self.expect(",")?;
            let r = self.ty(d)?;
            self.expect(">")?;
            return Ok(Type::Either(Box::new(l), Box::new(r)));
        }
        if self.eat("Timer<") {
            self.expect("key")?;
            self.expect("=")?;
            let key = self.ty(d)?;
            self.expect(",")?;
            self.expect("namespace")?;
            self.expect("=")?;
            let namespace = self.ty(d)?;
            self.expect(">")?;
            return Ok(Type::Timer {
                key: Box::new(key),
                namespace: Box::new(namespace),
            });
        }
        if self.eat("Row(") {
            let fields = self.list(")", |p| p.named_field(d))?;
            return Ok(Type::Row {
                fields,
                row_kind: None,
            });
        }
        if self.starts_sql() {
            let t = self.sql(d)?;
            return Ok(sql_internal_type(t));
        }
        let name = self.java_name()?;
        if self.eat("[]") {
            return match Simple::from_notation(&format!("{name}[]")) {
                Some(s) => Ok(Type::Simple(s)),
                None if name == "String" || name == "java.lang.String" => {
                    Ok(Type::Simple(Simple::new(
                        "org.apache.flink.api.common.typeutils.base.array.StringArraySerializer",
                    )))
                }
                None => self.err(format!("`{name}[]` is not a primitive array type")),
            };
        }
        if self.peek() == Some('(') {
            // Scala case class: `Name(a: Integer, b: String)`.
            self.pos += 1;
            let fields = self.list(")", |p| p.named_field(d))?;
            return Ok(Type::CaseClass {
                class: name,
                fields,
            });
        }
        let bare = name.strip_prefix("java.lang.").unwrap_or(&name);
        let bare = match bare {
            "Int" | "int" => "Integer",
            "Char" | "char" => "Character",
            "long" => "Long",
            "double" => "Double",
            "float" => "Float",
            "boolean" => "Boolean",
            "byte" => "Byte",
            "short" => "Short",
            other => other,
        };
        match Simple::from_notation(bare) {
            Some(s) => Ok(Type::Simple(s)),
            None => {
                self.pos -= name.len();
                self.err(format!(
                    "unknown type `{name}` (expected a Flink TypeInformation string such as `Long`, `PojoType<...>`, `GenericType<...>`)"
                ))
            }
        }
    }

    pub(super) fn named_field(&mut self, depth: usize) -> Result<Field, NotationError> {
        let name = self.java_name()?;
        self.expect(":")?;
        let ty = self.ty(depth)?;
        Ok(Field {
            name: Some(name),
            ty,
        })
    }
}
