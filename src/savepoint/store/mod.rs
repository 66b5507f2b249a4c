//! Savepoints on object stores (S3 and S3-compatible servers, GCS, Azure Blob, Aliyun OSS,
//! WebHDFS, HTTP) through Apache OpenDAL. The same role as the local [`super::access`]:
//! `_metadata` read whole, state files resolved against the savepoint's root and read by ranged
//! requests of only the header prefix the analysis asks for, and handles outside the root (the
//! savepoint's prefix; a retained checkpoint's job folder `shared/` and `taskowned/`) refused
//! unless `--allow-outside` names them. Nothing is ever written to the store.

mod confine;
pub mod url;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use miette::Diagnostic;

pub use self::confine::{RemoteConfinement, RemoteResolved};
pub use self::url::{StoreUrl, looks_remote};

/// Requests in flight at once against one store.
pub const CONCURRENCY: usize = 8;
/// A request (stat, list) that has not answered by then fails.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A read whose body stalls this long fails.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries of a failed temporary request (throttling, 5xx, reset), with backoff 200 ms .. 5 s.
pub const RETRIES: usize = 3;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum StoreError {
    #[error("{url}: `{scheme}://` is not a store spcompat reads")]
    #[diagnostic(
        code(spcompat::store::unsupported_scheme),
        help(
            "give a local folder, or a URL of s3:// (s3a, s3n, s3p; S3-compatible servers with AWS_ENDPOINT_URL), gs://, az:// (abfs, abfss, wasb, wasbs), oss://, webhdfs:// or hdfs:// (through WebHDFS), http(s)://"
        )
    )]
    UnsupportedScheme { url: String, scheme: String },

    #[error("{url}: not a usable store URL: {reason}")]
    #[diagnostic(code(spcompat::store::bad_url))]
    BadUrl { url: String, reason: String },

    #[error("{url}: cannot set up the store client: {reason}")]
    #[diagnostic(
        code(spcompat::store::config),
        help(
            "credentials come from the usual environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL; GOOGLE_APPLICATION_CREDENTIALS, STORAGE_EMULATOR_HOST; AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_NAME/AZURE_STORAGE_ACCOUNT_KEY; ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET and OSS_ENDPOINT) or instance metadata"
        )
    )]
    Config { url: String, reason: String },

    #[error("cannot read {url}: {reason}")]
    #[diagnostic(
        code(spcompat::store::request),
        help(
            "each request is retried 3 times and times out after 30 s; check the URL, credentials and network"
        )
    )]
    Request { url: String, reason: String },

    #[error("{url} has {len} bytes, more than the {limit} this read can have")]
    #[diagnostic(code(spcompat::store::too_large))]
    TooLarge { url: String, len: u64, limit: u64 },

    #[error("{url}: {what} is not supported by this store")]
    #[diagnostic(
        code(spcompat::store::unsupported_operation),
        help("give the URL of the savepoint folder itself (the one that holds `_metadata`)")
    )]
    Unsupported { url: String, what: String },
}

/// What was read from a store: reported with each remote check.
#[derive(Debug, Default)]
pub struct Counters {
    pub bytes: AtomicU64,
    pub objects: AtomicU64,
}

/// What a remote savepoint cost to read, as reports give it (`source` in JSON).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceReads {
    pub url: String,
    pub bytes_read: u64,
    pub objects_read: u64,
}

impl Counters {
    pub fn reads(&self, url: &str) -> SourceReads {
        SourceReads {
            url: url.to_string(),
            bytes_read: self.bytes.load(Ordering::Relaxed),
            objects_read: self.objects.load(Ordering::Relaxed),
        }
    }
}

/// A remote object: its key and length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub len: u64,
}

/// An entry of a listing: a child's name, whether it is a folder, and its modification time.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub is_dir: bool,
    pub modified: Option<std::time::SystemTime>,
}

/// A client for one store (service and bucket), with its own small runtime.
pub struct Remote {
    pub base: StoreUrl,
    op: opendal::Operator,
    rt: tokio::runtime::Runtime,
    pub counters: Arc<Counters>,
    /// Object lengths (or absence) already asked for.
    stats: Mutex<HashMap<String, Option<u64>>>,
    /// Header prefixes read ahead in parallel, taken on first use.
    prefetched: Mutex<HashMap<(String, u64), Vec<u8>>>,
}

fn request_error(url: &StoreUrl, e: &opendal::Error) -> StoreError {
    StoreError::Request {
        url: url.to_string(),
        reason: e.to_string(),
    }
}

