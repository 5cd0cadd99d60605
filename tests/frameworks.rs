//! One sample service per framework (rocket, warp, poem with poem-openapi,
//! salvo, tonic): the routes seaworthy finds — method, full path and the file
//! and line that register them — the OpenAPI documents their code generates,
//! and the health and pagination items decided on them, with evidence.

#[macro_use]
mod common;
use common::*;
use serde_json::Value;

/// `METHOD path file:line` of every route in the report, sorted.
fn routes(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| {
            format!(
                "{} {} {}:{}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap(),
                r["location"]["path"].as_str().unwrap(),
                r["location"]["line"].as_u64().unwrap_or(0)
            )
        })
        .collect();
    v.sort();
    v
}

/// The facts dump (`debug-facts`) of a tree: specs included.
fn facts_at(path: &std::path::Path) -> Value {
    let out = seaworthy()
        .arg("debug-facts")
        .arg(path)
        .output()
        .expect("runs");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn facts(name: &str) -> Value {
    facts_at(&sample(name))
}

/// `generator METHOD path file:line` of every generated spec operation, sorted.
fn generated_ops(facts: &Value) -> Vec<String> {
    let mut v = Vec::new();
    for spec in facts["specs"].as_array().unwrap() {
        if spec["generated"] != true {
            continue;
        }
        for op in spec["operations"].as_array().unwrap() {
            v.push(format!(
                "{} {} {} {}:{}",
                spec["generator"].as_str().unwrap(),
                op["method"].as_str().unwrap(),
                op["path"].as_str().unwrap(),
                spec["path"].as_str().unwrap(),
                op["line"].as_u64().unwrap_or(0)
            ));
        }
    }
    v.sort();
    v
}

#[test]
fn rocket_mounts_attribute_routes_with_query_parameters() {
    let r = audit_json(&sample("rocket-library"), &[]);
    assert_eq!(
        routes(&r),
        [
            "GET /api/v1/books src/books.rs:29",
            "GET /api/v1/books/{id} src/books.rs:47",
            "GET /healthz src/health.rs:8",
            "GET /readyz src/health.rs:14",
            "POST /api/v1/books src/books.rs:60",
        ]
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/health.rs",
        Some(8),
        "route GET /healthz"
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/health.rs",
        Some(15),
        "`ready` takes state or awaits a check"
    );
    // `?<limit>&<offset>` in the route attribute, capped with `.min()`.
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/books.rs",
        Some(29),
        "route query parameter `limit`"
    );
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/books.rs",
        Some(35),
        "caps a value with `.min()`"
    );
    // rocket_okapi's `#[openapi]` handlers are a generated OpenAPI document.
    assert_eq!(
        generated_ops(&facts("rocket-library")),
        [
            "okapi GET /api/v1/books src/books.rs:30",
            "okapi GET /api/v1/books/{id} src/books.rs:48",
            "okapi POST /api/v1/books src/books.rs:61",
        ]
    );
}

#[test]
fn warp_filters_compose_across_functions() {
    let r = audit_json(&sample("warp-notes"), &[]);
    assert_eq!(
        routes(&r),
        [
            "DELETE /v1/notes/{i64} src/filters.rs:44",
            "GET /healthz src/filters.rs:9",
            "GET /v1/notes src/filters.rs:26",
            "POST /v1/notes src/filters.rs:35",
        ]
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/filters.rs",
        Some(9),
        "route GET /healthz"
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/handlers.rs",
        Some(7),
        "`health` takes state or awaits a check"
    );
    // `warp::query::<ListOptions>()` names the page parameters; nothing caps them.
    check_item!(
        r,
        "api.pagination",
        "partial",
        "src/filters.rs",
        Some(26),
        "route query parameter `limit`"
    );
    check_item!(
        r,
        "api.pagination",
        "partial",
        "src/filters.rs",
        Some(26),
        "is not capped"
    );
    assert!(generated_ops(&facts("warp-notes")).is_empty());
}

#[test]
fn poem_openapi_services_nest_their_operations() {
    let r = audit_json(&sample("poem-inventory"), &[]);
    assert_eq!(
        routes(&r),
        [
            "GET /api/v1/items src/api.rs:37",
            "GET /api/v1/items/{id} src/api.rs:54",
            "GET /healthz src/main.rs:22",
            "POST /api/v1/items src/api.rs:68",
        ]
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/main.rs",
        Some(22),
        "route GET /healthz"
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/health.rs",
        Some(7),
        "`healthz` takes state or awaits a check"
    );
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/api.rs",
        Some(38),
        "`list_items` takes query `limit`"
    );
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/api.rs",
        Some(38),
        "spec: GET /api/v1/items returns an array"
    );
    let f = facts("poem-inventory");
    assert_eq!(
        generated_ops(&f),
        [
            "poem-openapi GET /api/v1/items src/api.rs:38",
            "poem-openapi GET /api/v1/items/{id} src/api.rs:55",
            "poem-openapi POST /api/v1/items src/api.rs:69",
        ]
    );
    let spec = &f["specs"][0];
    assert_eq!(spec["servers"][0], "http://localhost:3000/api");
    let list = &spec["operations"][0];
    let params: Vec<&str> = list["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["limit", "offset"]);
}

