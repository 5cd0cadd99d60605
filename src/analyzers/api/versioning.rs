//! `api.versioning`: clients can tell which version of the API they call.
//!
//! Any of these strategies counts; which ones a team accepts is a list
//! ([`Strategy::ALL`] by default; [`decide_with`] takes another, so a config
//! option can narrow it):
//! - **URL path**: a version segment (`/v1`, `/v2beta1`) in code routes
//!   (`nest("/v1", ..)`, `web::scope("/api/v1")`), spec paths, or spec server
//!   URLs (`https://api.example.com/v1`);
//! - **header**: a version header read or declared (`Api-Version`,
//!   `X-API-Version`, `Accept-Version`) in code literals or spec parameters;
//! - **media type**: a versioned media type (`application/vnd.acme.v2+json`,
//!   `application/json; version=2`) in code literals or spec content types;
//! - **query parameter**: `api-version` / `api_version` (spec parameters, code
//!   literals or query fields);
//! - **gRPC package**: for a service that serves gRPC, a versioned package
//!   (`package acme.orders.v1;`) in the `.proto` files that define services
//!   (or in the service names, with no proto in the tree).
//!
//! A URL strategy covers the routes under a version segment: housekeeping
//! routes (health, metrics, docs) are exempt, and server-rendered pages next to
//! an `/api` tree are not judged (see `spec_routes::api_routes`). Header, media
//! type and query strategies cover the whole API.
//!
//! pass: every API route is versioned by an accepted strategy · partial: some
//! routes are, or only a strategy that is not accepted is seen · fail: no
//! versioning · manual: no routes to judge · n/a: no HTTP/gRPC server.

use super::spec_routes::{api_routes, is_version_segment, server_base, unless_api};
use crate::analyzers::unless_server;
use crate::classify::FileKind;
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// How an API states its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    UrlPath,
    Header,
    MediaType,
    QueryParam,
    GrpcPackage,
}

impl Strategy {
    /// Every strategy: the default list of accepted ones.
    pub const ALL: &'static [Strategy] = &[
        Strategy::UrlPath,
        Strategy::Header,
        Strategy::MediaType,
        Strategy::QueryParam,
        Strategy::GrpcPackage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::UrlPath => "URL path",
            Strategy::Header => "version header",
            Strategy::MediaType => "versioned media type",
            Strategy::QueryParam => "version query parameter",
            Strategy::GrpcPackage => "versioned gRPC package",
        }
    }

    /// Parse a strategy name as a config file would spell it.
    pub fn parse(s: &str) -> Option<Strategy> {
        Some(
            match s.to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
                "url" | "url-path" | "path" | "prefix" | "url-prefix" => Strategy::UrlPath,
                "header" => Strategy::Header,
                "media-type" | "content-type" | "accept" => Strategy::MediaType,
                "query" | "query-param" | "query-parameter" => Strategy::QueryParam,
                "grpc" | "grpc-package" | "package" => Strategy::GrpcPackage,
                _ => return None,
            },
        )
    }
}

/// Header names that carry an API version (compared lower-case).
const VERSION_HEADERS: &[&str] = &[
    "api-version",
    "x-api-version",
    "accept-version",
    "x-version",
    "x-api-ver",
    "version-id",
];

/// Query parameter names that carry an API version (compared lower-case, `_`→`-`).
const VERSION_QUERY: &[&str] = &["api-version", "api-ver"];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    decide_with(facts, Strategy::ALL)
}

