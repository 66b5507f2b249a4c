//! `cargo xtask new-rule <id> --category <c> --severity <s> --title <t> [--flink <range>]
//! [--case <release>/<case>] [--operator <uid>]`: scaffolds a compatibility rule in the three
//! places a rule lives — its definition in `src/analysis/rules.rs` (registered in `ALL`, with
//! TODO fix and Flink-error templates), its doc page `docs/rules/<id>.md`, its real-Flink
//! fixture entry in the rule-fixture test, and a stub check function in its area's analysis
//! file. The fixture entry names the case given with `--case`; without one it names a case
//! that does not exist, so the test fails until a real case is recorded. The stub returns no
//! finding and carries a marker that the catalog test fails on until the check is written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const CATEGORIES: [&str; 6] = [
    "mapping",
    "parallelism",
    "schema",
    "coverage",
    "sources",
    "lint",
];
const SEVERITIES: [&str; 3] = ["info", "warning", "error"];
const USAGE: &str = "usage: cargo xtask new-rule <id> --category <mapping|parallelism|schema|coverage|sources|lint> --severity <info|warning|error> --title <text> [--flink <releases>] [--case <release>/<case-id>] [--operator <uid>]";

struct NewRule {
    id: String,
    category: String,
    severity: String,
    title: String,
    flink: String,
    case: Option<String>,
    operator: String,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("new-rule") => parse_new_rule(&args[1..]).and_then(|r| new_rule(&repo_root(), &r)),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(2)
        }
    }
}

/// The spcompat checkout: xtask/ sits directly inside it.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ has a parent")
        .to_path_buf()
}

fn parse_new_rule(args: &[String]) -> Result<NewRule, String> {
    let mut id = None;
    let (mut category, mut severity, mut title) = (None, None, None);
    let (mut flink, mut case, mut operator) = (None, None, None);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--category" => category = Some(value()?),
            "--severity" => severity = Some(value()?),
            "--title" => title = Some(value()?),
            "--flink" => flink = Some(value()?),
            "--case" => case = Some(value()?),
            "--operator" => operator = Some(value()?),
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}\n{USAGE}")),
            _ if id.is_none() => id = Some(arg.clone()),
            extra => return Err(format!("unexpected argument {extra}\n{USAGE}")),
        }
    }
    let id = id.ok_or_else(|| format!("no rule id\n{USAGE}"))?;
    let kebab = !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !kebab {
        return Err(format!(
            "rule id `{id}` must be kebab-case (e.g. `state-renamed`)"
        ));
    }
    let category = category.ok_or_else(|| format!("--category is required\n{USAGE}"))?;
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(format!(
            "--category must be one of {}",
            CATEGORIES.join(", ")
        ));
    }
    let severity = severity.ok_or_else(|| format!("--severity is required\n{USAGE}"))?;
    if !SEVERITIES.contains(&severity.as_str()) {
        return Err(format!(
            "--severity must be one of {}",
            SEVERITIES.join(", ")
        ));
    }
    let title = title.ok_or_else(|| format!("--title is required\n{USAGE}"))?;
    for (what, text) in [("--title", Some(&title)), ("--flink", flink.as_ref())] {
        if text.is_some_and(|t| t.contains(['"', '\\', '\n'])) {
            return Err(format!(
                "{what} may not contain quotes, backslashes or newlines"
            ));
        }
    }
    Ok(NewRule {
        id,
        category,
        severity,
        title,
        flink: flink.unwrap_or_else(|| "all".to_string()),
        case,
        operator: operator.unwrap_or_else(|| "TODO-uid".to_string()),
    })
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn const_name(id: &str) -> String {
    id.replace('-', "_").to_ascii_uppercase()
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Inserts `text` right before the first `marker` at or after `from`.
fn insert_before(source: &str, from: usize, marker: &str, text: &str) -> Option<String> {
    let at = from + source[from..].find(marker)?;
    Some(format!("{}{text}{}", &source[..at], &source[at..]))
}

/// Inserts `text` as the last line of the list opened at `from` (before its `];` line).
fn append_to_list(source: &str, from: usize, text: &str) -> Option<String> {
    let at = from + source[from..].find("\n];")? + 1;
    Some(format!("{}{text}{}", &source[..at], &source[at..]))
}

fn definition(rule: &NewRule) -> String {
    // An error rule needs Flink's error text; every rule gets a fix template to fill in.
    let error = if rule.severity == "error" {
        "    error: [\"\" => \"TODO: Flink's error text, with {placeholders} the check fills\"],\n"
    } else {
        ""
    };
    format!(
        "pub const {}: Rule = rule!(\n    \"{}\",\n    {},\n    {},\n    \"{}\",\n    \"{}\",\n    [],\n    \
         fix: [\"\" => \"TODO: what to do, with {{placeholders}} the check fills\"],\n{error});\n\n",
        const_name(&rule.id),
        rule.id,
        capitalized(&rule.category),
        capitalized(&rule.severity),
        rule.title,
        rule.flink,
    )
}

/// The analysis file where a rule of `category` is checked.
fn area_file(category: &str) -> &'static str {
    match category {
        "schema" => "src/analysis/schema_check/findings.rs",
        "sources" => "src/analysis/offsets.rs",
        "lint" => "src/analysis/lint.rs",
        _ => "src/analysis/predict.rs",
    }
}

