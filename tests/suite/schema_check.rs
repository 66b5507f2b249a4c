//! State schema compatibility against real savepoints.
//!
//! The generated fixtures (`fixtures/savepoints/*/expected.json`) record both Flink's own reading
//! of every serializer snapshot and the `TypeInformation#toString()` of every state the job
//! registered. That gives three kinds of checks without hand-made bytes:
//! - the snapshot -> type-model mapping agrees with Flink's reading, node by node;
//! - the job's own type strings, as a job graph, are compatible as is with its savepoint;
//! - variants of that job graph (one change each) give the rule Flink's behaviour calls for.
//!
//! [`schema_findings`] is the helper for real-Flink fixture pairs (a base savepoint plus a new
//! job graph or canary savepoint); `tests/cases/flink_cases.rs` runs the recorded `fixtures/cases/`
//! verdicts through `spcompat check`.

use crate::common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use spcompat::OperatorId;
use spcompat::analysis::predict::{UidNames, predict};
use spcompat::analysis::result::{Finding, Prediction, Status, Verdict};
use spcompat::analysis::rules::{self, Severity};
use spcompat::analysis::schema_check::{
    Backend, CompatContext, FlinkRange, Release, check_all as check_all_findings,
    check_states as check_state_findings,
};
use spcompat::analysis::sides::{NewOperator, NewSide, OldOperator, OldSide, StateSchema};
use spcompat::flink::StateKind;
use spcompat::job::{parse_job_graph, uid_hash};
use spcompat::savepoint::Savepoint;
use spcompat::savepoint::inventory::SavepointSummary;
use spcompat::schema::snapshot::SnapshotDetail;
use spcompat::schema::types::Type;

// ------------------------------------------------------------------------------------------------
// Helpers.

/// The fixtures' job keeps one Kryo state (`GenericType<...>`), which check always flags as a
/// blind spot (`kryo-serialized-state`, asserted by `kryo_state_is_a_blind_spot`); the other
/// tests look at what a change adds.
fn without_kryo_notice<T>(findings: Vec<T>, code: impl Fn(&T) -> &str) -> Vec<T> {
    findings
        .into_iter()
        .filter(|f| code(f) != rules::LINT_KRYO_STATE.id)
        .collect()
}

fn check_all(old: &OldSide, new: &NewSide, ctx: &CompatContext) -> Vec<(OperatorId, Finding)> {
    without_kryo_notice(check_all_findings(old, new, ctx), |(_, f)| f.rule.id)
}

fn check_states(old: &OldOperator, new: &NewOperator, ctx: &CompatContext) -> Vec<Finding> {
    without_kryo_notice(check_state_findings(old, new, ctx), |f| f.rule.id)
}

fn savepoints() -> PathBuf {
    common::root().join("fixtures/savepoints")
}

fn fixture(name: &str) -> PathBuf {
    let p = savepoints().join(name);
    assert!(p.is_dir(), "fixture {} is missing", p.display());
    p
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn summary(dir: &Path) -> SavepointSummary {
    let sp = Savepoint::open(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    SavepointSummary::build(&sp).unwrap()
}

fn old_side(dir: &Path) -> OldSide {
    OldSide::from_savepoint(&summary(dir))
}

/// The new side from a job-graph file or a savepoint directory (canary).
fn new_side(path: &Path) -> NewSide {
    if path.is_dir() || path.file_name().is_some_and(|n| n == "_metadata") {
        NewSide::from_canary_savepoint(&summary(path))
    } else {
        let text = std::fs::read_to_string(path).unwrap();
        let graph = parse_job_graph(path, &text).unwrap_or_else(|e| panic!("{e:?}"));
        NewSide::from_job_graph(&graph, &path.display().to_string()).unwrap()
    }
}

fn side_from_graph(graph: &Value) -> NewSide {
    let text = serde_json::to_string_pretty(graph).unwrap();
    let g = parse_job_graph(Path::new("variant.json"), &text).unwrap_or_else(|e| panic!("{e:?}"));
    NewSide::from_job_graph(&g, "variant.json").unwrap()
}

/// An operator of either side, by uid (the fixtures' operators all have one).
trait ByUid {
    type Op;
    fn by_uid(&self, uid: &str) -> &Self::Op;
}

impl ByUid for OldSide {
    type Op = OldOperator;
    fn by_uid(&self, uid: &str) -> &OldOperator {
        self.operators
            .iter()
            .find(|o| o.uid.as_deref() == Some(uid))
            .unwrap_or_else(|| panic!("no operator with uid {uid}"))
    }
}

impl ByUid for NewSide {
    type Op = NewOperator;
    fn by_uid(&self, uid: &str) -> &NewOperator {
        self.operators
            .iter()
            .find(|o| o.uid.as_deref() == Some(uid))
            .unwrap_or_else(|| panic!("no operator with uid {uid}"))
    }
}

/// Schema findings for restoring `new` (job graph or canary savepoint) from the savepoint
/// `old`: the helper for real-Flink fixture pairs.
pub fn schema_findings(old: &Path, new: &Path) -> Vec<(OperatorId, Finding)> {
    let (old, new) = (old_side(old), new_side(new));
    check_all(&old, &new, &CompatContext::from_sides(&old, &new))
}

fn codes(findings: &[(OperatorId, Finding)]) -> Vec<&'static str> {
    findings.iter().map(|(_, f)| f.rule.id).collect()
}

fn only<'a>(findings: &'a [(OperatorId, Finding)], code: &str) -> &'a Finding {
    let hits: Vec<&Finding> = findings
        .iter()
        .filter(|(_, f)| f.rule.id == code)
        .map(|(_, f)| f)
        .collect();
    assert_eq!(hits.len(), 1, "expected one {code}, got {findings:#?}");
    hits[0]
}

