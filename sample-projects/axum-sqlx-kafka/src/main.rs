//! payments-api: accounts and transfers on Postgres, transfer events on Kafka.

mod events;
mod routes;

use axum::{routing::get, Router};
use moka::future::Cache;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub read_db: PgPool,
    pub http: reqwest::Client,
    pub accounts: Cache<uuid::Uuid, routes::accounts::Account>,
    pub events: events::Publisher,
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(routes::ready))
        .nest("/v1", routes::accounts::router())
        .with_state(state)
}

async fn pool(url: &str, max: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(3))
        .connect(url)
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = pool(&std::env::var("DATABASE_URL")?, 20).await?;
    let read_db = pool(&std::env::var("DATABASE_READ_URL")?, 40).await?;
    sqlx::migrate!("./migrations").run(&db).await?;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
    let accounts = Cache::builder()
        .max_capacity(10_000)
        .time_to_live(Duration::from_secs(30))
        .build();
    let process = metrics_process::Collector::default();
    process.describe();
    let events = events::Publisher::new(&std::env::var("KAFKA_BROKERS")?)?;
    tokio::spawn(events::consume(db.clone(), std::env::var("KAFKA_BROKERS")?));
    let state = AppState { db, read_db, http, accounts, events };
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    axum::serve(listener, app(state)).await?;
    Ok(())
}
