//! Operator IDs as Flink's `StreamGraphHasherV2` computes them (reference §6).

use std::collections::{HashMap, VecDeque};
use std::io::Cursor;

use super::error::{JobGraphError, JobGraphErrorKind};
use super::graph::{Ctx, Topology, is_chainable};
use super::model::JobGraph;
use crate::OperatorId;

/// Where an operator ID comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdSource {
    /// The `operatorId` field of the job graph.
    Explicit,
    /// murmur3 of the `uid`.
    Uid,
    /// `setUidHash` (the user-defined ID).
    UidHash,
    /// Flink's auto-generated hash of the graph shape: unstable across topology changes.
    Auto,
}

/// The IDs an operator of the new job has. Flink restores state into it from the savepoint's
/// operator `user_defined` if the savepoint has state under that ID, else from `generated`;
/// both count as present for the unmapped-state check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DerivedIds {
    pub node: u32,
    pub generated: OperatorId,
    pub user_defined: Option<OperatorId>,
    /// The primary identity: `UidHash` when `user_defined` is set, else `generated_from`.
    pub from: IdSource,
    /// Where `generated` comes from: `Explicit`, `Uid` or `Auto`.
    pub generated_from: IdSource,
}

impl DerivedIds {
    /// All IDs under which this operator can take state (user-defined first, as Flink tries).
    pub fn ids(&self) -> impl Iterator<Item = OperatorId> + '_ {
        self.user_defined.into_iter().chain([self.generated])
    }
}

/// The OperatorID of a uid: murmur3 x64 128 (seed 0) over its UTF-8 bytes, as Guava's
/// `asBytes()` (h1 little-endian, then h2 little-endian).
pub fn uid_hash(uid: &str) -> OperatorId {
    murmur3_128(uid.as_bytes())
}

fn murmur3_128(bytes: &[u8]) -> OperatorId {
    // The crate packs h1 into the low and h2 into the high 64 bits, so little-endian bytes of
    // the u128 are exactly h1 LE followed by h2 LE. Reading from memory cannot fail.
    let h = murmur3::murmur3_x64_128(&mut Cursor::new(bytes), 0).unwrap_or_default();
    OperatorId(h.to_le_bytes())
}

/// IDs for every operator, in the order of `graph.operators`.
///
/// `operatorId` is authoritative; else a `uid` is hashed; else the ID is Flink's auto hash:
/// BFS from the sources (sorted by node id), a node deferred until all its inputs are hashed,
/// hash = murmur3 of `i` (number of nodes hashed so far, little-endian i32) once plus once
/// per chainable out-edge, then mixed with each input's hash (`h = h * 37 ^ input`, bytewise).
pub fn derive_operator_ids(graph: &JobGraph) -> Result<Vec<DerivedIds>, JobGraphError> {
    let topo = Topology::build(graph)?;
    let ctx = Ctx::of(graph);
    let ops = &graph.operators;
    let mut hashes: Vec<Option<(OperatorId, IdSource)>> = vec![None; ops.len()];
    let mut hashed = 0usize;
    let mut owners: HashMap<OperatorId, usize> = HashMap::new();
    let mut visited = vec![false; ops.len()];
    let mut queue = VecDeque::new();

    let mut sources: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].is_source()).collect();
    sources.sort_by_key(|&i| ops[i].node);
    for i in sources {
        visited[i] = true;
        queue.push_back(i);
    }

    while let Some(i) = queue.pop_front() {
        let op = &ops[i];
        // Nodes with a uid are hashed when reached; others only once all inputs are hashed.
        // An explicit ID keeps the timing its node had in Flink (uid or not), since that
        // timing decides the index `i` of the nodes hashed after it.
        let ready = op.uid.is_some()
            || op.inputs.iter().all(|input| {
                topo.index_of
                    .get(&input.node)
                    .is_some_and(|&up| hashes[up].is_some())
            });
        if !ready {
            visited[i] = false;
            continue;
        }
        let (id, source) = match (op.operator_id, &op.uid) {
            (Some(id), _) => (id, IdSource::Explicit),
            (None, Some(uid)) => (uid_hash(uid), IdSource::Uid),
            (None, None) => (auto_hash(graph, &topo, &hashes, hashed, i), IdSource::Auto),
        };
        if let Some(&other) = owners.get(&id) {
            return Err(collision(&ctx, graph, i, other, id, source));
        }
        owners.insert(id, i);
        hashes[i] = Some((id, source));
        hashed += 1;

        for (child, _) in topo.out_edges(graph, i) {
            if !visited[child] {
                visited[child] = true;
                queue.push_back(child);
            }
        }
    }

    ops.iter()
        .enumerate()
        .map(|(i, op)| {
            // Unreachable after Topology::build rejected cycles; kept as a clear error anyway.
            let (generated, generated_from) = hashes[i].ok_or_else(|| {
                JobGraphError::from(JobGraphErrorKind::Cycle {
                    file: ctx.file(),
                    node: op.node,
                    src: ctx.src(),
                    span: ctx.span(&format!("operators[{i}].node")),
                })
            })?;
            Ok(DerivedIds {
                node: op.node,
                generated,
                user_defined: op.uid_hash,
                from: if op.uid_hash.is_some() {
                    IdSource::UidHash
                } else {
                    generated_from
                },
                generated_from,
            })
        })
        .collect()
}

