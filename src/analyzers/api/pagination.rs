//! `api.pagination`: every endpoint that returns a collection takes a page.
//!
//! **List endpoints** are found in code and in OpenAPI documents:
//! - code: a GET route whose handler returns a collection — its return type holds
//!   `Vec<_>`/a slice/a set, or a page type (`Page<T>`, `Paginated<T>`, a struct
//!   with an `items`/`data`/`results` vector); or, for opaque returns
//!   (`impl IntoResponse`), a body that calls `fetch_all`/`load`/`.all(`;
//! - spec: a GET operation whose 2xx body is an array or wraps one.
//!
//! **Paginated** means the endpoint takes limit/offset, page/per_page, a cursor
//! or a page token: fields of its `Query<T>` extractor (through
//! `#[serde(flatten)]` and `rename`), rocket `?<limit>` parameters, literal
//! `"limit"` keys read from a query map, or spec query parameters.
//! **Bounded** means a page-size parameter is capped: `.min()`/`.clamp()` in
//! the handler or the parameter type's methods, `#[validate(range(max = ..))]`,
//! or a spec `maximum`.
//!
//! pass: every list endpoint paginated, sizes bounded · partial: some are, or
//! sizes unbounded · fail: none · n/a: no endpoint returns a collection.

use super::spec_routes::{shape_key, spec_matches, Join};
use crate::extract::openapi::{Operation, Shape};
use crate::extract::rust::{FnFact, RustFile};
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::BTreeMap;

/// Query parameter names that page a collection (compared lower-case, `_`/`-` removed).
const PAGE_PARAMS: &[&str] = &[
    "limit",
    "offset",
    "page",
    "perpage",
    "pagesize",
    "pagenumber",
    "pageno",
    "size",
    "cursor",
    "after",
    "before",
    "first",
    "last",
    "next",
    "nexttoken",
    "pagetoken",
    "continuation",
    "continuationtoken",
    "startingafter",
    "endingbefore",
    "skip",
    "take",
    "sinceid",
    "maxid",
    "maxresults",
    "startafter",
    "from",
    "pagination",
    "paging",
    "count",
    "top",
];

/// Of those, the ones that set how many items a page holds.
const SIZE_PARAMS: &[&str] = &[
    "limit",
    "perpage",
    "pagesize",
    "size",
    "first",
    "last",
    "take",
    "maxresults",
    "count",
    "top",
];

/// Fields that hold the page in a wrapper response type.
const LIST_FIELDS: &[&str] = &[
    "items",
    "data",
    "results",
    "content",
    "records",
    "entries",
    "list",
    "values",
    "elements",
    "nodes",
    "edges",
    "hits",
    "rows",
    "objects",
    "resources",
];

/// Calls whose result is a list of rows.
const LIST_CALLS: &[&str] = &[
    "fetch_all",
    "load",
    "all",
    "find_all",
    "list_all",
    "get_all",
    "query_all",
];

fn norm(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '-'], "")
}

/// One endpoint that returns a collection.
#[derive(Debug, Default)]
struct ListEndpoint {
    method: String,
    path: String,
    /// Why it is a list, with where that was seen.
    why: Vec<Evidence>,
    page_params: Vec<String>,
    /// Where the page parameters were seen.
    params_at: Vec<Evidence>,
    sized: bool,
    bounded: Option<Evidence>,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let mut endpoints: BTreeMap<(String, String), ListEndpoint> = BTreeMap::new();
    let mut opaque: Vec<&Route> = Vec::new();
    let mut gets = 0usize;

    for route in facts.routes.iter().filter(|r| r.method == "GET" && !r.grpc) {
        gets += 1;
        let Some(handler) = route.handler_fn else {
            opaque.push(route);
            continue;
        };
        let (file, func) = facts.func(handler);
        let Some(why) = collection_reason(facts, handler.0, file, func) else {
            if returns_opaque(func) {
                opaque.push(route);
            }
            continue;
        };
        let ep = endpoints
            .entry((route.method.clone(), shape_key(&route.path)))
            .or_insert_with(|| ListEndpoint {
                method: route.method.clone(),
                path: route.path.clone(),
                ..Default::default()
            });
        ep.why.push(Evidence::new(
            Location::new(file.path.clone(), func.line),
            format!("{} {} → `{}` {}", route.method, route.path, func.name, why),
        ));
        handler_params(facts, handler, route, ep);
    }

