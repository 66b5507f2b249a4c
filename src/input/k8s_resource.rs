//! `--savepoint RESOURCE`: a Flink Kubernetes operator resource (`FlinkDeployment`,
//! `FlinkSessionJob`, `FlinkStateSnapshot`, as YAML or `kubectl get -o json/yaml`, a `List` of
//! them too) names the savepoint in its status. Recognised from the content (`apiVersion:
//! flink.apache.org/...`), like every other input.
//!
//! Which status field (the operator's `JobStatus`, `SavepointInfo`, `Savepoint` and
//! `FlinkStateSnapshotStatus` classes, releases 1.0 to 1.15):
//! - `status.jobStatus.upgradeSavepointPath` (operator 1.10+): what the operator restores the
//!   job from on its next start (the upgrade savepoint, or the last checkpoint it observed once
//!   the job stopped), so it wins when set;
//! - else the newest `timeStamp` of `status.jobStatus.savepointInfo.lastSavepoint` and
//!   `savepointHistory[]` (all releases; deprecated in 1.10 but still filled when snapshot
//!   resources are off);
//! - `FlinkStateSnapshot`: `status.path` of a `COMPLETED` one, the newest `resultTimestamp` of a
//!   list.

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::Deserialize;

use crate::job::span::{self, Syntax};
use crate::savepoint::inventory::Picked;

/// Resources are a few KB (a long savepoint history tens); more is no resource.
const MAX_RESOURCE_BYTES: u64 = 16 << 20;
/// How the operator marks "restore from the HA metadata's latest checkpoint" (last-state
/// upgrade mode): not a path.
const LAST_STATE_MARK: &str = "KUBERNETES_OPERATOR_LAST_STATE";

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ResourceError {
    #[error("{}: not a usable Flink operator resource: at `{path}`: {message}", file.display())]
    #[diagnostic(
        code(spcompat::k8s::malformed),
        help(
            "give the resource as `kubectl get flinkdeployment NAME -o yaml` (or -o json) writes it"
        )
    )]
    Malformed {
        file: PathBuf,
        path: String,
        message: String,
    },

    #[error("{}: {what} names no savepoint or checkpoint in its status{detail}", file.display())]
    #[diagnostic(
        code(spcompat::k8s::no_savepoint),
        help(
            "its status names one once the operator has taken a savepoint (an upgrade, savepointTriggerNonce, periodic savepoints) or a FlinkStateSnapshot completed; or ask the running job: --flink-rest URL --job-id ID"
        )
    )]
    NoSavepoint {
        file: PathBuf,
        what: String,
        detail: String,
    },

    #[error("{}: the resources belong to several jobs: {jobs}", file.display())]
    #[diagnostic(
        code(spcompat::k8s::several_jobs),
        help(
            "give one job's resource (kubectl get flinkdeployment NAME -o yaml), or select its snapshots with a label"
        )
    )]
    SeveralJobs { file: PathBuf, jobs: String },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    spec: Option<Spec>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    items: Option<Vec<Resource>>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    #[serde(default)]
    name: Option<String>,
}

/// Only a snapshot's `jobReference` is read from the spec.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    #[serde(default)]
    job_reference: Option<JobReference>,
}

