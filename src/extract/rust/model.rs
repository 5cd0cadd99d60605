//! The facts the Rust extractor keeps from one source file.
//!
//! Plain data, no syntax tree: line numbers are copied out of spans and every
//! `Span` is dropped before the file's facts leave the parsing thread. Facts that
//! happen inside a function carry that function's index (`in_fn`), so rules can ask
//! "what does this handler call?" without the tree.

use crate::classify::Role;
use serde::Serialize;

/// Everything learned from one `.rs` file.
#[derive(Debug, Default, Clone, Serialize)]
pub struct RustFile {
    pub path: String,
    pub role: Role,
    /// Resolved path references: calls, types, struct literals, macros, attributes, imports.
    pub refs: Vec<PathRef>,
    pub methods: Vec<MethodCall>,
    pub macros: Vec<MacroCall>,
    pub literals: Vec<StrLit>,
    pub fns: Vec<FnFact>,
    pub types: Vec<TypeFact>,
    pub impls: Vec<ImplFact>,
    pub fragments: Vec<RouterFragment>,
    /// Calls of functions named by a bare identifier (`purge(&db, id)`), which
    /// `refs` leaves out: a handler's calls into its own module, one hop deep.
    pub calls: Vec<LocalCall>,
    /// Operations stated by OpenAPI-generating attributes (`#[utoipa::path]`).
    pub api_ops: Vec<super::api_doc::ApiOp>,
    /// OpenAPI documents derived in code (`#[derive(OpenApi)] #[openapi(..)]`).
    pub api_docs: Vec<super::api_doc::ApiDocRoot>,
    /// SQL text handed to a database call, with how it was built.
    pub sql: Vec<SqlExec>,
    /// Key material and credentials handed to a constructor or client call.
    pub key_args: Vec<KeyArg>,
    /// Security-relevant settings given a literal `true`/`false`.
    pub bool_settings: Vec<BoolSetting>,
    /// Listen addresses and ports stated in code (see [`super::addr`]).
    pub addrs: Vec<AddrFact>,
    /// Bare lowercase names used as values outside test code and not bound in
    /// this file by `let` or a parameter: a function handed over by name
    /// (`HttpServer::new(app)`), or any name inside a macro body that is not an
    /// expression list (`select! { _ = serve(app()) => .. }`). Sorted, unique.
    /// With `refs`, `calls` and `methods` this says whether a function is used.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fn_values: Vec<String>,
    /// Type aliases (`type ApiResult<T> = Result<T, ApiError>;`).
    pub aliases: Vec<TypeAlias>,
}

/// A `type Name<P, ..> = Target;` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeAlias {
    pub name: String,
    /// Its type parameters, in order (`T`).
    pub params: Vec<String>,
    /// The aliased type, as compact token text (`Result<T,ApiError>`).
    pub target: String,
    pub line: u32,
}

/// A call of a function by a bare, not imported name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalCall {
    pub name: String,
    pub line: u32,
    pub test: bool,
    pub in_fn: Option<u32>,
}

/// An address or port the service may listen on, as written in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddrFact {
    /// `0.0.0.0`, `127.0.0.1`, `::`, `::1`, `localhost`.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The environment variable consulted in the same expression (`PORT`):
    /// the literal is then only its default.
    pub env: Option<String>,
    /// Where it was seen: "`.bind(..)`", "`let port`", "`fn default_port`".
    pub site: String,
    pub line: u32,
    pub test: bool,
    pub in_fn: Option<u32>,
}

/// How a path was referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// A value path in an expression (a call's function, a constant, a unit struct).
    Expr,
    /// A type in a signature, `let` annotation, generic argument or struct literal.
    Type,
    /// The path of an attribute (`#[tokio::main]`) or a derive (`#[derive(Validate)]`).
    Attr,
    /// A `use` import. Weak evidence: an import alone wires nothing.
    Use,
}

