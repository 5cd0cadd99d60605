//! Command-line behaviour: exit codes, usage errors, output files, rule docs.

mod common;
use common::*;
use predicates::prelude::*;

#[test]
fn missing_path_is_a_one_line_usage_error() {
    seaworthy()
        .args(["audit", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("does not exist")
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
}

#[test]
fn file_path_is_a_usage_error() {
    seaworthy()
        .arg("audit")
        .arg(root().join("Cargo.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a file"));
}

#[test]
fn unknown_flag_exits_2() {
    seaworthy().args(["audit", "--frobnicate"]).assert().code(2);
}

#[test]
fn fail_under_gate_exits_1_and_says_why() {
    seaworthy()
        .arg("audit")
        .arg(sample("actix-bare"))
        .args(["--fail-under", "50", "-q"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("below --fail-under 50"));
    seaworthy()
        .arg("audit")
        .arg(sample("axum-ready"))
        .args(["--fail-under", "50", "-q"])
        .assert()
        .code(0);
}

#[test]
fn fail_on_severity_gate() {
    seaworthy()
        .arg("audit")
        .arg(sample("actix-bare"))
        .args(["--fail-on", "high", "-q"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("obs.health"));
}

#[test]
fn output_file_gets_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    seaworthy()
        .arg("audit")
        .arg(sample("axum-ready"))
        .args(["--format", "json", "--output"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("score"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(v["schema_version"], "1.0");
}

#[test]
fn table_shows_sections_statuses_and_evidence() {
    seaworthy()
        .arg("audit")
        .arg(sample("actix-bare"))
        .env("COLUMNS", "160")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Observability")
                .and(predicate::str::contains("FAIL"))
                .and(predicate::str::contains("src/handlers.rs:19"))
                .and(predicate::str::is_match(r"Score \d+\.\d/100 \(F\)").unwrap()),
        );
}

#[test]
fn rules_list_and_explain() {
    seaworthy()
        .args(["rules", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("api.pagination").and(predicate::str::contains("100 rules")),
        );
    seaworthy()
        .args(["rules", "explain", "api.pagination"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Why it matters")
                .and(predicate::str::contains("How it is decided"))
                .and(predicate::str::contains("Example that fails"))
                .and(predicate::str::contains("How to fix")),
        );
    seaworthy()
        .args(["rules", "explain", "api.nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean"));
}

#[test]
fn extra_rules_dir_replaces_and_adds_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("team.yaml"),
        r#"section: team
title: Team rules
rules:
  - id: team.runbook
    title: A RUNBOOK.md exists
    severity: low
    rationale: On-call needs it.
    remediation: Write RUNBOOK.md.
    pass:
      - file: ["RUNBOOK.md", "**/RUNBOOK.md"]
  - id: obs.metrics
    title: Metrics via our exporter
    severity: low
    rationale: House style.
    remediation: Use the exporter.
    pass:
      - crate: [our-exporter]
"#,
    )
    .unwrap();
    let r = audit_json(
        &sample("axum-ready"),
        &["--rules", dir.path().to_str().unwrap()],
    );
    assert_eq!(status(&r, "team.runbook"), "fail");
    assert!(has_evidence(
        &r,
        "team.runbook",
        "src/main.rs",
        None,
        "nothing found"
    ));
    assert_eq!(item(&r, "obs.metrics")["title"], "Metrics via our exporter");
    assert_eq!(status(&r, "obs.metrics"), "fail");
}

#[test]
fn broken_rules_dir_is_a_usage_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "section: x\ntitle: X\nrules:\n  - id: x.y\n    bogus: 1\n",
    )
    .unwrap();
    seaworthy()
        .arg("audit")
        .arg(sample("axum-ready"))
        .arg("--rules")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.yaml"));
}
