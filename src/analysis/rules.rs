//! The catalog of compatibility rules. Every finding carries one of these ids as its JSON
//! `reasons[].code`; each rule has a doc page under `docs/rules/` (shown by `spcompat explain`).

mod model;
mod shared;

pub use model::{Category, Rule, Severity, Text, fill, placeholders};
pub use shared::SERIALIZER_ERRORS;

macro_rules! rule {
    ($id:literal, $cat:ident, $sev:ident, $title:literal, $versions:literal, [$($seen:literal),*]
        $(, fix: [$($fcase:literal => $fix:literal),* $(,)?])?
        $(, error: [$($ecase:literal => $err:literal),* $(,)?])? $(,)?) => {
        Rule {
            id: $id,
            category: Category::$cat,
            severity: Severity::$sev,
            title: $title,
            flink_versions: $versions,
            confirmed_on: &[$($seen),*],
            // From the crate root, so rules defined in submodules find their page too.
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules/", $id, ".md")),
            fixes: &[$($(Text { case: $fcase, text: $fix }),*)?],
            flink_errors: &[$($(Text { case: $ecase, text: $err }),*)?],
        }
    };
}

// The rules of crossing into Flink 2.x, in their own file (they use the macro above).
mod flink2;
pub use flink2::{
    ASYNC_STATE_CANONICAL_SAVEPOINT, KRYO_ACROSS_FLINK_2, KRYO_COLLECTION_ON_FLINK_2,
    SCALA_SERIALIZER_ON_FLINK_2, SQL_ON_CONFLICT_REQUIRED,
};
// The rules that explain SQL changes in SQL terms, likewise.
mod sql;
pub use sql::{
    SQL_AGGREGATE_CHANGED, SQL_CONNECTOR_OPTIONS_CHANGED, SQL_DEDUPLICATE_CHANGED,
    SQL_GROUP_KEY_CHANGED, SQL_JOIN_CHANGED, SQL_MATCH_CHANGED, SQL_MATCH_ID_CHANGES_ON_1_19,
    SQL_ON_CONFLICT_NOTHING_TO_ERROR, SQL_PLAN_PRIMARY_KEY_NAME, SQL_PLAN_UID_FORMAT_CHANGED,
    SQL_PLAN_UIDS_MISSING, SQL_SINK_MATERIALIZER_CHANGED, SQL_SINK_MATERIALIZER_REPLACED,
    SQL_STATE_TTL_CHANGED, SQL_TOP_N_CHANGED, SQL_TOPOLOGY_SHIFTED_IDS, SQL_WINDOW_CHANGED,
};

