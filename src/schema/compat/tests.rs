use super::*;
use crate::schema::notation::{parse_state_type, parse_type};
use crate::schema::types::{Generic, Pojo, Subclass};

fn t(s: &str) -> Type {
    parse_type(s).unwrap_or_else(|e| panic!("{e}"))
}

fn check(old: &str, new: &str) -> Resolution {
    resolve(&t(old), &t(new), &Options::default())
}

fn kinds(r: &Resolution) -> Vec<ChangeKind> {
    r.decisive().map(|c| c.kind).collect()
}

#[test]
fn basic_types() {
    assert_eq!(check("Long", "Long").result, Compat::AsIs);
    let r = check("Integer", "Long");
    assert_eq!(r.result, Compat::Incompatible);
    assert_eq!(kinds(&r), [ChangeKind::TypeChanged]);
    assert!(
        r.changes[0].message.contains("Integer -> Long"),
        "{:?}",
        r.changes
    );
    assert_eq!(check("byte[]", "long[]").result, Compat::Incompatible);
    assert_eq!(check("Long", "String").result, Compat::Incompatible);
}

#[test]
fn pojo_evolution() {
    let base = "PojoType<a.P, fields = [count: Integer, name: String]>";
    assert_eq!(check(base, base).result, Compat::AsIs);
    let r = check(
        base,
        "PojoType<a.P, fields = [count: Integer, extra: Long, name: String]>",
    );
    assert_eq!(r.result, Compat::AfterMigration);
    assert_eq!(kinds(&r), [ChangeKind::FieldAdded]);
    assert_eq!(r.changes[0].path, "extra");
    let r = check(base, "PojoType<a.P, fields = [count: Integer]>");
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::AfterMigration, vec![ChangeKind::FieldRemoved])
    );
    let r = check(base, "PojoType<a.P, fields = [count: Long, name: String]>");
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::Incompatible, vec![ChangeKind::TypeChanged])
    );
    assert_eq!(r.changes[0].path, "count");
    // A nested POJO that evolved migrates with its parent.
    let r = check(
        "PojoType<a.P, fields = [inner: PojoType<a.Q, fields = [x: Long]>]>",
        "PojoType<a.P, fields = [inner: PojoType<a.Q, fields = [x: Long, y: Long]>]>",
    );
    assert_eq!(r.result, Compat::AfterMigration);
    assert_eq!(r.changes[0].path, "inner.y");
    // Renamed class: Flink fails reading the old snapshot.
    let r = check(
        base,
        "PojoType<a.Renamed, fields = [count: Integer, name: String]>",
    );
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::ReadFailure, vec![ChangeKind::ClassRenamed])
    );
    // No longer a POJO: Kryo now.
    let r = check(base, "GenericType<a.P>");
    assert_eq!(r.result, Compat::Incompatible);
}

#[test]
fn pojo_subclass_registrations() {
    let pojo = |registered: Option<Vec<&str>>, non_registered: Vec<&str>| {
        Type::Pojo(Pojo {
            class: "a.P".into(),
            fields: vec![],
            registered_subclasses: registered.map(|r| {
                r.into_iter()
                    .map(|c| Subclass {
                        class: c.into(),
                        ty: None,
                    })
                    .collect()
            }),
            non_registered_subclasses: Some(
                non_registered
                    .into_iter()
                    .map(|c| Subclass {
                        class: c.into(),
                        ty: None,
                    })
                    .collect(),
            ),
        })
    };
    let o = Options::default();
    let same = resolve(
        &pojo(Some(vec!["a.S1", "a.S2"]), vec![]),
        &pojo(Some(vec!["a.S1", "a.S2", "a.S3"]), vec![]),
        &o,
    );
    assert_eq!(same.result, Compat::AsIs);
    let reordered = resolve(
        &pojo(Some(vec!["a.S1", "a.S2"]), vec![]),
        &pojo(Some(vec!["a.S2", "a.S1"]), vec![]),
        &o,
    );
    assert_eq!(reordered.result, Compat::Reconfigured);
    let unregistered = resolve(
        &pojo(Some(vec![]), vec!["a.S9"]),
        &pojo(Some(vec![]), vec![]),
        &o,
    );
    assert_eq!(
        (unregistered.result, kinds(&unregistered)),
        (Compat::Reconfigured, vec![ChangeKind::SubclassesChanged])
    );
}

