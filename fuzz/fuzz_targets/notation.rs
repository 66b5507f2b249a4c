//! The type notation of job-graph files (Flink's TypeInformation strings and SQL types).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spcompat::schema::notation;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = notation::parse_type(text);
    let _ = notation::parse_state_type(text, None);
    let _ = notation::parse_logical_type(text);
});
