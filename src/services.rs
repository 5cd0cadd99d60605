//! Per-service scores for a workspace with several services.
//!
//! Each package that serves HTTP or gRPC is scored on its own scope
//! ([`Facts::scoped_to`]): its code, the workspace libraries it uses, and the
//! repository-level files. The whole-repository report stays as it is; the
//! per-service results sit beside it, so a platform team sees that `billing`
//! lacks a health route even when `orders` has one.

use crate::facts::Facts;
use crate::report::{Counts, Finding, Report};
use crate::rules::{engine, Catalog, Status};
use crate::score::Standing;
use serde::Serialize;

/// Evidence entries kept per item of a service (the item in the whole report
/// has them all).
const EVIDENCE_KEPT: usize = 3;

/// One service's result.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceResult {
    /// The package's name.
    pub name: String,
    /// Its manifest, root-relative.
    pub manifest: String,
    pub frameworks: Vec<String>,
    /// Workspace packages whose code counts for it (itself first).
    pub scope: Vec<String>,
    pub score: Option<f64>,
    pub grade: Option<&'static str>,
    pub level: Standing,
    pub counts: Counts,
    pub sections: Vec<ServiceSection>,
    pub items: Vec<ServiceItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceSection {
    pub id: String,
    pub score: Option<f64>,
    pub grade: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceItem {
    pub id: String,
    pub status: Status,
    pub score: Option<f64>,
    pub summary: String,
    pub evidence: Vec<Finding>,
}

/// Score every service of `facts` (none unless there are at least two).
/// `finish` gives each service's report what the whole report got after the
/// rules: the profile and the config (waivers, attestations, suppressions).
pub fn score(
    facts: &Facts,
    catalog: &Catalog,
    display_path: &str,
    finish: impl Fn(&mut Report),
) -> Vec<ServiceResult> {
    facts
        .service_packages_to_score()
        .into_iter()
        .map(|i| {
            let scoped = facts.scoped_to(i);
            let outcomes = engine::evaluate(catalog, &scoped);
            let mut r = Report::build(display_path, &scoped, catalog, outcomes);
            finish(&mut r);
            let pkg = &facts.packages[i];
            ServiceResult {
                name: pkg.name.clone(),
                manifest: pkg.manifest.clone(),
                frameworks: pkg.frameworks.clone(),
                scope: scoped.packages.iter().map(|p| p.name.clone()).collect(),
                score: r.summary.score,
                grade: r.summary.grade,
                level: r.summary.level.clone(),
                counts: r.summary.counts.clone(),
                sections: r
                    .sections
                    .iter()
                    .map(|s| ServiceSection {
                        id: s.id.clone(),
                        score: s.score,
                        grade: s.grade,
                    })
                    .collect(),
                items: r
                    .items
                    .into_iter()
                    .map(|it| ServiceItem {
                        id: it.id,
                        status: it.status,
                        score: it.score,
                        summary: it.summary,
                        evidence: it.evidence.into_iter().take(EVIDENCE_KEPT).collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}
