//! Hostile inputs through the real binary, each built here in a temporary folder from a real
//! fixture: deep nesting, huge length fields, many records, wide lines, non-ASCII notation,
//! truncated and bit-flipped savepoints, and the regressions fuzzing found (tests/data/hostile/).
//! Every case must end with an exit code 0 to 3 (never a panic's 101 or a signal) before its
//! time bound, which is enforced by killing the child process, and within its memory bound,
//! enforced by an address-space limit (`prlimit --as`): an allocation beyond it aborts the child,
//! which the test sees as a signal.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous for a loaded 2-core machine; a super-linear case on these sizes takes far longer.
const BOUND: Duration = Duration::from_secs(30);

/// Address space for one run: the inputs here are at most a few MB, so a run that needs more
/// than this allocates in proportion to a length field, not to the input.
const MEMORY_BOUND: u64 = 1 << 30;

struct Outcome {
    code: i32,
    stderr: String,
}

/// Runs spcompat with `args` under [`MEMORY_BOUND`]; kills it and fails the test when it
/// outlives [`BOUND`].
fn run_bounded(args: &[&str], what: &str) -> Outcome {
    let out = tempfile::tempdir().unwrap();
    let stdout_path = out.path().join("stdout");
    let stderr_path = out.path().join("stderr");
    let mut child = Command::new("prlimit")
        .arg(format!("--as={MEMORY_BOUND}"))
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin!("spcompat"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(out.path())
        .stdin(Stdio::null())
        // Files, not pipes: a large report must not block the child on a full pipe.
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + BOUND;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{what}: still running after {BOUND:?}, killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let Some(code) = status.code() else {
        panic!("{what}: killed by a signal ({status:?})\n{stderr}");
    };
    assert!((0..=3).contains(&code), "{what}: exit {code}\n{stderr}");
    Outcome { code, stderr }
}

fn fixture(rel: &str) -> PathBuf {
    common::root().join(rel)
}

/// A real job graph to mutate: the `uid-renamed` case's new job (Flink 2.3.0).
fn real_job() -> serde_json::Value {
    let text = std::fs::read_to_string(fixture("fixtures/cases/2.3.0/uid-renamed/new-job.json"));
    serde_json::from_str(&text.unwrap()).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn lint(path: &str, what: &str) -> Outcome {
    run_bounded(&["lint", "--job", path], what)
}

#[test]
fn deep_json_nesting_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut job = real_job().to_string();
    // 200,000 open arrays in an unknown field of the first operator.
    let deep = format!("{}1{}", "[".repeat(200_000), "]".repeat(200_000));
    job = job.replacen("\"node\":", &format!("\"deep\":{deep},\"node\":"), 1);
    let path = write(dir.path(), "deep.json", &job);
    let out = lint(&path, "deep JSON");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("deep.json"), "{}", out.stderr);
}

#[test]
fn deep_yaml_flow_nesting_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "format: spcompat-job-graph/1\noperators: {}1{}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let path = write(dir.path(), "deep.yaml", &text);
    let out = lint(&path, "deep YAML flow nesting");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("deep.yaml"), "{}", out.stderr);
}

#[test]
fn deep_yaml_block_nesting_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("format: spcompat-job-graph/1\noperators:\n");
    for depth in 1..5_000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("- \n");
    }
    let path = write(dir.path(), "block.yaml", &text);
    let out = lint(&path, "deep YAML block nesting");
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn minified_job_graph_wider_than_65535_columns_gets_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let mut job = real_job();
    // A long but valid name makes the one-line document wide; a wrong type after it gives the
    // diagnostic something to point at far right of column 65,535.
    job["operators"][0]["name"] = serde_json::json!("n".repeat(100_000));
    let last = job["operators"].as_array().unwrap().len() - 1;
    job["operators"][last]["parallelism"] = serde_json::json!("many");
    let path = write(dir.path(), "wide.json", &job.to_string());
    let out = lint(&path, "wide minified line");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("wide.json"), "{}", out.stderr);
    assert!(out.stderr.contains("parallelism"), "{}", out.stderr);
}

