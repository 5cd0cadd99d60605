//! The facts index: everything extracted from the tree, joined and queryable.
//!
//! Extractors produce per-file facts; [`Facts::build`] joins them — files to
//! packages, router fragments to full routes, handlers to their functions — so
//! rules and analyzers ask questions ("which list endpoints take a page size?",
//! "is a limiter layered on the router?") without re-reading anything.
//!
//! Queries default to *service code*: files whose role is `Service`, outside
//! `#[cfg(test)]`, in packages that are not tests or examples. A `println!` in a
//! test or a route in an example never decides a service item.

pub mod build;
pub mod generated_spec;
pub mod index;
pub mod manifests;
pub mod packages;
pub mod query;
pub mod routes;
pub mod scope;

pub use packages::Package;
pub use routes::{Route, RouterRoot};

use crate::classify::{FileKind, Role};
use crate::diagnostics::Diagnostic;
use crate::discover::Skipped;
use crate::extract::cargo::Manifest;
use crate::extract::ci::CiFile;
use crate::extract::coverage::CoverageReport;
use crate::extract::docker::Dockerfile;
use crate::extract::openapi::SpecDoc;
use crate::extract::rust::RustFile;
use crate::extract::sql::SqlSource;
use crate::extract::yaml::{DocKind, YNode};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A file that was read.
#[derive(Debug, Clone, Serialize)]
pub struct AnalyzedFile {
    pub path: String,
    pub kind: FileKind,
    pub role: Role,
}

/// The text of a non-Rust file, kept for text clauses and cross-file joins.
#[derive(Debug, Clone)]
pub struct TextFile {
    pub path: String,
    pub kind: FileKind,
    pub role: Role,
    pub text: String,
}

/// A YAML document set that is neither a spec nor CI (compose, Kubernetes, config).
#[derive(Debug, Clone)]
pub struct YamlFile {
    pub path: String,
    pub kind: DocKind,
    pub role: Role,
    pub docs: Vec<YNode>,
}

/// Everything known about the audited tree.
#[derive(Debug, Default)]
pub struct Facts {
    pub root: PathBuf,
    pub files: Vec<AnalyzedFile>,
    pub skipped: Vec<Skipped>,
    pub rust: Vec<RustFile>,
    pub manifests: Vec<Manifest>,
    pub packages: Vec<Package>,
    /// Resolved versions from Cargo.lock files: name → versions.
    pub lock: BTreeMap<String, Vec<String>>,
    pub dockerfiles: Vec<Dockerfile>,
    pub specs: Vec<SpecDoc>,
    pub ci: Vec<CiFile>,
    pub coverage: Vec<CoverageReport>,
    /// Schema statements: `.sql` files, SQL literals in Rust, sea-query
    /// migration builders (see [`crate::extract::sql`]).
    pub sql: Vec<SqlSource>,
    pub texts: Vec<TextFile>,
    pub yaml: Vec<YamlFile>,
    /// Compose services, Kubernetes pod workloads and Helm charts.
    pub workloads: Vec<manifests::Workload>,
    /// Every Kubernetes object, by kind.
    pub k8s_objects: Vec<manifests::ManifestObject>,
    pub routes: Vec<Route>,
    /// Top-level routers, the one serving most routes first.
    pub router_roots: Vec<RouterRoot>,
    /// Routes of routers built but never used (see [`routes::Joined::unmounted`]):
    /// not in `routes`, so no route-based item counts them.
    pub unmounted_routes: Vec<Route>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where dependency facts came from: `cargo-metadata` or `manifest`.
    pub cargo_source: String,
    /// Lookup tables for queries, built on first use ([`index`]).
    pub index: index::Index,
}
