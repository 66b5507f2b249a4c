//! The readers and parsers on the deepest inputs they accept (and just past that), on a 2 MiB
//! thread stack: the library may be called from any thread, not only a large main stack.

use crate::common;

use std::path::Path;

use spcompat::job::parse_job_graph;
use spcompat::savepoint::Savepoint;
use spcompat::savepoint::summary::SavepointSummary;
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
