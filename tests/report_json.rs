//! The JSON report: its shape, stability, and the scores in it.

mod common;
use common::*;

#[test]
fn json_report_has_versions_scores_items_and_files() {
    let r = audit_json(&sample("axum-ready"), &[]);
    assert_eq!(r["schema_version"], "1.0");
    assert_eq!(r["tool"]["name"], "seaworthy");
    assert!(r["tool"]["version"].as_str().unwrap().starts_with("0."));
    assert!(r["tool"]["catalog_version"].as_str().unwrap().contains('+'));
    assert_eq!(r["target"]["name"], "orders-api");
    let score = r["summary"]["score"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&score));
    assert!(r["sections"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "obs"));
    let files = r["files"]["analyzed"].as_array().unwrap();
    assert!(files
        .iter()
        .any(|f| f["path"] == "src/main.rs" && f["kind"] == "rust"));
    assert!(files
        .iter()
        .any(|f| f["path"] == "tests/api.rs" && f["role"] == "test"));
    let routes = r["routes"].as_array().unwrap();
    assert!(routes
        .iter()
        .any(|x| x["method"] == "GET" && x["path"] == "/v1/orders/{id}"));
}

#[test]
fn same_tree_gives_byte_identical_json_on_any_thread_count() {
    let run = |threads: &str| {
        seaworthy()
            .args(["audit", "--format", "json", "-j", threads])
            .arg(sample("workspace"))
            .output()
            .unwrap()
            .stdout
    };
    let a = run("1");
    let b = run("1");
    let c = run("4");
    assert!(!a.is_empty());
    assert_eq!(a, b, "two runs differ");
    assert_eq!(a, c, "1 and 4 threads differ");
}

#[test]
fn manifest_reading_agrees_with_cargo_metadata() {
    let strip = |mut v: serde_json::Value| {
        v["target"]["cargo_source"] = serde_json::Value::Null;
        v["items"].clone()
    };
    for s in ["axum-ready", "actix-bare", "workspace"] {
        let with = audit_json(&sample(s), &[]);
        let without = audit_json(&sample(s), &["--no-cargo-metadata"]);
        assert_eq!(without["target"]["cargo_source"], "manifest");
        assert_eq!(
            strip(with),
            strip(without),
            "{s}: cargo metadata and manifests disagree"
        );
    }
}

#[test]
fn scores_follow_statuses() {
    let r = audit_json(&sample("actix-bare"), &[]);
    for i in r["items"].as_array().unwrap() {
        let expected = match i["status"].as_str().unwrap() {
            "pass" => Some(1.0),
            "partial" => Some(0.5),
            "fail" => Some(0.0),
            _ => None,
        };
        assert_eq!(i["score"].as_f64(), expected, "{}", i["id"]);
    }
    // The bare sample fails nearly everything; its only credit is what
    // actix-web does by itself (draining on SIGTERM).
    let score = r["summary"]["score"].as_f64().unwrap();
    assert!(score < 20.0, "bare sample scores {score}");
    assert_eq!(r["summary"]["grade"], "F");
}

#[test]
fn every_failing_item_says_what_was_looked_for_and_where() {
    let r = audit_json(&sample("actix-bare"), &[]);
    for i in r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "fail")
    {
        assert!(
            i["looked_for"].as_str().is_some_and(|s| !s.is_empty()),
            "{} has no looked_for",
            i["id"]
        );
        assert!(
            !i["evidence"].as_array().unwrap().is_empty(),
            "{} has no evidence",
            i["id"]
        );
        assert!(
            !i["remediation"].as_str().unwrap().is_empty(),
            "{} has no remediation",
            i["id"]
        );
    }
}
