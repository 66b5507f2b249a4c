//! The value tree a Java serialization stream parses into.

use std::collections::HashSet;
use std::rc::Rc;

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
    pub(super) tree_size: u64,
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
    pub(super) tree_size: u64,
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
