//! State schemas: serializer snapshots as Flink writes them, and the type model built from them.
pub mod compat;
pub mod logical_type;
pub mod notation;
pub mod snapshot;
pub mod sql_notation;
pub mod types;
