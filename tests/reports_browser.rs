//! The HTML report in a real browser: Debian's headless Chromium loads the
//! file, and the tests read the DOM it built (`--dump-dom`) and take a
//! screenshot. `.ci/run` installs chromium; on a machine without it these
//! tests say they were skipped and why (in CI they fail instead).

mod common;
use common::browser::{browser_or_skip, run_browser};
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The markup a hostile repository puts in a route path.
const HOSTILE: &str = "/items/<script>document.title='pwned'</script><img src=x onerror=alert(1)>";

/// actix-bare with a route path full of markup; returns (report dir, JSON report).
fn hostile_report(dir: &Path) -> (PathBuf, Value) {
    let tree = dir.join("svc");
    copy_tree(&sample("actix-bare"), &tree);
    let handlers = tree.join("src/handlers.rs");
    let text = std::fs::read_to_string(&handlers)
        .unwrap()
        .replace("#[get(\"/items\")]", &format!("#[get(\"{HOSTILE}\")]"));
    std::fs::write(&handlers, text).unwrap();
    let out = dir.join("out");
    let status = seaworthy()
        .arg("audit")
        .arg(&tree)
        .args(["--format", "json,html", "--output-dir"])
        .arg(&out)
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("seaworthy.json")).unwrap())
            .unwrap();
    assert!(
        json.to_string().contains("document.title='pwned'"),
        "the hostile route reached the report"
    );
    (out, json)
}

#[test]
fn html_report_renders_every_item_and_escapes_repository_text() {
    let Some(browser) =
        browser_or_skip("html_report_renders_every_item_and_escapes_repository_text")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (out, json) = hostile_report(dir.path());
    let dom = run_browser(
        &browser,
        &out.join("seaworthy.html"),
        &["--dump-dom".into()],
    );
    let items = json["items"].as_array().unwrap();
    assert_eq!(
        dom.matches("<article class=\"item ").count(),
        items.len(),
        "one article per item"
    );
    for i in items {
        let id = i["id"].as_str().unwrap();
        assert!(
            dom.contains(&format!("id=\"item-{id}\"")),
            "{id} is missing"
        );
    }
    assert!(dom.contains("data-status=\"fail\""));
    assert!(dom.contains("<svg id=\"chart\""));
    let score = json["summary"]["score"].as_f64().unwrap();
    let grade = json["summary"]["grade"].as_str().unwrap();
    assert!(
        dom.contains(&format!(
            "id=\"score\">{score:.1}<small>/100 ({grade})</small>"
        )),
        "the page shows the report's score"
    );
    // The markup arrived as text: no script ran, no element was made from it.
    assert!(dom.contains(
        "&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    ));
    assert!(!dom.contains("<script"), "no script element in the page");
    assert!(
        !dom.contains("<img"),
        "no img element made from report text"
    );
    assert!(
        dom.contains("<title>seaworthy: inventory"),
        "the title was not changed"
    );
}

#[test]
fn html_filters_show_only_the_chosen_status_and_section() {
    let Some(browser) = browser_or_skip("html_filters_show_only_the_chosen_status_and_section")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (out, json) = hostile_report(dir.path());
    let html = std::fs::read_to_string(out.join("seaworthy.html")).unwrap();
    let obs_index = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["id"] == "obs")
        .unwrap();
    // The report itself runs no script (its CSP forbids it); this test-only
    // copy drops the CSP and adds a probe that clicks the filters and counts
    // the items the CSS leaves visible.
    let probe = format!(
        "<script>
        const visible = () => [...document.querySelectorAll('.item')].filter(e => e.offsetParent !== null).length;
        const all = visible();
        document.getElementById('st-fail').click();
        const fails = visible();
        document.getElementById('sec-{obs_index}').click();
        const obsFails = visible();
        document.getElementById('st-all').click();
        const obs = visible();
        document.body.setAttribute('data-probe', [all, fails, obsFails, obs].join(','));
        </script></body>"
    );
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
    let items = json["items"].as_array().unwrap();
    let count = |f: &dyn Fn(&Value) -> bool| items.iter().filter(|i| f(i)).count();
    let want = format!(
        "data-probe=\"{},{},{},{}\"",
        items.len(),
        count(&|i| i["status"] == "fail"),
        count(&|i| i["status"] == "fail" && i["section"] == "obs"),
        count(&|i| i["section"] == "obs"),
    );
    assert!(dom.contains(&want), "want {want} in the probed DOM");
}

#[test]
fn html_report_screenshot() {
    let Some(browser) = browser_or_skip("html_report_screenshot") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = seaworthy()
        .arg("audit")
        .arg(sample("axum-ready"))
        .args(["--format", "html", "--output-dir"])
        .arg(&out)
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let png = dir.path().join("report.png");
    run_browser(
        &browser,
        &out.join("seaworthy.html"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,1400".into(),
        ],
    );
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 1400));
    // A blank page compresses to a few KB; a rendered report does not.
    assert!(
        bytes.len() > 40_000,
        "screenshot looks blank: {} bytes",
        bytes.len()
    );
    // Kept for a person to look at.
    let keep = root().join("target/test-artifacts");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::copy(&png, keep.join("report.png")).unwrap();
}
