use axum::{extract::Query, routing::get, Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Cursor {
    after: Option<String>,
}

#[derive(Serialize)]
struct Order {
    id: String,
}

async fn list(Query(c): Query<Cursor>) -> Json<Vec<Order>> {
    let _ = c.after;
    Json(Vec::new())
}

#[tokio::main]
async fn main() {
    common::init_logging();
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/orders", get(list));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
