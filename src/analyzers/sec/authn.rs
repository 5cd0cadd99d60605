//! `sec.authn`: requests are authenticated, and the routes that need it are guarded.
//!
//! A mechanism alone is not authentication: `jsonwebtoken` in Cargo.toml guards
//! nothing until a route requires a valid token. So the evidence is per route:
//!
//! - **middleware on the route** whose name says it authenticates
//!   (`from_fn(require_auth)`, `HttpAuthentication::bearer(..)`,
//!   `ValidateRequestHeaderLayer::bearer(..)`, `login_required!`, salvo `JwtAuth`);
//! - **a guard among the handler's parameters**: a service type implementing
//!   `FromRequestParts`/`FromRequest` (axum, actix-web, rocket, poem), judged by
//!   its impl (see [`super::guards`]): one that refuses with 401/403 or a login
//!   redirect is a guard whatever its name (`MaybeUser`); one whose rejection
//!   is `Infallible` is none whatever its name (`BearerAuth`); otherwise a
//!   principal name (`AuthUser`, `Claims`, `Admin`) and an extraction that reads
//!   a credential decide. Crate extractors (`Identity`, `BearerAuth`,
//!   `AuthSession`, `TypedHeader<Authorization<Bearer>>`) count unless the name
//!   is the service's own; `Extension<CurrentUser>` set by auth middleware;
//!   poem-openapi `SecurityScheme` parameters;
//! - **the handler refusing itself**: an `Option<credential>` parameter whose
//!   absence the handler turns into 401/403 (`.ok_or(Unauthorized)`), or a
//!   credential header it reads;
//! - **auth middleware on a router seaworthy could not join to its routes**
//!   (`app = app.layer(ValidateRequestHeaderLayer::bearer(key))` on a router
//!   another function built) covers the routes otherwise left open.
//!
//! Cross-artifact: an OpenAPI operation that requires security (its own
//! `security`, or the document's) whose code route has no guard is reported.
//!
//! pass: a mechanism and guarded routes, and the spec's secured operations are
//! guarded in code · partial: a mechanism that guards no route (or misses
//! operations the spec secures) · fail: no authentication · n/a: no server.

use super::common::{self, GuardType};
use crate::analyzers::unless_server;
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Crates that authenticate.
pub const AUTH_CRATES: &[&str] = &[
    "jsonwebtoken",
    "jwt-simple",
    "josekit",
    "biscuit",
    "jwt-authorizer",
    "axum-jwt-auth",
    "jwt",
    "frank_jwt",
    "alcoholic_jwt",
    "pasetors",
    "rusty_paseto",
    "oauth2",
    "openidconnect",
    "axum-login",
    "actix-identity",
    "actix-session",
    "actix-web-httpauth",
    "tower-sessions",
    "axum-sessions",
    "async-session",
    "axum-auth",
    "rocket_auth",
    "poem-grants",
    "actix-web-grants",
    "webauthn-rs",
    "ldap3",
    "tower-http-auth",
];

/// Paths that verify credentials in code.
const VERIFY_FNS: &[&str] = &[
    "decode",
    "verify",
    "verify_password",
    "verify_token",
    "validate_token",
    "authenticate",
    "verify_with_key",
    "decode_token",
];

/// What sec.authn sees: guard types, the mechanism, routes guarded and open,
/// and guarded handlers whose route path could not be read.
struct Survey<'a> {
    guards: Vec<GuardType>,
    mechanism: Vec<Evidence>,
    routes: Vec<&'a Route>,
    guarded: Vec<(&'a Route, String)>,
    open: Vec<&'a Route>,
    unrouted_guarded: Vec<Evidence>,
}

