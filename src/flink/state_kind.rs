//! The kinds of state an operator registers, as one type for the savepoint reader, the
//! job-graph loader and the analysis (which matches on them rather than on their names).

use serde::{Serialize, Serializer};

/// A kind of state. The savepoint side also knows timer queues and kinds the tool does not
/// model (`folding`, `unknown`); the job-graph format declares only the first eight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateKind {
    Value,
    List,
    Map,
    Reducing,
    Aggregating,
    OperatorList,
    UnionList,
    Broadcast,
    Timers,
    Folding,
    Unknown,
}

/// Which namespace of state names a kind lives in: Flink matches names within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFamily {
    Keyed,
    Operator,
    Broadcast,
    Timers,
    Other,
}

impl StateKind {
    /// The kind named as reports and the savepoint inventory name it; any other name is
    /// [`StateKind::Unknown`].
    pub fn from_name(name: &str) -> StateKind {
        match name {
            "value" => StateKind::Value,
            "list" => StateKind::List,
            "map" => StateKind::Map,
            "reducing" => StateKind::Reducing,
            "aggregating" => StateKind::Aggregating,
            "operator-list" => StateKind::OperatorList,
            "union-list" => StateKind::UnionList,
            "broadcast" => StateKind::Broadcast,
            "timers" => StateKind::Timers,
            "folding" => StateKind::Folding,
            _ => StateKind::Unknown,
        }
    }

    /// The name in JSON and text output (and in the savepoint inventory).
    pub fn as_str(self) -> &'static str {
        match self {
            StateKind::Value => "value",
            StateKind::List => "list",
            StateKind::Map => "map",
            StateKind::Reducing => "reducing",
            StateKind::Aggregating => "aggregating",
            StateKind::OperatorList => "operator-list",
            StateKind::UnionList => "union-list",
            StateKind::Broadcast => "broadcast",
            StateKind::Timers => "timers",
            StateKind::Folding => "folding",
            StateKind::Unknown => "unknown",
        }
    }

    /// Flink's name for the kind in its error texts; kinds it has no such name for keep ours.
    pub fn flink_name(self) -> &'static str {
        match self {
            StateKind::Value => "VALUE",
            StateKind::List => "LIST",
            StateKind::Map => "MAP",
            StateKind::Reducing => "REDUCING",
            StateKind::Aggregating => "AGGREGATING",
            StateKind::OperatorList => "SPLIT_DISTRIBUTE",
            StateKind::UnionList => "UNION",
            StateKind::Broadcast => "BROADCAST",
            other => other.as_str(),
        }
    }

    pub fn family(self) -> StateFamily {
        match self {
            StateKind::Value
            | StateKind::List
            | StateKind::Map
            | StateKind::Reducing
            | StateKind::Aggregating => StateFamily::Keyed,
            StateKind::OperatorList | StateKind::UnionList => StateFamily::Operator,
            StateKind::Broadcast => StateFamily::Broadcast,
            StateKind::Timers => StateFamily::Timers,
            StateKind::Folding | StateKind::Unknown => StateFamily::Other,
        }
    }
}

impl std::fmt::Display for StateKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as its name, as the string field it replaces was.
impl Serialize for StateKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        use StateKind::*;
        for k in [
            Value,
            List,
            Map,
            Reducing,
            Aggregating,
            OperatorList,
            UnionList,
            Broadcast,
            Timers,
            Folding,
            Unknown,
        ] {
            assert_eq!(StateKind::from_name(k.as_str()), k);
        }
        assert_eq!(StateKind::from_name("other"), Unknown);
        assert_eq!(OperatorList.flink_name(), "SPLIT_DISTRIBUTE");
        assert_eq!(Timers.flink_name(), "timers");
    }
}