    // Spec operations and code routes joined once (server bases and inferred
    // prefixes applied), so one endpoint is not counted twice.
    let join = Join::build(facts);
    for spec in &facts.specs {
        for op in spec.operations.iter().filter(|o| o.method == "GET") {
            let Some(field) = spec_list(op) else { continue };
            let key_path = join
                .route_for(op)
                .or_else(|| {
                    facts
                        .routes
                        .iter()
                        .find(|r| r.method == "GET" && spec_matches(&r.path, &op.path, spec))
                })
                .map(|r| shape_key(&r.path))
                .unwrap_or_else(|| shape_key(&op.path));
            let ep = endpoints
                .entry((op.method.clone(), key_path))
                .or_insert_with(|| ListEndpoint {
                    method: op.method.clone(),
                    path: op.path.clone(),
                    ..Default::default()
                });
            let at = Location::new(spec.path.clone(), op.line.unwrap_or(0));
            ep.why.push(Evidence::new(
                at.clone(),
                format!("spec: {} {} returns {field}", op.method, op.path),
            ));
            for p in op.params.iter().filter(|p| p.location == "query") {
                let n = norm(&p.name);
                if PAGE_PARAMS.contains(&n.as_str()) {
                    if !ep.page_params.contains(&p.name) {
                        ep.page_params.push(p.name.clone());
                    }
                    ep.params_at.push(Evidence::new(
                        at.clone(),
                        format!("spec: query parameter `{}`", p.name),
                    ));
                    if SIZE_PARAMS.contains(&n.as_str()) {
                        ep.sized = true;
                        if let Some(max) = p.maximum {
                            ep.bounded.get_or_insert(Evidence::new(
                                at.clone(),
                                format!("spec: `{}` has maximum {max}", p.name),
                            ));
                        }
                    }
                }
            }
            if let Some(
                Shape::Array { max_items: true }
                | Shape::Wrapper {
                    max_items: true, ..
                },
            ) = op.success().map(|r| &r.shape).next()
            {
                ep.bounded
                    .get_or_insert(Evidence::new(at, "spec: response has maxItems"));
            }
        }
    }

    if endpoints.is_empty() {
        if !opaque.is_empty() {
            let ev: Vec<Evidence> = opaque
                .iter()
                .map(|r| {
                    Evidence::new(
                        r.location.clone(),
                        format!("GET {} — handler returns an opaque type", r.path),
                    )
                })
                .collect();
            return Outcome::manual(format!(
                "no endpoint is visibly a list, but {} GET handler(s) return opaque types (closures, `impl IntoResponse`) seaworthy cannot see into; attest pagination in the config",
                opaque.len()
            ))
            .with(ev);
        }
        return Outcome::na(if gets == 0 && facts.specs.is_empty() {
            "no GET routes or OpenAPI operations found, so no list endpoints".to_string()
        } else {
            format!(
                "no endpoint returns a collection (checked {gets} GET route(s) and {} spec(s))",
                facts.specs.len()
            )
        });
    }

    let total = endpoints.len();
    let mut paginated = 0;
    let mut unbounded = Vec::new();
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for ep in endpoints.values() {
        evidence.extend(ep.why.iter().take(2).cloned().map(Evidence::as_found));
        if ep.page_params.is_empty() {
            missing.push(format!("{} {}", ep.method, ep.path));
            if let Some(first) = ep.why.first() {
                evidence.push(Evidence::new(
                    first.location.clone(),
                    format!(
                        "{} {} takes no limit/offset, page/per_page or cursor",
                        ep.method, ep.path
                    ),
                ));
            }
            continue;
        }
        paginated += 1;
        evidence.extend(ep.params_at.iter().take(2).cloned().map(Evidence::as_found));
        if ep.sized {
            match &ep.bounded {
                Some(b) => evidence.push(b.clone().as_found()),
                None => {
                    unbounded.push(format!("{} {}", ep.method, ep.path));
                    if let Some(p) = ep.params_at.first() {
                        evidence.push(Evidence::new(
                            p.location.clone(),
                            format!(
                                "{} {}: page size `{}` is not capped",
                                ep.method,
                                ep.path,
                                ep.page_params.join("`, `")
                            ),
                        ));
                    }
                }
            }
        }
    }
    let looked = "on every list endpoint: a limit/offset, page/per_page or cursor query parameter, with the page size capped (.min/.clamp, validate(range(max)), or a spec maximum)";
    let outcome = if paginated == total && unbounded.is_empty() {
        Outcome::pass(format!(
            "all {total} list endpoint(s) take pagination parameters with a bounded page size"
        ))
    } else if paginated == total {
        Outcome::partial(format!(
            "all {total} list endpoint(s) are paginated, but the page size is not capped on {}",
            unbounded.join(", ")
        ))
        .looked_for(looked)
    } else if paginated > 0 {
        Outcome::partial(format!(
            "{paginated} of {total} list endpoints are paginated; not: {}",
            missing.join(", ")
        ))
        .looked_for(looked)
    } else {
        Outcome::fail(format!(
            "none of the {total} list endpoint(s) take pagination parameters: {}",
            missing.join(", ")
        ))
        .looked_for(looked)
    };
    outcome.with(evidence)
}

