//! `api.rate-limiting`: a rate limiter is actually wired in front of the API.
//!
//! A limiter crate in Cargo.toml is not rate limiting until code uses it, and
//! a limiter configured in code is not rate limiting until requests go through
//! it. So the evidence is wiring: a limiter applied as a layer, `wrap` or
//! `hoop` on a router (`GovernorLayer`, `Governor::new`, `RateLimitLayer`, a
//! middleware whose name says it limits rates such as `from_fn(rate_limit)`),
//! a limiter type that only exists as middleware or a request guard
//! (`RocketGovernor`), or a limiter consulted in code (`limiter.check_key(&ip)`,
//! `until_ready().await`). Configuration alone (`GovernorConfigBuilder`,
//! `Quota::per_second`, `RateLimiter::keyed(..)` never checked) is partial.
//! Gateway configuration shipped in the repository (nginx `limit_req`, Envoy
//! `local_ratelimit`, Traefik `rateLimit`, ingress `limit-rps` annotations) also
//! counts. An OpenAPI document that declares a `429` response (with
//! `Retry-After`/`RateLimit-*` headers) states the contract.
//!
//! pass: a limiter is wired (or configured at the shipped gateway) · partial:
//! a limiter is configured in code but not applied, or the spec declares 429
//! but no limiter is visible · fail: nothing, or a limiter crate that nothing
//! uses · n/a: no HTTP/gRPC server.

use crate::analyzers::unless_server;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

pub const LIMITER_CRATES: &[&str] = &[
    "governor",
    "tower_governor",
    "tower-governor",
    "actix-governor",
    "actix-limitation",
    "actix-ratelimit",
    "leaky-bucket",
    "ratelimit",
    "rocket-governor",
    "axum-governor",
    "tower-rate-limit",
    "rate-limiter",
    "redis-rate",
    "throttled",
    "slowdown",
    "salvo-rate-limiter",
    "axum_gcra",
    "async-rate-limiter",
    "ratelimit_meter",
];

/// Names a team gives its own limiter: counted only when used as middleware.
pub const CUSTOM_LIMITER: &[&str] = &[
    "*RateLimit*",
    "*Ratelimit*",
    "*rate_limit*",
    "*ratelimit*",
    "*Throttle*",
    "*throttle*",
];

/// Paths that construct a limiter from a known crate.
pub const LIMITER_PATHS: &[&str] = &[
    "GovernorLayer",
    "GovernorConfigBuilder",
    "GovernorConfig",
    "tower_governor",
    "actix_governor::Governor",
    "Governor::new",
    "governor::RateLimiter",
    "governor::Quota",
    "RateLimitLayer",
    "tower::limit::RateLimit",
    "actix_limitation",
    "RateLimiter",
    "leaky_bucket",
    "RocketGovernor",
    "salvo::rate_limiter",
];

/// Limiter types that only exist applied: middleware, a layer, a request guard.
/// Referencing one is wiring.
pub const APPLIED_PATHS: &[&str] = &[
    "GovernorLayer",
    "actix_governor::Governor",
    "Governor::new",
    "RateLimitLayer",
    "tower::limit::RateLimit",
    "actix_limitation::RateLimiter",
    "RocketGovernor",
];

/// Methods that consult a limiter: a request is let through or turned away.
pub const CHECK_METHODS: &[&str] = &[
    "check_key",
    "check",
    "until_key_ready",
    "until_ready",
    "check_n",
    "check_key_n",
    "until_n_ready",
    "until_key_n_ready",
    "acquire_one",
];

/// Check methods whose name is too common (`config.check()`) to count unless
/// the receiver names a limiter.
const GENERIC_CHECKS: &[&str] = &["check", "check_n"];

/// Words a middleware or variable name uses for a rate limiter (`limit` alone
/// is a body or concurrency limit).
const LIMITER_WORDS: &[&str] = &[
    "limiter",
    "ratelimiter",
    "ratelimit",
    "governor",
    "throttle",
];

