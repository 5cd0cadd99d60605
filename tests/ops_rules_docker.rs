//! Container rules (`docker.*`), joined with the code and the manifests: for
//! each item a tree where it passes and one where it fails, with the evidence
//! that decided it; `n/a` without a Dockerfile.

mod common;
mod ops_common;
use common::{audit_json, copy_tree, has_evidence, item, root, status};
use ops_common::{check, check_summary};

#[test]
fn the_section_is_na_without_a_dockerfile() {
    for id in [
        "docker.multi-stage",
        "docker.ci-scan",
        "docker.env-config",
        "docker.volumes",
        "docker.network",
        "docker.resource-limits",
        "docker.healthcheck",
        "docker.graceful-shutdown",
        "docker.non-root",
        "docker.pinned-base",
        "ready.container-build",
    ] {
        check_summary("peers-ok", id, "n/a", "no Dockerfile");
    }
}

#[test]
fn multi_stage_ships_the_binary_not_the_toolchain() {
    check(
        "axum-ready",
        "docker.multi-stage",
        "pass",
        "Dockerfile",
        Some(7),
        "separate from the build stage",
    );
    check(
        "compose-bad",
        "docker.multi-stage",
        "partial",
        "Dockerfile",
        Some(8),
        "full distribution image",
    );
    check(
        "actix-bare",
        "docker.multi-stage",
        "fail",
        "Dockerfile",
        Some(1),
        "is a Rust toolchain image",
    );
    check(
        "actix-bare",
        "docker.multi-stage",
        "fail",
        "Dockerfile",
        Some(4),
        "`cargo build` runs in the shipped stage",
    );
}

#[test]
fn ci_scan_needs_a_scanner_that_can_fail_the_pipeline() {
    check(
        "axum-ready",
        "docker.ci-scan",
        "pass",
        ".github/workflows/image.yml",
        Some(18),
        "trivy-action",
    );
    check(
        "compose-bad",
        "docker.ci-scan",
        "partial",
        ".github/workflows/ci.yml",
        Some(8),
        "hadolint checks Dockerfile mistakes",
    );
    check(
        "actix-bare",
        "docker.ci-scan",
        "fail",
        "Dockerfile",
        Some(1),
        "never scanned",
    );
}

#[test]
fn env_config_bakes_no_secrets_or_environments() {
    check(
        "axum-ready",
        "docker.env-config",
        "pass",
        "src/settings.rs",
        Some(24),
        "settings are read at run time",
    );
    check(
        "ctrlc-only",
        "docker.env-config",
        "partial",
        "Dockerfile",
        Some(9),
        "`APP_ENV=production` builds the image for one environment",
    );
    check(
        "compose-bad",
        "docker.env-config",
        "fail",
        "Dockerfile",
        Some(9),
        "`ENV ADMIN_PASSWORD=…` bakes a secret",
    );
    check(
        "actix-bare",
        "docker.env-config",
        "fail",
        "src/main.rs",
        None,
        "reads no environment variable or config file",
    );
}

#[test]
fn volumes_hold_the_data_of_stateful_services() {
    check(
        "stateful-ok",
        "docker.volumes",
        "pass",
        "Dockerfile",
        Some(10),
        "`VOLUME /data`",
    );
    check(
        "stateful-ok",
        "docker.volumes",
        "pass",
        "compose.yaml",
        Some(8),
        "volume kv-data → /data",
    );
    check(
        "stateful-bad",
        "docker.volumes",
        "fail",
        "Cargo.toml",
        Some(9),
        "depends on `rusqlite` keeps data on local disk",
    );
    check_summary("axum-ready", "docker.volumes", "n/a", "keeps no local data");
}

#[test]
fn network_ports_agree_across_code_image_and_manifests() {
    check(
        "axum-ready",
        "docker.network",
        "pass",
        "Dockerfile",
        Some(9),
        "EXPOSE 8080 matches the port the server binds (src/settings.rs:16)",
    );
    check(
        "axum-ready",
        "docker.network",
        "pass",
        "deploy/k8s/orders-api.yaml",
        Some(20),
        "Deployment `orders-api` port 8080 matches",
    );
    check(
        "actix-bare",
        "docker.network",
        "fail",
        "src/main.rs",
        Some(16),
        "binds 127.0.0.1:8080 inside the container",
    );
    check(
        "compose-bad",
        "docker.network",
        "fail",
        "Dockerfile",
        Some(11),
        "EXPOSE 8080, but the server binds 3000",
    );
    check(
        "compose-bad",
        "docker.network",
        "fail",
        "docker-compose.yml",
        Some(5),
        "sends traffic to port 8080, but the server binds 3000",
    );
    // A loopback default is overridden by the config file the image ships…
    check(
        "shipped-config",
        "docker.network",
        "pass",
        "src/main.rs",
        Some(12),
        "defaults to loopback, overridden in the container by config `listen = 0.0.0.0:4000` (docker/gateway.yaml:2)",
    );
    // …and left as it is without one.
    check(
        "loopback-default",
        "docker.network",
        "partial",
        "src/main.rs",
        Some(12),
        "listens on loopback only",
    );
    // `ENV PORT=80` overrides the code's default of 8000, as a non-root user.
    check(
        "ctrlc-only",
        "docker.network",
        "partial",
        "Dockerfile",
        Some(9),
        "`PORT=80` set for the container",
    );
    check(
        "ctrlc-only",
        "docker.network",
        "partial",
        "Dockerfile",
        Some(6),
        "port 80 is below 1024",
    );
}

