//! warp filters read as routes.
//!
//! warp has no router: an endpoint is a filter chain such as
//! `warp::path!("todos" / u64).and(warp::put()).and(json_body()).and_then(update)`,
//! and a service is those chains combined with `.or(..)` and passed to
//! `warp::serve`. This module evaluates such expressions into a small filter
//! algebra — a list of alternatives, each with its path, methods, query type,
//! handler and the filters of other functions it includes — and turns the result
//! into router items. `.and` is a product (paths concatenate, methods intersect),
//! `.or` a union, `.map`/`.and_then`/`.then` complete an alternative with its
//! handler. A call to a local function (`todos_list(db)`) is kept as a mount and
//! joined across files like any router function; when the alternative is
//! completed with a handler after it, the call was an extractor (`with_db(db)`)
//! and the route stands on its own. Best effort: what cannot be read (a header
//! filter, a closure) adds no path and no method.

use super::method_router::{handler_name, layer_fact, route_item, VERBS};
use super::model::{CallArg, LayerFact, MountTarget, RouteItem};
use super::resolve::{last_ident, line_of, lit_str, path_text};
use super::router::{flatten, fn_target, inline, is_fn_like, FragVisitor};

/// Alternatives kept per filter: `.and` multiplies them, so a cap keeps a
/// pathological chain from growing without bound.
const MAX_ALTS: usize = 512;

/// One alternative of a filter.
#[derive(Debug, Clone, Default)]
pub struct Alt {
    path: String,
    methods: Vec<String>,
    handler: Option<String>,
    /// Ends in `.map`/`.and_then`/`.then`, or serves files.
    complete: bool,
    query_type: Option<String>,
    /// Filters of other functions combined into this one.
    subs: Vec<(MountTarget, Vec<CallArg>)>,
    layers: Vec<LayerFact>,
    line: u32,
}

/// A filter: the union of its alternatives.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    alts: Vec<Alt>,
}

impl Filter {
    fn one(alt: Alt) -> Filter {
        Filter { alts: vec![alt] }
    }

    /// The filter a function call returns.
    pub fn sub(target: MountTarget, args: Vec<CallArg>) -> Filter {
        Filter::one(Alt {
            subs: vec![(target, args)],
            ..Alt::default()
        })
    }

    /// `self.and(other)`: every pair of alternatives, paths concatenated (at
    /// most [`MAX_ALTS`]).
    fn and(self, other: Filter) -> Filter {
        let mut alts = Vec::new();
        for a in &self.alts {
            for b in other.alts.iter().take(MAX_ALTS.saturating_sub(alts.len())) {
                let methods = match (a.methods.is_empty(), b.methods.is_empty()) {
                    (true, _) => b.methods.clone(),
                    (_, true) => a.methods.clone(),
                    _ => a
                        .methods
                        .iter()
                        .filter(|m| b.methods.contains(m))
                        .cloned()
                        .collect(),
                };
                let mut subs = a.subs.clone();
                subs.extend(b.subs.iter().cloned());
                let mut layers = a.layers.clone();
                layers.extend(b.layers.iter().cloned());
                alts.push(Alt {
                    path: format!("{}{}", a.path, b.path),
                    methods,
                    handler: b.handler.clone().or_else(|| a.handler.clone()),
                    complete: a.complete || b.complete,
                    query_type: b.query_type.clone().or_else(|| a.query_type.clone()),
                    subs,
                    layers,
                    // The line of the part that names the endpoint.
                    line: if b.line > 0 && (a.line == 0 || b.complete || !b.path.is_empty()) {
                        b.line
                    } else {
                        a.line
                    },
                });
            }
        }
        Filter { alts }
    }

    fn or(mut self, other: Filter) -> Filter {
        let room = MAX_ALTS.saturating_sub(self.alts.len());
        self.alts.extend(other.alts.into_iter().take(room));
        self
    }

    fn complete(mut self, handler: Option<String>, line: u32) -> Filter {
        for a in &mut self.alts {
            if !a.complete {
                a.handler = handler.clone();
            }
            a.complete = true;
            if a.line == 0 {
                a.line = line;
            }
        }
        self
    }

