//! The Security items and the credential items of Configuration, each on a
//! service where it passes and one where it does not, with the evidence that
//! decided it.
//!
//! Fixtures under `tests/fixtures/sec/`: `axum-secure` has the security work
//! done; `sqli-request`, `sqli-ident`, `secrets-leaky` and `auth-weak` each get
//! some of it wrong. The bundled samples (`axum-ready`, `actix-bare`) are used
//! where they already show an item.

mod common;
use common::*;
use serde_json::Value;
use std::sync::OnceLock;

fn fixture(name: &str) -> Value {
    audit_json(&root().join("tests/fixtures/sec").join(name), &[])
}

macro_rules! cached {
    ($name:ident, $e:expr) => {
        fn $name() -> &'static Value {
            static R: OnceLock<Value> = OnceLock::new();
            R.get_or_init(|| $e)
        }
    };
}

cached!(secure, fixture("axum-secure"));
cached!(sqli_request, fixture("sqli-request"));
cached!(sqli_ident, fixture("sqli-ident"));
cached!(leaky, fixture("secrets-leaky"));
cached!(weak, fixture("auth-weak"));
cached!(ready, audit_json(&sample("axum-ready"), &[]));
cached!(bare, audit_json(&sample("actix-bare"), &[]));
cached!(workspace, audit_json(&sample("workspace"), &[]));
cached!(poem, audit_json(&sample("poem-inventory"), &[]));
cached!(guard_semantics, fixture("guard-semantics"));
cached!(infallible_bearer, fixture("infallible-bearer"));
cached!(actix_session, fixture("actix-session"));

/// The item has `status` and evidence at `path`(:`line`) containing `text`.
fn check(r: &Value, id: &str, want: &str, path: &str, line: Option<u64>, text: &str) {
    assert_eq!(
        status(r, id),
        want,
        "{id} status; summary: {}; evidence: {}",
        item(r, id)["summary"],
        evidence_text(r, id)
    );
    assert!(
        has_evidence(r, id, path, line, text),
        "{id} evidence should include {path}:{line:?} `{text}`; got {}",
        evidence_text(r, id)
    );
}

fn na(r: &Value, id: &str, reason: &str) {
    assert_eq!(status(r, id), "n/a", "{id}: {}", item(r, id)["summary"]);
    let summary = item(r, id)["summary"].as_str().unwrap();
    assert!(summary.contains(reason), "{id} n/a reason: {summary}");
}

#[test]
fn sql_injection_follows_text_to_the_query_call() {
    // Constants interpolated (a `const`, a loop over a constant array) are not injection.
    check(
        secure(),
        "sec.sql-injection",
        "pass",
        "src/db.rs",
        Some(26),
        "from constants only",
    );
    check(
        secure(),
        "sec.sql-injection",
        "pass",
        "src/db.rs",
        Some(57),
        "{table}",
    );
    // Request input through a `let` and through `push_str`.
    let r = sqli_request();
    check(
        r,
        "sec.sql-injection",
        "fail",
        "src/main.rs",
        Some(12),
        "built with format! on line 11 from `q.name` (request input)",
    );
    check(
        r,
        "sec.sql-injection",
        "fail",
        "src/main.rs",
        Some(19),
        "built with push_str on line 17 from `q.sort` (request input)",
    );
    // A parameter used as an identifier is only partial; a placeholder list is fine.
    let r = sqli_ident();
    check(
        r,
        "sec.sql-injection",
        "partial",
        "src/main.rs",
        Some(6),
        "`table` (a parameter)",
    );
    assert!(!has_evidence(
        r,
        "sec.sql-injection",
        "src/main.rs",
        Some(12),
        ""
    ));
    na(bare(), "sec.sql-injection", "no SQL database client crate");
}

