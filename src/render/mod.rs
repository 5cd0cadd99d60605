//! Output formats, each one function from the same [`Report`].
//!
//! Every number in every format comes from the report value, so the table, the
//! HTML page, SARIF, JUnit and Markdown always agree. Text from the audited
//! repository is escaped for each format: control characters for the terminal
//! ([`terminal_safe`]), HTML by askama, XML by quick-junit, Markdown and
//! workflow-command escaping in their modules.

pub mod codequality;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::report::Report;
use crate::rules::Catalog;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// A table for the terminal, grouped by section.
    Table,
    /// The versioned JSON report (the dashboard feed; docs/report.schema.json).
    Json,
    /// One self-contained HTML page with scores, a chart and every item.
    Html,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: one test case per item, grouped by section.
    Junit,
    /// A Markdown summary for pull-request comments and $GITHUB_STEP_SUMMARY.
    #[value(alias = "md")]
    Markdown,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
    /// GitLab Code Quality JSON (merge-request widget).
    Codequality,
}

impl Format {
    /// The file name used for this format in `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "seaworthy.txt",
            Format::Json => "seaworthy.json",
            Format::Html => "seaworthy.html",
            Format::Sarif => "seaworthy.sarif",
            Format::Junit => "seaworthy-junit.xml",
            Format::Markdown => "seaworthy.md",
            Format::Github => "seaworthy-annotations.txt",
            Format::Codequality => "seaworthy-codequality.json",
        }
    }
}

/// What rendering needs besides the report.
pub struct Context<'a> {
    /// The rules, for help texts (SARIF).
    pub catalog: &'a Catalog,
    /// Colour the table.
    pub color: bool,
}

/// Render `report` in `format`.
pub fn render(report: &Report, format: Format, ctx: &Context<'_>) -> String {
    match format {
        Format::Table => table::render(report, ctx.color),
        Format::Json => json::render(report),
        Format::Html => html::render(report),
        Format::Sarif => sarif::render(report, ctx.catalog),
        Format::Junit => junit::render(report),
        Format::Markdown => markdown::render(report),
        Format::Github => github::render(report),
        Format::Codequality => codequality::render(report),
    }
}

/// Make one field of text from the audited repository safe to print: control
/// characters (ANSI escapes included) and Unicode bidi controls become U+FFFD,
/// and line breaks and tabs become spaces. A hostile file name or literal then
/// can neither drive the terminal, nor forge a line of its own (a fake
/// "PASS" row), nor reorder what is shown (a right-to-left override).
pub fn terminal_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || is_bidi_control(c) => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Unicode's explicit directional formatting characters (embeddings,
/// overrides, isolates and marks), which reorder the text shown after them.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// A path as seen from where seaworthy ran: the audited root's path (when it
/// was given relative) joined with the root-relative `path`. SARIF and GitHub
/// annotations need paths relative to the repository's checkout, which is the
/// working directory in CI.
pub fn repo_path(report: &Report, path: &str) -> String {
    let root = report
        .target
        .path
        .trim_start_matches("./")
        .trim_end_matches('/');
    if root.is_empty() || root == "." || root.starts_with('/') || root.contains(':') {
        path.to_string()
    } else {
        format!("{root}/{path}")
    }
}

/// The status word shown for an item: its status, or `waived`/`attested`.
pub fn status_word(item: &crate::report::Item) -> &'static str {
    if item.waived() {
        "waived"
    } else if item.attestation.is_some() {
        "attested"
    } else {
        item.status.as_str()
    }
}

/// One line per finding: `path:line message`, with its waiver when it has one.
pub fn evidence_lines(item: &crate::report::Item) -> Vec<String> {
    item.evidence
        .iter()
        .map(|f| match &f.suppressed {
            Some(w) => format!(
                "{} {} [waived ({}): {}]",
                f.location, f.message, w.source, w.reason
            ),
            None => format!("{} {}", f.location, f.message),
        })
        .collect()
}

/// The "… and N more" entry that caps an item's evidence: a count, not a
/// place, so it is not a finding to annotate (SARIF, annotations, Code Quality).
pub fn is_overflow(f: &crate::report::Finding) -> bool {
    f.message.starts_with("… and ") && f.message.ends_with(" more")
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn one_field_stays_one_line_and_keeps_its_order() {
        assert_eq!(
            terminal_safe("a\nb\r\tc\u{1b}[2J\u{202e}d"),
            "a b  c\u{fffd}[2J\u{fffd}d"
        );
    }
}
