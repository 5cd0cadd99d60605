//! Named analyzers: rules whose decision YAML clauses cannot express.
//!
//! Each analyzer is a module with one `pub fn decide(facts, rule) -> Outcome`,
//! documented with what it checks and how. The YAML rule names it with
//! `analyzer: <name>`; [`NAMES`] is the registry the catalog validates against.

pub mod correlation_id;
pub mod coverage;
pub mod health;
pub mod logging;
pub mod pagination;
pub mod rate_limiting;

use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

/// Every analyzer name a rule may use.
pub const NAMES: &[&str] = &[
    "pagination",
    "rate_limiting",
    "health",
    "structured_logging",
    "correlation_id",
    "coverage",
];

pub fn exists(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Run the analyzer `name`.
pub fn run(name: &str, facts: &Facts, rule: &RuleDef) -> Outcome {
    match name {
        "pagination" => pagination::decide(facts, rule),
        "rate_limiting" => rate_limiting::decide(facts, rule),
        "health" => health::decide(facts, rule),
        "structured_logging" => logging::decide(facts, rule),
        "correlation_id" => correlation_id::decide(facts, rule),
        "coverage" => coverage::decide(facts, rule),
        other => Outcome::manual(format!("analyzer `{other}` is not available in this build")),
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
