//! The API design items and `ready.openapi-complete`, each on a sample where
//! it passes and one where it does not, with the evidence that decided it.
//!
//! Samples: `sample-projects/axum-ready` (the prepared service) and
//! `actix-bare` (none of the work done); small trees under
//! `tests/fixtures/api/` for the other shapes: `rpc-style` (verbs in paths, a
//! GET that deletes through a helper, every error a 500), `spec-drift` (an
//! OpenAPI document that drifted from the routes), `header-versioned` (actix,
//! versioned by a header, validating extractor, plain-text errors, an unused
//! CORS crate), `graphql`, and `html-pages` (HTML page handlers next to a
//! JSON API whose errors and results go through local `Result` aliases).

mod common;
use common::*;
use serde_json::Value;
use std::sync::OnceLock;

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/api").join(name)
}

/// Each tree is audited once per test binary.
macro_rules! report {
    ($name:ident, $path:expr) => {
        fn $name() -> &'static Value {
            static R: OnceLock<Value> = OnceLock::new();
            R.get_or_init(|| audit_json(&$path, &[]))
        }
    };
}

report!(ready, sample("axum-ready"));
report!(bare, sample("actix-bare"));
report!(workspace, sample("workspace"));
report!(rpc, fixture("rpc-style"));
report!(drift, fixture("spec-drift"));
report!(header, fixture("header-versioned"));
report!(graphql, fixture("graphql"));
report!(pages, fixture("html-pages"));

macro_rules! check {
    ($report:expr, $id:expr, $status:expr, $path:expr, $line:expr, $text:expr) => {{
        let r: &Value = $report;
        let line: Option<u64> = $line;
        assert_eq!(
            status(r, $id),
            $status,
            "{} status; summary: {}; evidence: {}",
            $id,
            item(r, $id)["summary"],
            evidence_text(r, $id)
        );
        assert!(
            has_evidence(r, $id, $path, line, $text),
            "{} evidence should include {}:{:?} `{}`; got {}",
            $id,
            $path,
            line,
            $text,
            evidence_text(r, $id)
        );
    }};
}

fn summary(r: &Value, id: &str) -> String {
    item(r, id)["summary"].as_str().unwrap().to_string()
}

#[test]
fn http_semantics() {
    check!(
        ready(),
        "api.http-semantics",
        "pass",
        "src/main.rs",
        Some(18),
        "no GET handler runs a write"
    );
    check!(
        ready(),
        "api.http-semantics",
        "pass",
        "openapi.yaml",
        Some(9),
        "spec and code agree on the methods of 3 route(s)"
    );
    // A GET named for a deletion.
    check!(
        bare(),
        "api.http-semantics",
        "fail",
        "src/handlers.rs",
        Some(39),
        "GET /api/items/{id}/delete → `delete_item` is named for a write"
    );
    // The DELETE runs in a helper the GET handler calls: followed one call deep.
    check!(
        rpc(),
        "api.http-semantics",
        "fail",
        "src/main.rs",
        Some(71),
        "`delete_user` calls `purge_account` (line 64), which runs SQL DELETE"
    );
    assert!(summary(rpc(), "api.http-semantics").starts_with("1 GET endpoint(s) delete state"));
    // The spec says PATCH where the code serves PUT.
    check!(
        drift(),
        "api.http-semantics",
        "partial",
        "openapi.yaml",
        Some(41),
        "spec says PATCH /orders/{order_id}, code serves GET/PUT /api/orders/{id}"
    );
    assert_eq!(status(graphql(), "api.http-semantics"), "n/a");
}

#[test]
fn naming() {
    check!(
        ready(),
        "api.naming",
        "pass",
        "src/routes/orders.rs",
        Some(16),
        "/v1/orders follows the scheme"
    );
    check!(
        rpc(),
        "api.naming",
        "fail",
        "src/main.rs",
        Some(29),
        "/getUsers: `getUsers` puts the verb `get` in the path"
    );
    check!(
        rpc(),
        "api.naming",
        "fail",
        "src/main.rs",
        Some(31),
        "/user/{id}: `user` names a collection (a parameter follows) but is singular"
    );
    // One RPC-style path among resource paths is partial.
    check!(
        bare(),
        "api.naming",
        "partial",
        "src/handlers.rs",
        Some(38),
        "/api/items/{id}/delete: `delete` puts the verb `delete` in the path"
    );
    assert!(item(bare(), "api.naming")["looked_for"]
        .as_str()
        .unwrap()
        .contains("plural nouns"));
}

