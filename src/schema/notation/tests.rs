use super::*;
use crate::schema::logical_type::*;
use crate::schema::types::*;

fn simple(name: &str) -> Type {
    Type::Simple(Simple::from_notation(name).unwrap())
}

fn parse(s: &str) -> Type {
    parse_type(s).unwrap_or_else(|e| panic!("{e}"))
}

/// Every example of the job-graph format's type notation section.
#[test]
fn spec_examples() {
    assert_eq!(
        parse("Long"),
        Type::Simple(Simple::new(
            "org.apache.flink.api.common.typeutils.base.LongSerializer"
        ))
    );
    assert_eq!(parse("String"), simple("String"));
    assert_eq!(parse("Integer"), simple("Integer"));
    assert_eq!(
        parse("byte[]"),
        Type::Simple(Simple::new(
            "org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer"
        ))
    );
    assert_eq!(
        parse("Java Tuple2<String, Long>"),
        Type::Tuple {
            class: "org.apache.flink.api.java.tuple.Tuple2".into(),
            fields: vec![simple("String"), simple("Long")],
        }
    );
    let Type::Pojo(p) = parse("PojoType<com.acme.Seen, fields = [count: Long, firstSeen: Long]>")
    else {
        panic!("not a POJO")
    };
    assert_eq!(p.class, "com.acme.Seen");
    let names: Vec<&str> = p.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["count", "firstSeen"]);
    assert_eq!(p.fields[1].ty, Some(simple("Long")));
    assert_eq!(
        p.registered_subclasses, None,
        "notation does not describe subclasses"
    );
    assert_eq!(
        parse("Row(name: String, cnt: Long)"),
        Type::Row {
            fields: vec![
                Field {
                    name: Some("name".into()),
                    ty: simple("String")
                },
                Field {
                    name: Some("cnt".into()),
                    ty: simple("Long")
                },
            ],
            row_kind: None,
        }
    );
    assert_eq!(
        parse("GenericType<com.acme.Blob>"),
        Type::Generic(Generic {
            class: "com.acme.Blob".into(),
            registrations: None,
            default_serializers: None,
        })
    );
    assert_eq!(parse("List<Long>"), Type::List(Box::new(simple("Long"))));
    assert_eq!(
        parse("Map<String, Long>"),
        Type::Map(Box::new(simple("String")), Box::new(simple("Long")))
    );
    let Type::RowData(fields) = parse("ROW<`id` BIGINT, `cnt` BIGINT NOT NULL>") else {
        panic!("not RowData")
    };
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].name.as_deref(), Some("id"));
    assert!(fields[0].ty.nullable);
    assert_eq!(fields[1].ty.kind, TypeKind::BigInt);
    assert!(!fields[1].ty.nullable);
    assert_eq!(
        parse("AvroType<com.acme.Event>"),
        Type::Avro {
            class: Some("com.acme.Event".into()),
            schema: None
        }
    );
    let schema = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"}]}"#;
    assert_eq!(
        parse_state_type("AvroType<com.acme.Event>", Some(schema)).unwrap(),
        Type::Avro {
            class: Some("com.acme.Event".into()),
            schema: Some(schema.into())
        }
    );
    // Flink prints enums as `EnumTypeInfo<binary class name>`.
    assert_eq!(
        parse("EnumTypeInfo<com.acme.Outer$Color>"),
        Type::Enum {
            class: "com.acme.Outer$Color".into(),
            constants: None
        }
    );
}

#[test]
fn enum_constants_extension() {
    assert_eq!(
        parse("EnumTypeInfo<a.Color, constants = [RED, GREEN]>"),
        Type::Enum {
            class: "a.Color".into(),
            constants: Some(vec!["RED".into(), "GREEN".into()])
        }
    );
    // Printed the way Flink prints it.
    assert_eq!(
        parse("EnumTypeInfo<a.Color, constants = [RED]>").to_string(),
        "EnumTypeInfo<a.Color>"
    );
    assert!(parse_type("EnumTypeInfo<a.Color, [RED]>").is_err());
}

