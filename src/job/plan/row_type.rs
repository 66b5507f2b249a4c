//! Logical row types as the plan writes them: ROW<`k` VARCHAR(2147483647), `v` BIGINT NOT NULL>.

use serde_json::Value;

use crate::schema::logical_type::LogicalType;
use crate::schema::notation::parse_row_fields;

/// A logical type of the plan as its serializable string: strings as written; JSON objects
/// (the form the plan uses for types without a string form, e.g. time attributes) rendered in
/// the same notation (`TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*`).
pub fn logical_type_string(v: &Value) -> Option<String> {
    type_string(v, 0)
}

/// Deepest type nesting rendered (the type-notation parser accepts as many levels).
const MAX_TYPE_DEPTH: usize = 64;

fn type_string(v: &Value, depth: usize) -> Option<String> {
    if depth > MAX_TYPE_DEPTH {
        return None;
    }
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    let o = v.as_object()?;
    let ty = o.get("type")?.as_str()?;
    let not_null = if o.get("nullable").and_then(Value::as_bool) == Some(false) {
        " NOT NULL"
    } else {
        ""
    };
    let precision = o.get("precision").and_then(Value::as_u64);
    let kind = match o.get("kind").and_then(Value::as_str) {
        Some("PROCTIME") => " *PROCTIME*",
        Some("ROWTIME") => " *ROWTIME*",
        _ => "",
    };
    let base = match ty {
        "ROW" => {
            let fields: Vec<String> = o
                .get("fields")?
                .as_array()?
                .iter()
                .map(|f| {
                    let name = f.get("name").and_then(Value::as_str).unwrap_or("?");
                    let t = f
                        .get("fieldType")
                        .and_then(|t| type_string(t, depth + 1))
                        .unwrap_or_else(|| "?".to_string());
                    format!("`{}` {t}", name.replace('`', "``"))
                })
                .collect();
            format!("ROW<{}>", fields.join(", "))
        }
        "TIMESTAMP_WITH_LOCAL_TIME_ZONE" => format!("TIMESTAMP_LTZ({})", precision.unwrap_or(6)),
        "TIMESTAMP_WITHOUT_TIME_ZONE" => format!("TIMESTAMP({})", precision.unwrap_or(6)),
        "TIMESTAMP_WITH_TIME_ZONE" => {
            format!("TIMESTAMP({}) WITH TIME ZONE", precision.unwrap_or(6))
        }
        // A data view or other raw value between a local and a global aggregate: only its class
        // is needed (the serializer's snapshot is elided, as Flink 1.x prints it).
        "RAW" => format!(
            "RAW('{}', '...')",
            o.get("class")?.as_str()?.replace('\'', "''")
        ),
        other => match precision {
            Some(p) => format!("{other}({p})"),
            None => other.to_string(),
        },
    };
    Some(format!("{base}{not_null}{kind}"))
}

/// A plan's `ROW<...>` type, read with the type-notation parser: field names, each field's
/// type string as written (the form job graphs and reports keep) and its parsed type.
#[derive(Debug, Clone, PartialEq)]
pub struct RowType {
    pub fields: Vec<(String, String)>,
    pub types: Vec<LogicalType>,
}

impl RowType {
    /// `None` when `s` is not a `ROW<...>` logical type.
    pub fn parse(s: &str) -> Option<RowType> {
        let fields = parse_row_fields(s).ok()?;
        let (fields, types) = fields
            .into_iter()
            .map(|f| ((f.name, f.written), f.ty))
            .unzip();
        Some(RowType { fields, types })
    }

    pub fn name(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|(n, _)| n.as_str())
    }

    pub fn type_of(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|(_, t)| t.as_str())
    }
}

/// The type as a nullable type (accumulators are nullable).
pub(super) fn nullable(t: &str) -> String {
    t.trim()
        .strip_suffix(" NOT NULL")
        .unwrap_or(t.trim())
        .to_string()
}

/// `ROW<`f0` T0, `f1` T1>`: how a savepoint's RowData serializer (types only) reads.
pub fn positional_row<S: AsRef<str>>(types: &[S]) -> String {
    let fields: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("`f{i}` {}", t.as_ref()))
        .collect();
    format!("ROW<{}>", fields.join(", "))
}
