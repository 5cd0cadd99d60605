//! Analyzers for the API design section (`api.*` rules), and
//! `ready.openapi-complete`, which reads the same spec↔code join.
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).
//! `spec_routes` (spec operations ↔ code routes, the API surface) and `code`
//! (what a handler's body does) are shared by them.

pub mod code;
pub mod cors;
pub mod error_format;
pub mod http_semantics;
pub mod naming;
pub mod openapi;
pub mod pagination;
pub mod rate_limiting;
pub mod spec_routes;
pub mod status_codes;
pub mod type_alias;
pub mod validation;
pub mod versioning;

use super::Decide;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("cors", cors::decide),
    ("error_format", error_format::decide),
    ("http_semantics", http_semantics::decide),
    ("naming", naming::decide),
    ("openapi", openapi::decide),
    ("openapi_complete", openapi::decide_complete),
    ("pagination", pagination::decide),
    ("rate_limiting", rate_limiting::decide),
    ("status_codes", status_codes::decide),
    ("validation", validation::decide),
    ("versioning", versioning::decide),
];
