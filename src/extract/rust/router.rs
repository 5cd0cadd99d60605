//! Router fragments: the routes, mounts and middleware one function body builds.
//!
//! Web frameworks build routers as method-call chains:
//! axum `Router::new().route("/x", get(h)).nest("/v1", api())`, actix-web
//! `App::new().service(web::scope("/api").route("/x", web::get().to(h)))`, poem
//! `Route::new().at("/x", get(h))`, rocket `.mount("/", routes![a, b])`, salvo
//! `Router::with_path("x").get(h).push(..)`, tonic `Server::builder().add_service(..)`.
//! This module reads such chains without knowing receiver types: a chain counts
//! as a router when its root is a known router constructor, a variable already
//! known to hold a router, a parameter typed as one, or when it calls a method
//! that only routers have with the shape only routers use (`.route("/x", ..)`,
//! `.nest("/x", ..)`, `.mount("/x", ..)`).
//!
//! Local variables are followed (`let api = Router::new()...; app.nest("/api", api)`)
//! and calls to other functions are kept as named mounts, joined across files in
//! [`crate::facts::routes`].

use super::model::{LayerFact, MountTarget, RouteItem};
use super::resolve::{compact_tokens, last_ident, line_of, lit_str, path_text, UseMap};
use std::collections::HashMap;
use syn::visit::{self, Visit};

const VERBS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "trace", "connect",
];

/// Constructors that start a router chain, matched on the last two path segments
/// (or the last one for free functions such as `web::scope`).
fn is_router_constructor(path: &str) -> bool {
    let segs: Vec<&str> = path.rsplit("::").collect();
    let last = segs.first().copied().unwrap_or("");
    let owner = segs.get(1).copied().unwrap_or("");
    matches!(
        (owner, last),
        ("Router", "new")
            | ("Router", "with_path")
            | ("Router", "with_state")
            | ("ApiRouter", "new")
            | ("OpenApiRouter", "new")
            | ("OpenApiRouter", "with_openapi")
            | ("App", "new")
            | ("Scope", "new")
            | ("Resource", "new")
            | ("Route", "new")
            | ("Server", "builder")
            | ("rocket", "build")
            | ("rocket", "custom")
            | ("web", "scope")
            | ("web", "resource")
    ) || (owner.is_empty() && matches!(last, "scope" | "resource"))
}

/// The items of every router built in `block`.
pub fn fragment_items(block: &syn::Block, uses: &UseMap) -> Vec<RouteItem> {
    let mut v = FragVisitor::new(uses);
    v.visit_block(block);
    v.finish()
}

struct Var {
    items: Vec<RouteItem>,
    used: bool,
}

struct FragVisitor<'a> {
    uses: &'a UseMap,
    vars: HashMap<String, Var>,
    order: Vec<String>,
    items: Vec<RouteItem>,
}

impl<'a> FragVisitor<'a> {
    fn new(uses: &'a UseMap) -> Self {
        FragVisitor {
            uses,
            vars: HashMap::new(),
            order: Vec::new(),
            items: Vec::new(),
        }
    }

    fn finish(mut self) -> Vec<RouteItem> {
        for name in std::mem::take(&mut self.order) {
            if let Some(var) = self.vars.remove(&name) {
                if !var.used {
                    self.items.extend(var.items);
                }
            }
        }
        self.items
    }

    fn set_var(&mut self, name: String, items: Vec<RouteItem>) {
        if !self.vars.contains_key(&name) {
            self.order.push(name.clone());
        }
        self.vars.insert(name, Var { items, used: false });
    }

    fn take_var(&mut self, name: &str) -> Option<Vec<RouteItem>> {
        let var = self.vars.get_mut(name)?;
        var.used = true;
        Some(var.items.clone())
    }

