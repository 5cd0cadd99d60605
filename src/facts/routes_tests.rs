//! Unit tests for router extraction and joining: small source trees are parsed
//! with the real extractor and joined, and the resulting routes are compared
//! as `METHOD path file:line`.

use super::*;
use crate::classify::Role;
use crate::extract::rust::extract;

fn joined_of(files: &[(&str, &str)]) -> Joined {
    let facts: Vec<RustFile> = files
        .iter()
        .map(|(path, text)| extract(path, Role::Service, text).expect("parses"))
        .collect();
    join(&facts, &[])
}

fn routes_of(files: &[(&str, &str)]) -> Vec<Route> {
    joined_of(files).routes
}

/// `METHOD path file:line` for every route, sorted.
fn lines(files: &[(&str, &str)]) -> Vec<String> {
    let mut v: Vec<String> = routes_of(files)
        .iter()
        .map(|r| {
            format!(
                "{} {} {}:{}{}",
                r.method,
                r.path,
                r.location.path,
                r.location.line.unwrap_or(0),
                if r.mounted { "" } else { " (unmounted)" }
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn axum_nests_routers_built_in_other_modules() {
    let main = r#"
use axum::{routing::get, Router};
mod api;
fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .nest("/api/v1", api::routes(state.clone()))
        .fallback(not_found)
}
"#;
    let api = r#"
use axum::{routing::{get, post}, Router};
pub fn routes<S: Clone>(state: S) -> Router<S> {
    let users = Router::new()
        .route("/", get(list_users).post(create_user))
        .route("/{id}", get(get_user).layer(TimeoutLayer::new(T)));
    Router::new()
        .nest("/users", users)
        .merge(admin::router())
        .route_service("/metrics", MetricsService::new())
}
"#;
    let admin = r#"
pub fn router<S>() -> Router<S> {
    Router::new().route("/admin/stats", get(stats))
}
"#;
    assert_eq!(
        lines(&[
            ("src/main.rs", main),
            ("src/api.rs", api),
            ("src/admin.rs", admin)
        ]),
        [
            "ANY / src/main.rs:8",
            "ANY /api/v1/metrics src/api.rs:10",
            "GET /api/v1/admin/stats src/admin.rs:3",
            "GET /api/v1/users src/api.rs:5",
            "GET /api/v1/users/{id} src/api.rs:6",
            "GET /healthz src/main.rs:6",
            "POST /api/v1/users src/api.rs:5",
        ]
    );
    let fallback = routes_of(&[("src/main.rs", main)]);
    assert!(fallback.iter().any(|r| r.fallback && r.path == "/"));
}

#[test]
fn helpers_taking_paths_handlers_and_method_routers_are_expanded_at_the_call_site() {
    // docs.rs-style wrappers around `get(h)`, and a `route(path, method_router)` helper.
    let src = r#"
use axum::{routing::{get, MethodRouter}, Router};
fn get_internal<H, T, S>(handler: H) -> MethodRouter<S, Infallible> {
    get(handler).route_layer(middleware::from_fn(record))
}
fn route(path: &str, method_router: MethodRouter<()>) -> Router {
    Router::new().route(path, method_router)
}
pub fn build() -> Router {
    Router::new()
        .route("/about", get_internal(about::about_handler))
        .route_with_tsr("/releases", get_internal(releases::recent))
        .route("/static", get_static(|| async { "css" }))
        .merge(route("/foo", get(foo)))
}
"#;
    let routes = routes_of(&[("src/routes.rs", src)]);
    let found: Vec<(String, String, Option<String>, u32)> = routes
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.handler.clone(),
                r.location.line.unwrap_or(0),
            )
        })
        .collect();
    assert!(found.contains(&(
        "GET".into(),
        "/about".into(),
        Some("about::about_handler".into()),
        11
    )));
    assert!(found.contains(&(
        "GET".into(),
        "/releases".into(),
        Some("releases::recent".into()),
        12
    )));
    // An unknown helper still registers its path, with the method its name names.
    assert!(found.contains(&("GET".into(), "/static".into(), None, 13)));
    assert!(found.contains(&("GET".into(), "/foo".into(), Some("foo".into()), 14)));
    // The helper's own layer applies to the routes it builds.
    let about = routes.iter().find(|r| r.path == "/about").unwrap();
    assert!(about.layers.iter().any(|l| l.text.contains("from_fn")));
}