/// One reference to a path, resolved through the file's `use` imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathRef {
    /// e.g. `tower_http::cors::CorsLayer::new`.
    pub path: String,
    pub kind: RefKind,
    pub line: u32,
    /// Inside `#[cfg(test)]` code or a test function.
    pub test: bool,
    /// Index into `RustFile::fns` of the innermost enclosing function.
    pub in_fn: Option<u32>,
    /// Inside a closure handed to a blocking-work pool (`spawn_blocking`,
    /// `block_in_place`, `web::block`, `thread::spawn`, rayon).
    pub offloaded: bool,
}

/// A method call `recv.name(..)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MethodCall {
    pub name: String,
    /// The resolved path at the root of the call chain, when it is a path or a call
    /// of a path: for `tracing_subscriber::fmt().json().init()` it is
    /// `tracing_subscriber::fmt`.
    pub root: Option<String>,
    pub line: u32,
    pub test: bool,
    pub in_fn: Option<u32>,
    /// Inside a `for`/`while`/`loop` body or an iterator closure.
    pub in_loop: bool,
    /// Inside per-element iteration: a `for` body or an iterator-adapter closure
    /// (`map`, `for_each`, …), not a `loop`/`while` (polling, consuming).
    pub in_iter: bool,
    /// Inside a closure handed to a blocking-work pool (see [`PathRef::offloaded`]).
    pub offloaded: bool,
    /// Number of arguments.
    pub args: u8,
    /// The path the first argument names, when it is a path or a call of one
    /// (`.allow_origin(Any)` → `tower_http::cors::Any`), or `true`/`false`
    /// for a bool literal (`.allow_credentials(false)`).
    pub arg_path: Option<String>,
}

/// A macro invocation `path!(..)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroCall {
    /// Resolved macro path, e.g. `println`, `sqlx::query`, `tracing::info`.
    pub path: String,
    pub line: u32,
    pub test: bool,
    pub in_fn: Option<u32>,
    /// The first argument when it is a string literal (a format string, SQL text).
    pub first_lit: Option<String>,
    /// Names of the other arguments when they are plain paths (`routes![a, b]`).
    pub idents: Vec<String>,
    /// Number of comma-separated arguments after the first, when they parse as expressions.
    pub extra_args: u8,
}

/// A string literal in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrLit {
    pub value: String,
    pub line: u32,
    /// The name the literal is bound to, when there is one: a `let`, `const`,
    /// `static`, struct field or assignment target, or the method it is passed to.
    pub context: Option<String>,
    pub test: bool,
    pub in_fn: Option<u32>,
}

/// An attribute with its path resolved and its arguments as compact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttrFact {
    pub path: String,
    /// Token text of the arguments, whitespace removed where insignificant, capped.
    pub args: String,
}

/// A route declared by an attribute macro on a handler (`#[get("/users")]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteAttr {
    /// Upper-case method, several joined by `,` (`GET,HEAD`), or `ANY`.
    pub method: String,
    /// The path; `${EXPR}` marks a constant or a routes-table field the
    /// attribute names (`path = "crate::ROUTES.auth.login"`), resolved when
    /// facts are joined.
    pub path: String,
    pub line: u32,
}

/// A function parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    /// The bound name, or the inner name of a tuple-struct pattern (`Query(p)` → `p`).
    pub name: Option<String>,
    /// Type text with insignificant whitespace removed: `Query<ListParams>`.
    pub ty: String,
}

/// A function or method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FnFact {
    pub name: String,
    /// The `impl` type when this is a method.
    pub self_ty: Option<String>,
    pub line: u32,
    pub end_line: u32,
    pub is_async: bool,
    /// A test function, or inside `#[cfg(test)]`.
    pub test: bool,
    /// Marked `#[test]`, `#[tokio::test]`, `#[sqlx::test]`, … itself.
    pub is_test_fn: bool,
    pub attrs: Vec<AttrFact>,
    pub route_attrs: Vec<RouteAttr>,
    pub params: Vec<Param>,
    pub ret: Option<String>,
    /// The body contains `.await`.
    pub awaits: bool,
    /// Number of statements in the body.
    pub stmts: u32,
}

/// A struct or enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeFact {
    pub name: String,
    pub is_enum: bool,
    pub line: u32,
    pub test: bool,
    /// Resolved derive paths (`serde::Deserialize`, `Validate`).
    pub derives: Vec<String>,
    pub attrs: Vec<AttrFact>,
    pub fields: Vec<FieldFact>,
}

