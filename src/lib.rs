//! spcompat: predicts whether a new version of a Flink job restores from an old savepoint.
//!
//! Data flows one way: inputs ([`savepoint`], [`job`]) -> models ([`schema`]) -> [`analysis`]
//! -> [`report`].

pub mod analysis;
pub mod cli;
pub mod config;
pub mod files;
pub mod input;
pub mod javaio;
pub mod job;
pub mod operator_id;
pub mod report;
pub mod savepoint;
pub mod schema;

pub use operator_id::OperatorId;
