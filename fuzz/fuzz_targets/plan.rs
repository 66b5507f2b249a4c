//! Compiled-plan parsing and its translation into the job graph Flink would run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spcompat::job::plan;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = plan::sniff_plan(text);
    if let Ok(p) = plan::parse_plan(text, "plan.json") {
        let opts = plan::PlanOptions::default();
        let mut graph = plan::plan_to_job_graph(&p, &opts);
        plan::enrich_job_graph(&mut graph, &p, &opts);
        let _ = plan::plan_job_graph(&p, Some(2));
    }
});
