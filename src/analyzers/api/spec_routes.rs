//! Spec operations ↔ code routes: the join several API rules share.
//!
//! A code route and a spec operation name the same endpoint when their paths
//! have the same shape once parameter names are erased (`/users/{id}` ≡
//! `/users/{user_id}`), allowing for the spec's server base path
//! (`servers: [{url: https://x/api/v1}]`, Swagger `basePath`). When a spec
//! states no base but every code route sits under one static prefix the spec
//! omits (`nest("/api", ..)` with spec paths `/users`), that prefix is inferred
//! from the routes that line up and said in the evidence.
//!
//! The **API surface** is the set of routes a client of the API calls: HTTP
//! routes (not gRPC), without housekeeping endpoints (health, metrics, API docs,
//! favicon), static assets (`/app.js`), webhook receivers (their sender
//! defines the contract) and pages: routes whose handler visibly answers HTML,
//! templates, redirects, files or plain text. When some routes live under an
//! `/api` segment, a route outside it counts only when its handler visibly
//! answers JSON.

use crate::analyzers::obs::health::is_health_path;
use crate::extract::openapi::{Operation, SpecDoc};
use crate::facts::{Facts, Route};
use crate::location::Location;
use std::collections::BTreeMap;

/// A path with parameter names erased and no trailing slash: `/users/{id}/` →
/// `/users/{}`.
pub fn shape_key(path: &str) -> String {
    let key = path
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    match key.trim_end_matches('/') {
        "" => "/".to_string(),
        k => k.to_string(),
    }
}

/// The path part of a spec server URL (`https://x.example/api/v1/` → `/api/v1`).
pub fn server_base(url: &str) -> &str {
    url.split_once("://")
        .map(|(_, rest)| rest.find('/').map(|i| &rest[i..]).unwrap_or(""))
        .unwrap_or(url)
        .trim_end_matches('/')
}

/// Whether a code route path and a spec path name the same endpoint, allowing
/// for a server base path (`servers: [{url: /api/v1}]`).
pub fn spec_matches(code: &str, spec_path: &str, spec: &SpecDoc) -> bool {
    let c = shape_key(code);
    let s = shape_key(spec_path);
    if c == s {
        return true;
    }
    spec.servers.iter().any(|url| {
        let base = server_base(url);
        !base.is_empty() && !base.contains('{') && c == under_base(base, &s)
    })
}

fn under_base(base: &str, path: &str) -> String {
    if path == "/" {
        base.to_string()
    } else {
        format!("{base}{path}")
    }
}

/// Housekeeping paths that are not part of an API's contract.
const INFRA_SEGMENTS: &[&str] = &[
    "metrics",
    "metrics.pb",
    "debug",
    "prometheus",
    "favicon.ico",
    "robots.txt",
    "swagger",
    "swagger-ui",
    "swagger-ui.html",
    "swagger.json",
    "swagger.yaml",
    "openapi",
    "openapi.json",
    "openapi.yaml",
    "openapi.yml",
    "api-docs",
    "api-doc",
    "apidocs",
    "docs",
    "redoc",
    "rapidoc",
    "scalar",
    "version",
    "build-info",
    "buildinfo",
];

/// Whether a route is housekeeping (health, metrics, API docs, favicon) rather
/// than part of the API.
pub fn is_infra_path(path: &str) -> bool {
    if is_health_path(path) {
        return true;
    }
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let Some(first) = segs.first() else {
        return false;
    };
    // `/metrics`, `/docs/{*rest}`, `/api/openapi.json`, `/api/v1/swagger-ui`;
    // `/.well-known/*` paths are defined by their own standards (RFC 8615).
    if INFRA_SEGMENTS.contains(&first.as_str()) || first == ".well-known" {
        return true;
    }
    let statics: Vec<&String> = segs.iter().filter(|s| !s.starts_with('{')).collect();
    let Some((last, before)) = statics.split_last() else {
        return false;
    };
    INFRA_SEGMENTS.contains(&last.as_str())
        && before
            .iter()
            .all(|s| *s == "api" || *s == "internal" || is_version_segment(s))
}

/// `v1`, `v2`, `v1.1`, `v1beta1`, `v2alpha` — a version path segment.
pub fn is_version_segment(seg: &str) -> bool {
    let s = seg.to_ascii_lowercase();
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return false;
    }
    let tail = &rest[digits.len()..];
    tail.is_empty()
        || tail
            .strip_prefix('.')
            .is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
        || ["alpha", "beta"].iter().any(|w| {
            tail.strip_prefix(w)
                .is_some_and(|t| t.chars().all(|c| c.is_ascii_digit()))
        })
}

