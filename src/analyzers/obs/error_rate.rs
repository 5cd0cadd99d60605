//! `obs.error-rate`: failures are counted, so an error rate can be computed
//! and alerted on.
//!
//! Per-request metric middleware labels every request with its status
//! (axum-prometheus, actix-web-prom, axum-otel-metrics, `#[autometrics]`); a
//! counter labelled `status`/`code`/`outcome`/`result`, or named for errors
//! (`…_errors_total`, `…_failures`), does it by hand; an error tracker (Sentry)
//! counts and groups errors too. Requests counted without their status give
//! traffic, not an error rate.
//!
//! pass: status-labelled request metrics, error counters or an error tracker
//! · partial: requests counted without status · fail: nothing · n/a: no server.

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
    let errorish = |n: &str| {
        let l = n.to_ascii_lowercase();
        [
            "error",
            "errors",
            "fail",
            "failure",
            "failed",
            "5xx",
            "4xx",
            "panic",
            "exception",
        ]
        .iter()
        .any(|k| l.contains(k))
    };
    let counted: Vec<_> = all
        .iter()
        .filter(|m| {
            m.labels.iter().any(|l| {
                matches!(
                    l.as_str(),
                    "status" | "status_code" | "code" | "outcome" | "result" | "error"
                )
            }) || m.name.as_deref().is_some_and(errorish)
        })
        .map(|m| m.hit())
        .collect();
    let tracker = facts.refs(&[
        "sentry::init",
        "sentry_tower",
        "sentry_actix",
        "sentry::integrations",
        "honeybadger",
        "bugsnag",
        "rollbar",
    ]);
    let looked = "request metrics labelled by status (metrics middleware), an error counter, or an error tracker (Sentry)";
    if let Some(first) = layers.first().or(counted.first()).or(tracker.first()) {
        return Outcome::pass(format!("errors are counted: {}", first.what))
            .with_hits(layers.clone())
            .with_hits(counted.clone())
            .with_hits(tracker.clone());
    }
    let requests: Vec<_> = all
        .iter()
        .filter(|m| {
            m.kind == Kind::Counter && m.name.as_deref().is_some_and(|n| n.contains("request"))
        })
        .map(|m| m.hit())
        .collect();
    if !requests.is_empty() {
        return Outcome::partial(
            "requests are counted without their status: the error rate cannot be computed",
        )
        .with_found_hits(requests)
        .looked_for(looked);
    }
    Outcome::fail("no error metrics: failures show up only in logs")
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no status-code metrics on the router built here",
        )
        .looked_for(looked)
}