#[test]
fn secrets_are_found_masked_and_tests_are_left_out() {
    check(
        secure(),
        "sec.secrets",
        "pass",
        "tests/auth.rs",
        Some(3),
        "were not counted",
    );
    let r = leaky();
    check(
        r,
        "sec.secrets",
        "fail",
        "src/main.rs",
        Some(7),
        "passed to `jsonwebtoken::EncodingKey::from_secret`",
    );
    check(
        r,
        "sec.secrets",
        "fail",
        "src/main.rs",
        Some(21),
        "postgres://billing:****@db.prod.internal",
    );
    check(
        r,
        "sec.secrets",
        "fail",
        "config/production.yaml",
        Some(6),
        "bound to `smtp_password`",
    );
    check(
        r,
        "sec.secrets",
        "fail",
        "Dockerfile",
        Some(7),
        "bound to `PAYMENT_API_TOKEN` in a Dockerfile ENV/ARG",
    );
    check(
        r,
        "sec.secrets",
        "fail",
        "tests/fixtures.rs",
        Some(1),
        "not counted",
    );
    // The bare sample commits its production .env.
    check(
        bare(),
        "sec.secrets",
        "fail",
        ".env",
        Some(2),
        "postgres URL with a password in committed config: postgres://inventory:****@",
    );
    check(
        workspace(),
        "sec.secrets",
        "pass",
        "services/billing/src/main.rs",
        None,
        "no private keys, tokens or credentials",
    );
    // Placeholders in the sample env file are not secrets.
    assert!(!has_evidence(r, "sec.secrets", ".env.example", None, ""));
    // No secret is ever printed in full, in any item.
    let text = serde_json::to_string(r).unwrap() + &serde_json::to_string(bare()).unwrap();
    for secret in [
        "hK8#q2Lz!pW7xR4v",
        "Xk92bd7QpLm",
        "Wq8tZ3kPn5Rv",
        "Zr7#kP2q!Lm9wX",
        "tK3x9Qw7Rz2mVb8Nc4Lp",
        "Zq4mT9vX2kLp8RwY7nB3cD6f",
        "Fx9!rT2mQ8wLz4",
    ] {
        assert!(!text.contains(secret), "the report prints `{secret}`");
    }
}

#[test]
fn authentication_is_judged_per_route() {
    check(
        secure(),
        "sec.authn",
        "pass",
        "src/main.rs",
        Some(30),
        "GET /v1/orders — auth middleware",
    );
    check(
        secure(),
        "sec.authn",
        "pass",
        "src/main.rs",
        Some(27),
        "guard parameter `AuthUser`",
    );
    // A JWT crate that guards nothing.
    check(
        weak(),
        "sec.authn",
        "partial",
        "Cargo.toml",
        Some(9),
        "depends on `jsonwebtoken`",
    );
    check(
        weak(),
        "sec.authn",
        "partial",
        "src/main.rs",
        Some(62),
        "GET /posts/{id} has no auth middleware",
    );
    check(
        bare(),
        "sec.authn",
        "fail",
        "src/main.rs",
        Some(8),
        "no authentication layer or guard",
    );
}

#[test]
fn tokens_expire_and_keys_are_not_literals() {
    check(
        secure(),
        "sec.token-management",
        "pass",
        "src/auth.rs",
        Some(27),
        "`Claims.exp` carries the token's expiry",
    );
    check(
        secure(),
        "sec.token-management",
        "pass",
        "src/auth.rs",
        Some(38),
        "takes its key from `state.settings.jwt_secret",
    );
    check(
        secure(),
        "sec.token-management",
        "pass",
        "src/main.rs",
        Some(27),
        "POST /auth/refresh refreshes tokens",
    );
    check(
        leaky(),
        "sec.token-management",
        "fail",
        "src/main.rs",
        Some(7),
        "is given a literal key",
    );
    check(
        weak(),
        "sec.token-management",
        "partial",
        "src/main.rs",
        Some(25),
        "`validate_exp = false`",
    );
    na(
        bare(),
        "sec.token-management",
        "issues and checks no tokens",
    );
}

#[test]
fn roles_are_modelled_and_checked() {
    check(
        secure(),
        "sec.rbac",
        "pass",
        "src/main.rs",
        Some(34),
        "role guard `AdminUser`",
    );
    check(
        secure(),
        "sec.rbac",
        "pass",
        "src/auth.rs",
        Some(18),
        "enum `Role` models roles/permissions",
    );
    check(
        weak(),
        "sec.rbac",
        "partial",
        "src/models.rs",
        Some(18),
        "enum `Role`",
    );
    check(
        bare(),
        "sec.rbac",
        "fail",
        "src/main.rs",
        Some(8),
        "no role or permission check",
    );
}

#[test]
fn encryption_needs_tls_and_nothing_broken() {
    check(
        secure(),
        "sec.encryption",
        "pass",
        "Cargo.toml",
        Some(12),
        "`sqlx` connects with TLS",
    );
    check(
        secure(),
        "sec.encryption",
        "pass",
        "Cargo.toml",
        Some(17),
        "`reqwest` uses TLS",
    );
    check(
        weak(),
        "sec.encryption",
        "fail",
        "src/main.rs",
        Some(55),
        "`danger_accept_invalid_certs(true)` turns certificate verification off",
    );
    check(
        weak(),
        "sec.encryption",
        "fail",
        "src/main.rs",
        Some(30),
        "applies `md5::Md5::digest` to a password",
    );
}

