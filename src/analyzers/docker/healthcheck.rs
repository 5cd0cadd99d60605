//! `docker.healthcheck`: something checks that the container is healthy, and
//! the check can succeed.
//!
//! The Dockerfile `HEALTHCHECK` of each runtime stage, and the probes of the
//! compose services / Kubernetes workloads / Helm charts that run the service
//! (a missing `HEALTHCHECK` is fine when probes exist; `HEALTHCHECK NONE` is an
//! explicit opt-out). Each HTTP check is joined to the code and the image:
//! - its path must be a route the server registers (`facts.routes`), or the
//!   check fails forever and the orchestrator restarts a healthy service;
//! - its tool (`curl`, `wget`) must exist in the image: distroless and scratch
//!   have neither, debian-slim has no curl unless a `RUN` installs it.
//!
//! pass: a working HEALTHCHECK or probe · fail: none, or a check that cannot
//! succeed (unknown path, missing tool) · n/a: no Dockerfile, or health
//! checks explicitly disabled with no probes.

use super::{app_containers, image, workload_label};
use crate::analyzers::tally::Tally;
use crate::facts::manifests::{check_tool, http_check, ProbeAction};
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let mut t = Tally::default();
    let mut opted_out = Vec::new();
    let mut missing = Vec::new();
    for d in &judged.files {
        for s in image::runtime_stages(d) {
            let label = image::stage_label(d, s);
            let Some((_, hc)) = image::inherited(d, s, "HEALTHCHECK") else {
                missing.push(image::stage_loc(d, s));
                continue;
            };
            let at = Location::new(d.path.clone(), hc.line);
            if hc.text.trim() == "NONE" {
                opted_out.push(at);
                continue;
            }
            match http_check(&hc.text) {
                Some(c) => {
                    let mut ok = true;
                    if let Some(false) = image::has_tool(d, s, &c.tool) {
                        t.bad(
                            at.clone(),
                            format!("HEALTHCHECK runs `{}`, which {label} does not have: the check always fails", c.tool),
                        );
                        ok = false;
                    }
                    if !judge_path(facts, &c.path, &at, "HEALTHCHECK", &mut t) {
                        ok = false;
                    }
                    if ok {
                        t.good(
                            at,
                            format!("HEALTHCHECK requests {} with `{}`", c.path, c.tool),
                        );
                    }
                }
                None => {
                    let tool = check_tool(&hc.text).unwrap_or_default();
                    t.good(
                        at,
                        format!(
                            "HEALTHCHECK runs `{}`",
                            if tool.is_empty() {
                                hc.text.clone()
                            } else {
                                tool
                            }
                        ),
                    );
                }
            }
        }
    }
    let mut probes = 0;
    for (w, c) in app_containers(facts) {
        // The image a compose service builds, for the tool its check runs.
        let built = c.dockerfile.as_ref().and_then(|df| {
            let d = judged.files.iter().find(|d| &d.path == df)?;
            let stage = match &c.build_target {
                Some(target) => d
                    .stages
                    .iter()
                    .find(|s| s.name.as_deref() == Some(target.as_str()))?,
                None => d.final_stage()?,
            };
            Some((*d, stage))
        });
        for p in &c.probes {
            let path = p.path.clone().unwrap_or_else(|| w.path.clone());
            let at = Location::new(path, p.line);
            let who = format!("{} {}", workload_label(w), p.kind.as_str());
            if let (Some(cmd), Some((d, stage))) = (&p.command, built) {
                let tool = check_tool(cmd).unwrap_or_default();
                if matches!(tool.as_str(), "curl" | "wget")
                    && image::has_tool(d, stage, &tool) == Some(false)
                {
                    t.bad(
                        at.clone(),
                        format!(
                            "{who} runs `{tool}`, which {} does not have: the check always fails",
                            image::stage_label(d, stage)
                        ),
                    );
                    probes += 1;
                    continue;
                }
            }
            match &p.action {
                ProbeAction::Disabled => {
                    opted_out.push(at);
                    continue;
                }
                ProbeAction::Http { path: route, .. } => {
                    if judge_path(facts, route, &at, &who, &mut t) {
                        t.good(at, format!("{who} requests {route}"));
                    }
                }
                ProbeAction::Exec { command } => t.good(
                    at,
                    format!(
                        "{who} runs `{}`",
                        check_tool(command).unwrap_or_else(|| command.clone())
                    ),
                ),
                ProbeAction::Tcp { .. } => t.good(at, format!("{who} opens a TCP connection")),
                ProbeAction::Grpc { .. } => {
                    t.good(at, format!("{who} calls the gRPC health service"))
                }
                ProbeAction::Templated => t.good(at, format!("{who} (templated)")),
            }
            probes += 1;
        }
    }
    if t.is_empty() {
        if !opted_out.is_empty() && missing.is_empty() {
            return Outcome::na("health checks are explicitly disabled (HEALTHCHECK NONE / healthcheck disable) and no probe is configured")
                .with(opted_out.into_iter().map(|l| crate::rules::Evidence::new(l, "health check disabled")));
        }
        let mut o = Outcome::fail("no HEALTHCHECK in the image and no compose/Kubernetes probe: a hung server keeps receiving traffic");
        for m in missing {
            o = o.at(m, "no HEALTHCHECK in this runtime stage");
        }
        return o.looked_for("a HEALTHCHECK that requests the service's health route, or liveness/readiness probes in the manifests");
    }
    if probes > 0 {
        for m in missing {
            t.note(
                m,
                "no HEALTHCHECK in the image; the orchestrator's probes check health",
            );
        }
    }
    t.outcome("a HEALTHCHECK or probe requesting a health route the server registers, with a tool the image has")
}

