//! `obs.metrics` (and `ready.metrics-exposed`): the service exposes metrics
//! for Prometheus to scrape.
//!
//! Exposition is what counts ([`metric_facts::exposition`]): a `/metrics`
//! route, an exporter serving its own endpoint (`PrometheusBuilder::install`,
//! `with_http_listener`, actix-web-prom's `endpoint`), or a handler rendering
//! the text format (`handle.render()`, `TextEncoder`). Metrics recorded with no
//! endpoint reach nobody; metrics pushed over OTLP/StatsD reach a backend but
//! give no scrape endpoint. A metrics crate in Cargo.toml that no code uses is
//! not metrics.
//!
//! pass: a scrape endpoint · partial: metrics recorded or pushed, no endpoint
//! · fail: nothing wired (crates declared, or none) · n/a: no service code.

use super::metric_facts::{
    exposition, metrics, push_exporters, request_metric_layers, METRIC_CRATES,
};
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::unless_service(facts) {
        return na;
    }
    let exposed = exposition(facts);
    let recorded: Vec<_> = metrics(facts).iter().map(|m| m.hit()).collect();
    let layers = request_metric_layers(facts);
    let pushed = push_exporters(facts);
    let crates = facts.dep_hits(METRIC_CRATES);
    let looked = "a /metrics route or a Prometheus exporter serving its endpoint (metrics-exporter-prometheus, prometheus TextEncoder, axum-prometheus, actix-web-prom, autometrics)";
    if let Some(e) = exposed.first() {
        return Outcome::pass(format!("metrics are exposed for scraping: {}", e.what))
            .with_hits(exposed.clone())
            .with_hits(layers)
            .with_hits(recorded.into_iter().take(10))
            .with_hits(crates);
    }
    if let Some(p) = pushed.first() {
        return Outcome::partial(format!(
            "metrics are pushed ({}) but there is no Prometheus scrape endpoint",
            p.what
        ))
        .with_found_hits(pushed.clone())
        .with_found_hits(recorded.into_iter().take(10))
        .looked_for(looked);
    }
    if !recorded.is_empty() || !layers.is_empty() {
        return Outcome::partial("metrics are recorded, but nothing exposes them: no /metrics route and no exporter endpoint")
            .with_found_hits(layers)
            .with_found_hits(recorded.into_iter().take(10))
            .with_found_hits(crates)
            .looked_for(looked);
    }
    if let Some(unused) = crate::analyzers::declared_unused(
        facts,
        METRIC_CRATES,
        "no service code records or exposes a metric",
        looked,
    ) {
        return unused;
    }
    Outcome::fail("no metrics: nothing records or exposes them")
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no /metrics route on the router built here",
        )
        .looked_for(looked)
}