#[test]
fn more_flink_type_strings() {
    assert_eq!(
        parse("Java Tuple0"),
        Type::Tuple {
            class: tuple_class(0),
            fields: vec![]
        }
    );
    assert_eq!(
        parse("BasicArrayTypeInfo<String>"),
        Type::Simple(Simple::new(
            "org.apache.flink.api.common.typeutils.base.array.StringArraySerializer"
        ))
    );
    assert!(matches!(
        parse("BasicArrayTypeInfo<Integer>"),
        Type::Array { component_class: Some(c), .. } if c == "java.lang.Integer"
    ));
    assert!(matches!(
        parse("ObjectArrayTypeInfo<PojoType<a.B, fields = []>>"),
        Type::Array { .. }
    ));
    assert_eq!(
        parse("Either <String, Long>"),
        Type::Either(Box::new(simple("String")), Box::new(simple("Long")))
    );
    assert_eq!(parse("Set<String>"), Type::Set(Box::new(simple("String"))));
    assert_eq!(
        parse("ValueType<LongValue>"),
        simple("ValueType<LongValue>")
    );
    assert_eq!(
        parse("ValueType<MyValue>"),
        Type::ValueClass {
            serializer: "ValueSerializer".into(),
            class: "MyValue".into()
        }
    );
    assert_eq!(
        parse("Option[Integer]"),
        Type::ScalaOption(Box::new(simple("Integer")))
    );
    assert!(matches!(
        parse("Order(id: Long, items: List<String>)"),
        Type::CaseClass { class, fields } if class == "Order" && fields.len() == 2
    ));
    assert_eq!(parse("long[]"), simple("long[]"));
    assert_eq!(parse("java.lang.Long"), simple("Long"));
    // Nested: a POJO inside a tuple inside a map, with spacing variations.
    let t = parse(
        "Map<String,Java Tuple2<PojoType<a.B, fields = [x: List<Long>, y: Map<String, Integer>]>, Row(f: Double)>>",
    );
    let Type::Map(_, v) = t else { panic!() };
    let Type::Tuple { fields, .. } = *v else {
        panic!()
    };
    assert!(matches!(&fields[0], Type::Pojo(p) if p.fields.len() == 2));
    // Generic records carry their schema inline.
    let t = parse(
        r#"GenericRecord({"type":"record","name":"R","fields":[{"name":"a","type":"string"}]})"#,
    );
    assert!(matches!(
        t,
        Type::Avro {
            schema: Some(_),
            ..
        }
    ));
}

#[test]
fn display_is_flink_notation_and_round_trips() {
    for s in [
        "Long",
        "String",
        "byte[]",
        "Java Tuple2<String, Long>",
        "Java Tuple3<Long, String, Double>",
        "PojoType<com.acme.Seen, fields = [count: Long, firstSeen: Long]>",
        "Row(name: String, cnt: Long)",
        "GenericType<com.acme.Blob>",
        "List<Long>",
        "Map<String, Long>",
        "EnumTypeInfo<com.acme.Color>",
        "AvroType<com.acme.Event>",
        "Either <String, Long>",
        "BasicArrayTypeInfo<Integer>",
        "BasicArrayTypeInfo<String>",
        "ValueType<LongValue>",
        "Option[Integer]",
        "ROW<`id` BIGINT, `cnt` BIGINT NOT NULL>",
        "ROW<`k` STRING, `t` TIMESTAMP_LTZ(3), `m` MAP<STRING, ARRAY<INT NOT NULL>>>",
        "DECIMAL(10, 2)",
        // CEP's NFA and shared buffer, as a savepoint of MATCH_RECOGNIZE prints them.
        "NFAState<DeweyNumber, NodeId<EventId>, EventId>",
        "Lockable<SharedBufferNode<SharedBufferEdge<NodeId<EventId>, DeweyNumber>>>",
        "Lockable<ROW<`f0` BIGINT, `f1` STRING>>",
        // Flink 2.3's SinkUpsertMaterializerV2 (MAP strategy), as its savepoint prints them.
        "MetaSqnInfoSerializer<Long, Long>",
        "SortedLong",
        "RowDataKey<ROW<`f0` INT NOT NULL, `f1` BIGINT>>",
        "RowSqnInfoSerializer<Long, Long>",
        "NodeSerializer<ROW<`f0` INT NOT NULL, `f1` BIGINT>, Long, Nullable<Long>, Nullable<Long>, Nullable<Long>, Long>",
    ] {
        let t = parse(s);
        assert_eq!(t.to_string(), s, "display of {s}");
        assert_eq!(parse(&t.to_string()), t, "round trip of {s}");
    }
}

