//! `TypeSerializerSnapshot`s as Flink writes them into state meta info.
//!
//! A snapshot is `utf className, i32 version, payload`, and the payload is not framed: a class
//! we do not know leaves the rest of its stream unreadable. Such a class becomes an
//! [`SnapshotDetail::Unknown`] leaf and the read reports that it lost its place, so callers can
//! keep what was decoded before it and say plainly what could not be examined.

use serde::Serialize;

use crate::javaio::data_input::{DataReader, DecodeResult};

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
            if matches!(s.detail, SnapshotDetail::Unknown { .. }) {
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

fn short(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

/// Classes whose payload is empty (version 3) or one legacy class-name string (version 2).
fn is_simple(class: &str) -> bool {
    let s = short(class);
    const SIMPLE_PACKAGES: &[&str] = &[
        "org.apache.flink.api.common.typeutils.base.",
        "org.apache.flink.api.common.typeutils.base.array.",
    ];
    let in_base = SIMPLE_PACKAGES.iter().any(|p| {
        class
            .strip_prefix(p)
            .is_some_and(|rest| !rest.contains('.'))
    });
    if in_base {
        // Everything in these packages is simple except the composites and the enum.
        return !matches!(
            s,
            "ListSerializerSnapshot"
                | "MapSerializerSnapshot"
                | "SetSerializerSnapshot"
                | "GenericArraySerializerSnapshot"
                | "EnumSerializer$EnumSerializerSnapshot"
                | "GenericArraySerializer$GenericArraySerializerSnapshot"
        ) && s.ends_with("Snapshot");
    }
    matches!(
        class,
        "org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot"
            | "org.apache.flink.api.java.typeutils.runtime.Tuple0SerializerSnapshot"
            | "org.apache.flink.runtime.state.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot"
            | "org.apache.flink.queryablestate.client.VoidNamespaceSerializer$VoidNamespaceSerializerSnapshot"
            | "org.apache.flink.runtime.state.JavaSerializer$JavaSerializerSnapshot"
            | "org.apache.flink.streaming.api.windowing.windows.GlobalWindow$Serializer$GlobalWindowSerializerSnapshot"
            | "org.apache.flink.streaming.api.windowing.windows.TimeWindow$Serializer$TimeWindowSerializerSnapshot"
            | "org.apache.flink.table.runtime.operators.window.CountWindow$Serializer$CountWindowSerializerSnapshot"
            | "org.apache.flink.table.runtime.operators.window.GlobalWindow$Serializer$GlobalWindowSerializerSnapshot"
            | "org.apache.flink.table.runtime.operators.window.TimeWindow$Serializer$TimeWindowSerializerSnapshot"
            | "org.apache.flink.table.runtime.operators.sink.SortedLongSerializer$SortedLongSerializerSnapshot"
            | "org.apache.flink.table.runtime.typeutils.StringDataSerializer$StringDataSerializerSnapshot"
            | "org.apache.flink.table.runtime.typeutils.BinaryRowDataSerializer$BinaryRowDataSerializerSnapshot"
            | "org.apache.flink.streaming.api.operators.InternalTimersSnapshotReaderWriters$LegacyTimerSerializerSnapshot"
    )
}

/// What the outer data of a known composite snapshot holds.
enum Outer {
    None,
    ClassName,
    RowKindFlag,
    NullPadding,
}

fn composite_outer(class: &str) -> Option<Outer> {
    Some(match short(class) {
        "ListSerializerSnapshot"
        | "MapSerializerSnapshot"
        | "SetSerializerSnapshot"
        | "JavaEitherSerializerSnapshot"
        | "ArrayListSerializerSnapshot"
        | "TtlStateFactory$TtlSerializerSnapshot"
        | "TimerSerializerSnapshot"
        | "StreamElementSerializer$StreamElementSerializerSnapshot"
        | "CoGroupedStreams$UnionSerializerSnapshot"
        | "IntervalJoinOperator$BufferEntrySerializerSnapshot"
        | "TwoPhaseCommitSinkFunction$StateSerializerSnapshot"
        | "Lockable$LockableTypeSerializerSnapshot"
        | "LinkedListSerializer$LinkedListSerializerSnapshot"
        | "WindowKeySerializer$WindowKeySerializerSnapshot"
        | "RawValueDataSerializer$RawValueDataSerializerSnapshot"
        | "SingleThreadAccessCheckingTypeSerializer$SingleThreadAccessCheckingTypeSerializerSnapshot"
        | "OptionSerializerSnapshot"
        | "ScalaOptionSerializerSnapshot"
        | "ScalaEitherSerializerSnapshot" => Outer::None,
        "GenericArraySerializerSnapshot"
        | "TupleSerializerSnapshot"
        | "ScalaCaseClassSerializerSnapshot"
        | "ValueSerializer$ValueSerializerSnapshot" => Outer::ClassName,
        "RowSerializer$RowSerializerSnapshot" => Outer::RowKindFlag,
        "NullableSerializer$NullableSerializerSnapshot" => Outer::NullPadding,
        _ => return None,
    })
}

type Payload = Option<(SnapshotDetail, bool)>;

fn read_payload(
    r: &mut DataReader,
    class: &str,
    version: i32,
    depth: u32,
) -> DecodeResult<Payload> {
    if is_simple(class) {
        if (1..=2).contains(&version) {
            r.utf("legacy serializer class name")?;
        }
        return Ok(Some((SnapshotDetail::Simple, true)));
    }
    let s = short(class);
    match s {
        "PojoSerializerSnapshot" => return read_pojo(r, depth).map(Some),
        "KryoSerializerSnapshot" => return read_kryo(r).map(|d| Some((d, true))),
        "EnumSerializer$EnumSerializerSnapshot" | "ScalaEnumSerializerSnapshot" => {
            let enum_class = r.utf("enum class name")?;
            let n = r.count("number of enum constants", 2)?;
            let mut constants = Vec::new();
            for _ in 0..n {
                constants.push(r.utf("enum constant")?);
            }
            return Ok(Some((
                SnapshotDetail::Enum {
                    enum_class,
                    constants,
                },
                true,
            )));
        }
        "AvroSerializerSnapshot" => {
            let (runtime_class, schema) = match version {
                1 => (None, r.utf("Avro schema")?),
                2 => (Some(r.utf("Avro runtime class")?), r.utf("Avro schema")?),
                _ => (
                    r.flink_string("Avro runtime class")?,
                    r.flink_string("Avro schema")?.unwrap_or_default(),
                ),
            };
            return Ok(Some((
                SnapshotDetail::Avro {
                    runtime_class,
                    schema,
                },
                true,
            )));
        }
        "TtlAwareSerializerSnapshot" => {
            let ttl_enabled = r.bool("TTL enabled flag")?;
            let inner = read_snapshot(r, depth + 1)?;
            return Ok(Some((
                SnapshotDetail::TtlAware {
                    ttl_enabled,
                    inner: Box::new(inner.snapshot),
                },
                inner.in_sync,
            )));
        }
        "GenericTypeSerializerSnapshot"
        | "KryoSerializer$KryoSerializerSnapshot"
        | "AvroSerializer$AvroSchemaSerializerSnapshot"
        | "CopyableValueSerializer$CopyableValueSerializerSnapshot"
        | "WritableSerializer$WritableSerializerSnapshot" => {
            let type_class = r.utf("type class name")?;
            return Ok(Some((SnapshotDetail::TypeClass { type_class }, true)));
        }
        "RowDataSerializer$RowDataSerializerSnapshot" => return read_row_data(r, depth).map(Some),
        "DecimalDataSerializer$DecimalSerializerSnapshot" => {
            let precision = r.i32("decimal precision")?;
            let scale = r.i32("decimal scale")?;
            return Ok(Some((
                SnapshotDetail::Parameters {
                    values: vec![
                        ("precision".into(), precision.into()),
                        ("scale".into(), scale.into()),
                    ],
                },
                true,
            )));
        }
        "TimestampDataSerializer$TimestampDataSerializerSnapshot" => {
            let precision = r.i32("timestamp precision")?;
            return Ok(Some((
                SnapshotDetail::Parameters {
                    values: vec![("precision".into(), precision.into())],
                },
                true,
            )));
        }
        _ => {}
    }
    if s.ends_with("ValueSerializer$ValueSerializerSnapshot") && !s.starts_with("Copyable") {
        // `ValueSerializer` for `org.apache.flink.types.Value` types: one class name.
        let type_class = r.utf("value type class name")?;
        return Ok(Some((SnapshotDetail::TypeClass { type_class }, true)));
    }
    read_composite(r, class, version, depth)
}

fn read_composite(
    r: &mut DataReader,
    class: &str,
    version: i32,
    depth: u32,
) -> DecodeResult<Payload> {
    let known = composite_outer(class);
    if version < 3 || r.peek_i32() != Some(OUTER_MAGIC) {
        // Legacy composite layouts (or not a composite at all): class-specific, not decoded.
        return Ok(None);
    }
    r.i32("composite outer magic")?;
    let outer_version = r.i32("composite outer version")?;
    let (mut outer_class, mut supports_row_kind) = (None, None);
    match known {
        Some(Outer::None) => {}
        Some(Outer::ClassName) => outer_class = Some(r.utf("outer class name")?),
        Some(Outer::RowKindFlag) => {
            if outer_version >= 4 {
                supports_row_kind = Some(r.bool("row kind flag")?);
            } else {
                supports_row_kind = Some(outer_version == 3);
            }
        }
        Some(Outer::NullPadding) => {
            r.i32("null padding length")?;
        }
        None => {
            // An unknown composite: its outer data is opaque, but the nested-serializer block
            // has a fixed magic, so skip to it rather than give up on the whole stream.
            let needle = [0x00, 0x14, 0x58, 0x1D, 0x00, 0x00, 0x00, 0x01];
            match r.rest().windows(needle.len()).position(|w| w == needle) {
                Some(skip) => {
                    r.take(skip, "composite outer data")?;
                }
                None => return Ok(None),
            }
        }
    }
    let (nested, in_sync) = read_nested_block(r, depth)?;
    Ok(Some((
        SnapshotDetail::Composite {
            outer_version: Some(outer_version),
            outer_class,
            supports_row_kind,
            nested,
        },
        in_sync,
    )))
}

/// `NestedSerializersSnapshotDelegate`: magic, version 1, count, snapshots.
fn read_nested_block(
    r: &mut DataReader,
    depth: u32,
) -> DecodeResult<(Vec<SerializerSnapshot>, bool)> {
    let at = r.offset();
    let magic = r.i32("nested serializers magic")?;
    if magic != NESTED_MAGIC {
        return Err(r.error_at(at, "nested serializers magic 1333245", magic.to_string()));
    }
    let at = r.offset();
    let v = r.i32("nested serializers version")?;
    if v != 1 {
        return Err(r.error_at(at, "nested serializers version 1", v.to_string()));
    }
    let n = r.count("number of nested serializers", 6)?;
    let mut nested = Vec::new();
    for _ in 0..n {
        let read = read_snapshot(r, depth + 1)?;
        nested.push(read.snapshot);
        if !read.in_sync {
            return Ok((nested, false));
        }
    }
    Ok((nested, true))
}

struct OptionalEntry<'a> {
    name: String,
    key: Option<DataReader<'a>>,
    value: Option<DataReader<'a>>,
}

/// `LinkedOptionalMap` frames each key and value, so an unreadable value can be skipped.
fn read_optional_map<'a>(
    r: &mut DataReader<'a>,
    what: &str,
) -> DecodeResult<Vec<OptionalEntry<'a>>> {
    let at = r.offset();
    let magic = r.i64(&format!("{what} map header"))?;
    if magic != OPTIONAL_MAP_MAGIC {
        return Err(r.error_at(
            at,
            format!("{what} map header 0x4F2C69A3D70"),
            format!("{magic:#x}"),
        ));
    }
    let n = r.count(&format!("number of {what}"), 4)?;
    let mut out = Vec::new();
    for _ in 0..n {
        let name = r.utf(&format!("{what} name"))?;
        let key = if r.bool("key present flag")? {
            let len = r.length("key length")?;
            Some(r.sub_reader(len, "key bytes")?)
        } else {
            None
        };
        let value = if r.bool("value present flag")? {
            let len = r.length("value length")?;
            Some(r.sub_reader(len, "value bytes")?)
        } else {
            None
        };
        out.push(OptionalEntry { name, key, value });
    }
    Ok(out)
}

