//! Source templates of the synthetic service workspace.
//!
//! Placeholders are `__NAME__` words (never valid in the code around them), filled
//! by [`fill`]: `__E__` entity type (`Order`), `__e__` its snake name (`order`),
//! `__es__` the resource (`orders`), `__SVC__` the crate name, and the
//! per-entity SQL and binding lists the generator computes.

/// Replace every `(placeholder, value)` pair in `template`.
pub fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in pairs {
        out = out.replace(k, v);
    }
    out
}

/// What the axum and actix-web handler files share: the page parameters,
/// their unit test and the search query string.
pub const SHARED: &[(&str, &str)] = &[
    ("__LIST_PARAMS__\n", LIST_PARAMS),
    ("__CAP_TEST__\n", CAP_TEST),
    ("__SEARCH_PARAMS__\n", SEARCH_PARAMS),
];

const LIST_PARAMS: &str = r#"/// Largest page a client may ask for.
const MAX_PAGE_SIZE: i64 = __MAXPAGE__;

/// Query string of `GET /__es__`.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub sort: Option<String>,
}

impl ListParams {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(20).clamp(1, MAX_PAGE_SIZE)
    }

    fn offset(&self) -> i64 {
        self.offset.unwrap_or(0).max(0)
    }
}
"#;

const CAP_TEST: &str = r#"    #[test]
    fn page_size_is_capped() {
        let p = ListParams {
            limit: Some(10_000),
            offset: Some(-3),
            sort: None,
        };
        assert_eq!(p.limit(), MAX_PAGE_SIZE);
        assert_eq!(p.offset(), 0);
    }
"#;

const SEARCH_PARAMS: &str = r#"/// Query string of `GET /__es__/search`.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    pub q: String,
}
"#;

pub const AXUM_HANDLERS: &str = r#"//! HTTP handlers for __es__: list (paginated), fetch, create, update, delete.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use tracing::{debug, info, instrument, warn};
use uuid::Uuid;

use crate::domain::__es__ as rules;
use crate::error::ApiError;
use crate::models::__e__::{New__E__, __E__Patch, __E__};
use crate::AppState;

__LIST_PARAMS__

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__es__", get(list___es__).post(create___e__))
        .route(
            "/__es__/{id}",
            get(get___e__).put(update___e__).delete(delete___e__),
        )__EXTRA_ROUTES__
}