/// Why a handler returns a collection, or `None`.
fn collection_reason(facts: &Facts, fi: usize, file: &RustFile, func: &FnFact) -> Option<String> {
    let ret = super::type_alias::expand(facts, func.ret.as_deref().unwrap_or(""), fi);
    let ret = ret.as_ref();
    if let Some(inner) = collection_in_type(ret) {
        return Some(format!("returns `{inner}`"));
    }
    // A named response type: a pagination wrapper or a struct wrapping a vector.
    for name in type_names(ret) {
        if pagination_wrapper(&name, ret) {
            return Some(format!("returns page type `{name}`"));
        }
        if let Some((_, t)) = facts.type_named(&name, fi) {
            if let Some(f) = t.fields.iter().find(|f| {
                LIST_FIELDS.contains(&f.name.as_str()) && collection_in_type(&f.ty).is_some()
            }) {
                return Some(format!("returns `{name}` whose `{}` is `{}`", f.name, f.ty));
            }
        }
    }
    if returns_opaque(func) {
        let idx = file
            .fns
            .iter()
            .position(|f| std::ptr::eq(f, func))
            .map(|i| i as u32);
        if let Some(m) = file
            .methods
            .iter()
            .find(|m| m.in_fn == idx && LIST_CALLS.contains(&m.name.as_str()))
        {
            return Some(format!("returns rows from `.{}()`", m.name));
        }
    }
    None
}

/// A type named for a page of results: `Paginated<T>`, `PagedResponse`,
/// `CursorPage`, `ListResponse`, or a generic `Page<T>`/`UserPage<T>`. Whole
/// CamelCase words count, not substrings, and a type ending in "Page" must
/// wrap an item type: an HTML `ErrorPage` or a `PageResult` alias is a web
/// page, not a page of items.
fn pagination_wrapper(name: &str, ret: &str) -> bool {
    let words = camel_words(name);
    let has = |w: &str| words.iter().any(|x| x.eq_ignore_ascii_case(w));
    if ["Paginated", "Paged", "Pagination", "Cursor"]
        .iter()
        .any(|w| has(w))
        || name.ends_with("ListResponse")
    {
        return true;
    }
    words.last().is_some_and(|w| *w == "Page") && ret.contains(&format!("{name}<"))
}

/// `ErrorPage` → `Error`, `Page`; `HTTPPage` → `HTTPPage` (acronyms stay whole).
fn camel_words(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = name.as_bytes();
    for i in 1..b.len() {
        if b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase() {
            out.push(&name[start..i]);
            start = i;
        }
    }
    out.push(&name[start..]);
    out
}

/// `Vec<T>`, `[T]`, a set or deque inside a type, with wrappers (`Json`,
/// `Result`, `web::Json`) looked through.
fn collection_in_type(ty: &str) -> Option<String> {
    for marker in [
        "Vec<",
        "[",
        "HashSet<",
        "BTreeSet<",
        "VecDeque<",
        "IndexSet<",
        "SmallVec<",
    ] {
        if let Some(at) = ty.find(marker) {
            // `[u8]`/`Vec<u8>` are bytes, not collections of resources.
            let rest = &ty[at + marker.len()..];
            if rest.starts_with("u8") {
                continue;
            }
            let end = matching_close(&ty[at..])
                .map(|e| at + e + 1)
                .unwrap_or(ty.len());
            return Some(ty[at..end].to_string());
        }
    }
    None
}

