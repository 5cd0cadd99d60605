//! Helpers shared by the integration tests: run the built binary, parse JSON.

#![allow(dead_code)]

pub mod browser;
pub mod fleet;

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

/// Copy a directory tree (a sample project) into `to`, for tests that edit it.
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Validate `instance` against the JSON Schema in `schema` (any draft boon
/// knows); panics with every error found.
pub fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler
        .add_resource("file:///schema.json", schema.clone())
        .expect("schema added");
    let idx = compiler
        .compile("file:///schema.json", &mut schemas)
        .unwrap_or_else(|e| panic!("the schema for {what} does not compile: {e}"));
    if let Err(e) = schemas.validate(instance, idx) {
        panic!("{what} does not match its schema:\n{e:#}");
    }
}

/// The shared SARIF 2.1.0 schema beside the repository (`../shared/schemas`),
/// or `None` (with the reason printed) on a clone without it.
pub fn sarif_schema() -> Option<Value> {
    let path = root().join("../shared/schemas/sarif-schema-2.1.0.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the SARIF schema is JSON")),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("CI must have the SARIF schema at {}: {e}", path.display())
        }
        Err(e) => {
            eprintln!(
                "skipped: the SARIF schema is not at {} ({e}); CI lays out ../shared beside the clone",
                path.display()
            );
            None
        }
    }
}

/// The published JSON Schema of the report.
pub fn report_schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap())
        .expect("docs/report.schema.json is JSON")
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
