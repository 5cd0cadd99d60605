//! Following SQL text from where it is built to the call that executes it.
//!
//! SQL injection is a data-flow question: is text that reaches
//! `sqlx::query(..)`, `diesel::sql_query(..)`, `client.execute(..)` or
//! `conn.query_row(..)` built from runtime values? Grep cannot answer it; one
//! pass over a function body can, for the shapes real code uses:
//!
//! - the text written at the call (`sqlx::query(&format!(".. {id}"))`);
//! - a `let` above it (`let sql = format!(..); sqlx::query(&sql)`), including
//!   `match`/`if` arms that build it differently per backend;
//! - text grown in place (`sql.push_str(..)`, `sql += ..`, `write!(sql, ..)`),
//!   fragments collected in a `Vec` and `join`ed, and sqlx `QueryBuilder::push`.
//!
//! Every interpolated value gets a [`ValueOrigin`]: constants (literals,
//! `SCREAMING_CASE` items, loop variables over constant arrays), parameters of
//! the function, request extractors of a handler (`Query<..>`, `Json<..>`,
//! `web::Path<..>`, parameters of `#[get]` handlers) and anything derived from
//! them through `let`, field access and method chains. Whether a placeholder sits
//! inside a single-quoted SQL string (`'{name}'`, a value spliced where a bind
//! parameter belongs) is kept too. The judgement is left to the rule.

use super::model::{SqlExec, SqlValue, ValueOrigin};
use super::resolve::{compact_tokens, last_ident, line_of, path_text, UseMap};
use std::collections::HashMap;
use syn::punctuated::Punctuated;
use syn::Token;

/// Longest template kept.
const MAX_TEMPLATE: usize = 400;
/// Most values kept per text.
const MAX_VALUES: usize = 32;
/// Most tracked texts per function.
const MAX_TEXTS: usize = 128;

/// Extractor types whose value is request input.
pub const REQUEST_TYPES: &[&str] = &[
    "Query",
    "Json",
    "Path",
    "Form",
    "Multipart",
    "Bytes",
    "Body",
    "TypedHeader",
    "HeaderMap",
    "Request",
    "HttpRequest",
    "RawQuery",
    "RawForm",
    "RawPathParams",
    "Params",
    "Payload",
    "Valid",
    "Validated",
    "ValidatedJson",
    "ValidatedQuery",
    "ValidatedForm",
    "Garde",
    "WithRejection",
    "QsQuery",
    "Cookies",
    "CookieJar",
];

/// Parameter types of a handler that are application state, not input.
const STATE_TYPES: &[&str] = &[
    "State",
    "Data",
    "Extension",
    "Db",
    "DbConn",
    "Connection",
    "Pool",
    "PgPool",
    "SqlitePool",
    "MySqlPool",
    "Arc",
    "ConnectInfo",
    "Span",
    "Config",
];

/// Executing functions whose first argument is SQL text, matched on the last
/// segment of the resolved path and a crate that must appear in it.
const CALL_SINKS: &[(&str, &str)] = &[
    ("query", "sqlx"),
    ("query_as", "sqlx"),
    ("query_scalar", "sqlx"),
    ("query_with", "sqlx"),
    ("query_as_with", "sqlx"),
    ("query_scalar_with", "sqlx"),
    ("raw_sql", "sqlx"),
    ("sql_query", ""),
    ("sql", "diesel"),
];

/// Methods that execute SQL text given as their first argument (tokio-postgres,
/// rusqlite, sea-orm, sqlx `Executor`): counted only when that argument is text
/// that looks like SQL.
const METHOD_SINKS: &[&str] = &[
    "execute",
    "query",
    "query_one",
    "query_opt",
    "query_raw",
    "query_typed",
    "batch_execute",
    "simple_query",
    "prepare",
    "prepare_cached",
    "prepare_typed",
    "execute_batch",
    "query_row",
    "query_map",
    "execute_unprepared",
];

/// `QueryBuilder` methods that turn the accumulated text into a query.
const BUILDER_BUILDS: &[&str] = &["build", "build_query_as", "build_query_scalar", "into_sql"];

/// Methods that pass a string through unchanged.
const PASS_THROUGH: &[&str] = &[
    "to_string",
    "to_owned",
    "as_str",
    "as_ref",
    "clone",
    "into",
    "borrow",
    "deref",
    "trim",
    "as_bytes",
];

/// What is known about a string value being built.
#[derive(Debug, Clone, Default)]
struct Text {
    template: String,
    values: Vec<SqlValue>,
    how: &'static str,
    line: u32,
    /// A sqlx `QueryBuilder`.
    builder: bool,
    /// Parts whose construction is not visible.
    opaque: bool,
}