    /// Items of a router chain, or `None` when `expr` is not one.
    fn chain_items(&mut self, expr: &syn::Expr) -> Option<Vec<RouteItem>> {
        let (root, calls) = flatten(expr);
        self.items_of(root, &calls)
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
                    if matches!(last.as_str(), "scope" | "resource" | "with_path")
                        || (last == "new"
                            && (raw.ends_with("Scope::new") || raw.ends_with("Resource::new")))
                    {
                        prefix = c.args.first().and_then(lit_str);
                    }
                } else if is_fn_like(&last) && !calls.is_empty() {
                    items.push(RouteItem::Mount {
                        prefix: String::new(),
                        target: fn_target(&p.path),
                        line: line_of(&p.path),
                    });
                } else if !calls.is_empty() {
                    // e.g. `Files::new(..).show_files_listing()`: not a router.
                } else {
                    return None;
                }
            }
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                if let Some(var_items) = self.take_var(&name) {
                    qualified = true;
                    items = var_items;
                }
            }
            _ => {}
        }
        if calls.is_empty() && !qualified {
            return None;
        }
        for call in calls {
            let (m, args, line) = (call.method.as_str(), &call.args, &call.line);
            let lit0 = args
                .first()
                .copied()
                .and_then(|a| lit_str(a).or_else(|| const_path(a)));
            match (m, args.len()) {
                ("route", 2) if lit0.is_some() => {
                    qualified = true;
                    let path = lit0.unwrap_or_default();
                    items.extend(method_routes(args[1], &path, *line, self.uses));
                }
                ("route", 1) => {
                    let routes = method_routes(args[0], "", *line, self.uses);
                    if !routes.is_empty() {
                        qualified = true;
                        items.extend(routes);
                    }
                }
                ("to", 1) => items.push(route_item(
                    vec!["ANY".into()],
                    "",
                    handler_name(args[0]),
                    *line,
                    Vec::new(),
                )),
                (v, 1) if VERBS.contains(&v) && qualified => items.push(route_item(
                    vec![v.to_ascii_uppercase()],
                    "",
                    handler_name(args[0]),
                    *line,
                    Vec::new(),
                )),
                ("route_service", 2) | ("nest_service", 2) | ("serve_dir", 2) if lit0.is_some() => {
                    qualified = true;
                    items.push(RouteItem::Mount {
                        prefix: lit0.unwrap_or_default(),
                        target: MountTarget::Opaque {
                            text: compact_tokens(args[1], 120),
                        },
                        line: *line,
                    });
                }
                ("nest", 2) | ("nest_no_strip", 2) | ("mount", 2) | ("at", 2) if lit0.is_some() => {
                    qualified = true;
                    let prefix = lit0.unwrap_or_default();
                    let routes = if m == "at" {
                        method_routes(args[1], &prefix, *line, self.uses)
                    } else {
                        Vec::new()
                    };
                    if routes.is_empty() {
                        let target = self.mount_target(args[1]);
                        items.push(RouteItem::Mount {
                            prefix,
                            target,
                            line: *line,
                        });
                    } else {
                        items.extend(routes);
                    }
                }
                ("merge", 1) | ("push", 1) if qualified => {
                    let target = self.mount_target(args[0]);
                    items.push(RouteItem::Mount {
                        prefix: String::new(),
                        target,
                        line: *line,
                    });
                }
                ("configure", 1)
                    if matches!(args[0], syn::Expr::Closure(_))
                        || matches!(args[0], syn::Expr::Path(p) if !p.path.is_ident("self")) =>
                {
                    qualified = true;
                    let target = self.mount_target(args[0]);
                    items.push(RouteItem::Mount {
                        prefix: String::new(),
                        target,
                        line: *line,
                    });
                }
                ("service", 1) => {
                    if let Some(item) = self.service_item(args[0], *line) {
                        qualified = true;
                        items.push(item);
                    }
                }
                ("add_service", 1) | ("add_optional_service", 1) => {
                    qualified = true;
                    items.push(RouteItem::GrpcService {
                        service: grpc_service_name(args[0]),
                        line: *line,
                    });
                }
                ("path", 1) if qualified => {
                    if let Some(p) = lit0 {
                        prefix = Some(join_prefix(prefix.as_deref().unwrap_or(""), &p));
                    }
                }
                ("layer" | "route_layer" | "wrap" | "wrap_fn" | "with" | "hoop" | "attach", 1) => {
                    items.push(RouteItem::Layer(layer_fact(args[0], *line, self.uses)));
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
            }],
            None => items,
        })
    }

    /// What a `.nest`/`.merge`/`.mount`/`.configure` argument points at.
    fn mount_target(&mut self, expr: &syn::Expr) -> MountTarget {
        match expr {
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                match self.take_var(&name) {
                    Some(items) => MountTarget::Inline { items },
                    None => fn_target(&p.path),
                }
            }
            syn::Expr::Path(p) => fn_target(&p.path),
            syn::Expr::Reference(r) => self.mount_target(&r.expr),
            syn::Expr::Paren(p) => self.mount_target(&p.expr),
            syn::Expr::Closure(c) => {
                let mut inner = FragVisitor::new(self.uses);
                if let Some(syn::Pat::Ident(_) | syn::Pat::Type(_)) = c.inputs.first() {
                    // `|cfg| { cfg.service(..); }`: the parameter is the router.
                    if let Some(name) = c.inputs.first().and_then(pat_ident) {
                        inner.set_var(name, Vec::new());
                    }
                }
                inner.visit_expr(&c.body);
                MountTarget::Inline {
                    items: inner.finish(),
                }
            }
            syn::Expr::Macro(m) => {
                let names = macro_idents(&m.mac);
                MountTarget::Inline {
                    items: names
                        .into_iter()
                        .map(|name| RouteItem::HandlerRef {
                            name,
                            line: line_of(&m.mac.path),
                        })
                        .collect(),
                }
            }
            syn::Expr::Call(c) => {
                if let syn::Expr::Path(p) = c.func.as_ref() {
                    let resolved = self.uses.resolve(&path_text(&p.path));
                    if !is_router_constructor(&resolved) && is_fn_like(&last_ident(&p.path)) {
                        return fn_target(&p.path);
                    }
                }
                match self.chain_items(expr) {
                    Some(items) => MountTarget::Inline { items },
                    None => MountTarget::Opaque {
                        text: compact_tokens(expr, 120),
                    },
                }
            }
            _ => match self.chain_items(expr) {
                Some(items) => MountTarget::Inline { items },
                None => MountTarget::Opaque {
                    text: compact_tokens(expr, 120),
                },
            },
        }
    }

    /// An actix-web `.service(X)` argument.
    fn service_item(&mut self, expr: &syn::Expr, line: u32) -> Option<RouteItem> {
        match expr {
            syn::Expr::Path(p) => {
                let name = last_ident(&p.path);
                if p.path.segments.len() == 1 {
                    if let Some(items) = self.take_var(&name) {
                        return Some(RouteItem::Mount {
                            prefix: String::new(),
                            target: MountTarget::Inline { items },
                            line,
                        });
                    }
                }
                is_fn_like(&name).then_some(RouteItem::HandlerRef { name, line })
            }
            syn::Expr::Call(_) | syn::Expr::MethodCall(_) => {
                let items = self.chain_items(expr)?;
                Some(RouteItem::Mount {
                    prefix: String::new(),
                    target: MountTarget::Inline { items },
                    line,
                })
            }
            _ => None,
        }
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
        if let (Some(name), Some(init)) = (pat_ident(&l.pat), &l.init) {
            if let Some(items) = self.chain_items(&init.expr) {
                self.set_var(name, items);
                return;
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let syn::Expr::Path(p) = a.left.as_ref() {
            if p.path.segments.len() == 1 {
                if let Some(items) = self.chain_items(&a.right) {
                    self.set_var(last_ident(&p.path), items);
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

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Nested items get fragments of their own.
    }
}

/// A path given as a constant (`route(ANSI_UP_URL, ..)`): recorded as `$NAME`
/// and resolved to the constant's literal when facts are joined.
fn const_path(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(p) => {
            let name = last_ident(&p.path);
            (name.len() > 1
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
            .then(|| format!("${name}"))
        }
        syn::Expr::Reference(r) => const_path(&r.expr),
        _ => None,
    }
}

/// One method call of a chain: its name, arguments and line.
struct Call<'e> {
    method: String,
    args: Vec<&'e syn::Expr>,
    line: u32,
}

/// Split `a.b(x).c(y)` into the root `a` and `[(b, [x]), (c, [y])]`, looking
/// through `?`, `.await` and parentheses.
fn flatten(expr: &syn::Expr) -> (&syn::Expr, Vec<Call<'_>>) {
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

/// Routes from a method router: axum `get(h).post(h2)`, actix `web::get().to(h)`,
/// poem `get(h)`, axum `on(MethodFilter::GET, h)`, `any(h)`.
fn method_routes(expr: &syn::Expr, path: &str, line: u32, uses: &UseMap) -> Vec<RouteItem> {
    let (root, calls) = flatten(expr);
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut layers = Vec::new();
    fn add(
        method: &str,
        args: &[&syn::Expr],
        pairs: &mut Vec<(String, Option<String>)>,
        pending: &mut Vec<String>,
    ) {
        let verb = method.trim_end_matches("_service");
        let upper = if verb == "any" {
            "ANY".to_string()
        } else {
            verb.to_ascii_uppercase()
        };
        match (VERBS.contains(&verb) || verb == "any", args.len()) {
            (true, 1) => pairs.push((upper, handler_name(args[0]))),
            (true, 0) => pending.push(upper),
            _ => {}
        }
    }
    match root {
        syn::Expr::Call(c) => {
            let syn::Expr::Path(p) = c.func.as_ref() else {
                return Vec::new();
            };
            let last = last_ident(&p.path);
            let args: Vec<&syn::Expr> = c.args.iter().collect();
            match last.as_str() {
                "on" | "on_service" if args.len() == 2 => {
                    let filter = compact_tokens(args[0], 80);
                    let methods: Vec<String> = VERBS
                        .iter()
                        .filter(|v| filter.to_ascii_lowercase().contains(*v))
                        .map(|v| v.to_ascii_uppercase())
                        .collect();
                    for m in methods {
                        pairs.push((m, handler_name(args[1])));
                    }
                }
                "route" | "method" if args.len() <= 1 => {
                    let text = args
                        .first()
                        .map(|a| compact_tokens(*a, 40))
                        .unwrap_or_default();
                    let m = VERBS
                        .iter()
                        .find(|v| text.to_ascii_lowercase().contains(*v))
                        .map(|v| v.to_ascii_uppercase())
                        .unwrap_or_else(|| "ANY".into());
                    pending.push(m);
                }
                other => add(other, &args, &mut pairs, &mut pending),
            }
        }
        _ => return Vec::new(),
    }
    for call in &calls {
        let (args, line) = (&call.args, &call.line);
        match call.method.as_str() {
            "to" | "to_async" if args.len() == 1 => {
                let h = handler_name(args[0]);
                for m in pending.drain(..) {
                    pairs.push((m, h.clone()));
                }
            }
            "layer" | "route_layer" | "wrap" | "with" if args.len() == 1 => {
                layers.push(layer_fact(args[0], *line, uses));
            }
            "guard" if args.len() == 1 => {
                let text = compact_tokens(args[0], 40).to_ascii_lowercase();
                if let Some(v) = VERBS.iter().find(|v| text.contains(*v)) {
                    pending.push(v.to_ascii_uppercase());
                }
            }
            m => add(m, args, &mut pairs, &mut pending),
        }
    }
    // Group methods that share a handler into one route.
    let mut routes: Vec<RouteItem> = Vec::new();
    for (method, handler) in pairs {
        if let Some(RouteItem::Route { methods, .. }) = routes
            .iter_mut()
            .find(|r| matches!(r, RouteItem::Route { handler: h, .. } if *h == handler))
        {
            methods.push(method);
            continue;
        }
        routes.push(route_item(
            vec![method],
            path,
            handler,
            line,
            layers.clone(),
        ));
    }
    routes
}

fn route_item(
    methods: Vec<String>,
    path: &str,
    handler: Option<String>,
    line: u32,
    layers: Vec<LayerFact>,
) -> RouteItem {
    RouteItem::Route {
        methods,
        path: path.to_string(),
        handler,
        framework: "",
        line,
        layers,
    }
}

/// The handler a method router points at: `users::list` (a path), or `None` for a
/// closure or an expression.
fn handler_name(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(p) => Some(path_text(&p.path)),
        syn::Expr::Reference(r) => handler_name(&r.expr),
        syn::Expr::Paren(p) => handler_name(&p.expr),
        syn::Expr::MethodCall(m) => handler_name(&m.receiver),
        syn::Expr::Call(c) => match c.func.as_ref() {
            syn::Expr::Path(p) => Some(path_text(&p.path)),
            _ => None,
        },
        _ => None,
    }
}

fn layer_fact(expr: &syn::Expr, line: u32, uses: &UseMap) -> LayerFact {
    struct Paths<'u> {
        uses: &'u UseMap,
        paths: Vec<String>,
        methods: Vec<String>,
    }
    impl<'ast> Visit<'ast> for Paths<'_> {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            let text = self.uses.resolve(&path_text(p));
            if !self.paths.contains(&text) {
                self.paths.push(text);
            }
            visit::visit_path(self, p);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let name = m.method.to_string();
            if !self.methods.contains(&name) {
                self.methods.push(name);
            }
            visit::visit_expr_method_call(self, m);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            self.visit_path(&mac.path);
        }
    }
    let mut v = Paths {
        uses,
        paths: Vec::new(),
        methods: Vec::new(),
    };
    v.visit_expr(expr);
    LayerFact {
        text: compact_tokens(expr, 300),
        paths: v.paths,
        methods: v.methods,
        line,
    }
}

