//! Testing rules (`test.*` other than coverage): each passes on the prepared
//! sample and fails, is partial or n/a on fixtures built to break it, with the
//! evidence that decided it.

mod data_rules_common;
use data_rules_common::*;

fn ready() -> &'static serde_json::Value {
    report(sample("axum-sqlx-kafka"))
}
fn bad() -> &'static serde_json::Value {
    report(fixture("bad-ledger"))
}

#[test]
fn unit_tests_in_each_service_package() {
    expect(
        ready(),
        "test.unit",
        "pass",
        "src/routes/accounts.rs",
        Some(105),
        "1 unit test(s) in `payments-api`",
    );
    let shop = report(fixture("seaorm-shop"));
    expect(
        shop,
        "test.unit",
        "partial",
        "migration/Cargo.toml",
        None,
        "`migration` has 3 function(s) and no test",
    );
    expect(
        shop,
        "test.unit",
        "partial",
        "src/pricing.rs",
        Some(20),
        "1 unit test(s) in `shop`",
    );
    expect(
        bad(),
        "test.unit",
        "fail",
        "Cargo.toml",
        None,
        "`ledger` has 6 function(s) and no test",
    );
}

#[test]
fn integration_tests_drive_the_router() {
    expect(
        ready(),
        "test.integration",
        "pass",
        "tests/api.rs",
        Some(11),
        "`.oneshot()`",
    );
    expect(
        report(sample("axum-ready")),
        "test.integration",
        "partial",
        "tests/api.rs",
        Some(4),
        "test `healthz_answers` does not call the API",
    );
    expect(
        report(sample("actix-bare")),
        "test.integration",
        "fail",
        "src/main.rs",
        Some(8),
        "no test sends a request",
    );
    // `#[actix_web::test]` marks a test; it drives nothing.
    expect(
        report(fixture("pg-direct")),
        "test.integration",
        "fail",
        "src/main.rs",
        Some(43),
        "no test sends a request",
    );
}

#[test]
fn database_tests_run_against_a_database() {
    expect(
        ready(),
        "test.db-transactions",
        "pass",
        "tests/api.rs",
        Some(8),
        "3 #[sqlx::test] test(s)",
    );
    expect(
        report(sample("axum-ready")),
        "test.db-transactions",
        "partial",
        ".github/workflows/ci.yml",
        Some(11),
        "`postgres:`",
    );
    expect(
        bad(),
        "test.db-transactions",
        "fail",
        "src/main.rs",
        None,
        "no #[sqlx::test]",
    );
    expect_summary(
        report(sample("actix-bare")),
        "test.db-transactions",
        "n/a",
        "no database client crate",
    );
}

#[test]
fn auth_tests_cover_acceptance_and_refusal() {
    expect(
        ready(),
        "test.auth-flows",
        "pass",
        "tests/api.rs",
        Some(25),
        "test `rejects_wrong_password`",
    );
    expect(
        ready(),
        "test.auth-flows",
        "pass",
        "tests/api.rs",
        Some(18),
        "test `login_returns_a_token`",
    );
    expect(
        ready(),
        "test.auth-flows",
        "pass",
        "tests/api.rs",
        Some(28),
        "`axum::http::StatusCode::UNAUTHORIZED`",
    );
    // Hashing a password guards no route: sec.authn finds no authentication,
    // so there is none to test (an empty `login_works` test is not one).
    expect_summary(
        report(fixture("pg-direct")),
        "test.auth-flows",
        "n/a",
        "does not authenticate",
    );
    expect(
        bad(),
        "test.auth-flows",
        "fail",
        "Cargo.toml",
        Some(14),
        "depends on `jsonwebtoken`",
    );
    expect_summary(
        report(sample("actix-bare")),
        "test.auth-flows",
        "n/a",
        "does not authenticate",
    );
}

