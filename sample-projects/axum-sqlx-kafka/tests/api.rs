//! Drives the router against a real database (`#[sqlx::test]` applies ./migrations).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use tower::ServiceExt;

#[sqlx::test]
async fn transfer_commits_both_sides(pool: sqlx::PgPool) {
    let app = payments_api::app(payments_api::test_state(pool).await);
    let res = app
        .oneshot(Request::post("/v1/transfers").header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[sqlx::test]
async fn login_returns_a_token(pool: sqlx::PgPool) {
    let app = payments_api::app(payments_api::test_state(pool).await);
    let res = app.oneshot(Request::post("/v1/login").body(Body::from("{}")).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test]
async fn rejects_wrong_password(pool: sqlx::PgPool) {
    let app = payments_api::app(payments_api::test_state(pool).await);
    let res = app.oneshot(Request::post("/v1/login").body(Body::from("{}")).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