fn fn_target(path: &syn::Path) -> MountTarget {
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let name = segs.last().cloned().unwrap_or_default();
    let qualifier = (segs.len() >= 2).then(|| segs[segs.len() - 2].clone());
    MountTarget::Fn { name, qualifier }
}

fn grpc_service_name(expr: &syn::Expr) -> String {
    match expr {
        syn::Expr::Call(c) => match c.func.as_ref() {
            syn::Expr::Path(p) => {
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                // `FooServer::new(x)` → `FooServer`.
                if segs.len() >= 2 {
                    segs[segs.len() - 2].clone()
                } else {
                    segs.join("::")
                }
            }
            _ => compact_tokens(expr, 80),
        },
        syn::Expr::MethodCall(m) => grpc_service_name(&m.receiver),
        syn::Expr::Path(p) => last_ident(&p.path),
        other => compact_tokens(other, 80),
    }
}

fn macro_idents(mac: &syn::Macro) -> Vec<String> {
    use syn::punctuated::Punctuated;
    mac.parse_body_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        .map(|list| list.iter().map(last_ident).collect())
        .unwrap_or_default()
}

fn pat_ident(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        syn::Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

/// A lower-case name: a function, not a type or constant.
fn is_fn_like(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c == '_')
}

/// Join a mount prefix and a path the way frameworks do: exactly one `/` between.
pub fn join_prefix(prefix: &str, path: &str) -> String {
    let a = prefix.trim_end_matches('/');
    let b = path.trim_start_matches('/');
    match (a.is_empty(), b.is_empty()) {
        (true, true) => "/".to_string(),
        (true, false) => format!("/{b}"),
        (false, true) => {
            if a.starts_with('/') {
                a.to_string()
            } else {
                format!("/{a}")
            }
        }
        (false, false) => {
            if a.starts_with('/') {
                format!("{a}/{b}")
            } else {
                format!("/{a}/{b}")
            }
        }
    }
}