pub const UNMAPPED_STATE: Rule = rule!(
    "unmapped-state",
    Mapping,
    Error,
    "State in the savepoint has no operator in the new job",
    "1.3 and later",
    [],
    fix: [
        "successor-uid" => "{target} looks like its successor: give it back uid(\"{uid}\"), or setUidHash(\"{id}\")",
        "successor" => "{target} looks like its successor: call setUidHash(\"{id}\") on it to take over this state",
        "uid" => "keep an operator with uid(\"{uid}\") in the new job, or run with -n to drop this state",
        "no-uid" => "bind the operator that should take this state with setUidHash(\"{id}\"), or run with -n to drop it",
        "sql-successor" => "{target} looks like its successor, but the planner, not the query, names SQL operators: keep the query's shape (or its compiled plan's ExecNode ids) so the IDs stay, or run with -n to drop this state",
        "sql" => "the planner, not the query, names SQL operators: keep the query's shape (or run from a compiled plan, whose uids do not move), or run with -n to drop this state",
        "sql-uid-format" => "the uid format of a Flink 1.15 compiled plan changed, not the query: follow the fix of {rule} beside this finding (SET 'table.exec.uid.format' = '<id>_<type>_<version>_<transformation>'), or run with -n to drop this state",
        "sql-release" => "the new Flink release, not the query, gives this SQL operator another ID: follow the fix of {rule} beside this finding (move the state to the new ID with the State Processor API), or run with -n to drop this state",
    ],
    error: [
        "" => "Failed to rollback to checkpoint/savepoint <savepoint>. Cannot map checkpoint/savepoint state for operator {id} to the new program, because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI.",
    ],
);
pub const MAX_PARALLELISM_MISMATCH: Rule = rule!(
    "max-parallelism-mismatch",
    Parallelism,
    Error,
    "A configured max parallelism differs from the savepoint's",
    "1.3 and later",
    [],
    fix: [
        "stateful" => "set max parallelism {old_max} on this operator's chain head (or job-wide), or remove the explicit setting so Flink adopts {old_max}",
        "stateless" => "set max parallelism {old_max} (or remove the explicit setting so Flink adopts it)",
    ],
    error: [
        "" => "Failed to rollback to checkpoint/savepoint Checkpoint Metadata. Max parallelism mismatch between checkpoint/savepoint state and new program. Cannot map operator {id} with max parallelism {old_max} to new program with max parallelism {new_max}. This indicates that the program has been changed in a non-compatible way after the checkpoint/savepoint.",
    ],
);
pub const PARALLELISM_ABOVE_MAX_PARALLELISM: Rule = rule!(
    "parallelism-above-max-parallelism",
    Parallelism,
    Error,
    "New parallelism is above the savepoint's max parallelism",
    "1.3 and later",
    [],
    fix: ["" => "use a parallelism of at most {old_max} for this operator"],
    error: [
        "" => "The state for task <jobVertexId> can not be restored. The maximum parallelism ({old_max}) of the restored state is lower than the configured parallelism ({parallelism}). Please reduce the parallelism of the task to be lower or equal to the maximum parallelism.",
    ],
);
pub const MAX_PARALLELISM_ADOPTED: Rule = rule!(
    "max-parallelism-adopted",
    Parallelism,
    Info,
    "A derived max parallelism adopts the savepoint's value",
    "1.3 and later",
    []
);
pub const RESTORED_VIA_UID_HASH: Rule = rule!(
    "restored-via-uid-hash",
    Mapping,
    Info,
    "State is restored through setUidHash",
    "1.3 and later",
    []
);
pub const STATE_NOT_EXAMINED: Rule = rule!(
    "state-not-examined",
    Coverage,
    Warning,
    "A state's serializer could not be decoded, so its compatibility is unknown",
    "all",
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"]
);
pub const STATE_NOT_COMPARED: Rule = rule!(
    "state-not-compared",
    Coverage,
    Warning,
    "The new job does not describe a mapped operator's state, so its schemas were not compared",
    "all",
    [],
    fix: [
        "" => "export the new job with its state (`spcompat export-job --jar NEW.jar`, or `check --job NEW.jar`), list its states in the job graph, or check against a canary savepoint of the new version",
        "incomplete" => "the states the new job lists were compared; check the others against a canary savepoint of the new version",
    ],
);

pub const CEP_PATTERN_NOT_COMPARED: Rule = rule!(
    "cep-pattern-not-compared",
    Coverage,
    Warning,
    "A CEP operator's saved partial matches follow a pattern the savepoint does not record, so the new pattern was not compared with it",
    "all (CEP, MATCH_RECOGNIZE)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "" => "give the old SQL job too (`check --old-job OLD.json`, or `diff OLD NEW`) so that spcompat compares the two MATCH_RECOGNIZE patterns; keep the pattern's variable names, or stop with a savepoint when no partial match is open",
    ],
);

pub const SOURCE_OFFSETS_RESET: Rule = rule!(
    "source-offsets-reset",
    Sources,
    Warning,
    "A source's saved positions (e.g. Kafka offsets) will not carry over",
    "1.12 and later (FLIP-27 sources), all (legacy `FlinkKafkaConsumer`)",
    ["2.0.0"],
    fix: [
        "" => "{keep} so the positions restore; if a reset is intended, choose startupMode deliberately (for Kafka, group-offsets resumes from the offsets committed at the last completed checkpoint, not at the savepoint)",
    ],
);
pub const SOURCE_TOPIC_REMOVED: Rule = rule!(
    "source-topic-removed",
    Sources,
    Warning,
    "Saved splits belong to a topic the new source no longer lists",
    "1.12 and later",
    [],
    fix: [
        "" => "if these topics must no longer be read, change the source's uid and start it fresh (-n), or drain and delete the topics first",
    ],
);
pub const SOURCE_TOPIC_ADDED: Rule = rule!(
    "source-topic-added",
    Sources,
    Info,
    "The new source lists a topic no saved split has",
    "1.12 and later",
    []
);

