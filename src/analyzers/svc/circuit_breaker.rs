//! `svc.circuit-breaker`: calls to a failing peer stop quickly instead of
//! piling up.
//!
//! A circuit breaker (failsafe, recloser, a `CircuitBreaker` type) opens after
//! repeated failures and fails fast while the peer recovers. Short of one,
//! bounded retries with backoff (reqwest-retry's `RetryTransientMiddleware`,
//! backon, tokio-retry, backoff, `tower::retry`) plus timeouts keep a blip
//! from becoming an outage; retries without backoff or without timeouts make a
//! struggling peer worse.
//!
//! pass: a breaker, or retries with backoff and timeouts · partial: only
//! timeouts, or retries without timeouts · fail: nothing · n/a: no outbound
//! calls.

use super::communication::client_timeouts;
use super::outbound;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

/// Breaker crates, and types named for one (`CircuitBreaker`, `HttpCircuitBreaker`,
/// not `MemoryCircuitBreakerError`).
const BREAKERS: &[&str] = &[
    "^failsafe",
    "^recloser",
    "*CircuitBreaker",
    "^circuitbreaker",
    "^circuit_breaker",
    "^tower_circuit_breaker",
];

const RETRIES: &[&str] = &[
    "reqwest_retry",
    "RetryTransientMiddleware",
    "ExponentialBackoff",
    "backon",
    "tokio_retry",
    "backoff::future::retry",
    "backoff::ExponentialBackoff",
    "tower::retry",
    "RetryLayer",
    "retry::retry",
    "again::RetryPolicy",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let clients = outbound(facts);
    if clients.is_empty() {
        return Outcome::na("the service makes no outbound HTTP or gRPC calls");
    }
    let breakers = facts.refs(BREAKERS);
    let retries = facts.refs(RETRIES);
    let timeouts = client_timeouts(facts);
    let looked = "a circuit breaker (failsafe, recloser) around outbound calls, or retries with exponential backoff (reqwest-retry, backon, tower::retry) together with timeouts";
    if let Some(b) = breakers.first() {
        return Outcome::pass(format!("circuit breaker on outbound calls: {}", b.what))
            .with_hits(breakers.clone())
            .with_hits(retries)
            .with_hits(timeouts);
    }
    if let (Some(r), Some(_)) = (retries.first(), timeouts.first()) {
        return Outcome::pass(format!(
            "retries with backoff ({}) and timeouts on outbound calls",
            r.what
        ))
        .with_hits(retries.clone())
        .with_hits(timeouts);
    }
    if !retries.is_empty() {
        return Outcome::partial("retries without timeouts: a hung peer is retried, not cut off")
            .with_found_hits(retries)
            .looked_for(looked);
    }
    if !timeouts.is_empty() {
        return Outcome::partial(
            "timeouts only: a failing peer is called at full rate with no retry budget or breaker",
        )
        .with_found_hits(timeouts)
        .looked_for(looked);
    }
    Outcome::fail("outbound calls have no breaker, retry policy or timeout")
        .with_hits(clients.into_iter().take(5))
        .looked_for(looked)
}