impl Remote {
    pub fn connect(base: &StoreUrl) -> Result<Remote, StoreError> {
        opendal::install_default();
        let op = url::operator(base)?
            .layer(
                opendal::layers::RetryLayer::new()
                    .with_max_times(RETRIES)
                    .with_min_delay(Duration::from_millis(200))
                    .with_max_delay(Duration::from_secs(5))
                    .with_jitter(),
            )
            .layer(
                opendal::layers::TimeoutLayer::new()
                    .with_timeout(REQUEST_TIMEOUT)
                    .with_io_timeout(IO_TIMEOUT),
            )
            .layer(opendal::layers::ConcurrentLimitLayer::new(CONCURRENCY));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("spcompat-store")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Config {
                url: base.to_string(),
                reason: format!("cannot start the I/O runtime: {e}"),
            })?;
        Ok(Remote {
            base: base.clone(),
            op,
            rt,
            counters: Arc::default(),
            stats: Mutex::default(),
            prefetched: Mutex::default(),
        })
    }

    pub fn url(&self, key: &str) -> StoreUrl {
        self.base.with_key(key)
    }

    /// The length of `key`, or `None` when there is no such object.
    pub fn stat(&self, key: &str) -> Result<Option<u64>, StoreError> {
        if let Some(known) = self.stats.lock().ok().and_then(|s| s.get(key).copied()) {
            return Ok(known);
        }
        let found = self.rt.block_on(stat(&self.op, key));
        let found = found.map_err(|e| request_error(&self.url(key), &e))?;
        if let Ok(mut s) = self.stats.lock() {
            s.insert(key.to_string(), found);
        }
        Ok(found)
    }

    /// The modification time of `key` when it exists (`Some(None)` when the store gives none).
    pub fn stat_modified(
        &self,
        key: &str,
    ) -> Result<Option<Option<std::time::SystemTime>>, StoreError> {
        let found = self.rt.block_on(async {
            match self.op.stat(key).await {
                Ok(meta) if meta.is_file() => {
                    Ok(Some(meta.last_modified().map(std::time::SystemTime::from)))
                }
                Ok(_) => Ok(None),
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        });
        found.map_err(|e| request_error(&self.url(key), &e))
    }

    /// The whole object `key`, refused past `limit` bytes before any byte is fetched.
    pub fn read_whole(&self, key: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(len) = self.stat(key)? else {
            return Ok(None);
        };
        if len > limit {
            return Err(StoreError::TooLarge {
                url: self.url(key).to_string(),
                len,
                limit,
            });
        }
        self.read_range(key, 0, len).map(Some)
    }

    /// Bytes `start..start + len` of `key` (fewer at its end), from the read-ahead when it
    /// holds them.
    pub fn read_range(&self, key: &str, start: u64, len: u64) -> Result<Vec<u8>, StoreError> {
        let ahead = self
            .prefetched
            .lock()
            .ok()
            .and_then(|mut p| p.remove(&(key.to_string(), start)));
        if let Some(mut bytes) = ahead
            && bytes.len() as u64 >= len
        {
            bytes.truncate(len as usize);
            return Ok(bytes);
        }
        self.rt
            .block_on(read(&self.op, &self.counters, key, start, len))
            .map_err(|e| request_error(&self.url(key), &e))
    }

    /// Reads the first `len` bytes from `start` of each object in parallel (at most
    /// [`CONCURRENCY`] requests at once), kept for [`Remote::read_range`]. Failures are
    /// left for the synchronous read to report.
    pub fn prefetch(&self, wanted: Vec<(String, u64, u64)>) {
        if wanted.len() < 2 {
            return;
        }
        self.rt.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            let gate = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
            for (key, start, len) in wanted {
                let (op, counters, gate) = (self.op.clone(), self.counters.clone(), gate.clone());
                set.spawn(async move {
                    let _permit = gate.acquire().await.ok();
                    let bytes = read(&op, &counters, &key, start, len).await.ok();
                    (key, start, bytes)
                });
            }
            while let Some(done) = set.join_next().await {
                if let Ok((key, start, Some(bytes))) = done
                    && let Ok(mut p) = self.prefetched.lock()
                {
                    p.insert((key, start), bytes);
                }
            }
        });
    }

    /// The children of the folder `key` (one level).
    pub fn list(&self, key: &str) -> Result<Vec<Listed>, StoreError> {
        if self.base.scheme == url::Scheme::Http {
            return Err(StoreError::Unsupported {
                url: self.url(key).to_string(),
                what: "listing a folder".into(),
            });
        }
        let dir = if key.is_empty() {
            String::new()
        } else {
            format!("{key}/")
        };
        let entries = self
            .rt
            .block_on(async { self.op.list_with(&dir).recursive(false).await })
            .map_err(|e| request_error(&self.url(key), &e))?;
        let mut known = self.stats.lock().ok();
        Ok(entries
            .into_iter()
            .filter_map(|e| {
                let name = e
                    .path()
                    .strip_prefix(&dir)?
                    .trim_end_matches('/')
                    .to_string();
                if name.is_empty() || name.contains('/') {
                    return None;
                }
                let meta = e.metadata();
                // A listing gives each object's length: the state files of the folder then
                // need no request of their own to be measured. OpenDAL gives 0 where a store's
                // listing has no length, so only a length it gave is kept.
                if meta.is_file()
                    && meta.content_length() > 0
                    && let Some(stats) = known.as_mut()
                {
                    stats.insert(format!("{dir}{name}"), Some(meta.content_length()));
                }
                Some(Listed {
                    name,
                    is_dir: meta.is_dir(),
                    modified: meta.last_modified().map(std::time::SystemTime::from),
                })
            })
            .collect())
    }
}

async fn stat(op: &opendal::Operator, key: &str) -> Result<Option<u64>, opendal::Error> {
    match op.stat(key).await {
        Ok(meta) if meta.is_file() => Ok(Some(meta.content_length())),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == opendal::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read(
    op: &opendal::Operator,
    counters: &Counters,
    key: &str,
    start: u64,
    len: u64,
) -> Result<Vec<u8>, opendal::Error> {
    if len == 0 {
        return Ok(Vec::new());
    }
    let buf = op
        .read_with(key)
        .range(start..start.saturating_add(len))
        .await?;
    counters.objects.fetch_add(1, Ordering::Relaxed);
    counters
        .bytes
        .fetch_add(buf.len() as u64, Ordering::Relaxed);
    // A server that ignores the range must not make the read larger than asked.
    let mut bytes = buf.to_vec();
    bytes.truncate(usize::try_from(len).unwrap_or(usize::MAX));
    Ok(bytes)
}
