//! Analyzers for the Observability section (`obs.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod business_metrics;
pub mod correlation_id;
pub mod error_rate;
pub mod health;
pub mod logging;
pub mod metric_facts;
pub mod metrics;
pub mod otel;
pub mod perf_metrics;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("health", health::decide),
    ("structured_logging", logging::decide),
    ("correlation_id", correlation_id::decide),
    ("metrics", metrics::decide),
    ("otel_tracing", otel::decide),
    ("perf_metrics", perf_metrics::decide),
    ("error_rate", error_rate::decide),
    ("business_metrics", business_metrics::decide),
];
