//! The `_metadata` reader on arbitrary bytes, in memory and streamed from a file, refilled by
//! the default chunk and by small ones keeping handle names (all must agree exactly: the same metadata, or the same
//! error at the same offset), plus the checks a report runs over what it read.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use spcompat::javaio::data_input::DataReader;
use spcompat::savepoint::metadata::read_metadata;
use spcompat::savepoint::metadata_file::MetadataFileReader;

fuzz_target!(|data: &[u8]| {
    let in_memory = read_metadata(&mut DataReader::new(data));
    let mut file = tempfile::tempfile().expect("a temporary file");
    file.write_all(data).expect("written");
    let mut reader = MetadataFileReader::new(&file, data.len() as u64);
    let streamed = read_metadata(&mut reader);
    assert_eq!(format!("{in_memory:?}"), format!("{streamed:?}"));
    // Refilled in small pieces, so that fields straddle refills, and keeping every inline
    // handle's name (as for a JSON listing).
    let chunk = 1 + data.first().map_or(0, |&b| usize::from(b) * 37);
    let mut pieces =
        MetadataFileReader::reading_by(&file, data.len() as u64, chunk).keeping_handle_names();
    assert_eq!(format!("{in_memory:?}"), format!("{:?}", read_metadata(&mut pieces)));
    assert!(pieces.finish().1.is_none());
    if let Ok(meta) = in_memory {
        for op in &meta.operators {
            let _ = op.has_state();
            let _ = op.state_size();
        }
    }
});
