//! `api.status-codes`: responses carry the status that says what happened.
//!
//! Statuses are read from the paths code names — `StatusCode::CREATED`
//! (axum, http, poem, warp, salvo), `HttpResponse::Created()` and
//! `error::ErrorNotFound` (actix-web), `Status::NotFound` and
//! `status::Created` (rocket), `StatusError::bad_request()` (salvo),
//! `reject::not_found()` (warp) — and from the responses of OpenAPI operations.
//! Checked:
//! - **client errors are 4xx**: some 4xx status is used in service code. A
//!   service that answers every failure with 500 (`map_err(|_|
//!   StatusCode::INTERNAL_SERVER_ERROR)`) tells clients to retry what will never
//!   succeed.
//! - **create returns 201**: a POST handler named for creation (`create_*`,
//!   `add_*`, `register_*`, …), or one that inserts into a plural collection
//!   path, names `201 Created` (or `202 Accepted`).
//! - **empty success is 204**: a DELETE handler returning nothing (`()`,
//!   `Result<(), E>`, a bare `StatusCode::OK`, `HttpResponse::Ok().finish()`)
//!   sends an empty 200 instead of `204 No Content`.
//! - **the spec declares errors**: every operation has a 4xx/5xx (or
//!   `default`) response; a create operation declares 201; a DELETE without a
//!   body declares 204.
//!
//! fail: no 4xx anywhere in code or spec · partial: any other check fails, or
//! only the spec names 4xx · pass: all hold · manual: no handler or spec to
//! read · n/a: no HTTP server, gRPC only, or GraphQL.

use super::code::{base_type, result_error, sql_write, words, Body};
use super::naming::is_plural;
use super::spec_routes::{answers, is_infra_path, unless_graphql, Answers};
use crate::analyzers::unless_server;
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// HTTP status constant names (`http::StatusCode`) and their codes.
const STATUS_NAMES: &[(&str, u16)] = &[
    ("OK", 200),
    ("CREATED", 201),
    ("ACCEPTED", 202),
    ("NO_CONTENT", 204),
    ("BAD_REQUEST", 400),
    ("UNAUTHORIZED", 401),
    ("PAYMENT_REQUIRED", 402),
    ("FORBIDDEN", 403),
    ("NOT_FOUND", 404),
    ("METHOD_NOT_ALLOWED", 405),
    ("NOT_ACCEPTABLE", 406),
    ("REQUEST_TIMEOUT", 408),
    ("CONFLICT", 409),
    ("GONE", 410),
    ("LENGTH_REQUIRED", 411),
    ("PRECONDITION_FAILED", 412),
    ("PAYLOAD_TOO_LARGE", 413),
    ("URI_TOO_LONG", 414),
    ("UNSUPPORTED_MEDIA_TYPE", 415),
    ("RANGE_NOT_SATISFIABLE", 416),
    ("UNPROCESSABLE_ENTITY", 422),
    ("UNPROCESSABLE_CONTENT", 422),
    ("LOCKED", 423),
    ("FAILED_DEPENDENCY", 424),
    ("PRECONDITION_REQUIRED", 428),
    ("TOO_MANY_REQUESTS", 429),
    ("REQUEST_HEADER_FIELDS_TOO_LARGE", 431),
    ("UNAVAILABLE_FOR_LEGAL_REASONS", 451),
    ("INTERNAL_SERVER_ERROR", 500),
    ("NOT_IMPLEMENTED", 501),
    ("BAD_GATEWAY", 502),
    ("SERVICE_UNAVAILABLE", 503),
    ("GATEWAY_TIMEOUT", 504),
];

/// Types and modules whose members are statuses.
const STATUS_OWNERS: &[&str] = &[
    "StatusCode",
    "Status",
    "HttpResponse",
    "HttpResponseBuilder",
    "StatusError",
    "status",
    "error",
    "reject",
];

/// Leading words of handler names that create a resource.
const CREATE_WORDS: &[&str] = &["create", "add", "new", "insert", "register", "upload"];

