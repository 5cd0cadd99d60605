//! `obs.business-metrics`: the service measures what it is for, not only how
//! busy it is.
//!
//! Counters, gauges and histograms whose names are about the domain
//! (`orders_created_total`, `payments_refunded`, `active_subscriptions`) rather
//! than the plumbing (`http_requests_total`, `process_cpu_seconds_total`,
//! `db_pool_connections`). HTTP metrics say the service answers; business
//! metrics say it does its job — a checkout that returns 200 but creates no
//! orders shows up only in the second kind.
//!
//! pass: at least one domain metric · fail: only technical metrics, or none ·
//! n/a: no service code.

use super::metric_facts::{is_business, metrics};
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::unless_service(facts) {
        return na;
    }
    let all = metrics(facts);
    let business: Vec<_> = all
        .iter()
        .filter(|m| m.name.as_deref().is_some_and(is_business))
        .map(|m| m.hit())
        .collect();
    let looked =
        "counters or gauges named for domain events (orders_created_total, payments_failed_total)";
    if let Some(b) = business.first() {
        return Outcome::pass(format!("domain metrics are recorded: {}", b.what))
            .with_hits(business.clone());
    }
    if !all.is_empty() {
        return Outcome::fail(format!(
            "{} metric(s) recorded, all technical (HTTP, runtime, pool): nothing measures the business",
            all.len()
        ))
        .with_found_hits(all.iter().map(|m| m.hit()).take(10))
        .looked_for(looked);
    }
    Outcome::fail("no metrics are recorded in service code")
        .at(facts.anchor(), "no counter, gauge or histogram recorded")
        .looked_for(looked)
}
