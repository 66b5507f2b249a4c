//! Rules of SQL jobs: a change to a stateful SQL operator (or to the planned graph's shape)
//! named in SQL terms, beside the schema checks that decide whether its state still fits.

use super::{Category, Rule, Severity, Text};

pub const SQL_GROUP_KEY_CHANGED: Rule = rule!(
    "sql-group-key-changed",
    Schema,
    Error,
    "SQL: the grouping (state key) of an aggregate changed",
    "1.9 and later (SQL / Table API)",
    [],
    fix: [
        "grouping" => "keep the grouping columns and their types; a new grouping needs a fresh start (new state, e.g. a new uid or -n with the old aggregate removed)",
        "key-type" => "keep the key columns' types (including nullability)",
    ],
);
pub const SQL_AGGREGATE_CHANGED: Rule = rule!(
    "sql-aggregate-changed",
    Schema,
    Error,
    "SQL: aggregate calls added, removed or changed, or the types of the columns they read (the accumulators change)",
    "1.9 and later (SQL / Table API)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "changed" => "keep the aggregate calls (and their order); compute a new aggregate in a separate query with its own state",
        "unmatched" => "keep the statement that created this operator, or run with -n to drop its state",
        "input-type" => "keep the types of the columns the aggregates read (cast back to the old type in the query or the source table), or start the changed aggregate from scratch under new operator IDs",
    ],
);
pub const SQL_JOIN_CHANGED: Rule = rule!(
    "sql-join-changed",
    Schema,
    Error,
    "SQL: a regular, interval or temporal join changed (join type, join key, or the rows an input keeps)",
    "1.9 and later (SQL / Table API)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "changed" => "keep the join's type, its ON keys and the columns of both inputs unchanged (types and nullability); a changed join needs a fresh start (new state: a new query under new operator IDs, or -n with the old join removed)",
    ],
);
pub const SQL_DEDUPLICATE_CHANGED: Rule = rule!(
    "sql-deduplicate-changed",
    Schema,
    Error,
    "SQL: a deduplication or ChangelogNormalize changed (first row versus last row, time attribute, or the row it keeps)",
    "1.9 and later (SQL / Table API)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "changed" => "keep the ROW_NUMBER() ordering (ASC/DESC, on the same time attribute) and the deduplicated columns unchanged; a changed deduplication needs a fresh start (new state under new operator IDs, or -n with the old one removed)",
        "normalize-changed" => "keep the columns the query reads from the CDC or upsert source (its ChangelogNormalize keeps the whole latest row per primary key); to read more, start on fresh state (new operator IDs, or -n with the old ChangelogNormalize removed) and let the source replay the changelog",
    ],
);
pub const SQL_WINDOW_CHANGED: Rule = rule!(
    "sql-window-changed",
    Schema,
    Warning,
    "SQL: a window TVF's window (kind, size, slide, step or offset) or an OVER frame changed; Flink restores unless the state changes with it",
    "1.13 and later (window TVFs), all versions (OVER)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "changed" => "deploy the new window on fresh state (new operator IDs, -n to drop the old windows), or stop the job with a drained savepoint (stop --drain) so that no window is open when it changes",
    ],
);
pub const SQL_TOP_N_CHANGED: Rule = rule!(
    "sql-top-n-changed",
    Schema,
    Warning,
    "SQL: a Top-N's N or sort order changed",
    "1.9 and later (SQL / Table API)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "n" => "the saved state holds only the old N rows per partition: start the new Top-N on fresh state (new operator IDs, -n) if the rows ranked beyond the old N matter",
        "order" => "keep the ORDER BY columns and their types; a new order needs fresh state (new operator IDs, -n with the old Top-N removed)",
    ],
);
pub const SQL_MATCH_CHANGED: Rule = rule!(
    "sql-match-changed",
    Schema,
    Error,
    "SQL: a MATCH_RECOGNIZE pattern changed (an error when a variable with saved partial matches is gone)",
    "1.7 and later (MATCH_RECOGNIZE)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "variable-removed" => "keep the pattern's variable names (rename in MEASURES instead), or start the changed pattern on fresh state (new operator IDs, -n with the old MATCH_RECOGNIZE removed), or stop the job with a savepoint when no partial match is open",
        "changed" => "check that partial matches begun under the old pattern may finish under the new one; for a clean cut, start the changed pattern on fresh state (new operator IDs, -n)",
    ],
    error: ["variable-removed" => "State {variable} does not exist in the NFA. NFA has states [...]"],
);
pub const SQL_SINK_MATERIALIZER_CHANGED: Rule = rule!(
    "sql-sink-materializer-changed",
    Schema,
    Error,
    "SQL: the rows a sink upsert materializer keeps changed (the sink table's columns, their types, or its primary key)",
    "1.14 and later (SinkUpsertMaterializer)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "changed" => "keep the sink table's columns, their types and its primary key while its materializer holds state; to change the sink, write to a new sink table or start the changed query on fresh state (new operator IDs, -n with the old materializer removed)",
    ],
    error: ["changed" => "For heap backends, the new state serializer (org.apache.flink.api.common.typeutils.base.ListSerializer@...) must not be incompatible with the old state serializer (org.apache.flink.api.common.typeutils.base.ListSerializer@...)."],
);
pub const SQL_TOPOLOGY_SHIFTED_IDS: Rule = rule!(
    "sql-topology-shifted-ids",
    Mapping,
    Error,
    "SQL: a changed query or statement set moves auto-generated operator IDs",
    "all versions for plain SQL; 1.15 and later for recompiled plans",
    [],
    fix: [
        "captured" => "keep the ExecNode ids (or the graph's shape) of stateful operators; a state restored into a different query is either incompatible or silently wrong",
        "renumbered" => "keep the ExecNode ids of stateful nodes: edit the existing plan instead of recompiling, or set table.exec.uid.format per node in the plan",
        "moved" => "keep the statement set's order and shape, or run the job from a compiled plan (uids do not depend on the graph's shape); to accept the loss run with -n",
        "planner-options" => "keep the planner options the savepoint was taken with (table.exec.mini-batch.*, table.optimizer.agg-phase-strategy, table.optimizer.distinct-agg.split.enabled, table.exec.sink.upsert-materialize, table.exec.source.cdc-events-duplicate); to switch, run once with -n: the reshaped operators start from empty state",
    ],
);
pub const SQL_PLAN_UIDS_MISSING: Rule = rule!(
    "sql-plan-uids-missing",
    Mapping,
    Error,
    "SQL: planner uids on one version only (compiled plan versus plain SQL)",
    "1.15 and later",
    [],
    fix: [
        "new-only" => "compare with the old version (--old-plan / --old-job) to see what moved; run SQL jobs from a compiled plan to keep IDs stable",
        "old-uids" => "run the new version from a compiled plan as well (COMPILE PLAN ... / EXECUTE PLAN), or with the same table.exec.uid.generation",
        "new-uids" => "keep running the query the way the savepoint was taken (plain SQL without uids), or migrate once with -n accepting the state loss, then stay on compiled plans",
    ],
);
pub const SQL_CONNECTOR_OPTIONS_CHANGED: Rule = rule!(
    "sql-connector-options-changed",
    Sources,
    Info,
    "SQL: a source or sink table's connector options changed",
    "all",
    [],
    fix: [
        "topic" => "the source's saved positions are per topic partition: partitions of a new topic start from the startup mode, those of a removed topic are dropped",
    ],
);
pub const SQL_STATE_TTL_CHANGED: Rule = rule!(
    "sql-state-ttl-changed",
    Schema,
    Info,
    "SQL: an operator's state TTL changed (a STATE_TTL hint or table.exec.state.ttl): switched on or off, or another duration",
    "1.9 and later (table.exec.state.ttl), 1.19 and later (STATE_TTL hints)",
    ["1.18.1", "1.20.3", "2.3.0"],
    fix: [
        "switched" => "to restore on Flink up to 2.0, keep the old version's TTL on each input (the same STATE_TTL hint, or table.exec.state.ttl); Flink 2.1 and later migrate the saved state to the new setting",
    ],
);
pub const SQL_PLAN_PRIMARY_KEY_NAME: Rule = rule!(
    "sql-plan-primary-key-name",
    Schema,
    Warning,
    "SQL: a compiled plan of Flink 1.18 or earlier names a table's primary key as later releases do not",
    "plans written by 1.18 and earlier, run on 1.19 and later",
    ["1.18.1 → 1.20.3", "1.18.1 → 2.0.0", "1.18.1 → 2.2.1", "1.18.1 → 2.3.0"],
    fix: [
        "" => "name the constraint in the CREATE TABLE as the plan has it, `CONSTRAINT {name} PRIMARY KEY ({columns}) NOT ENFORCED` (the plan then runs and its state restores), or compile the plan again on the new release (its operator IDs may move: check it against the savepoint)",
    ],
    error: ["" => "The schema of table '...' from the persisted plan does not match the schema loaded from the catalog: '(... CONSTRAINT `{name}` PRIMARY KEY ...)' != '(... CONSTRAINT `PK_...` PRIMARY KEY ...)'. Make sure the table schema in the catalog is still identical."],
);
pub const SQL_SINK_MATERIALIZER_REPLACED: Rule = rule!(
    "sql-sink-materializer-replaced",
    Schema,
    Warning,
    "SQL: the sink upsert materializer is built another way (ON CONFLICT or table.exec.sink.upsert-materialize-strategy changed): Flink restores, the saved rows are left unread",
    "2.3 and later (ON CONFLICT, SinkUpsertMaterializerV2)",
    ["2.3.0"],
    fix: [
        "" => "keep the materializer's implementation while it holds rows (the same ON CONFLICT clause and table.exec.sink.upsert-materialize-strategy.type); to switch, accept that it starts empty per key (the sink may see retractions of rows it never had and keep rows that should have been retracted), or start the changed query on fresh state",
    ],
);
pub const SQL_ON_CONFLICT_NOTHING_TO_ERROR: Rule = rule!(
    "sql-on-conflict-nothing-to-error",
    Schema,
    Warning,
    "SQL: ON CONFLICT DO NOTHING changed to DO ERROR on a restored materializer: Flink restores, and may then fail the job on the rows DO NOTHING kept",
    "2.3 and later (ON CONFLICT)",
    ["2.3.0"],
    fix: [
        "" => "keep ON CONFLICT DO NOTHING while the materializer holds rows; to switch to DO ERROR safely, start that INSERT on fresh state (new operator IDs, e.g. a compiled plan with other ExecNode ids, and -n with the old materializer removed); -n alone does not help, the state is mapped",
        "unknown-old" => "check which ON CONFLICT clause the savepoint's job had (check --old-job OLD, or diff): if it was DO NOTHING, keep it, or start the DO ERROR INSERT on fresh state",
    ],
    error: ["" => "org.apache.flink.table.api.TableRuntimeException: Primary key constraint violation: multiple distinct records with the same primary key detected. Conflicting key: [...]. Use ON CONFLICT DO NOTHING to keep the first record."],
);
pub const SQL_MATCH_ID_CHANGES_ON_1_19: Rule = rule!(
    "sql-match-id-changes-on-1-19",
    Mapping,
    Warning,
    "SQL: a MATCH_RECOGNIZE of plain SQL planned by 1.18 or earlier gets another operator ID on 1.19 and later (its CEP operator is chained to the timestamp inserter since then)",
    "savepoints of plain SQL written by 1.18 and earlier, restored on 1.19 and later (FLINK-27992; a compiled plan's uids keep the IDs)",
    ["1.18.1 → 1.19.3", "1.18.1 → 1.20.3", "1.18.1 → 2.0.0", "1.18.1 → 2.2.1", "1.18.1 → 2.3.0"],
    fix: [
        "" => "decide it from the job itself: `spcompat export-sql JOB.sql --flink TARGET -o new.json` and `check --job new.json` show the new IDs; if the operator moved, rewrite its state to the new ID with the State Processor API (Flink 1.17+: `SavepointWriter.fromExistingSavepoint(...)` with `changeOperatorIdentifier(OperatorIdentifier.forUidHash(OLD_ID), OperatorIdentifier.forUidHash(NEW_ID))`), or start with -n and lose the partial matches in progress",
    ],
    error: ["" => "Failed to rollback to checkpoint/savepoint <savepoint>. Cannot map checkpoint/savepoint state for operator {id} to the new program, because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI."],
);
pub const SQL_PLAN_UID_FORMAT_CHANGED: Rule = rule!(
    "sql-plan-uid-format-changed",
    Mapping,
    Error,
    "SQL: a Flink 1.15 compiled plan gets uids of another format on 1.16 and later, so its operators get other IDs",
    "compiled plans run by 1.15, restored on 1.16 and later (FLINK-28861; plain SQL keeps its IDs)",
    ["1.15.4 → 1.16.3", "1.15.4 → 1.20.3", "1.15.4 → 2.1.3", "1.15.4 → 2.3.0"],
    fix: [
        "" => "run the 1.15 plan on the new release with SET 'table.exec.uid.format' = '<id>_<type>_<version>_<transformation>' (1.15's pattern): its uids, and with them the operator IDs, stay as 1.15 gave them; or start with -n and lose this state",
        "unsure" => "if the job runs from a compiled plan, SET 'table.exec.uid.format' = '<id>_<type>_<version>_<transformation>' (1.15's pattern) on the new release so that the IDs stay; to decide it, give the old job (`--old-job`) or the plan itself (`check --job PLAN --to-flink TARGET`)",
    ],
    error: ["" => "Failed to rollback to checkpoint/savepoint <savepoint>. Cannot map checkpoint/savepoint state for operator {id} to the new program, because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI."],
);
