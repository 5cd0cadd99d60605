//! Turning syntax into names: `use` imports, path text and compact token text.
//!
//! Rules match on paths by their trailing segments (`CorsLayer`,
//! `tower_http::cors::CorsLayer`), so each path seen in code is resolved through
//! the file's imports: after `use tower_http::cors::CorsLayer;`, `CorsLayer::new()`
//! is recorded as `tower_http::cors::CorsLayer::new`. Resolution is per file and
//! ignores scoping inside the file, which is what real service code needs.
//!
//! A path whose first segment names a module the file declares (`mod redis;`)
//! is that local module, not the crate of the same name: `redis::Connector`
//! there is recorded as `self::redis::Connector`, as `use crate::redis` and
//! `use super::redis` already make it `crate::redis::..`/`super::redis::..`.

use proc_macro2::Span;
use quote::ToTokens;
use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;

/// The imports of one file.
#[derive(Debug, Default)]
pub struct UseMap {
    names: HashMap<String, String>,
    /// Modules declared in the file (`mod x;`, `mod x { .. }`).
    mods: std::collections::HashSet<String>,
}

impl UseMap {
    /// Collect every `use` in the file, including those in nested modules and blocks.
    pub fn from_file(file: &syn::File) -> Self {
        let mut map = UseMap::default();
        for item in &file.items {
            if let syn::Item::Mod(m) = item {
                map.mods.insert(m.ident.to_string());
            }
        }
        map.collect_items(&file.items);
        map
    }

    fn collect_items(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Use(u) => self.collect_tree(&u.tree, &mut Vec::new()),
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.collect_items(items);
                    }
                }
                syn::Item::ExternCrate(e) => {
                    if let Some((_, alias)) = &e.rename {
                        self.names.insert(alias.to_string(), e.ident.to_string());
                    }
                }
                syn::Item::Fn(f) => self.collect_block(&f.block),
                _ => {}
            }
        }
    }

    fn collect_block(&mut self, block: &syn::Block) {
        for stmt in &block.stmts {
            if let syn::Stmt::Item(syn::Item::Use(u)) = stmt {
                self.collect_tree(&u.tree, &mut Vec::new());
            }
        }
    }

    fn collect_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.collect_tree(&p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let ident = n.ident.to_string();
                if ident == "self" {
                    if let Some(last) = prefix.last() {
                        self.insert(last.clone(), prefix.join("::"));
                    }
                } else {
                    let full = join(prefix, &ident);
                    self.insert(ident, full);
                }
            }
            syn::UseTree::Rename(r) => {
                let alias = r.rename.to_string();
                if alias != "_" {
                    let full = if r.ident == "self" {
                        prefix.join("::")
                    } else {
                        join(prefix, &r.ident.to_string())
                    };
                    self.insert(alias, full);
                }
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.collect_tree(t, prefix);
                }
            }
            syn::UseTree::Glob(_) => {}
        }
    }

    fn insert(&mut self, name: String, full: String) {
        // `use redis::Client;` next to `mod redis;` imports from the module.
        let full = match split_first(&full) {
            (first, Some(_)) if self.mods.contains(first) => format!("self::{full}"),
            _ => full,
        };
        // An import of the same name in two scopes: keep the first, which is the
        // module-level one in the common case.
        self.names.entry(name).or_insert(full);
    }

    /// Resolve a `::`-joined path through the imports.
    pub fn resolve(&self, path: &str) -> String {
        self.resolve_cow(path).into_owned()
    }

    /// [`UseMap::resolve`], borrowing `path` when no import renames it (the
    /// common case: no allocation).
    pub fn resolve_cow<'p>(&self, path: &'p str) -> Cow<'p, str> {
        let (first, rest) = split_first(path);
        match (self.names.get(first), rest) {
            (Some(full), Some(rest)) => Cow::Owned(format!("{full}::{rest}")),
            (Some(full), None) => Cow::Owned(full.clone()),
            (None, Some(_)) if self.mods.contains(first) => Cow::Owned(format!("self::{path}")),
            (None, _) => Cow::Borrowed(path),
        }
    }

    /// Whether resolving `path` changes it (`resolve(path) != path`), without
    /// building the resolved path.
    pub fn renames(&self, path: &str) -> bool {
        let (first, rest) = split_first(path);
        self.names.get(first).is_some_and(|full| full != first)
            || (rest.is_some() && !self.names.contains_key(first) && self.mods.contains(first))
    }

    /// Every import as `(alias, full path)`, sorted.
    pub fn imports(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<_> = self
            .names
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        v.sort();
        v
    }
}

