//! The six headline items on the bundled samples: each passes on the ready axum
//! service and fails on the bare actix-web one, with the evidence that decided it.

#[macro_use]
mod common;
use common::*;

fn ready() -> serde_json::Value {
    audit_json(&sample("axum-ready"), &[])
}

fn bare() -> serde_json::Value {
    audit_json(&sample("actix-bare"), &[])
}

#[test]
fn pagination_passes_with_capped_limit_and_fails_without_params() {
    let r = ready();
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/routes/orders.rs",
        Some(41),
        "GET /v1/orders"
    );
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/routes/orders.rs",
        Some(31),
        "`ListParams.limit` is a page parameter"
    );
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/routes/orders.rs",
        None,
        "validate"
    );
    check_item!(
        r,
        "api.pagination",
        "pass",
        "openapi.yaml",
        Some(9),
        "spec: GET /orders returns an array"
    );
    let b = bare();
    check_item!(
        b,
        "api.pagination",
        "fail",
        "src/handlers.rs",
        Some(17),
        "GET /api/items takes no limit/offset"
    );
    assert!(item(&b, "api.pagination")["looked_for"]
        .as_str()
        .unwrap()
        .contains("limit/offset"));
}

#[test]
fn rate_limiting_passes_when_layered_and_fails_when_crate_is_unused() {
    let r = ready();
    check_item!(
        r,
        "api.rate-limiting",
        "pass",
        "src/main.rs",
        Some(32),
        "layer `GovernorLayer::new(governor)`"
    );
    check_item!(
        r,
        "api.rate-limiting",
        "pass",
        "openapi.yaml",
        Some(9),
        "declares 429 with RateLimit-Remaining, Retry-After"
    );
    let b = bare();
    check_item!(
        b,
        "api.rate-limiting",
        "fail",
        "Cargo.toml",
        Some(8),
        "depends on `actix-governor`"
    );
    assert!(item(&b, "api.rate-limiting")["summary"]
        .as_str()
        .unwrap()
        .contains("nothing in service code uses it"));
}

#[test]
fn health_passes_with_readiness_check_and_fails_without_route() {
    let r = ready();
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/routes/health.rs",
        Some(8),
        "route GET /healthz"
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/routes/health.rs",
        Some(17),
        "`ready` takes state or awaits a check"
    );
    let b = bare();
    // The missing route is reported at the router that lacks it.
    check_item!(
        b,
        "obs.health",
        "fail",
        "src/main.rs",
        Some(8),
        "no health route"
    );
}

#[test]
fn structured_logging_passes_with_json_and_fails_with_println() {
    let r = ready();
    check_item!(
        r,
        "obs.structured-logging",
        "pass",
        "src/telemetry.rs",
        Some(11),
        "`.json()`"
    );
    // println! in #[cfg(test)] and tests/ does not count against the service.
    assert!(!has_evidence(
        &r,
        "obs.structured-logging",
        "src/routes/orders.rs",
        None,
        "println"
    ));
    let b = bare();
    check_item!(
        b,
        "obs.structured-logging",
        "fail",
        "src/handlers.rs",
        Some(19),
        "`println!`"
    );
    check_item!(
        b,
        "obs.structured-logging",
        "fail",
        "src/handlers.rs",
        Some(25),
        "`eprintln!`"
    );
    // The startup message in main is not the logging path.
    assert!(!has_evidence(
        &b,
        "obs.structured-logging",
        "src/main.rs",
        None,
        "println"
    ));
}

#[test]
fn correlation_id_passes_with_layers_and_span_field_and_fails_without() {
    let r = ready();
    check_item!(
        r,
        "obs.correlation-id",
        "pass",
        "src/main.rs",
        Some(31),
        "SetRequestIdLayer"
    );
    check_item!(
        r,
        "obs.correlation-id",
        "pass",
        "src/telemetry.rs",
        Some(27),
        "with an id field"
    );
    let b = bare();
    check_item!(
        b,
        "obs.correlation-id",
        "fail",
        "src/main.rs",
        Some(8),
        "no request-id middleware"
    );
}

