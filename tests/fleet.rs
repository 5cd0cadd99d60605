//! `seaworthy fleet` on a pile of generated reports (tests/common/fleet.rs):
//! the JSON summary against its schema and against numbers worked out here
//! from the reports themselves, the OpenMetrics text through an independent
//! parser, the dashboard's markup, and the files that are not reports.

mod common;
use common::fleet::*;
use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The report set and the fleet written from it, built once per test binary.
struct Fixture {
    reports: PathBuf,
    out: PathBuf,
    stderr: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fleet-test");
        let _ = std::fs::remove_dir_all(&root);
        let reports = build(&root, true);
        let out = root.join("out");
        let stderr = write_fleet(&reports, &out);
        Fixture {
            reports,
            out,
            stderr,
        }
    })
}

fn fleet_json() -> Value {
    read_json(&fixture().out.join("fleet.json"))
}

fn service<'a>(fleet: &'a Value, name: &str) -> &'a Value {
    fleet["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn report(rel: &str) -> Value {
    read_json(&fixture().reports.join(rel).join("seaworthy.json"))
}

/// The latest report of every service, by name.
fn latest_reports() -> HashMap<String, Value> {
    [
        "billing/run-3",
        "inventory/run-2",
        "payments/run-3",
        "ledger/run-10",
        "legacy/run-2",
        "zz-hostile",
    ]
    .iter()
    .map(|rel| {
        let r = report(rel);
        (r["target"]["name"].as_str().unwrap().to_string(), r)
    })
    .collect()
}

#[test]
fn fleet_summary_matches_its_schema() {
    let schema = read_json(&root().join("docs/fleet.schema.json"));
    assert_valid(&schema, &fleet_json(), "fleet.json");
    // The schema is strict where the summary is: an unknown field or a bad
    // status word anywhere is refused.
    for (pointer, bad) in [
        ("/services/0/latest", ("bogus", Value::Bool(true))),
        ("/services/0/history/0", ("bogus", Value::Bool(true))),
        ("/services/0/items/0", ("status", Value::from("great"))),
        ("/items/0/statuses", ("bogus", Value::from(1))),
    ] {
        let mut f = fleet_json();
        f.pointer_mut(pointer).unwrap()[bad.0] = bad.1.clone();
        let refused = std::panic::catch_unwind(|| assert_valid(&schema, &f, pointer)).is_err();
        assert!(refused, "the schema accepts {bad:?} at {pointer}");
    }
}

