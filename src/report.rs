//! The report: one value every output format is rendered from.
//!
//! Its JSON form is the dashboard feed, so it is versioned (`schema_version`),
//! deterministic (sorted, no timestamps unless asked for), and carries the tool
//! and rule-catalog versions that produced it. Its shape is published as
//! `docs/report.schema.json`.
//!
//! Every finding (one piece of evidence of one item) carries a fingerprint made
//! of the rule id, the path and what was matched — never the line, which moves
//! on every edit — so dashboards and `--baseline` can follow it across runs.
//! The config's waivers, attestations and inline suppressions are applied to
//! this value ([`crate::config::apply`]); then [`Report::rescore`] recomputes
//! every number from the items, so all formats show the same scores.

use crate::diagnostics::Diagnostic;
use crate::discover::Skipped;
use crate::facts::{AnalyzedFile, Facts};
use crate::rules::catalog::Fnv;
use crate::rules::{Catalog, Evidence, Outcome, Severity, Status};
use crate::score::{self, Entry, Level, Profile, Standing};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Version of the JSON report's shape. Bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub target: Target,
    /// When the audit ran (RFC 3339, UTC); only with `--timestamp` or
    /// `SOURCE_DATE_EPOCH`, so the default output stays deterministic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Which items count (`minimal`, `standard`, `strict`).
    pub profile: Profile,
    pub summary: Summary,
    pub sections: Vec<SectionResult>,
    pub items: Vec<Item>,
    /// The config that was applied, and what in it matched nothing or expired.
    pub config: ConfigSummary,
    pub routes: Vec<RouteEntry>,
    pub diagnostics: Vec<Diagnostic>,
    pub files: Files,
    /// Per-service results, when the repository holds two or more services
    /// (see [`crate::services`]); absent otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<crate::services::ServiceResult>,
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
    /// The service's name: `--service NAME`, else the root package's name,
    /// else the directory's name.
    pub name: String,
    /// The commit and branch audited, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcs: Option<crate::provenance::Vcs>,
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
    /// Items whose failure is waived (by the config or an inline suppression).
    pub waived: usize,
    /// Manual items a person attested to in the config.
    pub attested: usize,
}

impl Counts {
    fn add_item(&mut self, i: &Item) {
        self.add(i.status);
        self.waived += usize::from(i.waived());
        self.attested += usize::from(i.attestation.is_some());
    }

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
    /// Where the service stands on the bronze / silver / gold ladder.
    pub level: Standing,
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
    /// The ladder level the item belongs to.
    pub level: Level,
    /// A rule new in this release, not scored yet.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
    /// The status as decided from the evidence (a waiver does not change it).
    pub status: Status,
    /// 1, 0.5, 0, or `null` when the item does not count (n/a, manual, waived,
    /// preview, outside the profile); an attested manual item scores 1.
    pub score: Option<f64>,
    /// Why the score is not what the status alone gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scoring: Option<String>,
    pub summary: String,
    pub evidence: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub looked_for: Option<String>,
    pub remediation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
    /// The waiver (config or inline) that covers this item's failure, or that
    /// did until it expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
    /// A person's word that a manual item is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationNote>,
}

/// One piece of evidence of an item, with its stable fingerprint.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    #[serde(flatten)]
    pub evidence: Evidence,
    /// 16 hex digits from the rule id, the path and the message (and the
    /// occurrence among identical ones) — never the line.
    pub fingerprint: String,
    /// The waiver or inline suppression covering this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<WaiverNote>,
}

impl std::ops::Deref for Finding {
    type Target = Evidence;
    fn deref(&self) -> &Evidence {
        &self.evidence
    }
}

/// Where a waiver came from and why it was granted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaiverNote {
    /// `config` (a `[[waiver]]` entry) or `inline` (a `seaworthy:allow` comment).
    pub kind: &'static str,
    pub reason: String,
    /// `file:line` of the waiver.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The expiry date has passed: the waiver no longer applies.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub expired: bool,
}

/// An attestation for a manual item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttestationNote {
    pub by: String,
    pub reason: String,
    pub date: String,
    pub source: String,
}