#[derive(Debug, Deserialize)]
struct JobReference {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    #[serde(default)]
    job_status: Option<JobStatus>,
    // FlinkStateSnapshot
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    result_timestamp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobStatus {
    #[serde(default)]
    upgrade_savepoint_path: Option<String>,
    #[serde(default)]
    savepoint_info: Option<SavepointInfo>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavepointInfo {
    #[serde(default)]
    last_savepoint: Option<Savepoint>,
    #[serde(default)]
    savepoint_history: Vec<Savepoint>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Savepoint {
    #[serde(default)]
    time_stamp: Option<i64>,
    #[serde(default)]
    location: Option<String>,
}

/// A path the status names: the field, the time (for ordering and the note), the location.
struct Named {
    field: String,
    when: Option<String>,
    location: String,
}

/// When `file` is an operator resource, the savepoint its status names (`Ok(None)`: it is
/// not one, and is read as any other input).
pub fn resolve(file: &Path) -> Result<Option<(PathBuf, Picked)>, ResourceError> {
    let Some(text) = read_text(file) else {
        return Ok(None);
    };
    let syntax = Syntax::detect(&text);
    let malformed = |(path, message): (String, String)| ResourceError::Malformed {
        file: file.to_path_buf(),
        path: if path.is_empty() {
            "(top level)".into()
        } else {
            path
        },
        message,
    };
    let head = match parse::<Head>(&text, syntax) {
        Ok(head) => head,
        // It says it is one (a hostile or broken file): its error, not another reader's.
        Err(e) if claims_operator_api(&text) => return Err(malformed(e)),
        Err(_) => return Ok(None),
    };
    let operator = head
        .api_version
        .as_deref()
        .is_some_and(|v| v.starts_with("flink.apache.org/"));
    let list = head.kind.as_deref() == Some("List") && text.contains("flink.apache.org/");
    if !operator && !list {
        return Ok(None);
    }
    let resource: Resource = parse(&text, syntax).map_err(malformed)?;
    let items: Vec<&Resource> = match &resource.items {
        Some(items) => items.iter().collect(),
        None => vec![&resource],
    };
    let jobs = job_names(&items);
    if jobs.len() > 1 {
        return Err(ResourceError::SeveralJobs {
            file: file.to_path_buf(),
            jobs: jobs.join(", "),
        });
    }
    let what = match (items.as_slice(), &resource.items) {
        ([one], None) => describe(one),
        (_, _) => format!("the list of {} resource(s)", items.len()),
    };
    let mut named = Vec::new();
    let mut last_state = false;
    for (i, item) in items.iter().enumerate() {
        let prefix = if resource.items.is_some() {
            format!("items[{i}].")
        } else {
            String::new()
        };
        last_state |= candidates(item, &prefix, &mut named);
    }
    let count = named.len();
    let Some(best) = newest(named) else {
        let detail = if last_state {
            format!(
                " (upgradeSavepointPath is {LAST_STATE_MARK}: the job restores from the latest checkpoint in its HA metadata; ask the job with --flink-rest URL --job-id ID, or give its checkpoint folder)"
            )
        } else {
            String::new()
        };
        return Err(ResourceError::NoSavepoint {
            file: file.to_path_buf(),
            what,
            detail,
        });
    };
    let local = best
        .location
        .strip_prefix("file:")
        .map(|_| crate::savepoint::strip_file_scheme(&best.location).to_string())
        .unwrap_or_else(|| best.location.clone());
    let when = best.when.map(|w| format!(", {w}")).unwrap_or_default();
    Ok(Some((
        PathBuf::from(&local),
        Picked {
            from: format!("{} ({what})", file.display()),
            path: local,
            rule: format!("`{}`{when}", best.field),
            candidates: count,
            verb: "names",
        },
    )))
}

/// A small regular UTF-8 file, or `None` (a folder, `_metadata`, a big or binary file).
fn read_text(file: &Path) -> Option<String> {
    if file
        .to_str()
        .is_some_and(crate::savepoint::store::looks_remote)
    {
        return None;
    }
    let opened = crate::files::open_regular(file, true).ok()?;
    if opened.len > MAX_RESOURCE_BYTES {
        return None;
    }
    let head = crate::files::read_range(&opened.file, 0, 4).ok()?;
    if head.as_slice() == crate::savepoint::metadata::METADATA_MAGIC.to_be_bytes() {
        return None;
    }
    let bytes = crate::files::read_range(&opened.file, 0, opened.len).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let t = text.trim_start_matches('\u{feff}').trim_start();
    // Cheap refusal of the common case (job graphs, plans) before any parse.
    t.contains("flink.apache.org/").then_some(text)
}

/// An `apiVersion` of the operator's group, in YAML or JSON.
fn claims_operator_api(text: &str) -> bool {
    text.contains("\"apiVersion\":\"flink.apache.org/")
        || text.contains("\"apiVersion\": \"flink.apache.org/")
        || text
            .lines()
            .any(|l| l.trim_start().starts_with("apiVersion:") && l.contains("flink.apache.org/"))
}

/// Parses with the job-graph loader's YAML budgets; Err: the JSON path and the message.
fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    syntax: Syntax,
) -> Result<T, (String, String)> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    match syntax {
        Syntax::Json => {
            let mut de = serde_json::Deserializer::from_str(body);
            serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = span::format_path(&span::from_serde_path(e.path()));
                (path, e.into_inner().to_string())
            })
        }
        Syntax::Yaml => {
            let mut path = String::new();
            serde_saphyr::with_deserializer_from_str_with_options(
                body,
                crate::job::load::yaml_options(),
                |de| {
                    serde_path_to_error::deserialize(de).map_err(|e| {
                        path = span::format_path(&span::from_serde_path(e.path()));
                        e.into_inner()
                    })
                },
            )
            .map_err(|e| (path, e.to_string()))
        }
    }
}