/// Flink's deterministic hash of operator `i`, whose inputs are all hashed.
fn auto_hash(
    graph: &JobGraph,
    topo: &Topology,
    hashes: &[Option<(OperatorId, IdSource)>],
    hashed: usize,
    i: usize,
) -> OperatorId {
    let op = &graph.operators[i];
    let index = (hashed as i32).to_le_bytes();
    let mut input = index.to_vec();
    for (child, pos) in topo.out_edges(graph, i) {
        let downstream = &graph.operators[child];
        if is_chainable(graph, op, downstream, &downstream.inputs[pos]) {
            input.extend_from_slice(&index);
        }
    }
    let mut h = murmur3_128(&input).0;
    for edge in &op.inputs {
        let up = topo.index_of[&edge.node];
        let (parent, _) = hashes[up].expect("inputs are hashed before their consumers");
        for (b, p) in h.iter_mut().zip(parent.0) {
            *b = b.wrapping_mul(37) ^ p;
        }
    }
    OperatorId(h)
}

fn collision(
    ctx: &Ctx<'_>,
    graph: &JobGraph,
    i: usize,
    other: usize,
    id: OperatorId,
    source: IdSource,
) -> JobGraphError {
    let ops = &graph.operators;
    let field = |k: usize| {
        if ops[k].operator_id.is_some() {
            "operatorId"
        } else if ops[k].uid.is_some() {
            "uid"
        } else {
            "node"
        }
    };
    let span = ctx.span(&format!("operators[{i}].{}", field(i)));
    let other_span = ctx.span(&format!("operators[{other}].{}", field(other)));
    match (source, &ops[i].uid) {
        (IdSource::Uid, Some(uid)) => JobGraphError::from(JobGraphErrorKind::HashCollision {
            file: ctx.file(),
            uid: uid.clone(),
            node: ops[i].node,
            other_node: ops[other].node,
            src: ctx.src(),
            span,
            other_span,
        }),
        _ => JobGraphError::from(JobGraphErrorKind::DuplicateOperatorId {
            file: ctx.file(),
            operator_id: id,
            node: ops[i].node,
            other_node: ops[other].node,
            src: ctx.src(),
            span,
            other_span,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::model::{JobInput, JobOperator, Partitioner};

    /// §6.1 vectors (Flink 2.3.0 `generateUserSpecifiedHash`).
    #[test]
    fn uid_vectors() {
        for (uid, hex) in [
            ("source-uid", "bef22c5df1ab33dd94bb7a6ecac555fb"),
            ("counter-uid", "c064aed2fb075b14880c626828c7ed94"),
            ("my-operator", "7d711bbc5b4963725a4372048e77bbd7"),
            ("kafka-source", "61252f73469d3ffba207c548d29a0267"),
            ("über-ünïcødé", "5f7eda23aea2c6ea225d1c37e8f18033"),
            ("", "00000000000000000000000000000000"),
            ("1_source", "d3f21cabc6fe0fdf76c8be915bdb22a2"),
            ("2_calc", "80d5a788fcf41d1608d5ea6cc404a286"),
            ("4_group-aggregate", "23eaad2bb152dd975bbc63554c2ca61f"),
            ("5_constraint-validator", "fbb6c44fbe07a6557b07113b83a89e16"),
            ("5_sink", "d1f88f581f7db6bdd7872c2ac6a9f331"),
        ] {
            assert_eq!(uid_hash(uid).to_string(), hex, "uid {uid:?}");
        }
    }

    fn op(node: u32, uid: Option<&str>, inputs: &[(u32, Option<Partitioner>)]) -> JobOperator {
        JobOperator {
            node,
            name: None,
            uid: uid.map(str::to_string),
            uid_hash: None,
            operator_id: None,
            parallelism: 2,
            max_parallelism: None,
            inputs: inputs
                .iter()
                .map(|&(node, partitioner)| JobInput { node, partitioner })
                .collect(),
            chaining_strategy: None,
            slot_sharing_group: None,
            key_type: None,
            state: vec![],
            source: None,
            extra: Default::default(),
            location: Default::default(),
        }
    }

    fn graph(operators: Vec<JobOperator>) -> JobGraph {
        JobGraph {
            format: Default::default(),
            job: None,
            flink_version: None,
            max_parallelism: None,
            chaining: None,
            chain_operators_with_different_max_parallelism: None,
            operators,
            extra: Default::default(),
            origin: None,
        }
    }

    fn hexes(g: &JobGraph) -> Vec<String> {
        derive_operator_ids(g)
            .unwrap()
            .iter()
            .map(|d| d.generated.to_string())
            .collect()
    }

    const FWD: Option<Partitioner> = Some(Partitioner::Forward);
    const HASH: Option<Partitioner> = Some(Partitioner::Hash);

    /// §6.5: source 1 -> map 2 (forward) -> reduce 4 (hash) -> writer 7 (forward), p = 2.
    fn datastream(source_uid: Option<&str>) -> JobGraph {
        graph(vec![
            op(1, source_uid, &[]),
            op(2, None, &[(1, FWD)]),
            op(4, None, &[(2, HASH)]),
            op(7, None, &[(4, FWD)]),
        ])
    }

    #[test]
    fn auto_ids_worked_example() {
        assert_eq!(
            hexes(&datastream(None)),
            [
                "cbc357ccb763df2852fee8c4fc7d55f2",
                "7df19f87deec5680128845fd9a6ca18d",
                "90bea66de1c231edf33913ecd54406c1",
                "17fbfcaabad45985bbdf4da0490487e3",
            ]
        );
        // An absent partitioner between equal parallelism is FORWARD, as Flink picks it.
        let mut g = datastream(None);
        g.operators[1].inputs[0].partitioner = None;
        g.operators[3].inputs[0].partitioner = None;
        assert_eq!(hexes(&g)[3], "17fbfcaabad45985bbdf4da0490487e3");
    }

    #[test]
    fn auto_ids_after_uid_source() {
        assert_eq!(
            hexes(&datastream(Some("src"))),
            [
                "f362c87ffabe89c8a91fa7d0a523ba6c",
                "4550003493310060e9690ae9c3324e13",
                "a81f39deac1f670d08d85cf88c1ae95f",
                "2f5a6319f7090f65403e02b4105a687d",
            ]
        );
    }

    /// §6.5 SQL job: source -> calc -> (hash) group-agg -> constraint-enforcer -> writer.
    #[test]
    fn auto_ids_sql_shape() {
        let g = graph(vec![
            op(1, None, &[]),
            op(2, None, &[(1, FWD)]),
            op(4, None, &[(2, HASH)]),
            op(5, None, &[(4, FWD)]),
            op(6, None, &[(5, FWD)]),
        ]);
        assert_eq!(
            hexes(&g),
            [
                "cbc357ccb763df2852fee8c4fc7d55f2",
                "7df19f87deec5680128845fd9a6ca18d",
                "90bea66de1c231edf33913ecd54406c1",
                "e5ebb093256018a0621f548fbe118f8a",
                "55785f9edccd37ac9093dea77018f09d",
            ]
        );
    }

    /// §11.2 DataStream fixtures: uid'd source -> keyBy -> uid'd map -> auto writer.
    #[test]
    fn auto_writer_after_uids() {
        let g = graph(vec![
            op(1, Some("source-uid"), &[]),
            op(3, Some("counter-uid"), &[(1, HASH)]),
            op(5, None, &[(3, FWD)]),
        ]);
        let ids = derive_operator_ids(&g).unwrap();
        assert_eq!(
            ids[0].generated.to_string(),
            "bef22c5df1ab33dd94bb7a6ecac555fb"
        );
        assert_eq!(
            ids[1].generated.to_string(),
            "c064aed2fb075b14880c626828c7ed94"
        );
        assert_eq!(
            ids[2].generated.to_string(),
            "20430726f8aae796810d4ac7b158f665"
        );
        assert_eq!(ids[0].from, IdSource::Uid);
        assert_eq!(ids[2].from, IdSource::Auto);
    }

    #[test]
    fn explicit_and_uid_hash() {
        let mut g = datastream(None);
        let explicit: OperatorId = "0123456789abcdef0123456789abcdef".parse().unwrap();
        let alt: OperatorId = "bef22c5df1ab33dd94bb7a6ecac555fb".parse().unwrap();
        // An explicit ID equal to what Flink computed changes nothing downstream.
        g.operators[0].operator_id = Some("cbc357ccb763df2852fee8c4fc7d55f2".parse().unwrap());
        g.operators[2].uid_hash = Some(alt);
        let ids = derive_operator_ids(&g).unwrap();
        assert_eq!(ids[0].from, IdSource::Explicit);
        assert_eq!(
            ids[3].generated.to_string(),
            "17fbfcaabad45985bbdf4da0490487e3"
        );
        assert_eq!(
            ids[2].generated.to_string(),
            "90bea66de1c231edf33913ecd54406c1"
        );
        assert_eq!(ids[2].user_defined, Some(alt));
        assert_eq!(ids[2].from, IdSource::UidHash);
        assert_eq!(ids[2].generated_from, IdSource::Auto);
        assert_eq!(ids[2].ids().collect::<Vec<_>>()[0], alt);
        // A different explicit ID propagates into downstream auto IDs.
        g.operators[0].operator_id = Some(explicit);
        let ids = derive_operator_ids(&g).unwrap();
        assert_eq!(ids[0].generated, explicit);
        assert_ne!(
            ids[1].generated.to_string(),
            "7df19f87deec5680128845fd9a6ca18d"
        );
    }

    #[test]
    fn duplicate_uid_is_flinks_hash_collision() {
        let g = graph(vec![
            op(1, Some("same"), &[]),
            op(2, Some("same"), &[(1, FWD)]),
        ]);
        let err = derive_operator_ids(&g).unwrap_err();
        assert!(matches!(
            err.kind(),
            JobGraphErrorKind::HashCollision { .. }
        ));
        assert!(
            err.to_string()
                .contains("Hash collision on user-specified ID \"same\". Most likely cause is a non-unique ID. Please check that all IDs specified via `uid(String)` are unique.")
        );
    }

    fn mix(index: i32, parents: &[OperatorId]) -> OperatorId {
        let mut h = murmur3_128(&index.to_le_bytes()).0;
        for parent in parents {
            for (b, p) in h.iter_mut().zip(parent.0) {
                *b = b.wrapping_mul(37) ^ p;
            }
        }
        OperatorId(h)
    }

    #[test]
    fn sources_sorted_by_node_id() {
        let g = graph(vec![
            op(9, None, &[]),
            op(3, None, &[]),
            op(10, None, &[(9, HASH), (3, HASH)]),
        ]);
        let ids = derive_operator_ids(&g).unwrap();
        // Node 3 is hashed first (index 0), node 9 second; neither has a chainable output.
        assert_eq!(ids[1].generated, mix(0, &[]));
        assert_eq!(ids[0].generated, mix(1, &[]));
        // The join mixes its inputs in input order: node 9, then node 3.
        assert_eq!(
            ids[2].generated,
            mix(2, &[ids[0].generated, ids[1].generated])
        );
    }

    #[test]
    fn deferred_node_gets_index_when_all_inputs_hashed() {
        // BFS: 1 (i=0) -> 2 (i=1), 3 (i=2) -> 4 is reached from 2 but 5 is not hashed yet, so
        // it is deferred -> 5 (i=3) re-enqueues it -> 4 (i=4).
        let g = graph(vec![
            op(1, None, &[]),
            op(2, None, &[(1, HASH)]),
            op(3, None, &[(1, HASH)]),
            op(4, None, &[(2, HASH), (5, HASH)]),
            op(5, None, &[(3, HASH)]),
        ]);
        let ids = derive_operator_ids(&g).unwrap();
        assert_eq!(ids[4].generated, mix(3, &[ids[2].generated]));
        assert_eq!(
            ids[3].generated,
            mix(4, &[ids[1].generated, ids[4].generated])
        );
    }

    #[test]
    fn chaining_disabled_changes_ids() {
        let mut g = datastream(None);
        g.chaining = Some(false);
        let ids = hexes(&g);
        assert_eq!(ids[0], murmur3_128(&0i32.to_le_bytes()).to_string());
        assert_ne!(ids[0], "cbc357ccb763df2852fee8c4fc7d55f2");
    }
}
