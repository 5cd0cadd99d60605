//! The fleet summary: one value the dashboard, the JSON summary and the
//! metrics exposition are all rendered from, so they show the same numbers.
//!
//! Its JSON form is published as `docs/fleet.schema.json`
//! (`schema_version` [`SCHEMA_VERSION`], `kind` [`super::KIND`]). It is
//! deterministic: the same reports give the same bytes, whatever order the
//! files were read in and however many threads read them.

use super::read::Counts;
use crate::score::Level;
use serde::Serialize;

/// Version of the fleet summary's shape. Bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    pub schema_version: &'static str,
    pub kind: &'static str,
    pub tool: Tool,
    pub inputs: Inputs,
    /// Every checklist section seen, in catalog order.
    pub sections: Vec<SectionInfo>,
    /// Every checklist item seen (restatements left out), in catalog order,
    /// with how the services' latest reports stand on it.
    pub items: Vec<FleetItem>,
    /// Ranked by the latest score, best first; services without a score last.
    pub services: Vec<Service>,
    /// Services that got worse since their previous report, worst first.
    pub regressions: Vec<Regression>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// What was read, and every file that was not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inputs {
    /// Candidate files read (`*.json` in directories, and every file named).
    pub files: usize,
    /// Reports summarised.
    pub reports: usize,
    pub services: usize,
    pub corrupt: Vec<Problem>,
    pub refused: Vec<Refused>,
    pub ignored: Vec<Ignored>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub path: String,
    pub schema_version: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionInfo {
    pub id: String,
    pub title: String,
    /// The fragment id of the section in the dashboard's items table.
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetItem {
    pub id: String,
    pub title: String,
    pub section: String,
    pub anchor: String,
    /// How many services' latest reports have the item in each status.
    pub statuses: StatusCounts,
    /// Services where the item counts (pass, partial or fail, or attested).
    pub scored: usize,
    /// Services where it counts and scores 1.
    pub passing: usize,
    /// `passing / scored`, 0–1 (4 decimals); `null` when it counts nowhere.
    pub share_passing: Option<f64>,
}

/// Services per status word; `absent` when a service's report lacks the item
/// (an older or newer rule catalog, or the rule disabled).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StatusCounts {
    pub pass: usize,
    pub partial: usize,
    pub fail: usize,
    #[serde(rename = "n/a")]
    pub not_applicable: usize,
    pub manual: usize,
    pub waived: usize,
    pub attested: usize,
    /// A status this seaworthy does not know (from a newer 1.x report).
    pub other: usize,
    pub absent: usize,
}

impl StatusCounts {
    pub fn add(&mut self, word: Option<&str>) {
        let slot = match word {
            None => &mut self.absent,
            Some("pass") => &mut self.pass,
            Some("partial") => &mut self.partial,
            Some("fail") => &mut self.fail,
            Some("n/a") => &mut self.not_applicable,
            Some("manual") => &mut self.manual,
            Some("waived") => &mut self.waived,
            Some("attested") => &mut self.attested,
            Some(_) => &mut self.other,
        };
        *slot += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// `target.name` of its reports.
    pub name: String,
    /// 1 for the best latest score.
    pub rank: usize,
    /// The fragment id of the service in the dashboard (`#svc-…`).
    pub anchor: String,
    pub runs: usize,
    /// How the runs are ordered: `time` (every report has a timestamp) or
    /// `input` (reports without one come first, in the order read: command
    /// line order, then natural path order within each directory).
    pub order: &'static str,
    pub latest: Latest,
    /// The latest report's score per section, one entry per fleet section
    /// (same order as `sections`), `null` where not scored or absent.
    pub sections: Vec<SectionScore>,
    /// Every run, oldest first.
    pub history: Vec<Run>,
    /// Against the previous run; `null` for a service with one run.
    pub change: Option<Change>,
    /// The latest report's items (restatements left out), in catalog order.
    pub items: Vec<ServiceItem>,
    /// Why the latest report's details could not be read again, when that happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details_error: Option<String>,
}

/// One report of a service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// The report file, as found.
    pub file: String,
    /// RFC 3339 UTC, when the report recorded one.
    pub timestamp: Option<String>,
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub score: Option<f64>,
    pub grade: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latest {
    #[serde(flatten)]
    pub run: Run,
    /// The bronze/silver/gold level reached, when the report says.
    pub level: Option<Level>,
    pub counts: Counts,
    pub profile: Option<String>,
    pub tool_version: Option<String>,
    pub catalog_version: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionScore {
    pub id: String,
    pub score: Option<f64>,
    pub grade: Option<&'static str>,
}

/// What changed since the previous run.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub previous: Run,
    /// Latest minus previous, one decimal; `null` unless both were scored.
    pub score_delta: Option<f64>,
    /// Items that now fall further short (pass → partial/fail, partial → fail),
    /// or that are new and fall short.
    pub worse: Vec<ItemChange>,
    pub better: Vec<ItemChange>,
    /// Findings of items still falling short that the previous report did not
    /// have (matched by fingerprint).
    pub new_findings: Vec<NewFinding>,
    /// Findings the previous report had that are gone, on items still falling short.
    pub fixed_findings: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemChange {
    pub item: String,
    /// The previous status word, `null` for an item the previous report lacked.
    pub from: Option<&'static str>,
    pub to: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewFinding {
    pub item: String,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub message: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceItem {
    pub id: String,
    /// The fragment id of this item of this service in the dashboard.
    pub anchor: String,
    /// pass, partial, fail, n/a, manual, waived, attested (or other).
    pub status: &'static str,
    pub score: Option<f64>,
    pub summary: String,
    /// The unsuppressed findings of an item that falls short (fail or partial).
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Regression {
    pub service: String,
    pub anchor: String,
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
    pub score_delta: Option<f64>,
    /// Items that got worse (see `Change.worse`).
    pub worse: usize,
    pub new_findings: usize,
}

impl Change {
    /// The score dropped, an item got worse, or a new finding appeared.
    pub fn regressed(&self) -> bool {
        self.score_delta.is_some_and(|d| d < 0.0)
            || (self.previous.score.is_some() && self.score_delta.is_none())
            || !self.worse.is_empty()
            || !self.new_findings.is_empty()
    }
}
