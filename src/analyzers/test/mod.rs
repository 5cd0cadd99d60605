//! Analyzers for the Testing section (`test.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod coverage;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[("coverage", coverage::decide)];
