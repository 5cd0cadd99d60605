//! `obs.tracing`: spans are exported to a tracing backend over OpenTelemetry.
//!
//! An exporter pipeline — OTLP (`opentelemetry_otlp::SpanExporter`,
//! `new_pipeline().tracing()`), Jaeger, Zipkin, Datadog, Application Insights,
//! Cloud Trace — and a `tracing-opentelemetry` layer wiring the `tracing`
//! spans into it (or init-tracing-opentelemetry, which does both). An exporter
//! without the layer receives nothing from `tracing`; a layer with only the
//! stdout exporter is for development.
//!
//! pass: exporter and layer · partial: one without the other, or stdout only
//! · fail: nothing wired (crates declared, or none) · n/a: no service code.

use crate::analyzers::svc::distributed_tracing::{OTEL_CRATES, OTEL_LAYER};
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

/// Span exporter pipelines (not metric or log exporters, not shared enums
/// such as `opentelemetry_otlp::Protocol`).
const EXPORTERS: &[&str] = &[
    "opentelemetry_otlp::SpanExporter",
    "opentelemetry_otlp::SpanExporterBuilder",
    "opentelemetry_otlp::new_exporter",
    "opentelemetry_otlp::new_pipeline",
    "opentelemetry_jaeger",
    "opentelemetry_zipkin",
    "opentelemetry_datadog",
    "opentelemetry_application_insights",
    "opentelemetry_gcloud_trace",
    "opentelemetry_stackdriver",
    "opentelemetry_aws::trace",
    "init_tracing_opentelemetry",
    "datadog_opentelemetry",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::unless_service(facts) {
        return na;
    }
    let exporters: Vec<_> = facts
        .refs(EXPORTERS)
        .into_iter()
        .filter(|h| {
            !h.what.contains("Metric") && !h.what.contains("metrics") && !h.what.contains("Log")
        })
        .collect();
    let layer = facts.refs(OTEL_LAYER);
    let stdout = facts.refs(&["opentelemetry_stdout"]);
    let looked = "an OTLP/Jaeger/Zipkin exporter pipeline and a tracing-opentelemetry layer on the subscriber";
    match (exporters.first(), layer.first()) {
        (Some(e), Some(_)) => Outcome::pass(format!("spans are exported over OpenTelemetry: {}", e.what))
            .with_hits(exporters.clone())
            .with_hits(layer),
        (Some(e), None) => Outcome::partial(format!(
            "an exporter is built ({}) but no tracing-opentelemetry layer feeds it the service's spans",
            e.what
        ))
        .with_found_hits(exporters.clone())
        .looked_for(looked),
        (None, Some(l)) if !stdout.is_empty() => Outcome::partial(format!(
            "spans reach OpenTelemetry ({}) but only the stdout exporter is set up",
            l.what
        ))
        .with_found_hits(layer.clone())
        .with_found_hits(stdout)
        .looked_for(looked),
        (None, Some(l)) => Outcome::partial(format!(
            "a tracing-opentelemetry layer is wired ({}) but no exporter sends the spans anywhere",
            l.what
        ))
        .with_found_hits(layer.clone())
        .looked_for(looked),
        (None, None) => crate::analyzers::declared_unused(
            facts,
            OTEL_CRATES,
            "no exporter or layer is wired in code",
            looked,
        )
        .unwrap_or_else(|| {
            Outcome::fail("no OpenTelemetry tracing: spans stay in this process's logs")
                .at(facts.anchor(), "no exporter set up here")
                .looked_for(looked)
        }),
    }
}
