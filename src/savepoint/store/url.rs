//! Object-store URLs as `--savepoint` takes them, and the OpenDAL service each maps onto.
//! Credentials come from the conventions each service already has (environment, profiles,
//! instance metadata); only what a URL cannot say (an S3-compatible endpoint, an Azure
//! account) is read from the environment here.

use super::StoreError;

/// The services a savepoint URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `s3://`, `s3a://`, `s3n://`, `s3p://` (Flink's S3 file systems): Amazon S3 and
    /// S3-compatible servers (`AWS_ENDPOINT_URL`).
    S3,
    Gcs,
    /// `az://container/…` and `abfs[s]://` / `wasb[s]://container@account.…/…`.
    Azblob,
    Oss,
    /// `webhdfs://` and `hdfs://` (read through the NameNode's WebHDFS endpoint).
    Webhdfs,
    Http,
}

/// A parsed store URL: which store (service and bucket), and a key inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUrl {
    pub scheme: Scheme,
    /// The scheme as written (`s3a`, `https`): URLs are shown as the user wrote them.
    pub written_scheme: String,
    /// Bucket, container (with `@account…` for abfs/wasb) or `host:port`.
    pub authority: String,
    /// The key inside the store, without leading or trailing `/`.
    pub key: String,
}

/// What a string that looks like `scheme://…` names, if anything remote.
pub fn looks_remote(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme != "file"
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
    })
}

impl StoreUrl {
    pub fn parse(url: &str) -> Result<StoreUrl, StoreError> {
        let bad = |reason: &str| StoreError::BadUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let (written, rest) = url.split_once("://").ok_or_else(|| bad("no `scheme://`"))?;
        let written = written.to_ascii_lowercase();
        let scheme = match written.as_str() {
            "s3" | "s3a" | "s3n" | "s3p" => Scheme::S3,
            "gs" | "gcs" => Scheme::Gcs,
            "az" | "azblob" | "abfs" | "abfss" | "wasb" | "wasbs" => Scheme::Azblob,
            "oss" => Scheme::Oss,
            "webhdfs" | "hdfs" => Scheme::Webhdfs,
            "http" | "https" => Scheme::Http,
            _ => {
                return Err(StoreError::UnsupportedScheme {
                    url: url.to_string(),
                    scheme: written,
                });
            }
        };
        let (authority, key) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.is_empty() {
            return Err(bad("no bucket, container or host after `://`"));
        }
        if authority.contains(['?', '#']) || key.contains(['?', '#']) {
            return Err(bad(
                "query strings and fragments are not part of a savepoint path",
            ));
        }
        let key = normal_key(key).ok_or_else(|| bad("`..` in the path"))?;
        Ok(StoreUrl {
            scheme,
            written_scheme: written,
            authority: authority.to_string(),
            key,
        })
    }

    /// The same store with another key.
    pub fn with_key(&self, key: &str) -> StoreUrl {
        StoreUrl {
            key: key.trim_matches('/').to_string(),
            ..self.clone()
        }
    }

    /// Whether `other` names an object of this same store (service and bucket).
    pub fn same_store(&self, other: &StoreUrl) -> bool {
        self.scheme == other.scheme && self.authority == other.authority
    }
}

impl std::fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}/{}",
            self.written_scheme, self.authority, self.key
        )
    }
}

