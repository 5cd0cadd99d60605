//! Analyzers for the Messaging section (`mq.*` rules), and broker detection.
//!
//! The section applies when a service package depends on a message-broker
//! client (AMQP, Kafka, NATS, SQS/SNS/Kinesis, Pub/Sub, Pulsar, MQTT, Redis
//! Streams, a Postgres queue); otherwise every item is `n/a` with that reason.
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod batching;
pub mod dead_letter;
pub mod idempotency;
pub mod monitoring;
pub mod priority;
pub mod producer_consumer;
pub mod replay;
pub mod serialization;

use super::Decide;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::rules::Outcome;
use std::collections::HashSet;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("mq_producer_consumer", producer_consumer::decide),
    ("mq_dead_letter", dead_letter::decide),
    ("mq_serialization", serialization::decide),
    ("mq_idempotency", idempotency::decide),
    ("mq_monitoring", monitoring::decide),
    ("mq_batching", batching::decide),
    ("mq_priority", priority::decide),
    ("mq_replay", replay::decide),
];

/// Broker client crates, with the broker family they speak to.
pub const BROKERS: &[(&str, Family)] = &[
    ("lapin", Family::Amqp),
    ("amiquip", Family::Amqp),
    ("deadpool-lapin", Family::Amqp),
    ("bb8-lapin", Family::Amqp),
    ("fe2o3-amqp", Family::Amqp),
    ("amqprs", Family::Amqp),
    ("rabbitmq-stream-client", Family::Kafka),
    ("rdkafka", Family::Kafka),
    ("kafka", Family::Kafka),
    ("rskafka", Family::Kafka),
    ("samsa", Family::Kafka),
    ("async-nats", Family::Nats),
    ("nats", Family::Nats),
    ("aws-sdk-sqs", Family::Sqs),
    ("aws-sdk-sns", Family::Sqs),
    ("aws-sdk-kinesis", Family::Kafka),
    ("aws-sdk-eventbridge", Family::Sqs),
    ("google-cloud-pubsub", Family::PubSub),
    ("azure_messaging_servicebus", Family::Amqp),
    ("pulsar", Family::Kafka),
    ("rumqttc", Family::Mqtt),
    ("paho-mqtt", Family::Mqtt),
    ("iggy", Family::Kafka),
    ("fluvio", Family::Kafka),
    ("zmq", Family::Mqtt),
    ("pgmq", Family::Sqs),
];

/// Broker families: what their clients and settings look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Amqp,
    Kafka,
    Nats,
    Sqs,
    PubSub,
    Mqtt,
    Redis,
}

/// The brokers a service talks to: the dependency hits and their families.
pub fn brokers(facts: &Facts) -> Vec<(Hit, Family)> {
    let mut out = Vec::new();
    for (name, fam) in BROKERS {
        for h in facts.dep_hits(&[name]) {
            out.push((h, *fam));
        }
    }
    // Redis is a broker only when its streams or pub/sub are used.
    let streams = facts.methods(&[
        "xadd",
        "xread",
        "xread_options",
        "xreadgroup",
        "xack",
        "xgroup_create",
        "publish",
        "subscribe",
        "psubscribe",
        "get_async_pubsub",
    ]);
    let redis = facts.dep_hits(&["redis", "fred", "deadpool-redis", "bb8-redis"]);
    if !redis.is_empty()
        && streams.iter().any(|(_, m)| {
            m.name.starts_with('x')
                || m.root.as_deref().is_some_and(|r| r.contains("redis"))
                || m.name.contains("pubsub")
        })
    {
        for h in redis {
            out.push((h, Family::Redis));
        }
    }
    out
}

/// `n/a` when no broker client is a dependency.
pub fn unless_broker(facts: &Facts) -> Result<Vec<(Hit, Family)>, Outcome> {
    let b = brokers(facts);
    if b.is_empty() {
        return Err(Outcome::na(
            "no message-broker client is a dependency (lapin, rdkafka, async-nats, aws-sdk-sqs, google-cloud-pubsub, pulsar, rumqttc, redis streams, …)",
        ));
    }
    Ok(b)
}

/// Module paths of the broker clients, as they appear in code.
pub const BROKER_PATHS: &[&str] = &[
    "lapin",
    "amiquip",
    "deadpool_lapin",
    "bb8_lapin",
    "fe2o3_amqp",
    "amqprs",
    "rabbitmq_stream_client",
    "rdkafka",
    "kafka",
    "rskafka",
    "samsa",
    "async_nats",
    "nats",
    "aws_sdk_sqs",
    "aws_sdk_sns",
    "aws_sdk_kinesis",
    "aws_sdk_eventbridge",
    "google_cloud_pubsub",
    "azure_messaging_servicebus",
    "pulsar",
    "rumqttc",
    "paho_mqtt",
    "iggy",
    "fluvio",
    "zmq",
    "pgmq",
];

/// Service files that talk to a broker (import or use a broker client). Code
/// evidence for messaging items is read there only, so a `dedup()` helper or an RUM "replay" feature elsewhere
/// is not mistaken for message handling.
pub fn broker_files(facts: &Facts, brokers: &[(Hit, Family)]) -> HashSet<String> {
    let redis = brokers.iter().any(|(_, f)| *f == Family::Redis);
    let mut files = HashSet::new();
    for (_, f) in facts.service_rust() {
        let talks = f.refs.iter().any(|r| {
            let root = r.path.split("::").next().unwrap_or("");
            BROKER_PATHS.contains(&root) || (redis && root == "redis")
        }) || (redis
            && f.methods.iter().any(|m| {
                m.name.starts_with('x')
                    && m.name.len() <= 12
                    && ["xadd", "xread", "xreadgroup", "xack", "xread_options"]
                        .contains(&m.name.as_str())
            }));
        if talks {
            files.insert(f.path.clone());
        }
    }
    files
}

/// The evidence for a failing item: the broker dependencies.
pub fn broker_hits(b: &[(Hit, Family)]) -> Vec<Hit> {
    b.iter().map(|(h, _)| h.clone()).take(3).collect()
}
