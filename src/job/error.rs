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
    fn from(kind: JobGraphErrorKind) -> Self {
        JobGraphError(Box::new(kind))
    }
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
