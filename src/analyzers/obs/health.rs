//! `obs.health`: the service answers health checks, and readiness checks its
//! dependencies.
//!
//! A health endpoint is a route in service code whose path names health
//! (`/health`, `/healthz`, `/ready`, `/readyz`, `/live`, `/livez`, `/ping`,
//! `/status` near the root …), or a gRPC health service (`tonic-health`).
//! When the service talks to a database, cache or broker, at least one health
//! handler should look at it: a handler that takes state or awaits something
//! checks more than "the process is up". A constant `"ok"` while the database is
//! down tells the load balancer to keep sending traffic.
//!
//! Only routes a used router serves count: a `fn health_router()` nothing
//! merges, nests or calls serves nothing, and is named as such in the finding.
//!
//! pass: a health route (and a dependency check where there are dependencies) ·
//! partial: only constant liveness answers while dependencies exist, a health
//! path only in the spec, or a health path / health port only in HTTP code no
//! router was resolved from (a raw hyper `service_fn`, a plugin's endpoint
//! registry) · fail: none · n/a: no HTTP/gRPC server.

use crate::analyzers::{unless_server, DEPENDENCY_CRATES};
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const HEALTH_SEGMENTS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "health_check",
    "_health",
    "ready",
    "readyz",
    "readiness",
    "live",
    "livez",
    "liveness",
    "alive",
    "heartbeat",
    "ping",
    "status",
    "_status",
    "up",
];

/// Whether a route path is a health endpoint.
pub fn is_health_path(path: &str) -> bool {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(last) = segs.last() else {
        return false;
    };
    let last = last.to_ascii_lowercase();
    if !HEALTH_SEGMENTS.contains(&last.as_str()) {
        return false;
    }
    // Generic words count only at the root or under an API/ops prefix
    // (`/status`, `/api/ping`, `/v1/ready`), not as a resource's field
    // (`/orders/{id}/status`, `/memory/status`).
    if matches!(last.as_str(), "status" | "ping" | "up" | "ready" | "live") {
        return match segs.len() {
            1 => true,
            2 => {
                let first = segs[0].to_ascii_lowercase();
                matches!(
                    first.as_str(),
                    "api"
                        | "_"
                        | "internal"
                        | "admin"
                        | "system"
                        | "sys"
                        | "management"
                        | "actuator"
                        | "ops"
                        | "service"
                ) || (first.starts_with('v')
                    && first[1..].chars().all(|c| c.is_ascii_digit())
                    && first.len() > 1)
            }
            _ => false,
        };
    }
    true
}

