//! The readers and parsers on the deepest inputs they accept (and just past that), on a 2 MiB
//! thread stack: the library may be called from any thread, not only a large main stack.

use crate::common;

use std::path::Path;

use spcompat::job::parse_job_graph;
use spcompat::savepoint::Savepoint;
use spcompat::savepoint::inventory::SavepointSummary;
use spcompat::schema::notation;

const SMALL_STACK: usize = 2 << 20;

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .expect("overflowed or panicked on a 2 MiB stack")
}

/// `List<List<...<String>...>>` with `depth` levels, in Flink's TypeInformation notation.
fn nested_list(depth: usize) -> String {
    format!("{}String{}", "List<".repeat(depth), ">".repeat(depth))
}

fn nested_row(depth: usize) -> String {
    format!("{}INT{}", "ROW<`f` ".repeat(depth), ">".repeat(depth))
}

#[test]
fn notation_at_and_past_its_depth_limit() {
    on_small_stack(|| {
        let accepted = (1..200)
            .take_while(|d| notation::parse_type(&nested_list(*d)).is_ok())
            .last()
            .expect("one level of List<> parses");
        assert!(accepted >= 32, "only {accepted} levels accepted");
        let err = notation::parse_type(&nested_list(accepted + 1)).unwrap_err();
        assert!(err.to_string().contains("deep"), "{err}");
        assert!(notation::parse_type(&nested_list(100_000)).is_err());

        let sql = (1..200)
            .take_while(|d| notation::parse_logical_type(&nested_row(*d)).is_ok())
            .last()
            .expect("one level of ROW<> parses");
        assert!(sql >= 32, "only {sql} levels accepted");
        assert!(notation::parse_logical_type(&nested_row(100_000)).is_err());
    });
}

/// The spec's example job graph with `depth` nested arrays in an extra operator field.
fn job_with_extra(syntax_json: bool, depth: usize) -> String {
    let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let data = common::root().join("tests/data/job");
    if syntax_json {
        let text = std::fs::read_to_string(data.join("spec-example.json")).unwrap();
        text.replacen("\"node\":", &format!("\"x\": {deep}, \"node\":"), 1)
    } else {
        let text = std::fs::read_to_string(data.join("spec-example.yaml")).unwrap();
        text.replacen("  - node: 1\n", &format!("  - x: {deep}\n    node: 1\n"), 1)
    }
}

#[test]
fn job_graphs_at_and_past_their_nesting_limits() {
    on_small_stack(|| {
        for json in [true, false] {
            let name = if json { "deep.json" } else { "deep.yaml" };
            let accepted = (1..300)
                .take_while(|d| parse_job_graph(Path::new(name), &job_with_extra(json, *d)).is_ok())
                .last()
                .unwrap_or_else(|| panic!("{name}: no nesting accepted"));
            assert!(accepted >= 16, "{name}: only {accepted} levels accepted");
            let err =
                parse_job_graph(Path::new(name), &job_with_extra(json, 100_000)).expect_err(name);
            assert!(err.to_string().contains(name), "{err}");
            // Rendering the diagnostic walks the same text.
            let _ = format!("{:?}", miette::Report::new(err));
        }
    });
}

#[test]
fn every_fixture_savepoint_reads_on_a_small_stack() {
    let dirs = common::all_fixtures();
    assert!(dirs.len() > 20, "{} fixtures", dirs.len());
    let read = on_small_stack(move || {
        dirs.iter()
            .filter(|d| {
                Savepoint::open(d)
                    .and_then(|sp| SavepointSummary::build(&sp))
                    .is_ok()
            })
            .count()
    });
    assert!(read > 20, "only {read} fixtures read");
}

