//! Observability (metrics, tracing, alerts), configuration and readiness-gate
//! rules: for each item a tree where it passes and one where it fails, with
//! the evidence that decided it.

mod common;
mod ops_common;
use common::{item, status};
use ops_common::{check, check_summary, report};

#[test]
fn metrics_need_an_exposed_endpoint() {
    check(
        "axum-ready",
        "obs.metrics",
        "pass",
        "src/monitoring.rs",
        Some(26),
        "route GET /metrics",
    );
    check(
        "peers-ok",
        "obs.metrics",
        "partial",
        "src/main.rs",
        Some(27),
        "counter `http_requests_total`",
    );
    check(
        "peers-bad",
        "obs.metrics",
        "fail",
        "Cargo.toml",
        Some(10),
        "depends on `prometheus`",
    );
    check(
        "actix-bare",
        "obs.metrics",
        "fail",
        "src/main.rs",
        Some(8),
        "no /metrics route",
    );
}

#[test]
fn tracing_needs_an_exporter_wired_into_the_subscriber() {
    check(
        "peers-ok",
        "obs.tracing",
        "pass",
        "src/main.rs",
        Some(34),
        "opentelemetry_otlp::SpanExporter",
    );
    check(
        "peers-ok",
        "obs.tracing",
        "pass",
        "src/main.rs",
        Some(40),
        "tracing_opentelemetry::layer",
    );
    check(
        "peers-bad",
        "obs.tracing",
        "fail",
        "Cargo.toml",
        Some(12),
        "depends on `opentelemetry-otlp`",
    );
    check(
        "axum-ready",
        "obs.tracing",
        "fail",
        "src/main.rs",
        None,
        "no exporter set up here",
    );
}

#[test]
fn perf_metrics_need_request_latency_histograms() {
    check(
        "axum-ready",
        "obs.perf-metrics",
        "pass",
        "src/monitoring.rs",
        Some(45),
        "histogram `http_request_duration_seconds`",
    );
    check(
        "peers-ok",
        "obs.perf-metrics",
        "fail",
        "src/main.rs",
        Some(46),
        "no metrics middleware",
    );
}

#[test]
fn error_rate_needs_status_labelled_or_error_counters() {
    check(
        "axum-ready",
        "obs.error-rate",
        "pass",
        "src/monitoring.rs",
        Some(43),
        "labelled method, route, status",
    );
    check(
        "peers-ok",
        "obs.error-rate",
        "pass",
        "src/main.rs",
        Some(27),
        "labelled status",
    );
    check(
        "actix-bare",
        "obs.error-rate",
        "fail",
        "src/main.rs",
        Some(8),
        "no status-code metrics",
    );
}

#[test]
fn business_metrics_are_named_for_the_domain() {
    check(
        "axum-ready",
        "obs.business-metrics",
        "pass",
        "src/routes/orders.rs",
        Some(75),
        "counter `orders_created_total`",
    );
    check(
        "peers-ok",
        "obs.business-metrics",
        "fail",
        "src/main.rs",
        Some(27),
        "counter `http_requests_total`",
    );
    check(
        "actix-bare",
        "obs.business-metrics",
        "fail",
        "src/main.rs",
        None,
        "no counter, gauge or histogram",
    );
}

#[test]
fn alerts_are_rules_shipped_with_the_service() {
    check(
        "axum-ready",
        "obs.alerts",
        "pass",
        "deploy/k8s/alerts.yaml",
        Some(9),
        "alert: OrdersApiHighErrorRate",
    );
    check(
        "helm-chart",
        "obs.alerts",
        "partial",
        "chart/templates/servicemonitor.yaml",
        Some(3),
        "ServiceMonitor",
    );
    check(
        "actix-bare",
        "obs.alerts",
        "fail",
        "src/main.rs",
        None,
        "nothing found",
    );
}

#[test]
fn per_env_configuration_is_layered_or_typed() {
    check(
        "axum-ready",
        "cfg.per-env",
        "pass",
        "src/settings.rs",
        Some(24),
        "config::Config::builder",
    );
    check(
        "axum-ready",
        "cfg.per-env",
        "pass",
        "config/production.toml",
        None,
        "per-environment config",
    );
    check(
        "peers-ok",
        "cfg.per-env",
        "pass",
        "src/config.rs",
        Some(14),
        "envy::prefixed",
    );
    check(
        "ctrlc-only",
        "cfg.per-env",
        "partial",
        "src/main.rs",
        Some(17),
        "`std::env::var`",
    );
    check(
        "actix-bare",
        "cfg.per-env",
        "fail",
        "src/main.rs",
        None,
        "no env::var, config loader or config file read",
    );
}

#[test]
fn config_externalized_restates_per_env() {
    for tree in ["axum-ready", "ctrlc-only", "actix-bare"] {
        let r = report(tree);
        assert_eq!(
            item(&r, "ready.config-externalized")["same_as"],
            "cfg.per-env"
        );
        assert_eq!(
            status(&r, "ready.config-externalized"),
            status(&r, "cfg.per-env"),
            "{tree}"
        );
    }
}