pub const LINT_STATEFUL_WITHOUT_UID: Rule = rule!(
    "stateful-operator-without-uid",
    Lint,
    Error,
    "A stateful operator has no uid, so its ID follows the job's shape",
    "all",
    [],
    fix: [
        "id" => "call .uid(\"<stable-name>\") on it, and .setUidHash(\"{id}\") once so existing savepoints keep restoring into it",
        "no-id" => "call .uid(\"<stable-name>\") on it (and keep the current ID for existing savepoints with .setUidHash(\"<current id>\") once)",
    ],
);
pub const LINT_DUPLICATE_UID: Rule = rule!(
    "duplicate-uid",
    Lint,
    Error,
    "Two operators share a uid",
    "all",
    [],
    fix: ["" => "give every operator its own uid"],
);
pub const LINT_SQL_IDS_FOLLOW_DAG_SHAPE: Rule = rule!(
    "sql-ids-follow-dag-shape",
    Lint,
    Warning,
    "A stateful SQL operator's ID depends on the plan's shape (no compiled plan)",
    "1.15.2 and later (`table.exec.uid.generation` = `PLAN_ONLY`, the default)",
    [],
    fix: [
        "" => "run the job from a compiled plan (COMPILE PLAN / EXECUTE PLAN), which sets uids, or set table.exec.uid.generation=ALWAYS before the first deployment",
    ],
);
pub const LINT_KRYO_STATE: Rule = rule!(
    "kryo-serialized-state",
    Lint,
    Warning,
    "State is serialized with Kryo (a generic type)",
    "all",
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "" => "make the type a POJO (public no-arg constructor, public fields or getters/setters), use Avro, or register a TypeInformation / custom serializer",
        "blind-spot" => "keep the class's fields unchanged while its values are in Kryo state; to evolve it, make it a POJO (or Avro, or give it its own TypeInformation) and migrate the state under a new name",
    ],
);
pub const LINT_MAX_PARALLELISM_UNSET: Rule = rule!(
    "max-parallelism-not-set",
    Lint,
    Warning,
    "A job with keyed state sets no max parallelism",
    "all",
    [],
    fix: [
        "" => "set pipeline.max-parallelism (or env.setMaxParallelism) to the highest parallelism you may ever need, before the first savepoint",
    ],
);

