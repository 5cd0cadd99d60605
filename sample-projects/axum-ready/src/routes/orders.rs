//! Orders: list (paginated), create, fetch.

use crate::{error::ApiError, AppState};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list_orders).post(create_order))
        .route("/orders/{id}", get(get_order))
}

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct Order {
    pub id: Uuid,
    pub customer: String,
    pub total_cents: i64,
}

/// Page through orders.
#[derive(Debug, Deserialize, Validate)]
pub struct ListParams {
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

impl ListParams {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(20).clamp(1, 100)
    }
}

async fn list_orders(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<Order>>, ApiError> {
    params.validate().map_err(|e| ApiError::Invalid(e.to_string()))?;
    let orders = sqlx::query_as::<_, Order>("SELECT id, customer, total_cents FROM orders ORDER BY id LIMIT $1 OFFSET $2")
        .bind(params.limit())
        .bind(params.offset.unwrap_or(0))
        .fetch_all(&state.db)
        .await?;
    Ok(Json(orders))
}

#[derive(Debug, Deserialize, Validate)]
pub struct NewOrder {
    #[validate(length(min = 1, max = 200))]
    pub customer: String,
    #[validate(range(min = 0))]
    pub total_cents: i64,
}

async fn create_order(
    State(state): State<AppState>,
    Json(new): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    new.validate().map_err(|e| ApiError::Invalid(e.to_string()))?;
    let order = sqlx::query_as::<_, Order>(
        "INSERT INTO orders (id, customer, total_cents) VALUES ($1, $2, $3) RETURNING id, customer, total_cents",
    )
    .bind(Uuid::new_v4())
    .bind(&new.customer)
    .bind(new.total_cents)
    .fetch_one(&state.db)
    .await?;
    metrics::counter!("orders_created_total").increment(1);
    Ok((StatusCode::CREATED, Json(order)))
}

async fn get_order(State(state): State<AppState>, Path(id): Path<Uuid>) -> Result<Json<Order>, ApiError> {
    sqlx::query_as::<_, Order>("SELECT id, customer, total_cents FROM orders WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_capped() {
        let p = ListParams { limit: Some(1000), offset: None };
        assert_eq!(p.limit(), 100);
        println!("capped at {}", p.limit());
    }
}
