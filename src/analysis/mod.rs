//! Analysis: map the old version's state onto the new version's operators and apply Flink's
//! restore and compatibility rules.

pub mod baseline;
pub mod lint;
pub mod model;
pub mod offsets;
pub mod restore;
pub mod rules;
pub mod schema_check;
pub mod sql;
