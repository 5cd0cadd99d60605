//! The syntax-tree walk that turns one parsed file into [`RustFile`] facts.
//!
//! One pass with `syn::visit`: paths, method calls, macros, string literals,
//! functions, types and impls are recorded with their line and whether they sit in
//! test code. Router fragments are extracted per function body by
//! [`super::router`]. Macro bodies are parsed as expression lists where they can
//! be (`format!`, `vec!`, `sqlx::query!`), so what happens inside them is seen too.
//! Along the way [`super::sql`] follows SQL text to the calls that execute it and
//! [`super::keys`] records key material handed to key and credential calls and
//! literal booleans on security-relevant settings (with the `if` they sit under).

use super::model::*;
use super::resolve::{
    compact_tokens, end_line_of, last_ident, line_of, lit_str, path_text, UseMap,
};
use super::{api_doc, method_router, router};
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{HashMap, HashSet};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::Token;

/// Longest literal kept verbatim.
const MAX_LITERAL: usize = 4096;
/// Longest attribute argument text kept.
const MAX_ATTR: usize = 512;

/// Types so common that recording them only costs memory.
const PRELUDE: &[&str] = &[
    "Self",
    "String",
    "Vec",
    "Option",
    "Result",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "From",
    "Into",
    "Iterator",
    "ToString",
    "PartialEq",
    "Eq",
];

/// Iterator adapters whose closure runs once per element.
const LOOP_ADAPTERS: &[&str] = &[
    "for_each",
    "try_for_each",
    "map",
    "filter_map",
    "flat_map",
    "fold",
    "then",
    "for_each_concurrent",
];

/// Functions and methods whose closure argument runs off the async runtime.
const OFFLOAD_CALLS: &[&str] = &[
    "spawn_blocking",
    "block_in_place",
    "block",
    "unblock",
    "interact",
];

/// Where a path was referenced, for de-duplication: kind, in test, in fn,
/// offloaded.
type RefSeen = (RefKind, bool, Option<u32>, bool);
/// Where a method was called, for de-duplication: chain root, in test, in fn,
/// in loop, in per-element iteration, offloaded.
type MethodSeen = (Option<String>, bool, Option<u32>, bool, bool, bool);

pub struct Collector<'a> {
    uses: &'a UseMap,
    pub out: RustFile,
    test_depth: u32,
    fn_stack: Vec<u32>,
    impl_stack: Vec<(String, Option<String>)>,
    /// Route prefixes of enclosing items: poem-openapi `#[OpenApi(prefix_path = "/x")]`
    /// impls and actix-web `#[scope("/x")]` modules.
    route_prefix: Vec<String>,
    loop_depth: u32,
    iter_depth: u32,
    offload_depth: u32,
    context: Option<String>,
    /// Paths and method names already recorded, with the places they were seen:
    /// looked up by `&str`, so a repeat costs no allocation.
    seen_refs: HashMap<String, Vec<RefSeen>>,
    seen_methods: HashMap<String, Vec<MethodSeen>>,
    seen_calls: HashSet<(String, Option<u32>)>,
    /// Follows SQL text from where it is built to where it is executed.
    sql: super::sql::SqlTracker,
    /// Conditions of the `if`s being visited, innermost last.
    if_stack: Vec<String>,
    /// Bare lowercase names used as values, and names the file binds (see
    /// [`RustFile::fn_values`]).
    value_names: HashSet<String>,
    bound_names: HashSet<String>,
    /// The root of the method-call chain being visited, for the call that is
    /// the receiver of the last one visited (see `visit_expr_method_call`).
    chain_root_cache: Option<(*const syn::ExprMethodCall, Option<String>)>,
}

impl<'a> Collector<'a> {
    pub fn new(uses: &'a UseMap, path: String, role: crate::classify::Role) -> Self {
        Collector {
            uses,
            out: RustFile {
                path,
                role,
                ..RustFile::default()
            },
            test_depth: 0,
            fn_stack: Vec::new(),
            impl_stack: Vec::new(),
            route_prefix: Vec::new(),
            loop_depth: 0,
            iter_depth: 0,
            offload_depth: 0,
            context: None,
            seen_refs: HashMap::new(),
            seen_methods: HashMap::new(),
            seen_calls: HashSet::new(),
            sql: super::sql::SqlTracker::default(),
            if_stack: Vec::new(),
            value_names: HashSet::new(),
            bound_names: HashSet::new(),
            chain_root_cache: None,
        }
    }

    /// The file's facts, with [`RustFile::fn_values`] settled.
    pub fn finish(mut self) -> RustFile {
        let mut values: Vec<String> = self
            .value_names
            .into_iter()
            .filter(|n| !self.bound_names.contains(n))
            .collect();
        values.sort_unstable();
        self.out.fn_values = values;
        self.out
    }

    fn add_value_name(&mut self, name: String) {
        if !self.in_test() && name.starts_with(|c: char| c.is_lowercase() || c == '_') {
            self.value_names.insert(name);
        }
    }

    fn in_test(&self) -> bool {
        self.test_depth > 0
    }

    fn cur_fn(&self) -> Option<u32> {
        self.fn_stack.last().copied()
    }

    fn add_ref(&mut self, raw: &str, kind: RefKind, line: u32) {
        let path = self.uses.resolve_cow(raw);
        let offloaded = self.offload_depth > 0;
        let seen = (kind, self.in_test(), self.cur_fn(), offloaded);
        if first_time(&mut self.seen_refs, &path, seen) {
            self.out.refs.push(PathRef {
                path: path.into_owned(),
                kind,
                line,
                test: self.in_test(),
                in_fn: self.cur_fn(),
                offloaded,
            });
        }
    }

