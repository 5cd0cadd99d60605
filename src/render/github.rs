//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` per
//! problem finding of an item that falls short ([`super::annotations`]), so
//! the findings show on the pull request's diff. Printed automatically when `GITHUB_ACTIONS=true`.
//!
//! Escaping follows the runner's rules: in the message `%`, `\r` and `\n` are
//! percent-encoded; in properties (`file=`, `title=`) also `:` and `,`.

use super::repo_path;
use crate::report::Report;
use crate::rules::Severity;

/// Annotations GitHub shows per step are limited; the rest are counted.
const MAX: usize = 50;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut more = 0;
    for item in report
        .items
        .iter()
        .filter(|i| i.same_as.is_none() && i.falls_short())
    {
        let command = match item.severity {
            _ if item.status == crate::rules::Status::Partial => "warning",
            Severity::Critical | Severity::High | Severity::Medium => "error",
            Severity::Low | Severity::Info => "warning",
        };
        for a in super::annotations(item)
            .into_iter()
            .filter(|a| a.finding.suppressed.is_none())
        {
            let f = &a.finding;
            if n == MAX {
                more += 1;
                continue;
            }
            n += 1;
            let mut props = Vec::new();
            if !f.location.path.is_empty() && f.location.path != "." {
                props.push(format!(
                    "file={}",
                    property(&repo_path(report, &f.location.path))
                ));
                if let Some(l) = f.location.line {
                    props.push(format!("line={l}"));
                }
            }
            props.push(format!(
                "title={}",
                property(&format!("seaworthy {}: {}", item.id, item.title))
            ));
            out.push_str(&format!(
                "::{command} {}::{}\n",
                props.join(","),
                data(&format!(
                    "{}\nfix: {}",
                    a.text(item),
                    item.remediation.lines().next().unwrap_or("")
                ))
            ));
        }
    }
    if more > 0 {
        out.push_str(&format!(
            "::notice title=seaworthy::{more} more findings are in the full report\n"
        ));
    }
    out
}

/// Escape a workflow command's message.
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command's property value.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
