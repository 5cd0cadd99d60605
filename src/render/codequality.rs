//! GitLab Code Quality (a subset of the Code Climate issue format): one issue
//! per unwaived problem finding of an item that falls short
//! ([`super::annotations`]), shown in merge requests.
//! GitLab compares fingerprints between the source and target branch, so they
//! are the findings' line-free fingerprints.

use super::repo_path;
use crate::report::Report;
use crate::rules::{Severity, Status};
use serde_json::{json, Value};

pub fn render(report: &Report) -> String {
    let issues: Vec<Value> = report
        .items
        .iter()
        .filter(|i| i.same_as.is_none() && i.falls_short())
        .flat_map(|i| {
            super::annotations(i)
                .into_iter()
                .filter(|a| a.finding.suppressed.is_none())
                .map(move |a| {
                    let f = &a.finding;
                    let severity = match (i.status, i.severity) {
                        (Status::Partial, _) => "minor",
                        (_, Severity::Critical) => "critical",
                        (_, Severity::High) => "major",
                        (_, Severity::Medium) => "minor",
                        _ => "info",
                    };
                    json!({
                        "type": "issue",
                        "check_name": i.id,
                        "description": format!("{}: {}", i.title, a.text(i)),
                        "categories": ["Bug Risk"],
                        "fingerprint": f.fingerprint,
                        "severity": severity,
                        "location": {
                            "path": repo_path(report, &f.location.path),
                            "lines": { "begin": f.location.line.unwrap_or(1) },
                        },
                    })
                })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).expect("issues serialise");
    s.push('\n');
    s
}