    /// Record a path if it can name something outside this function: multi-segment,
    /// imported, or capitalised (types, constants, variants).
    fn add_path(&mut self, path: &syn::Path, kind: RefKind) {
        let text = path_text(path);
        if text.is_empty() {
            return;
        }
        let single = path.segments.len() == 1;
        if single {
            let resolved_differs = self.uses.renames(&text);
            let capital = text.chars().next().is_some_and(|c| c.is_uppercase());
            if !resolved_differs && (!capital || PRELUDE.contains(&text.as_str())) {
                return;
            }
        }
        self.add_ref(&text, kind, line_of(path));
    }

    /// The resolved path an argument names: `Any` → `tower_http::cors::Any`,
    /// `AllowOrigin::any()` → `tower_http::cors::AllowOrigin::any`; a bool
    /// literal as `true`/`false`.
    fn arg_path(&self, arg: &syn::Expr) -> Option<String> {
        let path = match arg {
            syn::Expr::Path(p) => &p.path,
            syn::Expr::Call(c) => match c.func.as_ref() {
                syn::Expr::Path(p) => &p.path,
                _ => return None,
            },
            syn::Expr::Reference(r) => return self.arg_path(&r.expr),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b),
                ..
            }) => return Some(b.value.to_string()),
            _ => return None,
        };
        let text = path_text(path);
        (!text.is_empty()).then(|| self.uses.resolve(&text))
    }

    fn add_literal(&mut self, value: String, line: u32) {
        if value.is_empty() {
            return;
        }
        let value = if value.len() > MAX_LITERAL {
            let mut cut = MAX_LITERAL;
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            value[..cut].to_string()
        } else {
            value
        };
        self.out.literals.push(StrLit {
            value,
            line,
            context: self.context.clone(),
            test: self.in_test(),
            in_fn: self.cur_fn(),
        });
    }

    fn push_sql(&mut self, mut e: SqlExec) {
        e.test = self.in_test();
        e.in_fn = self.cur_fn();
        self.out.sql.push(e);
    }

    fn push_setting(&mut self, b: Option<BoolSetting>) {
        if let Some(mut b) = b {
            b.test = self.in_test();
            b.in_fn = self.cur_fn();
            b.guard = self.if_stack.last().cloned();
            self.out.bool_settings.push(b);
        }
    }

    fn push_key(&mut self, mut k: KeyArg) {
        k.test = self.in_test();
        k.in_fn = self.cur_fn();
        self.out.key_args.push(k);
    }

    /// Record a listen address or port found at `site`.
    fn add_addr(&mut self, found: super::addr::Found, site: String, line: u32) {
        let (test, in_fn) = (self.in_test(), self.cur_fn());
        if let Some(a) = super::addr::fact(found, site, line, test, in_fn) {
            self.out.addrs.push(a);
        }
    }

    /// A value bound to a name: a listen port or address when the name says so.
    fn named_addr(&mut self, name: &str, expr: &syn::Expr, site: String) {
        if let Some(kind) = super::addr::name_kind(name) {
            let found = super::addr::scan_named(kind, expr);
            self.add_addr(found, site, line_of(expr));
        }
    }

    fn with_context<F: FnOnce(&mut Self)>(&mut self, ctx: Option<String>, f: F) {
        let saved = std::mem::replace(&mut self.context, ctx);
        f(self);
        self.context = saved;
    }

    fn attr_facts(&self, attrs: &[syn::Attribute]) -> Vec<AttrFact> {
        attrs
            .iter()
            .filter(|a| !a.path().is_ident("doc"))
            .map(|a| AttrFact {
                path: self.uses.resolve(&path_text(a.path())),
                args: match &a.meta {
                    syn::Meta::Path(_) => String::new(),
                    syn::Meta::List(l) => compact_tokens(&l.tokens, MAX_ATTR),
                    syn::Meta::NameValue(nv) => compact_tokens(&nv.value, MAX_ATTR),
                },
            })
            .collect()
    }

    fn derives(&self, attrs: &[syn::Attribute]) -> Vec<String> {
        let mut out = Vec::new();
        for attr in attrs {
            if !attr.path().is_ident("derive") {
                continue;
            }
            if let Ok(list) =
                attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            {
                out.extend(list.iter().map(|p| self.uses.resolve(&path_text(p))));
            }
        }
        out
    }

    /// Visit a function-like item: record its facts, extract its router fragment,
    /// and walk its body with the function on the stack.
    fn visit_fn_like(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        block: Option<&syn::Block>,
    ) {
        let is_test_fn = attrs.iter().any(is_test_attr);
        let test = self.in_test() || is_test_fn;
        let self_ty = self.impl_stack.last().map(|(t, _)| t.clone());
        let fact = FnFact {
            name: sig.ident.to_string(),
            self_ty: self_ty.clone(),
            line: line_of(&sig.ident),
            end_line: block
                .map(end_line_of)
                .unwrap_or_else(|| line_of(&sig.ident)),
            is_async: sig.asyncness.is_some(),
            test,
            is_test_fn,
            attrs: self.attr_facts(attrs),
            route_attrs: self.route_attrs(attrs),
            params: sig.inputs.iter().filter_map(param_fact).collect(),
            ret: match &sig.output {
                syn::ReturnType::Default => None,
                syn::ReturnType::Type(_, ty) => Some(compact_tokens(ty.as_ref(), 256)),
            },
            awaits: false,
            stmts: block.map(|b| b.stmts.len() as u32).unwrap_or(0),
        };
        let idx = self.out.fns.len() as u32;
        let routed = !fact.route_attrs.is_empty();
        let small = fact.stmts <= 3 && !fact.is_async;
        self.out.fns.push(fact);
        if let Some(op) = api_doc::op_from_attrs(attrs, idx, test, self.uses) {
            self.out.api_ops.push(op);
        }
        if let (Some(block), Some(kind), true) =
            (block, super::addr::name_kind(&sig.ident.to_string()), small)
        {
            let found = super::addr::scan_block(kind, block);
            let line = line_of(&sig.ident);
            if let Some(a) =
                super::addr::fact(found, format!("`fn {}`", sig.ident), line, test, Some(idx))
            {
                self.out.addrs.push(a);
            }
        }
        if let Some(block) = block {
            if let Some((items, params)) = router::fragment(sig, block, self.uses) {
                self.out.fragments.push(RouterFragment {
                    owner: sig.ident.to_string(),
                    owner_self_ty: self_ty,
                    line: line_of(&sig.ident),
                    test,
                    items,
                    params,
                });
            }
        }
        if is_test_fn {
            self.test_depth += 1;
        }
        self.fn_stack.push(idx);
        self.sql.enter_fn(sig, routed);
        for attr in attrs {
            self.visit_attribute(attr);
        }
        self.visit_signature(sig);
        if let Some(block) = block {
            self.visit_block(block);
        }
        self.sql.exit_fn();
        self.fn_stack.pop();
        if is_test_fn {
            self.test_depth -= 1;
        }
    }

    /// Route attributes of a handler, under the enclosing items' prefixes.
    fn route_attrs(&self, attrs: &[syn::Attribute]) -> Vec<RouteAttr> {
        let prefix = self
            .route_prefix
            .iter()
            .fold(String::new(), |acc, p| router::join_prefix(&acc, p));
        attrs
            .iter()
            .filter_map(route_attr)
            .map(|mut ra| {
                if !prefix.is_empty() {
                    ra.path = router::join_prefix(&prefix, &ra.path);
                }
                ra
            })
            .collect()
    }

    fn type_fact(
        &mut self,
        name: &syn::Ident,
        attrs: &[syn::Attribute],
        fields: Vec<FieldFact>,
        is_enum: bool,
    ) {
        let derives = self.derives(attrs);
        if let Some(doc) = api_doc::doc_root(attrs, &derives, name, self.in_test()) {
            self.out.api_docs.push(doc);
        }
        let fact = TypeFact {
            name: name.to_string(),
            is_enum,
            line: line_of(name),
            test: self.in_test(),
            derives,
            attrs: self.attr_facts(attrs),
            fields,
        };
        self.out.types.push(fact);
    }

    fn field_facts(&self, fields: &syn::Fields) -> Vec<FieldFact> {
        fields
            .iter()
            .filter_map(|f| {
                Some(FieldFact {
                    name: f.ident.as_ref()?.to_string(),
                    ty: compact_tokens(&f.ty, 256),
                    attrs: self.attr_facts(&f.attrs),
                    line: line_of(f.ident.as_ref()?),
                })
            })
            .collect()
    }

    fn visit_macro_body(&mut self, mac: &syn::Macro, path: &str) {
        let line = line_of(&mac.path);
        let parsed = mac.parse_body_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated);
        let mut call = MacroCall {
            path: path.to_string(),
            line,
            test: self.in_test(),
            in_fn: self.cur_fn(),
            first_lit: None,
            idents: Vec::new(),
            extra_args: 0,
        };
        match parsed {
            Ok(args) => {
                let mut iter = args.iter();
                if let Some(first) = args.first() {
                    call.first_lit = lit_str(first);
                    if call.first_lit.is_some() {
                        iter.next();
                    }
                }
                for arg in iter {
                    match arg {
                        syn::Expr::Path(p) => call.idents.push(path_text(&p.path)),
                        syn::Expr::Assign(a) => {
                            if let syn::Expr::Path(p) = a.left.as_ref() {
                                call.idents.push(path_text(&p.path));
                            }
                        }
                        _ => {}
                    }
                }
                call.extra_args = args.len().saturating_sub(1).min(255) as u8;
                self.out.macros.push(call);
                let ctx = Some(last_segment(path).to_string());
                self.with_context(ctx, |this| {
                    for arg in &args {
                        this.visit_expr(arg);
                    }
                });
            }
            Err(_) => {
                // Not an expression list (`json!({..})`, `select!`, `info!(%x, ..)`):
                // keep its string literals and idents so nothing inside is lost.
                let mut lits = Vec::new();
                collect_token_lits(&mac.tokens, &mut lits);
                call.first_lit = first_token_lit(&mac.tokens);
                call.idents = field_idents(&mac.tokens);
                self.out.macros.push(call);
                let mut names = Vec::new();
                token_idents(&mac.tokens, &mut names);
                for n in names {
                    self.add_value_name(n);
                }
                self.token_methods(&mac.tokens);
                for (value, line, ctx) in lits {
                    match ctx {
                        Some(c) => self.with_context(Some(c), |this| this.add_literal(value, line)),
                        None => self.add_literal(value, line),
                    }
                }
            }
        }
    }
}

