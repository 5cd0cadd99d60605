//! `svc.event-driven`: the service publishes or consumes typed events over a
//! broker.
//!
//! A broker client used in service code — lapin (AMQP), rdkafka, async-nats,
//! SQS/SNS/EventBridge/Kinesis, Google Pub/Sub, Pulsar, MQTT, Iggy, or Redis
//! streams/pub-sub (`xadd`, `publish`, `subscribe`) — carrying event types
//! (a serde/prost type named `…Event`, `…Message`, `…Command`, `…Notification`,
//! or for something that happened: `OrderPlaced`, `PaymentCaptured`).
//! A broker crate nobody calls publishes nothing. Only event types the broker
//! code defines or names count: an `Event` type elsewhere is not published.
//!
//! pass: broker used with event types · partial: broker used with untyped
//! payloads · fail: broker crate declared but unused · n/a: no broker client.

use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

pub const BROKER_CRATES: &[&str] = &[
    "lapin",
    "amqprs",
    "rdkafka",
    "kafka",
    "async-nats",
    "nats",
    "aws-sdk-sqs",
    "aws-sdk-sns",
    "aws-sdk-eventbridge",
    "aws-sdk-kinesis",
    "google-cloud-pubsub",
    "pulsar",
    "rumqttc",
    "paho-mqtt",
    "iggy",
    "fluvio",
    "azure_messaging_servicebus",
    "fe2o3-amqp",
    "zmq",
];

const BROKER_PATHS: &[&str] = &[
    "^lapin",
    "^amqprs",
    "^rdkafka",
    "^kafka",
    "^async_nats",
    "^nats",
    "^aws_sdk_sqs",
    "^aws_sdk_sns",
    "^aws_sdk_eventbridge",
    "^aws_sdk_kinesis",
    "^google_cloud_pubsub",
    "^pulsar",
    "^rumqttc",
    "^paho_mqtt",
    "^iggy",
    "^fluvio",
    "^azure_messaging_servicebus",
    "^fe2o3_amqp",
    "^zmq",
];

const REDIS_PATHS: &[&str] = &["^redis", "^fred", "^deadpool_redis", "^bb8_redis"];

/// Broker use in service code: client paths and Redis stream/pub-sub calls.
/// A `.publish()`/`.subscribe()` counts only in a file that uses a Redis
/// client and with a channel argument: `broadcast::Sender::subscribe()` is
/// no broker.
pub fn broker_use(facts: &Facts) -> Vec<Hit> {
    let mut hits = facts.refs_or_imports(BROKER_PATHS);
    if !facts
        .deps(&["redis", "fred", "deadpool-redis", "bb8-redis"])
        .is_empty()
    {
        let redis_files: std::collections::BTreeSet<String> = facts
            .refs_or_imports(REDIS_PATHS)
            .into_iter()
            .map(|h| h.location.path)
            .collect();
        for (f, m) in facts.methods(&[
            "xadd",
            "xread",
            "xreadgroup",
            "xread_options",
            "publish",
            "subscribe",
            "psubscribe",
            "get_async_pubsub",
        ]) {
            // Redis subscribes to a named channel and publishes to one; a
            // `broadcast::Sender::subscribe()` takes no argument.
            let min_args = match m.name.as_str() {
                "subscribe" | "psubscribe" => 1,
                "publish" => 2,
                _ => 0,
            };
            if redis_files.contains(&f.path) && m.args >= min_args {
                hits.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("Redis `.{}()`", m.name),
                ));
            }
        }
    }
    hits
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let used = broker_use(facts);
    let looked = "a broker client publishing or consuming event types (serde/prost types named …Event/…Message/…Command, or OrderPlaced-style past tenses)";
    if used.is_empty() {
        return crate::analyzers::declared_unused(
            facts,
            BROKER_CRATES,
            "no service code uses it, so no event is published or consumed",
            looked,
        )
        .unwrap_or_else(|| {
            Outcome::na("no message broker client (lapin, rdkafka, async-nats, SQS/SNS, Pub/Sub, Redis streams, …)")
        });
    }
    let events = carried_events(facts, &used);
    if let Some(e) = events.first() {
        return Outcome::pass(format!(
            "events over a broker: {} and {}",
            used[0].what, e.what
        ))
        .with_hits(events.clone())
        .with_hits(used.into_iter().take(5));
    }
    Outcome::partial(
        "a broker is used, but no event types were found: payloads are untyped bytes or strings",
    )
    .with_found_hits(used)
    .looked_for(looked)
}

/// `OrderPlaced`, `PaymentCaptured`: a type named for something that happened.
fn past_tense(name: &str) -> bool {
    let last_word_start = name.rfind(|c: char| c.is_uppercase()).unwrap_or(0);
    let last = &name[last_word_start..];
    last_word_start > 0
        && last.len() > 4
        && last.ends_with("ed")
        && !matches!(
            last,
            "Shared" | "Paginated" | "Nested" | "Embedded" | "Related"
        )
}

/// Event types the broker code carries: defined in a file that uses the
/// broker, or named there. An `Event` type elsewhere (a telemetry event, a
/// websocket frame) says nothing about what goes over the broker.
fn carried_events(facts: &Facts, used: &[Hit]) -> Vec<Hit> {
    let files: std::collections::BTreeSet<&str> =
        used.iter().map(|h| h.location.path.as_str()).collect();
    let named_there = |name: &str| {
        facts
            .rust
            .iter()
            .filter(|f| files.contains(f.path.as_str()))
            .any(|f| {
                f.refs
                    .iter()
                    .any(|r| !r.test && r.path.rsplit("::").next() == Some(name))
            })
    };
    event_types(facts)
        .into_iter()
        .filter(|(name, e)| files.contains(e.location.path.as_str()) || named_there(name))
        .map(|(_, e)| e)
        .collect()
}

/// Serialisable types named for events, with their names.
fn event_types(facts: &Facts) -> Vec<(String, Hit)> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            let named = ["Event", "Message", "Command", "Notification", "Envelope"]
                .iter()
                .any(|s| t.name.ends_with(s))
                || past_tense(&t.name);
            let serial = t.derives.iter().any(|d| {
                d.ends_with("Serialize")
                    || d.ends_with("Deserialize")
                    || d.ends_with("prost::Message")
                    || d == "Message"
            });
            if named && serial {
                out.push((
                    t.name.clone(),
                    Hit::new(
                        Location::new(f.path.clone(), t.line),
                        format!("event type `{}`", t.name),
                    ),
                ));
            }
        }
    }
    out
}
