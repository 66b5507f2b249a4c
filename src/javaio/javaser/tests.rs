use std::rc::Rc;

use super::*;
use crate::javaio::data_input::DataReader;
use crate::javaio::test_support::{fixture, hex, stream_offsets};

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
                // The only other stream in the fixtures: the `_metadata` trailer.
                assert_eq!(
                    class, "org.apache.flink.runtime.checkpoint.CheckpointProperties",
                    "{name}@{start}"
                );
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
    assert!(matches!(cyc[0], JavaValue::Cycle { class, .. } if &**class == "java.util.ArrayList"));
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