#[test]
fn status_codes() {
    check!(
        ready(),
        "api.status-codes",
        "pass",
        "src/error.rs",
        Some(21),
        "`axum::http::StatusCode::NOT_FOUND` (404)"
    );
    check!(
        ready(),
        "api.status-codes",
        "pass",
        "src/routes/orders.rs",
        Some(76),
        "POST /v1/orders → `create_order` answers 201"
    );
    // Every failure is a 500, and the create answers 200.
    check!(
        rpc(),
        "api.status-codes",
        "fail",
        "src/main.rs",
        Some(42),
        "`axum::http::StatusCode::INTERNAL_SERVER_ERROR` (500)"
    );
    check!(
        rpc(),
        "api.status-codes",
        "fail",
        "src/main.rs",
        Some(54),
        "`create_user` creates a resource but never names 201 Created"
    );
    // The spec leaves an operation without error responses.
    check!(
        drift(),
        "api.status-codes",
        "partial",
        "openapi.yaml",
        Some(36),
        "spec: GET /orders/{order_id} declares no 4xx/5xx response"
    );
    check!(
        header(),
        "api.status-codes",
        "pass",
        "src/main.rs",
        Some(59),
        "POST /orders → `create_order` answers 201"
    );
}

#[test]
fn validation() {
    check!(
        ready(),
        "api.validation",
        "pass",
        "src/routes/orders.rs",
        Some(66),
        "`create_order` calls `.validate()` on its `NewOrder` body"
    );
    check!(
        ready(),
        "api.validation",
        "pass",
        "openapi.yaml",
        Some(33),
        "body constrains customer: maxLength"
    );
    // The extractor validates (actix-web-validator's Json).
    check!(
        header(),
        "api.validation",
        "pass",
        "src/main.rs",
        Some(56),
        "`Json` is `actix_web_validator::Json`, which validates"
    );
    // A derive nobody calls validates nothing.
    check!(
        rpc(),
        "api.validation",
        "fail",
        "src/main.rs",
        Some(21),
        "`NewUser` derives `validator::Validate`, but nothing calls `.validate()` on it"
    );
    check!(
        bare(),
        "api.validation",
        "fail",
        "src/handlers.rs",
        Some(24),
        "`add_item` takes `web::Json<Item>`: no validator derive"
    );
    // Only the spec states constraints.
    check!(
        drift(),
        "api.validation",
        "partial",
        "openapi.yaml",
        Some(21),
        "spec: POST /orders body constrains item: maxLength"
    );
}

#[test]
fn versioning() {
    check!(
        ready(),
        "api.versioning",
        "pass",
        "src/routes/orders.rs",
        Some(16),
        "GET /v1/orders is under a version segment"
    );
    check!(
        ready(),
        "api.versioning",
        "pass",
        "openapi.yaml",
        None,
        "spec server `https://orders.example.com/v1` carries the version"
    );
    // Any strategy counts: here a version header read from the request.
    check!(
        header(),
        "api.versioning",
        "pass",
        "src/main.rs",
        Some(43),
        "version header: header `Api-Version` in code"
    );
    check!(
        bare(),
        "api.versioning",
        "fail",
        "src/main.rs",
        Some(14),
        "GET /items/{id} has no version"
    );
    assert!(item(bare(), "api.versioning")["looked_for"]
        .as_str()
        .unwrap()
        .contains("version header"));
    assert_eq!(status(graphql(), "api.versioning"), "n/a");
}

#[test]
fn cors() {
    check!(
        ready(),
        "api.cors",
        "pass",
        "src/routes/mod.rs",
        Some(5),
        "origin `https://app.example.com`"
    );
    check!(
        bare(),
        "api.cors",
        "partial",
        "src/main.rs",
        Some(11),
        "`actix_cors::Cors::permissive` allows every origin, method and header"
    );
    check!(
        rpc(),
        "api.cors",
        "partial",
        "src/main.rs",
        Some(27),
        "`.allow_origin(Any)` together with `.allow_credentials(..)`"
    );
    check!(
        header(),
        "api.cors",
        "fail",
        "Cargo.toml",
        Some(8),
        "depends on `actix-cors`"
    );
    // No CORS at all: browsers keep the same-origin default.
    assert_eq!(status(workspace(), "api.cors"), "n/a");
    assert!(summary(workspace(), "api.cors").contains("safe default"));
}

#[test]
fn html_pages_are_not_list_endpoints_or_writes() {
    // `PageResult<Html<_>>` (an alias) and `Result<Html<_>, ErrorPage>` are web
    // pages, not pages of items: only the two JSON lists count.
    let s = summary(pages(), "api.pagination");
    assert!(s.starts_with("1 of 2 list endpoints are paginated"), "{s}");
    check!(
        pages(),
        "api.pagination",
        "partial",
        "src/main.rs",
        Some(25),
        "GET /api/books → `list_books` returns `Vec<Book>`"
    );
    assert!(!evidence_text(pages(), "api.pagination").contains("page type"));
    // `GET /account/delete` renders a confirmation form; `params.remove(..)`
    // on a HashMap is not the repository's `Overrides::remove`.
    check!(
        pages(),
        "api.http-semantics",
        "pass",
        "src/main.rs",
        Some(53),
        "5 GET; no GET handler runs a write"
    );
    // Handlers return `ApiResult<T>` = `Result<T, Nope>`: `Nope` is their error.
    check!(
        pages(),
        "api.error-format",
        "pass",
        "src/error.rs",
        Some(8),
        "`Nope` implements `IntoResponse`"
    );
}