#[test]
fn tuples_rows_and_case_classes() {
    let r = check(
        "Java Tuple2<String, Long>",
        "Java Tuple3<String, Long, Long>",
    );
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::Incompatible, vec![ChangeKind::ArityChanged])
    );
    let r = check("Java Tuple2<String, Long>", "Java Tuple2<String, Integer>");
    assert_eq!(r.result, Compat::Incompatible);
    assert_eq!(r.changes[0].path, "f1");
    let r = check(
        "Row(name: String, cnt: Long)",
        "Row(name: String, cnt: Long, extra: Long)",
    );
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::Incompatible, vec![ChangeKind::ArityChanged])
    );
    // Row names are not stored: a rename alone is as is (and noted).
    let r = check(
        "Row(name: String, cnt: Long)",
        "Row(label: String, cnt: Long)",
    );
    assert_eq!(r.result, Compat::AsIs);
    assert_eq!(r.changes[0].kind, ChangeKind::FieldRenamed);
    // Row kind flag: snapshot-only detail.
    let row = |k| Type::Row {
        fields: vec![],
        row_kind: Some(k),
    };
    assert_eq!(
        resolve(&row(false), &row(true), &Options::default()).result,
        Compat::AfterMigration
    );
    assert_eq!(
        check("C(a: Long)", "C(a: Long, b: Long)").result,
        Compat::Incompatible
    );
}

#[test]
fn collections() {
    assert_eq!(check("List<Long>", "List<Long>").result, Compat::AsIs);
    let r = check(
        "Map<String, PojoType<a.V, fields = [x: Long]>>",
        "Map<String, PojoType<a.V, fields = [x: Long, y: Long]>>",
    );
    assert_eq!(r.result, Compat::AfterMigration);
    assert_eq!(r.changes[0].path, "value.y");
    assert_eq!(
        check("Map<String, Long>", "Map<Integer, Long>").result,
        Compat::Incompatible
    );
    assert_eq!(
        check("List<Long>", "Set<Long>").result,
        Compat::Incompatible
    );
    // Flink 1.x Kryo for a java.util collection vs the built-in serializer of 2.x.
    let r = check("GenericType<java.util.List>", "List<String>");
    assert_eq!(kinds(&r), [ChangeKind::KryoToBuiltInCollection]);
}

#[test]
fn enums() {
    let e = |c: &[&str]| Type::Enum {
        class: "a.Color".into(),
        constants: Some(c.iter().map(|s| s.to_string()).collect()),
    };
    let o = Options::default();
    assert_eq!(
        resolve(&e(&["RED", "GREEN"]), &e(&["RED", "GREEN"]), &o).result,
        Compat::AsIs
    );
    let added = resolve(&e(&["RED", "GREEN"]), &e(&["RED", "GREEN", "BLUE"]), &o);
    assert_eq!(
        (added.result, kinds(&added)),
        (Compat::Reconfigured, vec![ChangeKind::EnumConstantsChanged])
    );
    let reordered = resolve(&e(&["RED", "GREEN"]), &e(&["GREEN", "RED"]), &o);
    assert!(reordered.changes[0].message.contains("reordered"));
    assert_eq!(reordered.result, Compat::Reconfigured);
    let removed = resolve(&e(&["RED", "GREEN", "BLUE"]), &e(&["RED", "GREEN"]), &o);
    assert_eq!(
        (removed.result, kinds(&removed)),
        (Compat::ReadFailure, vec![ChangeKind::EnumConstantRemoved])
    );
    assert!(removed.changes[0].message.contains("BLUE"));
    // The notation does not list constants: assumed unchanged.
    assert_eq!(
        resolve(&e(&["RED"]), &t("EnumTypeInfo<a.Color>"), &o).result,
        Compat::AsIs
    );
    let renamed = resolve(&e(&["RED"]), &t("EnumTypeInfo<a.Colour>"), &o);
    assert_eq!(renamed.result, Compat::ReadFailure);
}

