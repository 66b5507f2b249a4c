//! Bounded walks over a parsed value: list elements, a compact rendering, a short description.

use std::fmt::Write as _;

use super::value::{ArrayElements, JavaPrim, JavaValue};

const MAX_LIST_WRAPPERS: usize = 16;

/// The elements of a serialized `java.util.List`/`Collection` (or of an array): `ArrayList`,
/// `LinkedList`, `Vector`, `Arrays$ArrayList`, the `Collections` wrappers (unmodifiable,
/// synchronized, checked, singleton, empty) and `List.of` (`java.util.CollSer`).
pub fn list_elements(v: &JavaValue) -> Option<Vec<&JavaValue>> {
    list_elements_at(v, 0)
}

fn list_elements_at(v: &JavaValue, depth: usize) -> Option<Vec<&JavaValue>> {
    if depth > MAX_LIST_WRAPPERS {
        return None;
    }
    match v {
        JavaValue::Array(a) => match &a.elements {
            ArrayElements::Values(values) => Some(values.iter().collect()),
            ArrayElements::Bytes(_) => None,
        },
        JavaValue::Object(o) => match &*o.class {
            "java.util.ArrayList" | "java.util.LinkedList" | "java.util.CollSer" => {
                Some(o.annotation_objects(&o.class))
            }
            "java.util.Vector" => {
                let count = usize::try_from(o.field("elementCount")?.as_i32()?).ok()?;
                let data = list_elements_at(o.field("elementData")?, depth + 1)?;
                Some(data.into_iter().take(count).collect())
            }
            "java.util.Arrays$ArrayList" => list_elements_at(o.field("a")?, depth + 1),
            "java.util.Collections$EmptyList" | "java.util.Collections$EmptySet" => Some(vec![]),
            "java.util.Collections$SingletonList" | "java.util.Collections$SingletonSet" => {
                o.field("element").map(|e| vec![e])
            }
            _ => {
                // Collections$Unmodifiable*/Synchronized*/Checked* wrappers keep the wrapped
                // collection in `list` (lists) or `c` (all collections).
                let inner = o.field("list").or_else(|| o.field("c"))?;
                list_elements_at(inner, depth + 1)
            }
        },
        _ => None,
    }
}

/// A compact, bounded, deterministic rendering of a value (handle numbers left out), e.g. for
/// comparing two values' content or for error messages. Output longer than `max_len` bytes is cut
/// and ends in `...`.
pub fn render(v: &JavaValue, max_len: usize) -> String {
    let mut out = String::new();
    render_into(v, &mut out, max_len);
    if out.len() > max_len {
        let mut cut = max_len;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

fn render_into(v: &JavaValue, out: &mut String, max_len: usize) {
    if out.len() > max_len {
        return;
    }
    match v {
        JavaValue::Null => out.push_str("null"),
        JavaValue::Prim(p) => {
            let _ = match p {
                JavaPrim::Byte(x) => write!(out, "{x}b"),
                JavaPrim::Char(x) => write!(out, "'\\u{x:04x}'"),
                JavaPrim::Double(x) => write!(out, "{x:?}d"),
                JavaPrim::Float(x) => write!(out, "{x:?}f"),
                JavaPrim::Int(x) => write!(out, "{x}"),
                JavaPrim::Long(x) => write!(out, "{x}L"),
                JavaPrim::Short(x) => write!(out, "{x}s"),
                JavaPrim::Boolean(x) => write!(out, "{x}"),
            };
        }
        JavaValue::String(s) => {
            let _ = write!(out, "{s:?}");
        }
        JavaValue::Enum { class, constant } => {
            let _ = write!(out, "{class}.{constant}");
        }
        JavaValue::Class(c) => {
            let _ = write!(out, "class {c}");
        }
        JavaValue::ClassDesc(c) => {
            let _ = write!(out, "classdesc {c}");
        }
        JavaValue::BlockData(b) => {
            out.push('<');
            for byte in b.iter() {
                if out.len() > max_len {
                    break;
                }
                let _ = write!(out, "{byte:02x}");
            }
            out.push('>');
        }
        JavaValue::Cycle { class, .. } => {
            let _ = write!(out, "<cycle {class}>");
        }
        JavaValue::Array(a) => {
            let _ = write!(out, "{}[", a.class);
            match &a.elements {
                ArrayElements::Bytes(b) => {
                    for byte in b {
                        if out.len() > max_len {
                            break;
                        }
                        let _ = write!(out, "{byte:02x}");
                    }
                }
                ArrayElements::Values(values) => {
                    for (i, e) in values.iter().enumerate() {
                        if out.len() > max_len {
                            break;
                        }
                        if i > 0 {
                            out.push_str(", ");
                        }
                        render_into(e, out, max_len);
                    }
                }
            }
            out.push(']');
        }
        JavaValue::Object(o) => {
            let _ = write!(out, "{}{{", o.class);
            for (i, f) in o.fields.iter().enumerate() {
                if out.len() > max_len {
                    break;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}=", f.name);
                render_into(&f.value, out, max_len);
            }
            for a in &o.annotations {
                if out.len() > max_len {
                    break;
                }
                let _ = write!(out, "; {}:(", a.class);
                for (i, e) in a.contents.iter().enumerate() {
                    if out.len() > max_len {
                        break;
                    }
                    if i > 0 {
                        out.push_str(", ");
                    }
                    render_into(e, out, max_len);
                }
                out.push(')');
            }
            out.push('}');
        }
    }
}

/// A few words naming what a value is, for error messages.
pub(super) fn describe(v: &JavaValue) -> String {
    match v {
        JavaValue::Null => "null".into(),
        JavaValue::Prim(p) => format!("{p:?}"),
        JavaValue::String(_) => "a string".into(),
        JavaValue::Object(o) => format!("an object of {}", o.class),
        JavaValue::Array(a) => format!("an array {}", a.class),
        JavaValue::Enum { class, constant } => format!("enum {class}.{constant}"),
        JavaValue::Class(c) => format!("class {c}"),
        JavaValue::ClassDesc(c) => format!("class descriptor {c}"),
        JavaValue::BlockData(_) => "block data".into(),
        JavaValue::Cycle { class, .. } => format!("an incomplete object of {class}"),
    }
}