fn survey(facts: &Facts) -> Survey<'_> {
    let guards = common::guard_types(facts);
    let mechanism = mechanism(facts, &guards);
    let routes: Vec<&Route> = facts
        .routes
        .iter()
        .filter(|r| r.mounted || r.handler_fn.is_some())
        .collect();
    let mut guarded: Vec<(&Route, String)> = Vec::new();
    let mut open: Vec<&Route> = Vec::new();
    for r in &routes {
        match common::route_guard(facts, r, &guards) {
            Some(how) => guarded.push((r, how)),
            None if !common::is_public_path(&r.path) && !r.grpc => open.push(r),
            None => {}
        }
    }
    // Auth middleware applied to a router seaworthy could not join to its
    // routes (`app = app.layer(ValidateRequestHeaderLayer::bearer(key))` on a
    // router built by another function) covers the routes left open.
    if let Some(layer) = super::guards::unjoined_auth_layers(facts).first() {
        let how = format!(
            "auth middleware applied at {} to the router that serves it",
            layer.location
        );
        guarded.extend(open.drain(..).map(|r| (r, how.clone())));
    }
    // Attribute-routed handlers whose route path seaworthy could not read
    // (`#[get(path = "crate::ROUTES.x")]`) are still handlers.
    let routed: std::collections::HashSet<(usize, usize)> = common::handler_set(facts);
    let mut unrouted_guarded = Vec::new();
    for (fi, f) in facts.service_rust() {
        for (ni, func) in f.fns.iter().enumerate() {
            if func.test || routed.contains(&(fi, ni)) || !common::is_attr_handler(func) {
                continue;
            }
            if let Some(how) = common::handler_guard(facts, (fi, ni), &guards) {
                unrouted_guarded.push(Evidence::new(
                    Location::new(f.path.clone(), func.line),
                    format!("handler `{}` — {how}", func.name),
                ));
            }
        }
    }
    Survey {
        guards,
        mechanism,
        routes,
        guarded,
        open,
        unrouted_guarded,
    }
}

/// Evidence that the service authenticates incoming requests, as sec.authn
/// judges it (a guarded route or handler, else an auth mechanism); empty when
/// sec.authn finds none. Other items (test.auth-flows) ask this so that the
/// two agree on whether there is authentication to test.
pub fn authenticates(facts: &Facts) -> Vec<Evidence> {
    let s = survey(facts);
    let mut out = guarded_evidence(&s.guarded, 3);
    out.extend(s.unrouted_guarded.into_iter().take(3));
    if out.is_empty() {
        out.extend(s.mechanism.into_iter().take(3));
    }
    out
}

