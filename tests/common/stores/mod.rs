//! Real object-store servers started on 127.0.0.1 for the tests, each over its own empty state:
//! `s3s-fs` (S3), Azurite (Azure Blob) and `gcp-storage-emulator` (GCS). `.ci/run` installs
//! them; without one, a test fails under CI and is skipped elsewhere with a note. spcompat is run
//! against them with the variables each service's own SDKs read (endpoint and credentials).

mod azurite;
mod gcs;
pub mod http;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The bucket (container) every server holds.
pub const BUCKET: &str = "spcompat-it";
const S3_KEY: &str = "spcompat-test-key";
const S3_SECRET: &str = "spcompat-test-secret";

/// A server this far from listening has failed to start.
const START_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    S3,
    Azure,
    Gcs,
}

impl Kind {
    /// The program, and how `.ci/run` installs it.
    fn program(self) -> (&'static str, &'static str) {
        match self {
            Kind::S3 => (
                "s3s-fs",
                "cargo install s3s-fs --version 0.14.1 --locked --features binary",
            ),
            Kind::Azure => ("azurite-blob", "npm install -g azurite@3.37.0"),
            Kind::Gcs => (
                "gcp-storage-emulator",
                "pip install gcp-storage-emulator==2026.7.19",
            ),
        }
    }

    /// The URL scheme spcompat reads this service by.
    pub fn scheme(self) -> &'static str {
        match self {
            Kind::S3 => "s3",
            Kind::Azure => "az",
            Kind::Gcs => "gs",
        }
    }
}

/// A running server; killed when dropped.
pub struct StoreServer {
    pub kind: Kind,
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Drop for StoreServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--help")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl StoreServer {
    /// Starts a server of `kind`, or `None` (with a note) where it is not installed outside CI.
    pub fn start(kind: Kind) -> Option<StoreServer> {
        let (program, install) = kind.program();
        if !installed(program) {
            assert!(
                std::env::var_os("CI").is_none(),
                "{program} is needed for the object-store tests (.ci/run installs it: {install})"
            );
            eprintln!(
                "note: {program} is not installed ({install}); the object-store test is skipped"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cmd = Command::new(program);
        let p = port.to_string();
        match kind {
            Kind::S3 => {
                std::fs::create_dir_all(dir.path().join("data").join(BUCKET)).unwrap();
                cmd.args(["--host", "127.0.0.1", "--port", &p])
                    .args(["--access-key", S3_KEY, "--secret-key", S3_SECRET])
                    .arg(dir.path().join("data"))
            }
            Kind::Azure => cmd
                .args(["--blobHost", "127.0.0.1", "--blobPort", &p, "--location"])
                .arg(dir.path())
                .args(["--silent", "--skipApiVersionCheck", "--disableTelemetry"]),
            Kind::Gcs => cmd
                .args(["start", "--host", "127.0.0.1", "--port", &p])
                .args(["--default-bucket", BUCKET, "--in-memory", "--quiet"]),
        };
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = StoreServer {
            kind,
            child,
            port,
            dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = server.child.try_wait().unwrap();
            assert!(
                exited.is_none() && started.elapsed() < START_TIMEOUT,
                "{program} did not listen on {port} ({exited:?}): {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        match kind {
            Kind::Azure => azurite::create_container(port, BUCKET),
            // It listens before its default bucket is made and its handlers run.
            Kind::Gcs => gcs::wait_for_bucket(port, BUCKET, started + START_TIMEOUT),
            Kind::S3 => {}
        }
        Some(server)
    }

    /// What the server wrote to stdout and stderr, for a failure message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// The URL of `key` in the bucket.
    pub fn url(&self, key: &str) -> String {
        format!("{}://{BUCKET}/{key}", self.kind.scheme())
    }

    /// The folder `s3s-fs` serves the bucket from (its files' times are the objects' times).
    pub fn s3_folder(&self) -> PathBuf {
        assert_eq!(self.kind, Kind::S3, "only s3s-fs serves a folder");
        self.dir.path().join("data").join(BUCKET)
    }

    /// Stores `bytes` as the object `key` of the bucket, through the server's own API (s3s-fs:
    /// into the folder it serves).
    pub fn put(&self, key: &str, bytes: &[u8]) {
        match self.kind {
            Kind::S3 => {
                let file = self.s3_folder().join(key);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, bytes).unwrap();
            }
            Kind::Azure => azurite::put_blob(self.port, BUCKET, key, bytes),
            Kind::Gcs => gcs::put_object(self.port, BUCKET, key, bytes),
        }
    }

    /// Puts every file of `folder` under `key`; the folder's URL.
    pub fn upload(&self, folder: &Path, key: &str) -> String {
        for entry in walkdir::WalkDir::new(folder) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(folder).unwrap();
                let rel = rel.to_str().unwrap().replace('\\', "/");
                self.put(
                    &format!("{key}/{rel}"),
                    &std::fs::read(entry.path()).unwrap(),
                );
            }
        }
        self.url(key)
    }

    /// The variables that point spcompat at this server listening on `port` (a proxy's, or its
    /// own), as the service's SDKs name them.
    pub fn env(&self, port: u16) -> Vec<(String, String)> {
        let v = |k: &str, v: String| (k.to_string(), v);
        match self.kind {
            Kind::S3 => vec![
                v("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
                v("AWS_ACCESS_KEY_ID", S3_KEY.into()),
                v("AWS_SECRET_ACCESS_KEY", S3_SECRET.into()),
                v("AWS_REGION", "us-east-1".into()),
            ],
            Kind::Azure => azurite::connection_string_env(port),
            Kind::Gcs => vec![v("STORAGE_EMULATOR_HOST", format!("127.0.0.1:{port}"))],
        }
    }

    /// Runs spcompat against this server.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(self.env(self.port), args)
    }

    /// Runs spcompat with `env` as its only store configuration.
    pub fn run_with(&self, env: Vec<(String, String)>, args: &[&str]) -> Output {
        self.command(env, "spcompat")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// `program` (spcompat when named so) with this server's `env` as its only store
    /// configuration.
    pub fn command(&self, env: Vec<(String, String)>, program: &str) -> Command {
        let mut cmd = if program == "spcompat" {
            Command::new(crate::common::spcompat())
        } else {
            Command::new(program)
        };
        for (k, _) in std::env::vars() {
            let store_var = ["AWS_", "AZURE_", "GOOGLE_", "GCS_", "STORAGE_EMULATOR"]
                .iter()
                .any(|p| k.starts_with(p));
            if store_var {
                cmd.env_remove(k);
            }
        }
        cmd.envs(env);
        cmd
    }
}

/// Azurite's account named by variables instead of a connection string:
/// `AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY`, `AZURE_STORAGE_ENDPOINT`.
pub fn azure_account_env(port: u16) -> Vec<(String, String)> {
    azurite::account_env(port)
}

/// Azurite's account, for `abfs://container@ACCOUNT.dfs.core.windows.net` URLs.
pub const AZURE_ACCOUNT: &str = azurite::ACCOUNT;