fn matching_close(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '<' | '[' => depth += 1,
            '>' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Capitalised identifiers in a type text, wrappers excluded.
fn type_names(ty: &str) -> Vec<String> {
    const WRAPPERS: &[&str] = &[
        "Json",
        "Result",
        "Option",
        "Response",
        "HttpResponse",
        "Box",
        "Arc",
        "Data",
        "Html",
        "ApiResult",
        "AppResult",
        "Error",
        "AppError",
        "ApiError",
        "StatusCode",
        "Self",
    ];
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .filter(|w| !WRAPPERS.contains(w))
        .map(str::to_string)
        .collect()
}

fn returns_opaque(func: &FnFact) -> bool {
    let ret = func.ret.as_deref().unwrap_or("");
    ret.is_empty()
        || ret.contains("impl ")
        || ret.contains("Response")
        || ret.contains("Responder")
        || ret.contains("Redirect")
}

/// Page parameters a handler takes.
fn handler_params(facts: &Facts, (fi, ni): (usize, usize), route: &Route, ep: &mut ListEndpoint) {
    let file = &facts.rust[fi];
    let func = &file.fns[ni];
    let at = Location::new(file.path.clone(), func.line);
    let add = |name: &str, where_: Location, what: String, ep: &mut ListEndpoint| {
        let n = norm(name);
        if PAGE_PARAMS.contains(&n.as_str()) {
            if !ep.page_params.iter().any(|p| p == name) {
                ep.page_params.push(name.to_string());
            }
            if SIZE_PARAMS.contains(&n.as_str()) {
                ep.sized = true;
            }
            ep.params_at.push(Evidence::new(where_, what));
        }
    };
    for q in &route.query {
        add(
            q,
            route.location.clone(),
            format!("route query parameter `{q}`"),
            ep,
        );
    }
    let mut param_types: Vec<String> = Vec::new();
    for p in &func.params {
        if let Some(inner) = query_inner(&p.ty) {
            if inner.starts_with("HashMap")
                || inner.starts_with("BTreeMap")
                || inner.contains("Value")
            {
                // A dynamic map: look for literal keys read from it.
                let idx = Some(ni as u32);
                let keys: Vec<&str> = file
                    .literals
                    .iter()
                    .filter(|l| l.in_fn == idx)
                    .map(|l| l.value.as_str())
                    .filter(|v| PAGE_PARAMS.contains(&norm(v).as_str()))
                    .collect();
                for k in keys {
                    add(
                        k,
                        at.clone(),
                        format!("`{}` reads query key `{k}`", func.name),
                        ep,
                    );
                }
            } else if inner.chars().next().is_some_and(char::is_uppercase) {
                param_types.push(inner.split('<').next().unwrap_or(&inner).to_string());
            } else if let Some(name) = &p.name {
                // `Query(limit): Query<Option<u32>>` (poem)
                add(
                    name,
                    at.clone(),
                    format!("`{}` takes query `{name}`", func.name),
                    ep,
                );
            }
        } else if let Some(name) = &p.name {
            if route.query.iter().any(|q| q == name) {
                let base =
                    p.ty.trim_start_matches("Option<")
                        .split('<')
                        .next()
                        .unwrap_or("")
                        .to_string();
                if base.chars().next().is_some_and(char::is_uppercase) {
                    param_types.push(base);
                }
            }
        }
    }
    let mut seen = Vec::new();
    while let Some(tname) = param_types.pop() {
        if seen.contains(&tname) || seen.len() > 8 {
            continue;
        }
        seen.push(tname.clone());
        let Some((tf, t)) = facts.type_named(&tname, fi) else {
            continue;
        };
        for field in &t.fields {
            let flatten = field
                .attrs
                .iter()
                .any(|a| a.path.ends_with("serde") && a.args.contains("flatten"));
            if flatten {
                if let Some(base) = field.ty.trim_start_matches("Option<").split('<').next() {
                    param_types.push(base.to_string());
                }
                continue;
            }
            let mut names = vec![field.name.clone()];
            for a in &field.attrs {
                if let Some(r) = rename_of(&a.args) {
                    names.push(r);
                }
            }
            for n in names {
                add(
                    &n,
                    Location::new(tf.path.clone(), field.line),
                    format!("`{tname}.{}` is a page parameter", field.name),
                    ep,
                );
            }
            if SIZE_PARAMS.contains(&norm(&field.name).as_str()) {
                if let Some(a) = field.attrs.iter().find(|a| {
                    (a.path.ends_with("validate") || a.path.ends_with("garde"))
                        && a.args.contains("max")
                }) {
                    ep.bounded.get_or_insert(Evidence::new(
                        Location::new(tf.path.clone(), field.line),
                        format!(
                            "`{tname}.{}` is validated: {}({})",
                            field.name, a.path, a.args
                        ),
                    ));
                }
            }
        }
        // Methods of the parameter type that cap a value.
        if ep.bounded.is_none() {
            if let Some(ev) = capping_call(facts, |f| f.self_ty.as_deref() == Some(tname.as_str()))
            {
                ep.bounded = Some(ev);
            }
        }
    }
    if ep.sized && ep.bounded.is_none() {
        let idx = ni as u32;
        if let Some(m) = file
            .methods
            .iter()
            .find(|m| m.in_fn == Some(idx) && is_cap(&m.name))
        {
            ep.bounded = Some(Evidence::new(
                Location::new(file.path.clone(), m.line),
                format!("`{}` caps a value with `.{}()`", func.name, m.name),
            ));
        } else if let Some(r) = file
            .refs
            .iter()
            .find(|r| r.in_fn == Some(idx) && r.path.ends_with("cmp::min"))
        {
            ep.bounded = Some(Evidence::new(
                Location::new(file.path.clone(), r.line),
                format!("`{}` caps a value with `{}`", func.name, r.path),
            ));
        }
    }
}

fn is_cap(name: &str) -> bool {
    matches!(name, "min" | "clamp")
}

/// A `.min()`/`.clamp()` call in a function selected by `which`.
fn capping_call(facts: &Facts, which: impl Fn(&FnFact) -> bool) -> Option<Evidence> {
    for (_, f) in facts.service_rust() {
        for (i, func) in f.fns.iter().enumerate() {
            if !which(func) {
                continue;
            }
            if let Some(m) = f
                .methods
                .iter()
                .find(|m| m.in_fn == Some(i as u32) && is_cap(&m.name))
            {
                return Some(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!(
                        "`{}::{}` caps the page size with `.{}()`",
                        func.self_ty.as_deref().unwrap_or(""),
                        func.name,
                        m.name
                    ),
                ));
            }
        }
    }
    None
}

