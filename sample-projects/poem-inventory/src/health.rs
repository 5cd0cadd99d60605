//! Readiness: answers only when the database does.

use poem::{handler, http::StatusCode, web::Data, Error};
use sqlx::PgPool;

#[handler]
pub async fn healthz(Data(pool): Data<&PgPool>) -> poem::Result<&'static str> {
    sqlx::query("SELECT 1")
        .execute(pool)
        .await
        .map(|_| "ok")
        .map_err(|_| Error::from_status(StatusCode::SERVICE_UNAVAILABLE))
}
