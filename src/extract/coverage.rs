//! Coverage reports committed to the tree (lcov, Cobertura), read for their figure.
//!
//! lcov: the sum of `LH` (lines hit) over the sum of `LF` (lines found).
//! Cobertura: the `line-rate` of the root `<coverage>` element.

use crate::diagnostics::Diagnostic;
use crate::location::Location;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    pub path: String,
    /// `lcov` or `cobertura`.
    pub format: String,
    /// Line coverage, 0–100.
    pub line_percent: f64,
}

/// Read a coverage report.
pub fn extract(path: &str, text: &str) -> Result<CoverageReport, Diagnostic> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return cobertura(path, text);
    }
    let (mut found, mut hit) = (0u64, 0u64);
    let mut records = 0;
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("LF:") {
            found += v.trim().parse::<u64>().unwrap_or(0);
            records += 1;
        } else if let Some(v) = line.strip_prefix("LH:") {
            hit += v.trim().parse::<u64>().unwrap_or(0);
        }
    }
    if records == 0 || found == 0 {
        return Err(Diagnostic::warning(
            Location::file(path),
            "coverage",
            "coverage report has no LF/LH records; its figure is not used",
        ));
    }
    Ok(CoverageReport {
        path: path.to_string(),
        format: "lcov".into(),
        line_percent: round1(hit as f64 * 100.0 / found as f64),
    })
}

fn cobertura(path: &str, text: &str) -> Result<CoverageReport, Diagnostic> {
    let rate = text.find("<coverage").and_then(|start| {
        let tag_end = text[start..].find('>')? + start;
        let tag = &text[start..tag_end];
        let at = tag.find("line-rate=")? + "line-rate=".len();
        let quote = tag[at..].chars().next()?;
        let rest = &tag[at + 1..];
        let end = rest.find(quote)?;
        rest[..end].parse::<f64>().ok()
    });
    match rate {
        Some(r) if (0.0..=1.0).contains(&r) => Ok(CoverageReport {
            path: path.to_string(),
            format: "cobertura".into(),
            line_percent: round1(r * 100.0),
        }),
        _ => Err(Diagnostic::warning(
            Location::file(path),
            "coverage",
            "XML file has no <coverage line-rate=…>; it is not read as a coverage report",
        )),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcov_sums_lines() {
        let r = extract(
            "lcov.info",
            "SF:a.rs\nLF:10\nLH:9\nend_of_record\nSF:b.rs\nLF:10\nLH:8\nend_of_record\n",
        )
        .unwrap();
        assert_eq!(r.line_percent, 85.0);
    }

    #[test]
    fn cobertura_reads_line_rate() {
        let r = extract(
            "cobertura.xml",
            "<?xml version=\"1.0\"?>\n<coverage line-rate=\"0.723\" branch-rate=\"0\">",
        )
        .unwrap();
        assert_eq!(r.line_percent, 72.3);
    }

    #[test]
    fn empty_report_is_a_warning() {
        assert!(extract("lcov.info", "TN:\n").is_err());
    }
}
