//! Confined, bounded file access for savepoints.
//!
//! A `_metadata` file comes from anywhere and names the files it wants read. Every state file is
//! therefore resolved inside the savepoint's own folder (and, for a retained checkpoint, the
//! job's `shared/` and `taskowned/` folders) after following links; a path that leaves those
//! roots is refused before anything is opened, unless the user named its folder with
//! `--allow-outside`. Files are opened first and checked afterwards (regular file, size), so a
//! FIFO or device swapped in cannot hang or feed the reader, and they are read with bounded
//! positioned reads, never mapped, so a file that shrinks underneath cannot kill the process.

use std::path::{Component, Path, PathBuf};

pub use crate::files::{OpenError, OpenedFile, open_regular, read_range};

/// How a savepoint is read: the folders outside it that the user allows its state handles to
/// point into, and what of `_metadata` is kept at hand.
#[derive(Debug, Clone, Default)]
pub struct SavepointAccess {
    pub allow_outside: Vec<PathBuf>,
    /// Read no state file: judge from `_metadata` alone (`--metadata-only`).
    pub metadata_only: bool,
    /// Keep every inline handle's name while `_metadata` streams past, for a report that lists
    /// handles; without it a name is read again from the file when asked for.
    pub keep_handle_names: bool,
}

/// The folders a savepoint's state handles may resolve into.
#[derive(Debug, Clone)]
pub struct Confinement {
    /// The savepoint folder as given (relative handles are joined to it).
    pub dir: PathBuf,
    /// The savepoint folder with every link resolved, when that worked.
    canonical_dir: Option<PathBuf>,
    /// Canonical folders inside which a resolved file must lie.
    roots: Vec<PathBuf>,
    /// Whether the job's `shared/` and `taskowned/` folders are roots (retained checkpoints).
    checkpoint_root: Option<PathBuf>,
}

/// Where a state handle led.
pub enum Resolved {
    /// An opened regular file inside the allowed roots.
    File { path: PathBuf, opened: OpenedFile },
    /// No such file inside the allowed roots.
    Missing { path: PathBuf },
    /// The handle points outside the allowed roots; nothing was opened.
    Outside { path: PathBuf },
    /// Inside the roots, but not a regular file (a FIFO, a device, a folder) or not readable.
    Unreadable { path: PathBuf, reason: String },
}

impl Confinement {
    /// The roots for a savepoint in `dir`; `is_checkpoint` adds the job's checkpoint folder's
    /// `shared/` and `taskowned/` (a retained checkpoint `.../<job-id>/chk-N` refers to them).
    pub fn new(dir: &Path, is_checkpoint: bool, access: &SavepointAccess) -> Confinement {
        let resolved_dir = std::fs::canonicalize(dir).ok();
        let canonical_dir = resolved_dir.clone().unwrap_or_else(|| dir.to_path_buf());
        let mut roots = vec![canonical_dir.clone()];
        let checkpoint_root = if is_checkpoint {
            canonical_dir.parent().map(Path::to_path_buf)
        } else {
            None
        };
        if let Some(job_root) = &checkpoint_root {
            for sub in ["shared", "taskowned"] {
                roots.push(job_root.join(sub));
            }
        }
        for extra in &access.allow_outside {
            roots.push(std::fs::canonicalize(extra).unwrap_or_else(|_| extra.clone()));
        }
        Confinement {
            dir: dir.to_path_buf(),
            canonical_dir: resolved_dir,
            roots,
            checkpoint_root,
        }
    }

    /// Whether `path` (canonical) lies inside an allowed root.
    fn allows(&self, canonical: &Path) -> bool {
        self.roots.iter().any(|r| canonical.starts_with(r))
    }

