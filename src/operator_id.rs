//! Flink's `OperatorID`: 16 bytes, printed as 32 lowercase hex characters.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An operator ID exactly as Flink prints it: the 16 bytes as stored in `_metadata`
/// (lowerPart then upperPart, big-endian), hex-encoded in order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperatorId(pub [u8; 16]);

impl OperatorId {
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        OperatorId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        let mut out = String::with_capacity(32);
        for b in self.0 {
            out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
            out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
        }
        out
    }
}

/// Why a string is not an operator ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 32 hexadecimal characters, found {found:?}")]
pub struct ParseOperatorIdError {
    pub found: String,
}

impl FromStr for OperatorId {
    type Err = ParseOperatorIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseOperatorIdError {
            found: s.to_string(),
        };
        let raw = s.as_bytes();
        if raw.len() != 32 {
            return Err(err());
        }
        let mut bytes = [0u8; 16];
        for (i, pair) in raw.chunks_exact(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16).ok_or_else(err)?;
            let lo = (pair[1] as char).to_digit(16).ok_or_else(err)?;
            bytes[i] = (hi * 16 + lo) as u8;
        }
        Ok(OperatorId(bytes))
    }
}

impl fmt::Display for OperatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for OperatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OperatorId({})", self.to_hex())
    }
}

impl Serialize for OperatorId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for OperatorId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let id: OperatorId = "bef22c5df1ab33dd94bb7a6ecac555fb".parse().unwrap();
        assert_eq!(id.as_bytes()[0], 0xbe);
        assert_eq!(id.to_string(), "bef22c5df1ab33dd94bb7a6ecac555fb");
        assert!(
            "BEF22C5DF1AB33DD94BB7A6ECAC555FB"
                .parse::<OperatorId>()
                .is_ok()
        );
        assert!("xyz".parse::<OperatorId>().is_err());
        assert!(
            "zz f22c5df1ab33dd94bb7a6ecac555fb"
                .parse::<OperatorId>()
                .is_err()
        );
    }
}
