//! The serialization headers at the start of keyed and operator state streams: which states a
//! backend holds, of which kind, with which serializer snapshots.

use serde::Serialize;

use crate::javaio::data_input::{DataReader, DecodeResult};
use crate::schema::snapshot::{SerializerSnapshot, read_proxy_snapshot};

/// Flink's `StateMetaInfoSnapshot.BackendStateType`, written as its ordinal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BackendStateType {
    KeyValue,
    Operator,
    Broadcast,
    PriorityQueue,
    KeyValueV2,
}

impl BackendStateType {
    fn from_ordinal(n: i32) -> Option<Self> {
        Some(match n {
            0 => BackendStateType::KeyValue,
            1 => BackendStateType::Operator,
            2 => BackendStateType::Broadcast,
            3 => BackendStateType::PriorityQueue,
            4 => BackendStateType::KeyValueV2,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BackendStateType::KeyValue => "KEY_VALUE",
            BackendStateType::Operator => "OPERATOR",
            BackendStateType::Broadcast => "BROADCAST",
            BackendStateType::PriorityQueue => "PRIORITY_QUEUE",
            BackendStateType::KeyValueV2 => "KEY_VALUE_V2",
        }
    }
}

/// One serializer entry of a state: its key (`VALUE_SERIALIZER`, ...) and snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedSerializer {
    pub key: String,
    pub snapshot: SerializerSnapshot,
}

/// One state as a backend header describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateMetaInfo {
    pub name: String,
    pub backend_state_type: BackendStateType,
    pub options: Vec<(String, String)>,
    pub serializers: Vec<NamedSerializer>,
    /// False when a serializer of this state could not be decoded; the entries after it in the
    /// same header are then unreadable.
    pub complete: bool,
}

impl StateMetaInfo {
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn serializer(&self, key: &str) -> Option<&SerializerSnapshot> {
        self.serializers
            .iter()
            .find(|s| s.key == key)
            .map(|s| &s.snapshot)
    }

    /// The kind of state as users name it: value, list, map, reducing, aggregating,
    /// operator-list, union-list, broadcast, timers.
    pub fn kind(&self) -> &'static str {
        match self.backend_state_type {
            BackendStateType::KeyValue | BackendStateType::KeyValueV2 => {
                match self.option("KEYED_STATE_TYPE") {
                    Some("VALUE") => "value",
                    Some("LIST") => "list",
                    Some("MAP") => "map",
                    Some("REDUCING") => "reducing",
                    Some("AGGREGATING") => "aggregating",
                    Some("FOLDING") => "folding",
                    _ => "unknown",
                }
            }
            BackendStateType::Operator => match self.option("OPERATOR_STATE_DISTRIBUTION_MODE") {
                Some("UNION") => "union-list",
                Some("BROADCAST") => "broadcast",
                _ => "operator-list",
            },
            BackendStateType::Broadcast => "broadcast",
            BackendStateType::PriorityQueue => "timers",
        }
    }
}

/// A header that could only be read up to some point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unreadable {
    /// Byte offset (in the stream's file) where reading stopped.
    pub offset: u64,
    /// The class that could not be decoded.
    pub class: String,
    /// The class is a pre-1.7 `TypeSerializerConfigSnapshot`, not an unknown one.
    pub legacy: bool,
    /// How many declared states were not read because of it.
    pub states_not_read: usize,
}

/// `KeyedBackendSerializationProxy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyedBackendMeta {
    pub version: i32,
    pub compressed: bool,
    pub key_serializer: SerializerSnapshot,
    pub states: Vec<StateMetaInfo>,
    pub unreadable: Option<Unreadable>,
}

/// `OperatorBackendSerializationProxy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorBackendMeta {
    pub version: i32,
    pub compressed: bool,
    pub operator_states: Vec<StateMetaInfo>,
    pub broadcast_states: Vec<StateMetaInfo>,
    pub unreadable: Option<Unreadable>,
}

