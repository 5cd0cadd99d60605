//! `mq.idempotency`: a message delivered twice has its effect once.
//!
//! Brokers deliver at least once; consumers must tolerate duplicates and
//! producers should not create them. Evidence: Kafka
//! `enable.idempotence`/`transactional.id`, JetStream `Nats-Msg-Id`, SQS FIFO
//! `message_deduplication_id`, idempotency keys and dedup/inbox tables or
//! fields in code, literals or config. Idempotent writes alone (`ON CONFLICT DO
//! NOTHING`, `INSERT IGNORE`, upserts) count half: they guard rows, not side
//! effects.
//!
//! pass: dedup keys or exactly-once settings · partial: only idempotent writes
//! · fail: neither · n/a: no broker client.

use super::{broker_files, broker_hits, unless_broker};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const KEYS: &str = r"(?i)enable\.idempotence|transactional\.id|idempoten|Nats-Msg-Id|message_deduplication_id|MessageDeduplicationId|exactly[-_ ]?once|processed_(messages|events)|dedup(lication)?[-_ ]?(id|key|table|window)|\binbox\b";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let files = broker_files(facts, &brokers);
    let keys = Spec {
        within: Some(&files),
        methods: &[
            "message_deduplication_id",
            "set_transactional_id",
            "init_transactions",
        ],
        literals: Some(KEYS),
        idents: Some(r"(?i)idempoten|dedup(lication)?_?(id|key)|processed_(message|event)s?"),
        config: Some(KEYS),
        ..Spec::default()
    }
    .find(facts);
    if !keys.is_empty() {
        return Outcome::pass(format!("duplicates are detected ({})", keys[0].what))
            .with_hits(keys);
    }
    let writes = Spec {
        within: Some(&files),
        literals: Some(r"(?i)ON\s+CONFLICT[^;]*DO\s+(NOTHING|UPDATE)|INSERT\s+IGNORE|INSERT\s+OR\s+(IGNORE|REPLACE)|ON\s+DUPLICATE\s+KEY"),
        methods: &["on_conflict_do_nothing", "do_nothing", "on_conflict"],
        ..Spec::default()
    }
    .find(facts);
    let looked = "idempotency keys or a dedup table checked by consumers, and idempotent producers (enable.idempotence, Nats-Msg-Id, SQS deduplication ids)";
    if !writes.is_empty() {
        return Outcome::partial(format!(
            "writes are idempotent ({}), but no message id is checked: side effects (emails, calls) still repeat",
            writes[0].what
        ))
        .with_found_hits(writes)
        .looked_for(looked);
    }
    Outcome::fail("nothing makes processing idempotent: a redelivered message is processed twice")
        .with_found_hits(broker_hits(&brokers))
        .looked_for(looked)
}
