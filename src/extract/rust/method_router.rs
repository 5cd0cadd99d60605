//! Method routers: which methods reach which handler at one path.
//!
//! axum `get(h).post(h2)`, actix-web `web::get().to(h)` and `.guard(..)`, poem
//! `get(h)`, axum `on(MethodFilter::GET, h)` and `any(h)`, aide `get_with(h, docs)`,
//! `*_service(..)` variants; layers applied to the method router
//! (`get(h).layer(..)`) stay with its routes.

use super::model::{LayerFact, RouteItem};
use super::resolve::{compact_tokens, last_ident, path_text, UseMap};
use super::router::{flatten, is_type_constructor, owner_type};
use syn::visit::{self, Visit};

pub const VERBS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "trace", "connect",
];

/// The methods a helper's name suggests: `get_internal` → GET, `post_json` → POST.
pub(super) fn methods_named_by(name: &str) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split('_').collect();
    let found: Vec<String> = VERBS
        .iter()
        .filter(|v| words.first() == Some(*v) || words.last() == Some(*v))
        .map(|v| v.to_ascii_uppercase())
        .collect();
    if found.is_empty() {
        vec!["ANY".into()]
    } else {
        found
    }
}

/// Routes from a method router: axum `get(h).post(h2)`, actix `web::get().to(h)`,
/// poem `get(h)`, axum `on(MethodFilter::GET, h)`, `any(h)`, aide `get_with(h, docs)`.
pub(super) fn method_routes(
    expr: &syn::Expr,
    path: &str,
    line: u32,
    uses: &UseMap,
) -> Vec<RouteItem> {
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
        let verb = method
            .trim_end_matches("_service")
            .trim_end_matches("_with")
            .trim_end_matches("_api_service");
        let upper = if verb == "any" {
            "ANY".to_string()
        } else {
            verb.to_ascii_uppercase()
        };
        let with = method.ends_with("_with");
        match (VERBS.contains(&verb) || verb == "any", args.len()) {
            (true, 1) => pairs.push((upper, handler_name(args[0]))),
            (true, 2) if with => pairs.push((upper, handler_name(args[0]))),
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
                    let filter = compact_tokens(args[0], 80).to_ascii_lowercase();
                    for m in VERBS.iter().filter(|v| filter.contains(*v)) {
                        pairs.push((m.to_ascii_uppercase(), handler_name(args[1])));
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
                "to" if args.len() == 1 => pairs.push(("ANY".into(), handler_name(args[0]))),
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
                if pending.is_empty() {
                    pending.push("ANY".into());
                }
                for m in pending.drain(..) {
                    pairs.push((m, h.clone()));
                }
            }
            "layer" | "route_layer" | "wrap" | "with" if args.len() == 1 => {
                layers.push(layer_fact(args[0], *line, uses));
            }
            "guard" if args.len() == 1 => {
                let text = compact_tokens(args[0], 40).to_ascii_lowercase();
                if let Some(verb) = VERBS.iter().find(|verb| text.contains(*verb)) {
                    pending.push(verb.to_ascii_uppercase());
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

pub(super) fn route_item(
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
        query_type: None,
        documented: false,
        fallback: false,
    }
}

/// The handler a method router points at: `users::list` (a path), or `None` for a
/// closure or an expression.
pub(super) fn handler_name(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(p) => Some(path_text(&p.path)),
        syn::Expr::Reference(r) => handler_name(&r.expr),
        syn::Expr::Paren(p) => handler_name(&p.expr),
        syn::Expr::MethodCall(m) => handler_name(&m.receiver),
        syn::Expr::Call(c) => match c.func.as_ref() {
            // `get_service(ServeDir::new("assets"))`: the service's type.
            syn::Expr::Path(p) if is_type_constructor(&p.path) => Some(owner_type(&p.path)),
            syn::Expr::Path(p) => Some(path_text(&p.path)),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn layer_fact(expr: &syn::Expr, line: u32, uses: &UseMap) -> LayerFact {
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
