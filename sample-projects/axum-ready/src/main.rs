//! orders-api: a small, production-ready axum service.

mod error;
mod routes;
mod telemetry;

use axum::Router;
use sqlx::postgres::PgPoolOptions;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tower_governor::{governor::GovernorConfigBuilder, GovernorLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

#[derive(Clone)]
pub struct AppState {
    pub db: sqlx::PgPool,
}

pub fn app(state: AppState) -> Router {
    let governor = Arc::new(
        GovernorConfigBuilder::default()
            .per_second(10)
            .burst_size(50)
            .finish()
            .expect("valid governor config"),
    );
    Router::new()
        .merge(routes::health::router())
        .nest("/v1", routes::orders::router())
        .layer(telemetry::trace_layer())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(GovernorLayer::new(governor))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::X_CONTENT_TYPE_OPTIONS,
            axum::http::HeaderValue::from_static("nosniff"),
        )).layer(routes::frame_options()).layer(routes::content_security_policy())
        .layer(routes::cors_policy())
        .layer(axum::middleware::from_fn(monitoring::track))
        .merge(monitoring::router())
        .with_state(state)
}

mod monitoring;
mod settings;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init();
    let url = std::env::var("DATABASE_URL")?;
    let db = PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(3))
        .connect(&url)
        .await?;
    let settings = settings::Settings::load()?;
    monitoring::install()?;
    let addr = SocketAddr::from(([0, 0, 0, 0], settings.port));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "listening");
    axum::serve(listener, app(AppState { db }).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and Kubernetes send), so
/// the server stops accepting and drains the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler")
            .recv()
            .await;
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: draining requests in flight");
}