// Schema compatibility (analysis::schema_check).
pub const KEY_TYPE_CHANGED: Rule = rule!(
    "key-type-changed",
    Schema,
    Error,
    "The key type changed: Flink cannot migrate keys",
    "1.7 and later",
    [],
    fix: [
        "migration" => "keep the old key type; to change it, re-key the state with the State Processor API",
        "incompatible" => "keep the old key type (key selector result type); to change it, re-key the state with the State Processor API",
    ],
);
pub const STATE_KIND_CHANGED: Rule = rule!(
    "state-kind-changed",
    Schema,
    Error,
    "A state is registered under the same name as another kind",
    "all",
    [],
    fix: [
        "" => "keep `{name}` a {kind} state, or register the new state under a new name (and migrate the old values with the State Processor API if they are needed)",
    ],
    error: [
        "operator" => "Incompatible state assignment modes. Was [{was}], registered with [{now}].",
        "keyed" => "Incompatible key/value state types. Was [{was}], registered with [{now}].",
    ],
);
pub const STATE_TYPE_INCOMPATIBLE: Rule = rule!(
    "state-type-incompatible",
    Schema,
    Error,
    "A state's new serializer is incompatible with the saved one",
    "1.7 and later",
    [],
    fix: [
        "namespace" => "keep the old window/namespace type",
        "" => "keep the old type for this state; to change it, register a new state (new name) and migrate the values, or give the type a custom TypeSerializerSnapshot that can read the old data",
    ],
);
pub const STATE_TYPE_MIGRATED: Rule = rule!(
    "state-type-migrated",
    Schema,
    Info,
    "A state's type changed compatibly: Flink migrates it on restore",
    "1.7 and later",
    []
);
pub const STATE_SERIALIZER_RECONFIGURED: Rule = rule!(
    "state-serializer-reconfigured",
    Schema,
    Info,
    "Flink reconfigures a state's serializer to the saved format",
    "1.7 and later",
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"]
);
pub const CLASS_RENAMED: Rule = rule!(
    "class-renamed",
    Schema,
    Error,
    "A class named in the saved snapshot (POJO, enum, Kryo, Avro) was renamed",
    "1.7 and later",
    [],
    fix: [
        "" => "keep the old class name and package (a class Flink names in the savepoint must still load); to rename, register a new state and migrate the values",
    ],
);
pub const ENUM_CONSTANT_REMOVED: Rule = rule!(
    "enum-constant-removed",
    Schema,
    Error,
    "An enum constant used in state was removed",
    "1.7 and later",
    [],
    fix: [
        "" => "keep the removed enum constant(s) (mark them deprecated); enums may only gain constants",
    ],
);
pub const TUPLE_ARITY_CHANGED: Rule = rule!(
    "tuple-arity-changed",
    Schema,
    Error,
    "A tuple, Row or case class gained or lost fields",
    "all",
    [],
    fix: [
        "" => "keep the old type for this state; to change it, register a new state (new name) and migrate the values, or give the type a custom TypeSerializerSnapshot that can read the old data",
    ],
);
pub const ROWDATA_TYPE_CHANGED: Rule = rule!(
    "rowdata-type-changed",
    Schema,
    Error,
    "A SQL operator's state row changed (types, nullability or fields)",
    "1.9 and later (SQL / Table API)",
    [],
    fix: [
        "" => "keep the query's state-relevant columns and aggregates unchanged (types and nullability), or start the changed query from scratch under new operator IDs",
    ],
);
pub const TTL_CHANGED: Rule = rule!(
    "ttl-changed",
    Schema,
    Error,
    "State TTL was enabled or disabled on an existing state",
    "1.6 – 2.0 fail; 2.1 and later migrate",
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "" => "keep the TTL setting of the old version, or run the new job on Flink 2.1+, which migrates; alternatively register the state under a new name",
    ],
);
pub const AVRO_SCHEMA_INCOMPATIBLE: Rule = rule!(
    "avro-schema-incompatible",
    Schema,
    Error,
    "The new Avro schema cannot read the saved data",
    "1.7 and later (flink-avro)",
    [],
    fix: [
        "" => "evolve the Avro schema compatibly: give added fields defaults, keep removed fields' readers tolerant, do not change field types incompatibly",
    ],
);
pub const MAP_KEY_MIGRATION: Rule = rule!(
    "map-key-migration",
    Schema,
    Error,
    "A MapState's key type needs a migration, which RocksDB cannot do",
    "1.7 and later",
    ["2.3.0"],
    fix: [
        "" => "keep the old map key type; to change it, copy the entries into a new MapState (new name) on restore, or use the HashMap state backend for the upgrade savepoint",
    ],
    error: [
        "rocksdb" => "The new serializer for a MapState requires state migration in order for the job to proceed, since the key schema has changed. However, migration for MapState currently only allows value schema evolutions.",
    ],
);
pub const STATE_DROPPED: Rule = rule!(
    "state-dropped",
    Schema,
    Warning,
    "A saved state is no longer registered by the new version",
    "all",
    [],
    fix: [
        "" => "if the state was renamed, keep the descriptor name `{name}` (Flink matches state by name); if it is obsolete, nothing to do",
    ],
);
pub const STATE_ADDED: Rule = rule!(
    "state-added",
    Schema,
    Info,
    "The new version registers a state the savepoint does not have",
    "all",
    []
);
pub const STATE_TYPE_UNKNOWN: Rule = rule!(
    "state-type-unknown",
    Schema,
    Warning,
    "A state's compatibility cannot be decided (user serializer, undescribed type)",
    "all",
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "not-described" => "describe the type fully in the job graph (e.g. `avroSchema`), or compare against a canary savepoint",
        "user-class" => "only the class's own code can decide: restore this savepoint in a staging run of the new version; if Flink rejects it, make the new snapshot's resolveSchemaCompatibility accept the old format (compatibleAfterMigration with a restoreSerializer that reads it)",
        "canary" => "test the restore with a canary run (spcompat check against the canary's savepoint compares the same class on both sides)",
        "notation" => "write the type as Flink's TypeInformation#toString() prints it (see the job-graph format)",
        "key-notation" => "write the key type as Flink's TypeInformation#toString() prints it (see the job-graph format)",
    ],
);
pub const LEGACY_SERIALIZER_SNAPSHOT: Rule = rule!(
    "legacy-serializer-snapshot",
    Schema,
    Error,
    "A pre-1.7 serializer snapshot that Flink 1.17+ cannot read",
    "1.17 and later",
    ["1.15.4 → 1.18.1", "1.15.4 → 1.20.3"],
    fix: [
        "" => "restore on Flink 1.16 first and take a new savepoint there (it rewrites the snapshot in the current format), then upgrade",
        "pre-1.7-snapshot" => "restore on Flink 1.16 or earlier with a serializer whose snapshot implements TypeSerializerSnapshot, take a new savepoint there (it rewrites the snapshot in the current format), then upgrade",
    ],
    error: [
        // The class cannot exist in a job built against 1.17+ (its base class is gone).
        "pre-1.7-snapshot" => "Could not find class '{class}' in classpath.",
    ],
);
pub const SAVEPOINT_NEWER_THAN_FLINK: Rule = rule!(
    "savepoint-newer-than-flink",
    Schema,
    Error,
    "The savepoint was written by a newer Flink than the new job runs on",
    "all (metadata versions 3 – 7)",
    ["2.3.0 → 1.20.3"],
    fix: [
        "" => "run the new job on {flink} or later, or take the savepoint with the older Flink",
    ],
    error: ["" => "Unrecognized checkpoint version number: {version}"],
);
pub const NATIVE_STATE_BACKEND_CHANGED: Rule = rule!(
    "native-state-backend-changed",
    Mapping,
    Error,
    "RocksDB-native keyed state (RocksDB or ForSt files) restored on the HashMap backend",
    "1.18 and later for every native savepoint (1.15–1.17 only for incremental ones)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "hashmap" => "keep the RocksDB (or ForSt) backend for this restore, or take a canonical savepoint (--type canonical, on RocksDB; ForSt takes native ones only) to switch backends",
        "unknown" => "keep the RocksDB (or ForSt) backend, or take a canonical savepoint to switch backends",
    ],
    error: [
        "" => "Unexpected state handle type, expected one of: class org.apache.flink.runtime.state.KeyGroupsStateHandle, but found: class org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle. This can mostly happen when a different StateBackend from the one that was used for taking a checkpoint/savepoint is used when restoring.",
    ],
);