/// `a::b::c` → (`a`, Some(`b::c`)); `a` → (`a`, None).
fn split_first(path: &str) -> (&str, Option<&str>) {
    let bytes = path.as_bytes();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b':') {
        let at = i + off;
        if bytes.get(at + 1) == Some(&b':') {
            return (&path[..at], Some(&path[at + 2..]));
        }
        i = at + 1;
    }
    (path, None)
}

fn join(prefix: &[String], last: &str) -> String {
    if prefix.is_empty() {
        last.to_string()
    } else {
        format!("{}::{last}", prefix.join("::"))
    }
}

/// The segments of a path joined with `::`, generics dropped.
pub fn path_text(path: &syn::Path) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(16 * path.segments.len());
    for (i, seg) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        let _ = write!(out, "{}", seg.ident);
    }
    out
}

/// The last segment of a path.
pub fn last_ident(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Token text with insignificant whitespace removed, capped at `cap` bytes.
pub fn compact_tokens<T: ToTokens>(node: &T, cap: usize) -> String {
    compact(&node.to_token_stream().to_string(), cap)
}

/// Remove the spaces `TokenStream::to_string` puts between tokens, keeping those
/// that separate two identifiers or keywords (`impl IntoResponse`, `&mut self`).
pub fn compact(text: &str, cap: usize) -> String {
    let mut out = String::with_capacity(text.len().min(cap));
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        if c == '"' && prev != Some('\\') {
            in_str = !in_str;
        }
        if c == ' ' && !in_str {
            let next = chars.peek().copied();
            let word = |ch: Option<char>| ch.is_some_and(|ch| ch.is_alphanumeric() || ch == '_');
            if word(prev) && word(next) {
                out.push(' ');
            }
            prev = Some(c);
            continue;
        }
        out.push(c);
        prev = Some(c);
        if out.len() >= cap {
            out.push('…');
            break;
        }
    }
    out
}

/// The string value of an expression that is a string literal.
pub fn lit_str(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        syn::Expr::Group(g) => lit_str(&g.expr),
        syn::Expr::Paren(p) => lit_str(&p.expr),
        syn::Expr::Reference(r) => lit_str(&r.expr),
        _ => None,
    }
}

/// The 1-based line where a syntax node starts.
///
/// `Spanned::span` prints the whole node back into a token stream to find its
/// first and last tokens, which for a path on every expression (or a function
/// body, below) cost more than reading the facts. For the nodes facts are read
/// from most often the first token is known directly; the line is the same.
pub fn line_of<T: syn::spanned::Spanned + 'static>(node: &T) -> u32 {
    let span = first_span(node).unwrap_or_else(|| node.span());
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

/// The 1-based line where a syntax node ends.
pub fn end_line_of<T: syn::spanned::Spanned + 'static>(node: &T) -> u32 {
    let any: &dyn Any = node;
    let span = match any.downcast_ref::<syn::Block>() {
        Some(b) => b.brace_token.span.close(),
        None => node.span(),
    };
    u32::try_from(span.end().line).unwrap_or(u32::MAX)
}

/// The span of a node's first token, for the node types where it is at hand.
fn first_span(node: &dyn Any) -> Option<Span> {
    if let Some(i) = node.downcast_ref::<syn::Ident>() {
        return Some(i.span());
    }
    if let Some(p) = node.downcast_ref::<syn::Path>() {
        return path_first_span(p);
    }
    if let Some(s) = node.downcast_ref::<syn::LitStr>() {
        return Some(s.span());
    }
    if let Some(a) = node.downcast_ref::<syn::Attribute>() {
        return Some(a.pound_token.span);
    }
    if let Some(u) = node.downcast_ref::<syn::ItemUse>() {
        if let Some(a) = u
            .attrs
            .iter()
            .find(|a| matches!(a.style, syn::AttrStyle::Outer))
        {
            return Some(a.pound_token.span);
        }
        return Some(match &u.vis {
            syn::Visibility::Public(p) => p.span,
            syn::Visibility::Restricted(r) => r.pub_token.span,
            syn::Visibility::Inherited => u.use_token.span,
        });
    }
    None
}

