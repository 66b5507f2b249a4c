//! `--savepoint RESOURCE`: a Flink Kubernetes operator resource names the savepoint in its
//! status. The resources below follow the operator's own status classes and CRDs
//! (apache/flink-kubernetes-operator at 6e9caeb4: `api/status/JobStatus.java`,
//! `SavepointInfo.java`, `Savepoint.java`, `FlinkStateSnapshotStatus.java`;
//! `helm/flink-kubernetes-operator/crds/flinkdeployments.flink.apache.org-v1.yml`, which has
//! `upgradeSavepointPath` from release-1.10.0 on and `savepointInfo.lastSavepoint` /
//! `savepointHistory` with `timeStamp` and `location` from release-1.0.0 on;
//! `docs/content/docs/custom-resource/snapshots.md` for `FlinkStateSnapshot`), with real
//! savepoint fixtures as their paths. Also `--flink-rest` against a server that answers badly.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

use serde_json::Value;

use crate::common::{run, savepoint_fixture as fixture, stdout_json};

const NEWER: &str = "flink-1.20.3-datastream-hashmap-canonical";
const OLDER: &str = "flink-1.20.3-datastream-rocksdb-canonical";

fn abs(name: &str) -> String {
    fixture(name).canonicalize().unwrap().display().to_string()
}

