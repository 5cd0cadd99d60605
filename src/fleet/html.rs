//! The fleet dashboard: one self-contained HTML page (askama template
//! `templates/fleet.html`), in the manner of the audit's HTML report.
//!
//! It makes no requests and runs no script; a Content-Security-Policy meta tag
//! (`default-src 'none'`) makes the browser refuse anything else. Charts are
//! inline SVG computed in [`super::chart`]; the one filter (all items, or only
//! those falling short) is a radio button and a CSS `:has()` rule. Every text
//! from the reports — service names, ids, titles, summaries, paths, commits —
//! goes through askama's HTML escaping; class names are fixed words, and
//! fragment ids are the summary's anchors, made of `[a-z0-9._-]` only.

use super::chart::{self, Plot};
use super::model::{Fleet, FleetItem, Service, ServiceItem};
use super::table::delta;
use askama::Template;
use std::collections::HashMap;

/// Findings listed under an item, and entries under a regression.
const SHOWN: usize = 8;
/// Ignored files listed (the JSON summary lists them all).
const IGNORED_SHOWN: usize = 200;

#[derive(Template)]
#[template(path = "fleet.html")]
struct Page<'a> {
    f: &'a Fleet,
    version: &'static str,
    median: String,
    levels: String,
    ranking: Vec<RankRow>,
    /// The heat map's columns: sections some service is scored in.
    sections: Vec<Head>,
    /// Sections no service is scored in, left out of the heat map.
    unscored_sections: String,
    regressions: Vec<RegressionView>,
    items: Vec<ItemRow>,
    unscored: Vec<ItemRow>,
    services: Vec<ServiceView>,
    ignored: &'a [super::model::Ignored],
    ignored_more: usize,
}

struct Head {
    id: String,
    title: String,
}

struct RankRow {
    rank: usize,
    name: String,
    anchor: String,
    score: String,
    grade: &'static str,
    class: &'static str,
    level: &'static str,
    delta: String,
    delta_class: &'static str,
    runs: usize,
    latest: String,
    spark: Plot,
    cells: Vec<Cell>,
}

struct Cell {
    score: String,
    class: &'static str,
    href: String,
    title: String,
}

struct Link {
    text: String,
    href: String,
    note: String,
}

struct RegressionView {
    name: String,
    anchor: String,
    before: String,
    after: String,
    delta: String,
    delta_class: &'static str,
    worse: Vec<Link>,
    findings: Vec<Link>,
    more: usize,
}

struct ItemRow {
    id: String,
    title: String,
    section: String,
    anchor: String,
    share: String,
    bar: u32,
    class: &'static str,
    counts: String,
    short: Vec<Link>,
    more: usize,
}

struct ServiceView {
    name: String,
    anchor: String,
    score: String,
    grade: &'static str,
    class: &'static str,
    level: &'static str,
    meta: String,
    order: &'static str,
    chart: Plot,
    runs: Vec<RunRow>,
    earlier: usize,
    change: Option<ChangeView>,
    groups: Vec<Group>,
    error: String,
}

struct RunRow {
    when: String,
    commit: String,
    branch: String,
    score: String,
    file: String,
}

struct ChangeView {
    previous: String,
    delta: String,
    delta_class: &'static str,
    worse: Vec<Link>,
    better: Vec<Link>,
    findings: Vec<Link>,
    more: usize,
    fixed: usize,
}

struct Group {
    title: String,
    anchor: String,
    score: String,
    items: Vec<ItemView>,
}

struct ItemView {
    id: String,
    title: String,
    anchor: String,
    status: &'static str,
    key: &'static str,
    short: bool,
    summary: String,
    findings: Vec<String>,
    more: usize,
}

fn fmt(s: Option<f64>) -> String {
    s.map_or("–".to_string(), |s| format!("{s:.1}"))
}

/// The colour class of a score: its grade, or `g-none`.
/// Lookups the views need, built once: fleet items by id, and each
/// service's items by id (in `f.services` order).
struct Index<'a> {
    item: HashMap<&'a str, &'a FleetItem>,
    section_title: HashMap<&'a str, &'a str>,
    service_items: Vec<HashMap<&'a str, &'a ServiceItem>>,
}

