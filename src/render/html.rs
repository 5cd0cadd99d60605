//! The HTML report: one self-contained page (askama template
//! `templates/report.html`).
//!
//! It makes no requests and runs no script: styles are inline, the chart of
//! sections is inline SVG, and filtering by status and section is done with
//! radio buttons and CSS `:has()` rules. A Content-Security-Policy meta tag
//! (`default-src 'none'`) makes the browser refuse anything else. Every text
//! from the audited repository goes through askama's HTML escaping; class
//! names and CSS rules are built only from fixed words and indexes, never from
//! report text.

use super::{evidence_line, marker, shown_evidence, status_word};
use crate::report::{Item, Report};
use crate::rules::EvidenceKind;
use askama::Template;

/// Statuses a reader can filter by, with the key used in ids and classes.
const STATUSES: &[(&str, &str)] = &[
    ("fail", "fail"),
    ("partial", "partial"),
    ("pass", "pass"),
    ("n/a", "na"),
    ("manual", "manual"),
    ("waived", "waived"),
    ("attested", "attested"),
];

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    r: &'a Report,
    score: String,
    grade: String,
    level: String,
    next_level: String,
    blocking: String,
    vcs: String,
    statuses: Vec<Filter>,
    sections: Vec<SectionView>,
    chart_height: usize,
    css: String,
}

struct Filter {
    key: String,
    label: String,
    count: usize,
}

struct SectionView {
    index: usize,
    title: String,
    id: String,
    score: String,
    grade: String,
    /// Bar width in the chart, 0–300 px.
    bar: u32,
    /// The bar's y in the chart.
    y: usize,
    colour: &'static str,
    items: Vec<ItemView>,
}

struct ItemView {
    id: String,
    title: String,
    status: &'static str,
    key: &'static str,
    severity: &'static str,
    level: &'static str,
    score: String,
    summary: String,
    scoring: String,
    evidence: Vec<EvidenceView>,
    looked_for: String,
    remediation: String,
    same_as: String,
    preview: bool,
    expired: String,
}

/// One finding as shown: its line (with its `✗`/`✓` marker) and a class,
/// `ev-problem` or `ev-found` on an item that falls short.
struct EvidenceView {
    text: String,
    class: &'static str,
}

fn evidence_views(i: &Item) -> Vec<EvidenceView> {
    shown_evidence(i)
        .into_iter()
        .map(|f| EvidenceView {
            text: evidence_line(i, f),
            class: match (marker(i, f), f.kind) {
                ("", _) => "",
                (_, EvidenceKind::Problem) => "ev-problem",
                (_, EvidenceKind::Found) => "ev-found",
            },
        })
        .collect()
}

fn key_of(status: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("other", |(_, k)| k)
}

fn colour(score: Option<f64>) -> &'static str {
    match score {
        None => "#9aa0a6",
        Some(s) if s >= 90.0 => "#1e8e3e",
        Some(s) if s >= 70.0 => "#7cb342",
        Some(s) if s >= 50.0 => "#f9ab00",
        Some(_) => "#d93025",
    }
}

fn item_view(i: &Item) -> ItemView {
    let status = status_word(i);
    ItemView {
        id: i.id.clone(),
        title: i.title.clone(),
        status,
        key: key_of(status),
        severity: i.severity.as_str(),
        level: i.level.as_str(),
        score: i.score.map_or("–".into(), |s| format!("{s}")),
        summary: i.summary.clone(),
        scoring: i.scoring.clone().unwrap_or_default(),
        evidence: evidence_views(i),
        looked_for: i.looked_for.clone().unwrap_or_default(),
        remediation: i.remediation.clone(),
        same_as: i.same_as.clone().unwrap_or_default(),
        preview: i.preview,
        expired: i
            .waiver
            .as_ref()
            .filter(|w| w.expired)
            .map(|w| {
                format!(
                    "waiver {} expired on {}: it no longer applies",
                    w.source,
                    w.expires.clone().unwrap_or_default()
                )
            })
            .unwrap_or_default(),
    }
}

pub fn render(report: &Report) -> String {
    let fmt = |s: Option<f64>| s.map_or("–".to_string(), |s| format!("{s:.1}"));
    let sections: Vec<SectionView> = report
        .sections
        .iter()
        .enumerate()
        .map(|(index, s)| SectionView {
            index,
            title: s.title.clone(),
            id: s.id.clone(),
            score: fmt(s.score),
            grade: s.grade.unwrap_or("not scored").to_string(),
            bar: s.score.map_or(0, |v| (v * 3.0).round() as u32),
            y: index * 26,
            colour: colour(s.score),
            items: report
                .items
                .iter()
                .filter(|i| i.section == s.id)
                .map(item_view)
                .collect(),
        })
        .collect();
    let statuses = STATUSES
        .iter()
        .map(|(label, key)| Filter {
            key: key.to_string(),
            label: label.to_string(),
            count: sections
                .iter()
                .flat_map(|s| &s.items)
                .filter(|i| i.key == *key)
                .count(),
        })
        .collect();
    // Filtering rules: built from fixed keys and section indexes only.
    let mut css = String::new();
    for (_, key) in STATUSES {
        css.push_str(&format!(
            "body:has(#st-{key}:checked) .item:not(.st-{key}){{display:none}}\n"
        ));
    }
    for s in &sections {
        let n = s.index;
        css.push_str(&format!(
            "body:has(#sec-{n}:checked) .group:not(.sec-{n}){{display:none}}\n"
        ));
    }
    let level = &report.summary.level;
    let page = Page {
        r: report,
        score: fmt(report.summary.score),
        grade: report.summary.grade.unwrap_or("–").to_string(),
        level: level
            .achieved
            .map_or("none yet", |l| l.as_str())
            .to_string(),
        next_level: level
            .next
            .map(|l| l.as_str().to_string())
            .unwrap_or_default(),
        blocking: level.blocking.join(", "),
        vcs: report
            .target
            .vcs
            .as_ref()
            .map(|v| {
                let commit = v.commit.as_deref().map_or("", |c| &c[..c.len().min(12)]);
                match &v.branch {
                    Some(b) => format!("{b} @ {commit}"),
                    None => commit.to_string(),
                }
            })
            .unwrap_or_default(),
        chart_height: sections.len() * 26 + 4,
        sections,
        statuses,
        css,
    };
    page.render().expect("the HTML template renders")
}
