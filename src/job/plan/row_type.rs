//! Logical row types as the plan writes them: ROW<`k` VARCHAR(2147483647), `v` BIGINT NOT NULL>.

use serde_json::Value;

/// A logical type of the plan as its serializable string: strings as written; JSON objects
/// (the form the plan uses for types without a string form, e.g. time attributes) rendered in
/// the same notation (`TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*`).
pub fn logical_type_string(v: &Value) -> Option<String> {
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
                        .and_then(logical_type_string)
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
        other => match precision {
            Some(p) => format!("{other}({p})"),
            None => other.to_string(),
        },
    };
    Some(format!("{base}{not_null}{kind}"))
}

/// A parsed `ROW<...>` type string: field names and their type strings as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowType {
    pub fields: Vec<(String, String)>,
}

impl RowType {
    pub fn parse(s: &str) -> Option<RowType> {
        let s = s.trim();
        let s = s.strip_suffix(" NOT NULL").unwrap_or(s);
        let inner = s.strip_prefix("ROW<")?.strip_suffix('>')?;
        let mut fields = Vec::new();
        for part in split_top_level(inner) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, rest) = if let Some(rest) = part.strip_prefix('`') {
                let mut name = String::new();
                let mut chars = rest.char_indices().peekable();
                let mut end = rest.len();
                while let Some((i, c)) = chars.next() {
                    if c == '`' {
                        if chars.peek().map(|&(_, d)| d) == Some('`') {
                            name.push('`');
                            chars.next();
                            continue;
                        }
                        end = i + 1;
                        break;
                    }
                    name.push(c);
                }
                (name, rest[end..].trim())
            } else {
                match part.split_once(' ') {
                    Some((n, t)) => (n.to_string(), t.trim()),
                    None => (part.to_string(), ""),
                }
            };
            // A field description is written after the type as '...'.
            let ty = strip_description(rest);
            fields.push((name, ty.to_string()));
        }
        Some(RowType { fields })
    }

    pub fn name(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|(n, _)| n.as_str())
    }

    pub fn type_of(&self, i: usize) -> Option<&str> {
        self.fields.get(i).map(|(_, t)| t.as_str())
    }
}

fn strip_description(t: &str) -> &str {
    let t = t.trim();
    if t.ends_with('\'') {
        // find the opening quote of a trailing '...'
        let mut depth = 0i32;
        for (i, c) in t.char_indices() {
            match c {
                '(' | '<' => depth += 1,
                ')' | '>' => depth -= 1,
                '\'' if depth == 0 => return t[..i].trim(),
                _ => {}
            }
        }
    }
    t
}

/// Splits at commas outside (), <>, backticks and quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '`' | '\'' => quote = Some(c),
                '(' | '<' => depth += 1,
                ')' | '>' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    out.push(&s[start..]);
    out
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