impl Text {
    fn literal(s: &str, line: u32) -> Text {
        Text {
            template: s.to_string(),
            how: "literal",
            line,
            ..Text::default()
        }
    }

    fn push_template(&mut self, s: &str) {
        if self.template.len() < MAX_TEMPLATE {
            self.template.push_str(s);
            if self.template.len() > MAX_TEMPLATE {
                let mut cut = MAX_TEMPLATE;
                while !self.template.is_char_boundary(cut) {
                    cut -= 1;
                }
                self.template.truncate(cut);
                self.template.push('…');
            }
        }
    }

    fn push_values(&mut self, values: impl IntoIterator<Item = SqlValue>) {
        for v in values {
            if self.values.len() < MAX_VALUES && !self.values.contains(&v) {
                self.values.push(v);
            }
        }
    }

    /// Append another text (concatenation, `push_str`).
    fn append(&mut self, other: Text, how: &'static str) {
        let dynamic = other.is_dynamic();
        self.push_template(&other.template);
        self.push_values(other.values);
        self.opaque |= other.opaque;
        if !self.is_dynamic() && dynamic {
            self.how = how;
        }
    }

    fn is_dynamic(&self) -> bool {
        !(self.how.is_empty() || self.how == "literal")
    }
}

#[derive(Debug, Default)]
struct Scope {
    origins: HashMap<String, ValueOrigin>,
    texts: HashMap<String, Text>,
}

/// Per-function state for following SQL text; owned by the visitor.
#[derive(Debug, Default)]
pub struct SqlTracker {
    scopes: Vec<Scope>,
}

impl SqlTracker {
    /// A function starts: its parameters get their origins.
    pub fn enter_fn(&mut self, sig: &syn::Signature, routed: bool) {
        let mut scope = Scope::default();
        for input in &sig.inputs {
            let syn::FnArg::Typed(t) = input else {
                continue;
            };
            let origin = if is_inert_type(&t.ty) {
                ValueOrigin::Safe
            } else if type_has(&t.ty, REQUEST_TYPES) || (routed && !type_has(&t.ty, STATE_TYPES)) {
                ValueOrigin::Request
            } else {
                ValueOrigin::Param
            };
            let mut names = Vec::new();
            pat_idents(&t.pat, &mut names);
            for n in names {
                scope.origins.insert(n, origin);
            }
        }
        self.scopes.push(scope);
    }

    pub fn exit_fn(&mut self) {
        self.scopes.pop();
    }

    fn scope(&mut self) -> Option<&mut Scope> {
        self.scopes.last_mut()
    }

    fn origin_of_name(&self, name: &str) -> Option<ValueOrigin> {
        let s = self.scopes.last()?;
        if let Some(t) = s.texts.get(name) {
            return Some(worst(t.values.iter().map(|v| v.origin)).max(if t.opaque {
                ValueOrigin::Local
            } else {
                ValueOrigin::Const
            }));
        }
        s.origins.get(name).copied()
    }

    /// `let pat = init;`
    pub fn bind_local(&mut self, pat: &syn::Pat, init: Option<&syn::Expr>, uses: &UseMap) {
        if self.scopes.is_empty() {
            return;
        }
        let mut names = Vec::new();
        pat_idents(pat, &mut names);
        let Some(init) = init else {
            for n in names {
                if let Some(s) = self.scope() {
                    s.origins.insert(n.clone(), ValueOrigin::Local);
                    s.texts.remove(&n);
                }
            }
            return;
        };
        let text = if names.len() == 1 {
            self.text_of(init, uses)
        } else {
            None
        };
        let origin = match pat {
            syn::Pat::Type(t) if is_inert_type(&t.ty) => ValueOrigin::Safe,
            _ => self.origin(init),
        };
        let Some(s) = self.scope() else { return };
        for n in &names {
            s.origins.insert(n.clone(), origin);
            s.texts.remove(n);
        }
        if let (Some(t), [name]) = (text, names.as_slice()) {
            if s.texts.len() < MAX_TEXTS {
                s.texts.insert(name.clone(), t);
            }
        }
    }

    /// `for pat in iter { .. }`: the loop variables take the origin of what is
    /// iterated (constants stay constants).
    pub fn bind_for(&mut self, pat: &syn::Pat, iter: &syn::Expr) {
        if self.scopes.is_empty() {
            return;
        }
        let origin = self.origin(iter);
        let mut names = Vec::new();
        pat_idents(pat, &mut names);
        if let Some(s) = self.scope() {
            for n in names {
                s.texts.remove(&n);
                s.origins.insert(n, origin);
            }
        }
    }

