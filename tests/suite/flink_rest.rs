//! `--flink-rest URL --job-id ID` against a real standalone Flink session cluster: a JobManager
//! (`StandaloneSessionClusterEntrypoint`) and a TaskManager (`TaskManagerRunner`) started from
//! the cached PyPI jars on free ports of 127.0.0.1, running a real stateful job
//! (fixtures/flink-rest-job, compiled here with javac). A checkpoint and then a savepoint are
//! taken through Flink's REST API, then the job is cancelled and started again from the
//! savepoint; each time, `check`, `inspect` and `snapshot` with `--flink-rest` must give the
//! same output as with the path of the newest state (`latest.completed`, `latest.savepoint`,
//! `latest.restored`), and say that path.
//!
//! Starting a cluster takes 20-40 s, so these tests are ignored by `cargo test`; `.ci/run` runs
//! them with `--ignored`. A missing JDK or jar cache fails them, never skips them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{root, run, stdout_json};

/// The JVM flags Flink needs on Java 17 (as fixtures/java-common/java.sh gives them).
const JAVA_OPENS: &[&str] = &[
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.time=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
];

/// Generous: two JVMs starting on a loaded 2-core machine.
const STARTUP: Duration = Duration::from_secs(120);
const STEP: Duration = Duration::from_secs(60);

