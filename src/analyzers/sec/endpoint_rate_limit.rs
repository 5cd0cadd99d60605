//! `sec.endpoint-rate-limit`: the routes attackers hammer — login, token,
//! password reset, sign-up, expensive endpoints — have limits of their own, not
//! only a share of one global budget.
//!
//! A global limiter sized for normal traffic lets a credential-stuffing run try
//! thousands of passwords a minute; a login-specific limit (per IP or per
//! account) stops it. Evidence, per route, from the routes' own layers:
//!
//! - a limiter layer that covers **some routes but not all** (a `route_layer`,
//!   a layer on a nested router or scope, `get(login).layer(GovernorLayer..)`);
//! - a limiter **used inside a handler** (`limiter.check_key(&ip)`,
//!   `RateLimiter` referenced in the handler's body).
//!
//! Limiters are recognised as in api.rate-limiting (tower_governor, actix-governor,
//! tower `RateLimitLayer`, governor, a middleware named for rate limiting).
//!
//! pass: per-route limits that cover the credential routes (when there are any) ·
//! partial: only a global limiter, or per-route limits that leave login/token
//! routes out · fail: no limiter at all · n/a: no server.

use super::common;
use crate::analyzers::api::rate_limiting::{
    is_limiter_layer, names_a_limiter, APPLIED_PATHS, CHECK_METHODS, LIMITER_PATHS,
};
use crate::analyzers::unless_server;
use crate::extract::rust::{LayerFact, MountTarget, RouteItem};
use crate::facts::query::path_matches;
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::{BTreeMap, HashMap, HashSet};

fn is_limiter(l: &LayerFact) -> bool {
    is_limiter_layer(l)
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let routes: Vec<&Route> = facts.routes.iter().filter(|r| r.mounted).collect();
    let files = layer_files(facts);
    // Each limiter layer (by where it is written) and the routes it covers.
    let mut coverage: BTreeMap<Location, (String, Vec<&Route>)> = BTreeMap::new();
    for r in &routes {
        let mut seen = HashSet::new();
        for l in r.layers.iter().filter(|l| is_limiter(l)) {
            let path = files
                .get(&(l.text.clone(), l.line))
                .cloned()
                .unwrap_or_else(|| r.location.path.clone());
            let loc = Location::new(path, l.line);
            if seen.insert(loc.clone()) {
                coverage
                    .entry(loc)
                    .or_insert_with(|| (l.text.clone(), Vec::new()))
                    .1
                    .push(r);
            }
        }
    }
    let total = routes.len();
    let mut specific: Vec<(Location, String, Vec<&Route>)> = Vec::new();
    let mut global: Vec<(Location, String)> = Vec::new();
    for (loc, (text, covered)) in coverage {
        if covered.len() < total {
            specific.push((loc, text, covered));
        } else {
            global.push((loc, text));
        }
    }
    let in_handler = handler_limits(facts);
    let limited: HashSet<(String, String)> = specific
        .iter()
        .flat_map(|(_, _, rs)| rs.iter().map(|r| (r.method.clone(), r.path.clone())))
        .chain(
            in_handler
                .iter()
                .map(|(r, _)| (r.method.clone(), r.path.clone())),
        )
        .collect();
    let sensitive: Vec<&&Route> = routes
        .iter()
        .filter(|r| common::is_sensitive_route(&r.method, &r.path))
        .collect();
    let unprotected: Vec<&&Route> = sensitive
        .iter()
        .filter(|r| !limited.contains(&(r.method.clone(), r.path.clone())))
        .copied()
        .collect();
    let looked = "a rate limiter applied to specific routes (route_layer, a layer on a nested router or scope, a limiter checked inside the login/token handler), not only one global limiter";

    let mut evidence: Vec<Evidence> = Vec::new();
    for (loc, text, covered) in &specific {
        let names: Vec<String> = covered
            .iter()
            .take(4)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        evidence.push(Evidence::new(
            loc.clone(),
            format!(
                "limiter `{}` applies to {} of {total} route(s): {}",
                common::clip(text, 60),
                covered.len(),
                names.join(", ")
            ),
        ));
    }
    for (r, ev) in &in_handler {
        evidence.push(Evidence::new(
            ev.location.clone(),
            format!("{} {} — {}", r.method, r.path, ev.message),
        ));
    }
    let global_ev: Vec<Evidence> = global
        .iter()
        .map(|(loc, text)| {
            Evidence::new(
                loc.clone(),
                format!(
                    "global limiter `{}` covers every route alike",
                    common::clip(text, 60)
                ),
            )
        })
        .collect();
    let unprotected_ev: Vec<Evidence> = unprotected
        .iter()
        .take(5)
        .map(|r| {
            Evidence::new(
                r.location.clone(),
                format!(
                    "{} {} handles credentials and has no limit of its own",
                    r.method, r.path
                ),
            )
        })
        .collect();

    if !evidence.is_empty() {
        if unprotected.is_empty() {
            return Outcome::pass(format!(
                "rate limits are applied per route ({} limited route(s){})",
                limited.len(),
                if sensitive.is_empty() {
                    String::new()
                } else {
                    format!(", including all {} credential route(s)", sensitive.len())
                }
            ))
            .with(evidence)
            .with(global_ev);
        }
        return Outcome::partial(format!(
            "some routes have their own limit, but {} credential route(s) do not",
            unprotected.len()
        ))
        .with(unprotected_ev)
        .with_found(evidence)
        .with_found(global_ev)
        .looked_for(looked);
    }
    if !global_ev.is_empty() {
        return Outcome::partial(
            "only a global rate limiter: login and other sensitive routes share the same budget as everything else",
        )
        .with_found(global_ev)
        .with(unprotected_ev)
        .looked_for(looked);
    }
    let elsewhere: Vec<Evidence> = crate::analyzers::api::rate_limiting::wired_limiters(facts)
        .into_iter()
        .take(3)
        .map(|h| {
            Evidence::new(
                h.location,
                format!(
                    "note: limiter {} is used in code but not as a layer on any route",
                    h.what
                ),
            )
        })
        .collect();
    Outcome::fail("no rate limiting on any route")
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no rate-limiting layer on the routes built here",
        )
        .with(unprotected_ev)
        .with_found(elsewhere)
        .looked_for(looked)
}

