//! `--flink-rest URL --job-id ID`: the savepoint is the newest completed checkpoint or savepoint
//! a running Flink cluster reports for the job (`GET /jobs/<id>/checkpoints`, the same answer
//! from Flink 1.15 to 2.3), read then as if its path had been given.
//!
//! One GET, bounded: connect and whole-request timeouts, a cap on the answer's size, two
//! retries of a refused connection or a 5xx (a JobManager that is starting), no redirects (so
//! nothing given for one host, e.g. credentials in the URL, goes to another).

use std::time::Duration;

use miette::Diagnostic;
use serde::Deserialize;

use crate::savepoint::inventory::Picked;

/// Until the TCP (and TLS) connection stands.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The whole request, answer included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries after a failed connection or a 5xx answer, a second apart.
pub const RETRIES: u32 = 2;
/// The checkpoint statistics of a job with a long history and many vertices are a few MB.
pub const MAX_ANSWER_BYTES: usize = 32 << 20;

/// Flink's `external_path` of a checkpoint kept only in the JobManager's memory.
const NOT_ADDRESSABLE: &str = "<checkpoint-not-externally-addressable>";

/// A running cluster's REST endpoint and a job on it.
#[derive(Debug, Clone)]
pub struct FlinkRest {
    /// `http(s)://host:port`, optionally with a path prefix (a proxy's).
    pub url: String,
    pub job_id: String,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum FlinkRestError {
    #[error("--flink-rest {url}: {reason}")]
    #[diagnostic(
        code(spcompat::flink_rest::bad_url),
        help("give the JobManager's REST address, e.g. http://jobmanager:8081")
    )]
    BadUrl { url: String, reason: String },

    #[error("--job-id {id}: not a Flink job ID")]
    #[diagnostic(
        code(spcompat::flink_rest::bad_job_id),
        help(
            "a job ID is 32 hexadecimal digits, as `flink list` or GET /jobs shows (e.g. 8f3a2c0d5e6b4a1f9c7d2e0b1a3f5c6d)"
        )
    )]
    BadJobId { id: String },

    #[error("cannot reach the Flink REST API at {url}: {reason}")]
    #[diagnostic(
        code(spcompat::flink_rest::unreachable),
        help(
            "tried {tries} time(s), {connect} s to connect and {total} s per request; check the address and that the JobManager runs",
            tries = RETRIES + 1,
            connect = CONNECT_TIMEOUT.as_secs(),
            total = REQUEST_TIMEOUT.as_secs()
        )
    )]
    Unreachable { url: String, reason: String },

    #[error("the Flink cluster at {url} knows no job {job_id}: {message}")]
    #[diagnostic(
        code(spcompat::flink_rest::unknown_job),
        help("GET {url}/jobs lists the jobs it knows (finished jobs only while it keeps them)")
    )]
    UnknownJob {
        url: String,
        job_id: String,
        message: String,
    },

    #[error("{url} answered HTTP {status}: {message}")]
    #[diagnostic(code(spcompat::flink_rest::status))]
    Status {
        url: String,
        status: u16,
        message: String,
    },

    #[error("{url}: the answer is larger than {MAX_ANSWER_BYTES} bytes")]
    #[diagnostic(code(spcompat::flink_rest::too_large))]
    TooLarge { url: String },

    #[error("{url}: not Flink's checkpoint statistics: at `{path}`: {message}")]
    #[diagnostic(
        code(spcompat::flink_rest::malformed),
        help(
            "--flink-rest takes the JobManager's REST address (the web UI's port, 8081 by default)"
        )
    )]
    Malformed {
        url: String,
        path: String,
        message: String,
    },

    #[error(
        "job {job_id} at {url} has no completed checkpoint or savepoint{}",
        detail
    )]
    #[diagnostic(
        code(spcompat::flink_rest::no_checkpoint),
        help(
            "wait for a checkpoint (execution.checkpointing.interval), or take a savepoint: flink savepoint {job_id}"
        )
    )]
    NoCheckpoint {
        url: String,
        job_id: String,
        detail: String,
    },
}

/// Checkpoint statistics, only the fields used (`latest` and `counts`; `history` is not read).
#[derive(Debug, Deserialize)]
struct Statistics {
    #[serde(default)]
    latest: Option<Latest>,
}

#[derive(Debug, Deserialize)]
struct Latest {
    #[serde(default)]
    completed: Option<Completed>,
    #[serde(default)]
    savepoint: Option<Completed>,
    #[serde(default)]
    restored: Option<Restored>,
}

#[derive(Debug, Deserialize)]
struct Completed {
    id: i64,
    #[serde(default)]
    trigger_timestamp: Option<i64>,
    #[serde(default)]
    latest_ack_timestamp: Option<i64>,
    #[serde(default)]
    external_path: Option<String>,
    #[serde(default)]
    discarded: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Restored {
    id: i64,
    #[serde(default)]
    restore_timestamp: Option<i64>,
    #[serde(default)]
    external_path: Option<String>,
}

/// A state the answer names: where Flink says, its checkpoint ID and time.
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    field: &'static str,
    id: i64,
    /// Completion (checkpoints, savepoints) or restore time, ms since the epoch.
    at: Option<i64>,
    path: Option<String>,
}

