//! Library catalogue: books over HTTP, backed by Postgres.

#[macro_use]
extern crate rocket;

mod books;
mod db;
mod health;

use rocket_db_pools::Database;
use rocket_okapi::openapi_get_routes;
use rocket_okapi::swagger_ui::{make_swagger_ui, SwaggerUIConfig};

#[launch]
fn rocket() -> _ {
    tracing_subscriber::fmt().json().init();
    rocket::build()
        .attach(db::Library::init())
        .mount("/", routes![health::live, health::ready])
        .mount(
            "/api/v1",
            openapi_get_routes![books::list_books, books::get_book, books::create_book],
        )
        .mount(
            "/docs",
            make_swagger_ui(&SwaggerUIConfig {
                url: "../api/v1/openapi.json".to_owned(),
                ..Default::default()
            }),
        )
        .register("/", catchers![health::not_found])
}
