//! SARIF 2.1.0, as GitHub code scanning and other SAST dashboards read it.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Suppression, Tool, ToolComponent,
};

use super::findings::{FlatFinding, flatten};
use crate::analysis::restore::Prediction;
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

pub fn render(p: &Prediction) -> String {
    render_findings(&flatten(p), &p.new)
}

/// SARIF for any list of findings; `default_uri` names the input when a finding has no file.
pub fn render_findings(findings: &[FlatFinding], default_uri: &str) -> String {
    let descriptors: Vec<ReportingDescriptor> = rules::ALL
        .iter()
        .map(|r| {
            ReportingDescriptor::builder()
                .id(r.id.to_string())
                .name(r.id.to_string())
                .short_description(text(r.title))
                .full_description(text(format!("{} (Flink {})", r.title, r.flink_versions)))
                .help(
                    MultiformatMessageString::builder()
                        .text(r.doc.to_string())
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
                        .uri(f.file.clone().unwrap_or_else(|| default_uri.to_string()))
                        .build(),
                )
                .build();
            if let Some(line) = f.line {
                physical.region = Some(Region::builder().start_line(line as i64).build());
            }
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert(
                "spcompat/v1".to_string(),
                format!("{}:{}", f.code, f.operator_id),
            );
            let mut result = SarifResult::builder()
                .rule_id(f.code.to_string())
                .rule_index(rules::ALL.iter().position(|r| r.id == f.code).unwrap_or(0) as i64)
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