/// The savepoint or checkpoint to read for the job: its path (local, or an object-store URL)
/// and what to say about the pick.
pub fn latest(rest: &FlinkRest) -> Result<(String, Picked), FlinkRestError> {
    let (url, shown) = checkpoints_url(rest)?;
    let body = get(&url, &shown, &rest.job_id)?;
    let stats = parse(&body, &shown)?;
    let (chosen, count) = pick(&stats).map_err(|detail| FlinkRestError::NoCheckpoint {
        url: shown.clone(),
        job_id: rest.job_id.clone(),
        detail,
    })?;
    let path = chosen.path.unwrap_or_default();
    let local = path
        .strip_prefix("file:")
        .map(|_| crate::savepoint::strip_file_scheme(&path).to_string());
    let when = chosen
        .at
        .map(|ms| format!(", {}", utc_text(ms)))
        .unwrap_or_default();
    Ok((
        local.clone().unwrap_or_else(|| path.clone()),
        Picked {
            from: format!("{shown} (job {})", rest.job_id),
            path: local.unwrap_or(path),
            rule: format!("`{}`: checkpoint {}{when}", chosen.field, chosen.id),
            candidates: count,
            verb: "names",
        },
    ))
}

/// `<base>/jobs/<id>/checkpoints`, and the same without credentials, for messages.
fn checkpoints_url(rest: &FlinkRest) -> Result<(reqwest::Url, String), FlinkRestError> {
    let bad = |reason: &str| FlinkRestError::BadUrl {
        url: rest.url.clone(),
        reason: reason.to_string(),
    };
    let id = &rest.job_id;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FlinkRestError::BadJobId { id: id.clone() });
    }
    let mut url = reqwest::Url::parse(&rest.url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("not an http:// or https:// address"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a query or fragment is not part of a REST address"));
    }
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    let shown = shown.as_str().trim_end_matches('/').to_string();
    url.path_segments_mut()
        .map_err(|_| bad("cannot hold a path"))?
        .pop_if_empty()
        .extend(["jobs", &id.to_ascii_lowercase(), "checkpoints"]);
    Ok((url, shown))
}

/// One GET with bounded time, size and retries.
fn get(url: &reqwest::Url, shown: &str, job_id: &str) -> Result<Vec<u8>, FlinkRestError> {
    let unreachable = |reason: String| FlinkRestError::Unreachable {
        url: shown.to_string(),
        reason,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("spcompat/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    runtime.block_on(async {
        let mut tries = 0;
        loop {
            tries += 1;
            let last = tries > RETRIES;
            let response = match client.get(url.clone()).send().await {
                Ok(r) => r,
                Err(e) if !last && (e.is_connect() || e.is_timeout()) => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                Err(e) => return Err(unreachable(error_chain(&e))),
            };
            let status = response.status();
            if status.is_server_error() && !last {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            let body = read_capped(response, shown).await?;
            if status.is_success() {
                return Ok(body);
            }
            let message = flink_errors(&body);
            return Err(if status == reqwest::StatusCode::NOT_FOUND {
                FlinkRestError::UnknownJob {
                    url: shown.to_string(),
                    job_id: job_id.to_string(),
                    message,
                }
            } else {
                FlinkRestError::Status {
                    url: shown.to_string(),
                    status: status.as_u16(),
                    message,
                }
            });
        }
    })
}

/// The answer's body, refused past [`MAX_ANSWER_BYTES`] (read chunk by chunk, never sized by
/// the announced length).
async fn read_capped(
    mut response: reqwest::Response,
    shown: &str,
) -> Result<Vec<u8>, FlinkRestError> {
    let too_large = || FlinkRestError::TooLarge {
        url: shown.to_string(),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                return Err(FlinkRestError::Unreachable {
                    url: shown.to_string(),
                    reason: error_chain(&e),
                });
            }
        }
    }
}

/// reqwest's error with its causes (the top level alone says only "error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Flink's `{"errors": [...]}` of a failed request, else the start of the body.
fn flink_errors(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<String>,
    }
    if let Ok(e) = serde_json::from_slice::<Errors>(body) {
        // Flink appends a Java stack trace to some; its first line says it.
        let first: Vec<&str> = e
            .errors
            .iter()
            .filter_map(|m| m.lines().next())
            .map(without_exception_class)
            .collect();
        return first.join("; ");
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    text.trim().to_string()
}

/// `org.apache.flink.runtime.rest.NotFoundException: Job x not found` -> `Job x not found`.
fn without_exception_class(line: &str) -> &str {
    match line.split_once(": ") {
        Some((class, rest))
            if class.contains('.') && !class.contains(' ') && class.ends_with("Exception") =>
        {
            rest
        }
        _ => line,
    }
}

fn parse(body: &[u8], shown: &str) -> Result<Statistics, FlinkRestError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        FlinkRestError::Malformed {
            url: shown.to_string(),
            path,
            message: e.into_inner().to_string(),
        }
    })
}

