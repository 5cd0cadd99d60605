//! Output formats, each one function from the same [`Report`].

pub mod json;
pub mod table;

use crate::report::Report;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal, grouped by section.
    Table,
    /// The versioned JSON report (the dashboard feed).
    Json,
}

/// Render `report` in `format`. `color` only affects the table.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Table => table::render(report, color),
        Format::Json => json::render(report),
    }
}

/// Replace control characters (ANSI escapes included) in text from the audited
/// repository, so a hostile file name or literal cannot drive the terminal.
pub fn terminal_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}