    /// Opens `path` if, after following links, it lies inside the roots.
    pub fn open(&self, path: &Path) -> Resolved {
        if let Some(found) = self.open_in_folder(path) {
            return found;
        }
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(_) => {
                return Resolved::Missing {
                    path: path.to_path_buf(),
                };
            }
        };
        if !self.allows(&canonical) {
            return Resolved::Outside {
                path: path.to_path_buf(),
            };
        }
        // The canonical path has no links left: refuse one swapped in since.
        match open_regular(&canonical, false) {
            Ok(opened) => Resolved::File {
                path: path.to_path_buf(),
                opened,
            },
            Err(OpenError::Missing) => Resolved::Missing {
                path: path.to_path_buf(),
            },
            Err(OpenError::NotRegular) => Resolved::Unreadable {
                path: path.to_path_buf(),
                reason: "not a regular file".into(),
            },
            Err(OpenError::Io(e)) => Resolved::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            },
        }
    }

    /// A file directly in the savepoint folder (how RocksDB native savepoints name their
    /// thousands of state files), opened without resolving each path component: the canonical
    /// folder has no links, and `O_NOFOLLOW` refuses one as the file itself, so what opens lies
    /// inside the folder. `None` (resolve the slow way) for any other path or a refusal, which
    /// the slow way then explains (a link, a FIFO).
    fn open_in_folder(&self, path: &Path) -> Option<Resolved> {
        if !cfg!(unix) {
            return None;
        }
        let canonical_dir = self.canonical_dir.as_ref()?;
        let name = path.strip_prefix(&self.dir).ok()?;
        let mut parts = name.components();
        let (Some(Component::Normal(file)), None) = (parts.next(), parts.next()) else {
            return None;
        };
        match open_regular(&canonical_dir.join(file), false) {
            Ok(opened) => Some(Resolved::File {
                path: path.to_path_buf(),
                opened,
            }),
            Err(OpenError::Missing) => Some(Resolved::Missing {
                path: path.to_path_buf(),
            }),
            Err(_) => None,
        }
    }

    /// A relative handle: plain names only, joined to the savepoint folder.
    pub fn resolve_relative(&self, relative: &str) -> Option<PathBuf> {
        let rel = Path::new(relative);
        let plain = rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        plain.then(|| self.dir.join(rel))
    }

    /// An absolute handle (retained checkpoints): the path itself when it lies inside the
    /// roots, else the same file relative to where the checkpoint is now (`<chk-N>/x` beside
    /// `_metadata`, `shared/x` or `taskowned/x` of the job's folder). A path outside is never
    /// touched: only candidates inside the roots are opened.
    pub fn resolve_absolute(&self, path: &str) -> Resolved {
        let original = PathBuf::from(path);
        let lexical_inside = lexically_normal(&original).is_some_and(|p| {
            self.roots.iter().any(|r| p.starts_with(r)) || p.starts_with(&self.dir)
        });
        if lexical_inside {
            match self.open(&original) {
                Resolved::Missing { .. } => {}
                resolved => return resolved,
            }
        }
        for candidate in self.relocation_candidates(path) {
            if let found @ Resolved::File { .. } = self.open(&candidate) {
                return found;
            }
        }
        if lexical_inside {
            Resolved::Missing { path: original }
        } else {
            Resolved::Outside { path: original }
        }
    }

    fn relocation_candidates(&self, path: &str) -> Vec<PathBuf> {
        let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        let own_name = self.dir.file_name().and_then(|n| n.to_str());
        let mut out = Vec::new();
        for (i, c) in components.iter().enumerate().rev() {
            let rest = &components[i + 1..];
            if rest.is_empty() || rest.iter().any(|r| *r == ".." || *r == ".") {
                continue;
            }
            let base = if Some(*c) == own_name {
                Some(self.dir.clone())
            } else if *c == "shared" || *c == "taskowned" {
                self.checkpoint_root.as_ref().map(|p| p.join(c))
            } else {
                None
            };
            if let Some(base) = base {
                out.push(rest.iter().fold(base, |p, r| p.join(r)));
            }
        }
        out
    }
}

/// `path` without `.` components; `None` when it has `..` (it could climb out of anything).
fn lexically_normal(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => return None,
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_is_never_lexically_inside() {
        assert!(lexically_normal(Path::new("/a/b/../c")).is_none());
        assert_eq!(
            lexically_normal(Path::new("/a/./b")),
            Some(PathBuf::from("/a/b"))
        );
    }

    #[test]
    fn relative_handles_take_plain_names_only() {
        let c = Confinement::new(
            Path::new("/nonexistent/sp"),
            false,
            &SavepointAccess::default(),
        );
        assert!(c.resolve_relative("x/y").is_some());
        assert!(c.resolve_relative("../y").is_none());
        assert!(c.resolve_relative("/etc/passwd").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn files_directly_in_the_folder_open_and_links_are_still_judged() {
        // The quick open of a plain name must agree with full resolution: a file opens, a
        // missing one is missing, a link out is outside, a link that stays inside opens.
        let work = tempfile::tempdir().unwrap();
        let sp = work.path().join("sp");
        std::fs::create_dir(&sp).unwrap();
        std::fs::write(sp.join("state"), b"bytes").unwrap();
        std::fs::write(work.path().join("secret"), b"no").unwrap();
        std::os::unix::fs::symlink(work.path().join("secret"), sp.join("out")).unwrap();
        std::os::unix::fs::symlink(sp.join("state"), sp.join("in")).unwrap();
        let c = Confinement::new(&sp, false, &SavepointAccess::default());
        let file = |name: &str| c.resolve_relative(name).unwrap();
        assert!(matches!(c.open(&file("state")), Resolved::File { opened, .. } if opened.len == 5));
        assert!(matches!(c.open(&file("missing")), Resolved::Missing { .. }));
        assert!(matches!(c.open(&file("out")), Resolved::Outside { .. }));
        assert!(matches!(c.open(&file("in")), Resolved::File { .. }));
    }
}
