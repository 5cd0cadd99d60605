//! Every report format, from one run of a sample project, checked against its
//! schema (JSON, SARIF), parsed back (JUnit), or read as a person would
//! (Markdown, annotations). The HTML report is checked in a real browser in
//! tests/reports_browser.rs.

mod common;
use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

const ALL: &str = "json,html,sarif,junit,markdown,table";

/// Run an audit writing every format into `dir`; returns the exit code.
fn audit_all(tree: &Path, dir: &Path, extra: &[&str]) -> i32 {
    let out = seaworthy()
        .arg("audit")
        .arg(tree)
        .args(["--format", ALL, "--output-dir"])
        .arg(dir)
        .args(extra)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert!(
        out.stdout.is_empty(),
        "stdout stays empty with --output-dir"
    );
    out.status.code().unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// actix-bare with a config that waives one item, attests another, and an
/// inline suppression: a report that uses every optional field.
fn configured_sample(dir: &Path) -> std::path::PathBuf {
    let tree = dir.join("svc");
    copy_tree(&sample("actix-bare"), &tree);
    std::fs::write(
        tree.join("seaworthy.toml"),
        r#"
[[waiver]]
rule = "obs.health"
reason = "health is served by the sidecar"
expires = 2999-12-31

[[waiver]]
rule = "api.rate-limiting"
reason = "expired on purpose"
expires = 2000-01-01

[[attestation]]
rule = "db.backup"
by = "Jane Doe"
reason = "nightly snapshots"
date = 2026-10-02
"#,
    )
    .unwrap();
    let handlers = tree.join("src/handlers.rs");
    let text = std::fs::read_to_string(&handlers).unwrap().replace(
        "println!(\"listing {} items\", items.len());",
        "println!(\"listing {} items\", items.len()); // seaworthy:allow(obs.structured-logging) startup banner",
    );
    std::fs::write(handlers, text).unwrap();
    tree
}

#[test]
fn every_format_from_one_run() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(audit_all(&sample("actix-bare"), dir.path(), &[]), 0);
    for f in [
        "seaworthy.json",
        "seaworthy.html",
        "seaworthy.sarif",
        "seaworthy-junit.xml",
        "seaworthy.md",
        "seaworthy.txt",
    ] {
        let len = std::fs::metadata(dir.path().join(f)).map(|m| m.len());
        assert!(
            len.as_ref().is_ok_and(|l| *l > 100),
            "{f} missing or empty: {len:?}"
        );
    }
    // The same numbers everywhere.
    let json = read_json(&dir.path().join("seaworthy.json"));
    let md = std::fs::read_to_string(dir.path().join("seaworthy.md")).unwrap();
    let fails = json["summary"]["counts"]["fail"].as_u64().unwrap();
    assert!(md.contains(&format!("{fails} fail")), "{md}");
    let score = json["summary"]["score"].as_f64().unwrap();
    let grade = json["summary"]["grade"].as_str().unwrap();
    assert!(
        md.contains(&format!("**{score:.1}/100 ({grade})**")),
        "{md}"
    );
}

