pub mod accounts;

use crate::AppState;
use axum::{extract::State, http::StatusCode};

/// Ready when the primary answers.
pub async fn ready(State(state): State<AppState>) -> StatusCode {
    match sqlx::query("SELECT 1").execute(&state.db).await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}
