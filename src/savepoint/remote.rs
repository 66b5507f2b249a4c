//! Reading a savepoint on an object store ([`super::store`]) and resolving state handles
//! behind one seam: the local [`Confinement`] or the remote store's confinement.

use std::path::PathBuf;

use super::access::{Confinement, Resolved, SavepointAccess};
use super::handles::StreamHandle;
use super::metadata::OperatorState;
use super::metadata_only::{METADATA_ONLY_ALONE, METADATA_ONLY_ASKED};
use super::{
    FIRST_HEADER_READ, MAX_METADATA_BYTES, Savepoint, SavepointError, store, strip_file_scheme,
};

/// Where a savepoint's state files are read from.
pub(super) enum Source {
    Local(Confinement),
    Remote {
        remote: Box<store::Remote>,
        confinement: store::RemoteConfinement,
    },
}

/// A state file a handle resolved to.
pub(super) enum Located {
    Local(super::access::OpenedFile),
    Remote(store::Object),
}

/// What a state handle names: a path relative to the savepoint folder, or an absolute one.
pub(super) enum Target<'h> {
    Relative(&'h str),
    Absolute(&'h str),
}

impl Savepoint {
    /// A savepoint on an object store: `url` names its folder or its `_metadata`.
    pub fn open_remote(url: &str, access: &SavepointAccess) -> Result<Savepoint, SavepointError> {
        let given = store::StoreUrl::parse(url)?;
        let (dir_url, metadata_key) = match given.key.rsplit_once('/') {
            Some((parent, "_metadata")) => (given.with_key(parent), given.key.clone()),
            None if given.key == "_metadata" => (given.with_key(""), given.key.clone()),
            _ => (
                given.clone(),
                format!("{}/_metadata", given.key)
                    .trim_start_matches('/')
                    .to_string(),
            ),
        };
        let remote = store::Remote::connect(&dir_url)?;
        let dir = PathBuf::from(dir_url.to_string());
        let metadata_path = PathBuf::from(dir_url.with_key(&metadata_key).to_string());
        let Some(bytes) = remote.read_whole(&metadata_key, MAX_METADATA_BYTES)? else {
            return Err(SavepointError::NoMetadata { dir });
        };
        let allow: Vec<String> = access
            .allow_outside
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let mut sp = Savepoint::from_bytes(metadata_path, dir, bytes, |_, is_checkpoint| {
            Source::Remote {
                remote: Box::new(remote),
                confinement: store::RemoteConfinement::new(&dir_url, is_checkpoint, &allow),
            }
        })?;
        if access.metadata_only {
            sp.metadata_only = Some(METADATA_ONLY_ASKED.into());
        } else if sp.references_state_files()
            && let Source::Remote { remote, .. } = &sp.source
        {
            let listed = remote.list(&dir_url.key).unwrap_or_default();
            if !listed.is_empty() && listed.iter().all(|l| l.name == "_metadata") {
                sp.metadata_only = Some(METADATA_ONLY_ALONE.into());
            }
        }
        Ok(sp)
    }

    /// What was read from the store so far, for a remote savepoint: its URL, bytes, objects.
    pub fn remote_reads(&self) -> Option<(String, std::sync::Arc<store::Counters>)> {
        match &self.source {
            Source::Remote { remote, .. } => {
                Some((self.dir.display().to_string(), remote.counters.clone()))
            }
            Source::Local(_) => None,
        }
    }

    /// The state file a handle names, resolved inside the savepoint's roots and opened (local)
    /// or measured (remote).
    pub(super) fn locate(
        &self,
        target: Target<'_>,
        operator: &OperatorState,
    ) -> Result<(PathBuf, Located), SavepointError> {
        let unsafe_path = |path: &str| SavepointError::UnsafePath {
            path: path.to_string(),
            metadata: self.metadata_path.clone(),
        };
        let missing = |file: PathBuf| SavepointError::MissingStateFile {
            file,
            metadata: self.metadata_path.clone(),
            operator: operator.operator_id.to_hex(),
        };
        let confinement = match &self.source {
            Source::Local(confinement) => confinement,
            Source::Remote {
                remote,
                confinement,
            } => {
                let resolved = match target {
                    Target::Relative(r) => confinement
                        .resolve_relative(remote, r)?
                        .ok_or_else(|| unsafe_path(r))?,
                    Target::Absolute(p) => confinement.resolve_absolute(remote, p)?,
                };
                return match resolved {
                    store::RemoteResolved::Object { url, object } => {
                        Ok((PathBuf::from(url.to_string()), Located::Remote(object)))
                    }
                    store::RemoteResolved::Missing { url } => Err(missing(PathBuf::from(url))),
                    store::RemoteResolved::Outside { url } => {
                        Err(SavepointError::OutsideStoreRoot {
                            path: url,
                            metadata: self.metadata_path.clone(),
                            operator: operator.operator_id.to_hex(),
                            roots: confinement.describe_roots(),
                        })
                    }
                };
            }
        };
        let resolved = match target {
            Target::Relative(relative_path) => {
                let Some(path) = confinement.resolve_relative(relative_path) else {
                    return Err(unsafe_path(relative_path));
                };
                confinement.open(&path)
            }
            Target::Absolute(path) => confinement.resolve_absolute(strip_file_scheme(path)),
        };
        match resolved {
            Resolved::File { path, opened } => Ok((path, Located::Local(opened))),
            Resolved::Missing { path } => Err(missing(path)),
            Resolved::Outside { path } => Err(SavepointError::OutsideSavepoint {
                path: path.display().to_string(),
                metadata: self.metadata_path.clone(),
                operator: operator.operator_id.to_hex(),
            }),
            Resolved::Unreadable { path, reason } => Err(SavepointError::UnreadableStateFile {
                file: path,
                reason,
                operator: operator.operator_id.to_hex(),
            }),
        }
    }

    /// Remote savepoints: the first header bytes of every state file of `operator` read ahead
    /// in parallel (bounded), so that the sequential decoding below waits for one round trip
    /// per operator instead of one per file.
    pub(super) fn prefetch_headers(&self, operator: &OperatorState) {
        if self.metadata_only.is_some() {
            return;
        }
        let Source::Remote {
            remote,
            confinement,
        } = &self.source
        else {
            return;
        };
        let mut wanted = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let streams = operator.subtasks.iter().flat_map(|s| {
            let keyed = s
                .managed_keyed_state
                .as_ref()
                .and_then(|h| h.header_stream());
            let op = s
                .managed_operator_state
                .as_ref()
                .and_then(|h| h.delegate.as_ref());
            keyed.into_iter().chain(op)
        });
        for mut stream in streams {
            while let StreamHandle::KeyGroups(h) = stream {
                match &h.delegate {
                    Some(d) => stream = d,
                    None => break,
                }
            }
            let (resolved, start, size) = match stream {
                StreamHandle::RelativeFile { relative_path, .. } => (
                    confinement
                        .resolve_relative(remote, relative_path)
                        .ok()
                        .flatten(),
                    0,
                    None,
                ),
                StreamHandle::File { path, .. } => {
                    (confinement.resolve_absolute(remote, path).ok(), 0, None)
                }
                StreamHandle::Segment(h) => (
                    confinement.resolve_absolute(remote, &h.physical_path).ok(),
                    h.start.max(0) as u64,
                    Some(h.size.max(0) as u64),
                ),
                _ => continue,
            };
            if let Some(store::RemoteResolved::Object { object, .. }) = resolved {
                let end = size.map_or(object.len, |s| start.saturating_add(s).min(object.len));
                let want = end.saturating_sub(start).min(FIRST_HEADER_READ);
                if seen.insert((object.key.clone(), start)) {
                    wanted.push((object.key, start, want));
                }
            }
        }
        remote.prefetch(wanted);
    }
}