#[instrument(skip(state), fields(limit = params.limit(), offset = params.offset()))]
pub async fn list___es__(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<__E__>>, ApiError> {
    let sort = rules::sort_column(params.sort.as_deref());
    let rows = sqlx::query_as::<_, __E__>(
        "SELECT __COLS__ FROM __es__ ORDER BY created_at DESC LIMIT $1 OFFSET $2",
    )
    .bind(params.limit())
    .bind(params.offset())
    .fetch_all(&state.db)
    .await?;
    debug!(count = rows.len(), sort, "listed __es__");
    Ok(Json(rows))
}

#[instrument(skip(state))]
pub async fn get___e__(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<__E__>, ApiError> {
    sqlx::query_as::<_, __E__>("SELECT __COLS__ FROM __es__ WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

#[instrument(skip(state, input))]
pub async fn create___e__(
    State(state): State<AppState>,
    Json(input): Json<New__E__>,
) -> Result<(StatusCode, Json<__E__>), ApiError> {
    rules::validate_new(&input).map_err(ApiError::Invalid)?;
    let row = sqlx::query_as::<_, __E__>(
        "INSERT INTO __es__ (__INSCOLS__) VALUES (__PLACEHOLDERS__) RETURNING __COLS__",
    )
    .bind(Uuid::new_v4())__BINDS_NEW__
    .fetch_one(&state.db)
    .await?;
    __CREATED_LOG__
    Ok((StatusCode::CREATED, Json(row)))
}

#[instrument(skip(state, patch))]
pub async fn update___e__(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(patch): Json<__E__Patch>,
) -> Result<Json<__E__>, ApiError> {
    if patch.is_empty() {
        return Err(ApiError::Invalid("nothing to update".into()));
    }
    let Json(mut current) = get___e__(State(state.clone()), Path(id)).await?;
    patch.apply_to(&mut current);
    rules::validate(&current).map_err(ApiError::Invalid)?;
    let row = sqlx::query_as::<_, __E__>(
        "UPDATE __es__ SET __SETS__ WHERE id = $1 RETURNING __COLS__",
    )
    .bind(id)__BINDS_CUR__
    .fetch_one(&state.db)
    .await?;
    info!(%id, "updated __e__");
    Ok(Json(row))
}

#[instrument(skip(state))]
pub async fn delete___e__(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let done = sqlx::query("DELETE FROM __es__ WHERE id = $1")
        .bind(id)
        .execute(&state.db)
        .await?;
    if done.rows_affected() == 0 {
        warn!(%id, "delete of a missing __e__");
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
__SEARCH__
#[cfg(test)]
mod tests {
    use super::*;

__CAP_TEST__

    #[test]
    fn default_page_is_twenty() {
        let p = ListParams {
            limit: None,
            offset: None,
            sort: Some("created_at".into()),
        };
        assert_eq!(p.limit(), 20);
    }
}
"#;

/// A legacy search endpoint that builds its SQL with `format!` (an injection).
pub const AXUM_SEARCH: &str = r#"
__SEARCH_PARAMS__

/// Legacy search kept for an old client.
pub async fn search___es__(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<__E__>>, ApiError> {
    let sql = format!(
        "SELECT __COLS__ FROM __es__ WHERE __SEARCHCOL__ ILIKE '%{}%' LIMIT 50",
        params.q
    );
    let rows = sqlx::query_as::<_, __E__>(&sql).fetch_all(&state.db).await?;
    Ok(Json(rows))
}
"#;

pub const ACTIX_HANDLERS: &str = r#"//! HTTP handlers for __es__: list (paginated), fetch, create, update, delete.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use tracing::{debug, info, instrument, warn};
use uuid::Uuid;

use crate::domain::__es__ as rules;
use crate::error::ApiError;
use crate::models::__e__::{New__E__, __E__Patch, __E__};
use crate::AppState;

__LIST_PARAMS__

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/__es__")
            .service(list___es__)
            .service(get___e__)
            .service(create___e__)
            .service(update___e__)
            .service(delete___e__)__EXTRA_ROUTES__,
    );
}

async fn fetch(state: &AppState, id: Uuid) -> Result<__E__, ApiError> {
    sqlx::query_as::<_, __E__>("SELECT __COLS__ FROM __es__ WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

#[get("")]
#[instrument(skip(state))]
pub async fn list___es__(
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let sort = rules::sort_column(params.sort.as_deref());
    let rows = sqlx::query_as::<_, __E__>(
        "SELECT __COLS__ FROM __es__ ORDER BY created_at DESC LIMIT $1 OFFSET $2",
    )
    .bind(params.limit())
    .bind(params.offset())
    .fetch_all(&state.db)
    .await?;
    debug!(count = rows.len(), sort, "listed __es__");
    Ok(HttpResponse::Ok().json(rows))
}

#[get("/{id}")]
#[instrument(skip(state))]
pub async fn get___e__(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let row = fetch(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(row))
}

#[post("")]
#[instrument(skip(state, input))]
pub async fn create___e__(
    state: web::Data<AppState>,
    input: web::Json<New__E__>,
) -> Result<HttpResponse, ApiError> {
    let input = input.into_inner();
    rules::validate_new(&input).map_err(ApiError::Invalid)?;
    let row = sqlx::query_as::<_, __E__>(
        "INSERT INTO __es__ (__INSCOLS__) VALUES (__PLACEHOLDERS__) RETURNING __COLS__",
    )
    .bind(Uuid::new_v4())__BINDS_NEW__
    .fetch_one(&state.db)
    .await?;
    __CREATED_LOG__
    Ok(HttpResponse::Created().json(row))
}

#[put("/{id}")]
#[instrument(skip(state, patch))]
pub async fn update___e__(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    patch: web::Json<__E__Patch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = patch.into_inner();
    if patch.is_empty() {
        return Err(ApiError::Invalid("nothing to update".into()));
    }
    let mut current = fetch(&state, id).await?;
    patch.apply_to(&mut current);
    rules::validate(&current).map_err(ApiError::Invalid)?;
    let row = sqlx::query_as::<_, __E__>(
        "UPDATE __es__ SET __SETS__ WHERE id = $1 RETURNING __COLS__",
    )
    .bind(id)__BINDS_CUR__
    .fetch_one(&state.db)
    .await?;
    info!(%id, "updated __e__");
    Ok(HttpResponse::Ok().json(row))
}

#[delete("/{id}")]
#[instrument(skip(state))]
pub async fn delete___e__(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let done = sqlx::query("DELETE FROM __es__ WHERE id = $1")
        .bind(id)
        .execute(&state.db)
        .await?;
    if done.rows_affected() == 0 {
        warn!(%id, "delete of a missing __e__");
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}
__SEARCH__
#[cfg(test)]
mod tests {
    use super::*;

__CAP_TEST__
}
"#;

pub const ACTIX_SEARCH: &str = r#"
__SEARCH_PARAMS__

/// Legacy search kept for an old client.
#[get("/search")]
pub async fn search___es__(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let sql = format!(
        "SELECT __COLS__ FROM __es__ WHERE __SEARCHCOL__ ILIKE '%{}%' LIMIT 50",
        params.q
    );
    let rows = sqlx::query_as::<_, __E__>(&sql).fetch_all(&state.db).await?;
    Ok(HttpResponse::Ok().json(rows))
}
"#;

pub const AXUM_MAIN: &str = r#"//! __SVC__: an axum service over PostgreSQL.

mod config;
mod db;
mod domain;
mod error;
mod handlers;
mod models;
mod telemetry;

use axum::{extract::State, routing::get, Json, Router};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tower_http::{
    cors::CorsLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: sqlx::PgPool,
    pub config: Arc<config::Config>,
}

/// The whole service: health probes, then the versioned API.
pub fn app(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    let api = Router::new()
__MERGES__;
    Router::new()
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .nest("/v1", api)
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::new(timeout))
        .layer(CorsLayer::permissive())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "service": "__SVC__" }))
}

async fn ready(State(state): State<AppState>) -> Result<&'static str, error::ApiError> {
    sqlx::query("SELECT 1").execute(&state.db).await?;
    Ok("ready")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init();
    let config = config::Config::from_env()?;
    let db = db::connect(&config).await?;
    let addr: SocketAddr = config.bind.parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "listening");
    let state = AppState {
        db,
        config: Arc::new(config),
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let grace = Duration::from_secs(25);
    ctrl_c.await;
    tracing::info!(?grace, "shutting down");
}
"#;

pub const ACTIX_MAIN: &str = r#"//! __SVC__: an actix-web service over PostgreSQL.

mod config;
mod db;
mod domain;
mod error;
mod handlers;
mod models;
mod telemetry;

use actix_web::{middleware, web, App, HttpResponse, HttpServer};
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: sqlx::PgPool,
    pub config: Arc<config::Config>,
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "service": "__SVC__" }))
}

