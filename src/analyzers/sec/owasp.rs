//! `sec.owasp`: the OWASP basics every HTTP service owes its users.
//!
//! Four checks:
//! 1. **security headers** — HSTS, `X-Content-Type-Options`,
//!    `Content-Security-Policy`, `X-Frame-Options`, `Referrer-Policy` set by the
//!    service (tower-http `SetResponseHeaderLayer`, actix `DefaultHeaders`, a
//!    helmet crate, Rocket's `Shield`, which Rocket 0.5 attaches by default) or
//!    by a proxy config shipped with it (`add_header Strict-Transport-Security`);
//! 2. **body limits** — as in sec.input-validation;
//! 3. **no permissive CORS with credentials** — actix-cors `Cors::permissive()`
//!    and tower-http `CorsLayer::very_permissive()` echo any origin *and* allow
//!    cookies, as does `allow_credentials(true)` next to
//!    `AllowOrigin::mirror_request()`/`allow_any_origin()`/`AllowedOrigins::all()`:
//!    any website can then act as the logged-in user;
//! 4. **no panics on user input** — `.unwrap()`/`.expect()` in a handler on a
//!    value taken from the request (`id.parse::<u64>().unwrap()`,
//!    `serde_json::from_str(&body).unwrap()`): a malformed request kills the
//!    task and, without `catch_unwind`, answers with a dropped connection.
//!
//! fail: permissive CORS with credentials, or neither headers nor body limits ·
//! pass: headers and limits, no permissive CORS, no panics on input · partial:
//! the rest · n/a: no server.

use super::common;
use super::input_validation::body_limits;
use crate::analyzers::unless_server;
use crate::extract::rust::sql::REQUEST_TYPES;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const HEADER_NAMES: &[&str] = &[
    "strict-transport-security",
    "x-content-type-options",
    "content-security-policy",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
];

const HEADER_CONSTS: &[&str] = &[
    "STRICT_TRANSPORT_SECURITY",
    "X_CONTENT_TYPE_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "X_FRAME_OPTIONS",
    "REFERRER_POLICY",
];

const HELMET_CRATES: &[&str] = &[
    "axum-helmet",
    "tower-helmet",
    "helmet-core",
    "actix-web-helmet",
    "salvo-helmet",
    "poem-helmet",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let headers = security_headers(facts);
    let (limits, disabled) = body_limits(facts);
    let cors = credentialed_cors(facts);
    let panics = panics_on_input(facts);
    let looked = "security headers (HSTS, X-Content-Type-Options, CSP, X-Frame-Options), explicit body limits, no any-origin CORS with credentials, no unwrap/expect on request input in handlers";
    let mut gaps = Vec::new();
    if headers.is_empty() {
        gaps.push("no security headers");
    }
    if limits.is_empty() {
        gaps.push("no body limit");
    }
    if !panics.is_empty() {
        gaps.push("handlers panic on malformed input");
    }
    if !cors.is_empty() {
        return Outcome::fail(format!(
            "CORS lets any origin send credentialed requests: {}",
            cors[0].message
        ))
        .with(cors)
        .with_found(headers.into_iter().take(3))
        .with(panics)
        .looked_for(looked);
    }
    if headers.is_empty() && limits.is_empty() {
        return Outcome::fail(format!("OWASP basics missing: {}", gaps.join(", ")))
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no security-header or body-limit layer on the router built here",
            )
            .with(disabled)
            .with(panics)
            .looked_for(looked);
    }
    if gaps.is_empty() {
        return Outcome::pass("security headers set, bodies bounded, no credentialed any-origin CORS, no panics on request input")
            .with(headers.into_iter().take(4))
            .with(limits.into_iter().take(3));
    }
    Outcome::partial(format!("OWASP basics incomplete: {}", gaps.join(", ")))
        .with(panics)
        .with_found(headers.into_iter().take(4))
        .with_found(limits.into_iter().take(3))
        .with(disabled)
        .looked_for(looked)
}

