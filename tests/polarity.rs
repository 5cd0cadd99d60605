//! Evidence polarity: every finding is a `problem` or `found`, and
//! code-scanning formats (SARIF, GitHub annotations, GitLab Code Quality)
//! point only at problems — a partial item does not flag the lines that are
//! right — while an item that falls short with no problem finding still gets
//! one result. Fixture: tests/fixtures/api/polarity (one paginated and one
//! unpaginated list endpoint; one technical metric and no business metric).

mod common;
use common::*;
use serde_json::Value;

fn fixture() -> std::path::PathBuf {
    root().join("tests/fixtures/api/polarity")
}

/// The fixture's report in `format`, as text.
fn render(format: &str) -> String {
    let out = seaworthy()
        .arg("audit")
        .arg(fixture())
        .args(["--format", format])
        .env_remove("GITHUB_ACTIONS")
        .env("COLUMNS", "400")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn kinds(report: &Value, id: &str) -> Vec<(u64, String, String)> {
    item(report, id)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["kind"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn json_report_says_which_evidence_is_a_problem() {
    let r = audit_json(&fixture(), &[]);
    assert_eq!(status(&r, "api.pagination"), "partial");
    let ev = kinds(&r, "api.pagination");
    let problems: Vec<_> = ev.iter().filter(|(_, k, _)| k == "problem").collect();
    assert_eq!(problems.len(), 1, "{ev:?}");
    assert_eq!(problems[0].0, 28);
    assert!(problems[0].2.contains("GET /tags takes no limit/offset"));
    for (line, what) in [
        (21, "GET /items → `list_items` returns `Vec<Item>`"),
        (17, "`Page.limit` is a page parameter"),
        (23, "`list_items` caps a value with `.min()`"),
    ] {
        assert!(
            ev.iter()
                .any(|(l, k, m)| *l == line && k == "found" && m == what),
            "found {what} at {line}: {ev:?}"
        );
    }
    // Every finding has a kind; every finding of a pass or n/a item is found.
    for i in r["items"].as_array().unwrap() {
        for e in i["evidence"].as_array().unwrap() {
            let k = e["kind"].as_str().expect("kind on every finding");
            assert!(k == "problem" || k == "found", "{k}");
            if i["status"] == "pass" || i["status"] == "n/a" {
                assert_eq!(k, "found", "{}: {e}", i["id"]);
            }
        }
    }
    // A fail carried by supporting evidence alone.
    assert_eq!(status(&r, "obs.business-metrics"), "fail");
    assert!(kinds(&r, "obs.business-metrics")
        .iter()
        .all(|(_, k, _)| k == "found"));
}

#[test]
fn sarif_flags_only_problems_and_keeps_every_falling_item() {
    let sarif: Value = serde_json::from_str(&render("sarif")).unwrap();
    if let Some(schema) = sarif_schema() {
        assert_valid(&schema, &sarif, "the SARIF report");
    }
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let of = |id: &str| -> Vec<&Value> { results.iter().filter(|r| r["ruleId"] == id).collect() };
    let line = |r: &Value| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64();

    // Partial: one result, at the unpaginated endpoint, none at /items.
    let pagination = of("api.pagination");
    assert_eq!(pagination.len(), 1, "{pagination:?}");
    assert_eq!(line(pagination[0]), Some(28));
    assert!(pagination[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("GET /tags takes no limit/offset"));

    // Fail with only supporting evidence: one result at its first finding,
    // saying what the item is about, with its own fingerprint.
    let business = of("obs.business-metrics");
    assert_eq!(business.len(), 1, "{business:?}");
    assert_eq!(line(business[0]), Some(22));
    let text = business[0]["message"]["text"].as_str().unwrap();
    assert!(text.contains("nothing measures the business"), "{text}");
    assert!(!text.contains("counter `http_requests_total` —"), "{text}");
    let r = audit_json(&fixture(), &[]);
    let own = item(&r, "obs.business-metrics")["evidence"][0]["fingerprint"].clone();
    let fp = &business[0]["partialFingerprints"]["seaworthyFinding/v1"];
    assert!(fp.as_str().is_some_and(|f| f.len() == 16) && *fp != own);

    // Every fail/partial item that counts has at least one result.
    for i in r["items"].as_array().unwrap() {
        if i["same_as"].is_null() && (i["status"] == "fail" || i["status"] == "partial") {
            assert!(!of(i["id"].as_str().unwrap()).is_empty(), "{}", i["id"]);
        }
    }
}

#[test]
fn annotations_and_code_quality_flag_only_problems() {
    let gh = render("github");
    let lines: Vec<&str> = gh
        .lines()
        .filter(|l| l.contains("seaworthy api.pagination%3A"))
        .collect();
    assert_eq!(lines.len(), 1, "{gh}");
    assert!(lines[0].contains("file=") && lines[0].contains("main.rs,line=28,"));
    let business: Vec<&str> = gh
        .lines()
        .filter(|l| l.contains("seaworthy obs.business-metrics%3A"))
        .collect();
    assert_eq!(business.len(), 1, "{gh}");
    assert!(business[0].contains("line=22,"));

    let cq: Value = serde_json::from_str(&render("codequality")).unwrap();
    let issues: Vec<&Value> = cq
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["check_name"] == "api.pagination")
        .collect();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0]["location"]["lines"]["begin"], 28);
}

#[test]
fn table_and_markdown_mark_problems_and_what_was_found() {
    let table = render("table");
    // Problems first, marked ✗; what was found marked ✓.
    let row = table
        .split("api.pagination")
        .nth(1)
        .expect("pagination row");
    let problem = row.find("✗ src/main.rs:28 GET /tags takes no limit/offset");
    let found = row.find("✓ src/main.rs:21 GET /items");
    assert!(
        matches!((problem, found), (Some(p), Some(f)) if p < f),
        "{table}"
    );
    // A passing item's evidence carries no marker.
    let naming = table.split("api.naming").nth(1).expect("naming row");
    let naming = &naming[..naming.find("api.").unwrap_or(naming.len())];
    assert!(
        naming.contains("follows the scheme") && !naming.contains('✓') && !naming.contains('✗'),
        "{naming}"
    );
    let md = render("markdown");
    let block = md
        .split("\n- **")
        .find(|b| b.contains("`api.pagination`"))
        .expect("pagination falls short");
    let ev: Vec<&str> = block.lines().filter(|l| l.starts_with("  - ")).collect();
    assert!(
        ev[0].contains("✗ ") && ev[0].contains("GET /tags"),
        "{block}"
    );
    assert!(ev[1].contains("✓ "), "{block}");
}
