//! `mq.monitoring`: queue depth and consumer lag are measured, so a stuck or
//! slow consumer is seen before the backlog is.
//!
//! Evidence: metrics named for lag, depth, backlog or pending messages in code
//! (`consumer_lag`, `queue_depth`, `messages_pending`), rdkafka statistics
//! (`statistics.interval.ms`), and alert
//! rules or exporters in config (`kafka_consumergroup_lag`,
//! `rabbitmq_queue_messages`, `nats_consumer_num_pending`,
//! `ApproximateNumberOfMessages`).
//!
//! pass: lag/depth measured or alerted on · fail: neither · n/a: no broker client.

use super::{broker_hits, unless_broker};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const LAG: &str = r"(?i)consumer[_.-]?lag|\blag[_.-]?(ms|seconds|messages)?\b|queue[_.-]?(depth|size|length|len|messages)|backlog|(pending|unacked|ready)[_.-]?messages|messages[_.-]?(pending|ready|unacked)|num[_.-]?pending|kafka_consumergroup_lag|rabbitmq_queue_messages|ApproximateNumberOfMessages|statistics\.interval\.ms|in[_-]?flight[_.-]?messages";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let lag = Spec {
        literals: Some(LAG),
        idents: Some(r"(?i)consumer_?lag|queue_?depth|backlog|pending_messages"),
        config: Some(LAG),
        ..Spec::default()
    }
    .find(facts);
    if !lag.is_empty() {
        return Outcome::pass(format!("queue lag/depth is measured ({})", lag[0].what))
            .with_hits(lag);
    }
    Outcome::fail("no lag or depth metric: a stalled consumer shows up only as a growing backlog")
        .with_hits(broker_hits(&brokers))
        .looked_for("a metric or alert on consumer lag / queue depth (consumer_lag gauge, rdkafka statistics, kafka_consumergroup_lag alert)")
}