/// The stub check appended to the area's file: it compiles, returns no finding, and carries
/// the `spcompat:stub` marker, which the catalog test fails on until the check is written
/// and called.
fn check_stub(rule: &NewRule) -> String {
    let name = const_name(&rule.id);
    let error = if rule.severity == "error" {
        "\n    //     .flink_error_case(\"\", &[/* (\"name\", &value) */])"
    } else {
        ""
    };
    format!(
        "\n/// `{id}`: {title}.\n\
         // spcompat:stub {id} (scaffolded by `cargo xtask new-rule`): write the check, call it\n\
         // from this area's analysis, then remove this line and the `allow`.\n\
         #[allow(dead_code)]\n\
         pub(crate) fn {fun}() -> Option<crate::analysis::result::Finding> {{\n    \
         // TODO: compare the two versions; when the rule applies:\n    \
         // Finding::new(&rules::{name}, message)\n    \
         //     .fix_case(\"\", &[/* (\"name\", &value) */]){error}\n    \
         None\n}}\n",
        id = rule.id,
        title = rule.title,
        fun = rule.id.replace('-', "_"),
    )
}

fn doc_page(rule: &NewRule) -> String {
    format!(
        "# {id}\n\n**Category:** {cat} · **Severity:** {sev} · **Flink:** {flink}\n\n\
         ## What Flink does\nTODO: what Flink does on restore, on which releases, and the \
         exception it throws, quoted from a recorded run:\n\n```\nTODO: Flink's error text\n```\n\n\
         ## Fix\n- TODO: how to change the job so that it restores.\n",
        id = rule.id,
        cat = rule.category,
        sev = rule.severity,
        flink = rule.flink,
    )
}

/// The rule-fixture test file: the one under tests/ that declares `NO_REAL_FIXTURE` (found by
/// content, so the scaffold keeps working when the tests are regrouped).
fn fixture_test(root: &Path) -> Result<PathBuf, String> {
    let mut dirs = vec![root.join("tests")];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && read(&path)?.contains("const NO_REAL_FIXTURE")
            {
                return Ok(path);
            }
        }
    }
    Err("no file under tests/ declares NO_REAL_FIXTURE".to_string())
}

fn fixture_entry(rule: &NewRule) -> String {
    let input = if rule.category == "lint" {
        "Lint"
    } else {
        "JobGraph"
    };
    let case = rule
        .case
        .clone()
        .unwrap_or_else(|| format!("TODO-record-a-case/{}", rule.id));
    format!(
        "    shows(\"{}\", \"{case}\", {input}, \"{}\", None, \"{}\"),\n",
        rule.id, rule.operator, rule.severity
    )
}

fn new_rule(root: &Path, rule: &NewRule) -> Result<String, String> {
    let doc = root.join("docs/rules").join(format!("{}.md", rule.id));
    if doc.exists() {
        return Err(format!(
            "{} exists: rule `{}` is taken",
            doc.display(),
            rule.id
        ));
    }
    let rules_rs = root.join("src/analysis/rules.rs");
    let rules = read(&rules_rs)?;
    if rules.contains(&format!("\"{}\"", rule.id)) {
        return Err(format!(
            "`{}` is already defined in {}",
            rule.id,
            rules_rs.display()
        ));
    }
    let all = rules
        .find("pub const ALL: &[Rule] = &[")
        .ok_or("rules.rs has no `pub const ALL`")?;
    let rules = insert_before(&rules, all, "pub const ALL", &definition(rule))
        .ok_or("rules.rs: cannot place the definition")?;
    let all = rules.find("pub const ALL: &[Rule] = &[").unwrap_or(0);
    // Appended, so the SARIF rule indexes of the others stay put.
    let entry = format!("    {},\n", const_name(&rule.id));
    let rules = append_to_list(&rules, all, &entry).ok_or("rules.rs: `ALL` is not closed")?;

    let test_rs = fixture_test(root)?;
    let tests = read(&test_rs)?;
    let fixtures = tests
        .find("const FIXTURES: &[Shows] = &[")
        .ok_or_else(|| format!("{} has no FIXTURES table", test_rs.display()))?;
    let tests =
        append_to_list(&tests, fixtures, &fixture_entry(rule)).ok_or("FIXTURES is not closed")?;

    let area_rs = root.join(area_file(&rule.category));
    let area = read(&area_rs)? + &check_stub(rule);

    write(&rules_rs, &rules)?;
    write(&doc, &doc_page(rule))?;
    write(&test_rs, &tests)?;
    write(&area_rs, &area)?;
    Ok(format!(
        "created {doc}\nedited  {rules} (const {name}, appended to ALL)\nedited  {test} (FIXTURES entry)\n\
         edited  {area} (stub fn {fun})\n\
         next: write the check in the stub and call it, fill in the fix and Flink-error templates \
         and the doc page, record a real-Flink case and point the FIXTURES entry at it",
        doc = doc.display(),
        rules = rules_rs.display(),
        test = test_rs.display(),
        area = area_rs.display(),
        name = const_name(&rule.id),
        fun = rule.id.replace('-', "_"),
    ))
}
