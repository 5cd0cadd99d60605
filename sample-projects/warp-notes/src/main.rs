//! Notes service: a small warp API over Postgres.

mod filters;
mod handlers;
mod models;

use warp::Filter;

#[tokio::main]
async fn main() {
    env_logger::init();
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL is set");
    let db = sqlx::PgPool::connect(&url).await.expect("database reachable");

    let routes = filters::health(db.clone())
        .or(filters::api(db))
        .with(warp::log("notes"));

    let (_, server) = warp::serve(routes)
        .bind_with_graceful_shutdown(([0, 0, 0, 0], 8080), async {
            tokio::signal::ctrl_c().await.ok();
        });
    server.await;
}
