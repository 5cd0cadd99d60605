//! `mq.replay`: messages can be replayed — reprocessed from a point in the
//! past after a bug fix, or moved back from the dead-letter queue.
//!
//! Evidence: seeking or assigning offsets (rdkafka `seek`/`assign`/
//! `offsets_for_times`, `Offset::Beginning`/`Offset::Offset`), JetStream
//! `DeliverPolicy::ByStartSequence`/`ByStartTime`/`All`, RabbitMQ stream
//! `OffsetSpecification`, SQS `start_message_move_task` (DLQ redrive), or a
//! replay/reprocess/redrive command or function in code or scripts.
//! `auto.offset.reset` alone sets where a new consumer group starts and
//! counts half.
//!
//! pass: a replay mechanism · partial: only `auto.offset.reset` · fail: none ·
//! n/a: no broker client.

use super::{broker_files, broker_hits, unless_broker};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let files = broker_files(facts, &brokers);
    let replay = Spec {
        within: Some(&files),
        refs: &[
            "rdkafka::Offset",
            "Offset::Beginning",
            "Offset::Offset",
            "Offset::OffsetTail",
            "DeliverPolicy::ByStartSequence",
            "DeliverPolicy::ByStartTime",
            "DeliverPolicy::All",
            "OffsetSpecification",
            "StartMessageMoveTask",
        ],
        methods: &[
            "seek",
            "seek_partitions",
            "offsets_for_times",
            "assign",
            "start_message_move_task",
            "deliver_policy",
            "by_start_sequence",
            "by_start_time",
        ],
        idents: Some(r"(?i)(^|[_.:])(replay|reprocess|redrive|rewind)(_|$)"),
        config: Some(r"(?i)--reset-offsets|\bredrive\b|start-message-move-task"),
        ..Spec::default()
    }
    .find(facts);
    if !replay.is_empty() {
        return Outcome::pass(format!("messages can be replayed ({})", replay[0].what))
            .with_hits(replay);
    }
    let reset = Spec {
        within: Some(&files),
        literals: Some(r"(?i)auto\.offset\.reset"),
        config: Some(r"(?i)auto\.offset\.reset"),
        ..Spec::default()
    }
    .find(facts);
    let looked = "offset seeking or a replay/redrive tool (seek/assign to an offset or time, DeliverPolicy::ByStartTime, SQS message move task)";
    if !reset.is_empty() {
        return Outcome::partial("only `auto.offset.reset` is set: it chooses where a new consumer group starts, but nothing replays a range on demand")
            .with_found_hits(reset)
            .looked_for(looked);
    }
    Outcome::fail("no way to replay messages: after a bug fix, the affected messages are gone")
        .with_found_hits(broker_hits(&brokers))
        .looked_for(looked)
}
