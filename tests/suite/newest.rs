//! `--savepoint`/`inspect` given a job's checkpoint folder or a folder of savepoints: the
//! newest complete one is used (highest `chk-N` holding `_metadata`; else the newest
//! `_metadata`), named on stderr and in JSON, locally and on an S3-compatible store.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{run, savepoint_fixture as fixture, stdout_json as json};
use crate::confinement::copy_tree;

const CHECKPOINT: &str = "flink-1.20.3-datastream-rocksdb-incremental-checkpoint";
const SAVEPOINT: &str = "flink-1.20.3-datastream-hashmap-canonical";

/// A job's checkpoint folder: the fixture's `chk-2`, an older complete `chk-1` and a newer
/// `chk-3` that never completed (no `_metadata`).
fn job_folder(work: &Path) -> PathBuf {
    let job = work.join("job-1");
    copy_tree(&fixture(CHECKPOINT), &job);
    std::fs::create_dir_all(job.join("chk-1")).unwrap();
    std::fs::copy(job.join("chk-2/_metadata"), job.join("chk-1/_metadata")).unwrap();
    std::fs::create_dir_all(job.join("chk-3")).unwrap();
    std::fs::write(job.join("chk-3/part"), b"in progress").unwrap();
    job
}

/// A folder of two savepoints; `newer`'s `_metadata` is the later one.
fn savepoints_folder(work: &Path, newer: &str, older: &str) -> PathBuf {
    let dir = work.join("savepoints");
    for name in [older, newer] {
        copy_tree(&fixture(SAVEPOINT), &dir.join(name));
    }
    touch(&dir.join(older).join("_metadata"), "2024-01-01 00:00:00");
    touch(&dir.join(newer).join("_metadata"), "2025-01-01 00:00:00");
    dir
}

fn touch(file: &Path, when: &str) {
    assert!(
        Command::new("touch")
            .args(["-d", when])
            .arg(file)
            .status()
            .unwrap()
            .success()
    );
}

fn picked_path(doc: &Value) -> String {
    doc["picked"]["path"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_job_checkpoint_folder_gives_its_newest_complete_checkpoint() {
    let work = tempfile::tempdir().unwrap();
    let job = job_folder(work.path());
    let out = run(&["inspect", job.to_str().unwrap(), "--format", "json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let doc = json(&out);
    assert!(picked_path(&doc).ends_with("chk-2"), "{}", doc["picked"]);
    assert_eq!(doc["picked"]["candidates"], 2);
    assert!(err.contains("using") && err.contains("chk-2"), "{err}");
}

#[test]
fn a_folder_of_savepoints_gives_the_newest_metadata() {
    let work = tempfile::tempdir().unwrap();
    for (newer, older) in [
        ("savepoint-a", "savepoint-b"),
        ("savepoint-b", "savepoint-a"),
    ] {
        let dir = savepoints_folder(&work.path().join(newer), newer, older);
        let out = run(&["inspect", dir.to_str().unwrap(), "--format", "json"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(picked_path(&json(&out)).ends_with(newer));
    }
}

#[test]
fn newest_on_s3() {
    let Some(server) = crate::common::stores::StoreServer::start(crate::common::stores::Kind::S3)
    else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let job = job_folder(work.path());
    let url = server.upload(&job, "checkpoints/job-1");
    let out = server.run(&["inspect", &url, "--format", "json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let remote = json(&out);
    assert_eq!(picked_path(&remote), format!("{url}/chk-2"));
    assert!(err.contains(&format!("using {url}/chk-2")), "{err}");
    // The same report as the local chk-2.
    let local = json(&run(&[
        "inspect",
        job.join("chk-2").to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(remote["operators"], local["operators"]);

    let dir = savepoints_folder(work.path(), "savepoint-b", "savepoint-a");
    let url = server.upload(&dir, "savepoints");
    // s3s-fs gives the files' own modification times.
    let served = server.s3_folder().join("savepoints");
    touch(&served.join("savepoint-a/_metadata"), "2024-01-01 00:00:00");
    touch(&served.join("savepoint-b/_metadata"), "2025-01-01 00:00:00");
    let out = server.run(&[
        "check",
        "-s",
        &url,
        "--job",
        job.join("chk-2").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let doc = json(&out);
    assert_eq!(picked_path(&doc), format!("{url}/savepoint-b"), "{doc}");
}

/// The same picks on Azurite and the GCS emulator: the highest complete `chk-N`, and of two
/// savepoints the one uploaded last (these servers give the upload time as the object's time).
#[test]
fn newest_on_azurite_and_the_gcs_emulator() {
    use crate::common::stores::{Kind, StoreServer};
    for kind in [Kind::Azure, Kind::Gcs] {
        let Some(server) = StoreServer::start(kind) else {
            continue;
        };
        let work = tempfile::tempdir().unwrap();
        let job = job_folder(work.path());
        let url = server.upload(&job, "checkpoints/job-1");
        let out = server.run(&["inspect", &url, "--format", "json"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{kind:?}: {err}");
        assert_eq!(picked_path(&json(&out)), format!("{url}/chk-2"), "{kind:?}");

        // Locally b is the newer; on the store a is, being uploaded last.
        let dir = savepoints_folder(work.path(), "savepoint-b", "savepoint-a");
        let url = server.upload(&dir.join("savepoint-b"), "savepoints/savepoint-b");
        std::thread::sleep(std::time::Duration::from_millis(1100));
        server.upload(&dir.join("savepoint-a"), "savepoints/savepoint-a");
        let folder = url.rsplit_once('/').unwrap().0;
        let out = server.run(&["inspect", folder, "--format", "json"]);
        let doc = json(&out);
        assert_eq!(
            picked_path(&doc),
            format!("{folder}/savepoint-a"),
            "{kind:?}: {doc}"
        );
    }
}
