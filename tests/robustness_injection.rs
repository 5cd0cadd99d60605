//! Report injection: text from the audited repository is data in every format.
//!
//! `tests/fixtures/untrusted/injection` carries HTML/JS, ANSI/OSC escapes, an
//! 8-bit CSI, a right-to-left override and Markdown control characters in route
//! paths, string literals, the package name, the OpenAPI title, summaries and
//! paths, and Dockerfile arguments; file names carrying the same are added here
//! (awkward to commit). Each output format has a checker:
//!
//! - table: no control character reaches the terminal, yet the text is shown;
//! - JSON: valid, with the hostile text carried exactly (escaped by JSON);
//! - HTML: no injected tag is live, and the page loaded in headless Chromium
//!   (when installed) runs no injected script;
//!   `the_html_checker_catches_a_page_that_runs_injected_script` proves that
//!   check can fail;
//! - SARIF: valid JSON, version 2.1.0, relative URIs;
//! - JUnit: no character XML 1.0 forbids, not even as a reference, and no
//!   injected markup;
//! - Markdown: no control character, no live HTML or `javascript:` link outside
//!   code spans.
//!
//! A format the binary does not offer is reported and skipped, so the checks
//! can be written before a renderer lands.

mod robustness_support;
use robustness_support::*;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// What an injected script does when it runs: `'y'+'es'` only reads `yes` in
/// the page once executed, so the source text never matches.
const RAN: &str = "data-pwned=\"yes\"";

/// File names added at test time (each file fails to parse, so its name also
/// lands in a diagnostic, which the table prints).
const HOSTILE_NAMES: &[&str] = &[
    "src/<img src=x onerror=\"document.body.setAttribute('data-pwned','y'+'es')\">.rs",
    "src/\u{1b}[2J\u{1b}[31mred\u{1b}]0;title\u{7}.rs",
    "src/\u{9b}31m\u{202e}gpj.rs",
    "src/md|pipe*star*_`tick`[x](javascript:alert(1)).rs",
    "src/nl\nFORGED LINE \u{2066}isolate.rs",
];

fn sample() -> (tempfile::TempDir, PathBuf) {
    let (dir, tree) = scratch_copy("untrusted/injection");
    for name in HOSTILE_NAMES {
        std::fs::write(tree.join(name), "fn broken( {\n").unwrap();
    }
    (dir, tree)
}

fn run(tree: &Path, format: &str) -> Output {
    seaworthy_cmd()
        .args(["audit", "--color", "never", "--format", format])
        .arg(tree)
        .env("COLUMNS", "200")
        .output()
        .unwrap()
}

/// `None` (with a note) when this build has no such format yet.
fn run_if_available(tree: &Path, formats: &[&str]) -> Option<(String, Output)> {
    for f in formats {
        let out = run(tree, f);
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(2) && err.contains("invalid value") {
            continue;
        }
        return Some((f.to_string(), out));
    }
    eprintln!("note: no {formats:?} format in this build yet; its injection check is skipped");
    None
}

/// Control characters in `text` other than newline (and tab when allowed).
fn controls(text: &str, tab_ok: bool) -> Vec<(usize, char)> {
    text.char_indices()
        .filter(|(_, c)| c.is_control() && *c != '\n' && !(tab_ok && *c == '\t'))
        .collect()
}

#[test]
fn the_table_shows_the_text_but_no_control_character() {
    let (_dir, tree) = sample();
    let out = run(&tree, "table");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).expect("UTF-8 output");
    let found = controls(&table, false);
    assert!(
        found.is_empty(),
        "control characters reach the terminal: {found:?}"
    );
    // The hostile text is there, defanged: the data was not just dropped.
    for seen in [
        "svc<script>",      // package name, in the header
        "[2J",              // what is left of an escape sequence
        "/items<img src=x", // a spec path, in the evidence
        "onerror=",         // a file name, in a diagnostic
    ] {
        assert!(table.contains(seen), "`{seen}` not shown:\n{table}");
    }
    // A newline in a file name cannot start a line of its own, and bidi
    // controls cannot reorder what follows them.
    assert!(table.contains("FORGED LINE"), "{table}");
    assert!(
        !table.lines().any(|l| l.trim_start().starts_with("FORGED")),
        "a file name forged a line of its own:\n{table}"
    );
    for bidi in ['\u{202e}', '\u{2066}'] {
        assert!(
            !table.contains(bidi),
            "bidi control {bidi:?} reached the terminal"
        );
    }
}

