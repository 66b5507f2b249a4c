//! Savepoints on an object store: real fixtures served by a real S3-compatible server
//! (`s3s-fs`, started on 127.0.0.1 over a temp folder) give the same report as the local
//! copy, read only header bytes, and a hostile handle outside the prefix is refused. Without
//! `s3s-fs` these tests fail under CI (`.ci/run` installs it) and are skipped elsewhere, with a
//! note.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{run as local, savepoint_fixture as fixture, spcompat as bin};
use crate::confinement::{copy_tree, savepoint_with_absolute_handles};

const BUCKET: &str = "spcompat-it";
const KEY: &str = "spcompat-test-key";
const SECRET: &str = "spcompat-test-secret";

/// A running `s3s-fs` over a temp folder; its buckets are the folder's subfolders.
pub(crate) struct S3Server {
    child: Child,
    pub port: u16,
    pub root: tempfile::TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    /// Starts the server, or `None` (with a note) where `s3s-fs` is not installed outside CI.
    pub(crate) fn start() -> Option<S3Server> {
        let installed = Command::new("s3s-fs")
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !installed {
            assert!(
                std::env::var_os("CI").is_none(),
                "s3s-fs is needed for the object-store tests (.ci/run installs it: cargo install s3s-fs --version 0.14.1 --locked)"
            );
            eprintln!("note: s3s-fs is not installed; the object-store test is skipped");
            return None;
        }
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(BUCKET)).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("s3s-fs")
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", KEY, "--secret-key", SECRET])
            .arg(root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = S3Server { child, port, root };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "s3s-fs did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// Puts a folder under `key` of the bucket (s3s-fs serves the files of its folder).
    pub(crate) fn upload(&self, folder: &Path, key: &str) -> String {
        copy_tree(folder, &self.root.path().join(BUCKET).join(key));
        format!("s3://{BUCKET}/{key}")
    }

    /// Runs spcompat with the store's endpoint and credentials in the environment.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .args(args)
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", self.port),
            )
            .env("AWS_ACCESS_KEY_ID", KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL_S3")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

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

#[test]
fn fixtures_on_s3_give_the_same_reports_as_local_copies() {
    let Some(server) = S3Server::start() else {
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
            "{name}: {}",
            String::from_utf8_lossy(&remote_out.stderr)
        );
        let (remote_doc, source) = without_location(json_of(&remote_out, name));
        let (local_doc, local_source) = without_location(json_of(&local_out, name));
        assert!(local_source.is_none(), "a local read reports no source");
        assert_eq!(remote_doc, local_doc, "{name}: inspect differs");
        let source = source.expect("a remote inspect reports its source");
        assert_eq!(source["url"], Value::from(url.clone()));
        let bytes = source["bytesRead"].as_u64().unwrap();
        let objects = source["objectsRead"].as_u64().unwrap();
        let size = folder_size(&fixture(name));
        eprintln!(
            "{name}: read {bytes} bytes in {objects} objects of a {size}-byte folder; inspect remote {remote_time:?}, local {local_time:?}"
        );
        assert!(objects >= 1 && bytes > 0);
        if name.contains("rocksdb") {
            assert!(
                bytes * 5 < size,
                "{name}: {bytes} bytes read of {size}: more than header bytes"
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
            "{name}: {}",
            String::from_utf8_lossy(&remote_check.stderr)
        );
        let (remote_doc, source) = without_location(json_of(&remote_check, name));
        let (local_doc, _) = without_location(json_of(&local_check, name));
        assert_eq!(remote_doc, local_doc, "{name}: check differs");
        assert!(source.is_some(), "a remote check reports its source");

        // the text report says what was read
        let text = server.run(&["check", "-s", &url, "--job", job]);
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains(&format!("read from {url}:")), "{text}");
    }
}

#[test]
fn a_handle_outside_the_prefix_is_refused() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // A secret in the same bucket, outside the savepoint's prefix.
    let mut n = 0;
    let mut targets = Vec::new();
    let sp = savepoint_with_absolute_handles(work.path(), |_, len| {
        n += 1;
        let prefix = format!("s3://{BUCKET}/private/{n}-");
        let target = format!("{prefix}{}", "x".repeat(len - prefix.len()));
        targets.push(target.clone());
        PathBuf::from(target)
    });
    for t in &targets {
        let key = t.strip_prefix(&format!("s3://{BUCKET}/")).unwrap();
        let file = server.root.path().join(BUCKET).join(key);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, "SECRET").unwrap();
    }
    let url = server.upload(&sp, "savepoints/hostile");
    let out = server.run(&["inspect", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let words = stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(out.status.code(), Some(2), "{words}");
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

    // The same handle is read when its folder is allowed.
    let allowed = server.run(&[
        "inspect",
        &url,
        "--allow-outside",
        &format!("s3://{BUCKET}/private"),
    ]);
    let allowed_err = String::from_utf8_lossy(&allowed.stderr);
    assert!(
        !allowed_err.contains("outside the savepoint"),
        "{allowed_err}"
    );
}

#[test]
fn unsupported_schemes_and_missing_savepoints_say_so() {
    let out = local(&["inspect", "ftp://host/savepoints/sp-1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("is not a store spcompat reads"), "{err}");
    assert!(!err.contains("No such file"), "{err}");
    let Some(server) = S3Server::start() else {
        return;
    };
    let out = server.run(&["inspect", &format!("s3://{BUCKET}/nothing/here")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("has no `_metadata` file"), "{err}");
}
