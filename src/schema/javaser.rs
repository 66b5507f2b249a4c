//! A bounded reader for Java Object Serialization streams (`AC ED 00 05 ...`).
//!
//! Flink embeds complete Java serialization streams in savepoints: the `CheckpointProperties`
//! trailer of `_metadata` (V4+), one stream per field in `RowDataSerializerSnapshot` (a
//! `org.apache.flink.table.types.logical.*Type` object each) and the default-serializer blobs of
//! Kryo snapshots. This module parses such streams generically, following the grammar of chapter 6
//! of the Java Object Serialization Specification, into a [`JavaValue`] tree, without a JVM and
//! without knowing the classes.
//!
//! The reader is written for hostile input:
//! * every length and count is checked against the bytes left before anything is sized from it;
//! * recursion depth, the number of handles, the depth of class hierarchies and the size of the
//!   resulting value tree (shared sub-objects counted once per reference) are bounded, so any
//!   recursive walk over a returned tree is bounded too;
//! * back-references to objects that are still being read (cycles) resolve to
//!   [`JavaValue::Cycle`] placeholders, so the tree never contains an `Rc` cycle.
//!
//! [`checkpoint_properties`] interprets the `_metadata` trailer.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::savepoint::bytes::{DataReader, DecodeResult, decode_modified_utf8};

/// The stream magic `0xACED`.
pub const STREAM_MAGIC: u16 = 0xACED;
/// The only stream version in use since JDK 1.2.
pub const STREAM_VERSION: u16 = 5;

const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_ARRAY: u8 = 0x75;
const TC_CLASS: u8 = 0x76;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_RESET: u8 = 0x79;
const TC_BLOCKDATALONG: u8 = 0x7A;
const TC_EXCEPTION: u8 = 0x7B;
const TC_LONGSTRING: u8 = 0x7C;
const TC_PROXYCLASSDESC: u8 = 0x7D;
const TC_ENUM: u8 = 0x7E;

/// The first handle number assigned in a stream.
pub const BASE_WIRE_HANDLE: u32 = 0x7E_0000;

const SC_WRITE_METHOD: u8 = 0x01;
const SC_SERIALIZABLE: u8 = 0x02;
const SC_EXTERNALIZABLE: u8 = 0x04;
const SC_BLOCK_DATA: u8 = 0x08;
const SC_ENUM: u8 = 0x10;

/// Deepest nesting of objects, arrays and class descriptors accepted.
pub const MAX_DEPTH: usize = 100;
/// Most handles (objects, strings, class descriptors, ...) accepted in one stream.
pub const MAX_HANDLES: usize = 100_000;
/// Most classes in one class hierarchy (the object's class and its serializable superclasses).
pub const MAX_CLASS_HIERARCHY: usize = 64;
/// Largest value tree accepted, counting a shared sub-tree once per reference to it.
pub const MAX_TREE_NODES: u64 = 1_000_000;

/// A primitive value (a field of primitive type or an element of a primitive array).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JavaPrim {
    Byte(i8),
    Char(u16),
    Double(f64),
    Float(f32),
    Int(i32),
    Long(i64),
    Short(i16),
    Boolean(bool),
}

/// One value of a Java serialization stream.
#[derive(Debug, Clone, PartialEq)]
pub enum JavaValue {
    Null,
    Prim(JavaPrim),
    String(Rc<str>),
    Object(Rc<JavaObject>),
    Array(Rc<JavaArray>),
    Enum {
        /// The enum class (as written in the stream: the declaring enum class).
        class: Rc<str>,
        constant: Rc<str>,
    },
    /// A `java.lang.Class` object (`TC_CLASS`): the class name.
    Class(Rc<str>),
    /// A class descriptor written as a value (`ObjectOutputStream.writeObject(ObjectStreamClass)`).
    ClassDesc(Rc<str>),
    /// Optional data written by a class's `writeObject`/`writeExternal` (`TC_BLOCKDATA[LONG]`).
    /// The writer splits data into blocks at arbitrary points; see
    /// [`JavaObject::annotation_bytes`] for the concatenation.
    BlockData(Rc<[u8]>),
    /// A back-reference to an object or array that was still being read when the reference was
    /// met (a cycle in the object graph).
    Cycle {
        class: Rc<str>,
        handle: u32,
    },
}

/// A serialized object: its class, the field values of each serializable class in its
/// hierarchy, and what `writeObject`/`writeExternal` methods wrote beyond the fields.
#[derive(Debug, Clone, PartialEq)]
pub struct JavaObject {
    /// The object's class; proxies are named `$Proxy[interface, ...]`.
    pub class: Rc<str>,
    /// Field values in stream order: classes from the topmost serializable superclass down, and
    /// each class's fields in its descriptor order (primitives first, then by name).
    pub fields: Vec<JavaField>,
    /// For each class whose data carries an annotation (classes with a `writeObject` method,
    /// externalizable classes written in block-data mode): the contents up to `TC_ENDBLOCKDATA`.
    pub annotations: Vec<ClassAnnotation>,
    tree_size: u64,
}

/// One field value of a [`JavaObject`].
#[derive(Debug, Clone, PartialEq)]
pub struct JavaField {
    /// The class declaring the field.
    pub class: Rc<str>,
    pub name: Rc<str>,
    pub value: JavaValue,
}

