//! Where a remote savepoint's state handles may lead: the same rules as the local
//! [`crate::savepoint::access::Confinement`], on keys of one store. A handle naming another
//! store, or a key outside the roots, is refused before any request is made for it.

use super::url::{StoreUrl, normal_key};
use super::{Object, Remote, StoreError};

/// The key prefixes of one store a savepoint's state handles may resolve into.
#[derive(Debug, Clone)]
pub struct RemoteConfinement {
    /// The savepoint folder (relative handles are joined to it).
    pub dir: StoreUrl,
    /// Keys (folders) inside which a state file must lie.
    roots: Vec<String>,
    /// The job's checkpoint folder of a retained checkpoint (`shared/`, `taskowned/`).
    checkpoint_root: Option<String>,
}

/// Where a state handle led.
pub enum RemoteResolved {
    Object { url: StoreUrl, object: Object },
    Missing { url: String },
    Outside { url: String },
}

fn under(key: &str, root: &str) -> bool {
    root.is_empty() || key == root || key.strip_prefix(root).is_some_and(|r| r.starts_with('/'))
}

impl RemoteConfinement {
    /// The roots for the savepoint at `dir`; `is_checkpoint` adds the job folder's `shared/`
    /// and `taskowned/`; `allow_outside` entries that are URLs of this store add their keys.
    pub fn new(dir: &StoreUrl, is_checkpoint: bool, allow_outside: &[String]) -> RemoteConfinement {
        let mut roots = vec![dir.key.clone()];
        let checkpoint_root = if is_checkpoint {
            Some(dir.key.rsplit_once('/').map_or("", |(p, _)| p).to_string())
        } else {
            None
        };
        if let Some(job) = &checkpoint_root {
            for sub in ["shared", "taskowned"] {
                roots.push(join(job, sub));
            }
        }
        for extra in allow_outside {
            if let Ok(u) = StoreUrl::parse(extra)
                && u.same_store(dir)
            {
                roots.push(u.key);
            }
        }
        RemoteConfinement {
            dir: dir.clone(),
            roots,
            checkpoint_root,
        }
    }

    fn allows(&self, key: &str) -> bool {
        self.roots.iter().any(|r| under(key, r))
    }

    /// The savepoint's own roots, as a message names them.
    pub fn describe_roots(&self) -> String {
        self.roots
            .iter()
            .map(|r| self.dir.with_key(r).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A relative handle: plain names only, joined to the savepoint folder.
    pub fn resolve_relative(
        &self,
        remote: &Remote,
        relative: &str,
    ) -> Result<Option<RemoteResolved>, StoreError> {
        let plain =
            !relative.starts_with('/') && relative.split('/').all(|c| !c.is_empty() && c != "..");
        if !plain {
            return Ok(None);
        }
        let key = join(&self.dir.key, relative);
        self.open(remote, &key).map(Some)
    }

    fn open(&self, remote: &Remote, key: &str) -> Result<RemoteResolved, StoreError> {
        let url = self.dir.with_key(key);
        Ok(match remote.stat(key)? {
            Some(len) => RemoteResolved::Object {
                url,
                object: Object {
                    key: key.to_string(),
                    len,
                },
            },
            None => RemoteResolved::Missing {
                url: url.to_string(),
            },
        })
    }

    /// An absolute handle (retained checkpoints): a URL of this store inside the roots is read
    /// as it is; else (another store, a `file:` path the checkpoint was written to, a key
    /// outside) the same file relative to where the checkpoint is now, tried only inside the
    /// roots. A key outside is never requested.
    pub fn resolve_absolute(
        &self,
        remote: &Remote,
        path: &str,
    ) -> Result<RemoteResolved, StoreError> {
        let direct = StoreUrl::parse(path)
            .ok()
            .filter(|u| u.same_store(&self.dir))
            .map(|u| u.key);
        let inside = direct.as_deref().filter(|k| self.allows(k));
        if let Some(key) = inside {
            match self.open(remote, key)? {
                RemoteResolved::Missing { .. } => {}
                found => return Ok(found),
            }
        }
        for candidate in self.relocation_candidates(path) {
            if let found @ RemoteResolved::Object { .. } = self.open(remote, &candidate)? {
                return Ok(found);
            }
        }
        Ok(if inside.is_some() {
            RemoteResolved::Missing {
                url: path.to_string(),
            }
        } else {
            RemoteResolved::Outside {
                url: path.to_string(),
            }
        })
    }

    fn relocation_candidates(&self, path: &str) -> Vec<String> {
        let without_scheme = path.split_once("://").map_or(path, |(_, r)| r);
        let without_scheme = without_scheme
            .strip_prefix("file:")
            .unwrap_or(without_scheme);
        let components: Vec<&str> = without_scheme
            .split('/')
            .filter(|c| !c.is_empty())
            .collect();
        let own_name = self.dir.key.rsplit('/').next().filter(|n| !n.is_empty());
        let mut out = Vec::new();
        for (i, c) in components.iter().enumerate().rev() {
            let rest = &components[i + 1..];
            if rest.is_empty() || rest.iter().any(|r| *r == ".." || *r == ".") {
                continue;
            }
            let base = if Some(*c) == own_name {
                Some(self.dir.key.clone())
            } else if *c == "shared" || *c == "taskowned" {
                self.checkpoint_root.as_deref().map(|p| join(p, c))
            } else {
                None
            };
            if let Some(base) = base
                && let Some(key) = normal_key(&join(&base, &rest.join("/")))
                && self.allows(&key)
            {
                out.push(key);
            }
        }
        out
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}/{b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_key_prefixes_of_one_store() {
        let dir = StoreUrl::parse("s3://b/jobs/j1/chk-7").unwrap();
        let c = RemoteConfinement::new(&dir, true, &["s3://b/extra".into(), "gs://b/x".into()]);
        assert!(c.allows("jobs/j1/chk-7/f") && c.allows("jobs/j1/shared/s") && c.allows("extra/y"));
        assert!(!c.allows("jobs/j1/chk-70/f") && !c.allows("jobs/j2/shared/s") && !c.allows("x/y"));
        assert_eq!(
            c.relocation_candidates("file:/tmp/old/j1/shared/abc"),
            vec!["jobs/j1/shared/abc".to_string()]
        );
        assert!(
            c.relocation_candidates("s3://b/elsewhere/secret")
                .is_empty()
        );
    }
}
