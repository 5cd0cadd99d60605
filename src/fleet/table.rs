//! The fleet in the terminal: services ranked by score, then the regressions.
//! Text from reports goes through [`terminal_safe`].

use super::model::{Fleet, Service};
use crate::render::terminal_safe;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};

/// Regressions listed in the terminal (the other formats have them all).
const REGRESSIONS_SHOWN: usize = 10;

fn score(s: Option<f64>) -> String {
    s.map_or("–".into(), |s| format!("{s:.1}"))
}

/// `+1.5`, `-20.0`, or empty without a previous scored run.
pub fn delta(s: &Service) -> String {
    s.change
        .as_ref()
        .and_then(|c| c.score_delta)
        .map_or(String::new(), |d| format!("{d:+.1}"))
}

pub fn render(fleet: &Fleet) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .force_no_tty()
        .set_width(120)
        .set_header([
            "#",
            "service",
            "score",
            "grade",
            "level",
            "Δ prev",
            "runs",
            "latest run",
        ]);
    for s in &fleet.services {
        let r = &s.latest.run;
        let when = [
            r.timestamp.clone(),
            r.commit.as_deref().map(|c| c.chars().take(12).collect()),
            r.branch.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        table.add_row(vec![
            Cell::new(s.rank).set_alignment(CellAlignment::Right),
            Cell::new(terminal_safe(&s.name)),
            Cell::new(score(r.score)).set_alignment(CellAlignment::Right),
            Cell::new(r.grade.unwrap_or("–")),
            Cell::new(s.latest.level.map_or("–", |l| l.as_str())),
            Cell::new(delta(s)).set_alignment(CellAlignment::Right),
            Cell::new(s.runs).set_alignment(CellAlignment::Right),
            Cell::new(terminal_safe(&when)),
        ]);
    }
    let mut out = format!(
        "seaworthy fleet — {} services, {} reports\n{table}\n",
        fleet.services.len(),
        fleet.inputs.reports
    );
    if !fleet.regressions.is_empty() {
        out.push_str("Regressions since the previous report:\n");
        for r in fleet.regressions.iter().take(REGRESSIONS_SHOWN) {
            out.push_str(&format!(
                "  {}: score {} → {}, {} item(s) worse, {} new finding(s)\n",
                terminal_safe(&r.service),
                score(r.score_before),
                score(r.score_after),
                r.worse,
                r.new_findings
            ));
        }
        if fleet.regressions.len() > REGRESSIONS_SHOWN {
            out.push_str(&format!(
                "  … {} more in the JSON summary\n",
                fleet.regressions.len() - REGRESSIONS_SHOWN
            ));
        }
    }
    out
}