#[test]
fn kryo() {
    let g = |regs: &[&str]| {
        Type::Generic(Generic {
            class: "a.Outer$Blob".into(),
            registrations: Some(regs.iter().map(|r| (r.to_string(), None)).collect()),
            default_serializers: Some(vec![]),
        })
    };
    let o = Options::default();
    assert_eq!(
        resolve(&g(&["x", "y"]), &g(&["x", "y", "z"]), &o).result,
        Compat::AsIs
    );
    assert_eq!(
        resolve(&g(&["x", "y"]), &g(&["y", "x"]), &o).result,
        Compat::Reconfigured
    );
    // Canonical names (GenericType<...> prints them) match binary names.
    assert_eq!(
        resolve(&g(&["x"]), &t("GenericType<a.Outer.Blob>"), &o).result,
        Compat::AsIs
    );
    assert_eq!(
        resolve(&g(&["x"]), &t("GenericType<a.Other>"), &o).result,
        Compat::ReadFailure
    );
}

#[test]
fn row_data_is_exact() {
    let old = "ROW<`f0` BIGINT, `f1` BIGINT>";
    // Top-level names are not stored in the snapshot.
    assert_eq!(
        check(old, "ROW<`cnt` BIGINT, `sum` BIGINT>").result,
        Compat::AsIs
    );
    let r = check(old, "ROW<`cnt` BIGINT NOT NULL, `sum` BIGINT>");
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::Incompatible, vec![ChangeKind::RowDataChanged])
    );
    assert!(
        r.changes[0].message.contains("only nullability"),
        "{}",
        r.changes[0].message
    );
    assert_eq!(check(old, "ROW<`a` BIGINT>").result, Compat::Incompatible);
    assert_eq!(
        check(old, "ROW<`a` BIGINT, `b` INT>").result,
        Compat::Incompatible
    );
    // Nested row field names count.
    assert_eq!(
        check("ROW<`r` ROW<`a` INT>>", "ROW<`r` ROW<`b` INT>>").result,
        Compat::Incompatible
    );
    // Summary strings and serializable strings describe the same types.
    assert_eq!(
        check("ROW<`f0` VARCHAR(2147483647)>", "ROW<`k` STRING>").result,
        Compat::AsIs
    );
    assert_eq!(
        check("ROW<`f0` DECIMAL(10, 2)>", "ROW<`f0` DECIMAL(12, 2)>").result,
        Compat::Incompatible
    );
}

#[test]
fn ttl_depends_on_the_flink_version() {
    let plain = t("Long");
    let ttl = Type::Ttl(Box::new(t("Long")));
    let old_flink = Options {
        ttl_migration: false,
        legacy_snapshots_unreadable: true,
    };
    let new_flink = Options {
        ttl_migration: true,
        legacy_snapshots_unreadable: true,
    };
    let r = resolve(&plain, &ttl, &old_flink);
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::Incompatible, vec![ChangeKind::TtlChanged])
    );
    assert!(r.changes[0].message.contains("enabled"));
    let r = resolve(&ttl, &plain, &new_flink);
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::AfterMigration, vec![ChangeKind::TtlChanged])
    );
    assert!(r.changes[0].message.contains("disabled"));
    // On 2.1+ the inner types still decide.
    let r = resolve(&Type::Ttl(Box::new(t("Long"))), &t("String"), &new_flink);
    assert_eq!(r.result, Compat::Incompatible);
    assert_eq!(resolve(&ttl, &ttl, &old_flink).result, Compat::AsIs);
}

