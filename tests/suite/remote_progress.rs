//! The progress line of remote reads (operators, bytes and objects so far): drawn on a terminal
//! (a pseudo-terminal from `script`), never when stderr is a pipe, as in CI logs.

use std::process::Stdio;

use crate::common::savepoint_fixture as fixture;
use crate::common::spcompat;
use crate::common::stores::{Kind, StoreServer};

const FILES: &str = "flink-1.20.3-datastream-rocksdb-native-files";

#[test]
fn remote_progress_is_drawn_on_a_terminal_only() {
    let Some(server) = StoreServer::start(Kind::S3) else {
        return;
    };
    let url = server.upload(&fixture(FILES), "progress/sp-1");

    // A pipe, with CI unset: nothing but the report.
    let piped = server
        .command(server.env(server.port), "spcompat")
        .args(["inspect", &url])
        .env_remove("CI")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&piped.stderr);
    assert_eq!(piped.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("reading ") && !err.contains('\r') && !err.contains('\u{1b}'),
        "progress in a pipe: {err:?}"
    );

    // A terminal: `script` runs spcompat on a pseudo-terminal and copies what it drew.
    let available = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        available || std::env::var_os("CI").is_none(),
        "script (util-linux) runs spcompat on a terminal"
    );
    if !available {
        eprintln!("note: script is not installed; the terminal half is skipped");
        return;
    }
    let line = format!("{} inspect {url}", spcompat().display());
    let tty = server
        .command(server.env(server.port), "script")
        .args(["-qefc", &line, "/dev/null"])
        .env_remove("CI")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let drawn = String::from_utf8_lossy(&tty.stdout);
    assert_eq!(tty.status.code(), Some(0), "{drawn}");
    assert!(
        drawn.contains(&format!("reading {url}")) && drawn.contains("operators"),
        "no progress on a terminal: {drawn:?}"
    );
    assert!(drawn.contains("object"), "bytes and objects: {drawn:?}");
    // The same run with CI set draws none, even on a terminal.
    let ci = server
        .command(server.env(server.port), "script")
        .args(["-qefc", &line, "/dev/null"])
        .env("CI", "true")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let drawn = String::from_utf8_lossy(&ci.stdout);
    assert!(
        !drawn.contains("reading "),
        "progress with CI set: {drawn:?}"
    );
}
