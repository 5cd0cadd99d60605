//! The config file, waivers, attestations, inline suppressions, profiles and
//! preview rules, as a team uses them: a sample project copied into a temp
//! dir, a config written beside it, and the report and exit code checked.

mod common;
use common::*;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn bare(dir: &Path) -> PathBuf {
    let tree = dir.join("svc");
    copy_tree(&sample("actix-bare"), &tree);
    tree
}

fn write(tree: &Path, rel: &str, text: &str) {
    std::fs::write(tree.join(rel), text).unwrap();
}

fn waiver(rule: &str, expires: &str) -> String {
    format!(
        "[[waiver]]\nrule = \"{rule}\"\nreason = \"tracked in OPS-12\"\nexpires = {expires}\n\n"
    )
}

/// The items that fail with severity high or above (what `--fail-on high` gates),
/// `obs.health` first.
fn high_failures(r: &Value) -> Vec<String> {
    let mut ids: Vec<String> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["status"] == "fail"
                && i["same_as"].is_null()
                && matches!(i["severity"].as_str(), Some("high" | "critical"))
        })
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort_by_key(|id| id != "obs.health");
    ids
}

#[test]
fn a_waiver_waives_until_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    let highs = high_failures(&audit_json(&tree, &[]));
    assert_eq!(
        highs[0], "obs.health",
        "the bare sample fails its health item: {highs:?}"
    );
    let waivers = |expired: Option<&str>| -> String {
        highs
            .iter()
            .map(|id| {
                waiver(
                    id,
                    if Some(id.as_str()) == expired {
                        "2001-01-01"
                    } else {
                        "2999-12-31"
                    },
                )
            })
            .collect()
    };
    // Every high-severity failure waived: --fail-on high holds.
    write(&tree, "seaworthy.toml", &waivers(None));
    seaworthy()
        .arg("audit")
        .arg(&tree)
        .args(["--fail-on", "high", "-q"])
        .assert()
        .code(0);
    let r = audit_json(&tree, &[]);
    let health = item(&r, "obs.health");
    assert_eq!(
        health["status"], "fail",
        "the status stays what the evidence says"
    );
    assert!(health["score"].is_null(), "a waived item does not count");
    assert_eq!(health["waiver"]["reason"], "tracked in OPS-12");
    assert_eq!(health["waiver"]["source"], "seaworthy.toml:1");
    assert_eq!(r["summary"]["counts"]["waived"], highs.len());
    assert_eq!(r["config"]["source"], "seaworthy.toml");
    // The table shows it as waived, with the reason.
    let table = seaworthy().arg("audit").arg(&tree).output().unwrap().stdout;
    let table = String::from_utf8(table).unwrap();
    assert!(table.contains("WAIVED"), "{table}");
    assert!(table.contains("waived (seaworthy.toml:1): tracked in OPS-12"));
    assert!(table.contains(&format!("{} waived · 0 attested", highs.len())));

    // One of them expired: it stops waiving, the gate fails, the report says so.
    write(&tree, "seaworthy.toml", &waivers(Some("obs.health")));
    seaworthy()
        .arg("audit")
        .arg(&tree)
        .args(["--fail-on", "high", "-q"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("obs.health").and(predicate::str::contains("expired")));
    let r = audit_json(&tree, &[]);
    let health = item(&r, "obs.health");
    assert_eq!(health["score"], 0.0);
    assert_eq!(health["waiver"]["expired"], true);
    assert_eq!(r["summary"]["counts"]["waived"], highs.len() - 1);
    let notice = &r["config"]["notices"][0];
    assert_eq!(notice["kind"], "expired-waiver");
    assert_eq!(notice["rule"], "obs.health");
    assert!(notice["message"].as_str().unwrap().contains("2001-01-01"));
}

#[test]
fn expiry_is_judged_on_the_audit_date() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    write(&tree, "seaworthy.toml", &waiver("obs.health", "2026-06-30"));
    let on = |date: &str| {
        let r = audit_json(&tree, &["--timestamp", date]);
        item(&r, "obs.health")["waiver"]["expired"]
            .as_bool()
            .unwrap_or(false)
    };
    assert!(!on("2026-06-30T23:59:59Z"), "valid through its expiry day");
    assert!(on("2026-07-01T00:00:00Z"));
}

