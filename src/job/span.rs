//! Mapping JSON paths (`operators[1].parallelism`) to byte ranges of the source text.
//!
//! serde does not keep positions, so diagnostics that arise after parsing (duplicate nodes,
//! unknown inputs, hash collisions) find their span again here: exactly for JSON (a small
//! scanner over an already validated document), by indentation for block-style YAML.

use std::fmt;
use std::ops::Range;

/// The syntax a job-graph file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    Json,
    Yaml,
}

impl Syntax {
    /// JSON if the first non-blank character is `{`, YAML otherwise (never from the file name).
    pub fn detect(text: &str) -> Syntax {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        if body.trim_start().starts_with('{') {
            Syntax::Json
        } else {
            Syntax::Yaml
        }
    }

    pub fn language(self) -> &'static str {
        match self {
            Syntax::Json => "json",
            Syntax::Yaml => "yaml",
        }
    }
}

impl fmt::Display for Syntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Syntax::Json => "JSON",
            Syntax::Yaml => "YAML",
        })
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// Parses `operators[1].state[0].type` (a leading `.` or `$` is ignored).
pub fn parse_path(path: &str) -> Vec<PathSeg> {
    let mut segs = Vec::new();
    let path = path.trim_start_matches('$');
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segs.push(PathSeg::Key(key.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(close) = stripped.find(']') else {
                break;
            };
            if let Ok(i) = stripped[..close].parse() {
                segs.push(PathSeg::Index(i));
            }
            rest = &stripped[close + 1..];
        }
    }
    segs
}

/// Formats segments as `operators[1].parallelism`; the empty path as the empty string.
pub fn format_path(segs: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// Converts a serde_path_to_error path.
pub fn from_serde_path(path: &serde_path_to_error::Path) -> Vec<PathSeg> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|seg| match seg {
            Segment::Seq { index } => Some(PathSeg::Index(*index)),
            Segment::Map { key } => Some(PathSeg::Key(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// Byte range of the value at `path`; for YAML, or when the path leaves the document, the
/// deepest value found on the way (the whole document at worst).
pub fn locate(text: &str, syntax: Syntax, path: &[PathSeg]) -> Option<Range<usize>> {
    match syntax {
        Syntax::Json => json_locate(text, path),
        Syntax::Yaml => yaml_locate(text, path),
    }
}

/// Byte offset of a 1-based line and 1-based column; `column_in_chars` selects whether the
/// column counts characters (libyaml) or bytes (serde_json). Clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize, column_in_chars: bool) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let col = column.saturating_sub(1);
    let off = if column_in_chars {
        text[start..]
            .char_indices()
            .nth(col)
            .map_or(text.len(), |(i, _)| start + i)
    } else {
        (start + col).min(text.len())
    };
    floor_char_boundary(text, off)
}

pub fn floor_char_boundary(text: &str, mut off: usize) -> usize {
    off = off.min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    off
}

// ---------------------------------------------------------------- JSON

fn json_locate(text: &str, path: &[PathSeg]) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, if text.starts_with('\u{feff}') { 3 } else { 0 });
    let mut last = pos..json_skip_value(b, pos)?;
    for seg in path {
        let found = match seg {
            PathSeg::Key(key) => json_member(text, pos, key),
            PathSeg::Index(index) => json_element(b, pos, *index),
        };
        match found {
            Some(p) => {
                pos = p;
                last = pos..json_skip_value(b, pos)?;
            }
            None => break,
        }
    }
    Some(last)
}

pub(super) fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// End (exclusive) of the JSON value starting at `pos`.
pub(super) fn json_skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match *b.get(pos)? {
        b'"' => json_skip_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = json_skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                i += 1;
            }
            Some(i)
        }
    }
}

fn json_skip_string(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Start of the value of member `key` in the object at `pos`.
pub(super) fn json_member(text: &str, pos: usize, key: &str) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(pos) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(b, pos + 1);
    while b.get(i) == Some(&b'"') {
        let key_end = json_skip_string(b, i)?;
        // Keys may contain escapes; let serde_json decode them.
        let name: String = serde_json::from_str(&text[i..key_end]).ok()?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let value = skip_ws(b, i + 1);
        if name == key {
            return Some(value);
        }
        i = skip_ws(b, json_skip_value(b, value)?);
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        }
    }
    None
}