/// Whether a checked path is a route of the service; grades a missing one bad.
fn judge_path(facts: &Facts, path: &str, at: &Location, who: &str, t: &mut Tally) -> bool {
    if facts.routes.is_empty() {
        t.note(
            at.clone(),
            format!("{who} path {path} not verified: no routes were resolved from the code"),
        );
        return true;
    }
    if let Some(r) = route_for(facts, path) {
        t.note(
            r.location.clone(),
            format!("route {} {} serves {who}", r.method, r.path),
        );
        return true;
    }
    // Routers seaworthy cannot resolve (a macro, a hand-written service): the
    // path written in code is evidence the route exists.
    if let Some(seen) = path_in_code(facts, path) {
        t.note(
            seen,
            format!("{who} path {path} is written here, in a router seaworthy could not resolve"),
        );
        return true;
    }
    let mut health: Vec<&str> = facts
        .routes
        .iter()
        .filter(|r| r.mounted && crate::analyzers::obs::health::is_health_path(&r.path))
        .map(|r| r.path.as_str())
        .collect();
    health.sort();
    health.dedup();
    let hint = if health.is_empty() {
        String::new()
    } else {
        format!(" (health routes in code: {})", health.join(", "))
    };
    t.bad(
        at.clone(),
        format!("{who} requests {path}, but no route in code serves it{hint}"),
    );
    false
}

/// A string literal or attribute in service code ending with the path's last
/// segment (`"/health"` for `/api/v1/health`).
fn path_in_code(facts: &Facts, path: &str) -> Option<Location> {
    let tail = format!("/{}", path.trim_end_matches('/').rsplit('/').next()?);
    if tail.len() < 3 {
        return None;
    }
    for (_, f) in facts.service_rust() {
        let lit = f.literals.iter().find(|l| {
            !l.test && (l.value == tail || (l.value.ends_with(&tail) && path.ends_with(&l.value)))
        });
        if let Some(l) = lit {
            return Some(Location::new(f.path.clone(), l.line));
        }
        let quoted = format!("\"{tail}\"");
        if let Some(func) = f
            .fns
            .iter()
            .find(|x| !x.test && x.attrs.iter().any(|a| a.args.contains(&quoted)))
        {
            return Some(Location::new(f.path.clone(), func.line));
        }
    }
    None
}

/// The GET route serving a concrete path (route parameters match any segment,
/// catch-all parameters do not).
pub fn route_for<'a>(facts: &'a Facts, path: &str) -> Option<&'a Route> {
    let want: Vec<&str> = path
        .trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    facts.routes.iter().filter(|r| !r.grpc).find(|r| {
        let method_ok =
            matches!(r.method.as_str(), "GET" | "ANY" | "HEAD") || r.method.contains("GET");
        let segs: Vec<&str> = r
            .path
            .trim_end_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        // A fallback answers every unmatched path: it proves no route exists.
        !r.fallback
            && method_ok
            && segs.len() == want.len()
            && segs.iter().zip(&want).all(|(s, w)| {
                s == w || (s.starts_with('{') && s.ends_with('}') && !s.starts_with("{*"))
            })
    })
}