/// Where security headers are set.
fn security_headers(facts: &Facts) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = facts
        .dep_hits(HELMET_CRATES)
        .into_iter()
        .map(|h| Evidence::new(h.location, format!("{} sets security headers", h.what)))
        .collect();
    for h in common::refs_by(facts, |p| {
        HEADER_CONSTS.contains(&common::last_seg(p)) || p.ends_with("shield::Shield")
    }) {
        out.push(Evidence::new(
            h.location,
            format!("{} is set on responses", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            let v = l.value.to_ascii_lowercase();
            if HEADER_NAMES.contains(&v.as_str()) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), l.line),
                    format!("`{}` header is set", l.value),
                ));
            }
        }
    }
    if facts.deps(&["rocket"]).iter().any(|_| {
        facts
            .lock
            .get("rocket")
            .and_then(|v| v.last())
            .is_some_and(|v| !v.starts_with("0.4") && !v.starts_with("0.3"))
    }) {
        if let Some(h) = facts.dep_hits(&["rocket"]).into_iter().next() {
            out.push(Evidence::new(
                h.location,
                "Rocket 0.5 attaches its Shield fairing by default (X-Content-Type-Options, X-Frame-Options, Permissions-Policy)",
            ));
        }
    }
    for t in facts.texts.iter().filter(|t| t.role.is_service()) {
        let lower = t.text.to_ascii_lowercase();
        if lower.contains("add_header strict-transport-security")
            || lower.contains("add_header x-content-type-options")
        {
            let line = crate::location::find_line(&lower, "add_header").unwrap_or(0);
            out.push(Evidence::new(
                Location::new(t.path.clone(), line),
                "the shipped proxy config sets security headers",
            ));
        }
    }
    common::first_per_file(out, 2)
}

/// CORS configurations that accept any origin with credentials.
fn credentialed_cors(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for h in common::refs_by(facts, |p| {
        (p.ends_with("Cors::permissive") && p.contains("actix"))
            || p.ends_with("CorsLayer::very_permissive")
    }) {
        out.push(Evidence::new(
            h.location,
            format!("{} echoes any origin and allows credentials", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        for cred in f.bool_settings.iter().filter(|b| {
            !b.test
                && b.value
                && matches!(
                    b.name.as_str(),
                    "allow_credentials" | "supports_credentials"
                )
        }) {
            let same_fn = |x: Option<u32>| x == cred.in_fn;
            let any_origin = f.methods.iter().any(|m| {
                same_fn(m.in_fn)
                    && matches!(
                        m.name.as_str(),
                        "allow_any_origin" | "mirror_request" | "send_wildcard"
                    )
            }) || f.refs.iter().any(|r| {
                same_fn(r.in_fn)
                    && (r.path.ends_with("AllowOrigin::mirror_request")
                        || r.path.ends_with("AllowOrigin::any")
                        || r.path.ends_with("AllowedOrigins::all")
                        || r.path.ends_with("cors::Any")
                        || r.path.ends_with("cors::any"))
            });
            if any_origin {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), cred.line),
                    format!("`{}(true)` next to an any-origin policy", cred.name),
                ));
            }
        }
    }
    out
}

/// `.unwrap()`/`.expect()` in handlers on request input.
fn panics_on_input(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (fi, ni) in common::handler_set(facts) {
        let f = &facts.rust[fi];
        let func = &f.fns[ni];
        if func.test {
            continue;
        }
        let inputs: Vec<&str> = func
            .params
            .iter()
            .filter(|p| {
                common::type_idents(&p.ty)
                    .iter()
                    .any(|i| REQUEST_TYPES.contains(i))
                    || (!func.route_attrs.is_empty() && (p.ty == "&str" || p.ty == "String"))
            })
            .filter_map(|p| p.name.as_deref())
            .collect();
        let in_fn = |m: &&crate::extract::rust::MethodCall| m.in_fn == Some(ni as u32) && !m.test;
        for m in f.methods.iter().filter(in_fn) {
            if !matches!(m.name.as_str(), "unwrap" | "expect") {
                continue;
            }
            let Some(root) = m.root.as_deref() else {
                continue;
            };
            // A fallible conversion of the input (`id.parse().unwrap()`), not
            // an unwrap after the handler checked the value itself.
            let converted = f.methods.iter().filter(in_fn).any(|c| {
                c.root.as_deref() == Some(root)
                    && matches!(
                        c.name.as_str(),
                        "parse"
                            | "from_str"
                            | "try_into"
                            | "try_from"
                            | "decode"
                            | "to_str"
                            | "from_utf8"
                            | "parse_str"
                            | "json"
                            | "get"
                    )
            });
            let on_input = inputs.contains(&root) && converted;
            if on_input {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!(
                        "`{}` calls `.{}()` on request input `{root}`: bad input panics",
                        func.name, m.name
                    ),
                ));
            }
        }
    }
    out.sort();
    out.truncate(8);
    out
}
