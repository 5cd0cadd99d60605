//! `mq.priority`: urgent messages are not stuck behind bulk ones.
//!
//! Evidence: RabbitMQ priority queues (`x-max-priority`, a message
//! `priority`/`with_priority`), or separate queues/topics/subjects per priority
//! (`orders.high`, `high-priority`, `urgent`) in literals or config.
//!
//! pass: priorities or priority lanes · fail: one lane for everything ·
//! n/a: no broker client.

use super::{broker_files, broker_hits, unless_broker};
use crate::analyzers::scan::Spec;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const PRIORITY: &str = r"(?i)x-max-priority|priority[-_.]?(queue|topic|lane|high|low)|(high|low|urgent)[-_.]?priority|^[\w-]+(\.[\w-]+)*\.(urgent|high|low|bulk)$";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let files = broker_files(facts, &brokers);
    let hits = Spec {
        within: Some(&files),
        methods: &["with_priority", "priority"],
        literals: Some(PRIORITY),
        config: Some(PRIORITY),
        ..Spec::default()
    }
    .find(facts);
    if !hits.is_empty() {
        return Outcome::pass(format!("messages are prioritised ({})", hits[0].what))
            .with_hits(hits);
    }
    Outcome::fail("all messages share one lane: an urgent message waits behind any backlog")
        .with_found_hits(broker_hits(&brokers))
        .looked_for("priority queues (x-max-priority with message priorities) or separate high/low priority queues or topics")
}
