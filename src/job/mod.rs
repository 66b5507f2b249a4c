//! The new (or old) version of a job: job-graph files and operator-ID derivation.
//!
//! [`load_job_graph`] / [`parse_job_graph`] read a `spcompat-job-graph/1` file (JSON or YAML)
//! into a [`JobGraph`]; [`derive_operator_ids`] computes the operator IDs Flink will give it.

pub mod baseline;
mod error;
pub mod export_job;
pub mod export_sql;
mod graph;
mod ids;
pub(crate) mod load;
mod model;
mod parallelism;
pub mod plan;
pub mod span;
mod span_elements;
mod top_level;

pub use error::{JobGraphError, JobGraphErrorKind};
pub use graph::{chain_head, is_chainable};
pub use ids::{DerivedIds, IdSource, derive_operator_ids, uid_hash};
pub use load::{load_job_graph, parse_job_graph, sniff_job_graph};
pub use model::{
    ChainingStrategy, FORMAT_V1, JobGraph, JobGraphFormat, JobInput, JobOperator, Location,
    Partitioner, SourceDecl, SourceText, StartupMode, StateDecl, StateKind,
};
pub use parallelism::{
    DEFAULT_LOWER_BOUND_MAX_PARALLELISM, EffectiveMaxParallelism, MaxParallelismOrigin,
    UPPER_BOUND_MAX_PARALLELISM, default_max_parallelism,
};
pub use span::Syntax;
