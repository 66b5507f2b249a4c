//! Savepoints on object stores: real fixtures served by real servers on 127.0.0.1 (`s3s-fs`
//! for S3, Azurite for Azure Blob, `gcp-storage-emulator` for GCS; tests/common/stores) give the
//! same reports as the local copies, read only header bytes, and a hostile handle outside the
//! prefix is refused with no request for it reaching the server (a logging proxy in front of it
//! records every request). Without a server these tests fail under CI (`.ci/run` installs them)
//! and are skipped elsewhere, with a note.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

use serde_json::Value;

use crate::common::run as local;
use crate::common::savepoint_fixture as fixture;
use crate::common::stores::http::LoggingProxy;
use crate::common::stores::{AZURE_ACCOUNT, BUCKET, Kind, StoreServer, azure_account_env};
use crate::confinement::savepoint_with_absolute_handles;

fn json_of(out: &Output, what: &str) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: not JSON ({e}), exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The document without what names where it was read from.
fn without_location(mut v: Value) -> (Value, Option<Value>) {
    let source = v.as_object_mut().and_then(|o| o.remove("source"));
    if let Some(o) = v.as_object_mut() {
        for k in ["path", "old"] {
            o.remove(k);
        }
    }
    (v, source)
}

fn folder_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

/// The savepoint folder of a fixture (a retained checkpoint's `chk-N`), relative to it.
fn savepoint_dir(name: &str) -> PathBuf {
    let root = fixture(name);
    if root.join("_metadata").is_file() {
        return PathBuf::new();
    }
    let chk = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .find(|n| n.to_string_lossy().starts_with("chk-"))
        .expect("a checkpoint fixture holds chk-N");
    PathBuf::from(chk)
}

const FIXTURES: [&str; 3] = [
    "flink-1.20.3-datastream-hashmap-canonical",
    "flink-1.20.3-datastream-rocksdb-native-files",
    "flink-1.20.3-datastream-rocksdb-incremental-checkpoint",
];

/// Each fixture uploaded to a `kind` server gives the local copy's `inspect` and `check`
/// reports (less where it was read from), and its bytes read are reported and bounded.
fn same_reports_as_local_copies(kind: Kind) {
    let Some(server) = StoreServer::start(kind) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    for name in FIXTURES {
        let key = format!("savepoints/{name}");
        let url_root = server.upload(&fixture(name), &key);
        let rel = savepoint_dir(name);
        let local_sp = fixture(name).join(&rel);
        let url = if rel.as_os_str().is_empty() {
            url_root.clone()
        } else {
            format!("{url_root}/{}", rel.display())
        };
        let local_sp = local_sp.to_str().unwrap();

        // inspect
        let started = Instant::now();
        let remote_out = server.run(&["inspect", &url, "--format", "json"]);
        let remote_time = started.elapsed();
        let started = Instant::now();
        let local_out = local(&["inspect", local_sp, "--format", "json"]);
        let local_time = started.elapsed();
        assert_eq!(
            remote_out.status.code(),
            Some(0),
            "{kind:?} {name}: {}\nserver: {}",
            String::from_utf8_lossy(&remote_out.stderr),
            server.log()
        );
        let (remote_doc, source) = without_location(json_of(&remote_out, name));
        let (local_doc, local_source) = without_location(json_of(&local_out, name));
        assert!(local_source.is_none(), "a local read reports no source");
        assert_eq!(remote_doc, local_doc, "{kind:?} {name}: inspect differs");
        let source = source.expect("a remote inspect reports its source");
        assert_eq!(source["url"], Value::from(url.clone()));
        let bytes = source["bytesRead"].as_u64().unwrap();
        let objects = source["objectsRead"].as_u64().unwrap();
        let size = folder_size(&fixture(name));
        eprintln!(
            "{kind:?} {name}: read {bytes} bytes in {objects} objects of a {size}-byte folder; inspect remote {remote_time:?}, local {local_time:?}"
        );
        assert!(objects >= 1 && bytes > 0);
        assert!(bytes <= size, "{name}: {bytes} bytes read of {size}");
        if name.contains("rocksdb") {
            assert!(
                bytes * 5 < size,
                "{name}: {bytes} bytes read of {size}: more than header bytes"
            );
        }
        if name.contains("native-files") {
            // The folder's listing gives each state file's length: one ranged read per state
            // file, and no request of its own to measure it.
            let proxy = LoggingProxy::start(server.port);
            let out = server.run_with(server.env(proxy.port), &["inspect", &url]);
            assert_eq!(out.status.code(), Some(0));
            let requests = proxy.requests();
            assert!(
                requests.len() as u64 <= objects + 5,
                "{kind:?} {name}: {} requests for {objects} objects read: {requests:#?}",
                requests.len()
            );
        }

        // check against the job graph the schema tests build from what the job registered
        let job = work.path().join(format!("{name}.json"));
        let graph = crate::schema_check::registered_graph(&fixture(name), None);
        std::fs::write(&job, serde_json::to_vec(&graph).unwrap()).unwrap();
        let job = job.to_str().unwrap();
        let remote_check = server.run(&["check", "-s", &url, "--job", job, "--format", "json"]);
        let local_check = local(&["check", "-s", local_sp, "--job", job, "--format", "json"]);
        assert_eq!(
            remote_check.status.code(),
            local_check.status.code(),
            "{kind:?} {name}: {}",
            String::from_utf8_lossy(&remote_check.stderr)
        );
        let (remote_doc, source) = without_location(json_of(&remote_check, name));
        let (local_doc, _) = without_location(json_of(&local_check, name));
        assert_eq!(remote_doc, local_doc, "{kind:?} {name}: check differs");
        assert!(source.is_some(), "a remote check reports its source");

        // the text report says what was read
        let text = server.run(&["check", "-s", &url, "--job", job]);
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains(&format!("read from {url}:")), "{text}");

        if kind == Kind::Azure {
            // The other Azure convention: `abfs://container@account…` and the account's
            // variables instead of a connection string.
            let abfs = format!(
                "abfs://{BUCKET}@{AZURE_ACCOUNT}.dfs.core.windows.net/{}",
                url.strip_prefix(&format!("az://{BUCKET}/")).unwrap()
            );
            let out = server.run_with(
                azure_account_env(server.port),
                &["inspect", &abfs, "--format", "json"],
            );
            assert_eq!(
                out.status.code(),
                Some(0),
                "{abfs}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let (doc, _) = without_location(json_of(&out, name));
            assert_eq!(
                doc,
                local_doc_of_inspect(local_sp),
                "{abfs}: inspect differs"
            );
        }
    }
}

