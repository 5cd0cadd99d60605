//! The ends of the filter chains.

use crate::models::{Db, ListOptions, NewNote, Note};
use std::convert::Infallible;
use warp::http::StatusCode;

pub async fn health(db: Db) -> Result<impl warp::Reply, Infallible> {
    let status = match sqlx::query("SELECT 1").execute(&db).await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    Ok(status)
}

pub async fn list_notes(opts: ListOptions, db: Db) -> Result<impl warp::Reply, Infallible> {
    let notes: Vec<Note> = sqlx::query_as("SELECT id, body FROM notes ORDER BY id LIMIT $1 OFFSET $2")
        .bind(opts.limit.unwrap_or(50))
        .bind(opts.offset.unwrap_or(0))
        .fetch_all(&db)
        .await
        .unwrap_or_default();
    Ok(warp::reply::json(&notes))
}

pub async fn create_note(new: NewNote, db: Db) -> Result<impl warp::Reply, Infallible> {
    let inserted = sqlx::query_as::<_, Note>("INSERT INTO notes (body) VALUES ($1) RETURNING id, body")
        .bind(&new.body)
        .fetch_one(&db)
        .await;
    Ok(match inserted {
        Ok(note) => warp::reply::with_status(warp::reply::json(&note), StatusCode::CREATED),
        Err(_) => warp::reply::with_status(warp::reply::json(&"error"), StatusCode::INTERNAL_SERVER_ERROR),
    })
}

pub async fn delete_note(id: i64, db: Db) -> Result<impl warp::Reply, Infallible> {
    let done = sqlx::query("DELETE FROM notes WHERE id = $1").bind(id).execute(&db).await;
    Ok(match done {
        Ok(r) if r.rows_affected() > 0 => StatusCode::NO_CONTENT,
        Ok(_) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    })
}