fn path_first_span(p: &syn::Path) -> Option<Span> {
    match (&p.leading_colon, p.segments.first()) {
        (Some(c), _) => Some(c.spans[0]),
        (None, Some(seg)) => Some(seg.ident.span()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(src: &str) -> UseMap {
        UseMap::from_file(&syn::parse_file(src).unwrap())
    }

    #[test]
    fn a_declared_module_is_not_the_crate_of_its_name() {
        let m = map("pub mod redis;\nmod cache { }\nuse redis::Pool;\nuse crate::kafka;\nuse moka::future::Cache;");
        assert_eq!(
            m.resolve("redis::RedisConnector"),
            "self::redis::RedisConnector"
        );
        assert_eq!(m.resolve("Pool::new"), "self::redis::Pool::new");
        assert_eq!(m.resolve("cache::get"), "self::cache::get");
        assert_eq!(m.resolve("kafka::Sink"), "crate::kafka::Sink");
        assert_eq!(m.resolve("Cache::new"), "moka::future::Cache::new");
        assert_eq!(m.resolve("redis"), "redis");
        assert!(m.renames("redis::RedisConnector") && !m.renames("tokio::spawn"));
        // Without the declaration the path is the crate's.
        assert_eq!(map("").resolve("redis::cmd"), "redis::cmd");
    }

    #[test]
    fn resolves_imports_renames_and_groups() {
        let m = map(
            "use tower_http::{cors::CorsLayer, trace::TraceLayer as T};\n\
             use axum::routing::{self, get};\nextern crate serde_json as json;",
        );
        assert_eq!(
            m.resolve("CorsLayer::new"),
            "tower_http::cors::CorsLayer::new"
        );
        assert_eq!(m.resolve("T"), "tower_http::trace::TraceLayer");
        assert_eq!(m.resolve("get"), "axum::routing::get");
        assert_eq!(m.resolve("routing::post"), "axum::routing::post");
        assert_eq!(m.resolve("json::json"), "serde_json::json");
        assert_eq!(m.resolve("unknown::x"), "unknown::x");
        assert!(m.renames("T") && m.renames("CorsLayer::new") && !m.renames("unknown::x"));
        assert_eq!(m.resolve_cow("a:b"), "a:b");
    }

    /// The first token's line, read directly, is the line `Spanned` gives.
    #[test]
    fn fast_lines_equal_spanned_lines() {
        use syn::spanned::Spanned;
        let src = "use a::b;\n#[cfg(x)]\npub use c::{d,\n e};\npub(crate)\nuse f::g;\n\
                   fn f() {\n    let x = ::std::vec::Vec::<u8>::new();\n    m!(\"s\");\n}\n";
        let file = syn::parse_file(src).unwrap();
        let spanned_line = |s: proc_macro2::Span| u32::try_from(s.start().line).unwrap();
        for item in &file.items {
            match item {
                syn::Item::Use(u) => assert_eq!(line_of(u), spanned_line(u.span())),
                syn::Item::Fn(f) => {
                    assert_eq!(end_line_of(&*f.block), 10);
                    assert_eq!(
                        end_line_of(&*f.block),
                        u32::try_from(f.block.span().end().line).unwrap()
                    );
                    assert_eq!(line_of(&f.sig.ident), spanned_line(f.sig.ident.span()));
                    let syn::Stmt::Local(l) = &f.block.stmts[0] else {
                        panic!()
                    };
                    let init = &l.init.as_ref().unwrap().expr;
                    let syn::Expr::Call(c) = init.as_ref() else {
                        panic!()
                    };
                    let syn::Expr::Path(p) = c.func.as_ref() else {
                        panic!()
                    };
                    assert_eq!(line_of(&p.path), 8);
                    assert_eq!(line_of(&p.path), spanned_line(p.path.span()));
                }
                _ => {}
            }
        }
        let attr: syn::Attribute = syn::parse_quote!(#[x]);
        assert_eq!(line_of(&attr), spanned_line(attr.span()));
    }

    #[test]
    fn compact_keeps_word_spaces_only() {
        assert_eq!(compact("Json < Vec < User > >", 100), "Json<Vec<User>>");
        assert_eq!(compact("impl IntoResponse", 100), "impl IntoResponse");
        assert_eq!(compact("& mut self", 100), "&mut self");
        assert_eq!(compact("\"a b\"", 100), "\"a b\"");
    }
}
