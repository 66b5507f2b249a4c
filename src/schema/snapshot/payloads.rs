//! The payloads of the snapshot classes spcompat knows: parameterless and legacy serializers,
//! composites with their outer data and nested snapshots, POJOs, Kryo and `RowData`.

use super::{
    KryoRegistration, NESTED_MAGIC, NamedSnapshot, OPTIONAL_MAP_MAGIC, OUTER_MAGIC, PojoField,
    SerializerSnapshot, SnapshotDetail, read_snapshot,
};
use crate::javaio::data_input::{DataReader, DecodeResult};
use crate::javaio::javaser::{ArrayElements, JavaObject, JavaPrim, JavaValue};

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
            // Table runtime and CEP singletons.
            | "org.apache.flink.table.dataview.NullSerializer$NullSerializerSnapshot"
            | "org.apache.flink.cep.nfa.DeweyNumber$DeweyNumberSerializer$DeweyNumberSerializerSnapshot"
            | "org.apache.flink.cep.nfa.sharedbuffer.EventId$EventIdSerializer$EventIdSerializerSnapshot"
    )
}

/// What the outer data of a known composite snapshot holds.
enum Outer {
    None,
    ClassName,
    RowKindFlag,
    NullPadding,
    /// One boolean, written from this outer version on (earlier versions imply its value).
    FlagSince(i32),
    /// A Java-serialized object (e.g. a `DataType`) and a boolean.
    JavaObjectAndFlag,
}

