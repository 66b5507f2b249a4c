//! The stream grammar (chapter 6 of the Java Object Serialization Specification).

use std::rc::Rc;

use super::value::{
    ArrayElements, ClassAnnotation, JavaArray, JavaField, JavaObject, JavaPrim, JavaValue,
};
use super::walk::describe;
use super::*;
use crate::javaio::data_input::{DataReader, DecodeResult, decode_modified_utf8};

/// True if `bytes` start with the stream header `AC ED 00 05`.
pub fn is_stream_start(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xAC, 0xED, 0x00, 0x05])
}

/// Reads one complete stream (magic, version, one top-level content, with any `TC_RESET`s
/// before it) and leaves `r` just after it.
pub fn read_stream(r: &mut DataReader) -> DecodeResult<JavaValue> {
    let at = r.offset();
    let magic = r.u16("Java serialization stream magic 0xACED")?;
    if magic != STREAM_MAGIC {
        return Err(r.error_at(
            at,
            "Java serialization stream magic 0xACED",
            format!("{magic:#06x}"),
        ));
    }
    let at = r.offset();
    let version = r.u16("Java serialization stream version")?;
    if version != STREAM_VERSION {
        return Err(r.error_at(
            at,
            "Java serialization stream version 5",
            version.to_string(),
        ));
    }
    let mut parser = Parser {
        r,
        handles: Vec::new(),
        depth: 0,
    };
    parser.read_content(Allow::TopLevel)
}

/// Reads past one complete stream, like [`read_stream`], discarding the value.
pub fn skip_stream(r: &mut DataReader) -> DecodeResult<()> {
    read_stream(r).map(|_| ())
}

/// A class descriptor as read from the stream.
#[derive(Debug)]
struct ClassDesc {
    name: Rc<str>,
    flags: u8,
    fields: Vec<FieldDesc>,
    super_desc: Option<Rc<ClassDesc>>,
    /// Number of descriptors in the chain starting here (1 for a class without super class).
    chain_len: usize,
}

#[derive(Debug)]
struct FieldDesc {
    type_code: u8,
    name: Rc<str>,
}

