//! Analyzers for the Configuration section (`cfg.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod db_url;
pub mod secrets;
pub mod third_party_creds;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("db_url", db_url::decide),
    ("secrets_management", secrets::decide),
    ("third_party_creds", third_party_creds::decide),
];
