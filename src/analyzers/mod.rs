//! Named analyzers: rules whose decision YAML clauses cannot express.
//!
//! Each analyzer is a module with one `pub fn decide(facts, rule) -> Outcome`,
//! documented with what it checks and how, in its section's folder
//! (`analyzers/api/pagination.rs`). The YAML rule names it with
//! `analyzer: <name>`; each section's `NAMES` is the registry the catalog
//! validates against.

pub mod api;
pub mod cfg;
pub mod db;
pub mod docker;
pub mod mq;
pub mod obs;
pub mod perf;
pub mod ready;
pub mod scan;
pub mod sec;
pub mod svc;
pub mod tally;
pub mod test;

use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

/// An analyzer: decides a rule from the facts.
pub type Decide = fn(&Facts, &RuleDef) -> Outcome;

/// Every section's analyzers.
const SECTIONS: &[&[(&str, Decide)]] = &[
    api::ANALYZERS,
    db::ANALYZERS,
    sec::ANALYZERS,
    perf::ANALYZERS,
    test::ANALYZERS,
    svc::ANALYZERS,
    mq::ANALYZERS,
    obs::ANALYZERS,
    docker::ANALYZERS,
    cfg::ANALYZERS,
    ready::ANALYZERS,
];

fn all() -> impl Iterator<Item = &'static (&'static str, Decide)> {
    SECTIONS.iter().flat_map(|s| s.iter())
}

/// Every analyzer name a rule may use.
pub fn names() -> Vec<&'static str> {
    all().map(|(n, _)| *n).collect()
}

pub fn exists(name: &str) -> bool {
    all().any(|(n, _)| *n == name)
}

/// Run the analyzer `name`.
pub fn run(name: &str, facts: &Facts, rule: &RuleDef) -> Outcome {
    match all().find(|(n, _)| *n == name) {
        Some((_, decide)) => decide(facts, rule),
        None => Outcome::manual(format!("analyzer `{name}` is not available in this build")),
    }
}

/// `n/a` when nothing in the tree serves HTTP or gRPC.
pub fn unless_server(facts: &Facts) -> Option<Outcome> {
    if facts.server_packages().next().is_some() || facts.routes.iter().any(|r| r.mounted) {
        return None;
    }
    Some(Outcome::na(
        "no HTTP or gRPC server in this repository (no service crate depends on axum, actix-web, rocket, warp, poem, salvo, tonic, …)",
    ))
}

/// `n/a` when the tree has no service crate at all (only tests, examples, tooling).
pub fn unless_service(facts: &Facts) -> Option<Outcome> {
    facts
        .service_packages()
        .next()
        .is_none()
        .then(|| Outcome::na("no service crate in this repository"))
}

/// `fail` when one of `crates` is a dependency but nothing wires it:
/// "`svc` depends on `prometheus` — but {consequence}".
pub fn declared_unused(
    facts: &Facts,
    crates: &[&str],
    consequence: &str,
    looked: &str,
) -> Option<Outcome> {
    let hits = facts.dep_hits(crates);
    let first = hits.first()?.what.clone();
    Some(
        Outcome::fail(format!("{first} — but {consequence}"))
            .with_hits(hits)
            .looked_for(looked),
    )
}

/// The lower-cased file name of a root-relative path.
pub fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase()
}

/// Crates a service talks to that a readiness check should cover.
pub const DEPENDENCY_CRATES: &[&str] = &[
    "sqlx",
    "diesel",
    "diesel-async",
    "sea-orm",
    "tokio-postgres",
    "deadpool-postgres",
    "bb8-postgres",
    "mongodb",
    "redis",
    "deadpool-redis",
    "bb8-redis",
    "fred",
    "lapin",
    "rdkafka",
    "async-nats",
    "scylla",
    "elasticsearch",
    "rusqlite",
    "mysql_async",
    "tiberius",
    "surrealdb",
];