/// Start of element `index` of the array at `pos`.
fn json_element(b: &[u8], pos: usize, index: usize) -> Option<usize> {
    if b.get(pos) != Some(&b'[') {
        return None;
    }
    let mut i = skip_ws(b, pos + 1);
    let mut n = 0;
    while i < b.len() && b[i] != b']' {
        if n == index {
            return Some(i);
        }
        i = skip_ws(b, json_skip_value(b, i)?);
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        }
        n += 1;
    }
    None
}

// ---------------------------------------------------------------- YAML

/// A block node: byte range plus the column at which its entries (keys or dashes) start.
#[derive(Debug, Clone, Copy)]
pub(super) struct Block {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) indent: usize,
}

/// A content line within a block: where its content starts and at which column.
pub(super) struct Line {
    pub(super) start: usize,
    pub(super) content: usize,
    pub(super) end: usize,
    pub(super) col: usize,
}

pub(super) fn yaml_lines(text: &str, block: Block) -> Vec<Line> {
    let mut out = Vec::new();
    let mut line_start = text[..block.start].rfind('\n').map_or(0, |i| i + 1);
    while line_start < block.end {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let from = line_start.max(block.start);
        let content = from + (text[from..line_end].len() - text[from..line_end].trim_start().len());
        let rest = &text[content..line_end];
        if !rest.is_empty() && !rest.starts_with('#') {
            out.push(Line {
                start: line_start,
                content,
                end: line_end.min(block.end),
                col: text[line_start..content].chars().count(),
            });
        }
        line_start = line_end + 1;
    }
    out
}

pub(super) fn is_dash(text: &str, line: &Line) -> bool {
    let rest = &text[line.content..line.end];
    rest == "-" || rest.starts_with("- ") || rest.starts_with("-\t")
}

pub(super) fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

pub(super) fn yaml_root(text: &str) -> Option<Block> {
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let all = Block {
        start,
        end: text.len(),
        indent: 0,
    };
    let lines = yaml_lines(text, all);
    let mut first = lines.iter().find(|l| !text[l.content..].starts_with('%'))?;
    if text[first.content..first.end].trim_end() == "---" {
        start = first.end;
        first = lines.iter().find(|l| l.content > start)?;
    }
    Some(Block {
        start: first.content,
        end: trim_end(text, start, text.len()),
        indent: first.col,
    })
}

/// The value that starts at `value_at` on line `idx`: inline, or the indented lines below.
pub(super) fn yaml_value(
    text: &str,
    parent: Block,
    lines: &[Line],
    idx: usize,
    value_at: usize,
    is_key: bool,
) -> Block {
    let line = &lines[idx];
    let inline = text[value_at..line.end].trim_end();
    if !inline.is_empty() && !inline.starts_with('#') && !inline.starts_with(['|', '>']) {
        return Block {
            start: value_at,
            end: value_at + inline.len(),
            indent: text[line.start..value_at].chars().count(),
        };
    }
    // Block value: following lines indented deeper (a sequence may sit at the same column).
    let mut end = line.end;
    let mut indent = None;
    for l in &lines[idx + 1..] {
        let deeper =
            l.col > parent.indent || (is_key && l.col == parent.indent && is_dash(text, l));
        if !deeper {
            break;
        }
        indent.get_or_insert(l.col);
        end = l.end;
    }
    match indent {
        Some(indent) => {
            let start = lines[idx + 1].content;
            Block {
                start,
                end: trim_end(text, start, end),
                indent,
            }
        }
        None => Block {
            start: value_at,
            end: value_at,
            indent: parent.indent + 1,
        },
    }
}