#[test]
fn actix_scopes_resources_configure_and_attribute_handlers() {
    let main = r#"
use actix_web::{web, App, HttpServer};
async fn run() {
    HttpServer::new(|| {
        App::new()
            .wrap(Logger::default())
            .service(web::scope("/api").configure(api::config))
            .service((health, web::resource("/items").route(web::get().to(list_items))))
            .default_service(web::to(not_found))
    });
}
#[get("/health")]
async fn health() -> &'static str { "ok" }
"#;
    let api = r#"
pub fn config(cfg: &mut web::ServiceConfig) {
    users::services(cfg);
    cfg.service(web::resource("/orders/{id:\\d+}").route(web::get().to(get_order)).route(web::delete().to(delete_order)));
}
"#;
    let users = r#"
pub fn services(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(create);
}
#[get("/users")]
async fn list() {}
#[routes]
#[post("/users")]
#[put("/users")]
async fn create() {}
"#;
    assert_eq!(
        lines(&[
            ("src/main.rs", main),
            ("src/api/mod.rs", api),
            ("src/api/users.rs", users)
        ]),
        [
            "ANY / src/main.rs:9",
            "DELETE /api/orders/{id} src/api/mod.rs:4",
            "GET /api/orders/{id} src/api/mod.rs:4",
            "GET /api/users src/api/users.rs:5",
            "GET /health src/main.rs:12",
            "GET /items src/main.rs:8",
            "POST /api/users src/api/users.rs:8",
            "PUT /api/users src/api/users.rs:9",
        ]
    );
}

#[test]
fn paths_named_by_constants_formats_and_route_tables() {
    let consts = r#"
pub const API: &str = "/api";
pub const USERS: &str = "/users";
pub const ROUTES: Routes = Routes::new();
pub struct Routes { pub auth: Auth }
pub struct Auth { pub login: &'static str }
impl Auth { const fn new() -> Auth { Auth { login: "/api/v1/signin" } } }
"#;
    let pages = r#"
pub struct Auth { pub login: &'static str }
impl Auth { const fn new() -> Auth { Auth { login: "/login" } } }
#[get(path = "PAGES.auth.login")]
async fn login_page() {}
"#;
    let main = r#"
fn app() -> Router {
    Router::new()
        .route(USERS, get(list))
        .nest(&format!("{API}/v2"), v2())
        .nest(&format!("{}/admin", cfg.base_uri), admin())
}
fn v2() -> Router { Router::new().route(concat!(USERS, "/me"), get(me)) }
fn admin() -> Router { Router::new().route("/stats", get(stats)) }
#[my_codegen::post(path = "crate::ROUTES.auth.login")]
async fn signin() {}
"#;
    assert_eq!(
        lines(&[
            ("src/routes.rs", consts),
            ("src/pages/auth.rs", pages),
            ("src/main.rs", main)
        ]),
        [
            "GET /admin/stats src/main.rs:9",
            "GET /api/v2/users/me src/main.rs:8",
            "GET /login src/pages/auth.rs:4 (unmounted)",
            "GET /users src/main.rs:4",
            "POST /api/v1/signin src/main.rs:10 (unmounted)",
        ]
    );
}

#[test]
fn rocket_routes_macro_picks_the_qualified_handler_and_reads_query_params() {
    let main = r#"
#[launch]
fn rocket() -> _ {
    rocket::build()
        .mount("/", routes![routes::posts::create, health])
        .mount("/api/v1", routes![api::posts::create, api::posts::list])
        .register("/", catchers![not_found])
}
#[get("/health")]
fn health() -> &'static str { "ok" }
#[catch(404)]
fn not_found() {}
"#;
    let routes_posts = r#"
#[post("/~/<blog>/new")]
pub fn create() {}
"#;
    let api_posts = r#"
#[post("/posts", data = "<body>")]
pub fn create() {}
#[get("/posts?<limit>&<offset>")]
pub fn list(limit: Option<u32>, offset: Option<u32>) {}
"#;
    assert_eq!(
        lines(&[
            ("src/main.rs", main),
            ("src/routes/posts.rs", routes_posts),
            ("src/api/posts.rs", api_posts)
        ]),
        [
            "GET /api/v1/posts src/api/posts.rs:4",
            "GET /health src/main.rs:9",
            "POST /api/v1/posts src/api/posts.rs:2",
            "POST /~/{blog}/new src/routes/posts.rs:2",
        ]
    );
    let list = routes_of(&[("src/main.rs", main), ("src/api/posts.rs", api_posts)])
        .into_iter()
        .find(|r| r.method == "GET" && r.path == "/api/v1/posts")
        .unwrap();
    assert_eq!(list.query, ["limit", "offset"]);
    assert!(list.handler_fn.is_some());
}

#[test]
fn utoipa_axum_routes_macro_uses_the_path_attribute() {
    let main = r#"
fn router() -> Router {
    let (router, api) = OpenApiRouter::new()
        .nest("/api/v1/todos", todos::router())
        .split_for_parts();
    router.merge(SwaggerUi::new("/docs").url("/openapi.json", api))
}
"#;
    let todos = r#"
use utoipa_axum::{router::OpenApiRouter, routes};
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_todos, create_todo)).routes(routes!(todo::get_todo))
}
#[utoipa::path(get, path = "", responses((status = 200, body = [Todo])))]
async fn list_todos() {}
#[utoipa::path(post, path = "", responses((status = 201)))]
async fn create_todo() {}
"#;
    let todo = r#"