/// Whether a path has an `api` segment among its first two.
fn under_api(path: &str) -> bool {
    path.split('/')
        .filter(|s| !s.is_empty())
        .take(2)
        .any(|s| s.eq_ignore_ascii_case("api") || s.to_ascii_lowercase().starts_with("api-"))
}

/// File extensions of static assets served by a route.
const ASSET_EXTENSIONS: &[&str] = &[
    "js",
    "mjs",
    "css",
    "map",
    "svg",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "ico",
    "html",
    "htm",
    "txt",
    "woff",
    "woff2",
    "ttf",
    "wasm",
    "xml",
    "webmanifest",
];

/// Path prefixes and handler-name words of static file serving.
const ASSET_WORDS: &[&str] = &[
    "assets", "asset", "static", "public", "dist", "img", "images", "css", "js", "fonts",
    "favicon", "favicons", "embed", "embedded", "spa", "frontend",
];

/// Whether a route serves static files (`/app.js`, `/assets/{*path}`, a
/// handler named `static_files`).
fn is_asset_route(r: &Route) -> bool {
    let last = r.path.rsplit('/').next().unwrap_or("");
    let by_ext = last == "manifest.json"
        || !last.starts_with('{')
            && last.rsplit_once('.').is_some_and(|(_, ext)| {
                ASSET_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
            });
    let first = r
        .path
        .split('/')
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_ascii_lowercase();
    let by_prefix = ASSET_WORDS.contains(&first.as_str());
    let by_handler = r.handler.as_deref().is_some_and(|h| {
        let name = h.rsplit("::").next().unwrap_or(h);
        super::code::words(name)
            .iter()
            .any(|w| ASSET_WORDS.contains(&w.as_str()))
    });
    by_ext || by_prefix || by_handler
}

/// Whether a route receives webhooks: the sender defines its contract.
pub fn is_webhook_path(path: &str) -> bool {
    path.split('/').any(|seg| {
        let s = seg.to_ascii_lowercase();
        // `inbox`: ActivityPub deliveries, whose contract the protocol defines.
        s.ends_with("hook") || s.ends_with("hooks") || s.starts_with("webhook") || s == "inbox"
    })
}

/// What a route's handler visibly answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    Json,
    /// HTML, templates, redirects, files or plain text: a page, not an API.
    Page,
    Unknown,
}

/// Return types that answer pages or text rather than API data (the first six
/// also when the body builds them).
const PAGE_TYPES: &[&str] = &[
    "Html",
    "Template",
    "Markup",
    "Redirect",
    "NamedFile",
    "Ructe",
    "PreEscaped",
    "String",
    "str",
    "Flash",
    "File",
];

/// What a route's handler answers, as far as its signature and body show.
pub fn answers(facts: &Facts, r: &Route) -> Answers {
    let Some(body) = super::code::Body::of_route(facts, r) else {
        return Answers::Unknown;
    };
    let ret = body.func.ret.as_deref().unwrap_or("");
    let json = ret.contains("Json")
        || body.find_method(&["json"]).is_some()
        || body.macros().any(|m| m.path.ends_with("json"))
        || body
            .refs()
            .any(|p| p.path.ends_with("Json") || p.path.starts_with("serde_json::to_"))
        || body
            .literals()
            .any(|l| l.value.starts_with("application/json"));
    if json {
        return Answers::Json;
    }
    let words: Vec<&str> = ret
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    // `RespondOrRedirect`, `HtmlResponse`: page words inside a type name count.
    let page = words
        .iter()
        .any(|w| PAGE_TYPES.contains(w) || PAGE_TYPES[..6].iter().any(|p| w.contains(p)))
        || body
            .refs()
            .any(|p| PAGE_TYPES[..6].contains(&super::code::base_type(&p.path)))
        || body
            .literals()
            .any(|l| l.value.starts_with("text/html") || l.value.ends_with(".html"));
    if page {
        Answers::Page
    } else {
        Answers::Unknown
    }
}

