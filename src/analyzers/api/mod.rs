//! Analyzers for the API design section (`api.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod pagination;
pub mod rate_limiting;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("pagination", pagination::decide),
    ("rate_limiting", rate_limiting::decide),
];
