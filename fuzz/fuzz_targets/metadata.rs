//! The `_metadata` reader on arbitrary bytes, plus the checks a report runs over what it read.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = spcompat::savepoint::metadata::parse_metadata(data) {
        for op in &meta.operators {
            let _ = op.has_state();
            let _ = op.state_size();
        }
    }
});
