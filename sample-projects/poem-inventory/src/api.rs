//! The inventory API; poem-openapi generates its OpenAPI document.

use poem_openapi::{param::Path, param::Query, payload::Json, ApiResponse, Object, OpenApi};
use sqlx::PgPool;

/// The most items one page returns.
const MAX_PAGE: u32 = 100;

pub struct InventoryApi {
    pub pool: PgPool,
}

#[derive(Object, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub sku: String,
    pub quantity: i32,
}

#[derive(Object)]
pub struct NewItem {
    pub sku: String,
    pub quantity: i32,
}

#[derive(ApiResponse)]
pub enum ItemResponse {
    #[oai(status = 200)]
    Ok(Json<Item>),
    #[oai(status = 404)]
    NotFound,
}

#[OpenApi(prefix_path = "/v1")]
impl InventoryApi {
    /// List items, a page at a time.
    #[oai(path = "/items", method = "get")]
    async fn list_items(
        &self,
        limit: Query<Option<u32>>,
        offset: Query<Option<u32>>,
    ) -> poem::Result<Json<Vec<Item>>> {
        let limit = limit.0.unwrap_or(25).min(MAX_PAGE);
        let items = sqlx::query_as::<_, Item>("SELECT id, sku, quantity FROM items ORDER BY id LIMIT $1 OFFSET $2")
            .bind(limit as i64)
            .bind(offset.0.unwrap_or(0) as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(poem::error::InternalServerError)?;
        Ok(Json(items))
    }

    /// One item.
    #[oai(path = "/items/:id", method = "get")]
    async fn get_item(&self, id: Path<i64>) -> poem::Result<ItemResponse> {
        let item = sqlx::query_as::<_, Item>("SELECT id, sku, quantity FROM items WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(poem::error::InternalServerError)?;
        Ok(match item {
            Some(i) => ItemResponse::Ok(Json(i)),
            None => ItemResponse::NotFound,
        })
    }

    /// Receive stock.
    #[oai(path = "/items", method = "post")]
    async fn create_item(&self, item: Json<NewItem>) -> poem::Result<Json<Item>> {
        let created = sqlx::query_as::<_, Item>(
            "INSERT INTO items (sku, quantity) VALUES ($1, $2) RETURNING id, sku, quantity",
        )
        .bind(&item.sku)
        .bind(item.quantity)
        .fetch_one(&self.pool)
        .await
        .map_err(poem::error::InternalServerError)?;
        Ok(Json(created))
    }
}
