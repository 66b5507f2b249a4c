//! Job-graph loading (JSON or YAML by content), including rendering the diagnostic a user sees.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = spcompat::job::sniff_job_graph(text);
    if let Err(e) = spcompat::job::parse_job_graph(Path::new("job.json"), text) {
        let report = miette::Report::new(e);
        let _ = format!("{report:?}");
    }
});