#[test]
fn sensitive_routes_need_limits_of_their_own() {
    check(
        secure(),
        "sec.endpoint-rate-limit",
        "pass",
        "src/main.rs",
        Some(28),
        "applies to 3 of 8 route(s): POST /auth/login",
    );
    check(
        ready(),
        "sec.endpoint-rate-limit",
        "partial",
        "src/main.rs",
        Some(32),
        "global limiter `GovernorLayer::new(governor)`",
    );
    check(
        weak(),
        "sec.endpoint-rate-limit",
        "partial",
        "src/main.rs",
        Some(61),
        "POST /login handles credentials and has no limit of its own",
    );
    check(
        bare(),
        "sec.endpoint-rate-limit",
        "fail",
        "src/main.rs",
        Some(8),
        "no rate-limiting layer",
    );
}

#[test]
fn api_keys_are_hashed_expiring_and_scoped() {
    check(
        secure(),
        "sec.api-keys",
        "pass",
        "src/keys.rs",
        Some(9),
        "`ApiKey` keeps `key_hash`, not the key",
    );
    check(
        secure(),
        "sec.api-keys",
        "pass",
        "src/main.rs",
        Some(32),
        "DELETE /v1/api-keys/{id} revokes or rotates keys",
    );
    check(
        weak(),
        "sec.api-keys",
        "fail",
        "src/models.rs",
        Some(12),
        "`ApiToken` stores `token` as given",
    );
    na(bare(), "sec.api-keys", "no API keys");
}

#[test]
fn sensitive_operations_leave_an_audit_trail() {
    check(
        secure(),
        "sec.audit-log",
        "pass",
        "src/auth.rs",
        Some(76),
        "`crate::audit::record` writes an audit event",
    );
    check(
        secure(),
        "sec.audit-log",
        "pass",
        "migrations/0001_init.sql",
        Some(17),
        "table `audit_log`",
    );
    check(
        weak(),
        "sec.audit-log",
        "partial",
        "src/main.rs",
        Some(18),
        "type `AuditEvent` models audit events",
    );
    check(
        bare(),
        "sec.audit-log",
        "fail",
        "src/main.rs",
        Some(8),
        "no audit events",
    );
}

#[test]
fn passwords_need_a_password_hash() {
    check(
        secure(),
        "sec.password-hashing",
        "pass",
        "src/auth.rs",
        Some(74),
        "`argon2::password_hash::PasswordHash::new`",
    );
    check(
        secure(),
        "sec.password-hashing",
        "pass",
        "migrations/0001_init.sql",
        Some(1),
        "password column `password_hash`",
    );
    check(
        weak(),
        "sec.password-hashing",
        "fail",
        "src/main.rs",
        Some(30),
        "`hash_password` applies `md5::Md5::digest` to a password",
    );
    check(
        weak(),
        "sec.password-hashing",
        "fail",
        "src/models.rs",
        Some(7),
        "database model `User` stores `password`",
    );
    na(bare(), "sec.password-hashing", "stores no passwords");
}

#[test]
fn input_is_validated_and_bodies_bounded() {
    check(
        ready(),
        "sec.input-validation",
        "pass",
        "src/main.rs",
        Some(33),
        "`axum::extract::DefaultBodyLimit::max` limits request bodies",
    );
    check(
        ready(),
        "sec.input-validation",
        "pass",
        "src/routes/orders.rs",
        Some(45),
        "`.validate()` checks input",
    );
    // actix-web's own JSON limit bounds bodies nobody configured: half credit.
    check(
        bare(),
        "sec.input-validation",
        "partial",
        "Cargo.toml",
        Some(7),
        "actix-web caps JSON bodies at 2 MB",
    );
    // poem sets no default limit: nothing bounds the bodies.
    check(
        poem(),
        "sec.input-validation",
        "fail",
        "src/main.rs",
        None,
        "no validation or body limit",
    );
}

