use super::from_java::PKG;
use super::*;
use crate::javaio::data_input::DataReader;
use crate::javaio::javaser::{self, JavaValue, is_stream_start, read_stream};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/fixtures/reference/{name}/_metadata",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const ROW_DATA_SNAPSHOT: &[u8] =
    b"org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot";

/// Every RowData snapshot in a fixture: after the snapshot class name come `i32 version`
/// (3), `i32 numFields` and one Java serialization stream per field, then the nested
/// serializers delegate (magic 0x001457FD).
fn row_data_types(name: &str) -> Vec<Vec<LogicalType>> {
    let data = fixture(name);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = data[from..]
        .windows(ROW_DATA_SNAPSHOT.len())
        .position(|w| w == ROW_DATA_SNAPSHOT)
    {
        let start = from + pos + ROW_DATA_SNAPSHOT.len();
        from = start;
        let mut r = DataReader::with_base(&data[start..], start as u64);
        assert_eq!(r.i32("version").unwrap(), 3);
        let n = r.count("fields", 4).unwrap();
        let mut types = Vec::new();
        for _ in 0..n {
            assert!(is_stream_start(r.rest()));
            let v = read_stream(&mut r).unwrap();
            types.push(logical_type_from_java(&v).unwrap());
        }
        assert!(r.rest().starts_with(&[0x00, 0x14, 0x57, 0xFD]), "{name}");
        out.push(types);
    }
    out
}

#[test]
fn sql_fixtures_key_is_nullable_varchar_and_accumulators_are_bigint() {
    for name in ["flink-2.3.0-sql-sql", "flink-2.3.0-sql-plan"] {
        let snapshots = row_data_types(name);
        assert!(!snapshots.is_empty(), "{name}");
        let rendered: Vec<Vec<String>> = snapshots
            .iter()
            .map(|ts| ts.iter().map(|t| t.to_string()).collect())
            .collect();
        // The GROUP BY key (a STRING column) and the two accumulators (COUNT, SUM of BIGINT):
        // every snapshot is one of these two shapes.
        for ts in &rendered {
            assert!(
                ts == &["VARCHAR(2147483647)"] || ts == &["BIGINT", "BIGINT"],
                "{name}: {ts:?}"
            );
        }
        assert!(rendered.iter().any(|ts| ts.len() == 1), "{name}");
        assert!(rendered.iter().any(|ts| ts.len() == 2), "{name}");
        let key = &snapshots.iter().find(|ts| ts.len() == 1).unwrap()[0];
        assert!(key.nullable, "the key column is nullable in the bytes");
        assert_eq!(key.kind, TypeKind::VarChar { length: i32::MAX });
        assert_eq!(key.summary_string(), "STRING");
        assert_eq!(key.root(), "VARCHAR");
        let acc = &snapshots.iter().find(|ts| ts.len() == 2).unwrap()[0];
        assert_eq!(
            *acc,
            LogicalType {
                nullable: true,
                kind: TypeKind::BigInt
            }
        );
    }
}

