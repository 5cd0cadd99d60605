//! `api.openapi` and `ready.openapi-complete`: the API is described by an
//! OpenAPI document that matches the code, completely.
//!
//! The documents are every spec in the facts: files in the tree (3.0, 3.1,
//! Swagger 2) and specs generated from code (utoipa, aide, poem-openapi,
//! paperclip, okapi) whose operations the extractor read. Code routes and spec
//! operations are joined by `spec_routes` (server base paths, inferred
//! prefixes, parameter names erased); housekeeping routes (health, metrics,
//! docs) need no documentation.
//!
//! **api.openapi** — pass: a spec, every API route documented and every
//! operation served · partial: a spec that misses routes or documents
//! operations the code does not serve · fail: no spec · manual: a generator
//! is wired but its operations could not be read, or no routes are visible to
//! compare, or spec and routes share no endpoint at all · n/a: no HTTP
//! server, or gRPC only (the .proto files are the contract).
//!
//! **ready.openapi-complete** — every operation has an `operationId`, a
//! `summary` (or `description`), and error responses (4xx/5xx/`default`), and
//! every API route is documented. pass: all of it · partial: gaps · fail: no
//! spec, or no operation complete.

use super::code::find_refs;
use super::spec_routes::{is_infra_path, unless_api, Join};
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Crates that generate an OpenAPI document from code.
pub const GENERATOR_CRATES: &[&str] = &[
    "utoipa",
    "utoipa-axum",
    "utoipa-actix-web",
    "aide",
    "poem-openapi",
    "paperclip",
    "okapi",
    "rocket_okapi",
    "apistos",
    "oasgen",
    "salvo-oapi",
];

/// Paths in code that wire a generator.
const GENERATOR_PATHS: &[&str] = &[
    "utoipa::OpenApi",
    "utoipa::path",
    "utoipa_axum",
    "OpenApiRouter",
    "aide::axum",
    "ApiRouter",
    "poem_openapi::OpenApi",
    "poem_openapi::OpenApiService",
    "OpenApiService",
    "paperclip",
    "rocket_okapi",
    "openapi_get_routes",
    "apistos",
    "oasgen",
    "salvo::oapi",
    "utoipa::ToSchema",
];

/// Most routes or operations listed per direction.
const LIST: usize = 10;

/// Why the rule cannot compare, or `None` when it can.
fn preconditions(facts: &Facts) -> Option<Outcome> {
    if let Some(na) = unless_server(facts).or_else(|| unless_api(facts)) {
        return Some(na);
    }
    let http = facts.routes.iter().any(|r| !r.grpc);
    if !http && facts.routes.iter().any(|r| r.grpc) && facts.specs.is_empty() {
        return Some(Outcome::na(
            "gRPC only: the .proto files are its contract, not an OpenAPI document",
        ));
    }
    None
}

/// A spec generator wired in code, with where.
fn generator(facts: &Facts) -> Vec<Evidence> {
    // The strongest signs first: the document derive and path attributes.
    if facts.dep_hits(GENERATOR_CRATES).is_empty() {
        return Vec::new();
    }
    let hits = find_refs(facts, GENERATOR_PATHS, false);
    let rank = |h: &crate::facts::query::Hit| {
        GENERATOR_PATHS
            .iter()
            .position(|p| crate::facts::query::path_matches(h.what.trim_matches('`'), p))
            .unwrap_or(usize::MAX)
    };
    let mut ranked: Vec<_> = hits.iter().collect();
    ranked.sort_by_cached_key(|h| rank(h));
    let mut ev: Vec<Evidence> = ranked
        .into_iter()
        .take(3)
        .map(|h| {
            Evidence::new(
                h.location.clone(),
                format!("spec generator in code: {}", h.what),
            )
        })
        .collect();
    if ev.is_empty() {
        return ev;
    }
    ev.extend(
        facts
            .dep_hits(GENERATOR_CRATES)
            .into_iter()
            .take(1)
            .map(Evidence::from),
    );
    ev
}

fn spec_ops(facts: &Facts) -> usize {
    facts.specs.iter().map(|s| s.operations.len()).sum()
}

fn no_spec(facts: &Facts, routes: usize) -> Outcome {
    let crates = facts.dep_hits(GENERATOR_CRATES);
    if routes == 0 {
        return Outcome::manual(
            "no OpenAPI document, and no API routes were found in code: whether this service has an API to document could not be seen",
        )
        .at(facts.router_anchor().unwrap_or_else(|| facts.anchor()), "no routes seen here")
        .with_hits(crates);
    }
    let mut o = Outcome::fail(if crates.is_empty() {
        format!("no OpenAPI document: {routes} API route(s) are described nowhere clients or tools can read")
    } else {
        format!("{} — but nothing in code generates a document from it, and no spec file is in the tree", crates[0].what)
    })
    .at(
        facts.router_anchor().unwrap_or_else(|| facts.anchor()),
        format!("{routes} route(s) built here, no OpenAPI document describes them"),
    );
    o = o.with_hits(crates);
    o.looked_for("an OpenAPI document (openapi.yaml/json, 3.0 or 3.1) or one generated from code (utoipa, aide, poem-openapi, paperclip, okapi)")
}