#[test]
fn avro_schema_resolution() {
    let v1 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"}]}"#;
    let v2 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}"#;
    let v3 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"long"},{"name":"note","type":"string"}]}"#;
    let v4 = r#"{"type":"record","name":"Event","fields":[{"name":"id","type":"int"}]}"#;
    let avro = |s: &str| parse_state_type("AvroType<com.acme.Event>", Some(s)).unwrap();
    let o = Options::default();
    assert_eq!(resolve(&avro(v1), &avro(v1), &o).result, Compat::AsIs);
    let r = resolve(&avro(v1), &avro(v2), &o);
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::AfterMigration, vec![ChangeKind::AvroSchemaEvolved])
    );
    let r = resolve(&avro(v1), &avro(v3), &o);
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::Incompatible, vec![ChangeKind::AvroIncompatible])
    );
    assert!(
        r.changes[0].message.contains("note"),
        "{}",
        r.changes[0].message
    );
    // long -> int cannot be read; int -> long can (promotion).
    assert_eq!(
        resolve(&avro(v1), &avro(v4), &o).result,
        Compat::Incompatible
    );
    assert_eq!(
        resolve(&avro(v4), &avro(v1), &o).result,
        Compat::AfterMigration
    );
    // Without the new schema nothing can be said.
    let r = resolve(&avro(v1), &t("AvroType<com.acme.Event>"), &o);
    assert_eq!(
        (r.result, kinds(&r)),
        (Compat::Unknown, vec![ChangeKind::NotDescribed])
    );
    // Flink prints Avro specific records as PojoType<...>.
    let r = resolve(
        &avro(v1),
        &t("PojoType<com.acme.Event, fields = [id: Long]>"),
        &o,
    );
    assert_eq!(r.result, Compat::Unknown);
    assert_eq!(
        resolve(&avro(v1), &avro("not json"), &o).result,
        Compat::Unknown
    );
}

#[test]
fn user_and_legacy_snapshots() {
    let opaque = |c: &str| Type::Opaque {
        class: c.into(),
        reason: "user".into(),
        version: None,
    };
    let o = Options::default();
    let r = resolve(&opaque("a.MySnap"), &opaque("a.MySnap"), &o);
    assert_eq!(
        (r.result, kinds(&r)),
        (
            Compat::Unknown,
            vec![ChangeKind::UserSerializer {
                old: true,
                new: true
            }]
        )
    );
    assert_eq!(
        resolve(&t("Long"), &opaque("a.MySnap"), &o).result,
        Compat::Unknown
    );
    let legacy = Type::Legacy {
        class: "a.Old".into(),
        serializer: None,
    };
    assert_eq!(resolve(&legacy, &t("Long"), &o).result, Compat::ReadFailure);
    let o16 = Options {
        ttl_migration: false,
        legacy_snapshots_unreadable: false,
    };
    assert_eq!(resolve(&legacy, &t("Long"), &o16).result, Compat::Unknown);
}

#[test]
fn worst_part_decides() {
    let r = check(
        "Java Tuple3<PojoType<a.P, fields = [x: Long]>, Long, Integer>",
        "Java Tuple3<PojoType<a.P, fields = [x: Long, y: Long]>, Long, Long>",
    );
    assert_eq!(r.result, Compat::Incompatible);
    assert_eq!(r.changes.len(), 2);
    assert_eq!(kinds(&r), [ChangeKind::TypeChanged]);
    assert!(Compat::AfterMigration.is_compatible() && !Compat::Unknown.is_compatible());
    let deep = (0..300).fold(t("Long"), |acc, _| Type::List(Box::new(acc)));
    assert_eq!(
        resolve(&deep, &deep, &Options::default()).result,
        Compat::Unknown
    );
}