impl Collector<'_> {
    /// Method calls (`.name(..)`) in a macro body syn cannot parse as code
    /// (`select!` arms, `macro_rules!` expansions), so a call written there
    /// is not lost. Only the name, line and argument count are known.
    fn token_methods(&mut self, tokens: &TokenStream) {
        let mut found = Vec::new();
        token_method_calls(tokens, &mut found);
        for (name, line, args) in found {
            let seen = (None, self.in_test(), self.cur_fn(), false, false, false);
            if first_time(&mut self.seen_methods, &name, seen) {
                self.out.methods.push(MethodCall {
                    name,
                    root: None,
                    line,
                    test: self.in_test(),
                    in_fn: self.cur_fn(),
                    in_loop: false,
                    in_iter: false,
                    offloaded: false,
                    args,
                    arg_path: None,
                });
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = m.attrs.iter().any(is_cfg_test);
        if test {
            self.test_depth += 1;
        }
        let scope = m.attrs.iter().find_map(|a| item_prefix(a, "scope"));
        if let Some(p) = &scope {
            self.route_prefix.push(p.clone());
        }
        visit::visit_item_mod(self, m);
        if scope.is_some() {
            self.route_prefix.pop();
        }
        if test {
            self.test_depth -= 1;
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let cfg_test = f.attrs.iter().any(is_cfg_test);
        if cfg_test {
            self.test_depth += 1;
        }
        self.visit_fn_like(&f.attrs, &f.sig, Some(&f.block));
        if cfg_test {
            self.test_depth -= 1;
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.visit_fn_like(&f.attrs, &f.sig, Some(&f.block));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.visit_fn_like(&f.attrs, &f.sig, f.default.as_ref());
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let cfg_test = i.attrs.iter().any(is_cfg_test);
        if cfg_test {
            self.test_depth += 1;
        }
        let self_ty = type_name(&i.self_ty);
        let trait_path = i
            .trait_
            .as_ref()
            .map(|(p, _)| self.uses.resolve(&path_text(p)));
        let methods = i
            .items
            .iter()
            .filter_map(|it| match it {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
            .collect();
        let assoc_types = i
            .items
            .iter()
            .filter_map(|it| match it {
                syn::ImplItem::Type(t) => Some((t.ident.to_string(), compact_tokens(&t.ty, 256))),
                _ => None,
            })
            .collect();
        self.out.impls.push(ImplFact {
            trait_path: trait_path.clone(),
            self_ty: self_ty.clone(),
            line: line_of(&i.self_ty),
            test: self.in_test(),
            methods,
            assoc_types,
        });
        self.impl_stack.push((self_ty, trait_path));
        let prefix = i.attrs.iter().find_map(|a| item_prefix(a, "OpenApi"));
        if let Some(p) = &prefix {
            self.route_prefix.push(p.clone());
        }
        visit::visit_item_impl(self, i);
        if prefix.is_some() {
            self.route_prefix.pop();
        }
        self.impl_stack.pop();
        if cfg_test {
            self.test_depth -= 1;
        }
    }

    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        self.out.aliases.push(TypeAlias {
            name: t.ident.to_string(),
            params: t
                .generics
                .type_params()
                .map(|p| p.ident.to_string())
                .collect(),
            target: compact_tokens(&t.ty, 256),
            line: line_of(&t.ident),
        });
        visit::visit_item_type(self, t);
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        let fields = self.field_facts(&s.fields);
        self.type_fact(&s.ident, &s.attrs, fields, false);
        visit::visit_item_struct(self, s);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        let fields = e
            .variants
            .iter()
            .flat_map(|v| self.field_facts(&v.fields))
            .collect();
        self.type_fact(&e.ident, &e.attrs, fields, true);
        visit::visit_item_enum(self, e);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let line = line_of(u);
        let mut leaves = Vec::new();
        use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
        for leaf in leaves {
            self.add_ref(&leaf, RefKind::Use, line);
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.named_addr(
            &c.ident.to_string(),
            &c.expr,
            format!("`const {}`", c.ident),
        );
        let ctx = Some(c.ident.to_string());
        self.with_context(ctx, |this| visit::visit_item_const(this, c));
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.named_addr(
            &s.ident.to_string(),
            &s.expr,
            format!("`static {}`", s.ident),
        );
        let ctx = Some(s.ident.to_string());
        self.with_context(ctx, |this| visit::visit_item_static(this, s));
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        if m.mac.path.is_ident("macro_rules") {
            self.token_methods(&m.mac.tokens);
            return;
        }
        let path = self.uses.resolve(&path_text(&m.mac.path));
        self.add_ref(&path, RefKind::Expr, line_of(&m.mac.path));
        self.visit_macro_body(&m.mac, &path);
    }

    fn visit_stmt(&mut self, st: &'ast syn::Stmt) {
        // `#[cfg(test)] let app = app.mount(..);` or a cfg-gated call: test-only
        // code, like a `#[cfg(test)]` function.
        let attrs: &[syn::Attribute] = match st {
            syn::Stmt::Local(l) => &l.attrs,
            syn::Stmt::Macro(m) => &m.attrs,
            syn::Stmt::Expr(syn::Expr::MethodCall(e), _) => &e.attrs,
            syn::Stmt::Expr(syn::Expr::Call(e), _) => &e.attrs,
            syn::Stmt::Expr(syn::Expr::Assign(e), _) => &e.attrs,
            syn::Stmt::Expr(syn::Expr::Block(e), _) => &e.attrs,
            _ => &[],
        };
        let cfg_test = attrs.iter().any(is_cfg_test);
        if cfg_test {
            self.test_depth += 1;
        }
        visit::visit_stmt(self, st);
        if cfg_test {
            self.test_depth -= 1;
        }
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let (Some(name), Some(init)) = (pat_name(&l.pat), &l.init) {
            self.named_addr(&name, &init.expr, format!("`let {name}`"));
        }
        let ctx = pat_name(&l.pat).or_else(|| self.context.clone());
        self.with_context(ctx, |this| visit::visit_local(this, l));
        let init = l.init.as_ref().map(|i| i.expr.as_ref());
        self.sql.bind_local(&l.pat, init, self.uses);
    }

    fn visit_field_value(&mut self, fv: &'ast syn::FieldValue) {
        self.push_setting(super::keys::field_setting(fv));
        if let syn::Member::Named(i) = &fv.member {
            self.named_addr(&i.to_string(), &fv.expr, format!("`{i}:` field"));
        }
        let ctx = match &fv.member {
            syn::Member::Named(i) => Some(i.to_string()),
            syn::Member::Unnamed(_) => self.context.clone(),
        };
        self.with_context(ctx, |this| visit::visit_field_value(this, fv));
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        let ctx = match a.left.as_ref() {
            syn::Expr::Path(p) => Some(last_ident(&p.path)),
            syn::Expr::Field(f) => match &f.member {
                syn::Member::Named(i) => Some(i.to_string()),
                syn::Member::Unnamed(_) => None,
            },
            _ => None,
        }
        .or_else(|| self.context.clone());
        self.with_context(ctx, |this| visit::visit_expr_assign(this, a));
        self.sql.on_assign(&a.left, &a.right, self.uses);
        self.push_setting(super::keys::assign_setting(a));
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        self.add_path(&p.path, RefKind::Expr);
        if p.qself.is_none() && p.path.segments.len() == 1 {
            self.add_value_name(p.path.segments[0].ident.to_string());
        }
        visit::visit_expr_path(self, p);
    }

    fn visit_type_path(&mut self, t: &'ast syn::TypePath) {
        self.add_path(&t.path, RefKind::Type);
        visit::visit_type_path(self, t);
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        self.add_path(&s.path, RefKind::Type);
        visit::visit_expr_struct(self, s);
    }

    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.bound_names.insert(p.ident.to_string());
        visit::visit_pat_ident(self, p);
    }

    fn visit_pat_tuple_struct(&mut self, p: &'ast syn::PatTupleStruct) {
        self.add_path(&p.path, RefKind::Type);
        visit::visit_pat_tuple_struct(self, p);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = c.func.as_ref() {
            if p.qself.is_none() && p.path.segments.len() == 1 {
                let name = p.path.segments[0].ident.to_string();
                let local = name.starts_with(|ch: char| ch.is_lowercase() || ch == '_')
                    && self.uses.resolve(&name) == name;
                if local && self.seen_calls.insert((name.clone(), self.cur_fn())) {
                    self.out.calls.push(LocalCall {
                        name,
                        line: line_of(&p.path),
                        test: self.in_test(),
                        in_fn: self.cur_fn(),
                    });
                }
            }
            // Resolve only calls whose last segment can take an address.
            let last = p.path.segments.last().map(|s| s.ident.to_string());
            let text = match last.as_deref() {
                Some(l) if super::addr::may_bind(l) => self.uses.resolve(&path_text(&p.path)),
                _ => String::new(),
            };
            if super::addr::is_bind_fn(&text) {
                let found = super::addr::scan_args(c.args.iter());
                let short: Vec<&str> = text.rsplit("::").take(2).collect();
                let site = format!("`{}::{}(..)`", short.get(1).unwrap_or(&""), short[0]);
                self.add_addr(found, site, line_of(&p.path));
            }
        }
        if let Some(e) = self.sql.on_call(c, self.uses) {
            self.push_sql(e);
        }
        if let Some(k) = super::keys::on_call(c, self.uses) {
            self.push_key(k);
        }
        self.visit_expr(&c.func);
        let ctx = match c.func.as_ref() {
            syn::Expr::Path(p) => Some(last_ident(&p.path)),
            _ => None,
        };
        let offloads = match c.func.as_ref() {
            syn::Expr::Path(p) => {
                let text = path_text(&p.path);
                let last = last_ident(&p.path);
                OFFLOAD_CALLS.contains(&last.as_str())
                    || text.ends_with("thread::spawn")
                    || text.starts_with("rayon::")
            }
            _ => false,
        };
        self.with_context(ctx, |this| {
            for arg in &c.args {
                let closure = offloads && matches!(arg, syn::Expr::Closure(_));
                if closure {
                    this.offload_depth += 1;
                }
                this.visit_expr(arg);
                if closure {
                    this.offload_depth -= 1;
                }
            }
        });
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if let Some(e) = self.sql.on_method(m, self.uses) {
            self.push_sql(e);
        }
        if let Some(k) = super::keys::on_method(m) {
            self.push_key(k);
        }
        self.push_setting(super::keys::method_setting(m));
        let name = m.method.to_string();
        // A chain `a.b().c()…` is visited outside in, and every call in it has
        // the same root: found once for the outermost call, not once per call
        // (which is quadratic in the chain's length).
        let raw_root = match self.chain_root_cache.take() {
            Some((at, root)) if std::ptr::eq(at, m) => root,
            _ => chain_root(&m.receiver),
        };
        if let syn::Expr::MethodCall(inner) = m.receiver.as_ref() {
            self.chain_root_cache = Some((inner as *const _, raw_root.clone()));
        }
        let root = raw_root.map(|r| self.uses.resolve(&r));
        let in_loop = self.loop_depth > 0;
        let in_iter = self.iter_depth > 0;
        let offloaded = self.offload_depth > 0;
        let seen = (
            root.clone(),
            self.in_test(),
            self.cur_fn(),
            in_loop,
            in_iter,
            offloaded,
        );
        if first_time(&mut self.seen_methods, &name, seen) {
            self.out.methods.push(MethodCall {
                name: name.clone(),
                root,
                line: line_of(&m.method),
                test: self.in_test(),
                in_fn: self.cur_fn(),
                in_loop,
                in_iter,
                offloaded,
                args: m.args.len().min(255) as u8,
                arg_path: m.args.first().and_then(|a| self.arg_path(a)),
            });
        }
        if super::addr::is_bind_method(&name) {
            let found = super::addr::scan_args(m.args.iter());
            self.add_addr(found, format!("`.{name}(..)`"), line_of(&m.method));
        }
        self.visit_expr(&m.receiver);
        if let Some(t) = &m.turbofish {
            self.visit_angle_bracketed_generic_arguments(t);
        }
        let loops = LOOP_ADAPTERS.contains(&name.as_str());
        let offloads =
            OFFLOAD_CALLS.contains(&name.as_str()) || name == "spawn" || name == "install";
        self.with_context(Some(name), |this| {
            for arg in &m.args {
                let closure = matches!(arg, syn::Expr::Closure(_));
                if loops && closure {
                    this.loop_depth += 1;
                    this.iter_depth += 1;
                }
                if offloads && closure {
                    this.offload_depth += 1;
                }
                this.visit_expr(arg);
                if loops && closure {
                    this.loop_depth -= 1;
                    this.iter_depth -= 1;
                }
                if offloads && closure {
                    this.offload_depth -= 1;
                }
            }
        });
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        for attr in &i.attrs {
            self.visit_attribute(attr);
        }
        self.visit_expr(&i.cond);
        self.if_stack.push(compact_tokens(i.cond.as_ref(), 80));
        self.visit_block(&i.then_branch);
        if let Some((_, els)) = &i.else_branch {
            self.visit_expr(els);
        }
        self.if_stack.pop();
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        visit::visit_expr_binary(self, b);
        if matches!(b.op, syn::BinOp::AddAssign(_)) {
            self.sql.on_add_assign(&b.left, &b.right, self.uses);
        }
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        self.sql.bind_for(&f.pat, &f.expr);
        self.loop_depth += 1;
        self.iter_depth += 1;
        self.visit_pat(&f.pat);
        self.visit_block(&f.body);
        self.loop_depth -= 1;
        self.iter_depth -= 1;
    }

    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        self.loop_depth += 1;
        visit::visit_expr_while(self, w);
        self.loop_depth -= 1;
    }

    fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
        self.loop_depth += 1;
        visit::visit_expr_loop(self, l);
        self.loop_depth -= 1;
    }

    fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
        if let Some(idx) = self.cur_fn() {
            self.out.fns[idx as usize].awaits = true;
        }
        visit::visit_expr_await(self, a);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if matches!(last_ident(&mac.path).as_str(), "write" | "writeln") {
            self.sql.on_write(mac, self.uses);
        }
        let path = self.uses.resolve(&path_text(&mac.path));
        self.add_ref(&path, RefKind::Expr, line_of(&mac.path));
        self.visit_macro_body(mac, &path);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        if attr.path().is_ident("doc") {
            return;
        }
        self.add_ref(&path_text(attr.path()), RefKind::Attr, line_of(attr));
        if attr.path().is_ident("derive") {
            let line = line_of(attr);
            if let Ok(list) =
                attr.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            {
                for p in list {
                    self.add_ref(&path_text(&p), RefKind::Attr, line);
                }
            }
        }
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.add_literal(s.value(), line_of(s));
    }
}

/// Record `ctx` under `key`; whether it is new.
fn first_time<C: PartialEq>(seen: &mut HashMap<String, Vec<C>>, key: &str, ctx: C) -> bool {
    match seen.get_mut(key) {
        Some(list) if list.contains(&ctx) => false,
        Some(list) => {
            list.push(ctx);
            true
        }
        None => {
            seen.insert(key.to_string(), vec![ctx]);
            true
        }
    }
}

/// Whether an attribute marks a test function (`#[test]`, `#[tokio::test]`,
/// `#[sqlx::test]`, `#[rstest]`, `#[test_case(..)]`).
fn is_test_attr(attr: &syn::Attribute) -> bool {
    let last = last_ident(attr.path());
    matches!(
        last.as_str(),
        "test" | "rstest" | "test_case" | "quickcheck" | "proptest"
    )
}

/// Whether an attribute is `#[cfg(test)]` or a `cfg` that requires `test`.
pub(super) fn is_cfg_test(attr: &syn::Attribute) -> bool {
    if !attr.path().is_ident("cfg") {
        return false;
    }
    let syn::Meta::List(list) = &attr.meta else {
        return false;
    };
    let text = list.tokens.to_string();
    // `cfg(test)`, `cfg(all(test, ..))`; not `cfg(not(test))`.
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == "test")
        && !text.contains("not")
}