#[test]
fn sql_summary_and_serializable_forms_agree() {
    let pairs = [
        ("STRING", "VARCHAR(2147483647)"),
        ("BYTES", "VARBINARY(2147483647)"),
        ("TIMESTAMP_LTZ(3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE"),
        ("TIMESTAMP(3) *ROWTIME*", "TIMESTAMP(3)"),
        ("TIMESTAMP(6)", "TIMESTAMP WITHOUT TIME ZONE"),
        ("INT NOT NULL", "INTEGER NOT NULL"),
        ("DECIMAL(10, 0)", "DECIMAL"),
        ("DOUBLE", "DOUBLE PRECISION"),
        ("ROW<`a` INT 'x'>", "ROW<a INT 'x'>"),
        ("ROW<`a``b` INT>", "ROW(`a``b` INT)"),
        ("INTERVAL DAY(2) TO SECOND(3)", "INTERVAL DAY TO SECOND(3)"),
        ("RAW('com.acme.X', '...')", "RAW('com.acme.X', '...')"),
    ];
    for (a, b) in pairs {
        let (x, y) = (
            parse_logical_type(a).unwrap(),
            parse_logical_type(b).unwrap(),
        );
        assert_eq!(x, y, "{a} vs {b}");
    }
    let t = parse_logical_type("ROW<`a` INT NOT NULL 'it''s', `b` ARRAY<STRING>>").unwrap();
    let TypeKind::Row(fields) = &t.kind else {
        panic!()
    };
    assert_eq!(fields[0].description.as_deref(), Some("it's"));
    assert!(!fields[0].ty.nullable);
    // Summary and serializable strings print back as Flink does.
    assert_eq!(
        t.serializable_string(),
        "ROW<`a` INT NOT NULL 'it''s', `b` ARRAY<VARCHAR(2147483647)>>"
    );
    assert_ne!(
        parse_logical_type("BIGINT").unwrap(),
        parse_logical_type("BIGINT NOT NULL").unwrap()
    );
}

#[test]
fn sql_scalars_map_to_their_runtime_serializers() {
    assert_eq!(parse("BIGINT"), simple("Long"));
    assert_eq!(parse("INT"), simple("Integer"));
    assert_eq!(parse("STRING"), simple("STRING"));
    assert_eq!(
        parse("DECIMAL(5, 2)"),
        Type::Parameterized {
            serializer: "DecimalDataSerializer".into(),
            values: vec![("precision".into(), 5), ("scale".into(), 2)]
        }
    );
    assert!(matches!(parse("ARRAY<INT>"), Type::Sql(_)));
}

#[test]
fn errors_say_where() {
    let e = parse_type("Map<String Long>").unwrap_err();
    assert!(e.message.contains("expected `,`"), "{e}");
    assert_eq!(e.at, 11);
    let e = parse_type("com.acme.Thing").unwrap_err();
    assert!(e.message.contains("unknown type `com.acme.Thing`"), "{e}");
    assert_eq!(e.at, 0);
    assert!(parse_type("Long extra").is_err());
    assert!(parse_type("Java Tuple2<Long>").is_err());
    // Flink-internal composites take their own number of nested serializers.
    assert!(parse_type("NFAState<DeweyNumber, EventId>").is_err());
    assert!(parse_type("Lockable<Long, Long>").is_err());
    assert!(parse_type("").is_err());
    assert!(parse_type("ROW<`a` FOO>").is_err());
    assert!(parse_logical_type("TIMESTAMP(3) WITH").is_err());
    assert!(parse_logical_type("INT *ROWTIME*").is_err());
}