impl<'a> Index<'a> {
    fn new(f: &'a Fleet) -> Self {
        Index {
            item: f.items.iter().map(|i| (i.id.as_str(), i)).collect(),
            section_title: f
                .sections
                .iter()
                .map(|s| (s.id.as_str(), s.title.as_str()))
                .collect(),
            service_items: f
                .services
                .iter()
                .map(|s| s.items.iter().map(|i| (i.id.as_str(), i)).collect())
                .collect(),
        }
    }

    /// The section id of an item.
    fn section_of(&self, item: &str) -> Option<&'a str> {
        self.item.get(item).map(|i| i.section.as_str())
    }
}

fn grade_class(score: Option<f64>) -> &'static str {
    match score.map(crate::score::grade) {
        Some("A") => "g-a",
        Some("B") => "g-b",
        Some("C") => "g-c",
        Some("D") => "g-d",
        Some(_) => "g-f",
        None => "g-none",
    }
}

/// The class of a status word.
fn status_key(word: &str) -> &'static str {
    match word {
        "pass" => "pass",
        "partial" => "partial",
        "fail" => "fail",
        "n/a" => "na",
        "manual" => "manual",
        "waived" => "waived",
        "attested" => "attested",
        _ => "other",
    }
}

fn delta_class(d: Option<f64>) -> &'static str {
    match d {
        Some(d) if d < 0.0 => "down",
        Some(d) if d > 0.0 => "up",
        _ => "flat",
    }
}

fn falls_short(i: &ServiceItem) -> bool {
    i.score.is_some_and(|s| s < 1.0)
}

fn finding_line(f: &super::model::Finding) -> String {
    match f.line {
        Some(l) => format!("{}:{l} {}", f.path, f.message),
        None => format!("{} {}", f.path, f.message),
    }
}

fn rank_row(s: &Service, f: &Fleet, ix: &Index<'_>, columns: &[bool]) -> RankRow {
    let r = &s.latest.run;
    // A cell links to the service's items of that section, when it has any.
    let href = |sec: &super::model::SectionInfo| {
        if s.items
            .iter()
            .any(|i| ix.section_of(&i.id) == Some(sec.id.as_str()))
        {
            format!("{}--{}", s.anchor, sec.anchor)
        } else {
            s.anchor.clone()
        }
    };
    let d = s.change.as_ref().and_then(|c| c.score_delta);
    RankRow {
        rank: s.rank,
        name: s.name.clone(),
        anchor: s.anchor.clone(),
        score: fmt(r.score),
        grade: r.grade.unwrap_or("–"),
        class: grade_class(r.score),
        level: s.latest.level.map_or("none", |l| l.as_str()),
        delta: delta(s),
        delta_class: delta_class(d),
        runs: s.runs,
        latest: chart::run_label(r, s.runs.saturating_sub(1)),
        spark: chart::sparkline(&s.history),
        cells: f
            .sections
            .iter()
            .zip(&s.sections)
            .zip(columns)
            .filter(|(_, shown)| **shown)
            .map(|((sec, sc), _)| Cell {
                score: sc.score.map_or("".into(), |v| format!("{v:.0}")),
                class: grade_class(sc.score),
                href: href(sec),
                title: format!("{} · {}: {}", s.name, sec.title, fmt(sc.score)),
            })
            .collect(),
    }
}

fn item_href(s: &Service, item: &str) -> String {
    s.items
        .iter()
        .find(|i| i.id == item)
        .map_or_else(|| s.anchor.clone(), |i| i.anchor.clone())
}

fn change_links(s: &Service, changes: &[super::model::ItemChange]) -> Vec<Link> {
    changes
        .iter()
        .map(|c| Link {
            text: c.item.clone(),
            href: item_href(s, &c.item),
            note: format!("{} → {}", c.from.unwrap_or("new"), c.to),
        })
        .collect()
}

fn finding_links(s: &Service, c: &super::model::Change) -> Vec<Link> {
    c.new_findings
        .iter()
        .take(SHOWN)
        .map(|n| Link {
            text: n.item.clone(),
            href: item_href(s, &n.item),
            note: finding_line(&n.finding),
        })
        .collect()
}