/// A named field of a struct (or of an enum variant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldFact {
    pub name: String,
    pub ty: String,
    pub attrs: Vec<AttrFact>,
    pub line: u32,
}

/// An `impl` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImplFact {
    /// Resolved trait path for trait impls (`axum::response::IntoResponse`).
    pub trait_path: Option<String>,
    pub self_ty: String,
    pub line: u32,
    pub test: bool,
    pub methods: Vec<String>,
    /// Associated types it sets, as (name, compact type text):
    /// `type Rejection = Infallible;` → (`Rejection`, `Infallible`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assoc_types: Vec<(String, String)>,
}

/// Routes, mounts and middleware found in one function body (or closure within it).
///
/// Fragments are joined across files after extraction: a `nest("/v1", api())` in
/// `main` mounts the fragment owned by `fn api` wherever it is defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouterFragment {
    /// The function that builds it.
    pub owner: String,
    pub owner_self_ty: Option<String>,
    pub line: u32,
    pub test: bool,
    pub items: Vec<RouteItem>,
    /// The owner's parameter names, in order: items may refer to them (a path
    /// `@path`, a handler `handler`, a `MountTarget::Param`), and a call site's
    /// arguments are substituted for them when fragments are joined.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
}

/// One piece of a router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RouteItem {
    /// A route to a handler: `.route("/x", get(h))`, `web::resource("/x").to(h)`.
    Route {
        methods: Vec<String>,
        path: String,
        handler: Option<String>,
        framework: &'static str,
        line: u32,
        /// Layers applied to this route only (`get(h).layer(..)`, `route_layer`).
        layers: Vec<LayerFact>,
        /// The type whose fields are the route's query parameters, when the
        /// registration states it (warp `warp::query::<ListOptions>()`).
        #[serde(skip_serializing_if = "Option::is_none")]
        query_type: Option<String>,
        /// Registered through an OpenAPI-documenting router (aide `api_route`).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        documented: bool,
        /// A fallback for everything under the current prefix (`.fallback(h)`,
        /// `default_service`), not a route of its own.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        fallback: bool,
    },
    /// A sub-router mounted under a prefix (`.nest`, `web::scope`, `.mount`), or
    /// merged at the same level when the prefix is empty (`.merge`, `.configure`).
    Mount {
        /// The prefix, or `@param` when it is a parameter of the owner.
        prefix: String,
        target: MountTarget,
        line: u32,
        /// The arguments of the call when the target is a function
        /// (`route("/x", get(h))` → `["/x", get(h)]`).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        args: Vec<CallArg>,
    },
    /// A handler registered by name whose route lives in its attribute
    /// (`.service(get_user)` with `#[get("/users/{id}")]`, `routes![a, b]`).
    HandlerRef {
        name: String,
        line: u32,
        /// The module path or type naming it (`routes::users::create` →
        /// `routes::users`).
        #[serde(skip_serializing_if = "Option::is_none")]
        qualifier: Option<String>,
    },
    /// Middleware applied to everything in this fragment.
    Layer(LayerFact),
    /// A gRPC service added to a tonic server.
    GrpcService { service: String, line: u32 },
}

/// What a mount points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MountTarget {
    /// Built inline or through a local variable.
    Inline { items: Vec<RouteItem> },
    /// Built by a function defined elsewhere: `api::routes()` → name `routes`,
    /// qualifier `api`.
    Fn {
        name: String,
        qualifier: Option<String>,
    },
    /// A method router built by a helper function (`get_internal(handler)`):
    /// expanded like `Fn` when the helper's fragment is known, else a route with
    /// the methods its name suggests.
    MethodFn {
        name: String,
        qualifier: Option<String>,
        methods: Vec<String>,
    },
    /// Whatever the caller passed as this parameter of the owner.
    Param { name: String },
    /// Every route-attributed method of a type (poem-openapi
    /// `OpenApiService::new(Api, ..)` serves the `#[oai]` methods of `Api`).
    Impl { self_ty: String },
    /// Something else (a static-file service, an opaque value).
    Opaque { text: String },
}

