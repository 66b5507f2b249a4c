//! CEP operators (MATCH_RECOGNIZE, DataStream `CEP.pattern`): their saved partial matches sit at
//! pattern states named by the pattern's variables, and the pattern itself is not in the
//! savepoint. Flink resumes each partial match by that name and fails on the next row of one
//! whose state the new pattern no longer has (recorded on 1.18.1, 1.20.3 and 2.3.0: `State B
//! does not exist in the NFA`), so a restore is only known to be safe when both patterns are
//! known and compared.

use super::result::Finding;
use super::rules;
use super::sides::{NewOperator, OldOperator};
use crate::flink::StateKind;

/// The NFA state `CepOperator` registers (partial matches per key).
pub const NFA_STATE: &str = "nfaStateName";

/// Whether `op` saved CEP partial matches (the NFA value state).
pub(super) fn holds_partial_matches(op: &OldOperator) -> bool {
    op.states
        .iter()
        .any(|s| s.name == NFA_STATE && s.kind == StateKind::Value)
}

/// A mapped CEP operator whose new side describes its NFA state: the schemas are compared, but
/// the pattern the saved partial matches follow is not (the SQL comparison with the old job
/// removes this finding where it compares the two patterns).
pub(super) fn pattern_not_compared(op: &OldOperator, target: &NewOperator) -> Option<Finding> {
    let saved = holds_partial_matches(op);
    let described = target.states.iter().any(|s| s.name == NFA_STATE);
    (saved && described).then(|| {
        Finding::new(
            &rules::CEP_PATTERN_NOT_COMPARED,
            format!(
                "the partial matches saved in `{NFA_STATE}` resume at pattern states named by the old pattern's variables, and the savepoint does not record that pattern: a variable the new pattern renames or drops fails the job on the next row of such a match, which only the old job's pattern can show"
            ),
        )
        .with_state(NFA_STATE)
        .fix_case("", &[])
    })
}
