//! `sec.owasp`: the OWASP basics every HTTP service owes its users.
//!
//! Four checks:
//! 1. **security headers** set by the service (tower-http
//!    `SetResponseHeaderLayer`, actix `DefaultHeaders`, a helmet crate, Rocket's
//!    `Shield`, which Rocket 0.5 attaches by default) or by a proxy config
//!    shipped with it (`add_header X-Content-Type-Options nosniff`). The core
//!    set is `X-Content-Type-Options`, framing protection (`X-Frame-Options`
//!    or a CSP with `frame-ancestors`) and `Content-Security-Policy`, plus
//!    `Strict-Transport-Security` when the service terminates TLS itself
//!    (rustls/openssl acceptors, `bind_rustls`); behind a proxy that
//!    terminates TLS, HSTS is the proxy's and counts as a bonus. The headers
//!    are set when all core headers but at most one are (and at least two),
//!    partly set when fewer are. `Referrer-Policy`, `Permissions-Policy` and
//!    the cross-origin policies are good practice but no substitute:
//!    `Permissions-Policy: interest-cohort=()` alone protects nothing;
//! 2. **body limits** — as in sec.input-validation: an explicit limit meets
//!    it, a framework default (axum, actix-web, rocket, tonic) only partly, and
//!    a service that takes no request bodies needs none;
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
//! fail: permissive CORS with credentials, or neither security headers nor any
//! body limit · pass: the core headers, bounded bodies, no permissive CORS, no
//! panics on input · partial: the rest · n/a: no server.

use super::common;
use super::input_validation::{body_limits, takes_bodies};
use crate::analyzers::unless_server;
use crate::extract::rust::sql::REQUEST_TYPES;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// A security header and what it protects against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    Hsts,
    NoSniff,
    /// `X-Frame-Options` or CSP `frame-ancestors`.
    Framing,
    Csp,
    /// Referrer-Policy, Permissions-Policy, cross-origin policies.
    Extra,
}

impl Header {
    fn name(self) -> &'static str {
        match self {
            Header::Hsts => "Strict-Transport-Security",
            Header::NoSniff => "X-Content-Type-Options",
            Header::Framing => "X-Frame-Options (or CSP frame-ancestors)",
            Header::Csp => "Content-Security-Policy",
            Header::Extra => "other",
        }
    }

    /// The header a name or constant stands for.
    fn of(name: &str) -> Option<Header> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "strict-transport-security" => Some(Header::Hsts),
            "x-content-type-options" => Some(Header::NoSniff),
            "x-frame-options" => Some(Header::Framing),
            "content-security-policy" => Some(Header::Csp),
            "referrer-policy"
            | "permissions-policy"
            | "cross-origin-opener-policy"
            | "cross-origin-embedder-policy"
            | "cross-origin-resource-policy" => Some(Header::Extra),
            _ => None,
        }
    }
}

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
    let found = security_headers(facts);
    let tls = terminates_tls(facts);
    let mut core = vec![Header::NoSniff, Header::Framing, Header::Csp];
    if tls.is_some() {
        core.push(Header::Hsts);
    }
    let set: Vec<Header> = core
        .iter()
        .copied()
        .filter(|h| found.iter().any(|(k, _)| k == h))
        .collect();
    let missing: Vec<&str> = core
        .iter()
        .filter(|h| !set.contains(h))
        .map(|h| h.name())
        .collect();
    let headers_met = set.len() >= 2 && set.len() + 1 >= core.len();
    let headers: Vec<Evidence> = common::first_per_file(
        found
            .iter()
            .filter(|(k, _)| core.contains(k) || *k == Header::Hsts)
            .map(|(_, e)| e.clone())
            .collect(),
        3,
    );
    let extras: Vec<Evidence> = found
        .iter()
        .filter(|(k, _)| !core.contains(k) && *k != Header::Hsts)
        .map(|(_, e)| e.clone())
        .take(2)
        .collect();
    let limits = body_limits(facts);
    let no_bodies = takes_bodies(facts) == Some(false) && limits.explicit.is_empty();
    let cors = credentialed_cors(facts);
    let panics = panics_on_input(facts);
    let looked = "security headers (X-Content-Type-Options, X-Frame-Options or CSP frame-ancestors, Content-Security-Policy, and HSTS where TLS ends here), explicit body limits, no any-origin CORS with credentials, no unwrap/expect on request input in handlers";
    let mut gaps = Vec::new();
    let header_gap;
    if set.is_empty() {
        header_gap = if extras.is_empty() {
            "no security headers".to_string()
        } else {
            format!("no core security headers (only {})", extra_names(&extras))
        };
        gaps.push(header_gap.clone());
    } else if !headers_met {
        header_gap = format!("security headers missing: {}", missing.join(", "));
        gaps.push(header_gap.clone());
    }
    if !no_bodies && limits.explicit.is_empty() {
        gaps.push(if limits.default.is_some() {
            "no body limit of its own (only the framework default)".to_string()
        } else {
            "no body limit".to_string()
        });
    }
    if !panics.is_empty() {
        gaps.push("handlers panic on malformed input".to_string());
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
    let bounded = no_bodies || !limits.explicit.is_empty() || limits.default.is_some();
    if set.is_empty() && !bounded {
        return Outcome::fail(format!("OWASP basics missing: {}", gaps.join(", ")))
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no security-header or body-limit layer on the router built here",
            )
            .with(extras)
            .with(limits.disabled)
            .with(panics)
            .looked_for(looked);
    }
    if gaps.is_empty() {
        return Outcome::pass(format!(
            "security headers set ({}), {}, no credentialed any-origin CORS, no panics on request input",
            set.iter().map(|h| h.name()).collect::<Vec<_>>().join(", "),
            if no_bodies {
                "no request bodies to bound"
            } else {
                "bodies bounded"
            }
        ))
        .with(headers)
        .with(tls)
        .with(limits.explicit.into_iter().take(3));
    }
    Outcome::partial(format!("OWASP basics incomplete: {}", gaps.join(", ")))
        .with(panics)
        .with_found(headers)
        .with_found(extras)
        .with_found(tls)
        .with_found(limits.explicit.into_iter().take(3))
        .with_found(limits.default)
        .with(limits.disabled)
        .looked_for(looked)
}

