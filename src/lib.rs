//! spcompat: predicts whether a new version of a Flink job restores from an old savepoint.
//!
//! [`flink`] (release lines, state backends) is a leaf that every layer uses.
//!
//! Data flows one way: inputs ([`savepoint`], [`job`], loaded by [`input`]) -> models
//! ([`schema`]) -> [`analysis`] -> [`report`]. [`pipeline`] holds the commands as library
//! calls (loaded inputs and config in, result model out); [`cli`] only parses flags, loads,
//! calls them and writes what a renderer returns.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod files;
pub mod flink;
pub mod input;
pub mod javaio;
pub mod job;
pub mod operator_id;
pub mod pipeline;
pub mod report;
pub mod savepoint;
pub mod schema;

pub use operator_id::OperatorId;
