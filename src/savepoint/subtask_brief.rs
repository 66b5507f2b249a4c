//! What `inspect --format json` says about each subtask's state handles by default: everything
//! `_metadata` records except the per-key-group stream offsets, which are counted instead of
//! listed (a savepoint at max parallelism 4096 has 4096 of them per keyed operator, and no
//! consumer of the report needs them; `inspect --all-handles` lists them).

use serde::Serialize;

use super::handles::{KeyGroupsHandle, KeyGroupsKind, KeyedHandle, OperatorHandle, StreamHandle};
use super::metadata::SubtaskState;
use super::metadata_file::MetadataBytes;

/// How much of every subtask's handles a summary carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HandleDetail {
    /// Key-group offsets counted, not listed.
    #[default]
    Brief,
    /// Every handle as `_metadata` records it.
    Full,
    /// Not kept: for reports that never show subtask handles (text `inspect`, `check`, `diff`),
    /// which then skip copying every subtask's handle lists.
    Omitted,
}

/// Every subtask's state handles, at the chosen [`HandleDetail`].
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SubtaskStates {
    Brief(Vec<SubtaskBrief>),
    Full(Vec<SubtaskState>),
    /// Built with [`HandleDetail::Omitted`]; not serialized.
    Omitted,
}

impl SubtaskStates {
    /// `metadata` is the `_metadata` the subtasks were read from (inline handle names and
    /// key-group offsets stay there until a listing reads them).
    pub fn build(
        subtasks: &[SubtaskState],
        detail: HandleDetail,
        metadata: &MetadataBytes,
    ) -> SubtaskStates {
        match detail {
            HandleDetail::Brief => {
                let listing = Listing {
                    metadata,
                    offsets: false,
                };
                SubtaskStates::Brief(
                    subtasks
                        .iter()
                        .map(|s| {
                            let mut brief = SubtaskBrief::build(s);
                            listing.brief(&mut brief);
                            brief
                        })
                        .collect(),
                )
            }
            HandleDetail::Full => {
                let listing = Listing {
                    metadata,
                    offsets: true,
                };
                SubtaskStates::Full(
                    subtasks
                        .iter()
                        .map(|s| {
                            let mut s = s.clone();
                            listing.subtask(&mut s);
                            s
                        })
                        .collect(),
                )
            }
            HandleDetail::Omitted => SubtaskStates::Omitted,
        }
    }

    pub fn is_omitted(&self) -> bool {
        matches!(self, SubtaskStates::Omitted)
    }
}

/// A [`SubtaskState`] with key-groups handles summarised.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubtaskBrief {
    pub index: i32,
    pub finished: bool,
    pub managed_operator_state: Option<Box<OperatorHandle>>,
    pub raw_operator_state: Option<Box<OperatorHandle>>,
    // Boxed: a wide savepoint's JSON report holds tens of thousands of these, most without
    // raw keyed state, and fresh memory showed in its profile.
    pub managed_keyed_state: Option<Box<KeyedBrief>>,
    pub raw_keyed_state: Option<Box<KeyedBrief>>,
    pub channel_state_handles: usize,
    pub channel_state_size: u64,
}

impl SubtaskBrief {
    fn build(s: &SubtaskState) -> SubtaskBrief {
        SubtaskBrief {
            index: s.index,
            finished: s.finished,
            managed_operator_state: s.managed_operator_state.clone(),
            raw_operator_state: s.raw_operator_state.clone(),
            managed_keyed_state: s.managed_keyed_state.as_deref().map(KeyedBrief::boxed),
            raw_keyed_state: s.raw_keyed_state.as_deref().map(KeyedBrief::boxed),
            channel_state_handles: s.channel_state_handles,
            channel_state_size: s.channel_state_size,
        }
    }
}