#[test]
fn owasp_basics() {
    check(
        ready(),
        "sec.owasp",
        "pass",
        "src/main.rs",
        Some(35),
        "X_CONTENT_TYPE_OPTIONS` is set on responses",
    );
    check(
        secure(),
        "sec.owasp",
        "pass",
        "src/main.rs",
        Some(41),
        "STRICT_TRANSPORT_SECURITY",
    );
    check(
        bare(),
        "sec.owasp",
        "fail",
        "src/main.rs",
        Some(11),
        "`actix_cors::Cors::permissive` echoes any origin and allows credentials",
    );
    check(
        weak(),
        "sec.owasp",
        "fail",
        "src/main.rs",
        Some(50),
        "calls `.unwrap()` on request input `id`",
    );
}

#[test]
fn secrets_come_from_the_environment() {
    check(
        secure(),
        "cfg.secrets",
        "pass",
        "src/config.rs",
        Some(13),
        "`JWT_SECRET` is read from the environment",
    );
    check(
        secure(),
        "cfg.secrets",
        "pass",
        "src/config.rs",
        Some(6),
        "`secrecy::SecretString` keeps secrets out of logs",
    );
    check(
        leaky(),
        "cfg.secrets",
        "fail",
        "src/main.rs",
        Some(4),
        "bound to `JWT_SECRET` in code",
    );
    check(
        bare(),
        "cfg.secrets",
        "fail",
        ".env",
        Some(2),
        "postgres URL with a password",
    );
    na(workspace(), "cfg.secrets", "handles no secrets");
}

#[test]
fn database_urls_come_from_the_environment() {
    check(
        ready(),
        "cfg.db-url",
        "pass",
        "src/main.rs",
        Some(50),
        "`DATABASE_URL` is read from the environment",
    );
    check(
        leaky(),
        "cfg.db-url",
        "fail",
        "src/main.rs",
        Some(21),
        "literal connection URL `postgres://billing:****@db.prod.internal:5432/billing`",
    );
    na(bare(), "cfg.db-url", "no database or cache client crate");
}

#[test]
fn third_party_credentials_come_from_configuration() {
    check(
        secure(),
        "cfg.third-party-creds",
        "pass",
        "src/github.rs",
        Some(9),
        "`.bearer_auth` gets its credential from `settings.github_token.expose_secret()`",
    );
    check(
        leaky(),
        "cfg.third-party-creds",
        "fail",
        "src/main.rs",
        Some(13),
        "passed to `.bearer_auth`",
    );
    na(
        bare(),
        "cfg.third-party-creds",
        "no credentials to third-party APIs",
    );
}

#[test]
fn every_security_rule_explains_itself() {
    for id in [
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
        "cfg.secrets",
        "cfg.db-url",
        "cfg.third-party-creds",
    ] {
        let out = seaworthy().args(["rules", "explain", id]).output().unwrap();
        assert!(out.status.success(), "{id}");
        let text = String::from_utf8(out.stdout).unwrap();
        for part in [
            "Why it matters",
            "How it is decided",
            "Example that fails",
            "Example that passes",
            "How to fix",
        ] {
            assert!(text.contains(part), "{id} explain lacks `{part}`:\n{text}");
        }
        assert!(
            !text.contains("Checklist item:"),
            "{id} still has placeholder text"
        );
    }
}

// Guards are judged by what their extractor does, not by their name.

#[test]
fn a_maybe_named_extractor_that_refuses_is_a_guard() {
    // Old verdict: `MaybeUser` was dropped by its name and the route counted open.
    let r = guard_semantics();
    check(
        r,
        "sec.authn",
        "pass",
        "src/main.rs",
        Some(35),
        "GET /tokens — guard parameter `MaybeUser`",
    );
    check(
        r,
        "sec.authn",
        "pass",
        "src/session.rs",
        Some(14),
        "its extractor refuses unauthenticated requests (`StatusCode::UNAUTHORIZED`)",
    );
}

#[test]
fn an_optional_bearer_refused_in_the_handler_is_a_guard() {
    // Old verdict: the `Option<..>` parameter was dropped, so the route was open
    // and no token was seen (sec.token-management n/a).
    let r = guard_semantics();
    check(
        r,
        "sec.authn",
        "pass",
        "src/main.rs",
        Some(36),
        "optional credential `Option<TypedHeader<Authorization<Bearer>>>` refused by the handler (`StatusCode::UNAUTHORIZED`)",
    );
    check(
        r,
        "sec.token-management",
        "partial",
        "src/main.rs",
        Some(36),
        "bearer token checked by `rebuild`",
    );
}

