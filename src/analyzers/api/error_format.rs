//! `api.error-format`: errors reach clients in one machine-readable shape.
//!
//! Judged by shape, not presence:
//! - **error types** are types implementing the framework's response trait —
//!   axum/poem `IntoResponse`, actix-web/poem `ResponseError`, rocket
//!   `Responder` (impl or derive), salvo `Writer`/`Scribe`, warp `Reject` —
//!   whose name says error (`ApiError`, `Problem`, `Rejection`) or which
//!   handlers return as `Result<_, E>`;
//! - an error type **renders JSON** when its rendering method (`into_response`,
//!   `error_response`, `respond_to`, …) builds `Json(..)`, `json!`,
//!   `.json(..)`, `serde_json::to_*`, or sets an `application/json` /
//!   `application/problem+json` content type; a type that only delegates to
//!   another error type (`ApiError::from(self).into_response()`) renders like
//!   it. actix-web's `ResponseError` without `error_response` (and poem's
//!   without `as_response`) renders the error's `Display` as plain text;
//! - **one shape**: the JSON error types build the same body type (or
//!   delegate to one another);
//! - **no stray errors**: handlers do not return bare statuses or strings as
//!   errors (`Result<_, StatusCode>`, `Result<_, (StatusCode, String)>`,
//!   actix `HttpResponse::NotFound().finish()`);
//! - in the OpenAPI documents, the 4xx/5xx responses share one schema (or the
//!   `application/problem+json` media type of RFC 9457).
//!
//! pass: one JSON error shape, no stray errors, one spec error schema ·
//! partial: JSON errors with stray ones, several shapes, plain-text types, or a
//! spec without one shared schema; or only the spec states an error schema ·
//! fail: no error type renders JSON · manual: no handler could be read ·
//! n/a: no HTTP server, gRPC only, GraphQL, or only pages/assets/webhooks.
//! Error types that render pages or redirects belong to the web pages and are
//! left out; so are stray errors of routes outside the API surface.

use super::code::{base_type, impl_fns, result_error, Body};
use super::spec_routes::{api_routes, unless_api};
use super::status_codes::status_of;
use crate::analyzers::unless_server;
use crate::extract::rust::{ImplFact, RustFile};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::{BTreeMap, BTreeSet};

/// Response traits and the methods that render a body.
const RESPONSE_TRAITS: &[(&str, &[&str])] = &[
    ("IntoResponse", &["into_response"]),
    ("ResponseError", &["error_response", "as_response"]),
    ("Responder", &["respond_to"]),
    ("Writer", &["write"]),
    ("Scribe", &["render"]),
    ("Reject", &[]),
];

/// Words in a type name that say it is an error.
const ERROR_WORDS: &[&str] = &["Error", "Err", "Problem", "Rejection", "Failure", "Fault"];

/// Framework types that are not a body shape of the service's own.
const FRAMEWORK_TYPES: &[&str] = &[
    "Json",
    "Response",
    "HttpResponse",
    "StatusCode",
    "Status",
    "Body",
    "Full",
    "HeaderValue",
    "HeaderMap",
    "Self",
    "String",
    "Vec",
    "Value",
    "Some",
    "None",
    "Ok",
    "Err",
    "Box",
];

/// Paths that render an HTML page or a redirect.
const PAGE_RENDERING: &[&str] = &[
    "Found",
    "SeeOther",
    "TemporaryRedirect",
    "Redirect",
    "LOCATION",
    "Html",
    "Template",
];

