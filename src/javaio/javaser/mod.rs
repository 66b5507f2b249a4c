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
//! * recursion depth (objects, arrays, class descriptors and the class annotations inside them
//!   all count), the number of handles, the depth of class hierarchies and the size of the
//!   resulting value tree (shared sub-objects counted once per reference) are bounded, so any
//!   recursive walk over a returned tree, and dropping it, is bounded too;
//! * back-references to objects that are still being read (cycles) resolve to
//!   [`JavaValue::Cycle`] placeholders, so the tree never contains an `Rc` cycle.
//!
//! `value` holds the tree, `parser` the grammar, `walk` the bounded walks over a tree.

mod parser;
mod value;
mod walk;

pub use parser::{is_stream_start, read_stream, skip_stream};
pub use value::{
    ArrayElements, ClassAnnotation, JavaArray, JavaField, JavaObject, JavaPrim, JavaValue,
};
pub use walk::{list_elements, render};

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

#[cfg(test)]
mod tests;