/// A route attribute such as `#[get("/users")]`, `#[route("/x", method = "GET")]`,
/// rocket's `#[route(GET, uri = "/x")]`, poem-openapi's `#[oai(path = "/x", method = "get")]`,
/// or a codegen macro naming a routes table (`#[get(path = "crate::ROUTES.auth.login")]`).
fn route_attr(attr: &syn::Attribute) -> Option<RouteAttr> {
    let name = last_ident(attr.path());
    let is_verb = method_router::VERBS.contains(&name.as_str());
    if !(is_verb || name == "route" || name == "oai") {
        return None;
    }
    let args = attr
        .parse_args_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
        .ok()?;
    let mut path = None;
    let mut methods = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if i == 0 {
            if let Some(p) = lit_str(arg) {
                path = Some(p);
                continue;
            }
            if let syn::Expr::Path(p) = arg {
                // rocket `#[route(GET, uri = "/")]`
                let m = last_ident(&p.path).to_ascii_lowercase();
                if method_router::VERBS.contains(&m.as_str()) {
                    methods.push(m.to_ascii_uppercase());
                    continue;
                }
            }
        }
        if let syn::Expr::Assign(a) = arg {
            let key = match a.left.as_ref() {
                syn::Expr::Path(p) => last_ident(&p.path),
                _ => continue,
            };
            match (key.as_str(), lit_str(&a.right)) {
                ("path" | "uri", Some(p)) => path = Some(p),
                ("path" | "uri", None) => path = router::const_path(&a.right),
                ("method", Some(m)) => methods.push(m.to_ascii_uppercase()),
                ("method", None) => {
                    if let syn::Expr::Path(p) = a.right.as_ref() {
                        methods.push(last_ident(&p.path).to_ascii_uppercase());
                    }
                }
                _ => {}
            }
        }
    }
    let path = path?;
    let path = if path.is_empty() || path.starts_with('/') || path.starts_with("${") {
        path
    } else if is_expr_path(&path) {
        // `path = "crate::V1_API_ROUTES.auth.login"`: an expression in a string.
        let expr = path.rsplit("::").next().unwrap_or(&path);
        format!("${{{expr}}}")
    } else {
        return None;
    };
    let method = if is_verb {
        name.to_ascii_uppercase()
    } else if methods.is_empty() {
        "ANY".to_string()
    } else {
        methods.join(",")
    };
    Some(RouteAttr {
        method,
        path,
        line: line_of(attr),
    })
}