pub const WINDOW_CHANGED: Rule = rule!(
    "window-changed",
    Schema,
    Warning,
    "DataStream: a window's assigner, trigger, evictor or allowed lateness changed; Flink restores",
    "all",
    [],
    fix: [
        "" => "take the savepoint with `stop --drain` (no window open) or accept mixed first results from the windows open at the savepoint; for exact results start the new window on fresh state (a new uid, -n to drop the old windows)",
    ],
);

pub const ALL: &[Rule] = &[
    UNMAPPED_STATE,
    NATIVE_STATE_BACKEND_CHANGED,
    MAX_PARALLELISM_MISMATCH,
    PARALLELISM_ABOVE_MAX_PARALLELISM,
    MAX_PARALLELISM_ADOPTED,
    RESTORED_VIA_UID_HASH,
    STATE_NOT_EXAMINED,
    SOURCE_OFFSETS_RESET,
    SOURCE_TOPIC_REMOVED,
    SOURCE_TOPIC_ADDED,
    LINT_STATEFUL_WITHOUT_UID,
    LINT_DUPLICATE_UID,
    LINT_SQL_IDS_FOLLOW_DAG_SHAPE,
    LINT_KRYO_STATE,
    LINT_MAX_PARALLELISM_UNSET,
    KEY_TYPE_CHANGED,
    STATE_KIND_CHANGED,
    STATE_TYPE_INCOMPATIBLE,
    STATE_TYPE_MIGRATED,
    STATE_SERIALIZER_RECONFIGURED,
    CLASS_RENAMED,
    ENUM_CONSTANT_REMOVED,
    TUPLE_ARITY_CHANGED,
    ROWDATA_TYPE_CHANGED,
    TTL_CHANGED,
    AVRO_SCHEMA_INCOMPATIBLE,
    MAP_KEY_MIGRATION,
    KRYO_ACROSS_FLINK_2,
    SCALA_SERIALIZER_ON_FLINK_2,
    STATE_DROPPED,
    STATE_ADDED,
    STATE_TYPE_UNKNOWN,
    LEGACY_SERIALIZER_SNAPSHOT,
    SAVEPOINT_NEWER_THAN_FLINK,
    SQL_GROUP_KEY_CHANGED,
    SQL_AGGREGATE_CHANGED,
    SQL_JOIN_CHANGED,
    SQL_DEDUPLICATE_CHANGED,
    SQL_WINDOW_CHANGED,
    SQL_TOP_N_CHANGED,
    SQL_TOPOLOGY_SHIFTED_IDS,
    SQL_PLAN_UIDS_MISSING,
    SQL_CONNECTOR_OPTIONS_CHANGED,
    // Appended, so that the SARIF rule indexes of the others stay put.
    STATE_NOT_COMPARED,
    KRYO_COLLECTION_ON_FLINK_2,
    WINDOW_CHANGED,
    SQL_MATCH_CHANGED,
    CEP_PATTERN_NOT_COMPARED,
    SQL_SINK_MATERIALIZER_CHANGED,
    SQL_STATE_TTL_CHANGED,
    SQL_ON_CONFLICT_REQUIRED,
    SQL_PLAN_PRIMARY_KEY_NAME,
    SQL_SINK_MATERIALIZER_REPLACED,
    SQL_ON_CONFLICT_NOTHING_TO_ERROR,
    SQL_MATCH_ID_CHANGES_ON_1_19,
    ASYNC_STATE_CANONICAL_SAVEPOINT,
    SQL_PLAN_UID_FORMAT_CHANGED,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}