/// The upper snake form of a name: `BadRequest` / `bad_request` → `BAD_REQUEST`.
fn upper_snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// The status a path names, if it names one (`StatusCode::NOT_FOUND` → 404,
/// `HttpResponse::Created` → 201, `actix_web::error::ErrorConflict` → 409,
/// `rocket::response::status::Created::new` → 201).
pub fn status_of(path: &str) -> Option<u16> {
    let segs: Vec<&str> = path.split("::").collect();
    for (i, seg) in segs.iter().enumerate() {
        let owner = if i == 0 { "" } else { segs[i - 1] };
        let (name, owned) = match seg.strip_prefix("Error") {
            // actix-web's `ErrorNotFound(..)` helpers.
            Some(rest)
                if !rest.is_empty()
                    && (owner.is_empty() || owner == "error" || owner == "actix_web") =>
            {
                (rest, true)
            }
            // `bad_request()` only on salvo's `StatusError` and warp's
            // `reject`: elsewhere a lower-case name is a project helper.
            _ if seg.starts_with(|c: char| c.is_ascii_lowercase()) => {
                (*seg, owner == "StatusError" || owner == "reject")
            }
            _ => (*seg, STATUS_OWNERS.contains(&owner)),
        };
        if !owned {
            continue;
        }
        let key = if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            name.to_string()
        } else {
            upper_snake(name)
        };
        if let Some((_, code)) = STATUS_NAMES.iter().find(|(n, _)| *n == key) {
            return Some(*code);
        }
    }
    None
}