/// Expected `(class, asSerializableString, asSummaryString)` of each element of
/// [`ALL_TYPES_STREAM`], printed by Flink 2.3.0 itself.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("CharType", "CHAR(5)", "CHAR(5)"),
    (
        "VarCharType",
        "VARCHAR(2147483647) NOT NULL",
        "STRING NOT NULL",
    ),
    ("BooleanType", "BOOLEAN", "BOOLEAN"),
    ("BinaryType", "BINARY(3)", "BINARY(3)"),
    ("VarBinaryType", "VARBINARY(2147483647)", "BYTES"),
    ("DecimalType", "DECIMAL(10, 2)", "DECIMAL(10, 2)"),
    (
        "DecimalType",
        "DECIMAL(38, 0) NOT NULL",
        "DECIMAL(38, 0) NOT NULL",
    ),
    ("TinyIntType", "TINYINT", "TINYINT"),
    ("SmallIntType", "SMALLINT", "SMALLINT"),
    ("IntType", "INT NOT NULL", "INT NOT NULL"),
    ("BigIntType", "BIGINT", "BIGINT"),
    ("FloatType", "FLOAT", "FLOAT"),
    ("DoubleType", "DOUBLE", "DOUBLE"),
    ("DateType", "DATE", "DATE"),
    ("TimeType", "TIME(3)", "TIME(3)"),
    ("TimestampType", "TIMESTAMP(3)", "TIMESTAMP(3)"),
    ("TimestampType", "TIMESTAMP(3)", "TIMESTAMP(3) *ROWTIME*"),
    (
        "LocalZonedTimestampType",
        "TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL",
        "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*",
    ),
    (
        "ZonedTimestampType",
        "TIMESTAMP(6) WITH TIME ZONE",
        "TIMESTAMP(6) WITH TIME ZONE",
    ),
    (
        "DayTimeIntervalType",
        "INTERVAL DAY(2) TO SECOND(6)",
        "INTERVAL DAY(2) TO SECOND(6)",
    ),
    ("DayTimeIntervalType", "INTERVAL HOUR", "INTERVAL HOUR"),
    (
        "DayTimeIntervalType",
        "INTERVAL MINUTE TO SECOND(3)",
        "INTERVAL MINUTE TO SECOND(3)",
    ),
    (
        "YearMonthIntervalType",
        "INTERVAL YEAR(2) TO MONTH",
        "INTERVAL YEAR(2) TO MONTH",
    ),
    ("YearMonthIntervalType", "INTERVAL MONTH", "INTERVAL MONTH"),
    ("ArrayType", "ARRAY<INT>", "ARRAY<INT>"),
    (
        "MultisetType",
        "MULTISET<VARCHAR(2147483647)> NOT NULL",
        "MULTISET<STRING> NOT NULL",
    ),
    (
        "MapType",
        "MAP<VARCHAR(2147483647), BIGINT NOT NULL>",
        "MAP<STRING, BIGINT NOT NULL>",
    ),
    (
        "RowType",
        "ROW<`a` INT, `b``x` VARCHAR(2147483647) 'it''s b', `n` ROW<`x` INT, `y` INT> NOT NULL>",
        "ROW<`a` INT, `b``x` STRING '...', `n` ROW<`x` INT, `y` INT> NOT NULL>",
    ),
    ("NullType", "NULL", "NULL"),
    // Flink's serializable form embeds the serializer snapshot in Base64
    // ('AFRvcmcu...AAAAD'); without a JVM we print the summary form.
    (
        "RawType",
        "RAW('java.lang.String', '...')",
        "RAW('java.lang.String', '...')",
    ),
    ("BitmapType", "BITMAP", "BITMAP"),
    ("VariantType", "VARIANT", "VARIANT"),
    ("DescriptorType", "DESCRIPTOR", "DESCRIPTOR"),
    ("StructuredType", "`cat`.`db`.`Pt`", "`cat`.`db`.`Pt`"),
    (
        "StructuredType",
        "STRUCTURED<'com.example.Pojo', `f` BIGINT>",
        "STRUCTURED<'com.example.Pojo', `f` BIGINT>",
    ),
    ("DistinctType", "`cat`.`db`.`Money`", "`cat`.`db`.`Money`"),
];