/// Decide with an explicit list of accepted strategies.
pub fn decide_with(facts: &Facts, accepted: &[Strategy]) -> Outcome {
    if let Some(na) = unless_server(facts).or_else(|| unless_api(facts)) {
        return na;
    }
    let routes = api_routes(facts);
    let spec_ops: usize = facts.specs.iter().map(|s| s.operations.len()).sum();
    // Protos count only for a service that serves gRPC (not a client's protos).
    let packages = if facts.routes.iter().any(|r| r.grpc) {
        grpc_packages(facts)
    } else {
        Vec::new()
    };
    if routes.is_empty() && spec_ops == 0 && packages.is_empty() {
        return Outcome::manual("no API routes or OpenAPI operations found to judge versioning")
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no routes seen here",
            );
    }
    let mut parts = Vec::new();
    if !routes.is_empty() || spec_ops > 0 {
        parts.push(http_part(facts, &routes, accepted));
    }
    if !packages.is_empty() {
        parts.push(grpc_part(packages, accepted));
    }
    let looked = format!(
        "a version on every API route by an accepted strategy ({})",
        accepted
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut evidence = Vec::new();
    for p in &parts {
        evidence.extend(p.missing.iter().take(8).cloned());
    }
    for p in &parts {
        evidence.extend(p.seen.iter().take(6).cloned().map(Evidence::as_found));
        evidence.extend(p.not_accepted.iter().cloned());
    }
    if parts.iter().all(|p| p.coverage == Coverage::Full) {
        let by: Vec<&str> = parts
            .iter()
            .filter_map(|p| p.by.map(Strategy::name))
            .collect();
        return Outcome::pass(format!(
            "every API route carries its version ({})",
            by.join(", ")
        ))
        .with(evidence);
    }
    if let Some(p) = parts.iter().find(|p| p.coverage == Coverage::Some) {
        return Outcome::partial(format!(
            "{} of {} {} carry a version; not: {}",
            p.versioned,
            p.total,
            p.what,
            p.missing_names
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with(evidence)
        .looked_for(looked);
    }
    if parts
        .iter()
        .any(|p| p.coverage == Coverage::Full || !p.not_accepted.is_empty())
    {
        return Outcome::partial(
            "part of the API is versioned, or it is versioned but not by a strategy this audit accepts",
        )
        .with(evidence)
        .looked_for(looked);
    }
    if evidence.is_empty() {
        evidence.push(Evidence::new(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no version segment, version header or versioned media type in the API built here",
        ));
    }
    let what: Vec<String> = parts
        .iter()
        .map(|p| format!("{} {}", p.total, p.what))
        .collect();
    Outcome::fail(format!(
        "no API versioning: {} without a version, and no version header or media type",
        what.join(" and ")
    ))
    .with(evidence)
    .looked_for(looked)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    Full,
    Some,
    None,
}

/// How one kind of API surface (HTTP routes, gRPC services) is versioned.
struct Part {
    /// `API route(s)`, `gRPC package(s)`.
    what: &'static str,
    coverage: Coverage,
    by: Option<Strategy>,
    total: usize,
    versioned: usize,
    seen: Vec<Evidence>,
    missing: Vec<Evidence>,
    missing_names: Vec<String>,
    /// Versioning seen by a strategy that is not accepted.
    not_accepted: Vec<Evidence>,
}

/// HTTP routes and spec operations: a global strategy (header, media type,
/// query parameter) versions all of them; a URL segment versions those under it.
fn http_part(facts: &Facts, routes: &[&Route], accepted: &[Strategy]) -> Part {
    let ok = |s: Strategy| accepted.contains(&s);
    let mut part = Part {
        what: "API route(s)",
        coverage: Coverage::None,
        by: None,
        total: routes.len(),
        versioned: 0,
        seen: Vec::new(),
        missing: Vec::new(),
        missing_names: Vec::new(),
        not_accepted: Vec::new(),
    };
    let global = header_and_media(facts);
    for (s, e) in &global {
        if ok(*s) {
            part.coverage = Coverage::Full;
            part.by.get_or_insert(*s);
            part.seen.push(Evidence::new(
                e.location.clone(),
                format!("{}: {}", s.name(), e.message),
            ));
        } else {
            part.not_accepted.push(Evidence::new(
                e.location.clone(),
                format!("{} (not an accepted strategy): {}", s.name(), e.message),
            ));
        }
    }
    let mut url_seen = Vec::new();
    for r in routes {
        if path_versioned(&r.path) {
            part.versioned += 1;
            if url_seen.len() < 3 {
                url_seen.push(Evidence::new(
                    r.location.clone(),
                    format!("{} {} is under a version segment", r.method, r.path),
                ));
            }
        } else {
            part.missing_names.push(format!("{} {}", r.method, r.path));
            part.missing.push(Evidence::new(
                r.location.clone(),
                format!("{} {} has no version", r.method, r.path),
            ));
        }
    }
    let mut spec_unversioned = false;
    for spec in &facts.specs {
        let by_server = spec
            .servers
            .iter()
            .find(|u| server_base(u).split('/').any(is_version_segment));
        if let Some(url) = by_server {
            url_seen.push(Evidence::new(
                Location::file(spec.path.clone()),
                format!("spec server `{url}` carries the version"),
            ));
            continue;
        }
        for op in &spec.operations {
            if path_versioned(&op.path) {
                if url_seen.len() < 6 {
                    url_seen.push(Evidence::new(
                        Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                        format!("spec: {} {} is under a version segment", op.method, op.path),
                    ));
                }
            } else {
                spec_unversioned = true;
            }
        }
    }
    if part.coverage == Coverage::Full {
        part.missing.clear();
        part.seen.extend(url_seen);
        return part;
    }
    // Routes decide when the code shows them; the spec decides otherwise.
    let url_full = if routes.is_empty() {
        !spec_unversioned && !url_seen.is_empty()
    } else {
        part.versioned == routes.len()
    };
    let url_some = !url_seen.is_empty();
    if !ok(Strategy::UrlPath) {
        part.not_accepted.extend(url_seen.into_iter().map(|e| {
            Evidence::new(
                e.location,
                format!("not an accepted strategy: {}", e.message),
            )
        }));
        return part;
    }
    part.seen.extend(url_seen);
    if url_full {
        part.coverage = Coverage::Full;
        part.by = Some(Strategy::UrlPath);
    } else if url_some {
        part.coverage = Coverage::Some;
    }
    part
}

/// gRPC: the packages of the `.proto` files that define services (or, with no
/// proto in the tree, the names of the services added to the server).
fn grpc_part(packages: Vec<(Evidence, bool)>, accepted: &[Strategy]) -> Part {
    let total = packages.len();
    let versioned = packages.iter().filter(|(_, v)| *v).count();
    let mut part = Part {
        what: "gRPC package(s)",
        coverage: Coverage::None,
        by: None,
        total,
        versioned,
        seen: Vec::new(),
        missing: Vec::new(),
        missing_names: Vec::new(),
        not_accepted: Vec::new(),
    };
    for (e, v) in packages {
        if v {
            part.seen.push(e);
        } else {
            part.missing_names.push(e.message.clone());
            part.missing.push(e);
        }
    }
    if !accepted.contains(&Strategy::GrpcPackage) {
        part.not_accepted = std::mem::take(&mut part.seen)
            .into_iter()
            .map(|e| {
                Evidence::new(
                    e.location,
                    format!("not an accepted strategy: {}", e.message),
                )
            })
            .collect();
        return part;
    }
    part.coverage = match versioned {
        0 => Coverage::None,
        n if n == total => Coverage::Full,
        _ => Coverage::Some,
    };
    if part.coverage == Coverage::Full {
        part.by = Some(Strategy::GrpcPackage);
    }
    part
}

/// The gRPC packages of the service, each with whether it is versioned.
fn grpc_packages(facts: &Facts) -> Vec<(Evidence, bool)> {
    let mut out = Vec::new();
    for t in facts.texts_where(|t| t.kind == FileKind::Proto && t.role.is_service()) {
        if !t
            .text
            .lines()
            .any(|l| l.trim_start().starts_with("service "))
        {
            continue;
        }
        let Some((line, pkg)) = t.text.lines().enumerate().find_map(|(i, l)| {
            l.trim()
                .strip_prefix("package ")
                .map(|p| (i as u32 + 1, p.trim_end_matches(';').trim().to_string()))
        }) else {
            continue;
        };
        let v = grpc_package_versioned(&pkg);
        let what = if v {
            format!("proto package `{pkg}` is versioned")
        } else {
            format!("proto package `{pkg}` has no version")
        };
        out.push((Evidence::new(Location::new(t.path.clone(), line), what), v));
    }
    if out.is_empty() {
        for r in facts.routes.iter().filter(|r| r.grpc) {
            let v = grpc_package_versioned(&r.path);
            let what = if v {
                format!("gRPC service `{}` is in a versioned package", r.path)
            } else {
                format!("gRPC service `{}` has no versioned package", r.path)
            };
            out.push((Evidence::new(r.location.clone(), what), v));
        }
    }
    out
}

/// Whether a path has a version segment.
fn path_versioned(path: &str) -> bool {
    path.split('/').any(is_version_segment)
}

/// `acme.orders.v1.Orders` / `/acme.orders.v1.Orders/Get`.
fn grpc_package_versioned(name: &str) -> bool {
    name.split(['.', '/']).any(is_version_segment)
}

/// Header, media-type and query-parameter versioning seen in code literals and
/// the specs.
fn header_and_media(facts: &Facts) -> Vec<(Strategy, Evidence)> {
    let mut out = Vec::new();
    let have = |s: Strategy, out: &mut Vec<(Strategy, Evidence)>, e: Evidence| {
        if out.iter().filter(|(x, _)| *x == s).count() < 2 {
            out.push((s, e));
        }
    };
    for (_, f) in facts.service_rust() {
        // Only where the service reads requests: a client sending `Api-Version`
        // to another API does not version this one.
        let serving: Vec<u32> = f
            .fns
            .iter()
            .enumerate()
            .filter(|(_, func)| func.params.iter().any(|p| reads_request(&p.ty)))
            .map(|(i, _)| i as u32)
            .collect();
        for l in f
            .literals
            .iter()
            .filter(|l| !l.test && l.in_fn.is_some_and(|i| serving.contains(&i)))
        {
            let v = l.value.to_ascii_lowercase();
            let at = Location::new(f.path.clone(), l.line);
            if VERSION_HEADERS.contains(&v.as_str()) {
                have(
                    Strategy::Header,
                    &mut out,
                    Evidence::new(at, format!("header `{}` in code", l.value)),
                );
            } else if is_versioned_media_type(&v) {
                have(
                    Strategy::MediaType,
                    &mut out,
                    Evidence::new(at, format!("media type `{}` in code", l.value)),
                );
            } else if VERSION_QUERY.contains(&v.replace('_', "-").as_str()) {
                have(
                    Strategy::QueryParam,
                    &mut out,
                    Evidence::new(at, format!("query key `{}` in code", l.value)),
                );
            }
        }
    }
    for spec in &facts.specs {
        for op in &spec.operations {
            let at = Location::new(spec.path.clone(), op.line.unwrap_or(0));
            for p in &op.params {
                let n = p.name.to_ascii_lowercase();
                if p.location == "header" && VERSION_HEADERS.contains(&n.as_str()) {
                    have(
                        Strategy::Header,
                        &mut out,
                        Evidence::new(
                            at.clone(),
                            format!("spec: {} {} takes header `{}`", op.method, op.path, p.name),
                        ),
                    );
                }
                if p.location == "query" && VERSION_QUERY.contains(&n.replace('_', "-").as_str()) {
                    have(
                        Strategy::QueryParam,
                        &mut out,
                        Evidence::new(
                            at.clone(),
                            format!("spec: {} {} takes query `{}`", op.method, op.path, p.name),
                        ),
                    );
                }
            }
            let cts = op
                .responses
                .iter()
                .flat_map(|r| r.content_types.iter())
                .chain(op.request_body.iter().flat_map(|b| b.content_types.iter()));
            for ct in cts {
                if is_versioned_media_type(&ct.to_ascii_lowercase()) {
                    have(
                        Strategy::MediaType,
                        &mut out,
                        Evidence::new(
                            at.clone(),
                            format!("spec: {} {} uses `{ct}`", op.method, op.path),
                        ),
                    );
                }
            }
        }
    }
    out
}

/// Parameter types through which a function reads an incoming request.
fn reads_request(ty: &str) -> bool {
    [
        "Request",
        "HeaderMap",
        "TypedHeader",
        "Next",
        "Parts",
        "Headers",
    ]
    .iter()
    .any(|t| ty.contains(t))
        && !ty.contains("reqwest")
}

/// `application/vnd.acme.v2+json`, `application/json; version=2`.
fn is_versioned_media_type(v: &str) -> bool {
    if v.contains(' ') && !v.contains(';') || !v.contains('/') {
        return false;
    }
    let (kind, params) = v.split_once(';').unwrap_or((v, ""));
    // `text/plain; version=0.0.4` is Prometheus' exposition format, not an API.
    if !kind.trim().starts_with("application/") {
        return false;
    }
    let vendor_versioned =
        kind.contains("/vnd.") && kind.split(['.', '+', '/', '-']).any(is_version_segment);
    vendor_versioned || params.contains("version=") || params.contains("v=")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Status;

    #[test]
    fn media_types() {
        assert!(is_versioned_media_type("application/vnd.acme.v2+json"));
        assert!(is_versioned_media_type("application/json; version=2"));
        assert!(!is_versioned_media_type("application/vnd.api+json"));
        assert!(!is_versioned_media_type("application/json"));
        assert!(!is_versioned_media_type("text/plain; version=0.0.4"));
    }

    #[test]
    fn strategy_names_parse() {
        assert_eq!(Strategy::parse("url-prefix"), Some(Strategy::UrlPath));
        assert_eq!(Strategy::parse("media_type"), Some(Strategy::MediaType));
        assert_eq!(Strategy::parse("nope"), None);
    }

    fn facts_with(paths: &[&str]) -> Facts {
        Facts {
            routes: paths
                .iter()
                .map(|p| Route {
                    method: "GET".into(),
                    path: p.to_string(),
                    handler: None,
                    framework: "axum".into(),
                    location: Location::new("src/main.rs", 3),
                    handler_fn: None,
                    layers: vec![],
                    query: vec![],
                    mounted: true,
                    grpc: false,
                    fallback: false,
                    documented: false,
                })
                .collect(),
            ..Facts::default()
        }
    }

    #[test]
    fn accepted_strategies_are_a_list() {
        let f = facts_with(&["/v1/orders", "/v1/orders/{id}", "/healthz"]);
        assert_eq!(decide_with(&f, Strategy::ALL).status, Status::Pass);
        // A team that versions by header only does not accept URL prefixes.
        let o = decide_with(&f, &[Strategy::Header]);
        assert_eq!(o.status, Status::Partial);
        assert!(o.summary.contains("not by a strategy this audit accepts"));
        assert!(o.evidence[0].message.contains("not an accepted strategy"));
    }

    #[test]
    fn some_routes_unversioned_is_partial() {
        let f = facts_with(&["/v1/orders", "/orders/{id}"]);
        let o = decide_with(&f, Strategy::ALL);
        assert_eq!(o.status, Status::Partial);
        assert!(o.summary.contains("1 of 2 API route(s) carry a version"));
    }

    #[test]
    fn grpc_packages() {
        assert!(grpc_package_versioned("acme.orders.v1.Orders"));
        assert!(!grpc_package_versioned("helloworld.Greeter"));
    }
}