fn cache() -> PathBuf {
    std::env::var_os("SPCOMPAT_FIXTURE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("fixtures/.cache"))
}

/// The released jars of `version` (fetched once into the cache), as a class path.
fn classpath(version: &str) -> String {
    for tool in ["java", "javac", "jar"] {
        let found = Command::new(tool).arg("-version").output().is_ok();
        assert!(found, "`{tool}` is not on PATH: a JDK 17 is needed");
    }
    let status = Command::new(root().join("fixtures/generator/fetch-flink.sh"))
        .arg(version)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "cannot fetch the Flink {version} jars");
    let lib = cache().join(format!("flink-{version}/lib"));
    let mut jars: Vec<String> = std::fs::read_dir(&lib)
        .unwrap_or_else(|e| panic!("{}: {e}", lib.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jar"))
        .map(|p| p.display().to_string())
        .collect();
    jars.sort();
    assert!(!jars.is_empty(), "no jars in {}", lib.display());
    jars.join(":")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A JobManager and a TaskManager; both killed when dropped.
struct Cluster {
    children: Vec<Child>,
    dir: PathBuf,
    port: u16,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Cluster {
    fn start(classpath: &str, dir: &Path) -> Cluster {
        let port = free_port();
        let conf = dir.join("conf");
        std::fs::create_dir_all(&conf).unwrap();
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let checkpoints = format!("file://{}", dir.join("checkpoints").display());
        // Every memory size the start scripts would compute is given, so plain `java` starts
        // them. Checkpoints only when triggered (the interval is far away), all of them kept,
        // so the one Flink reports stays on disk while the test reads it.
        let config = format!(
            "jobmanager.rpc.address: 127.0.0.1\n\
             jobmanager.bind-host: 127.0.0.1\n\
             jobmanager.rpc.port: {}\n\
             jobmanager.memory.process.size: 1024m\n\
             rest.address: 127.0.0.1\n\
             rest.bind-address: 127.0.0.1\n\
             rest.port: {port}\n\
             blob.server.port: {}\n\
             taskmanager.host: 127.0.0.1\n\
             taskmanager.bind-host: 127.0.0.1\n\
             taskmanager.rpc.port: {}\n\
             taskmanager.data.port: {}\n\
             taskmanager.numberOfTaskSlots: 1\n\
             taskmanager.cpu.cores: 1\n\
             taskmanager.memory.framework.heap.size: 128m\n\
             taskmanager.memory.task.heap.size: 256m\n\
             taskmanager.memory.managed.size: 64m\n\
             taskmanager.memory.framework.off-heap.size: 128m\n\
             taskmanager.memory.task.off-heap.size: 0m\n\
             taskmanager.memory.network.min: 64m\n\
             taskmanager.memory.network.max: 64m\n\
             taskmanager.memory.jvm-metaspace.size: 256m\n\
             taskmanager.memory.jvm-overhead.min: 192m\n\
             taskmanager.memory.jvm-overhead.max: 192m\n\
             parallelism.default: 1\n\
             state.checkpoints.dir: {checkpoints}\n\
             execution.checkpointing.dir: {checkpoints}\n\
             execution.checkpointing.interval: 1h\n\
             state.checkpoints.num-retained: 10\n\
             execution.checkpointing.num-retained: 10\n\
             io.tmp.dirs: {}\n",
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            dir.join("tmp").display()
        );
        std::fs::write(conf.join("config.yaml"), config).unwrap();
        let spawn = |name: &str, class: &str, heap: &[&str]| {
            Command::new("java")
                .args(JAVA_OPENS)
                .args(heap)
                .arg("-cp")
                .arg(classpath)
                .arg(class)
                .arg("--configDir")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(dir.join(format!("{name}.log"))).unwrap())
                .stderr(std::fs::File::create(dir.join(format!("{name}.err"))).unwrap())
                .spawn()
                .unwrap()
        };
        let mut cluster = Cluster {
            children: Vec::new(),
            dir: dir.to_path_buf(),
            port,
        };
        cluster.children.push(spawn(
            "jobmanager",
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
            &["-Xmx400m"],
        ));
        cluster.children.push(spawn(
            "taskmanager",
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
            &[
                "-Xmx384m",
                "-XX:MaxDirectMemorySize=192m",
                "-XX:MaxMetaspaceSize=256m",
            ],
        ));
        cluster.wait_for("a registered TaskManager", STARTUP, |c| {
            c.get("/overview")
                .is_some_and(|o| o["taskmanagers"].as_u64() == Some(1))
        });
        cluster
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until `ready`; panics with the cluster's logs after `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration, ready: impl Fn(&Cluster) -> bool) {
        let start = Instant::now();
        while start.elapsed() < limit {
            if ready(self) {
                return;
            }
            for child in &mut self.children {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("a Flink process ended ({status}):\n{}", self.logs());
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!("no {what} after {limit:?}:\n{}", self.logs());
    }

    fn logs(&self) -> String {
        let mut out = String::new();
        for name in ["jobmanager.log", "taskmanager.log", "submit.log"] {
            let text = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            out.push_str(&format!("--- {name}\n{tail}\n"));
        }
        out
    }

    fn get(&self, path: &str) -> Option<Value> {
        let (status, body) = http(self.port, "GET", path, None)?;
        (status == 200).then(|| serde_json::from_slice(&body).ok())?
    }

    fn post(&self, path: &str, body: &str) -> Value {
        let (status, answer) = http(self.port, "POST", path, Some(body))
            .unwrap_or_else(|| panic!("POST {path}: no answer"));
        assert!(
            (200..300).contains(&status),
            "POST {path}: HTTP {status}: {}",
            String::from_utf8_lossy(&answer)
        );
        serde_json::from_slice(&answer).unwrap()
    }

    /// Waits for an asynchronous operation (`.../checkpoints/<trigger>`, `.../savepoints/<trigger>`)
    /// to complete; its `operation`.
    fn completed(&mut self, path: &str) -> Value {
        let path = path.to_string();
        self.wait_for(&format!("completed {path}"), STEP, |c| {
            c.get(&path)
                .is_some_and(|v| v["status"]["id"] == "COMPLETED")
        });
        let operation = self.get(&path).unwrap()["operation"].clone();
        assert!(
            operation.get("failure-cause").is_none(),
            "{path} failed: {operation}"
        );
        operation
    }
}

/// One HTTP/1.1 exchange (`Connection: close`, the body read to the end); `None` when the
/// server does not answer (yet).
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let mut body = answer[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Some((status, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < end + 2 + size {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[(end + 4 + size).min(data.len())..];
    }
    out
}

/// Compiles fixtures/flink-rest-job against `classpath` into a jar.
fn job_jar(cluster: &Cluster, classpath: &str) -> PathBuf {
    let classes = cluster.dir.join("classes");
    let status = Command::new("javac")
        .args(["-nowarn", "--release", "11", "-cp", classpath, "-d"])
        .arg(&classes)
        .arg(root().join("fixtures/flink-rest-job/com/example/rest/RestJob.java"))
        .status()
        .unwrap();
    assert!(status.success(), "javac of the test job failed");
    let jar = cluster.dir.join("rest-job.jar");
    let status = Command::new("jar")
        .arg("cf")
        .arg(&jar)
        .arg("-C")
        .arg(&classes)
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success(), "jar failed");
    jar
}

/// Runs the job jar's main(), which submits the job to the cluster (from `savepoint` when
/// given); the job ID, once all its tasks run.
fn submit(cluster: &mut Cluster, classpath: &str, jar: &Path, savepoint: Option<&str>) -> String {
    let out = Command::new("java")
        .args(JAVA_OPENS)
        .arg("-cp")
        .arg(format!("{classpath}:{}", jar.display()))
        .arg("com.example.rest.RestJob")
        .arg("127.0.0.1")
        .arg(cluster.port.to_string())
        .arg(jar)
        .args(savepoint)
        .stdin(Stdio::null())
        .stderr(std::fs::File::create(cluster.dir.join("submit.log")).unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let job = stdout
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 32 && l.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| {
            panic!(
                "no job ID from the submission:\n{stdout}\n{}",
                cluster.logs()
            )
        })
        .to_string();
    let path = format!("/jobs/{job}");
    cluster.wait_for("all tasks running", STEP, |c| {
        c.get(&path).is_some_and(|j| {
            j["state"] == "RUNNING"
                && j["vertices"]
                    .as_array()
                    .is_some_and(|v| v.iter().all(|v| v["status"] == "RUNNING"))
        })
    });
    job
}

/// The JSON report without `picked` (the one thing that says how the savepoint was named).
fn without_picked(mut doc: Value) -> Value {
    doc.as_object_mut().unwrap().remove("picked");
    doc
}

/// `check` and `inspect` through `--flink-rest` equal those of `path`, and name it.
fn assert_same_as_path(cluster: &Cluster, version: &str, job: &str, path: &Path, field: &str) {
    let url = cluster.url();
    let rest = ["--flink-rest", url.as_str(), "--job-id", job];
    let path_text = path.display().to_string();
    for (command, tail) in [
        // The same job on the same release: restores.
        ("check", vec!["--to-flink", version, "--format", "json"]),
        ("inspect", vec!["--format", "json"]),
    ] {
        let mut via_rest = vec![command];
        via_rest.extend(rest);
        via_rest.extend(&tail);
        let out = run(&via_rest);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            out.status.code() == Some(0),
            "{via_rest:?}: {:?}\n{stderr}",
            out.status
        );
        let doc = stdout_json(&out);
        assert_eq!(doc["picked"]["path"], path_text.as_str(), "{doc}");
        let rule = doc["picked"]["rule"].as_str().unwrap();
        assert!(rule.starts_with(&format!("`{field}`")), "{rule}");
        assert!(
            stderr.contains(&format!("using {path_text} (`{field}`")),
            "{stderr}"
        );
        let mut direct = vec![command];
        if command == "check" {
            direct.push("--savepoint");
        }
        direct.push(&path_text);
        direct.extend(&tail);
        let expected = stdout_json(&run(&direct));
        assert_eq!(without_picked(doc), expected, "{command} via REST vs path");
    }
    // The baseline of the same savepoint.
    let mut via_rest = vec!["snapshot"];
    via_rest.extend(rest);
    let out = run(&via_rest);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty());
    assert_eq!(
        out.stdout,
        run(&["snapshot", &path_text]).stdout,
        "snapshot via REST vs path"
    );
}

fn flink_rest_on(version: &str) {
    // One cluster at a time: the machines running this have two cores.
    static ONE_CLUSTER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_CLUSTER.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let classpath = classpath(version);
    let work = tempfile::tempdir().unwrap();
    let mut cluster = Cluster::start(&classpath, work.path());
    let jar = job_jar(&cluster, &classpath);
    let job = submit(&mut cluster, &classpath, &jar, None);
    let url = cluster.url();

    // Running, but nothing completed yet.
    let out = run(&[
        "check",
        "--flink-rest",
        &url,
        "--job-id",
        &job,
        "--to-flink",
        version,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("flink_rest::no_checkpoint"), "{stderr}");
    // A job the cluster does not know: its real 404.
    let unknown = "0123456789abcdef0123456789abcdef";
    let out = run(&["inspect", "--flink-rest", &url, "--job-id", unknown]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("flink_rest::unknown_job"), "{stderr}");

    // A checkpoint, triggered through REST (Flink 1.19+).
    let trigger = cluster.post(
        &format!("/jobs/{job}/checkpoints"),
        r#"{"checkpointType":"FULL"}"#,
    );
    let trigger = trigger["request-id"].as_str().unwrap().to_string();
    let operation = cluster.completed(&format!("/jobs/{job}/checkpoints/{trigger}"));
    let id = operation["checkpointId"].as_i64().unwrap();
    let stats_path = format!("/jobs/{job}/checkpoints");
    // The statistics are cached for a few seconds.
    cluster.wait_for("the checkpoint in the statistics", STEP, |c| {
        c.get(&stats_path)
            .is_some_and(|s| s["latest"]["completed"]["id"].as_i64() == Some(id))
    });
    let chk = work.path().join(format!("checkpoints/{job}/chk-{id}"));
    assert!(chk.join("_metadata").is_file(), "{}", chk.display());
    assert_same_as_path(&cluster, version, &job, &chk, "latest.completed");

    // A savepoint taken after it is newer: it is the one read.
    let target = format!("file://{}", work.path().join("savepoints").display());
    let body = format!(r#"{{"target-directory":"{target}","cancel-job":false}}"#);
    let trigger = cluster.post(&format!("/jobs/{job}/savepoints"), &body);
    let trigger = trigger["request-id"].as_str().unwrap().to_string();
    let operation = cluster.completed(&format!("/jobs/{job}/savepoints/{trigger}"));
    let location = operation["location"].as_str().unwrap().to_string();
    cluster.wait_for("the savepoint in the statistics", STEP, |c| {
        c.get(&stats_path).is_some_and(|s| {
            s["latest"]["savepoint"]["external_path"].as_str() == Some(location.as_str())
        })
    });
    let stats = cluster.get(&stats_path).unwrap();
    assert!(
        stats["latest"]["savepoint"]["id"].as_i64() > stats["latest"]["completed"]["id"].as_i64()
            || stats["latest"]["completed"]["is_savepoint"] == true,
        "{stats}"
    );
    let savepoint = PathBuf::from(location.trim_start_matches("file:"));
    assert!(savepoint.join("_metadata").is_file(), "{location}");
    assert_same_as_path(&cluster, version, &job, &savepoint, "latest.savepoint");

    // The job cancelled and started again from that savepoint: before its own first
    // checkpoint, what it was restored from is its newest state.
    let (status, _) = http(
        cluster.port,
        "PATCH",
        &format!("/jobs/{job}?mode=cancel"),
        None,
    )
    .unwrap();
    assert_eq!(status, 202, "cancel");
    cluster.wait_for("a free slot", STEP, |c| {
        c.get("/overview")
            .is_some_and(|o| o["slots-available"].as_u64() == Some(1))
    });
    let restored = submit(&mut cluster, &classpath, &jar, Some(&location));
    let stats_path = format!("/jobs/{restored}/checkpoints");
    cluster.wait_for("the restore in the statistics", STEP, |c| {
        c.get(&stats_path).is_some_and(|s| {
            s["latest"]["restored"]["external_path"].as_str() == Some(location.as_str())
        })
    });
    assert_same_as_path(&cluster, version, &restored, &savepoint, "latest.restored");
    eprintln!(
        "Flink {version}: cluster, job, checkpoint, savepoint, restore and checks in {:?}",
        started.elapsed()
    );
}

#[test]
#[ignore = "starts a real Flink 1.20.3 cluster (20-40 s); .ci/run runs it"]
fn flink_rest_gives_the_newest_checkpoint_or_savepoint_of_a_real_1_20_job() {
    flink_rest_on("1.20.3");
}

#[test]
#[ignore = "starts a real Flink 2.3.0 cluster (20-40 s); .ci/run runs it"]
fn flink_rest_gives_the_newest_checkpoint_or_savepoint_of_a_real_2_3_job() {
    flink_rest_on("2.3.0");
}