/// A job graph of the fixture's job, built from the states its code registered (Flink's own
/// `TypeInformation#toString()` strings). Keyed operators are keyed by `Long` (`v % 5`).
pub(crate) fn registered_graph(dir: &Path, flink_version: Option<&str>) -> Value {
    let expected = read_json(&dir.join("expected.json"));
    let mut uids: Vec<String> = Vec::new();
    for r in expected["registered"].as_array().unwrap() {
        let uid = r["uid"].as_str().unwrap().to_string();
        if !uids.contains(&uid) {
            uids.push(uid);
        }
    }
    let operators: Vec<Value> = uids
        .iter()
        .enumerate()
        .map(|(i, uid)| {
            let states: Vec<Value> = expected["registered"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["uid"] == json!(uid) && r["kind"] != "timer")
                .map(|r| {
                    let mut s = json!({
                        "name": r["name"], "kind": r["kind"], "type": r["type"],
                    });
                    if let Some(k) = r["keyType"].as_str() {
                        s["userKeyType"] = json!(k);
                    }
                    if !r["ttl"].is_null() {
                        s["ttl"] = json!("1 h");
                    }
                    s
                })
                .collect();
            let mut op = json!({
                "node": i + 1, "name": uid, "uid": uid, "parallelism": 2, "inputs": [],
                "state": states,
            });
            if matches!(uid.as_str(), "keyed-all" | "timers") {
                op["keyType"] = json!("Long");
            }
            op
        })
        .collect();
    // The other stateful operators (sources) keep their IDs, so that predictions map them.
    let mut operators = operators;
    let registered_ids: Vec<String> = uids.iter().map(|u| uid_hash(u).to_string()).collect();
    for op in expected["operators"].as_array().unwrap() {
        let id = op["operatorId"].as_str().unwrap();
        if op["stateless"] == json!(false) && !registered_ids.iter().any(|r| r == id) {
            let node = operators.len() + 1;
            operators.push(json!({
                "node": node, "operatorId": id, "parallelism": op["parallelism"], "inputs": [],
            }));
        }
    }
    let mut g = json!({ "format": "spcompat-job-graph/1", "operators": operators });
    if let Some(v) = flink_version {
        g["flinkVersion"] = json!(v);
    }
    g
}

fn state_mut<'a>(graph: &'a mut Value, uid: &str, name: &str) -> &'a mut Value {
    graph["operators"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["uid"] == json!(uid))
        .unwrap()["state"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["name"] == json!(name))
        .unwrap_or_else(|| panic!("no state {name} on {uid}"))
}

fn op_mut<'a>(graph: &'a mut Value, uid: &str) -> &'a mut Value {
    graph["operators"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|o| o["uid"] == json!(uid))
        .unwrap()
}

/// Findings for a variant of the fixture's job graph.
fn variant(
    name: &str,
    flink: Option<&str>,
    change: impl FnOnce(&mut Value),
) -> Vec<(OperatorId, Finding)> {
    let dir = fixture(name);
    let mut g = registered_graph(&dir, flink);
    change(&mut g);
    let old = old_side(&dir);
    let new = side_from_graph(&g);
    check_all(&old, &new, &CompatContext::from_sides(&old, &new))
}

fn predict_variant(name: &str, flink: Option<&str>, change: impl FnOnce(&mut Value)) -> Prediction {
    let dir = fixture(name);
    let mut g = registered_graph(&dir, flink);
    change(&mut g);
    predict(
        &old_side(&dir),
        &side_from_graph(&g),
        false,
        &UidNames::new(Vec::new()),
    )
}

const DS_120: &str = "flink-1.20.3-datastream-hashmap-canonical";
const DS_230: &str = "flink-2.3.0-datastream-hashmap-canonical";

// ------------------------------------------------------------------------------------------------
// Snapshot -> type model, against Flink's own reading.

fn tree_class_short(tree: &Value) -> &str {
    let c = tree["class"].as_str().unwrap_or("");
    c.rsplit('.').next().unwrap_or(c)
}

