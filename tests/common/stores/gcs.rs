//! Uploads to `gcp-storage-emulator` through the GCS JSON API (the emulator takes no
//! credentials, as Google's SDKs assume when `STORAGE_EMULATOR_HOST` is set).

use super::http::{request, try_request};

/// `s` escaped for a query value.
fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn put_object(port: u16, bucket: &str, key: &str, bytes: &[u8]) {
    let (target, content_type, body) = if bytes.is_empty() {
        // The emulator fails a media upload without a body; a multipart one names the object
        // in its metadata part and carries the empty content.
        let body = format!(
            "--part\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{}\r\n--part\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--part--\r\n",
            serde_json::json!({ "name": key })
        );
        (
            format!("/upload/storage/v1/b/{bucket}/o?uploadType=multipart"),
            "multipart/related; boundary=part",
            body.into_bytes(),
        )
    } else {
        (
            format!(
                "/upload/storage/v1/b/{bucket}/o?uploadType=media&name={}",
                query_escape(key)
            ),
            "application/octet-stream",
            bytes.to_vec(),
        )
    };
    let headers = [("Content-Type".to_string(), content_type.to_string())];
    let (status, answer) = request(port, "POST", &target, &headers, &body);
    assert_eq!(status, 200, "upload of {key} to the GCS emulator: {answer}");
}

/// Waits until the emulator answers for `bucket`, at most until `deadline`.
pub fn wait_for_bucket(port: u16, bucket: &str, deadline: std::time::Instant) {
    loop {
        let answer = try_request(port, "GET", &format!("/storage/v1/b/{bucket}"), &[], &[]);
        match answer {
            Ok((200, _)) => return,
            other => assert!(
                std::time::Instant::now() < deadline,
                "the GCS emulator never served bucket {bucket}: {other:?}"
            ),
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