fn describe(r: &Resource) -> String {
    let kind = r.kind.as_deref().unwrap_or("resource");
    match r.metadata.as_ref().and_then(|m| m.name.as_deref()) {
        Some(name) => format!("{kind} {name}"),
        None => kind.to_string(),
    }
}

/// The jobs the resources are of: a deployment or session job by its name, a snapshot by its
/// `jobReference`.
fn job_names(items: &[&Resource]) -> Vec<String> {
    let mut names: Vec<String> = items
        .iter()
        .filter_map(|r| match r.kind.as_deref() {
            Some("FlinkStateSnapshot") => r
                .spec
                .as_ref()
                .and_then(|s| s.job_reference.as_ref())
                .and_then(|j| j.name.clone()),
            _ => r.metadata.as_ref().and_then(|m| m.name.clone()),
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Adds the paths `r`'s status names; true when `upgradeSavepointPath` is the last-state mark.
fn candidates(r: &Resource, prefix: &str, out: &mut Vec<Named>) -> bool {
    let Some(status) = &r.status else {
        return false;
    };
    if r.kind.as_deref() == Some("FlinkStateSnapshot") {
        if status.state.as_deref() == Some("COMPLETED")
            && let Some(path) = usable(&status.path)
        {
            out.push(Named {
                field: format!("{prefix}status.path"),
                when: status.result_timestamp.clone(),
                location: path.to_string(),
            });
        }
        return false;
    }
    let Some(job) = &status.job_status else {
        return false;
    };
    let info = job.savepoint_info.as_ref();
    let timed = info
        .and_then(|i| i.last_savepoint.as_ref())
        .map(|s| {
            (
                format!("{prefix}status.jobStatus.savepointInfo.lastSavepoint"),
                s,
            )
        })
        .into_iter()
        .chain(info.into_iter().flat_map(|i| {
            i.savepoint_history.iter().enumerate().map(move |(n, s)| {
                (
                    format!("{prefix}status.jobStatus.savepointInfo.savepointHistory[{n}]"),
                    s,
                )
            })
        }));
    let timed: Vec<(String, &Savepoint)> = timed.collect();
    match usable(&job.upgrade_savepoint_path) {
        Some(LAST_STATE_MARK) => {
            add_timed(timed, out);
            true
        }
        Some(path) => {
            // The operator's next start restores from it: it is the only candidate. Its time,
            // when the savepoint history has it too.
            let when = timed
                .iter()
                .find(|(_, s)| usable(&s.location) == Some(path))
                .and_then(|(_, s)| s.time_stamp)
                .map(utc_millis);
            out.push(Named {
                field: format!("{prefix}status.jobStatus.upgradeSavepointPath"),
                when,
                location: path.to_string(),
            });
            false
        }
        None => {
            add_timed(timed, out);
            false
        }
    }
}

fn add_timed(timed: Vec<(String, &Savepoint)>, out: &mut Vec<Named>) {
    for (field, s) in timed {
        if let Some(location) = usable(&s.location) {
            out.push(Named {
                field,
                when: s.time_stamp.map(utc_millis),
                location: location.to_string(),
            });
        }
    }
}

/// The operator's `timeStamp` (ms) as an ISO instant with milliseconds, so that two savepoints
/// in one second still order.
fn utc_millis(ms: i64) -> String {
    let text = super::flink_rest::utc_text(ms);
    format!("{}.{:03}Z", text.trim_end_matches('Z'), ms.rem_euclid(1000))
}

fn usable(l: &Option<String>) -> Option<&str> {
    l.as_deref().map(str::trim).filter(|l| !l.is_empty())
}

/// The newest by time (`YYYY-MM-DDTHH:MM:SS[.fff]Z` orders by its digits once the fraction is
/// padded); the first of equal or unknown times, so `lastSavepoint` beats its history entry.
fn newest(named: Vec<Named>) -> Option<Named> {
    let key = |n: &Named| {
        n.when.as_deref().map(|w| {
            let w = w.trim_end_matches('Z');
            let (secs, frac) = w.split_once('.').unwrap_or((w, ""));
            (secs.to_string(), format!("{frac:0<9}"))
        })
    };
    named
        .into_iter()
        .reduce(|best, n| if key(&n) > key(&best) { n } else { best })
}
