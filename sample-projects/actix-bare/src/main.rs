//! inventory: a bare actix-web service with none of the readiness work done.

mod handlers;

use actix_web::{web, App, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    println!("starting inventory on :8080");
    HttpServer::new(|| {
        App::new().wrap(actix_cors::Cors::permissive())
            .app_data(web::Data::new(handlers::Store::default()))
            .service(web::scope("/api").service(handlers::list_items).service(handlers::add_item).service(handlers::delete_item))
            .route("/items/{id}", web::get().to(handlers::get_item))
    })
    .bind(("127.0.0.1", 8080))?
    .run()
    .await
}