#[utoipa::path(get, path = "/{id}")]
pub async fn get_todo() {}
"#;
    assert_eq!(
        lines(&[
            ("src/main.rs", main),
            ("src/todos/mod.rs", todos),
            ("src/todos/todo.rs", todo)
        ]),
        [
            "GET /api/v1/todos src/todos/mod.rs:6",
            "GET /api/v1/todos/{id} src/todos/todo.rs:2",
            "POST /api/v1/todos src/todos/mod.rs:8",
        ]
    );
}

#[test]
fn poem_routes_and_poem_openapi_services() {
    let src = r#"
use poem::{get, handler, Route};
use poem_openapi::{OpenApi, OpenApiService};
struct Api;
#[OpenApi(prefix_path = "/v1")]
impl Api {
    #[oai(path = "/users", method = "get")]
    async fn list(&self, limit: Query<Option<u32>>) {}
    #[oai(path = "/users/:id", method = "delete")]
    async fn delete(&self) {}
}
#[tokio::main]
async fn main() {
    let api = OpenApiService::new(Api, "Users", "1.0").server("http://localhost:3000/api");
    let ui = api.swagger_ui();
    let app = Route::new()
        .at("/health", get(health))
        .at("/proxy", proxy)
        .nest("/api", api)
        .nest("/docs", ui);
    Server::new(TcpListener::bind("0.0.0.0:3000")).run(app).await
}
"#;
    assert_eq!(
        lines(&[("src/main.rs", src)]),
        [
            "ANY /proxy src/main.rs:18",
            "DELETE /api/v1/users/{id} src/main.rs:9",
            "GET /api/v1/users src/main.rs:7",
            "GET /health src/main.rs:17",
        ]
    );
}

