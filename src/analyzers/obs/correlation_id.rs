//! `obs.correlation-id`: every request carries an id, and that id is in its logs.
//!
//! Two halves, both needed:
//! 1. **an id per request**, taken from the caller or generated and passed on:
//!    tower-http `SetRequestIdLayer`/`PropagateRequestIdLayer`/`MakeRequestUuid`,
//!    actix `RequestIdentifier`, `tower-request-id`, a request-id middleware, or
//!    code reading/writing an `x-request-id`/`x-correlation-id`/`traceparent`
//!    header;
//! 2. **the id in the request's span**, so every log line of the request has it:
//!    a span created with a `request_id`/`correlation_id`/`trace_id` field
//!    (`info_span!("request", request_id = ..)`, `#[instrument(fields(request_id))]`,
//!    `Span::record("request_id", ..)`), `DefaultMakeSpan::include_headers(true)`,
//!    or tracing-actix-web's `TracingLogger`, which does both halves.
//!
//! pass: both · partial: one of them · fail: neither · n/a: no HTTP/gRPC server.

use crate::analyzers::unless_server;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const ID_LAYERS: &[&str] = &[
    "SetRequestIdLayer",
    "PropagateRequestIdLayer",
    "MakeRequestUuid",
    "MakeRequestId",
    "RequestIdLayer",
    "RequestIdentifier",
    "actix_request_identifier",
    "actix_web_requestid",
    "tower_request_id",
    "axum_request_id",
    "request_id::RequestId",
    "RequestIdMiddleware",
    "*request_id*",
    "*RequestId*",
    "*correlation_id*",
    "*CorrelationId*",
];

/// Does both halves: generates the id and puts it in the root span.
const ID_AND_SPAN: &[&str] = &["tracing_actix_web::TracingLogger", "TracingLogger"];

const ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-correlation-id",
    "request-id",
    "correlation-id",
    "x-amzn-trace-id",
    "traceparent",
    "x-trace-id",
    "x-b3-traceid",
];

const SPAN_FIELDS: &[&str] = &[
    "request_id",
    "req_id",
    "correlation_id",
    "trace_id",
    "requestid",
    "x_request_id",
    "traceid",
];

const SPAN_MACROS: &[&str] = &[
    "info_span",
    "debug_span",
    "trace_span",
    "warn_span",
    "error_span",
    "span",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let both = facts.refs(ID_AND_SPAN);
    let mut ids = facts.refs(ID_LAYERS);
    ids.extend(header_literals(facts));
    let spans = id_in_span(facts);
    let looked = "a request-id layer (tower-http SetRequestIdLayer + PropagateRequestIdLayer, actix RequestIdentifier) and a per-request span carrying the id (make_span_with + info_span!(.., request_id = ..), #[instrument(fields(request_id))], or tracing-actix-web TracingLogger)";

    if !both.is_empty() {
        return Outcome::pass(format!(
            "{} gives every request an id in its root span",
            both[0].what
        ))
        .with_hits(both)
        .with_hits(ids)
        .with_hits(spans);
    }
    match (ids.is_empty(), spans.is_empty()) {
        (false, false) => Outcome::pass(format!(
            "request ids ({}) are recorded on request spans ({})",
            ids[0].what, spans[0].what
        ))
        .with_hits(ids)
        .with_hits(spans),
        (false, true) => Outcome::partial(format!(
            "requests get an id ({}) but no span carries it, so log lines cannot be joined by it",
            ids[0].what
        ))
        .with_found_hits(ids)
        .looked_for(looked),
        (true, false) => Outcome::partial(format!(
            "spans have an id field ({}) but nothing sets or propagates a request-id header",
            spans[0].what
        ))
        .with_found_hits(spans)
        .looked_for(looked),
        (true, true) => {
            Outcome::fail("no correlation id: no request-id layer and no span field carrying one")
                .with([Evidence::new(
                    facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                    "no request-id middleware on the router built here",
                )])
                .looked_for(looked)
        }
    }
}

/// Request-id header names used in service code.
fn header_literals(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            let v = l.value.to_ascii_lowercase();
            if ID_HEADERS.contains(&v.as_str()) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("header `{}` handled in code", l.value),
                ));
            }
        }
    }
    out
}

/// Places where a span is given a request/correlation/trace id.
fn id_in_span(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for m in f.macros.iter().filter(|m| !m.test) {
            let name = m.path.rsplit("::").next().unwrap_or(&m.path);
            if !SPAN_MACROS.contains(&name) {
                continue;
            }
            if m.idents
                .iter()
                .any(|i| SPAN_FIELDS.contains(&i.to_ascii_lowercase().as_str()))
            {
                out.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`{}!` with an id field", m.path),
                ));
            }
        }
        for func in f.fns.iter().filter(|x| !x.test) {
            for a in &func.attrs {
                if a.path.ends_with("instrument") && SPAN_FIELDS.iter().any(|s| a.args.contains(s))
                {
                    out.push(Hit::new(
                        Location::new(f.path.clone(), func.line),
                        format!("`#[instrument({})]`", clip(&a.args)),
                    ));
                }
            }
        }
        for l in f.literals.iter().filter(|l| !l.test) {
            if l.context.as_deref() == Some("record") && SPAN_FIELDS.contains(&l.value.as_str()) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("span records `{}`", l.value),
                ));
            }
        }
        for m in f
            .methods
            .iter()
            .filter(|m| !m.test && m.name == "include_headers")
        {
            out.push(Hit::new(
                Location::new(f.path.clone(), m.line),
                "`DefaultMakeSpan::include_headers` puts request headers in the span",
            ));
        }
    }
    out
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}