    /// A function call: an executing function given SQL text.
    pub fn on_call(&mut self, c: &syn::ExprCall, uses: &UseMap) -> Option<SqlExec> {
        let syn::Expr::Path(p) = c.func.as_ref() else {
            return None;
        };
        let raw = path_text(&p.path);
        let resolved = uses.resolve(&raw);
        let last = last_ident(&p.path);
        let segs: Vec<&str> = resolved.split("::").collect();
        let owner = segs.len().checked_sub(2).map(|i| segs[i]).unwrap_or("");
        let arg_index = if owner == "Statement"
            && matches!(
                last.as_str(),
                "from_string" | "from_sql_and_values" | "from_sql"
            ) {
            1
        } else if CALL_SINKS.iter().any(|(name, krate)| {
            *name == last && (krate.is_empty() || segs.contains(krate)) && segs.len() > 1
        }) {
            0
        } else {
            return None;
        };
        let arg = c.args.iter().nth(arg_index)?;
        let sink = if owner == "Statement" {
            format!("Statement::{last}")
        } else {
            resolved.clone()
        };
        Some(self.exec(sink, line_of(&c.func), arg, uses))
    }

    /// A method call: an executing method given SQL text, text grown in place,
    /// or a `QueryBuilder` being built.
    pub fn on_method(&mut self, m: &syn::ExprMethodCall, uses: &UseMap) -> Option<SqlExec> {
        let name = m.method.to_string();
        let recv = receiver_name(&m.receiver);
        match name.as_str() {
            "push_str" | "push" => {
                let recv = recv?;
                if !self
                    .scopes
                    .last()
                    .is_some_and(|s| s.texts.contains_key(&recv))
                {
                    return None;
                }
                let arg = m.args.first()?;
                let addition = self
                    .text_of(arg, uses)
                    .unwrap_or_else(|| self.value_text(arg, false, uses));
                let s = self.scope()?;
                let t = s.texts.get_mut(&recv)?;
                let how = if t.builder {
                    "query builder"
                } else if name == "push" {
                    "push"
                } else {
                    "push_str"
                };
                t.append(addition, how);
                None
            }
            _ if BUILDER_BUILDS.contains(&name.as_str()) => {
                let recv = recv?;
                let t = self.scopes.last()?.texts.get(&recv)?.clone();
                if !t.builder {
                    return None;
                }
                Some(self.exec_from(
                    "QueryBuilder::build".into(),
                    line_of(&m.method),
                    Some(t),
                    false,
                ))
            }
            _ if METHOD_SINKS.contains(&name.as_str()) => {
                let arg = m.args.first()?;
                let text = self.text_of(arg, uses)?;
                if !looks_like_sql(&text.template) {
                    return None;
                }
                Some(self.exec_from(format!(".{name}"), line_of(&m.method), Some(text), false))
            }
            _ => None,
        }
    }

    /// `sql = ..` outside a `let`.
    pub fn on_assign(&mut self, left: &syn::Expr, right: &syn::Expr, uses: &UseMap) {
        let Some(name) = receiver_name(left) else {
            return;
        };
        if self.scopes.is_empty() {
            return;
        }
        let text = self.text_of(right, uses);
        let origin = self.origin(right);
        if let Some(s) = self.scope() {
            s.origins.insert(name.clone(), origin);
            match text {
                Some(t) if s.texts.len() < MAX_TEXTS || s.texts.contains_key(&name) => {
                    s.texts.insert(name, t);
                }
                _ => {
                    s.texts.remove(&name);
                }
            }
        }
    }

    /// `sql += ..`
    pub fn on_add_assign(&mut self, left: &syn::Expr, right: &syn::Expr, uses: &UseMap) {
        let Some(name) = receiver_name(left) else {
            return;
        };
        if !self
            .scopes
            .last()
            .is_some_and(|s| s.texts.contains_key(&name))
        {
            return;
        }
        let addition = self
            .text_of(right, uses)
            .unwrap_or_else(|| self.value_text(right, false, uses));
        if let Some(t) = self.scope().and_then(|s| s.texts.get_mut(&name)) {
            t.append(addition, "push_str");
        }
    }

    /// `write!(sql, "..", ..)` / `writeln!(..)` into a tracked string.
    pub fn on_write(&mut self, mac: &syn::Macro, uses: &UseMap) {
        let Ok(args) = mac.parse_body_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
        else {
            return;
        };
        let mut it = args.iter();
        let Some(target) = it.next().and_then(receiver_name) else {
            return;
        };
        if !self
            .scopes
            .last()
            .is_some_and(|s| s.texts.contains_key(&target))
        {
            return;
        }
        let rest: Vec<&syn::Expr> = it.collect();
        let Some(addition) = self.format_text(&rest, line_of(&mac.path), uses) else {
            return;
        };
        if let Some(t) = self.scope().and_then(|s| s.texts.get_mut(&target)) {
            t.append(addition, "write!");
        }
    }