#[test]
fn salvo_nested_routers_and_tonic_services() {
    let salvo = r#"
fn router() -> Router {
    Router::new()
        .hoop(Logger::new())
        .push(Router::with_path("healthz").get(health))
        .push(
            Router::with_path("api/todos")
                .get(list_todos)
                .post(create_todo)
                .push(Router::with_path("<id:num>").put(update_todo).delete(delete_todo)),
        )
}
"#;
    let tonic = r#"
async fn serve() {
    let (mut reporter, health_service) = tonic_health::server::health_reporter();
    let greeter = GreeterServer::new(MyGreeter::default()).send_compressed(Gzip);
    Server::builder()
        .add_service(health_service)
        .add_service(greeter)
        .serve(addr)
        .await?;
}
"#;
    assert_eq!(
        lines(&[("src/router.rs", salvo), ("src/grpc.rs", tonic)]),
        [
            "DELETE /api/todos/{id} src/router.rs:10",
            "GET /api/todos src/router.rs:8",
            "GET /healthz src/router.rs:5",
            "GRPC /Greeter src/grpc.rs:7",
            "GRPC /grpc.health.v1.Health src/grpc.rs:6",
            "POST /api/todos src/router.rs:9",
            "PUT /api/todos/{id} src/router.rs:10",
        ]
    );
}

#[test]
fn warp_filters_across_functions() {
    let src = r#"
use warp::Filter;
#[tokio::main]
async fn main() {
    let api = filters::todos(db);
    let health = warp::path!("healthz").and(warp::get()).map(|| "ok");
    let routes = health.or(api).with(warp::log("todos"));
    warp::serve(routes).run(([127, 0, 0, 1], 3030)).await;
}
mod filters {
    pub fn todos(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
        warp::path("v1").and(todos_list(db.clone()).or(todos_delete(db)))
    }
    pub fn todos_list(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
        warp::path!("todos")
            .and(warp::get())
            .and(warp::query::<ListOptions>())
            .and(with_db(db))
            .and_then(handlers::list_todos)
    }
    pub fn todos_delete(db: Db) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
        warp::path!("todos" / u64).and(warp::delete()).and(with_db(db)).and_then(handlers::delete_todo)
    }
    fn with_db(db: Db) -> impl Filter<Extract = (Db,), Error = std::convert::Infallible> + Clone {
        warp::any().map(move || db.clone())
    }
}
pub struct ListOptions { pub offset: Option<usize>, pub limit: Option<usize> }
"#;
    assert_eq!(
        lines(&[("src/main.rs", src)]),
        [
            "DELETE /v1/todos/{u64} src/main.rs:22",
            "GET /healthz src/main.rs:6",
            "GET /v1/todos src/main.rs:15",
        ]
    );
    let list = routes_of(&[("src/main.rs", src)])
        .into_iter()
        .find(|r| r.path == "/v1/todos")
        .unwrap();
    assert_eq!(list.handler.as_deref(), Some("handlers::list_todos"));
    assert_eq!(list.query, ["offset", "limit"]);
}

#[test]
fn handler_extractors_are_classified() {
    let src = r#"
fn app() -> Router {
    Router::new().route("/orders", get(list_orders))
}
async fn list_orders(
    State(state): State<AppState>,
    claims: Claims,
    Query(params): Query<ListParams>,
) -> Json<Vec<Order>> { todo!() }
#[get("/books?<limit>")]
fn books(limit: Option<u32>, db: Connection<Library>) {}
"#;
    let files = vec![extract("src/main.rs", Role::Service, src).unwrap()];
    let (routes, _) = resolve(&files, &[]);
    let kinds = |path: &str| -> Vec<(ExtractorKind, Option<String>)> {
        routes
            .iter()
            .find(|r| r.path == path)
            .unwrap()
            .extractors(&files)
            .into_iter()
            .map(|e| (e.kind, e.name))
            .collect()
    };
    assert_eq!(
        kinds("/orders"),
        [
            (ExtractorKind::State, Some("state".into())),
            (ExtractorKind::Auth, Some("claims".into())),
            (ExtractorKind::Query, Some("params".into())),
        ]
    );
    assert_eq!(
        kinds("/books"),
        [
            (ExtractorKind::Query, Some("limit".into())),
            (ExtractorKind::State, Some("db".into())),
        ]
    );
}

