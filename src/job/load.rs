//! Reading job-graph files (JSON, or YAML with the same fields) into [`JobGraph`].

use std::path::Path;
use std::sync::Arc;

use miette::SourceSpan;

use super::error::{JobGraphError, JobGraphErrorKind};
use super::graph::{Ctx, Topology};
use super::model::{FORMAT_V1, JobGraph, Location, Partitioner, SourceText};
use super::parallelism::UPPER_BOUND_MAX_PARALLELISM;
use super::span::{self, PathSeg, Syntax};
use super::span_elements;
use super::top_level::TopLevel;

/// Reads and parses a job-graph file; see [`parse_job_graph`].
pub fn load_job_graph(path: &Path) -> Result<JobGraph, JobGraphError> {
    let io_err = |source| {
        JobGraphError::from(JobGraphErrorKind::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    // Job-graph files are a few MB; a larger one is no job graph.
    let bytes = crate::files::read_regular_file(path, 1 << 30).map_err(io_err)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        io_err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        ))
    })?;
    parse_job_graph(path, &text)
}

/// Parses a job graph; `path` only names the file in errors. JSON if the first non-blank
/// character is `{`, YAML otherwise. Besides the schema, checks that node ids are unique,
/// inputs name existing nodes, the graph is acyclic, parallelism values are in range, FORWARD
/// edges connect equal parallelism and map/broadcast state names its key type.
pub fn parse_job_graph(path: &Path, text: &str) -> Result<JobGraph, JobGraphError> {
    let origin = SourceText {
        name: path.display().to_string(),
        text: Arc::from(text),
        syntax: Syntax::detect(text),
        line_breaks: Default::default(),
    };
    check_header(&origin)?;
    let mut graph = deserialize(&origin)?;
    locate_operators(&origin, &mut graph);
    graph.origin = Some(origin);
    validate(&graph)?;
    Ok(graph)
}

/// Whether `text` claims to be a job-graph file (a top-level `format` starting with
/// `spcompat-job-graph/`), for detecting input kinds from content. Unknown versions count, so
/// that they get the loader's clear error rather than another reader's.
pub fn sniff_job_graph(text: &str) -> bool {
    matches!(
        parse_top_level(text),
        Ok(TopLevel::Object { format: Some(serde_json::Value::String(f)) })
            if f.starts_with("spcompat-job-graph/")
    )
}

/// Source spans of every operator and state entry, each array walked once (locating path by
/// path is quadratic in the number of operators). Where the document's shape does not match
/// the parsed graph (e.g. YAML flow style), falls back to the path lookup's best span.
fn locate_operators(origin: &SourceText, graph: &mut JobGraph) {
    let text: &str = &origin.text;
    let ops = span_elements::root(text, origin.syntax)
        .and_then(|root| span_elements::member(text, root, "operators"))
        .and_then(|node| span_elements::elements(text, node))
        .filter(|found| found.len() == graph.operators.len());
    for (i, op) in graph.operators.iter_mut().enumerate() {
        let path = format!("operators[{i}]");
        let Some((node, range)) = ops.as_ref().map(|found| found[i].clone()) else {
            op.location = located(origin, path);
            for (j, st) in op.state.iter_mut().enumerate() {
                st.location = located(origin, format!("operators[{i}].state[{j}]"));
            }
            continue;
        };
        op.location = Location {
            span: Some(SourceSpan::from(range)),
            path,
        };
        let states = span_elements::member(text, node, "state")
            .and_then(|node| span_elements::elements(text, node))
            .filter(|found| found.len() == op.state.len());
        for (j, st) in op.state.iter_mut().enumerate() {
            let path = format!("operators[{i}].state[{j}]");
            st.location = match &states {
                Some(found) => Location {
                    span: Some(SourceSpan::from(found[j].1.clone())),
                    path,
                },
                None => located(origin, path),
            };
        }
    }
}

fn located(origin: &SourceText, path: String) -> Location {
    Location {
        span: origin.locate(&path),
        path,
    }
}

/// The text without a UTF-8 byte-order mark, and the offset that strips.
fn body(text: &str) -> (&str, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (text, 0),
    }
}

/// A syntax error: message without serde's " at line L column C" suffix, and its offset.
struct RawError {
    message: String,
    offset: Option<usize>,
}

fn json_raw(text: &str, base: usize, e: &serde_json::Error) -> RawError {
    let mut message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    if let Some(stripped) = message.strip_suffix(&suffix) {
        message = stripped.to_string();
    }
    let offset =
        (e.line() > 0).then(|| base + span::offset_of(&text[base..], e.line(), e.column(), false));
    RawError { message, offset }
}

