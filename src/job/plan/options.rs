//! How a plan is run: the Flink version that executes it and the job's configuration.

use std::collections::BTreeMap;

/// `table.exec.uid.generation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UidGeneration {
    /// Default: uids only when the job runs from a compiled plan.
    PlanOnly,
    Always,
    Disabled,
}

impl UidGeneration {
    pub fn parse(s: &str) -> Option<UidGeneration> {
        match s.trim().to_ascii_uppercase().replace('-', "_").as_str() {
            "PLAN_ONLY" => Some(UidGeneration::PlanOnly),
            "ALWAYS" => Some(UidGeneration::Always),
            "DISABLED" => Some(UidGeneration::Disabled),
            _ => None,
        }
    }
}

/// How the plan is run: the Flink version that executes it and the job's configuration.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// The Flink version that runs the plan (e.g. `1.20.3`); default: the plan's `flinkVersion`.
    /// Uids are computed by the running version.
    pub flink_version: Option<String>,
    /// Default parallelism (`parallelism.default`); 1 when neither this nor the config has it.
    pub parallelism: Option<u32>,
    /// Job configuration (`SET` options): `table.exec.uid.generation`, `table.exec.uid.format`,
    /// `table.exec.legacy-transformation-uids`, `parallelism.default`,
    /// `pipeline.max-parallelism`, `table.exec.state.ttl`, ...
    pub config: BTreeMap<String, String>,
}

impl PlanOptions {
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.config.get(key).map(String::as_str)
    }

    pub(super) fn parallelism(&self) -> u32 {
        self.parallelism
            .or_else(|| {
                self.get("parallelism.default")
                    .and_then(|p| p.trim().parse().ok())
            })
            .filter(|&p| p > 0)
            .unwrap_or(1)
    }
}

/// (major, minor) of a version string such as `1.20`, `1.20.3`, `v1_15`, `2.3-SNAPSHOT`.
pub fn version_pair(v: &str) -> Option<(u32, u32)> {
    let cleaned: String = v
        .trim()
        .trim_start_matches(['v', 'V'])
        .chars()
        .map(|c| if c == '_' { '.' } else { c })
        .collect();
    let mut parts = cleaned.split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