fn item_row(i: &FleetItem, f: &Fleet, ix: &Index<'_>) -> ItemRow {
    let st = &i.statuses;
    let mut counts = vec![format!("{} pass", st.pass)];
    for (n, w) in [
        (st.partial, "partial"),
        (st.fail, "fail"),
        (st.waived, "waived"),
        (st.attested, "attested"),
        (st.not_applicable, "n/a"),
        (st.manual, "manual"),
        (st.other, "other"),
        (st.absent, "absent"),
    ] {
        if n > 0 {
            counts.push(format!("{n} {w}"));
        }
    }
    let short: Vec<Link> = f
        .services
        .iter()
        .zip(&ix.service_items)
        .filter_map(|(s, items)| {
            let si = items.get(i.id.as_str()).filter(|x| falls_short(x))?;
            Some(Link {
                text: s.name.clone(),
                href: si.anchor.clone(),
                note: si.status.to_string(),
            })
        })
        .collect();
    ItemRow {
        id: i.id.clone(),
        title: i.title.clone(),
        section: ix
            .section_title
            .get(i.section.as_str())
            .map_or_else(|| i.section.clone(), |t| t.to_string()),
        anchor: i.anchor.clone(),
        share: i
            .share_passing
            .map_or("–".into(), |v| format!("{:.0} %", v * 100.0)),
        bar: i.share_passing.map_or(0, |v| (v * 120.0).round() as u32),
        class: grade_class(i.share_passing.map(|v| v * 100.0)),
        counts: counts.join(" · "),
        more: short.len().saturating_sub(SHOWN),
        short: short.into_iter().take(SHOWN).collect(),
    }
}

fn service_view(s: &Service, f: &Fleet, ix: &Index<'_>) -> ServiceView {
    let r = &s.latest.run;
    let mut meta = vec![format!("{} run(s)", s.runs)];
    if let Some(b) = &r.branch {
        meta.push(b.clone());
    }
    if let Some(c) = &r.commit {
        meta.push(c.chars().take(12).collect());
    }
    if let Some(t) = &r.timestamp {
        meta.push(t.clone());
    }
    if let Some(p) = &s.latest.profile {
        meta.push(format!("profile {p}"));
    }
    if let Some(v) = &s.latest.tool_version {
        meta.push(format!("seaworthy {v}"));
    }
    meta.push(r.file.clone());
    const RUNS_SHOWN: usize = 10;
    let runs: Vec<RunRow> = s
        .history
        .iter()
        .rev()
        .take(RUNS_SHOWN)
        .map(|h| RunRow {
            when: h.timestamp.clone().unwrap_or_default(),
            commit: h.commit.as_deref().unwrap_or("").chars().take(12).collect(),
            branch: h.branch.clone().unwrap_or_default(),
            score: fmt(h.score),
            file: h.file.clone(),
        })
        .collect();
    let change = s.change.as_ref().map(|c| ChangeView {
        previous: format!(
            "{} ({})",
            chart::run_label(&c.previous, s.runs.saturating_sub(2)),
            fmt(c.previous.score)
        ),
        delta: c.score_delta.map_or("–".into(), |d| format!("{d:+.1}")),
        delta_class: delta_class(c.score_delta),
        worse: change_links(s, &c.worse),
        better: change_links(s, &c.better),
        findings: finding_links(s, c),
        more: c.new_findings.len().saturating_sub(SHOWN),
        fixed: c.fixed_findings,
    });
    let groups = f
        .sections
        .iter()
        .zip(&s.sections)
        .filter_map(|(sec, sc)| {
            let items: Vec<ItemView> = s
                .items
                .iter()
                .filter(|i| ix.section_of(&i.id) == Some(sec.id.as_str()))
                .map(|i| ItemView {
                    id: i.id.clone(),
                    title: ix
                        .item
                        .get(i.id.as_str())
                        .map_or_else(String::new, |fi| fi.title.clone()),
                    anchor: i.anchor.clone(),
                    status: i.status,
                    key: status_key(i.status),
                    short: falls_short(i),
                    summary: i.summary.clone(),
                    findings: i.findings.iter().take(SHOWN).map(finding_line).collect(),
                    more: i.findings.len().saturating_sub(SHOWN),
                })
                .collect();
            (!items.is_empty()).then(|| Group {
                title: sec.title.clone(),
                anchor: format!("{}--{}", s.anchor, sec.anchor),
                score: fmt(sc.score),
                items,
            })
        })
        .collect();
    ServiceView {
        name: s.name.clone(),
        anchor: s.anchor.clone(),
        score: fmt(r.score),
        grade: r.grade.unwrap_or("–"),
        class: grade_class(r.score),
        level: s.latest.level.map_or("none", |l| l.as_str()),
        meta: meta.join(" · "),
        order: s.order,
        chart: chart::line(&s.history),
        earlier: s.runs.saturating_sub(RUNS_SHOWN),
        runs,
        change,
        groups,
        error: s.details_error.clone().unwrap_or_default(),
    }
}

