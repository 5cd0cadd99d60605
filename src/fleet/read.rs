//! Reading one JSON file as a seaworthy report: only the fields the fleet
//! view needs, everything else skipped by the parser.
//!
//! A report is untrusted input: it may be truncated, hand-edited, from an
//! older or newer seaworthy, or not a report at all. Each file ends as exactly
//! one [`Read`]: a report, ignored (valid JSON that is no audit report — a
//! fleet summary, a Code Quality file, a `package.json`), corrupt (not JSON, or
//! a 1.x report missing what every 1.x report has), or refused (another major
//! `schema_version`, with what to do about it).
//!
//! The file is parsed once into the typed view below; `routes`, `files`,
//! `diagnostics` and (in the first pass) every item's evidence are skipped
//! without being built. Only when that parse fails is it parsed again for
//! `schema_version` and `tool` alone, to tell a refused or unrelated file from
//! a corrupt one. Within 1.x fields are only ever added, so everything a later
//! 1.x added is optional here.

use crate::score::Level;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use std::path::Path;

/// The major `schema_version` this seaworthy reads.
pub fn supported_major() -> &'static str {
    crate::report::SCHEMA_VERSION
        .split('.')
        .next()
        .unwrap_or("1")
}

/// Files larger than this are not read (the report of a 600k-line service is under 1 MB).
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// How much of each item is read: [`Lite`] skips summaries and evidence (the
/// first pass, over every report), [`Full`] keeps them (the latest reports).
pub trait Detail {
    type Evidence: DeserializeOwned + std::fmt::Debug;
    type Text: DeserializeOwned + std::fmt::Debug;
}

#[derive(Debug)]
pub struct Lite;
impl Detail for Lite {
    type Evidence = IgnoredAny;
    type Text = IgnoredAny;
}

#[derive(Debug)]
pub struct Full;
impl Detail for Full {
    type Evidence = Vec<Finding>;
    type Text = String;
}

/// What one file turned out to be.
#[derive(Debug)]
pub enum Read<D: Detail> {
    Report(Box<Report<D>>),
    Ignored(String),
    Corrupt(String),
    Refused { version: String, message: String },
}

/// The fields of a report the fleet view uses.
#[derive(Debug, Deserialize)]
#[serde(bound = "")]
pub struct Report<D: Detail> {
    pub schema_version: Option<String>,
    /// Set on seaworthy's own fleet summaries, which are not audit reports.
    pub kind: Option<String>,
    pub tool: Option<Tool>,
    pub target: Option<Target>,
    pub timestamp: Option<String>,
    pub profile: Option<String>,
    pub summary: Option<Summary>,
    pub sections: Option<Vec<Section>>,
    pub items: Option<Vec<Item<D>>>,
}

#[derive(Debug, Deserialize)]
pub struct Tool {
    pub name: Option<String>,
    pub version: Option<String>,
    pub catalog_version: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Target {
    pub name: Option<String>,
    pub path: Option<String>,
    pub vcs: Option<Vcs>,
}

#[derive(Debug, Deserialize)]
pub struct Vcs {
    pub commit: Option<String>,
    pub branch: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Summary {
    pub score: Option<f64>,
    pub counts: Option<Counts>,
    pub level: Option<Standing>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Deserialize, serde::Serialize)]
pub struct Counts {
    #[serde(default)]
    pub pass: u64,
    #[serde(default)]
    pub partial: u64,
    #[serde(default)]
    pub fail: u64,
    #[serde(default, rename = "n/a")]
    pub not_applicable: u64,
    #[serde(default)]
    pub manual: u64,
    #[serde(default)]
    pub waived: u64,
    #[serde(default)]
    pub attested: u64,
}

#[derive(Debug, Deserialize)]
pub struct Standing {
    /// A string, not a [`Level`]: a level a later 1.x adds must not make
    /// the report unreadable.
    achieved: Option<String>,
}

impl Standing {
    /// The level reached, when it is one this seaworthy knows.
    pub fn achieved(&self) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| self.achieved.as_deref() == Some(l.as_str()))
    }
}

#[derive(Debug, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Option<String>,
    pub score: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(bound = "")]
pub struct Item<D: Detail> {
    pub id: String,
    pub title: Option<String>,
    pub section: Option<String>,
    pub status: String,
    pub score: Option<f64>,
    pub summary: Option<D::Text>,
    pub same_as: Option<String>,
    pub waiver: Option<Waiver>,
    pub attestation: Option<IgnoredAny>,
    pub evidence: Option<D::Evidence>,
}

#[derive(Debug, Deserialize)]
pub struct Waiver {
    #[serde(default)]
    pub expired: bool,
}

/// One finding of an item, as written in the report.
#[derive(Debug, Clone, Deserialize)]
pub struct Finding {
    pub path: String,
    pub line: Option<u64>,
    pub message: String,
    pub fingerprint: Option<String>,
    pub suppressed: Option<IgnoredAny>,
}