#[test]
fn an_infallible_extractor_is_no_guard_and_the_layer_is_credited() {
    let r = infallible_bearer();
    // Old evidence: "guard parameter `BearerAuth`", an alias of an extractor
    // whose rejection is `Infallible`.
    check(
        r,
        "sec.authn",
        "pass",
        "src/main.rs",
        Some(13),
        "`tower_http::validate_request::ValidateRequestHeaderLayer::bearer` is applied to a router here",
    );
    check(
        r,
        "sec.authn",
        "pass",
        "src/rest.rs",
        Some(21),
        "auth middleware applied at src/main.rs:13",
    );
    check(
        r,
        "sec.authn",
        "pass",
        "src/auth.rs",
        Some(13),
        "`ApiAuthorization` is a request extractor but no guard: its extractor never rejects (`type Rejection = Infallible`)",
    );
    assert!(
        !evidence_text(r, "sec.authn").contains("guard parameter `BearerAuth`"),
        "{}",
        evidence_text(r, "sec.authn")
    );
}

#[test]
fn header_layers_are_not_role_checks() {
    // Old verdict: partial, "role middleware `DefaultHeaders::new().add((\"Permissions-Policy\"..`".
    check(
        actix_session(),
        "sec.rbac",
        "fail",
        "src/main.rs",
        Some(53),
        "no role or permission check",
    );
    assert!(!evidence_text(actix_session(), "sec.rbac").contains("role middleware"));
    check(
        guard_semantics(),
        "sec.rbac",
        "fail",
        "src/main.rs",
        None,
        "no role or permission check",
    );
}

#[test]
fn security_headers_need_the_core_set() {
    // Old verdict: pass on `Permissions-Policy` alone.
    check(
        actix_session(),
        "sec.owasp",
        "partial",
        "src/main.rs",
        Some(58),
        "`Permissions-Policy` header is set",
    );
    let summary = item(actix_session(), "sec.owasp")["summary"]
        .as_str()
        .unwrap();
    assert!(
        summary.contains("no core security headers (only Permissions-Policy)"),
        "{summary}"
    );
    // A `JsonConfig` without `.limit(..)` is actix's default, not a limit.
    check(
        actix_session(),
        "sec.owasp",
        "partial",
        "Cargo.toml",
        Some(7),
        "actix-web caps JSON bodies at 2 MB",
    );
    assert!(!evidence_text(actix_session(), "sec.owasp").contains("JsonConfig"));
    // X-Content-Type-Options, X-Frame-Options and a CSP: the core set.
    check(
        ready(),
        "sec.owasp",
        "pass",
        "src/routes/mod.rs",
        None,
        "X_FRAME_OPTIONS` is set on responses",
    );
}

#[test]
fn bodies_nobody_sends_need_no_validation() {
    // Old verdict: fail, "no input validation and no body size limit".
    na(
        guard_semantics(),
        "sec.input-validation",
        "no handler takes a request body",
    );
    // axum's default limit counts like actix's and rocket's: half credit.
    check(
        infallible_bearer(),
        "sec.input-validation",
        "partial",
        "Cargo.toml",
        Some(7),
        "axum caps request bodies at 2 MB by default",
    );
}

#[test]
fn a_hand_written_validate_counts_for_both_validation_items() {
    check(
        actix_session(),
        "sec.input-validation",
        "partial",
        "src/main.rs",
        Some(28),
        "`.validate()` checks input",
    );
    // Old verdict: fail, `Credentials` derives no validator.
    check(
        actix_session(),
        "api.validation",
        "pass",
        "src/main.rs",
        Some(28),
        "`Credentials` has a hand-written `validate()` (src/main.rs:18)",
    );
}

#[test]
fn auth_tests_count_mapped_errors_and_login_redirects() {
    // Old verdict: partial, no literal 401/403 in the tests.
    let r = actix_session();
    check(
        r,
        "test.auth-flows",
        "pass",
        "src/main.rs",
        Some(92),
        "expects `ServiceError::WrongPassword`, which the service answers with 401/403 (src/errors.rs:19)",
    );
    check(
        r,
        "test.auth-flows",
        "pass",
        "src/main.rs",
        Some(99),
        "asserts a redirect",
    );
    // A bearer check with tests both ways.
    check(
        guard_semantics(),
        "test.auth-flows",
        "pass",
        "tests/api.rs",
        Some(12),
        "`axum::http::StatusCode::UNAUTHORIZED`",
    );
    // Applicability follows sec.authn: guarded routes and no tests is a fail,
    // not n/a.
    check(
        infallible_bearer(),
        "test.auth-flows",
        "fail",
        "src/rest.rs",
        Some(21),
        "auth middleware applied at src/main.rs:13",
    );
}