/// The routes a client of the API calls (see the module docs), one per
/// method and path shape.
pub fn api_routes(facts: &Facts) -> Vec<&Route> {
    let http: Vec<(&Route, Answers)> = facts
        .routes
        .iter()
        .filter(|r| {
            // A `.fallback(..)` answers unmatched paths: it is no endpoint at
            // its prefix.
            !r.grpc
                && !r.fallback
                && !is_infra_path(&r.path)
                && !is_asset_route(r)
                && !is_webhook_path(&r.path)
        })
        .map(|r| (r, answers(facts, r)))
        .collect();
    let api_tree = http.iter().any(|(r, _)| under_api(&r.path));
    // An attribute route nothing mounts visibly, whose handler is mounted
    // elsewhere, is the same endpoint without its prefix.
    let mounted: std::collections::HashSet<(usize, usize)> = http
        .iter()
        .filter(|(r, _)| r.mounted)
        .filter_map(|(r, _)| r.handler_fn)
        .collect();
    let mut seen = std::collections::HashSet::new();
    http.into_iter()
        .filter(|(r, _)| r.mounted || r.handler_fn.is_none_or(|h| !mounted.contains(&h)))
        .filter(|(r, a)| match a {
            Answers::Json => true,
            Answers::Page => false,
            Answers::Unknown => !api_tree || under_api(&r.path),
        })
        .map(|(r, _)| r)
        .filter(|r| seen.insert((r.method.clone(), shape_key(&r.path))))
        .collect()
}

/// Crates that serve a GraphQL API.
const GRAPHQL_CRATES: &[&str] = &[
    "async-graphql",
    "async-graphql-axum",
    "async-graphql-actix-web",
    "async-graphql-poem",
    "juniper",
    "juniper_axum",
    "juniper_actix",
    "apollo-compiler",
];

/// `n/a` when the service serves GraphQL (whose schema is the contract, and
/// which answers 200 over POST by convention) and no OpenAPI document
/// describes a REST API beside it.
pub fn unless_graphql(facts: &Facts) -> Option<crate::rules::Outcome> {
    if !facts.specs.is_empty() {
        return None;
    }
    // Every server package serves GraphQL (in a workspace of several services,
    // one GraphQL service does not make the others GraphQL).
    let servers: Vec<_> = facts.server_packages().collect();
    let graphql: Vec<_> = servers
        .iter()
        .filter_map(|p| p.dep(GRAPHQL_CRATES).map(|d| (p, d)))
        .collect();
    let what = if !graphql.is_empty() && graphql.len() == servers.len() {
        let (p, d) = graphql[0];
        Some(format!("`{}` depends on `{}`", p.name, d.name))
    } else if servers.len() <= 1 {
        facts
            .routes
            .iter()
            .find(|r| r.path.to_ascii_lowercase().contains("graphql"))
            .filter(|_| {
                api_routes(facts)
                    .iter()
                    .all(|r| r.path.to_ascii_lowercase().contains("graphql"))
            })
            .map(|r| format!("route {} {}", r.method, r.path))
    } else {
        None
    };
    what.map(|what| {
        crate::rules::Outcome::na(format!(
            "a GraphQL API ({what}): its schema is the contract, not REST paths, statuses and an OpenAPI document"
        ))
    })
}

/// `n/a` when the service has no REST API to judge: it serves GraphQL (see
/// [`unless_graphql`]), or its HTTP routes serve pages, assets and webhooks
/// only and no OpenAPI document describes an API.
pub fn unless_api(facts: &Facts) -> Option<crate::rules::Outcome> {
    if let Some(na) = unless_graphql(facts) {
        return Some(na);
    }
    let http = facts.routes.iter().filter(|r| !r.grpc).count();
    if http == 0 || !facts.specs.is_empty() || !api_routes(facts).is_empty() {
        return None;
    }
    Some(crate::rules::Outcome::na(format!(
        "no API routes: the {http} HTTP route(s) serve pages, static assets, webhooks or housekeeping, not a JSON API"
    )))
}

/// Whether a code route's method serves a spec operation's method.
fn method_serves(code: &str, spec: &str) -> bool {
    code == spec || code == "ANY" || (code == "GET" && spec == "HEAD")
}

/// A spec operation with its document.
#[derive(Debug, Clone, Copy)]
pub struct OpRef<'a> {
    pub spec: &'a SpecDoc,
    pub op: &'a Operation,
}

impl OpRef<'_> {
    pub fn location(&self) -> Location {
        Location::new(self.spec.path.clone(), self.op.line.unwrap_or(0))
    }

    pub fn label(&self) -> String {
        format!("{} {}", self.op.method, self.op.path)
    }
}

