//! A pile of CI artifacts for the fleet tests: several services, several runs
//! each, made by running `seaworthy audit` on copies of the sample projects
//! edited between runs, plus the files a real artifact tree holds besides
//! (HTML reports, unrelated JSON, a truncated report, an old-schema one).
//!
//! ```text
//! reports/billing/run-{1,2,3}/   axum-ready, timed; run 3 drops the health routes and the
//!                                JSON log format, and lowers the coverage threshold
//! reports/inventory/run-{1,2}/   actix-bare, timed; run 2 adds a println! (a new finding)
//! reports/payments/run-{1,2,3}/  axum-ready, timed; starts without health routes and JSON
//!                                logs, gains them run by run
//! reports/ledger/run-{1,2,10}/   workspace, no timestamps (input order); run 10 drops /health
//! reports/legacy/run-{1,2}/      actix-bare; run 1 rewritten as an older 1.x report (no
//!                                fingerprints, vcs, level, timestamp)
//! reports/zz-hostile/            (hostile sets) a report whose texts are markup
//! reports/broken.json            a truncated report           → corrupt
//! reports/archive/seaworthy.json a schema_version 0.9 report  → refused
//! reports/notes/package.json     unrelated JSON               → ignored
//! ```

use super::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const SHA: [&str; 4] = [
    "1111111111111111111111111111111111111111",
    "2222222222222222222222222222222222222222",
    "3333333333333333333333333333333333333333",
    "4444444444444444444444444444444444444444",
];

/// The service name, branch and texts of the hostile report.
pub const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>\"quoted\" back\\slash\nnewline";
pub const HOSTILE_BRANCH: &str = "\"><script>alert(2)</script>";
pub const HOSTILE_SUMMARY: &str = "<script>document.title='pwned'</script>";