#[test]
fn benchmarks_with_a_harness() {
    expect(
        ready(),
        "test.benchmarks",
        "pass",
        "benches/ledger.rs",
        None,
        "file `benches/ledger.rs`",
    );
    expect(
        bad(),
        "test.benchmarks",
        "partial",
        "Cargo.toml",
        Some(22),
        "dev-depends on `criterion`",
    );
    expect_summary(
        report(sample("actix-bare")),
        "test.benchmarks",
        "fail",
        "benchmark files under benches/",
    );
}

#[test]
fn load_tests_are_run() {
    expect(
        ready(),
        "test.load",
        "pass",
        ".github/workflows/ci.yml",
        Some(33),
        "CI runs `k6 run`",
    );
    expect(
        bad(),
        "test.load",
        "partial",
        "load/invoices.js",
        None,
        "k6 load-test script",
    );
    expect(
        report(sample("actix-bare")),
        "test.load",
        "fail",
        ".github/workflows/ci.yml",
        None,
        "no load-test script",
    );
    // ready.load-tested restates it.
    expect_summary(ready(), "ready.load-tested", "pass", "decided by test.load");
}

#[test]
fn vulnerability_scan_gates_the_build() {
    expect(
        ready(),
        "test.security-scan",
        "pass",
        ".github/workflows/ci.yml",
        Some(24),
        "`EmbarkStudios/cargo-deny-action`",
    );
    expect(
        bad(),
        "test.security-scan",
        "partial",
        ".github/workflows/ci.yml",
        Some(9),
        "checks licenses, bans only, not advisories",
    );
    expect(
        report(fixture("pg-direct")),
        "test.security-scan",
        "partial",
        "deny.toml",
        None,
        "`deny.toml` is configured",
    );
    expect(
        report(sample("actix-bare")),
        "test.security-scan",
        "fail",
        ".github/workflows/ci.yml",
        None,
        "no cargo audit",
    );
    expect_summary(
        bad(),
        "ready.security-scan",
        "partial",
        "decided by test.security-scan",
    );
}

#[test]
fn contract_tests_check_responses() {
    expect(
        ready(),
        "test.contract",
        "pass",
        ".github/workflows/ci.yml",
        Some(41),
        "CI runs `schemathesis`",
    );
    expect(
        bad(),
        "test.contract",
        "partial",
        "Cargo.toml",
        Some(23),
        "dev-depends on `pact_consumer` but no test uses it",
    );
    expect(
        report(sample("actix-bare")),
        "test.contract",
        "fail",
        ".github/workflows/ci.yml",
        None,
        "no Pact",
    );
}

#[test]
fn ci_runs_the_tests_and_fails_on_them() {
    expect(
        ready(),
        "test.ci",
        "pass",
        ".github/workflows/ci.yml",
        Some(23),
        "CI runs `cargo test`",
    );
    expect(
        bad(),
        "test.ci",
        "partial",
        ".github/workflows/ci.yml",
        Some(8),
        "its failure is swallowed (`|| true`)",
    );
    expect(
        report(fixture("seaorm-shop")),
        "test.ci",
        "partial",
        ".github/workflows/manual-tests.yml",
        Some(8),
        "only runs on workflow_dispatch",
    );
    expect(
        report(fixture("sqlite-notes")),
        "test.ci",
        "fail",
        ".github/workflows/release.yml",
        None,
        "none runs cargo test",
    );
    expect(
        report(fixture("pg-direct")),
        "test.ci",
        "fail",
        "src/main.rs",
        None,
        "no .github/workflows",
    );
}

/// CircleCI is read like GitHub and GitLab: reusable commands are expanded
/// where a job calls them, and a step that builds the tests (`--no-run`)
/// before running them gates the build.
#[test]
fn circleci_jobs_and_reusable_commands_count() {
    let circle = report(fixture("circleci-api"));
    expect(
        circle,
        "test.ci",
        "pass",
        ".circleci/config.yml",
        Some(19),
        "CI runs `cargo test`",
    );
    expect(
        circle,
        "test.coverage",
        "pass",
        ".circleci/config.yml",
        Some(25),
        "85 %",
    );
}
