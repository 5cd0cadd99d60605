//! `sec.input-validation`: request input is validated, and bodies are bounded.
//!
//! Two halves, both needed:
//! 1. **validation** — validator/garde/validify derives *and* a `.validate()` call
//!    or a validating extractor (`Valid<Json<T>>`, `ValidatedJson`, `Garde<..>`,
//!    actix-web-validator), nutype/TryFrom domain types, poem-openapi
//!    `#[oai(validator(..))]`, HTML sanitising (ammonia), or spec constraints on
//!    parameters (`maximum`);
//! 2. **size limits** — a body limit set in code: axum `DefaultBodyLimit::max`,
//!    tower-http `RequestBodyLimitLayer`, actix `PayloadConfig`/`JsonConfig::limit`/
//!    `FormConfig::limit`, warp `content_length_limit`, poem `SizeLimit`, salvo
//!    `max_size`, tonic `max_decoding_message_size`, rocket `limits` in
//!    `Rocket.toml`. Framework defaults exist (axum 2 MB, actix JSON 32 KiB) but
//!    are not a decision someone made; `DefaultBodyLimit::disable()` removes them.
//!
//! pass: both · partial: one · fail: neither (or body limits disabled with no
//! limit instead) · n/a: no server.

use super::common;
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Derives that declare validation rules.
const VALIDATE_DERIVES: &[&str] = &["Validate", "Validify", "Garde", "Nutype"];

/// Extractor/wrapper types that validate on extraction.
const VALIDATING_TYPES: &[&str] = &[
    "Valid",
    "Validated",
    "ValidatedJson",
    "ValidatedQuery",
    "ValidatedForm",
    "ValidatedPath",
    "Garde",
    "Validify",
    "WithValidation",
];

/// Paths that set a body size limit, with the crate that must be in the path
/// (empty when the name is specific enough on its own).
const LIMIT_PATHS: &[(&str, &str)] = &[
    ("DefaultBodyLimit::max", ""),
    ("RequestBodyLimitLayer", ""),
    ("RequestBodyLimit", "tower_http"),
    ("PayloadConfig", ""),
    ("SizeLimit", "poem"),
    ("SecureMaxSize", ""),
    ("content_length_limit", "warp"),
    ("ContentLengthLimit", ""),
];

const LIMIT_METHODS: &[&str] = &[
    "content_length_limit",
    "max_decoding_message_size",
    "max_encoding_message_size",
    "max_request_body_size",
    "max_body_size",
    "body_limit",
    "max_payload_size",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let validation = validation(facts);
    let (limits, disabled) = body_limits(facts);
    let looked = "validation of request input (validator/garde derives with .validate() or validating extractors, domain types, schema constraints) and an explicit body size limit (DefaultBodyLimit::max, RequestBodyLimitLayer, PayloadConfig/JsonConfig::limit, content_length_limit)";
    match (validation.is_empty(), limits.is_empty()) {
        (false, false) => Outcome::pass(format!(
            "input is validated ({}) and bodies are bounded ({})",
            validation[0].message, limits[0].message
        ))
        .with(validation.into_iter().take(6))
        .with(limits.into_iter().take(4)),
        (false, true) => Outcome::partial(format!(
            "input is validated ({}) but no body size limit is set{}",
            validation[0].message,
            if disabled.is_empty() {
                " (only the framework default, if any, applies)"
            } else {
                ", and the framework default is disabled"
            }
        ))
        .with_found(validation.into_iter().take(6))
        .with(disabled)
        .looked_for(looked),
        (true, false) => Outcome::partial(format!(
            "bodies are bounded ({}) but no input validation is visible",
            limits[0].message
        ))
        .with_found(limits)
        .looked_for(looked),
        (true, true) => Outcome::fail("no input validation and no body size limit")
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no validation or body limit on the routes built here",
            )
            .with(disabled)
            .looked_for(looked),
    }
}