/// Run `seaworthy audit` on `tree` into `out` (a directory) as `service`,
/// with the fixture's checkout at `commit` on `main`.
fn audit(tree: &Path, service: &str, when: Option<&str>, commit: &str, out: &Path, formats: &str) {
    // The trees share one `.git` above them: the audit reads the commit from
    // HEAD and the branch ref, as in a CI checkout.
    let git = tree.parent().unwrap().join(".git");
    std::fs::create_dir_all(git.join("refs/heads")).unwrap();
    std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(git.join("refs/heads/main"), format!("{commit}\n")).unwrap();
    let mut cmd = seaworthy();
    cmd.arg("audit")
        .arg(tree)
        .args(["--no-cargo-metadata", "--service", service])
        .args(["--format", formats, "--output-dir"])
        .arg(out)
        .arg("-q");
    if let Some(t) = when {
        cmd.args(["--timestamp", t]);
    }
    for v in [
        "SOURCE_DATE_EPOCH",
        "GITHUB_ACTIONS",
        "GITHUB_SHA",
        "GITHUB_REF_NAME",
        "GITHUB_HEAD_REF",
        "CI_COMMIT_SHA",
        "CI_COMMIT_BRANCH",
        "CI_COMMIT_REF_NAME",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    ] {
        cmd.env_remove(v);
    }
    let out = cmd.output().expect("audit runs");
    assert!(
        out.status.success(),
        "audit of {} failed: {}",
        tree.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Replace `from` (which must be there) with `to` in a file.
pub fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// axum-ready's health routes, as they stand in src/routes/health.rs.
const HEALTH_ROUTES: &str =
    "        .route(\"/healthz\", get(live))\n        .route(\"/readyz\", get(ready))\n";

/// Build the set under `root`; returns the `reports` directory.
pub fn build(root: &Path, hostile: bool) -> PathBuf {
    let reports = root.join("reports");
    let trees = root.join("trees");
    let run = |svc: &str, n: u32| reports.join(svc).join(format!("run-{n}"));
    // Run `n` of `svc`: its tree as it is now, at `when` (if any), on commit SHA[c].
    let step = |svc: &str, n: u32, when: Option<&str>, c: usize| {
        audit(&trees.join(svc), svc, when, SHA[c], &run(svc, n), "json");
    };
    let tree = |svc: &str, sample_name: &str| {
        copy_tree(&sample(sample_name), &trees.join(svc));
        trees.join(svc)
    };

    let billing = tree("billing", "axum-ready");
    step("billing", 1, Some("2026-03-02T09:00:00Z"), 0);
    // Run 2 keeps its HTML report beside the JSON one, as CI artifacts do.
    let t2 = Some("2026-03-09T09:00:00Z");
    audit(
        &billing,
        "billing",
        t2,
        SHA[1],
        &run("billing", 2),
        "json,html",
    );
    edit(&billing.join("src/routes/health.rs"), HEALTH_ROUTES, "");
    edit(&billing.join("src/telemetry.rs"), "        .json()\n", "");
    let ci = billing.join(".github/workflows/ci.yml");
    edit(&ci, "--fail-under-lines 85", "--fail-under-lines 70");
    step("billing", 3, Some("2026-03-16T09:00:00Z"), 2);

    let inventory = tree("inventory", "actix-bare");
    step("inventory", 1, Some("2026-03-03T10:00:00Z"), 0);
    let listing = "    println!(\"listing {} items\", items.len());\n";
    let more = format!("{listing}    println!(\"cache warm\");\n");
    edit(&inventory.join("src/handlers.rs"), listing, &more);
    step("inventory", 2, Some("2026-03-10T10:00:00Z"), 1);

    let payments = tree("payments", "axum-ready");
    let health = payments.join("src/routes/health.rs");
    let telemetry = payments.join("src/telemetry.rs");
    edit(&health, HEALTH_ROUTES, "");
    edit(&telemetry, "        .json()\n", "");
    step("payments", 1, Some("2026-03-04T12:00:00Z"), 0);
    edit(&telemetry, "    fmt()\n", "    fmt()\n        .json()\n");
    step("payments", 2, Some("2026-03-11T12:00:00Z"), 1);
    edit(
        &health,
        "Router::new()\n",
        &format!("Router::new()\n{HEALTH_ROUTES}"),
    );
    step("payments", 3, Some("2026-03-18T12:00:00Z"), 2);

    // No timestamps: the runs are ordered as their directories sort (run-10 last).
    let ledger = tree("ledger", "workspace");
    step("ledger", 1, None, 0);
    step("ledger", 2, None, 1);
    let route = "        .route(\"/health\", get(|| async { \"ok\" }))\n";
    edit(&ledger.join("services/orders/src/main.rs"), route, "");
    step("ledger", 10, None, 2);

    // An older 1.x report: what later 1.x versions added is missing.
    tree("legacy", "actix-bare");
    step("legacy", 2, Some("2026-03-05T08:00:00Z"), 3);
    let mut old = read_json(&run("legacy", 2).join("seaworthy.json"));
    let o = old.as_object_mut().unwrap();
    o.remove("timestamp");
    o["target"].as_object_mut().unwrap().remove("vcs");
    o["summary"].as_object_mut().unwrap().remove("level");
    for item in o["items"].as_array_mut().unwrap() {
        for e in item["evidence"].as_array_mut().unwrap() {
            e.as_object_mut().unwrap().remove("fingerprint");
        }
    }
    write_json(&run("legacy", 1).join("seaworthy.json"), &old);

    let first = std::fs::read_to_string(run("billing", 1).join("seaworthy.json")).unwrap();
    std::fs::write(reports.join("broken.json"), &first[..first.len() / 2]).unwrap();
    let mut ancient: Value = serde_json::from_str(&first).unwrap();
    ancient["schema_version"] = "0.9".into();
    write_json(&reports.join("archive/seaworthy.json"), &ancient);
    write_json(
        &reports.join("notes/package.json"),
        &serde_json::json!({"name": "tooling", "version": "1.0.0"}),
    );

    if hostile {
        let mut h = read_json(&run("billing", 3).join("seaworthy.json"));
        h["target"]["name"] = HOSTILE_NAME.into();
        h["target"]["vcs"]["branch"] = HOSTILE_BRANCH.into();
        for item in h["items"].as_array_mut().unwrap() {
            item["summary"] = HOSTILE_SUMMARY.into();
            for e in item["evidence"].as_array_mut().unwrap() {
                e["message"] = "<img src=x onerror=alert(3)>".into();
                e["path"] = "src/<b>bold</b>.rs".into();
            }
        }
        write_json(&reports.join("zz-hostile/seaworthy.json"), &h);
    }
    reports
}

/// Run `seaworthy fleet REPORTS --output-dir OUT`; returns its standard error.
pub fn write_fleet(reports: &Path, out: &Path) -> String {
    let run = seaworthy()
        .arg("fleet")
        .arg(reports)
        .arg("--output-dir")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "fleet failed: {stderr}");
    stderr
}