impl<D: Detail> Item<D> {
    /// The status word shown for the item: its status, or `waived`/`attested`.
    pub fn word(&self) -> &str {
        if self.waiver.as_ref().is_some_and(|w| !w.expired) {
            "waived"
        } else if self.attestation.is_some() {
            "attested"
        } else {
            &self.status
        }
    }
}

const FLEET_SUMMARY: &str = "a seaworthy fleet summary, not an audit report";

/// Just enough to classify a file the typed parse rejected.
#[derive(Deserialize)]
struct Head {
    schema_version: Option<serde_json::Value>,
    kind: Option<serde_json::Value>,
    tool: Option<serde_json::Value>,
}

/// Read and classify the file at `path`.
pub fn read<D: Detail>(path: &Path) -> Read<D> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_BYTES => {
            return Read::Ignored(format!("{} bytes: too large to be a report", m.len()))
        }
        Ok(_) => {}
        Err(e) => return Read::Corrupt(format!("cannot read: {e}")),
    }
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes),
        Err(e) => Read::Corrupt(format!("cannot read: {e}")),
    }
}

/// Classify the bytes of one file.
pub fn parse<D: Detail>(bytes: &[u8]) -> Read<D> {
    match serde_json::from_slice::<Report<D>>(bytes) {
        Ok(r) => check(r),
        Err(typed) => classify_failure(bytes, typed),
    }
}

fn is_seaworthy(tool: Option<&str>) -> bool {
    tool == Some("seaworthy")
}

/// A parsed report: its version and the fields every 1.x report has.
fn check<D: Detail>(r: Report<D>) -> Read<D> {
    if r.kind.as_deref() == Some(super::KIND) {
        return Read::Ignored(FLEET_SUMMARY.into());
    }
    let tool = r.tool.as_ref().and_then(|t| t.name.as_deref());
    let Some(version) = r.schema_version.as_deref() else {
        return if is_seaworthy(tool) {
            Read::Corrupt("a seaworthy report without `schema_version`".into())
        } else {
            Read::Ignored("not a seaworthy report (no `schema_version`)".into())
        };
    };
    if let Some(refused) = refuse(version) {
        return refused;
    }
    if !is_seaworthy(tool) {
        return Read::Ignored("not a seaworthy report (`tool.name` is not seaworthy)".into());
    }
    let missing = [
        (
            "target.name",
            r.target.as_ref().is_some_and(|t| t.name.is_some()),
        ),
        ("summary", r.summary.is_some()),
        ("sections", r.sections.is_some()),
        ("items", r.items.is_some()),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(f, _)| format!("`{f}`"))
    .collect::<Vec<_>>();
    if !missing.is_empty() {
        return Read::Corrupt(format!("a {version} report without {}", missing.join(", ")));
    }
    if let Some(bad) = out_of_range(&r) {
        return Read::Corrupt(bad);
    }
    Read::Report(Box::new(r))
}

/// A score outside 0–100 (or an item score other than 0, 0.5 and 1) is not what seaworthy writes.
fn out_of_range<D: Detail>(r: &Report<D>) -> Option<String> {
    let ok = |s: Option<f64>| s.is_none_or(|s| (0.0..=100.0).contains(&s));
    if let Some(s) = r
        .summary
        .as_ref()
        .and_then(|s| s.score)
        .filter(|s| !ok(Some(*s)))
    {
        return Some(format!("`summary.score` {s} is outside 0–100"));
    }
    for s in r.sections.iter().flatten() {
        if !ok(s.score) {
            return Some(format!("section `{}` has a score outside 0–100", s.id));
        }
    }
    for i in r.items.iter().flatten() {
        if i.score.is_some_and(|s| ![0.0, 0.5, 1.0].contains(&s)) {
            return Some(format!(
                "item `{}` has a score other than 0, 0.5 or 1",
                i.id
            ));
        }
    }
    None
}

/// `Some` when `version` is not a 1.x this seaworthy reads.
fn refuse<D: Detail>(version: &str) -> Option<Read<D>> {
    let major = supported_major();
    let (got, minor) = version.split_once('.').unwrap_or((version, ""));
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !numeric(got) || !numeric(minor) {
        return Some(Read::Corrupt(format!(
            "`schema_version` {version:?} is not a version number"
        )));
    }
    if got == major {
        return None;
    }
    let older = got.parse::<u64>().ok() < major.parse::<u64>().ok();
    let what = if older {
        format!(
            "re-run the audit with seaworthy {} to include it",
            env!("CARGO_PKG_VERSION")
        )
    } else {
        format!(
            "summarise it with the seaworthy that wrote it, or a newer one than {}",
            env!("CARGO_PKG_VERSION")
        )
    };
    Some(Read::Refused {
        version: version.to_string(),
        message: format!(
            "schema_version {version} is {} than the {major}.x this seaworthy reads; {what}",
            if older { "older" } else { "newer" }
        ),
    })
}

