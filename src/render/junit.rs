//! JUnit XML (quick-junit): one test suite per section, one test case per item.
//!
//! CI systems (GitLab, Jenkins, Azure) show JUnit natively, so each checklist
//! item becomes a test: a pass passes; a fail or partial that counts is a
//! failure whose text is its evidence, what was looked for and the fix; n/a,
//! manual, waived and uncounted items are skipped with the reason. An attested
//! manual item passes, with the attestation in its output.

use crate::report::{Item, Report};
use crate::rules::Status;
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

pub fn render(report: &Report) -> String {
    let mut out = quick_junit::Report::new(format!("seaworthy: {}", report.target.name));
    for section in &report.sections {
        let mut suite = TestSuite::new(format!("{} ({})", section.title, section.id));
        for item in report.items.iter().filter(|i| i.section == section.id) {
            suite.add_test_case(case(item));
        }
        if !suite.test_cases.is_empty() {
            out.add_test_suite(suite);
        }
    }
    let mut s = out.to_string().expect("JUnit serialises");
    s.push('\n');
    s
}

fn case(item: &Item) -> TestCase {
    let status = if let Some(w) = item.waiver.as_ref().filter(|w| !w.expired) {
        skipped(
            "waived",
            format!("waived ({}): {}", w.source, w.reason),
            item,
        )
    } else if let Some(a) = &item.attestation {
        let mut c = TestCase::new(&item.id, TestCaseStatus::success());
        c.set_classname(format!("seaworthy.{}", item.section));
        c.set_system_out(format!(
            "attested by {} on {} ({}): {}",
            a.by, a.date, a.source, a.reason
        ));
        return c;
    } else if item.falls_short() {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!("{}: {}", item.status.as_str(), item.summary));
        s.set_type(item.status.as_str());
        s.set_description(detail(item));
        s
    } else if item.status == Status::Pass {
        TestCaseStatus::success()
    } else {
        let why = item
            .scoring
            .clone()
            .unwrap_or_else(|| format!("{}: {}", item.status.as_str(), item.summary));
        skipped(item.status.as_str(), why, item)
    };
    let mut c = TestCase::new(&item.id, status);
    c.set_classname(format!("seaworthy.{}", item.section));
    if item.status == Status::Pass {
        c.set_system_out(detail(item));
    }
    c
}

fn skipped(ty: &str, message: String, item: &Item) -> TestCaseStatus {
    let mut s = TestCaseStatus::skipped();
    s.set_type(ty);
    s.set_message(message);
    s.set_description(detail(item));
    s
}

/// The item's title, evidence, what was looked for and the remediation.
fn detail(item: &Item) -> String {
    let mut d = format!(
        "{} ({} severity)\n{}\n",
        item.title,
        item.severity.as_str(),
        item.summary
    );
    for line in super::evidence_lines(item) {
        d.push_str(&format!("  {line}\n"));
    }
    if let Some(l) = &item.looked_for {
        d.push_str(&format!("looked for: {l}\n"));
    }
    if item.status != Status::Pass {
        d.push_str(&format!("how to fix: {}\n", item.remediation));
    }
    d
}