/// How one error type renders.
#[derive(Debug)]
struct ErrorType<'a> {
    name: String,
    at: Location,
    file: &'a RustFile,
    imp: &'a ImplFact,
    trait_name: &'static str,
    json: Option<Evidence>,
    problem: Option<Evidence>,
    /// Another error type it delegates to.
    delegates: Option<String>,
    /// Why it is plain text, when it is.
    plain: Option<String>,
    /// It renders an HTML page or a redirect: an error type of the web pages,
    /// not of the API.
    page: Option<Evidence>,
    /// Body types and JSON keys it builds.
    shape: BTreeSet<String>,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts).or_else(|| unless_api(facts)) {
        return na;
    }
    if !facts.routes.is_empty() && facts.routes.iter().all(|r| r.grpc) {
        return Outcome::na(
            "gRPC only: errors are gRPC Status values with details, not HTTP bodies",
        );
    }
    let returned: BTreeSet<String> = facts
        .routes
        .iter()
        .filter_map(|r| r.handler_fn)
        .filter_map(|h| {
            // `AxumResult<T>` for `Result<T, AxumNope>`: local aliases looked through.
            let ret = facts.func(h).1.ret.as_deref()?;
            let ret = super::type_alias::expand(facts, ret, h.0);
            result_error(&ret).map(|e| base_type(e).to_string())
        })
        .collect();
    let mut types = error_types(facts, &returned);
    let names: BTreeSet<String> = types.iter().map(|t| t.name.clone()).collect();
    for t in types.iter_mut() {
        judge_rendering(t, &names);
    }
    // Delegation: a type renders like the one it hands over to.
    let json_names: BTreeSet<String> = types
        .iter()
        .filter(|t| t.json.is_some())
        .map(|t| t.name.clone())
        .collect();
    for t in types.iter_mut() {
        if t.json.is_none() {
            if let Some(d) = t.delegates.clone().filter(|d| json_names.contains(d)) {
                t.json = Some(Evidence::new(
                    t.at.clone(),
                    format!("`{}` renders through `{d}`", t.name),
                ));
                t.plain = None;
            }
        }
    }
    let rocket = rocket_responders(facts);

    let (stray, read) = stray_errors(facts, &names);
    let spec = spec_errors(facts);

    let page_notes: Vec<Evidence> = types
        .iter()
        .filter(|t| t.json.is_none())
        .filter_map(|t| t.page.clone())
        .collect();
    types.retain(|t| t.json.is_some() || t.page.is_none());
    let json_types: Vec<&ErrorType> = types.iter().filter(|t| t.json.is_some()).collect();
    let plain_types: Vec<&ErrorType> = types.iter().filter(|t| t.json.is_none()).collect();
    let mut issues: Vec<Evidence> = Vec::new();
    let mut good: Vec<Evidence> = page_notes;
    for t in &json_types {
        good.push(Evidence::new(
            t.at.clone(),
            format!("`{}` implements `{}`", t.name, t.trait_name),
        ));
        if let Some(p) = &t.problem {
            good.push(p.clone());
        } else if let Some(j) = &t.json {
            good.push(j.clone());
        }
    }
    good.extend(rocket.iter().cloned());
    for t in &plain_types {
        let why = t
            .plain
            .clone()
            .unwrap_or_else(|| "its body is not visibly JSON".into());
        issues.push(Evidence::new(
            t.at.clone(),
            format!("`{}` implements `{}`, but {why}", t.name, t.trait_name),
        ));
    }
    // Shapes: JSON types that build no common body and do not delegate.
    let shapes = distinct_shapes(&json_types);
    if shapes.len() > 1 {
        for (name, at) in &shapes {
            issues.push(Evidence::new(
                at.clone(),
                format!(
                    "`{name}` renders its own error body ({} different shapes)",
                    shapes.len()
                ),
            ));
        }
    }
    issues.extend(stray.iter().take(8).cloned());
    issues.extend(spec.issues.iter().cloned());
    good.extend(spec.good.iter().cloned());

    let looked = "one error type implementing IntoResponse/ResponseError/Responder that renders JSON (ideally application/problem+json, RFC 9457), used by every handler, and one shared error schema for the spec's 4xx/5xx responses";
    if json_types.is_empty() && rocket.is_empty() {
        if types.is_empty() && read == 0 && facts.specs.is_empty() {
            return Outcome::manual(
                "no error type and no handler body could be read to see how errors are rendered",
            )
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "routes built here",
            );
        }
        let summary = if types.is_empty() {
            "no error type renders errors: handlers answer with bare statuses or text".to_string()
        } else {
            format!(
                "{} error type(s), but none renders JSON: clients get plain text",
                types.len()
            )
        };
        if spec.shared {
            return Outcome::partial(format!(
                "the spec declares one error schema, but {}",
                summary.replace(
                    "no error type renders errors: ",
                    "no error type in code renders it: "
                )
            ))
            .with_found(spec.good)
            .with(issues)
            .looked_for(looked);
        }
        let mut ev = issues;
        if ev.is_empty() {
            ev.push(Evidence::new(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no error type implementing a response trait in the service built here",
            ));
        }
        return Outcome::fail(summary).with(ev).looked_for(looked);
    }
    let problem = json_types.iter().any(|t| t.problem.is_some());
    let what = format!(
        "{} error type(s) render JSON{}",
        json_types.len() + rocket.len(),
        if problem {
            " as application/problem+json"
        } else {
            ""
        }
    );
    if issues.is_empty() {
        let spec_note = if spec.shared {
            " and the spec shares one error schema"
        } else {
            ""
        };
        let handlers = if read == 0 {
            " (no handler body could be read to check that handlers return them)"
        } else {
            "; handlers return them"
        };
        return Outcome::pass(format!("{what}{handlers}{spec_note}")).with(good);
    }
    Outcome::partial(format!(
        "{what}, but {} place(s) leave that shape",
        issues.len()
    ))
    .with(issues)
    .with_found(good)
    .looked_for(looked)
}

