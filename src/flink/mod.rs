//! Facts about Flink itself that every layer shares: its release lines ([`release`]) and its
//! keyed state backends ([`backend`]).
//!
//! A leaf: it names nothing else in the crate (checked by `javaio::layering`), so that the
//! loaders (`savepoint/`, `job/`) can produce these typed values and `analysis/` can match on
//! them without either reaching into the other.

pub mod backend;
pub mod release;

pub use backend::Backend;
pub use release::{FlinkRange, FlinkVersion, OPEN_END, Release};