#[test]
fn a_path_waiver_covers_only_findings_under_it_and_unused_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    write(
        &tree,
        "seaworthy.toml",
        "[[waiver]]\nrule = \"obs.structured-logging\"\npath = \"src/handlers.rs\"\nreason = \"r\"\nexpires = 2999-01-01\n\n\
         [[waiver]]\nrule = \"api.pagination\"\npath = \"src/other/**\"\nreason = \"r\"\nexpires = 2999-01-01\n",
    );
    let r = audit_json(&tree, &[]);
    let logging = item(&r, "obs.structured-logging");
    assert!(
        logging["waiver"].is_object(),
        "both prints are in src/handlers.rs"
    );
    assert!(logging["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["suppressed"]["kind"] == "config"));
    let pagination = item(&r, "api.pagination");
    assert!(pagination["waiver"].is_null());
    assert_eq!(pagination["score"], 0.0);
    let notices = r["config"]["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["kind"], "unused-waiver");
    assert_eq!(notices[0]["source"], "seaworthy.toml:7");
}

#[test]
fn inline_suppressions_need_a_reason_and_can_be_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    let handlers = std::fs::read_to_string(tree.join("src/handlers.rs")).unwrap();
    let edited = handlers
        .replace(
            "    println!(",
            "    // seaworthy:allow(obs.structured-logging) operator banner, read by humans\n    println!(",
        )
        .replace(
            "    eprintln!(",
            "    eprintln!( // seaworthy:allow(obs.structured-logging)\n",
        )
        .replace("#[post(", "// seaworthy:allow(obs.health) nothing here\n#[post(");
    write(&tree, "src/handlers.rs", &edited);
    let r = audit_json(&tree, &[]);
    let logging = item(&r, "obs.structured-logging");
    let ev = logging["evidence"].as_array().unwrap();
    let println = ev.iter().find(|e| e["message"] == "`println!`").unwrap();
    assert_eq!(println["suppressed"]["kind"], "inline");
    assert_eq!(println["suppressed"]["source"], "src/handlers.rs:19");
    assert_eq!(println["line"], 20);
    let eprintln = ev.iter().find(|e| e["message"] == "`eprintln!`").unwrap();
    assert!(
        eprintln["suppressed"].is_null(),
        "no reason, no suppression"
    );
    assert!(
        logging["waiver"].is_null(),
        "one finding left: the item still fails"
    );
    assert_eq!(logging["score"], 0.0);
    let notices: Vec<(String, String)> = r["config"]["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().into(),
                n["message"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        notices
            .iter()
            .any(|(k, m)| k == "unused-suppression" && m.contains("no reason")),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|(k, m)| k == "unused-suppression" && m.contains("matches no failing finding")),
        "{notices:?}"
    );

    let strict = audit_json(&tree, &["--no-inline-suppressions"]);
    assert_eq!(strict["config"]["inline_suppressions"], false);
    assert!(item(&strict, "obs.structured-logging")["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["suppressed"].is_null()));
    assert!(strict["config"]["notices"].as_array().unwrap().is_empty());
}

#[test]
fn a_dockerfile_suppression_waives_its_finding() {
    // Find an item that fails with evidence in the Dockerfile, if the catalog has one.
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    let r = audit_json(&tree, &[]);
    let Some((id, lines_hit)) = r["items"].as_array().unwrap().iter().find_map(|i| {
        let short = i["score"].as_f64().is_some_and(|s| s < 1.0);
        let ev = i["evidence"].as_array()?;
        (short
            && !ev.is_empty()
            && ev
                .iter()
                .all(|e| e["path"] == "Dockerfile" && e["line"].is_u64()))
        .then(|| {
            (
                i["id"].as_str().unwrap().to_string(),
                ev.iter()
                    .map(|e| e["line"].as_u64().unwrap())
                    .collect::<Vec<_>>(),
            )
        })
    }) else {
        panic!("no rule fails on the bare sample's Dockerfile: the test needs one");
    };
    // In a Dockerfile `#` starts a comment only at the start of a line, so the
    // suppression goes on the line above the instruction it covers.
    let docker = std::fs::read_to_string(tree.join("Dockerfile")).unwrap();
    let mut lines: Vec<String> = Vec::new();
    for (k, l) in docker.lines().enumerate() {
        if lines_hit.contains(&(k as u64 + 1)) {
            lines.push(format!("# seaworthy:allow({id}) accepted for the demo"));
        }
        lines.push(l.to_string());
    }
    write(&tree, "Dockerfile", &(lines.join("\n") + "\n"));
    let r = audit_json(&tree, &[]);
    assert_eq!(item(&r, &id)["waiver"]["kind"], "inline", "{id}");
}

#[test]
fn attestations_count_manual_items_and_say_who() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    // Attest the first item no static evidence decides on this tree.
    let before = audit_json(&tree, &[]);
    let manual = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "manual" && i["same_as"].is_null())
        .expect("the bare sample has a manual item")["id"]
        .as_str()
        .unwrap()
        .to_string();
    write(
        &tree,
        "seaworthy.toml",
        &format!(
            "[[attestation]]\nrule = \"{manual}\"\nby = \"Jane Doe <jane@example.com>\"\nreason = \"nightly snapshots; restore drill done\"\ndate = 2026-10-02\n\n\
             [[attestation]]\nrule = \"obs.health\"\nby = \"Joe\"\nreason = \"we have one\"\ndate = \"2026-10-02\"\n"
        ),
    );
    let r = audit_json(&tree, &[]);
    let attested = item(&r, &manual);
    assert_eq!(attested["status"], "manual");
    assert_eq!(attested["score"], 1.0);
    assert_eq!(attested["attestation"]["by"], "Jane Doe <jane@example.com>");
    assert!(attested["scoring"]
        .as_str()
        .unwrap()
        .starts_with("attested by Jane Doe"));
    assert_eq!(r["summary"]["counts"]["attested"], 1);
    // An attestation cannot turn a failing automatic check into a pass.
    assert_eq!(item(&r, "obs.health")["score"], 0.0);
    let n = &r["config"]["notices"][0];
    assert_eq!(n["kind"], "unused-attestation");
    assert!(n["message"].as_str().unwrap().contains("manual items only"));
    // The attested item raises the score.
    assert!(r["summary"]["score"].as_f64().unwrap() > before["summary"]["score"].as_f64().unwrap());
}

#[test]
fn config_errors_name_the_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    let cases = [
        (
            "profile = \"standard\"\nfial-under = 50\n",
            "seaworthy.toml:2: unknown field `fial-under`",
        ),
        (
            "[[waiver]]\nrule = \"obs.health\"\nexpires = 2030-01-01\n",
            "missing field `reason`",
        ),
        (
            "[rules.\"obs.healthz\"]\nenabled = false\n",
            "seaworthy.toml:1: no rule `obs.healthz`",
        ),
        (
            "fail-under = 150\n",
            "seaworthy.toml:1: fail-under 150 is outside 0–100",
        ),
    ];
    for (text, want) in cases {
        write(&tree, "seaworthy.toml", text);
        seaworthy().arg("audit").arg(&tree).assert().code(2).stderr(
            predicate::str::contains(want)
                .and(predicate::function(|s: &str| s.lines().count() == 1)),
        );
    }
    // --no-config ignores it.
    seaworthy()
        .arg("audit")
        .arg(&tree)
        .args(["--no-config", "-q"])
        .assert()
        .code(0);
}