/// Words a check call's receiver uses for a limiter (`limits.check_key(..)`).
const RECEIVER_WORDS: &[&str] = &["limit", "limits"];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let wired = wired_limiters(facts);
    let gateway = gateway_limits(facts);
    let declared = declared_429(facts);
    let crates = facts.dep_hits(LIMITER_CRATES);

    if !wired.is_empty() || !gateway.is_empty() {
        let what = if !wired.is_empty() {
            format!("rate limiter wired in code: {}", wired[0].what)
        } else {
            format!("rate limit configured at the gateway: {}", gateway[0].what)
        };
        let mut o = Outcome::pass(what)
            .with_hits(wired)
            .with_hits(gateway)
            .with_hits(crates);
        if declared.is_empty() && !facts.specs.is_empty() {
            o = o.at(
                Location::file(facts.specs[0].path.clone()),
                "note: the OpenAPI document declares no 429 response, so clients are not told about the limit",
            );
        }
        return o.with_hits(declared);
    }
    let looked = "a limiter applied in service code (tower_governor GovernorLayer, actix-governor Governor, tower RateLimitLayer, a rate-limit middleware, a governor RateLimiter that is checked) or a gateway limit (nginx limit_req, Envoy local_ratelimit, ingress limit-rps)";
    let configured = facts.refs(LIMITER_PATHS);
    if !configured.is_empty() {
        return Outcome::partial(format!(
            "rate limiter configured ({}) but not applied to the router: no limiter layer, wrap or middleware, and no check call",
            configured[0].what
        ))
        .with_hits(configured)
        .with_hits(declared)
        .with_hits(crates)
        .looked_for(looked);
    }
    if !declared.is_empty() {
        return Outcome::partial(
            "the OpenAPI document declares 429 responses, but no limiter is wired in code or gateway config in this repository",
        )
        .with_found_hits(declared)
        .with_hits(crates)
        .looked_for(looked);
    }
    if !crates.is_empty() {
        return Outcome::fail(format!(
            "{} — but nothing in service code uses it, so no request is limited",
            crates[0].what
        ))
        .with_hits(crates)
        .looked_for(looked);
    }
    Outcome::fail("no rate limiter found: no limiter crate, middleware or gateway limit")
        .with([Evidence::new(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no rate-limiting layer on the router built here",
        )])
        .looked_for(looked)
}

/// Where service code applies a limiter: limiter layers on routers, limiter
/// types that only exist applied, and check calls. Configuration alone
/// (`GovernorConfigBuilder`, `Quota`) is not here.
pub fn wired_limiters(facts: &Facts) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (_, f) in facts.service_rust() {
        for g in f.fragments.iter().filter(|g| !g.test) {
            collect_layers(&f.path, &g.items, &mut hits);
        }
    }
    hits.extend(facts.refs(APPLIED_PATHS));
    hits.extend(check_calls(facts));
    let mut seen = std::collections::HashSet::new();
    hits.retain(|h| seen.insert(h.location.clone()));
    hits
}

/// Limiter checks in service code: a check method on a receiver named for a
/// limiter (`state.limiter.check_key(&ip)`), or a limiter-specific one
/// (`until_ready`, `check_key`) in a file that names a limiter type — made on
/// a request's path: in a route handler, in a middleware (a function taking the
/// request or the next service, or a `Service::call`), or, when no route was
/// resolved at all, anywhere (nothing can be ruled out). A limiter throttling a
/// background consumer or an outbound client limits no API.
fn check_calls(facts: &Facts) -> Vec<Hit> {
    let handlers: std::collections::HashSet<(usize, usize)> = facts
        .routes
        .iter()
        .filter(|r| r.mounted)
        .filter_map(|r| r.handler_fn)
        .collect();
    let on_request_path = |file: usize, f: &crate::extract::rust::RustFile, in_fn: Option<u32>| {
        if handlers.is_empty() {
            return true;
        }
        let Some(k) = in_fn.map(|k| k as usize) else {
            return false;
        };
        let Some(func) = f.fns.get(k) else {
            return false;
        };
        handlers.contains(&(file, k))
            || matches!(func.name.as_str(), "call" | "poll_ready" | "on_request")
            || func.params.iter().any(|p| {
                let ty = p.ty.as_str();
                ty.contains("Request") || ty.contains("Next") || ty.contains("ServiceRequest")
            })
    };
    let mut out = Vec::new();
    for (file, f) in facts.service_rust() {
        let names_limiter = f.refs.iter().any(|r| {
            !r.test
                && LIMITER_PATHS
                    .iter()
                    .any(|p| crate::facts::query::path_matches(&r.path, p))
        });
        for m in f.methods.iter().filter(|m| !m.test) {
            if !CHECK_METHODS.contains(&m.name.as_str()) || !on_request_path(file, f, m.in_fn) {
                continue;
            }
            let by_receiver = m.root.as_deref().is_some_and(|root| {
                names_a_limiter(root)
                    || crate::analyzers::sec::common::has_word(root, RECEIVER_WORDS)
            });
            let specific = !GENERIC_CHECKS.contains(&m.name.as_str());
            if by_receiver || (specific && names_limiter) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("limiter checked (`.{}()`)", m.name),
                ));
            }
        }
    }
    out
}

