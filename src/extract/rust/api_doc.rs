//! OpenAPI stated in code: `#[utoipa::path(..)]` operations and
//! `#[derive(OpenApi)] #[openapi(..)]` documents.
//!
//! utoipa writes a service's OpenAPI document from attributes at compile time;
//! the document never exists as a file in the repository, so the operations are
//! read from the attributes themselves: method, path (with `context_path`),
//! parameters (tuples such as `("limit" = Option<u32>, Query, maximum = 100)` and
//! `IntoParams` types), responses (status, body type, content type, headers),
//! security, operation id and summary. The attribute grammar is not Rust
//! expression syntax (`body = Vec<Todo>`), so it is read with a small
//! token-tree reader rather than `syn::Expr`.
//!
//! The other generators (poem-openapi `#[oai]`, aide `api_route`, paperclip
//! `#[api_v2_operation]`, okapi `#[openapi]`, salvo `#[endpoint]`) document the
//! routes the router registers; they are joined with routes in
//! [`crate::facts::generated_spec`].

use super::resolve::{compact, UseMap};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use serde::Serialize;

/// An operation a `#[utoipa::path]` attribute states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiOp {
    /// The generator: `utoipa`.
    pub source: &'static str,
    /// Index into `RustFile::fns` of the handler.
    pub fn_idx: u32,
    /// Upper-case methods (one, or several with `method(get, head)`).
    pub methods: Vec<String>,
    /// The path as documented: `context_path` joined with `path`, or `$CONST`.
    pub path: String,
    /// The attribute's line.
    pub line: u32,
    pub operation_id: Option<String>,
    /// `summary = ..`, or the first line of the handler's doc comment.
    pub summary: Option<String>,
    pub params: Vec<ApiParam>,
    /// `IntoParams` types listed in `params(..)`: their fields are parameters.
    pub param_types: Vec<String>,
    pub responses: Vec<ApiResp>,
    /// `Some(true)` with requirements, `Some(false)` for `security(())`/`security()`.
    pub security: Option<bool>,
    pub test: bool,
}

/// A parameter listed in a `params(..)` tuple.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiParam {
    pub name: String,
    /// `path`, `query`, `header`, `cookie`.
    pub location: String,
    pub required: bool,
    pub maximum: Option<f64>,
}

/// A response listed in `responses(..)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiResp {
    /// `200`, `4XX`, `default`.
    pub status: String,
    /// Body type text (`Vec<Todo>`, `[Todo]`, `Page<Todo>`).
    pub body: Option<String>,
    pub content_types: Vec<String>,
    pub headers: Vec<String>,
}

/// A document derived with `#[derive(OpenApi)]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiDocRoot {
    pub name: String,
    pub line: u32,
    pub title: Option<String>,
    pub version: Option<String>,
    /// `servers((url = ".."))`.
    pub servers: Vec<String>,
    /// Handler paths listed in `paths(..)`.
    pub paths: Vec<String>,
    /// `nest((path = "/x", api = Other))`: prefix and document type.
    pub nests: Vec<(String, String)>,
    /// Declares top-level `security(..)` requirements.
    pub security: bool,
    pub test: bool,
}

