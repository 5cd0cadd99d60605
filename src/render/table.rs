//! The terminal table: one block per section, one row per item, with the
//! deciding evidence (for an item that falls short, problems first, marked
//! `✗`, and what was found marked `✓`), then the overall score.

use super::{marker, shown_evidence, status_word, terminal_safe};
use crate::report::{Item, Report};
use crate::rules::Status;
use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

/// Evidence lines shown per item in the table (the JSON report has them all).
const EVIDENCE_SHOWN: usize = 2;

pub fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "seaworthy {} — {} ({})\n",
        report.tool.version,
        terminal_safe(&report.target.name),
        terminal_safe(&report.target.path)
    ));
    for section in &report.sections {
        let items: Vec<&Item> = report
            .items
            .iter()
            .filter(|i| i.section == section.id)
            .collect();
        if items.is_empty() {
            continue;
        }
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if !color {
            // Not a terminal (or colours off): a fixed width keeps output stable.
            table.force_no_tty();
            table.set_width(terminal_width().unwrap_or(120));
        }
        let score = match (section.score, section.grade) {
            (Some(s), Some(g)) => format!("{s:.1} ({g})"),
            _ => "not scored".into(),
        };
        table.set_header(vec![
            Cell::new(format!("{} — {}", section.title, score)).add_attribute(Attribute::Bold),
            Cell::new("status"),
            Cell::new("finding"),
        ]);
        for item in items {
            let mut finding = terminal_safe(&item.summary);
            if let Some(why) = &item.scoring {
                finding.push_str(&format!("\n  [{}]", terminal_safe(why)));
            }
            if let Some(w) = item.waiver.as_ref().filter(|w| w.expired) {
                finding.push_str(&format!(
                    "\n  [waiver {} expired on {}]",
                    terminal_safe(&w.source),
                    w.expires.as_deref().unwrap_or("?")
                ));
            }
            for e in shown_evidence(item).into_iter().take(EVIDENCE_SHOWN) {
                finding.push_str(&format!(
                    "\n  {}{} {}",
                    marker(item, e),
                    terminal_safe(&e.location.to_string()),
                    terminal_safe(&e.message)
                ));
            }
            if item.evidence.len() > EVIDENCE_SHOWN {
                finding.push_str(&format!(
                    "\n  (+{} more in the JSON report)",
                    item.evidence.len() - EVIDENCE_SHOWN
                ));
            }
            let word = status_word(item);
            let mut status = Cell::new(word.to_uppercase());
            if color {
                status = status.fg(match (word, item.status) {
                    ("waived" | "attested", _) => Color::Magenta,
                    (_, Status::Pass) => Color::Green,
                    (_, Status::Partial) => Color::Yellow,
                    (_, Status::Fail) => Color::Red,
                    (_, Status::NotApplicable | Status::Manual) => Color::DarkGrey,
                });
            }
            table.add_row(vec![
                Cell::new(format!("{}\n{}", item.id, item.title)),
                status,
                Cell::new(finding),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    let c = &report.summary.counts;
    let score = match (report.summary.score, report.summary.grade) {
        (Some(s), Some(g)) => format!("{s:.1}/100 ({g})"),
        _ => "not scored".into(),
    };
    let exceptions = if c.waived + c.attested > 0 {
        format!(" · {} waived · {} attested", c.waived, c.attested)
    } else {
        String::new()
    };
    let level = &report.summary.level;
    let level_line = match (level.achieved, level.next) {
        (Some(a), None) => format!("Level {}\n", a.as_str()),
        (a, Some(n)) => format!(
            "Level {} · for {}: {}\n",
            a.map_or("none yet", |a| a.as_str()),
            n.as_str(),
            level.blocking.join(", ")
        ),
        (None, None) => String::new(),
    };
    out.push_str(&format!(
        "Score {score} · {} pass · {} partial · {} fail · {} n/a · {} manual{exceptions} · {} files analysed, {} skipped, {} diagnostics\n{level_line}",
        c.pass,
        c.partial,
        c.fail,
        c.not_applicable,
        c.manual,
        report.summary.files_analyzed,
        report.summary.files_skipped,
        report.summary.diagnostics,
    ));
    out.push_str(&services_block(report));
    for d in report.diagnostics.iter().take(5) {
        out.push_str(&format!(
            "  {:?}: {} {}\n",
            d.level,
            terminal_safe(&d.location.to_string()),
            terminal_safe(&d.message)
        ))
    }
    if report.diagnostics.len() > 5 {
        out.push_str(&format!(
            "  … {} more diagnostics in the JSON report\n",
            report.diagnostics.len() - 5
        ));
    }
    out
}

fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS").ok()?.parse().ok()
}

/// One line per service of a multi-service workspace: score, level, counts and
/// what fails there.
fn services_block(report: &Report) -> String {
    if report.services.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "Services ({}), each scored on its own code and the libraries it uses:\n",
        report.services.len()
    );
    for s in &report.services {
        let score = match (s.score, s.grade) {
            (Some(v), Some(g)) => format!("{v:.1} ({g})"),
            _ => "not scored".into(),
        };
        // Most severe first: the line is cut after eight.
        let mut failing: Vec<&str> = s
            .items
            .iter()
            .filter(|i| i.status == Status::Fail)
            .map(|i| i.id.as_str())
            .collect();
        failing.sort_by_key(|id| std::cmp::Reverse(report.item(id).map(|i| i.severity)));
        out.push_str(&format!(
            "  {:<24} {score:<10} {} pass · {} partial · {} fail{}\n",
            terminal_safe(&s.name),
            s.counts.pass,
            s.counts.partial,
            s.counts.fail,
            if failing.is_empty() {
                String::new()
            } else {
                format!(
                    " — failing: {}",
                    failing
                        .iter()
                        .take(8)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));
    }
    out
}
