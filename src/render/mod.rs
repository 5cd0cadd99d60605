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

use crate::location::Location;
use crate::report::{Finding, Item, Report};
use crate::rules::{Catalog, Evidence, EvidenceKind, Status};
use std::borrow::Cow;

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
pub fn status_word(item: &Item) -> &'static str {
    if item.waived() {
        "waived"
    } else if item.attestation.is_some() {
        "attested"
    } else {
        item.status.as_str()
    }
}

/// An item's findings in the order to show them: for an item that fails or
/// is partial, its problems first, then what was found; otherwise as decided.
pub fn shown_evidence(item: &Item) -> Vec<&Finding> {
    let mut shown: Vec<&Finding> = item.evidence.iter().collect();
    if shows_polarity(item) {
        shown.sort_by_key(|f| f.kind);
    }
    shown
}

/// Whether an item's findings are shown as problems and found things: only
/// when it fails or is partial (every finding of a pass is found).
fn shows_polarity(item: &Item) -> bool {
    matches!(item.status, Status::Fail | Status::Partial)
}

/// The marker before a finding of an item that falls short: `✗` for a
/// problem, `✓` for what was found; none for other items.
pub fn marker(item: &Item, f: &Finding) -> &'static str {
    match (shows_polarity(item), f.kind) {
        (false, _) => "",
        (true, EvidenceKind::Problem) => "✗ ",
        (true, EvidenceKind::Found) => "✓ ",
    }
}

/// One line per finding, in [`shown_evidence`] order: `✗ path:line message`,
/// with its waiver when it has one.
pub fn evidence_lines(item: &Item) -> Vec<String> {
    shown_evidence(item)
        .into_iter()
        .map(|f| evidence_line(item, f))
        .collect()
}

/// One finding as a line of text (see [`evidence_lines`]).
pub fn evidence_line(item: &Item, f: &Finding) -> String {
    let m = marker(item, f);
    match &f.suppressed {
        Some(w) => format!(
            "{m}{} {} [waived ({}): {}]",
            f.location, f.message, w.source, w.reason
        ),
        None => format!("{m}{} {}", f.location, f.message),
    }
}

/// One result of an item in code scanning (SARIF, GitHub annotations, Code
/// Quality).
pub struct Annotation<'a> {
    pub finding: Cow<'a, Finding>,
    /// The item as a whole: it has no problem evidence to point at.
    pub whole_item: bool,
}

impl Annotation<'_> {
    /// What the result says: the finding and the item's summary, or the
    /// summary alone for a whole-item result.
    pub fn text(&self, item: &Item) -> String {
        if self.whole_item {
            item.summary.clone()
        } else {
            format!("{} — {}", self.finding.message, item.summary)
        }
    }
}

/// The results code scanning shows for an item that fails or is partial: one
/// per problem finding, so the lines that are right are not flagged. An item
/// with no problem finding (only what was found, or nothing) gets one result
/// at its first finding's place with its summary, so no failing item goes
/// missing from code scanning. The "… and N more" cap entry is never one.
pub fn annotations(item: &Item) -> Vec<Annotation<'_>> {
    let real = || item.evidence.iter().filter(|f| !is_overflow(f));
    let problems: Vec<Annotation<'_>> = real()
        .filter(|f| f.is_problem())
        .map(|f| Annotation {
            finding: Cow::Borrowed(f),
            whole_item: false,
        })
        .collect();
    if !problems.is_empty() {
        return problems;
    }
    let location = real()
        .next()
        .map_or_else(|| Location::file("."), |f| f.location.clone());
    let finding = Finding {
        // Occurrence 0: never that of a finding of the item itself.
        fingerprint: crate::report::fingerprint(&item.id, &location.path, "", 0),
        evidence: Evidence::new(location, item.summary.clone()),
        suppressed: None,
    };
    vec![Annotation {
        finding: Cow::Owned(finding),
        whole_item: true,
    }]
}

/// The "… and N more" entry that caps an item's evidence: a count, not a
/// place, so it is not a finding to annotate (SARIF, annotations, Code Quality).
pub fn is_overflow(f: &Finding) -> bool {
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
