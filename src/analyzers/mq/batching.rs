//! `mq.batching`: messages are produced and consumed in batches where the
//! broker allows, not one network round-trip each.
//!
//! Evidence: producer batching settings (`batch.size`, `linger.ms`,
//! `batch.num.messages`), consumer prefetch (`basic_qos` prefetch count,
//! `max.poll.records`, `fetch.min.bytes`), batch calls (`send_message_batch`,
//! `put_records`, `delete_message_batch`, JetStream `fetch`/`batch` with
//! `max_messages`, SQS `max_number_of_messages`), or stream chunking
//! (`chunks`, `ready_chunks`, `chunks_timeout`) near the consumer. librdkafka
//! batches producers by default, so a Kafka producer without settings counts
//! half.
//!
//! pass: batching configured or batch calls · partial: Kafka defaults only ·
//! fail: one message at a time · n/a: no broker client.

use super::{broker_files, broker_hits, unless_broker, Family};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const SETTINGS: &str = r"(?i)batch\.size|linger\.ms|batch\.num\.messages|queue\.buffering\.max|fetch\.min\.bytes|max\.poll\.records|max_messages|max_number_of_messages|MaxNumberOfMessages|prefetch[_-]?count";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let files = broker_files(facts, &brokers);
    let batch = Spec {
        within: Some(&files),
        methods: &[
            "basic_qos",
            "send_message_batch",
            "put_records",
            "delete_message_batch",
            "send_batch",
            "produce_batch",
            "max_messages",
            "max_number_of_messages",
            "chunks_timeout",
            "ready_chunks",
            "batch",
            "fetch_batch",
            "prefetch_count",
        ],
        literals: Some(SETTINGS),
        config: Some(SETTINGS),
        ..Spec::default()
    }
    .find(facts);
    if !batch.is_empty() {
        return Outcome::pass(format!("messages are batched ({})", batch[0].what)).with_hits(batch);
    }
    let looked = "producer batching (linger.ms, batch.size, send_message_batch) and consumer prefetch/batches (basic_qos, max_messages, chunks)";
    let kafka = brokers
        .iter()
        .filter(|(_, f)| *f == Family::Kafka)
        .map(|(h, _)| h.clone())
        .collect::<Vec<_>>();
    if !kafka.is_empty() {
        return Outcome::partial("Kafka producers batch by default (librdkafka linger.ms), but nothing tunes batching or consumes in batches")
            .with_found_hits(kafka)
            .looked_for(looked);
    }
    Outcome::fail("messages are sent and received one at a time")
        .with_found_hits(broker_hits(&brokers))
        .looked_for(looked)
}
