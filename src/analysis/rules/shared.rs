//! Texts that several rules share.

use super::Text;

/// Flink's errors where it registers or reads a state whose saved serializer the new one
/// rejects. Every schema rule that fails there shares them: the text depends on the state's
/// role, the backend and the saved class, not on which rule explains the change.
pub const SERIALIZER_ERRORS: &[Text] = &[
    text(
        "key",
        "The new key serializer ({new}) must be compatible with the previous key serializer ({old}).",
    ),
    text(
        "namespace-heap",
        "For heap backends, the new namespace serializer ({new}) must be compatible with the old namespace serializer ({old}).",
    ),
    text(
        "namespace-rocksdb",
        "The new namespace serializer ({new}) must be compatible with the old namespace serializer ({old}).",
    ),
    text(
        "timer-heap",
        "For heap backends, the new priority queue serializer must not be incompatible.",
    ),
    text(
        "timer-rocksdb",
        "The new priority queue serializer must not be incompatible.",
    ),
    text(
        "broadcast-key",
        "The new key typeSerializer for broadcast state must not be incompatible.",
    ),
    text(
        "operator-value",
        "The new state typeSerializer for operator state must not be incompatible.",
    ),
    text(
        "broadcast-value",
        "The new value typeSerializer for broadcast state must not be incompatible.",
    ),
    text(
        "value-heap",
        "For heap backends, the new state serializer ({new}) must not be incompatible with the old state serializer ({old}).",
    ),
    text(
        "value-rocksdb",
        "The new state serializer ({new}) must not be incompatible with the old state serializer ({old}).",
    ),
    text(
        "read-enum",
        "Could not create a restore serializer for enum {class}. Probably because an enum value was removed.",
    ),
    text(
        "read-avro",
        "Unable to find the class '{class}' which is used to deserialize the elements of this serializer. Were the class was moved or renamed?",
    ),
    text("read-class", "Could not find class '{class}' in classpath."),
];

const fn text(case: &'static str, text: &'static str) -> Text {
    Text { case, text }
}