fn is_error_name(name: &str) -> bool {
    ERROR_WORDS.iter().any(|w| name.contains(w))
}

/// Types implementing a response trait that are errors.
fn error_types<'a>(facts: &'a Facts, returned: &BTreeSet<String>) -> Vec<ErrorType<'a>> {
    let mut out: Vec<ErrorType<'a>> = Vec::new();
    for (_, f) in facts.service_rust() {
        for imp in f.impls.iter().filter(|i| !i.test) {
            let Some(tp) = imp.trait_path.as_deref() else {
                continue;
            };
            let last = base_type(tp);
            let Some((trait_name, _)) = RESPONSE_TRAITS.iter().find(|(t, _)| *t == last) else {
                continue;
            };
            // salvo's `Writer` and rocket's `Responder` are also implemented by
            // non-errors; the trait names alone are not enough for them.
            let name = base_type(&imp.self_ty).to_string();
            // `ErrorPage`, `HtmlError`: errors of the web pages, not the API.
            if ["Page", "Html", "View", "Template"]
                .iter()
                .any(|w| name.contains(w))
            {
                continue;
            }
            let errorish = matches!(*trait_name, "ResponseError" | "Reject")
                || is_error_name(&name)
                || returned.contains(&name);
            if !errorish
                || out
                    .iter()
                    .any(|t| t.name == name && t.trait_name == *trait_name)
            {
                continue;
            }
            out.push(ErrorType {
                name,
                at: Location::new(f.path.clone(), imp.line),
                file: f,
                imp,
                trait_name,
                json: None,
                problem: None,
                delegates: None,
                plain: None,
                page: None,
                shape: BTreeSet::new(),
            });
        }
    }
    // A type with both `ResponseError` and `IntoResponse`/`Responder` impls: keep
    // the one that renders.
    out
}