pub(super) fn yaml_key(text: &str, block: Block, key: &str) -> Option<Block> {
    let lines = yaml_lines(text, block);
    for (idx, line) in lines.iter().enumerate() {
        if line.col != block.indent || is_dash(text, line) {
            continue;
        }
        let rest = &text[line.content..line.end];
        let after = [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
            .into_iter()
            .find_map(|k| rest.strip_prefix(k.as_str()).map(str::trim_start))
            .and_then(|r| r.strip_prefix(':'));
        if let Some(after) = after
            && (after.is_empty() || after.starts_with([' ', '\t']))
        {
            let value_at = line.end - after.trim_start().len();
            return Some(yaml_value(text, block, &lines, idx, value_at, true));
        }
    }
    None
}

fn yaml_index(text: &str, block: Block, index: usize) -> Option<Block> {
    let lines = yaml_lines(text, block);
    let items = yaml_items(text, block, &lines);
    yaml_item(text, block, &lines, &items, index)
}

/// Indexes into `lines` of the sequence items (dashes) directly in `block`.
pub(super) fn yaml_items(text: &str, block: Block, lines: &[Line]) -> Vec<usize> {
    (0..lines.len())
        .filter(|&i| lines[i].col == block.indent && is_dash(text, &lines[i]))
        .collect()
}

/// Item `index` of a sequence block, given its lines and items (see [`yaml_items`]).
pub(super) fn yaml_item(
    text: &str,
    block: Block,
    lines: &[Line],
    items: &[usize],
    index: usize,
) -> Option<Block> {
    let &idx = items.get(index)?;
    let line = &lines[idx];
    let after_dash = line.content + 1;
    let content =
        after_dash + (line.end - after_dash - text[after_dash..line.end].trim_start().len());
    if content < line.end && !text[content..].starts_with('#') {
        // `- key: value` — the item's entries start at the column after the dash.
        let end = items.get(index + 1).map_or(block.end, |&n| lines[n].start);
        return Some(Block {
            start: content,
            end: trim_end(text, content, end),
            indent: text[line.start..content].chars().count(),
        });
    }
    Some(yaml_value(text, block, lines, idx, line.end, false))
}

fn yaml_locate(text: &str, path: &[PathSeg]) -> Option<Range<usize>> {
    let mut block = yaml_root(text)?;
    for seg in path {
        let next = match seg {
            PathSeg::Key(key) => yaml_key(text, block, key),
            PathSeg::Index(index) => yaml_index(text, block, *index),
        };
        match next {
            Some(b) => block = b,
            None => break,
        }
    }
    Some(block.start..block.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, syntax: Syntax, path: &str) -> &'a str {
        let r = locate(text, syntax, &parse_path(path)).unwrap();
        &text[r]
    }

    #[test]
    fn paths_round_trip() {
        let p = parse_path("operators[1].state[0].type");
        assert_eq!(
            p,
            vec![
                PathSeg::Key("operators".into()),
                PathSeg::Index(1),
                PathSeg::Key("state".into()),
                PathSeg::Index(0),
                PathSeg::Key("type".into()),
            ]
        );
        assert_eq!(format_path(&p), "operators[1].state[0].type");
        assert!(parse_path(".").is_empty());
    }

    #[test]
    fn json_paths() {
        let text = r#"{"a": 1, "operators": [ {"node": 1, "x": "q\"}"}, {"node": 2,
            "inputs": [{"node": 1}], "s\u0074ate": [{"name": "n"}]} ] }"#;
        assert_eq!(at(text, Syntax::Json, "operators[1].node"), "2");
        assert_eq!(at(text, Syntax::Json, "operators[0].x"), r#""q\"}""#);
        assert_eq!(
            at(text, Syntax::Json, "operators[1].inputs[0]"),
            r#"{"node": 1}"#
        );
        assert_eq!(
            at(text, Syntax::Json, "operators[1].state[0].name"),
            r#""n""#
        );
        // Missing parts fall back to the deepest value found.
        assert_eq!(
            at(text, Syntax::Json, "operators[0].nope"),
            r#"{"node": 1, "x": "q\"}"}"#
        );
    }

    #[test]
    fn yaml_paths() {
        let text = "\
# comment
format: spcompat-job-graph/1
operators:
  - node: 1
    name: src
    inputs: []
  - node: 2
    inputs:
    - node: 1
      partitioner: HASH
    state:
      - name: seen
        kind: value
job: x
";
        assert_eq!(at(text, Syntax::Yaml, "format"), "spcompat-job-graph/1");
        assert_eq!(at(text, Syntax::Yaml, "operators[1].node"), "2");
        assert_eq!(
            at(text, Syntax::Yaml, "operators[0]"),
            "node: 1\n    name: src\n    inputs: []"
        );
        assert_eq!(
            at(text, Syntax::Yaml, "operators[1].inputs[0].partitioner"),
            "HASH"
        );
        assert_eq!(
            at(text, Syntax::Yaml, "operators[1].state[0].kind"),
            "value"
        );
        assert_eq!(at(text, Syntax::Yaml, "job"), "x");
    }

    #[test]
    fn offsets() {
        let text = "ab\ncdé f\n";
        assert_eq!(offset_of(text, 2, 5, true), text.find('f').unwrap());
        assert_eq!(offset_of(text, 2, 6, false), text.find('f').unwrap());
        assert_eq!(offset_of(text, 9, 1, false), text.len());
    }
}
