use super::*;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn number_sequence_split_and_empty_enumerator() {
    // "0", from 5, to 499999999 (as NumberSequenceSource writes it).
    let mut b = vec![0, 1, b'0'];
    b.extend_from_slice(&5i64.to_be_bytes());
    b.extend_from_slice(&499_999_999i64.to_be_bytes());
    assert_eq!(
        decode_split(1, &b, None),
        Split::NumberSequence(NumberSequenceSplit {
            split_id: "0".into(),
            from: 5,
            to: 499_999_999
        })
    );
    // Version 0 is not NumberSequenceSource's, and these bytes are no Kafka split.
    assert!(matches!(decode_split(0, &b, None), Split::Raw(_)));
    // The reference fixture's coordinator state: an empty enumerator checkpoint fits both
    // Kafka v1 and NumberSequence v1; the hint decides.
    let coord = unhex("00000001000000010000000400000000");
    let e = decode_coordinator_state(&coord, Some(Connector::NumberSequence)).unwrap();
    assert_eq!(
        e.content,
        EnumeratorContent::NumberSequence { remaining: vec![] }
    );
    let e = decode_coordinator_state(&coord, Some(Connector::Kafka)).unwrap();
    assert!(matches!(e.content, EnumeratorContent::Kafka(k) if k.partitions.is_empty()));
    let e = decode_coordinator_state(&coord, None).unwrap();
    assert!(matches!(e.content, EnumeratorContent::Raw(r) if r.hex_prefix == "00000000"));
    assert_eq!(
        (e.coordinator_serde_version, e.serializer_version, e.length),
        (1, 1, 4)
    );
}

#[test]
fn unknown_layouts_are_raw_with_a_prefix() {
    let blob: Vec<u8> = (0..100u8).collect();
    match decode_split(7, &blob, Some(Connector::Kafka)) {
        Split::Raw(r) => {
            assert_eq!(r.length, 100);
            assert_eq!(r.hex_prefix.len(), 2 * RAW_PREFIX);
            assert!(r.hex_prefix.starts_with("00010203"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        decode_enumerator(9, &blob, None),
        EnumeratorContent::Raw(_)
    ));
}

#[test]
fn truncated_and_hostile_inputs_never_panic() {
    let samples: Vec<Vec<u8>> = vec![
        unhex("00066f72646572730000000300000000000004d28000000000000000"),
        unhex(
            "0000000300066f7264657273000000000000000000066f72646572730000000100000000000b7061796d656e74732e7632000000020000000101",
        ),
        unhex("5701839998ff0806016f72646572f300000000000004d1"),
        vec![0xff; 40],
        vec![0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0],
    ];
    for s in &samples {
        for cut in 0..=s.len() {
            let b = &s[..cut];
            for v in -1..5 {
                let _ = decode_split(v, b, None);
                let _ = decode_enumerator(v, b, Some(Connector::Kafka));
                let _ = decode_kafka_enum_state(v, b);
            }
            let _ = decode_coordinator_state(b, None);
            let _ = decode_legacy_kafka_element(b);
            let _ = decode_file_split(b);
            let _ = read_reader_element(&mut DataReader::new(b));
        }
    }
}

#[test]
fn kafka_split_is_strict() {
    let good = unhex("00066f72646572730000000300000000000004d28000000000000000");
    assert!(decode_kafka_split(&good).is_ok());
    let mut longer = good.clone();
    longer.push(0);
    assert!(decode_kafka_split(&longer).is_err());
    // Negative partition.
    let mut neg = good.clone();
    neg[8..12].copy_from_slice(&(-1i32).to_be_bytes());
    assert!(decode_kafka_split(&neg).is_err());
    // Starting offset -5 is no marker.
    let mut bad_off = good;
    bad_off[12..20].copy_from_slice(&(-5i64).to_be_bytes());
    assert!(decode_kafka_split(&bad_off).is_err());
}

#[test]
fn legacy_element_falls_back_to_the_offset() {
    let mut b = vec![0x57, 0x01, 0x02, 0x03];
    b.extend_from_slice(&77i64.to_be_bytes());
    let l = decode_legacy_kafka_element(&b);
    assert_eq!((l.topic, l.partition, l.offset), (None, None, Some(77)));
    assert_eq!(l.raw.unwrap().length, 4);
}
