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

use super::{broker_files, broker_hits, unless_broker};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const LAG: &str = r"(?i)consumer[_.-]?lag|(queue|stream|topic|partition|consumer|subscription)[_.-]?(depth|backlog|lag|pending|size|len|length)|lag[_.-]?(ms|seconds|messages)|(pending|unacked|ready)[_.-]?messages|messages[_.-]?(pending|ready|unacked)|num[_.-]?pending|kafka_consumergroup_lag|rabbitmq_queue_messages|ApproximateNumberOfMessages|statistics\.interval\.ms";

/// Lag and depth as exporters and alert rules name them (a `queue-size` setting
/// in config is a buffer size, not a measurement).
const LAG_ALERTS: &str = r"(?i)consumer[_.-]?lag|kafka_consumergroup_lag|rabbitmq_queue_messages|nats_consumer_num_pending|jetstream_consumer_num_pending|ApproximateNumberOfMessages|statistics\.interval\.ms";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let files = broker_files(facts, &brokers);
    let lag = Spec {
        within: Some(&files),
        literals: Some(LAG),
        idents: Some(
            r"(?i)consumer_?lag|queue_?depth|(queue|consumer|stream)_?backlog|pending_messages",
        ),
        config: Some(LAG_ALERTS),
        ..Spec::default()
    }
    .find(facts);
    if !lag.is_empty() {
        return Outcome::pass(format!("queue lag/depth is measured ({})", lag[0].what))
            .with_hits(lag);
    }
    Outcome::fail("no lag or depth metric: a stalled consumer shows up only as a growing backlog")
        .with_found_hits(broker_hits(&brokers))
        .looked_for("a metric or alert on consumer lag / queue depth (consumer_lag gauge, rdkafka statistics, kafka_consumergroup_lag alert)")
}
