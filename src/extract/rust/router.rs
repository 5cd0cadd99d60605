//! Router fragments: the routes, mounts and middleware one function body builds.
//!
//! Web frameworks build routers as method-call chains:
//! axum `Router::new().route("/x", get(h)).nest("/v1", api())`, actix-web
//! `App::new().service(web::scope("/api").route("/x", web::get().to(h)))`, poem
//! `Route::new().at("/x", get(h))`, rocket `.mount("/", routes![a, b])`, salvo
//! `Router::with_path("x").get(h).push(..)`, tonic `Server::builder().add_service(..)`;
//! warp composes filters instead ([`super::warp`]).
//! This module reads such chains without knowing receiver types: a chain counts
//! as a router when its root is a known router constructor, a variable already
//! known to hold a router, a parameter typed as one, or when it calls a method
//! that only routers have with the shape only routers use (`.route("/x", ..)`,
//! `.nest("/x", ..)`, `.mount("/x", ..)`).
//!
//! Local variables are followed (`let api = Router::new()...; app.nest("/api", api)`),
//! and calls to other functions are kept as named mounts with their arguments,
//! joined across files in [`crate::facts::routes`]: a helper such as
//! `fn get_internal(h: H) -> MethodRouter { get(h).route_layer(..) }` or
//! `fn route(path: &str, mr: MethodRouter) -> Router` becomes a fragment whose
//! items name its parameters, and each call site's arguments are put in their place.

use super::method_router::{
    handler_name, layer_fact, method_routes, methods_named_by, route_item, VERBS,
};
use super::model::{CallArg, MountTarget, RouteItem};
use super::resolve::{compact_tokens, last_ident, line_of, lit_str, path_text, UseMap};
use super::route_path::format_path;
pub use super::route_path::{const_path, join_prefix};
use super::warp;
use std::collections::HashMap;
use syn::visit::{self, Visit};

/// Constructors that start a router chain, matched on the last two path segments
/// (or the last one for free functions such as `web::scope`).
fn is_router_constructor(path: &str) -> bool {
    let segs: Vec<&str> = path.rsplit("::").collect();
    let last = segs.first().copied().unwrap_or("");
    let owner = segs.get(1).copied().unwrap_or("");
    matches!(
        (owner, last),
        (
            "Router",
            "new" | "with_path" | "with_state" | "with_hoop" | "with_filter" | "with_filter_fn"
        ) | ("ApiRouter", "new" | "with_state")
            | ("OpenApiRouter", "new" | "with_openapi" | "default")
            | ("App", "new")
            | ("Scope", "new")
            | ("Resource", "new")
            | ("Route", "new" | "ranked")
            | ("RouteMethod", "new")
            | ("Server", "builder")
            | ("Routes", "new" | "builder" | "default")
            | ("rocket", "build" | "custom")
            | ("Rocket", "build" | "custom")
            | ("web", "scope" | "resource")
    ) || (owner.is_empty() && matches!(last, "scope" | "resource"))
}

/// Types of parameters that hand a function a router to add to.
fn is_router_type(ty: &str) -> bool {
    let base = ty
        .trim_start_matches('&')
        .trim_start_matches("mut")
        .trim_start_matches("impl")
        .trim();
    let base = base.split('<').next().unwrap_or(base);
    let last = base.rsplit("::").next().unwrap_or(base);
    matches!(
        last,
        "Router"
            | "ApiRouter"
            | "OpenApiRouter"
            | "ServiceConfig"
            | "Scope"
            | "Resource"
            | "App"
            | "Route"
            | "Rocket"
            | "Routes"
            | "RoutesBuilder"
    )
}

/// The items of the router a function builds, and its parameter names; `None`
/// when it builds none.
pub fn fragment(
    sig: &syn::Signature,
    block: &syn::Block,
    uses: &UseMap,
) -> Option<(Vec<RouteItem>, Vec<String>)> {
    let mut v = FragVisitor::new(uses);
    for input in &sig.inputs {
        if let syn::FnArg::Typed(t) = input {
            // A destructuring pattern keeps its position with a name no
            // expression can use.
            let name = pat_ident(&t.pat).unwrap_or_else(|| "_".to_string());
            if is_router_type(&compact_tokens(t.ty.as_ref(), 120)) {
                v.set_var(name.clone(), Val::Items(Vec::new()));
            }
            v.params.push(name);
        }
    }
    let ret = match &sig.output {
        syn::ReturnType::Type(_, ty) => compact_tokens(ty.as_ref(), 200),
        syn::ReturnType::Default => String::new(),
    };
    v.visit_block(block);
    let mut items = v.finish();
    if items.is_empty() {
        if let Some(tail) = tail_expr(block) {
            items = v.tail_items(tail, &ret);
        }
    }
    (!items.is_empty()).then_some((items, v.params))
}

impl FragVisitor<'_> {
    /// A function whose value is a warp filter, a method router
    /// (`get(h).route_layer(..)`) or a router another function builds
    /// (`route("/", get(h))`): its tail expression read as one.
    fn tail_items(&mut self, tail: &syn::Expr, ret: &str) -> Vec<RouteItem> {
        if ret.contains("Filter") {
            // warp: a filter that extracts data (`Extract = (Db,)`) is not an
            // endpoint; one that extracts a reply (`impl Reply`, `&str`) is.
            let replies = ["Reply", "Response", "str", "String", "Html", "Json"];
            if ret.contains("Extract") && !replies.iter().any(|r| ret.contains(r)) {
                return Vec::new();
            }
            return self.warp_items(tail).unwrap_or_default();
        }
        if is_router_type(ret) {
            if let Some(Val::Call { target, args, line }) = self.call_val(tail) {
                return vec![RouteItem::Mount {
                    prefix: String::new(),
                    target,
                    line,
                    args,
                }];
            }
        }
        let routes = method_routes(tail, "", line_of(tail), self.uses);
        if routes.is_empty() {
            return routes;
        }
        // Only a routing function's value: `get(h)`, `web::get().to(h)`, `on(..)`.
        let (root, _) = flatten(tail);
        let routing_root = match root {
            syn::Expr::Call(c) => match c.func.as_ref() {
                syn::Expr::Path(p) => {
                    let r = self.uses.resolve(&path_text(&p.path));
                    let last = last_ident(&p.path);
                    let verb = last.trim_end_matches("_service").trim_end_matches("_with");
                    (VERBS.contains(&verb) || matches!(verb, "any" | "on" | "route" | "method"))
                        && (r.contains("::routing::")
                            || r.starts_with("poem::")
                            || r.starts_with("actix_web::web::"))
                }
                _ => false,
            },
            _ => false,
        };
        let method_ret = ["MethodRouter", "RouteMethod", "Endpoint"]
            .iter()
            .any(|t| ret.contains(t));
        if routing_root || method_ret {
            routes
        } else {
            Vec::new()
        }
    }
}

