//! The routes, as warp filters.

use crate::handlers;
use crate::models::{Db, ListOptions, NewNote};
use warp::Filter;

/// Readiness: the database answers.
pub fn health(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    warp::path!("healthz")
        .and(warp::get())
        .and(with_db(db))
        .and_then(handlers::health)
}

/// The notes API, under `/v1`.
pub fn api(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    warp::path("v1").and(
        notes_list(db.clone())
            .or(notes_create(db.clone()))
            .or(notes_delete(db)),
    )
}

/// GET /v1/notes?offset=0&limit=20
pub fn notes_list(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    warp::path!("notes")
        .and(warp::get())
        .and(warp::query::<ListOptions>())
        .and(with_db(db))
        .and_then(handlers::list_notes)
}

/// POST /v1/notes with a JSON body
pub fn notes_create(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    warp::path!("notes")
        .and(warp::post())
        .and(json_body())
        .and(with_db(db))
        .and_then(handlers::create_note)
}

/// DELETE /v1/notes/:id
pub fn notes_delete(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    warp::path!("notes" / i64)
        .and(warp::delete())
        .and(with_db(db))
        .and_then(handlers::delete_note)
}

fn with_db(db: Db) -> impl Filter<Extract = (Db,), Error = std::convert::Infallible> + Clone {
    warp::any().map(move || db.clone())
}

fn json_body() -> impl Filter<Extract = (NewNote,), Error = warp::Rejection> + Clone {
    warp::body::content_length_limit(16 * 1024).and(warp::body::json())
}
