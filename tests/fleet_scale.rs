//! How `seaworthy fleet` scales: many reports summarised in seconds, with
//! memory that does not grow with the number of reports.
//!
//! ```sh
//! # the measurement: 1,000 then 10,000 generated reports (about 1.2 GB on disk,
//! # in a temporary directory removed afterwards), time and peak memory of each
//! cargo test --release --test fleet_scale -- --ignored --nocapture
//! SEAWORTHY_FLEET_REPORTS=50000 cargo test --release --test fleet_scale -- --ignored --nocapture
//! ```
//!
//! Reports are real audit output (the sample projects audited once), turned
//! into many services and runs: each gets a service name, a timestamp, a
//! commit, item statuses and scores varied from run to run, and — for two
//! thirds of them — a `files` list padded to the size of a larger service's
//! report (60, 100 and 200 KB; real services' reports measure 100–760 KB).
//! The always-on smoke test below runs the same generator on 300 reports.
//! Peak memory is the child's VmHWM, read from /proc while it runs (Linux).
//!
//! Measured on the development machine (2 shared cores), writing all three
//! formats: 10,000 reports (1.8 GB) in 5.4–6.2 s; peak memory 23 MB for
//! 1,000 reports of 50 services, 34 MB for 10,000 of the same 50 services,
//! 87 MB for 10,000 reports of 500 services (a 24 MB dashboard).

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const SERVICE: &str = "@@SERVICE@@";
const TIME: &str = "@@TIME@@";
const COMMIT: &str = "@@COMMIT@@";

/// Report texts with placeholders for the service, time and commit: the three
/// samples × three sizes × three variations of item statuses.
fn templates() -> Vec<String> {
    let mut out = Vec::new();
    for sample_name in ["axum-ready", "actix-bare", "workspace"] {
        let base = audit_json(&sample(sample_name), &["--no-cargo-metadata"]);
        for (pad, variant) in [(0, 0), (800, 1), (2400, 2)] {
            let mut r = base.clone();
            r["target"]["name"] = SERVICE.into();
            r["timestamp"] = TIME.into();
            r["target"]["vcs"] =
                serde_json::json!({"commit": COMMIT, "branch": "main", "source": "git"});
            vary(&mut r, variant);
            let files = r["files"]["analyzed"].as_array_mut().unwrap();
            for k in 0..pad {
                files.push(serde_json::json!({
                    "path": format!("src/generated/module_{k}.rs"),
                    "kind": "rust",
                    "role": "service"
                }));
            }
            out.push(serde_json::to_string_pretty(&r).unwrap());
        }
    }
    out
}

/// Shift the decided items' statuses by `variant` (pass → partial → fail → pass)
/// and rescore, so runs differ and regressions appear.
fn vary(r: &mut Value, variant: usize) {
    let cycle = [("pass", 1.0), ("partial", 0.5), ("fail", 0.0)];
    let mut sum = (0.0_f64, 0.0_f64);
    for item in r["items"].as_array_mut().unwrap() {
        let Some(at) = cycle.iter().position(|(s, _)| item["status"] == *s) else {
            continue;
        };
        let (status, score) = cycle[(at + variant) % 3];
        item["status"] = status.into();
        item["score"] = score.into();
        sum = (sum.0 + score, sum.1 + 1.0);
    }
    if sum.1 > 0.0 {
        r["summary"]["score"] = ((sum.0 / sum.1 * 1000.0).round() / 10.0).into();
    }
}

