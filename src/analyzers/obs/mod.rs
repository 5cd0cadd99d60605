//! Analyzers for the Observability section (`obs.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod correlation_id;
pub mod health;
pub mod logging;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("health", health::decide),
    ("structured_logging", logging::decide),
    ("correlation_id", correlation_id::decide),
];