    /// SQL text given to an executing call: what is known about its argument.
    fn exec(&self, sink: String, line: u32, arg: &syn::Expr, uses: &UseMap) -> SqlExec {
        let (inner, asserted) = unwrap_assert(arg);
        let text = self.text_of(inner, uses);
        self.exec_from(sink, line, text, asserted)
    }

    fn exec_from(&self, sink: String, line: u32, text: Option<Text>, asserted: bool) -> SqlExec {
        match text {
            Some(t) => SqlExec {
                sink,
                line,
                test: false,
                in_fn: None,
                how: if t.how.is_empty() {
                    "literal".into()
                } else {
                    t.how.into()
                },
                built_at: (t.line != line && t.line != 0).then_some(t.line),
                template: t.template,
                values: t.values,
                asserted,
            },
            None => SqlExec {
                sink,
                line,
                test: false,
                in_fn: None,
                how: "opaque".into(),
                built_at: None,
                template: String::new(),
                values: Vec::new(),
                asserted,
            },
        }
    }

    /// What is known about the string `e` evaluates to, when it is built from
    /// literals, `format!`, concatenation or a tracked local.
    fn text_of(&self, e: &syn::Expr, uses: &UseMap) -> Option<Text> {
        match e {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(Text::literal(&s.value(), line_of(s))),
            syn::Expr::Macro(m) => self.macro_text(&m.mac, uses),
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
                let mut left = self.text_of(&b.left, uses)?;
                let right = self
                    .text_of(&b.right, uses)
                    .unwrap_or_else(|| self.value_text(&b.right, false, uses));
                left.append(right, "concatenation");
                Some(left)
            }
            syn::Expr::Path(p) if p.path.segments.len() == 1 => {
                let name = last_ident(&p.path);
                self.scopes.last()?.texts.get(&name).cloned()
            }
            syn::Expr::Reference(r) => self.text_of(&r.expr, uses),
            syn::Expr::Paren(p) => self.text_of(&p.expr, uses),
            syn::Expr::Group(g) => self.text_of(&g.expr, uses),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.text_of(&u.expr, uses)
            }
            syn::Expr::Try(t) => self.text_of(&t.expr, uses),
            syn::Expr::Await(a) => self.text_of(&a.base, uses),
            syn::Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if PASS_THROUGH.contains(&name.as_str()) {
                    return self.text_of(&m.receiver, uses);
                }
                if name == "join" || name == "concat" {
                    let mut t = self.text_of(&m.receiver, uses)?;
                    t.how = "concatenation";
                    return Some(t);
                }
                None
            }
            syn::Expr::Call(c) => {
                let syn::Expr::Path(p) = c.func.as_ref() else {
                    return None;
                };
                let path = uses.resolve(&path_text(&p.path));
                let segs: Vec<&str> = path.rsplit("::").take(2).collect();
                let line = line_of(&c.func);
                match (segs.get(1).copied().unwrap_or(""), segs[0]) {
                    ("String" | "Vec", "new" | "with_capacity") => Some(Text {
                        how: "literal",
                        line,
                        ..Text::default()
                    }),
                    ("String" | "Cow", "from" | "Borrowed" | "Owned") => {
                        self.text_of(c.args.first()?, uses)
                    }
                    ("QueryBuilder", "new") => {
                        let mut t = self.text_of(c.args.first()?, uses)?;
                        t.builder = true;
                        Some(t)
                    }
                    (_, "AssertSqlSafe") => self.text_of(c.args.first()?, uses),
                    _ => None,
                }
            }
            syn::Expr::If(i) => {
                let mut parts = Vec::new();
                if let Some(t) = block_text(self, &i.then_branch, uses) {
                    parts.push(t);
                }
                if let Some((_, els)) = &i.else_branch {
                    if let Some(t) = self.text_of(els, uses) {
                        parts.push(t);
                    }
                }
                merge_alternatives(parts)
            }
            syn::Expr::Block(b) => block_text(self, &b.block, uses),
            syn::Expr::Match(m) => {
                let parts: Vec<Text> = m
                    .arms
                    .iter()
                    .filter_map(|a| self.text_of(&a.body, uses))
                    .collect();
                merge_alternatives(parts)
            }
            _ => None,
        }
    }

    fn macro_text(&self, mac: &syn::Macro, uses: &UseMap) -> Option<Text> {
        let name = mac.path.segments.last()?.ident.to_string();
        let line = line_of(&mac.path);
        match name.as_str() {
            "format" | "format_args" => {
                let args = mac
                    .parse_body_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
                    .ok()?;
                let list: Vec<&syn::Expr> = args.iter().collect();
                self.format_text(&list, line, uses)
            }
            "concat" => {
                let args = mac
                    .parse_body_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
                    .ok()?;
                let mut t = Text {
                    how: "literal",
                    line,
                    ..Text::default()
                };
                for a in &args {
                    if let syn::Expr::Lit(l) = a {
                        if let syn::Lit::Str(s) = &l.lit {
                            t.push_template(&s.value());
                        }
                    }
                }
                Some(t)
            }
            "vec" => Some(Text {
                how: "literal",
                line,
                ..Text::default()
            }),
            _ => None,
        }
    }

    /// The text of `format!(fmt, args..)`: the template and a value per placeholder.
    fn format_text(&self, args: &[&syn::Expr], line: u32, uses: &UseMap) -> Option<Text> {
        let fmt = match args.first()? {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => s.value(),
            _ => return None,
        };
        let mut positional = Vec::new();
        let mut named: HashMap<String, &syn::Expr> = HashMap::new();
        for a in &args[1..] {
            match a {
                syn::Expr::Assign(asg) => {
                    if let syn::Expr::Path(p) = asg.left.as_ref() {
                        named.insert(last_ident(&p.path), &asg.right);
                    }
                }
                other => positional.push(*other),
            }
        }
        let mut t = Text {
            how: "format!",
            line,
            ..Text::default()
        };
        t.push_template(&fmt);
        let mut next = 0usize;
        let mut any = false;
        for (spec, quoted) in placeholders(&fmt) {
            any = true;
            let key = spec.split(':').next().unwrap_or("").trim();
            let expr: Option<&syn::Expr> = if key.is_empty() {
                let e = positional.get(next).copied();
                next += 1;
                e
            } else if let Ok(i) = key.parse::<usize>() {
                positional.get(i).copied()
            } else if let Some(e) = named.get(key) {
                Some(*e)
            } else {
                // An inline capture: `{name}`.
                let origin = self.capture_origin(key);
                let texts = self.scopes.last().and_then(|s| s.texts.get(key));
                match texts {
                    Some(inner) => t.push_values(inner.values.clone()),
                    None => t.push_values([SqlValue {
                        expr: key.to_string(),
                        origin,
                        quoted,
                    }]),
                }
                continue;
            };
            if let Some(e) = expr {
                let v = self.value_text(e, quoted, uses);
                t.push_values(v.values);
                t.opaque |= v.opaque;
            }
        }
        if !any {
            t.how = "literal";
        }
        Some(t)
    }

    fn capture_origin(&self, name: &str) -> ValueOrigin {
        if is_const_name(name) {
            return ValueOrigin::Const;
        }
        self.origin_of_name(name).unwrap_or(ValueOrigin::Local)
    }

    /// A value spliced into text: its own text's values when it is built text,
    /// else one value with its origin.
    fn value_text(&self, e: &syn::Expr, quoted: bool, uses: &UseMap) -> Text {
        if let syn::Expr::Reference(r) = e {
            return self.value_text(&r.expr, quoted, uses);
        }
        if let Some(inner) = self.text_of(e, uses) {
            if inner.how == "literal" {
                return Text {
                    how: "literal",
                    template: inner.template,
                    ..Text::default()
                };
            }
            return Text {
                how: inner.how,
                values: inner.values,
                opaque: inner.opaque,
                ..Text::default()
            };
        }
        let origin = self.origin(e);
        Text {
            template: format!("{{{}}}", compact_tokens(e, 40)),
            how: "concatenation",
            values: vec![SqlValue {
                expr: compact_tokens(e, 60),
                origin,
                quoted,
            }],
            ..Text::default()
        }
    }

    /// The origin of an expression's value.
    pub fn origin(&self, e: &syn::Expr) -> ValueOrigin {
        match e {
            syn::Expr::Lit(_) => ValueOrigin::Const,
            syn::Expr::Path(p) => {
                let last = last_ident(&p.path);
                if is_const_name(&last) {
                    return ValueOrigin::Const;
                }
                if p.path.segments.len() == 1 {
                    self.origin_of_name(&last).unwrap_or(ValueOrigin::Local)
                } else {
                    ValueOrigin::Local
                }
            }
            syn::Expr::Array(a) => worst(a.elems.iter().map(|x| self.origin(x))),
            syn::Expr::Tuple(t) => worst(t.elems.iter().map(|x| self.origin(x))),
            syn::Expr::Reference(r) => self.origin(&r.expr),
            syn::Expr::Paren(p) => self.origin(&p.expr),
            syn::Expr::Group(g) => self.origin(&g.expr),
            syn::Expr::Cast(c) => self.origin(&c.expr),
            syn::Expr::Unary(u) => self.origin(&u.expr),
            syn::Expr::Try(t) => self.origin(&t.expr),
            syn::Expr::Await(a) => self.origin(&a.base),
            syn::Expr::Field(f) => self.origin(&f.base),
            syn::Expr::Index(i) => self.origin(&i.expr),
            syn::Expr::Binary(b) => self.origin(&b.left).max(self.origin(&b.right)),
            syn::Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if matches!(name.as_str(), "len" | "count" | "is_empty") {
                    return ValueOrigin::Safe;
                }
                let base = self.origin(&m.receiver);
                if base == ValueOrigin::Const
                    && !m.args.iter().all(|a| self.origin(a) <= ValueOrigin::Safe)
                {
                    return ValueOrigin::Local;
                }
                base
            }
            syn::Expr::Call(c) => {
                if let syn::Expr::Path(p) = c.func.as_ref() {
                    let f = last_ident(&p.path).to_ascii_lowercase();
                    if f.contains("quote") || f.contains("escape") || f.contains("sanitize") {
                        return ValueOrigin::Safe;
                    }
                    if matches!(f.as_str(), "some" | "ok" | "from") {
                        return worst(c.args.iter().map(|a| self.origin(a)));
                    }
                }
                ValueOrigin::Local
            }
            syn::Expr::Macro(m) => {
                let name = m
                    .mac
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                if name == "vec" {
                    if let Ok(args) = m
                        .mac
                        .parse_body_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)
                    {
                        return worst(args.iter().map(|a| self.origin(a)));
                    }
                }
                ValueOrigin::Local
            }
            syn::Expr::Range(r) => {
                worst(r.start.iter().chain(r.end.iter()).map(|x| self.origin(x)))
            }
            _ => ValueOrigin::Local,
        }
    }
}