fn composite_outer(class: &str) -> Option<Outer> {
    // Short names are matched, so the package must be Flink's own: a user class of the same
    // short name is not the Flink serializer this table describes.
    if !class.starts_with("org.apache.flink.") {
        return None;
    }
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
        | "WindowKeySerializer$WindowKeySerializerSnapshot"
        | "RawValueDataSerializer$RawValueDataSerializerSnapshot"
        | "SingleThreadAccessCheckingTypeSerializer$SingleThreadAccessCheckingTypeSerializerSnapshot"
        | "OptionSerializerSnapshot"
        | "ScalaOptionSerializerSnapshot"
        | "ScalaEitherSerializerSnapshot"
        // Table runtime data views and CEP's shared buffer.
        | "ListViewSerializerSnapshot"
        | "MapViewSerializerSnapshot"
        | "NullAwareMapSerializerSnapshot"
        | "LockableTypeSerializerSnapshot"
        | "NodeId$NodeIdSerializer$NodeIdSerializerSnapshot"
        | "SharedBufferEdge$SharedBufferEdgeSerializer$SharedBufferEdgeSerializerSnapshot"
        | "SharedBufferNodeSerializerSnapshotV2"
        // Flink 2.3's SinkUpsertMaterializerV2 state (`table.exec.sink.upsert-materialize-strategy`
        // MAP / ADAPTIVE): sequence-number records and linked nodes of the kept rows.
        | "MetaSqnInfoSerializer$MetaSqnInfoSerializerSnapshot"
        | "RowSqnInfoSerializer$RowSqnInfoSerializerSnapshot"
        | "NodeSerializer$NodeSerializerSnapshot" => Outer::None,
        // `supportsPreviousTimestamp` (outer version 2+).
        "NFAStateSerializerSnapshot" => Outer::FlagSince(2),
        // `hasNullMask`: implied by outer version 1 (false) and 2 (true), written from 3 on.
        "LinkedListSerializer$LinkedListSerializerSnapshot" => Outer::FlagSince(3),
        // The external `DataType` (Java-serialized) and `isInternalInput`.
        "ExternalSerializer$ExternalSerializerSnapshot" => Outer::JavaObjectAndFlag,
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

pub(super) fn read_payload(
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
        "MapDataSerializer$MapDataSerializerSnapshot"
        | "ArrayDataSerializer$ArrayDataSerializerSnapshot"
            if class.starts_with("org.apache.flink.table.") =>
        {
            return read_sql_collection(r, s.starts_with("Map")).map(|d| Some((d, true)));
        }
        // Version 0 is the only one Flink 2.3 writes and reads; another is not decoded.
        "RowDataKeySerializerSnapshot" if class.starts_with("org.apache.flink.table.") => {
            if version != 0 {
                return Ok(None);
            }
            return read_row_data_key(r, depth).map(Some);
        }
        "SortedMapSerializerSnapshot" if class.starts_with("org.apache.flink.table.") => {
            return read_sorted_map(r, depth).map(Some);
        }
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
    let (mut outer_class, mut supports_row_kind, mut outer_flag) = (None, None, None);
    match known {
        Some(Outer::None) => {}
        Some(Outer::FlagSince(since)) => {
            if outer_version >= since {
                outer_flag = Some(r.bool("composite outer flag")?);
            }
        }
        Some(Outer::JavaObjectAndFlag) => {
            crate::javaio::javaser::skip_stream(r)?;
            outer_flag = Some(r.bool("composite outer flag")?);
        }
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
            let mut needle = [0u8; 8];
            needle[..4].copy_from_slice(&NESTED_MAGIC.to_be_bytes());
            needle[4..].copy_from_slice(&1i32.to_be_bytes());
            let Some(skip) = r.rest().windows(needle.len()).position(|w| w == needle) else {
                return Ok(None);
            };
            // The magic may also occur inside the outer data: then what follows it is no
            // nested block, and the class stays unknown (as if no magic had been found).
            let mut attempt = r.clone();
            attempt.take(skip, "composite outer data")?;
            let Ok((nested, in_sync)) = read_nested_block(&mut attempt, depth) else {
                return Ok(None);
            };
            *r = attempt;
            return Ok(Some((
                SnapshotDetail::Composite {
                    outer_version: Some(outer_version),
                    outer_class: None,
                    supports_row_kind: None,
                    outer_flag: None,
                    opaque_outer: true,
                    nested,
                },
                in_sync,
            )));
        }
    }
    let (nested, in_sync) = read_nested_block(r, depth)?;
    Ok(Some((
        SnapshotDetail::Composite {
            outer_version: Some(outer_version),
            outer_class,
            supports_row_kind,
            outer_flag,
            opaque_outer: false,
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
        logical_types.push(
            match crate::schema::logical_type::logical_type_from_java(&value) {
                Ok(ty) => ty.to_string(),
                Err(reason) => format!("UNKNOWN({reason})"),
            },
        );
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

/// `MapDataSerializer` / `ArrayDataSerializer` (table runtime): the key and value (or element)
/// logical types and their serializers, each a separate Java serialization stream. Flink
/// compares the types and serializers for equality, and the serializers follow from the types.
fn read_sql_collection(r: &mut DataReader, is_map: bool) -> DecodeResult<SnapshotDetail> {
    let logical_type = |r: &mut DataReader| -> DecodeResult<String> {
        let value = crate::javaio::javaser::read_stream(r)?;
        Ok(
            match crate::schema::logical_type::logical_type_from_java(&value) {
                Ok(ty) => ty.to_string(),
                Err(reason) => format!("UNKNOWN({reason})"),
            },
        )
    };
    let logical_type = if is_map {
        let key = logical_type(r)?;
        let value = logical_type(r)?;
        format!("MAP<{key}, {value}>")
    } else {
        format!("ARRAY<{}>", logical_type(r)?)
    };
    for _ in 0..if is_map { 2 } else { 1 } {
        crate::javaio::javaser::skip_stream(r)?;
    }
    Ok(SnapshotDetail::SqlType { logical_type })
}

/// `SortedMapSerializerSnapshot` (table runtime): a Java-serialized comparator, then the key
/// and value serializers. Flink requires the comparator to be equal: the retracting Top-N's
/// `ComparableRecordComparator` compares by its sort spec (see [`sort_order`]), any other by
/// its class and a fingerprint of its serialized form.
/// `RowDataKeySerializerSnapshot` (2.3's linked multi-set state): the generated equaliser and
/// hash function, each a length and Java-serialized bytes (code, not schema: skipped), then the
/// row's own snapshot, which alone decides compatibility.
fn read_row_data_key(r: &mut DataReader, depth: u32) -> DecodeResult<(SnapshotDetail, bool)> {
    for what in ["generated record equaliser", "generated hash function"] {
        let len = r.length(&format!("{what} length"))?;
        r.take(len, what)?;
    }
    let row = read_snapshot(r, depth + 1)?;
    Ok((
        SnapshotDetail::Composite {
            outer_version: None,
            outer_class: None,
            supports_row_kind: None,
            outer_flag: None,
            opaque_outer: false,
            nested: vec![row.snapshot],
        },
        row.in_sync,
    ))
}

fn read_sorted_map(r: &mut DataReader, depth: u32) -> DecodeResult<(SnapshotDetail, bool)> {
    let before = r.rest();
    let start = r.offset();
    let comparator = crate::javaio::javaser::read_stream(r)?;
    let read = usize::try_from(r.offset() - start).unwrap_or(before.len());
    let bytes = &before[..read.min(before.len())];
    let outer_class = match comparator.as_object().and_then(sort_order) {
        Some(order) => order,
        None => {
            // FNV-1a: a stable fingerprint, the same in every run and build.
            let fingerprint = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            let class = comparator.class_name().unwrap_or("?");
            format!("{class} (serialized {fingerprint:016x})")
        }
    };
    let (nested, in_sync) = read_nested_block(r, depth)?;
    Ok((
        SnapshotDetail::Composite {
            outer_version: None,
            outer_class: Some(outer_class),
            supports_row_kind: None,
            outer_flag: None,
            opaque_outer: false,
            nested,
        },
        in_sync,
    ))
}

/// The sort spec of a `ComparableRecordComparator`, whose `equals` compares it (and not the
/// generated code, which differs between clients): `order = [0 DESC NULLS LAST]`, one entry
/// per sort-key field. The field types are the nested key serializer's, compared there.
fn sort_order(comparator: &JavaObject) -> Option<String> {
    if !comparator.class.ends_with(".ComparableRecordComparator") {
        return None;
    }
    let values = |name: &str| -> Option<Vec<JavaPrim>> {
        let array = comparator.field(name)?.as_array()?;
        match &array.elements {
            ArrayElements::Values(v) => v
                .iter()
                .map(|e| match e {
                    JavaValue::Prim(p) => Some(*p),
                    _ => None,
                })
                .collect(),
            ArrayElements::Bytes(_) => None,
        }
    };
    let positions = values("compareKeyPositions")?;
    let ascending = values("compareOrders")?;
    let nulls_last = values("nullsIsLast")?;
    if positions.len() != ascending.len() || positions.len() != nulls_last.len() {
        return None;
    }
    let mut keys = Vec::with_capacity(positions.len());
    for ((p, a), n) in positions.iter().zip(&ascending).zip(&nulls_last) {
        let (JavaPrim::Int(p), JavaPrim::Boolean(a), JavaPrim::Boolean(n)) = (p, a, n) else {
            return None;
        };
        keys.push((*p, *a, *n));
    }
    Some(crate::schema::notation::sort_order_text(&keys))
}