/// Which file each limiter layer is written in, keyed by its text and line
/// (routes carry their layers without the file that applied them).
fn layer_files(facts: &Facts) -> HashMap<(String, u32), String> {
    fn walk(items: &[RouteItem], path: &str, out: &mut HashMap<(String, u32), String>) {
        for i in items {
            match i {
                RouteItem::Layer(l) => {
                    out.entry((l.text.clone(), l.line))
                        .or_insert_with(|| path.to_string());
                }
                RouteItem::Route { layers, .. } => {
                    for l in layers {
                        out.entry((l.text.clone(), l.line))
                            .or_insert_with(|| path.to_string());
                    }
                }
                RouteItem::Mount {
                    target: MountTarget::Inline { items },
                    ..
                } => walk(items, path, out),
                _ => {}
            }
        }
    }
    let mut out = HashMap::new();
    for (_, f) in facts.service_rust() {
        for g in &f.fragments {
            walk(&g.items, &f.path, &mut out);
        }
    }
    out
}

/// Routes whose handler consults a limiter itself.
fn handler_limits(facts: &Facts) -> Vec<(&Route, Evidence)> {
    let mut out = Vec::new();
    for r in facts.routes.iter().filter(|r| r.mounted) {
        let Some((fi, ni)) = r.handler_fn else {
            continue;
        };
        let f = &facts.rust[fi];
        let inside = |in_fn: Option<u32>| in_fn == Some(ni as u32);
        // Known limiter types only: a name that merely mentions rate limits
        // (`RATELIMIT_API_MAPPING`) is not a check.
        // A limiter applied in the handler (a guard, a layer type); a limiter
        // only configured there (`Quota::per_second`) limits nothing.
        let by_ref = f.refs.iter().find(|x| {
            inside(x.in_fn) && APPLIED_PATHS.iter().any(|pat| path_matches(&x.path, pat))
        });
        let names_limiter = f
            .refs
            .iter()
            .any(|x| inside(x.in_fn) && LIMITER_PATHS.iter().any(|pat| path_matches(&x.path, pat)));
        let by_method = f.methods.iter().find(|m| {
            inside(m.in_fn)
                && CHECK_METHODS.contains(&m.name.as_str())
                && (names_limiter
                    || m.root.as_deref().is_some_and(|root| {
                        names_a_limiter(root) || common::has_word(root, &["limit", "limits"])
                    }))
        });
        if let Some(x) = by_ref {
            out.push((
                r,
                Evidence::new(
                    Location::new(f.path.clone(), x.line),
                    format!("handler uses limiter `{}`", x.path),
                ),
            ));
        } else if let Some(m) = by_method {
            out.push((
                r,
                Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("handler checks a limiter (`.{}()`)", m.name),
                ),
            ));
        }
    }
    out
}
