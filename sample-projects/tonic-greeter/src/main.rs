//! Greeter: a gRPC service with the standard health service beside it.

mod greeter;

use greeter::hello_world::greeter_server::GreeterServer;
use greeter::MyGreeter;
use tonic::transport::Server;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().json().init();
    let addr = "0.0.0.0:50051".parse()?;

    let (mut health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_serving::<GreeterServer<MyGreeter>>()
        .await;

    tracing::info!(%addr, "greeter listening");
    Server::builder()
        .add_service(health_service)
        .add_service(GreeterServer::new(MyGreeter::default()))
        .serve_with_shutdown(addr, async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await?;
    Ok(())
}