#[test]
fn non_ascii_type_names_followed_by_whitespace() {
    let dir = tempfile::tempdir().unwrap();
    for (i, ty) in [
        "Ä ",
        "Läng x",
        "PojoType<é , fields = [ä : Long]>",
        "Ω\t<",
        "ROW<`ü` ÄÖ >",
    ]
    .iter()
    .enumerate()
    {
        let mut job = real_job();
        job["operators"][0]["state"] = serde_json::json!([
            {"name": "s", "kind": "value", "type": ty}
        ]);
        let path = write(dir.path(), &format!("type{i}.json"), &job.to_string());
        lint(&path, &format!("notation {ty:?}"));
        let base = fixture("fixtures/cases/2.3.0/bases/ds-uids");
        let base = base.display().to_string();
        run_bounded(
            &["check", "--savepoint", &base, "--job", &path],
            &format!("check with notation {ty:?}"),
        );
    }
}

#[test]
fn many_operators_stay_within_bound() {
    let dir = tempfile::tempdir().unwrap();
    let mut job = real_job();
    let template = job["operators"][0].clone();
    let ops: Vec<serde_json::Value> = (1..=600)
        .map(|n| {
            let mut op = template.clone();
            op["node"] = serde_json::json!(n);
            op["uid"] = serde_json::json!(format!("op-{n}"));
            op["inputs"] = serde_json::json!([]);
            if let Some(o) = op.as_object_mut() {
                o.remove("operatorId");
            }
            op
        })
        .collect();
    job["operators"] = serde_json::Value::Array(ops);
    let path = write(dir.path(), "many.json", &job.to_string());
    lint(&path, "600 operators");
    let pretty = write(
        dir.path(),
        "many-pretty.json",
        &serde_json::to_string_pretty(&job).unwrap(),
    );
    lint(&pretty, "600 operators, pretty");
}

fn inspect(dir: &Path, what: &str) -> Outcome {
    run_bounded(&["inspect", &dir.display().to_string()], what)
}

#[test]
fn huge_length_fields_in_real_metadata() {
    let original = fixture("fixtures/savepoints/flink-2.3.0-datastream-rocksdb-native");
    let bytes = std::fs::read(original.join("_metadata")).unwrap();
    // Every second 4-byte window of the first 400 bytes, and a spread over the rest, becomes a
    // huge positive or negative 32-bit length.
    let mut offsets: Vec<usize> = (0..400.min(bytes.len() - 4)).step_by(2).collect();
    offsets.extend((400..bytes.len() - 4).step_by((bytes.len() / 100).max(1)));
    let mut refused = 0;
    for (i, at) in offsets.into_iter().enumerate() {
        let mut b = bytes.clone();
        let huge: [u8; 4] = if i % 2 == 0 {
            [0x7f, 0xff, 0xff, 0xff]
        } else {
            [0xff; 4]
        };
        b[at..at + 4].copy_from_slice(&huge);
        let dir = common::savepoint_with_metadata(&original, &b);
        let out = inspect(dir.path(), &format!("huge length at {at}"));
        if out.code == 2 {
            assert!(out.stderr.contains("_metadata"), "{}", out.stderr);
            refused += 1;
        }
    }
    assert!(
        refused > 100,
        "only {refused} corrupted length fields were refused"
    );
}

#[test]
fn truncated_and_bit_flipped_fixtures_through_the_binary() {
    let mut seed = 0x0bad_5eed_u64;
    for original in common::inline_fixtures().into_iter().take(12) {
        let bytes = std::fs::read(original.join("_metadata")).unwrap();
        for cut in [1, 8, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
            let dir = common::savepoint_with_metadata(&original, &bytes[..cut]);
            let out = inspect(dir.path(), &format!("{} cut at {cut}", original.display()));
            assert_eq!(out.code, 2, "{}", out.stderr);
            assert!(out.stderr.contains("offset"), "{}", out.stderr);
        }
        for _ in 0..6 {
            let mut b = bytes.clone();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed % b.len() as u64) as usize;
                b[at] ^= 1 << (seed >> 60 & 7);
            }
            let dir = common::savepoint_with_metadata(&original, &b);
            inspect(dir.path(), &format!("{} bit flips", original.display()));
        }
    }
}

#[test]
fn failed_write_to_stderr_is_not_a_panic() {
    let dev_full = Path::new("/dev/full");
    if !dev_full.exists() {
        panic!("/dev/full is needed for this test");
    }
    let status = Command::new(assert_cmd::cargo::cargo_bin!("spcompat"))
        .args(["inspect", "/nonexistent/savepoint"])
        .stdout(Stdio::null())
        .stderr(
            std::fs::OpenOptions::new()
                .write(true)
                .open(dev_full)
                .unwrap(),
        )
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2), "{status:?}");
}
