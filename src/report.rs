//! The report: one value every output format is rendered from.
//!
//! Its JSON form is the dashboard feed, so it is versioned (`schema_version`),
//! deterministic (sorted, no timestamps), and carries the tool and rule-catalog
//! versions that produced it.

use crate::diagnostics::Diagnostic;
use crate::discover::Skipped;
use crate::facts::{AnalyzedFile, Facts};
use crate::rules::{Catalog, Evidence, Outcome, Severity, Status};
use crate::score::{self, Entry};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON report's shape. Bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub target: Target,
    pub summary: Summary,
    pub sections: Vec<SectionResult>,
    pub items: Vec<Item>,
    pub routes: Vec<RouteEntry>,
    pub diagnostics: Vec<Diagnostic>,
    pub files: Files,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    pub catalog_version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// The path as given on the command line.
    pub path: String,
    /// The root package's name, else the directory's name.
    pub name: String,
    /// Where dependency facts came from: `cargo-metadata` or `manifest`.
    pub cargo_source: String,
    pub packages: Vec<PackageEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackageEntry {
    pub name: String,
    pub manifest: String,
    /// Serves HTTP/gRPC.
    pub server: bool,
    pub frameworks: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub pass: usize,
    pub partial: usize,
    pub fail: usize,
    #[serde(rename = "n/a")]
    pub not_applicable: usize,
    pub manual: usize,
}

impl Counts {
    fn add(&mut self, s: Status) {
        match s {
            Status::Pass => self.pass += 1,
            Status::Partial => self.partial += 1,
            Status::Fail => self.fail += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Manual => self.manual += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// 0–100, `null` when no item could be scored.
    pub score: Option<f64>,
    pub grade: Option<&'static str>,
    pub counts: Counts,
    pub files_analyzed: usize,
    pub files_skipped: usize,
    pub diagnostics: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionResult {
    pub id: String,
    pub title: String,
    pub score: Option<f64>,
    pub grade: Option<&'static str>,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub section: String,
    pub severity: Severity,
    pub weight: f64,
    pub status: Status,
    /// 1, 0.5, 0, or `null` for n/a and manual.
    pub score: Option<f64>,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub looked_for: Option<String>,
    pub remediation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteEntry {
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    pub framework: String,
    pub location: crate::location::Location,
    pub mounted: bool,
    /// A fallback for everything under `path` (`.fallback(h)`, `default_service`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Files {
    pub analyzed: Vec<AnalyzedFile>,
    pub skipped: Vec<Skipped>,
}

impl Report {
    /// Build the report from the decided outcomes (in catalog order).
    pub fn build(
        target_path: &str,
        facts: &Facts,
        catalog: &Catalog,
        outcomes: Vec<Outcome>,
    ) -> Report {
        let items: Vec<Item> = catalog
            .rules
            .iter()
            .zip(outcomes)
            .map(|(rule, o)| Item {
                id: rule.id.clone(),
                title: rule.title.clone(),
                section: rule.section.clone(),
                severity: rule.severity,
                weight: rule.weight,
                status: o.status,
                score: o.status.score(),
                summary: o.summary,
                evidence: o.evidence,
                looked_for: if matches!(o.status, Status::Fail | Status::Partial) {
                    o.looked_for
                } else {
                    None
                },
                remediation: rule.remediation.trim().to_string(),
                same_as: rule.same_as.clone(),
            })
            .collect();
        let entries: Vec<Entry<'_>> = items
            .iter()
            .map(|i| Entry {
                section: &i.section,
                weight: i.weight,
                score: i.score,
                restatement: i.same_as.is_some(),
            })
            .collect();
        let overall = score::overall(&entries);
        let mut counts = Counts::default();
        let mut by_section: BTreeMap<&str, Counts> = BTreeMap::new();
        for i in &items {
            if i.same_as.is_none() {
                counts.add(i.status);
            }
            by_section.entry(&i.section).or_default().add(i.status);
        }
        let sections = catalog
            .sections
            .iter()
            .map(|s| {
                let sc = score::section(&entries, &s.id);
                SectionResult {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    score: sc,
                    grade: sc.map(score::grade),
                    counts: by_section.get(s.id.as_str()).cloned().unwrap_or_default(),
                }
            })
            .collect();
        let root_pkg = facts
            .packages
            .iter()
            .find(|p| p.dir.is_empty())
            .map(|p| p.name.clone());
        let dir_name = facts
            .root
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| target_path.to_string());
        let mut diagnostics = facts.diagnostics.clone();
        diagnostics.sort();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "seaworthy",
                version: env!("CARGO_PKG_VERSION"),
                catalog_version: catalog.version.clone(),
            },
            target: Target {
                path: target_path.to_string(),
                name: root_pkg.unwrap_or(dir_name),
                cargo_source: facts.cargo_source.clone(),
                packages: facts
                    .packages
                    .iter()
                    .filter(|p| p.is_service_code())
                    .map(|p| PackageEntry {
                        name: p.name.clone(),
                        manifest: p.manifest.clone(),
                        server: p.is_server(),
                        frameworks: p.frameworks.clone(),
                    })
                    .collect(),
            },
            summary: Summary {
                score: overall,
                grade: overall.map(score::grade),
                counts,
                files_analyzed: facts.files.len(),
                files_skipped: facts.skipped.len(),
                diagnostics: diagnostics.len(),
            },
            sections,
            items,
            routes: facts
                .routes
                .iter()
                .map(|r| RouteEntry {
                    method: r.method.clone(),
                    path: r.path.clone(),
                    handler: r.handler.clone(),
                    framework: r.framework.clone(),
                    location: r.location.clone(),
                    mounted: r.mounted,
                    fallback: r.fallback,
                })
                .collect(),
            diagnostics,
            files: Files {
                analyzed: facts.files.clone(),
                skipped: facts.skipped.clone(),
            },
        }
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}
