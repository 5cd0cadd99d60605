//! Messaging rules (`mq.*`): they apply only when a broker client is a
//! dependency. Each passes on the prepared Kafka sample and fails or is partial
//! on fixtures built to break it, with the evidence that decided it.

mod data_rules_common;
use data_rules_common::*;

fn ready() -> &'static serde_json::Value {
    report(sample("axum-sqlx-kafka"))
}
/// lapin consumer: no acks, no DLQ, no versions.
fn bad() -> &'static serde_json::Value {
    report(fixture("bad-ledger"))
}
/// rdkafka producer with a few settings.
fn direct() -> &'static serde_json::Value {
    report(fixture("pg-direct"))
}

const EVENTS: &str = "src/events.rs";

#[test]
fn section_is_na_without_a_broker() {
    let bare = report(sample("actix-bare"));
    for id in [
        "mq.producer-consumer",
        "mq.dead-letter",
        "mq.serialization",
        "mq.idempotency",
        "mq.monitoring",
        "mq.batching",
        "mq.priority",
        "mq.replay",
    ] {
        expect_summary(bare, id, "n/a", "no message-broker client is a dependency");
    }
}

#[test]
fn producers_and_consumers_are_wired_and_acknowledge() {
    expect(
        ready(),
        "mq.producer-consumer",
        "pass",
        EVENTS,
        Some(27),
        "`rdkafka::producer::FutureProducer`",
    );
    expect(
        ready(),
        "mq.producer-consumer",
        "pass",
        EVENTS,
        Some(68),
        "`.commit_message()` called",
    );
    expect(
        bad(),
        "mq.producer-consumer",
        "partial",
        "src/queue.rs",
        Some(15),
        "`.basic_consume()` called",
    );
    expect(
        report(fixture("redis-streams")),
        "mq.producer-consumer",
        "partial",
        "src/main.rs",
        Some(16),
        "`.xread_options()` called",
    );
    expect(
        report(fixture("sqlite-notes")),
        "mq.producer-consumer",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `async-nats`",
    );
}

#[test]
fn poison_messages_are_dead_lettered() {
    expect(
        ready(),
        "mq.dead-letter",
        "pass",
        EVENTS,
        Some(14),
        "`.dlq`",
    );
    expect(
        direct(),
        "mq.dead-letter",
        "partial",
        "src/main.rs",
        Some(26),
        "`max_retries`",
    );
    // The `parking_lot` crate is not a parking-lot queue.
    expect(
        bad(),
        "mq.dead-letter",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `lapin`",
    );
}

#[test]
fn messages_have_a_versioned_format() {
    expect(
        ready(),
        "mq.serialization",
        "pass",
        EVENTS,
        Some(20),
        "`TransferEvent` carries `version`",
    );
    expect(
        bad(),
        "mq.serialization",
        "partial",
        "src/queue.rs",
        Some(6),
        "`InvoiceMessage` has no version field",
    );
    expect(
        direct(),
        "mq.serialization",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `rdkafka`",
    );
}

#[test]
fn redelivery_is_harmless() {
    expect(
        ready(),
        "mq.idempotency",
        "pass",
        EVENTS,
        Some(34),
        "`enable.idempotence`",
    );
    expect(
        ready(),
        "mq.idempotency",
        "pass",
        EVENTS,
        Some(75),
        "`processed_events`",
    );
    expect(
        direct(),
        "mq.idempotency",
        "partial",
        "src/main.rs",
        Some(17),
        "`ON CONFLICT DO NOTHING`",
    );
    // `dedup_names` sorts display names; it is not message deduplication.
    expect(
        bad(),
        "mq.idempotency",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `lapin`",
    );
}

#[test]
fn lag_is_measured() {
    expect(
        ready(),
        "mq.monitoring",
        "pass",
        EVENTS,
        Some(56),
        "`statistics.interval.ms`",
    );
    expect(
        ready(),
        "mq.monitoring",
        "pass",
        EVENTS,
        Some(62),
        "`consumer_lag`",
    );
    expect(
        bad(),
        "mq.monitoring",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `lapin`",
    );
}

#[test]
fn messages_are_batched() {
    expect(
        ready(),
        "mq.batching",
        "pass",
        EVENTS,
        Some(35),
        "`linger.ms`",
    );
    expect(
        direct(),
        "mq.batching",
        "partial",
        "Cargo.toml",
        Some(10),
        "depends on `rdkafka`",
    );
    expect(
        bad(),
        "mq.batching",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `lapin`",
    );
}

#[test]
fn urgent_messages_have_their_own_lane() {
    expect(
        ready(),
        "mq.priority",
        "pass",
        EVENTS,
        Some(15),
        "`transfers.urgent`",
    );
    expect(
        bad(),
        "mq.priority",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `lapin`",
    );
}

#[test]
fn messages_can_be_replayed() {
    expect(
        ready(),
        "mq.replay",
        "pass",
        EVENTS,
        Some(91),
        "`rdkafka::Offset::Offset`",
    );
    expect(
        ready(),
        "mq.replay",
        "pass",
        EVENTS,
        Some(89),
        "fn `replay_from`",
    );
    expect(
        direct(),
        "mq.replay",
        "partial",
        "src/main.rs",
        Some(25),
        "`auto.offset.reset`",
    );
    expect(
        bad(),
        "mq.replay",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `lapin`",
    );
}