fn block_text(t: &SqlTracker, b: &syn::Block, uses: &UseMap) -> Option<Text> {
    match b.stmts.last()? {
        syn::Stmt::Expr(e, None) => t.text_of(e, uses),
        _ => None,
    }
}

/// Branches that build the text differently: the first template, every value.
fn merge_alternatives(parts: Vec<Text>) -> Option<Text> {
    let mut it = parts.into_iter();
    let mut first = it.next()?;
    for p in it {
        first.push_values(p.values);
        first.opaque |= p.opaque;
        if first.how == "literal" && p.how != "literal" {
            first.how = p.how;
        }
    }
    Some(first)
}

fn worst(it: impl Iterator<Item = ValueOrigin>) -> ValueOrigin {
    it.max().unwrap_or(ValueOrigin::Const)
}

/// `AssertSqlSafe(x)` → (x, true).
fn unwrap_assert(e: &syn::Expr) -> (&syn::Expr, bool) {
    match e {
        syn::Expr::Call(c) => match c.func.as_ref() {
            syn::Expr::Path(p) if last_ident(&p.path) == "AssertSqlSafe" => match c.args.first() {
                Some(a) => (a, true),
                None => (e, false),
            },
            _ => (e, false),
        },
        syn::Expr::Reference(r) => unwrap_assert(&r.expr),
        _ => (e, false),
    }
}

