//! Operator IDs derived from job-graph files, checked against IDs found in real savepoints
//! (reference §6.5 and §11.2).

use std::path::Path;

use spcompat::job::{
    IdSource, MaxParallelismOrigin, chain_head, derive_operator_ids, load_job_graph,
};

fn ids(name: &str) -> Vec<(u32, String, IdSource)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/job")
        .join(name);
    let graph = load_job_graph(&path).unwrap();
    derive_operator_ids(&graph)
        .unwrap()
        .into_iter()
        .map(|d| (d.node, d.generated.to_string(), d.from))
        .collect()
}

#[test]
fn datastream_fixture_ids() {
    // The IDs stored in the flink-{1.20.0,2.0.0,2.3.0}-*-canonical savepoints.
    assert_eq!(
        ids("datastream-fixture.json"),
        [
            (1, "bef22c5df1ab33dd94bb7a6ecac555fb".into(), IdSource::Uid),
            (3, "c064aed2fb075b14880c626828c7ed94".into(), IdSource::Uid),
            (5, "20430726f8aae796810d4ac7b158f665".into(), IdSource::Auto),
        ]
    );
}

#[test]
fn plain_sql_fixture_ids() {
    // The IDs stored in the flink-2.3.0-sql-sql savepoint.
    let got: Vec<String> = ids("sql-plain.yaml")
        .into_iter()
        .map(|(_, id, _)| id)
        .collect();
    assert_eq!(
        got,
        [
            "cbc357ccb763df2852fee8c4fc7d55f2",
            "7df19f87deec5680128845fd9a6ca18d",
            "90bea66de1c231edf33913ecd54406c1",
            "e5ebb093256018a0621f548fbe118f8a",
            "55785f9edccd37ac9093dea77018f09d",
        ]
    );
}

#[test]
fn chains_and_vertex_max_parallelism() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/job/sql-plain.yaml");
    let g = load_job_graph(&path).unwrap();
    assert_eq!(chain_head(&g, 2), Some(1));
    assert_eq!(chain_head(&g, 4), Some(4));
    assert_eq!(chain_head(&g, 6), Some(4));
    assert_eq!(chain_head(&g, 99), None);
    let m = g.vertex_max_parallelism(6).unwrap();
    assert_eq!((m.value, m.origin), (128, MaxParallelismOrigin::Derived));
    assert!(!m.is_configured());

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/job/spec-example.json");
    let g = load_job_graph(&path).unwrap();
    let own = g.effective_max_parallelism(&g.operators[1]);
    assert_eq!(
        (own.value, own.origin),
        (256, MaxParallelismOrigin::Operator)
    );
    let job = g.effective_max_parallelism(&g.operators[0]);
    assert_eq!((job.value, job.origin), (128, MaxParallelismOrigin::Job));
    assert!(job.is_configured());
}
