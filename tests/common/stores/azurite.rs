//! Azurite's well-known development account, and requests to it signed with Shared Key (Azurite
//! refuses unsigned writes): creating the container, putting blobs.

use base64::Engine;
use hmac::{Hmac, Mac};

use super::http::request;

/// Azurite's built-in account and key (published with Azurite; not a secret).
pub const ACCOUNT: &str = "devstoreaccount1";
const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const VERSION: &str = "2021-08-06";

/// Azurite's endpoint on `port`: path-style, the account as the first path segment.
fn endpoint(port: u16) -> String {
    format!("http://127.0.0.1:{port}/{ACCOUNT}")
}

/// `AZURE_STORAGE_CONNECTION_STRING` as the Azure CLI and SDKs read it for Azurite.
pub fn connection_string_env(port: u16) -> Vec<(String, String)> {
    vec![(
        "AZURE_STORAGE_CONNECTION_STRING".into(),
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={};",
            endpoint(port)
        ),
    )]
}

pub fn account_env(port: u16) -> Vec<(String, String)> {
    vec![
        ("AZURE_STORAGE_ACCOUNT_NAME".into(), ACCOUNT.into()),
        ("AZURE_STORAGE_ACCOUNT_KEY".into(), KEY.into()),
        ("AZURE_STORAGE_ENDPOINT".into(), endpoint(port)),
    ]
}

/// An RFC 1123 date (`x-ms-date`) of now.
fn http_date() -> String {
    jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&jiff::Timestamp::now())
        .unwrap()
}

/// A Shared Key signed request to Azurite: `path` below the account, `query` as name/value.
fn signed(
    port: u16,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    extra: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut ms = vec![
        ("x-ms-date".to_string(), http_date()),
        ("x-ms-version".to_string(), VERSION.to_string()),
    ];
    ms.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ms.sort();
    let length = if body.is_empty() {
        String::new()
    } else {
        body.len().to_string()
    };
    let mut to_sign = format!("{method}\n\n\n{length}\n\n\n\n\n\n\n\n\n");
    for (k, v) in &ms {
        to_sign.push_str(&format!("{k}:{v}\n"));
    }
    // Path-style: the resource is /account followed by the request path, which starts with
    // the account again.
    to_sign.push_str(&format!("/{ACCOUNT}/{ACCOUNT}/{path}"));
    let mut sorted = query.to_vec();
    sorted.sort();
    for (k, v) in &sorted {
        to_sign.push_str(&format!("\n{k}:{v}"));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&b64.decode(KEY).unwrap()).unwrap();
    mac.update(to_sign.as_bytes());
    let signature = b64.encode(mac.finalize().into_bytes());
    ms.push((
        "Authorization".to_string(),
        format!("SharedKey {ACCOUNT}:{signature}"),
    ));
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let target = if query.is_empty() {
        format!("/{ACCOUNT}/{path}")
    } else {
        format!("/{ACCOUNT}/{path}?{}", query.join("&"))
    };
    request(port, method, &target, &ms, body)
}

pub fn create_container(port: u16, container: &str) {
    let (status, body) = signed(
        port,
        "PUT",
        container,
        &[("restype", "container")],
        &[],
        &[],
    );
    assert_eq!(
        status, 201,
        "Azurite: creating container {container}: {body}"
    );
}

pub fn put_blob(port: u16, container: &str, key: &str, bytes: &[u8]) {
    // Keys of the fixtures need no escaping; anything else would need it in the signature too.
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._/".contains(&b)),
        "{key}: a blob name the test signer does not escape"
    );
    let path = format!("{container}/{key}");
    let (status, body) = signed(
        port,
        "PUT",
        &path,
        &[],
        &[("x-ms-blob-type", "BlockBlob")],
        bytes,
    );
    assert_eq!(status, 201, "Azurite: putting {key}: {body}");
}
