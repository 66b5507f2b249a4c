//! Spans of every element of an array in one pass. Locating `operators[i]` path by path walks
//! the document from its start each time (quadratic in the number of operators); the loader
//! needs all of them, so it walks each array once here. The spans equal those of
//! [`span::locate`] for paths that exist.

use std::ops::Range;

use super::span::{self, Block, Syntax};

/// A value found in the document: a byte position (JSON) or a block (YAML).
#[derive(Debug, Clone, Copy)]
pub enum Node {
    Json(usize),
    Yaml(Block),
}

/// The document's root value.
pub fn root(text: &str, syntax: Syntax) -> Option<Node> {
    match syntax {
        Syntax::Json => {
            let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
            Some(Node::Json(span::skip_ws(text.as_bytes(), start)))
        }
        Syntax::Yaml => span::yaml_root(text).map(Node::Yaml),
    }
}

/// The value of member `key` of the mapping at `node`.
pub fn member(text: &str, node: Node, key: &str) -> Option<Node> {
    match node {
        Node::Json(pos) => span::json_member(text, pos, key).map(Node::Json),
        Node::Yaml(block) => span::yaml_key(text, block, key).map(Node::Yaml),
    }
}

/// Every element of the sequence at `node`, with its span, in order; `None` when an element's
/// end cannot be found (the caller then falls back to locating path by path).
pub fn elements(text: &str, node: Node) -> Option<Vec<(Node, Range<usize>)>> {
    match node {
        Node::Json(pos) => json_elements(text.as_bytes(), pos),
        Node::Yaml(block) => {
            let lines = span::yaml_lines(text, block);
            let items = span::yaml_items(text, block, &lines);
            (0..items.len())
                .map(|i| {
                    span::yaml_item(text, block, &lines, &items, i)
                        .map(|b| (Node::Yaml(b), b.start..b.end))
                })
                .collect()
        }
    }
}

fn json_elements(b: &[u8], pos: usize) -> Option<Vec<(Node, Range<usize>)>> {
    if b.get(pos) != Some(&b'[') {
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let mut i = span::skip_ws(b, pos + 1);
    while i < b.len() && b[i] != b']' {
        let end = span::json_skip_value(b, i)?;
        out.push((Node::Json(i), i..end));
        i = span::skip_ws(b, end);
        if b.get(i) == Some(&b',') {
            i = span::skip_ws(b, i + 1);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_spans(text: &str) -> Vec<Range<usize>> {
        let syntax = Syntax::detect(text);
        let ops = member(text, root(text, syntax).unwrap(), "operators").unwrap();
        let mut out = Vec::new();
        for (op, range) in elements(text, ops).unwrap() {
            out.push(range);
            if let Some(states) = member(text, op, "state") {
                out.extend(elements(text, states).unwrap().into_iter().map(|(_, r)| r));
            }
        }
        out
    }

    fn path_spans(text: &str, shape: &[usize]) -> Vec<Range<usize>> {
        let syntax = Syntax::detect(text);
        let mut out = Vec::new();
        for (i, &states) in shape.iter().enumerate() {
            let at = |p: String| span::locate(text, syntax, &span::parse_path(&p)).unwrap();
            out.push(at(format!("operators[{i}]")));
            for j in 0..states {
                out.push(at(format!("operators[{i}].state[{j}]")));
            }
        }
        out
    }

    #[test]
    fn same_spans_as_path_lookup_json() {
        let text = r#"{"format": "x", "operators": [
            {"node": 1, "state": [{"name": "a"}, {"name": "b"}]},
            {"node": 2},
            {"node": 3, "state": []}, {"node": 4, "state": [{"name": "[c]"}]}]}"#;
        assert_eq!(all_spans(text), path_spans(text, &[2, 0, 0, 1]));
    }

    #[test]
    fn same_spans_as_path_lookup_yaml() {
        let text = "format: x\noperators:\n  - node: 1\n    state:\n      - name: a\n      - name: b\n  -\n    node: 2\n  - node: 3\n    state:\n    - name: c\n";
        assert_eq!(all_spans(text), path_spans(text, &[2, 0, 1]));
    }
}