fn check_json(savepoint: &str) -> (Value, String) {
    let out = run(&[
        "check",
        "--savepoint",
        savepoint,
        "--to-flink",
        "1.20",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        stdout_json(&out),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The resource gives the same report as the fixture it names, and says which field.
fn assert_names(resource: &Path, name: &str, field: &str) {
    let (mut doc, stderr) = check_json(resource.to_str().unwrap());
    let picked = doc.as_object_mut().unwrap().remove("picked").unwrap();
    assert_eq!(picked["path"], abs(name).as_str(), "{picked}");
    assert!(
        picked["rule"]
            .as_str()
            .unwrap()
            .starts_with(&format!("`{field}`")),
        "{picked}"
    );
    assert!(
        stderr.contains(&format!("using {} (`{field}`", abs(name))),
        "{stderr}"
    );
    let (expected, _) = check_json(&abs(name));
    assert_eq!(doc, expected);
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn refused(path: &Path, code: &str) -> String {
    let out = run(&[
        "check",
        "--savepoint",
        path.to_str().unwrap(),
        "--to-flink",
        "1.20",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(code), "{stderr}");
    stderr
}

#[test]
fn a_flink_deployment_names_its_upgrade_savepoint() {
    let work = tempfile::tempdir().unwrap();
    // Operator 1.10+: upgradeSavepointPath is where the next start restores from, even when
    // the deprecated savepoint history has another entry.
    let yaml = format!(
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: orders\n  namespace: flink\nspec:\n  flinkVersion: v1_20\n  job:\n    jarURI: local:///opt/flink/usrlib/orders.jar\n    upgradeMode: savepoint\nstatus:\n  jobStatus:\n    jobName: orders\n    jobId: 5f0c3ad1e4bd2c31a1c3c1a5c7b0e2d4\n    state: FINISHED\n    startTime: \"1733300000000\"\n    updateTime: \"1733400000000\"\n    upgradeSavepointPath: file://{newer}\n    savepointInfo:\n      lastSavepoint:\n        timeStamp: 1733300000000\n        location: file:{older}\n        triggerType: MANUAL\n        formatType: CANONICAL\n      savepointHistory:\n      - timeStamp: 1733300000000\n        location: file:{older}\n        triggerType: MANUAL\n        formatType: CANONICAL\n      lastPeriodicSavepointTimestamp: 0\n    checkpointInfo:\n      lastPeriodicCheckpointTimestamp: 0\n  lifecycleState: SUSPENDED\n  jobManagerDeploymentStatus: MISSING\n",
        newer = abs(NEWER),
        older = abs(OLDER)
    );
    let file = write(work.path(), "orders.yaml", &yaml);
    assert_names(&file, NEWER, "status.jobStatus.upgradeSavepointPath");
    // `inspect` and `snapshot` take it too.
    let out = run(&["inspect", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_json(&out)["picked"]["path"], abs(NEWER).as_str());
    let out = run(&["snapshot", file.to_str().unwrap()]);
    let direct = run(&["snapshot", &abs(NEWER)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, direct.stdout);
    // Nor is the resource overwritten by the baseline made from what it names.
    let out = run(&[
        "snapshot",
        file.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), yaml);
}

#[test]
fn an_older_operator_session_job_gives_its_newest_savepoint_by_time() {
    let work = tempfile::tempdir().unwrap();
    // Operator 1.0-1.9 (`kubectl get flinksessionjob -o json`): no upgradeSavepointPath; the
    // savepoint history with times, lastSavepoint the newest.
    let json = serde_json::json!({
        "apiVersion": "flink.apache.org/v1beta1",
        "kind": "FlinkSessionJob",
        "metadata": {"name": "clicks", "namespace": "flink"},
        "spec": {"deploymentName": "session", "job": {"jarURI": "https://x/clicks.jar", "upgradeMode": "savepoint"}},
        "status": {
            "jobStatus": {
                "jobName": "clicks", "jobId": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "state": "RUNNING",
                "savepointInfo": {
                    "lastSavepoint": {"timeStamp": 1700000500000_i64, "location": abs(NEWER), "triggerType": "PERIODIC"},
                    "triggerId": "", "triggerTimestamp": 0,
                    "savepointHistory": [
                        {"timeStamp": 1700000000000_i64, "location": abs(OLDER), "triggerType": "MANUAL"},
                        {"timeStamp": 1700000500000_i64, "location": abs(NEWER), "triggerType": "PERIODIC"}
                    ],
                    "lastPeriodicSavepointTimestamp": 1700000500000_i64
                }
            },
            "reconciliationStatus": {"state": "DEPLOYED"}
        }
    });
    let file = write(work.path(), "clicks.json", &json.to_string());
    assert_names(&file, NEWER, "status.jobStatus.savepointInfo.lastSavepoint");
    // Without lastSavepoint, the history's newest, to the millisecond.
    let mut history = json.clone();
    let info = &mut history["status"]["jobStatus"]["savepointInfo"];
    info.as_object_mut().unwrap().remove("lastSavepoint");
    info["savepointHistory"] = serde_json::json!([
        {"timeStamp": 1700000000100_i64, "location": abs(OLDER)},
        {"timeStamp": 1700000000900_i64, "location": abs(NEWER)}
    ]);
    let file = write(work.path(), "history.json", &history.to_string());
    assert_names(
        &file,
        NEWER,
        "status.jobStatus.savepointInfo.savepointHistory[1]",
    );
}

#[test]
fn a_list_of_state_snapshots_gives_the_newest_completed_one() {
    let work = tempfile::tempdir().unwrap();
    let snapshot = |name: &str, state: &str, path: &str, at: &str| {
        serde_json::json!({
            "apiVersion": "flink.apache.org/v1beta1", "kind": "FlinkStateSnapshot",
            "metadata": {"name": name},
            "spec": {"backoffLimit": 1, "jobReference": {"kind": "FlinkDeployment", "name": "orders"}, "savepoint": {"formatType": "CANONICAL"}},
            "status": {"state": state, "path": path, "resultTimestamp": at, "triggerTimestamp": at, "failures": 0}
        })
    };
    let list = serde_json::json!({
        "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
        "items": [
            snapshot("sp-1", "COMPLETED", &abs(OLDER), "2024-12-01T10:00:00.5Z"),
            snapshot("sp-2", "COMPLETED", &abs(NEWER), "2024-12-01T10:00:01Z"),
            snapshot("sp-3", "FAILED", "", "2024-12-02T00:00:00Z"),
            snapshot("sp-4", "IN_PROGRESS", "", "2024-12-03T00:00:00Z"),
        ]
    });
    let file = write(work.path(), "snapshots.json", &list.to_string());
    assert_names(&file, NEWER, "items[1].status.path");

    // Snapshots of two jobs: which one is meant is not guessed.
    let mut two = list.clone();
    two["items"][0]["spec"]["jobReference"]["name"] = "payments".into();
    let file = write(work.path(), "two.json", &two.to_string());
    let stderr = refused(&file, "spcompat::k8s::several_jobs");
    assert!(
        stderr.contains("payments") && stderr.contains("orders"),
        "{stderr}"
    );
}

#[test]
fn resources_without_a_usable_savepoint_are_refused_with_the_field() {
    let work = tempfile::tempdir().unwrap();
    // Last-state upgrade mode: the operator's mark, not a path.
    let file = write(
        work.path(),
        "last-state.yaml",
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: orders\nstatus:\n  jobStatus:\n    state: RUNNING\n    upgradeSavepointPath: KUBERNETES_OPERATOR_LAST_STATE\n",
    );
    let stderr = refused(&file, "spcompat::k8s::no_savepoint");
    assert!(
        stderr.contains("KUBERNETES_OPERATOR_LAST_STATE"),
        "{stderr}"
    );
    // A fresh resource: no status yet.
    let file = write(
        work.path(),
        "new.yaml",
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: orders\nspec:\n  job:\n    jarURI: local:///x.jar\n",
    );
    refused(&file, "spcompat::k8s::no_savepoint");
    // A wrong type: the JSON path of the culprit.
    let file = write(
        work.path(),
        "bad.yaml",
        "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nstatus:\n  jobStatus:\n    savepointInfo:\n      lastSavepoint:\n        timeStamp: yesterday\n        location: /x\n",
    );
    let stderr = refused(&file, "spcompat::k8s::malformed");
    assert!(
        stderr.contains("status.jobStatus.savepointInfo.lastSavepoint.timeStamp"),
        "{stderr}"
    );
    // An alias bomb is stopped by the YAML budget, not expanded.
    let mut bomb = String::from("apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\n");
    bomb.push_str("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = if i == 1 {
            "a".to_string()
        } else {
            format!("a{}", i - 1)
        };
        bomb.push_str(&format!("a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let file = write(work.path(), "bomb.yaml", &bomb);
    let started = std::time::Instant::now();
    refused(&file, "spcompat::k8s::malformed");
    assert!(started.elapsed().as_secs() < 20);
}

/// A server on 127.0.0.1 that answers every request with `answer`; its URL.
fn canned(answer: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(&answer);
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn ok_json(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn rest_refused(url: &str, job: &str, code: &str) -> String {
    let out = run(&["inspect", "--flink-rest", url, "--job-id", job]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(code), "{stderr}");
    stderr
}

#[test]
fn bad_rest_answers_and_arguments_are_refused_clearly() {
    let job = "0123456789abcdef0123456789abcdef";
    let url = canned(ok_json(r#"{"latest":{"completed":{"id":"seven"}}}"#));
    let stderr = rest_refused(&url, job, "spcompat::flink_rest::malformed");
    assert!(stderr.contains("latest.completed.id"), "{stderr}");
    // Announced larger than the cap: refused before it is read.
    let url = canned(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\nConnection: close\r\n\r\n{".to_vec(),
    );
    rest_refused(&url, job, "spcompat::flink_rest::too_large");
    let url = canned(ok_json(
        r#"{"latest":{"completed":{"id":3,"external_path":"<checkpoint-not-externally-addressable>"},"savepoint":null,"restored":null}}"#,
    ));
    let stderr = rest_refused(&url, job, "spcompat::flink_rest::no_checkpoint");
    assert!(stderr.contains("checkpoint 3"), "{stderr}");
    // A redirect is not followed.
    let url = canned(
        b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.invalid/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec(),
    );
    rest_refused(&url, job, "spcompat::flink_rest::status");
    rest_refused(&url, "../../jobs", "spcompat::flink_rest::bad_job_id");
    // The job ID goes with the URL, and not with --savepoint.
    let out = run(&["inspect", "--flink-rest", &url]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[
        "check",
        "--savepoint",
        "x",
        "--flink-rest",
        &url,
        "--job-id",
        job,
    ]);
    assert_eq!(out.status.code(), Some(2));
}