/// The local a method is called on or a macro writes into: `sql`, `&mut sql`,
/// `*sql`.
fn receiver_name(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.path.segments.len() == 1 => Some(last_ident(&p.path)),
        syn::Expr::Reference(r) => receiver_name(&r.expr),
        syn::Expr::Paren(p) => receiver_name(&p.expr),
        syn::Expr::Unary(u) => receiver_name(&u.expr),
        _ => None,
    }
}

/// `SCREAMING_CASE` names are constants.
pub fn is_const_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Whether a type mentions any of `names` as a path segment (`Option<Query<T>>`,
/// `web::Json<T>`, `&mut Request`).
fn type_has(ty: &syn::Type, names: &[&str]) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.iter().any(|seg| {
            names.contains(&seg.ident.to_string().as_str())
                || match &seg.arguments {
                    syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|g| match g {
                        syn::GenericArgument::Type(t) => type_has(t, names),
                        _ => false,
                    }),
                    _ => false,
                }
        }),
        syn::Type::Reference(r) => type_has(&r.elem, names),
        syn::Type::Paren(p) => type_has(&p.elem, names),
        syn::Type::Group(g) => type_has(&g.elem, names),
        _ => false,
    }
}

/// Scalar types that cannot carry SQL: numbers, booleans, UUIDs, dates — and
/// extractors, options, references and collections of them (`Path<i64>`,
/// `Option<Uuid>`, `&[i64]`, `Path<(Uuid, u32)>`).
fn is_inert_type(ty: &syn::Type) -> bool {
    const SCALARS: &[&str] = &[
        "i8",
        "i16",
        "i32",
        "i64",
        "i128",
        "isize",
        "u8",
        "u16",
        "u32",
        "u64",
        "u128",
        "usize",
        "f32",
        "f64",
        "bool",
        "Uuid",
        "NaiveDate",
        "NaiveDateTime",
        "DateTime",
        "Date",
        "OffsetDateTime",
        "PrimitiveDateTime",
        "Duration",
        "Decimal",
        "NonZeroU32",
        "NonZeroU64",
        "NonZeroUsize",
        "NonZeroI64",
    ];
    const WRAPPERS: &[&str] = &[
        "Option", "Vec", "Path", "Query", "HashSet", "BTreeSet", "Box", "Arc",
    ];
    match ty {
        syn::Type::Path(p) => {
            let Some(seg) = p.path.segments.last() else {
                return false;
            };
            let name = seg.ident.to_string();
            if SCALARS.contains(&name.as_str()) {
                return true;
            }
            if !WRAPPERS.contains(&name.as_str()) {
                return false;
            }
            match &seg.arguments {
                syn::PathArguments::AngleBracketed(a) => {
                    let tys: Vec<&syn::Type> = a
                        .args
                        .iter()
                        .filter_map(|g| match g {
                            syn::GenericArgument::Type(t) => Some(t),
                            _ => None,
                        })
                        .collect();
                    !tys.is_empty() && tys.iter().all(|t| is_inert_type(t))
                }
                _ => false,
            }
        }
        syn::Type::Reference(r) => is_inert_type(&r.elem),
        syn::Type::Slice(s) => is_inert_type(&s.elem),
        syn::Type::Array(a) => is_inert_type(&a.elem),
        syn::Type::Tuple(t) => !t.elems.is_empty() && t.elems.iter().all(is_inert_type),
        syn::Type::Paren(p) => is_inert_type(&p.elem),
        syn::Type::Group(g) => is_inert_type(&g.elem),
        _ => false,
    }
}