/// Fuzzing found a slice inside a multi-byte character (tests/data/hostile/).
#[test]
fn notation_fuzz_regression_non_ascii_boundary() {
    let path = common::root().join("tests/data/hostile/notation-non-ascii-boundary.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let _ = notation::parse_type(&text);
    let _ = notation::parse_state_type(&text, None);
    assert!(notation::parse_logical_type(&text).is_err());
}

// ---------------------------------------------------------------------------------------------
// Java serialization and `_metadata` records, crafted from a real `_metadata` (Flink 1.20.0).

use spcompat::javaio::data_input::DataReader;
use spcompat::javaio::javaser;
use spcompat::savepoint::metadata::{MAX_SUBTASKS, SubtaskState, parse_metadata};

fn reference_metadata() -> Vec<u8> {
    let path = common::root().join("fixtures/reference/flink-1.20.0-hashmap-canonical/_metadata");
    std::fs::read(path).unwrap()
}

/// The `CheckpointProperties` trailer after its stream header: `TC_OBJECT TC_CLASSDESC ...`.
fn real_trailer_body() -> Vec<u8> {
    let bytes = reference_metadata();
    let trailer = parse_metadata(&bytes)
        .unwrap()
        .trailer
        .expect("a V4 trailer");
    bytes[trailer.offset as usize + 4..].to_vec()
}

/// Offset in `body` of the `TC_ENDBLOCKDATA` that ends the first class descriptor's class
/// annotation (the descriptor has no annotation, so the byte comes right after its fields).
fn end_of_first_class_annotation(body: &[u8]) -> usize {
    assert_eq!(&body[..2], &[0x73, 0x72], "TC_OBJECT TC_CLASSDESC");
    let mut r = DataReader::new(&body[2..]);
    r.utf("class name").unwrap();
    r.i64("serialVersionUID").unwrap();
    r.u8("flags").unwrap();
    for _ in 0..r.u16("field count").unwrap() {
        let code = r.u8("type code").unwrap();
        r.utf("field name").unwrap();
        if code == b'L' || code == b'[' {
            assert_eq!(
                r.u8("TC_STRING").unwrap(),
                0x74,
                "a new type signature string"
            );
            r.utf("signature").unwrap();
        }
    }
    let at = 2 + r.position();
    assert_eq!(body[at], 0x78, "TC_ENDBLOCKDATA");
    at
}

fn stream(body: &[u8]) -> Vec<u8> {
    let mut out = vec![0xAC, 0xED, 0x00, 0x05];
    out.extend_from_slice(body);
    out
}

/// The real object written again inside its own class annotation, `levels` deep: an object
/// tree built inside class annotations, which the reader must cut off by depth.
#[test]
fn java_objects_nested_in_class_annotations_stop_at_the_depth_limit() {
    on_small_stack(|| {
        let body = real_trailer_body();
        let p = end_of_first_class_annotation(&body);
        let nested = |levels: usize| {
            let mut b = body[..p].repeat(levels);
            b.extend(body[p..].repeat(levels));
            stream(&b)
        };
        assert!(javaser::read_stream(&mut DataReader::new(&nested(1))).is_ok());
        for levels in [javaser::MAX_DEPTH, 10_000] {
            let e = javaser::read_stream(&mut DataReader::new(&nested(levels))).unwrap_err();
            assert!(e.expected.contains("nesting"), "{levels} levels: {e}");
        }
    });
}

/// The real class descriptor as its own superclass descriptor, `levels` deep.
#[test]
fn nested_class_descriptors_stop_at_their_limits() {
    on_small_stack(|| {
        let body = real_trailer_body();
        let p = end_of_first_class_annotation(&body);
        assert_eq!(body[p + 1], 0x70, "no serializable superclass (TC_NULL)");
        let chain = |levels: usize| {
            let mut b = vec![0x73];
            b.extend(body[1..=p].repeat(levels));
            b.extend_from_slice(&body[p + 1..]);
            stream(&b)
        };
        // A short chain is read through (it then fails on the object's field values, which are
        // written for one class only): the limits are what stops the long ones.
        let e = javaser::read_stream(&mut DataReader::new(&chain(10))).unwrap_err();
        assert!(
            !e.expected.contains("nesting") && !e.expected.contains("hierarchy"),
            "{e}"
        );
        for levels in [
            javaser::MAX_CLASS_HIERARCHY + 1,
            javaser::MAX_DEPTH + 1,
            10_000,
        ] {
            let e = javaser::read_stream(&mut DataReader::new(&chain(levels))).unwrap_err();
            assert!(
                e.expected.contains("nesting") || e.expected.contains("hierarchy"),
                "{levels} levels: {e}"
            );
        }
    });
}

/// The real `_metadata` with `extra` finished-subtask records (4 bytes each) put in front of the
/// first operator's subtask records, and its count raised to match.
fn with_finished_subtasks(extra: usize) -> Vec<u8> {
    let bytes = reference_metadata();
    let md = parse_metadata(&bytes).unwrap();
    assert_eq!(md.version, 4);
    let op = md
        .operators
        .iter()
        .find(|o| o.coordinator_state.is_none() && !o.subtasks.is_empty())
        .expect("an operator with subtask records and no coordinator state");
    // Version 4: operator id (16), parallelism, max parallelism, null coordinator handle (1).
    let count_at = op.record_offset as usize + 16 + 4 + 4 + 1;
    let count = i32::from_be_bytes(bytes[count_at..count_at + 4].try_into().unwrap());
    assert_eq!(
        count as usize,
        op.subtasks.len(),
        "the subtask count is where expected"
    );
    let mut out = bytes[..count_at].to_vec();
    out.extend_from_slice(&(count + extra as i32).to_be_bytes());
    for i in 0..extra as i32 {
        // A finished subtask is stored as -(index + 1).
        out.extend_from_slice(&(-(i + 1_000) - 1).to_be_bytes());
    }
    out.extend_from_slice(&bytes[count_at + 4..]);
    out
}

#[test]
fn finished_subtask_records_are_capped_and_small() {
    // Each record is 4 bytes of input; what it takes in memory must stay a small multiple.
    assert!(
        std::mem::size_of::<SubtaskState>() <= 64,
        "{} bytes per subtask record",
        std::mem::size_of::<SubtaskState>()
    );
    on_small_stack(|| {
        let base = parse_metadata(&with_finished_subtasks(0)).unwrap();
        let first = base
            .operators
            .iter()
            .map(|o| o.subtasks.len())
            .max()
            .unwrap();
        let finished_before: usize = base
            .operators
            .iter()
            .map(|o| o.subtasks.iter().filter(|s| s.finished).count())
            .sum();
        let fits = MAX_SUBTASKS - first;
        let md = parse_metadata(&with_finished_subtasks(fits)).unwrap();
        let finished: usize = md
            .operators
            .iter()
            .map(|o| o.subtasks.iter().filter(|s| s.finished).count())
            .sum();
        assert_eq!(finished, finished_before + fits);
        let e = parse_metadata(&with_finished_subtasks(MAX_SUBTASKS)).unwrap_err();
        assert!(e.expected.contains("at most"), "{e}");
    });
}

/// A real compiled plan (Flink 1.20.3, `GROUP BY`) with its calc node repeated `chain` times
/// between the source and the exchange; with `unions` > 0, the last calc instead feeds `unions`
/// nested unions, each reading the previous one twice.
fn stretched_plan(chain: usize, unions: usize) -> String {
    let path = common::root()
        .join("fixtures/savepoints/flink-1.20.3-sql-groupby-plan-hashmap-canonical/plan.json");
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let nodes = plan["nodes"].as_array().unwrap().clone();
    let by_kind = |suffix: &str| {
        nodes
            .iter()
            .find(|n| n["type"].as_str().unwrap().contains(suffix))
            .unwrap()
            .clone()
    };
    let (source, calc, exchange) = (by_kind("source-scan"), by_kind("calc"), by_kind("exchange"));
    let rest: Vec<_> = nodes
        .iter()
        .filter(|n| {
            let t = n["type"].as_str().unwrap();
            t.contains("group-aggregate") || t.contains("sink")
        })
        .cloned()
        .collect();
    let edge = |s: u64, t: u64| serde_json::json!({"source": s, "target": t, "shuffle": {"type": "FORWARD"}});
    let mut new_nodes = vec![source.clone()];
    let mut edges = Vec::new();
    let mut last = source["id"].as_u64().unwrap();
    for k in 0..chain as u64 {
        let mut c = calc.clone();
        c["id"] = (1000 + k).into();
        edges.push(edge(last, 1000 + k));
        last = 1000 + k;
        new_nodes.push(c);
    }
    for k in 0..unions as u64 {
        let id = 100_000 + k;
        new_nodes.push(serde_json::json!({"id": id, "type": "stream-exec-union_1"}));
        edges.push(edge(last, id));
        edges.push(edge(last, id));
        last = id;
    }
    edges.push(edge(last, exchange["id"].as_u64().unwrap()));
    let mut prev = exchange["id"].as_u64().unwrap();
    new_nodes.push(exchange);
    for n in rest {
        let id = n["id"].as_u64().unwrap();
        edges.push(edge(prev, id));
        prev = id;
        new_nodes.push(n);
    }
    plan["nodes"] = new_nodes.into();
    plan["edges"] = edges.into();
    plan.to_string()
}

#[test]
fn compiled_plans_with_long_chains_and_wide_unions() {
    use spcompat::job::plan::{parse_plan, plan_job_graph};
    on_small_stack(|| {
        let aggregate = |text: &str| {
            let plan = parse_plan(text, "plan.json").unwrap();
            let graph = plan_job_graph(&plan, Some(2));
            let agg = graph
                .operators
                .iter()
                .find(|o| {
                    o.name
                        .as_deref()
                        .is_some_and(|n| n.starts_with("GroupAggregate"))
                })
                .cloned()
                .unwrap();
            (graph.operators.len(), agg)
        };
        let (base_ops, base_agg) = aggregate(&stretched_plan(1, 0));
        assert!(base_agg.key_type.is_some() && !base_agg.state.is_empty());

        // 4000 chained calcs: translated without recursion, the aggregate unchanged.
        let (ops, agg) = aggregate(&stretched_plan(4000, 0));
        assert_eq!(ops, base_ops + 3999);
        assert_eq!(agg.key_type, base_agg.key_type);
        assert_eq!(agg.state, base_agg.state);
        assert_eq!(agg.uid, base_agg.uid);

        let err = parse_plan(&stretched_plan(5000, 0), "deep-plan.json").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("deep-plan.json") && text.contains("chain"),
            "{text}"
        );

        // Three nested unions pass 8 inputs on; forty would pass 2^40.
        let (_, agg) = aggregate(&stretched_plan(1, 3));
        assert_eq!(agg.inputs.len(), 8);
        let err = parse_plan(&stretched_plan(1, 40), "wide-plan.json").unwrap_err();
        assert!(err.to_string().contains("operator inputs"), "{err}");
    });
}

#[test]
fn a_keyed_subtask_handle_stays_narrow() {
    // One keyed handle is allocated per keyed subtask (38,400 on the benchmark's 600-operator
    // savepoint); fresh memory, not decoding, was the largest cost of reading such a file.
    use spcompat::savepoint::handles::{KeyedHandle, StreamHandle};
    let (keyed, stream) = (
        std::mem::size_of::<KeyedHandle>(),
        std::mem::size_of::<StreamHandle>(),
    );
    assert!(keyed <= 120, "{keyed} bytes per keyed handle");
    assert!(stream <= 56, "{stream} bytes per stream handle");
}