/// Read how an error type renders.
fn judge_rendering(t: &mut ErrorType<'_>, names: &BTreeSet<String>) {
    let render: &[&str] = RESPONSE_TRAITS
        .iter()
        .find(|(n, _)| *n == t.trait_name)
        .map(|(_, m)| *m)
        .unwrap_or(&[]);
    let fns = impl_fns(t.file, t.imp);
    let bodies: Vec<Body> = fns
        .into_iter()
        .filter(|b| render.contains(&b.func.name.as_str()))
        .collect();
    if bodies.is_empty() {
        t.plain = Some(match t.trait_name {
            "ResponseError" => "it has no `error_response`/`as_response`, so the default renders its Display as plain text".into(),
            "Reject" => "warp rejections render through a `recover` handler seaworthy does not follow".into(),
            _ => "its rendering method was not found".into(),
        });
        return;
    }
    for b in bodies {
        for r in b.refs() {
            let last = r.path.rsplit("::").next().unwrap_or("");
            if PAGE_RENDERING.contains(&last) {
                t.page.get_or_insert(Evidence::new(
                    b.at(r.line),
                    format!("note: `{}` renders a page or redirect (`{}`): an error type of the web pages, not judged", t.name, r.path),
                ));
            }
            let lower = r.path.to_ascii_lowercase();
            if last == "Json" || lower.starts_with("serde_json::") {
                t.json.get_or_insert(Evidence::new(
                    b.at(r.line),
                    format!("`{}` builds `{}`", b.func.name, r.path),
                ));
            }
            if lower.contains("problem")
                && (lower.contains("http_api_problem")
                    || lower.contains("problem_details")
                    || last.contains("Problem"))
            {
                t.problem.get_or_insert(Evidence::new(
                    b.at(r.line),
                    format!(
                        "`{}` renders a problem document (`{}`)",
                        b.func.name, r.path
                    ),
                ));
            }
            let base = base_type(&r.path);
            if base != t.name && names.contains(base) {
                t.delegates.get_or_insert(base.to_string());
            }
            if !FRAMEWORK_TYPES.contains(&base)
                && base.chars().next().is_some_and(char::is_uppercase)
                && base != t.name
                && status_of(&r.path).is_none()
                && !r.path.starts_with(&format!("{}::", t.name))
            {
                t.shape.insert(base.to_string());
            }
        }
        for m in b.macros() {
            if m.path.ends_with("json") {
                t.json.get_or_insert(Evidence::new(
                    b.at(m.line),
                    format!("`{}` builds a body with `{}!`", b.func.name, m.path),
                ));
                for l in b
                    .literals()
                    .filter(|l| l.line == m.line || l.context.is_none())
                {
                    if l.value.len() <= 20
                        && l.value.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    {
                        t.shape.insert(format!("json:{}", l.value));
                    }
                }
            }
        }
        if let Some(m) = b.find_method(&["json"]) {
            t.json.get_or_insert(Evidence::new(
                b.at(m.line),
                format!("`{}` answers with `.json(..)`", b.func.name),
            ));
        }
        for l in b.literals() {
            let v = l.value.to_ascii_lowercase();
            if v.starts_with("application/problem+json") {
                t.problem.get_or_insert(Evidence::new(
                    b.at(l.line),
                    format!("`{}` sets `application/problem+json`", b.func.name),
                ));
                t.json.get_or_insert(Evidence::new(
                    b.at(l.line),
                    format!("`{}` sets `{}`", b.func.name, l.value),
                ));
            } else if v.starts_with("application/json") {
                t.json.get_or_insert(Evidence::new(
                    b.at(l.line),
                    format!("`{}` sets `{}`", b.func.name, l.value),
                ));
            }
        }
    }
    if t.json.is_none() && t.delegates.is_none() {
        t.plain = Some("its rendering builds no JSON body".into());
    }
}

/// Error types with distinct body shapes: one representative per shape.
fn distinct_shapes(types: &[&ErrorType<'_>]) -> Vec<(String, Location)> {
    let mut groups: Vec<(BTreeSet<String>, String, Location)> = Vec::new();
    for t in types.iter().filter(|t| t.delegates.is_none()) {
        match groups.iter_mut().find(|(shape, _, _)| {
            shape.is_empty() || t.shape.is_empty() || !shape.is_disjoint(&t.shape)
        }) {
            Some(g) => g.0.extend(t.shape.iter().cloned()),
            None => groups.push((t.shape.clone(), t.name.clone(), t.at.clone())),
        }
    }
    groups.into_iter().map(|(_, n, at)| (n, at)).collect()
}

/// rocket `#[derive(Responder)]` error types with a JSON content type.
fn rocket_responders(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test && is_error_name(&t.name)) {
            let derives = t.derives.iter().any(|d| base_type(d) == "Responder");
            let json = t
                .attrs
                .iter()
                .any(|a| base_type(&a.path) == "response" && a.args.contains("json"))
                || t.fields.iter().any(|fl| base_type(&fl.ty) == "Json");
            if derives && json {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!("`{}` derives rocket's `Responder` with a JSON body", t.name),
                ));
            }
        }
    }
    out
}