#[test]
fn feature_flags_switch_at_run_time() {
    check(
        "axum-ready",
        "cfg.feature-flags",
        "pass",
        "src/settings.rs",
        Some(13),
        "`Settings.enable_csv_export: bool`",
    );
    check(
        "ctrlc-only",
        "cfg.feature-flags",
        "partial",
        "src/main.rs",
        Some(11),
        "compiled only with `cfg(feature=\"beta\")`",
    );
    check(
        "peers-bad",
        "cfg.feature-flags",
        "fail",
        "Cargo.toml",
        Some(13),
        "depends on `unleash-api-client`",
    );
    check(
        "actix-bare",
        "cfg.feature-flags",
        "fail",
        "src/main.rs",
        None,
        "nothing here can switch behaviour",
    );
}

#[test]
fn startup_validation_parses_typed_settings_before_serving() {
    check(
        "axum-ready",
        "cfg.startup-validation",
        "pass",
        "src/settings.rs",
        Some(34),
        "`Settings::validate` checks the settings",
    );
    check(
        "peers-ok",
        "cfg.startup-validation",
        "pass",
        "src/config.rs",
        Some(8),
        "`Settings.inventory_url: Url` is checked when parsed",
    );
    check(
        "peers-bad",
        "cfg.startup-validation",
        "partial",
        "src/main.rs",
        Some(22),
        "`std::env::var`",
    );
    check(
        "ctrlc-only",
        "cfg.startup-validation",
        "fail",
        "src/main.rs",
        Some(6),
        "handler `greeting` (GET /) reads `std::env::var` per request",
    );
    check_summary(
        "actix-bare",
        "cfg.startup-validation",
        "n/a",
        "nothing is configured at run time",
    );
}

#[test]
fn hot_reload_swaps_settings_without_a_restart() {
    check(
        "peers-ok",
        "cfg.hot-reload",
        "pass",
        "src/main.rs",
        Some(61),
        "SignalKind::hangup",
    );
    check(
        "axum-ready",
        "cfg.hot-reload",
        "fail",
        "src/settings.rs",
        Some(24),
        "read once here",
    );
    check_summary(
        "actix-bare",
        "cfg.hot-reload",
        "n/a",
        "nothing is configured at run time",
    );
}

#[test]
fn rollback_needs_versioned_releases_and_a_procedure() {
    check(
        "axum-ready",
        "cfg.rollback",
        "pass",
        "docs/runbooks/orders-api.md",
        Some(14),
        "rollback documented",
    );
    check(
        "axum-ready",
        "cfg.rollback",
        "pass",
        ".github/workflows/image.yml",
        Some(5),
        "CI releases on version tags",
    );
    check(
        "peers-ok",
        "cfg.rollback",
        "partial",
        "CHANGELOG.md",
        Some(3),
        "CHANGELOG with versioned releases",
    );
    check(
        "actix-bare",
        "cfg.rollback",
        "fail",
        "src/main.rs",
        None,
        "how to return to the previous release",
    );
}

#[test]
fn runbook_is_written_down() {
    check(
        "axum-ready",
        "ready.runbook",
        "pass",
        "docs/runbooks/orders-api.md",
        None,
        "file `docs/runbooks/orders-api.md`",
    );
    check(
        "peers-ok",
        "ready.runbook",
        "partial",
        "README.md",
        Some(5),
        "## Troubleshooting",
    );
    check(
        "actix-bare",
        "ready.runbook",
        "fail",
        "src/main.rs",
        None,
        "nothing found",
    );
}

#[test]
fn health_routes_of_test_builds_do_not_count_and_raw_http_health_is_partial() {
    // The only health route is added under `#[cfg(feature = "test")]`.
    check(
        "cfg-test-health",
        "obs.health",
        "fail",
        "src/main.rs",
        Some(13),
        "no health route on the router built here",
    );
    // A hand-written hyper service answers `/healthz`: no router to resolve,
    // but the path compared with the request is evidence of a health check.
    check(
        "hyper-health",
        "obs.health",
        "partial",
        "src/main.rs",
        Some(11),
        "health path `/healthz` is written here",
    );
    // The load-balancing join reads the same path as a liveness route.
    check(
        "hyper-health",
        "perf.load-balancing",
        "partial",
        "src/main.rs",
        Some(11),
        "liveness route declared /healthz",
    );
    // A health server on its own port, named but with no path to read: both
    // items see an unresolved health check, neither fails.
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(
        &common::root().join("tests/fixtures/ops/hyper-health"),
        dir.path(),
    );
    let main = dir.path().join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap().replace(
        "if req.uri().path() == \"/healthz\" {",
        "if std::env::var(\"HEALTHZ_PORT\").is_ok() {",
    );
    std::fs::write(&main, text).unwrap();
    let r = common::audit_json(dir.path(), &[]);
    for id in ["obs.health", "perf.load-balancing"] {
        assert_eq!(common::status(&r, id), "partial", "{id}");
        assert!(
            common::has_evidence(
                &r,
                id,
                "src/main.rs",
                Some(11),
                "`HEALTHZ_PORT` names a port for health checks"
            ),
            "{id}: {}",
            common::evidence_text(&r, id)
        );
    }
}

#[test]
fn a_hand_written_json_event_formatter_is_structured_logging() {
    check(
        "json-formatter",
        "obs.structured-logging",
        "pass",
        "src/logging.rs",
        Some(15),
        "`JsonLines::format_event` writes events as JSON",
    );
}