fn paths(routes: &[Route]) -> Vec<String> {
    let mut v: Vec<String> = routes
        .iter()
        .map(|r| format!("{} {}", r.path, r.mounted))
        .collect();
    v.sort();
    v
}

#[test]
fn a_router_nothing_uses_is_unmounted_when_another_is_used() {
    let main = r#"
mod routes;
fn app() -> Router {
    Router::new().nest("/v1", routes::orders::router())
}
#[tokio::main]
async fn main() { axum::serve(listener, app()).await.unwrap(); }
"#;
    let orders = r#"pub fn router() -> Router { Router::new().route("/orders", get(list)) }"#;
    let health = r#"pub fn router() -> Router { Router::new().route("/healthz", get(live)) }"#;
    let files = [
        ("src/main.rs", main),
        ("src/routes/orders.rs", orders),
        ("src/routes/health.rs", health),
    ];
    let j = joined_of(&files);
    assert_eq!(paths(&j.routes), ["/v1/orders true"]);
    assert_eq!(paths(&j.unmounted), ["/healthz false"]);
    assert_eq!(j.roots.len(), 1);
    assert_eq!(j.roots[0].owner, "app");

    // Used in any way the code can name it, it is mounted.
    for used in [
        // a call
        "fn extra() { let _ = routes::health::router(); }",
        // a value handed over by name
        "fn extra() { let make = [routes::health::router]; }",
        // a name inside a macro body that is not an expression list
        "fn extra() { tokio::select! { _ = serve(router()) => {} } }",
    ] {
        let main = format!("{main}\n{used}");
        let j = joined_of(&[
            ("src/main.rs", main.as_str()),
            ("src/routes/orders.rs", orders),
            ("src/routes/health.rs", health),
        ]);
        assert_eq!(
            paths(&j.routes),
            ["/healthz true", "/v1/orders true"],
            "{used}"
        );
        assert!(j.unmounted.is_empty(), "{used}");
    }
    // A use only in tests mounts nothing in the service.
    let main_t = format!(
        "{main}\n#[cfg(test)] mod tests {{ fn t() {{ let _ = crate::routes::health::router(); }} }}"
    );
    let j = joined_of(&[
        ("src/main.rs", main_t.as_str()),
        ("src/routes/orders.rs", orders),
        ("src/routes/health.rs", health),
    ]);
    assert_eq!(paths(&j.unmounted), ["/healthz false"]);
}

#[test]
fn entry_points_and_unseen_callers_keep_routers_mounted() {
    // rocket's `#[launch]` function is called by the framework.
    let rocket = r#"
#[launch]
fn rocket() -> _ { rocket::build().mount("/", routes![health]) }
#[get("/health")]
fn health() -> &'static str { "ok" }
fn admin() -> Router { Router::new().route("/admin", get(a)) }
"#;
    let j = joined_of(&[("src/main.rs", rocket)]);
    assert_eq!(paths(&j.routes), ["/health true"]);
    assert_eq!(paths(&j.unmounted), ["/admin false"]);

    // No used router at all: the entry point is out of sight, all stay mounted.
    let lib = r#"
pub fn api() -> Router { Router::new().route("/a", get(a)) }
pub fn ops() -> Router { Router::new().route("/healthz", get(h)) }
"#;
    let j = joined_of(&[("src/lib.rs", lib)]);
    assert_eq!(paths(&j.routes), ["/a true", "/healthz true"]);
    assert!(j.unmounted.is_empty());

    // A trait method is called through the trait.
    let plugin = r#"
impl Plugin for Health { fn routes(&self) -> Router { Router::new().route("/healthz", get(h)) } }
fn app() -> Router { Router::new().route("/a", get(a)) }
fn main() { serve(app()); }
"#;
    let j = joined_of(&[("src/main.rs", plugin)]);
    assert_eq!(paths(&j.routes), ["/a true", "/healthz true"]);
}