#[test]
fn cargo_metadata_config_disables_rules_and_sets_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    let manifest = std::fs::read_to_string(tree.join("Cargo.toml")).unwrap();
    write(
        &tree,
        "Cargo.toml",
        &format!(
            "{manifest}\n[package.metadata.seaworthy]\nprofile = \"minimal\"\nfail-under = 99\n\n[package.metadata.seaworthy.rules.\"test.coverage\"]\nenabled = false\n\n[package.metadata.seaworthy.rules.\"obs.correlation-id\"]\nweight = 5\nlevel = \"bronze\"\n"
        ),
    );
    let out = seaworthy()
        .arg("audit")
        .arg(&tree)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "fail-under 99 from the config applies"
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["config"]["source"], "Cargo.toml");
    assert_eq!(r["profile"], "minimal");
    assert_valid(&report_schema(), &r, "a minimal-profile report");
    assert_eq!(r["config"]["disabled"][0], "test.coverage");
    assert!(r["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["id"] != "test.coverage"));
    let cid = item(&r, "obs.correlation-id");
    assert_eq!(cid["weight"], 5.0);
    assert_eq!(cid["level"], "bronze");
    assert_eq!(
        cid["score"], 0.0,
        "bronze items count in the minimal profile"
    );
    let logging = item(&r, "obs.structured-logging");
    assert!(logging["score"].is_null(), "silver items do not");
    assert!(logging["scoring"]
        .as_str()
        .unwrap()
        .contains("minimal profile"));
    // The command line wins over the config.
    let r = audit_json(&tree, &["--profile", "standard", "--fail-under", "0"]);
    assert_eq!(item(&r, "obs.structured-logging")["score"], 0.0);
}

/// A copy of the prepared sample with every item it does not pass turned off,
/// so it stands at the top of the ladder whatever rules the catalog gains.
fn all_passing(dir: &Path) -> PathBuf {
    let tree = dir.join("ready");
    copy_tree(&sample("axum-ready"), &tree);
    let r = audit_json(&tree, &[]);
    let off: String = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| matches!(i["status"].as_str(), Some("fail" | "partial")))
        .map(|i| {
            format!(
                "[rules.\"{}\"]\nenabled = false\n",
                i["id"].as_str().unwrap()
            )
        })
        .collect();
    write(&tree, "seaworthy.toml", &off);
    tree
}