/// Whether a name (a receiver, a middleware expression) says it is a limiter.
pub fn names_a_limiter(text: &str) -> bool {
    let w = crate::analyzers::sec::common::words(text);
    w.iter().any(|w| LIMITER_WORDS.contains(&w.as_str()))
        || w.windows(2).any(|p| p[0] == "rate" && p[1] == "limit")
}

/// Whether a layer applies a limiter: it names a limiter type or middleware
/// (`GovernorLayer::new(conf)`, `from_fn(rate_limit)`), or a variable named for
/// one (`.layer(governor_layer)`, `.hoop(limiter)`).
pub fn is_limiter_layer(l: &crate::extract::rust::LayerFact) -> bool {
    l.paths.iter().any(|p| {
        LIMITER_PATHS
            .iter()
            .chain(CUSTOM_LIMITER)
            .any(|pat| crate::facts::query::path_matches(p, pat))
    }) || names_a_limiter(&l.text)
}

fn collect_layers(path: &str, items: &[crate::extract::rust::RouteItem], out: &mut Vec<Hit>) {
    use crate::extract::rust::{MountTarget, RouteItem};
    for item in items {
        match item {
            RouteItem::Layer(l) if is_limiter_layer(l) => {
                out.push(Hit::new(
                    Location::new(path, l.line),
                    format!("layer `{}`", short(&l.text)),
                ));
            }
            RouteItem::Route { layers, .. } => {
                for l in layers.iter().filter(|l| is_limiter_layer(l)) {
                    out.push(Hit::new(
                        Location::new(path, l.line),
                        format!("route layer `{}`", short(&l.text)),
                    ));
                }
            }
            RouteItem::Mount {
                target: MountTarget::Inline { items },
                ..
            } => collect_layers(path, items, out),
            _ => {}
        }
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 90 {
        format!("{}…", s.chars().take(90).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Rate limits configured in gateway/proxy files shipped in the repository.
fn gateway_limits(facts: &Facts) -> Vec<Hit> {
    const PATTERNS: &[&str] = &[
        "limit_req_zone",
        "limit_req ",
        "local_ratelimit",
        "envoy.filters.http.ratelimit",
        "rateLimit:",
        "limit-rps",
        "limit-rpm",
        "rate_limit_policy",
        "plugin: rate-limiting",
        "name: rate-limiting",
    ];
    let mut out = Vec::new();
    for t in facts.texts_where(|t| t.role.is_service()) {
        for p in PATTERNS {
            if let Some(line) = crate::location::find_line(&t.text, p) {
                out.push(Hit::new(
                    Location::new(t.path.clone(), line),
                    format!("gateway config `{}`", p.trim()),
                ));
                break;
            }
        }
    }
    out
}

/// Spec operations declaring a 429, with the rate-limit headers on it.
pub fn declared_429(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for spec in &facts.specs {
        for op in &spec.operations {
            if let Some(r) = op.responses.iter().find(|r| r.status == "429") {
                let headers: Vec<&str> = r
                    .headers
                    .iter()
                    .map(String::as_str)
                    .filter(|h| {
                        let l = h.to_ascii_lowercase();
                        l == "retry-after"
                            || l.starts_with("ratelimit")
                            || l.starts_with("x-ratelimit")
                    })
                    .collect();
                let what = if headers.is_empty() {
                    format!(
                        "{} {} declares 429 (no Retry-After/RateLimit headers)",
                        op.method, op.path
                    )
                } else {
                    format!(
                        "{} {} declares 429 with {}",
                        op.method,
                        op.path,
                        headers.join(", ")
                    )
                };
                out.push(Hit::new(
                    Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                    what,
                ));
            }
        }
    }
    out
}