/// Checks a type built from our snapshot against Flink's reading of the same snapshot.
fn same_as_flink(ctx: &str, t: &Type, tree: &Value, errors: &mut Vec<String>) {
    let class = tree["class"].as_str().unwrap_or("");
    let nested = tree["nested"].as_array().cloned().unwrap_or_default();
    let mut err = |m: String| errors.push(format!("{ctx}: {m}"));
    let short = tree_class_short(tree);
    match t {
        Type::Pojo(p) => {
            if tree["pojoClass"] != json!(p.class) {
                err(format!("POJO class {} vs {}", p.class, tree["pojoClass"]));
            }
            let fields = tree["pojoFields"].as_object().cloned().unwrap_or_default();
            let ours: Vec<&str> = p.fields.iter().map(|f| f.name.as_str()).collect();
            let theirs: Vec<&str> = fields.keys().map(String::as_str).collect();
            let (mut a, mut b) = (ours.clone(), theirs.clone());
            a.sort();
            b.sort();
            if a != b {
                err(format!("POJO fields {ours:?} vs {theirs:?}"));
            }
            for f in &p.fields {
                if let (Some(ty), Some(sub)) = (&f.ty, fields.get(&f.name)) {
                    same_as_flink(&format!("{ctx}.{}", f.name), ty, sub, errors);
                }
            }
        }
        Type::Generic(g) => {
            if !short.starts_with("Kryo") || tree["typeClass"] != json!(g.class) {
                err(format!("Kryo {} vs {class} {}", g.class, tree["typeClass"]));
            }
        }
        Type::Enum {
            class: c,
            constants,
        } => {
            if tree["typeClass"] != json!(c) {
                err(format!("enum {c} vs {}", tree["typeClass"]));
            }
            if let (Some(k), Some(theirs)) = (constants, tree["enumConstants"].as_array()) {
                let theirs: Vec<&str> = theirs.iter().filter_map(Value::as_str).collect();
                if *k != theirs {
                    err(format!("enum constants {k:?} vs {theirs:?}"));
                }
            }
        }
        Type::RowData(fields) => {
            let theirs: Vec<&str> = tree["logicalTypes"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            // Flink's LogicalType#toString() is its summary string.
            let ours: Vec<String> = fields.iter().map(|f| f.ty.summary_string()).collect();
            if ours != theirs {
                err(format!("logical types {ours:?} vs {theirs:?}"));
            }
        }
        Type::Tuple { class: c, fields } => {
            if tree["typeClass"] != json!(c) || fields.len() != nested.len() {
                err(format!(
                    "tuple {c}/{} vs {}/{}",
                    fields.len(),
                    tree["typeClass"],
                    nested.len()
                ));
            }
            for (i, (f, n)) in fields.iter().zip(&nested).enumerate() {
                same_as_flink(&format!("{ctx}.f{i}"), f, n, errors);
            }
        }
        Type::Ttl(inner) => {
            if !class.contains("TtlStateFactory$TtlSerializerSnapshot") || nested.len() != 2 {
                err(format!("TTL wrapper vs {class}"));
            } else {
                same_as_flink(&format!("{ctx}.ttl"), inner, &nested[1], errors);
            }
        }
        Type::Simple(s) => {
            if !class.starts_with(&s.id) || !nested.is_empty() {
                err(format!("simple {} vs {class}", s.id));
            }
        }
        other => {
            let children = other.children();
            if children.len() != nested.len() {
                err(format!(
                    "{other} has {} children, Flink's {class} {}",
                    children.len(),
                    nested.len()
                ));
            }
            for (i, (c, n)) in children.iter().zip(&nested).enumerate() {
                same_as_flink(&format!("{ctx}#{i}"), c, n, errors);
            }
        }
    }
}

#[test]
fn snapshot_types_agree_with_flinks_reading() {
    let mut checked = 0;
    let mut errors = Vec::new();
    for entry in walkdir::WalkDir::new(savepoints()).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_name() != "expected.json" {
            continue;
        }
        let expected = read_json(entry.path());
        let dir = entry.path().parent().unwrap();
        let metadata = dir.join(expected["metadataPath"].as_str().unwrap_or("_metadata"));
        let s = summary(&metadata);
        for op in expected["operators"].as_array().unwrap() {
            let id = op["operatorId"].as_str().unwrap();
            let Some(ours) = s.operators.iter().find(|o| o.operator_id.to_string() == id) else {
                errors.push(format!("{}: operator {id} missing", dir.display()));
                continue;
            };
            let mut states: Vec<&Value> = Vec::new();
            if let Some(k) = op["keyed"].as_object() {
                if let (Some(key), Some(tree)) =
                    (&ours.key_serializer, k.get("keySerializerSnapshot"))
                {
                    same_as_flink(
                        &format!("{} {id} key", dir.display()),
                        &Type::from_snapshot(key),
                        tree,
                        &mut errors,
                    );
                    checked += 1;
                }
                states.extend(k["states"].as_array().into_iter().flatten());
            }
            for list in ["operatorStates", "broadcastStates"] {
                states.extend(op[list].as_array().into_iter().flatten());
            }
            for st in states {
                let name = st["name"].as_str().unwrap();
                let Some(our_state) = ours.states.iter().find(|x| x.name == name) else {
                    errors.push(format!("{} {id}: state {name} missing", dir.display()));
                    continue;
                };
                for (key, tree) in st["serializers"].as_object().unwrap() {
                    let Some(snap) = our_state.serializers.iter().find(|n| &n.key == key) else {
                        errors.push(format!(
                            "{} {id} {name}: serializer {key} missing",
                            dir.display()
                        ));
                        continue;
                    };
                    same_as_flink(
                        &format!(
                            "{} {id} {name} {key}",
                            dir.file_name().unwrap().to_string_lossy()
                        ),
                        &Type::from_snapshot(&snap.snapshot),
                        tree,
                        &mut errors,
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        checked > 100,
        "only {checked} serializers checked: are the fixtures there?"
    );
}

/// The savepoints of the reference samples map too: the Kryo one in particular.
#[test]
fn reference_kryo_snapshot_maps_to_a_generic_type() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/reference/flink-1.20.0-kryo-generic"
    ));
    assert!(dir.is_dir(), "{} is part of the repository", dir.display());
    let s = summary(&dir);
    let state = s
        .operators
        .iter()
        .flat_map(|o| &o.states)
        .find(|s| s.name == "gen")
        .unwrap();
    let t = Type::from_snapshot(&state.serializers[0].snapshot);
    let Type::Generic(g) = &t else {
        panic!("{t:?}")
    };
    assert_eq!(g.class, "KryoSp$Gen");
    assert!(
        !g.registrations.as_ref().unwrap().is_empty(),
        "Flink's default registrations"
    );
    assert_eq!(t.to_string(), "GenericType<KryoSp.Gen>");
}

// ------------------------------------------------------------------------------------------------
// The job's own types restore as is.

#[test]
fn registered_types_are_compatible_as_is_with_their_savepoint() {
    let mut fixtures = 0;
    for entry in std::fs::read_dir(savepoints()).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
            continue;
        };
        let expected: Value = serde_json::from_str(&text).unwrap();
        if expected["registered"].as_array().is_none_or(Vec::is_empty)
            || expected["kind"] != "savepoint"
        {
            continue;
        }
        let version = expected["flinkVersion"].as_str().unwrap();
        let old = old_side(&dir);
        let new = side_from_graph(&registered_graph(&dir, Some(version)));
        let findings = check_all(&old, &new, &CompatContext::from_sides(&old, &new));
        assert!(findings.is_empty(), "{}: {findings:#?}", dir.display());
        // And every declared state was compared: each maps to a saved one.
        for op in &new.operators {
            let saved = old
                .operators
                .iter()
                .find(|o| o.operator_id == op.operator_id)
                .unwrap();
            for st in &op.states {
                assert!(
                    saved.states.iter().any(|s| s.name == st.name),
                    "{} {}",
                    dir.display(),
                    st.name
                );
            }
        }
        fixtures += 1;
    }
    assert!(
        fixtures >= 2,
        "only {fixtures} DataStream fixtures with registered states"
    );
}

#[test]
fn same_job_across_releases_canary() {
    // 1.x -> 2.x: only the Kryo state is a hazard; everything else is as is.
    let f = schema_findings(&fixture(DS_120), &fixture(DS_230));
    let kryo = only(&f, "kryo-across-flink-2");
    // A warning: Flink 2.3.0 restored 1.20.3 Kryo state (case kryo-across-flink-2), the risk is
    // silently wrong data, not a failed restore.
    assert_eq!(kryo.severity, Severity::Warning);
    assert_eq!(kryo.state.as_deref(), Some("generic"));
    assert!(
        kryo.message.contains("com.example.fixtures.Payload"),
        "{}",
        kryo.message
    );
    assert!(
        f.iter().all(|(_, x)| x.rule.id == "kryo-across-flink-2"),
        "{f:#?}"
    );

    // Same release, another backend and format: nothing at all.
    let native = savepoints().join("flink-2.3.0-datastream-rocksdb-native");
    if native.is_dir() {
        assert!(schema_findings(&fixture(DS_230), &native).is_empty());
    }

    // Downgrade: a 2.3 savepoint cannot be read by 1.20.
    let f = schema_findings(&fixture(DS_230), &fixture(DS_120));
    let d = f
        .iter()
        .find(|(_, x)| x.rule.id == "savepoint-newer-than-flink")
        .unwrap();
    assert_eq!(
        d.1.flink_error.as_deref(),
        Some("Unrecognized checkpoint version number: 6")
    );
}