/// The operation stated by a `#[utoipa::path]` among `attrs`, if any.
pub fn op_from_attrs(
    attrs: &[syn::Attribute],
    fn_idx: u32,
    test: bool,
    uses: &UseMap,
) -> Option<ApiOp> {
    let attr = attrs.iter().find(|a| {
        let p = uses.resolve(&super::resolve::path_text(a.path()));
        p == "utoipa::path" || p.ends_with("::utoipa::path")
    })?;
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    let mut op = ApiOp {
        source: "utoipa",
        fn_idx,
        methods: Vec::new(),
        path: String::new(),
        line: super::resolve::line_of(attr),
        operation_id: None,
        summary: doc_summary(attrs),
        params: Vec::new(),
        param_types: Vec::new(),
        responses: Vec::new(),
        security: None,
        test,
    };
    let mut context = String::new();
    let mut has_path = false;
    for item in split_top(&list.tokens) {
        match meta_of(&item) {
            Meta::Flag(m) if is_method(&m) => op.methods.push(m.to_ascii_uppercase()),
            Meta::List(k, inner) if k == "method" => {
                for i in split_top(&inner) {
                    if let Meta::Flag(m) = meta_of(&i) {
                        op.methods.push(m.to_ascii_uppercase());
                    }
                }
            }
            Meta::KeyValue(k, v) => match k.as_str() {
                "path" => {
                    has_path = true;
                    op.path = str_or_const(&v).unwrap_or_default();
                }
                "context_path" => context = str_or_const(&v).unwrap_or_default(),
                "operation_id" => op.operation_id = lit(&v),
                "summary" => op.summary = lit(&v).or(op.summary),
                _ => {}
            },
            Meta::List(k, inner) => match k.as_str() {
                "params" => read_params(&inner, &mut op),
                "responses" => read_responses(&inner, &mut op),
                "security" => {
                    let reqs = split_top(&inner);
                    let empty = reqs.iter().all(
                        |r| matches!(r.as_slice(), [TokenTree::Group(g)] if g.stream().is_empty()),
                    );
                    op.security = Some(!empty);
                }
                _ => {}
            },
            _ => {}
        }
    }
    if op.methods.is_empty() || !has_path {
        return None;
    }
    if !context.is_empty() && !op.path.starts_with('$') {
        op.path = super::router::join_prefix(&context, &op.path);
    }
    Some(op)
}

/// The document a `#[derive(OpenApi)] #[openapi(..)]` item declares, if any.
pub fn doc_root(
    attrs: &[syn::Attribute],
    derives: &[String],
    name: &syn::Ident,
    test: bool,
) -> Option<ApiDocRoot> {
    if !derives
        .iter()
        .any(|d| d == "OpenApi" || d.ends_with("utoipa::OpenApi"))
    {
        return None;
    }
    let mut root = ApiDocRoot {
        name: name.to_string(),
        line: super::resolve::line_of(name),
        title: None,
        version: None,
        servers: Vec::new(),
        paths: Vec::new(),
        nests: Vec::new(),
        security: false,
        test,
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("openapi")) {
        let syn::Meta::List(list) = &attr.meta else {
            continue;
        };
        for item in split_top(&list.tokens) {
            let Meta::List(k, inner) = meta_of(&item) else {
                continue;
            };
            match k.as_str() {
                "paths" => root.paths.extend(
                    split_top(&inner)
                        .iter()
                        .map(|p| compact(&tokens_text(p), 200)),
                ),
                "info" => {
                    for i in split_top(&inner) {
                        if let Meta::KeyValue(k, v) = meta_of(&i) {
                            match k.as_str() {
                                "title" => root.title = lit(&v),
                                "version" => root.version = lit(&v),
                                _ => {}
                            }
                        }
                    }
                }
                "servers" => {
                    for s in split_top(&inner) {
                        if let Some(url) = tuple_key(&s, "url") {
                            root.servers.push(url);
                        }
                    }
                }
                "nest" => {
                    for n in split_top(&inner) {
                        let fields = tuple_fields(&n);
                        let path = fields
                            .iter()
                            .find(|(k, _)| k == "path")
                            .and_then(|(_, v)| lit(v));
                        let api = fields
                            .iter()
                            .find(|(k, _)| k == "api")
                            .map(|(_, v)| compact(&tokens_text(v), 120));
                        if let (Some(p), Some(a)) = (path, api) {
                            root.nests.push((p, a));
                        }
                    }
                }
                "security" => root.security = !split_top(&inner).is_empty(),
                _ => {}
            }
        }
    }
    Some(root)
}

fn is_method(m: &str) -> bool {
    matches!(
        m,
        "get" | "post" | "put" | "delete" | "patch" | "head" | "options" | "trace"
    )
}

/// The first line of the doc comment.
fn doc_summary(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        let syn::Meta::NameValue(nv) = &a.meta else {
            return None;
        };
        if !a.path().is_ident("doc") {
            return None;
        }
        let text = super::resolve::lit_str(&nv.value)?;
        let t = text.trim();
        (!t.is_empty()).then(|| t.to_string())
    })
}

