//! `svc.communication`: calls to other services go through clients with
//! timeouts.
//!
//! The service's outbound clients ([`super::outbound`]: reqwest, ureq, awc,
//! surf, isahc, hyper clients, tonic channels and generated gRPC clients) are
//! looked at for timeouts: `.timeout(..)`/`.connect_timeout(..)` on a client
//! builder, a request or a tonic `Endpoint`, a tower `TimeoutLayer`, or calls
//! wrapped in `tokio::time::timeout`. reqwest has no request timeout by
//! default, so one slow peer holds every request that calls it — and the
//! threads, connections and memory behind them.
//!
//! pass: clients with timeouts · fail: clients with none · n/a: no outbound
//! HTTP/gRPC calls.

use super::outbound;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let clients = outbound(facts);
    if clients.is_empty() {
        return Outcome::na("the service makes no outbound HTTP or gRPC calls (no reqwest/ureq/awc/hyper client or tonic channel in service code)");
    }
    let timeouts = client_timeouts(facts);
    let looked = "`.timeout(..)`/`.connect_timeout(..)` on the client builder, request or tonic Endpoint, a tower TimeoutLayer, or `tokio::time::timeout` around calls";
    if let Some(t) = timeouts.first() {
        return Outcome::pass(format!("outbound clients have timeouts: {}", t.what))
            .with_hits(timeouts.clone())
            .with_hits(clients);
    }
    Outcome::fail(format!(
        "{} outbound client use(s) and no timeout anywhere: a slow peer holds requests (and connections) indefinitely",
        clients.len()
    ))
    .with_hits(clients)
    .looked_for(looked)
}

/// Timeouts set on clients, requests or calls in service code.
pub fn client_timeouts(facts: &Facts) -> Vec<Hit> {
    let mut out: Vec<Hit> = facts
        .methods(&[
            "timeout",
            "connect_timeout",
            "read_timeout",
            "timeout_read",
            "timeout_connect",
            "timeout_global",
            "http2_keep_alive_timeout",
        ])
        .into_iter()
        .filter(|(_, m)| m.args > 0)
        .map(|(f, m)| {
            Hit::new(
                Location::new(f.path.clone(), m.line),
                format!("`.{}(..)`", m.name),
            )
        })
        .collect();
    out.extend(facts.refs(&[
        "tokio::time::timeout",
        "TimeoutLayer",
        "tower::timeout::Timeout",
    ]));
    out.sort();
    out.dedup();
    out
}