/// The contents a class's `writeObject`/`writeExternal` wrote after its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassAnnotation {
    pub class: Rc<str>,
    pub contents: Vec<JavaValue>,
}

/// A serialized array.
#[derive(Debug, Clone, PartialEq)]
pub struct JavaArray {
    /// The array class name as in the stream, e.g. `[I`, `[Ljava.lang.String;`.
    pub class: Rc<str>,
    pub elements: ArrayElements,
    tree_size: u64,
}

/// Array elements; `byte[]` is kept compact.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayElements {
    Bytes(Vec<u8>),
    Values(Vec<JavaValue>),
}

impl ArrayElements {
    pub fn len(&self) -> usize {
        match self {
            ArrayElements::Bytes(b) => b.len(),
            ArrayElements::Values(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl JavaValue {
    pub fn is_null(&self) -> bool {
        matches!(self, JavaValue::Null)
    }

    pub fn as_object(&self) -> Option<&JavaObject> {
        match self {
            JavaValue::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&JavaArray> {
        match self {
            JavaValue::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            JavaValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            JavaValue::Prim(JavaPrim::Boolean(b)) => Some(*b),
            _ => None,
        }
    }

    /// An `int` (or a narrower integral primitive) value.
    pub fn as_i32(&self) -> Option<i32> {
        match self {
            JavaValue::Prim(JavaPrim::Int(v)) => Some(*v),
            JavaValue::Prim(JavaPrim::Short(v)) => Some(i32::from(*v)),
            JavaValue::Prim(JavaPrim::Byte(v)) => Some(i32::from(*v)),
            JavaValue::Prim(JavaPrim::Char(v)) => Some(i32::from(*v)),
            _ => None,
        }
    }

    /// A `long` (or a narrower integral primitive) value.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            JavaValue::Prim(JavaPrim::Long(v)) => Some(*v),
            other => other.as_i32().map(i64::from),
        }
    }

    /// The `(enum class, constant name)` of an enum value.
    pub fn as_enum(&self) -> Option<(&str, &str)> {
        match self {
            JavaValue::Enum { class, constant } => Some((class, constant)),
            _ => None,
        }
    }

    /// The enum constant name of an enum value.
    pub fn enum_constant(&self) -> Option<&str> {
        self.as_enum().map(|(_, c)| c)
    }

    /// The class of an object, array, enum or cycle placeholder.
    pub fn class_name(&self) -> Option<&str> {
        match self {
            JavaValue::Object(o) => Some(&o.class),
            JavaValue::Array(a) => Some(&a.class),
            JavaValue::Enum { class, .. } | JavaValue::Cycle { class, .. } => Some(class),
            JavaValue::String(_) => Some("java.lang.String"),
            JavaValue::Class(_) => Some("java.lang.Class"),
            _ => None,
        }
    }

    /// Number of nodes in this value's tree, counting shared sub-trees once per reference.
    pub fn tree_size(&self) -> u64 {
        match self {
            JavaValue::Object(o) => o.tree_size,
            JavaValue::Array(a) => a.tree_size,
            _ => 1,
        }
    }

    /// Calls `f` on this value and every value below it (fields, annotations, array elements),
    /// visiting each shared object or array once.
    pub fn walk(&self, f: &mut dyn FnMut(&JavaValue)) {
        let mut seen = HashSet::new();
        self.walk_inner(f, &mut seen);
    }

    fn walk_inner(&self, f: &mut dyn FnMut(&JavaValue), seen: &mut HashSet<*const ()>) {
        f(self);
        match self {
            JavaValue::Object(o) => {
                if !seen.insert(Rc::as_ptr(o) as *const ()) {
                    return;
                }
                for field in &o.fields {
                    field.value.walk_inner(f, seen);
                }
                for ann in &o.annotations {
                    for v in &ann.contents {
                        v.walk_inner(f, seen);
                    }
                }
            }
            JavaValue::Array(a) => {
                if !seen.insert(Rc::as_ptr(a) as *const ()) {
                    return;
                }
                if let ArrayElements::Values(values) = &a.elements {
                    for v in values {
                        v.walk_inner(f, seen);
                    }
                }
            }
            _ => {}
        }
    }

    /// Every enum constant in the tree as `(enum class, constant)`, in stream order.
    pub fn enum_constants(&self) -> Vec<(Rc<str>, Rc<str>)> {
        let mut out = Vec::new();
        self.walk(&mut |v| {
            if let JavaValue::Enum { class, constant } = v {
                out.push((class.clone(), constant.clone()));
            }
        });
        out
    }

    /// Every string value in the tree, in stream order (field and class names are not values).
    pub fn strings(&self) -> Vec<Rc<str>> {
        let mut out = Vec::new();
        self.walk(&mut |v| {
            if let JavaValue::String(s) = v {
                out.push(s.clone());
            }
        });
        out
    }

    /// Every object in the tree whose class is `class`.
    pub fn objects_of_class(&self, class: &str) -> Vec<Rc<JavaObject>> {
        let mut out = Vec::new();
        self.walk(&mut |v| {
            if let JavaValue::Object(o) = v
                && &*o.class == class
            {
                out.push(o.clone());
            }
        });
        out
    }
}

impl JavaObject {
    /// The value of field `name`; if several classes of the hierarchy declare a field of that
    /// name, the most derived one wins.
    pub fn field(&self, name: &str) -> Option<&JavaValue> {
        self.fields
            .iter()
            .rev()
            .find(|f| &*f.name == name)
            .map(|f| &f.value)
    }

    /// The value of field `name` declared by `class`.
    pub fn field_of(&self, class: &str, name: &str) -> Option<&JavaValue> {
        self.fields
            .iter()
            .find(|f| &*f.class == class && &*f.name == name)
            .map(|f| &f.value)
    }

    /// The annotation contents written by `class` (its `writeObject`/`writeExternal`).
    pub fn annotation(&self, class: &str) -> Option<&[JavaValue]> {
        self.annotations
            .iter()
            .find(|a| &*a.class == class)
            .map(|a| a.contents.as_slice())
    }

    /// The objects (everything but block data) of `class`'s annotation.
    pub fn annotation_objects(&self, class: &str) -> Vec<&JavaValue> {
        self.annotation(class)
            .unwrap_or_default()
            .iter()
            .filter(|v| !matches!(v, JavaValue::BlockData(_)))
            .collect()
    }

    /// All block data of `class`'s annotation, concatenated.
    pub fn annotation_bytes(&self, class: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for v in self.annotation(class).unwrap_or_default() {
            if let JavaValue::BlockData(b) = v {
                out.extend_from_slice(b);
            }
        }
        out
    }

    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }
}

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

// ------------------------------------------------------------------------------------------------

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

fn describe(v: &JavaValue) -> String {
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

// ------------------------------------------------------------------------------------------------
// The `_metadata` trailer.

const CHECKPOINT_PROPERTIES_CLASS: &str =
    "org.apache.flink.runtime.checkpoint.CheckpointProperties";
const SAVEPOINT_TYPE_CLASS: &str = "org.apache.flink.runtime.checkpoint.SavepointType";
const CHECKPOINT_TYPE_CLASS: &str = "org.apache.flink.runtime.checkpoint.CheckpointType";

/// What the Java-serialized `CheckpointProperties` at the end of a V4+ `_metadata` says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckpointProperties {
    /// The class of `checkpointType`: `...checkpoint.SavepointType` or `...checkpoint.CheckpointType`.
    pub snapshot_type_class: String,
    pub is_savepoint: bool,
    /// `SavepointType.formatType`: `"CANONICAL"` or `"NATIVE"` (savepoints only).
    pub savepoint_format: Option<String>,
    /// The snapshot type's `name`, e.g. `"Savepoint"`, `"Terminate Savepoint"`, `"Checkpoint"`,
    /// `"Full Checkpoint"`.
    pub type_name: Option<String>,
    /// `SavepointType.postCheckpointAction`: `"NONE"`, `"TERMINATE"` or `"SUSPEND"`.
    pub post_checkpoint_action: Option<String>,
    /// `CheckpointType.sharingFilesStrategy`: `"FORWARD_BACKWARD"`, `"FORWARD"`, `"NO_SHARING"`.
    pub sharing_files_strategy: Option<String>,
    pub forced: Option<bool>,
    pub discard_subsumed: Option<bool>,
    pub discard_finished: Option<bool>,
    pub discard_cancelled: Option<bool>,
    pub discard_failed: Option<bool>,
    pub discard_suspended: Option<bool>,
    pub unclaimed: Option<bool>,
}

/// Interprets a parsed trailer stream: `None` unless `v` is a `CheckpointProperties` object.
pub fn checkpoint_properties(v: &JavaValue) -> Option<CheckpointProperties> {
    let o = v.as_object()?;
    if &*o.class != CHECKPOINT_PROPERTIES_CLASS {
        return None;
    }
    let flag = |name: &str| o.field(name).and_then(JavaValue::as_bool);
    let mut props = CheckpointProperties {
        forced: flag("forced"),
        discard_subsumed: flag("discardSubsumed"),
        discard_finished: flag("discardFinished"),
        discard_cancelled: flag("discardCancelled"),
        discard_failed: flag("discardFailed"),
        discard_suspended: flag("discardSuspended"),
        unclaimed: flag("unclaimed"),
        ..CheckpointProperties::default()
    };
    let enum_field = |t: &JavaObject, name: &str| {
        t.field(name)
            .and_then(JavaValue::enum_constant)
            .map(str::to_string)
    };
    match o.field("checkpointType") {
        Some(JavaValue::Object(t)) => {
            props.snapshot_type_class = t.class.to_string();
            props.type_name = t
                .field("name")
                .and_then(JavaValue::as_str)
                .map(str::to_string);
            props.savepoint_format = enum_field(t, "formatType");
            props.post_checkpoint_action = enum_field(t, "postCheckpointAction");
            props.sharing_files_strategy = enum_field(t, "sharingFilesStrategy");
            props.is_savepoint = &*t.class == SAVEPOINT_TYPE_CLASS
                || (&*t.class != CHECKPOINT_TYPE_CLASS && props.savepoint_format.is_some());
        }
        // Before FLINK-25434 (Flink <= 1.15) CheckpointType was an enum whose savepoint
        // constants start with SAVEPOINT.
        Some(JavaValue::Enum { class, constant }) => {
            props.snapshot_type_class = class.to_string();
            props.type_name = Some(constant.to_string());
            props.is_savepoint = constant.starts_with("SAVEPOINT");
        }
        _ => {}
    }
    Some(props)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/fixtures/reference/{name}/_metadata",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
    }

    fn stream_offsets(data: &[u8]) -> Vec<usize> {
        (0..data.len())
            .filter(|&i| is_stream_start(&data[i..]))
            .collect()
    }

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The trailer is the last stream of the file and ends exactly at the end of the file.
    fn trailer(name: &str) -> (JavaValue, u64) {
        let data = fixture(name);
        let start = *stream_offsets(&data).last().expect("a trailer stream");
        let mut r = DataReader::with_base(&data[start..], start as u64);
        let v = read_stream(&mut r).unwrap();
        assert!(r.is_empty(), "{name}: trailer ends at end of file");
        (v, start as u64)
    }

    const ALL_FIXTURES: [&str; 11] = [
        "flink-1.20.0-hashmap-canonical",
        "flink-1.20.0-kryo-generic",
        "flink-1.20.0-rocksdb-native",
        "flink-2.0.0-hashmap-canonical",
        "flink-2.0.0-rocksdb-native",
        "flink-2.3.0-hashmap-canonical",
        "flink-2.3.0-hashmap-native",
        "flink-2.3.0-rocksdb-canonical",
        "flink-2.3.0-rocksdb-native",
        "flink-2.3.0-sql-plan",
        "flink-2.3.0-sql-sql",
    ];

    #[test]
    fn trailers_of_all_fixtures_are_savepoints_with_the_folder_format() {
        for name in ALL_FIXTURES {
            let (v, _) = trailer(name);
            let p = checkpoint_properties(&v).unwrap_or_else(|| panic!("{name}: properties"));
            assert!(p.is_savepoint, "{name}");
            assert_eq!(p.snapshot_type_class, SAVEPOINT_TYPE_CLASS, "{name}");
            let expected = if name.contains("native") {
                "NATIVE"
            } else {
                "CANONICAL"
            };
            assert_eq!(p.savepoint_format.as_deref(), Some(expected), "{name}");
            assert_eq!(p.type_name.as_deref(), Some("Savepoint"), "{name}");
            assert_eq!(p.post_checkpoint_action.as_deref(), Some("NONE"), "{name}");
            assert_eq!(p.sharing_files_strategy, None, "{name}");
            // CheckpointProperties.forSavepoint(forced = true, ...): never discarded, not unclaimed.
            assert_eq!(p.forced, Some(true), "{name}");
            for flag in [
                p.discard_subsumed,
                p.discard_finished,
                p.discard_cancelled,
                p.discard_failed,
                p.discard_suspended,
                p.unclaimed,
            ] {
                assert_eq!(flag, Some(false), "{name}");
            }
        }
    }

    #[test]
    fn trailer_structure_of_a_native_savepoint() {
        let (v, _) = trailer("flink-2.3.0-hashmap-native");
        let o = v.as_object().unwrap();
        assert_eq!(&*o.class, CHECKPOINT_PROPERTIES_CLASS);
        let names: Vec<&str> = o.fields.iter().map(|f| &*f.name).collect();
        assert_eq!(
            names,
            [
                "discardCancelled",
                "discardFailed",
                "discardFinished",
                "discardSubsumed",
                "discardSuspended",
                "forced",
                "unclaimed",
                "checkpointType"
            ]
        );
        let enums: Vec<(String, String)> = v
            .enum_constants()
            .iter()
            .map(|(c, k)| (c.to_string(), k.to_string()))
            .collect();
        assert_eq!(
            enums,
            [
                (
                    "org.apache.flink.core.execution.SavepointFormatType".to_string(),
                    "NATIVE".to_string()
                ),
                (
                    "org.apache.flink.runtime.checkpoint.SavepointType$PostCheckpointAction"
                        .to_string(),
                    "NONE".to_string()
                ),
            ]
        );
        let strings: Vec<String> = v.strings().iter().map(|s| s.to_string()).collect();
        assert_eq!(strings, ["Savepoint"]);
        assert!(
            render(&v, 10_000)
                .contains("formatType=org.apache.flink.core.execution.SavepointFormatType.NATIVE")
        );
    }

    /// `CheckpointProperties.forCheckpoint(RETAIN_ON_CANCELLATION)` written by
    /// `ObjectOutputStream.writeObject` with the Flink 2.3.0 jars on OpenJDK 17 (the fixtures
    /// hold savepoints only).
    const RETAINED_CHECKPOINT_PROPERTIES: &str = "\
        aced0005737200386f72672e6170616368652e666c696e6b2e72756e74696d652e636865636b706f696e742e43686563\
        6b706f696e7450726f7065727469657300000000000000020200085a00106469736361726443616e63656c6c65645a00\
        0d646973636172644661696c65645a000f6469736361726446696e69736865645a000f6469736361726453756273756d\
        65645a00106469736361726453757370656e6465645a0006666f726365645a0009756e636c61696d65644c000e636865\
        636b706f696e74547970657400324c6f72672f6170616368652f666c696e6b2f72756e74696d652f636865636b706f69\
        6e742f536e617073686f74547970653b787000000101000000737200326f72672e6170616368652e666c696e6b2e7275\
        6e74696d652e636865636b706f696e742e436865636b706f696e7454797065d6de4f0305ae1d3a0200024c00046e616d\
        657400124c6a6176612f6c616e672f537472696e673b4c001473686172696e6746696c65735374726174656779740047\
        4c6f72672f6170616368652f666c696e6b2f72756e74696d652f636865636b706f696e742f536e617073686f74547970\
        652453686172696e6746696c657353747261746567793b787074000a436865636b706f696e747e7200456f72672e6170\
        616368652e666c696e6b2e72756e74696d652e636865636b706f696e742e536e617073686f7454797065245368617269\
        6e6746696c6573537472617465677900000000000000001200007872000e6a6176612e6c616e672e456e756d00000000\
        000000001200007870740010464f52574152445f4241434b57415244";

    #[test]
    fn trailer_of_a_retained_checkpoint() {
        let data = hex(RETAINED_CHECKPOINT_PROPERTIES);
        let mut r = DataReader::new(&data);
        let v = read_stream(&mut r).unwrap();
        assert!(r.is_empty());
        let p = checkpoint_properties(&v).unwrap();
        assert!(!p.is_savepoint);
        assert_eq!(p.snapshot_type_class, CHECKPOINT_TYPE_CLASS);
        assert_eq!(p.type_name.as_deref(), Some("Checkpoint"));
        assert_eq!(
            p.sharing_files_strategy.as_deref(),
            Some("FORWARD_BACKWARD")
        );
        assert_eq!(p.savepoint_format, None);
        assert_eq!(p.forced, Some(false));
        assert_eq!(p.discard_subsumed, Some(true));
        assert_eq!(p.discard_finished, Some(true));
        assert_eq!(p.discard_cancelled, Some(false));
    }

    /// Every stream in every fixture parses, and the streams inside RowData snapshots end right
    /// where the snapshot continues (another stream or the nested-serializer delegate magic).
    #[test]
    fn every_stream_in_the_fixtures_parses_to_its_end() {
        for name in ALL_FIXTURES {
            let data = fixture(name);
            for start in stream_offsets(&data) {
                let mut r = DataReader::with_base(&data[start..], start as u64);
                let v = read_stream(&mut r).unwrap_or_else(|e| panic!("{name}@{start}: {e}"));
                let rest = r.rest();
                let class = v.class_name().unwrap_or_default().to_string();
                if class.starts_with("org.apache.flink.table.types.logical.") {
                    assert!(
                        is_stream_start(rest) || rest.starts_with(&[0x00, 0x14, 0x57, 0xFD]),
                        "{name}@{start}: {class} stream followed by {:02x?}",
                        &rest[..rest.len().min(8)]
                    );
                } else {
                    assert_eq!(class, CHECKPOINT_PROPERTIES_CLASS, "{name}@{start}");
                    assert!(rest.is_empty(), "{name}@{start}");
                }
            }
        }
    }

    #[test]
    fn truncated_streams_fail_cleanly_at_every_offset() {
        let data = fixture("flink-2.3.0-sql-sql");
        for start in stream_offsets(&data) {
            let mut r = DataReader::with_base(&data[start..], start as u64);
            read_stream(&mut r).unwrap();
            let len = r.position();
            for cut in 0..len {
                let mut r = DataReader::with_base(&data[start..start + cut], start as u64);
                let err = read_stream(&mut r).expect_err("truncated stream");
                assert!(err.offset <= (start + cut) as u64, "{err}");
                assert!(err.offset >= start as u64, "{err}");
            }
        }
    }

    #[test]
    fn flipped_bytes_never_panic() {
        let data = fixture("flink-2.3.0-sql-sql");
        for start in stream_offsets(&data) {
            let mut r = DataReader::new(&data[start..]);
            read_stream(&mut r).unwrap();
            let stream = &data[start..start + r.position()];
            let mut copy = stream.to_vec();
            for i in 0..stream.len() {
                for x in [0x01u8, 0x80, 0xFF, 0x7E, 0x0F] {
                    copy[i] = stream[i] ^ x;
                    let _ = read_stream(&mut DataReader::new(&copy));
                }
                for v in [
                    TC_REFERENCE,
                    TC_OBJECT,
                    TC_ENDBLOCKDATA,
                    TC_RESET,
                    0x00,
                    0x7F,
                ] {
                    copy[i] = v;
                    let _ = read_stream(&mut DataReader::new(&copy));
                }
                copy[i] = stream[i];
            }
        }
    }

    /// A JDK-only stream with the grammar's less common parts, written by `ObjectOutputStream`
    /// (OpenJDK 17) from this `Object[]`: `null`, `"shared"` twice (a string back-reference),
    /// `TimeUnit.SECONDS` twice (enum back-reference), `String.class`, `int[]{1, 2, 3}`,
    /// `String[]{"a", null}`, `long[][]{{1}, {}}`, an `ArrayList` containing itself and `"s"`,
    /// a `Prims` object (all primitive field types, a string with NUL, e-acute and an emoji, a
    /// field referring to the object itself, an `int[]`, a null field), a `Blob` whose
    /// `writeObject` writes 300 bytes (TC_BLOCKDATALONG) and the string "after",
    /// `Duration.ofSeconds(90, 5)` (externalizable `java.time.Ser`), `List.of("p", "q")`
    /// (externalizable `java.util.CollSer`), a dynamic proxy (TC_PROXYCLASSDESC), `byte[]{1, 2,
    /// 3}` and `Collections.unmodifiableList(new ArrayList<>(List.of("u", "v")))`.
    const JDK_GRAMMAR_STREAM: &str = "\
        aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c02000078700000001170740006\
        73686172656471007e00027e72001d6a6176612e7574696c2e636f6e63757272656e742e54696d65556e697400000000\
        000000001200007872000e6a6176612e6c616e672e456e756d000000000000000012000078707400075345434f4e4453\
        71007e0005767200106a6176612e6c616e672e537472696e67a0f0a4387a3bb3420200007870757200025b494dba6026\
        76eab2a5020000787000000003000000010000000200000003757200135b4c6a6176612e6c616e672e537472696e673b\
        add256e7e91d7b470200007870000000027400016170757200035b5b4afe76f8764a55dfbd0200007870000000027572\
        00025b4a782004b512b1759302000078700000000100000000000000017571007e001000000000737200136a6176612e\
        7574696c2e41727261794c6973747881d21d99c7619d03000149000473697a6578700000000277040000000271007e00\
        1474000173787372000a47656e32245072696d73edb98b8c7e1c191402000c4200016243000163440001644600016649\
        0001694a00016a530001735a00017a5b0004696e74737400025b494c00076e6f7468696e677400124c6a6176612f6c61\
        6e672f4f626a6563743b4c000473656c6671007e00184c00037374727400124c6a6176612f6c616e672f537472696e67\
        3b7870fe00e93ff8000000000000be8000000001e240fffffffdb34fe916fed4017571007e00090000000200000001ff\
        ffffff7071007e001a74000b61c080c3a9eda0bdedb8807372000947656e3224426c6f6262347652f074f51d03000149\
        00037461677870000000077a0000012c000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
        202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f\
        505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\
        808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf\
        b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf\
        e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f\
        101112131415161718191a1b1c1d1e1f202122232425262728292a2b7400056166746572787372000d6a6176612e7469\
        6d652e536572955d84ba1b2248b20c00007870770d01000000000000005a0000000578737200116a6176612e7574696c\
        2e436f6c6c536572578eabb63a1ba811030001490003746167787000000001770400000002740001707400017178737d\
        0000000200126a6176612e6c616e672e52756e6e61626c6500146a6176612e696f2e53657269616c697a61626c657872\
        00176a6176612e6c616e672e7265666c6563742e50726f7879e127da20cc1043cb0200014c0001687400254c6a617661\
        2f6c616e672f7265666c6563742f496e766f636174696f6e48616e646c65723b78707372000647656e3224489e445222\
        2854cd830200007870757200025b42acf317f8060854e0020000787000000003010203737200266a6176612e7574696c\
        2e436f6c6c656374696f6e7324556e6d6f6469666961626c654c697374fc0f2531b5ec8e100200014c00046c69737474\
        00104c6a6176612f7574696c2f4c6973743b7872002c6a6176612e7574696c2e436f6c6c656374696f6e7324556e6d6f\
        6469666961626c65436f6c6c656374696f6e19420080cb5ef71e0200014c0001637400164c6a6176612f7574696c2f43\
        6f6c6c656374696f6e3b78707371007e00130000000277040000000274000175740001767871007e0033";

    #[test]
    fn jdk_grammar_stream() {
        let data = hex(JDK_GRAMMAR_STREAM);
        let mut r = DataReader::new(&data);
        let v = read_stream(&mut r).unwrap();
        assert!(r.is_empty());
        let top = list_elements(&v).unwrap();
        assert_eq!(top.len(), 17);
        assert!(top[0].is_null());
        assert_eq!(top[1].as_str(), Some("shared"));
        assert_eq!(top[2].as_str(), Some("shared"));
        assert_eq!(
            top[3].as_enum(),
            Some(("java.util.concurrent.TimeUnit", "SECONDS"))
        );
        assert_eq!(top[3], top[4]);
        assert_eq!(*top[5], JavaValue::Class(Rc::from("java.lang.String")));
        let ints = top[6].as_array().unwrap();
        assert_eq!(&*ints.class, "[I");
        assert_eq!(
            ints.elements,
            ArrayElements::Values(vec![
                JavaValue::Prim(JavaPrim::Int(1)),
                JavaValue::Prim(JavaPrim::Int(2)),
                JavaValue::Prim(JavaPrim::Int(3))
            ])
        );
        let strs = list_elements(top[7]).unwrap();
        assert_eq!(strs[0].as_str(), Some("a"));
        assert!(strs[1].is_null());
        let longs = list_elements(top[8]).unwrap();
        assert_eq!(longs.len(), 2);
        assert_eq!(
            list_elements(longs[0]).unwrap(),
            [&JavaValue::Prim(JavaPrim::Long(1))]
        );
        assert!(list_elements(longs[1]).unwrap().is_empty());
        // The self-containing ArrayList: the inner reference is a cycle placeholder.
        let cyc = list_elements(top[9]).unwrap();
        assert_eq!(cyc.len(), 2);
        assert!(
            matches!(cyc[0], JavaValue::Cycle { class, .. } if &**class == "java.util.ArrayList")
        );
        assert_eq!(cyc[1].as_str(), Some("s"));
        // Prims.
        let p = top[10].as_object().unwrap();
        assert!(p.class.ends_with("Gen2$Prims"));
        assert_eq!(p.field("b"), Some(&JavaValue::Prim(JavaPrim::Byte(-2))));
        assert_eq!(p.field("c"), Some(&JavaValue::Prim(JavaPrim::Char(0xE9))));
        assert_eq!(p.field("d"), Some(&JavaValue::Prim(JavaPrim::Double(1.5))));
        assert_eq!(p.field("f"), Some(&JavaValue::Prim(JavaPrim::Float(-0.25))));
        assert_eq!(p.field("i").and_then(JavaValue::as_i32), Some(123456));
        assert_eq!(p.field("j").and_then(JavaValue::as_i64), Some(-9876543210));
        assert_eq!(p.field("s"), Some(&JavaValue::Prim(JavaPrim::Short(-300))));
        assert_eq!(p.field("z").and_then(JavaValue::as_bool), Some(true));
        assert_eq!(
            p.field("str").and_then(JavaValue::as_str),
            Some("a\0\u{e9}\u{1F600}")
        );
        assert!(matches!(p.field("self"), Some(JavaValue::Cycle { .. })));
        assert_eq!(list_elements(p.field("ints").unwrap()).unwrap().len(), 2);
        assert_eq!(p.field("nothing"), Some(&JavaValue::Null));
        // Blob: one int field, then 300 bytes of block data and an object in the annotation.
        let b = top[11].as_object().unwrap();
        assert_eq!(b.field("tag").and_then(JavaValue::as_i32), Some(7));
        let bytes = b.annotation_bytes(&b.class);
        assert_eq!(bytes.len(), 300);
        assert!(bytes.iter().enumerate().all(|(i, &x)| x == i as u8));
        let objs = b.annotation_objects(&b.class);
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].as_str(), Some("after"));
        // Duration -> java.time.Ser: byte type 1, long seconds 90, int nanos 5.
        let d = top[12].as_object().unwrap();
        assert_eq!(&*d.class, "java.time.Ser");
        assert_eq!(
            d.annotation_bytes("java.time.Ser"),
            [1, 0, 0, 0, 0, 0, 0, 0, 90, 0, 0, 0, 5]
        );
        let l: Vec<&str> = list_elements(top[13])
            .unwrap()
            .into_iter()
            .filter_map(JavaValue::as_str)
            .collect();
        assert_eq!(l, ["p", "q"]);
        let proxy = top[14].as_object().unwrap();
        assert_eq!(
            &*proxy.class,
            "$Proxy[java.lang.Runnable, java.io.Serializable]"
        );
        let h = proxy.field_of("java.lang.reflect.Proxy", "h").unwrap();
        assert!(h.class_name().unwrap().ends_with("Gen2$H"));
        assert_eq!(
            top[15].as_array().unwrap().elements,
            ArrayElements::Bytes(vec![1, 2, 3])
        );
        let u: Vec<&str> = list_elements(top[16])
            .unwrap()
            .into_iter()
            .filter_map(JavaValue::as_str)
            .collect();
        assert_eq!(u, ["u", "v"]);
        // Walking visits shared objects once and terminates on the cycle.
        let mut n = 0;
        v.walk(&mut |_| n += 1);
        assert!(n > 40 && n < 200, "{n}");
    }

