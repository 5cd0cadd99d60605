//! The book catalogue.

use crate::db::Library;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket_db_pools::Connection;
use rocket_okapi::openapi;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The largest page a client may ask for.
const MAX_PAGE: i64 = 100;

#[derive(Serialize, JsonSchema, sqlx::FromRow)]
pub struct Book {
    pub id: i64,
    pub title: String,
    pub author: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct NewBook {
    pub title: String,
    pub author: String,
}

/// List books, a page at a time.
#[openapi(tag = "Books")]
#[get("/books?<limit>&<offset>")]
pub async fn list_books(
    mut db: Connection<Library>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Json<Vec<Book>>, Status> {
    let limit = limit.unwrap_or(20).min(MAX_PAGE);
    sqlx::query_as::<_, Book>("SELECT id, title, author FROM books ORDER BY id LIMIT $1 OFFSET $2")
        .bind(limit)
        .bind(offset.unwrap_or(0))
        .fetch_all(&mut **db)
        .await
        .map(Json)
        .map_err(|_| Status::InternalServerError)
}

/// One book.
#[openapi(tag = "Books")]
#[get("/books/<id>")]
pub async fn get_book(mut db: Connection<Library>, id: i64) -> Option<Json<Book>> {
    sqlx::query_as::<_, Book>("SELECT id, title, author FROM books WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **db)
        .await
        .ok()
        .flatten()
        .map(Json)
}

/// Add a book to the catalogue.
#[openapi(tag = "Books")]
#[post("/books", data = "<book>")]
pub async fn create_book(
    mut db: Connection<Library>,
    book: Json<NewBook>,
) -> Result<(Status, Json<Book>), Status> {
    sqlx::query_as::<_, Book>(
        "INSERT INTO books (title, author) VALUES ($1, $2) RETURNING id, title, author",
    )
    .bind(&book.title)
    .bind(&book.author)
    .fetch_one(&mut **db)
    .await
    .map(|b| (Status::Created, Json(b)))
    .map_err(|_| Status::InternalServerError)
}