async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, error::ApiError> {
    sqlx::query("SELECT 1").execute(&state.db).await?;
    Ok(HttpResponse::Ok().body("ready"))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    telemetry::init();
    let config = config::Config::from_env().expect("configuration");
    let db = db::connect(&config).await.expect("database");
    let bind = config.bind.clone();
    let state = web::Data::new(AppState {
        db,
        config: Arc::new(config),
    });
    HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(TracingLogger::default())
            .wrap(middleware::Compress::default())
            .route("/healthz", web::get().to(health))
            .route("/readyz", web::get().to(ready))
            .service(
                web::scope("/v1")
__CONFIGURES__,
            )
    })
    .bind(bind)?
    .shutdown_timeout(25)
    .run()
    .await
}
"#;

pub const AXUM_ERROR: &str = r#"//! One error type for every handler, rendered as problem+json.

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Db(sqlx::Error::RowNotFound) => StatusCode::NOT_FOUND,
            ApiError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = serde_json::json!({
            "type": "about:blank",
            "title": self.to_string(),
            "status": status.as_u16(),
        });
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}
"#;

pub const ACTIX_ERROR: &str = r#"//! One error type for every handler, rendered as problem+json.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        HttpResponse::build(status)
            .content_type("application/problem+json")
            .json(serde_json::json!({
                "type": "about:blank",
                "title": self.to_string(),
                "status": status.as_u16(),
            }))
    }
}
"#;

pub const CONFIG: &str = r#"//! Configuration read from the environment once, at start-up.