// ------------------------------------------------------------------------------------------------
// One rule per change.

#[test]
fn basic_type_changed_is_incompatible() {
    let f = variant(DS_120, Some("1.20.3"), |g| {
        state_mut(g, "keyed-all", "count")["type"] = json!("String");
    });
    let x = only(&f, "state-type-incompatible");
    assert_eq!(x.severity, Severity::Error);
    assert_eq!(x.state.as_deref(), Some("count"));
    assert_eq!(
        (x.old_type.as_deref(), x.new_type.as_deref()),
        (Some("Long"), Some("String"))
    );
    assert_eq!(
        x.flink_error.as_deref(),
        Some(
            "For heap backends, the new state serializer (org.apache.flink.api.common.typeutils.base.StringSerializer@<hash>) must not be incompatible with the old state serializer (org.apache.flink.api.common.typeutils.base.LongSerializer@<hash>)."
        )
    );
    let diff = x.diff.as_deref().unwrap();
    assert!(diff.contains("-Long") && diff.contains("+String"), "{diff}");
    assert!(x.fix.is_some());
    assert_eq!(f.len(), 1, "{f:#?}");
}

#[test]
fn pojo_changes() {
    let account =
        |fields: &str| format!("PojoType<com.example.fixtures.Account, fields = [{fields}]>");
    // Field added: migrated, restores.
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "account")["type"] = json!(account(
            "balance: Integer, email: String, id: Long, owner: String"
        ));
    });
    let x = only(&f, "state-type-migrated");
    assert_eq!(x.severity, Severity::Info);
    assert!(
        x.message.contains("field `email` (String) added"),
        "{}",
        x.message
    );
    assert!(
        x.diff.as_deref().unwrap().contains("+  email: String"),
        "{:?}",
        x.diff
    );
    // Field removed: migrated too.
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "account")["type"] = json!(account("balance: Integer, id: Long"));
    });
    assert!(
        only(&f, "state-type-migrated")
            .message
            .contains("`owner` (String) removed")
    );
    // Field type changed: incompatible.
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "account")["type"] =
            json!(account("balance: Long, id: Long, owner: String"));
    });
    let x = only(&f, "state-type-incompatible");
    assert!(
        x.message.contains("`balance`: Integer -> Long"),
        "{}",
        x.message
    );
    // Class renamed: Flink fails to load the old class.
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "account")["type"] = json!(
            "PojoType<com.example.fixtures.Customer, fields = [balance: Integer, id: Long, owner: String]>"
        );
    });
    let x = only(&f, "class-renamed");
    assert_eq!(
        x.flink_error.as_deref(),
        Some("Could not find class 'com.example.fixtures.Account' in classpath.")
    );
}

#[test]
fn tuple_and_row_arity() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "list-tuple2")["type"] =
            json!("Java Tuple3<String, Integer, Long>");
        state_mut(g, "keyed-all", "map-row")["type"] = json!("Row(name: String, n: Long)");
    });
    let arity: Vec<&Finding> = f
        .iter()
        .map(|(_, x)| x)
        .filter(|x| x.rule.id == "tuple-arity-changed")
        .collect();
    assert_eq!(arity.len(), 2, "{f:#?}");
    // List and map states register a list/map serializer around the declared type.
    let list = arity
        .iter()
        .find(|x| x.state.as_deref() == Some("list-tuple2"))
        .unwrap();
    assert!(
        list.flink_error
            .as_deref()
            .unwrap()
            .contains("(org.apache.flink.api.common.typeutils.base.ListSerializer@<hash>)")
    );
    let map = arity
        .iter()
        .find(|x| x.state.as_deref() == Some("map-row"))
        .unwrap();
    assert!(
        map.flink_error
            .as_deref()
            .unwrap()
            .contains("MapSerializer@<hash>")
    );
    // A Row field renamed alone changes nothing (names are not stored).
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "map-row")["type"] =
            json!("Row(label: String, n: Long, score: Double)");
    });
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn map_and_broadcast_keys() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "map-row")["userKeyType"] = json!("Long");
        state_mut(g, "broadcast", "rules")["type"] = json!("Long");
    });
    let map_key = f
        .iter()
        .find(|(_, x)| x.state.as_deref() == Some("map-row"))
        .unwrap();
    assert_eq!(map_key.1.rule.id, "state-type-incompatible");
    assert!(
        map_key
            .1
            .message
            .starts_with("the map key of state `map-row`"),
        "{}",
        map_key.1.message
    );
    let rules = f
        .iter()
        .find(|(_, x)| x.state.as_deref() == Some("rules"))
        .unwrap();
    assert_eq!(
        rules.1.flink_error.as_deref(),
        Some("The new value typeSerializer for broadcast state must not be incompatible.")
    );
}

#[test]
fn map_key_migration_depends_on_the_backend() {
    // Notation on both sides (a diff of two job versions): a POJO map key gains a field.
    let state = |key: &str| StateSchema {
        name: "perKey".into(),
        kind: StateKind::Map,
        type_: Some("Long".into()),
        user_key_type: Some(key.into()),
        ttl: false,
        serializers: Vec::new(),
        avro_schema: None,
    };
    let dir = fixture(DS_230);
    let old_side = old_side(&dir);
    let mut old: OldOperator = old_side.by_uid("keyed-all").clone();
    old.states = vec![state("PojoType<a.K, fields = [x: Long]>")];
    let mut g = registered_graph(&dir, Some("2.3.0"));
    op_mut(&mut g, "keyed-all")["state"] = json!([
        { "name": "perKey", "kind": "map", "userKeyType": "PojoType<a.K, fields = [x: Long, y: Long]>", "type": "Long" }
    ]);
    let side = side_from_graph(&g);
    let new: &NewOperator = side.by_uid("keyed-all");
    let mut ctx = CompatContext {
        new_flink: Some(FlinkRange::exactly(Release::new(2, 3))),
        ..Default::default()
    };
    let unknown = check_states(&old, new, &ctx);
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert_eq!(
        (unknown[0].rule.id, unknown[0].severity),
        ("map-key-migration", Severity::Warning)
    );
    ctx.new_backend = Some(Backend::RocksDb);
    let rocks = check_states(&old, new, &ctx);
    assert_eq!(rocks[0].severity, Severity::Error);
    assert!(
        rocks[0]
            .flink_error
            .as_deref()
            .unwrap()
            .starts_with("The new serializer for a MapState requires state migration")
    );
    ctx.new_backend = Some(Backend::HashMap);
    assert_eq!(check_states(&old, new, &ctx)[0].severity, Severity::Info);
}