/// The join of routes and specs, or the outcome when there is nothing to
/// compare: no spec, a generator whose operations could not be read, a spec
/// without operations.
fn comparable<'a>(facts: &'a Facts, purpose: &str) -> Result<Join<'a>, Outcome> {
    if let Some(o) = preconditions(facts) {
        return Err(o);
    }
    let join = Join::build(facts);
    if spec_ops(facts) > 0 {
        return Ok(join);
    }
    let gen = generator(facts);
    if !gen.is_empty() {
        return Err(Outcome::manual(format!(
            "an OpenAPI generator is wired in code, but its operations could not be read, so {purpose}"
        ))
        .with(gen));
    }
    if facts.specs.is_empty() {
        return Err(no_spec(
            facts,
            join.documented.len() + join.undocumented.len(),
        ));
    }
    Err(Outcome::fail("the OpenAPI document declares no operations")
        .with(
            facts
                .specs
                .iter()
                .map(|s| Evidence::new(Location::file(s.path.clone()), "spec with no paths")),
        )
        .looked_for("operations for the service's routes"))
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let join = match comparable(facts, "routes and spec are not compared") {
        Ok(j) => j,
        Err(o) => return o,
    };
    let n_routes = join.documented.len() + join.undocumented.len();
    let spec_ev: Vec<Evidence> = facts
        .specs
        .iter()
        .map(|s| {
            Evidence::new(
                Location::file(s.path.clone()),
                format!(
                    "OpenAPI {} document with {} operation(s)",
                    s.version,
                    s.operations.len()
                ),
            )
        })
        .collect();
    if n_routes == 0 {
        return Outcome::manual(
            "an OpenAPI document is present, but no routes were found in code to compare it with",
        )
        .with(spec_ev);
    }
    let unrelated = join.unrelated_specs(&facts.specs);
    let (undoc, unimpl) = directions(&join, &unrelated);
    let mut ev = spec_ev;
    ev.extend(inferred(&join));
    let looked = "every API route in the spec and every spec operation served by a route (same method, same path after the server base)";
    if join.documented.is_empty() && join.method_mismatch.is_empty() {
        // A spec with no endpoint in common is far more often one whose routes
        // are registered in ways seaworthy cannot read than a wholly stale one.
        return Outcome::manual(format!(
            "the OpenAPI document(s) share no endpoint with the {n_routes} route(s) seaworthy found in code: routes registered in ways it cannot read, or a spec of another API; compare them by hand"
        ))
        .with(ev)
        .with(undoc)
        .with(unimpl);
    }
    for s in &unrelated {
        ev.push(Evidence::new(
            Location::file(s.path.clone()),
            "note: this spec matches no route in code (another service's or a client's spec); not compared",
        ));
    }
    let n_undoc = join.undocumented.len();
    let n_unimpl = join
        .unimplemented
        .iter()
        .filter(|o| !unrelated.iter().any(|s| std::ptr::eq(*s, o.spec)))
        .count();
    if n_undoc == 0 && n_unimpl == 0 {
        let first = &join.documented[0];
        ev.push(Evidence::new(
            first.0.location.clone(),
            format!(
                "{} {} is documented at {}",
                first.0.method,
                first.0.path,
                first.1[0].location()
            ),
        ));
        return Outcome::pass(format!(
            "the OpenAPI document matches the code: all {n_routes} API route(s) documented, every operation served"
        ))
        .with(ev);
    }
    let mut parts = Vec::new();
    if n_undoc > 0 {
        parts.push(format!("{n_undoc} of {n_routes} route(s) undocumented"));
    }
    if n_unimpl > 0 {
        parts.push(format!("{n_unimpl} spec operation(s) not served by code"));
    }
    Outcome::partial(format!("spec and code disagree: {}", parts.join("; ")))
        .with(undoc)
        .with(unimpl)
        .with_found(ev)
        .looked_for(looked)
}

