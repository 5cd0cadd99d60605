//! The terminal table: one block per section, one row per item, with the
//! deciding evidence, then the overall score.

use super::terminal_safe;
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
            for e in item.evidence.iter().take(EVIDENCE_SHOWN) {
                finding.push_str(&format!(
                    "\n  {} {}",
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
            let mut status = Cell::new(item.status.as_str().to_uppercase());
            if color {
                status = status.fg(match item.status {
                    Status::Pass => Color::Green,
                    Status::Partial => Color::Yellow,
                    Status::Fail => Color::Red,
                    Status::NotApplicable | Status::Manual => Color::DarkGrey,
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
    out.push_str(&format!(
        "Score {score} · {} pass · {} partial · {} fail · {} n/a · {} manual · {} files analysed, {} skipped, {} diagnostics\n",
        c.pass,
        c.partial,
        c.fail,
        c.not_applicable,
        c.manual,
        report.summary.files_analyzed,
        report.summary.files_skipped,
        report.summary.diagnostics,
    ));
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