/// `crate::ROUTES.auth.login`: text that names a constant or a field chain
/// rooted at one (so `"users.json"` is not mistaken for one).
fn is_expr_path(s: &str) -> bool {
    let expr = s.rsplit("::").next().unwrap_or(s);
    let root = expr.split('.').next().unwrap_or("");
    (s.contains('.') || s.contains("::"))
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == ':')
        && !root.is_empty()
        && root
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
}

/// The path prefix an item attribute gives the routes inside it:
/// `#[scope("/api")]` on a module, `#[OpenApi(prefix_path = "/v1")]` on an impl.
fn item_prefix(attr: &syn::Attribute, name: &str) -> Option<String> {
    if last_ident(attr.path()) != name {
        return None;
    }
    let args = attr
        .parse_args_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
        .ok()?;
    args.iter().find_map(|a| match a {
        syn::Expr::Assign(a) => match a.left.as_ref() {
            syn::Expr::Path(p) if p.path.is_ident("prefix_path") => lit_str(&a.right),
            _ => None,
        },
        other if name == "scope" => lit_str(other),
        _ => None,
    })
}

fn param_fact(arg: &syn::FnArg) -> Option<Param> {
    match arg {
        syn::FnArg::Receiver(_) => None,
        syn::FnArg::Typed(t) => Some(Param {
            name: pat_name(&t.pat),
            ty: compact_tokens(t.ty.as_ref(), 256),
        }),
    }
}