/// One argument of a call that builds part of a router.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum CallArg {
    /// A string literal, or a template with `${CONST}` markers.
    Str(String),
    /// A path: a handler or a function.
    Path(String),
    /// A parameter of the calling function, forwarded.
    Param(String),
    /// A method router or router built inline (`get(h)`, `Router::new()..`).
    Items(Vec<RouteItem>),
    /// Anything else.
    Other,
}

/// Middleware: `.layer(X)`, `.wrap(X)`, `.with(X)`, `.hoop(X)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerFact {
    /// Compact token text of the middleware expression (capped).
    pub text: String,
    /// Resolved paths referenced in it (`tower_http::cors::CorsLayer::permissive`).
    pub paths: Vec<String>,
    /// Method names called in it (`allow_origin`, `max_age`).
    pub methods: Vec<String>,
    pub line: u32,
}

/// Where a runtime value in SQL text comes from, least to most dangerous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueOrigin {
    /// A literal, a `SCREAMING_CASE` constant, or a loop over constants.
    Const,
    /// Made safe by its construction: a length, or an escaping/quoting call.
    Safe,
    /// A local value of unknown origin.
    Local,
    /// A parameter of the enclosing function.
    Param,
    /// A request extractor of a handler (`Query<..>`, `Json<..>`, `web::Path<..>`,
    /// a parameter of an attribute-routed handler), or derived from one.
    Request,
}

/// A value interpolated into SQL text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlValue {
    /// The expression as written (compact, capped).
    pub expr: String,
    pub origin: ValueOrigin,
    /// Inside a single-quoted SQL string literal (`WHERE name = '{name}'`).
    pub quoted: bool,
}

/// SQL text given to a call that executes it: `sqlx::query(..)`,
/// `diesel::sql_query(..)`, `client.execute(..)`, `conn.query_row(..)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlExec {
    /// The executing call: `sqlx::query`, `.execute`, `QueryBuilder::build`.
    pub sink: String,
    pub line: u32,
    pub test: bool,
    pub in_fn: Option<u32>,
    /// How the text was made: `literal`, `format!`, `concatenation`, `push_str`,
    /// `query builder`, or `opaque` (a value whose construction is not visible here).
    pub how: String,
    /// Where the text was built, when not on the call's line (a `let` above).
    pub built_at: Option<u32>,
    /// The SQL template with `{}` where values go (capped).
    pub template: String,
    /// Runtime and constant values interpolated into the text.
    pub values: Vec<SqlValue>,
    /// Wrapped in an explicit assertion that the text is safe (`sqlx::AssertSqlSafe`).
    pub asserted: bool,
}

/// An argument given to a call that takes key material or credentials:
/// `EncodingKey::from_secret(..)`, `Hmac::new_from_slice(..)`, `.bearer_auth(..)`,
/// `.basic_auth(.., ..)`, `.password(..)`, `Credentials::new(..)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyArg {
    /// The resolved callee: `jsonwebtoken::EncodingKey::from_secret`, or `.bearer_auth`.
    pub callee: String,
    pub line: u32,
    pub test: bool,
    pub in_fn: Option<u32>,
    /// The arguments as written (compact, capped).
    pub args: String,
    /// The longest string or byte-string literal among the arguments.
    pub literal: Option<String>,
    /// A `SCREAMING_CASE` constant among the arguments (its value is a literal elsewhere).
    pub constant: Option<String>,
    /// A file embedded with `include_bytes!`/`include_str!`.
    pub include: Option<String>,
    /// Read from the environment (`env::var`, `env!`, `dotenv!`).
    pub from_env: bool,
}

/// A security-relevant setting given a literal boolean: `validation.validate_exp =
/// false`, `.danger_accept_invalid_certs(true)`, `.allow_credentials(true)`,
/// `Cookie { secure: false, .. }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoolSetting {
    /// The field or method name.
    pub name: String,
    pub value: bool,
    pub line: u32,
    pub test: bool,
    pub in_fn: Option<u32>,
    /// The condition of the innermost `if` it sits under (compact text), when
    /// there is one: `skip_tls_verify`, `config.insecure`.
    pub guard: Option<String>,
}