/// Reads one state meta info; returns it and whether the stream is still in sync.
fn read_state_meta_info(
    r: &mut DataReader,
) -> DecodeResult<(StateMetaInfo, Option<(String, bool)>)> {
    let name = r.utf("state name")?;
    let at = r.offset();
    let ordinal = r.i32("backend state type")?;
    let backend_state_type = BackendStateType::from_ordinal(ordinal).ok_or_else(|| {
        r.error_at(
            at,
            "backend state type 0-4 (KEY_VALUE, OPERATOR, BROADCAST, PRIORITY_QUEUE, KEY_VALUE_V2)",
            ordinal.to_string(),
        )
    })?;
    let n = r.count("number of state options", 4)?;
    let mut options = Vec::new();
    for _ in 0..n {
        let k = r.utf("state option key")?;
        let v = r.utf("state option value")?;
        options.push((k, v));
    }
    let n = r.count("number of state serializers", 6)?;
    let mut serializers = Vec::new();
    let mut lost_at = None;
    for _ in 0..n {
        let key = r.utf("serializer key")?;
        let read = read_proxy_snapshot(r)?;
        let in_sync = read.in_sync;
        if !in_sync {
            lost_at = Some(lost_class(&read.snapshot));
        }
        serializers.push(NamedSerializer {
            key,
            snapshot: read.snapshot,
        });
        if !in_sync {
            break;
        }
    }
    Ok((
        StateMetaInfo {
            name,
            backend_state_type,
            options,
            serializers,
            complete: lost_at.is_none(),
        },
        lost_at,
    ))
}

/// The class at which a snapshot tree stopped being readable, and whether it is a legacy one.
fn lost_class(snapshot: &SerializerSnapshot) -> (String, bool) {
    snapshot.first_undecodable().map_or_else(
        || (snapshot.class.clone(), false),
        |(c, l)| (c.to_string(), l),
    )
}

/// Reads `count` state meta infos, stopping (with a note) at the first undecodable serializer.
fn read_states(
    r: &mut DataReader,
    count: usize,
) -> DecodeResult<(Vec<StateMetaInfo>, Option<Unreadable>)> {
    let mut states = Vec::new();
    for i in 0..count {
        let (state, lost) = read_state_meta_info(r)?;
        states.push(state);
        if let Some((class, legacy)) = lost {
            return Ok((
                states,
                Some(Unreadable {
                    offset: r.offset(),
                    class,
                    legacy,
                    states_not_read: count - i - 1,
                }),
            ));
        }
    }
    Ok((states, None))
}

/// Reads the keyed backend header at the start of `r`.
pub fn read_keyed_backend_meta(r: &mut DataReader) -> DecodeResult<KeyedBackendMeta> {
    let at = r.offset();
    let version = r.i32("keyed backend serialization proxy version")?;
    if !(1..=6).contains(&version) {
        return Err(r.error_at(
            at,
            "keyed backend serialization proxy version 1-6 (Flink 1.17+ reads only 6)",
            version.to_string(),
        ));
    }
    let compressed = if version >= 4 {
        r.bool("key-group compression flag")?
    } else {
        false
    };
    let key = read_proxy_snapshot(r)?;
    let count = r.count16("number of keyed states", 14)?;
    let (states, unreadable) = if key.in_sync {
        read_states(r, count)?
    } else {
        let (class, legacy) = lost_class(&key.snapshot);
        (
            Vec::new(),
            Some(Unreadable {
                offset: r.offset(),
                class,
                legacy,
                states_not_read: count,
            }),
        )
    };
    Ok(KeyedBackendMeta {
        version,
        compressed,
        key_serializer: key.snapshot,
        states,
        unreadable,
    })
}

/// Reads the operator backend header at the start of `r`.
pub fn read_operator_backend_meta(r: &mut DataReader) -> DecodeResult<OperatorBackendMeta> {
    let at = r.offset();
    let version = r.i32("operator backend serialization proxy version")?;
    if !(1..=6).contains(&version) {
        return Err(r.error_at(
            at,
            "operator backend serialization proxy version 1-6",
            version.to_string(),
        ));
    }
    let compressed = if version >= 6 {
        r.bool("operator state compression flag")?
    } else {
        false
    };
    let count = r.count16("number of operator states", 14)?;
    let (operator_states, unreadable) = read_states(r, count)?;
    if unreadable.is_some() {
        return Ok(OperatorBackendMeta {
            version,
            compressed,
            operator_states,
            broadcast_states: Vec::new(),
            unreadable,
        });
    }
    let (broadcast_states, unreadable) = if version >= 3 {
        let count = r.count16("number of broadcast states", 14)?;
        read_states(r, count)?
    } else {
        (Vec::new(), None)
    };
    Ok(OperatorBackendMeta {
        version,
        compressed,
        operator_states,
        broadcast_states,
        unreadable,
    })
}
