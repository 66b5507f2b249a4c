//! The catalog of compatibility rules. Every finding carries one of these ids as its JSON
//! `reasons[].code`; each rule has a doc page under `docs/rules/` (shown by `spcompat explain`).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Matching savepoint state to operators by ID.
    Mapping,
    /// Max parallelism and parallelism checks at submission and state assignment.
    Parallelism,
    /// Serializer and state-kind compatibility when state is registered.
    Schema,
    /// What spcompat could not examine.
    Coverage,
    /// Source positions (offsets, splits) and where sources resume.
    Sources,
    /// Findings on one job version alone (`spcompat lint`).
    Lint,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Mapping => "mapping",
            Category::Parallelism => "parallelism",
            Category::Schema => "schema",
            Category::Coverage => "coverage",
            Category::Sources => "sources",
            Category::Lint => "lint",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub title: &'static str,
    /// The Flink releases the rule applies to, in words (doc header, SARIF description).
    pub flink_versions: &'static str,
    /// Releases (`1.20.3`) or upgrades (`1.15.4 → 1.18.1`) on which a recorded real-Flink case
    /// under `fixtures/cases/<release>` shows what the rule says.
    pub confirmed_on: &'static [&'static str],
    #[serde(skip)]
    pub doc: &'static str,
}

macro_rules! rule {
    ($id:literal, $cat:ident, $sev:ident, $title:literal, $versions:literal, [$($seen:literal),*]) => {
        Rule {
            id: $id,
            category: Category::$cat,
            severity: Severity::$sev,
            title: $title,
            flink_versions: $versions,
            confirmed_on: &[$($seen),*],
            doc: include_str!(concat!("../../docs/rules/", $id, ".md")),
        }
    };
}

pub const UNMAPPED_STATE: Rule = rule!(
    "unmapped-state",
    Mapping,
    Error,
    "State in the savepoint has no operator in the new job",
    "1.3 and later",
    []
);
pub const MAX_PARALLELISM_MISMATCH: Rule = rule!(
    "max-parallelism-mismatch",
    Parallelism,
    Error,
    "A configured max parallelism differs from the savepoint's",
    "1.3 and later",
    []
);
pub const PARALLELISM_ABOVE_MAX_PARALLELISM: Rule = rule!(
    "parallelism-above-max-parallelism",
    Parallelism,
    Error,
    "New parallelism is above the savepoint's max parallelism",
    "1.3 and later",
    []
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
    []
);

pub const SOURCE_OFFSETS_RESET: Rule = rule!(
    "source-offsets-reset",
    Sources,
    Warning,
    "A source's saved positions (e.g. Kafka offsets) will not carry over",
    "1.12 and later (FLIP-27 sources), all (legacy `FlinkKafkaConsumer`)",
    ["2.0.0"]
);
pub const SOURCE_TOPIC_REMOVED: Rule = rule!(
    "source-topic-removed",
    Sources,
    Warning,
    "Saved splits belong to a topic the new source no longer lists",
    "1.12 and later",
    []
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
    []
);
pub const LINT_DUPLICATE_UID: Rule = rule!(
    "duplicate-uid",
    Lint,
    Error,
    "Two operators share a uid",
    "all",
    []
);
pub const LINT_SQL_IDS_FOLLOW_DAG_SHAPE: Rule = rule!(
    "sql-ids-follow-dag-shape",
    Lint,
    Warning,
    "A stateful SQL operator's ID depends on the plan's shape (no compiled plan)",
    "1.15.2 and later (`table.exec.uid.generation` = `PLAN_ONLY`, the default)",
    []
);
pub const LINT_KRYO_STATE: Rule = rule!(
    "kryo-serialized-state",
    Lint,
    Warning,
    "State is serialized with Kryo (a generic type)",
    "all",
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"]
);
pub const LINT_MAX_PARALLELISM_UNSET: Rule = rule!(
    "max-parallelism-not-set",
    Lint,
    Warning,
    "A job with keyed state sets no max parallelism",
    "all",
    []
);

