//! The Java byte-stream formats Flink writes, below both the savepoint and the schema readers:
//! `DataOutput` bytes ([`data_input`]) and Java Object Serialization ([`javaser`]).

pub mod data_input;
pub mod input;
pub mod javaser;
#[cfg(test)]
pub(crate) mod test_support;

/// The layering, checked from the source text: `javaio` names no module above it, `schema`
/// (which stands on `javaio`) does not reach into `savepoint`, `schema::sql_notation` stays
/// below `notation` and `types` (which both use it), and `flink` is a leaf.
#[cfg(test)]
mod layering {
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }

    fn assert_names_none(module: &str, above: &[&str]) {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .join(module),
            &mut files,
        );
        assert!(!files.is_empty(), "src/{module} has sources");
        for (file, text) in files {
            for m in above {
                assert!(
                    !text.contains(&format!("crate::{m}")),
                    "{file} names crate::{m}"
                );
            }
        }
    }

    #[test]
    fn javaio_and_schema_stay_below_their_users() {
        assert_names_none(
            "javaio",
            &["savepoint", "schema", "job", "analysis", "report", "cli"],
        );
        assert_names_none("schema", &["savepoint", "analysis", "report", "cli"]);
        assert_names_none(
            "schema/sql_notation",
            &["schema::notation", "schema::types"],
        );
    }

    /// `flink` imports nothing from the crate: every layer may use it.
    #[test]
    fn flink_is_a_leaf() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/flink"),
            &mut files,
        );
        assert!(!files.is_empty(), "src/flink has sources");
        for (file, text) in files {
            for line in text.lines().map(str::trim_start) {
                // In `flink/mod.rs` `super` is the crate; below it, `super` is still `flink`.
                let names_outside = line.contains("crate::")
                    || line.contains("super::super")
                    || (file.ends_with("flink/mod.rs") && line.contains("super::"));
                assert!(
                    !names_outside,
                    "{file} names something outside src/flink: {line}"
                );
            }
        }
    }
}
