//! Turning syntax into names: `use` imports, path text and compact token text.
//!
//! Rules match on paths by their trailing segments (`CorsLayer`,
//! `tower_http::cors::CorsLayer`), so each path seen in code is resolved through
//! the file's imports: after `use tower_http::cors::CorsLayer;`, `CorsLayer::new()`
//! is recorded as `tower_http::cors::CorsLayer::new`. Resolution is per file and
//! ignores scoping inside the file, which is what real service code needs.

use quote::ToTokens;
use std::collections::HashMap;

/// The imports of one file.
#[derive(Debug, Default)]
pub struct UseMap {
    names: HashMap<String, String>,
}

impl UseMap {
    /// Collect every `use` in the file, including those in nested modules and blocks.
    pub fn from_file(file: &syn::File) -> Self {
        let mut map = UseMap::default();
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
        // An import of the same name in two scopes: keep the first, which is the
        // module-level one in the common case.
        self.names.entry(name).or_insert(full);
    }

    /// Resolve a `::`-joined path through the imports.
    pub fn resolve(&self, path: &str) -> String {
        let (first, rest) = match path.split_once("::") {
            Some((f, r)) => (f, Some(r)),
            None => (path, None),
        };
        match (self.names.get(first), rest) {
            (Some(full), Some(rest)) => format!("{full}::{rest}"),
            (Some(full), None) => full.clone(),
            (None, _) => path.to_string(),
        }
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

fn join(prefix: &[String], last: &str) -> String {
    if prefix.is_empty() {
        last.to_string()
    } else {
        format!("{}::{last}", prefix.join("::"))
    }
}

/// The segments of a path joined with `::`, generics dropped.
pub fn path_text(path: &syn::Path) -> String {
    let mut out = String::new();
    for (i, seg) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&seg.ident.to_string());
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
pub fn line_of<T: syn::spanned::Spanned>(node: &T) -> u32 {
    u32::try_from(node.span().start().line).unwrap_or(u32::MAX)
}

/// The 1-based line where a syntax node ends.
pub fn end_line_of<T: syn::spanned::Spanned>(node: &T) -> u32 {
    u32::try_from(node.span().end().line).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(src: &str) -> UseMap {
        UseMap::from_file(&syn::parse_file(src).unwrap())
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
    }

    #[test]
    fn compact_keeps_word_spaces_only() {
        assert_eq!(compact("Json < Vec < User > >", 100), "Json<Vec<User>>");
        assert_eq!(compact("impl IntoResponse", 100), "impl IntoResponse");
        assert_eq!(compact("& mut self", 100), "&mut self");
        assert_eq!(compact("\"a b\"", 100), "\"a b\"");
    }
}
