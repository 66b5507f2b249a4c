//! The data-driven integration tests: one named trial per recorded Flink case, rule and
//! fixture, so that `cargo test uid-renamed` runs one case and a failure names it. They run
//! under libtest-mimic (`harness = false` in Cargo.toml) because libtest cannot create tests
//! from the fixtures it finds at run time; every other test is in `tests/suite/`.

#[path = "../common/mod.rs"]
mod common;
mod expected_fixtures;
mod flink_cases;
mod report_headlines;
mod rule_fixtures;
mod sql_cases;
mod sql_upgrades;

use libtest_mimic::{Arguments, Failed, Trial};

/// A trial that fails with the disagreements `run` returns (a panic fails it too).
pub fn trial(
    name: impl Into<String>,
    run: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Trial {
    Trial::test(name, move || run().map_err(Failed::from))
}

/// A trial for a test that asserts (panics) rather than returning its disagreements.
pub fn asserting(name: impl Into<String>, run: fn()) -> Trial {
    Trial::test(name, move || {
        run();
        Ok(())
    })
}

/// `#[test]` does nothing in a `harness = false` binary: a test written that way here would
/// never run and never fail, so its presence is a failure.
fn no_attribute_tests_here() -> Result<(), String> {
    let dir = common::root().join("tests/cases");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if text.lines().any(|l| l.trim_start().starts_with("#[test]")) {
            offenders.push(path.display().to_string());
        }
    }
    if offenders.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "#[test] in a harness = false target never runs; make it a trial or move it to tests/suite: {offenders:?}"
        ))
    }
}

/// `autotests = false`: a test file put directly in `tests/`, or one in `tests/suite/` that
/// `tests/suite/main.rs` does not name, is not built, so it would never run; either is a
/// failure.
fn no_test_files_outside_the_targets() -> Result<(), String> {
    let rust_files = |dir: &std::path::Path| -> Result<Vec<std::path::PathBuf>, String> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
        Ok(out)
    };
    let tests = common::root().join("tests");
    // A file of its own under tests/ is built only when Cargo.toml names it as a target.
    let manifest =
        std::fs::read_to_string(common::root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    let mut stray: Vec<String> = rust_files(&tests)?
        .iter()
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            !manifest.contains(&format!("path = \"tests/{name}\""))
        })
        .map(|p| p.display().to_string())
        .collect();
    let main = std::fs::read_to_string(tests.join("suite/main.rs")).map_err(|e| e.to_string())?;
    for path in rust_files(&tests.join("suite"))? {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        if name != "main" && !main.lines().any(|l| l.trim() == format!("mod {name};")) {
            stray.push(path.display().to_string());
        }
    }
    if stray.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "not built (Cargo.toml has autotests = false): put it in tests/suite/ with a `mod` line in tests/suite/main.rs: {stray:?}"
        ))
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![
        trial("cases::no_attribute_tests_here", no_attribute_tests_here),
        trial(
            "cases::no_test_files_outside_the_targets",
            no_test_files_outside_the_targets,
        ),
    ];
    trials.extend(flink_cases::trials());
    trials.extend(rule_fixtures::trials());
    trials.extend(sql_cases::trials());
    trials.extend(sql_upgrades::trials());
    trials.extend(expected_fixtures::trials());
    libtest_mimic::run(&args, trials).exit();
}