/// The header names in extra-header evidence, for a summary.
fn extra_names(extras: &[Evidence]) -> String {
    extras
        .iter()
        .map(|e| {
            e.message
                .split('`')
                .nth(1)
                .unwrap_or("a header")
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the service terminates TLS itself: a rustls/openssl acceptor or
/// `bind_rustls`/`bind_openssl`, or `tls` in `Rocket.toml`.
fn terminates_tls(facts: &Facts) -> Option<Evidence> {
    const SERVER_TLS: &[&str] = &[
        "RustlsConfig",
        "OpenSSLConfig",
        "bind_rustls",
        "bind_openssl",
        "TlsAcceptor",
        "RustlsAcceptor",
        "OpensslAcceptor",
        "SslAcceptor",
        "tls_rustls",
        "tls_openssl",
    ];
    if let Some(h) = common::refs_by(facts, |p| common::has_seg(p, SERVER_TLS))
        .into_iter()
        .next()
    {
        return Some(Evidence::new(
            h.location,
            format!("{} terminates TLS in the service: HSTS is its job", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        if let Some(m) = f.methods.iter().find(|m| {
            !m.test
                && matches!(
                    m.name.as_str(),
                    "bind_rustls" | "bind_rustls_0_23" | "bind_rustls_021" | "bind_openssl"
                )
        }) {
            return Some(Evidence::new(
                Location::new(f.path.clone(), m.line),
                format!(
                    "`.{}()` terminates TLS in the service: HSTS is its job",
                    m.name
                ),
            ));
        }
    }
    facts
        .texts
        .iter()
        .filter(|t| t.path.ends_with("Rocket.toml"))
        .find_map(|t| {
            let line = crate::location::find_line(&t.text, ".tls]")
                .or_else(|| crate::location::find_line(&t.text, "tls ="))?;
            Some(Evidence::new(
                Location::new(t.path.clone(), line),
                "Rocket.toml configures TLS: HSTS is the service's job",
            ))
        })
}

/// Where security headers are set, and which.
fn security_headers(facts: &Facts) -> Vec<(Header, Evidence)> {
    let mut out: Vec<(Header, Evidence)> = Vec::new();
    for h in facts.dep_hits(HELMET_CRATES) {
        let e = Evidence::new(h.location, format!("{} sets security headers", h.what));
        for k in [Header::Hsts, Header::NoSniff, Header::Framing, Header::Csp] {
            out.push((k, e.clone()));
        }
    }
    for h in common::refs_by(facts, |p| {
        Header::of(common::last_seg(p)).is_some() || p.ends_with("shield::Shield")
    }) {
        let path = h.what.trim_matches('`');
        let e = Evidence::new(
            h.location.clone(),
            format!("{} is set on responses", h.what),
        );
        match Header::of(common::last_seg(path)) {
            Some(k) => out.push((k, e)),
            None => {
                let e = Evidence::new(
                    h.location,
                    format!("{} sets X-Content-Type-Options and X-Frame-Options", h.what),
                );
                out.push((Header::NoSniff, e.clone()));
                out.push((Header::Framing, e));
            }
        }
    }
    for (_, f) in facts.service_rust() {
        let frame_ancestors = f
            .literals
            .iter()
            .find(|l| !l.test && l.value.contains("frame-ancestors"));
        for l in f.literals.iter().filter(|l| !l.test) {
            if let Some(k) = Header::of(&l.value).filter(|_| l.value.contains('-')) {
                let e = Evidence::new(
                    Location::new(f.path.clone(), l.line),
                    format!("`{}` header is set", l.value),
                );
                out.push((k, e));
            }
        }
        if let Some(l) = frame_ancestors {
            out.push((
                Header::Framing,
                Evidence::new(
                    Location::new(f.path.clone(), l.line),
                    "a Content-Security-Policy with `frame-ancestors` forbids framing",
                ),
            ));
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
            let e = Evidence::new(
                h.location,
                "Rocket 0.5 attaches its Shield fairing by default (X-Content-Type-Options, X-Frame-Options, Permissions-Policy)",
            );
            out.push((Header::NoSniff, e.clone()));
            out.push((Header::Framing, e));
        }
    }
    for t in facts.texts.iter().filter(|t| t.role.is_service()) {
        let lower = t.text.to_ascii_lowercase();
        for (i, line) in lower.lines().enumerate() {
            let Some(rest) = line.trim_start().strip_prefix("add_header") else {
                continue;
            };
            let name = rest.split_whitespace().next().unwrap_or("");
            if let Some(k) = Header::of(name) {
                out.push((
                    k,
                    Evidence::new(
                        Location::new(t.path.clone(), i as u32 + 1),
                        format!("the shipped proxy config sets `{name}`"),
                    ),
                ));
            }
        }
    }
    out
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