fn local_doc_of_inspect(sp: &str) -> Value {
    without_location(json_of(&local(&["inspect", sp, "--format", "json"]), sp)).0
}

#[test]
fn fixtures_on_s3_give_the_same_reports_as_local_copies() {
    same_reports_as_local_copies(Kind::S3);
}

#[test]
fn fixtures_on_azurite_give_the_same_reports_as_local_copies() {
    same_reports_as_local_copies(Kind::Azure);
}

#[test]
fn fixtures_on_the_gcs_emulator_give_the_same_reports_as_local_copies() {
    same_reports_as_local_copies(Kind::Gcs);
}

/// A savepoint whose handles name objects of the same bucket outside its prefix is refused, and
/// the server (behind a logging proxy) never gets a request for them; allowed, they are asked
/// for, which shows the proxy would have seen a request.
fn outside_handles_are_refused_unrequested(kind: Kind) {
    let Some(server) = StoreServer::start(kind) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // A secret in the same bucket, outside the savepoint's prefix.
    let mut n = 0;
    let mut targets = Vec::new();
    let sp = savepoint_with_absolute_handles(work.path(), |_, len| {
        n += 1;
        let prefix = server.url(&format!("private/{n}-"));
        let target = format!("{prefix}{}", "x".repeat(len - prefix.len()));
        targets.push(target.clone());
        PathBuf::from(target)
    });
    let bucket_url = server.url("");
    for t in &targets {
        server.put(t.strip_prefix(&bucket_url).unwrap(), b"SECRET");
    }
    let url = server.upload(&sp, "savepoints/hostile");
    let proxy = LoggingProxy::start(server.port);
    let out = server.run_with(server.env(proxy.port), &["inspect", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let words = stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(out.status.code(), Some(2), "{kind:?}: {words}");
    assert!(words.contains("outside the savepoint's root"), "{words}");
    assert!(
        targets.iter().any(|t| words.contains(t.as_str())),
        "names the handle: {words}"
    );
    assert!(
        words.contains(&format!("({url})")),
        "names the root: {words}"
    );
    assert!(!words.contains("SECRET"));
    let requests = proxy.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.contains("savepoints/hostile/_metadata")),
        "{kind:?}: the proxy saw the `_metadata` read: {requests:#?}"
    );
    for r in &requests {
        assert!(
            r.contains("savepoints/hostile") && !r.contains("private"),
            "{kind:?}: a request outside the savepoint's prefix reached the server: {r}"
        );
    }

    // The same handles are read when their folder is allowed, and then the proxy sees them.
    let proxy = LoggingProxy::start(server.port);
    let allowed = server.run_with(
        server.env(proxy.port),
        &["inspect", &url, "--allow-outside", &server.url("private")],
    );
    let allowed_err = String::from_utf8_lossy(&allowed.stderr);
    assert!(
        !allowed_err.contains("outside the savepoint"),
        "{allowed_err}"
    );
    let requests = proxy.requests();
    assert!(
        requests.iter().any(|r| r.contains("private/")),
        "{kind:?}: allowed handles are requested: {requests:#?}"
    );
}

#[test]
fn a_handle_outside_the_prefix_is_refused() {
    outside_handles_are_refused_unrequested(Kind::S3);
}

#[test]
fn a_handle_outside_the_prefix_is_refused_on_azurite() {
    outside_handles_are_refused_unrequested(Kind::Azure);
}

#[test]
fn a_handle_outside_the_prefix_is_refused_on_the_gcs_emulator() {
    outside_handles_are_refused_unrequested(Kind::Gcs);
}

#[test]
fn unsupported_schemes_and_missing_savepoints_say_so() {
    let out = local(&["inspect", "ftp://host/savepoints/sp-1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("is not a store spcompat reads"), "{err}");
    assert!(!err.contains("No such file"), "{err}");
    let Some(server) = StoreServer::start(Kind::S3) else {
        return;
    };
    let out = server.run(&["inspect", &server.url("nothing/here")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("has no `_metadata` file"), "{err}");
}
