//! The rule catalog covers every checklist item, exactly once, in every report.

mod common;
use common::*;

/// Every item of ../shared/checklist.md, by id.
const CHECKLIST: &[&str] = &[
    "api.http-semantics",
    "api.naming",
    "api.status-codes",
    "api.validation",
    "api.versioning",
    "api.rate-limiting",
    "api.cors",
    "api.pagination",
    "api.error-format",
    "api.openapi",
    "db.schema",
    "db.indexes",
    "db.pool",
    "db.transactions",
    "db.migrations",
    "db.backup",
    "db.read-replicas",
    "db.consistency",
    "sec.input-validation",
    "sec.sql-injection",
    "sec.authn",
    "sec.token-management",
    "sec.rbac",
    "sec.encryption",
    "sec.endpoint-rate-limit",
    "sec.api-keys",
    "sec.audit-log",
    "sec.password-hashing",
    "sec.secrets",
    "sec.owasp",
    "perf.latency-budget",
    "perf.query-optimization",
    "perf.caching",
    "perf.pooling",
    "perf.async-offload",
    "perf.load-balancing",
    "perf.horizontal-scaling",
    "perf.resource-monitoring",
    "test.unit",
    "test.integration",
    "test.db-transactions",
    "test.auth-flows",
    "test.benchmarks",
    "test.load",
    "test.security-scan",
    "test.contract",
    "test.ci",
    "test.coverage",
    "svc.boundaries",
    "svc.communication",
    "svc.graceful-shutdown",
    "svc.circuit-breaker",
    "svc.discovery",
    "svc.distributed-tracing",
    "svc.event-driven",
    "svc.saga",
    "svc.api-gateway",
    "mq.producer-consumer",
    "mq.dead-letter",
    "mq.serialization",
    "mq.idempotency",
    "mq.monitoring",
    "mq.batching",
    "mq.priority",
    "mq.replay",
    "obs.metrics",
    "obs.structured-logging",
    "obs.correlation-id",
    "obs.tracing",
    "obs.health",
    "obs.perf-metrics",
    "obs.error-rate",
    "obs.business-metrics",
    "obs.alerts",
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
    "cfg.per-env",
    "cfg.secrets",
    "cfg.feature-flags",
    "cfg.db-url",
    "cfg.third-party-creds",
    "cfg.startup-validation",
    "cfg.hot-reload",
    "cfg.rollback",
    "ready.openapi-complete",
    "ready.migrations-verified",
    "ready.container-build",
    "ready.config-externalized",
    "ready.load-tested",
    "ready.security-scan",
    "ready.metrics-exposed",
    "ready.runbook",
];

#[test]
fn every_checklist_item_is_in_every_report() {
    let r = audit_json(&sample("actix-bare"), &[]);
    let ids: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    for id in CHECKLIST {
        assert_eq!(
            ids.iter().filter(|x| *x == id).count(),
            1,
            "{id} should appear exactly once"
        );
    }
    assert_eq!(
        ids.len(),
        CHECKLIST.len(),
        "rules outside the checklist: {ids:?}"
    );
}

#[test]
fn catalog_matches_the_shared_checklist_when_present() {
    let path = root().join("../shared/checklist.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: {} not found (CI runs with ../shared beside the repo)",
            path.display()
        );
        return;
    };
    let re = regex::Regex::new(r"(?m)^\| ([a-z]+\.[a-z0-9-]+) \|").unwrap();
    let ids: Vec<&str> = re
        .captures_iter(&text)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert_eq!(ids.len(), CHECKLIST.len());
    for id in ids {
        assert!(CHECKLIST.contains(&id), "checklist item {id} has no rule");
    }
}

#[test]
fn restated_items_carry_their_rules_result() {
    let r = audit_json(&sample("axum-ready"), &[]);
    for (restated, rule) in [
        ("ready.security-scan", "test.security-scan"),
        ("ready.metrics-exposed", "obs.metrics"),
        ("ready.load-tested", "test.load"),
    ] {
        assert_eq!(item(&r, restated)["same_as"], rule);
        assert_eq!(status(&r, restated), status(&r, rule));
    }
}

/// docs/rules.md is the binary's own rule documentation, every rule in it.
#[test]
fn the_rule_reference_in_docs_is_current() {
    let out = seaworthy()
        .args(["rules", "list", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    for id in CHECKLIST {
        assert!(
            generated.contains(&format!("\n### {id}\n")),
            "{id} has no section in the rule reference"
        );
    }
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -- rules list --format markdown > docs/rules.md`"
    );
}
