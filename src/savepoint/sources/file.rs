//! `FileSource`: `FileSourceSplit` and the Flink `Path` inside it.

use serde::Serialize;

use super::{expect_end, read_strict_bool};
use crate::javaio::data_input::{DataReader, DecodeResult};

/// `FileSourceSplit` (serializer version 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSplit {
    pub split_id: String,
    pub path: Option<String>,
    /// Byte range of the file this split covers.
    pub offset: i64,
    pub length: i64,
    pub modification_time: i64,
    pub file_size: i64,
    pub hostnames: Vec<String>,
    /// Where the reader stands: a byte offset and records to skip after it.
    pub reader_position: Option<FilePosition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilePosition {
    pub offset: i64,
    pub records_after_offset: i64,
}

/// `FileSourceSplitSerializer` version 1: `utf id`, `Path`, `i64 offset, length,
/// modificationTime, fileSize`, `i32 n` host names (`utf`), `bool` + reader position
/// (`i64 offset, i64 recordsAfterOffset`).
pub fn decode_file_split(payload: &[u8]) -> DecodeResult<FileSplit> {
    let mut r = DataReader::new(payload);
    let split_id = r.utf("split id")?;
    let path = read_flink_path(&mut r)?;
    let offset = r.i64("split offset")?;
    let length = r.i64("split length")?;
    let modification_time = r.i64("file modification time")?;
    let file_size = r.i64("file size")?;
    if offset < 0 || length < 0 || file_size < 0 {
        return Err(r.error(
            "non-negative offset, length and file size",
            "a negative value",
        ));
    }
    let n = r.count("number of host names", 2)?;
    let mut hostnames = Vec::with_capacity(n);
    for _ in 0..n {
        hostnames.push(r.utf("host name")?);
    }
    let reader_position = if read_strict_bool(&mut r, "reader position flag")? {
        Some(FilePosition {
            offset: r.i64("reader offset")?,
            records_after_offset: r.i64("records after offset")?,
        })
    } else {
        None
    };
    expect_end(&r, "end of the file split")?;
    Ok(FileSplit {
        split_id,
        path,
        offset,
        length,
        modification_time,
        file_size,
        hostnames,
        reader_position,
    })
}

/// Flink's `Path.serializeToDataOutputView`: `bool` present, then the URI's scheme, user
/// info, host (nullable `StringValue` strings), `i32` port, path, query, fragment.
fn read_flink_path(r: &mut DataReader) -> DecodeResult<Option<String>> {
    if !read_strict_bool(r, "path present flag")? {
        return Ok(None);
    }
    let nullable = |r: &mut DataReader, what: &str| -> DecodeResult<Option<String>> {
        if read_strict_bool(r, what)? {
            r.flink_string(what)
        } else {
            Ok(None)
        }
    };
    let scheme = nullable(r, "path scheme")?;
    let user = nullable(r, "path user info")?;
    let host = nullable(r, "path host")?;
    let port = r.i32("path port")?;
    let path = nullable(r, "path")?;
    let query = nullable(r, "path query")?;
    let fragment = nullable(r, "path fragment")?;
    let mut uri = String::new();
    if let Some(s) = scheme {
        uri.push_str(&s);
        uri.push(':');
    }
    if host.is_some() || user.is_some() {
        uri.push_str("//");
        if let Some(u) = user {
            uri.push_str(&u);
            uri.push('@');
        }
        uri.push_str(host.as_deref().unwrap_or(""));
        if port >= 0 {
            uri.push_str(&format!(":{port}"));
        }
    }
    uri.push_str(path.as_deref().unwrap_or(""));
    if let Some(q) = query {
        uri.push('?');
        uri.push_str(&q);
    }
    if let Some(f) = fragment {
        uri.push('#');
        uri.push_str(&f);
    }
    Ok(Some(uri))
}