/// The name a pattern binds: `x`, `Query(x)` → `x`, `mut x` → `x`.
fn pat_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        syn::Pat::Type(t) => pat_name(&t.pat),
        syn::Pat::TupleStruct(ts) if ts.elems.len() == 1 => pat_name(&ts.elems[0]),
        syn::Pat::Reference(r) => pat_name(&r.pat),
        _ => None,
    }
}

/// The name of a type for `impl` blocks: `Foo<T>` → `Foo`, `&Foo` → `Foo`.
fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => last_ident(&p.path),
        syn::Type::Reference(r) => type_name(&r.elem),
        other => compact_tokens(other, 64),
    }
}

/// The path at the root of a method-call chain, if it is a path or a call of one.
pub fn chain_root(expr: &syn::Expr) -> Option<String> {
    let mut expr = expr;
    loop {
        expr = match expr {
            syn::Expr::MethodCall(m) => &m.receiver,
            syn::Expr::Call(c) => {
                return match c.func.as_ref() {
                    syn::Expr::Path(p) => Some(path_text(&p.path)),
                    _ => None,
                }
            }
            syn::Expr::Path(p) => return Some(path_text(&p.path)),
            syn::Expr::Await(a) => &a.base,
            syn::Expr::Try(t) => &t.expr,
            syn::Expr::Paren(p) => &p.expr,
            syn::Expr::Reference(r) => &r.expr,
            syn::Expr::Field(f) => &f.base,
            _ => return None,
        };
    }
}

fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            if n.ident == "self" {
                out.push(prefix.join("::"));
            } else {
                prefix.push(n.ident.to_string());
                out.push(prefix.join("::"));
                prefix.pop();
            }
        }
        syn::UseTree::Rename(r) => {
            prefix.push(r.ident.to_string());
            out.push(prefix.join("::"));
            prefix.pop();
        }
        syn::UseTree::Glob(_) => {
            if !prefix.is_empty() {
                out.push(format!("{}::*", prefix.join("::")));
            }
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_leaves(t, prefix, out);
            }
        }
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

fn collect_token_lits(tokens: &TokenStream, out: &mut Vec<(String, u32, Option<String>)>) {
    collect_token_lits_in(tokens, None, out);
}

/// String literals of a token stream. A literal that is the first token of a
/// parenthesised group right after an identifier (`var("DATABASE_URL")` inside
/// `lazy_static!`) gets that identifier as its context, as in parsed code.
fn collect_token_lits_in(
    tokens: &TokenStream,
    call: Option<String>,
    out: &mut Vec<(String, u32, Option<String>)>,
) {
    let mut prev_ident: Option<String> = None;
    for (i, tt) in tokens.clone().into_iter().enumerate() {
        match tt {
            TokenTree::Group(g) => {
                let ctx = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => prev_ident.take(),
                    _ => None,
                };
                collect_token_lits_in(&g.stream(), ctx, out);
            }
            TokenTree::Literal(lit) => {
                if let Some(s) = token_lit_str(&lit) {
                    let line = u32::try_from(lit.span().start().line).unwrap_or(0);
                    let ctx = if i == 0 { call.clone() } else { None };
                    out.push((s.value(), line, ctx));
                }
                prev_ident = None;
            }
            TokenTree::Ident(id) => prev_ident = Some(id.to_string()),
            TokenTree::Punct(_) => prev_ident = None,
        }
    }
}

