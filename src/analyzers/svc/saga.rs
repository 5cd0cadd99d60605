//! `svc.saga`: a business operation that spans the service's database and
//! another system either completes everywhere or is compensated.
//!
//! It applies when the service writes to a database and also publishes to a
//! broker or calls other services. Evidence of a pattern: an outbox table in
//! the migrations (`CREATE TABLE … outbox`), outbox/saga/compensation types or
//! functions in code, an outbox or durable-workflow crate (sqlxmq, pgmq,
//! Temporal, Restate). A service that commits to its database and then
//! publishes to a broker without an outbox has the dual-write problem: a crash
//! between the two loses or duplicates the event.
//!
//! pass: an outbox or saga · fail: database + broker with neither · manual:
//! database + outbound HTTP calls (whether they form one transaction is a
//! design question) · n/a: no database, or nothing beyond it.

use super::event_driven::broker_use;
use super::outbound;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const DB_CRATES: &[&str] = &[
    "sqlx",
    "diesel",
    "diesel-async",
    "sea-orm",
    "tokio-postgres",
    "deadpool-postgres",
    "mongodb",
    "rusqlite",
    "mysql_async",
    "scylla",
    "surrealdb",
];

const PATTERN_CRATES: &[&str] = &[
    "sqlxmq",
    "pgmq",
    "temporal-sdk",
    "temporal-sdk-core",
    "restate-sdk",
    "outbox",
    "transactional-outbox",
    "sagas",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let db = facts.dep_hits(DB_CRATES);
    if db.is_empty() {
        return Outcome::na("the service has no database of its own (no sqlx, diesel, sea-orm, tokio-postgres, mongodb, …)");
    }
    let brokers = broker_use(facts);
    let peers = outbound(facts);
    if brokers.is_empty() && peers.is_empty() {
        return Outcome::na(
            "every write goes to the service's own database: there is no distributed transaction",
        );
    }
    let patterns = saga_evidence(facts);
    if let Some(p) = patterns.first() {
        return Outcome::pass(format!("distributed writes are coordinated: {}", p.what))
            .with_hits(patterns.clone());
    }
    let looked = "an outbox table written in the same transaction as the business row and relayed to the broker, or saga/compensation steps";
    if let Some(b) = brokers.first() {
        return Outcome::fail(format!(
            "the service writes to its database and publishes to a broker ({}) with no outbox: a crash between commit and publish loses or duplicates the event",
            b.what
        ))
        .with_hits(brokers.clone())
        .with_hits(db)
        .looked_for(looked);
    }
    Outcome::manual("the service writes to its database and calls other services; whether a call and a write form one business transaction needing compensation cannot be seen statically")
        .with_hits(db)
        .with_hits(peers.into_iter().take(5))
}

fn saga_evidence(facts: &Facts) -> Vec<Hit> {
    let mut out = facts.dep_hits(PATTERN_CRATES);
    for t in facts.texts_where(|t| t.kind == crate::classify::FileKind::Sql && t.role.is_service())
    {
        let lower = t.text.to_ascii_lowercase();
        for (i, l) in lower.lines().enumerate() {
            if l.contains("create table") && l.contains("outbox") {
                out.push(Hit::new(
                    Location::new(t.path.clone(), i as u32 + 1),
                    "outbox table in the migrations",
                ));
            }
        }
    }
    for (_, f) in facts.service_rust() {
        let named = |n: &str| {
            let l = n.to_ascii_lowercase();
            l.contains("outbox") || l.contains("saga") || l.contains("compensat")
        };
        for t in f.types.iter().filter(|t| !t.test && named(&t.name)) {
            out.push(Hit::new(
                Location::new(f.path.clone(), t.line),
                format!("`{}`", t.name),
            ));
        }
        for func in f.fns.iter().filter(|x| !x.test && named(&x.name)) {
            out.push(Hit::new(
                Location::new(f.path.clone(), func.line),
                format!("`fn {}`", func.name),
            ));
        }
    }
    out
}
