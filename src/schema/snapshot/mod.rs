//! `TypeSerializerSnapshot`s as Flink writes them into state meta info.
//!
//! A snapshot is `utf className, i32 version, payload`, and the payload is not framed: a class
//! we do not know leaves the rest of its stream unreadable. Such a class becomes an
//! [`SnapshotDetail::Unknown`] leaf and the read reports that it lost its place, so callers can
//! keep what was decoded before it and say plainly what could not be examined.//!
//! This file holds the model and the framing; [`payloads`] reads each known class's payload.

mod payloads;

use serde::Serialize;

use crate::javaio::data_input::{DataReader, DecodeResult};
use payloads::read_payload;

const OUTER_MAGIC: i32 = 911_108;
const NESTED_MAGIC: i32 = 1_333_245;
const OPTIONAL_MAP_MAGIC: i64 = 0x4F2_C69A_3D70;
/// Snapshot version written by the pre-1.7 `TypeSerializerConfigSnapshot` adapter.
const LEGACY_ADAPTER_VERSION: i32 = 0x7A53_C4F0;
const MAX_DEPTH: u32 = 48;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SerializerSnapshot {
    /// The snapshot class, e.g. `org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot`.
    pub class: String,
    pub version: i32,
    #[serde(flatten)]
    pub detail: SnapshotDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SnapshotDetail {
    /// A parameterless snapshot (`SimpleTypeSerializerSnapshot` and friends).
    Simple,
    /// `CompositeTypeSerializerSnapshot` subclasses: nested serializers plus outer parameters.
    #[serde(rename_all = "camelCase")]
    Composite {
        outer_version: Option<i32>,
        /// The class named in the outer data (tuple class, array component class, ...).
        #[serde(skip_serializing_if = "Option::is_none")]
        outer_class: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        supports_row_kind: Option<bool>,
        /// A class-specific boolean of the outer data (CEP's `supportsPreviousTimestamp`, the
        /// table runtime's `hasNullMask` and `isInternalInput`).
        #[serde(skip_serializing_if = "Option::is_none")]
        outer_flag: Option<bool>,
        /// The class is not one spcompat knows: its outer data was skipped unread (the nested
        /// serializers after it were still decoded), so its compatibility cannot be judged.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        opaque_outer: bool,
        nested: Vec<SerializerSnapshot>,
    },
    #[serde(rename_all = "camelCase")]
    Pojo {
        pojo_class: String,
        fields: Vec<PojoField>,
        registered_subclasses: Vec<NamedSnapshot>,
        non_registered_subclasses: Vec<NamedSnapshot>,
    },
    #[serde(rename_all = "camelCase")]
    Kryo {
        type_class: String,
        registrations: Vec<KryoRegistration>,
        default_serializers: Vec<String>,
        default_serializer_classes: Vec<(String, String)>,
    },
    #[serde(rename_all = "camelCase")]
    Enum {
        enum_class: String,
        constants: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    Avro {
        runtime_class: Option<String>,
        schema: String,
    },
    /// SQL `RowData`: one logical type per field plus the field serializers.
    #[serde(rename_all = "camelCase")]
    RowData {
        logical_types: Vec<String>,
        nested: Vec<SerializerSnapshot>,
    },
    /// A table-runtime serializer described by one SQL logical type (`MapDataSerializer`,
    /// `ArrayDataSerializer`).
    #[serde(rename_all = "camelCase")]
    SqlType { logical_type: String },
    /// `GenericTypeSerializerSnapshot` family: one class name (e.g. `ValueSerializer`).
    #[serde(rename_all = "camelCase")]
    TypeClass { type_class: String },
    /// SQL decimal / timestamp serializers and similar: parameters only.
    #[serde(rename_all = "camelCase")]
    Parameters { values: Vec<(String, i64)> },
    #[serde(rename_all = "camelCase")]
    TtlAware {
        ttl_enabled: bool,
        inner: Box<SerializerSnapshot>,
    },
    /// A pre-1.7 `TypeSerializerConfigSnapshot`, which Flink 1.17+ can no longer read, with the
    /// class of the Java-serialized serializer it carries (when that could be read).
    #[serde(rename_all = "camelCase")]
    LegacyConfigSnapshot { serializer_class: Option<String> },
    /// A class spcompat cannot decode (usually user code). Nothing after it in the same
    /// unframed stream can be read.
    #[serde(rename_all = "camelCase")]
    Unknown { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PojoField {
    pub name: String,
    pub declaring_class: Option<String>,
    /// `None` when Flink wrote the field without a snapshot (an "absent value").
    pub snapshot: Option<SerializerSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedSnapshot {
    pub name: String,
    pub snapshot: Option<SerializerSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KryoRegistration {
    pub class: String,
    /// The registered serializer class, when registered by class.
    pub serializer_class: Option<String>,
}

impl SerializerSnapshot {
    /// The class name without its package, e.g. `LongSerializer$LongSerializerSnapshot`.
    pub fn short_class(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(&self.class)
    }

    /// Nested snapshots in order (composites, RowData, TTL-aware wrappers, POJO fields).
    pub fn children(&self) -> Vec<&SerializerSnapshot> {
        match &self.detail {
            SnapshotDetail::Composite { nested, .. } | SnapshotDetail::RowData { nested, .. } => {
                nested.iter().collect()
            }
            SnapshotDetail::Pojo { fields, .. } => {
                fields.iter().filter_map(|f| f.snapshot.as_ref()).collect()
            }
            SnapshotDetail::TtlAware { inner, .. } => vec![inner],
            _ => Vec::new(),
        }
    }

    /// Every class in this tree that spcompat could not decode.
    pub fn unknown_classes(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |s| {
            if matches!(
                s.detail,
                SnapshotDetail::Unknown { .. }
                    | SnapshotDetail::Composite {
                        opaque_outer: true,
                        ..
                    }
            ) {
                out.push(s.class.as_str());
            }
        });
        out
    }

    /// The first class in this tree whose bytes could not be followed, and whether it is a
    /// pre-1.7 `TypeSerializerConfigSnapshot` (rather than a class spcompat does not know).
    pub fn first_undecodable(&self) -> Option<(&str, bool)> {
        let mut found = None;
        self.visit(&mut |s| {
            if found.is_none() {
                match s.detail {
                    SnapshotDetail::Unknown { .. } => found = Some((s.class.as_str(), false)),
                    SnapshotDetail::LegacyConfigSnapshot { .. } => {
                        found = Some((s.class.as_str(), true))
                    }
                    _ => {}
                }
            }
        });
        found
    }

    pub fn visit<'a>(&'a self, f: &mut dyn FnMut(&'a SerializerSnapshot)) {
        f(self);
        for c in self.children() {
            c.visit(f);
        }
    }

    /// Is this tree fully decoded?
    pub fn is_complete(&self) -> bool {
        self.unknown_classes().is_empty()
    }
}

/// A snapshot read plus whether the reader still knows where the stream continues.
pub struct SnapshotRead {
    pub snapshot: SerializerSnapshot,
    /// False after an undecodable class in an unframed position: the bytes that follow cannot
    /// be interpreted.
    pub in_sync: bool,
}

/// Reads a snapshot in "proxy form" (`i32 2`, then the nested form), as stored for each
/// serializer of a state meta info and for the key serializer.
pub fn read_proxy_snapshot(r: &mut DataReader) -> DecodeResult<SnapshotRead> {
    let at = r.offset();
    let v = r.i32("serializer snapshot proxy version")?;
    if v != 2 {
        return Err(r.error_at(
            at,
            "serializer snapshot proxy version 2",
            if v == 1 {
                "version 1 (pre-Flink 1.7 TypeSerializerConfigSnapshot format, unreadable since Flink 1.17)".to_string()
            } else {
                v.to_string()
            },
        ));
    }
    read_snapshot(r, 0)
}

/// The serializer class a pre-1.7 config snapshot carries. After the adapter version come
/// `i32 1` (the serializer proxy's version), `i32 length` and the Java-serialized serializer;
/// the config snapshot's own bytes follow, unframed. Best effort on a copy of the reader: the
/// stream is out of sync after a legacy snapshot anyway.
fn legacy_serializer_class(r: &DataReader) -> Option<String> {
    let mut r = r.clone();
    if r.i32("serializer proxy version").ok()? != 1 {
        return None;
    }
    let n = r.length("Java-serialized serializer length").ok()?;
    let mut stream = r.sub_reader(n, "Java-serialized serializer").ok()?;
    let serializer = crate::javaio::javaser::read_stream(&mut stream).ok()?;
    serializer.class_name().map(str::to_string)
}

/// Reads a snapshot in nested form: `utf class, i32 version, payload`.
pub fn read_snapshot(r: &mut DataReader, depth: u32) -> DecodeResult<SnapshotRead> {
    if depth > MAX_DEPTH {
        return Err(r.error(
            "serializer snapshots nested at most 48 deep",
            "deeper nesting",
        ));
    }
    let class = r.utf("serializer snapshot class name")?;
    let version = r.i32("serializer snapshot version")?;
    let lost;
    let detail = if version == LEGACY_ADAPTER_VERSION {
        lost = true;
        SnapshotDetail::LegacyConfigSnapshot {
            serializer_class: legacy_serializer_class(r),
        }
    } else {
        match read_payload(r, &class, version, depth)? {
            Some((detail, in_sync)) => {
                lost = !in_sync;
                detail
            }
            None => {
                lost = true;
                SnapshotDetail::Unknown {
                    reason: "snapshot class not known to spcompat".to_string(),
                }
            }
        }
    };
    Ok(SnapshotRead {
        snapshot: SerializerSnapshot {
            class,
            version,
            detail,
        },
        in_sync: !lost,
    })
}