/// Both directions of a join as evidence: routes missing from the spec, and
/// operations missing from the code (specs unrelated to the code left out).
fn directions(
    join: &Join<'_>,
    unrelated: &[&crate::extract::openapi::SpecDoc],
) -> (Vec<Evidence>, Vec<Evidence>) {
    let undoc = join
        .undocumented
        .iter()
        .take(LIST)
        .map(|r| {
            Evidence::new(
                r.location.clone(),
                format!("{} {} is not in the spec", r.method, r.path),
            )
        })
        .collect();
    let unimpl = join
        .unimplemented
        .iter()
        .filter(|o| !unrelated.iter().any(|s| std::ptr::eq(*s, o.spec)))
        .take(LIST)
        .map(|o| {
            let served = join
                .method_mismatch
                .iter()
                .find(|(m, _)| std::ptr::eq(m.op, o.op))
                .map(|(_, rs)| {
                    format!(
                        " (code serves {} on that path)",
                        rs.iter()
                            .map(|r| r.method.as_str())
                            .collect::<Vec<_>>()
                            .join("/")
                    )
                })
                .unwrap_or_default();
            Evidence::new(
                o.location(),
                format!("spec: {} is not served by any route{served}", o.label()),
            )
        })
        .collect();
    (undoc, unimpl)
}

fn inferred(join: &Join<'_>) -> Vec<Evidence> {
    join.inferred_base
        .iter()
        .map(|(path, prefix, n)| {
            Evidence::new(
                Location::file(path.clone()),
                format!("note: the spec states no base path; `{prefix}` inferred from {n} path(s) that line up"),
            )
        })
        .collect()
}

/// `ready.openapi-complete`.
pub fn decide_complete(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let join = match comparable(facts, "they are not checked") {
        Ok(j) => j,
        Err(o) => return o,
    };
    let unrelated = join.unrelated_specs(&facts.specs);
    let mut gaps: Vec<Evidence> = Vec::new();
    let mut complete = 0usize;
    let mut total = 0usize;
    let mut missing_counts = [0usize; 3];
    for spec in facts
        .specs
        .iter()
        .filter(|s| !unrelated.iter().any(|u| std::ptr::eq(*u, *s)))
    {
        for op in &spec.operations {
            total += 1;
            let mut missing = Vec::new();
            if op.operation_id.as_deref().is_none_or(str::is_empty) {
                missing.push("operationId");
                missing_counts[0] += 1;
            }
            if op.summary.as_deref().is_none_or(|s| s.trim().is_empty()) {
                missing.push("summary");
                missing_counts[1] += 1;
            }
            // Health, metrics and build-info operations need no error responses.
            let errors = is_infra_path(&op.path)
                || op.responses.iter().any(|r| {
                    r.status.starts_with('4') || r.status.starts_with('5') || r.status == "default"
                });
            if !errors {
                missing.push("error responses");
                missing_counts[2] += 1;
            }
            if missing.is_empty() {
                complete += 1;
            } else if gaps.len() < LIST {
                gaps.push(Evidence::new(
                    Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                    format!(
                        "spec: {} {} has no {}",
                        op.method,
                        op.path,
                        missing.join(", no ")
                    ),
                ));
            }
        }
    }
    let (undoc, _) = directions(&join, &unrelated);
    let n_undoc = join.undocumented.len();
    let looked = "an operationId, a summary and 4xx/5xx responses on every operation, and every API route in the spec";
    let spec_ev = facts
        .specs
        .iter()
        .filter(|s| !unrelated.iter().any(|u| std::ptr::eq(*u, *s)))
        .map(|s| {
            Evidence::new(
                Location::file(s.path.clone()),
                format!("OpenAPI document with {} operation(s)", s.operations.len()),
            )
        });
    if complete == total && join.documented.is_empty() && n_undoc == 0 {
        // Only half of the item can be seen: no route to check coverage with.
        return Outcome::manual(format!(
            "all {total} operation(s) have an operationId, a summary and error responses, but no routes were found in code to check that every route is documented"
        ))
        .with(spec_ev);
    }
    if complete == total && n_undoc == 0 {
        return Outcome::pass(format!(
            "all {total} operation(s) have an operationId, a summary and error responses, and every API route is documented"
        ))
        .with(spec_ev);
    }
    let mut parts = Vec::new();
    for (n, what) in missing_counts
        .iter()
        .zip(["operationId", "summary", "error responses"])
    {
        if *n > 0 {
            parts.push(format!("{n} without {what}"));
        }
    }
    if n_undoc > 0 {
        parts.push(format!("{n_undoc} route(s) undocumented"));
    }
    let summary = format!(
        "{complete} of {total} operation(s) complete; {}",
        parts.join(", ")
    );
    let outcome = if complete == 0 {
        Outcome::fail(summary)
    } else {
        Outcome::partial(summary)
    };
    outcome
        .with(gaps)
        .with(undoc)
        .with_found(spec_ev)
        .looked_for(looked)
}