/// Write `services × runs` reports under `dir` (`svc-0007/run-3/seaworthy.json`).
fn generate(dir: &Path, services: usize, runs: usize) {
    let templates = templates();
    for s in 0..services {
        for r in 0..runs {
            let t = &templates[(s * 7 + r * 5) % templates.len()];
            let day = 1 + r % 28;
            let month = 1 + r / 28 % 12;
            let text = t
                .replace(SERVICE, &format!("svc-{s:04}"))
                .replace(
                    TIME,
                    &format!(
                        "2026-{month:02}-{day:02}T{:02}:{:02}:00Z",
                        s / 60 % 24,
                        s % 60
                    ),
                )
                .replace(COMMIT, &format!("{:040x}", s * 1_000_003 + r));
            let path = dir.join(format!("svc-{s:04}/run-{r}/seaworthy.json"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
}

/// Run `seaworthy fleet DIR --output-dir` (all three formats); returns its
/// time, peak memory (KiB, 0 where /proc is not there) and the summary.
fn measure(dir: &Path) -> (Duration, u64, Value) {
    let bin = env!("CARGO_BIN_EXE_seaworthy");
    let out_dir = dir.with_extension("fleet");
    let start = Instant::now();
    let mut child = std::process::Command::new(bin)
        .arg("fleet")
        .arg(dir)
        .args(["-q", "--output-dir"])
        .arg(&out_dir)
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    assert!(status.success(), "fleet failed on {}", dir.display());
    let html = std::fs::metadata(out_dir.join("fleet.html")).unwrap().len();
    eprintln!("  dashboard: {} KB", html / 1000);
    let summary =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("fleet.json")).unwrap())
            .unwrap();
    (elapsed, peak, summary)
}

fn bytes_under(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                bytes_under(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

fn check(summary: &Value, services: usize, runs: usize) {
    assert_eq!(summary["inputs"]["reports"], services * runs);
    assert_eq!(summary["inputs"]["services"], services);
    assert_eq!(summary["inputs"]["corrupt"], serde_json::json!([]));
    let all = summary["services"].as_array().unwrap();
    assert_eq!(all.len(), services);
    assert!(all
        .iter()
        .all(|s| s["runs"] == runs && s["order"] == "time"));
    assert!(
        !summary["regressions"].as_array().unwrap().is_empty(),
        "the varied statuses make regressions"
    );
}

#[test]
fn fleet_smoke_summarises_300_generated_reports() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    generate(&reports, 30, 10);
    let (took, peak, summary) = measure(&reports);
    check(&summary, 30, 10);
    eprintln!(
        "300 reports ({} MB): {:.2} s, peak {} MB",
        bytes_under(&reports) / 1_000_000,
        took.as_secs_f64(),
        peak / 1024
    );
}

#[test]
#[ignore = "writes ~2.5 GB of reports; run with --release --ignored (see the module docs)"]
fn fleet_summarises_10000_reports_in_seconds_with_flat_memory() {
    let total: usize = std::env::var("SEAWORTHY_FLEET_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    // (services, runs): a tenth of the reports; as many again with ten times
    // the runs of the same services; and ten times the services.
    let shapes = [(50, total / 500), (50, total / 50), (total / 20, 20)];
    let mut rows = Vec::new();
    for (services, runs) in shapes {
        let n = services * runs;
        let dir = tempfile::tempdir().unwrap();
        let reports = dir.path().join("reports");
        let start = Instant::now();
        generate(&reports, services, runs);
        let generated = start.elapsed();
        let mb = bytes_under(&reports) / 1_000_000;
        let (took, peak, summary) = measure(&reports);
        check(&summary, services, runs);
        eprintln!(
            "{n:>6} reports of {services:>4} services × {runs:>3} runs ({mb} MB, generated in {:.1} s): \
             {:.2} s, peak {} MB, {:.0} MB/s",
            generated.as_secs_f64(),
            took.as_secs_f64(),
            peak / 1024,
            mb as f64 / took.as_secs_f64()
        );
        rows.push((n, took, peak));
    }
    if cfg!(debug_assertions) {
        eprintln!("a debug build: times are not asserted (run with --release)");
    } else {
        for (n, took, _) in &rows[1..] {
            assert!(*took < Duration::from_secs(30), "{n} reports took {took:?}");
        }
    }
    // Ten times the runs of the same services: memory stays where it was
    // (each run leaves a history point of a few dozen bytes).
    let (few, many) = (rows[0].2, rows[1].2);
    if few > 0 {
        assert!(
            many < few + few / 2 + 16 * 1024,
            "peak memory grew from {few} to {many} KiB with ten times the runs"
        );
    }
}
