//! Performance rules (`perf.*`): each passes on the prepared sample and fails,
//! is partial, manual or n/a on fixtures built to break it, with the evidence
//! that decided it.

mod data_rules_common;
use data_rules_common::*;

fn ready() -> &'static serde_json::Value {
    report(sample("axum-sqlx-kafka"))
}
fn bad() -> &'static serde_json::Value {
    report(fixture("bad-ledger"))
}
fn direct() -> &'static serde_json::Value {
    report(fixture("pg-direct"))
}

#[test]
fn latency_budget_is_checked_by_a_load_test() {
    expect(
        ready(),
        "perf.latency-budget",
        "pass",
        "load/transfers.js",
        Some(8),
        "k6 threshold: p95 < 100 ms",
    );
    expect(
        ready(),
        "perf.latency-budget",
        "pass",
        ".github/workflows/ci.yml",
        Some(33),
        "CI runs `k6 run`",
    );
    expect(
        bad(),
        "perf.latency-budget",
        "partial",
        "load/invoices.js",
        Some(3),
        "p95 < 300 ms",
    );
    expect_summary(
        bad(),
        "perf.latency-budget",
        "partial",
        "no CI step runs the load test",
    );
    expect_summary(
        report(sample("actix-bare")),
        "perf.latency-budget",
        "manual",
        "no latency budget",
    );
}

#[test]
fn queries_inside_loops_and_select_star() {
    expect(
        ready(),
        "perf.query-optimization",
        "pass",
        "src/routes/accounts.rs",
        Some(38),
        "`.fetch_optional()` outside any loop",
    );
    expect(
        bad(),
        "perf.query-optimization",
        "fail",
        "src/handlers.rs",
        Some(17),
        "runs once per item of a loop in handler `list_invoices` (N+1)",
    );
    expect(
        bad(),
        "perf.query-optimization",
        "fail",
        "src/handlers.rs",
        Some(15),
        "reads every column",
    );
    expect(
        direct(),
        "perf.query-optimization",
        "partial",
        "src/main.rs",
        Some(22),
        "`SELECT * FROM users WHERE id = $1` reads every column",
    );
    expect_summary(
        report(sample("actix-bare")),
        "perf.query-optimization",
        "n/a",
        "no database client crate",
    );
}

#[test]
fn caching_layer_is_used() {
    expect(
        ready(),
        "perf.caching",
        "pass",
        "src/main.rs",
        Some(16),
        "`moka::future::Cache`",
    );
    expect(
        bad(),
        "perf.caching",
        "partial",
        "Cargo.toml",
        Some(12),
        "`ledger` depends on `moka`",
    );
    expect_summary(
        bad(),
        "perf.caching",
        "partial",
        "but no service code uses it",
    );
    expect(
        report(sample("actix-bare")),
        "perf.caching",
        "fail",
        "src/main.rs",
        None,
        "no cache crate",
    );
}

#[test]
fn a_local_module_named_like_a_cache_crate_is_no_cache() {
    // `pub mod redis;` in the crate: `redis::RedisConnector` is that module's
    // type, not the redis client, and the tree has no cache at all.
    let r = report(fixture("local-redis-module"));
    expect(
        r,
        "perf.caching",
        "fail",
        "src/main.rs",
        None,
        "no cache crate, cache server client or cache headers",
    );
}

#[test]
fn http_clients_and_pools_are_reused() {
    expect(
        ready(),
        "perf.pooling",
        "pass",
        "src/main.rs",
        Some(41),
        "`reqwest::Client::builder` built in `main`, outside request handlers",
    );
    expect(
        ready(),
        "perf.pooling",
        "pass",
        "src/main.rs",
        Some(30),
        "`.max_connections()` set on the pool",
    );
    expect(
        bad(),
        "perf.pooling",
        "fail",
        "src/handlers.rs",
        Some(46),
        "`reqwest::Client::new` builds an HTTP client on every request to handler `rates`",
    );
    expect(
        direct(),
        "perf.pooling",
        "fail",
        "src/main.rs",
        Some(13),
        "`tokio_postgres::connect`",
    );
    expect_summary(
        report(fixture("sqlite-notes")),
        "perf.pooling",
        "partial",
        "one SQLite connection",
    );
    expect_summary(
        report(sample("actix-bare")),
        "perf.pooling",
        "n/a",
        "no database pool and no outbound HTTP client",
    );
}

