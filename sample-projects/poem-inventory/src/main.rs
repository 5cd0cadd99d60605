//! Inventory service: a poem-openapi API documented from its code.

mod api;
mod health;

use poem::{listener::TcpListener, middleware::Tracing, EndpointExt, Route, Server};
use poem_openapi::OpenApiService;

#[tokio::main]
async fn main() -> Result<(), std::io::Error> {
    tracing_subscriber::fmt().json().init();
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL is set");
    let pool = sqlx::PgPool::connect(&url).await.expect("database reachable");

    let api_service = OpenApiService::new(api::InventoryApi { pool: pool.clone() }, "Inventory", "1.0")
        .server("http://localhost:3000/api");
    let docs = api_service.swagger_ui();

    let app = Route::new()
        .nest("/api", api_service)
        .nest("/docs", docs)
        .at("/healthz", poem::get(health::healthz))
        .data(pool)
        .with(Tracing);

    Server::new(TcpListener::bind("0.0.0.0:3000")).run(app).await
}