fn framed_snapshot(mut value: DataReader, depth: u32) -> DecodeResult<SerializerSnapshot> {
    Ok(read_snapshot(&mut value, depth + 1)?.snapshot)
}

fn read_pojo(r: &mut DataReader, depth: u32) -> DecodeResult<(SnapshotDetail, bool)> {
    let pojo_class = r.utf("POJO class name")?;
    let mut fields = Vec::new();
    for e in read_optional_map(r, "POJO fields")? {
        let declaring_class = match e.key {
            Some(mut k) => {
                let declaring = k.utf("field declaring class")?;
                k.utf("field name")?;
                Some(declaring)
            }
            None => None,
        };
        let snapshot = e.value.map(|v| framed_snapshot(v, depth)).transpose()?;
        fields.push(PojoField {
            name: e.name,
            declaring_class,
            snapshot,
        });
    }
    let mut subclasses = |what: &str| -> DecodeResult<Vec<NamedSnapshot>> {
        read_optional_map(r, what)?
            .into_iter()
            .map(|e| {
                Ok(NamedSnapshot {
                    name: e.name,
                    snapshot: e.value.map(|v| framed_snapshot(v, depth)).transpose()?,
                })
            })
            .collect()
    };
    let registered_subclasses = subclasses("registered subclasses")?;
    let non_registered_subclasses = subclasses("non-registered subclasses")?;
    Ok((
        SnapshotDetail::Pojo {
            pojo_class,
            fields,
            registered_subclasses,
            non_registered_subclasses,
        },
        true,
    ))
}