    /// Router items: a completed alternative is a route; one that only combines
    /// other functions' filters mounts them under its path.
    pub fn into_items(self) -> Vec<RouteItem> {
        let mut out = Vec::new();
        for a in self.alts {
            if a.complete {
                let path = if a.path.is_empty() {
                    "/"
                } else {
                    a.path.as_str()
                };
                let methods = if a.methods.is_empty() {
                    vec!["ANY".to_string()]
                } else {
                    a.methods
                };
                let mut r = route_item(methods, path, a.handler.clone(), a.line, a.layers.clone());
                if let RouteItem::Route { query_type, .. } = &mut r {
                    *query_type = a.query_type;
                }
                out.push(r);
            } else {
                for (target, args) in a.subs {
                    let mount = RouteItem::Mount {
                        prefix: a.path.clone(),
                        target,
                        line: a.line,
                        args,
                    };
                    if a.layers.is_empty() {
                        out.push(mount);
                    } else {
                        let mut items: Vec<RouteItem> =
                            a.layers.iter().cloned().map(RouteItem::Layer).collect();
                        items.push(mount);
                        out.push(inline(items, a.line));
                    }
                }
            }
        }
        out
    }
}

/// Evaluate `expr` as a warp filter. Without `trusted`, the expression must
/// visibly be warp (a `warp::` path or macro, or a variable holding a filter);
/// with it (an argument of `warp::serve`, the value of a function returning
/// `impl Filter`), calls of local functions count as filters too.
pub(super) fn eval(expr: &syn::Expr, v: &mut FragVisitor<'_>, trusted: bool) -> Option<Filter> {
    let (root, calls) = flatten(expr);
    let mut trusted = trusted;
    if !trusted && !warp_root(root, v) {
        if !v.warp_file {
            return None;
        }
        // A call result (`filters::todos(db)`, or a variable holding one) is a
        // filter only when the chain uses filter combinators on it.
        let combined = calls.iter().any(|c| match c.method.as_str() {
            "and" | "or" | "and_then" | "untuple_one" | "unify" | "recover" | "boxed" => true,
            "with" => c
                .args
                .first()
                .is_some_and(|a| super::resolve::compact_tokens(*a, 40).starts_with("warp::")),
            _ => false,
        });
        if !combined {
            return None;
        }
        trusted = true;
    }
    let mut f = eval_root(root, v, trusted)?;
    for call in &calls {
        let args = &call.args;
        match (call.method.as_str(), args.len()) {
            ("and", 1) => {
                let other = eval(args[0], v, true).unwrap_or_default();
                let other = if other.alts.is_empty() {
                    Filter::one(Alt::default())
                } else {
                    other
                };
                f = f.and(other);
            }
            ("or", 1) => {
                if let Some(other) = eval(args[0], v, true) {
                    f = f.or(other);
                }
            }
            ("map" | "and_then" | "then", 1) => f = f.complete(handler_name(args[0]), call.line),
            ("with", 1) => {
                let layer = layer_fact(args[0], call.line, v.uses);
                for a in &mut f.alts {
                    a.layers.push(layer.clone());
                }
            }
            _ => {}
        }
    }
    Some(f)
}

/// Whether a chain root is visibly warp: a `warp::` call or macro, or a variable
/// holding a filter.
fn warp_root(root: &syn::Expr, v: &FragVisitor<'_>) -> bool {
    match root {
        syn::Expr::Macro(m) => v
            .uses
            .resolve(&path_text(&m.mac.path))
            .starts_with("warp::"),
        syn::Expr::Call(c) => match c.func.as_ref() {
            syn::Expr::Path(p) => v.uses.resolve(&path_text(&p.path)).starts_with("warp::"),
            _ => false,
        },
        syn::Expr::Path(p) if p.path.segments.len() == 1 => v.holds_filter(&last_ident(&p.path)),
        syn::Expr::Reference(r) => warp_root(&r.expr, v),
        _ => false,
    }
}