enum Slot {
    Desc(Rc<ClassDesc>),
    /// A class descriptor still being read: references to it are rejected (a class cannot be
    /// its own superclass).
    DescPending,
    Value(JavaValue),
    /// An object or array still being read: references to it become [`JavaValue::Cycle`].
    Pending(Rc<str>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Allow {
    /// The top-level content of a stream: anything including block data.
    TopLevel,
    /// Inside an annotation: objects and block data, `TC_ENDBLOCKDATA` ends it (handled by the
    /// caller).
    Annotation,
    /// A field value or array element: objects only.
    Object,
}

struct Parser<'r, 'a> {
    r: &'r mut DataReader<'a>,
    handles: Vec<Slot>,
    depth: usize,
}

impl Parser<'_, '_> {
    fn enter(&mut self) -> DecodeResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.r.error(
                format!("Java serialization nesting of at most {MAX_DEPTH} levels"),
                "deeper nesting",
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn new_handle(&mut self, slot: Slot) -> DecodeResult<usize> {
        if self.handles.len() >= MAX_HANDLES {
            return Err(self.r.error(
                format!("at most {MAX_HANDLES} Java serialization handles"),
                "more",
            ));
        }
        self.handles.push(slot);
        Ok(self.handles.len() - 1)
    }

    fn set_handle(&mut self, index: usize, slot: Slot) {
        if let Some(s) = self.handles.get_mut(index) {
            *s = slot;
        }
    }

    /// Reads a u32 handle after `TC_REFERENCE` and returns its slot index.
    fn read_handle(&mut self) -> DecodeResult<usize> {
        let at = self.r.offset();
        let raw = self.r.i32("Java serialization handle")? as u32;
        let index = raw.wrapping_sub(BASE_WIRE_HANDLE) as usize;
        if raw < BASE_WIRE_HANDLE || index >= self.handles.len() {
            return Err(self.r.error_at(
                at,
                format!(
                    "a handle between {BASE_WIRE_HANDLE:#x} and {:#x}",
                    BASE_WIRE_HANDLE as usize + self.handles.len()
                ),
                format!("{raw:#x}"),
            ));
        }
        Ok(index)
    }

    fn check_tree_size(&self, at: u64, size: u64) -> DecodeResult<()> {
        if size > MAX_TREE_NODES {
            return Err(self.r.error_at(
                at,
                format!("a Java object graph of at most {MAX_TREE_NODES} nodes"),
                "a larger one (counting shared objects once per reference)",
            ));
        }
        Ok(())
    }

    /// One `content` (an object, or block data where allowed).
    fn read_content(&mut self, allow: Allow) -> DecodeResult<JavaValue> {
        self.enter()?;
        let out = self.read_content_inner(allow);
        self.leave();
        out
    }

    fn read_content_inner(&mut self, allow: Allow) -> DecodeResult<JavaValue> {
        loop {
            let at = self.r.offset();
            let tc = self.r.u8("Java serialization type code")?;
            return match tc {
                TC_NULL => Ok(JavaValue::Null),
                TC_REFERENCE => self.read_reference_value(at),
                TC_CLASSDESC | TC_PROXYCLASSDESC => {
                    let desc = self.read_class_desc_after_tc(tc)?;
                    Ok(JavaValue::ClassDesc(desc.name.clone()))
                }
                TC_OBJECT => self.read_object(at),
                TC_STRING => self.read_string_body(false),
                TC_LONGSTRING => self.read_string_body(true),
                TC_ARRAY => self.read_array(at),
                TC_CLASS => {
                    let desc = self.read_class_desc("class descriptor of a Class object")?;
                    let name = desc.map(|d| d.name.clone()).unwrap_or_else(|| Rc::from(""));
                    let value = JavaValue::Class(name);
                    self.new_handle(Slot::Value(value.clone()))?;
                    Ok(value)
                }
                TC_ENUM => self.read_enum(),
                TC_BLOCKDATA | TC_BLOCKDATALONG if allow != Allow::Object => {
                    let n = if tc == TC_BLOCKDATA {
                        usize::from(self.r.u8("block data length")?)
                    } else {
                        self.r.length("block data length")?
                    };
                    let bytes = self.r.take(n, "block data")?;
                    Ok(JavaValue::BlockData(Rc::from(bytes)))
                }
                TC_RESET if self.depth == 1 && allow == Allow::TopLevel => {
                    self.handles.clear();
                    continue;
                }
                TC_EXCEPTION => Err(self.r.error_at(
                    at,
                    "a Java serialization content",
                    "TC_EXCEPTION (the writer failed while serializing)",
                )),
                _ => Err(self.r.error_at(
                    at,
                    match allow {
                        Allow::Object => "a Java serialization object type code",
                        _ => "a Java serialization content type code",
                    },
                    format!("{tc:#04x}"),
                )),
            };
        }
    }

    fn read_reference_value(&mut self, at: u64) -> DecodeResult<JavaValue> {
        let index = self.read_handle()?;
        match self.handles.get(index) {
            Some(Slot::Value(v)) => Ok(v.clone()),
            Some(Slot::Desc(d)) => Ok(JavaValue::ClassDesc(d.name.clone())),
            Some(Slot::Pending(class)) => Ok(JavaValue::Cycle {
                class: class.clone(),
                handle: BASE_WIRE_HANDLE.wrapping_add(index as u32),
            }),
            Some(Slot::DescPending) | None => Err(self.r.error_at(
                at,
                "a reference to a completely read object",
                "a reference to a class descriptor still being read",
            )),
        }
    }

    fn read_string_body(&mut self, long: bool) -> DecodeResult<JavaValue> {
        let at = self.r.offset();
        let n = if long {
            let n = self.r.i64("long string length")?;
            if n < 0 || n as u64 > self.r.remaining() as u64 {
                return Err(self.r.error_at(
                    at,
                    format!(
                        "long string length of at most {} (the bytes left)",
                        self.r.remaining()
                    ),
                    n.to_string(),
                ));
            }
            n as usize
        } else {
            usize::from(self.r.u16("string length")?)
        };
        let raw = self.r.take(n, "string bytes")?;
        let s = decode_modified_utf8(raw).ok_or_else(|| {
            self.r
                .error_at(at, "a modified UTF-8 string", "invalid bytes")
        })?;
        let value = JavaValue::String(Rc::from(&*s));
        self.new_handle(Slot::Value(value.clone()))?;
        Ok(value)
    }

    /// A `(String)object` position: a new string or a reference to one.
    fn read_string_object(&mut self, what: &str) -> DecodeResult<Rc<str>> {
        let at = self.r.offset();
        let tc = self.r.u8(what)?;
        let v = match tc {
            TC_STRING => self.read_string_body(false)?,
            TC_LONGSTRING => self.read_string_body(true)?,
            TC_REFERENCE => self.read_reference_value(at)?,
            _ => {
                return Err(self.r.error_at(
                    at,
                    format!("{what} (TC_STRING or TC_REFERENCE)"),
                    format!("{tc:#04x}"),
                ));
            }
        };
        match v {
            JavaValue::String(s) => Ok(s),
            other => Err(self.r.error_at(
                at,
                format!("{what} referring to a string"),
                describe(&other),
            )),
        }
    }

    /// A `classDesc` position: new descriptor, proxy descriptor, null or reference.
    fn read_class_desc(&mut self, what: &str) -> DecodeResult<Option<Rc<ClassDesc>>> {
        let at = self.r.offset();
        let tc = self.r.u8(what)?;
        match tc {
            TC_NULL => Ok(None),
            TC_CLASSDESC | TC_PROXYCLASSDESC => {
                self.enter()?;
                let out = self.read_class_desc_after_tc(tc);
                self.leave();
                out.map(Some)
            }
            TC_REFERENCE => {
                let index = self.read_handle()?;
                match self.handles.get(index) {
                    Some(Slot::Desc(d)) => Ok(Some(d.clone())),
                    Some(Slot::DescPending) => Err(self.r.error_at(
                        at,
                        format!("{what}: a reference to a completely read class descriptor"),
                        "a reference to one still being read (a cyclic class hierarchy)",
                    )),
                    _ => Err(self.r.error_at(
                        at,
                        format!("{what}: a reference to a class descriptor"),
                        "a reference to something else",
                    )),
                }
            }
            _ => Err(self.r.error_at(
                at,
                format!("{what} (TC_CLASSDESC, TC_PROXYCLASSDESC, TC_NULL or TC_REFERENCE)"),
                format!("{tc:#04x}"),
            )),
        }
    }

    fn read_class_desc_after_tc(&mut self, tc: u8) -> DecodeResult<Rc<ClassDesc>> {
        let (name, flags, fields, handle) = if tc == TC_CLASSDESC {
            let name: Rc<str> = Rc::from(self.r.utf("class name")?);
            let _serial_version_uid = self.r.i64("serialVersionUID")?;
            let handle = self.new_handle(Slot::DescPending)?;
            let flags = self.r.u8("class descriptor flags")?;
            let n = self.r.count16("number of serializable fields", 3)?;
            let mut fields = Vec::with_capacity(n);
            for _ in 0..n {
                let at = self.r.offset();
                let type_code = self.r.u8("field type code")?;
                let field_name: Rc<str> = Rc::from(self.r.utf("field name")?);
                match type_code {
                    b'B' | b'C' | b'D' | b'F' | b'I' | b'J' | b'S' | b'Z' => {}
                    b'[' | b'L' => {
                        self.read_string_object("field type signature")?;
                    }
                    _ => {
                        return Err(self.r.error_at(
                            at,
                            "a field type code (B C D F I J S Z [ L)",
                            format!("{type_code:#04x}"),
                        ));
                    }
                }
                fields.push(FieldDesc {
                    type_code,
                    name: field_name,
                });
            }
            (name, flags, fields, handle)
        } else {
            let handle = self.new_handle(Slot::DescPending)?;
            let n = self.r.count("number of proxy interfaces", 2)?;
            let mut interfaces = Vec::with_capacity(n);
            for _ in 0..n {
                interfaces.push(self.r.utf("proxy interface name")?);
            }
            let name: Rc<str> = Rc::from(format!("$Proxy[{}]", interfaces.join(", ")));
            (name, SC_SERIALIZABLE, Vec::new(), handle)
        };
        self.read_annotation_contents()?; // classAnnotation: ignored
        let super_desc = self.read_class_desc("super class descriptor")?;
        let chain_len = super_desc.as_ref().map_or(0, |d| d.chain_len) + 1;
        if chain_len > MAX_CLASS_HIERARCHY {
            return Err(self.r.error(
                format!("a class hierarchy of at most {MAX_CLASS_HIERARCHY} serializable classes"),
                format!("a deeper one below {name}"),
            ));
        }
        let desc = Rc::new(ClassDesc {
            name,
            flags,
            fields,
            super_desc,
            chain_len,
        });
        self.set_handle(handle, Slot::Desc(desc.clone()));
        Ok(desc)
    }

    /// Contents up to and including `TC_ENDBLOCKDATA`.
    fn read_annotation_contents(&mut self) -> DecodeResult<Vec<JavaValue>> {
        let mut contents = Vec::new();
        loop {
            if self.r.peek_u8() == Some(TC_ENDBLOCKDATA) {
                self.r.u8("TC_ENDBLOCKDATA")?;
                return Ok(contents);
            }
            contents.push(self.read_content(Allow::Annotation)?);
        }
    }

    fn read_object(&mut self, at: u64) -> DecodeResult<JavaValue> {
        let desc = self
            .read_class_desc("class descriptor of an object")?
            .ok_or_else(|| {
                self.r
                    .error_at(at, "an object's class descriptor", "TC_NULL")
            })?;
        if desc.flags & SC_ENUM != 0 {
            return Err(self.r.error_at(
                at,
                "TC_ENUM for an enum class",
                format!("TC_OBJECT of enum class {}", desc.name),
            ));
        }
        let handle = self.new_handle(Slot::Pending(desc.name.clone()))?;
        let mut fields = Vec::new();
        let mut annotations = Vec::new();
        let mut size: u64 = 1;
        if desc.flags & SC_EXTERNALIZABLE != 0 {
            if desc.flags & SC_BLOCK_DATA == 0 {
                return Err(self.r.error_at(
                    at,
                    "externalizable data in block-data mode (protocol version 2)",
                    format!(
                        "protocol version 1 data of {}, which only its class can read",
                        desc.name
                    ),
                ));
            }
            let contents = self.read_annotation_contents()?;
            size = contents
                .iter()
                .fold(size, |s, v| s.saturating_add(v.tree_size()));
            annotations.push(ClassAnnotation {
                class: desc.name.clone(),
                contents,
            });
        } else {
            // The hierarchy from the topmost superclass down.
            let mut chain = Vec::with_capacity(desc.chain_len);
            let mut cur = Some(&desc);
            while let Some(d) = cur {
                chain.push(d);
                cur = d.super_desc.as_ref();
            }
            for d in chain.into_iter().rev() {
                if d.flags & SC_SERIALIZABLE == 0 {
                    continue;
                }
                for f in &d.fields {
                    let value = self.read_field_value(f)?;
                    size = size.saturating_add(value.tree_size());
                    fields.push(JavaField {
                        class: d.name.clone(),
                        name: f.name.clone(),
                        value,
                    });
                }
                if d.flags & SC_WRITE_METHOD != 0 {
                    let contents = self.read_annotation_contents()?;
                    size = contents
                        .iter()
                        .fold(size, |s, v| s.saturating_add(v.tree_size()));
                    annotations.push(ClassAnnotation {
                        class: d.name.clone(),
                        contents,
                    });
                }
            }
        }
        self.check_tree_size(at, size)?;
        let value = JavaValue::Object(Rc::new(JavaObject {
            class: desc.name.clone(),
            fields,
            annotations,
            tree_size: size,
        }));
        self.set_handle(handle, Slot::Value(value.clone()));
        Ok(value)
    }

    fn read_field_value(&mut self, f: &FieldDesc) -> DecodeResult<JavaValue> {
        self.read_typed_value(f.type_code, &f.name)
    }

    fn read_typed_value(&mut self, type_code: u8, what: &str) -> DecodeResult<JavaValue> {
        let r = &mut *self.r;
        Ok(match type_code {
            b'B' => JavaValue::Prim(JavaPrim::Byte(r.u8(what)? as i8)),
            b'C' => JavaValue::Prim(JavaPrim::Char(r.u16(what)?)),
            b'D' => JavaValue::Prim(JavaPrim::Double(f64::from_bits(r.i64(what)? as u64))),
            b'F' => JavaValue::Prim(JavaPrim::Float(f32::from_bits(r.i32(what)? as u32))),
            b'I' => JavaValue::Prim(JavaPrim::Int(r.i32(what)?)),
            b'J' => JavaValue::Prim(JavaPrim::Long(r.i64(what)?)),
            b'S' => JavaValue::Prim(JavaPrim::Short(r.i16(what)?)),
            b'Z' => JavaValue::Prim(JavaPrim::Boolean(r.bool(what)?)),
            _ => self.read_content(Allow::Object)?,
        })
    }

    fn read_array(&mut self, at: u64) -> DecodeResult<JavaValue> {
        let desc = self
            .read_class_desc("class descriptor of an array")?
            .ok_or_else(|| {
                self.r
                    .error_at(at, "an array's class descriptor", "TC_NULL")
            })?;
        let element_code = match desc.name.as_bytes() {
            [b'[', code, ..] => *code,
            _ => {
                return Err(self.r.error_at(
                    at,
                    "an array class name starting with '['",
                    desc.name.to_string(),
                ));
            }
        };
        let element_size = match element_code {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'I' | b'F' => 4,
            b'J' | b'D' => 8,
            b'[' | b'L' => 1,
            _ => {
                return Err(self.r.error_at(
                    at,
                    "an array element type code (B C D F I J S Z [ L)",
                    desc.name.to_string(),
                ));
            }
        };
        let handle = self.new_handle(Slot::Pending(desc.name.clone()))?;
        let n = self.r.count("array length", element_size)?;
        if element_code != b'B' && n as u64 >= MAX_TREE_NODES {
            return Err(self.r.error(
                format!("an array of fewer than {MAX_TREE_NODES} elements"),
                n.to_string(),
            ));
        }
        let (elements, size) = if element_code == b'B' {
            let bytes = self.r.take(n, "byte array elements")?;
            (ArrayElements::Bytes(bytes.to_vec()), 1 + (n as u64) / 64)
        } else {
            let mut values = Vec::with_capacity(n);
            let mut size: u64 = 1;
            for _ in 0..n {
                let v = self.read_typed_value(element_code, "array element")?;
                size = size.saturating_add(v.tree_size());
                values.push(v);
            }
            (ArrayElements::Values(values), size)
        };
        self.check_tree_size(at, size)?;
        let value = JavaValue::Array(Rc::new(JavaArray {
            class: desc.name.clone(),
            elements,
            tree_size: size,
        }));
        self.set_handle(handle, Slot::Value(value.clone()));
        Ok(value)
    }

    fn read_enum(&mut self) -> DecodeResult<JavaValue> {
        let at = self.r.offset();
        let desc = self
            .read_class_desc("class descriptor of an enum constant")?
            .ok_or_else(|| self.r.error_at(at, "an enum's class descriptor", "TC_NULL"))?;
        let handle = self.new_handle(Slot::Pending(desc.name.clone()))?;
        let constant = self.read_string_object("enum constant name")?;
        let value = JavaValue::Enum {
            class: desc.name.clone(),
            constant,
        };
        self.set_handle(handle, Slot::Value(value.clone()));
        Ok(value)
    }
}
