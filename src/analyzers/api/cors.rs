//! `api.cors`: cross-origin access is granted on purpose, not to everyone.
//!
//! A **CORS site** is a function of service code that builds a CORS policy:
//! it names tower-http's `CorsLayer`, actix-cors' `Cors`, `rocket_cors`,
//! poem's or salvo's `Cors`, `warp::cors()`, or sets an
//! `Access-Control-Allow-Origin` header by hand; or gateway configuration
//! shipped in the repository that adds the header. Each site is judged from
//! the calls and paths in that function:
//! - **any origin**: `allow_any_origin()`, `send_wildcard()`,
//!   `allow_origin(Any)`, `AllowOrigin::any()`, `AllowOrigin::mirror_request()`,
//!   rocket_cors `AllowedOrigins::all()`, or a `"*"` origin;
//! - **everything**: `CorsLayer::permissive()`/`very_permissive()`,
//!   actix-cors `Cors::permissive()`;
//! - **credentials**: `allow_credentials(..)`, `supports_credentials()`.
//!
//! Any origin *with* credentials lets every site on the web act as the logged-in
//! user; "everything" is that or close to it. Any origin without credentials
//! is how public APIs are served and passes, with a note. A site whose origins
//! come from a list (`AllowOrigin::list`, `allowed_origin("https://..")`) as
//! well as from an any-origin branch is configuration-driven and passes.
//!
//! With no CORS anywhere, browsers refuse cross-origin calls — the safe default
//! for an API no browser on another origin calls — so there is nothing to judge
//! (n/a). A CORS crate in Cargo.toml that no code uses is a policy someone
//! meant to set and never wired (fail).
//!
//! pass: a policy with named origins · partial: any origin with credentials,
//! or everything allowed · fail: a CORS crate nothing uses · n/a: no CORS
//! policy, no HTTP server, or gRPC only.

use super::code::Body;
use crate::analyzers::unless_server;
use crate::classify::FileKind;
use crate::facts::query::path_matches;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Paths that construct a CORS policy.
const CORS_PATHS: &[&str] = &[
    "CorsLayer",
    "tower_http::cors",
    "actix_cors",
    "rocket_cors",
    "poem::middleware::Cors",
    "salvo::cors",
    "salvo_cors",
    "salvo_extra::cors",
    "warp::cors",
    "CorsMiddleware",
    "CorsOptions",
];

/// Crates that provide CORS middleware.
const CORS_CRATES: &[&str] = &["actix-cors", "rocket_cors", "salvo-cors", "tower-cors"];

/// Methods that allow every origin.
const ANY_ORIGIN_METHODS: &[&str] = &["allow_any_origin", "send_wildcard"];

/// Paths that allow every origin.
const ANY_ORIGIN_PATHS: &[&str] = &[
    "AllowOrigin::any",
    "AllowOrigin::mirror_request",
    "AllowedOrigins::all",
    "AllowedOrigins::All",
];

/// Paths and methods that allow everything.
const PERMISSIVE: &[&str] = &["permissive", "very_permissive"];

/// Methods that name allowed origins one by one.
const LIST_ORIGINS: &[&str] = &["allowed_origin", "allowed_origin_fn", "allow_origins"];

/// Methods that turn on credentials.
const CREDENTIALS: &[&str] = &["allow_credentials", "supports_credentials", "credentials"];

#[derive(Debug)]
struct Site {
    at: Location,
    what: String,
    any_origin: Option<String>,
    everything: Option<String>,
    credentials: Option<String>,
    listed: Option<String>,
}

impl Site {
    fn new(at: Location, what: String) -> Self {
        Site {
            at,
            what,
            any_origin: None,
            everything: None,
            credentials: None,
            listed: None,
        }
    }
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    if !facts.routes.is_empty() && facts.routes.iter().all(|r| r.grpc) {
        return Outcome::na("gRPC only: browsers do not call it directly, so CORS does not apply");
    }
    let mut sites = code_sites(facts);
    sites.extend(gateway_sites(facts));
    let crates = facts.dep_hits(CORS_CRATES);
    let looked = "a CORS policy that names its origins (CorsLayer::new().allow_origin([..]), Cors::default().allowed_origin(..)) and does not pair any origin with credentials";

    if sites.is_empty() {
        if let Some(c) = crates.first() {
            return Outcome::fail(format!(
                "{} — but no code builds a CORS policy from it, so the intended policy is not applied",
                c.what
            ))
            .with_hits(crates)
            .looked_for(looked);
        }
        return Outcome::na(
            "no CORS policy: browsers refuse cross-origin calls to this API (the safe default); nothing to judge unless a browser app on another origin must call it",
        );
    }

    let mut weak = Vec::new();
    let mut fine = Vec::new();
    for s in &sites {
        let label = &s.what;
        if let Some(e) = &s.everything {
            weak.push(Evidence::new(
                s.at.clone(),
                format!("{label}: {e} allows every origin, method and header"),
            ));
        } else if let (Some(o), Some(c)) = (&s.any_origin, &s.credentials) {
            if let Some(l) = &s.listed {
                fine.push(Evidence::new(
                    s.at.clone(),
                    format!("{label}: origins come from configuration ({l}); an any-origin branch ({o}) exists"),
                ));
            } else {
                weak.push(Evidence::new(
                    s.at.clone(),
                    format!("{label}: {o} together with {c}: any site can call it as the logged-in user"),
                ));
            }
        } else if let Some(o) = &s.any_origin {
            fine.push(Evidence::new(
                s.at.clone(),
                format!("{label}: {o} without credentials (a public API); note: name the origins if only your front end calls it"),
            ));
        } else {
            let how = s
                .listed
                .clone()
                .unwrap_or_else(|| "no any-origin setting".into());
            fine.push(Evidence::new(s.at.clone(), format!("{label}: {how}")));
        }
    }
    if !weak.is_empty() {
        return Outcome::partial(format!(
            "CORS is configured but too open at {} site(s): any origin with credentials, or everything allowed",
            weak.len()
        ))
        .with(weak)
        .with_found(fine)
        .looked_for(looked);
    }
    Outcome::pass(format!(
        "CORS is configured at {} site(s) without opening it to everyone",
        sites.len()
    ))
    .with(fine)
    .with_hits(crates)
}