/// Statuses a function body names, with their lines.
fn statuses(body: Body<'_>) -> Vec<(u16, u32)> {
    body.refs()
        .filter_map(|r| status_of(&r.path).map(|c| (c, r.line)))
        .collect()
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts).or_else(|| unless_graphql(facts)) {
        return na;
    }
    let routes: Vec<&Route> = facts.routes.iter().filter(|r| !r.grpc).collect();
    let spec_ops: usize = facts.specs.iter().map(|s| s.operations.len()).sum();
    if routes.is_empty() && spec_ops == 0 && facts.routes.iter().any(|r| r.grpc) {
        return Outcome::na("gRPC only: it answers with gRPC status codes, not HTTP statuses");
    }

    // Every status named in service code.
    let mut code_4xx = Vec::new();
    let mut code_5xx = Vec::new();
    for (_, f) in facts.service_rust() {
        for r in f
            .refs
            .iter()
            .filter(|r| !r.test && r.kind != crate::extract::rust::RefKind::Use)
        {
            match status_of(&r.path) {
                Some(c) if (400..500).contains(&c) => code_4xx.push(Evidence::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}` ({c})", r.path),
                )),
                Some(c) if c >= 500 => code_5xx.push(Evidence::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}` ({c})", r.path),
                )),
                _ => {}
            }
        }
    }
    let mut issues: Vec<Evidence> = Vec::new();
    let mut good: Vec<Evidence> = Vec::new();
    let mut read = 0usize;
    let (mut created, mut no_content) = (0usize, 0usize);
    for r in &routes {
        let Some(body) = Body::of_route(facts, r) else {
            continue;
        };
        read += 1;
        // Form posts of server-rendered pages answer with redirects, not 201.
        if answers(facts, r) == Answers::Page {
            continue;
        }
        let named = statuses(body);
        let label = format!("{} {} → `{}`", r.method, r.path, body.func.name);
        if r.method == "POST" && creates(r, body) {
            let ret = body.func.ret.as_deref().unwrap_or("");
            if let Some((c, line)) = named.iter().find(|(c, _)| *c == 201 || *c == 202) {
                created += 1;
                good.push(Evidence::new(
                    body.at(*line),
                    format!("{label} answers {c}"),
                ));
            } else if ret.contains("Created") || body.find_method(&["created"]).is_some() {
                created += 1;
                good.push(Evidence::new(
                    body.location(),
                    format!("{label} answers 201 Created"),
                ));
            } else {
                issues.push(Evidence::new(
                    body.location(),
                    format!("{label} creates a resource but never names 201 Created"),
                ));
            }
        }
        if r.method == "DELETE" {
            if let Some((_, line)) = named.iter().find(|(c, _)| *c == 204) {
                no_content += 1;
                good.push(Evidence::new(
                    body.at(*line),
                    format!("{label} answers 204 No Content"),
                ));
            } else if let Some(why) = empty_ok(body) {
                issues.push(Evidence::new(
                    body.location(),
                    format!("{label} {why}: an empty 200 where 204 No Content says it"),
                ));
            }
        }
    }

    let mut spec_4xx = Vec::new();
    let mut no_errors = Vec::new();
    let mut declared = 0usize;
    for spec in &facts.specs {
        for op in spec.operations.iter().filter(|o| !is_infra_path(&o.path)) {
            let at = Location::new(spec.path.clone(), op.line.unwrap_or(0));
            let label = format!("spec: {} {}", op.method, op.path);
            let errs: Vec<&str> = op
                .responses
                .iter()
                .map(|r| r.status.as_str())
                .filter(|s| s.starts_with('4') || s.starts_with('5') || *s == "default")
                .collect();
            if errs.iter().any(|s| s.starts_with('4') || *s == "default") {
                spec_4xx.push(Evidence::new(
                    at.clone(),
                    format!("{label} declares {}", errs.join(", ")),
                ));
            }
            if errs.is_empty() {
                no_errors.push(Evidence::new(
                    at.clone(),
                    format!("{label} declares no 4xx/5xx response"),
                ));
            } else {
                declared += 1;
            }
            let ok: Vec<&str> = op.success().map(|r| r.status.as_str()).collect();
            let first = op
                .operation_id
                .as_deref()
                .map(words)
                .and_then(|w| w.into_iter().next());
            if op.method == "POST"
                && first.as_deref().is_some_and(|w| CREATE_WORDS.contains(&w))
                && !ok.is_empty()
                && !ok.iter().any(|s| *s == "201" || *s == "202")
            {
                issues.push(Evidence::new(
                    at.clone(),
                    format!(
                        "{label} creates (`{}`) but declares {} instead of 201",
                        op.operation_id.as_deref().unwrap_or(""),
                        ok.join(", ")
                    ),
                ));
            }
            if op.method == "DELETE"
                && ok == ["200"]
                && op.success().all(|r| r.content_types.is_empty())
            {
                issues.push(Evidence::new(
                    at,
                    format!("{label} declares an empty 200 where 204 No Content says it"),
                ));
            }
        }
    }
    issues.extend(no_errors.iter().cloned());

    let looked = "4xx statuses for client errors in code (StatusCode::BAD_REQUEST, HttpResponse::NotFound, Status::Conflict, …), 201 on create, 204 on empty success, and 4xx/5xx responses on every spec operation";
    if code_4xx.is_empty() && spec_4xx.is_empty() {
        if read == 0 && spec_ops == 0 && code_5xx.is_empty() {
            return Outcome::manual(
                "no handler body or OpenAPI operation could be read to see which statuses the API answers",
            )
            .at(facts.router_anchor().unwrap_or_else(|| facts.anchor()), "routes built here");
        }
        let mut ev: Vec<Evidence> = code_5xx.iter().take(5).cloned().collect();
        if ev.is_empty() {
            ev.push(Evidence::new(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no 4xx status named by any handler or error type of the router built here",
            ));
        }
        return Outcome::fail(format!(
            "no 4xx status anywhere: client errors are answered with {}",
            if code_5xx.is_empty() {
                "the framework defaults"
            } else {
                "5xx"
            }
        ))
        .with(ev)
        .with(issues)
        .looked_for(looked);
    }
    if code_4xx.is_empty() {
        issues.insert(
            0,
            Evidence::new(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "the spec declares 4xx responses, but no handler or error type in code names a 4xx status",
            ),
        );
    }
    let mut evidence: Vec<Evidence> = code_4xx.iter().take(3).cloned().collect();
    evidence.extend(spec_4xx.iter().take(2).cloned());
    evidence.extend(good.iter().take(4).cloned());
    if issues.is_empty() {
        let mut parts = vec![format!(
            "client errors are 4xx ({} place(s) in code)",
            code_4xx.len()
        )];
        if created > 0 {
            parts.push(format!("{created} create handler(s) answer 201"));
        }
        if no_content > 0 {
            parts.push(format!("{no_content} delete handler(s) answer 204"));
        }
        if spec_ops > 0 {
            parts.push(format!(
                "all {declared} spec operation(s) declare error responses"
            ));
        }
        return Outcome::pass(parts.join("; ")).with(evidence);
    }
    Outcome::partial(format!(
        "{} status problem(s): {}",
        issues.len(),
        summary_of(&issues)
    ))
    .with(issues)
    .with_found(evidence)
    .looked_for(looked)
}

