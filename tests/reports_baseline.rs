//! `--baseline OLD.json`: a pull request fails for what it makes worse, not
//! for what was already broken.

mod common;
use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

/// `seaworthy audit TREE --baseline BASE -q [extra…]`.
fn against(tree: &Path, base: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    seaworthy()
        .arg("audit")
        .arg(tree)
        .args(extra)
        .arg("--baseline")
        .arg(base)
        .arg("-q")
        .assert()
}

fn save_report(tree: &Path, to: &Path) -> Value {
    let r = audit_json(tree, &[]);
    std::fs::write(to, serde_json::to_string_pretty(&r).unwrap()).unwrap();
    r
}

#[test]
fn an_unchanged_tree_passes_against_its_baseline_even_with_failures() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let r = save_report(&sample("actix-bare"), &base);
    assert!(r["summary"]["counts"]["fail"].as_u64().unwrap() > 0);
    against(&sample("actix-bare"), &base, &[])
        .code(0)
        .stderr(predicate::str::contains("no item changed"));
}

#[test]
fn a_new_finding_in_a_failing_item_fails_and_fixes_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&sample("actix-bare"), &tree);
    let base = dir.path().join("base.json");
    save_report(&tree, &base);
    // A new print statement (and lines shifted above the old ones).
    let h = tree.join("src/handlers.rs");
    let text = std::fs::read_to_string(&h).unwrap();
    let text = text
        .replace("eprintln!(\"adding item {}\", item.id);", "")
        .replace(
            "    web::Json(items)\n",
            "    println!(\"returning {} items\", items.len());\n    web::Json(items)\n",
        );
    std::fs::write(&h, format!("// moved down\n{text}")).unwrap();
    against(&tree, &base, &[]).code(1).stderr(
        predicate::str::contains("worse:")
            .and(predicate::str::contains(
                "obs.structured-logging new finding at src/handlers.rs:21: `println!`",
            ))
            .and(predicate::str::contains("better:"))
            .and(predicate::str::contains("1 finding(s) fixed"))
            .and(predicate::str::contains(
                "gate failed: worse than the baseline",
            )),
    );
}

#[test]
fn a_newly_failing_item_fails_and_a_fixed_one_is_better() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let mut r = audit_json(&sample("actix-bare"), &[]);
    // A baseline in which obs.health passed: now it fails.
    for i in r["items"].as_array_mut().unwrap() {
        if i["id"] == "obs.health" {
            i["status"] = "pass".into();
            i["score"] = 1.0.into();
        }
    }
    std::fs::write(&base, r.to_string()).unwrap();
    against(&sample("actix-bare"), &base, &[])
        .code(1)
        .stderr(predicate::str::contains("obs.health pass → fail"));

    // The other way round: the baseline failed where the tree now passes.
    let good = dir.path().join("good.json");
    let mut r = audit_json(&sample("axum-ready"), &[]);
    for i in r["items"].as_array_mut().unwrap() {
        if i["id"] == "obs.health" {
            i["status"] = "fail".into();
            i["score"] = 0.0.into();
        }
    }
    let now = r["summary"]["score"].as_f64().unwrap();
    let then = ((now - 10.0) * 10.0).round() / 10.0;
    r["summary"]["score"] = then.into();
    std::fs::write(&good, r.to_string()).unwrap();
    against(&sample("axum-ready"), &good, &[]).code(0).stderr(
        predicate::str::contains(format!("score {then:.1} → {now:.1}"))
            .and(predicate::str::contains("better:"))
            .and(predicate::str::contains("obs.health fail → pass")),
    );
}

#[test]
fn a_lower_score_fails_the_baseline_gate() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let mut r = audit_json(&sample("axum-ready"), &[]);
    r["summary"]["score"] = 100.0.into();
    std::fs::write(&base, r.to_string()).unwrap();
    // The same tree under the strict profile scores lower.
    against(&sample("axum-ready"), &base, &["--profile", "strict"])
        .code(1)
        .stderr(predicate::str::contains("score 100.0 →"));
}

#[test]
fn a_baseline_of_another_major_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("old.json");
    std::fs::write(&base, r#"{"schema_version": "0.3", "items": []}"#).unwrap();
    seaworthy()
        .arg("audit")
        .arg(sample("actix-bare"))
        .arg("--baseline")
        .arg(&base)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("schema_version `0.3`"));
    std::fs::write(&base, "not json").unwrap();
    seaworthy()
        .arg("audit")
        .arg(sample("actix-bare"))
        .arg("--baseline")
        .arg(&base)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a seaworthy JSON report"));
}

/// What a partial item found is not a regression: a new paginated endpoint
/// beside the unpaginated one adds supporting evidence, not a problem.
#[test]
fn new_supporting_evidence_is_not_worse() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&root().join("tests/fixtures/api/polarity"), &tree);
    let base = dir.path().join("base.json");
    let before = save_report(&tree, &base);
    assert_eq!(item(&before, "api.pagination")["status"], "partial");
    let main = tree.join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap().replace(
        ".route(\"/tags\", get(list_tags));",
        ".route(\"/tags\", get(list_tags))\n        .route(\"/archive\", get(list_items));",
    );
    std::fs::write(&main, text).unwrap();
    let after = audit_json(&tree, &[]);
    assert_eq!(item(&after, "api.pagination")["status"], "partial");
    assert!(
        evidence_text(&after, "api.pagination").contains("/archive"),
        "the new endpoint is evidence: {}",
        evidence_text(&after, "api.pagination")
    );
    // Other items do get worse (the new route has no version), but not this
    // one; nor does one whose message only counts one route more.
    against(&tree, &base, &[])
        .stderr(predicate::str::contains("api.versioning new finding"))
        .stderr(predicate::str::contains("api.pagination").not())
        .stderr(predicate::str::contains("api.openapi").not());
}