#[test]
fn resource_limits_come_from_the_manifests() {
    check(
        "axum-ready",
        "docker.resource-limits",
        "pass",
        "deploy/k8s/orders-api.yaml",
        Some(41),
        "memory=256Mi and cpu=250m",
    );
    check(
        "stateful-ok",
        "docker.resource-limits",
        "pass",
        "compose.yaml",
        Some(16),
        "memory=256M and cpu=0.50",
    );
    check(
        "helm-chart",
        "docker.resource-limits",
        "partial",
        "chart/values.yaml",
        Some(6),
        "`resources` is left empty",
    );
    check(
        "compose-bad",
        "docker.resource-limits",
        "partial",
        "docker-compose.yml",
        Some(3),
        "no CPU or memory limits",
    );
    check(
        "stateful-bad",
        "docker.resource-limits",
        "fail",
        "k8s/deployment.yaml",
        Some(13),
        "runs with no CPU or memory limits",
    );
    check_summary(
        "actix-bare",
        "docker.resource-limits",
        "manual",
        "no compose, Kubernetes or Helm manifest",
    );
}

#[test]
fn healthcheck_must_hit_a_real_route_with_a_tool_the_image_has() {
    check(
        "axum-ready",
        "docker.healthcheck",
        "pass",
        "src/routes/health.rs",
        Some(8),
        "route GET /healthz serves Deployment `orders-api` livenessProbe",
    );
    check(
        "helm-chart",
        "docker.healthcheck",
        "pass",
        "chart/templates/deployment.yaml",
        Some(14),
        "Helm chart `catalog` livenessProbe requests /healthz",
    );
    check(
        "stateful-ok",
        "docker.healthcheck",
        "pass",
        "compose.yaml",
        Some(9),
        "healthcheck runs `kv`",
    );
    check(
        "compose-bad",
        "docker.healthcheck",
        "fail",
        "Dockerfile",
        Some(12),
        "HEALTHCHECK runs `curl`, which final stage (FROM ubuntu:24.04) does not have",
    );
    check(
        "compose-bad",
        "docker.healthcheck",
        "fail",
        "Dockerfile",
        Some(12),
        "requests /health, but no route in code serves it (health routes in code: /healthz)",
    );
    check("compose-bad", "docker.healthcheck", "fail", "docker-compose.yml", Some(6), "compose service `shop` healthcheck runs `wget`, which final stage (FROM ubuntu:24.04) does not have");
    check(
        "actix-bare",
        "docker.healthcheck",
        "fail",
        "Dockerfile",
        Some(1),
        "no HEALTHCHECK in this runtime stage",
    );
    check_summary(
        "ctrlc-only",
        "docker.healthcheck",
        "n/a",
        "explicitly disabled",
    );
}

#[test]
fn signals_reach_a_server_that_handles_them() {
    check(
        "axum-ready",
        "docker.graceful-shutdown",
        "pass",
        "Dockerfile",
        Some(12),
        "exec-form ENTRYPOINT",
    );
    check(
        "stateful-ok",
        "docker.graceful-shutdown",
        "pass",
        "Dockerfile",
        Some(13),
        "runs `tini`",
    );
    check(
        "ctrlc-only",
        "docker.graceful-shutdown",
        "partial",
        "Dockerfile",
        Some(6),
        "drains only on Ctrl-C (SIGINT)",
    );
    check(
        "stateful-bad",
        "docker.graceful-shutdown",
        "partial",
        "Dockerfile",
        Some(10),
        "docker/entrypoint.sh does not `exec` the server",
    );
    check(
        "compose-bad",
        "docker.graceful-shutdown",
        "fail",
        "Dockerfile",
        Some(13),
        "shell-form CMD `/usr/local/bin/shop` runs under /bin/sh -c",
    );
    check(
        "actix-bare",
        "docker.graceful-shutdown",
        "fail",
        "Dockerfile",
        Some(6),
        "starts with `cargo run`",
    );
}

