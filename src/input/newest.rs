//! A savepoint argument that names a job's checkpoint folder (`chk-N`, `shared`, `taskowned`)
//! or a folder of savepoints: the newest complete one (holding `_metadata`) is picked, locally
//! or on an object store, and reports say which.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use crate::savepoint::inventory::Picked;
use crate::savepoint::store::{Remote, StoreError, StoreUrl, looks_remote};

/// How many entries of a folder are looked at, so a huge folder costs bounded work.
const MAX_SCANNED: usize = 10_000;
/// How many `chk-N` of a remote job folder are tried for `_metadata`, newest first.
const MAX_REMOTE_TRIED: usize = 50;

const CHECKPOINT_RULE: &str = "highest chk-N with `_metadata`";

/// The `chk-N` number of a folder name.
fn checkpoint_number(name: &str) -> Option<u64> {
    name.strip_prefix("chk-")?.parse().ok()
}

/// Picks the newest of `(name, chk number, _metadata time)`: the highest `chk-N` when there are
/// any, else the newest `_metadata` (ties by name, so the pick is stable).
fn pick(
    candidates: Vec<(String, Option<u64>, Option<SystemTime>)>,
) -> Option<(String, &'static str, usize)> {
    let count = candidates.len();
    if candidates.iter().any(|c| c.1.is_some()) {
        let best = candidates
            .into_iter()
            .filter(|c| c.1.is_some())
            .max_by_key(|c| c.1)?;
        return Some((best.0, CHECKPOINT_RULE, count));
    }
    let best = candidates
        .into_iter()
        .max_by(|a, b| a.2.cmp(&b.2).then_with(|| a.0.cmp(&b.0)))?;
    Some((best.0, "newest `_metadata` modification time", count))
}

/// A local folder without `_metadata` whose subfolders hold savepoints: the newest one.
pub fn newest_local(dir: &Path) -> Option<(PathBuf, Picked)> {
    if !dir.is_dir() || dir.join("_metadata").exists() {
        return None;
    }
    let mut candidates = Vec::new();
    for entry in std::fs::read_dir(dir).ok()?.flatten().take(MAX_SCANNED) {
        let metadata = entry.path().join("_metadata");
        let Ok(meta) = std::fs::metadata(&metadata) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        candidates.push((name.clone(), checkpoint_number(&name), meta.modified().ok()));
    }
    let (name, rule, count) = pick(candidates)?;
    let path = dir.join(&name);
    Some((
        path.clone(),
        Picked {
            from: dir.display().to_string(),
            path: path.display().to_string(),
            rule: rule.to_string(),
            candidates: count,
            verb: "holds",
        },
    ))
}

/// The same on an object store: the folders below `url` (one listing), then `_metadata` of
/// the candidates (a `stat` each; for `chk-N`, newest first until one is complete).
pub fn newest_remote(url: &str) -> Result<Option<(String, Picked)>, StoreError> {
    let base = StoreUrl::parse(url)?;
    if base.key.ends_with("_metadata") {
        return Ok(None);
    }
    let remote = Remote::connect(&base)?;
    let join = |name: &str| {
        if base.key.is_empty() {
            format!("{name}/_metadata")
        } else {
            format!("{}/{name}/_metadata", base.key)
        }
    };
    let own = if base.key.is_empty() {
        "_metadata".to_string()
    } else {
        format!("{}/_metadata", base.key)
    };
    if remote.stat(&own)?.is_some() {
        return Ok(None);
    }
    let listed = match remote.list(&base.key) {
        Ok(l) => l,
        Err(StoreError::Unsupported { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let dirs: Vec<_> = listed
        .into_iter()
        .filter(|l| l.is_dir)
        .take(MAX_SCANNED)
        .collect();
    let mut checkpoints: Vec<(u64, String)> = dirs
        .iter()
        .filter_map(|d| checkpoint_number(&d.name).map(|n| (n, d.name.clone())))
        .collect();
    if !checkpoints.is_empty() {
        checkpoints.sort();
        // Newest first; the count is of `chk-N` folders seen (older ones are not asked for).
        for (_, name) in checkpoints.iter().rev().take(MAX_REMOTE_TRIED) {
            if remote.stat(&join(name))?.is_some() {
                return Ok(Some(picked(
                    &base,
                    name,
                    CHECKPOINT_RULE,
                    checkpoints.len(),
                )));
            }
        }
        return Ok(None);
    }
    let mut candidates = Vec::new();
    for d in dirs.iter().take(MAX_SCANNED) {
        if let Some(modified) = remote.stat_modified(&join(&d.name))? {
            candidates.push((d.name.clone(), None, modified));
        }
    }
    Ok(pick(candidates).map(|(name, rule, count)| picked(&base, &name, rule, count)))
}

fn picked(base: &StoreUrl, name: &str, rule: &'static str, count: usize) -> (String, Picked) {
    let key = if base.key.is_empty() {
        name.to_string()
    } else {
        format!("{}/{name}", base.key)
    };
    let path = base.with_key(&key).to_string();
    (
        path.clone(),
        Picked {
            from: base.to_string(),
            path,
            rule: rule.to_string(),
            candidates: count,
            verb: "holds",
        },
    )
}

/// The savepoint a `--savepoint`/`inspect` argument names: itself, or the newest in it.
pub fn resolve(path: &Path) -> Result<(PathBuf, Option<Picked>), StoreError> {
    if let Some(url) = path.to_str().filter(|p| looks_remote(p)) {
        return Ok(match newest_remote(url)? {
            Some((p, picked)) => (PathBuf::from(p), Some(picked)),
            None => (path.to_path_buf(), None),
        });
    }
    Ok(match newest_local(path) {
        Some((p, picked)) => (p, Some(picked)),
        None => (path.to_path_buf(), None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_checkpoint_wins_over_times() {
        let t = |s| Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s));
        let picked = pick(vec![
            ("chk-9".into(), Some(9), t(5)),
            ("chk-10".into(), Some(10), t(1)),
            ("savepoint-x".into(), None, t(9)),
        ]);
        assert_eq!(picked.map(|p| p.0), Some("chk-10".to_string()));
        let picked = pick(vec![
            ("sp-a".into(), None, t(5)),
            ("sp-b".into(), None, t(3)),
        ]);
        assert_eq!(picked.map(|p| p.0), Some("sp-a".to_string()));
    }
}
