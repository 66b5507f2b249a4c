//! The Java byte-stream formats Flink writes, below both the savepoint and the schema readers:
//! `DataOutput` bytes ([`data_input`]) and Java Object Serialization ([`javaser`]).

pub mod data_input;
pub mod javaser;
