//! Workspaces with several services are scored per service as well as as a
//! whole; shared library crates count for the services that depend on them.

mod common;
use common::*;
use serde_json::Value;

fn service<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["services"]
        .as_array()
        .expect("a services array")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn service_names(r: &Value) -> Vec<&str> {
    r["services"]
        .as_array()
        .expect("a services array")
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

fn service_item<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn each_service_is_scored_on_its_own_code_and_the_libraries_it_uses() {
    let r = audit_json(&sample("workspace"), &[]);
    assert_valid(&report_schema(), &r, "a workspace report");
    let names = service_names(&r);
    assert_eq!(names, ["billing", "orders"]);

    let billing = service(&r, "billing");
    let orders = service(&r, "orders");
    assert_eq!(billing["scope"], serde_json::json!(["common", "billing"]));
    assert_eq!(billing["manifest"], "services/billing/Cargo.toml");

    // orders registers /health, billing does not: the whole repo passes on
    // orders' route, billing alone fails and points at its own router.
    assert_eq!(status(&r, "obs.health"), "pass");
    assert_eq!(service_item(orders, "obs.health")["status"], "pass");
    let health = service_item(billing, "obs.health");
    assert_eq!(health["status"], "fail");
    assert_eq!(
        health["evidence"][0]["path"],
        "services/billing/src/main.rs"
    );

    // The shared `common` crate's JSON logger counts for both services.
    for s in [billing, orders] {
        let logging = service_item(s, "obs.structured-logging");
        assert_eq!(logging["status"], "pass", "{}", s["name"]);
        assert_eq!(logging["evidence"][0]["path"], "crates/common/src/lib.rs");
    }

    // Another service's spec does not decide billing's pagination.
    let pagination = service_item(billing, "api.pagination");
    assert!(pagination["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["path"].as_str().unwrap().starts_with("services/billing/")));

    // Repository-level files (CI, the Makefile it runs) count for every service.
    for s in [billing, orders] {
        assert_eq!(service_item(s, "test.coverage")["status"], "partial");
    }
    assert!(billing["score"].as_f64().unwrap() < orders["score"].as_f64().unwrap());
}

#[test]
fn a_single_service_has_no_services_block() {
    let r = audit_json(&sample("axum-ready"), &[]);
    assert!(r.get("services").is_none());
}

#[test]
fn table_and_markdown_list_the_services() {
    let out = seaworthy()
        .arg("audit")
        .arg(sample("workspace"))
        .env("COLUMNS", "160")
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Services (2)"), "{table}");
    assert!(table
        .lines()
        .any(|l| l.trim_start().starts_with("billing") && l.contains("obs.health")));
    let md = seaworthy()
        .arg("audit")
        .arg(sample("workspace"))
        .args(["--format", "markdown"])
        .output()
        .unwrap()
        .stdout;
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains("| service | score |"), "{md}");
    assert!(md.contains("| billing |"));
}

/// A service is a binary that serves: one whose routes live in a library it
/// links counts, and so does the library's code for it; a CLI linking a
/// framework-using library without serving anything is not a service, and
/// neither is that library on its own.
#[test]
fn services_are_binaries_that_serve_not_libraries_or_clis() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_tree(&sample("workspace"), &ws);
    let write = |rel: &str, text: &str| {
        let p = ws.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let members = "members = [\"services/*\", \"crates/*\", \"tools/*\"]";
    let root = std::fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    write(
        "Cargo.toml",
        &root.replace("members = [\"services/*\", \"crates/*\"]", members),
    );
    // A library that mounts the search routes, and the binary serving them.
    write(
        "crates/search-routes/Cargo.toml",
        "[package]\nname = \"search-routes\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\n",
    );
    write(
        "crates/search-routes/src/lib.rs",
        "use axum::{routing::get, Router};\n\nasync fn search() -> &'static str {\n    \"[]\"\n}\n\npub fn router() -> Router {\n    Router::new().route(\"/search\", get(search))\n}\n",
    );
    write(
        "services/search/Cargo.toml",
        "[package]\nname = \"search\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsearch-routes = { path = \"../../crates/search-routes\" }\ntokio = { workspace = true }\n",
    );
    write(
        "services/search/src/main.rs",
        "#[tokio::main]\nasync fn main() {\n    let app = search_routes::router();\n    let listener = tokio::net::TcpListener::bind(\"0.0.0.0:8082\").await.unwrap();\n    axum::serve(listener, app).await.unwrap();\n}\n",
    );
    // A library using axum types without routes, and a CLI linking it.
    write(
        "crates/http-kit/Cargo.toml",
        "[package]\nname = \"http-kit\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\n",
    );
    write(
        "crates/http-kit/src/lib.rs",
        "pub fn is_ok(status: axum::http::StatusCode) -> bool {\n    status.is_success()\n}\n",
    );
    write(
        "tools/admin/Cargo.toml",
        "[package]\nname = \"admin\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nhttp-kit = { path = \"../../crates/http-kit\" }\n",
    );
    write(
        "tools/admin/src/main.rs",
        "fn main() {\n    println!(\"{}\", http_kit::is_ok(axum::http::StatusCode::OK));\n}\n",
    );
    let r = audit_json(&ws, &["--no-cargo-metadata"]);
    let names = service_names(&r);
    assert_eq!(names, ["billing", "orders", "search"]);
    assert_eq!(
        service(&r, "search")["scope"],
        serde_json::json!(["search-routes", "search"])
    );
}