#[test]
fn coverage_passes_with_ci_threshold_and_fails_without_tool() {
    let r = ready();
    check_item!(
        r,
        "test.coverage",
        "pass",
        ".github/workflows/ci.yml",
        Some(25),
        "fails under 85 % coverage"
    );
    let b = bare();
    check_item!(
        b,
        "test.coverage",
        "fail",
        ".github/workflows/ci.yml",
        None,
        "no coverage step in CI"
    );
}

#[test]
fn workspace_threshold_below_80_through_makefile_is_partial() {
    let w = audit_json(&sample("workspace"), &[]);
    check_item!(
        w,
        "test.coverage",
        "partial",
        "Makefile",
        Some(7),
        "run by .github/workflows/ci.yml:7"
    );
    // Logging is set up in a shared library crate both services call.
    check_item!(
        w,
        "obs.structured-logging",
        "pass",
        "crates/common/src/lib.rs",
        Some(5),
        "`.json()`"
    );
    // The 3.1 spec is read: its unpaginated list counts, its cursor list passes.
    check_item!(
        w,
        "api.pagination",
        "partial",
        "services/orders/openapi.yaml",
        Some(26),
        "GET /invoices takes no"
    );
    check_item!(
        w,
        "api.pagination",
        "partial",
        "services/orders/src/main.rs",
        None,
        "`Cursor.after` is a page parameter"
    );
    assert_eq!(w["summary"]["diagnostics"], 0, "{}", w["diagnostics"]);
}

/// A limiter configured but never applied limits nothing: the ready sample
/// with its `GovernorLayer` taken off the router is partial (it used to pass on
/// `GovernorConfigBuilder::default()` alone); a check call in a middleware
/// wires it again, one in a background job does not.
#[test]
fn rate_limiting_configured_but_not_applied_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&sample("axum-ready"), &tree);
    let main = tree.join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    let cut = text.replace("        .layer(GovernorLayer::new(governor))\n", "");
    assert_ne!(cut, text, "the sample layers the governor");
    std::fs::write(&main, &cut).unwrap();

    let r = audit_json(&tree, &["--no-config"]);
    check_item!(
        r,
        "api.rate-limiting",
        "partial",
        "src/main.rs",
        Some(20),
        "`tower_governor::governor::GovernorConfigBuilder::default`"
    );
    assert!(item(&r, "api.rate-limiting")["summary"]
        .as_str()
        .unwrap()
        .contains("configured"));
    assert_eq!(status(&r, "sec.endpoint-rate-limit"), "fail");

    // Consulting a limiter away from requests (a background job) limits no
    // API; consulting it in a middleware is wiring.
    let background = format!(
        "{cut}\nasync fn drain_queue(limiter: &governor::DefaultKeyedRateLimiter<String>, key: String) -> bool {{\n    limiter.check_key(&key).is_ok()\n}}\n"
    );
    std::fs::write(&main, background).unwrap();
    let r = audit_json(&tree, &["--no-config"]);
    assert_eq!(status(&r, "api.rate-limiting"), "partial");
    let checked = format!(
        "{cut}\nasync fn admit(State(limiter): State<Arc<governor::DefaultKeyedRateLimiter<String>>>, req: Request, next: Next) -> Response {{\n    let key = req.uri().path().to_string();\n    if limiter.check_key(&key).is_err() {{\n        return StatusCode::TOO_MANY_REQUESTS.into_response();\n    }}\n    next.run(req).await\n}}\n"
    );
    std::fs::write(&main, checked).unwrap();
    let line = std::fs::read_to_string(&main)
        .unwrap()
        .lines()
        .position(|l| l.contains("check_key"))
        .unwrap() as u64
        + 1;
    let r = audit_json(&tree, &["--no-config"]);
    check_item!(
        r,
        "api.rate-limiting",
        "pass",
        "src/main.rs",
        Some(line),
        "limiter checked (`.check_key()`)"
    );
}