fn summary_of(issues: &[Evidence]) -> String {
    let mut kinds = Vec::new();
    let count = |needle: &str| issues.iter().filter(|e| e.message.contains(needle)).count();
    let create = count("201");
    let empty = count("204");
    let spec = count("declares no 4xx/5xx");
    let code = count("no handler or error type in code");
    if create > 0 {
        kinds.push(format!("{create} create(s) without 201"));
    }
    if empty > 0 {
        kinds.push(format!("{empty} empty 200(s) instead of 204"));
    }
    if spec > 0 {
        kinds.push(format!("{spec} spec operation(s) without error responses"));
    }
    if code > 0 {
        kinds.push("4xx only in the spec, not in code".to_string());
    }
    kinds.join(", ")
}

/// Whether a POST handler creates a resource: named for creation, or inserting
/// into a plural collection path.
fn creates(route: &Route, body: Body<'_>) -> bool {
    let first = words(&body.func.name)
        .into_iter()
        .next()
        .unwrap_or_default();
    if CREATE_WORDS.contains(&first.as_str()) {
        return true;
    }
    let last = route.path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    let inserts = body
        .literals()
        .any(|l| sql_write(&l.value) == Some("INSERT"))
        || body
            .macros()
            .any(|m| m.first_lit.as_deref().and_then(sql_write) == Some("INSERT"));
    inserts && !last.starts_with('{') && is_plural(last)
}

/// Why a handler answers an empty 200, if it does.
fn empty_ok(body: Body<'_>) -> Option<&'static str> {
    let ret = body.func.ret.as_deref();
    match ret {
        None | Some("()") => return Some("returns nothing"),
        Some(r) if result_error(r).is_some() && r.starts_with("Result<()") => {
            return Some("returns `Result<(), _>`")
        }
        _ => {}
    }
    let named = statuses(body);
    let ok_only = !named.is_empty() && named.iter().all(|(c, _)| *c == 200 || *c >= 400);
    let ret_base = ret.map(base_type).unwrap_or("");
    if ok_only && ret_base == "StatusCode" {
        return Some("returns a bare `StatusCode::OK`");
    }
    if ok_only && body.find_method(&["finish"]).is_some() {
        return Some("returns `Ok().finish()`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_statuses_of_every_framework() {
        assert_eq!(status_of("axum::http::StatusCode::NOT_FOUND"), Some(404));
        assert_eq!(status_of("actix_web::HttpResponse::Created"), Some(201));
        assert_eq!(status_of("actix_web::error::ErrorConflict"), Some(409));
        assert_eq!(
            status_of("rocket::http::Status::UnprocessableEntity"),
            Some(422)
        );
        assert_eq!(
            status_of("rocket::response::status::Created::new"),
            Some(201)
        );
        assert_eq!(
            status_of("salvo::http::StatusError::bad_request"),
            Some(400)
        );
        assert_eq!(status_of("warp::reject::not_found"), Some(404));
        // A project's own helpers and error variants are not statuses.
        assert_eq!(status_of("crate::http::HttpResponse::not_found"), None);
        assert_eq!(status_of("ApiError::NotFound"), None);
        assert_eq!(status_of("std::io::ErrorKind::NotFound"), None);
    }
}
