//! `spcompat lint` output in every format.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::findings::{FlatFinding, flatten_lint};
use crate::analysis::lint::LintReport;
use crate::analysis::rules::Severity;

pub fn render_text(r: &LintReport) -> String {
    let errors = r
        .findings
        .iter()
        .filter(|f| f.finding.severity == Severity::Error)
        .count();
    let mut out = if r.findings.is_empty() {
        format!("{}: no findings\n", r.job)
    } else {
        format!(
            "{}: {} finding(s), {errors} at error level\n",
            r.job,
            r.findings.len()
        )
    };
    for f in &flatten_lint(r) {
        let place = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!("{file}:{line}: "),
            _ => String::new(),
        };
        out.push_str(&format!(
            "\n{place}{} [{}] {}\n  {}\n",
            f.severity.as_str(),
            f.code,
            f.operator,
            f.message
        ));
        if let Some(reason) = &f.accepted {
            out.push_str(&format!("  accepted in spcompat.toml: {reason}\n"));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("  fix: {fix}\n"));
        }
    }
    out
}

pub fn render_json(r: &LintReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub fn render_sarif(r: &LintReport) -> String {
    super::sarif::render_findings(&flatten_lint(r), &r.job)
}

pub fn render_markdown(r: &LintReport) -> String {
    let findings = flatten_lint(r);
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let icon = if errors > 0 {
        "❌"
    } else if findings.is_empty() {
        "✅"
    } else {
        "⚠️"
    };
    let mut out = super::markdown::marker(&format!("lint {}", r.job));
    out.push_str(&format!(
        "## {icon} spcompat lint: {} finding(s), {errors} at error level\n\n",
        findings.len()
    ));
    if !findings.is_empty() {
        out.push_str("| severity | rule | operator | message | fix |\n|---|---|---|---|---|\n");
        for f in &findings {
            let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {} |\n",
                f.severity.as_str(),
                f.code,
                cell(&f.operator),
                cell(&f.message),
                cell(f.fix.as_deref().unwrap_or(""))
            ));
        }
    }
    out
}

pub fn render_github(r: &LintReport) -> super::github::GithubReport {
    super::github::GithubReport {
        annotations: super::github::annotations(&flatten_lint(r)),
        summary: render_markdown(r),
    }
}

pub fn render_gitlab(r: &LintReport) -> String {
    super::gitlab::render_findings(&flatten_lint(r), &r.job)
}

/// One test case per finding rule and operator; error-level findings fail.
pub fn render_junit(r: &LintReport) -> String {
    let mut suite = TestSuite::new("spcompat lint");
    let findings: Vec<FlatFinding> = flatten_lint(r);
    if findings.is_empty() {
        suite.add_test_case(TestCase::new("lint", TestCaseStatus::success()));
    }
    for f in findings {
        let status = if f.severity == Severity::Error && f.accepted.is_none() {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(f.message.clone()).set_type(f.code);
            if let Some(fix) = &f.fix {
                s.set_description(format!("fix: {fix}"));
            }
            s
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(format!("{} [{}]", f.operator, f.code), status);
        case.set_classname(format!("spcompat.lint.{}", f.severity.as_str()));
        if f.severity != Severity::Error {
            case.set_system_out(f.message);
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("spcompat");
    report.add_test_suite(suite);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- spcompat: cannot write JUnit XML: {e} -->"))
}
