//! Errors for unusable job-graph files. Each names the file and, where the text is known,
//! points at the offending part of it.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

use super::span::Syntax;

/// Why a job-graph file cannot be used. Boxed so that `Result`s stay small; match on
/// [`JobGraphError::kind`].
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error(transparent)]
#[diagnostic(transparent)]
pub struct JobGraphError(Box<JobGraphErrorKind>);

impl JobGraphError {
    pub fn kind(&self) -> &JobGraphErrorKind {
        &self.0
    }

    pub fn into_kind(self) -> JobGraphErrorKind {
        *self.0
    }
}

impl From<JobGraphErrorKind> for JobGraphError {
    fn from(mut kind: JobGraphErrorKind) -> Self {
        kind.drop_unrenderable_labels();
        JobGraphError(Box::new(kind))
    }
}

/// miette cannot underline past this column (its padding is a formatting width, capped at
/// 65,535) and a minified job graph can be one line of any length.
const MAX_LABEL_COLUMN: usize = 60_000;

impl JobGraphErrorKind {
    /// Removes labels that end too far right in their line to be drawn; the message still names
    /// the file and the JSON path.
    fn drop_unrenderable_labels(&mut self) {
        use JobGraphErrorKind as K;
        let (src, spans) = match self {
            K::Io { .. } => return,
            K::Syntax { src, span, .. }
            | K::UnknownFormat { src, span, .. }
            | K::Invalid { src, span, .. }
            | K::UnknownInput { src, span, .. }
            | K::Cycle { src, span, .. } => (src, vec![span]),
            K::DuplicateNode {
                src,
                span,
                first_span,
                ..
            } => (src, vec![span, first_span]),
            K::HashCollision {
                src,
                span,
                other_span,
                ..
            }
            | K::DuplicateOperatorId {
                src,
                span,
                other_span,
                ..
            } => (src, vec![span, other_span]),
        };
        let Some(src) = src else { return };
        let text: &str = src.inner();
        for span in spans {
            if span.is_some_and(|s| !renderable(text, s)) {
                *span = None;
            }
        }
    }
}

/// Whether the span ends within [`MAX_LABEL_COLUMN`] characters of its line's start (scanning
/// at most that far back, so this stays cheap on any line).
fn renderable(text: &str, span: SourceSpan) -> bool {
    let end = (span.offset() + span.len()).min(text.len());
    let bytes = &text.as_bytes()[..end];
    let window = &bytes[end.saturating_sub(MAX_LABEL_COLUMN * 4)..];
    let line = match window.iter().rposition(|&b| b == b'\n') {
        Some(nl) => &window[nl + 1..],
        None if window.len() < bytes.len() => return false,
        None => window,
    };
    // Characters, not bytes, as miette counts them; it widens a tab to up to 4 columns.
    let columns: usize = line
        .iter()
        .map(|&b| match b {
            b'\t' => 4,
            _ if b & 0xc0 == 0x80 => 0,
            _ => 1,
        })
        .sum();
    columns <= MAX_LABEL_COLUMN
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum JobGraphErrorKind {
    #[error("cannot read job graph {}: {source}", path.display())]
    #[diagnostic(code(spcompat::job::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{file}: not valid {syntax}: {message}")]
    #[diagnostic(code(spcompat::job::syntax))]
    Syntax {
        file: String,
        syntax: Syntax,
        message: String,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("here")]
        span: Option<SourceSpan>,
    },

    #[error("{file}: {}", describe_format(.found.as_deref()))]
    #[diagnostic(
        code(spcompat::job::unknown_format),
        help(
            "this version of spcompat reads job-graph files with \"format\": \"spcompat-job-graph/1\""
        )
    )]
    UnknownFormat {
        file: String,
        /// The value found (as written), `None` when the field is missing.
        found: Option<String>,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("{label}")]
        span: Option<SourceSpan>,
        label: String,
    },

    /// A value of the wrong type or out of range, a missing required field, a bad enum value
    /// or a malformed 32-hex ID.
    #[error("{file}: {}{message}", at_path(.path))]
    #[diagnostic(code(spcompat::job::invalid))]
    Invalid {
        file: String,
        path: String,
        message: String,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("{label}")]
        span: Option<SourceSpan>,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("{file}: duplicate node id {node} at `{path}` (already used at `{first_path}`)")]
    #[diagnostic(
        code(spcompat::job::duplicate_node),
        help("every operator needs its own `node` number; inputs refer to operators by it")
    )]
    DuplicateNode {
        file: String,
        node: u32,
        path: String,
        first_path: String,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("node {node} again")]
        span: Option<SourceSpan>,
        #[label("first used here")]
        first_span: Option<SourceSpan>,
    },

    #[error("{file}: `{path}` refers to node {node}, which no operator defines")]
    #[diagnostic(code(spcompat::job::unknown_input))]
    UnknownInput {
        file: String,
        node: u32,
        path: String,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("no operator has node {node}")]
        span: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    #[error(
        "{file}: the inputs form a cycle through node {node}; a streaming job graph is acyclic"
    )]
    #[diagnostic(code(spcompat::job::cycle))]
    Cycle {
        file: String,
        node: u32,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("part of the cycle")]
        span: Option<SourceSpan>,
    },

    /// Two uids hash to the same ID (in practice: the same uid twice). Message as Flink's.
    #[error(
        "{file}: Hash collision on user-specified ID \"{uid}\". Most likely cause is a non-unique ID. Please check that all IDs specified via `uid(String)` are unique."
    )]
    #[diagnostic(
        code(spcompat::job::hash_collision),
        help("Flink refuses to build this job graph (nodes {other_node} and {node})")
    )]
    HashCollision {
        file: String,
        uid: String,
        node: u32,
        other_node: u32,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("this uid")]
        span: Option<SourceSpan>,
        #[label("collides with this one")]
        other_span: Option<SourceSpan>,
    },

    /// An explicit `operatorId` equal to another operator's ID.
    #[error("{file}: nodes {other_node} and {node} have the same operator ID {operator_id}")]
    #[diagnostic(code(spcompat::job::duplicate_operator_id))]
    DuplicateOperatorId {
        file: String,
        operator_id: crate::OperatorId,
        node: u32,
        other_node: u32,
        #[source_code]
        src: Option<NamedSource<Arc<str>>>,
        #[label("this ID")]
        span: Option<SourceSpan>,
        #[label("same ID here")]
        other_span: Option<SourceSpan>,
    },
}

fn describe_format(found: Option<&str>) -> String {
    match found {
        None => format!(
            "missing `format`: expected \"format\": \"{}\"",
            super::FORMAT_V1
        ),
        Some(f) => format!(
            "unknown job-graph format {f}: expected \"{}\"",
            super::FORMAT_V1
        ),
    }
}

fn at_path(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("at `{path}`: ")
    }
}