/// The value of a block: its trailing expression, or a final `return x`.
fn tail_expr(block: &syn::Block) -> Option<&syn::Expr> {
    match block.stmts.last()? {
        syn::Stmt::Expr(e, None) => Some(e),
        syn::Stmt::Expr(syn::Expr::Return(r), Some(_)) => r.expr.as_deref(),
        _ => None,
    }
}

/// What a local variable holds.
#[derive(Clone)]
enum Val {
    /// A router (or router-to-be) with these items.
    Items(Vec<RouteItem>),
    /// The result of calling a function, which may build a router.
    Call {
        target: MountTarget,
        args: Vec<CallArg>,
        line: u32,
    },
    /// A method router (`let docs = get_service(ServeDir::new(..))`): routes
    /// with no path yet, a router only once mounted.
    Method(Vec<RouteItem>),
    /// A warp filter.
    Warp(warp::Filter),
    /// A gRPC service value.
    Grpc(String),
}

struct Var {
    val: Val,
    used: bool,
}

pub(super) struct FragVisitor<'a> {
    pub(super) uses: &'a UseMap,
    /// The file imports warp: filter chains rooted at local functions count.
    pub(super) warp_file: bool,
    params: Vec<String>,
    vars: HashMap<String, Var>,
    order: Vec<String>,
    items: Vec<RouteItem>,
}

impl<'a> FragVisitor<'a> {
    fn new(uses: &'a UseMap) -> Self {
        FragVisitor {
            uses,
            warp_file: uses
                .imports()
                .iter()
                .any(|(_, full)| full.starts_with("warp")),
            params: Vec::new(),
            vars: HashMap::new(),
            order: Vec::new(),
            items: Vec::new(),
        }
    }

    fn finish(&mut self) -> Vec<RouteItem> {
        for name in std::mem::take(&mut self.order) {
            if let Some(var) = self.vars.remove(&name) {
                if let (false, Val::Items(items)) = (var.used, var.val) {
                    self.items.extend(items);
                }
            }
        }
        std::mem::take(&mut self.items)
    }

    fn set_var(&mut self, name: String, val: Val) {
        if !self.vars.contains_key(&name) {
            self.order.push(name.clone());
        }
        // A router shadowed without being used (`let app = ..` in two blocks)
        // is still a router of this function.
        if let Some(Var {
            val: Val::Items(old),
            used: false,
        }) = self.vars.insert(name, Var { val, used: false })
        {
            self.items.extend(old);
        }
    }

    fn take_var(&mut self, name: &str) -> Option<Val> {
        let var = self.vars.get_mut(name)?;
        var.used = true;
        Some(var.val.clone())
    }

    pub(super) fn warp_var(&mut self, name: &str) -> Option<warp::Filter> {
        match self.vars.get(name).map(|v| &v.val) {
            Some(Val::Warp(f)) => Some(f.clone()),
            Some(Val::Call { target, args, .. }) => {
                Some(warp::Filter::sub(target.clone(), args.clone()))
            }
            _ => None,
        }
    }

    /// Whether the variable holds a warp filter (not merely a call result).
    pub(super) fn holds_filter(&self, name: &str) -> bool {
        matches!(self.vars.get(name).map(|v| &v.val), Some(Val::Warp(_)))
    }

    pub(super) fn is_param(&self, name: &str) -> bool {
        self.params.iter().any(|p| p == name)
    }

    /// Items of a router chain, or `None` when `expr` is not one.
    fn chain_items(&mut self, expr: &syn::Expr) -> Option<Vec<RouteItem>> {
        match expr {
            syn::Expr::If(i) => {
                let mut items = self.block_items(&i.then_branch)?;
                if let Some((_, e)) = &i.else_branch {
                    items.extend(self.chain_items(e).unwrap_or_default());
                }
                return Some(items);
            }
            syn::Expr::Block(b) => return self.block_items(&b.block),
            syn::Expr::Match(m) => {
                let mut any = false;
                let mut items = Vec::new();
                for arm in &m.arms {
                    if let Some(i) = self.chain_items(&arm.body) {
                        any = true;
                        items.extend(i);
                    }
                }
                return any.then_some(items);
            }
            _ => {}
        }
        let (root, calls) = flatten(expr);
        self.items_of(root, &calls)
    }

    fn block_items(&mut self, block: &syn::Block) -> Option<Vec<RouteItem>> {
        match block.stmts.last()? {
            syn::Stmt::Expr(e, None) => self.chain_items(e),
            _ => None,
        }
    }