#[test]
fn every_file_is_a_report_or_listed_with_the_reason() {
    let f = fleet_json();
    let inputs = &f["inputs"];
    assert_eq!(
        inputs["reports"], 14,
        "3 billing + 2 inventory + 3 payments + 3 ledger + 2 legacy + hostile"
    );
    assert_eq!(inputs["services"], 6);
    let corrupt = inputs["corrupt"].as_array().unwrap();
    assert_eq!(corrupt.len(), 1);
    assert!(corrupt[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("broken.json"));
    assert!(corrupt[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("truncated JSON"));
    let refused = inputs["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["schema_version"], "0.9");
    assert!(refused[0]["message"]
        .as_str()
        .unwrap()
        .contains("older than the 1.x this seaworthy reads"));
    let ignored: Vec<(&str, &str)> = inputs["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["path"].as_str().unwrap(), i["reason"].as_str().unwrap()))
        .collect();
    assert!(ignored
        .iter()
        .any(|(p, r)| p.ends_with("notes/package.json") && r.contains("no `schema_version`")));
    assert!(ignored
        .iter()
        .any(|(p, r)| p.ends_with("billing/run-2/seaworthy.html") && *r == "not a .json file"));
    assert_eq!(
        inputs["files"], 17,
        "14 reports, broken, archive, package.json"
    );
    // The terminal names each problem file.
    let err = &fixture().stderr;
    assert!(
        err.contains("corrupt: ") && err.contains("broken.json: truncated JSON"),
        "{err}"
    );
    assert!(
        err.contains("refused: ") && err.contains("schema_version 0.9"),
        "{err}"
    );
    assert!(
        err.contains(
            "read 14 report(s) of 6 service(s) from 17 file(s): 1 corrupt, 1 refused, 2 ignored"
        ),
        "{err}"
    );
}

#[test]
fn services_are_ranked_by_latest_score_with_the_report_numbers() {
    let f = fleet_json();
    let latest = latest_reports();
    let services = f["services"].as_array().unwrap();
    let mut prev = f64::INFINITY;
    for (i, s) in services.iter().enumerate() {
        assert_eq!(s["rank"], i + 1);
        let r = &latest[s["name"].as_str().unwrap()];
        assert_eq!(s["latest"]["score"], r["summary"]["score"], "{}", s["name"]);
        let score = s["latest"]["score"].as_f64().unwrap_or(-1.0);
        assert!(score <= prev, "ranked best first");
        prev = score;
        // The heat map's row: the report's section scores, in the fleet's section order.
        let fleet_sections: Vec<&str> = f["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        let row: Vec<&str> = s["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        assert_eq!(row, fleet_sections);
        for sec in r["sections"].as_array().unwrap() {
            let cell = s["sections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == sec["id"])
                .unwrap();
            assert_eq!(cell["score"], sec["score"], "{} {}", s["name"], sec["id"]);
        }
        assert_eq!(s["latest"]["counts"], r["summary"]["counts"]);
    }
}

#[test]
fn item_shares_are_counted_from_the_latest_reports() {
    let f = fleet_json();
    let latest = latest_reports();
    for item in f["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let (mut scored, mut passing, mut words) = (0, 0, HashMap::<&str, u64>::new());
        for r in latest.values() {
            let Some(i) = r["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == id)
            else {
                *words.entry("absent").or_default() += 1;
                continue;
            };
            *words.entry(i["status"].as_str().unwrap()).or_default() += 1;
            if let Some(s) = i["score"].as_f64() {
                scored += 1;
                passing += u64::from(s == 1.0);
            }
        }
        assert_eq!(item["scored"], scored, "{id}");
        assert_eq!(item["passing"], passing, "{id}");
        for (w, n) in &words {
            assert_eq!(item["statuses"][*w], *n, "{id} {w}");
        }
        let share = item["share_passing"].as_f64();
        if scored == 0 {
            assert!(share.is_none());
        } else {
            let want = passing as f64 / scored as f64;
            assert!(
                (share.unwrap() - want).abs() < 1e-4,
                "{id}: {share:?} vs {want}"
            );
        }
    }
    // A fixed point to read: only payments has a health route now (billing and
    // the hostile copy of it lost theirs, ledger's run 10 too, actix-bare never had one).
    let health = f["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "obs.health")
        .unwrap();
    assert_eq!(
        (health["scored"].as_u64(), health["passing"].as_u64()),
        (Some(6), Some(1))
    );
    assert_eq!(health["share_passing"].as_f64(), Some(0.1667));
}

#[test]
fn runs_are_ordered_by_time_or_else_by_natural_path_order() {
    let f = fleet_json();
    let billing = service(&f, "billing");
    assert_eq!(billing["order"], "time");
    assert_eq!(billing["runs"], 3);
    let times: Vec<&str> = billing["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["timestamp"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2026-03-02T09:00:00Z",
            "2026-03-09T09:00:00Z",
            "2026-03-16T09:00:00Z"
        ]
    );
    assert_eq!(billing["latest"]["commit"], SHA[2]);
    assert_eq!(billing["latest"]["branch"], "main");

    let ledger = service(&f, "ledger");
    assert_eq!(ledger["order"], "input");
    let files: Vec<&str> = ledger["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["file"].as_str().unwrap())
        .collect();
    assert!(files[0].ends_with("run-1/seaworthy.json"), "{files:?}");
    assert!(files[1].ends_with("run-2/seaworthy.json"), "{files:?}");
    assert!(files[2].ends_with("run-10/seaworthy.json"), "{files:?}");
    assert_eq!(ledger["latest"]["commit"], SHA[2]);
    assert_eq!(
        ledger["latest"]["score"],
        report("ledger/run-10")["summary"]["score"]
    );
}

#[test]
fn regressions_name_the_score_drop_the_items_and_the_new_findings() {
    let f = fleet_json();
    let billing = service(&f, "billing");
    let change = &billing["change"];
    let before = report("billing/run-2")["summary"]["score"]
        .as_f64()
        .unwrap();
    let after = report("billing/run-3")["summary"]["score"]
        .as_f64()
        .unwrap();
    assert!(after < before, "the fixture makes billing worse");
    assert_eq!(
        change["score_delta"].as_f64(),
        Some(((after - before) * 10.0).round() / 10.0)
    );
    assert_eq!(change["previous"]["commit"], SHA[1]);
    let worse: Vec<(&str, &str, &str)> = change["worse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["item"].as_str().unwrap(),
                w["from"].as_str().unwrap(),
                w["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(worse.contains(&("obs.health", "pass", "fail")), "{worse:?}");
    assert!(
        worse.contains(&("test.coverage", "pass", "partial")),
        "{worse:?}"
    );

    // inventory: same score, one more println! — a new finding on a failing item.
    let inv = &service(&f, "inventory")["change"];
    assert_eq!(inv["score_delta"].as_f64(), Some(0.0));
    assert_eq!(inv["worse"], serde_json::json!([]));
    let new = inv["new_findings"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["item"], "obs.structured-logging");
    assert_eq!(new[0]["path"], "src/handlers.rs");
    assert_eq!(new[0]["line"], 20);
    let latest = report("inventory/run-2");
    assert!(has_evidence(
        &latest,
        "obs.structured-logging",
        "src/handlers.rs",
        Some(20),
        "println!"
    ));

    // legacy: the older report had no fingerprints; computed ones match the new report's.
    let legacy = &service(&f, "legacy")["change"];
    assert_eq!(legacy["new_findings"], serde_json::json!([]));
    assert_eq!(legacy["fixed_findings"], 0);
    assert_eq!(
        service(&f, "legacy")["order"],
        "input",
        "the untimed run comes first"
    );

    // Worst drop first; inventory is listed for its new finding.
    let regs: Vec<&str> = f["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service"].as_str().unwrap())
        .collect();
    let deltas: Vec<f64> = f["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["score_delta"].as_f64().unwrap_or(0.0))
        .collect();
    assert!(
        deltas.windows(2).all(|w| w[0] <= w[1]),
        "worst drop first: {regs:?} {deltas:?}"
    );
    assert!(
        regs.contains(&"billing") && regs.contains(&"ledger") && regs.contains(&"inventory"),
        "{regs:?}"
    );
    assert!(!regs.contains(&"legacy"), "{regs:?}");
    assert!(!regs.contains(&"payments"), "payments got better: {regs:?}");
    let payments = &service(&f, "payments")["change"];
    assert!(
        payments["better"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["item"] == "obs.health" && b["to"] == "pass"),
        "{payments}"
    );
    assert_eq!(service(&f, "payments")["rank"], 1);
}

#[test]
fn the_same_reports_give_the_same_bytes() {
    let fx = fixture();
    let again = seaworthy()
        .arg("fleet")
        .arg(&fx.reports)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(
        String::from_utf8(again.stdout).unwrap(),
        std::fs::read_to_string(fx.out.join("fleet.json")).unwrap()
    );
}

#[test]
fn metrics_parse_as_openmetrics_with_escaped_labels() {
    use openmetrics_parser::{openmetrics::parse_openmetrics, OpenMetricsType, OpenMetricsValue};
    let text = std::fs::read_to_string(fixture().out.join("fleet.prom")).unwrap();
    assert!(text.ends_with("# EOF\n"));
    let exposition =
        parse_openmetrics(&text).unwrap_or_else(|e| panic!("not OpenMetrics: {e:?}\n{text}"));
    let f = fleet_json();
    let gauge = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        let family = exposition.families.get(name)?;
        assert_eq!(family.family_type, OpenMetricsType::Gauge, "{name}");
        family.iter_samples().find_map(|s| {
            let set = s.get_labelset().ok()?;
            labels
                .iter()
                .all(|(k, v)| set.get_label_value(k) == Some(*v))
                .then_some(())?;
            match &s.value {
                OpenMetricsValue::Gauge(n) => Some(n.as_f64()),
                _ => None,
            }
        })
    };
    for s in f["services"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        assert_eq!(
            gauge("seaworthy_score", &[("service", name)]),
            s["latest"]["score"].as_f64(),
            "{name}"
        );
        for sec in s["sections"].as_array().unwrap() {
            assert_eq!(
                gauge(
                    "seaworthy_section_score",
                    &[("service", name), ("section", sec["id"].as_str().unwrap())]
                ),
                sec["score"].as_f64()
            );
        }
        for i in s["items"].as_array().unwrap() {
            let labels = [
                ("service", name),
                ("item", i["id"].as_str().unwrap()),
                ("status", i["status"].as_str().unwrap()),
            ];
            assert_eq!(gauge("seaworthy_item_status", &labels), Some(1.0));
        }
    }
    // The hostile name went through escaping and came back whole.
    assert!(gauge("seaworthy_score", &[("service", HOSTILE_NAME)]).is_some());
    assert!(text.contains(
        "service=\"<img src=x onerror=alert(1)>\\\"quoted\\\" back\\\\slash\\nnewline\""
    ));
    assert_eq!(
        gauge("seaworthy_fleet_files", &[("state", "corrupt")]),
        Some(1.0)
    );
    let info = [("branch", HOSTILE_BRANCH), ("commit", SHA[2])];
    assert_eq!(gauge("seaworthy_report_info", &info), Some(1.0));
    // The same text reads as the Prometheus text format (`# EOF` is a comment
    // there), as a node_exporter textfile collector reads it.
    let prom = openmetrics_parser::prometheus::parse_prometheus(&text)
        .unwrap_or_else(|e| panic!("not Prometheus text: {e:?}"));
    assert_eq!(prom.families.len(), exposition.families.len());
}

#[test]
fn dashboard_escapes_report_text_and_links_every_item() {
    let html = std::fs::read_to_string(fixture().out.join("fleet.html")).unwrap();
    let f = fleet_json();
    assert!(
        html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'")
    );
    assert!(!html.contains("<script"), "no script element");
    assert!(!html.contains("<img"), "no img element");
    // askama writes `<` `>` `"` `'` as numeric references.
    assert!(html.contains("&#60;img src=x onerror=alert(1)&#62;&#34;quoted&#34; back\\slash"));
    assert!(html.contains("&#60;script&#62;document.title=&#39;pwned&#39;&#60;/script&#62;"));
    assert!(
        html.contains("&#34;&#62;&#60;script&#62;alert(2)&#60;/script&#62;"),
        "the branch"
    );
    for s in f["services"].as_array().unwrap() {
        let anchor = s["anchor"].as_str().unwrap();
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
        assert!(html.contains(&format!("href=\"#{anchor}\"")), "{anchor}");
        for i in s["items"].as_array().unwrap() {
            assert!(html.contains(&format!("id=\"{}\"", i["anchor"].as_str().unwrap())));
        }
        // Heat-map cells link to the service's items of that section.
        for sec in s["sections"].as_array().unwrap() {
            if sec["score"].is_null() {
                continue;
            }
            let info = f["sections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == sec["id"])
                .unwrap();
            let cell = format!("href=\"#{anchor}--{}\"", info["anchor"].as_str().unwrap());
            assert!(html.contains(&cell), "{cell}");
        }
    }
    // Each regression's worse items link to that service's item.
    assert!(html.contains("href=\"#svc-billing--item-obs.health\""));
}

#[test]
fn usage_errors_exit_2_with_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let out = seaworthy()
        .arg("fleet")
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass JSON reports or directories"));

    std::fs::write(dir.path().join("package.json"), "{\"name\":\"x\"}").unwrap();
    let out = seaworthy().arg("fleet").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no seaworthy report was read"));

    let reports = &fixture().reports;
    let out = seaworthy()
        .arg("fleet")
        .arg(reports)
        .args(["--format", "html,json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output-dir"));

    // --output names the format by its extension.
    let prom = dir.path().join("fleet.prom");
    let out = seaworthy()
        .arg("fleet")
        .arg(reports)
        .arg("-q")
        .arg("--output")
        .arg(&prom)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&prom)
        .unwrap()
        .contains("# TYPE seaworthy_score gauge"));

    // Without an output, a ranking for the terminal.
    let out = seaworthy().arg("fleet").arg(reports).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("seaworthy fleet — 6 services, 14 reports"),
        "{table}"
    );
    assert!(
        table.contains("Regressions since the previous report:\n  ")
            && table.contains("  billing: score"),
        "{table}"
    );
    assert!(
        !table.contains('\u{1b}'),
        "no escape sequences from report text"
    );
}
