//! Analysis: map the old version's state onto the new version's operators and apply Flink's
//! restore and compatibility rules.
//!
//! Layers, lowest first: `rules` (the catalog) and `result` (what analyses return) know no
//! other analysis module; `sides` (the two versions as the analyses see them); the analyses
//! `schema_check`, `offsets`, `cep`, `sql`, `windows`, `lint`; `predict` runs them. The `layers` tests check
//! from the sources that no import circle comes back.

pub mod async_state;
pub mod cep;
#[cfg(test)]
mod layers;
pub mod lint;
pub mod match_ids;
pub mod offsets;
mod on_conflict;
pub mod plan_uids;
pub mod predict;
pub mod result;
#[cfg(test)]
mod rule_catalog;
pub mod rules;
pub mod schema_check;
pub mod sides;
pub mod sql;
pub mod windows;
