//! Helpers shared by the integration tests: run the built binary, parse JSON.

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Path of a bundled sample project.
pub fn sample(name: &str) -> PathBuf {
    root().join("sample-projects").join(name)
}

/// The seaworthy binary.
pub fn seaworthy() -> Command {
    Command::cargo_bin("seaworthy").expect("binary built")
}

/// Audit `path` and return the JSON report. Panics unless the exit code is 0.
pub fn audit_json(path: &std::path::Path, extra: &[&str]) -> Value {
    let out = seaworthy()
        .arg("audit")
        .arg(path)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "audit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// One item of a report.
pub fn item<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// The item's status string.
pub fn status(report: &Value, id: &str) -> String {
    item(report, id)["status"].as_str().unwrap().to_string()
}

/// Whether the item's evidence has an entry at `path` (and `line`, if given)
/// whose message contains `text`.
pub fn has_evidence(report: &Value, id: &str, path: &str, line: Option<u64>, text: &str) -> bool {
    item(report, id)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| {
            e["path"] == path
                && line.is_none_or(|l| e["line"].as_u64() == Some(l))
                && e["message"].as_str().unwrap_or("").contains(text)
        })
}

/// Evidence entries rendered for an assertion message.
pub fn evidence_text(report: &Value, id: &str) -> String {
    serde_json::to_string_pretty(&item(report, id)["evidence"]).unwrap()
}

/// Assert an item's status and that its evidence has an entry at `path`
/// (and `line`, when `Some`) whose message contains `text`.
#[allow(unused_macros)]
macro_rules! check_item {
    ($report:expr, $id:expr, $status:expr, $path:expr, $line:expr, $text:expr) => {{
        let r = &$report;
        let line: Option<u64> = $line;
        assert_eq!(
            status(r, $id),
            $status,
            "{} status; evidence: {}",
            $id,
            evidence_text(r, $id)
        );
        assert!(
            has_evidence(r, $id, $path, line, $text),
            "{} evidence should include {}:{:?} `{}`; got {}",
            $id,
            $path,
            line,
            $text,
            evidence_text(r, $id)
        );
    }};
}