/// The config applied to this report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigSummary {
    /// The file the config came from (`seaworthy.toml`, `Cargo.toml`, or the
    /// `--config` path), `null` when there was none.
    pub source: Option<String>,
    /// Whether `seaworthy:allow` comments were honoured.
    pub inline_suppressions: bool,
    /// Preview rules are scored (strict profile or `preview = true`).
    pub preview_scored: bool,
    /// Rules the config turned off.
    pub disabled: Vec<String>,
    /// Waivers, suppressions and attestations that matched nothing (stale ones
    /// to clean up), and waivers that have expired.
    pub notices: Vec<ConfigNotice>,
}

/// A waiver, suppression or attestation that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConfigNotice {
    /// `unused-waiver`, `unused-suppression`, `unused-attestation` or `expired-waiver`.
    pub kind: &'static str,
    pub rule: String,
    /// `file:line` of the entry.
    pub source: String,
    pub message: String,
}

impl Item {
    /// Fails and counts: what `--fail-on` and SARIF error results look at.
    pub fn fails(&self) -> bool {
        self.score == Some(0.0)
    }

    /// Fail or partial, and counts (neither waived, nor preview, nor outside the profile).
    pub fn falls_short(&self) -> bool {
        self.score.is_some_and(|s| s < 1.0)
    }

    /// A waiver that is in force.
    pub fn waived(&self) -> bool {
        self.waiver.as_ref().is_some_and(|w| !w.expired)
    }
}

/// The fingerprint of a finding: rule id, path, what was matched, occurrence.
/// Counts in the message ("3 route(s) built here") are left out, so adding a
/// route does not turn an old finding into a "new" one.
pub fn fingerprint(rule: &str, path: &str, message: &str, occurrence: usize) -> String {
    let mut h = Fnv::default();
    for part in [
        rule,
        path,
        &stable_message(message),
        &occurrence.to_string(),
    ] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    format!("{:016x}", h.finish())
}

/// A message as fingerprinted: whitespace collapsed, and every number that
/// stands alone (a count, a port, a percentage — not the `1` of `/v1/`) read
/// as `#`.
pub fn stable_message(message: &str) -> String {
    let words: Vec<String> = message
        .split_whitespace()
        .map(|w| {
            let mut out = String::with_capacity(w.len());
            let mut prev: Option<char> = None;
            let mut chars = w.chars().peekable();
            while let Some(c) = chars.next() {
                let starts_alone = c.is_ascii_digit()
                    && !prev.is_some_and(|p| p.is_alphanumeric() || p == '/' || p == '.');
                if !starts_alone {
                    out.push(c);
                    prev = Some(c);
                    continue;
                }
                let mut run = String::from(c);
                while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    run.push(d);
                    chars.next();
                }
                let ends_alone = !chars
                    .peek()
                    .is_some_and(|n| n.is_alphanumeric() || *n == '/' || *n == '.' || *n == '_');
                out.push_str(if ends_alone { "#" } else { &run });
                prev = run.chars().last();
            }
            out
        })
        .collect();
    words.join(" ")
}