/// `ObjectOutputStream.writeObject(LogicalType[])` of the types in [`EXPECTED`], written
/// with the Flink 2.3.0 jars on OpenJDK 17. The inner ROW's two fields share one `IntType`
/// instance (object back-references); the StructuredType attributes are a `List.of`
/// (`java.util.CollSer`, externalizable); the RawType holds `StringSerializer.INSTANCE`.
const ALL_TYPES_STREAM: &str = "\
    aced0005757200335b4c6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c\
    6f676963616c547970653b183447acdb71a1360200007870000000247372002d6f72672e6170616368652e666c696e6b\
    2e7461626c652e74797065732e6c6f676963616c2e436861725479706500000000000000010200014900066c656e6774\
    68787200306f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c6f67696361\
    6c5479706500000000000000010200025a000a69734e756c6c61626c654c000874797065526f6f747400364c6f72672f\
    6170616368652f666c696e6b2f7461626c652f74797065732f6c6f676963616c2f4c6f676963616c54797065526f6f74\
    3b7870017e7200346f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c6f67\
    6963616c54797065526f6f7400000000000000001200007872000e6a6176612e6c616e672e456e756d00000000000000\
    0012000078707400044348415200000005737200306f72672e6170616368652e666c696e6b2e7461626c652e74797065\
    732e6c6f676963616c2e566172436861725479706500000000000000010200014900066c656e6774687871007e000300\
    7e71007e0006740007564152434841527fffffff737200306f72672e6170616368652e666c696e6b2e7461626c652e74\
    797065732e6c6f676963616c2e426f6f6c65616e5479706500000000000000010200007871007e0003017e71007e0006\
    740007424f4f4c45414e7372002f6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963\
    616c2e42696e6172795479706500000000000000010200014900066c656e6774687871007e0003017e71007e00067400\
    0642494e41525900000003737200326f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f6769\
    63616c2e56617242696e6172795479706500000000000000010200014900066c656e6774687871007e0003017e71007e\
    000674000956415242494e4152597fffffff737200306f72672e6170616368652e666c696e6b2e7461626c652e747970\
    65732e6c6f676963616c2e446563696d616c547970650000000000000001020002490009707265636973696f6e490005\
    7363616c657871007e0003017e71007e0006740007444543494d414c0000000a000000027371007e001a0071007e001c\
    0000002600000000737200306f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c\
    2e54696e79496e745479706500000000000000010200007871007e0003017e71007e000674000754494e59494e547372\
    00316f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e536d616c6c496e7454\
    79706500000000000000010200007871007e0003017e71007e0006740008534d414c4c494e547372002c6f72672e6170\
    616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e496e745479706500000000000000010200\
    007871007e0003007e71007e0006740007494e54454745527372002f6f72672e6170616368652e666c696e6b2e746162\
    6c652e74797065732e6c6f676963616c2e426967496e745479706500000000000000010200007871007e0003017e7100\
    7e0006740006424947494e547372002e6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f67\
    6963616c2e466c6f61745479706500000000000000010200007871007e0003017e71007e0006740005464c4f41547372\
    002f6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e446f75626c65547970\
    6500000000000000010200007871007e0003017e71007e0006740006444f55424c457372002d6f72672e617061636865\
    2e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e446174655479706500000000000000010200007871\
    007e0003017e71007e0006740004444154457372002d6f72672e6170616368652e666c696e6b2e7461626c652e747970\
    65732e6c6f676963616c2e54696d65547970650000000000000001020001490009707265636973696f6e7871007e0003\
    017e71007e000674001654494d455f574954484f55545f54494d455f5a4f4e4500000003737200326f72672e61706163\
    68652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e54696d657374616d7054797065000000000000\
    0001020002490009707265636973696f6e4c00046b696e647400344c6f72672f6170616368652f666c696e6b2f746162\
    6c652f74797065732f6c6f676963616c2f54696d657374616d704b696e643b7871007e0003017e71007e000674001b54\
    494d455354414d505f574954484f55545f54494d455f5a4f4e45000000037e7200326f72672e6170616368652e666c69\
    6e6b2e7461626c652e74797065732e6c6f676963616c2e54696d657374616d704b696e64000000000000000012000078\
    71007e0007740007524547554c41527371007e003f0171007e0042000000037e71007e0044740007524f5754494d4573\
    72003c6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4c6f63616c5a6f6e\
    656454696d657374616d70547970650000000000000001020002490009707265636973696f6e4c00046b696e6471007e\
    00407871007e0003007e71007e000674001e54494d455354414d505f574954485f4c4f43414c5f54494d455f5a4f4e45\
    000000037e71007e004474000850524f4354494d45737200376f72672e6170616368652e666c696e6b2e7461626c652e\
    74797065732e6c6f676963616c2e5a6f6e656454696d657374616d705479706500000000000000010200024900097072\
    65636973696f6e4c00046b696e6471007e00407871007e0003017e71007e000674001854494d455354414d505f574954\
    485f54494d455f5a4f4e450000000671007e0045737200386f72672e6170616368652e666c696e6b2e7461626c652e74\
    797065732e6c6f676963616c2e44617954696d65496e74657276616c54797065000000000000000102000349000c6461\
    79507265636973696f6e4900136672616374696f6e616c507265636973696f6e4c000a7265736f6c7574696f6e74004c\
    4c6f72672f6170616368652f666c696e6b2f7461626c652f74797065732f6c6f676963616c2f44617954696d65496e74\
    657276616c547970652444617954696d655265736f6c7574696f6e3b7871007e0003017e71007e0006740011494e5445\
    5256414c5f4441595f54494d4500000002000000067e72004a6f72672e6170616368652e666c696e6b2e7461626c652e\
    74797065732e6c6f676963616c2e44617954696d65496e74657276616c547970652444617954696d655265736f6c7574\
    696f6e00000000000000001200007871007e000774000d4441595f544f5f5345434f4e447371007e00540171007e0057\
    00000002000000067e71007e0059740004484f55527371007e00540171007e005700000002000000037e71007e005974\
    00104d494e5554455f544f5f5345434f4e447372003a6f72672e6170616368652e666c696e6b2e7461626c652e747970\
    65732e6c6f676963616c2e596561724d6f6e7468496e74657276616c54797065000000000000000102000249000d7965\
    6172507265636973696f6e4c000a7265736f6c7574696f6e7400504c6f72672f6170616368652f666c696e6b2f746162\
    6c652f74797065732f6c6f676963616c2f596561724d6f6e7468496e74657276616c5479706524596561724d6f6e7468\
    5265736f6c7574696f6e3b7871007e0003017e71007e0006740013494e54455256414c5f594541525f4d4f4e54480000\
    00027e72004e6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e596561724d\
    6f6e7468496e74657276616c5479706524596561724d6f6e74685265736f6c7574696f6e000000000000000012000078\
    71007e000774000d594541525f544f5f4d4f4e54487371007e00620171007e0065000000027e71007e00677400054d4f\
    4e54487372002e6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e41727261\
    795479706500000000000000010200014c000b656c656d656e74547970657400324c6f72672f6170616368652f666c69\
    6e6b2f7461626c652f74797065732f6c6f676963616c2f4c6f676963616c547970653b7871007e0003017e71007e0006\
    74000541525241597371007e00270171007e0029737200316f72672e6170616368652e666c696e6b2e7461626c652e74\
    797065732e6c6f676963616c2e4d756c74697365745479706500000000000000010200014c000b656c656d656e745479\
    706571007e006e7871007e0003007e71007e00067400084d554c54495345547371007e000a0171007e000c7fffffff73\
    72002c6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4d61705479706500\
    000000000000010200024c00076b65795479706571007e006e4c000976616c75655479706571007e006e7871007e0003\
    017e71007e00067400034d41507371007e000a0171007e000c7fffffff7371007e002b0071007e002d7372002c6f7267\
    2e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e526f775479706500000000000000\
    010200014c00066669656c64737400104c6a6176612f7574696c2f4c6973743b7871007e0003017e71007e0006740003\
    524f57737200266a6176612e7574696c2e436f6c6c656374696f6e7324556e6d6f6469666961626c654c697374fc0f25\
    31b5ec8e100200014c00046c69737471007e007f7872002c6a6176612e7574696c2e436f6c6c656374696f6e7324556e\
    6d6f6469666961626c65436f6c6c656374696f6e19420080cb5ef71e0200014c0001637400164c6a6176612f7574696c\
    2f436f6c6c656374696f6e3b7870737200136a6176612e7574696c2e41727261794c6973747881d21d99c7619d030001\
    49000473697a65787000000003770400000003737200356f72672e6170616368652e666c696e6b2e7461626c652e7479\
    7065732e6c6f676963616c2e526f775479706524526f774669656c6400000000000000010200034c000b646573637269\
    7074696f6e7400124c6a6176612f6c616e672f537472696e673b4c00046e616d6571007e008a4c00047479706571007e\
    006e787070740001617371007e00270171007e00297371007e00897400066974277320627400036260787371007e000a\
    0171007e000c7fffffff7371007e0089707400016e7371007e007e0071007e00817371007e00837371007e0087000000\
    027704000000027371007e008970740001787371007e00270171007e00297371007e0089707400017971007e00997871\
    007e00967871007e00887372002d6f72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963\
    616c2e4e756c6c5479706500000000000000010200007871007e0003017e71007e00067400044e554c4c7372002c6f72\
    672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e52617754797065000000000000\
    00010200024c0005636c617a7a7400114c6a6176612f6c616e672f436c6173733b4c000a73657269616c697a65727400\
    364c6f72672f6170616368652f666c696e6b2f6170692f636f6d6d6f6e2f747970657574696c732f5479706553657269\
    616c697a65723b7871007e0003017e71007e0006740003524157767200106a6176612e6c616e672e537472696e67a0f0\
    a4387a3bb34202000078707372003b6f72672e6170616368652e666c696e6b2e6170692e636f6d6d6f6e2e7479706575\
    74696c732e626173652e537472696e6753657269616c697a65720000000000000001020000787200426f72672e617061\
    6368652e666c696e6b2e6170692e636f6d6d6f6e2e747970657574696c732e626173652e5479706553657269616c697a\
    657253696e676c65746f6e79a987aac72e7745020000787200346f72672e6170616368652e666c696e6b2e6170692e63\
    6f6d6d6f6e2e747970657574696c732e5479706553657269616c697a6572000000000000000102000078707372002f6f\
    72672e6170616368652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e4269746d6170547970650000\
    0000000000010200007871007e0003017e71007e00067400064249544d4150737200306f72672e6170616368652e666c\
    696e6b2e7461626c652e74797065732e6c6f676963616c2e56617269616e7454797065979114bfb3839bfc0200007871\
    007e0003017e71007e000674000756415249414e54737200336f72672e6170616368652e666c696e6b2e7461626c652e\
    74797065732e6c6f676963616c2e44657363726970746f725479706500000000000000010200007871007e0003017e71\
    007e000674000a44455343524950544f52737200336f72672e6170616368652e666c696e6b2e7461626c652e74797065\
    732e6c6f676963616c2e537472756374757265645479706500000000000000010200065a000e6973496e7374616e7469\
    61626c654c000a6174747269627574657371007e007f4c0009636c6173734e616d6571007e008a4c000a636f6d706172\
    69736f6e74004a4c6f72672f6170616368652f666c696e6b2f7461626c652f74797065732f6c6f676963616c2f537472\
    75637475726564547970652453747275637475726564436f6d70617269736f6e3b4c0013696d706c656d656e74617469\
    6f6e436c61737371007e00a14c00097375706572547970657400354c6f72672f6170616368652f666c696e6b2f746162\
    6c652f74797065732f6c6f676963616c2f53747275637475726564547970653b787200346f72672e6170616368652e66\
    6c696e6b2e7461626c652e74797065732e6c6f676963616c2e55736572446566696e6564547970650000000000000001\
    0200035a0007697346696e616c4c000b6465736372697074696f6e71007e008a4c00106f626a6563744964656e746966\
    6965727400314c6f72672f6170616368652f666c696e6b2f7461626c652f636174616c6f672f4f626a6563744964656e\
    7469666965723b7871007e0003017e71007e000674000f535452554354555245445f5459504501707372002f6f72672e\
    6170616368652e666c696e6b2e7461626c652e636174616c6f672e4f626a6563744964656e746966696572a41cb49f8b\
    51f44d0200034c000b636174616c6f674e616d6571007e008a4c000c64617461626173654e616d6571007e008a4c000a\
    6f626a6563744e616d6571007e008a78707400036361747400026462740002507401737200116a6176612e7574696c2e\
    436f6c6c536572578eabb63a1ba811030001490003746167787000000001770400000002737200476f72672e61706163\
    68652e666c696e6b2e7461626c652e74797065732e6c6f676963616c2e53747275637475726564547970652453747275\
    63747572656441747472696275746500000000000000010200034c000b6465736372697074696f6e71007e008a4c0004\
    6e616d6571007e008a4c00047479706571007e006e78707071007e00987371007e00270171007e00297371007e00c774\
    000377687971007e009b7371007e00330171007e003578707e7200486f72672e6170616368652e666c696e6b2e746162\
    6c652e74797065732e6c6f676963616c2e53747275637475726564547970652453747275637475726564436f6d706172\
    69736f6e00000000000000001200007871007e0007740006455155414c5370707371007e00b80171007e00be01707001\
    7371007e00c5000000017704000000017371007e00c770740001667371007e002b0171007e002d78740010636f6d2e65\
    78616d706c652e506f6a6f71007e00ce7070737200316f72672e6170616368652e666c696e6b2e7461626c652e747970\
    65732e6c6f676963616c2e44697374696e63745479706500000000000000010200014c000a736f757263655479706571\
    007e006e7871007e00bb017e71007e000674000d44495354494e43545f5459504501707371007e00c071007e00c27100\
    7e00c37400054d6f6e65797371007e001a0171007e001c0000000a00000002";