#[test]
fn rocksdb_native_savepoint_pins_the_backend() {
    let name = "flink-2.3.0-datastream-rocksdb-native";
    assert!(
        savepoints().join(name).is_dir(),
        "{name} is a committed fixture"
    );
    let f = variant(name, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "count")["type"] = json!("String");
    });
    let x = only(&f, "state-type-incompatible");
    assert!(
        x.flink_error
            .as_deref()
            .unwrap()
            .starts_with("The new state serializer ("),
        "{:?}",
        x.flink_error
    );
}

#[test]
fn ttl_toggle_by_flink_version() {
    let drop_ttl = |g: &mut Value| {
        state_mut(g, "keyed-all", "ttl-last")
            .as_object_mut()
            .unwrap()
            .remove("ttl");
    };
    // 1.20 restores fail.
    let f = variant(DS_120, Some("1.20.3"), drop_ttl);
    let x = only(&f, "ttl-changed");
    assert_eq!(x.severity, Severity::Error);
    assert!(x.message.contains("TTL disabled"), "{}", x.message);
    assert!(
        x.flink_error
            .as_deref()
            .unwrap()
            .contains("TtlStateFactory$TtlSerializer@<hash>")
    );
    // 2.3 migrates.
    let f = variant(DS_230, Some("2.3.0"), drop_ttl);
    assert_eq!(only(&f, "ttl-changed").severity, Severity::Info);
    // No flinkVersion: the savepoint's release line is assumed, and said.
    let f = variant(DS_230, None, drop_ttl);
    let x = only(&f, "ttl-changed");
    assert_eq!(x.severity, Severity::Info);
    assert!(
        x.message
            .contains("assuming the savepoint's release line, Flink 2.1 - 2.3"),
        "{}",
        x.message
    );
    // Enabling TTL on 2.0 fails.
    let f = variant(DS_230, Some("2.0.0"), |g| {
        state_mut(g, "keyed-all", "count")["ttl"] = json!("1 h");
    });
    assert!(
        f.iter()
            .any(|(_, x)| x.rule.id == "ttl-changed" && x.severity == Severity::Error),
        "{f:#?}"
    );
}

#[test]
fn state_kind_changes() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "count")["kind"] = json!("list");
        state_mut(g, "operator-state", "op-list")["kind"] = json!("union-list");
    });
    let errors: Vec<&str> = f
        .iter()
        .filter_map(|(_, x)| x.flink_error.as_deref())
        .collect();
    assert!(
        errors
            .contains(&"Incompatible key/value state types. Was [VALUE], registered with [LIST]."),
        "{errors:?}"
    );
    assert!(
        errors.contains(
            &"Incompatible state assignment modes. Was [SPLIT_DISTRIBUTE], registered with [UNION]."
        ),
        "{errors:?}"
    );
    assert_eq!(codes(&f), ["state-kind-changed", "state-kind-changed"]);
}

#[test]
fn key_type_changed() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        op_mut(g, "keyed-all")["keyType"] = json!("String");
    });
    let x = only(&f, "key-type-changed");
    assert_eq!(
        x.flink_error.as_deref(),
        Some(
            "The new key serializer (org.apache.flink.api.common.typeutils.base.StringSerializer@<hash>) must be compatible with the previous key serializer (org.apache.flink.api.common.typeutils.base.LongSerializer@<hash>)."
        )
    );
    // Keys cannot migrate either: a key that only needs migration fails too (notation on both
    // sides here).
    let dir = fixture(DS_230);
    let mut old = old_side(&dir).by_uid("keyed-all").clone();
    old.key_serializer = None;
    old.key_type = Some("PojoType<a.K, fields = [x: Long]>".into());
    old.states.clear();
    let mut g = registered_graph(&dir, Some("2.3.0"));
    op_mut(&mut g, "keyed-all")["keyType"] = json!("PojoType<a.K, fields = [x: Long, y: Long]>");
    let side = side_from_graph(&g);
    let new = side.by_uid("keyed-all");
    let f = check_states(&old, new, &CompatContext::default());
    assert!(
        f.iter()
            .any(|x| x.rule.id == "key-type-changed" && x.severity == Severity::Error),
        "{f:#?}"
    );
}

#[test]
fn dropped_added_and_undescribed_states() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        let states = op_mut(g, "keyed-all")["state"].as_array_mut().unwrap();
        states.retain(|s| s["name"] != "count");
        states.push(json!({ "name": "seen", "kind": "value", "type": "Boolean" }));
    });
    let dropped = only(&f, "state-dropped");
    assert_eq!(
        (dropped.severity, dropped.state.as_deref()),
        (Severity::Warning, Some("count"))
    );
    assert_eq!(only(&f, "state-added").severity, Severity::Info);
    assert_eq!(f.len(), 2, "{f:#?}");
    // An operator without a state list is not described: nothing is reported about its states.
    let f = variant(DS_230, Some("2.3.0"), |g| {
        op_mut(g, "keyed-all")
            .as_object_mut()
            .unwrap()
            .remove("state");
    });
    assert!(f.is_empty(), "{f:#?}");
    // Dropping a state does not fail the restore.
    let p = predict_variant(DS_230, Some("2.3.0"), |g| {
        op_mut(g, "keyed-all")["state"]
            .as_array_mut()
            .unwrap()
            .retain(|s| s["name"] != "count");
    });
    assert_eq!(p.verdict, Verdict::Restores);
}

#[test]
fn enum_and_generic_classes() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "color")["type"] =
            json!("EnumTypeInfo<com.example.fixtures.Colour>");
        state_mut(g, "keyed-all", "generic")["type"] =
            json!("GenericType<com.example.fixtures.Payload2>");
    });
    let errors: Vec<&str> = f
        .iter()
        .filter_map(|(_, x)| x.flink_error.as_deref())
        .collect();
    assert_eq!(codes(&f), ["class-renamed", "class-renamed"]);
    assert!(errors.contains(&"Could not find class 'com.example.fixtures.Color' in classpath."));
    assert!(errors.contains(&"Could not find class 'com.example.fixtures.Payload' in classpath."));
}