#[test]
fn non_root_looks_at_the_final_stage_only() {
    check(
        "axum-ready",
        "docker.non-root",
        "pass",
        "Dockerfile",
        Some(10),
        "runs as `nonroot`",
    );
    check(
        "helm-chart",
        "docker.non-root",
        "pass",
        "Dockerfile",
        Some(6),
        "the base image runs as a non-root user",
    );
    check(
        "stateful-bad",
        "docker.non-root",
        "pass",
        "k8s/deployment.yaml",
        Some(10),
        "runs as non-root (securityContext",
    );
    check(
        "compose-bad",
        "docker.non-root",
        "fail",
        "Dockerfile",
        Some(8),
        "has no USER: the process runs as root",
    );
    check(
        "compose-bad",
        "docker.non-root",
        "fail",
        "Dockerfile",
        Some(3),
        "USER here is in another stage",
    );
    check(
        "actix-bare",
        "docker.non-root",
        "fail",
        "Dockerfile",
        Some(1),
        "has no USER",
    );
}

#[test]
fn pinned_base_and_builder_toolchain() {
    check(
        "axum-ready",
        "docker.pinned-base",
        "pass",
        "Dockerfile",
        Some(2),
        "`FROM rust:1.82-slim` is pinned by tag",
    );
    check(
        "axum-ready",
        "docker.pinned-base",
        "pass",
        "Cargo.toml",
        Some(5),
        "rust-version 1.80 ≤ builder Rust 1.82",
    );
    check(
        "ctrlc-only",
        "docker.pinned-base",
        "partial",
        "Dockerfile",
        Some(1),
        "names a variant, not a Rust version",
    );
    check(
        "actix-bare",
        "docker.pinned-base",
        "fail",
        "Dockerfile",
        Some(1),
        "`FROM rust:latest` floats on `latest`",
    );
    check(
        "compose-bad",
        "docker.pinned-base",
        "fail",
        "Dockerfile",
        Some(1),
        "Rust 1.75, older than the rust-version 1.80 declared at Cargo.toml:5",
    );
}

#[test]
fn container_build_runs_in_ci() {
    check(
        "axum-ready",
        "ready.container-build",
        "pass",
        ".github/workflows/image.yml",
        Some(13),
        "image build",
    );
    check(
        "compose-bad",
        "ready.container-build",
        "partial",
        ".github/workflows/ci.yml",
        Some(9),
        "continue-on-error",
    );
    check(
        "stateful-bad",
        "ready.container-build",
        "partial",
        "Makefile",
        Some(2),
        "build recipe CI never runs",
    );
    check(
        "actix-bare",
        "ready.container-build",
        "fail",
        "Dockerfile",
        Some(1),
        "not built by any CI step",
    );
}

#[test]
fn a_fallback_is_no_route_at_its_prefix() {
    // `.fallback(not_found)` answers unmatched paths; it does not serve `/`.
    check(
        "fallback-root",
        "docker.healthcheck",
        "fail",
        "Dockerfile",
        Some(10),
        "HEALTHCHECK requests /, but no route in code serves it",
    );
}

/// ctrlc's `termination` feature makes its handler catch SIGTERM, the
/// signal `docker stop` sends; without the feature it is Ctrl-C only.
#[test]
fn ctrlc_with_termination_handles_the_stop_signal() {
    check(
        "ctrlc-termination",
        "docker.graceful-shutdown",
        "pass",
        "Dockerfile",
        Some(6),
        "stop signal SIGTERM is one the server handles",
    );
    // The handler is named once, as the SIGTERM handler it is.
    let r = ops_common::report("ctrlc-termination");
    let at_handler = item(&r, "svc.graceful-shutdown")["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == "src/main.rs" && e["line"] == 11)
        .count();
    assert_eq!(at_handler, 1);
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &root().join("tests/fixtures/ops/ctrlc-termination"),
        dir.path(),
    );
    let manifest = dir.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "ctrlc = { version = \"3\", features = [\"termination\"] }",
        "ctrlc = \"3\"",
    );
    std::fs::write(&manifest, text).unwrap();
    let r = audit_json(dir.path(), &[]);
    assert_eq!(status(&r, "docker.graceful-shutdown"), "partial");
    assert!(has_evidence(
        &r,
        "docker.graceful-shutdown",
        "Dockerfile",
        Some(6),
        "drains only on Ctrl-C"
    ));
}