/// Every name a pattern binds.
pub fn pat_idents(pat: &syn::Pat, out: &mut Vec<String>) {
    match pat {
        syn::Pat::Ident(i) => {
            out.push(i.ident.to_string());
            if let Some((_, sub)) = &i.subpat {
                pat_idents(sub, out);
            }
        }
        syn::Pat::Type(t) => pat_idents(&t.pat, out),
        syn::Pat::Reference(r) => pat_idents(&r.pat, out),
        syn::Pat::TupleStruct(ts) => ts.elems.iter().for_each(|p| pat_idents(p, out)),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| pat_idents(p, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| pat_idents(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|p| pat_idents(p, out)),
        syn::Pat::Paren(p) => pat_idents(&p.pat, out),
        syn::Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                pat_idents(first, out)
            }
        }
        _ => {}
    }
}

/// The placeholders of a format string — the text inside `{..}` — and whether
/// each sits inside a single-quoted SQL string.
pub fn placeholders(fmt: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut in_quote = false;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
            }
            '{' => {
                let mut spec = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    spec.push(d);
                }
                out.push((spec, in_quote));
            }
            '\'' => in_quote = !in_quote,
            _ => {}
        }
    }
    out
}

/// Whether text reads as SQL: a statement keyword followed by its clause.
pub fn looks_like_sql(text: &str) -> bool {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?is)\b(select\s+.+\bfrom\b|select\s+[a-z_]+\s*\(|insert\s+(or\s+\w+\s+)?into\b|update\s+\S+\s+set\b|delete\s+from\b|(create|drop|alter)\s+(temp\w*\s+)?(table|index|view|schema|database|unique\s+index)\b|truncate\s+(table\s+)?\w|replace\s+into\b|upsert\b|merge\s+into\b)",
        )
        .expect("valid regex")
    });
    re.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Role;

    fn execs(src: &str) -> Vec<SqlExec> {
        crate::extract::rust::extract("src/db.rs", Role::Service, src)
            .expect("parses")
            .sql
    }

    fn origins(e: &SqlExec) -> Vec<(String, ValueOrigin, bool)> {
        e.values
            .iter()
            .map(|v| (v.expr.clone(), v.origin, v.quoted))
            .collect()
    }

    #[test]
    fn request_input_is_followed_through_lets_and_fields() {
        let e = execs(
            r#"async fn h(Query(q): Query<Search>, State(db): State<Pool>) {
                let name = q.name.trim().to_string();
                let sql = format!("SELECT * FROM users WHERE name = '{name}'");
                sqlx::query(&sql).fetch_all(&db).await;
            }"#,
        );
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].how, "format!");
        assert_eq!(e[0].built_at, Some(3));
        assert_eq!(
            origins(&e[0]),
            vec![("name".into(), ValueOrigin::Request, true)]
        );
    }

    #[test]
    fn constants_loops_over_constants_and_inert_types_are_not_runtime() {
        let e = execs(
            r#"const T: &str = "t";
            const ALL: &[&str] = &["a", "b"];
            async fn f(db: &Pool, id: i64, ids: &[Uuid]) {
                for table in ALL {
                    db.execute_unprepared(&format!("DELETE FROM {table} WHERE id = {id}")).await;
                }
                let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
                sqlx::query(&format!("SELECT * FROM {T} WHERE id IN ({list})")).fetch_all(db).await;
            }"#,
        );
        assert_eq!(e.len(), 2);
        for x in &e {
            assert!(
                x.values.iter().all(|v| v.origin <= ValueOrigin::Safe),
                "{:?}",
                origins(x)
            );
        }
    }

    #[test]
    fn text_grown_in_place_and_per_backend_arms() {
        let e = execs(
            r#"fn f(client: &Client, table: &str, kind: Backend, filter: String) {
                let mut sql = String::from("SELECT * FROM events WHERE 1=1");
                sql.push_str(&format!(" AND kind = '{}'", filter));
                sql += " ORDER BY id";
                client.query(&sql, &[]);
                let q = match kind {
                    Backend::Pg => format!("SELECT count(*) FROM {table}"),
                    Backend::Lite => format!("SELECT count(*) FROM "{table}""),
                };
                client.query_one(q.as_str(), &[]);
            }"#,
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].how, "push_str");
        assert_eq!(
            origins(&e[0]),
            vec![("filter".into(), ValueOrigin::Param, true)]
        );
        assert!(e[0].template.ends_with("ORDER BY id"), "{}", e[0].template);
        assert_eq!(
            origins(&e[1]),
            vec![("table".into(), ValueOrigin::Param, false)]
        );
    }

    #[test]
    fn executors_and_plain_strings_are_not_sql_sinks() {
        let e = execs(
            r#"async fn f(pool: &Pool, msg: String) {
                sqlx::query("SELECT 1").execute(pool).await;
                let greeting = format!("hello {msg}");
                client.execute(&greeting, &[]);
            }"#,
        );
        // The literal query is recorded; `.execute(pool)` and a non-SQL text are not.
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].how, "literal");
    }

    #[test]
    fn query_builders_and_assertions() {
        let e = execs(
            r#"async fn f(db: &Pool, name: &str, col: &str) {
                let mut qb = QueryBuilder::new("SELECT * FROM users WHERE ");
                qb.push("name = ").push_bind(name);
                qb.build().fetch_all(db).await;
                sqlx::query(AssertSqlSafe(format!("SELECT {col} FROM users"))).fetch_all(db).await;
            }"#,
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].sink, "QueryBuilder::build");
        assert!(
            e[0].values.is_empty(),
            "push_bind binds: {:?}",
            origins(&e[0])
        );
        assert!(e[1].asserted);
    }

    #[test]
    fn placeholders_know_quotes() {
        let p =
            placeholders("SELECT * FROM {table} WHERE name = '{name}' AND x = {{}} AND id = {}");
        assert_eq!(
            p,
            vec![
                ("table".to_string(), false),
                ("name".to_string(), true),
                (String::new(), false)
            ]
        );
    }

    #[test]
    fn sql_is_recognised() {
        assert!(looks_like_sql("SELECT id FROM users WHERE id = $1"));
        assert!(looks_like_sql("select pg_advisory_xact_lock({lock_id})"));
        assert!(looks_like_sql("DELETE FROM t WHERE x = 1"));
        assert!(looks_like_sql("UPDATE users SET name = $1"));
        assert!(!looks_like_sql("listening on {addr}"));
        assert!(!looks_like_sql("select a file"));
    }

    #[test]
    fn const_names() {
        assert!(is_const_name("TABLE_NAME"));
        assert!(is_const_name("T2"));
        assert!(!is_const_name("table"));
        assert!(!is_const_name("Table"));
    }
}