#[test]
fn the_json_report_is_valid_and_carries_the_text_exactly() {
    let (_dir, tree) = sample();
    let out = run(&tree, "json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    // JSON escapes C0 controls; C1 (U+0080–U+009F) may stay raw, validly.
    assert!(
        controls(&text, false)
            .iter()
            .all(|(_, c)| *c as u32 >= 0x7f),
        "raw C0 control characters in JSON"
    );
    let r: Value = serde_json::from_str(&text).expect("valid JSON");
    let routes: Vec<&str> = r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    for exact in [
        "/healthz<script>document.body.setAttribute('data-pwned','y'+'es')</script>",
        "/\u{1b}[31mred\u{1b}[0m/\u{9b}31m/\u{202e}gpj.exe/items",
        "/md|pipe*star*_under_`tick`/[x](javascript:alert(1))",
    ] {
        assert!(routes.contains(&exact), "{exact:?} not in {routes:#?}");
    }
    let (analyzed, _) = files(&r);
    for name in HOSTILE_NAMES {
        assert!(analyzed.iter().any(|a| a == name), "{name:?} not analysed");
        assert!(diagnostics(&r).iter().any(|(p, _, _)| p == name));
    }
}

#[test]
fn html_report_runs_no_injected_script() {
    let (dir, tree) = sample();
    let Some((_, out)) = run_if_available(&tree, &["html"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = String::from_utf8(out.stdout).unwrap();
    for raw in ["<script>document.body", "<img src=x onerror"] {
        assert!(!html.contains(raw), "raw `{raw}` in the HTML report");
    }
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    if let Some(dom) = rendered_dom(&page) {
        assert!(
            !dom.contains(RAN),
            "an injected script ran in the HTML report"
        );
    }
}

#[test]
fn sarif_report_is_valid_json_with_relative_uris() {
    let (_dir, tree) = sample();
    let Some((_, out)) = run_if_available(&tree, &["sarif"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        controls(&text, false)
            .iter()
            .all(|(_, c)| *c as u32 >= 0x7f),
        "raw C0 control characters in SARIF"
    );
    let sarif: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let mut uris = Vec::new();
    collect_key(&sarif, "uri", &mut uris);
    for u in uris {
        assert!(
            !u.starts_with('/') && !u.contains("/tmp/"),
            "absolute uri {u}"
        );
    }
}

#[test]
fn junit_report_is_well_formed_xml() {
    let (_dir, tree) = sample();
    let Some((_, out)) = run_if_available(&tree, &["junit"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = String::from_utf8(out.stdout).unwrap();
    // XML 1.0 forbids these characters even as references.
    assert!(
        controls(&xml, true).iter().all(|(_, c)| *c == '\r'),
        "control characters in XML"
    );
    for bad in ["&#27;", "&#x1b;", "&#x1B;", "&#155;", "&#x9b;", "&#7;"] {
        assert!(!xml.contains(bad), "{bad} is not allowed in XML 1.0");
    }
    for raw in ["<script>", "<img src=x", "]]></failure>"] {
        assert!(!xml.contains(raw), "raw `{raw}` in the JUnit report");
    }
}

#[test]
fn markdown_report_has_no_live_html_or_escapes() {
    let (_dir, tree) = sample();
    let Some((_, out)) = run_if_available(&tree, &["markdown", "md"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        controls(&md, true).is_empty(),
        "control characters in Markdown"
    );
    for line in md.lines() {
        let outside_code = strip_code_spans(line);
        for raw in ["<script", "<img", "](javascript:"] {
            assert!(
                !outside_code.contains(raw),
                "live `{raw}` outside code in: {line}"
            );
        }
    }
}

/// The HTML check can fail: a page that does run an injected script is caught.
#[test]
fn the_html_checker_catches_a_page_that_runs_injected_script() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("unsafe.html");
    std::fs::write(
        &page,
        "<!doctype html><html><body><p>report</p>\
         <script>document.body.setAttribute('data-pwned','y'+'es')</script></body></html>",
    )
    .unwrap();
    if let Some(dom) = rendered_dom(&page) {
        assert!(
            dom.contains(RAN),
            "the checker missed a script that ran: {dom}"
        );
    }
}

/// The DOM of `page` after Chromium loaded it (scripts run), or `None` with a
/// note when there is no Chromium here.
fn rendered_dom(page: &Path) -> Option<String> {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| which(n))
    else {
        eprintln!("note: no Chromium here; the HTML report is not loaded in a browser");
        return None;
    };
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=2000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        dom.contains("<body"),
        "Chromium gave no DOM: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(dom)
}

fn strip_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

fn collect_key(v: &Value, key: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k == key => out.push(s.clone()),
                    _ => collect_key(x, key, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_key(x, key, out)),
        _ => {}
    }
}