/// `key` without empty and `.` segments; `None` when it has `..` (it could climb anywhere).
pub fn normal_key(key: &str) -> Option<String> {
    let mut parts = Vec::new();
    for p in key.split('/') {
        match p {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The first set environment variable of `names`.
fn env(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

/// `host:port` as an emulator variable gives it (the SDKs take both forms) as a URL.
fn with_http_scheme(host: &str) -> String {
    if host.contains("://") {
        host.trim_end_matches('/').to_string()
    } else {
        format!("http://{}", host.trim_end_matches('/'))
    }
}

/// The account a connection string names (`UseDevelopmentStorage=true` is Azurite's).
fn connection_string_account(conn: &str) -> Option<String> {
    let mut account = None;
    for part in conn.split(';') {
        match part.trim().split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("AccountName") => account = Some(v.to_string()),
            Some((k, v))
                if k.eq_ignore_ascii_case("UseDevelopmentStorage")
                    && v.eq_ignore_ascii_case("true")
                    && account.is_none() =>
            {
                account = Some("devstoreaccount1".to_string());
            }
            _ => {}
        }
    }
    account
}

/// The Azure Blob builder for `url`: `AZURE_STORAGE_CONNECTION_STRING` when set (endpoint,
/// account, key or SAS, as the Azure CLI and SDKs take it, Azurite's included), else the
/// account of the URL or `AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY` or
/// `AZURE_STORAGE_SAS_TOKEN`, and `AZURE_STORAGE_ENDPOINT`.
fn azblob(url: &StoreUrl) -> Result<opendal::services::Azblob, StoreError> {
    let config_error = |reason: String| StoreError::Config {
        url: url.to_string(),
        reason,
    };
    // abfs://container@account.dfs.core.windows.net: the account is in the URL.
    let (container, host) = match url.authority.split_once('@') {
        Some((c, h)) => (c, Some(h)),
        None => (url.authority.as_str(), None),
    };
    let url_account = host.and_then(|h| h.split('.').next()).map(str::to_string);
    if let Some(conn) = env(&["AZURE_STORAGE_CONNECTION_STRING"]) {
        let named = connection_string_account(&conn);
        if let (Some(u), Some(c)) = (&url_account, &named)
            && u != c
        {
            return Err(config_error(format!(
                "the URL names account `{u}`, AZURE_STORAGE_CONNECTION_STRING account `{c}`"
            )));
        }
        let b = opendal::services::Azblob::from_connection_string(&conn)
            .map_err(|e| config_error(format!("AZURE_STORAGE_CONNECTION_STRING: {e}")))?;
        return Ok(b.container(container).root("/"));
    }
    let account =
        url_account.or_else(|| env(&["AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_ACCOUNT"]));
    let mut b = opendal::services::Azblob::default()
        .container(container)
        .root("/");
    if let Some(a) = &account {
        b = b.account_name(a);
    }
    if let Some(k) = env(&["AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_KEY"]) {
        b = b.account_key(&k);
    } else if let Some(t) = env(&["AZURE_STORAGE_SAS_TOKEN"]) {
        b = b.sas_token(&t);
    }
    let endpoint = env(&["AZURE_STORAGE_ENDPOINT"])
        .or_else(|| account.map(|a| format!("https://{a}.blob.core.windows.net")));
    if let Some(e) = endpoint {
        b = b.endpoint(&e);
    }
    Ok(b)
}

/// The OpenDAL operator for the store `url` names, rooted at the store's top (keys are full
/// keys), before the retry, timeout and concurrency layers are added.
pub fn operator(url: &StoreUrl) -> Result<opendal::Operator, StoreError> {
    use opendal::services;
    let config = |e: opendal::Error| StoreError::Config {
        url: url.to_string(),
        reason: e.to_string(),
    };
    match url.scheme {
        Scheme::S3 => {
            let mut b = services::S3::default().bucket(&url.authority).root("/");
            let endpoint = env(&["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]);
            if let Some(e) = &endpoint {
                b = b.endpoint(e);
            }
            match env(&["AWS_REGION", "AWS_DEFAULT_REGION"]) {
                Some(r) => b = b.region(&r),
                // S3-compatible servers take any signing region; AWS itself needs the right one.
                None if endpoint.is_some() => b = b.region("us-east-1"),
                None => {
                    return Err(StoreError::Config {
                        url: url.to_string(),
                        reason: "no region: set AWS_REGION (or AWS_ENDPOINT_URL for an S3-compatible server)".into(),
                    });
                }
            }
            if let Some(p) = env(&["AWS_PROFILE"]) {
                b = b.profile(&p);
            }
            Ok(opendal::Operator::new(b).map_err(config)?)
        }
        Scheme::Gcs => {
            let mut b = services::Gcs::default().bucket(&url.authority).root("/");
            if let Some(host) = env(&["STORAGE_EMULATOR_HOST"]) {
                // As Google's SDKs do: an emulator takes no credentials, so none are looked
                // for (no VM metadata request, no gcloud config) and requests go unsigned.
                b = b
                    .endpoint(&with_http_scheme(&host))
                    .skip_signature()
                    .disable_vm_metadata()
                    .disable_config_load();
            } else if let Some(e) = env(&["GCS_ENDPOINT"]) {
                b = b.endpoint(&e);
            }
            Ok(opendal::Operator::new(b).map_err(config)?)
        }
        Scheme::Azblob => Ok(opendal::Operator::new(azblob(url)?).map_err(config)?),
        Scheme::Oss => {
            let mut b = services::Oss::default().bucket(&url.authority).root("/");
            if let Some(e) = env(&["OSS_ENDPOINT", "ALIBABA_CLOUD_OSS_ENDPOINT"]) {
                b = b.endpoint(&e);
            }
            Ok(opendal::Operator::new(b).map_err(config)?)
        }
        Scheme::Webhdfs => {
            // hdfs://namenode:8020 names the RPC port; WebHDFS listens on the HTTP port.
            let endpoint = match url.written_scheme.as_str() {
                "hdfs" => env(&["WEBHDFS_ENDPOINT"]).unwrap_or_else(|| {
                    let host = url.authority.split(':').next().unwrap_or(&url.authority);
                    format!("http://{host}:9870")
                }),
                _ => format!("http://{}", url.authority),
            };
            let mut b = services::Webhdfs::default().endpoint(&endpoint).root("/");
            if let Some(u) = env(&["HADOOP_USER_NAME"]) {
                b = b.user_name(&u);
            }
            Ok(opendal::Operator::new(b).map_err(config)?)
        }
        Scheme::Http => {
            let b = services::Http::default()
                .endpoint(&format!("{}://{}", url.written_scheme, url.authority))
                .root("/");
            Ok(opendal::Operator::new(b).map_err(config)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_store_and_key() {
        let u = StoreUrl::parse("s3a://bucket/a//b/./sp-1/").unwrap();
        assert_eq!(
            (u.scheme, u.authority.as_str(), u.key.as_str()),
            (Scheme::S3, "bucket", "a/b/sp-1")
        );
        assert_eq!(u.to_string(), "s3a://bucket/a/b/sp-1");
        assert!(u.same_store(&StoreUrl::parse("s3://bucket/x").unwrap()));
        assert!(!u.same_store(&StoreUrl::parse("s3://other/x").unwrap()));
        assert!(StoreUrl::parse("s3://bucket/a/../b").is_err());
        assert!(matches!(
            StoreUrl::parse("ftp://host/x"),
            Err(StoreError::UnsupportedScheme { .. })
        ));
        assert!(looks_remote("gs://b/x") && !looks_remote("file:///x") && !looks_remote("/tmp/x"));
    }

    #[test]
    fn emulator_conventions() {
        assert_eq!(with_http_scheme("localhost:9023"), "http://localhost:9023");
        assert_eq!(with_http_scheme("https://gcs.local/"), "https://gcs.local");
        let azurite = "DefaultEndpointsProtocol=http;AccountName=acct1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/acct1;";
        assert_eq!(connection_string_account(azurite).as_deref(), Some("acct1"));
        assert_eq!(
            connection_string_account("UseDevelopmentStorage=true").as_deref(),
            Some("devstoreaccount1")
        );
        assert_eq!(
            connection_string_account("SharedAccessSignature=sv=1"),
            None
        );
    }
}
