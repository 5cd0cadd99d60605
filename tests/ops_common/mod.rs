//! Shared by the ops rule tests: audit a sample or an ops fixture once per
//! test binary, and assert an item's status with one piece of its evidence.

#![allow(dead_code)]

use crate::common::{audit_json, evidence_text, has_evidence, item, root, sample, status};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The report of `sample-projects/<name>`, or of `tests/fixtures/ops/<name>`
/// when no sample has that name; each tree is audited once.
pub fn report(name: &str) -> Arc<Value> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Value>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.lock().unwrap().get(name) {
        return r.clone();
    }
    let path = if sample(name).exists() {
        sample(name)
    } else {
        root().join("tests/fixtures/ops").join(name)
    };
    let r = Arc::new(audit_json(&path, &[]));
    cache.lock().unwrap().insert(name.to_string(), r.clone());
    r
}

/// Assert `id` has `status` in `tree`'s report, with evidence at `path`
/// (and `line`, when given) whose message contains `text`.
pub fn check(tree: &str, id: &str, want: &str, path: &str, line: Option<u64>, text: &str) {
    let r = report(tree);
    assert_eq!(
        status(&r, id),
        want,
        "{tree}: {id} status ({}); evidence: {}",
        item(&r, id)["summary"],
        evidence_text(&r, id)
    );
    assert!(
        has_evidence(&r, id, path, line, text),
        "{tree}: {id} evidence should include {path}:{line:?} `{text}`; got {}",
        evidence_text(&r, id)
    );
}

/// Assert `id` is `n/a` (or another evidence-free status) with a summary containing `text`.
pub fn check_summary(tree: &str, id: &str, want: &str, text: &str) {
    let r = report(tree);
    assert_eq!(
        status(&r, id),
        want,
        "{tree}: {id}: {}",
        item(&r, id)["summary"]
    );
    let summary = item(&r, id)["summary"].as_str().unwrap_or("").to_string();
    assert!(
        summary.contains(text),
        "{tree}: {id} summary `{summary}` should contain `{text}`"
    );
}