fn read_kryo(r: &mut DataReader) -> DecodeResult<SnapshotDetail> {
    let type_class = r.utf("Kryo type class name")?;
    let mut registrations = Vec::new();
    for e in read_optional_map(r, "Kryo registrations")? {
        let serializer_class = match e.value {
            Some(mut v) => {
                v.utf("registered class")?;
                match v.i32("registration type")? {
                    1 => Some(v.utf("registered serializer class")?),
                    _ => None,
                }
            }
            None => None,
        };
        registrations.push(KryoRegistration {
            class: e.name,
            serializer_class,
        });
    }
    let default_serializers = read_optional_map(r, "default Kryo serializers")?
        .into_iter()
        .map(|e| e.name)
        .collect();
    let mut default_serializer_classes = Vec::new();
    for e in read_optional_map(r, "default Kryo serializer classes")? {
        let class = match e.value {
            Some(mut v) => v.utf("default serializer class")?,
            None => String::new(),
        };
        default_serializer_classes.push((e.name, class));
    }
    Ok(SnapshotDetail::Kryo {
        type_class,
        registrations,
        default_serializers,
        default_serializer_classes,
    })
}

fn read_row_data(r: &mut DataReader, depth: u32) -> DecodeResult<(SnapshotDetail, bool)> {
    let n = r.count("number of RowData fields", 4)?;
    let mut logical_types = Vec::new();
    for _ in 0..n {
        let value = crate::javaio::javaser::read_stream(r)?;
        // The stream itself was read, so an unfamiliar type class costs only its rendering.
        logical_types.push(match super::logical_type::logical_type_from_java(&value) {
            Ok(ty) => ty.to_string(),
            Err(reason) => format!("UNKNOWN({reason})"),
        });
    }
    let (nested, in_sync) = read_nested_block(r, depth)?;
    Ok((
        SnapshotDetail::RowData {
            logical_types,
            nested,
        },
        in_sync,
    ))
}
