//! `spcompat.toml`: accepted findings (a known, intended loss) and severity overrides.
//!
//! ```toml
//! [[accept]]
//! rule = "unmapped-state"
//! operator = "counter-uid"          # a uid, or a 32-hex operator ID
//! reason = "counter is rebuilt from the topic (JIRA-123)"
//!
//! [severity]
//! max-parallelism-not-set = "error"
//! ```
//!
//! An accepted finding is still reported (marked accepted, with its reason) but does not fail
//! the exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;

use crate::analysis::lint::LintReport;
use crate::analysis::result::{Prediction, Verdict, compute_verdict};
use crate::analysis::rules::{self, Severity};

pub const FILE_NAME: &str = "spcompat.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub accept: Vec<Acceptance>,
    #[serde(default)]
    pub severity: BTreeMap<String, SeverityName>,
    /// Where it was read from.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub rule: String,
    /// A uid or a 32-hex operator ID.
    pub operator: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Info,
    Warning,
    Error,
}

impl From<SeverityName> for Severity {
    fn from(s: SeverityName) -> Severity {
        match s {
            SeverityName::Info => Severity::Info,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Error => Severity::Error,
        }
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(spcompat::config::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// A config file that parses badly or names rules that do not exist.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{}: {message}", path.display())]
#[diagnostic(code(spcompat::config::invalid))]
pub struct InvalidConfig {
    pub path: PathBuf,
    pub message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl Config {
    /// `--config FILE`, else the nearest `spcompat.toml` in the working directory or above,
    /// up to the repository root (the nearest folder with `.git`) or `$HOME`, whichever comes
    /// first: a stray file in a shared parent folder (`/tmp`) must not change a verdict.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => std::env::current_dir()
                .ok()
                .and_then(|dir| find_upward(&dir, std::env::var_os("HOME").map(PathBuf::from))),
        };
        match path {
            Some(p) => Config::load(&p),
            None => Ok(Config::default()),
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |message: String, span: Option<SourceSpan>| {
            ConfigError::Invalid(Box::new(InvalidConfig {
                path: path.to_path_buf(),
                message,
                src: NamedSource::new(path.display().to_string(), text.clone()),
                span,
            }))
        };
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            invalid(
                e.message().to_string(),
                e.span().map(|r| SourceSpan::from(r.start..r.end)),
            )
        })?;
        for a in &config.accept {
            if rules::find(&a.rule).is_none() {
                return Err(invalid(
                    format!(
                        "[[accept]] names rule `{}`, which does not exist (`spcompat explain` lists the rules)",
                        a.rule
                    ),
                    text.find(&a.rule)
                        .map(|i| SourceSpan::from(i..i + a.rule.len())),
                ));
            }
            if a.reason.trim().is_empty() {
                return Err(invalid(
                    format!(
                        "[[accept]] of `{}` for `{}` needs a reason",
                        a.rule, a.operator
                    ),
                    None,
                ));
            }
        }
        for rule in config.severity.keys() {
            if rules::find(rule).is_none() {
                return Err(invalid(
                    format!("[severity] names rule `{rule}`, which does not exist"),
                    text.find(rule.as_str())
                        .map(|i| SourceSpan::from(i..i + rule.len())),
                ));
            }
        }
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    fn acceptance(&self, code: &str, ids: &[Option<&str>]) -> Option<&Acceptance> {
        self.accept.iter().find(|a| {
            a.rule == code
                && ids
                    .iter()
                    .flatten()
                    .any(|id| id.eq_ignore_ascii_case(&a.operator))
        })
    }

    /// `[[accept]]` entries that match no finding of this prediction (a typo in the uid, or a
    /// loss that is gone): worth a warning, since they silently accept nothing.
    pub fn unmatched_acceptances(&self, p: &Prediction) -> Vec<&Acceptance> {
        self.accept
            .iter()
            .filter(|a| {
                !p.operators.iter().any(|o| {
                    let id = o.operator_id.to_string();
                    let ids = [
                        o.uid.as_deref(),
                        o.inferred_uid.as_deref(),
                        Some(id.as_str()),
                        o.new_operator.as_ref().and_then(|n| n.uid.as_deref()),
                    ];
                    o.reasons.iter().any(|r| {
                        r.rule.id == a.rule
                            && ids
                                .iter()
                                .flatten()
                                .any(|i| i.eq_ignore_ascii_case(&a.operator))
                    })
                })
            })
            .collect()
    }

    /// Marks accepted findings, applies severity overrides and recomputes the exit verdict.
    pub fn apply_to_prediction(&self, p: &mut Prediction) {
        let mut policy_errors: Vec<String> = Vec::new();
        for o in &mut p.operators {
            let id = o.operator_id.to_string();
            let ids = [
                o.uid.as_deref(),
                o.inferred_uid.as_deref(),
                Some(id.as_str()),
                o.new_operator.as_ref().and_then(|n| n.uid.as_deref()),
            ];
            for r in &mut o.reasons {
                let before = r.severity;
                if let Some(s) = self.severity.get(r.rule.id) {
                    r.severity = (*s).into();
                }
                if let Some(a) = self.acceptance(r.rule.id, &ids) {
                    r.accepted = Some(a.reason.clone());
                }
                // A finding raised to error fails the exit code, whatever Flink would do.
                if before != Severity::Error
                    && r.severity == Severity::Error
                    && r.accepted.is_none()
                {
                    let what = format!("{} ({})", r.rule.id, display_operator(&ids));
                    if !policy_errors.contains(&what) {
                        policy_errors.push(what);
                    }
                }
            }
        }
        p.effective_verdict = if policy_errors.is_empty() {
            compute_verdict(&p.operators, p.allow_non_restored_state, true)
        } else {
            Verdict::Fails
        };
        p.policy_errors = policy_errors;
    }

    pub fn apply_to_lint(&self, report: &mut LintReport) {
        for f in &mut report.findings {
            let rule = f.finding.rule.id;
            if let Some(s) = self.severity.get(rule) {
                f.finding.severity = (*s).into();
            }
            let id = f.operator_id.map(|i| i.to_string());
            if let Some(a) = self.acceptance(rule, &[f.uid.as_deref(), id.as_deref()]) {
                f.finding.accepted = Some(a.reason.clone());
            }
        }
    }
}

/// The nearest `spcompat.toml` from `start` upward, stopping after the folder that holds
/// `.git` or is `home`.
fn find_upward(start: &Path, home: Option<PathBuf>) -> Option<PathBuf> {
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() || home.as_deref() == Some(dir) {
            return None;
        }
    }
    None
}

/// The first name an operator goes by: uid, inferred uid, then its ID.
fn display_operator(ids: &[Option<&str>]) -> String {
    ids.iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or("?")
        .to_string()
}
