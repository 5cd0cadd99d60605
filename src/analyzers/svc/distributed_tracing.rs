//! `svc.distributed-tracing`: a request's trace follows it across services.
//!
//! Two halves. Spans become OpenTelemetry spans: a `tracing-opentelemetry`
//! layer on the subscriber (`tracing_opentelemetry::layer()`,
//! `OpenTelemetryLayer`, init-tracing-opentelemetry). And the trace context
//! crosses the wire: a propagator is installed
//! (`global::set_text_map_propagator(TraceContextPropagator::new())`) and
//! used — incoming context extracted (axum-tracing-opentelemetry's
//! `OtelAxumLayer`, actix-web-opentelemetry's `RequestTracing`,
//! `HeaderExtractor` + `set_parent`) and outgoing context injected
//! (`reqwest-tracing`'s `TracingMiddleware`, `HeaderInjector`, a tonic
//! interceptor). Without propagation every service starts its own trace.
//!
//! pass: OTel layer and propagation · partial: one of them · fail: neither,
//! or OpenTelemetry crates nothing wires · n/a: no server.

use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub const OTEL_LAYER: &[&str] = &[
    "tracing_opentelemetry::layer",
    "tracing_opentelemetry::OpenTelemetryLayer",
    "OpenTelemetryLayer",
    "init_tracing_opentelemetry",
    "opentelemetry_tracing_layer",
];

const PROPAGATION: &[&str] = &[
    "set_text_map_propagator",
    "TraceContextPropagator",
    "opentelemetry_http::HeaderInjector",
    "opentelemetry_http::HeaderExtractor",
    "HeaderInjector",
    "HeaderExtractor",
    "reqwest_tracing",
    "TracingMiddleware",
    "OtelAxumLayer",
    "OtelInResponseLayer",
    "axum_tracing_opentelemetry",
    "actix_web_opentelemetry",
    "RequestTracing",
    "tonic_tracing_opentelemetry",
    "opentelemetry_jaeger_propagator",
    "B3Propagator",
    "XrayPropagator",
    "set_parent",
    "inject_context",
    "tower_otel",
];

pub const OTEL_CRATES: &[&str] = &[
    "opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry-otlp",
    "tracing-opentelemetry",
    "opentelemetry-jaeger",
    "opentelemetry-zipkin",
    "init-tracing-opentelemetry",
    "axum-tracing-opentelemetry",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let layer = facts.refs(OTEL_LAYER);
    let propagation = facts.refs(PROPAGATION);
    let looked = "a tracing-opentelemetry layer on the subscriber and a trace-context propagator used on incoming and outgoing requests";
    match (layer.first(), propagation.first()) {
        (Some(l), Some(p)) => Outcome::pass(format!("spans are exported as OpenTelemetry ({}) and context is propagated ({})", l.what, p.what))
            .with_hits(layer.clone())
            .with_hits(propagation.clone()),
        (Some(l), None) => Outcome::partial(format!(
            "spans become OpenTelemetry spans ({}), but no trace context is propagated: each service starts its own trace",
            l.what
        ))
        .with_found_hits(layer.clone())
        .looked_for(looked),
        (None, Some(p)) => Outcome::partial(format!(
            "trace context is propagated ({}), but no tracing-opentelemetry layer turns spans into OpenTelemetry spans",
            p.what
        ))
        .with_found_hits(propagation.clone())
        .looked_for(looked),
        (None, None) => crate::analyzers::declared_unused(
            facts,
            OTEL_CRATES,
            "nothing wires it into the subscriber or the requests",
            looked,
        )
        .unwrap_or_else(|| {
            Outcome::fail("no distributed tracing: no OpenTelemetry layer and no context propagation")
                .at(facts.anchor(), "traces stop at this service's edge")
                .looked_for(looked)
        }),
    }
}
