//! Judging from `_metadata` alone (`--metadata-only`, or a folder holding only `_metadata`):
//! state inline in `_metadata` is still read, file-backed state is named as not examined per
//! operator, and a `restores` verdict says so in its headline and JSON, never bare.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{run, savepoint_fixture as fixture, stdout_json as json};

const FILES: &str = "flink-1.20.3-datastream-rocksdb-native-files";

fn job_graph(work: &Path) -> PathBuf {
    let job = work.join("job.json");
    let graph = crate::schema_check::registered_graph(&fixture(FILES), None);
    std::fs::write(&job, serde_json::to_vec(&graph).unwrap()).unwrap();
    job
}

/// What a metadata-only report must say: why, and which operators' state was not examined.
fn assert_judged_from_metadata(sp: &str, job: &Path, reason: &str, extra: &[&str]) {
    let mut args = vec!["inspect", sp, "--format", "json"];
    args.extend(extra);
    let inspect = json(&run(&args));
    assert!(
        inspect["metadataOnly"].as_str().unwrap().contains(reason),
        "{inspect}"
    );
    let noted: Vec<&Value> = inspect["operators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| {
            o["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().contains("not examined"))
        })
        .collect();
    assert!(!noted.is_empty(), "operators name what was not examined");

    let job = job.to_str().unwrap();
    let mut args = vec!["check", "-s", sp, "--job", job, "--format", "json"];
    args.extend(extra);
    let out = run(&args);
    let check = json(&out);
    assert!(check["metadataOnly"].as_str().unwrap().contains(reason));
    let listed = check["stateNotExamined"].as_array().unwrap();
    assert_eq!(listed.len(), noted.len(), "{check}");
    for entry in listed {
        assert!(
            entry["message"]
                .as_str()
                .unwrap()
                .contains("subtask(s) not examined")
        );
    }

    let mut args = vec!["check", "-s", sp, "--job", job];
    args.extend(extra);
    let text = String::from_utf8_lossy(&run(&args).stdout).into_owned();
    if check["verdict"] == "restores" {
        assert!(
            text.contains("RESTORES ONLY AS FAR AS `_metadata` SHOWS"),
            "never a bare restores: {text}"
        );
    }
    assert!(!text.contains("RESTORES: Flink will start"), "{text}");
    // Old states unknown: no state is claimed to be new (and to start empty).
    assert!(!text.contains("[state-added]"), "{text}");
}

#[test]
fn metadata_only_names_the_state_not_examined() {
    let work = tempfile::tempdir().unwrap();
    let job = job_graph(work.path());
    let sp = fixture(FILES);
    // The full folder reads its state files and says nothing of the kind.
    let full = json(&run(&["inspect", sp.to_str().unwrap(), "--format", "json"]));
    assert!(full.get("metadataOnly").is_none());
    assert_judged_from_metadata(
        sp.to_str().unwrap(),
        &job,
        "--metadata-only",
        &["--metadata-only"],
    );
}

#[test]
fn a_lone_metadata_file_is_judged_from_metadata_alone() {
    let work = tempfile::tempdir().unwrap();
    let job = job_graph(work.path());
    let lone = work.path().join("copied");
    std::fs::create_dir_all(&lone).unwrap();
    std::fs::copy(fixture(FILES).join("_metadata"), lone.join("_metadata")).unwrap();
    assert_judged_from_metadata(lone.to_str().unwrap(), &job, "holds only `_metadata`", &[]);
}

#[test]
fn inline_state_is_still_read_with_metadata_only() {
    // All state inline: nothing is file-backed, so nothing is left unexamined.
    let sp = fixture("flink-1.20.3-datastream-hashmap-canonical");
    let plain = json(&run(&["inspect", sp.to_str().unwrap(), "--format", "json"]));
    let only = json(&run(&[
        "inspect",
        sp.to_str().unwrap(),
        "--format",
        "json",
        "--metadata-only",
    ]));
    assert_eq!(plain["operators"], only["operators"]);
}

#[test]
fn a_lone_metadata_on_s3_is_judged_from_metadata_alone() {
    let Some(server) = crate::common::stores::StoreServer::start(crate::common::stores::Kind::S3)
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let job = job_graph(work.path());
    let lone = work.path().join("copied");
    std::fs::create_dir_all(&lone).unwrap();
    std::fs::copy(fixture(FILES).join("_metadata"), lone.join("_metadata")).unwrap();
    let url = server.upload(&lone, "lone/sp-1");
    let out = server.run(&["inspect", &url, "--format", "json"]);
    let inspect = json(&out);
    assert!(
        inspect["metadataOnly"]
            .as_str()
            .unwrap()
            .contains("holds only `_metadata`")
    );
    let out = server.run(&[
        "check",
        "-s",
        &url,
        "--job",
        job.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let check = json(&out);
    assert!(
        !check["stateNotExamined"].as_array().unwrap().is_empty(),
        "{check}"
    );
}
