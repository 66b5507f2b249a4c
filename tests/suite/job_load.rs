//! Loading job-graph files: the spec's example in JSON and YAML, and errors that name the
//! file, the JSON path and the offending span.

use std::path::{Path, PathBuf};

use spcompat::job::{
    ChainingStrategy, JobGraph, JobGraphError, JobGraphErrorKind, Partitioner, StartupMode,
    StateKind, load_job_graph, parse_job_graph, sniff_job_graph,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/job")
        .join(name)
}

fn load(name: &str) -> JobGraph {
    load_job_graph(&data(name)).unwrap_or_else(|e| panic!("{name}: {}", render(&e)))
}

fn load_err(name: &str) -> (JobGraphError, String) {
    let err = load_job_graph(&data(name)).expect_err(name);
    let rendered = render(&err);
    (err, rendered)
}

fn render(err: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(200)
        .render_report(&mut out, err)
        .unwrap();
    out
}

/// Text of the file under a span.
fn spanned(graph: &JobGraph, span: miette::SourceSpan) -> &str {
    let text = &graph.origin.as_ref().unwrap().text;
    &text[span.offset()..span.offset() + span.len()]
}

#[test]
fn spec_example_json() {
    let g = load("spec-example.json");
    assert_eq!(g.job.as_deref(), Some("orders-enrichment"));
    assert_eq!(g.flink_version.as_deref(), Some("1.20.1"));
    assert_eq!(g.max_parallelism, Some(128));
    assert_eq!(g.operators.len(), 2);

    let src = &g.operators[0];
    assert_eq!(src.node, 1);
    assert_eq!(src.name.as_deref(), Some("Source: orders"));
    assert_eq!(src.uid.as_deref(), Some("orders-source"));
    assert_eq!(src.chaining_strategy, Some(ChainingStrategy::Head));
    let source = src.source.as_ref().unwrap();
    assert_eq!(source.connector.as_deref(), Some("kafka"));
    assert_eq!(source.topics, ["orders"]);
    assert_eq!(source.startup_mode, Some(StartupMode::GroupOffsets));
    assert_eq!(src.state[0].kind, StateKind::OperatorList);
    assert_eq!(src.state[0].type_, "byte[]");

    let dedup = &g.operators[1];
    assert_eq!(dedup.max_parallelism, Some(256));
    assert_eq!(dedup.inputs[0].node, 1);
    assert_eq!(dedup.inputs[0].partitioner, Some(Partitioner::Hash));
    assert_eq!(dedup.key_type.as_deref(), Some("String"));
    assert_eq!(dedup.state[0].ttl.as_deref(), Some("1 h"));
    assert_eq!(dedup.state[1].kind, StateKind::Map);
    assert_eq!(dedup.state[1].user_key_type.as_deref(), Some("String"));

    // Locations point at the operator and state objects.
    assert_eq!(dedup.location.path, "operators[1]");
    let op_text = spanned(&g, dedup.location.span.unwrap());
    assert!(op_text.starts_with('{') && op_text.ends_with('}'));
    assert!(op_text.contains("\"Dedup\""));
    assert_eq!(dedup.state[1].location.path, "operators[1].state[1]");
    assert_eq!(
        spanned(&g, dedup.state[1].location.span.unwrap()),
        r#"{ "name": "perUser", "kind": "map", "userKeyType": "String", "type": "Long" }"#
    );
    assert_eq!(
        spanned(&g, g.locate("operators[1].keyType").unwrap()),
        "\"String\""
    );
}

#[test]
fn spec_example_yaml_equals_json() {
    let json = load("spec-example.json");
    let yaml = load("spec-example.yaml");
    let strip = |mut g: JobGraph| {
        g.origin = None;
        for op in &mut g.operators {
            op.location = Default::default();
            for st in &mut op.state {
                st.location = Default::default();
            }
        }
        g
    };
    let yaml_dedup_span = yaml.operators[1].location.span.unwrap();
    assert!(spanned(&yaml, yaml_dedup_span).starts_with("node: 2\n    name: Dedup"));
    assert_eq!(
        spanned(&yaml, yaml.operators[1].state[0].location.span.unwrap())
            .lines()
            .next(),
        Some("name: seen")
    );
    assert_eq!(strip(json), strip(yaml));
}

#[test]
fn unknown_fields_are_kept() {
    let text = r#"{"format": "spcompat-job-graph/1", "exportedBy": "x",
        "operators": [{"node": 1, "parallelism": 1, "inputs": [], "operatorClass": "Foo"}]}"#;
    let g = parse_job_graph(Path::new("extra.json"), text).unwrap();
    assert_eq!(g.extra["exportedBy"], "x");
    assert_eq!(g.operators[0].extra["operatorClass"], "Foo");
}

#[test]
fn serializes_back_to_the_same_graph() {
    let g = load("spec-example.json");
    let text = serde_json::to_string_pretty(&g).unwrap();
    let again = parse_job_graph(Path::new("again.json"), &text).unwrap();
    assert_eq!(again.operators[1].state, {
        let mut states = g.operators[1].state.clone();
        for (s, a) in states.iter_mut().zip(&again.operators[1].state) {
            s.location = a.location.clone();
        }
        states
    });
    assert_eq!(serde_json::to_string_pretty(&again).unwrap(), text);
}

