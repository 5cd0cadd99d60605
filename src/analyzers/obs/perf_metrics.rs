//! `obs.perf-metrics`: request latency is recorded as a histogram.
//!
//! Per-request middleware that records duration by route and status
//! (axum-prometheus, actix-web-prom, axum-otel-metrics, tower-otel-http-metrics,
//! `#[autometrics]` on handlers), or a histogram whose name says it times
//! requests (`http_request_duration_seconds`, `request_latency`,
//! `response_time`). Percentiles (p95, p99) come from histograms; averages and
//! counters hide the slow tail.
//!
//! pass: per-request latency histograms · partial: latency measured for other
//! work only (queries, jobs) · fail: no latency histogram · n/a: no server.

use super::metric_facts::{metrics, request_metric_layers, Kind};
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let layers = request_metric_layers(facts);
    let all = metrics(facts);
    let histograms: Vec<_> = all.iter().filter(|m| m.kind == Kind::Histogram).collect();
    let tokens = |n: &str| -> Vec<String> {
        n.to_ascii_lowercase()
            .split(['_', '.', ':', '-'])
            .map(str::to_string)
            .collect()
    };
    let timed = |n: &str| {
        tokens(n).iter().any(|t| {
            matches!(
                t.as_str(),
                "duration" | "latency" | "seconds" | "time" | "ms" | "elapsed"
            )
        })
    };
    let request = |n: &str| {
        tokens(n).iter().any(|t| {
            matches!(
                t.as_str(),
                "http"
                    | "request"
                    | "requests"
                    | "response"
                    | "handler"
                    | "endpoint"
                    | "route"
                    | "rpc"
                    | "grpc"
                    | "server"
            )
        })
    };
    let request_hist: Vec<_> = histograms
        .iter()
        .filter(|m| m.name.as_deref().is_some_and(|n| timed(n) && request(n)))
        .map(|m| m.hit())
        .collect();
    let looked = "request latency histograms: axum-prometheus / actix-web-prom / axum-otel-metrics middleware, #[autometrics], or a `http_request_duration_seconds` histogram recorded per request";
    if let Some(first) = layers.first().or(request_hist.first()) {
        return Outcome::pass(format!("request latency is recorded: {}", first.what))
            .with_hits(layers.clone())
            .with_hits(request_hist.clone());
    }
    let other: Vec<_> = histograms.iter().map(|m| m.hit()).collect();
    if !other.is_empty() {
        return Outcome::partial(format!(
            "latency is measured ({}) but not per request",
            other[0].what
        ))
        .with_found_hits(other)
        .looked_for(looked);
    }
    Outcome::fail("no request latency histogram")
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no metrics middleware on the router built here",
        )
        .looked_for(looked)
}
