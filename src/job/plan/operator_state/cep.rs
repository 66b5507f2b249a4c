//! `StreamExecMatch` (MATCH_RECOGNIZE, run by CEP's `CepOperator`): per partition key (an empty
//! row without `PARTITION BY`), the NFA's partial matches, the events they reference in the
//! shared buffer, and the input rows waiting for their timestamp's turn.

use super::super::PlanNode;
use super::super::row_type::RowType;
use super::super::sql_info::int_list;
use super::{Declared, decl, row_of, whole_row};
use crate::job::model::StateKind;

/// The state `CepOperator.initializeState` and its `SharedBuffer` register, in the names and
/// serializers of Flink 1.15 to 2.3 (the shared buffer's legacy `sharedBuffer-entries` is only
/// read when restoring pre-1.16 state and is absent from the savepoints of Flink's restore
/// tests). The input row is the match node's input: rowtime ordering inserts timestamps without
/// changing the row.
pub(super) fn match_recognize(node: &PlanNode, input: &RowType) -> Option<Declared> {
    let partition = int_list(node.raw.pointer("/matchSpec/partition/fields"))?;
    let row = whole_row(input);
    let node_id = "NodeId<EventId>";
    Some(Declared {
        key_type: row_of(input, &partition)?,
        states: vec![
            decl(
                "nfaStateName",
                StateKind::Value,
                format!("NFAState<DeweyNumber, {node_id}, EventId>"),
                None,
                None,
            ),
            decl(
                "eventQueuesStateName",
                StateKind::Map,
                format!("List<{row}>"),
                Some("Long".into()),
                None,
            ),
            decl(
                "sharedBuffer-events",
                StateKind::Map,
                format!("Lockable<{row}>"),
                Some("EventId".into()),
                None,
            ),
            decl(
                "sharedBuffer-entries-with-lockable-edges",
                StateKind::Map,
                format!("Lockable<SharedBufferNode<SharedBufferEdge<{node_id}, DeweyNumber>>>"),
                Some(node_id.into()),
                None,
            ),
            decl(
                "sharedBuffer-events-count",
                StateKind::Map,
                "Integer".into(),
                Some("Long".into()),
                None,
            ),
        ],
    })
}
