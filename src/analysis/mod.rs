//! Analysis: map the old version's state onto the new version's operators and apply Flink's
//! restore and compatibility rules.

pub mod model;
pub mod restore;
pub mod rules;