fn eval_root(root: &syn::Expr, v: &mut FragVisitor<'_>, trusted: bool) -> Option<Filter> {
    let line = line_of(root);
    match root {
        syn::Expr::Macro(m) => {
            let path = v.uses.resolve(&path_text(&m.mac.path));
            if path == "warp::path" || path.ends_with("warp::path") {
                return Some(Filter::one(Alt {
                    path: path_macro(&m.mac),
                    line,
                    ..Alt::default()
                }));
            }
            None
        }
        syn::Expr::Call(c) => {
            let syn::Expr::Path(p) = c.func.as_ref() else {
                return None;
            };
            let raw = path_text(&p.path);
            let resolved = v.uses.resolve(&raw);
            if let Some(rest) = resolved.strip_prefix("warp::") {
                return Some(Filter::one(warp_call(rest, c, &p.path, line)));
            }
            let name = last_ident(&p.path);
            if trusted && is_fn_like(&name) {
                let args = c
                    .args
                    .iter()
                    .map(|a| v.simple_arg(a).unwrap_or(CallArg::Other))
                    .collect();
                return Some(Filter::sub(fn_target(&p.path), args));
            }
            None
        }
        syn::Expr::Path(p) if p.path.segments.len() == 1 => v.warp_var(&last_ident(&p.path)),
        syn::Expr::Path(p) => {
            // `warp::any` without a call is not a filter; a path to a filter value is rare.
            let _ = p;
            None
        }
        syn::Expr::Reference(r) => eval_root(&r.expr, v, trusted),
        _ => None,
    }
}

/// A `warp::…` function call as one alternative.
fn warp_call(rest: &str, c: &syn::ExprCall, path: &syn::Path, line: u32) -> Alt {
    let mut alt = Alt {
        line,
        ..Alt::default()
    };
    match rest {
        "path" => {
            if let Some(s) = c.args.first().and_then(lit_str) {
                alt.path = format!("/{}", s.trim_matches('/'));
            }
        }
        "path::param" => alt.path = "/{param}".into(),
        "path::tail" => alt.path = "/{*tail}".into(),
        "query" | "query::query" | "query::raw" => {
            alt.query_type = generic_arg(path).or_else(|| Some(String::new()));
        }
        "fs::dir" | "fs::file" => {
            if rest == "fs::dir" {
                alt.path = "/{*path}".into();
            }
            alt.methods = vec!["GET".into(), "HEAD".into()];
            alt.handler = Some(format!("warp::{rest}"));
            alt.complete = true;
        }
        verb if VERBS.contains(&verb) => alt.methods = vec![verb.to_ascii_uppercase()],
        _ => {}
    }
    alt
}

/// `T` of `query::<T>()`.
fn generic_arg(path: &syn::Path) -> Option<String> {
    let seg = path.segments.last()?;
    let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
        return None;
    };
    a.args
        .first()
        .map(|g| super::resolve::compact_tokens(g, 80))
}

/// `warp::path!("todos" / u64 / "items")` → `/todos/{u64}/items`.
fn path_macro(mac: &syn::Macro) -> String {
    let mut out = String::new();
    let mut seg = String::new();
    let flush = |seg: &mut String, out: &mut String| {
        let s = seg.trim().to_string();
        if !s.is_empty() && s != ".." {
            out.push('/');
            match syn::parse_str::<syn::LitStr>(&s) {
                Ok(l) => out.push_str(l.value().trim_matches('/')),
                Err(_) => out.push_str(&format!("{{{}}}", s.replace(' ', "").to_lowercase())),
            }
        }
        seg.clear();
    };
    for tt in mac.tokens.clone() {
        match &tt {
            proc_macro2::TokenTree::Punct(p) if p.as_char() == '/' => flush(&mut seg, &mut out),
            other => {
                if !seg.is_empty() {
                    seg.push(' ');
                }
                seg.push_str(&other.to_string());
            }
        }
    }
    flush(&mut seg, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_macro_segments() {
        let e: syn::ExprMacro =
            syn::parse_str(r#"warp::path!("sum" / u32 / "x" / String)"#).unwrap();
        assert_eq!(path_macro(&e.mac), "/sum/{u32}/x/{string}");
    }
}
