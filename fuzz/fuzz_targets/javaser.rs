//! The Java-serialization stream reader, and the tree walks run over what it returns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spcompat::javaio::data_input::DataReader;
use spcompat::javaio::javaser;

fuzz_target!(|data: &[u8]| {
    let mut r = DataReader::new(data);
    if let Ok(v) = javaser::read_stream(&mut r) {
        let _ = v.tree_size();
        let _ = javaser::render(&v, 200);
        let _ = v.strings();
        let _ = javaser::list_elements(&v);
        drop(v);
    }
    let mut r = DataReader::new(data);
    let _ = javaser::skip_stream(&mut r);
});
