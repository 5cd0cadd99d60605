//! A Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`.
//!
//! Short by design: the score and level, a table of sections, then the items
//! that fall short with their first findings and the fix, the waived and
//! attested items, and the config notices. Text from the audited repository is
//! escaped so it cannot inject Markdown, HTML, or @-mentions into a comment.

use super::{evidence_lines, status_word};
use crate::report::{Item, Report};

/// Findings shown per item (the JSON and HTML reports have them all).
const SHOWN: usize = 3;

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = format!("## seaworthy: {}\n\n", esc(&report.target.name));
    let score = match (s.score, s.grade) {
        (Some(v), Some(g)) => format!("**{v:.1}/100 ({g})**"),
        _ => "**not scored**".into(),
    };
    let level = s.level.achieved.map_or("none yet", |l| l.as_str());
    out.push_str(&format!(
        "Score {score} · level **{level}** · profile {} · {} pass · {} partial · {} fail · {} n/a · {} manual · {} waived · {} attested\n\n",
        report.profile.as_str(),
        s.counts.pass,
        s.counts.partial,
        s.counts.fail,
        s.counts.not_applicable,
        s.counts.manual,
        s.counts.waived,
        s.counts.attested,
    ));
    if let Some(next) = s.level.next {
        if !s.level.blocking.is_empty() {
            out.push_str(&format!(
                "To reach **{}**: {}\n\n",
                next.as_str(),
                s.level
                    .blocking
                    .iter()
                    .map(|id| format!("`{}`", code(id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out.push_str("| section | score | pass | partial | fail | n/a | manual |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for sec in &report.sections {
        let c = &sec.counts;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            esc(&sec.title),
            match (sec.score, sec.grade) {
                (Some(v), Some(g)) => format!("{v:.1} ({g})"),
                _ => "–".into(),
            },
            c.pass,
            c.partial,
            c.fail,
            c.not_applicable,
            c.manual
        ));
    }
    let short: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| i.same_as.is_none() && i.falls_short())
        .collect();
    if !short.is_empty() {
        out.push_str(&format!("\n### Falling short ({})\n\n", short.len()));
        for i in short {
            out.push_str(&format!(
                "- **{}** `{}` ({}, {}): {}\n",
                status_word(i).to_uppercase(),
                code(&i.id),
                esc(&i.title),
                i.severity.as_str(),
                esc_code(&i.summary)
            ));
            let lines = evidence_lines(i);
            for l in lines.iter().take(SHOWN) {
                out.push_str(&format!("  - {}\n", esc_code(l)));
            }
            if lines.len() > SHOWN {
                out.push_str(&format!("  - … {} more\n", lines.len() - SHOWN));
            }
            // The remediation is the catalog's own Markdown, not repository text.
            out.push_str(&format!("  - fix: {}\n", first_line(&i.remediation)));
        }
    }
    let excepted: Vec<&Item> = report
        .items
        .iter()
        .filter(|i| i.same_as.is_none() && (i.waived() || i.attestation.is_some()))
        .collect();
    if !excepted.is_empty() {
        out.push_str("\n### Waived and attested\n\n");
        for i in excepted {
            let why = match (&i.waiver, &i.attestation) {
                (Some(w), _) if !w.expired => format!("waived ({}): {}", w.source, w.reason),
                (_, Some(a)) => format!("attested by {} on {}: {}", a.by, a.date, a.reason),
                _ => String::new(),
            };
            out.push_str(&format!("- `{}` {}\n", code(&i.id), esc(&why)));
        }
    }
    if !report.config.notices.is_empty() {
        out.push_str("\n### Config notices\n\n");
        for n in &report.config.notices {
            out.push_str(&format!(
                "- {} `{}` at {}: {}\n",
                n.kind,
                code(&n.rule),
                esc(&n.source),
                esc(&n.message)
            ));
        }
    }
    out.push_str(&format!(
        "\n<sub>seaworthy {} · catalog {}</sub>\n",
        esc(report.tool.version),
        esc(&report.tool.catalog_version)
    ));
    out
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Escape text for Markdown: no formatting, no HTML, no @-mentions, one line.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            // `(`, `!` and the like only matter next to `[`/`]`, which are escaped.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200b}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape text, keeping its `code spans` as code: inside a code span GitHub
/// renders everything literally (no HTML, no mentions), so only the text
/// between spans needs escaping. With an odd number of backticks, all is escaped.
pub fn esc_code(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return esc(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(k, p)| {
            if k % 2 == 1 && !p.is_empty() {
                format!("`{}`", code(p))
            } else {
                esc(p)
            }
        })
        .collect()
}

/// Text for inside a code span: no backticks or line breaks.
fn code(s: &str) -> String {
    s.chars()
        .map(|c| if c == '`' || c.is_control() { '\'' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_stay_code_and_the_rest_is_escaped() {
        assert_eq!(esc_code("uses `<b>` in *x*"), "uses `<b>` in \\*x\\*");
        assert_eq!(esc_code("odd ` tick <i>"), "odd \\` tick &lt;i&gt;");
    }

    #[test]
    fn escapes_markup_html_and_mentions() {
        assert_eq!(
            esc("<script>a|b</script> *x* @team\n[l](u)"),
            "&lt;script&gt;a\\|b&lt;/script&gt; \\*x\\* @\u{200b}team \\[l\\](u)"
        );
    }
}