/// A keyed handle; a key-groups handle's offsets become counts, other kinds are kept whole.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum KeyedBrief {
    KeyGroups(KeyGroupsBrief),
    Other(Box<KeyedHandle>),
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyGroupsBrief {
    /// `keyGroups`, as the full form's tag.
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub kind: KeyGroupsKind,
    pub start_key_group: i32,
    /// Key groups in the range (the full form lists one offset per group).
    pub num_key_groups: usize,
    /// Key groups whose offset is not 0, i.e. that hold data.
    pub key_groups_with_data: usize,
    pub delegate: Option<StreamHandle>,
    pub state_handle_id: Option<Box<str>>,
}

impl KeyedBrief {
    fn boxed(h: &KeyedHandle) -> Box<KeyedBrief> {
        Box::new(match h {
            KeyedHandle::KeyGroups(g) => KeyedBrief::KeyGroups(KeyGroupsBrief {
                type_: "keyGroups",
                kind: g.kind,
                start_key_group: g.start_key_group,
                num_key_groups: g.offsets.len(),
                key_groups_with_data: g.offsets.with_data(),
                delegate: g.delegate.clone(),
                state_handle_id: g.state_handle_id.clone(),
            }),
            other => KeyedBrief::Other(Box::new(other.clone())),
        })
    }
}

/// Reads from `_metadata` what a listing of handles shows and the reader left there: every
/// inline handle's name and, for the full form, every key-group offset.
struct Listing<'m> {
    metadata: &'m MetadataBytes,
    offsets: bool,
}

impl Listing<'_> {
    fn subtask(&self, s: &mut SubtaskState) {
        for h in [&mut s.managed_keyed_state, &mut s.raw_keyed_state]
            .into_iter()
            .flatten()
        {
            self.keyed(h);
        }
        self.operator_handles(&mut s.managed_operator_state, &mut s.raw_operator_state);
    }

    fn brief(&self, s: &mut SubtaskBrief) {
        for h in [&mut s.managed_keyed_state, &mut s.raw_keyed_state]
            .into_iter()
            .flatten()
        {
            match &mut **h {
                KeyedBrief::KeyGroups(g) => {
                    if let Some(d) = &mut g.delegate {
                        self.stream(d);
                    }
                }
                KeyedBrief::Other(h) => self.keyed(h),
            }
        }
        self.operator_handles(&mut s.managed_operator_state, &mut s.raw_operator_state);
    }

    fn operator_handles(
        &self,
        managed: &mut Option<Box<OperatorHandle>>,
        raw: &mut Option<Box<OperatorHandle>>,
    ) {
        for h in [managed, raw].into_iter().flatten() {
            if let Some(d) = &mut h.delegate {
                self.stream(d);
            }
        }
    }

    // Recursion is bounded: the reader refuses handles nested deeper than a few levels.
    fn keyed(&self, h: &mut KeyedHandle) {
        match h {
            KeyedHandle::KeyGroups(g) => self.groups(g),
            KeyedHandle::Incremental(h) => {
                let files = h.shared.iter_mut().chain(h.private.iter_mut());
                for s in h
                    .meta
                    .iter_mut()
                    .chain(files.filter_map(|f| f.handle.as_mut()))
                {
                    self.stream(s);
                }
            }
            KeyedHandle::Changelog {
                materialized,
                non_materialized,
                ..
            } => {
                for h in materialized.iter_mut().chain(non_materialized.iter_mut()) {
                    self.keyed(h);
                }
            }
            KeyedHandle::ChangelogStream { handles, .. } => {
                for s in handles {
                    self.stream(s);
                }
            }
            KeyedHandle::InMemoryChangelog { .. } => {}
        }
    }

    fn groups(&self, g: &mut KeyGroupsHandle) {
        if self.offsets {
            g.offsets.decode(&self.metadata.range(g.offsets.range()));
        }
        if let Some(d) = &mut g.delegate {
            self.stream(d);
        }
    }

    fn stream(&self, s: &mut StreamHandle) {
        match s {
            StreamHandle::KeyGroups(g) => self.groups(g),
            StreamHandle::Inline { name, .. } => name.decode(&self.metadata.range(name.range())),
            _ => {}
        }
    }
}
