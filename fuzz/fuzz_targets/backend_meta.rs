//! The keyed and operator backend headers at the start of a state file. The first byte picks
//! the reader, so one corpus covers both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spcompat::savepoint::backend_meta::{read_keyed_backend_meta, read_operator_backend_meta};
use spcompat::javaio::data_input::DataReader;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let mut r = DataReader::new(rest);
    if which & 1 == 0 {
        let _ = read_keyed_backend_meta(&mut r);
    } else {
        let _ = read_operator_backend_meta(&mut r);
    }
});
