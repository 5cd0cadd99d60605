//! `sec.secrets`: no private keys, tokens or passwords committed in code or
//! production config.
//!
//! [`detect`] decides whether one value looks like a secret (known formats,
//! keyword + entropy, placeholders allowed); [`scan`] walks the tree's Rust
//! literals, key constructors, config files and Dockerfiles with it. Findings
//! in tests, fixtures, examples and sample files (`.env.example`) are reported
//! apart and never decide the item.
//!
//! fail: a known-format secret, a key literal or a credentialled connection
//! string in service code or config · partial: only keyword-bound values with
//! high entropy (likely secrets, review them) · pass: nothing found.

pub mod detect;
pub mod scan;

use crate::facts::Facts;
use crate::rules::{Evidence, Outcome, RuleDef};
use scan::Finding;

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let (found, apart) = scan::counted(facts);
    let looked = "private keys, cloud/service tokens, signed JWTs, credentialled connection strings, key literals handed to signing/HMAC constructors, and secret-named values with high entropy in Rust code, config files, .env files and Dockerfile ENV/ARG";
    let note = apart_note(&apart);
    if found.is_empty() {
        let rust = facts.service_rust().count();
        let config = facts
            .texts
            .iter()
            .filter(|t| t.role.is_service() && scan::is_scanned_kind(t.kind))
            .count();
        return Outcome::pass(format!(
            "no secrets found in {rust} Rust file(s) and {config} config/container file(s) of service code"
        ))
        .at(
            facts.anchor(),
            format!("scanned {rust} Rust file(s) and {config} config/container file(s): no private keys, tokens or credentials"),
        )
        .with(note);
    }
    let high: Vec<&Finding> = found.iter().filter(|f| f.is_high()).collect();
    let evidence: Vec<Evidence> = found
        .iter()
        .map(|f| Evidence::new(f.location.clone(), f.describe()))
        .collect();
    let o = if let Some(first) = high.first() {
        Outcome::fail(format!(
            "{} secret(s) committed in service code or config; first: {} at {}",
            found.len(),
            first.detection.label,
            first.location
        ))
    } else {
        Outcome::partial(format!(
            "{} secret-looking value(s) bound to secret names in service code or config; review them",
            found.len()
        ))
    };
    o.with(evidence).with(note).looked_for(looked)
}

/// One line saying what was found in tests, examples and sample files.
pub fn apart_note(apart: &[Finding]) -> Vec<Evidence> {
    match apart.first() {
        Some(first) => vec![Evidence::new(
            first.location.clone(),
            format!(
                "note: {} secret-like value(s) in tests, fixtures, examples or sample files were not counted (first: {})",
                apart.len(),
                first.detection.label
            ),
        )],
        None => Vec::new(),
    }
}