fn read_params(inner: &TokenStream, op: &mut ApiOp) {
    for item in split_top(inner) {
        match item.as_slice() {
            [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => {
                let parts = split_top(&g.stream());
                let Some(first) = parts.first() else { continue };
                // `"name" = Type` or `name = Type`, or just `"name"`.
                let (name, ty) = match meta_of(first) {
                    Meta::KeyValue(k, v) => (k, tokens_text(&v)),
                    Meta::Flag(k) => (k, String::new()),
                    Meta::Str(s) => (s, String::new()),
                    Meta::StrKeyValue(k, v) => (k, tokens_text(&v)),
                    _ => continue,
                };
                let mut location = "path".to_string();
                let mut maximum = None;
                let mut required = None;
                for p in &parts[1..] {
                    match meta_of(p) {
                        Meta::Flag(f)
                            if matches!(f.as_str(), "Path" | "Query" | "Header" | "Cookie") =>
                        {
                            location = f.to_ascii_lowercase()
                        }
                        Meta::KeyValue(k, v) if k == "parameter_in" => {
                            location = tokens_text(&v).to_ascii_lowercase()
                        }
                        Meta::KeyValue(k, v) if k == "maximum" => {
                            maximum = tokens_text(&v).trim_matches('"').parse::<f64>().ok()
                        }
                        Meta::KeyValue(k, v) if k == "required" => {
                            required = Some(tokens_text(&v) == "true")
                        }
                        _ => {}
                    }
                }
                let optional = ty.starts_with("Option<");
                op.params.push(ApiParam {
                    required: required.unwrap_or(location == "path" || !optional),
                    name,
                    location,
                    maximum,
                });
            }
            tokens if !tokens.is_empty() => {
                // An `IntoParams` type.
                let text = compact(&tokens_text(tokens), 120);
                if text.chars().next().is_some_and(|c| c.is_alphabetic()) {
                    op.param_types.push(text);
                }
            }
            _ => {}
        }
    }
}

fn read_responses(inner: &TokenStream, op: &mut ApiOp) {
    for item in split_top(inner) {
        let [TokenTree::Group(g)] = item.as_slice() else {
            continue;
        };
        let mut resp = ApiResp {
            status: String::new(),
            body: None,
            content_types: Vec::new(),
            headers: Vec::new(),
        };
        for part in split_top(&g.stream()) {
            match meta_of(&part) {
                Meta::KeyValue(k, v) => match k.as_str() {
                    "status" => resp.status = status_text(&v),
                    "body" => resp.body = Some(compact(&tokens_text(&v), 200)),
                    "content_type" => {
                        resp.content_types.extend(lit(&v));
                    }
                    _ => {}
                },
                Meta::List(k, inner) if k == "headers" => {
                    for h in split_top(&inner) {
                        if let [TokenTree::Group(hg)] = h.as_slice() {
                            if let Some(first) = split_top(&hg.stream()).first() {
                                match meta_of(first) {
                                    Meta::StrKeyValue(name, _) | Meta::Str(name) => {
                                        resp.headers.push(name)
                                    }
                                    Meta::KeyValue(name, _) | Meta::Flag(name) => {
                                        resp.headers.push(name)
                                    }
                                    _ => {}
                                }
                            }
                        }
                    }
                }
                Meta::List(k, inner) if k == "content" => {
                    for c in split_top(&inner) {
                        if let [TokenTree::Group(cg)] = c.as_slice() {
                            if let Some(first) = split_top(&cg.stream()).first() {
                                if let Meta::StrKeyValue(ct, v) = meta_of(first) {
                                    resp.content_types.push(ct);
                                    resp.body.get_or_insert(compact(&tokens_text(&v), 200));
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !resp.status.is_empty() {
            op.responses.push(resp);
        }
    }
}

/// `200`, `"4XX"`, `OK`, `StatusCode::CREATED`, `NOT_FOUND` → a status string.
fn status_text(v: &[TokenTree]) -> String {
    let text = tokens_text(v);
    let text = text.trim_matches('"');
    if text.chars().all(|c| c.is_ascii_alphanumeric()) && text.len() == 3 {
        return text.to_string();
    }
    let name = text.rsplit("::").next().unwrap_or(text);
    const NAMED: &[(&str, &str)] = &[
        ("OK", "200"),
        ("CREATED", "201"),
        ("ACCEPTED", "202"),
        ("NO_CONTENT", "204"),
        ("MOVED_PERMANENTLY", "301"),
        ("FOUND", "302"),
        ("SEE_OTHER", "303"),
        ("NOT_MODIFIED", "304"),
        ("BAD_REQUEST", "400"),
        ("UNAUTHORIZED", "401"),
        ("FORBIDDEN", "403"),
        ("NOT_FOUND", "404"),
        ("METHOD_NOT_ALLOWED", "405"),
        ("CONFLICT", "409"),
        ("GONE", "410"),
        ("PAYLOAD_TOO_LARGE", "413"),
        ("UNPROCESSABLE_ENTITY", "422"),
        ("TOO_MANY_REQUESTS", "429"),
        ("INTERNAL_SERVER_ERROR", "500"),
        ("NOT_IMPLEMENTED", "501"),
        ("BAD_GATEWAY", "502"),
        ("SERVICE_UNAVAILABLE", "503"),
        ("GATEWAY_TIMEOUT", "504"),
    ];
    NAMED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// One comma-separated item of an attribute's arguments, classified.
#[derive(Debug)]
enum Meta {
    /// `get`
    Flag(String),
    /// `"text"`
    Str(String),
    /// `key = value`
    KeyValue(String, Vec<TokenTree>),
    /// `"key" = value`
    StrKeyValue(String, Vec<TokenTree>),
    /// `key(..)`
    List(String, TokenStream),
    Other,
}

fn meta_of(tokens: &[TokenTree]) -> Meta {
    match tokens {
        [TokenTree::Ident(i)] => Meta::Flag(i.to_string()),
        [TokenTree::Literal(l)] => match lit_text(l) {
            Some(s) => Meta::Str(s),
            None => Meta::Other,
        },
        [TokenTree::Ident(i), TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => {
            Meta::List(i.to_string(), g.stream())
        }
        [TokenTree::Ident(i), TokenTree::Punct(p), rest @ ..] if p.as_char() == '=' => {
            Meta::KeyValue(i.to_string(), rest.to_vec())
        }
        [TokenTree::Literal(l), TokenTree::Punct(p), rest @ ..] if p.as_char() == '=' => {
            match lit_text(l) {
                Some(s) => Meta::StrKeyValue(s, rest.to_vec()),
                None => Meta::Other,
            }
        }
        _ => Meta::Other,
    }
}

/// Split a token stream at commas outside groups and angle brackets.
fn split_top(ts: &TokenStream) -> Vec<Vec<TokenTree>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut angle = 0i32;
    for tt in ts.clone() {
        if let TokenTree::Punct(p) = &tt {
            match p.as_char() {
                '<' => angle += 1,
                '>' if angle > 0 => angle -= 1,
                ',' if angle == 0 => {
                    if !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                    continue;
                }
                _ => {}
            }
        }
        cur.push(tt);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `key = value` pairs of a parenthesised tuple item: `(url = "/api", description = "..")`.
fn tuple_fields(item: &[TokenTree]) -> Vec<(String, Vec<TokenTree>)> {
    let [TokenTree::Group(g)] = item else {
        return Vec::new();
    };
    split_top(&g.stream())
        .iter()
        .filter_map(|p| match meta_of(p) {
            Meta::KeyValue(k, v) => Some((k, v)),
            _ => None,
        })
        .collect()
}

fn tuple_key(item: &[TokenTree], key: &str) -> Option<String> {
    tuple_fields(item)
        .into_iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| lit(&v))
}

fn lit_text(l: &proc_macro2::Literal) -> Option<String> {
    syn::parse_str::<syn::LitStr>(&l.to_string())
        .ok()
        .map(|s| s.value())
}

/// The value as a string literal.
fn lit(v: &[TokenTree]) -> Option<String> {
    match v {
        [TokenTree::Literal(l)] => lit_text(l),
        _ => None,
    }
}

/// A string literal, or a constant path recorded as `$NAME`.
fn str_or_const(v: &[TokenTree]) -> Option<String> {
    lit(v).or_else(|| {
        let text = tokens_text(v);
        let last = text.rsplit("::").next().unwrap_or(&text);
        (!last.is_empty()
            && last
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
        .then(|| format!("${{{last}}}"))
    })
}

fn tokens_text(v: &[TokenTree]) -> String {
    let ts: TokenStream = v.iter().cloned().collect();
    compact(&ts.to_string(), 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(src: &str) -> ApiOp {
        let f: syn::ItemFn = syn::parse_str(src).unwrap();
        op_from_attrs(&f.attrs, 0, false, &UseMap::default()).expect("an operation")
    }

    #[test]
    fn reads_a_utoipa_operation() {
        let o = op(r#"
            /// List todos
            #[utoipa::path(
                get,
                path = "/todos",
                context_path = "/api",
                operation_id = "listTodos",
                params(
                    ("limit" = Option<u32>, Query, maximum = 100, description = "page size"),
                    ("id" = u64, Path),
                    Pagination
                ),
                responses(
                    (status = 200, description = "ok", body = Vec<Todo>),
                    (status = TOO_MANY_REQUESTS, headers(("Retry-After" = u64))),
                    (status = "4XX", content_type = "application/problem+json")
                ),
                security(("api_key" = []))
            )]
            async fn list() {}
        "#);
        assert_eq!(op_methods(&o), ["GET"]);
        assert_eq!(o.path, "/api/todos");
        assert_eq!(o.operation_id.as_deref(), Some("listTodos"));
        assert_eq!(o.summary.as_deref(), Some("List todos"));
        assert_eq!(o.params.len(), 2);
        assert_eq!(o.params[0].name, "limit");
        assert_eq!(o.params[0].location, "query");
        assert!(!o.params[0].required);
        assert_eq!(o.params[0].maximum, Some(100.0));
        assert_eq!(o.params[1].location, "path");
        assert_eq!(o.param_types, ["Pagination"]);
        assert_eq!(o.responses[0].status, "200");
        assert_eq!(o.responses[0].body.as_deref(), Some("Vec<Todo>"));
        assert_eq!(o.responses[1].status, "429");
        assert_eq!(o.responses[1].headers, ["Retry-After"]);
        assert_eq!(o.responses[2].status, "4XX");
        assert_eq!(o.responses[2].content_types, ["application/problem+json"]);
        assert_eq!(o.security, Some(true));
    }

    fn op_methods(o: &ApiOp) -> Vec<&str> {
        o.methods.iter().map(String::as_str).collect()
    }

    #[test]
    fn const_paths_and_security_opt_out() {
        let o = op(r#"#[utoipa::path(post, path = paths::LOGIN, security(()))] fn f() {}"#);
        assert_eq!(o.path, "${LOGIN}");
        assert_eq!(o.security, Some(false));
    }

    #[test]
    fn reads_a_derived_document() {
        let s: syn::ItemStruct = syn::parse_str(
            r#"#[derive(OpenApi)]
            #[openapi(
                info(title = "Todo API", version = "1.0"),
                paths(todo::list, todo::create),
                servers((url = "/api/v1")),
                nest((path = "/admin", api = admin::AdminApi)),
                security(("token" = []))
            )]
            struct ApiDoc;"#,
        )
        .unwrap();
        let d = doc_root(&s.attrs, &["utoipa::OpenApi".into()], &s.ident, false).unwrap();
        assert_eq!(d.title.as_deref(), Some("Todo API"));
        assert_eq!(d.paths, ["todo::list", "todo::create"]);
        assert_eq!(d.servers, ["/api/v1"]);
        assert_eq!(
            d.nests,
            [("/admin".to_string(), "admin::AdminApi".to_string())]
        );
        assert!(d.security);
    }
}
