//! Liveness and readiness for the orchestrator.

use crate::db::Library;
use rocket::http::Status;
use rocket_db_pools::Connection;

/// Liveness: the process answers.
#[get("/healthz")]
pub fn live() -> &'static str {
    "ok"
}

/// Readiness: the database answers a query.
#[get("/readyz")]
pub async fn ready(mut db: Connection<Library>) -> Result<&'static str, Status> {
    sqlx::query("SELECT 1")
        .execute(&mut **db)
        .await
        .map(|_| "ready")
        .map_err(|_| Status::ServiceUnavailable)
}

#[catch(404)]
pub fn not_found() -> &'static str {
    "not found"
}
