//! `mq.producer-consumer`: the broker client is wired — messages are
//! published and/or consumed in service code, and consumers acknowledge.
//!
//! Producers: `basic_publish`, rdkafka `FutureProducer`/`BaseProducer` with
//! `send`, NATS/JetStream `publish`, SQS `send_message`, Kinesis `put_record`,
//! Redis `xadd`, Pub/Sub `publish`, MQTT `publish`. Consumers: `basic_consume`,
//! rdkafka `StreamConsumer`/`BaseConsumer` with `subscribe`/`stream`/`recv`,
//! NATS `subscribe`/JetStream `messages`/`fetch`, SQS `receive_message`, Redis
//! `xreadgroup`. Acknowledgement: `basic_ack`/`ack`/`double_ack`,
//! `commit_message`/`commit_consumer_state`/`store_offset`, SQS
//! `delete_message`, `xack`.
//!
//! pass: the client produces or consumes (consumers of AMQP, JetStream, SQS or
//! Redis Streams acknowledge) · partial: a consumer that never acknowledges ·
//! fail: a broker crate nothing uses · n/a: no broker client. Calls are read
//! in files that use a broker client (a `.publish()` elsewhere is not one).

use super::{broker_files, broker_hits, unless_broker, Family};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub const PRODUCERS: Spec = Spec {
    refs: &[
        "FutureProducer",
        "BaseProducer",
        "ThreadedProducer",
        "FutureRecord",
        "BaseRecord",
        "rskafka::client::partition::PartitionClient",
        "PublishMessage",
    ],
    methods: &[
        "basic_publish",
        "publish",
        "publish_with_headers",
        "send_message",
        "send_message_batch",
        "put_record",
        "put_records",
        "xadd",
        "produce",
        "send_batch",
        "publish_immediately",
    ],
    literals: None,
    idents: None,
    config: None,
    within: None,
};

pub const CONSUMERS: Spec = Spec {
    refs: &[
        "StreamConsumer",
        "BaseConsumer",
        "lapin::Consumer",
        "async_nats::Subscriber",
        "jetstream::consumer",
        "PullConsumer",
        "PushConsumer",
        "StreamConsumerConfig",
    ],
    methods: &[
        "basic_consume",
        "subscribe",
        "receive_message",
        "xreadgroup",
        "xread",
        "xread_options",
        "messages",
        "get_records",
        "pull_messages",
        "queue_subscribe",
    ],
    literals: None,
    idents: None,
    config: None,
    within: None,
};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let files = broker_files(facts, &brokers);
    let produce = Spec {
        within: Some(&files),
        ..PRODUCERS
    }
    .find(facts);
    let consume = Spec {
        within: Some(&files),
        ..CONSUMERS
    }
    .find(facts);
    let ack = Spec {
        within: Some(&files),
        methods: &[
            "basic_ack",
            "ack",
            "ack_with",
            "double_ack",
            "commit_message",
            "commit_consumer_state",
            "store_offset",
            "store_offset_from_message",
            "delete_message",
            "delete_message_batch",
            "xack",
            "acknowledge",
            "basic_nack",
            "basic_reject",
        ],
        ..Spec::default()
    }
    .find(facts);
    let looked = "producers (publish/send) and consumers (subscribe/consume) of the broker in service code, with acknowledgements";
    if produce.is_empty() && consume.is_empty() {
        return Outcome::fail(format!(
            "{}, but no service code publishes or consumes messages",
            brokers[0].0.what
        ))
        .with_hits(broker_hits(&brokers))
        .looked_for(looked);
    }
    let needs_ack = brokers
        .iter()
        .any(|(_, f)| matches!(f, Family::Amqp | Family::Sqs | Family::Redis));
    if !consume.is_empty() && ack.is_empty() && needs_ack {
        return Outcome::partial(format!(
            "messages are consumed ({}) but never acknowledged: they are redelivered or pile up",
            consume[0].what
        ))
        .with_hits(consume)
        .with_found_hits(produce)
        .looked_for(looked);
    }
    let role = match (produce.is_empty(), consume.is_empty()) {
        (false, false) => "produces and consumes",
        (false, true) => "produces",
        _ => "consumes",
    };
    Outcome::pass(format!("the service {role} messages"))
        .with_hits(produce)
        .with_hits(consume)
        .with_hits(ack)
}