/// A health check in HTTP-serving code that no resolved route shows: a
/// health path literal (`"/health"` compared with a request path or handed to
/// an endpoint registry), or a listener on a port named for health checks
/// (`SHUTTLE_HEALTHZ_PORT`) in a file that serves connections. Hand-written
/// hyper services and plugin registries expose no routes to the extractor.
pub fn unresolved_health(facts: &Facts) -> Option<Evidence> {
    let serves = |f: &crate::extract::rust::RustFile| {
        f.methods.iter().any(|m| {
            !m.test
                && matches!(
                    m.name.as_str(),
                    "serve_connection" | "serve_connection_with_upgrades" | "serve" | "bind"
                )
        }) || f.refs.iter().any(|r| {
            !r.test
                && (r.path.ends_with("service_fn")
                    || r.path.ends_with("Endpoint::from_router_service")
                    || r.path.ends_with("TcpListener::bind"))
        })
    };
    let server_file = |path: &str| match crate::facts::packages::package_of(&facts.packages, path) {
        Some(i) => facts.packages[i].is_server(),
        None => true,
    };
    for (_, f) in facts.service_rust().filter(|(_, f)| server_file(&f.path)) {
        if let Some(l) = f
            .literals
            .iter()
            .find(|l| !l.test && l.value.starts_with('/') && is_health_path(&l.value))
        {
            return Some(Evidence::new(
                Location::new(f.path.clone(), l.line),
                format!(
                    "health path `{}` is written here, in HTTP code seaworthy could not resolve to a route",
                    l.value
                ),
            ));
        }
        if !serves(f) {
            continue;
        }
        if let Some(l) = f.literals.iter().find(|l| {
            let up = l.value.to_ascii_uppercase();
            !l.test && up.contains("HEALTH") && up.contains("PORT") && !up.contains(' ')
        }) {
            return Some(Evidence::new(
                Location::new(f.path.clone(), l.line),
                format!(
                    "`{}` names a port for health checks, and this file serves connections on it",
                    l.value
                ),
            ));
        }
    }
    None
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    // Attribute routes no code mounts (`#[get("/health")]` outside every
    // `routes![]`/`.service(..)`, or mounted only under a test cfg) serve
    // nothing, like routers nothing uses.
    let health: Vec<&Route> = facts
        .routes
        .iter()
        .filter(|r| r.mounted && !r.grpc && is_health_path(&r.path))
        .collect();
    let grpc = facts.refs(&["tonic_health", "health_reporter", "HealthServer"]);
    let deps = facts.dep_hits(DEPENDENCY_CRATES);

    if health.is_empty() && grpc.is_empty() {
        let documented: Vec<Evidence> = facts
            .specs
            .iter()
            .flat_map(|s| {
                s.operations
                    .iter()
                    .filter(|o| is_health_path(&o.path))
                    .map(move |o| {
                        Evidence::new(
                            Location::new(s.path.clone(), o.line.unwrap_or(0)),
                            format!("spec documents {} {}", o.method, o.path),
                        )
                    })
            })
            .collect();
        let looked = "a route such as /health, /healthz, /ready, /readyz, /live in the service's router, or a tonic-health service";
        if !documented.is_empty() {
            return Outcome::partial("a health endpoint is documented in the spec but no such route is registered in code")
                .with_found(documented)
                .looked_for(looked);
        }
        let anchor = Evidence::new(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no health route on the router built here",
        );
        let dead: Vec<Evidence> = facts
            .unmounted_routes
            .iter()
            .chain(facts.routes.iter().filter(|r| !r.mounted))
            .filter(|r| !r.grpc && is_health_path(&r.path))
            .map(|r| {
                Evidence::new(
                    r.location.clone(),
                    format!(
                        "route {} {} defined but never mounted: no router, `routes![]` or `.service(..)` outside test code serves it",
                        r.method, r.path
                    ),
                )
            })
            .collect();
        if !dead.is_empty() {
            return Outcome::fail(
                "a health route is defined but never mounted, so nothing serves it",
            )
            .with(dead)
            .with([anchor])
            .looked_for(looked);
        }
        if let Some(seen) = unresolved_health(facts) {
            return Outcome::partial(
                "health path found but route not resolved: the service's HTTP code names a health check seaworthy could not tie to a router",
            )
            .with([seen])
            .looked_for(looked);
        }
        return Outcome::fail("no health-check endpoint found")
            .with([anchor])
            .looked_for(looked);
    }

    let mut evidence: Vec<Evidence> = health
        .iter()
        .map(|r| Evidence::new(r.location.clone(), format!("route {} {}", r.method, r.path)))
        .collect();
    evidence.extend(grpc.iter().cloned().map(Evidence::from));

    if deps.is_empty() || !grpc.is_empty() {
        let what = if !health.is_empty() {
            format!("health endpoint {} {}", health[0].method, health[0].path)
        } else {
            "gRPC health service (tonic-health)".to_string()
        };
        return Outcome::pass(what).with(evidence);
    }
    // With dependencies: does any health handler look at them?
    let mut checked = None;
    let mut constant = Vec::new();
    let mut unknown = 0;
    for r in &health {
        match r.handler_fn {
            Some(h) => {
                let (file, func) = facts.func(h);
                let takes_state = func.params.iter().any(|p| {
                    [
                        "State<",
                        "Data<",
                        "Extension<",
                        "Pool",
                        "Db",
                        "Database",
                        "AppState",
                        "Client",
                        "Ctx",
                        "Context",
                    ]
                    .iter()
                    .any(|k| p.ty.contains(k))
                });
                if func.awaits || takes_state {
                    checked = Some(Evidence::new(
                        Location::new(file.path.clone(), func.line),
                        format!("`{}` takes state or awaits a check", func.name),
                    ));
                } else {
                    constant.push(Evidence::new(
                        Location::new(file.path.clone(), func.line),
                        format!("`{}` answers without looking at any dependency", func.name),
                    ));
                }
            }
            None => unknown += 1,
        }
    }
    if let Some(c) = checked {
        evidence.push(c);
        return Outcome::pass(format!(
            "health endpoint {} {} checks dependencies",
            health[0].method, health[0].path
        ))
        .with(evidence);
    }
    if unknown > 0 {
        // Inline closures: not inspected, so no downgrade.
        return Outcome::pass(format!(
            "health endpoint {} {}",
            health[0].method, health[0].path
        ))
        .with(evidence)
        .at(
            health[0].location.clone(),
            "handler is an inline closure; whether it checks dependencies was not inspected",
        );
    }
    Outcome::partial(format!(
        "health endpoint {} {} answers without checking the {} the service depends on",
        health[0].method,
        health[0].path,
        {
            let mut names: Vec<&str> = deps.iter().map(|d| d.what.split('`').nth(3).unwrap_or("")).collect();
            names.sort();
            names.dedup();
            names.join(", ")
        }
    ))
    .with_found(evidence)
    .with(constant)
    .with_found_hits(deps)
    .looked_for("a readiness handler that pings the database/cache/broker (takes the pool from state and awaits a query)")
}

#[cfg(test)]
mod tests {
    use super::is_health_path;

    #[test]
    fn health_paths() {
        for p in [
            "/health",
            "/healthz",
            "/api/v1/health",
            "/readyz",
            "/status",
            "/api/ping",
            "/_health",
        ] {
            assert!(is_health_path(p), "{p}");
        }
        for p in [
            "/orders/{id}/status",
            "/users",
            "/a/b/c/status",
            "/healthy-food",
        ] {
            assert!(!is_health_path(p), "{p}");
        }
    }
}
