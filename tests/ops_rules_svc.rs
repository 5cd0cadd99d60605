//! Service architecture rules (`svc.*`): for each item a tree where it passes
//! and one where it fails (or is n/a, where that is the point), with the
//! evidence that decided it.

mod common;
mod ops_common;
use ops_common::{check, check_summary};

#[test]
fn boundaries_need_a_deployable_and_a_documented_api() {
    check(
        "axum-ready",
        "svc.boundaries",
        "pass",
        "openapi.yaml",
        None,
        "API of `orders-api`",
    );
    check(
        "actix-bare",
        "svc.boundaries",
        "partial",
        "src/main.rs",
        None,
        "its API is documented nowhere",
    );
    check(
        "lib-router",
        "svc.boundaries",
        "fail",
        "Cargo.toml",
        None,
        "builds no binary of its own and documents no API",
    );
}

#[test]
fn communication_needs_timeouts_on_outbound_clients() {
    check(
        "peers-ok",
        "svc.communication",
        "pass",
        "src/main.rs",
        Some(51),
        "`.timeout(..)`",
    );
    check(
        "peers-bad",
        "svc.communication",
        "fail",
        "src/main.rs",
        Some(11),
        "`reqwest::get`",
    );
    check_summary(
        "axum-ready",
        "svc.communication",
        "n/a",
        "no outbound HTTP or gRPC calls",
    );
}

#[test]
fn graceful_shutdown_must_drain_on_sigterm() {
    check(
        "axum-ready",
        "svc.graceful-shutdown",
        "pass",
        "src/main.rs",
        Some(74),
        "SignalKind::terminate",
    );
    check(
        "actix-bare",
        "svc.graceful-shutdown",
        "pass",
        "src/main.rs",
        None,
        "actix-web's HttpServer drains",
    );
    check(
        "ctrlc-only",
        "svc.graceful-shutdown",
        "partial",
        "src/main.rs",
        Some(25),
        "ctrl_c",
    );
    check(
        "compose-bad",
        "svc.graceful-shutdown",
        "fail",
        "src/main.rs",
        Some(13),
        "`axum::serve` runs with no shutdown signal",
    );
}

/// No evidence message of `id` in `tree` contains `text`.
fn no_evidence(tree: &str, id: &str, text: &str) {
    let r = ops_common::report(tree);
    assert!(
        !common::evidence_text(&r, id).contains(text),
        "{tree}: {id} should not cite `{text}`: {}",
        common::evidence_text(&r, id)
    );
}

#[test]
fn graceful_shutdown_is_not_credited_to_what_does_not_drain() {
    // Rocket 0.4 has no graceful shutdown, and a Ctrl-C handler that exits
    // cuts requests off.
    check(
        "rocket04-exit",
        "svc.graceful-shutdown",
        "partial",
        "src/main.rs",
        Some(13),
        "ctrlc::set_handler",
    );
    no_evidence("rocket04-exit", "svc.graceful-shutdown", "Rocket drains");
    // An actix adapter library no binary links is not the served process;
    // the runtime that is selects SIGTERM against the server and drops it.
    check(
        "adapter-libs",
        "svc.graceful-shutdown",
        "partial",
        "runtime/src/lib.rs",
        Some(6),
        "SignalKind::terminate",
    );
    no_evidence(
        "adapter-libs",
        "svc.graceful-shutdown",
        "actix-web's HttpServer",
    );
    // hyper's per-connection `graceful_shutdown()`, written in a
    // `macro_rules!`/`select!` body, drains on SIGTERM.
    check(
        "hyper-conn-drain",
        "svc.graceful-shutdown",
        "pass",
        "src/main.rs",
        Some(21),
        "`.graceful_shutdown()`",
    );
}

#[test]
fn circuit_breaker_needs_retries_with_backoff_and_timeouts() {
    check(
        "peers-ok",
        "svc.circuit-breaker",
        "pass",
        "src/main.rs",
        Some(55),
        "RetryTransientMiddleware",
    );
    check(
        "peers-bad",
        "svc.circuit-breaker",
        "fail",
        "src/main.rs",
        Some(11),
        "`reqwest::get`",
    );
    check_summary("actix-bare", "svc.circuit-breaker", "n/a", "no outbound");
}

#[test]
fn discovery_takes_peers_from_configuration() {
    check(
        "peers-ok",
        "svc.discovery",
        "pass",
        "src/config.rs",
        Some(8),
        "config field `Settings.inventory_url`",
    );
    check(
        "peers-bad",
        "svc.discovery",
        "fail",
        "src/main.rs",
        Some(11),
        "`http://inventory:8080/stock`",
    );
}

#[test]
fn distributed_tracing_needs_the_layer_and_propagation() {
    check(
        "peers-ok",
        "svc.distributed-tracing",
        "pass",
        "src/main.rs",
        Some(33),
        "set_text_map_propagator",
    );
    check(
        "peers-ok",
        "svc.distributed-tracing",
        "pass",
        "src/main.rs",
        Some(40),
        "tracing_opentelemetry::layer",
    );
    check(
        "peers-bad",
        "svc.distributed-tracing",
        "fail",
        "Cargo.toml",
        Some(12),
        "depends on `opentelemetry-otlp`",
    );
    check(
        "axum-ready",
        "svc.distributed-tracing",
        "fail",
        "src/main.rs",
        None,
        "traces stop at this service's edge",
    );
}

#[test]
fn event_driven_needs_a_used_broker_and_event_types() {
    check(
        "events",
        "svc.event-driven",
        "pass",
        "src/main.rs",
        Some(9),
        "event type `OrderPlaced`",
    );
    check(
        "dual-write",
        "svc.event-driven",
        "partial",
        "src/main.rs",
        Some(3),
        "async_nats::Client",
    );
    check(
        "peers-bad",
        "svc.event-driven",
        "fail",
        "Cargo.toml",
        Some(11),
        "depends on `rdkafka`",
    );
    check_summary(
        "axum-ready",
        "svc.event-driven",
        "n/a",
        "no message broker client",
    );
    // Redis only caches; `broadcast::Sender::subscribe()` and a websocket
    // frame type `ClientMessage` are no broker and no event.
    check_summary(
        "broadcast-not-broker",
        "svc.event-driven",
        "n/a",
        "no message broker client",
    );
}

#[test]
fn saga_needs_an_outbox_when_a_database_write_meets_a_broker() {
    check(
        "events",
        "svc.saga",
        "pass",
        "migrations/0001_orders.sql",
        Some(2),
        "outbox table",
    );
    check(
        "dual-write",
        "svc.saga",
        "fail",
        "src/main.rs",
        Some(8),
        "`.publish()` to the broker next to `.execute()` on the database (line 6)",
    );
    check_summary("axum-ready", "svc.saga", "n/a", "own database");
}

#[test]
fn api_gateway_needs_shipped_config_or_trusted_forwarded_headers() {
    check(
        "axum-ready",
        "svc.api-gateway",
        "pass",
        "deploy/k8s/orders-api.yaml",
        Some(71),
        "Ingress `orders-api`",
    );
    check(
        "peers-ok",
        "svc.api-gateway",
        "pass",
        "src/main.rs",
        Some(25),
        "SecureClientIp",
    );
    check(
        "peers-bad",
        "svc.api-gateway",
        "partial",
        "src/main.rs",
        Some(7),
        "reads `x-forwarded-for`",
    );
    check_summary(
        "actix-bare",
        "svc.api-gateway",
        "manual",
        "no gateway configuration",
    );
}
