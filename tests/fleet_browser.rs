//! The fleet dashboard in a real browser (Debian's headless Chromium, as for
//! the audit's HTML report): the DOM it builds from hostile report text, every
//! in-page link landing on an element, the "only items falling short" filter,
//! and a screenshot. Without chromium these tests say they were skipped and
//! why; under CI they fail instead.
//!
//! The README's screenshot is this test's output:
//! `SEAWORTHY_UPDATE_SCREENSHOT=1 cargo test --test fleet_browser fleet_dashboard_screenshot`
//! writes docs/fleet-dashboard.png.

mod common;
use common::browser::{browser_or_skip, run_browser};
use common::fleet::*;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Build a report set under `dir` and write the fleet; returns (out dir, fleet.json).
fn fleet(dir: &Path, hostile: bool) -> (PathBuf, Value) {
    let reports = build(dir, hostile);
    let out = dir.join("out");
    write_fleet(&reports, &out);
    let json = read_json(&out.join("fleet.json"));
    (out, json)
}

#[test]
fn dashboard_renders_every_service_and_keeps_report_text_inert() {
    let Some(browser) =
        browser_or_skip("dashboard_renders_every_service_and_keeps_report_text_inert")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (out, json) = fleet(dir.path(), true);
    let dom = run_browser(&browser, &out.join("fleet.html"), &["--dump-dom".into()]);
    let services = json["services"].as_array().unwrap();
    assert_eq!(
        dom.matches("<tr class=\"rank-row\"").count(),
        services.len()
    );
    assert_eq!(
        dom.matches("<article class=\"service\"").count(),
        services.len()
    );
    // Ranked as in the JSON summary.
    let mut at = 0;
    for s in services {
        let anchor = format!("<a href=\"#{}\">", s["anchor"].as_str().unwrap());
        let found = dom[at..]
            .find(&anchor)
            .unwrap_or_else(|| panic!("{anchor} out of rank order"));
        at += found + 1;
    }
    // The markup arrived as text: no element was made from it.
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;\"quoted\" back\\slash"));
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(!dom.contains("<script"), "no script element");
    assert!(!dom.contains("<img"), "no img element");
    assert!(dom.contains("<title>seaworthy fleet — 6 services</title>"));
    assert!(dom.contains("<svg class=\"history\""));
    assert!(dom.contains("<svg class=\"sparkline\""));
    assert!(dom.contains("id=\"heatmap-table\""));
}

#[test]
fn dashboard_links_land_and_the_filter_shows_items_falling_short() {
    let Some(browser) =
        browser_or_skip("dashboard_links_land_and_the_filter_shows_items_falling_short")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (out, json) = fleet(dir.path(), true);
    let html = std::fs::read_to_string(out.join("fleet.html")).unwrap();
    let passing = json["services"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "pass")
        .expect("the best service passes an item")["anchor"]
        .as_str()
        .unwrap()
        .to_string();
    // The dashboard runs no script (its CSP forbids it); this test-only copy
    // drops the CSP and adds a probe that follows every in-page link, clicks
    // the filter and counts the service items the CSS leaves visible — and
    // checks a link to a passing item shows it while the filter hides the rest.
    let probe = format!("<script>
        const ids = [...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href').slice(1));
        const broken = ids.filter(id => !document.getElementById(id));
        const visible = () => [...document.querySelectorAll('.svc-item')].filter(e => e.offsetParent !== null).length;
        const short = visible();
        document.getElementById('all-items').click();
        const all = visible();
        document.getElementById('only-short').click();
        location.hash = '#{passing}';
        document.body.setAttribute('data-probe', [ids.length, broken.length, short, all, visible()].join(','));
        document.body.setAttribute('data-broken', broken.slice(0, 5).join(' '));
        </script></body>");
    let probed = html
        .replacen(
            "<meta http-equiv=\"Content-Security-Policy\"",
            "<meta name=\"csp-removed\"",
            1,
        )
        .replace("</body>", &probe);
    let page = out.join("probe.html");
    std::fs::write(&page, probed).unwrap();
    let dom = run_browser(&browser, &page, &["--dump-dom".into()]);
    let items: Vec<&Value> = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .collect();
    let short = items
        .iter()
        .filter(|i| i["score"].as_f64().is_some_and(|s| s < 1.0))
        .count();
    assert!(short > 0 && short < items.len());
    let start = dom.find("data-probe=\"").expect("the probe ran") + 12;
    let probe: Vec<usize> = dom[start..dom[start..].find('"').unwrap() + start]
        .split(',')
        .map(|n| n.parse().unwrap())
        .collect();
    let broken = dom
        .split("data-broken=\"")
        .nth(1)
        .and_then(|s| s.split('"').next());
    assert!(probe[0] > 50, "links were found: {probe:?}");
    assert_eq!(probe[1], 0, "links without a target: {broken:?}");
    assert_eq!(
        probe[2..],
        [short, items.len(), short + 1],
        "visible items: falling short (the default), all, falling short and the linked one"
    );
}

#[test]
fn fleet_dashboard_screenshot() {
    let Some(browser) = browser_or_skip("fleet_dashboard_screenshot") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = fleet(dir.path(), false);
    let png = dir.path().join("fleet.png");
    run_browser(
        &browser,
        &out.join("fleet.html"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,1500".into(),
        ],
    );
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let size = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!(size, (1280, 1500));
    // A blank page compresses to a few KB; a rendered dashboard does not.
    assert!(
        bytes.len() > 60_000,
        "screenshot looks blank: {} bytes",
        bytes.len()
    );
    let keep = root().join("target/test-artifacts");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::copy(&png, keep.join("fleet-dashboard.png")).unwrap();
    if std::env::var_os("SEAWORTHY_UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(&png, root().join("docs/fleet-dashboard.png")).unwrap();
    }
}