/// Evidence that input is validated.
pub fn validation(facts: &Facts) -> Vec<Evidence> {
    let mut derived = Vec::new();
    let mut called = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            if let Some(d) = t
                .derives
                .iter()
                .find(|d| VALIDATE_DERIVES.contains(&common::last_seg(d)))
            {
                derived.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!("`{}` derives `{d}`", t.name),
                ));
            } else if t
                .attrs
                .iter()
                .any(|a| common::last_seg(&a.path) == "nutype")
            {
                derived.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!("`{}` is a validated nutype", t.name),
                ));
            } else if let Some(fld) = t.fields.iter().find(|x| {
                x.attrs
                    .iter()
                    .any(|a| common::last_seg(&a.path) == "oai" && a.args.contains("validator"))
            }) {
                derived.push(Evidence::new(
                    Location::new(f.path.clone(), fld.line),
                    format!("`{}.{}` has a poem-openapi validator", t.name, fld.name),
                ));
            }
        }
        for m in f.methods.iter().filter(|m| !m.test) {
            if matches!(m.name.as_str(), "validate" | "validate_args" | "validify") && m.args <= 1 {
                called.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` checks input", m.name),
                ));
            }
        }
        for func in f.fns.iter().filter(|x| !x.test) {
            if let Some(p) = func.params.iter().find(|p| {
                common::type_idents(&p.ty)
                    .iter()
                    .any(|i| VALIDATING_TYPES.contains(i))
            }) {
                called.push(Evidence::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{}` takes validated input `{}`", func.name, p.ty),
                ));
            }
        }
    }
    let mut out = Vec::new();
    if !called.is_empty() {
        out.extend(called.into_iter().take(4));
        out.extend(derived.into_iter().take(3));
    } else if !derived.is_empty() {
        // Rules declared but never run still count when a validating crate runs
        // them for the framework (actix-web-validator, axum-valid).
        let runner = facts.dep_hits(&[
            "actix-web-validator",
            "axum-valid",
            "axum-garde",
            "poem-openapi",
            "salvo-oapi",
        ]);
        if !runner.is_empty() {
            out.extend(derived.into_iter().take(3));
            out.extend(runner.into_iter().map(Evidence::from));
        }
    }
    for h in common::refs_by(facts, |p| p.starts_with("ammonia"))
        .into_iter()
        .take(2)
    {
        out.push(Evidence::new(
            h.location,
            format!("{} sanitises HTML", h.what),
        ));
    }
    for spec in &facts.specs {
        if let Some(op) = spec
            .operations
            .iter()
            .find(|o| o.params.iter().any(|p| p.maximum.is_some()))
        {
            out.push(Evidence::new(
                Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                format!("spec bounds parameters of {} {}", op.method, op.path),
            ));
        }
    }
    out
}

/// Body limits set in code or config, and limits disabled.
pub fn body_limits(facts: &Facts) -> (Vec<Evidence>, Vec<Evidence>) {
    let mut limits = Vec::new();
    let mut disabled = Vec::new();
    for h in common::refs_by(facts, |p| {
        LIMIT_PATHS
            .iter()
            .any(|(l, krate)| p.ends_with(l) && (krate.is_empty() || p.contains(krate)))
            || ((p.ends_with("JsonConfig") || p.ends_with("FormConfig")) && p.contains("actix"))
    }) {
        limits.push(Evidence::new(
            h.location,
            format!("{} limits request bodies", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        for m in f.methods.iter().filter(|m| !m.test) {
            let root_cfg = m.root.as_deref().is_some_and(|r| {
                r.ends_with("JsonConfig")
                    || r.ends_with("FormConfig")
                    || r.ends_with("PayloadConfig")
            });
            if LIMIT_METHODS.contains(&m.name.as_str()) || (m.name == "limit" && root_cfg) {
                limits.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` limits request bodies", m.name),
                ));
            }
        }
    }
    for h in common::refs_by(facts, |p| p.ends_with("DefaultBodyLimit::disable")) {
        disabled.push(Evidence::new(
            h.location,
            format!("{} removes the framework's body limit", h.what),
        ));
    }
    for t in facts
        .texts
        .iter()
        .filter(|t| t.path.ends_with("Rocket.toml"))
    {
        if let Some(line) = crate::location::find_line(&t.text, "limits") {
            limits.push(Evidence::new(
                Location::new(t.path.clone(), line),
                "Rocket.toml sets request limits",
            ));
        }
    }
    let limits = common::first_per_file(limits, 2);
    (limits, disabled)
}