#[test]
fn profiles_and_the_ladder() {
    let dir = tempfile::tempdir().unwrap();
    let tree = all_passing(dir.path());
    let std = audit_json(&tree, &[]);
    assert_eq!(std["summary"]["level"]["achieved"], "gold");
    assert_eq!(std["summary"]["score"], 100.0);
    // Strict: an unattested manual item counts as failed, so bronze is out of reach.
    let strict = audit_json(&tree, &["--profile", "strict"]);
    assert_eq!(strict["profile"], "strict");
    assert_valid(&report_schema(), &strict, "a strict-profile report");
    assert!(
        strict["summary"]["score"].as_f64().unwrap() < 100.0,
        "unattested manual items pull the strict score down"
    );
    let manual = strict["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "manual" && i["same_as"].is_null())
        .unwrap();
    assert_eq!(manual["score"], 0.0);
    let blocking = strict["summary"]["level"]["blocking"].as_array().unwrap();
    assert!(!blocking.is_empty());
    // actix-bare fails bronze items: no level, and the blockers are named.
    let bare = audit_json(&sample("actix-bare"), &[]);
    assert!(bare["summary"]["level"]["achieved"].is_null());
    assert_eq!(bare["summary"]["level"]["next"], "bronze");
    let blocking: Vec<&str> = bare["summary"]["level"]["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_str().unwrap())
        .collect();
    assert!(blocking.contains(&"obs.health"), "{blocking:?}");
    assert!(
        !blocking.contains(&"obs.structured-logging"),
        "a silver item does not block bronze"
    );
}

#[test]
fn preview_rules_are_reported_but_not_scored() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    write(
        &rules,
        "preview.yaml",
        "section: obs\ntitle: Observability\nrules:\n- id: obs.preview-demo\n  title: A rule new in this release\n  severity: critical\n  rationale: demo\n  remediation: demo\n  since: \"0.2.0\"\n  preview: true\n  pass:\n    - crate: [a-crate-no-service-uses]\n",
    );
    let rules_arg = rules.to_str().unwrap();
    let tree = all_passing(dir.path());
    let before = audit_json(&tree, &[]);
    let r = audit_json(&tree, &["--rules", rules_arg]);
    let p = item(&r, "obs.preview-demo");
    assert_eq!(p["status"], "fail");
    assert_eq!(p["preview"], true);
    assert!(p["score"].is_null());
    assert!(p["scoring"].as_str().unwrap().contains("preview"));
    assert_eq!(
        r["summary"]["score"], before["summary"]["score"],
        "the new rule does not move the score"
    );
    assert_valid(&report_schema(), &r, "a report with a preview rule");
    assert_eq!(r["summary"]["level"]["achieved"], "gold");
    seaworthy()
        .args(["audit", "-q", "--fail-on", "critical", "--rules", rules_arg])
        .arg(&tree)
        .assert()
        .code(0);
    // Opting in scores it.
    let dir2 = tempfile::tempdir().unwrap();
    let tree = dir2.path().join("svc");
    copy_tree(&sample("axum-ready"), &tree);
    write(&tree, "seaworthy.toml", "preview = true\n");
    let r = audit_json(&tree, &["--rules", rules_arg]);
    assert_eq!(item(&r, "obs.preview-demo")["score"], 0.0);
    assert!(r["summary"]["score"].as_f64().unwrap() < 100.0);
}

#[test]
fn init_writes_a_starter_config_the_audit_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let tree = bare(dir.path());
    seaworthy()
        .arg("init")
        .arg(&tree)
        .assert()
        .success()
        .stderr(predicate::str::contains("seaworthy.toml"));
    let text = std::fs::read_to_string(tree.join("seaworthy.toml")).unwrap();
    assert!(text.contains("# [[waiver]]"));
    let r = audit_json(&tree, &[]);
    assert_eq!(r["config"]["source"], "seaworthy.toml");
    assert!(r["config"]["notices"].as_array().unwrap().is_empty());
    seaworthy()
        .arg("init")
        .arg(&tree)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    seaworthy()
        .arg("init")
        .arg(&tree)
        .arg("--force")
        .assert()
        .success();
}

#[test]
fn the_config_example_in_docs_ci_md_is_accepted() {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let start = doc.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let block = &doc[start..start + doc[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("example.toml");
    std::fs::write(&config, block).unwrap();
    // The example sets gates (fail-under, fail-on) the sample may not meet; what
    // matters is that the config is accepted (exit 2 would be a config error).
    let out = seaworthy()
        .arg("audit")
        .arg(sample("axum-ready"))
        .args([
            "--format",
            "json",
            "--config",
            config.to_str().unwrap(),
            "--timestamp",
            "2026-11-24T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["config"]["disabled"][0], "api.versioning");
    let backup = item(&r, "db.backup");
    if backup["status"] == "manual" {
        assert_eq!(backup["attestation"]["by"], "Jane Doe <jane@example.com>");
    }
    assert_eq!(item(&r, "obs.health")["severity"], "critical");
}