/// The newest state: the highest checkpoint ID (checkpoints and savepoints of a job draw IDs
/// from one counter, so a higher ID was triggered later) among the latest completed checkpoint,
/// the latest savepoint and, when nothing completed since, what the job was restored from. A
/// discarded checkpoint or one kept only in JobManager memory cannot be read and is skipped.
/// Err: why none can be used.
fn pick(stats: &Statistics) -> Result<(Candidate, usize), String> {
    let Some(latest) = &stats.latest else {
        return Err(String::new());
    };
    let completed = |field, c: &Completed| {
        (c.discarded != Some(true)).then(|| Candidate {
            field,
            id: c.id,
            at: c.latest_ack_timestamp.or(c.trigger_timestamp),
            path: c.external_path.clone(),
        })
    };
    let mut named: Vec<Candidate> = [
        latest
            .savepoint
            .as_ref()
            .and_then(|c| completed("latest.savepoint", c)),
        latest
            .completed
            .as_ref()
            .and_then(|c| completed("latest.completed", c)),
        latest.restored.as_ref().map(|r| Candidate {
            field: "latest.restored",
            id: r.id,
            at: r.restore_timestamp,
            path: r.external_path.clone(),
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let count = named.len();
    let unreadable: Vec<String> = named
        .iter()
        .filter(|c| !addressable(c.path.as_deref()))
        .map(|c| format!("checkpoint {} (`{}`)", c.id, c.field))
        .collect();
    named.retain(|c| addressable(c.path.as_deref()));
    // Ties (the savepoint is also the latest completed) keep the first, `latest.savepoint`.
    let best = named
        .into_iter()
        .reduce(|best, c| if c.id > best.id { c } else { best });
    match best {
        Some(b) => Ok((b, count)),
        None if unreadable.is_empty() => Err(String::new()),
        None => Err(format!(
            " that can be read: {} has no external path (JobManager checkpoint storage keeps it in memory; set state.checkpoints.dir / execution.checkpointing.dir)",
            unreadable.join(", ")
        )),
    }
}

fn addressable(path: Option<&str>) -> bool {
    path.is_some_and(|p| !p.trim().is_empty() && p != NOT_ADDRESSABLE)
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (out-of-range values, which only a
/// hostile answer holds, as the number itself).
pub(crate) fn utc_text(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => format!("{ms} ms after the epoch"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(json: &str) -> Statistics {
        parse(json.as_bytes(), "http://jm").unwrap()
    }

    #[test]
    fn the_highest_id_wins_and_memory_checkpoints_are_skipped() {
        let s = stats(
            r#"{"latest":{"completed":{"id":7,"latest_ack_timestamp":7000,"external_path":"file:/c/chk-7"},
                "savepoint":{"id":9,"latest_ack_timestamp":6000,"external_path":"s3://b/sp-9"},
                "restored":{"id":2,"restore_timestamp":1,"external_path":"file:/sp-2"},"failed":null}}"#,
        );
        let (best, count) = pick(&s).unwrap();
        assert_eq!((best.field, best.id, count), ("latest.savepoint", 9, 3));
        let s = stats(
            r#"{"latest":{"completed":{"id":3,"external_path":"<checkpoint-not-externally-addressable>"},"savepoint":null,"restored":null}}"#,
        );
        assert!(pick(&s).unwrap_err().contains("checkpoint 3"));
        let s = stats(r#"{"latest":{"completed":null,"savepoint":null,"restored":null}}"#);
        assert_eq!(pick(&s).unwrap_err(), "");
    }

    #[test]
    fn a_malformed_answer_names_its_json_path() {
        let e = parse(br#"{"latest":{"completed":{"id":"x"}}}"#, "http://jm").unwrap_err();
        assert!(
            matches!(&e, FlinkRestError::Malformed { path, .. } if path == "latest.completed.id"),
            "{e:?}"
        );
    }

    #[test]
    fn job_ids_and_urls_are_checked_and_credentials_are_not_shown() {
        let rest = |url: &str, id: &str| FlinkRest {
            url: url.into(),
            job_id: id.into(),
        };
        let id = "0123456789abcdef0123456789ABCDEF";
        let (url, shown) = checkpoints_url(&rest("http://u:p@jm:8081/proxy/", id)).unwrap();
        assert_eq!(
            url.as_str(),
            "http://u:p@jm:8081/proxy/jobs/0123456789abcdef0123456789abcdef/checkpoints"
        );
        assert_eq!(shown, "http://jm:8081/proxy");
        assert!(matches!(
            checkpoints_url(&rest("http://jm", "../../x")),
            Err(FlinkRestError::BadJobId { .. })
        ));
        assert!(matches!(
            checkpoints_url(&rest("ftp://jm", id)),
            Err(FlinkRestError::BadUrl { .. })
        ));
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(1_764_806_400_000), "2025-12-04T00:00:00Z");
        assert_eq!(
            utc_text(951_782_400_000 + 86_399_000),
            "2000-02-29T23:59:59Z"
        );
        assert_eq!(
            utc_text(i64::MAX),
            format!("{} ms after the epoch", i64::MAX)
        );
    }
}
