//! Todo list service (an early version: in-memory, no readiness yet).

mod todos;

use salvo::oapi::OpenApi;
use salvo::prelude::*;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().init();
    let router = router();
    let doc = OpenApi::new("todos", "0.1.0").merge_router(&router);
    let router = router
        .unshift(doc.into_router("/api-doc/openapi.json"))
        .unshift(SwaggerUi::new("/api-doc/openapi.json").into_router("/swagger-ui"));
    let acceptor = TcpListener::new("0.0.0.0:8698").bind().await;
    Server::new(acceptor).serve(router).await;
}

fn router() -> Router {
    Router::with_path("api/v1")
        .hoop(Logger::new())
        .push(todos::router())
}
