//! Max parallelism: Flink's default and whether a value counts as "configured".
//!
//! It matters because a configured max parallelism must equal the savepoint's, while a derived
//! one silently adopts the savepoint's value (reference §8.2).

use super::graph::chain_head;
use super::model::{JobGraph, JobOperator};

/// Flink's upper bound for max parallelism (`1 << 15`).
pub const UPPER_BOUND_MAX_PARALLELISM: u32 = 1 << 15;
/// Lower bound of the derived default.
pub const DEFAULT_LOWER_BOUND_MAX_PARALLELISM: u32 = 128;

/// Flink's derived max parallelism for a vertex of parallelism `p`:
/// `min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768)`, with `p = 0` treated as 1.
pub fn default_max_parallelism(parallelism: u32) -> u32 {
    let p = u64::from(parallelism.max(1));
    (p + p / 2).next_power_of_two().clamp(
        u64::from(DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
        u64::from(UPPER_BOUND_MAX_PARALLELISM),
    ) as u32
}

/// Where an effective max parallelism comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaxParallelismOrigin {
    /// `setMaxParallelism` on the operator.
    Operator,
    /// Job-wide `pipeline.max-parallelism` (copied onto every operator without its own).
    Job,
    /// Derived from the parallelism; may be overridden by a savepoint's value.
    Derived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EffectiveMaxParallelism {
    pub value: u32,
    pub origin: MaxParallelismOrigin,
}

impl EffectiveMaxParallelism {
    /// Configured values must match the savepoint's; derived ones adopt it.
    pub fn is_configured(&self) -> bool {
        self.origin != MaxParallelismOrigin::Derived
    }
}

impl JobGraph {
    /// The operator's own max parallelism: its value, else the job-wide one, else derived.
    pub fn effective_max_parallelism(&self, op: &JobOperator) -> EffectiveMaxParallelism {
        match (op.max_parallelism, self.max_parallelism) {
            (Some(value), _) => EffectiveMaxParallelism {
                value,
                origin: MaxParallelismOrigin::Operator,
            },
            (None, Some(value)) => EffectiveMaxParallelism {
                value,
                origin: MaxParallelismOrigin::Job,
            },
            (None, None) => EffectiveMaxParallelism {
                value: default_max_parallelism(op.parallelism),
                origin: MaxParallelismOrigin::Derived,
            },
        }
    }

    /// The max parallelism of the job vertex that runs operator `node`: Flink takes it from
    /// the chain head, so a chained operator's own setting does not count. `None` for an
    /// unknown node.
    pub fn vertex_max_parallelism(&self, node: u32) -> Option<EffectiveMaxParallelism> {
        let head = self.operator(chain_head(self, node)?)?;
        Some(self.effective_max_parallelism(head))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_reference() {
        assert_eq!(default_max_parallelism(0), 128);
        assert_eq!(default_max_parallelism(1), 128);
        assert_eq!(default_max_parallelism(2), 128);
        assert_eq!(default_max_parallelism(85), 128);
        assert_eq!(default_max_parallelism(86), 256);
        assert_eq!(default_max_parallelism(100), 256);
        assert_eq!(default_max_parallelism(1000), 2048);
        assert_eq!(default_max_parallelism(30000), 32768);
        assert_eq!(default_max_parallelism(u32::MAX), 32768);
    }
}
