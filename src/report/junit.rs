//! JUnit XML: one test case per operator, so CI systems show the prediction in their test tab.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::findings::operator_label;
use crate::analysis::result::{Prediction, Status};
use crate::analysis::rules::Severity;

pub fn render(p: &Prediction) -> String {
    let mut suite = TestSuite::new("spcompat restore prediction");
    for o in &p.operators {
        let id = o.operator_id.to_string();
        let label = operator_label(
            o.uid.as_deref().or(o.inferred_uid.as_deref()),
            o.name.as_deref(),
            &id,
        );
        let details: Vec<String> = o
            .reasons
            .iter()
            .map(|r| match &r.fix {
                Some(fix) => format!("[{}] {}\nfix: {fix}", r.rule.id, r.message),
                None => format!("[{}] {}", r.rule.id, r.message),
            })
            .collect();
        let all_accepted = !o.reasons.is_empty()
            && o.reasons
                .iter()
                .filter(|r| r.severity == Severity::Error)
                .all(|r| r.accepted.is_some());
        let failing = !all_accepted
            && match o.status {
                Status::Incompatible => true,
                Status::Unmapped => !p.allow_non_restored_state,
                Status::Restored | Status::New => false,
            };
        let not_compared = o
            .reasons
            .iter()
            .find(|r| crate::analysis::result::is_not_compared(r));
        let status = if failing {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let first = o
                .reasons
                .iter()
                .find(|r| r.severity == Severity::Error)
                .or(o.reasons.first());
            if let Some(r) = first {
                s.set_message(r.message.clone()).set_type(r.rule.id);
            }
            s.set_description(details.join("\n\n"));
            s
        } else if let Some(r) = not_compared {
            // Nothing failed, but the schema check did not run: a skipped test, not a pass.
            let mut s = TestCaseStatus::skipped();
            s.set_message(r.message.clone()).set_type(r.rule.id);
            s.set_description(details.join("\n\n"));
            s
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(format!("{label} [{}]", o.status.as_str()), status);
        case.set_classname(format!("spcompat.{}", o.status.as_str()));
        if !failing && not_compared.is_none() && !details.is_empty() {
            case.set_system_out(details.join("\n\n"));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("spcompat");
    report.add_test_suite(suite);
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- spcompat: cannot write JUnit XML: {e} -->"))
}