/// Schema findings for `keyed-all` of the 2.3.0 fixture against a canary of the same job in
/// which `change` alters state `state`, as a canary savepoint of the changed job would show it.
fn canary_keyed_all_with(state: &str, change: impl FnOnce(&mut StateSchema)) -> Vec<Finding> {
    let dir = fixture(DS_230);
    let old = old_side(&dir);
    let op = old.by_uid("keyed-all");
    let mut canary = NewSide::from_canary_savepoint(&summary(&dir));
    let ctx = CompatContext::from_sides(&old, &canary);
    let target = canary
        .operators
        .iter_mut()
        .find(|o| o.operator_id == op.operator_id)
        .unwrap();
    change(target.states.iter_mut().find(|s| s.name == state).unwrap());
    check_states(op, target, &ctx)
}

/// Sets the constants of every enum snapshot of a state.
fn set_enum_constants(state: &mut StateSchema, to: &[&str]) {
    for (_, snap) in &mut state.serializers {
        if let SnapshotDetail::Enum { constants, .. } = &mut snap.detail {
            *constants = to.iter().map(|c| c.to_string()).collect();
        }
    }
}

#[test]
fn enum_constant_removed_in_canary() {
    // The saved constants are RED, GREEN, BLUE; the canary drops BLUE.
    let f = canary_keyed_all_with("color", |s| set_enum_constants(s, &["RED", "GREEN"]));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].rule.id, "enum-constant-removed");
    assert_eq!(
        f[0].flink_error.as_deref(),
        Some(
            "Could not create a restore serializer for enum com.example.fixtures.Color. Probably because an enum value was removed."
        )
    );
    assert!(
        f[0].diff.as_deref().unwrap().contains("-  BLUE"),
        "{:?}",
        f[0].diff
    );
    // Adding one is a reconfiguration.
    let f = canary_keyed_all_with("color", |s| {
        set_enum_constants(s, &["RED", "GREEN", "BLUE", "YELLOW"])
    });
    assert_eq!(
        f.iter().map(|x| x.rule.id).collect::<Vec<_>>(),
        ["state-serializer-reconfigured"]
    );
}

#[test]
fn kryo_state_across_flink_2() {
    let f = variant(DS_120, Some("2.0.0"), |_| {});
    let x = only(&f, "kryo-across-flink-2");
    assert_eq!(x.state.as_deref(), Some("generic"));
    // Within 1.x, or from a 2.x savepoint, nothing.
    assert!(variant(DS_120, Some("1.20.3"), |_| {}).is_empty());
    assert!(variant(DS_230, Some("2.3.0"), |_| {}).is_empty());
    // A version not given: the crossing is only possible, and said so.
    let f = variant(DS_120, None, |_| {});
    let x = only(&f, "kryo-across-flink-2");
    assert_eq!(x.severity, Severity::Info);
    assert!(x.message.contains("not given"), "{}", x.message);
}

#[test]
fn unreadable_notation_is_reported_not_fatal() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "count")["type"] = json!("long int");
    });
    let x = only(&f, "state-type-unknown");
    assert_eq!(x.severity, Severity::Warning);
    assert!(
        x.message.contains("cannot read type `long int`"),
        "{}",
        x.message
    );
}

#[test]
fn sql_state_rows() {
    for name in [
        "flink-2.3.0-sql-groupby-hashmap-canonical",
        "flink-1.20.3-sql-groupby-hashmap-canonical",
    ] {
        let dir = fixture(name);
        let expected = read_json(&dir.join("expected.json"));
        let agg = expected["operators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["keyed"].is_object())
            .unwrap();
        let graph = |key: &str, acc: &str| {
            json!({
                "format": "spcompat-job-graph/1",
                "operators": [{
                    "node": 1, "name": "GroupAggregate", "operatorId": agg["operatorId"],
                    "parallelism": 2, "inputs": [], "keyType": key,
                    "state": [{ "name": "accState", "kind": "value", "type": acc }]
                }]
            })
        };
        let run = |key: &str, acc: &str| {
            let old = old_side(&dir);
            let new = side_from_graph(&graph(key, acc));
            check_all(&old, &new, &CompatContext::from_sides(&old, &new))
        };
        // The query's state as the planner declares it: as is (names are not stored).
        assert!(
            run("ROW<`k` STRING>", "ROW<`cnt` BIGINT, `total` BIGINT>").is_empty(),
            "{name}"
        );
        let f = run(
            "ROW<`k` STRING>",
            "ROW<`cnt` BIGINT NOT NULL, `total` BIGINT>",
        );
        let x = only(&f, "rowdata-type-changed");
        assert!(
            x.message.contains("only nullability differs"),
            "{}",
            x.message
        );
        assert!(
            x.flink_error
                .as_deref()
                .unwrap()
                .contains("RowDataSerializer@<hash>")
        );
        let f = run(
            "ROW<`k` STRING>",
            "ROW<`cnt` BIGINT, `total` BIGINT, `mx` INT>",
        );
        only(&f, "rowdata-type-changed");
        let f = run("ROW<`k` INT>", "ROW<`cnt` BIGINT, `total` BIGINT>");
        assert_eq!(only(&f, "key-type-changed").severity, Severity::Error);
    }
}

#[test]
fn errors_make_the_operator_incompatible() {
    let p = predict_variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "count")["type"] = json!("String");
    });
    assert_eq!(p.verdict, Verdict::Fails);
    let op = p
        .operators
        .iter()
        .find(|o| {
            o.reasons
                .iter()
                .any(|r| r.rule.id == "state-type-incompatible")
        })
        .unwrap();
    assert_eq!(op.status, Status::Incompatible);
    // Info findings leave it restored.
    let p = predict_variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "account")["type"] = json!(
            "PojoType<com.example.fixtures.Account, fields = [balance: Integer, email: String, id: Long, owner: String]>"
        );
    });
    assert_eq!(p.verdict, Verdict::Restores);
    // JSON stays tidy: schema fields only where set.
    let json = serde_json::to_value(&p).unwrap();
    let text = json.to_string();
    assert!(text.contains("\"oldType\"") && text.contains("\"diff\""));
    let mapping_only = predict_variant(DS_230, Some("2.3.0"), |_| {});
    assert!(
        !serde_json::to_string(&mapping_only)
            .unwrap()
            .contains("\"oldType\"")
    );
}