/// The typed parse failed: corrupt JSON, another version, or not a report.
fn classify_failure<D: Detail>(bytes: &[u8], typed: serde_json::Error) -> Read<D> {
    use serde_json::error::Category;
    if matches!(
        typed.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) {
        let what = if typed.classify() == Category::Eof {
            "truncated JSON"
        } else {
            "not valid JSON"
        };
        return Read::Corrupt(format!("{what}: {typed}"));
    }
    let head = match serde_json::from_slice::<Head>(bytes) {
        Ok(h) => h,
        // Valid JSON, but not an object: an array, a string, …
        Err(_) => return Read::Ignored("not a seaworthy report (not a JSON object)".into()),
    };
    if head.kind.as_ref().and_then(|k| k.as_str()) == Some(super::KIND) {
        return Read::Ignored(FLEET_SUMMARY.into());
    }
    let tool = head.tool.as_ref().and_then(|t| t["name"].as_str());
    match head.schema_version.as_ref().map(|v| v.as_str()) {
        Some(Some(v)) => match refuse::<D>(v) {
            Some(r) => r,
            None if is_seaworthy(tool) => {
                Read::Corrupt(format!("a {v} report that does not read: {typed}"))
            }
            None => Read::Ignored("not a seaworthy report (`tool.name` is not seaworthy)".into()),
        },
        Some(_) if is_seaworthy(tool) => Read::Corrupt("`schema_version` is not a string".into()),
        _ if is_seaworthy(tool) => {
            Read::Corrupt(format!("a seaworthy report that does not read: {typed}"))
        }
        _ => Read::Ignored("not a seaworthy report (no `schema_version`)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(text: &str) -> String {
        match parse::<Lite>(text.as_bytes()) {
            Read::Report(r) => format!("report {}", r.target.unwrap().name.unwrap()),
            Read::Ignored(why) => format!("ignored: {why}"),
            Read::Corrupt(why) => format!("corrupt: {why}"),
            Read::Refused { version, message } => format!("refused {version}: {message}"),
        }
    }

    const MINIMAL: &str = r#"{"schema_version":"1.0","tool":{"name":"seaworthy"},
        "target":{"name":"svc"},"summary":{"score":50},"sections":[],"items":[]}"#;

    #[test]
    fn a_minimal_1x_report_reads_and_extra_fields_are_skipped() {
        assert_eq!(classify(MINIMAL), "report svc");
        let newer = MINIMAL.replace("\"1.0\"", "\"1.7\"").replace(
            "\"items\":[]",
            "\"items\":[],\"future\":{\"x\":[1,2]},\"routes\":[{\"deep\":[[[]]]}]",
        );
        assert_eq!(classify(&newer), "report svc");
    }

    #[test]
    fn other_majors_are_refused_with_what_to_do() {
        let old = classify(&MINIMAL.replace("\"1.0\"", "\"0.9\""));
        assert!(
            old.starts_with("refused 0.9: schema_version 0.9 is older than the 1.x"),
            "{old}"
        );
        assert!(old.contains("re-run the audit"), "{old}");
        // A 2.x report whose items changed shape is refused, not called corrupt.
        let new = MINIMAL
            .replace("\"1.0\"", "\"2.0\"")
            .replace("\"items\":[]", "\"items\":{\"by_id\":{}}");
        let new = classify(&new);
        assert!(
            new.starts_with("refused 2.0: schema_version 2.0 is newer"),
            "{new}"
        );
    }

    #[test]
    fn corrupt_and_unrelated_files_are_told_apart() {
        let truncated = &MINIMAL[..MINIMAL.len() / 2];
        assert!(
            classify(truncated).starts_with("corrupt: truncated JSON"),
            "{}",
            classify(truncated)
        );
        assert!(classify("{\"a\":}").starts_with("corrupt: not valid JSON"));
        assert_eq!(
            classify("[1,2]"),
            "ignored: not a seaworthy report (not a JSON object)"
        );
        assert_eq!(
            classify(r#"{"name":"pkg","items":"not a list"}"#),
            "ignored: not a seaworthy report (no `schema_version`)"
        );
        for fleet in [
            r#"{"schema_version":"1.0","kind":"seaworthy-fleet","items":{}}"#,
            r#"{"schema_version":"1.0","kind":"seaworthy-fleet","tool":{"name":"seaworthy"},"items":[]}"#,
        ] {
            assert_eq!(
                classify(fleet),
                "ignored: a seaworthy fleet summary, not an audit report"
            );
        }
        let no_items = MINIMAL.replace(",\"items\":[]", "");
        assert_eq!(classify(&no_items), "corrupt: a 1.0 report without `items`");
        let bad_item = MINIMAL.replace("\"items\":[]", "\"items\":[{\"id\":3}]");
        assert!(classify(&bad_item).starts_with("corrupt: a 1.0 report that does not read"));
        let bad_score = MINIMAL.replace("\"score\":50", "\"score\":150");
        assert_eq!(
            classify(&bad_score),
            "corrupt: `summary.score` 150 is outside 0–100"
        );
        assert!(classify(&MINIMAL.replace("\"1.0\"", "\"one\""))
            .starts_with("corrupt: `schema_version` \"one\""));
    }
}
