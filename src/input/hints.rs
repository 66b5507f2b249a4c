//! Inputs given in the wrong place, recognised from their content before the real loader
//! reports a confusing format error: a job graph where a savepoint belongs, a savepoint where a
//! job graph belongs, a folder that holds several savepoints.

use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::savepoint::metadata::METADATA_MAGIC;

/// How many savepoints of a parent folder are named; more are counted.
const MAX_LISTED: usize = 20;
/// How many entries of a folder are looked at, so a huge folder costs bounded work.
const MAX_SCANNED: usize = 10_000;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum MisplacedInput {
    #[error("{}: this is a job-graph file or compiled plan, not a savepoint", path.display())]
    #[diagnostic(
        code(spcompat::input::not_a_savepoint),
        help(
            "did you swap --savepoint and --job? --savepoint takes the old version's savepoint folder (or its `_metadata`), --job the new version"
        )
    )]
    JobWhereSavepoint { path: PathBuf },

    #[error("{}: this is a savepoint, not a job-graph file", path.display())]
    #[diagnostic(
        code(spcompat::input::not_a_job_graph),
        help("`lint` reads job-graph files; to compare the job with this savepoint run `spcompat check --savepoint {} --job NEW`", path.display())
    )]
    SavepointWhereJob { path: PathBuf },

    #[error("{}: no `_metadata` here, but it holds {count} savepoint(s) or checkpoint(s):\n{listed}", dir.display())]
    #[diagnostic(
        code(spcompat::input::parent_of_savepoints),
        help("give one of them (the folder that holds `_metadata`)")
    )]
    ParentOfSavepoints {
        dir: PathBuf,
        count: usize,
        listed: String,
    },
}

/// The first bytes of a regular file (opened without blocking: a FIFO is no savepoint).
fn head(path: &Path) -> Option<Vec<u8>> {
    let opened = crate::files::open_regular(path, true).ok()?;
    crate::files::read_range(&opened.file, 0, 64).ok()
}

fn is_metadata(path: &Path) -> bool {
    head(path).is_some_and(|h| h.len() >= 4 && h[..4] == METADATA_MAGIC.to_be_bytes())
}

/// Text that starts like JSON or YAML: a job graph, a baseline or a compiled plan.
fn looks_like_text_document(path: &Path) -> bool {
    head(path).is_some_and(|h| {
        let text = String::from_utf8_lossy(&h);
        let t = text.trim_start_matches('\u{feff}').trim_start();
        t.starts_with('{') || t.starts_with("format:") || t.starts_with("---") || t.starts_with('#')
    })
}

/// Savepoint folders directly below `dir` (and `chk-N` below those, for checkpoint roots).
fn savepoints_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten().take(MAX_SCANNED) {
        let p = entry.path();
        if !p.is_dir() {
            continue;
        }
        if p.join("_metadata").is_file() {
            found.push(p);
        } else if let Ok(inner) = std::fs::read_dir(&p) {
            found.extend(
                inner
                    .flatten()
                    .take(MAX_SCANNED)
                    .map(|e| e.path())
                    .filter(|q| q.join("_metadata").is_file()),
            );
        }
    }
    found.sort();
    found
}

/// Checks what `--savepoint` (or another savepoint argument) names before it is opened.
pub fn check_savepoint_arg(path: &Path) -> Result<(), MisplacedInput> {
    if path.is_file() && !is_metadata(path) && looks_like_text_document(path) {
        return Err(MisplacedInput::JobWhereSavepoint {
            path: path.to_path_buf(),
        });
    }
    check_folder(path)
}

/// A folder without `_metadata` that holds savepoints: list them.
pub fn check_folder(path: &Path) -> Result<(), MisplacedInput> {
    if !path.is_dir() || path.join("_metadata").is_file() {
        return Ok(());
    }
    let found = savepoints_below(path);
    if found.is_empty() {
        return Ok(());
    }
    let mut listed: Vec<String> = found
        .iter()
        .take(MAX_LISTED)
        .map(|p| format!("  {}", p.display()))
        .collect();
    if found.len() > MAX_LISTED {
        listed.push(format!("  ... and {} more", found.len() - MAX_LISTED));
    }
    Err(MisplacedInput::ParentOfSavepoints {
        dir: path.to_path_buf(),
        count: found.len(),
        listed: listed.join("\n"),
    })
}

/// Checks an argument that must be a job-graph file (`lint`).
pub fn check_job_graph_arg(path: &Path) -> Result<(), MisplacedInput> {
    if (path.is_dir() && path.join("_metadata").is_file()) || (path.is_file() && is_metadata(path))
    {
        return Err(MisplacedInput::SavepointWhereJob {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}
