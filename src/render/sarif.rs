//! SARIF 2.1.0, as GitHub code scanning accepts it.
//!
//! Every rule of the report is a `reportingDescriptor` with its help text
//! (rationale, how it is decided, remediation — the `rules explain` docs).
//! Every problem finding of a failing or partial item is one result, at the
//! finding's file and line (what was found is not flagged; an item with no
//! problem finding is one result at its first finding — see
//! [`super::annotations`]), with `partialFingerprints` (`primaryLocationLineHash` is the
//! finding's line-free fingerprint, so an alert survives edits above it).
//! Security rules carry `security-severity`. Waived findings are results with
//! `suppressions` (config waivers `external`, inline comments `inSource`), so
//! code scanning shows them as dismissed rather than losing them.

use super::{repo_path, Annotation};
use crate::report::{Item, Report};
use crate::rules::{Catalog, RuleDef, Severity, Status};
use serde_json::{json, Value};

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn render(report: &Report, catalog: &Catalog) -> String {
    let items: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| i.same_as.is_none())
        .collect();
    let rules: Vec<Value> = items
        .iter()
        .map(|i| descriptor(i, catalog.rule(&i.id)))
        .collect();
    let results: Vec<Value> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i.status, Status::Fail | Status::Partial))
        .flat_map(|(k, i)| {
            super::annotations(i)
                .into_iter()
                .map(move |a| result(report, k, i, &a))
        })
        .collect();
    let notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "level": match d.level {
                    crate::diagnostics::DiagLevel::Error => "error",
                    crate::diagnostics::DiagLevel::Warning => "warning",
                },
                "message": { "text": format!("{}: {}", d.source, d.message) },
                "locations": [location(report, &d.location.path, d.location.line)],
            })
        })
        .chain(report.config.notices.iter().map(|n| {
            json!({
                "level": "warning",
                "message": { "text": format!("{} {} ({}): {}", n.kind, n.rule, n.source, n.message) },
            })
        }))
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "seaworthy",
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
                "properties": { "catalogVersion": report.tool.catalog_version },
            }
        },
        "automationDetails": { "id": format!("seaworthy/{}/", report.target.name) },
        "invocations": [{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "score": report.summary.score,
            "grade": report.summary.grade,
            "profile": report.profile.as_str(),
        },
    });
    if let Some(c) = report.target.vcs.as_ref().and_then(|v| v.commit.as_ref()) {
        run["properties"]["commit"] = json!(c);
    }
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("SARIF serialises");
    s.push('\n');
    s
}

/// The SARIF level of a result of this item.
fn level(i: &Item) -> &'static str {
    if i.score.is_none() && !i.waived() {
        return "note"; // preview or outside the profile
    }
    match (i.status, i.severity) {
        (Status::Fail, Severity::Critical | Severity::High) => "error",
        (Status::Fail, Severity::Medium)
        | (Status::Partial, Severity::Critical | Severity::High) => "warning",
        _ => "note",
    }
}

/// GitHub's `security-severity`: a CVSS-like number as a string.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn descriptor(i: &Item, rule: Option<&RuleDef>) -> Value {
    let rationale = rule.map_or("", |r| r.rationale.trim());
    let how = rule
        .and_then(|r| r.docs.how.as_deref())
        .unwrap_or("")
        .trim();
    let mut text = format!("{}\n\n{rationale}\n", i.title);
    let mut md = format!("**{}**\n\n{rationale}\n", i.title);
    if !how.is_empty() {
        text.push_str(&format!("\nHow it is decided:\n{how}\n"));
        md.push_str(&format!("\n### How it is decided\n\n{how}\n"));
    }
    text.push_str(&format!("\nHow to fix:\n{}\n", i.remediation));
    md.push_str(&format!("\n### How to fix\n\n{}\n", i.remediation));
    let security = i.section == "sec";
    let mut tags = vec!["readiness".to_string(), i.section.clone()];
    let mut props = json!({ "precision": "medium", "level": i.level.as_str() });
    if security {
        tags.push("security".into());
        props["security-severity"] = json!(security_severity(i.severity));
    }
    props["tags"] = json!(tags);
    json!({
        "id": i.id,
        "name": pascal(&i.id),
        "shortDescription": { "text": i.title },
        "fullDescription": { "text": if rationale.is_empty() { i.title.as_str() } else { rationale } },
        "help": { "text": text, "markdown": md },
        "defaultConfiguration": { "level": match i.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            _ => "note",
        }},
        "properties": props,
    })
}

/// `obs.structured-logging` → `ObsStructuredLogging`.
fn pascal(id: &str) -> String {
    id.split(['.', '-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn location(report: &Report, path: &str, line: Option<u32>) -> Value {
    let mut phys = json!({
        "artifactLocation": { "uri": uri_escape(&repo_path(report, path)) },
    });
    if let Some(l) = line {
        phys["region"] = json!({ "startLine": l });
    }
    json!({ "physicalLocation": phys })
}

fn result(report: &Report, index: usize, i: &Item, a: &Annotation<'_>) -> Value {
    let f = &a.finding;
    let mut r = json!({
        "ruleId": i.id,
        "ruleIndex": index,
        "level": level(i),
        "kind": "fail",
        "message": { "text": format!("{}: {}", i.title, a.text(i)) },
        "partialFingerprints": {
            "primaryLocationLineHash": format!("{}:1", f.fingerprint),
            "seaworthyFinding/v1": f.fingerprint,
        },
        "properties": { "status": i.status.as_str() },
    });
    if !f.location.path.is_empty() && f.location.path != "." {
        r["locations"] = json!([location(report, &f.location.path, f.location.line)]);
    }
    let waiver = f
        .suppressed
        .as_ref()
        .or(i.waiver.as_ref().filter(|w| !w.expired));
    if let Some(w) = waiver {
        r["suppressions"] = json!([{
            "kind": if w.kind == "inline" { "inSource" } else { "external" },
            "status": "accepted",
            "justification": format!("{} ({})", w.reason, w.source),
        }]);
    }
    r
}

/// Percent-encode what a relative URI reference cannot carry literally.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("obs.structured-logging"), "ObsStructuredLogging");
        assert_eq!(uri_escape("src/a b#c.rs"), "src/a%20b%23c.rs");
    }
}
