//! Enums (by constant name) and Avro records (by schema resolution).

use super::{ChangeKind, Compat, Resolver, at};
use crate::schema::types::same_class;

impl Resolver<'_> {
    pub(super) fn enumeration(
        &mut self,
        p: &str,
        ca: &str,
        cb: &str,
        ka: Option<&[String]>,
        kb: Option<&[String]>,
    ) -> Compat {
        if !same_class(ca, cb) {
            return self.class_renamed(p, "enum", ca, cb);
        }
        let (Some(ka), Some(kb)) = (ka, kb) else {
            return Compat::AsIs;
        };
        let removed: Vec<&str> = ka
            .iter()
            .filter(|c| !kb.contains(c))
            .map(String::as_str)
            .collect();
        if !removed.is_empty() {
            return self.note(
                p,
                ChangeKind::EnumConstantRemoved,
                Compat::ReadFailure,
                format!(
                    "{}enum {ca}: constant(s) {} removed; Flink cannot build a serializer that reads the old ids",
                    at(p),
                    removed.join(", ")
                ),
            );
        }
        if ka == kb {
            return Compat::AsIs;
        }
        let added: Vec<&str> = kb
            .iter()
            .filter(|c| !ka.contains(c))
            .map(String::as_str)
            .collect();
        let reordered = !kb.iter().filter(|c| ka.contains(c)).eq(ka.iter());
        let mut what = Vec::new();
        if !added.is_empty() {
            what.push(format!("constant(s) {} added", added.join(", ")));
        }
        if reordered {
            what.push("constants reordered".to_string());
        }
        self.note(
            p,
            ChangeKind::EnumConstantsChanged,
            Compat::Reconfigured,
            format!(
                "{}enum {ca}: {}; Flink keeps the savepoint's ids and appends new constants",
                at(p),
                what.join(", ")
            ),
        )
    }

    pub(super) fn avro(
        &mut self,
        p: &str,
        ca: Option<&str>,
        cb: Option<&str>,
        sa: Option<&str>,
        sb: Option<&str>,
    ) -> Compat {
        const GENERIC: &str = "org.apache.avro.generic.GenericRecord";
        if let (Some(ca), Some(cb)) = (ca, cb)
            && ca != GENERIC
            && cb != GENERIC
            && !same_class(ca, cb)
        {
            return self.class_renamed(p, "Avro record", ca, cb);
        }
        let (Some(sa), Some(sb)) = (sa, sb) else {
            return self.note(
                p,
                ChangeKind::NotDescribed,
                Compat::Unknown,
                format!(
                    "{}the Avro schema of the {} side is not known: add `avroSchema` to the state declaration to check schema evolution",
                    at(p),
                    if sa.is_none() { "old" } else { "new" }
                ),
            );
        };
        if sa == sb {
            return Compat::AsIs;
        }
        let parse = |s: &str| apache_avro::Schema::parse_str(s);
        let (writer, reader) = match (parse(sa), parse(sb)) {
            (Ok(w), Ok(r)) => (w, r),
            (Err(e), _) | (_, Err(e)) => {
                return self.note(
                    p,
                    ChangeKind::NotDescribed,
                    Compat::Unknown,
                    format!("{}cannot parse an Avro schema: {e}", at(p)),
                );
            }
        };
        // Parsing Canonical Form equality: close to Avro's Schema#equals, which ignores docs
        // (a changed default value would make Flink migrate, harmlessly).
        if writer == reader {
            return Compat::AsIs;
        }
        use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};
        match SchemaCompatibility::can_read(&writer, &reader) {
            Ok(Compatibility::Full) => self.note(
                p,
                ChangeKind::AvroSchemaEvolved,
                Compat::AfterMigration,
                format!(
                    "{}the new Avro schema can read data written with the old one (Avro schema resolution): Flink migrates the state",
                    at(p)
                ),
            ),
            Ok(Compatibility::Partial) => self.note(
                p,
                ChangeKind::AvroIncompatible,
                Compat::Incompatible,
                format!(
                    "{}the new Avro schema can read only part of the old data (e.g. an enum symbol or union branch is missing without a default): Avro calls this incompatible",
                    at(p)
                ),
            ),
            Err(e) => self.note(
                p,
                ChangeKind::AvroIncompatible,
                Compat::Incompatible,
                format!("{}Avro schema resolution fails: {e}", at(p)),
            ),
        }
    }

    /// The savepoint has an Avro specific record the new job prints as a POJO.
    pub(super) fn avro_as_pojo(&mut self, p: &str, ca: &str) -> Compat {
        self.note(
    p,
    ChangeKind::NotDescribed,
    Compat::Unknown,
    format!(
        "{}the savepoint has Avro record {ca}; the new job's PojoType<...> is how Flink prints Avro specific records, so the Avro schemas decide: add `avroSchema` to the state declaration to compare them",
        at(p)
    ),
)
    }
}