#[test]
fn every_schema_rule_is_in_the_catalog_with_a_doc() {
    for id in [
        "key-type-changed",
        "state-kind-changed",
        "state-type-incompatible",
        "state-type-migrated",
        "state-serializer-reconfigured",
        "class-renamed",
        "enum-constant-removed",
        "tuple-arity-changed",
        "rowdata-type-changed",
        "ttl-changed",
        "avro-schema-incompatible",
        "map-key-migration",
        "kryo-across-flink-2",
        "scala-serializer-on-flink-2",
        "state-dropped",
        "state-added",
        "state-type-unknown",
        "legacy-serializer-snapshot",
        "savepoint-newer-than-flink",
    ] {
        let rule = rules::find(id).unwrap_or_else(|| panic!("{id} not in rules::ALL"));
        assert!(
            rule.doc.starts_with(&format!("# {id}\n")),
            "{id}: doc title"
        );
        assert!(rule.doc.contains("## Fix"), "{id}: doc has a fix");
        assert!(
            rule.doc.contains("**Flink:**"),
            "{id}: doc names the versions"
        );
    }
}

#[test]
fn flink_versions_parse() {
    let r = |s: &str| FlinkRange::parse(s).map(|r| r.to_string());
    assert_eq!(r("1.20.1").as_deref(), Some("Flink 1.20"));
    assert_eq!(r("2.1-SNAPSHOT").as_deref(), Some("Flink 2.1"));
    assert_eq!(r("Flink 1.16 - 1.20").as_deref(), Some("Flink 1.16 - 1.20"));
    assert_eq!(r("Flink after 2.3").as_deref(), Some("Flink 2.4 or later"));
    assert_eq!(r("no known Flink release"), None);
    assert_eq!(
        FlinkRange::from_metadata_version(5).unwrap().to_string(),
        "Flink 2.0"
    );
}

#[test]
fn enum_constants_listed_in_the_job_graph() {
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "color")["type"] =
            json!("EnumTypeInfo<com.example.fixtures.Color, constants = [RED, GREEN]>");
    });
    assert_eq!(only(&f, "enum-constant-removed").severity, Severity::Error);
    let f = variant(DS_230, Some("2.3.0"), |g| {
        state_mut(g, "keyed-all", "color")["type"] = json!(
            "EnumTypeInfo<com.example.fixtures.Color, constants = [RED, GREEN, BLUE, YELLOW]>"
        );
    });
    assert_eq!(
        only(&f, "state-serializer-reconfigured").severity,
        Severity::Info
    );
}

/// An operator of the 2.3 fixture with its states replaced (decoded snapshot structs, no bytes).
fn keyed_all_with(states: Vec<StateSchema>) -> OldOperator {
    let mut op = old_side(&fixture(DS_230)).by_uid("keyed-all").clone();
    op.states = states;
    op
}

fn new_keyed_all(states: Value, flink: &str) -> NewSide {
    let mut g = registered_graph(&fixture(DS_230), Some(flink));
    op_mut(&mut g, "keyed-all")["state"] = states;
    side_from_graph(&g)
}

fn snapshot_state(
    name: &str,
    snapshot: spcompat::schema::snapshot::SerializerSnapshot,
) -> StateSchema {
    StateSchema {
        name: name.into(),
        kind: StateKind::Value,
        type_: None,
        user_key_type: None,
        ttl: false,
        serializers: vec![("VALUE_SERIALIZER".into(), snapshot)],
        avro_schema: None,
    }
}

#[test]
fn scala_serializers_on_flink_2() {
    use spcompat::schema::snapshot::SerializerSnapshot;
    let long = SerializerSnapshot {
        class: "org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot"
            .into(),
        version: 3,
        detail: SnapshotDetail::Simple,
    };
    let case_class = SerializerSnapshot {
        class: "org.apache.flink.api.scala.typeutils.ScalaCaseClassSerializerSnapshot".into(),
        version: 3,
        detail: SnapshotDetail::Composite {
            outer_version: Some(2),
            outer_class: Some("com.acme.Order".into()),
            supports_row_kind: None,
            outer_flag: None,
            opaque_outer: false,
            nested: vec![long],
        },
    };
    let old = keyed_all_with(vec![snapshot_state("order", case_class)]);
    let new = new_keyed_all(
        json!([{ "name": "order", "kind": "value", "type": "Order(id: Long)" }]),
        "2.0.0",
    );
    let target = new.by_uid("keyed-all");
    let ctx = CompatContext {
        old_flink: FlinkRange::parse("Flink 1.16 - 1.20"),
        new_flink: FlinkRange::parse("2.0.0"),
        new_backend: None,
    };
    let f = check_states(&old, target, &ctx);
    let scala: Vec<&Finding> = f
        .iter()
        .filter(|x| x.rule.id == "scala-serializer-on-flink-2")
        .collect();
    assert_eq!(scala.len(), 1, "{f:#?}");
    assert_eq!(
        scala[0].flink_error.as_deref(),
        Some(
            "Could not find class 'org.apache.flink.api.scala.typeutils.ScalaCaseClassSerializerSnapshot' in classpath."
        )
    );
    // The case class itself is unchanged.
    assert!(
        f.iter().all(|x| x.rule.id == "scala-serializer-on-flink-2"),
        "{f:#?}"
    );
    // On 1.x nothing is said.
    let ctx = CompatContext {
        new_flink: FlinkRange::parse("1.20.1"),
        ..ctx
    };
    assert!(check_states(&old, target, &ctx).is_empty());
}

#[test]
fn avro_state_with_inline_schema() {
    use spcompat::schema::snapshot::SerializerSnapshot;
    let v1 = r#"{"type":"record","name":"Event","namespace":"com.acme","fields":[{"name":"id","type":"long"}]}"#;
    let avro = SerializerSnapshot {
        class: "org.apache.flink.formats.avro.typeutils.AvroSerializerSnapshot".into(),
        version: 3,
        detail: SnapshotDetail::Avro {
            runtime_class: Some("com.acme.Event".into()),
            schema: v1.into(),
        },
    };
    let old = keyed_all_with(vec![snapshot_state("event", avro)]);
    let run = |schema: Option<&str>| {
        let mut decl =
            json!({ "name": "event", "kind": "value", "type": "AvroType<com.acme.Event>" });
        if let Some(s) = schema {
            // The schema may be given as JSON or as a string holding it.
            decl["avroSchema"] = serde_json::from_str(s).unwrap();
        }
        let new = new_keyed_all(json!([decl]), "2.3.0");
        let target = new.by_uid("keyed-all").clone();
        check_states(&old, &target, &CompatContext::default())
    };
    assert!(run(Some(v1)).is_empty());
    let evolved = r#"{"type":"record","name":"Event","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"tag","type":["null","string"],"default":null}]}"#;
    let f = run(Some(evolved));
    assert_eq!(
        (f.len(), f[0].rule.id),
        (1, "state-type-migrated"),
        "{f:#?}"
    );
    let broken = r#"{"type":"record","name":"Event","namespace":"com.acme","fields":[{"name":"id","type":"string"}]}"#;
    let f = run(Some(broken));
    assert_eq!(
        (f.len(), f[0].rule.id, f[0].severity),
        (1, "avro-schema-incompatible", Severity::Error),
        "{f:#?}"
    );
    assert!(
        f[0].diff.as_deref().unwrap().contains("\"string\""),
        "{:?}",
        f[0].diff
    );
    let f = run(None);
    assert_eq!(
        (f[0].rule.id, f[0].severity),
        ("state-type-unknown", Severity::Info)
    );
}

