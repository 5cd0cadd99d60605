//! `mq.dead-letter`: a message that keeps failing is parked for inspection,
//! not retried forever or dropped.
//!
//! Dead-lettering is configuration or code naming it: RabbitMQ
//! `x-dead-letter-exchange`/`x-dead-letter-routing-key`, SQS `RedrivePolicy`/
//! `deadLetterTargetArn`, a dead-letter/`.dlq` topic or queue, a parking-lot
//! queue, in code literals, identifiers or shipped config. Bounded retries
//! without a place to park (`basic_nack`/`basic_reject` without requeue,
//! JetStream `max_deliver`, retry counters) count half.
//!
//! pass: a dead-letter destination · partial: bounded retries only · fail:
//! neither · n/a: no broker client.

use super::{broker_files, broker_hits, unless_broker};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const DLQ: &str = r"(?i)dead[-_. ]?letter|(^|[-_.])dl[qx]($|[-_.])|\bdl[qx]\b|x-dead-letter|redrive|deadLetterTargetArn|parking[-_.]?lot[-_.]?(queue|topic|exchange)|poison[-_ ]?(queue|message)";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let files = broker_files(facts, &brokers);
    let dlq = Spec {
        within: Some(&files),
        literals: Some(DLQ),
        idents: Some(r"(?i)dead_?letter|(^|[_.:])dlq|Dlq|redrive"),
        config: Some(DLQ),
        ..Spec::default()
    }
    .find(facts);
    if !dlq.is_empty() {
        return Outcome::pass(format!(
            "failed messages are dead-lettered ({})",
            dlq[0].what
        ))
        .with_hits(dlq);
    }
    let retries = Spec {
        within: Some(&files),
        methods: &["basic_nack", "basic_reject", "max_deliver", "nack", "term"],
        literals: Some(r"(?i)max[-_. ]?deliver|max[-_. ]?retries|retry[-_. ]?count|x-death|delivery[-_. ]?count"),
        ..Spec::default()
    }
    .find(facts);
    let looked = "a dead-letter queue/exchange/topic (x-dead-letter-exchange, RedrivePolicy, a .dlq topic) where messages go after bounded retries";
    if !retries.is_empty() {
        return Outcome::partial(format!(
            "retries are bounded ({}), but failed messages are not parked anywhere for inspection",
            retries[0].what
        ))
        .with_found_hits(retries)
        .looked_for(looked);
    }
    Outcome::fail("no dead-letter handling: a poison message is retried forever or lost")
        .with_found_hits(broker_hits(&brokers))
        .looked_for(looked)
}