pub fn render(f: &Fleet) -> String {
    let mut scores: Vec<f64> = f
        .services
        .iter()
        .filter_map(|s| s.latest.run.score)
        .collect();
    scores.sort_by(f64::total_cmp);
    let median = match scores.len() {
        0 => None,
        n if n % 2 == 1 => Some(scores[n / 2]),
        n => Some((scores[n / 2 - 1] + scores[n / 2]) / 2.0),
    };
    let mut levels = Vec::new();
    for l in crate::score::Level::ALL.iter().rev() {
        let n = f
            .services
            .iter()
            .filter(|s| s.latest.level == Some(*l))
            .count();
        levels.push(format!("{n} {}", l.as_str()));
    }
    let ix = Index::new(f);
    let by_service: HashMap<&str, &Service> =
        f.services.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut items: Vec<ItemRow> = Vec::new();
    let mut unscored: Vec<ItemRow> = Vec::new();
    let mut order: Vec<&FleetItem> = f.items.iter().collect();
    // Worst first: the fleet's gaps lead.
    order.sort_by(|a, b| {
        a.share_passing
            .unwrap_or(2.0)
            .total_cmp(&b.share_passing.unwrap_or(2.0))
    });
    for i in order {
        let row = item_row(i, f, &ix);
        if i.scored > 0 {
            items.push(row);
        } else {
            unscored.push(row);
        }
    }
    let regressions = f
        .regressions
        .iter()
        .filter_map(|r| {
            let s = by_service.get(r.service.as_str())?;
            let c = s.change.as_ref()?;
            Some(RegressionView {
                name: r.service.clone(),
                anchor: r.anchor.clone(),
                before: fmt(r.score_before),
                after: fmt(r.score_after),
                delta: r.score_delta.map_or("–".into(), |d| format!("{d:+.1}")),
                delta_class: delta_class(r.score_delta),
                worse: change_links(s, &c.worse),
                findings: finding_links(s, c),
                more: c.new_findings.len().saturating_sub(SHOWN),
            })
        })
        .collect();
    let columns: Vec<bool> = (0..f.sections.len())
        .map(|i| f.services.iter().any(|s| s.sections[i].score.is_some()))
        .collect();
    let page = Page {
        f,
        version: env!("CARGO_PKG_VERSION"),
        median: fmt(median),
        levels: levels.join(" · "),
        ranking: f
            .services
            .iter()
            .map(|s| rank_row(s, f, &ix, &columns))
            .collect(),
        sections: f
            .sections
            .iter()
            .zip(&columns)
            .filter(|(_, shown)| **shown)
            .map(|(s, _)| Head {
                id: s.id.clone(),
                title: s.title.clone(),
            })
            .collect(),
        unscored_sections: f
            .sections
            .iter()
            .zip(&columns)
            .filter(|(_, shown)| !**shown)
            .map(|(s, _)| s.title.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        regressions,
        items,
        unscored,
        services: f.services.iter().map(|s| service_view(s, f, &ix)).collect(),
        ignored: &f.inputs.ignored[..f.inputs.ignored.len().min(IGNORED_SHOWN)],
        ignored_more: f.inputs.ignored.len().saturating_sub(IGNORED_SHOWN),
    };
    page.render().expect("the fleet template renders")
}