#[test]
fn hostile_input_does_not_panic() {
    let samples = [
        "PojoType<com.acme.Seen, fields = [count: Long, firstSeen: Map<String, List<Row(a: Integer)>>]>",
        "ROW<`id` BIGINT NOT NULL 'd''x', `m` MAP<STRING, ROW<`q` DECIMAL(10, 2)>>, `t` TIMESTAMP(3) *ROWTIME*>",
        r#"GenericRecord({"type":"record","name":"R","fields":[]})"#,
        "Either <Option[Integer], EnumTypeInfo<a.B>>",
        "INTERVAL YEAR(4) TO MONTH",
        "RAW('a''b', 'c')",
        "`cat`.`db`.`type`",
    ];
    for s in samples {
        assert!(parse_type(s).is_ok(), "{s}");
        // Every prefix and every character-dropped variant must fail or parse, never panic.
        for (i, _) in s.char_indices() {
            let _ = parse_type(&s[..i]);
            let mut dropped = s.to_string();
            dropped.remove(i);
            let _ = parse_type(&dropped);
        }
    }
    let deep = "List<".repeat(10_000) + "Long" + &">".repeat(10_000);
    assert!(
        parse_type(&deep)
            .unwrap_err()
            .message
            .contains("too deeply")
    );
    let deep_sql = "ARRAY<".repeat(10_000) + "INT" + &">".repeat(10_000);
    assert!(parse_type(&deep_sql).is_err());
    assert!(parse_type("Über<ä>").is_err());
}

#[test]
fn date_notation_matches_both_date_serializers() {
    let Type::Simple(d) = parse("Date") else {
        panic!()
    };
    for id in [
        "org.apache.flink.api.common.typeutils.base.DateSerializer",
        "org.apache.flink.api.common.typeutils.base.SqlDateSerializer",
    ] {
        assert!(d.matches(&Simple::new(id)));
    }
    assert!(!d.matches(&Simple::new(
        "org.apache.flink.api.common.typeutils.base.LongSerializer"
    )));
}

#[test]
fn row_fields_keep_their_written_types() {
    let fields = parse_row_fields(
        "ROW<`k` VARCHAR(2147483647), `t` TIMESTAMP(3) *ROWTIME* 'event time'> NOT NULL",
    )
    .unwrap();
    let written: Vec<(&str, &str)> = fields
        .iter()
        .map(|f| (f.name.as_str(), f.written.as_str()))
        .collect();
    assert_eq!(
        written,
        [
            ("k", "VARCHAR(2147483647)"),
            ("t", "TIMESTAMP(3) *ROWTIME*")
        ]
    );
    assert_eq!(fields[0].ty.summary_string(), "STRING");
    assert!(parse_row_fields("ROW<`k` VARCHAR(").is_err());
    assert!(parse_row_fields("BIGINT").is_err());
}

#[test]
fn a_sorted_map_carries_its_comparators_sort_spec_and_prints_back() {
    let text = "SortedMap<ROW<`f0` BIGINT>, Long, order = [0 DESC NULLS LAST, 1 ASC NULLS FIRST]>";
    let t = parse(text);
    let Type::Composite {
        outer_class,
        nested,
        ..
    } = &t
    else {
        panic!("{t:?}");
    };
    assert_eq!(
        outer_class.as_deref(),
        Some("order = [0 DESC NULLS LAST, 1 ASC NULLS FIRST]")
    );
    assert_eq!(nested.len(), 2);
    assert_eq!(t.to_string(), text);
    // Another direction is another comparator.
    assert_ne!(
        parse("SortedMap<ROW<`f0` BIGINT>, Long, order = [0 ASC NULLS LAST]>"),
        parse("SortedMap<ROW<`f0` BIGINT>, Long, order = [0 DESC NULLS LAST]>")
    );
    assert!(parse_type("SortedMap<Long, Long, order = [0 UP]>").is_err());
}