#[test]
fn user_serializer_snapshots() {
    use spcompat::schema::snapshot::SerializerSnapshot;
    let user = SerializerSnapshot {
        class: "com.acme.MySerializer$Snapshot".into(),
        version: 1,
        detail: SnapshotDetail::Unknown {
            reason: "snapshot class not known to spcompat".into(),
        },
    };
    // Old side opaque: reported as state-not-examined by the restore step, not again here.
    let old = keyed_all_with(vec![snapshot_state("custom", user.clone())]);
    let new = new_keyed_all(
        json!([{ "name": "custom", "kind": "value", "type": "Long" }]),
        "2.3.0",
    );
    let target = new.by_uid("keyed-all");
    assert!(check_states(&old, target, &CompatContext::default()).is_empty());
    // New side opaque (a canary with a user serializer): cannot be decided.
    let f = canary_keyed_all_with("count", |s| {
        s.serializers = vec![("VALUE_SERIALIZER".into(), user)];
    });
    assert_eq!(
        (f.len(), f[0].rule.id, f[0].severity),
        (1, "state-type-unknown", Severity::Warning),
        "{f:#?}"
    );
    assert!(f[0].message.contains("com.acme.MySerializer$Snapshot"));
}

#[test]
fn legacy_snapshots_need_a_1_16_hop() {
    use spcompat::schema::snapshot::SerializerSnapshot;
    let legacy = SerializerSnapshot {
        class: "com.acme.OldConfigSnapshot".into(),
        version: 0x7A53_C4F0,
        detail: SnapshotDetail::LegacyConfigSnapshot {
            serializer_class: None,
        },
    };
    let old = keyed_all_with(vec![snapshot_state("old", legacy)]);
    let new = new_keyed_all(
        json!([{ "name": "old", "kind": "value", "type": "Long" }]),
        "1.17.0",
    );
    let target = new.by_uid("keyed-all");
    let ctx = CompatContext {
        new_flink: FlinkRange::parse("1.17.0"),
        ..Default::default()
    };
    let f = check_states(&old, target, &ctx);
    assert_eq!(
        (f.len(), f[0].rule.id),
        (1, "legacy-serializer-snapshot"),
        "{f:#?}"
    );
}

#[test]
fn diff_mode_compares_two_job_graphs() {
    let dir = fixture(DS_120);
    let graph = |v: &str, change: &dyn Fn(&mut Value)| {
        let mut g = registered_graph(&dir, Some(v));
        change(&mut g);
        let text = serde_json::to_string(&g).unwrap();
        parse_job_graph(Path::new("g.json"), &text).unwrap()
    };
    let old = OldSide::from_job_graph(&graph("1.20.3", &|_| {}), "old.json").unwrap();
    let same = side_from_graph(&registered_graph(&dir, Some("1.20.3")));
    assert!(check_all(&old, &same, &CompatContext::from_sides(&old, &same)).is_empty());
    let new = NewSide::from_job_graph(
        &graph("2.0.0", &|g| {
            state_mut(g, "keyed-all", "count")["type"] = json!("Integer");
        }),
        "new.json",
    )
    .unwrap();
    let f = check_all(&old, &new, &CompatContext::from_sides(&old, &new));
    assert_eq!(
        codes(&f),
        ["state-type-incompatible", "kryo-across-flink-2"],
        "{f:#?}"
    );
}

#[test]
fn kryo_key_across_flink_2() {
    let mut old = keyed_all_with(Vec::new());
    old.key_serializer = None;
    old.key_type = Some("GenericType<com.acme.Key>".into());
    let new = new_keyed_all(json!([]), "2.3.0");
    let target = new.by_uid("keyed-all");
    let ctx = CompatContext {
        old_flink: FlinkRange::parse("1.20.1"),
        new_flink: FlinkRange::parse("2.3.0"),
        new_backend: None,
    };
    let f = check_states(&old, target, &ctx);
    let k: Vec<&Finding> = f
        .iter()
        .filter(|x| x.rule.id == "kryo-across-flink-2")
        .collect();
    assert_eq!(k.len(), 1, "{f:#?}");
    assert!(
        k[0].message
            .starts_with("the key type holds Kryo-serialized values (com.acme.Key)"),
        "{}",
        k[0].message
    );
    assert_eq!(k[0].state, None);
}

#[test]
fn kryo_state_is_a_blind_spot() {
    // The unchanged job: only the Kryo state is flagged, as a warning naming its class.
    let dir = fixture(DS_230);
    let old = old_side(&dir);
    let new = side_from_graph(&registered_graph(&dir, Some("2.3.0")));
    let f = check_all_findings(&old, &new, &CompatContext::from_sides(&old, &new));
    let kryo: Vec<&Finding> = f
        .iter()
        .map(|(_, f)| f)
        .filter(|f| f.rule.id == "kryo-serialized-state")
        .collect();
    assert_eq!(kryo.len(), 1, "{f:#?}");
    assert_eq!(kryo[0].severity, Severity::Warning);
    assert!(
        kryo[0].message.contains("com.example.fixtures.Payload"),
        "{}",
        kryo[0].message
    );
    // Across 1.x -> 2.x the Kryo upgrade is the finding; the blind spot is not repeated.
    let dir = fixture(DS_120);
    let old = old_side(&dir);
    let new = side_from_graph(&registered_graph(&dir, Some("2.3.0")));
    let f = check_all_findings(&old, &new, &CompatContext::from_sides(&old, &new));
    assert!(
        f.iter().any(|(_, f)| f.rule.id == "kryo-across-flink-2")
            && !f.iter().any(|(_, f)| f.rule.id == "kryo-serialized-state"),
        "{f:#?}"
    );
}