/// Every identifier in a token stream, groups included.
fn token_idents(tokens: &TokenStream, out: &mut Vec<String>) {
    for tt in tokens.clone() {
        match tt {
            TokenTree::Group(g) => token_idents(&g.stream(), out),
            TokenTree::Ident(id) => out.push(id.to_string()),
            _ => {}
        }
    }
}

/// Field names in a macro body that is not an expression list: idents followed
/// by `=` (`request_id = %id`) or preceded by `%`/`?` (`%request_id`), as
/// tracing's macros write them.
fn field_idents(tokens: &TokenStream) -> Vec<String> {
    let toks: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let TokenTree::Ident(id) = t else { continue };
        let next_eq = matches!(toks.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=')
            && !matches!(toks.get(i + 2), Some(TokenTree::Punct(p)) if p.as_char() == '=');
        let prev_sigil = i > 0
            && matches!(&toks[i - 1], TokenTree::Punct(p) if p.as_char() == '%' || p.as_char() == '?');
        if next_eq || prev_sigil {
            out.push(id.to_string());
        }
    }
    out
}

/// `.name(args)` in a token stream, at any depth: name, line, argument count.
fn token_method_calls(tokens: &TokenStream, out: &mut Vec<(String, u32, u8)>) {
    let toks: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, t) in toks.iter().enumerate() {
        if let TokenTree::Group(g) = t {
            token_method_calls(&g.stream(), out);
        }
        let dot = |k: usize| matches!(toks.get(k), Some(TokenTree::Punct(p)) if p.as_char() == '.');
        let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(args))) =
            (toks.get(i + 1), toks.get(i + 2))
        else {
            continue;
        };
        if dot(i)
            && !(i > 0 && dot(i - 1))
            && args.delimiter() == proc_macro2::Delimiter::Parenthesis
        {
            let n = if args.stream().is_empty() {
                0
            } else {
                1 + args
                    .stream()
                    .into_iter()
                    .filter(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                    .count()
            };
            let line = u32::try_from(name.span().start().line).unwrap_or(0);
            out.push((name.to_string(), line, n.min(255) as u8));
        }
    }
}

fn first_token_lit(tokens: &TokenStream) -> Option<String> {
    match tokens.clone().into_iter().next()? {
        TokenTree::Literal(lit) => token_lit_str(&lit).map(|s| s.value()),
        _ => None,
    }
}

/// A literal token that is a string literal (what `syn::parse_str::<LitStr>` of
/// its text accepts), read from the token instead of lexing its text again.
fn token_lit_str(lit: &proc_macro2::Literal) -> Option<syn::LitStr> {
    match syn::Lit::new(lit.clone()) {
        syn::Lit::Str(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::classify::Role;

    #[test]
    fn local_calls_and_argument_paths() {
        let src = r#"
use tower_http::cors::{Any, CorsLayer};
async fn handler(db: Db) {
    purge(&db, 1).await;
    helpers::other();
    let cors = CorsLayer::new().allow_origin(Any).allow_credentials(false);
}
"#;
        let f = crate::extract::rust::extract("src/main.rs", Role::Service, src).unwrap();
        let calls: Vec<&str> = f.calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(calls, ["purge"]);
        assert_eq!(f.calls[0].in_fn, Some(0));
        let arg = |name: &str| {
            f.methods
                .iter()
                .find(|m| m.name == name)
                .and_then(|m| m.arg_path.clone())
        };
        assert_eq!(
            arg("allow_origin").as_deref(),
            Some("tower_http::cors::Any")
        );
        assert_eq!(arg("allow_credentials").as_deref(), Some("false"));
    }
}