/// "METHOD /path — how it is guarded" for the first `n` guarded routes.
fn guarded_evidence(guarded: &[(&Route, String)], n: usize) -> Vec<Evidence> {
    guarded
        .iter()
        .take(n)
        .map(|(r, how)| {
            Evidence::new(
                r.location.clone(),
                format!("{} {} — {how}", r.method, r.path),
            )
        })
        .collect()
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let Survey {
        guards,
        mechanism,
        routes,
        guarded,
        open,
        unrouted_guarded,
    } = survey(facts);
    let spec_gaps = spec_gaps(facts, &routes, &guards);
    let looked = "authentication middleware on routes (from_fn(require_auth), HttpAuthentication, ValidateRequestHeaderLayer, JwtAuth) or guard extractors in handler parameters (FromRequestParts/FromRequest types reading a token, cookie or session; Identity, BearerAuth, AuthSession, Claims), backed by jsonwebtoken, sessions, OAuth2/OIDC or API keys";

    if guarded.is_empty() && !unrouted_guarded.is_empty() {
        return Outcome::pass(format!(
            "{} handler(s) require authentication",
            unrouted_guarded.len()
        ))
        .with(unrouted_guarded.into_iter().take(10))
        .with(mechanism.into_iter().take(5))
        .with(spec_gaps);
    }
    let read_only = !facts.routes.is_empty()
        && facts
            .routes
            .iter()
            .all(|r| matches!(r.method.as_str(), "GET" | "HEAD" | "OPTIONS"));
    if guarded.is_empty() {
        if mechanism.is_empty() && read_only {
            return Outcome::manual(
                "every route only reads (GET) and none requires a credential: if everything served is public, nothing needs authentication — attest it; otherwise guard the private routes",
            )
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no authentication layer or guard on the routes built here",
            );
        }
        if mechanism.is_empty() && facts.routes.is_empty() {
            return Outcome::manual(
                "no routes were found in code to check for guards, and no authentication mechanism (auth crate, guard type, auth middleware) is visible",
            )
            .with(spec_gaps);
        }
        if mechanism.is_empty() {
            return Outcome::fail("no authentication: no auth crate, guard extractor or auth middleware, and no route requires a credential")
                .at(
                    facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                    "no authentication layer or guard on the routes built here",
                )
                .with(spec_gaps)
                .looked_for(looked);
        }
        return Outcome::partial(format!(
            "an authentication mechanism exists ({}) but no route is visibly guarded by it",
            mechanism[0].message
        ))
        .with_found(mechanism)
        .with(open.iter().take(5).map(|r| {
            Evidence::new(
                r.location.clone(),
                format!(
                    "{} {} has no auth middleware or guard parameter",
                    r.method, r.path
                ),
            )
        }))
        .with(spec_gaps)
        .looked_for(looked);
    }
    let summary = format!(
        "{} route(s) require authentication ({} non-public route(s) have no visible guard)",
        guarded.len(),
        open.len()
    );
    let evidence = guarded_evidence(&guarded, 10);
    let open_ev: Vec<Evidence> = open
        .iter()
        .take(5)
        .map(|r| {
            Evidence::new(
                r.location.clone(),
                format!("note: {} {} has no visible auth guard", r.method, r.path),
            )
        })
        .collect();
    if !spec_gaps.is_empty() {
        return Outcome::partial(format!(
            "{summary}; the OpenAPI document secures {} operation(s) whose code route has no guard",
            spec_gaps.len()
        ))
        .with(spec_gaps)
        .with_found(evidence)
        .with_found(mechanism)
        .looked_for(looked);
    }
    Outcome::pass(summary)
        .with(evidence)
        .with(mechanism.into_iter().take(5))
        .with(open_ev)
}

/// What authenticates in this service: crates, guard types, verify calls.
pub fn mechanism(facts: &Facts, guards: &[GuardType]) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = super::guards::unjoined_auth_layers(facts);
    out.extend(facts.dep_hits(AUTH_CRATES).into_iter().map(Evidence::from));
    for g in guards {
        out.push(Evidence::new(
            g.location.clone(),
            format!(
                "`{}` is {}: {}",
                g.name,
                if g.optional {
                    "a request extractor but no guard"
                } else {
                    "a request guard"
                },
                g.how
            ),
        ));
    }
    let verify = common::refs_by(facts, |p| {
        let last = common::last_seg(p);
        VERIFY_FNS.contains(&last)
            && (common::has_seg(
                p,
                &[
                    "jsonwebtoken",
                    "jwt",
                    "argon2",
                    "bcrypt",
                    "biscuit",
                    "josekit",
                ],
            ) || last != "decode" && last != "verify")
    });
    out.extend(
        common::first_per_file(verify, 1)
            .into_iter()
            .take(5)
            .map(Evidence::from),
    );
    out
}

/// Spec operations that require security but whose code route has no guard.
fn spec_gaps(facts: &Facts, routes: &[&Route], guards: &[GuardType]) -> Vec<Evidence> {
    let mut out = Vec::new();
    for spec in &facts.specs {
        for op in &spec.operations {
            let secured = match op.security {
                Some(s) => s,
                None => spec.global_security,
            };
            if !secured {
                continue;
            }
            let want = shape(&op.path);
            let Some(r) = routes.iter().find(|r| {
                r.method.eq_ignore_ascii_case(&op.method) && {
                    let have = shape(&r.path);
                    have == want || have.ends_with(&want) && want.len() > 1
                }
            }) else {
                continue;
            };
            if common::route_guard(facts, r, guards).is_none() {
                out.push(Evidence::new(
                    Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                    format!(
                        "spec requires authentication for {} {} but the route at {} has no auth guard",
                        op.method, op.path, r.location
                    ),
                ));
            }
        }
    }
    out
}

/// A path with its parameters erased, for matching spec and code.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') || s.starts_with(':') || s.starts_with('<') {
                "{}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