    #[test]
    fn jdk_grammar_stream_truncations_and_flips() {
        let data = hex(JDK_GRAMMAR_STREAM);
        for cut in 0..data.len() {
            assert!(read_stream(&mut DataReader::new(&data[..cut])).is_err());
        }
        let mut copy = data.clone();
        for i in 0..data.len() {
            for x in [0x01u8, 0x80, 0xFF, 0x10] {
                copy[i] = data[i] ^ x;
                let _ = read_stream(&mut DataReader::new(&copy));
            }
            copy[i] = data[i];
        }
    }

    fn stream(body: &[u8]) -> Vec<u8> {
        let mut out = vec![0xAC, 0xED, 0x00, 0x05];
        out.extend_from_slice(body);
        out
    }

    /// Minimal streams for hostile length fields and structures no writer produces.
    #[test]
    fn hostile_structures_are_rejected() {
        // TC_LONGSTRING with a huge length.
        let s = stream(&[
            TC_LONGSTRING,
            0x7F,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            b'a',
        ]);
        let e = read_stream(&mut DataReader::new(&s)).unwrap_err();
        assert_eq!(e.offset, 5);
        // A long string that fits.
        let s = stream(&[TC_LONGSTRING, 0, 0, 0, 0, 0, 0, 0, 2, b'h', b'i']);
        assert_eq!(
            read_stream(&mut DataReader::new(&s)).unwrap().as_str(),
            Some("hi")
        );
        // Top-level block data, short and long.
        let s = stream(&[TC_BLOCKDATALONG, 0, 0, 0, 2, 7, 8]);
        assert_eq!(
            read_stream(&mut DataReader::new(&s)).unwrap(),
            JavaValue::BlockData(Rc::from(&[7u8, 8][..]))
        );
        let s = stream(&[TC_BLOCKDATALONG, 0x7F, 0, 0, 2, 7, 8]);
        assert!(read_stream(&mut DataReader::new(&s)).is_err());
        // A reference before any handle exists, and a reference to an unassigned handle.
        let s = stream(&[TC_REFERENCE, 0x00, 0x7E, 0x00, 0x00]);
        assert!(read_stream(&mut DataReader::new(&s)).is_err());
        // A class whose super class descriptor refers to itself.
        let mut body = vec![TC_OBJECT, TC_CLASSDESC, 0, 1, b'A'];
        body.extend_from_slice(&[0; 8]); // serialVersionUID
        body.extend_from_slice(&[SC_SERIALIZABLE, 0, 0, TC_ENDBLOCKDATA]);
        body.extend_from_slice(&[TC_REFERENCE, 0x00, 0x7E, 0x00, 0x00]);
        let e = read_stream(&mut DataReader::new(&stream(&body))).unwrap_err();
        assert!(e.found.contains("cyclic"), "{e}");
        // Deep nesting: arrays of arrays, each element a new array.
        let mut body = Vec::new();
        for _ in 0..200 {
            body.extend_from_slice(&[TC_ARRAY, TC_CLASSDESC, 0, 2, b'[', b'L']);
            body.extend_from_slice(&[0; 8]);
            body.extend_from_slice(&[SC_SERIALIZABLE, 0, 0, TC_ENDBLOCKDATA, TC_NULL, 0, 0, 0, 1]);
        }
        let e = read_stream(&mut DataReader::new(&stream(&body))).unwrap_err();
        assert!(e.expected.contains("nesting"), "{e}");
        // A nested reset.
        let mut body = vec![TC_ARRAY, TC_CLASSDESC, 0, 2, b'[', b'L'];
        body.extend_from_slice(&[0; 8]);
        body.extend_from_slice(&[SC_SERIALIZABLE, 0, 0, TC_ENDBLOCKDATA, TC_NULL, 0, 0, 0, 1]);
        body.push(TC_RESET);
        body.push(TC_NULL);
        assert!(read_stream(&mut DataReader::new(&stream(&body))).is_err());
        // A top-level reset is skipped.
        let s = stream(&[TC_RESET, TC_RESET, TC_STRING, 0, 1, b'x']);
        assert_eq!(
            read_stream(&mut DataReader::new(&s)).unwrap().as_str(),
            Some("x")
        );
        // Bad magic / version.
        assert!(read_stream(&mut DataReader::new(&[0xAC, 0xED, 0, 4, TC_NULL])).is_err());
        assert!(read_stream(&mut DataReader::new(&[0xCA, 0xFE, 0, 5, TC_NULL])).is_err());
        // TC_EXCEPTION.
        assert!(read_stream(&mut DataReader::new(&stream(&[TC_EXCEPTION]))).is_err());
    }