/// CORS policies built in service code, one per function.
fn code_sites(facts: &Facts) -> Vec<Site> {
    let mut sites = Vec::new();
    for (_, f) in facts.service_rust() {
        let mut fns: Vec<(u32, u32)> = Vec::new();
        for r in f
            .refs
            .iter()
            .filter(|r| !r.test && r.kind != crate::extract::rust::RefKind::Use)
        {
            let maybe = r.path.contains("ors") || r.path.contains("ORS");
            if maybe && CORS_PATHS.iter().any(|p| path_matches(&r.path, p)) {
                if let Some(ni) = r.in_fn {
                    if !fns.iter().any(|(n, _)| *n == ni) {
                        fns.push((ni, r.line));
                    }
                }
            }
        }
        // Hand-set `Access-Control-Allow-Origin` headers.
        for l in f.literals.iter().filter(|l| !l.test) {
            if l.value.eq_ignore_ascii_case("access-control-allow-origin") {
                if let Some(ni) = l.in_fn {
                    if !fns.iter().any(|(n, _)| *n == ni) {
                        fns.push((ni, l.line));
                    }
                }
            }
        }
        for (ni, line) in fns {
            let body = Body::new(f, ni as usize);
            let mut s = Site::new(
                body.at(line),
                format!("CORS policy in `{}`", body.func.name),
            );
            for m in body.methods() {
                let arg = m.arg_path.as_deref().unwrap_or("");
                let name = m.name.as_str();
                if ANY_ORIGIN_METHODS.contains(&name) {
                    s.any_origin.get_or_insert(format!("`.{name}()`"));
                }
                if PERMISSIVE.contains(&name) {
                    s.everything.get_or_insert(format!("`.{name}()`"));
                }
                if CREDENTIALS.contains(&name) && !arg.ends_with("false") {
                    s.credentials.get_or_insert(format!("`.{name}(..)`"));
                }
                if LIST_ORIGINS.contains(&name) {
                    s.listed.get_or_insert(format!("`.{name}(..)`"));
                }
                if name == "allow_origin" {
                    let last = arg.rsplit("::").next().unwrap_or("");
                    if last == "Any" || ANY_ORIGIN_PATHS.iter().any(|p| path_matches(arg, p)) {
                        s.any_origin
                            .get_or_insert(format!("`.allow_origin({last})`"));
                    } else if arg.ends_with("AllowOrigin::list")
                        || arg.ends_with("AllowOrigin::predicate")
                    {
                        s.listed.get_or_insert(format!("`{arg}`"));
                    }
                }
            }
            for r in body.refs() {
                let last = r.path.rsplit("::").next().unwrap_or("");
                if PERMISSIVE.contains(&last) && r.path.to_ascii_lowercase().contains("cors") {
                    s.everything.get_or_insert(format!("`{}`", r.path));
                }
                if ANY_ORIGIN_PATHS.iter().any(|p| path_matches(&r.path, p)) {
                    s.any_origin.get_or_insert(format!("`{}`", r.path));
                }
                if r.path.ends_with("AllowOrigin::list")
                    || r.path.ends_with("AllowOrigin::predicate")
                    || r.path.ends_with("AllowedOrigins::some_exact")
                    || r.path.ends_with("AllowedOrigins::some")
                {
                    s.listed.get_or_insert(format!("`{}`", r.path));
                }
            }
            for l in body.literals() {
                if l.value == "*"
                    && (l.context.as_deref().is_some_and(|c| c.contains("origin"))
                        || body
                            .literals()
                            .any(|h| h.value.eq_ignore_ascii_case("access-control-allow-origin")))
                {
                    s.any_origin.get_or_insert("origin `\"*\"`".to_string());
                }
                if (l.value.starts_with("http://") || l.value.starts_with("https://"))
                    && l.context.as_deref().is_some_and(|c| c.contains("origin"))
                {
                    s.listed.get_or_insert(format!("origin `{}`", l.value));
                }
                if l.value
                    .eq_ignore_ascii_case("access-control-allow-credentials")
                {
                    s.credentials
                        .get_or_insert("`Access-Control-Allow-Credentials`".to_string());
                }
            }
            sites.push(s);
        }
    }
    sites
}

/// `Access-Control-Allow-Origin` added by gateway configuration in the repo.
fn gateway_sites(facts: &Facts) -> Vec<Site> {
    let mut out = Vec::new();
    for t in facts.texts_where(|t| {
        t.role.is_service()
            && matches!(
                t.kind,
                FileKind::Text | FileKind::Yaml | FileKind::Toml | FileKind::Json
            )
    }) {
        let lower = t.text.to_ascii_lowercase();
        let Some(at) = lower.find("access-control-allow-origin") else {
            continue;
        };
        let line = t.text[..at].matches('\n').count() as u32 + 1;
        let rest: String = lower[at..].lines().next().unwrap_or("").to_string();
        let credentials = lower.contains("access-control-allow-credentials");
        let mut s = Site::new(
            Location::new(t.path.clone(), line),
            "gateway CORS header".into(),
        );
        s.any_origin = rest.contains('*').then(|| "origin `*`".to_string());
        s.credentials = credentials.then(|| "`Access-Control-Allow-Credentials`".to_string());
        out.push(s);
    }
    out
}