#[test]
fn salvo_routers_push_nested_paths() {
    let r = audit_json(&sample("salvo-todos"), &[]);
    assert_eq!(
        routes(&r),
        [
            "DELETE /api/v1/todos/{id} src/todos.rs:22",
            "GET /api/v1/todos src/todos.rs:20",
            "GET /api/v1/todos/{id} src/todos.rs:22",
            "POST /api/v1/todos src/todos.rs:21",
        ]
    );
    check_item!(
        r,
        "obs.health",
        "fail",
        "src/main.rs",
        Some(20),
        "no health route on the router built here"
    );
    check_item!(
        r,
        "api.pagination",
        "fail",
        "src/todos.rs",
        Some(27),
        "GET /api/v1/todos takes no limit/offset"
    );
    assert_eq!(
        generated_ops(&facts("salvo-todos")),
        [
            "salvo-oapi DELETE /api/v1/todos/{id} src/todos.rs:50",
            "salvo-oapi GET /api/v1/todos src/todos.rs:27",
            "salvo-oapi GET /api/v1/todos/{id} src/todos.rs:33",
            "salvo-oapi POST /api/v1/todos src/todos.rs:44",
        ]
    );
}

#[test]
fn tonic_services_and_the_grpc_health_service() {
    let r = audit_json(&sample("tonic-greeter"), &[]);
    assert_eq!(
        routes(&r),
        [
            "GRPC /Greeter src/main.rs:22",
            "GRPC /grpc.health.v1.Health src/main.rs:21",
        ]
    );
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/main.rs",
        Some(14),
        "tonic_health::server::health_reporter"
    );
    assert_eq!(status(&r, "api.pagination"), "n/a");
}

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/generated-specs").join(name)
}

fn fixture_facts(name: &str) -> Value {
    facts_at(&fixture(name))
}

#[test]
fn utoipa_operations_are_a_generated_spec_that_spec_joins_see() {
    let f = fixture_facts("utoipa-axum");
    assert_eq!(
        generated_ops(&f),
        [
            "utoipa DELETE /api/v1/todos/{id} src/todos.rs:48",
            "utoipa GET /api/v1/todos src/todos.rs:27",
            "utoipa POST /api/v1/todos src/todos.rs:42",
        ]
    );
    let spec = &f["specs"][0];
    assert_eq!(spec["title"], "Todo API");
    assert_eq!(spec["global_security"], true);
    let list = spec["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["method"] == "GET")
        .unwrap();
    assert_eq!(list["operation_id"], "list_todos");
    assert_eq!(list["summary"], "List todos");
    // `params(Pagination)`: the IntoParams fields, with `#[param(maximum = 100)]`.
    assert_eq!(list["params"][0]["name"], "limit");
    assert_eq!(list["params"][0]["in"], "query");
    assert_eq!(list["params"][0]["maximum"], 100.0);
    assert_eq!(list["responses"][0]["shape"]["kind"], "array");
    assert_eq!(list["responses"][1]["status"], "429");
    assert_eq!(list["responses"][1]["headers"][0], "Retry-After");

    let r = audit_json(&fixture("utoipa-axum"), &[]);
    // Pagination reads the page parameters and their maximum from the document.
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/todos.rs",
        Some(27),
        "spec: GET /api/v1/todos returns an array"
    );
    // Rate limiting sees the declared 429 (and that nothing enforces it).
    check_item!(
        r,
        "api.rate-limiting",
        "partial",
        "src/todos.rs",
        Some(27),
        "declares 429 with Retry-After"
    );
}

#[test]
fn aide_and_paperclip_document_the_routes_they_register() {
    assert_eq!(
        generated_ops(&fixture_facts("aide-axum")),
        [
            "aide GET /users src/main.rs:15",
            "aide POST /users src/main.rs:15",
        ]
    );
    // `/healthz` is a plain `.route`: served, not documented.
    let aide = audit_json(&fixture("aide-axum"), &[]);
    assert!(routes(&aide).contains(&"GET /healthz src/main.rs:19".to_string()));
    assert_eq!(
        generated_ops(&fixture_facts("paperclip-actix")),
        ["paperclip GET /pets src/main.rs:11"]
    );
}

/// The axum sample with `.merge(routes::health::router())` taken out of its
/// app: the health router is still built, but nothing uses it, so nothing
/// serves `/healthz` — obs.health fails and says so, where it used to pass.
#[test]
fn a_router_built_but_never_mounted_serves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&sample("axum-ready"), &tree);
    let main = tree.join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    let cut = text.replace("        .merge(routes::health::router())\n", "");
    assert_ne!(cut, text, "the sample merges the health router");
    std::fs::write(&main, cut).unwrap();

    let r = audit_json(&tree, &["--no-config"]);
    check_item!(
        r,
        "obs.health",
        "fail",
        "src/routes/health.rs",
        Some(8),
        "route GET /healthz defined but never mounted"
    );
    let healthz: Vec<&Value> = r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["path"] == "/healthz")
        .collect();
    assert_eq!(healthz.len(), 1);
    assert_eq!(healthz[0]["mounted"], false);
    // The routes the app does mount still count.
    check_item!(
        r,
        "api.pagination",
        "pass",
        "src/routes/orders.rs",
        None,
        "GET /v1/orders"
    );

    // The sample as shipped mounts it.
    let r = audit_json(&sample("axum-ready"), &["--no-config"]);
    check_item!(
        r,
        "obs.health",
        "pass",
        "src/routes/health.rs",
        Some(8),
        "route GET /healthz"
    );
}