    /// An array whose elements all refer to one big array multiplies the logical tree: the
    /// size bound stops it instead of letting walks over the result explode.
    #[test]
    fn shared_subtree_amplification_is_bounded() {
        // a0 = Object[1000] of nulls; a1 = Object[1000] of refs to a0; a2 = Object[1000] of refs
        // to a1 -> 10^9 logical nodes.
        let mut body = Vec::new();
        body.extend_from_slice(&[TC_ARRAY, TC_CLASSDESC, 0, 2, b'[', b'L']);
        body.extend_from_slice(&[0; 8]);
        body.extend_from_slice(&[SC_SERIALIZABLE, 0, 0, TC_ENDBLOCKDATA, TC_NULL]);
        // Outer array (handle 1), 1000 elements.
        body.extend_from_slice(&1000i32.to_be_bytes());
        // First element: middle array (handle 2) with 1000 elements, first the inner array.
        body.extend_from_slice(&[TC_ARRAY, TC_REFERENCE, 0, 0x7E, 0, 0]);
        body.extend_from_slice(&1000i32.to_be_bytes());
        body.extend_from_slice(&[TC_ARRAY, TC_REFERENCE, 0, 0x7E, 0, 0]);
        body.extend_from_slice(&1000i32.to_be_bytes());
        body.extend(std::iter::repeat_n(TC_NULL, 1000));
        for _ in 1..1000 {
            body.extend_from_slice(&[TC_REFERENCE, 0, 0x7E, 0, 3]);
        }
        for _ in 1..1000 {
            body.extend_from_slice(&[TC_REFERENCE, 0, 0x7E, 0, 2]);
        }
        let e = read_stream(&mut DataReader::new(&stream(&body))).unwrap_err();
        assert!(e.expected.contains("object graph"), "{e}");
    }
}