#[test]
fn sniffs_job_graphs_by_content() {
    let json = std::fs::read_to_string(data("spec-example.json")).unwrap();
    let yaml = std::fs::read_to_string(data("spec-example.yaml")).unwrap();
    let other = std::fs::read_to_string(data("invalid/unknown-format.json")).unwrap();
    assert!(sniff_job_graph(&json));
    assert!(sniff_job_graph(&yaml));
    assert!(
        sniff_job_graph(&other),
        "unknown versions are still job graphs"
    );
    assert!(!sniff_job_graph(r#"{"flinkVersion": "v2_3", "nodes": []}"#));
    assert!(!sniff_job_graph("\u{0}\u{1}binary"));
}

#[test]
fn byte_order_mark_is_accepted() {
    let json = std::fs::read_to_string(data("spec-example.json")).unwrap();
    let g = parse_job_graph(Path::new("bom.json"), &format!("\u{feff}{json}")).unwrap();
    assert!(spanned(&g, g.operators[0].location.span.unwrap()).contains("orders-source"));
}

// ------------------------------------------------------------------ errors

#[test]
fn wrong_type_names_path_and_file() {
    let (err, rendered) = load_err("invalid/wrong-type.json");
    let JobGraphErrorKind::Invalid { path, span, .. } = err.kind() else {
        panic!("{err:?}");
    };
    assert_eq!(path, "operators[1].parallelism");
    let msg = err.to_string();
    assert!(msg.contains("wrong-type.json"), "{msg}");
    assert!(msg.contains("operators[1].parallelism"), "{msg}");
    assert!(msg.contains("invalid type: string \"two\""), "{msg}");
    let text = std::fs::read_to_string(data("invalid/wrong-type.json")).unwrap();
    let span = span.unwrap();
    assert_eq!(&text[span.offset()..span.offset() + span.len()], "\"two\"");
    assert!(rendered.contains("wrong-type.json:5:"), "{rendered}");
    assert!(
        rendered.contains("expected a non-negative integer"),
        "{rendered}"
    );
}

#[test]
fn wrong_type_yaml() {
    let (err, rendered) = load_err("invalid/wrong-type.yaml");
    assert!(
        err.to_string().contains("at `operators[1].parallelism`"),
        "{err}"
    );
    assert!(!err.to_string().contains("at line"), "{err}");
    let JobGraphErrorKind::Invalid { span, .. } = err.kind() else {
        panic!("{err:?}");
    };
    let text = std::fs::read_to_string(data("invalid/wrong-type.yaml")).unwrap();
    assert!(text[span.unwrap().offset()..].starts_with("two"));
    assert!(rendered.contains("wrong-type.yaml:8:"), "{rendered}");
}

#[test]
fn missing_field() {
    let (err, rendered) = load_err("invalid/missing-field.json");
    let msg = err.to_string();
    assert!(
        msg.contains("at `operators[1].parallelism`: missing required field `parallelism`"),
        "{msg}"
    );
    assert!(rendered.contains("missing-field.json:5:"), "{rendered}");
    assert!(
        rendered.contains("this object has no `parallelism`"),
        "{rendered}"
    );
}

#[test]
fn duplicate_node() {
    let (err, rendered) = load_err("invalid/duplicate-node.json");
    assert!(
        matches!(err.kind(), JobGraphErrorKind::DuplicateNode { node: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("operators[2].node"), "{err}");
    assert!(rendered.contains("duplicate-node.json"), "{rendered}");
    assert!(rendered.contains("first used here"), "{rendered}");
}

#[test]
fn unknown_input() {
    let (err, rendered) = load_err("invalid/unknown-input.yaml");
    assert!(
        matches!(err.kind(), JobGraphErrorKind::UnknownInput { node: 7, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("`operators[1].inputs[1].node` refers to node 7"),
        "{err}"
    );
    assert!(rendered.contains("unknown-input.yaml:10:"), "{rendered}");
    assert!(rendered.contains("defined nodes: 1, 2"), "{rendered}");
}

#[test]
fn bad_uid_hash() {
    let (err, rendered) = load_err("invalid/bad-uid-hash.json");
    let msg = err.to_string();
    assert!(msg.contains("operators[0].uidHash"), "{msg}");
    assert!(msg.contains("expected 32 hexadecimal characters"), "{msg}");
    assert!(rendered.contains("bad-uid-hash.json"), "{rendered}");
    assert!(
        rendered.contains("bef22c5df1ab33dd94bb7a6ecac555fb"),
        "help: {rendered}"
    );
}

#[test]
fn unknown_format_is_reported_before_anything_else() {
    let (err, rendered) = load_err("invalid/unknown-format.json");
    assert!(
        matches!(err.kind(), JobGraphErrorKind::UnknownFormat { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(
            "unknown job-graph format \"spcompat-job-graph/9\": expected \"spcompat-job-graph/1\""
        ),
        "{msg}"
    );
    assert!(rendered.contains("unknown-format.json:2:"), "{rendered}");

    let (err, _) = load_err("invalid/missing-format.yaml");
    assert!(err.to_string().contains("missing `format`"), "{err}");
}

#[test]
fn duplicate_uid_fails_at_derivation_like_flink() {
    let g = load("invalid/duplicate-uid.json");
    let err = spcompat::job::derive_operator_ids(&g).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(
            "Hash collision on user-specified ID \"orders\". Most likely cause is a non-unique ID."
        ),
        "{msg}"
    );
    let rendered = render(&err);
    assert!(rendered.contains("duplicate-uid.json:4:25"), "{rendered}");
}

#[test]
fn syntax_error() {
    let (err, rendered) = load_err("invalid/syntax-error.json");
    assert!(
        matches!(err.kind(), JobGraphErrorKind::Syntax { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("not valid JSON: expected `,` or `]`"),
        "{err}"
    );
    assert!(rendered.contains("syntax-error.json:5:5"), "{rendered}");
}

#[test]
fn forward_between_different_parallelism() {
    let (err, _) = load_err("invalid/forward-parallelism.json");
    let msg = err.to_string();
    assert!(msg.contains("operators[1].inputs[0].partitioner"), "{msg}");
    assert!(
        msg.contains("Forward partitioning does not allow change of parallelism"),
        "{msg}"
    );
}

#[test]
fn map_state_needs_key_type() {
    let (err, rendered) = load_err("invalid/map-without-key.json");
    assert!(
        err.to_string()
            .contains("operators[0].state[0].userKeyType"),
        "{err}"
    );
    assert!(rendered.contains("map-without-key.json:5:"), "{rendered}");
}

#[test]
fn cycle() {
    let (err, _) = load_err("invalid/cycle.json");
    assert!(
        matches!(err.kind(), JobGraphErrorKind::Cycle { .. }),
        "{err:?}"
    );
}

#[test]
fn unknown_state_kind() {
    let (err, _) = load_err("invalid/unknown-kind.json");
    let msg = err.to_string();
    assert!(msg.contains("operators[0].state[0].kind"), "{msg}");
    assert!(msg.contains("unknown variant `valu`"), "{msg}");
}

#[test]
fn unreadable_file() {
    let err = load_job_graph(&data("does-not-exist.json")).unwrap_err();
    assert!(matches!(err.kind(), JobGraphErrorKind::Io { .. }));
    assert!(err.to_string().contains("does-not-exist.json"), "{err}");
}

#[test]
fn top_level_must_be_an_object() {
    let err = parse_job_graph(Path::new("list.yaml"), "- a\n- b\n").unwrap_err();
    assert!(err.to_string().contains("found a list"), "{err}");
    let err = parse_job_graph(Path::new("empty.yaml"), "").unwrap_err();
    assert!(err.to_string().contains("list.yaml") || err.to_string().contains("empty.yaml"));
    for (name, text, found) in [
        ("list.json", "[1, {\"format\": 2}]", "found a list"),
        ("null.json", "null", "found nothing"),
        ("number.json", "42", "found a single value"),
        ("text.yaml", "just text\n", "found a single value"),
    ] {
        let err = parse_job_graph(Path::new(name), text).unwrap_err();
        assert!(err.to_string().contains(found), "{name}: {err}");
    }
}

/// The header check reads only `format` at the top level: a nested `format`, or none, is no
/// format; of two, the last counts (as a JSON object keeps it); a non-string one is named.
#[test]
fn only_the_top_level_format_counts() {
    let unknown = |text: &str| {
        let err = parse_job_graph(Path::new("g.json"), text).unwrap_err();
        assert!(
            matches!(err.kind(), JobGraphErrorKind::UnknownFormat { .. }),
            "{text}: {err:?}"
        );
        err.to_string()
    };
    let nested = unknown(r#"{"operators": [{"format": "spcompat-job-graph/1"}]}"#);
    assert!(nested.contains("missing `format`"), "{nested}");
    let last = unknown(r#"{"format": "spcompat-job-graph/1", "format": "other/1"}"#);
    assert!(last.contains("other/1"), "{last}");
    assert!(unknown(r#"{"format": 7, "operators": []}"#).contains('7'));
    // The last `format` is the known one: the header passes, and the typed parse still refuses
    // the other.
    let twice = r#"{"format": "other/1", "format": "spcompat-job-graph/1", "operators": []}"#;
    let err = parse_job_graph(Path::new("g.json"), twice).unwrap_err();
    assert!(
        !matches!(err.kind(), JobGraphErrorKind::UnknownFormat { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("other/1"), "{err}");
}

#[test]
fn yaml_plain_scalars_keep_their_text() {
    // `1.20` must stay "1.20", not become the float 1.2.
    let g = parse_job_graph(
        Path::new("v.yaml"),
        "format: spcompat-job-graph/1\nflinkVersion: 1.20\noperators: []\n",
    )
    .unwrap();
    assert_eq!(g.flink_version.as_deref(), Some("1.20"));
}
