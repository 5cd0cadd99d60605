//! `svc.saga`: a business operation that spans the service's database and
//! another system either completes everywhere or is compensated.
//!
//! It applies when the service writes to a database and also publishes to a
//! broker or calls other services. Evidence of a pattern: an outbox table in
//! the migrations (`CREATE TABLE … outbox`), outbox/saga/compensation types or
//! functions in code, an outbox or durable-workflow crate (sqlxmq, pgmq,
//! Temporal, Restate). Code that commits to the database and publishes to a
//! broker side by side (a write call and a publish call in one file that uses
//! the broker) without an outbox has the dual-write problem: a crash between
//! the two loses or duplicates the event.
//!
//! pass: an outbox or saga · fail: a dual write with neither · manual: the
//! database and the broker (or peer calls) are used apart, so whether one
//! operation spans them is a design question · n/a: no database, or nothing
//! beyond it.

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
    let dual = dual_writes(facts, &brokers);
    if !dual.is_empty() {
        return Outcome::fail(
            "a database write and a broker publish sit side by side with no outbox: a crash between commit and publish loses or duplicates the event",
        )
        .with_hits(dual)
        .with_found_hits(db)
        .looked_for(looked);
    }
    if !brokers.is_empty() {
        return Outcome::manual("the service has a database and a broker, used in different places; whether one operation writes to both cannot be seen statically")
            .with_hits(brokers.into_iter().take(5))
            .with_hits(db);
    }
    Outcome::manual("the service writes to its database and calls other services; whether a call and a write form one business transaction needing compensation cannot be seen statically")
        .with_hits(db)
        .with_hits(peers.into_iter().take(5))
}

/// Files where a database write and a broker publish happen side by side.
fn dual_writes(facts: &Facts, brokers: &[Hit]) -> Vec<Hit> {
    // Calls that only databases and brokers make (`send` only next to a Kafka record).
    const WRITES: &[&str] = &["execute", "execute_many", "insert_into", "commit"];
    const PUBLISHES: &[&str] = &[
        "publish",
        "basic_publish",
        "send_message",
        "produce",
        "xadd",
        "put_record",
        "publish_with_headers",
        "publish_batch",
    ];
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        if !brokers.iter().any(|b| b.location.path == f.path) {
            continue;
        }
        let kafka = f
            .refs
            .iter()
            .any(|r| r.path.contains("FutureRecord") || r.path.contains("BaseRecord"));
        let write = f
            .methods
            .iter()
            .find(|m| !m.test && WRITES.contains(&m.name.as_str()));
        let publish = f.methods.iter().find(|m| {
            !m.test && (PUBLISHES.contains(&m.name.as_str()) || (kafka && m.name == "send"))
        });
        if let (Some(w), Some(p)) = (write, publish) {
            out.push(Hit::new(
                Location::new(f.path.clone(), p.line),
                format!(
                    "`.{}()` to the broker next to `.{}()` on the database (line {})",
                    p.name, w.name, w.line
                ),
            ));
        }
    }
    out
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
    for (_, f) in facts
        .service_rust()
        .filter(|(_, f)| !f.path.contains("test"))
    {
        // Types named for the pattern; functions that run it (`relay_outbox`,
        // `compensate_payment`), not ones that merely mention it.
        let typed = |n: &str| {
            let l = n.to_ascii_lowercase();
            l.contains("outbox") || l.contains("saga") || l.contains("compensat")
        };
        let runs = |n: &str| {
            [
                "relay_outbox",
                "publish_outbox",
                "drain_outbox",
                "process_outbox",
                "dispatch_outbox",
                "compensate",
                "run_saga",
            ]
            .iter()
            .any(|p| n.starts_with(p))
        };
        for t in f.types.iter().filter(|t| !t.test && typed(&t.name)) {
            out.push(Hit::new(
                Location::new(f.path.clone(), t.line),
                format!("`{}`", t.name),
            ));
        }
        for func in f.fns.iter().filter(|x| !x.test && runs(&x.name)) {
            out.push(Hit::new(
                Location::new(f.path.clone(), func.line),
                format!("`fn {}`", func.name),
            ));
        }
    }
    out
}
