//! Rules of moving a savepoint from Flink 1.x to 2.x: what the new major version reads
//! differently (Kryo 5, built-in collection serializers, the removed Scala API).

use super::{Category, Rule, Severity, Text};

pub const KRYO_ACROSS_FLINK_2: Rule = rule!(
    "kryo-across-flink-2",
    Schema,
    Warning,
    "Kryo-serialized state of Flink 1.x restored on Flink 2.x",
    "savepoints of 1.x restored on 2.0 and later",
    ["1.20.3 → 2.3.0", "1.20.3 → 2.0.0", "1.20.3 → 2.1.3", "1.20.3 → 2.2.1", "1.18.1 → 2.0.0", "1.18.1 → 2.3.0", "1.19.3 → 2.3.0", "1.15.4 → 2.3.0"],
    fix: [
        "" => "before upgrading, move the state to a POJO, Avro or custom-serializer type on Flink 1.x (new state + migration, or the State Processor API), take a savepoint, then upgrade",
    ],
);
pub const SCALA_SERIALIZER_ON_FLINK_2: Rule = rule!(
    "scala-serializer-on-flink-2",
    Schema,
    Error,
    "State written by the removed Scala API serializers",
    "2.0 and later",
    ["1.20.3 → 2.3.0"],
    fix: [
        "" => "ship a library that provides the flink-scala serializer classes with the job, or migrate the state to Java types on Flink 1.x before upgrading",
    ],
    error: ["" => "Could not find class '{class}' in classpath."],
);
pub const ASYNC_STATE_CANONICAL_SAVEPOINT: Rule = rule!(
    "async-state-canonical-savepoint",
    Lint,
    Warning,
    "An operator with async state (State V2) cannot be in a canonical savepoint",
    "2.0 and later",
    ["2.3.0", "1.20.3 → 2.1.3", "1.20.3 → 2.2.1", "1.20.3 → 2.3.0"],
    fix: [
        "" => "take native savepoints of this job (`flink stop --type native`, `flink savepoint --type native`, or the operator's savepointFormatType: NATIVE); checkpoints work as before, and a native savepoint restores only on the same kind of backend (RocksDB and ForSt read each other's)",
    ],
    error: ["" => "java.lang.UnsupportedOperationException: Not supported yet."],
);
pub const KRYO_COLLECTION_ON_FLINK_2: Rule = rule!(
    "kryo-collection-on-flink-2",
    Schema,
    Error,
    "A java.util collection Flink 1.x serialized with Kryo, restored on Flink 2.x",
    "savepoints of 1.x restored on 2.0 and later",
    ["1.20.3 → 2.0.0", "1.20.3 → 2.1.3", "1.20.3 → 2.2.1", "1.20.3 → 2.3.0", "1.18.1 → 2.0.0", "1.18.1 → 2.3.0", "1.19.3 → 2.3.0", "1.15.4 → 2.3.0"],
    fix: [
        "" => "before upgrading, on Flink 1.x: declare the collection with Flink's own serializer (Types.LIST / Types.MAP, e.g. `ListTypeInfo`/`MapTypeInfo` in the state descriptor or @TypeInfo on the POJO field), migrate the values into it (new state + copy, or the State Processor API), take a savepoint, then upgrade",
    ],
);
pub const SQL_ON_CONFLICT_REQUIRED: Rule = rule!(
    "sql-on-conflict-required",
    Schema,
    Warning,
    "SQL: a sink upsert materializer's query, which Flink 2.3 plans only with an ON CONFLICT clause",
    "savepoints written before 2.3, restored on 2.3 and later (plain SQL planned anew; a compiled plan of the old release runs as it is)",
    ["1.20.3 → 2.3.0", "1.18.1 → 2.3.0"],
    fix: [
        "" => "add `ON CONFLICT DO DEDUPLICATE` to the INSERT (what earlier releases did: the same materializer, and its saved rows restore), or SET 'table.exec.sink.require-on-conflict' = 'false'; or run the compiled plan of the old release (EXECUTE PLAN), which Flink 2.3 runs unchanged",
    ],
    error: ["" => "The query has an upsert key that differs from the primary key of the sink table '...'. [...] Please specify an ON CONFLICT clause to define how conflicts should be handled: ON CONFLICT DO DEDUPLICATE [...], or ON CONFLICT DO ERROR (fail on conflict), or ON CONFLICT DO NOTHING (keep first record)."],
);
