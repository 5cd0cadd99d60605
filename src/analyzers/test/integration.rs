//! `test.integration`: tests drive the service's API end to end — its router
//! in process, or a spawned server over the network.
//!
//! Drivers are the frameworks' test harnesses and the tower/hyper calls that
//! send a request through a router: `tower::ServiceExt::oneshot`, `axum_test`
//! `TestServer`, actix-web `test::init_service`/`call_service`/`TestRequest`,
//! rocket `local::Client`, poem/salvo `TestClient`, `warp::test::request`, or a
//! server bound in the test (`TcpListener::bind`, `axum::serve`, tonic
//! `Server::builder`) and called with an HTTP or gRPC client. Tests in
//! `tests/` and in `#[cfg(test)]` modules count.
//!
//! pass: a test drives the router or a spawned server · partial: tests exist
//! in `tests/` but none sends a request through the API · fail: no such test ·
//! n/a: no HTTP/gRPC server.

use crate::analyzers::{scan, unless_server};
use crate::classify::Role;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

/// Paths that drive a router or a server from a test.
pub const DRIVERS: &[&str] = &[
    "tower::ServiceExt",
    "axum_test",
    "TestServer",
    "actix_web::test",
    "test::init_service",
    "test::call_service",
    "test::call_and_read_body",
    "test::call_and_read_body_json",
    "test::TestRequest",
    "TestRequest",
    "actix_web::test::TestRequest",
    "rocket::local",
    "poem::test::TestClient",
    "salvo::test::TestClient",
    "warp::test",
    "axum::serve",
    "hyper::server",
    "tonic::transport::Server",
    "TcpListener::bind",
    "HttpServer::new",
    "actix_http_test",
    "ntex::web::test",
];

/// Methods that send a request through a router in process.
pub const DRIVER_METHODS: &[&str] = &[
    "oneshot",
    "ready_oneshot",
    "call_service",
    "init_service",
    "dispatch",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let mut drivers = scan::test_refs(facts, DRIVERS);
    drivers.extend(scan::test_methods(facts, DRIVER_METHODS));
    drivers.sort();
    drivers.dedup();
    let in_tests_dir: Vec<_> = drivers
        .iter()
        .filter(|h| {
            facts
                .rust
                .iter()
                .any(|f| f.path == h.location.path && f.role == Role::Test)
        })
        .cloned()
        .collect();
    let looked = "tests that send requests through the router (tower::ServiceExt::oneshot, axum_test::TestServer, actix_web::test::init_service, rocket::local::Client) or to a server they spawn";
    if !in_tests_dir.is_empty() {
        return Outcome::pass(format!(
            "API tests drive the service ({})",
            in_tests_dir[0].what
        ))
        .with_hits(in_tests_dir);
    }
    if !drivers.is_empty() {
        return Outcome::pass(format!(
            "in-process API tests drive the router from src/ test modules ({})",
            drivers[0].what
        ))
        .with_hits(drivers);
    }
    let integration: Vec<_> = scan::test_fns(facts)
        .filter(|(_, f, _, _)| f.role == Role::Test)
        .map(|(_, f, _, func)| {
            crate::facts::query::Hit::new(
                crate::location::Location::new(f.path.clone(), func.line),
                format!("test `{}` does not call the API", func.name),
            )
        })
        .collect();
    if !integration.is_empty() {
        return Outcome::partial(format!(
            "{} test(s) in tests/, but none sends a request through the router or a server",
            integration.len()
        ))
        .with_found_hits(integration)
        .looked_for(looked);
    }
    Outcome::fail("no test drives the API")
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no test sends a request to the router built here",
        )
        .looked_for(looked)
}