/// `Query<T>` / `web::Query<T>` / `Query<Option<T>>` → `T`.
fn query_inner(ty: &str) -> Option<String> {
    let at = ty.find("Query<")?;
    let before = &ty[..at];
    if !(before.is_empty() || before.ends_with("::") || before.ends_with('<')) {
        return None;
    }
    let inner = &ty[at + "Query<".len()..];
    let end = inner.rfind('>')?;
    let inner = &inner[..end];
    let inner = inner
        .strip_prefix("Option<")
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(inner);
    Some(inner.to_string())
}

fn rename_of(args: &str) -> Option<String> {
    let at = args.find("rename=\"")? + "rename=\"".len();
    let end = args[at..].find('"')?;
    Some(args[at..at + end].to_string())
}

/// The list shape of a spec operation's success response.
fn spec_list(op: &Operation) -> Option<String> {
    op.success().find_map(|r| match &r.shape {
        Shape::Array { .. } => Some("an array".to_string()),
        Shape::Wrapper { field, .. } => Some(format!("a page (`{field}` array)")),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_collections_through_wrappers() {
        assert_eq!(
            collection_in_type("Result<Json<Vec<User>>,AppError>").as_deref(),
            Some("Vec<User>")
        );
        assert_eq!(collection_in_type("Json<Vec<u8>>"), None);
        assert_eq!(collection_in_type("web::Json<User>"), None);
    }

    #[test]
    fn query_extractor_inner_type() {
        assert_eq!(
            query_inner("Query<ListParams>").as_deref(),
            Some("ListParams")
        );
        assert_eq!(
            query_inner("web::Query<Pagination>").as_deref(),
            Some("Pagination")
        );
        assert_eq!(query_inner("Query<Option<u32>>").as_deref(), Some("u32"));
        assert_eq!(query_inner("RawQuery"), None);
    }
}