    /// The text of a path argument: a literal, `${CONST}`, or `@param`.
    fn path_arg(&self, expr: &syn::Expr) -> Option<String> {
        if let Some(s) = lit_str(expr) {
            return Some(s);
        }
        if let Some(c) = const_path(expr) {
            return Some(c);
        }
        match expr {
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                self.is_param(&name).then(|| format!("@{name}"))
            }
            syn::Expr::Reference(r) => self.path_arg(&r.expr),
            syn::Expr::Macro(m) => format_path(&m.mac),
            syn::Expr::MethodCall(m)
                if matches!(
                    m.method.to_string().as_str(),
                    "as_str" | "to_string" | "into"
                ) || m.method == "as_ref" =>
            {
                self.path_arg(&m.receiver)
            }
            _ => None,
        }
    }

    /// A call's arguments, kept for substitution into the callee's fragment.
    fn call_args<'e>(&mut self, args: impl Iterator<Item = &'e syn::Expr>) -> Vec<CallArg> {
        args.map(|a| self.call_arg(a)).collect()
    }

    fn call_arg(&mut self, a: &syn::Expr) -> CallArg {
        let a = strip_ref(a);
        if let syn::Expr::Path(p) = a {
            let name = last_ident(&p.path);
            if p.path.segments.len() == 1 && !self.is_param(&name) {
                if let Some(Val::Items(items)) = self.take_var(&name) {
                    return CallArg::Items(items);
                }
            }
        }
        if let Some(simple) = self.simple_arg(a) {
            return simple;
        }
        let routes = method_routes(a, "", line_of(a), self.uses);
        if !routes.is_empty() {
            return CallArg::Items(routes);
        }
        match self.chain_items(a) {
            Some(items) => CallArg::Items(items),
            None => CallArg::Other,
        }
    }

    /// An argument that needs no evaluation: a literal or constant, one of this
    /// function's parameters, or a path.
    pub(super) fn simple_arg(&self, a: &syn::Expr) -> Option<CallArg> {
        let a = strip_ref(a);
        if let Some(s) = lit_str(a).or_else(|| const_path(a)) {
            return Some(CallArg::Str(s));
        }
        let syn::Expr::Path(p) = a else {
            return None;
        };
        let name = last_ident(&p.path);
        Some(if p.path.segments.len() == 1 && self.is_param(&name) {
            CallArg::Param(name)
        } else {
            CallArg::Path(path_text(&p.path))
        })
    }

    fn items_of(&mut self, root: &syn::Expr, calls: &[Call<'_>]) -> Option<Vec<RouteItem>> {
        let mut qualified = false;
        let mut items = Vec::new();
        let mut prefix: Option<String> = None;
        match root {
            syn::Expr::Call(c) => {
                let syn::Expr::Path(p) = c.func.as_ref() else {
                    return None;
                };
                let raw = path_text(&p.path);
                let resolved = self.uses.resolve(&raw);
                let last = last_ident(&p.path);
                if VERBS.contains(&last.as_str()) && raw.split("::").count() <= 2 {
                    return None;
                }
                if is_router_constructor(&resolved) || is_router_constructor(&raw) {
                    qualified = true;
                    let first = c.args.first();
                    match last.as_str() {
                        "scope" | "resource" | "with_path" => {
                            prefix = first.and_then(|a| self.path_arg(a)).or(Some(String::new()))
                        }
                        "new" if raw.ends_with("Scope::new") || raw.ends_with("Resource::new") => {
                            prefix = first.and_then(|a| self.path_arg(a)).or(Some(String::new()))
                        }
                        "with_hoop" | "with_filter" | "with_filter_fn" => {
                            if let Some(a) = first {
                                items.push(RouteItem::Layer(layer_fact(a, line_of(a), self.uses)));
                            }
                        }
                        // tonic `Routes::new(GreeterServer::new(g))`: the first service.
                        "new" if raw.ends_with("Routes::new") && c.args.len() == 1 => {
                            if let Some(a) = first {
                                items.push(RouteItem::GrpcService {
                                    service: self.grpc_service_name(a),
                                    line: line_of(a),
                                });
                            }
                        }
                        // rocket `Route::new(Get, "/x", handler)`, `Route::ranked(1, Get, ..)`.
                        "new" | "ranked"
                            if raw.ends_with("Route::new") || raw.ends_with("Route::ranked") =>
                        {
                            if let Some(r) = rocket_manual_route(&c.args, line_of(root)) {
                                items.push(r);
                            }
                        }
                        _ => {}
                    }
                } else if last == "new" && resolved.ends_with("OpenApiService::new") {
                    // poem-openapi: `OpenApiService::new(Api, "title", "1.0")` or `((A, B), ..)`.
                    qualified = true;
                    if let Some(a) = c.args.first() {
                        items.extend(impl_mounts(a, line_of(a)));
                    }
                } else if is_fn_like(&last) && !is_type_constructor(&p.path) {
                    // `add_routes(Router::new())`, `api::routes(app)`: the router
                    // passed in comes out with the function's additions.
                    let mut args = Vec::new();
                    for a in &c.args {
                        match self.router_value(a) {
                            Some(inner) => {
                                qualified = true;
                                items.extend(inner);
                                args.push(CallArg::Other);
                            }
                            None => args.push(self.call_arg(a)),
                        }
                    }
                    if calls.is_empty() && !qualified {
                        return None;
                    }
                    items.push(RouteItem::Mount {
                        prefix: String::new(),
                        target: fn_target(&p.path),
                        line: line_of(&p.path),
                        args,
                    });
                } else if calls.is_empty() {
                    return None;
                }
            }
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                match self.take_var(&name) {
                    Some(Val::Items(var_items)) => {
                        qualified = true;
                        items = var_items;
                    }
                    Some(Val::Call { target, args, line }) if !calls.is_empty() => {
                        items.push(RouteItem::Mount {
                            prefix: String::new(),
                            target,
                            line,
                            args,
                        });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        if calls.is_empty() && !qualified {
            return None;
        }
        for call in calls {
            let (m, args, line) = (call.method.as_str(), &call.args, call.line);
            let path0 = args.first().copied().and_then(|a| self.path_arg(a));
            match (m, args.len()) {
                ("route" | "route_with_tsr" | "api_route" | "api_route_with", 2 | 3)
                    if path0.is_some() =>
                {
                    qualified = true;
                    let path = path0.unwrap_or_default();
                    let mut routes = self.method_arg(args[1], &path, line);
                    if m.starts_with("api_") {
                        for r in &mut routes {
                            if let RouteItem::Route { documented, .. } = r {
                                *documented = true;
                            }
                        }
                    }
                    items.extend(routes);
                }
                ("route", 1) => {
                    let routes = method_routes(args[0], "", line, self.uses);
                    if !routes.is_empty() {
                        qualified = true;
                        items.extend(routes);
                    }
                }
                ("to", 1) if qualified => items.push(route_item(
                    vec!["ANY".into()],
                    "",
                    handler_name(args[0]),
                    line,
                    Vec::new(),
                )),
                ("goal", 1) if qualified => items.push(route_item(
                    vec!["ANY".into()],
                    "",
                    handler_name(args[0]),
                    line,
                    Vec::new(),
                )),
                (v, 1) if VERBS.contains(&v) && qualified => items.push(route_item(
                    vec![v.to_ascii_uppercase()],
                    "",
                    handler_name(args[0]),
                    line,
                    Vec::new(),
                )),
                ("route_service" | "route_service_with_tsr", 2) if path0.is_some() => {
                    qualified = true;
                    items.push(route_item(
                        vec!["ANY".into()],
                        &path0.unwrap_or_default(),
                        Some(service_name(args[1])),
                        line,
                        Vec::new(),
                    ));
                }
                (
                    "nest" | "nest_no_strip" | "nest_service" | "mount" | "at" | "nest_api_service",
                    2,
                ) => {
                    let Some(prefix) = path0.or_else(|| qualified.then(String::new)) else {
                        continue;
                    };
                    qualified = true;
                    // poem `.at(path, get(h))`, axum `.nest_service(path, get_service(..))`.
                    let mut routes = if m == "at" || m == "nest_service" {
                        self.method_arg(args[1], &prefix, line)
                    } else {
                        Vec::new()
                    };
                    if let (true, syn::Expr::Path(p)) = (routes.is_empty() && m == "at", args[1]) {
                        // poem `.at("/proxy", handler)`: a handler for every method.
                        let name = last_ident(&p.path);
                        if is_fn_like(&name) && !self.vars.contains_key(&name) {
                            routes.push(route_item(
                                vec!["ANY".into()],
                                &prefix,
                                Some(path_text(&p.path)),
                                line,
                                Vec::new(),
                            ));
                        }
                    }
                    if routes.is_empty() {
                        let (target, margs) = self.mount_target(args[1]);
                        items.push(RouteItem::Mount {
                            prefix,
                            target,
                            line,
                            args: margs,
                        });
                    } else {
                        items.extend(routes);
                    }
                }
                ("merge" | "push" | "unshift" | "routes" | "add_routes", 1)
                    if qualified || m == "routes" =>
                {
                    let (target, margs) = self.mount_target(args[0]);
                    if m == "routes" && !matches!(args[0], syn::Expr::Macro(_)) {
                        continue;
                    }
                    qualified = true;
                    items.push(RouteItem::Mount {
                        prefix: String::new(),
                        target,
                        line,
                        args: margs,
                    });
                }
                ("append", 1) if qualified => {
                    if let syn::Expr::Macro(m) = args[0] {
                        if let Ok(list) = m.mac.parse_body_with(
                            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
                        ) {
                            for e in &list {
                                let (target, margs) = self.mount_target(e);
                                items.push(RouteItem::Mount {
                                    prefix: String::new(),
                                    target,
                                    line,
                                    args: margs,
                                });
                            }
                        }
                    }
                }
                // salvo `.then(|router| if debug { router.push(..) } else { router })`
                ("then", 1) if qualified && matches!(args[0], syn::Expr::Closure(_)) => {
                    let (target, margs) = self.mount_target(args[0]);
                    items.push(RouteItem::Mount {
                        prefix: String::new(),
                        target,
                        line,
                        args: margs,
                    });
                }
                ("configure", 1)
                    if matches!(args[0], syn::Expr::Closure(_))
                        || matches!(args[0], syn::Expr::Path(p) if !p.path.is_ident("self")) =>
                {
                    qualified = true;
                    let (target, margs) = self.mount_target(args[0]);
                    items.push(RouteItem::Mount {
                        prefix: String::new(),
                        target,
                        line,
                        args: margs,
                    });
                }
                ("service", 1) => {
                    let before = items.len();
                    self.service_items(args[0], line, &mut items);
                    if items.len() > before {
                        qualified = true;
                    }
                }
                ("fallback" | "fallback_service" | "default_service", 1) if qualified => {
                    let mut handler = method_routes(args[0], "", line, self.uses)
                        .into_iter()
                        .find_map(|r| match r {
                            RouteItem::Route { handler, .. } => handler,
                            _ => None,
                        });
                    if handler.is_none() {
                        handler = Some(service_name(args[0]));
                    }
                    let mut r = route_item(vec!["ANY".into()], "", handler, line, Vec::new());
                    if let RouteItem::Route { fallback, .. } = &mut r {
                        *fallback = true;
                    }
                    items.push(r);
                }
                ("add_service" | "add_optional_service", 1) => {
                    qualified = true;
                    let service = self.grpc_service_name(args[0]);
                    items.push(RouteItem::GrpcService { service, line });
                }
                ("path", 1) if qualified => {
                    if let Some(p) = path0 {
                        prefix = Some(join_prefix(prefix.as_deref().unwrap_or(""), &p));
                    }
                }
                // poem-openapi: the documentation UI or spec of a service, not its routes.
                (
                    "swagger_ui" | "rapidoc" | "redoc" | "openapi_explorer" | "scalar"
                    | "stoplight_elements" | "spec_endpoint" | "spec_endpoint_yaml",
                    0,
                ) if qualified => items.clear(),
                (
                    "layer" | "route_layer" | "wrap" | "wrap_fn" | "with" | "hoop" | "attach"
                    | "around",
                    1,
                ) => {
                    items.push(RouteItem::Layer(layer_fact(args[0], line, self.uses)));
                }
                _ => {}
            }
        }
        if !qualified {
            return None;
        }
        Some(match prefix {
            Some(p) => vec![RouteItem::Mount {
                prefix: p,
                target: MountTarget::Inline { items },
                line: line_of(root),
                args: Vec::new(),
            }],
            None => items,
        })
    }

    /// The routes a method-router argument registers at `path`: `get(h)`, a
    /// parameter (`MountTarget::Param`), or a helper call (`get_internal(h)`).
    fn method_arg(&mut self, expr: &syn::Expr, path: &str, line: u32) -> Vec<RouteItem> {
        if let syn::Expr::Path(p) = expr {
            let name = last_ident(&p.path);
            if p.path.segments.len() == 1 && self.is_param(&name) {
                return vec![RouteItem::Mount {
                    prefix: path.to_string(),
                    target: MountTarget::Param { name },
                    line,
                    args: Vec::new(),
                }];
            }
            if let Some(Val::Method(routes)) = self.take_var(&name) {
                return vec![RouteItem::Mount {
                    prefix: path.to_string(),
                    target: MountTarget::Inline { items: routes },
                    line,
                    args: Vec::new(),
                }];
            }
        }
        let routes = method_routes(expr, path, line, self.uses);
        if !routes.is_empty() {
            return routes;
        }
        // A helper that returns a method router: `get_internal(handler)`.
        let (root, calls) = flatten(expr);
        if let syn::Expr::Call(c) = root {
            if let syn::Expr::Path(p) = c.func.as_ref() {
                let name = last_ident(&p.path);
                if is_fn_like(&name) && !is_type_constructor(&p.path) {
                    let args = self.call_args(c.args.iter());
                    let methods = methods_named_by(&name);
                    let mut layers = Vec::new();
                    for call in &calls {
                        if matches!(call.method.as_str(), "layer" | "route_layer" | "with")
                            && call.args.len() == 1
                        {
                            layers.push(RouteItem::Layer(layer_fact(
                                call.args[0],
                                call.line,
                                self.uses,
                            )));
                        }
                    }
                    let (_, qualifier) = split_qualified(&path_text(&p.path));
                    let mount = RouteItem::Mount {
                        prefix: path.to_string(),
                        target: MountTarget::MethodFn {
                            name,
                            qualifier,
                            methods,
                        },
                        line,
                        args,
                    };
                    if layers.is_empty() {
                        return vec![mount];
                    }
                    layers.push(mount);
                    return vec![inline(layers, line)];
                }
            }
        }
        Vec::new()
    }

    /// What a `.nest`/`.merge`/`.mount`/`.configure` argument points at, and the
    /// arguments when it is a function call.
    fn mount_target(&mut self, expr: &syn::Expr) -> (MountTarget, Vec<CallArg>) {
        match expr {
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                if self.is_param(&name) && !self.vars.contains_key(&name) {
                    return (MountTarget::Param { name }, Vec::new());
                }
                match self.take_var(&name) {
                    Some(Val::Items(items) | Val::Method(items)) => {
                        (MountTarget::Inline { items }, Vec::new())
                    }
                    Some(Val::Call { target, args, .. }) => (target, args),
                    Some(Val::Warp(f)) => (
                        MountTarget::Inline {
                            items: f.into_items(),
                        },
                        Vec::new(),
                    ),
                    _ => (fn_target(&p.path), Vec::new()),
                }
            }
            syn::Expr::Path(p) => (fn_target(&p.path), Vec::new()),
            syn::Expr::Reference(r) => self.mount_target(&r.expr),
            syn::Expr::Paren(p) => self.mount_target(&p.expr),
            syn::Expr::Closure(c) => {
                let mut inner = FragVisitor::new(self.uses);
                inner.params = self.params.clone();
                if let Some(name) = c.inputs.first().and_then(pat_ident) {
                    // `|cfg| { cfg.service(..); }`: the parameter is the router.
                    inner.set_var(name, Val::Items(Vec::new()));
                }
                inner.visit_expr(&c.body);
                let mut items = inner.finish();
                if items.is_empty() {
                    items = inner.chain_items(&c.body).unwrap_or_default();
                }
                (MountTarget::Inline { items }, Vec::new())
            }
            syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                // rocket `.mount("/", vec![hello, echo])`: routes built by hand.
                let mut items = Vec::new();
                if let Ok(list) = m.mac.parse_body_with(
                    syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
                ) {
                    for e in &list {
                        match self.mount_target(e) {
                            (MountTarget::Inline { items: inner }, _) => items.extend(inner),
                            (target @ MountTarget::Fn { .. }, args) => {
                                items.push(RouteItem::Mount {
                                    prefix: String::new(),
                                    target,
                                    line: line_of(e),
                                    args,
                                })
                            }
                            _ => {}
                        }
                    }
                }
                (MountTarget::Inline { items }, Vec::new())
            }
            syn::Expr::Macro(m) => (
                MountTarget::Inline {
                    items: self.macro_handlers(&m.mac),
                },
                Vec::new(),
            ),
            syn::Expr::Call(c) => {
                if let syn::Expr::Path(p) = c.func.as_ref() {
                    let resolved = self.uses.resolve(&path_text(&p.path));
                    if !is_router_constructor(&resolved)
                        && is_fn_like(&last_ident(&p.path))
                        && !is_type_constructor(&p.path)
                    {
                        let args = self.call_args(c.args.iter());
                        return (fn_target(&p.path), args);
                    }
                }
                (self.inline_or_opaque(expr), Vec::new())
            }
            _ => (self.inline_or_opaque(expr), Vec::new()),
        }
    }

    /// The items of a router given as a value: a router variable or a chain.
    fn router_value(&mut self, expr: &syn::Expr) -> Option<Vec<RouteItem>> {
        match strip_ref(expr) {
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                match self.vars.get(&name).map(|v| &v.val) {
                    Some(Val::Items(_)) => match self.take_var(&name) {
                        Some(Val::Items(items)) => Some(items),
                        _ => None,
                    },
                    _ => None,
                }
            }
            e @ syn::Expr::MethodCall(_) | e @ syn::Expr::Call(_) => {
                let (root, _) = flatten(e);
                let constructed = match root {
                    syn::Expr::Call(c) => match c.func.as_ref() {
                        syn::Expr::Path(p) => {
                            let raw = path_text(&p.path);
                            is_router_constructor(&raw)
                                || is_router_constructor(&self.uses.resolve(&raw))
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if constructed {
                    self.chain_items(e)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn inline_or_opaque(&mut self, expr: &syn::Expr) -> MountTarget {
        match self.chain_items(expr) {
            Some(items) => MountTarget::Inline { items },
            None => MountTarget::Opaque {
                text: compact_tokens(expr, 120),
            },
        }
    }

    /// `routes![a, users::b]`, `routes!(ui::list)`, `openapi_get_routes![..]`:
    /// handler references with their qualifiers resolved through imports.
    fn macro_handlers(&self, mac: &syn::Macro) -> Vec<RouteItem> {
        use syn::punctuated::Punctuated;
        let line = line_of(&mac.path);
        mac.parse_body_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            .map(|list| list.iter().map(|p| self.handler_ref(p, line)).collect())
            .unwrap_or_default()
    }

    fn handler_ref(&self, p: &syn::Path, line: u32) -> RouteItem {
        let full = self.uses.resolve(&path_text(p));
        let (name, qualifier) = split_qualified(&full);
        RouteItem::HandlerRef {
            name,
            line,
            qualifier,
        }
    }

    /// An actix-web `.service(X)` argument: a handler, a scope or resource, a
    /// variable, or a tuple of those.
    fn service_items(&mut self, expr: &syn::Expr, line: u32, out: &mut Vec<RouteItem>) {
        match expr {
            syn::Expr::Path(p) => {
                let name = last_ident(&p.path);
                if p.path.segments.len() == 1 {
                    match self.take_var(&name) {
                        Some(Val::Items(items)) => {
                            out.push(inline(items, line));
                            return;
                        }
                        Some(Val::Call { target, args, .. }) => {
                            out.push(RouteItem::Mount {
                                prefix: String::new(),
                                target,
                                line,
                                args,
                            });
                            return;
                        }
                        _ => {}
                    }
                }
                if is_fn_like(&name) {
                    out.push(self.handler_ref(&p.path, line));
                }
            }
            syn::Expr::Tuple(t) => {
                for e in &t.elems {
                    self.service_items(e, line, out);
                }
            }
            syn::Expr::Paren(p) => self.service_items(&p.expr, line, out),
            syn::Expr::Call(c) => {
                if let Some(items) = self.chain_items(expr) {
                    out.push(inline(items, line));
                } else if let syn::Expr::Path(p) = c.func.as_ref() {
                    // `.service(api::scope())`: a function returning a scope.
                    if is_fn_like(&last_ident(&p.path)) && !is_type_constructor(&p.path) {
                        let args = self.call_args(c.args.iter());
                        out.push(RouteItem::Mount {
                            prefix: String::new(),
                            target: fn_target(&p.path),
                            line,
                            args,
                        });
                    }
                }
            }
            syn::Expr::MethodCall(_) => {
                if let Some(items) = self.chain_items(expr) {
                    out.push(inline(items, line));
                }
            }
            _ => {}
        }
    }

    /// The service a tonic `add_service(X)` adds.
    fn grpc_service_name(&self, expr: &syn::Expr) -> String {
        match expr {
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                match self.vars.get(&name).map(|v| &v.val) {
                    Some(Val::Grpc(s)) => s.clone(),
                    Some(Val::Call {
                        target:
                            MountTarget::Fn {
                                qualifier: Some(q), ..
                            },
                        ..
                    }) => q.rsplit("::").next().unwrap_or(q).to_string(),
                    _ => name,
                }
            }
            _ => grpc_service_name(expr),
        }
    }

    /// A warp filter expression's routes, or `None` when it is not one.
    fn warp_items(&mut self, expr: &syn::Expr) -> Option<Vec<RouteItem>> {
        warp::eval(expr, self, true).map(warp::Filter::into_items)
    }
}

impl FragVisitor<'_> {
    /// Visit a method-call chain's parts in the order `syn::visit` would —
    /// attributes outside-in, the root, then each call's turbofish and
    /// arguments inside-out — without visiting its sub-chains as chains.
    fn visit_chain_parts(&mut self, m: &syn::ExprMethodCall) {
        let mut calls = vec![m];
        for a in &m.attrs {
            self.visit_attribute(a);
        }
        let mut cur: &syn::Expr = &m.receiver;
        loop {
            let (attrs, next) = match cur {
                syn::Expr::MethodCall(inner) => {
                    calls.push(inner);
                    (&inner.attrs, &*inner.receiver)
                }
                syn::Expr::Try(t) => (&t.attrs, &*t.expr),
                syn::Expr::Await(a) => (&a.attrs, &*a.base),
                syn::Expr::Paren(p) => (&p.attrs, &*p.expr),
                root => {
                    self.visit_expr(root);
                    break;
                }
            };
            for a in attrs {
                self.visit_attribute(a);
            }
            cur = next;
        }
        for call in calls.iter().rev() {
            if let Some(t) = &call.turbofish {
                self.visit_angle_bracketed_generic_arguments(t);
            }
            for arg in &call.args {
                self.visit_expr(arg);
            }
        }
    }
}

impl<'ast> Visit<'ast> for FragVisitor<'_> {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        // `#[cfg(test)] let app = app.mount(..);` builds no served router.
        if l.attrs.iter().any(super::visitor::is_cfg_test) {
            return;
        }
        let Some(init) = &l.init else {
            return visit::visit_local(self, l);
        };
        if let Some(name) = pat_ident(&l.pat) {
            if let Some(f) = warp::eval(&init.expr, self, false) {
                self.set_var(name, Val::Warp(f));
                return;
            }
            if let Some(items) = self.chain_items(&init.expr) {
                self.set_var(name, Val::Items(items));
                return;
            }
            if let Some(val) = self.call_val(&init.expr) {
                self.set_var(name, val);
                visit::visit_local(self, l);
                return;
            }
            let routes = method_routes(&init.expr, "", line_of(&init.expr), self.uses);
            if !routes.is_empty() {
                self.set_var(name, Val::Method(routes));
                return;
            }
        } else if let syn::Pat::Tuple(t) = &l.pat {
            // `let (router, api) = api_router.split_for_parts();`,
            // `let (_, health_service) = tonic_health::server::health_reporter();`
            let names: Vec<Option<String>> = t.elems.iter().map(pat_ident).collect();
            if let Some(path) = call_path(&init.expr) {
                if self.uses.resolve(&path).ends_with("health_reporter") {
                    if let Some(Some(n)) = names.get(1) {
                        self.set_var(n.clone(), Val::Grpc("grpc.health.v1.Health".into()));
                    }
                    return;
                }
            }
            if let Some(items) = self.chain_items(&init.expr) {
                if let Some(Some(first)) = names.first() {
                    self.set_var(first.clone(), Val::Items(items));
                }
                return;
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let syn::Expr::Path(p) = a.left.as_ref() {
            if p.path.segments.len() == 1 {
                let name = last_ident(&p.path);
                if matches!(self.vars.get(&name).map(|v| &v.val), Some(Val::Warp(_))) {
                    if let Some(f) = warp::eval(&a.right, self, false) {
                        self.set_var(name, Val::Warp(f));
                        return;
                    }
                }
                if let Some(items) = self.chain_items(&a.right) {
                    self.set_var(name, Val::Items(items));
                    return;
                }
            }
        }
        visit::visit_expr_assign(self, a);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let (root, mut calls) = flatten(&m.receiver);
        calls.push(Call {
            method: m.method.to_string(),
            args: m.args.iter().collect(),
            line: line_of(&m.method),
        });
        if let Some(items) = self.items_of(root, &calls) {
            self.items.extend(items);
            return;
        }
        // Not a router. No shorter chain on the same root is one either (a chain
        // only gains qualification with more calls), so visit what the chain
        // holds — arguments, turbofish, attributes, the root — without
        // re-reading each sub-chain: that was quadratic in the chain's length.
        self.visit_chain_parts(m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = c.func.as_ref() {
            let resolved = self.uses.resolve(&path_text(&p.path));
            if resolved == "warp::serve" || resolved.ends_with("::warp::serve") {
                if let Some(items) = c.args.first().and_then(|a| self.warp_items(a)) {
                    self.items.extend(items);
                    return;
                }
            }
            // `api::services(cfg)`, `routes::mount(&mut app)`: a function adds to
            // the router this function holds.
            let name = last_ident(&p.path);
            let passes_router = c.args.iter().any(|a| {
                let a = strip_ref(a);
                matches!(a, syn::Expr::Path(ap) if ap.path.segments.len() == 1
                    && matches!(self.vars.get(&last_ident(&ap.path)).map(|v| &v.val), Some(Val::Items(_))))
            });
            if passes_router && is_fn_like(&name) && !is_type_constructor(&p.path) {
                let args = c
                    .args
                    .iter()
                    .map(|a| self.simple_arg(a).unwrap_or(CallArg::Other))
                    .collect();
                self.items.push(RouteItem::Mount {
                    prefix: String::new(),
                    target: fn_target(&p.path),
                    line: line_of(&p.path),
                    args,
                });
                return;
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Nested items get fragments of their own.
    }
}

impl FragVisitor<'_> {
    /// A gRPC service value: `GreeterServer::new(g).send_compressed(..)`, or the
    /// reflection service `tonic_reflection::server::Builder::configure()..build_v1()`.
    fn grpc_value(&self, expr: &syn::Expr) -> Option<String> {
        let (root, _) = flatten(expr);
        let syn::Expr::Call(c) = root else {
            return None;
        };
        let syn::Expr::Path(p) = c.func.as_ref() else {
            return None;
        };
        let resolved = self.uses.resolve(&path_text(&p.path));
        if resolved.starts_with("tonic_reflection::") {
            return Some("grpc.reflection.v1.ServerReflection".into());
        }
        let owner = owner_type(&p.path);
        (is_type_constructor(&p.path) && owner.ends_with("Server")).then_some(owner)
    }

    /// `let api = api::routes(state)`: a call whose value may be a router,
    /// decided by how it is used.
    fn call_val(&mut self, expr: &syn::Expr) -> Option<Val> {
        if let Some(name) = self.grpc_value(expr) {
            return Some(Val::Grpc(name));
        }
        let syn::Expr::Call(c) = strip_try(expr) else {
            return None;
        };
        let syn::Expr::Path(p) = c.func.as_ref() else {
            return None;
        };
        let name = last_ident(&p.path);
        if !is_fn_like(&name) || VERBS.contains(&name.as_str()) {
            return None;
        }
        if is_type_constructor(&p.path) {
            return None;
        }
        let args = self.call_args(c.args.iter());
        Some(Val::Call {
            target: fn_target(&p.path),
            args,
            line: line_of(&p.path),
        })
    }
}

fn strip_ref(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Reference(r) => strip_ref(&r.expr),
        syn::Expr::Paren(p) => strip_ref(&p.expr),
        other => other,
    }
}

fn strip_try(e: &syn::Expr) -> &syn::Expr {
    match e {
        syn::Expr::Try(t) => strip_try(&t.expr),
        syn::Expr::Await(a) => strip_try(&a.base),
        other => other,
    }
}

fn call_path(e: &syn::Expr) -> Option<String> {
    match strip_try(e) {
        syn::Expr::Call(c) => match c.func.as_ref() {
            // `get_service(ServeDir::new("assets"))`: the service's type.
            syn::Expr::Path(p) if is_type_constructor(&p.path) => Some(owner_type(&p.path)),
            syn::Expr::Path(p) => Some(path_text(&p.path)),
            _ => None,
        },
        _ => None,
    }
}

/// Items merged at the current level (`Mount` with no prefix).
pub(super) fn inline(items: Vec<RouteItem>, line: u32) -> RouteItem {
    RouteItem::Mount {
        prefix: String::new(),
        target: MountTarget::Inline { items },
        line,
        args: Vec::new(),
    }
}

/// `Type::new(..)`, `Type::default()`, `Type::from(..)`: a value's constructor,
/// never a function building routes.
pub(super) fn is_type_constructor(path: &syn::Path) -> bool {
    let n = path.segments.len();
    n >= 2
        && path.segments[n - 2]
            .ident
            .to_string()
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        && matches!(
            path.segments[n - 1].ident.to_string().as_str(),
            "new" | "default" | "from" | "builder" | "with_config" | "create" | "init"
        )
}

/// rocket's `Route::new(Method::Get, "/x", handler)` / `Route::ranked(rank, Get, "/x", h)`.
fn rocket_manual_route(
    args: &syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>,
    line: u32,
) -> Option<RouteItem> {
    let args: Vec<&syn::Expr> = args.iter().collect();
    let at = args.iter().position(|a| lit_str(a).is_some())?;
    let method = args[..at].iter().rev().find_map(|a| match a {
        syn::Expr::Path(p) => {
            let m = last_ident(&p.path).to_ascii_lowercase();
            VERBS.contains(&m.as_str()).then(|| m.to_ascii_uppercase())
        }
        _ => None,
    })?;
    let path = lit_str(args[at])?;
    let handler = args.get(at + 1).and_then(|h| handler_name(h));
    Some(route_item(vec![method], &path, handler, line, Vec::new()))
}

/// poem-openapi API types given to `OpenApiService::new`: `Api` or `(A, B)`.
fn impl_mounts(expr: &syn::Expr, line: u32) -> Vec<RouteItem> {
    match expr {
        syn::Expr::Tuple(t) => t.elems.iter().flat_map(|e| impl_mounts(e, line)).collect(),
        syn::Expr::Paren(p) => impl_mounts(&p.expr, line),
        syn::Expr::Path(p) => vec![RouteItem::Mount {
            prefix: String::new(),
            target: MountTarget::Impl {
                self_ty: last_ident(&p.path),
            },
            line,
            args: Vec::new(),
        }],
        syn::Expr::Struct(s) => vec![RouteItem::Mount {
            prefix: String::new(),
            target: MountTarget::Impl {
                self_ty: last_ident(&s.path),
            },
            line,
            args: Vec::new(),
        }],
        syn::Expr::Call(c) => match c.func.as_ref() {
            // `Api::new(db)` or a tuple struct `Api(db)`.
            syn::Expr::Path(p) => {
                vec![RouteItem::Mount {
                    prefix: String::new(),
                    target: MountTarget::Impl {
                        self_ty: owner_type(&p.path),
                    },
                    line,
                    args: Vec::new(),
                }]
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// One method call of a chain: its name, arguments and line.
pub(super) struct Call<'e> {
    pub(super) method: String,
    pub(super) args: Vec<&'e syn::Expr>,
    pub(super) line: u32,
}

/// Split `a.b(x).c(y)` into the root `a` and `[(b, [x]), (c, [y])]`, looking
/// through `?`, `.await` and parentheses.
pub(super) fn flatten(expr: &syn::Expr) -> (&syn::Expr, Vec<Call<'_>>) {
    let mut calls = Vec::new();
    let mut cur = expr;
    loop {
        match cur {
            syn::Expr::MethodCall(m) => {
                calls.push(Call {
                    method: m.method.to_string(),
                    args: m.args.iter().collect(),
                    line: line_of(&m.method),
                });
                cur = &m.receiver;
            }
            syn::Expr::Try(t) => cur = &t.expr,
            syn::Expr::Await(a) => cur = &a.base,
            syn::Expr::Paren(p) => cur = &p.expr,
            _ => break,
        }
    }
    calls.reverse();
    (cur, calls)
}

/// A name for a service value: `ServeDir::new(..)` → `ServeDir`, `svc` → `svc`.
fn service_name(expr: &syn::Expr) -> String {
    let (root, _) = flatten(expr);
    match root {
        syn::Expr::Call(c) => match c.func.as_ref() {
            syn::Expr::Path(p) if is_type_constructor(&p.path) => owner_type(&p.path),
            syn::Expr::Path(p) => path_text(&p.path),
            _ => compact_tokens(root, 80),
        },
        syn::Expr::Path(p) => path_text(&p.path),
        other => compact_tokens(other, 80),
    }
}

pub(super) fn fn_target(path: &syn::Path) -> MountTarget {
    let (name, qualifier) = split_qualified(&path_text(path));
    MountTarget::Fn { name, qualifier }
}

/// `crate::routes::users::create` → (`create`, `routes::users`): the name and
/// the module path naming it, without `crate`/`self`/`super`.
fn split_qualified(full: &str) -> (String, Option<String>) {
    let mut segs: Vec<&str> = full
        .split("::")
        .filter(|s| !matches!(*s, "crate" | "self" | "super"))
        .collect();
    let name = segs.pop().unwrap_or("").to_string();
    let qualifier = (!segs.is_empty()).then(|| segs.join("::"));
    (name, qualifier)
}

/// The type a call's path names: `Api::new` → `Api`, or the path itself when it
/// has one segment (`Api(db)`).
pub(super) fn owner_type(path: &syn::Path) -> String {
    let n = path.segments.len();
    let seg = if n >= 2 {
        &path.segments[n - 2]
    } else {
        &path.segments[n.saturating_sub(1)]
    };
    seg.ident.to_string()
}

fn grpc_service_name(expr: &syn::Expr) -> String {
    match expr {
        syn::Expr::Call(c) => match c.func.as_ref() {
            // `FooServer::new(x)` → `FooServer`.
            syn::Expr::Path(p) => owner_type(&p.path),
            _ => compact_tokens(expr, 80),
        },
        syn::Expr::MethodCall(m) => grpc_service_name(&m.receiver),
        syn::Expr::Path(p) => last_ident(&p.path),
        syn::Expr::Reference(r) => grpc_service_name(&r.expr),
        syn::Expr::Paren(p) => grpc_service_name(&p.expr),
        other => compact_tokens(other, 80),
    }
}

pub(super) fn pat_ident(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        syn::Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

/// A lower-case name: a function, not a type or constant.
pub(super) fn is_fn_like(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c == '_')
}