fn all_types() -> Vec<LogicalType> {
    let data = hex(ALL_TYPES_STREAM);
    let mut r = DataReader::new(&data);
    let v = read_stream(&mut r).unwrap();
    assert!(r.is_empty());
    let elements = javaser::list_elements(&v).unwrap();
    assert_eq!(elements.len(), EXPECTED.len());
    elements
        .iter()
        .zip(EXPECTED)
        .map(|(e, (class, _, _))| {
            assert_eq!(e.class_name(), Some(format!("{PKG}{class}").as_str()));
            logical_type_from_java(e).unwrap()
        })
        .collect()
}

#[test]
fn every_type_prints_like_flink() {
    for (t, (class, serializable, summary)) in all_types().iter().zip(EXPECTED) {
        assert_eq!(t.to_string(), *serializable, "{class}");
        assert_eq!(t.summary_string(), *summary, "{class}");
    }
}

#[test]
fn decoded_parameters() {
    let ts = all_types();
    assert_eq!(
        ts[5].kind,
        TypeKind::Decimal {
            precision: 10,
            scale: 2
        }
    );
    assert!(!ts[6].nullable);
    assert!(matches!(
        ts[17].kind,
        TypeKind::LocalZonedTimestamp {
            precision: 3,
            kind: TimestampKind::Proctime
        }
    ));
    match &ts[27].kind {
        TypeKind::Row(fields) => {
            assert_eq!(fields.len(), 3);
            assert_eq!(fields[1].name, "b`x");
            assert_eq!(fields[1].description.as_deref(), Some("it's b"));
            let TypeKind::Row(inner) = &fields[2].ty.kind else {
                panic!("nested row")
            };
            assert_eq!(inner[0].ty, inner[1].ty);
            assert!(!fields[2].ty.nullable);
        }
        other => panic!("{other:?}"),
    }
    match &ts[29].kind {
        TypeKind::Raw {
            class,
            serializer_class,
            ..
        } => {
            assert_eq!(class, "java.lang.String");
            assert_eq!(
                serializer_class,
                "org.apache.flink.api.common.typeutils.base.StringSerializer"
            );
        }
        other => panic!("{other:?}"),
    }
    match &ts[33].kind {
        TypeKind::Structured(s) => {
            assert_eq!(
                s.identifier,
                Some(ObjectIdentifier {
                    catalog: Some("cat".into()),
                    database: Some("db".into()),
                    object: "Pt".into()
                })
            );
            assert_eq!(s.attributes.len(), 2);
            assert_eq!(s.attributes[1].description.as_deref(), Some("why"));
            assert_eq!(s.comparison.as_deref(), Some("EQUALS"));
        }
        other => panic!("{other:?}"),
    }
    match &ts[35].kind {
        TypeKind::Distinct { source, .. } => assert_eq!(source.to_string(), "DECIMAL(10, 2)"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn equality_follows_flink() {
    let ts = all_types();
    for (i, a) in ts.iter().enumerate() {
        for (j, b) in ts.iter().enumerate() {
            // Only the two TIMESTAMP(3) types (REGULAR and ROWTIME) are equal in Flink.
            let same = i == j || matches!((i, j), (15, 16) | (16, 15));
            assert_eq!(a == b, same, "{a} vs {b}");
        }
    }
    let mut not_null = ts[0].clone();
    not_null.nullable = false;
    assert_ne!(not_null, ts[0]);
    let TypeKind::Row(fields) = &ts[27].kind else {
        panic!()
    };
    let mut other = fields.clone();
    other[1].description = None;
    assert_ne!(TypeKind::Row(other.clone()), ts[27].kind);
    other[1].description = fields[1].description.clone();
    assert_eq!(TypeKind::Row(other.clone()), ts[27].kind);
    other[0].name = "z".into();
    assert_ne!(TypeKind::Row(other), ts[27].kind);
}

#[test]
fn formats_not_in_the_stream() {
    use DayTimeResolution::*;
    let cases = [
        (Day, 3, 4, "INTERVAL DAY(3)"),
        (DayToHour, 3, 4, "INTERVAL DAY(3) TO HOUR"),
        (DayToMinute, 3, 4, "INTERVAL DAY(3) TO MINUTE"),
        (HourToMinute, 2, 6, "INTERVAL HOUR TO MINUTE"),
        (HourToSecond, 2, 4, "INTERVAL HOUR TO SECOND(4)"),
        (Minute, 2, 6, "INTERVAL MINUTE"),
        (Second, 2, 4, "INTERVAL SECOND(4)"),
    ];
    for (resolution, d, f, expected) in cases {
        let t = LogicalType {
            nullable: false,
            kind: TypeKind::DayTimeInterval {
                resolution,
                day_precision: d,
                fractional_precision: f,
            },
        };
        assert_eq!(t.to_string(), format!("{expected} NOT NULL"));
    }
    let t = LogicalType {
        nullable: true,
        kind: TypeKind::YearMonthInterval {
            resolution: YearMonthResolution::Year,
            year_precision: 3,
        },
    };
    assert_eq!(t.to_string(), "INTERVAL YEAR(3)");
    let t = LogicalType {
        nullable: false,
        kind: TypeKind::Row(vec![]),
    };
    assert_eq!(t.to_string(), "ROW<> NOT NULL");
}

/// A type class this reader does not know (the real stream with `BitmapType` renamed to
/// `BitmapTypX`, same length) falls back to its type root and keeps its fields for equality.
#[test]
fn unknown_type_classes_fall_back_to_the_root() {
    let mut data = hex(ALL_TYPES_STREAM);
    let from = b"logical.BitmapType";
    let pos = data.windows(from.len()).position(|w| w == from).unwrap();
    data[pos + from.len() - 1] = b'X';
    let v = read_stream(&mut DataReader::new(&data)).unwrap();
    let elements = javaser::list_elements(&v).unwrap();
    let t = logical_type_from_java(elements[30]).unwrap();
    assert_eq!(
        t.kind,
        TypeKind::Unknown {
            class: format!("{PKG}BitmapTypX"),
            root: Some("BITMAP".into()),
            fields: String::new(),
        }
    );
    assert_eq!(t.to_string(), "BITMAP");
    assert_ne!(t, all_types()[30]);
}

#[test]
fn non_types_are_errors_and_damaged_streams_never_panic() {
    let v = JavaValue::String("x".into());
    assert!(logical_type_from_java(&v).is_err());
    let data = hex(ALL_TYPES_STREAM);
    let mut copy = data.clone();
    for i in 0..data.len() {
        for x in [0x01u8, 0x20, 0xFF] {
            copy[i] = data[i] ^ x;
            if let Ok(v) = read_stream(&mut DataReader::new(&copy))
                && let Some(elements) = javaser::list_elements(&v)
            {
                for e in elements {
                    let _ = logical_type_from_java(e).map(|t| (t.to_string(), t.summary_string()));
                }
            }
        }
        copy[i] = data[i];
    }
}
