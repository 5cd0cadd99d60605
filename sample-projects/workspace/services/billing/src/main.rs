use actix_web::{get, web, App, HttpServer};

#[get("/invoices")]
async fn invoices() -> web::Json<Vec<String>> {
    web::Json(vec![])
}

fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/billing").service(invoices));
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    common::init_logging();
    HttpServer::new(|| App::new().configure(config))
        .bind(("0.0.0.0", 8081))?
        .run()
        .await
}
