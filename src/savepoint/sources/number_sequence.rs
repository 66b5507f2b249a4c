//! `NumberSequenceSource`: its split and its enumerator checkpoint.

use serde::Serialize;

use super::expect_end;
use crate::javaio::data_input::{DataReader, DecodeResult};

/// `NumberSequenceSource.NumberSequenceSplit`: the numbers `from..=to` still to emit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberSequenceSplit {
    pub split_id: String,
    pub from: i64,
    pub to: i64,
}

/// `NumberSequenceSource` split serializer version 1: `utf splitId, i64 from, i64 to`.
pub fn decode_number_sequence_split(payload: &[u8]) -> DecodeResult<NumberSequenceSplit> {
    let mut r = DataReader::new(payload);
    let split = read_number_sequence_split(&mut r)?;
    expect_end(&r, "end of the number sequence split")?;
    Ok(split)
}

fn read_number_sequence_split(r: &mut DataReader) -> DecodeResult<NumberSequenceSplit> {
    let split_id = r.utf("split id")?;
    let at = r.offset();
    let from = r.i64("from")?;
    let to = r.i64("to")?;
    // The split's constructor requires from <= to (exhausted splits are not saved).
    if from > to {
        return Err(r.error_at(at, "from <= to", format!("from {from}, to {to}")));
    }
    Ok(NumberSequenceSplit { split_id, from, to })
}

/// `NumberSequenceSource` enumerator checkpoint version 1: `i32 n`, n splits.
pub fn decode_number_sequence_enum(payload: &[u8]) -> DecodeResult<Vec<NumberSequenceSplit>> {
    let mut r = DataReader::new(payload);
    let n = r.count("number of remaining splits", 18)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(read_number_sequence_split(&mut r)?);
    }
    expect_end(&r, "end of the number sequence enumerator state")?;
    Ok(out)
}