/// How the routes of the API surface and the operations of the specs line up.
#[derive(Debug, Default)]
pub struct Join<'a> {
    /// Code routes with the operations that document them.
    pub documented: Vec<(&'a Route, Vec<OpRef<'a>>)>,
    /// API routes no spec operation documents.
    pub undocumented: Vec<&'a Route>,
    /// Spec operations no code route serves (method mismatches included).
    pub unimplemented: Vec<OpRef<'a>>,
    /// Spec operations whose path is served in code, but with other methods.
    pub method_mismatch: Vec<(OpRef<'a>, Vec<&'a Route>)>,
    /// A base path inferred for a spec that states none: (spec path, prefix,
    /// how many code paths it lines up).
    pub inferred_base: Vec<(String, String, usize)>,
}

impl<'a> Join<'a> {
    /// Join the API surface of `facts` with every spec.
    pub fn build(facts: &'a Facts) -> Join<'a> {
        Self::of(api_routes(facts), &facts.specs)
    }

    /// Join `routes` with `specs`.
    pub fn of(routes: Vec<&'a Route>, specs: &'a [SpecDoc]) -> Join<'a> {
        let mut join = Join::default();
        let bases: Vec<Option<String>> = specs
            .iter()
            .map(|s| {
                let b = infer_base(&routes, s);
                if let Some((prefix, n)) = &b {
                    join.inferred_base
                        .push((s.path.clone(), prefix.clone(), *n));
                }
                b.map(|(p, _)| p)
            })
            .collect();
        let same_path = |r: &Route, spec_i: usize, op: &Operation| -> bool {
            let spec = &specs[spec_i];
            if spec_matches(&r.path, &op.path, spec) {
                return true;
            }
            let c = shape_key(&r.path);
            let s = shape_key(&op.path);
            if let Some(base) = &bases[spec_i] {
                if c == under_base(base, &s) {
                    return true;
                }
            }
            // A route whose prefix is unknown (an attribute route nothing mounts
            // visibly) may sit under any base.
            !r.mounted && s.ends_with(&c) && c != "/"
        };
        for r in &routes {
            let mut ops = Vec::new();
            for (si, spec) in specs.iter().enumerate() {
                for op in &spec.operations {
                    if method_serves(&r.method, &op.method) && same_path(r, si, op) {
                        ops.push(OpRef { spec, op });
                    }
                }
            }
            if ops.is_empty() {
                join.undocumented.push(r);
            } else {
                join.documented.push((r, ops));
            }
        }
        for (si, spec) in specs.iter().enumerate() {
            for op in &spec.operations {
                let on_path: Vec<&Route> = routes
                    .iter()
                    .copied()
                    .filter(|r| same_path(r, si, op))
                    .collect();
                if on_path.iter().any(|r| method_serves(&r.method, &op.method)) {
                    continue;
                }
                let o = OpRef { spec, op };
                join.unimplemented.push(o);
                if !on_path.is_empty() {
                    join.method_mismatch.push((o, on_path));
                }
            }
        }
        join
    }

    /// The code route that serves a spec operation (same method and path).
    pub fn route_for(&self, op: &Operation) -> Option<&'a Route> {
        self.documented
            .iter()
            .find(|(_, ops)| ops.iter().any(|o| std::ptr::eq(o.op, op)))
            .map(|(r, _)| *r)
    }

    /// Operations of specs that line up with no code route at all: a spec of
    /// another service (a client's, a vendored one) rather than a stale one.
    pub fn unrelated_specs(&self, specs: &'a [SpecDoc]) -> Vec<&'a SpecDoc> {
        // Only beside a spec that does line up: with none, nothing is known.
        if self.documented.is_empty() {
            return Vec::new();
        }
        specs
            .iter()
            .filter(|s| !s.operations.is_empty())
            .filter(|s| {
                !self
                    .documented
                    .iter()
                    .any(|(_, ops)| ops.iter().any(|o| std::ptr::eq(o.spec, *s)))
                    && !self
                        .method_mismatch
                        .iter()
                        .any(|(o, _)| std::ptr::eq(o.spec, *s))
            })
            .collect()
    }
}