/// The same for attribute routes: a rocket handler that no `routes![]`
/// mounts serves nothing (it used to pass obs.health).
#[test]
fn an_attribute_route_nothing_mounts_serves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("svc");
    copy_tree(&sample("rocket-library"), &tree);
    let main = tree.join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    let cut = text.replace("routes![health::live, health::ready]", "routes![]");
    assert_ne!(cut, text, "the sample mounts its health routes");
    std::fs::write(&main, cut).unwrap();

    let r = audit_json(&tree, &["--no-config"]);
    check_item!(
        r,
        "obs.health",
        "fail",
        "src/health.rs",
        Some(8),
        "route GET /healthz defined but never mounted"
    );
    // Nor can a load balancer probe it.
    assert_eq!(status(&r, "perf.load-balancing"), "fail");
    let r = audit_json(&sample("rocket-library"), &["--no-config"]);
    assert_eq!(status(&r, "obs.health"), "pass");
    assert_eq!(status(&r, "perf.load-balancing"), "pass");
}

/// A workspace with a cargo-fuzz crate (`fuzz/`) and a test-support crate the
/// api uses only as a dev-dependency: neither is service code, so the stub
/// app's `/healthz` route and its `println!` decide nothing (obs.health passed
/// on the stub's route and structured logging was partial on its print).
#[test]
fn fuzz_and_test_support_crates_do_not_decide_service_items() {
    let r = audit_json(
        &root().join("tests/fixtures/frameworks/side-crates"),
        &["--no-config", "--no-cargo-metadata"],
    );
    let role = |path: &str| {
        r["files"]["analyzed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("{path} analysed"))["role"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(role("fuzz/fuzz_targets/parse.rs"), "tooling");
    assert_eq!(role("fuzz/Cargo.toml"), "tooling");
    assert_eq!(role("support/src/lib.rs"), "test");
    assert_eq!(role("api/src/main.rs"), "service");
    check_item!(
        r,
        "obs.health",
        "fail",
        "api/src/main.rs",
        Some(6),
        "no health route on the router built here"
    );
    assert!(!has_evidence(
        &r,
        "obs.health",
        "support/src/lib.rs",
        None,
        ""
    ));
    check_item!(
        r,
        "obs.structured-logging",
        "pass",
        "api/src/main.rs",
        Some(7),
        "`.json()` on the tracing-subscriber formatter"
    );
    assert!(!has_evidence(
        &r,
        "obs.structured-logging",
        "support/src/lib.rs",
        None,
        "println"
    ));
}

/// A generated router: one builder chain of 4,000 `.route(..)` calls. Each call
/// is one level of nesting, so the file is parsed (it used to be refused as
/// nested too deeply, its routes lost) and every route is found, in linear
/// time: seconds in a debug build.
#[test]
fn a_four_thousand_route_builder_chain_is_extracted() {
    const N: usize = 4000;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"generated\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naxum = \"0.7\"\ntokio = \"1\"\n",
    )
    .unwrap();
    let mut main = String::from(
        "use axum::{routing::get, Router};\n\nasync fn h() -> &'static str {\n    \"ok\"\n}\n\nfn app() -> Router {\n    Router::new()\n",
    );
    for i in 0..N {
        main.push_str(&format!("        .route(\"/r{i}\", get(h))\n"));
    }
    main.push_str("}\n\n#[tokio::main]\nasync fn main() {\n    let l = tokio::net::TcpListener::bind(\"0.0.0.0:8080\").await.unwrap();\n    axum::serve(l, app()).await.unwrap();\n}\n");
    std::fs::write(src.join("main.rs"), main).unwrap();

    let started = std::time::Instant::now();
    let r = audit_json(dir.path(), &["--no-config", "--no-cargo-metadata"]);
    let took = started.elapsed();
    let diags = r["diagnostics"].as_array().unwrap();
    assert!(diags.is_empty(), "{diags:#?}");
    let routes = r["routes"].as_array().unwrap();
    assert_eq!(routes.len(), N);
    assert!(routes.iter().all(|x| x["mounted"] == true));
    for i in [0, 1234, N - 1] {
        let path = format!("/r{i}");
        let line = 9 + i as u64;
        assert!(
            routes.iter().any(|x| x["path"] == path.as_str()
                && x["method"] == "GET"
                && x["location"]["line"].as_u64() == Some(line)),
            "GET {path} at src/main.rs:{line}"
        );
    }
    // ~4 s in a debug build on a shared machine; quadratic work would take
    // minutes.
    assert!(took.as_secs() < 30, "took {took:?}");
}