#[test]
fn error_format() {
    check!(
        ready(),
        "api.error-format",
        "pass",
        "src/error.rs",
        Some(18),
        "`ApiError` implements `IntoResponse`"
    );
    check!(
        ready(),
        "api.error-format",
        "pass",
        "src/error.rs",
        Some(26),
        "`into_response` sets `application/problem+json`"
    );
    check!(
        ready(),
        "api.error-format",
        "pass",
        "openapi.yaml",
        Some(33),
        "share the `Problem` schema as application/problem+json"
    );
    // actix-web's ResponseError without error_response renders plain text.
    check!(
        header(),
        "api.error-format",
        "fail",
        "src/main.rs",
        Some(21),
        "renders its Display as plain text"
    );
    check!(
        rpc(),
        "api.error-format",
        "fail",
        "src/main.rs",
        Some(37),
        "GET /getUsers → `get_users` returns errors as `StatusCode`"
    );
    check!(
        bare(),
        "api.error-format",
        "fail",
        "src/handlers.rs",
        Some(34),
        "`get_item` answers `actix_web::HttpResponse::NotFound` with no error body"
    );
    // JSON errors in code, but the spec uses two error schemas.
    check!(
        drift(),
        "api.error-format",
        "partial",
        "openapi.yaml",
        Some(21),
        "use `Problem` (2 different error schemas)"
    );
}

#[test]
fn openapi_both_directions() {
    check!(
        ready(),
        "api.openapi",
        "pass",
        "src/routes/orders.rs",
        Some(16),
        "GET /v1/orders is documented at openapi.yaml:9"
    );
    check!(
        bare(),
        "api.openapi",
        "fail",
        "src/main.rs",
        Some(8),
        "4 route(s) built here, no OpenAPI document describes them"
    );
    // Routes missing from the spec…
    check!(
        drift(),
        "api.openapi",
        "partial",
        "src/main.rs",
        Some(42),
        "GET /api/refunds is not in the spec"
    );
    check!(
        drift(),
        "api.openapi",
        "partial",
        "src/main.rs",
        Some(41),
        "PUT /api/orders/{id} is not in the spec"
    );
    // …and operations missing from the code, with the methods it serves there.
    check!(
        drift(),
        "api.openapi",
        "partial",
        "openapi.yaml",
        Some(53),
        "spec: DELETE /invoices/{id} is not served by any route"
    );
    check!(
        drift(),
        "api.openapi",
        "partial",
        "openapi.yaml",
        Some(41),
        "PATCH /orders/{order_id} is not served by any route (code serves GET/PUT on that path)"
    );
    // The spec names no server; the `/api` nest is inferred from the routes.
    check!(
        drift(),
        "api.openapi",
        "partial",
        "openapi.yaml",
        None,
        "`/api` inferred from 2 path(s) that line up"
    );
    assert_eq!(status(graphql(), "api.openapi"), "n/a");
}

#[test]
fn openapi_complete() {
    check!(
        ready(),
        "ready.openapi-complete",
        "pass",
        "openapi.yaml",
        None,
        "OpenAPI document with 3 operation(s)"
    );
    check!(
        drift(),
        "ready.openapi-complete",
        "partial",
        "openapi.yaml",
        Some(21),
        "spec: POST /orders has no operationId"
    );
    check!(
        drift(),
        "ready.openapi-complete",
        "partial",
        "openapi.yaml",
        Some(36),
        "spec: GET /orders/{order_id} has no summary, no error responses"
    );
    check!(
        drift(),
        "ready.openapi-complete",
        "partial",
        "src/main.rs",
        Some(42),
        "GET /api/refunds is not in the spec"
    );
    check!(
        workspace(),
        "ready.openapi-complete",
        "fail",
        "services/orders/openapi.yaml",
        Some(7),
        "spec: GET /orders has no summary, no error responses"
    );
    check!(
        bare(),
        "ready.openapi-complete",
        "fail",
        "src/main.rs",
        Some(8),
        "no OpenAPI document describes them"
    );
}

#[test]
fn pagination_joins_spec_and_code_through_an_inferred_base() {
    // GET /orders in the spec and GET /api/orders in code are one endpoint.
    let s = summary(drift(), "api.pagination");
    assert!(s.contains("none of the 2 list endpoint(s)"), "{s}");
}

#[test]
fn every_api_rule_explains_itself() {
    for id in [
        "api.http-semantics",
        "api.naming",
        "api.status-codes",
        "api.validation",
        "api.versioning",
        "api.cors",
        "api.error-format",
        "api.openapi",
        "ready.openapi-complete",
    ] {
        let out = seaworthy().args(["rules", "explain", id]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for part in [
            "Why it matters",
            "How it is decided",
            "Example that fails",
            "Example that passes",
            "How to fix",
        ] {
            assert!(text.contains(part), "{id}: no `{part}` in\n{text}");
        }
        assert!(
            !text.contains("does not decide this item"),
            "{id} is still a placeholder"
        );
    }
}