/// The static prefix that lines code routes up with a spec's paths, when the
/// spec's own servers do not: the prefix under which most spec paths are
/// found in code. `None` when the servers already match, or nothing lines up.
fn infer_base(routes: &[&Route], spec: &SpecDoc) -> Option<(String, usize)> {
    let direct = spec.operations.iter().any(|op| {
        routes
            .iter()
            .any(|r| r.mounted && spec_matches(&r.path, &op.path, spec))
    });
    if direct {
        return None;
    }
    // prefix → the code paths it lines up with a spec path.
    let mut lined_up: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for op in &spec.operations {
        let s = shape_key(&op.path);
        if s == "/" {
            continue;
        }
        for r in routes.iter().filter(|r| r.mounted) {
            let c = shape_key(&r.path);
            if let Some(prefix) = c.strip_suffix(s.as_str()) {
                if !prefix.is_empty() && !prefix.contains('{') && prefix.starts_with('/') {
                    lined_up
                        .entry(prefix.to_string())
                        .or_default()
                        .insert(c.clone());
                }
            }
        }
    }
    lined_up
        .into_iter()
        .map(|(prefix, paths)| (prefix, paths.len()))
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.len().cmp(&a.0.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        Route {
            method: method.into(),
            path: path.into(),
            handler: None,
            framework: "axum".into(),
            location: Location::new("src/main.rs", 1),
            handler_fn: None,
            layers: vec![],
            query: vec![],
            mounted: true,
            grpc: false,
            fallback: false,
            documented: false,
        }
    }

    fn spec(servers: &[&str], ops: &[(&str, &str)]) -> SpecDoc {
        SpecDoc {
            path: "openapi.yaml".into(),
            version: "3.0.3".into(),
            title: String::new(),
            servers: servers.iter().map(|s| s.to_string()).collect(),
            operations: ops
                .iter()
                .map(|(m, p)| Operation {
                    method: m.to_string(),
                    path: p.to_string(),
                    ..Default::default()
                })
                .collect(),
            security_schemes: vec![],
            global_security: false,
            schemas: vec![],
            ..Default::default()
        }
    }

    #[test]
    fn shape_keys_erase_param_names_and_trailing_slashes() {
        assert_eq!(shape_key("/users/{id}/posts/"), "/users/{}/posts");
        assert_eq!(shape_key("/"), "/");
    }

    #[test]
    fn server_base_paths_line_up() {
        let s = spec(&["https://x.example/api/v1/"], &[("GET", "/users/{id}")]);
        assert!(spec_matches("/api/v1/users/{user_id}", "/users/{id}", &s));
        assert!(!spec_matches("/users/{id}", "/api/users/{id}", &s));
    }

    #[test]
    fn joins_both_directions_and_method_mismatches() {
        let routes = [
            route("GET", "/v1/orders"),
            route("POST", "/v1/orders"),
            route("PUT", "/v1/orders/{id}"),
            route("GET", "/v1/refunds"),
            route("GET", "/healthz"),
        ];
        let specs = [spec(
            &["/v1"],
            &[
                ("GET", "/orders"),
                ("POST", "/orders"),
                ("PATCH", "/orders/{order_id}"),
                ("DELETE", "/invoices/{id}"),
            ],
        )];
        let j = Join::of(routes.iter().collect(), &specs);
        assert_eq!(j.documented.len(), 2);
        let undocumented: Vec<&str> = j.undocumented.iter().map(|r| r.path.as_str()).collect();
        // /healthz is only filtered by api_routes; here every route given counts.
        assert_eq!(undocumented, ["/v1/orders/{id}", "/v1/refunds", "/healthz"]);
        let missing: Vec<String> = j.unimplemented.iter().map(|o| o.label()).collect();
        assert_eq!(
            missing,
            ["PATCH /orders/{order_id}", "DELETE /invoices/{id}"]
        );
        assert_eq!(j.method_mismatch.len(), 1);
        assert_eq!(j.method_mismatch[0].1[0].method, "PUT");
    }

    #[test]
    fn infers_a_base_path_the_spec_omits() {
        let routes = [route("GET", "/api/users"), route("GET", "/api/users/{id}")];
        let specs = [spec(&[], &[("GET", "/users"), ("GET", "/users/{id}")])];
        let j = Join::of(routes.iter().collect(), &specs);
        assert!(j.undocumented.is_empty(), "{:?}", j.undocumented);
        assert_eq!(j.inferred_base[0].1, "/api");
    }

    #[test]
    fn housekeeping_paths_are_not_api() {
        for p in [
            "/healthz",
            "/metrics",
            "/api/openapi.json",
            "/swagger-ui/{*path}",
            "/v1/docs",
        ] {
            assert!(is_infra_path(p), "{p}");
        }
        for p in [
            "/orders",
            "/api/orders/{id}/docs/{doc}",
            "/crates/{name}/version",
        ] {
            assert!(!is_infra_path(p), "{p}");
        }
    }

    #[test]
    fn version_segments() {
        for s in ["v1", "V2", "v1.1", "v1beta1", "v2alpha"] {
            assert!(is_version_segment(s), "{s}");
        }
        for s in ["v", "view", "video", "v1x", "version"] {
            assert!(!is_version_segment(s), "{s}");
        }
    }
}