use std::env;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    pub database_url: String,
    pub max_connections: u32,
    pub request_timeout: Duration,
    pub log_filter: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("missing environment variable {0}")]
    Missing(&'static str),
    #[error("{name} is not a number: {value}")]
    NotANumber { name: &'static str, value: String },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Config {
            bind: env::var("BIND").unwrap_or_else(|_| "0.0.0.0:8080".to_string()),
            database_url: env::var("DATABASE_URL")
                .map_err(|_| ConfigError::Missing("DATABASE_URL"))?,
            max_connections: number("DB_MAX_CONNECTIONS", __MAXCONN__)?,
            request_timeout: Duration::from_secs(u64::from(number("REQUEST_TIMEOUT_SECS", 10)?)),
            log_filter: env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
        })
    }
}

fn number(name: &'static str, default: u32) -> Result<u32, ConfigError> {
    match env::var(name) {
        Ok(v) => v
            .parse()
            .map_err(|_| ConfigError::NotANumber { name, value: v }),
        Err(_) => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fall_back_to_defaults() {
        assert_eq!(number("__SVC_UPPER___UNSET_VARIABLE", 7).unwrap(), 7);
    }
}
"#;

pub const DB: &str = r#"//! The connection pool, with migrations applied at start-up.

use crate::config::Config;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

pub async fn connect(config: &Config) -> Result<PgPool, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(3))
        .idle_timeout(Duration::from_secs(600))
        .connect(&config.database_url)
        .await?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
    Ok(pool)
}
"#;

pub const TELEMETRY: &str = r#"//! Logging: JSON records on stdout, filtered by `RUST_LOG`.

use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    fmt()
        .json()
        .with_env_filter(EnvFilter::from_default_env())
        .with_current_span(true)
        .with_target(false)
        .init();
}
"#;

pub const AXUM_IT: &str = r#"//! End-to-end tests of __SVC__ against a test database.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

async fn app() -> axum::Router {
    let url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
    let db = sqlx::PgPool::connect(&url).await.expect("test database");
    __CRATE__::app_for_tests(db)
}

#[tokio::test]
async fn health_is_ok() {
    let response = app()
        .await
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
__IT_CASES__"#;

pub const AXUM_IT_CASE: &str = r#"
#[tokio::test]
async fn list___es___pages() {
    let response = app()
        .await
        .oneshot(
            Request::get("/v1/__es__?limit=5&offset=0")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing___e___is_404() {
    let response = app()
        .await
        .oneshot(
            Request::get("/v1/__es__/00000000-0000-0000-0000-000000000000")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
"#;

pub const DOCKERFILE: &str = r#"# syntax=docker/dockerfile:1
FROM rust:1.85-slim AS chef
RUN cargo install cargo-chef --locked
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN cargo build --release -p __SVC__

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 app
COPY --from=build /app/target/release/__SVC__ /usr/local/bin/__SVC__
USER app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://localhost:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/__SVC__"]
"#;

/// A Dockerfile with the mistakes hadolint and seaworthy both look for.
pub const DOCKERFILE_SLOPPY: &str = r#"FROM rust:latest
WORKDIR /app
COPY . .
RUN apt-get update && apt-get install -y libpq-dev
RUN cargo build --release -p __SVC__
EXPOSE 8080
CMD ./target/release/__SVC__
"#;

pub const CI: &str = r#"name: CI
on:
  push:
    branches: [main]
  pull_request:

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
        with:
          components: clippy, rustfmt
      - run: cargo fmt --all -- --check
      - run: cargo clippy --workspace --all-targets -- -D warnings
      - uses: EmbarkStudios/cargo-deny-action@v2
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: postgres
        ports: ["5432:5432"]
    env:
      TEST_DATABASE_URL: postgres://postgres:postgres@localhost:5432/postgres
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
      - uses: taiki-e/install-action@v2
        with:
          tool: cargo-llvm-cov,cargo-nextest
      - run: cargo llvm-cov nextest --workspace --fail-under-lines 80 --lcov --output-path lcov.info
"#;

pub const DOCKER_WORKFLOW: &str = r#"name: images
on:
  push:
    branches: [main]

jobs:
  build:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        service: [__SERVICES__]
    steps:
      - uses: actions/checkout@v4
      - uses: hadolint/hadolint-action@v3.1.0
        with:
          dockerfile: crates/${{ matrix.service }}/Dockerfile
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: crates/${{ matrix.service }}/Dockerfile
          push: false
"#;
