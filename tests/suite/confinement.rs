//! Reads stay inside the savepoint: hostile copies of real fixtures (state-handle paths pointing
//! elsewhere, links, FIFOs, a linked `_metadata`) are refused with a clear message, and the
//! files outside are never opened, checked with strace's record of every `open`/`openat`.

use crate::common::{savepoint_fixture as fixture, spcompat as bin};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "SECRET-ROOT-PASSWORD-HASH";

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

struct Run {
    code: Option<i32>,
    stderr: String,
    stdout: String,
    /// Every path the process (and its threads) passed to open/openat.
    opened: Vec<String>,
}

/// Runs spcompat under strace, killed after 30 s (a hang is a failure, not a slow pass).
fn run_traced(args: &[&str], work: &Path) -> Run {
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "strace is needed to record the files spcompat opens (.ci/run installs it)"
    );
    let trace = work.join("strace.log");
    let mut child = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat,openat2", "-o"])
        .arg(&trace)
        .arg(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("spcompat {args:?} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().unwrap();
    let log = std::fs::read_to_string(&trace).unwrap_or_default();
    let opened = log
        .lines()
        .filter_map(|l| {
            let start = l.find('"')? + 1;
            let end = start + l[start..].find('"')?;
            Some(l[start..end].to_string())
        })
        .collect();
    Run {
        code: status.code(),
        stderr: unwrapped(&String::from_utf8_lossy(&output.stderr)),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        opened,
    }
}

/// miette wraps long lines in a box; the words are what the tests look for.
fn unwrapped(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_never_opened(run: &Run, outside: &Path) {
    let outside = outside.display().to_string();
    let hits: Vec<&String> = run.opened.iter().filter(|p| p.contains(&outside)).collect();
    assert!(
        hits.is_empty(),
        "opened outside the savepoint: {hits:?}\n{}",
        run.stderr
    );
    assert!(!run.opened.is_empty(), "strace recorded no opens at all");
}

/// A canonical savepoint whose relative file handles (type 6: path, size) are rewritten in place
/// into absolute file handles (type 2: size, path) of the same length, each naming a file that
/// `place` creates (given the original file and a path length) and returns.
pub(crate) fn savepoint_with_absolute_handles(
    work: &Path,
    mut place: impl FnMut(&Path, usize) -> PathBuf,
) -> PathBuf {
    let sp = work.join("sp");
    copy_tree(
        &fixture("flink-2.3.0-datastream-hashmap-canonical-files"),
        &sp,
    );
    let metadata_path = sp.join("_metadata");
    let mut bytes = std::fs::read(&metadata_path).unwrap();
    let mut rewritten = 0;
    for entry in std::fs::read_dir(&sp).unwrap() {
        let file = entry.unwrap().path();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name == "_metadata" || name == "expected.json" {
            continue;
        }
        let mut handle = vec![6u8];
        handle.extend_from_slice(&(name.len() as u16).to_be_bytes());
        handle.extend_from_slice(name.as_bytes());
        let Some(at) = bytes.windows(handle.len()).position(|w| w == handle) else {
            continue;
        };
        let size_at = at + handle.len();
        let size: [u8; 8] = bytes[size_at..size_at + 8].try_into().unwrap();
        let target = place(&file, name.len());
        let target = target.to_str().unwrap();
        assert_eq!(target.len(), name.len(), "same length keeps every offset");
        let mut absolute = vec![2u8];
        absolute.extend_from_slice(&size);
        absolute.extend_from_slice(&(target.len() as u16).to_be_bytes());
        absolute.extend_from_slice(target.as_bytes());
        bytes[at..at + absolute.len()].copy_from_slice(&absolute);
        rewritten += 1;
    }
    assert!(rewritten > 0, "the fixture has relative file handles");
    std::fs::write(&metadata_path, bytes).unwrap();
    sp
}

/// `dir/<n>-xxx…` of exactly `len` bytes.
fn path_of_length(dir: &Path, n: usize, len: usize) -> PathBuf {
    let prefix = format!("{}/{n}-", dir.display());
    assert!(prefix.len() < len, "temp dir path too long for the rewrite");
    PathBuf::from(format!("{prefix}{}", "x".repeat(len - prefix.len())))
}

#[test]
fn absolute_handles_outside_the_savepoint_are_refused_unopened() {
    let work = tempfile::tempdir().unwrap();
    let outside = work.path().join("o");
    std::fs::create_dir_all(&outside).unwrap();
    let mut n = 0;
    let sp = savepoint_with_absolute_handles(work.path(), |_, len| {
        n += 1;
        let target = path_of_length(&outside, n, len);
        std::fs::write(&target, SECRET).unwrap();
        target
    });
    let run = run_traced(&["inspect", sp.to_str().unwrap()], work.path());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("outside the savepoint folder"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-outside"), "{}", run.stderr);
    assert!(!run.stderr.contains(SECRET) && !run.stdout.contains(SECRET));
    assert_never_opened(&run, &outside);
}

#[test]
fn allow_outside_names_a_folder_that_may_be_read() {
    let work = tempfile::tempdir().unwrap();
    let outside = work.path().join("o");
    std::fs::create_dir_all(&outside).unwrap();
    let mut n = 0;
    let sp = savepoint_with_absolute_handles(work.path(), |original, len| {
        n += 1;
        let target = path_of_length(&outside, n, len);
        std::fs::rename(original, &target).unwrap();
        target
    });
    let run = run_traced(
        &[
            "inspect",
            sp.to_str().unwrap(),
            "--allow-outside",
            outside.to_str().unwrap(),
        ],
        work.path(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.opened
            .iter()
            .any(|p| p.contains(&outside.display().to_string())),
        "the allowed folder was read"
    );
}

#[test]
fn absolute_handles_inside_the_savepoint_are_read() {
    let work = tempfile::tempdir().unwrap();
    let mut n = 0;
    let sp_dir = work.path().join("sp");
    let sp = savepoint_with_absolute_handles(work.path(), |original, len| {
        n += 1;
        let target = path_of_length(&sp_dir, n, len);
        std::fs::rename(original, &target).unwrap();
        target
    });
    let run = run_traced(&["inspect", sp.to_str().unwrap()], work.path());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

/// A savepoint with relative state files, one of them replaced by `make`.
fn savepoint_with_replaced_state_file(work: &Path, make: impl FnOnce(&Path)) -> (PathBuf, PathBuf) {
    let sp = work.join("sp");
    copy_tree(
        &fixture("flink-2.3.0-datastream-hashmap-canonical-files"),
        &sp,
    );
    let state_file = std::fs::read_dir(&sp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name != "_metadata" && name != "expected.json"
        })
        .expect("the fixture has a state file beside _metadata");
    std::fs::remove_file(&state_file).unwrap();
    make(&state_file);
    (sp, state_file)
}

#[test]
fn a_link_out_of_the_savepoint_folder_is_not_followed() {
    let work = tempfile::tempdir().unwrap();
    let secret = work.path().join("secret.txt");
    std::fs::write(&secret, SECRET).unwrap();
    let (sp, _) = savepoint_with_replaced_state_file(work.path(), |file| {
        std::os::unix::fs::symlink(&secret, file).unwrap();
    });
    let run = run_traced(&["inspect", sp.to_str().unwrap()], work.path());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("outside the savepoint folder"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(SECRET));
    assert_never_opened(&run, &secret);
}

#[test]
fn a_fifo_in_place_of_a_state_file_does_not_hang() {
    let work = tempfile::tempdir().unwrap();
    let (sp, _) = savepoint_with_replaced_state_file(work.path(), |file| {
        let status = Command::new("mkfifo").arg(file).status().unwrap();
        assert!(status.success());
    });
    let run = run_traced(&["inspect", sp.to_str().unwrap()], work.path());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[test]
fn a_linked_metadata_file_inside_a_folder_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let elsewhere = work.path().join("elsewhere");
    copy_tree(
        &fixture("flink-2.3.0-datastream-hashmap-canonical"),
        &elsewhere,
    );
    let sp = work.path().join("sp");
    std::fs::create_dir_all(&sp).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("_metadata"), sp.join("_metadata")).unwrap();
    let run = run_traced(&["inspect", sp.to_str().unwrap()], work.path());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    assert_never_opened(&run, &elsewhere);
}

#[test]
fn snapshot_never_writes_into_the_savepoint_and_replaces_links() {
    let work = tempfile::tempdir().unwrap();
    let sp = work.path().join("sp");
    copy_tree(&fixture("flink-2.3.0-datastream-hashmap-canonical"), &sp);
    let before = std::fs::read(sp.join("_metadata")).unwrap();
    for target in [sp.join("_metadata"), sp.join("baseline.yaml")] {
        let out = Command::new(bin())
            .args(["snapshot", sp.to_str().unwrap(), "-o"])
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", target.display());
        assert!(
            unwrapped(&String::from_utf8_lossy(&out.stderr)).contains("refusing to write into")
        );
    }
    assert_eq!(std::fs::read(sp.join("_metadata")).unwrap(), before);
    assert!(!sp.join("baseline.yaml").exists());

    // A link at the output path is replaced by the baseline; what it pointed at is untouched.
    let victim = work.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = work.path().join("baseline.yaml");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = Command::new(bin())
        .args(["snapshot", sp.to_str().unwrap(), "-o"])
        .arg(&link)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(
        std::fs::read_to_string(&link)
            .unwrap()
            .contains("spcompat-job-graph/1")
    );
}

#[test]
fn fifos_named_on_the_command_line_do_not_hang() {
    let work = tempfile::tempdir().unwrap();
    let fifo = work.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["check", "--savepoint", fifo, "--job", fifo],
        vec!["inspect", fifo],
        vec!["lint", "--job", fifo],
        vec!["diff", fifo, fifo],
    ] {
        let run = run_traced(&args, work.path());
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
    }
}
