//! Prometheus metrics: request counts and latency by route and status, served
//! on `/metrics`.

use crate::AppState;
use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
    routing::get,
    Router,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::{sync::OnceLock, time::Instant};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Install the recorder once, at startup.
pub fn install() -> Result<(), Box<dyn std::error::Error>> {
    let handle = PrometheusBuilder::new().install_recorder()?;
    let _ = HANDLE.set(handle);
    Ok(())
}

/// `GET /metrics` in the Prometheus text format.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/metrics",
        get(|| async { HANDLE.get().map(|h| h.render()).unwrap_or_default() }),
    )
}

/// Count every request and time it, labelled by route and status.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.clone())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route, "status" => status)
        .record(start.elapsed().as_secs_f64());
    response
}