/// Handlers that answer errors outside the error types: bare statuses or
/// strings as `Result` errors, or ad hoc error responses. Also how many
/// handler bodies were read.
fn stray_errors(facts: &Facts, names: &BTreeSet<String>) -> (Vec<Evidence>, usize) {
    let mut out = Vec::new();
    let mut read = 0;
    let mut seen = BTreeSet::new();
    // API routes only: health probes answer 503 with no body by design, and
    // pages answer errors with pages.
    for r in api_routes(facts) {
        let Some(h) = r.handler_fn else { continue };
        if !seen.insert(h) {
            continue;
        }
        let body = Body::new(&facts.rust[h.0], h.1);
        read += 1;
        let label = format!("{} {} → `{}`", r.method, r.path, body.func.name);
        if let Some(e) = body.func.ret.as_deref().and_then(result_error) {
            let base = base_type(e);
            if names.contains(base) {
                continue;
            }
            let bare = e.starts_with("(StatusCode")
                || e.starts_with("(Status,")
                || matches!(
                    base,
                    "StatusCode"
                        | "Status"
                        | "String"
                        | "str"
                        | "HttpResponse"
                        | "Response"
                        | "Custom"
                )
                || e.starts_with("&'staticstr")
                || e == "actix_web::Error"
                || e == "anyhow::Error"
                || e.starts_with("Box<dyn");
            if bare {
                out.push(Evidence::new(
                    body.location(),
                    format!("{label} returns errors as `{e}`"),
                ));
            }
            continue;
        }
        // An error answered inline, with no JSON body.
        let err = body
            .refs()
            .find(|p| status_of(&p.path).is_some_and(|c| c >= 400));
        if let Some(p) = err {
            let json = body.find_method(&["json"]).is_some()
                || body.refs().any(|x| x.path.ends_with("Json"))
                || body.macros().any(|m| m.path.ends_with("json"));
            // `HttpResponse::NotFound().finish()` beside a `.json(..)` success.
            let bare_here = body
                .methods()
                .any(|m| m.name == "finish" && m.line == p.line);
            if !json || bare_here {
                out.push(Evidence::new(
                    body.at(p.line),
                    format!("{label} answers `{}` with no error body", p.path),
                ));
            }
        }
    }
    (out, read)
}

struct SpecErrors {
    shared: bool,
    good: Vec<Evidence>,
    issues: Vec<Evidence>,
}

/// How the specs' 4xx/5xx responses describe their bodies.
fn spec_errors(facts: &Facts) -> SpecErrors {
    let mut res = SpecErrors {
        shared: false,
        good: Vec::new(),
        issues: Vec::new(),
    };
    for spec in &facts.specs {
        let mut refs: BTreeMap<String, (usize, Location)> = BTreeMap::new();
        let mut inline = Vec::new();
        let mut empty = 0usize;
        let mut problem = None;
        let mut total = 0usize;
        for op in &spec.operations {
            let at = Location::new(spec.path.clone(), op.line.unwrap_or(0));
            for r in op.responses.iter().filter(|r| {
                r.status.starts_with('4') || r.status.starts_with('5') || r.status == "default"
            }) {
                // 429s often carry only headers; they are judged by rate limiting.
                total += 1;
                if r.content_types.iter().any(|c| c.contains("problem+json")) {
                    problem.get_or_insert(at.clone());
                }
                match (&r.schema_ref, r.content_types.is_empty()) {
                    (Some(name), _) => {
                        refs.entry(name.clone()).or_insert((0, at.clone())).0 += 1;
                    }
                    (None, true) => empty += 1,
                    (None, false) => inline.push(Evidence::new(
                        at.clone(),
                        format!(
                            "spec: {} {} answers {} with an inline error body",
                            op.method, op.path, r.status
                        ),
                    )),
                }
            }
        }
        if total == 0 {
            continue;
        }
        if refs.len() == 1 && inline.is_empty() {
            let (name, (n, at)) = refs.iter().next().unwrap();
            res.shared = true;
            let how = if problem.is_some() {
                " as application/problem+json"
            } else {
                ""
            };
            res.good.push(Evidence::new(
                at.clone(),
                format!("spec: {n} error response(s) share the `{name}` schema{how}"),
            ));
            if empty > 0 {
                res.good.push(Evidence::new(
                    Location::file(spec.path.clone()),
                    format!("spec: {empty} error response(s) describe no body"),
                ));
            }
        } else if refs.len() > 1 {
            for (name, (n, at)) in &refs {
                res.issues.push(Evidence::new(
                    at.clone(),
                    format!(
                        "spec: {n} error response(s) use `{name}` ({} different error schemas)",
                        refs.len()
                    ),
                ));
            }
        } else if refs.is_empty() && inline.is_empty() {
            let errorish: Vec<&String> = spec.schemas.iter().filter(|s| is_error_name(s)).collect();
            let hint = errorish
                .first()
                .map(|s| format!(" (`{s}` is defined but not referenced)"))
                .unwrap_or_default();
            res.issues.push(Evidence::new(
                Location::file(spec.path.clone()),
                format!("spec: none of its {total} error response(s) describes a body{hint}"),
            ));
        }
        res.issues.extend(inline.into_iter().take(3));
    }
    res
}
