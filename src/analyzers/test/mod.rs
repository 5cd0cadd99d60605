//! Analyzers for the Testing section (`test.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod auth_flows;
pub mod ci;
pub mod contract;
pub mod coverage;
pub mod db_tests;
pub mod integration;
pub mod load;
pub mod security_scan;
pub mod unit;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("coverage", coverage::decide),
    ("test_unit", unit::decide),
    ("test_integration", integration::decide),
    ("test_db", db_tests::decide),
    ("test_auth_flows", auth_flows::decide),
    ("test_load", load::decide),
    ("test_security_scan", security_scan::decide),
    ("test_contract", contract::decide),
    ("test_ci", ci::decide),
];
