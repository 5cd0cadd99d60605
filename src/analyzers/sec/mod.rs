//! Analyzers for the Security section (`sec.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).
//! [`common`] answers the questions several of them ask (which routes are
//! guarded, which types are auth guards, what migrations create); [`secrets`]
//! is the secret detector the cfg.* credential rules share.

pub mod api_keys;
pub mod audit_log;
pub mod authn;
pub mod common;
pub mod encryption;
pub mod endpoint_rate_limit;
pub mod guards;
pub mod input_validation;
pub mod owasp;
pub mod password_hashing;
pub mod rbac;
pub mod secrets;
pub mod sql_injection;
pub mod token_management;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("api_keys", api_keys::decide),
    ("audit_log", audit_log::decide),
    ("authn", authn::decide),
    ("encryption", encryption::decide),
    ("endpoint_rate_limit", endpoint_rate_limit::decide),
    ("input_validation", input_validation::decide),
    ("owasp", owasp::decide),
    ("password_hashing", password_hashing::decide),
    ("rbac", rbac::decide),
    ("secrets", secrets::decide),
    ("sql_injection", sql_injection::decide),
    ("token_management", token_management::decide),
];