/// Findings with fingerprints; findings that read the same (path, message
/// without its counts) are told apart by their occurrence.
fn findings(rule: &str, evidence: Vec<Evidence>) -> Vec<Finding> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    evidence
        .into_iter()
        .map(|e| {
            let n = seen
                .entry((e.location.path.clone(), stable_message(&e.message)))
                .or_default();
            *n += 1;
            Finding {
                fingerprint: fingerprint(rule, &e.location.path, &e.message, *n),
                evidence: e,
                suppressed: None,
            }
        })
        .collect()
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
                level: rule.level.unwrap_or_else(|| Level::of(rule.severity)),
                preview: rule.preview,
                status: o.status,
                score: o.status.score(),
                scoring: None,
                summary: o.summary,
                evidence: findings(&rule.id, o.evidence),
                looked_for: if matches!(o.status, Status::Fail | Status::Partial) {
                    o.looked_for
                } else {
                    None
                },
                remediation: rule.remediation.trim().to_string(),
                same_as: rule.same_as.clone(),
                waiver: None,
                attestation: None,
            })
            .collect();
        let sections = catalog
            .sections
            .iter()
            .map(|s| SectionResult {
                id: s.id.clone(),
                title: s.title.clone(),
                score: None,
                grade: None,
                counts: Counts::default(),
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
        let mut report = Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "seaworthy",
                version: env!("CARGO_PKG_VERSION"),
                catalog_version: catalog.version.clone(),
            },
            target: Target {
                path: target_path.to_string(),
                name: root_pkg.unwrap_or(dir_name),
                vcs: None,
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
            timestamp: None,
            profile: Profile::Standard,
            summary: Summary {
                score: None,
                grade: None,
                counts: Counts::default(),
                files_analyzed: facts.files.len(),
                files_skipped: facts.skipped.len(),
                diagnostics: diagnostics.len(),
                level: score::standing([]),
            },
            sections,
            items,
            config: ConfigSummary {
                inline_suppressions: true,
                ..ConfigSummary::default()
            },
            routes: facts
                .routes
                .iter()
                .chain(&facts.unmounted_routes)
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
            services: Vec::new(),
        };
        report.rescore();
        report
    }

    /// Recompute every item's score from its status, waiver, attestation,
    /// preview flag and the profile, then the sections, the summary and the
    /// ladder from the items.
    pub fn rescore(&mut self) {
        let profile = self.profile;
        let preview_scored = self.config.preview_scored || profile == Profile::Strict;
        for i in &mut self.items {
            let (score, why) = item_score(i, profile, preview_scored);
            i.score = score;
            i.scoring = why;
        }
        let entries: Vec<Entry<'_>> = self
            .items
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
        for i in &self.items {
            let c = by_section.entry(&i.section).or_default();
            c.add_item(i);
            if i.same_as.is_none() {
                counts.add_item(i);
            }
        }
        for s in &mut self.sections {
            let sc = score::section(&entries, &s.id);
            s.score = sc;
            s.grade = sc.map(score::grade);
            s.counts = by_section.get(s.id.as_str()).cloned().unwrap_or_default();
        }
        self.summary.score = overall;
        self.summary.grade = overall.map(score::grade);
        self.summary.counts = counts;
        self.summary.level = score::standing(
            self.items
                .iter()
                .filter(|i| i.same_as.is_none())
                .map(|i| (i.id.as_str(), i.level, i.falls_short())),
        );
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// An item's score and, when it differs from what the status alone gives, why.
fn item_score(i: &Item, profile: Profile, preview_scored: bool) -> (Option<f64>, Option<String>) {
    if i.preview && !preview_scored {
        return (None, Some("preview rule: reported, not scored yet".into()));
    }
    if !profile.counts(i.level) {
        return (
            None,
            Some(format!(
                "{} item: not counted in the {} profile",
                i.level.as_str(),
                profile.as_str()
            )),
        );
    }
    if let Some(w) = i.waiver.as_ref().filter(|w| !w.expired) {
        return (None, Some(format!("waived ({}): {}", w.source, w.reason)));
    }
    if i.status == Status::Manual {
        if let Some(a) = &i.attestation {
            return (
                Some(1.0),
                Some(format!("attested by {} on {}: {}", a.by, a.date, a.reason)),
            );
        }
        if profile == Profile::Strict {
            return (
                Some(0.0),
                Some("strict profile: a manual item nobody attested counts as failed".into()),
            );
        }
    }
    (i.status.score(), None)
}

#[cfg(test)]
mod fingerprint_tests {
    use super::{fingerprint, stable_message};

    #[test]
    fn counts_are_not_part_of_the_fingerprint_but_paths_are() {
        assert_eq!(
            stable_message("3 route(s) built here,  no  spec (85 %)"),
            "# route(s) built here, no spec (# %)"
        );
        assert_eq!(
            stable_message("GET /v1/items:8080 uses md5 and sha1 in 2fa"),
            "GET /v1/items:# uses md5 and sha1 in 2fa"
        );
        assert_eq!(
            fingerprint("api.openapi", "src/main.rs", "3 route(s) built here", 1),
            fingerprint("api.openapi", "src/main.rs", "4 route(s) built here", 1)
        );
        assert_ne!(
            fingerprint("api.versioning", "src/main.rs", "GET /v1/a", 1),
            fingerprint("api.versioning", "src/main.rs", "GET /v2/a", 1)
        );
    }
}
