//! SARIF 2.1.0, as GitHub code scanning and other SAST dashboards read it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Suppression, Tool, ToolComponent,
};

use super::findings::{FlatFinding, flatten};
use crate::analysis::result::Prediction;
use crate::analysis::rules::{self, Severity};

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

/// The repository root that SARIF paths are relative to (`--root`); without it
/// `GITHUB_WORKSPACE`, then `CI_PROJECT_DIR`, then the working directory.
static ROOT: OnceLock<PathBuf> = OnceLock::new();

/// Sets the root for this process (`--root`); the first call wins.
pub fn set_root(root: PathBuf) {
    let _ = ROOT.set(root);
}

fn root() -> Option<PathBuf> {
    ROOT.get()
        .cloned()
        .or_else(|| std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from))
        .or_else(|| std::env::var_os("CI_PROJECT_DIR").map(PathBuf::from))
        .or_else(|| std::env::current_dir().ok())
}

/// A path as code scanning attaches it to a file of the pull request: relative to the root,
/// with `/` separators. A path outside the root stays as given.
pub fn artifact_uri(path: &str, root: Option<&Path>) -> String {
    let given = Path::new(path);
    let relative = root.and_then(|root| {
        let abs = std::path::absolute(given).ok()?;
        let root_abs = std::path::absolute(root).ok()?;
        abs.strip_prefix(&root_abs)
            .map(Path::to_path_buf)
            .ok()
            .or_else(|| {
                // Symlinked checkouts (`/home/runner/work` vs its real path).
                let real = abs.canonicalize().ok()?;
                let real_root = root_abs.canonicalize().ok()?;
                real.strip_prefix(real_root).map(Path::to_path_buf).ok()
            })
    });
    let shown = relative.as_deref().unwrap_or(given);
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .filter(|c| c != ".")
        .collect::<Vec<_>>()
        .join("/")
        .replace("//", "/")
}

pub fn render(p: &Prediction) -> String {
    render_findings(&flatten(p), &p.new)
}

/// SARIF for any list of findings; `default_uri` names the input when a finding has no file.
pub fn render_findings(findings: &[FlatFinding], default_uri: &str) -> String {
    // Only the rules that appear, each once: the full catalog made one finding weigh 130 KB.
    let used: Vec<&rules::Rule> = rules::ALL
        .iter()
        .filter(|r| findings.iter().any(|f| f.code == r.id))
        .collect();
    let root = root();
    let descriptors: Vec<ReportingDescriptor> = used
        .iter()
        .map(|r| {
            ReportingDescriptor::builder()
                .id(r.id.to_string())
                .name(r.id.to_string())
                .short_description(text(r.title))
                .full_description(text(format!("{} (Flink {})", r.title, r.flink_versions)))
                .help(
                    MultiformatMessageString::builder()
                        .text(format!("{} (`spcompat explain {}`)", r.title, r.id))
                        .markdown(r.doc.to_string())
                        .build(),
                )
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::Value::String(
                            level(r.severity).to_string().to_lowercase(),
                        ))
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            let mut message = format!("{}: {}", f.operator, f.message);
            if let Some(fix) = &f.fix {
                message.push_str(&format!(" Fix: {fix}"));
            }
            let mut physical = PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(artifact_uri(
                            f.file.as_deref().unwrap_or(default_uri),
                            root.as_deref(),
                        ))
                        .build(),
                )
                .build();
            // Code scanning places only results with a region: an operator with no line of
            // its own (unmapped: it is gone from the new job) points at line 1 of the file.
            let line = f.line.unwrap_or(1).max(1);
            physical.region = Some(Region::builder().start_line(line as i64).build());
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert(
                "spcompat/v1".to_string(),
                format!("{}:{}", f.code, f.operator_id),
            );
            let mut result = SarifResult::builder()
                .rule_id(f.code.to_string())
                .rule_index(used.iter().position(|r| r.id == f.code).unwrap_or(0) as i64)
                .level(level(f.severity))
                .message(Message::builder().text(message).build())
                .locations(vec![
                    Location::builder().physical_location(physical).build(),
                ])
                .partial_fingerprints(fingerprints)
                .build();
            if let Some(reason) = &f.accepted {
                // An accepted loss is suppressed, not dropped: dashboards still show it.
                result.suppressions = Some(vec![
                    Suppression::builder()
                        .kind(serde_json::Value::String("external".into()))
                        .justification(reason.clone())
                        .build(),
                ]);
            }
            result
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("spcompat".to_string())
        .version(env!("CARGO_PKG_VERSION").to_string())
        .information_uri("https://github.com/spcompat/spcompat".to_string())
        .rules(descriptors)
        .build();
    let sarif = Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json".to_string())
        .version(serde_json::Value::String("2.1.0".into()))
        .runs(vec![
            Run::builder()
                .tool(Tool::builder().driver(driver).build())
                .results(results)
                .build(),
        ])
        .build();
    serde_json::to_string_pretty(&sarif).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
