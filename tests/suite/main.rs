//! The integration tests, one binary (one link, one build) with a module per area. The
//! data-driven tests, one named trial per recorded Flink case, rule and fixture, are the other
//! test target, `tests/cases/main.rs`: libtest cannot create tests at run time.

#[path = "../common/mod.rs"]
mod common;

mod async_state;
mod bad_input;
mod cli_conventions;
mod cli_lint_config;
mod cli_misc;
mod confinement;
mod export_job;
mod flink_rest;
mod flink_restore_samples;
mod hostile_input;
mod inspect_json_detail;
mod install_script;
mod job_ids;
mod job_load;
mod k8s_resource;
mod kafka_sources;
mod metadata_only;
mod newest;
mod object_stores;
mod pr_comment;
mod pre_commit_hook;
mod quiet_reports;
mod real_job_edits;
mod real_jobs;
mod reference_samples;
mod remote_progress;
mod report_formats;
mod report_snapshots;
mod schema_check;
mod source_offsets;
mod source_positions;
mod source_vectors;
mod sql_export;
mod sql_plan;
mod stack_depth;
mod thin_input;
mod to_flink;
