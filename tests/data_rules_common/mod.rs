//! Helpers for the data, performance, testing and messaging rule tests: audit
//! a sample or fixture once per test binary, and assert an item's status with
//! the evidence that decided it.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

#[path = "../common/mod.rs"]
mod common;
#[allow(unused_imports)]
pub use common::{audit_json, copy_tree, evidence_text, has_evidence, item, status};

/// A bundled sample project.
pub fn sample(name: &str) -> PathBuf {
    common::sample(name)
}

/// A fixture tree under tests/fixtures/data/.
pub fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/data").join(name)
}

/// The JSON report of `path`, audited once per test binary.
pub fn report(path: PathBuf) -> &'static Value {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, &'static Value>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(v) = cache.lock().unwrap().get(&path) {
        return v;
    }
    let v: &'static Value = Box::leak(Box::new(common::audit_json(&path, &[])));
    cache.lock().unwrap().insert(path, v);
    v
}

/// Assert `id` has `status` and an evidence entry at `path` (and `line`)
/// whose message contains `text`.
#[track_caller]
pub fn expect(r: &Value, id: &str, want: &str, path: &str, line: Option<u64>, text: &str) {
    assert_eq!(
        status(r, id),
        want,
        "{id} status; summary: {}; evidence: {}",
        item(r, id)["summary"],
        evidence_text(r, id)
    );
    assert!(
        has_evidence(r, id, path, line, text),
        "{id} evidence should include {path}:{line:?} `{text}`; got {}",
        evidence_text(r, id)
    );
}

/// Assert `id` has `status` and its summary contains `text`.
#[track_caller]
pub fn expect_summary(r: &Value, id: &str, want: &str, text: &str) {
    let summary = item(r, id)["summary"].as_str().unwrap_or("").to_string();
    assert_eq!(
        status(r, id),
        want,
        "{id} status; summary: {summary}; evidence: {}",
        evidence_text(r, id)
    );
    assert!(
        summary.contains(text),
        "{id} summary should contain `{text}`: {summary}"
    );
}