fn yaml_raw(text: &str, e: &serde_saphyr::Error) -> RawError {
    let mut plain = serde_saphyr::RenderOptions::default();
    plain.snippets = serde_saphyr::SnippetMode::Off;
    let mut message = e.without_snippet().render_with_options(plain);
    let loc = e.location();
    if let Some(loc) = &loc {
        let suffix = format!(" at line {}, column {}", loc.line(), loc.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
    }
    let offset = loc.and_then(|l| {
        let byte = usize::try_from(l.span().byte_offset()?).ok()?;
        Some(span::floor_char_boundary(text, byte.min(text.len())))
    });
    RawError { message, offset }
}

/// YAML parsing with explicit budgets: nesting, events and aliases are bounded, so a small
/// hostile file (deep flow nesting, alias bombs) is refused before it costs super-linear work.
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.flow_nesting_limit = MAX_YAML_NESTING;
    budget.max_depth = MAX_YAML_NESTING;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Deeper than any job graph needs (the format nests at most about six levels).
const MAX_YAML_NESTING: usize = 64;

/// The document's top level (YAML read as JSON would be).
fn parse_top_level(text: &str) -> Result<TopLevel, RawError> {
    match Syntax::detect(text) {
        Syntax::Json => {
            let (body, base) = body(text);
            serde_json::from_str(body).map_err(|e| json_raw(text, base, &e))
        }
        Syntax::Yaml => serde_saphyr::from_str_with_options(text, yaml_options())
            .map_err(|e| yaml_raw(text, &e)),
    }
}

/// Syntax and `format`, before the typed parse: a file of an unknown format should get that
/// error rather than one about some field the format does not have.
fn check_header(origin: &SourceText) -> Result<(), JobGraphError> {
    let top = parse_top_level(&origin.text).map_err(|raw| {
        JobGraphError::from(JobGraphErrorKind::Syntax {
            file: origin.name.clone(),
            syntax: origin.syntax,
            message: raw.message,
            src: Some(origin.named_source()),
            span: raw.offset.map(|o| SourceSpan::from((o, 0))),
        })
    })?;
    let format = match top {
        TopLevel::Object { format } => format,
        other => {
            let found = match other {
                TopLevel::Nothing => "nothing",
                TopLevel::List => "a list",
                _ => "a single value",
            };
            return Err(JobGraphError::from(JobGraphErrorKind::Invalid {
                file: origin.name.clone(),
                path: String::new(),
                message: format!(
                    "expected an object with `format` and `operators` at the top level, found {found}"
                ),
                src: Some(origin.named_source()),
                span: origin.locate("").map(|s| SourceSpan::from((s.offset(), 1))),
                label: "expected an object".to_string(),
                help: None,
            }));
        }
    };
    match format.as_ref() {
        Some(serde_json::Value::String(f)) if f == FORMAT_V1 => Ok(()),
        found => Err(JobGraphError::from(JobGraphErrorKind::UnknownFormat {
            file: origin.name.clone(),
            found: found.map(serde_json::Value::to_string),
            src: Some(origin.named_source()),
            label: if found.is_some() {
                "unknown format"
            } else {
                "no `format` here"
            }
            .to_string(),
            span: match found {
                Some(_) => origin.locate("format"),
                None => origin.locate("").map(|s| SourceSpan::from((s.offset(), 1))),
            },
        })),
    }
}

fn deserialize(origin: &SourceText) -> Result<JobGraph, JobGraphError> {
    let text: &str = &origin.text;
    let (path, raw) = match origin.syntax {
        Syntax::Json => {
            let (body, base) = body(text);
            let mut de = serde_json::Deserializer::from_str(body);
            match serde_path_to_error::deserialize(&mut de) {
                Ok(graph) => return Ok(graph),
                Err(e) => (
                    span::from_serde_path(e.path()),
                    json_raw(text, base, e.inner()),
                ),
            }
        }
        Syntax::Yaml => {
            let mut path = None;
            let result =
                serde_saphyr::with_deserializer_from_str_with_options(text, yaml_options(), |de| {
                    serde_path_to_error::deserialize(de).map_err(|e| {
                        path = Some(span::from_serde_path(e.path()));
                        e.into_inner()
                    })
                });
            match result {
                Ok(graph) => return Ok(graph),
                Err(e) => (path.unwrap_or_default(), yaml_raw(text, &e)),
            }
        }
    };
    Err(typed_error(origin, path, raw))
}

/// Turns a serde data error into [`JobGraphErrorKind::Invalid`] with the path of the culprit.
fn typed_error(origin: &SourceText, mut path: Vec<PathSeg>, raw: RawError) -> JobGraphError {
    let text: &str = &origin.text;
    let mut message = raw.message;
    // The YAML reader may prefix its own path; ours is in the report separately.
    let prefix = format!("{}: ", span::format_path(&path));
    if let Some(stripped) = message.strip_prefix(&prefix) {
        message = stripped.to_string();
    }
    message = message.replace("expected u32", "expected a non-negative integer");

    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
        .map(str::to_string);
    let (span, label) = if let Some(field) = missing {
        // Point at the start of the object that lacks the field.
        let object = span::locate(text, origin.syntax, &path);
        path.push(PathSeg::Key(field.clone()));
        message = format!("missing required field `{field}`");
        (
            object.map(|r| SourceSpan::from((r.start, 1))),
            format!("this object has no `{field}`"),
        )
    } else {
        let located = span::locate(text, origin.syntax, &path);
        let span = match (origin.syntax, located, raw.offset) {
            (Syntax::Json, Some(r), _) => Some(SourceSpan::from(r.start..r.end)),
            // libyaml's position is exact; the indentation-based locator only adds the length.
            (Syntax::Yaml, Some(r), Some(o)) if r.start == o => Some(SourceSpan::from(r)),
            (_, _, Some(o)) => Some(SourceSpan::from((o, 0))),
            (_, r, None) => r.map(SourceSpan::from),
        };
        let label = if message.starts_with("unknown variant") {
            "unknown value".to_string()
        } else if let Some(i) = message.rfind(", expected ") {
            message[i + 2..].to_string()
        } else if message.starts_with("expected ") {
            message
                .split(", found")
                .next()
                .unwrap_or_default()
                .to_string()
        } else {
            "here".to_string()
        };
        (span, label)
    };
    let help = match path.last() {
        Some(PathSeg::Key(k)) if k == "uidHash" || k == "operatorId" => Some(
            "`uidHash` and `operatorId` are 32 hexadecimal characters, as Flink prints an \
             OperatorID, e.g. bef22c5df1ab33dd94bb7a6ecac555fb"
                .to_string(),
        ),
        _ => None,
    };
    JobGraphError::from(JobGraphErrorKind::Invalid {
        file: origin.name.clone(),
        path: span::format_path(&path),
        message,
        src: Some(origin.named_source()),
        span,
        label,
        help,
    })
}

/// Checks that need the whole graph or span more than one value.
fn validate(graph: &JobGraph) -> Result<(), JobGraphError> {
    let ctx = Ctx::of(graph);
    let invalid = |path: String, message: String, label: &str, help: Option<String>| {
        JobGraphError::from(JobGraphErrorKind::Invalid {
            file: ctx.file(),
            message,
            src: ctx.src(),
            span: ctx.span(&path),
            path,
            label: label.to_string(),
            help,
        })
    };
    let max_par_ok = |m: u32| (1..=UPPER_BOUND_MAX_PARALLELISM).contains(&m);

    if let Some(m) = graph.max_parallelism.filter(|&m| !max_par_ok(m)) {
        return Err(invalid(
            "maxParallelism".into(),
            format!(
                "max parallelism must be between 1 and {UPPER_BOUND_MAX_PARALLELISM}, found {m}"
            ),
            "out of range",
            None,
        ));
    }
    for (i, op) in graph.operators.iter().enumerate() {
        if op.parallelism == 0 {
            return Err(invalid(
                format!("operators[{i}].parallelism"),
                "parallelism must be at least 1".into(),
                "out of range",
                None,
            ));
        }
        if let Some(m) = op.max_parallelism.filter(|&m| !max_par_ok(m)) {
            return Err(invalid(
                format!("operators[{i}].maxParallelism"),
                format!(
                    "max parallelism must be between 1 and {UPPER_BOUND_MAX_PARALLELISM}, found {m}"
                ),
                "out of range",
                None,
            ));
        }
    }

    Topology::build(graph)?;

    for (i, op) in graph.operators.iter().enumerate() {
        for (k, input) in op.inputs.iter().enumerate() {
            let Some(up) = graph.operator(input.node) else {
                continue;
            };
            if input.partitioner == Some(Partitioner::Forward) && up.parallelism != op.parallelism {
                // Flink refuses to build such a StreamGraph; same wording.
                return Err(invalid(
                    format!("operators[{i}].inputs[{k}].partitioner"),
                    format!(
                        "Forward partitioning does not allow change of parallelism. Upstream \
                         operation: {} parallelism: {}, downstream operation: {} parallelism: {} \
                         You must use another partitioning strategy, such as broadcast, \
                         rebalance, shuffle or global.",
                        up.label(),
                        up.parallelism,
                        op.label(),
                        op.parallelism
                    ),
                    "FORWARD between different parallelism",
                    None,
                ));
            }
        }
        for (j, st) in op.state.iter().enumerate() {
            if st.kind.has_user_key() && st.user_key_type.is_none() {
                let path = format!("operators[{i}].state[{j}]");
                let span = ctx.span(&path).map(|s| SourceSpan::from((s.offset(), 1)));
                return Err(JobGraphError::from(JobGraphErrorKind::Invalid {
                    file: ctx.file(),
                    path: format!("{path}.userKeyType"),
                    message: format!(
                        "missing required field `userKeyType` (required for `{}` state)",
                        st.kind
                    ),
                    src: ctx.src(),
                    span,
                    label: "this state has no `userKeyType`".into(),
                    help: None,
                }));
            }
        }
    }
    Ok(())
}
