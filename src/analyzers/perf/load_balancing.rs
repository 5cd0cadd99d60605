//! `perf.load-balancing`: any replica can serve any request, and the load
//! balancer can tell a replica that is alive from one that is ready.
//!
//! - stateless: no in-memory session store (tower-sessions/async-session
//!   `MemoryStore`, poem/salvo memory sessions), no mutable collections in
//!   the application state handlers share (`Mutex<Vec<..>>`,
//!   `RwLock<HashMap<..>>`, `DashMap` outside caches) — a replica's memory is
//!   not the service's;
//! - readiness apart from liveness: a readiness route (`/ready`, `/readyz`)
//!   beside a liveness route (`/live`, `/healthz`), Kubernetes
//!   `readinessProbe` and `livenessProbe` on different paths, or tonic-health's
//!   per-service serving status — so a replica that cannot serve yet is taken
//!   out of rotation instead of restarted. Health paths declared in handler
//!   attributes or route constants count when no router resolves to one.
//!
//! fail: in-memory sessions, or no health endpoint at all · partial: state in
//! the process, or one health endpoint for both questions · pass: stateless
//! with readiness distinct from liveness · n/a: no HTTP/gRPC server.

use crate::analyzers::obs::health::is_health_path;
use crate::analyzers::unless_server;
use crate::extract::yaml::YNode;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

fn is_readiness(path: &str) -> bool {
    let last = path
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase();
    last.contains("ready") || last.contains("readiness")
}

/// Probe paths in Kubernetes/compose manifests: (kind, path, where).
pub fn probes(facts: &Facts) -> Vec<(String, String, Location)> {
    fn walk(n: &YNode, path: &str, out: &mut Vec<(String, String, Location)>) {
        for (k, v) in n.entries() {
            if k == "readinessProbe" || k == "livenessProbe" || k == "startupProbe" {
                if let Some(p) = v
                    .get("httpGet")
                    .and_then(|h| h.get("path"))
                    .and_then(|p| p.as_str())
                {
                    out.push((k.clone(), p, Location::new(path, v.line)));
                } else if v.get("grpc").is_some() {
                    out.push((k.clone(), "grpc".into(), Location::new(path, v.line)));
                }
            }
            walk(v, path, out);
        }
        for i in n.items() {
            walk(i, path, out);
        }
    }
    let mut out = Vec::new();
    for y in &facts.yaml {
        for d in &y.docs {
            walk(d, &y.path, &mut out);
        }
    }
    out
}

/// Health paths declared in handler attributes (`path = "/health"`) or route
/// constants in service code, for routers seaworthy cannot resolve.
fn declared_health_paths(facts: &Facts) -> Vec<(String, String, crate::location::Location)> {
    let attr_path = crate::analyzers::scan::re(r#"path\s*=\s*"([^"]+)""#);
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for func in f.fns.iter().filter(|x| !x.test) {
            for a in &func.attrs {
                if let Some(c) = attr_path.captures(&a.args) {
                    if is_health_path(&c[1]) {
                        out.push((
                            "declared".to_string(),
                            c[1].to_string(),
                            crate::location::Location::new(f.path.clone(), func.line),
                        ));
                    }
                }
            }
        }
        for l in f.literals.iter().filter(|l| !l.test) {
            if l.value.starts_with('/') && !l.value.contains(' ') && is_health_path(&l.value) {
                out.push((
                    "declared".to_string(),
                    l.value.clone(),
                    crate::location::Location::new(f.path.clone(), l.line),
                ));
            }
        }
    }
    out
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let sessions = super::memory_sessions(facts);
    let state = super::in_process_state(facts);
    // Health paths: routes, else paths declared where route extraction cannot
    // follow (a `#[utoipa::path(get, path = "/health")]` handler, a route
    // constant `"/api/v1/meta/health"`).
    let mut health: Vec<(String, String, crate::location::Location)> = facts
        .routes
        .iter()
        .filter(|r| r.mounted && !r.grpc && is_health_path(&r.path))
        .map(|r| (r.method.clone(), r.path.clone(), r.location.clone()))
        .collect();
    if health.is_empty() {
        health = declared_health_paths(facts);
    }
    let ready: Vec<Hit> = health
        .iter()
        .filter(|(_, p, _)| is_readiness(p))
        .map(|(m, p, at)| Hit::new(at.clone(), format!("readiness route {m} {p}")))
        .collect();
    let live: Vec<Hit> = health
        .iter()
        .filter(|(_, p, _)| !is_readiness(p))
        .map(|(m, p, at)| Hit::new(at.clone(), format!("liveness route {m} {p}")))
        .collect();
    let probes = probes(facts);
    let probe_paths = |kind: &str| -> Vec<&(String, String, Location)> {
        probes.iter().filter(|(k, _, _)| k == kind).collect()
    };
    let (rp, lp) = (probe_paths("readinessProbe"), probe_paths("livenessProbe"));
    let distinct_probes = rp.iter().any(|(_, r, _)| lp.iter().any(|(_, l, _)| l != r));
    let grpc_health = facts.refs(&["tonic_health"]);
    let looked = "no session or data state in the process (sessions in redis/the database, signed cookies), and a readiness endpoint apart from liveness";
    if !sessions.is_empty() {
        return Outcome::fail("sessions live in one replica's memory: a load balancer without sticky sessions logs users out")
            .with_hits(sessions)
            .with_hits(state)
            .looked_for(looked);
    }
    if health.is_empty() && grpc_health.is_empty() && probes.is_empty() {
        // As obs.health: a health path or port in HTTP code no router was
        // resolved from (a raw hyper server) is a health check, unresolved.
        if let Some(seen) = crate::analyzers::obs::health::unresolved_health(facts) {
            return Outcome::partial(
                "a health check is served from code seaworthy could not resolve to a route: readiness apart from liveness cannot be judged",
            )
            .with([seen])
            .with_hits(state)
            .looked_for(looked);
        }
        return Outcome::fail(
            "no health endpoint: the load balancer cannot tell a ready replica from a broken one",
        )
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no health or readiness route on the router built here",
        )
        .with_hits(state)
        .looked_for(looked);
    }
    let separate =
        (!ready.is_empty() && !live.is_empty()) || distinct_probes || !grpc_health.is_empty();
    let mut ev: Vec<Hit> = ready.into_iter().chain(live).collect();
    ev.extend(
        probes
            .iter()
            .map(|(k, p, at)| Hit::new(at.clone(), format!("{k} on {p}"))),
    );
    ev.extend(grpc_health);
    if !state.is_empty() {
        return Outcome::partial(format!(
            "state is kept in the process ({}): replicas disagree and a restart loses it",
            state[0].what
        ))
        .with_hits(state)
        .with_found_hits(ev)
        .looked_for(looked);
    }
    if !separate {
        return Outcome::partial("one health endpoint answers both liveness and readiness: a replica that is up but not ready still gets traffic (or is restarted)")
            .with_hits(ev)
            .looked_for(looked);
    }
    Outcome::pass("stateless handlers; readiness is checked apart from liveness").with_hits(ev)
}