// Schema compatibility (analysis::schema_check).
pub const KEY_TYPE_CHANGED: Rule = rule!(
    "key-type-changed",
    Schema,
    Error,
    "The key type changed: Flink cannot migrate keys",
    "1.7 and later",
    []
);
pub const STATE_KIND_CHANGED: Rule = rule!(
    "state-kind-changed",
    Schema,
    Error,
    "A state is registered under the same name as another kind",
    "all",
    []
);
pub const STATE_TYPE_INCOMPATIBLE: Rule = rule!(
    "state-type-incompatible",
    Schema,
    Error,
    "A state's new serializer is incompatible with the saved one",
    "1.7 and later",
    []
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
    []
);
pub const ENUM_CONSTANT_REMOVED: Rule = rule!(
    "enum-constant-removed",
    Schema,
    Error,
    "An enum constant used in state was removed",
    "1.7 and later",
    []
);
pub const TUPLE_ARITY_CHANGED: Rule = rule!(
    "tuple-arity-changed",
    Schema,
    Error,
    "A tuple, Row or case class gained or lost fields",
    "all",
    []
);
pub const ROWDATA_TYPE_CHANGED: Rule = rule!(
    "rowdata-type-changed",
    Schema,
    Error,
    "A SQL operator's state row changed (types, nullability or fields)",
    "1.9 and later (SQL / Table API)",
    []
);
pub const TTL_CHANGED: Rule = rule!(
    "ttl-changed",
    Schema,
    Error,
    "State TTL was enabled or disabled on an existing state",
    "1.6 – 2.0 fail; 2.1 and later migrate",
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"]
);
pub const AVRO_SCHEMA_INCOMPATIBLE: Rule = rule!(
    "avro-schema-incompatible",
    Schema,
    Error,
    "The new Avro schema cannot read the saved data",
    "1.7 and later (flink-avro)",
    []
);
pub const MAP_KEY_MIGRATION: Rule = rule!(
    "map-key-migration",
    Schema,
    Error,
    "A MapState's key type needs a migration, which RocksDB cannot do",
    "1.7 and later",
    ["2.3.0"]
);
pub const KRYO_ACROSS_FLINK_2: Rule = rule!(
    "kryo-across-flink-2",
    Schema,
    Warning,
    "Kryo-serialized state of Flink 1.x restored on Flink 2.x",
    "savepoints of 1.x restored on 2.0 and later",
    ["1.20.3 → 2.3.0"]
);
pub const SCALA_SERIALIZER_ON_FLINK_2: Rule = rule!(
    "scala-serializer-on-flink-2",
    Schema,
    Error,
    "State written by the removed Scala API serializers",
    "2.0 and later",
    ["1.20.3 → 2.3.0"]
);
pub const STATE_DROPPED: Rule = rule!(
    "state-dropped",
    Schema,
    Warning,
    "A saved state is no longer registered by the new version",
    "all",
    []
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
    ["1.15.4", "1.18.1", "1.20.3", "2.3.0"]
);
pub const LEGACY_SERIALIZER_SNAPSHOT: Rule = rule!(
    "legacy-serializer-snapshot",
    Schema,
    Error,
    "A pre-1.7 serializer snapshot that Flink 1.17+ cannot read",
    "1.17 and later",
    ["1.15.4 → 1.18.1", "1.15.4 → 1.20.3"]
);
pub const SAVEPOINT_NEWER_THAN_FLINK: Rule = rule!(
    "savepoint-newer-than-flink",
    Schema,
    Error,
    "The savepoint was written by a newer Flink than the new job runs on",
    "all (metadata versions 3 – 7)",
    ["2.3.0 → 1.20.3"]
);
pub const SQL_GROUP_KEY_CHANGED: Rule = rule!(
    "sql-group-key-changed",
    Schema,
    Error,
    "SQL: the grouping (state key) of an aggregate changed",
    "1.9 and later (SQL / Table API)",
    []
);
pub const SQL_AGGREGATE_CHANGED: Rule = rule!(
    "sql-aggregate-changed",
    Schema,
    Error,
    "SQL: aggregate calls added, removed or changed (the accumulator row changes)",
    "1.9 and later (SQL / Table API)",
    []
);
pub const SQL_TOPOLOGY_SHIFTED_IDS: Rule = rule!(
    "sql-topology-shifted-ids",
    Mapping,
    Error,
    "SQL: a changed query or statement set moves auto-generated operator IDs",
    "all versions for plain SQL; 1.15 and later for recompiled plans",
    []
);
pub const SQL_PLAN_UIDS_MISSING: Rule = rule!(
    "sql-plan-uids-missing",
    Mapping,
    Error,
    "SQL: planner uids on one version only (compiled plan versus plain SQL)",
    "1.15 and later",
    []
);
pub const SQL_CONNECTOR_OPTIONS_CHANGED: Rule = rule!(
    "sql-connector-options-changed",
    Sources,
    Info,
    "SQL: a source or sink table's connector options changed",
    "all",
    []
);

pub const NATIVE_STATE_BACKEND_CHANGED: Rule = rule!(
    "native-state-backend-changed",
    Mapping,
    Error,
    "RocksDB-native keyed state restored on another backend",
    "1.18 and later for every native savepoint (1.15–1.17 only for incremental ones)",
    ["1.18.1", "1.20.3", "2.3.0"]
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
    SQL_TOPOLOGY_SHIFTED_IDS,
    SQL_PLAN_UIDS_MISSING,
    SQL_CONNECTOR_OPTIONS_CHANGED,
    // Appended, so that the SARIF rule indexes of the others stay put.
    STATE_NOT_COMPARED,
];

impl Rule {
    /// The doc page's `**Flink:**` text: the releases it applies to, then where a real-Flink
    /// case confirms it.
    pub fn flink_header(&self) -> String {
        match self.confirmed_on {
            [] => self.flink_versions.to_string(),
            seen => format!("{}; confirmed on {}", self.flink_versions, seen.join(", ")),
        }
    }
}

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}