#[test]
fn several_formats_need_an_output_dir() {
    seaworthy()
        .arg("audit")
        .arg(sample("actix-bare"))
        .args(["--format", "json,sarif"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--output-dir"));
}

#[test]
fn json_report_matches_the_published_schema() {
    let schema = report_schema();
    for s in ["axum-ready", "actix-bare", "workspace"] {
        let r = audit_json(&sample(s), &[]);
        assert_valid(&schema, &r, &format!("the JSON report of {s}"));
    }
    // With every optional field: waivers, attestations, suppressions, notices, timestamp.
    let dir = tempfile::tempdir().unwrap();
    let tree = configured_sample(dir.path());
    let r = audit_json(&tree, &["--timestamp", "2026-11-24T10:00:00Z"]);
    assert_eq!(r["timestamp"], "2026-11-24T10:00:00Z");
    assert!(item(&r, "obs.health")["waiver"].is_object());
    assert!(item(&r, "db.backup")["attestation"].is_object());
    assert!(!r["config"]["notices"].as_array().unwrap().is_empty());
    assert_valid(&schema, &r, "the configured JSON report");
    // The schema is not vacuous: a wrong status is rejected.
    let mut bad = r.clone();
    bad["items"][0]["status"] = "fine".into();
    let mut schemas = boon::Schemas::new();
    let mut c = boon::Compiler::new();
    c.add_resource("file:///s.json", schema).unwrap();
    let idx = c.compile("file:///s.json", &mut schemas).unwrap();
    assert!(schemas.validate(&bad, idx).is_err());
}

#[test]
fn fingerprints_are_stable_and_ignore_lines() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&sample("actix-bare"), &tree);
    let prints = |r: &Value| -> Vec<(String, u64, String)> {
        item(r, "obs.structured-logging")["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["message"].as_str().unwrap().to_string(),
                    e["line"].as_u64().unwrap(),
                    e["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = prints(&audit_json(&tree, &[]));
    assert_eq!(before.len(), 2);
    assert_ne!(before[0].2, before[1].2, "two findings, two fingerprints");
    // Move every line down: lines change, fingerprints do not.
    let handlers = tree.join("src/handlers.rs");
    let text = std::fs::read_to_string(&handlers).unwrap();
    std::fs::write(&handlers, format!("// a comment\n\n{text}")).unwrap();
    let after = prints(&audit_json(&tree, &[]));
    assert_eq!(after[0].1, before[0].1 + 2);
    assert_eq!(after[0].2, before[0].2);
    assert_eq!(after[1].2, before[1].2);
}

#[test]
fn sarif_matches_the_sarif_2_1_0_schema_and_code_scanning_needs() {
    let Some(schema) = sarif_schema() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tree = configured_sample(dir.path());
    let out = dir.path().join("out");
    assert_eq!(audit_all(&tree, &out, &[]), 0);
    let sarif = read_json(&out.join("seaworthy.sarif"));
    assert_valid(&schema, &sarif, "the SARIF report");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    // Help text from the rule docs.
    let health = rule("obs.health");
    assert!(health["help"]["text"]
        .as_str()
        .unwrap()
        .contains("How to fix"));
    assert!(health["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("Orchestrators"));
    // security-severity on security rules only.
    let sec: Vec<_> = rules
        .iter()
        .filter(|r| r["id"].as_str().unwrap().starts_with("sec."))
        .collect();
    assert!(!sec.is_empty());
    for r in &sec {
        let s: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&s));
    }
    assert!(health["properties"]["security-severity"].is_null());
    let results = run["results"].as_array().unwrap();
    let of = |id: &str| {
        results
            .iter()
            .filter(|r| r["ruleId"] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    // One result per finding, at its file and line, with line-free fingerprints.
    let logging = of("obs.structured-logging");
    assert_eq!(logging.len(), 2);
    for r in &logging {
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("src/handlers.rs"));
        assert!(loc["region"]["startLine"].as_u64().is_some());
        let hash = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(hash.ends_with(":1") && hash.len() == 18, "{hash}");
    }
    // The inline suppression is an inSource suppression on that finding only.
    let suppressed: Vec<_> = logging
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        19
    );
    // The config waiver is external; the expired one suppresses nothing.
    let health = of("obs.health");
    assert_eq!(health[0]["suppressions"][0]["kind"], "external");
    assert!(health[0]["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .contains("sidecar"));
    assert!(of("api.rate-limiting")
        .iter()
        .all(|r| r["suppressions"].is_null()));
    assert_eq!(of("api.rate-limiting")[0]["level"], "error");
}

#[test]
fn sarif_paths_are_relative_to_where_seaworthy_ran() {
    let out = seaworthy()
        .current_dir(root())
        .args(["audit", "sample-projects/actix-bare", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.contains(&"sample-projects/actix-bare/src/handlers.rs"),
        "{uris:?}"
    );
}

#[test]
fn junit_has_one_case_per_item_grouped_by_section() {
    let dir = tempfile::tempdir().unwrap();
    let tree = configured_sample(dir.path());
    let out = dir.path().join("out");
    audit_all(&tree, &out, &[]);
    let json = read_json(&out.join("seaworthy.json"));
    let xml = std::fs::read_to_string(out.join("seaworthy-junit.xml")).unwrap();
    let junit = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit parses back");
    let cases: Vec<_> = junit
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .collect();
    assert_eq!(cases.len(), json["items"].as_array().unwrap().len());
    assert_eq!(
        junit.test_suites.len(),
        json["sections"].as_array().unwrap().len()
    );
    let case = |id: &str| cases.iter().find(|c| c.name.as_str() == id).unwrap();
    // A fail is a failure whose text is its evidence.
    match &case("api.pagination").status {
        quick_junit::TestCaseStatus::NonSuccess { description, .. } => {
            let d = description.as_ref().unwrap().as_str();
            assert!(d.contains("src/handlers.rs:17"), "{d}");
            assert!(d.contains("how to fix"), "{d}");
        }
        s => panic!("api.pagination should fail: {s:?}"),
    }
    // Waived items are skipped with the reason; attested ones pass; the
    // expired waiver does not hide a failure.
    match &case("obs.health").status {
        quick_junit::TestCaseStatus::Skipped { message, .. } => {
            assert!(message.as_ref().unwrap().as_str().contains("sidecar"))
        }
        s => panic!("obs.health should be skipped (waived): {s:?}"),
    }
    assert!(matches!(
        case("db.backup").status,
        quick_junit::TestCaseStatus::Success { .. }
    ));
    assert!(matches!(
        case("api.rate-limiting").status,
        quick_junit::TestCaseStatus::NonSuccess { .. }
    ));
}

#[test]
fn markdown_summary_lists_what_falls_short_and_the_exceptions() {
    let dir = tempfile::tempdir().unwrap();
    let tree = configured_sample(dir.path());
    let out = seaworthy()
        .arg("audit")
        .arg(&tree)
        .args(["--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("## seaworthy: inventory\n"), "{md}");
    assert!(md.contains("| Observability |"));
    assert!(md.contains("### Falling short"));
    assert!(md.contains("`api.pagination`"));
    assert!(md.contains("### Waived and attested"));
    assert!(md.contains("`db.backup` attested by Jane Doe"));
    assert!(
        md.contains("expired-waiver `api.rate-limiting` at seaworthy.toml:7"),
        "{md}"
    );
}

#[test]
fn github_annotations_under_actions_are_escaped_and_leave_stdout_alone() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&sample("actix-bare"), &tree);
    // A file name with the characters a property must escape.
    std::fs::rename(tree.join("src/handlers.rs"), tree.join("src/odd,na:me.rs")).unwrap();
    let main = std::fs::read_to_string(tree.join("src/main.rs")).unwrap();
    std::fs::write(
        tree.join("src/main.rs"),
        main.replace("mod handlers;", "#[path = \"odd,na:me.rs\"]\nmod handlers;"),
    )
    .unwrap();
    let out = seaworthy()
        .current_dir(&tree)
        .args(["audit", ".", "--format", "json"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is still the JSON report");
    assert_eq!(json["schema_version"], "1.0");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("::error file=src/odd%2Cna%3Ame.rs,line=19,title=seaworthy obs.structured-logging%3A Structured logging::`println!`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("::error file=src/main.rs,line="),
        "{stderr}"
    );
    assert!(stderr
        .lines()
        .filter(|l| l.starts_with("::"))
        .all(|l| !l.contains('\r')));
    // Without GITHUB_ACTIONS there are none.
    let quiet = seaworthy()
        .args(["audit", "--format", "json"])
        .arg(&tree)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert!(!String::from_utf8(quiet.stderr).unwrap().contains("::error"));
}

#[test]
fn report_carries_service_commit_and_time_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&sample("actix-bare"), &tree);
    let sha = "0123456789abcdef0123456789abcdef01234567";
    std::fs::create_dir_all(tree.join(".git/refs/heads")).unwrap();
    std::fs::write(tree.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(tree.join(".git/refs/heads/main"), format!("{sha}\n")).unwrap();
    let r = audit_json(&tree, &["--service", "inventory-eu"]);
    assert_eq!(r["target"]["name"], "inventory-eu");
    assert_eq!(r["target"]["vcs"]["commit"], sha);
    assert_eq!(r["target"]["vcs"]["branch"], "main");
    assert!(r["timestamp"].is_null(), "no time unless asked");
    let out = seaworthy()
        .args(["audit", "--format", "json"])
        .arg(&tree)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["timestamp"], "2023-11-14T22:13:20Z");
    seaworthy()
        .args(["audit", "--timestamp", "tomorrow"])
        .arg(&tree)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--timestamp tomorrow"));
}

#[test]
fn cargo_seaworthy_is_the_same_tool() {
    let mut cmd = assert_cmd::Command::cargo_bin("cargo-seaworthy").unwrap();
    cmd.args(["seaworthy", "audit", "-q"])
        .arg(sample("axum-ready"))
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"score \d+\.\d/100 \([A-F]\)").unwrap());
}

#[test]
fn gitlab_code_quality_lists_unwaived_findings_with_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    let tree = configured_sample(dir.path());
    let out = seaworthy()
        .arg("audit")
        .arg(&tree)
        .args(["--format", "codequality"])
        .output()
        .unwrap();
    let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    let of = |id: &str| {
        issues
            .iter()
            .filter(|i| i["check_name"] == id)
            .collect::<Vec<_>>()
    };
    // The inline-suppressed println! is gone, the eprintln! stays; the waived
    // item is gone; the item whose waiver expired is back.
    let logging = of("obs.structured-logging");
    assert_eq!(logging.len(), 1);
    assert_eq!(logging[0]["location"]["path"], "src/handlers.rs");
    assert_eq!(logging[0]["location"]["lines"]["begin"], 25);
    assert!(of("obs.health").is_empty());
    assert_eq!(of("api.rate-limiting")[0]["severity"], "major");
    for i in issues {
        assert_eq!(i["fingerprint"].as_str().unwrap().len(), 16);
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().unwrap()));
    }
}