#[test]
fn blocking_work_stays_off_the_runtime() {
    expect(
        ready(),
        "perf.async-offload",
        "pass",
        "src/routes/accounts.rs",
        Some(92),
        "`tokio::task::spawn_blocking`",
    );
    expect(
        bad(),
        "perf.async-offload",
        "fail",
        "src/handlers.rs",
        Some(34),
        "`std::thread::sleep` blocks the runtime in async handler `create_invoice`",
    );
    expect(
        direct(),
        "perf.async-offload",
        "partial",
        "src/main.rs",
        Some(34),
        "`std::fs::read_to_string` blocks the runtime in async fn `load_template`",
    );
    expect(
        direct(),
        "perf.async-offload",
        "partial",
        "src/main.rs",
        Some(39),
        "`.hash_password()` hashes on the runtime",
    );
}

#[test]
fn replicas_are_interchangeable_and_readiness_is_separate() {
    expect(
        ready(),
        "perf.load-balancing",
        "pass",
        "src/main.rs",
        Some(23),
        "readiness route GET /readyz",
    );
    expect(
        ready(),
        "perf.load-balancing",
        "pass",
        "k8s/deployment.yaml",
        Some(20),
        "readinessProbe on /readyz",
    );
    expect(
        bad(),
        "perf.load-balancing",
        "fail",
        "src/main.rs",
        Some(10),
        "in-memory session store",
    );
    expect(
        direct(),
        "perf.load-balancing",
        "partial",
        "src/main.rs",
        Some(6),
        "liveness route GET /health",
    );
    let bare = report(sample("actix-bare"));
    expect(
        bare,
        "perf.load-balancing",
        "fail",
        "src/main.rs",
        Some(8),
        "no health or readiness route",
    );
    expect(
        bare,
        "perf.load-balancing",
        "fail",
        "src/handlers.rs",
        Some(7),
        "`Store.items: Mutex<Vec<Item>>` keeps data in the process",
    );
}

#[test]
fn health_routes_mounted_through_utoipa_axum_count() {
    // `#[utoipa::path(.., path = "/livez")]` mounted through utoipa-axum's
    // `routes!` is a resolved route; the `READINESS_PATH` constant is never
    // routed, so liveness and readiness share one endpoint.
    let r = report(fixture("declared-health"));
    expect(
        r,
        "perf.load-balancing",
        "partial",
        "src/main.rs",
        Some(6),
        "liveness route GET /livez",
    );
}

#[test]
fn scaling_out_needs_external_state_and_replicas() {
    expect(
        ready(),
        "perf.horizontal-scaling",
        "pass",
        "k8s/deployment.yaml",
        Some(23),
        "`kind: HorizontalPodAutoscaler`",
    );
    expect(
        bad(),
        "perf.horizontal-scaling",
        "fail",
        "src/main.rs",
        Some(10),
        "in-memory session store",
    );
    expect(
        report(fixture("sqlite-notes")),
        "perf.horizontal-scaling",
        "fail",
        "Cargo.toml",
        Some(9),
        "depends on `rusqlite`",
    );
    expect(
        report(sample("actix-bare")),
        "perf.horizontal-scaling",
        "partial",
        "src/handlers.rs",
        Some(7),
        "keeps data in the process",
    );
    // The prepared sample ships Kubernetes manifests with an autoscaler.
    expect(
        report(sample("axum-ready")),
        "perf.horizontal-scaling",
        "pass",
        "deploy/k8s/orders-api.yaml",
        Some(54),
        "`kind: HorizontalPodAutoscaler`",
    );
}

#[test]
fn process_and_runtime_metrics_are_exported() {
    expect(
        ready(),
        "perf.resource-monitoring",
        "pass",
        "src/main.rs",
        Some(46),
        "`metrics_process::Collector::default`",
    );
    expect(
        bad(),
        "perf.resource-monitoring",
        "partial",
        "Cargo.toml",
        Some(15),
        "depends on `metrics-exporter-prometheus`",
    );
    expect(
        report(sample("actix-bare")),
        "perf.resource-monitoring",
        "fail",
        "src/main.rs",
        None,
        "nothing found",
    );
}
