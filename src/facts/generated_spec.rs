//! OpenAPI documents generated from code, as spec facts.
//!
//! Many services never commit an OpenAPI file: utoipa, aide, poem-openapi,
//! paperclip, okapi (rocket_okapi) and salvo-oapi build it from the code at
//! compile or run time. Those documents count as OpenAPI documentation, and
//! their operations join with code routes exactly like a file's would
//! (pagination's query parameters, rate limiting's declared 429s). Each is
//! added to `Facts::specs` as a [`SpecDoc`] with `generated: true`, one per
//! Rust file that states operations, so every operation's evidence points at a
//! real line of that file.
//!
//! - **utoipa**: every `#[utoipa::path(..)]` is an operation, read from the
//!   attribute (method, path, params, responses with status codes, content
//!   types and headers, security, operation id). Its path is the route the
//!   router registers for that handler when there is one (utoipa-axum
//!   `routes!` under `.nest`), else the attribute's path under any
//!   `#[openapi(nest(..))]` prefix. Title, servers and top-level security come
//!   from `#[derive(OpenApi)]`.
//! - **the others** document the routes the router registers: routes added with
//!   aide's `api_route`, and routes whose handler carries poem-openapi's
//!   `#[oai]`, paperclip's `#[api_v2_operation]`, okapi's `#[openapi]` or
//!   salvo's `#[endpoint]`. Parameters come from the handler's extractors
//!   (`Query<T>` fields, named `Query<u32>` parameters, rocket `?<q>`) and the
//!   path template; the success response's shape from the return type.

use super::routes::normalise;
use super::{Facts, Route};
use crate::extract::openapi::{Operation, Shape, SpecDoc, SpecParam, SpecResponse, LIST_FIELDS};
use crate::extract::rust::api_doc::{ApiDocRoot, ApiOp};
use crate::extract::rust::{FnFact, RustFile};
use std::collections::{BTreeMap, HashMap};

/// The documents the code generates, sorted by file and generator.
pub fn from_code(facts: &Facts) -> Vec<SpecDoc> {
    let mut docs: BTreeMap<(String, &'static str), SpecDoc> = BTreeMap::new();
    utoipa_docs(facts, &mut docs);
    route_docs(facts, &mut docs);
    let mut out: Vec<SpecDoc> = docs.into_values().collect();
    for d in &mut out {
        d.operations
            .sort_by(|a, b| (a.line, &a.path, &a.method).cmp(&(b.line, &b.path, &b.method)));
        d.operations
            .dedup_by(|a, b| a.path == b.path && a.method == b.method);
    }
    out
}

fn new_doc(path: &str, generator: &'static str, version: &str) -> SpecDoc {
    SpecDoc {
        path: path.to_string(),
        version: version.to_string(),
        generated: true,
        generator: Some(generator.to_string()),
        ..SpecDoc::default()
    }
}

fn utoipa_docs(facts: &Facts, docs: &mut BTreeMap<(String, &'static str), SpecDoc>) {
    let roots: Vec<&ApiDocRoot> = facts
        .service_rust()
        .flat_map(|(_, f)| f.api_docs.iter().filter(|d| !d.test))
        .collect();
    let nested = nest_prefixes(&roots);
    let main_root = roots.iter().max_by_key(|r| (r.nests.len(), r.paths.len()));
    let schemes = literals_passed_to(facts, &["add_security_scheme", "security_scheme"]);
    let schemas = types_deriving(facts, &["ToSchema"]);
    let version = match facts.lock.get("utoipa").and_then(|v| v.last()) {
        Some(v) if v.starts_with("3.") || v.starts_with("4.") => "3.0.3",
        _ => "3.1.0",
    };
    for (fi, file) in facts.service_rust() {
        for op in file.api_ops.iter().filter(|o| !o.test) {
            let Some(func) = file.fns.get(op.fn_idx as usize) else {
                continue;
            };
            let doc = docs
                .entry((file.path.clone(), "utoipa"))
                .or_insert_with(|| {
                    let mut d = new_doc(&file.path, "utoipa", version);
                    if let Some(r) = main_root {
                        d.title = r.title.clone().unwrap_or_default();
                        d.servers = r.servers.clone();
                        d.global_security = r.security;
                    }
                    d.security_schemes = schemes.clone();
                    d.schemas = schemas.clone();
                    d
                });
            let path = utoipa_path(facts, fi, op, func, &nested);
            let mut params: Vec<SpecParam> = op
                .params
                .iter()
                .map(|p| SpecParam {
                    name: p.name.clone(),
                    location: p.location.clone(),
                    required: p.required,
                    maximum: p.maximum,
                })
                .collect();
            for t in &op.param_types {
                params.extend(into_params(facts, fi, t));
            }
            add_path_params(&path, &mut params);
            let responses = op
                .responses
                .iter()
                .map(|r| {
                    let (shape, schema_ref) = r
                        .body
                        .as_deref()
                        .map(|b| body_shape(facts, fi, b))
                        .unwrap_or((Shape::None, None));
                    let mut content_types = r.content_types.clone();
                    if content_types.is_empty() && r.body.is_some() {
                        content_types.push("application/json".into());
                    }
                    SpecResponse {
                        status: r.status.clone(),
                        content_types,
                        headers: r.headers.clone(),
                        shape,
                        schema_ref,
                    }
                })
                .collect::<Vec<_>>();
            for m in &op.methods {
                doc.operations.push(Operation {
                    method: m.clone(),
                    path: path.clone(),
                    line: Some(op.line),
                    // utoipa names an operation after its handler unless told.
                    operation_id: op.operation_id.clone().or_else(|| Some(func.name.clone())),
                    summary: op.summary.clone(),
                    params: params.clone(),
                    responses: responses.clone(),
                    security: op.security,
                    ..Default::default()
                });
            }
        }
    }
}

/// Handler name → prefix from `#[openapi(nest((path = "/x", api = Other)))]`.
fn nest_prefixes(roots: &[&ApiDocRoot]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for r in roots {
        for (prefix, api) in &r.nests {
            let name = api.rsplit("::").next().unwrap_or(api);
            for inner in roots.iter().filter(|x| x.name == name) {
                for p in &inner.paths {
                    let handler = p.rsplit("::").next().unwrap_or(p).to_string();
                    out.insert(handler, prefix.clone());
                }
            }
        }
    }
    out
}

/// The documented path of a utoipa operation: the registered route's when the
/// router serves this handler from this attribute (utoipa-axum), else the
/// attribute's own path under a nest prefix.
fn utoipa_path(
    facts: &Facts,
    fi: usize,
    op: &ApiOp,
    func: &FnFact,
    nested: &HashMap<String, String>,
) -> String {
    let key = (fi, op.fn_idx as usize);
    if let Some(r) = facts
        .routes
        .iter()
        .find(|r| r.handler_fn == Some(key) && r.location.line == Some(op.line) && r.mounted)
    {
        return r.path.clone();
    }
    let raw = match op.path.strip_prefix("${").and_then(|p| p.strip_suffix('}')) {
        Some(name) => const_value(facts, name).unwrap_or_else(|| op.path.clone()),
        None => op.path.clone(),
    };
    let raw = match nested.get(&func.name) {
        Some(prefix) => crate::extract::rust::router::join_prefix(prefix, &raw),
        None => raw,
    };
    normalise(&raw).0
}

/// The literal a `const NAME: &str = ".."` holds.
fn const_value(facts: &Facts, name: &str) -> Option<String> {
    let name = name.rsplit("::").next().unwrap_or(name);
    facts.service_rust().find_map(|(_, f)| {
        f.literals
            .iter()
            .find(|l| l.in_fn.is_none() && l.context.as_deref() == Some(name))
            .map(|l| l.value.clone())
    })
}

/// Parameters an `IntoParams` type declares: its fields, in the query unless
/// `#[into_params(parameter_in = ..)]` says otherwise.
fn into_params(facts: &Facts, fi: usize, ty: &str) -> Vec<SpecParam> {
    let base = ty.split('<').next().unwrap_or(ty);
    let base = base.rsplit("::").next().unwrap_or(base);
    let Some((_, t)) = facts.type_named(base, fi) else {
        return Vec::new();
    };
    let location = t
        .attrs
        .iter()
        .find(|a| a.path.ends_with("into_params"))
        .and_then(|a| {
            let at = a.args.find("parameter_in=")? + "parameter_in=".len();
            Some(
                a.args[at..]
                    .split(|c: char| !c.is_alphanumeric())
                    .next()?
                    .to_ascii_lowercase(),
            )
        })
        .unwrap_or_else(|| "query".to_string());
    t.fields
        .iter()
        .map(|f| SpecParam {
            name: field_name(f),
            location: location.clone(),
            required: !f.ty.starts_with("Option<"),
            maximum: f
                .attrs
                .iter()
                .filter(|a| {
                    a.path.ends_with("param")
                        || a.path.ends_with("schema")
                        || a.path.ends_with("validate")
                })
                .find_map(|a| number_after(&a.args, &["maximum=", "max="])),
        })
        .collect()
}

/// A field's name on the wire: `#[serde(rename = "..")]` or its own.
fn field_name(f: &crate::extract::rust::FieldFact) -> String {
    f.attrs
        .iter()
        .filter(|a| a.path.ends_with("serde") || a.path.ends_with("param"))
        .find_map(|a| {
            let at = a.args.find("rename=\"")? + "rename=\"".len();
            let end = a.args[at..].find('"')?;
            Some(a.args[at..at + end].to_string())
        })
        .unwrap_or_else(|| f.name.clone())
}

fn number_after(args: &str, keys: &[&str]) -> Option<f64> {
    keys.iter().find_map(|k| {
        let at = args.find(k)? + k.len();
        let num: String = args[at..]
            .trim_start_matches('"')
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        num.parse().ok()
    })
}

/// `{id}` segments of a path that no parameter names yet.
fn add_path_params(path: &str, params: &mut Vec<SpecParam>) {
    for seg in path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let name = name.trim_start_matches('*');
            if !params
                .iter()
                .any(|p| p.name == name && p.location == "path")
            {
                params.push(SpecParam {
                    name: name.to_string(),
                    location: "path".into(),
                    required: true,
                    maximum: None,
                });
            }
        }
    }
}

/// The shape of a body type, and its schema name when it is a named type.
fn body_shape(facts: &Facts, fi: usize, ty: &str) -> (Shape, Option<String>) {
    let ty = ty.trim();
    let inner = strip_wrappers(ty);
    if inner.starts_with('[') || inner.starts_with("Vec<") || inner.starts_with("HashSet<") {
        return (Shape::Array { max_items: false }, None);
    }
    let name = inner.split('<').next().unwrap_or(inner);
    let name = name.rsplit("::").next().unwrap_or(name).to_string();
    // `impl IntoResponse`, `HttpResponse`: the body is not stated.
    if inner.starts_with("impl ")
        || inner.starts_with("Box<dyn")
        || matches!(
            name.as_str(),
            "Response" | "HttpResponse" | "Redirect" | "StatusCode" | "Html" | "ApiResponse"
        )
    {
        return (Shape::None, None);
    }
    if name.is_empty() || !name.chars().next().is_some_and(char::is_uppercase) {
        return (Shape::Scalar, None);
    }
    if matches!(name.as_str(), "String" | "str" | "bool" | "Value") {
        return (Shape::Scalar, None);
    }
    let shape = facts
        .type_named(&name, fi)
        .and_then(|(_, t)| {
            t.fields.iter().find(|f| {
                LIST_FIELDS.contains(&f.name.as_str())
                    && (f.ty.starts_with("Vec<") || f.ty.starts_with('['))
            })
        })
        .map(|f| Shape::Wrapper {
            field: f.name.clone(),
            max_items: false,
        })
        .unwrap_or(Shape::Object);
    (shape, Some(name))
}

/// `Json<Vec<T>>`, `Result<Json<T>, E>`, `web::Json<T>` → the body inside.
fn strip_wrappers(ty: &str) -> &str {
    let mut t = ty.trim();
    loop {
        let base = t.split('<').next().unwrap_or(t);
        let base = base.rsplit("::").next().unwrap_or(base);
        if !matches!(
            base,
            "Json" | "Result" | "Option" | "Box" | "ApiResult" | "AppResult" | "Form" | "Data"
        ) || !t.contains('<')
        {
            return t;
        }
        let start = t.find('<').map(|i| i + 1).unwrap_or(0);
        let inner = &t[start..t.rfind('>').unwrap_or(t.len())];
        // `Result<T, E>`: the success type.
        let mut depth = 0;
        let mut end = inner.len();
        for (i, c) in inner.char_indices() {
            match c {
                '<' | '[' | '(' => depth += 1,
                '>' | ']' | ')' => depth -= 1,
                ',' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        t = inner[..end].trim();
    }
}

/// String literals passed to methods named in `methods` (`add_security_scheme("api_key", ..)`).
fn literals_passed_to(facts: &Facts, methods: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = facts
        .service_rust()
        .flat_map(|(_, f)| f.literals.iter())
        .filter(|l| !l.test && l.context.as_deref().is_some_and(|c| methods.contains(&c)))
        .map(|l| l.value.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Names of service types deriving any of `derives` (by last segment).
fn types_deriving(facts: &Facts, derives: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = facts
        .service_rust()
        .flat_map(|(_, f)| f.types.iter())
        .filter(|t| {
            !t.test
                && t.derives.iter().any(|d| {
                    let last = d.rsplit("::").next().unwrap_or(d);
                    derives.contains(&last)
                })
        })
        .map(|t| t.name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Which generator documents this route, if any.
fn route_generator(route: &Route, func: &FnFact) -> Option<&'static str> {
    if route.documented {
        return Some("aide");
    }
    let has = |names: &[&str]| {
        func.attrs.iter().any(|a| {
            let last = a.path.rsplit("::").next().unwrap_or(&a.path);
            names.contains(&last)
        })
    };
    if has(&["oai"]) && !func.route_attrs.is_empty() {
        Some("poem-openapi")
    } else if has(&["api_v2_operation"]) {
        Some("paperclip")
    } else if has(&["openapi"]) {
        Some("okapi")
    } else if has(&["endpoint"]) {
        Some("salvo-oapi")
    } else {
        None
    }
}

fn route_docs(facts: &Facts, docs: &mut BTreeMap<(String, &'static str), SpecDoc>) {
    for route in facts.routes.iter().filter(|r| !r.grpc && !r.fallback) {
        let Some((fi, ni)) = route.handler_fn else {
            continue;
        };
        let file: &RustFile = &facts.rust[fi];
        let func = &file.fns[ni];
        if func.test {
            continue;
        }
        let Some(generator) = route_generator(route, func) else {
            continue;
        };
        // Where the operation is stated: aide at the registration, the others
        // on the handler.
        let (doc_path, line) = if generator == "aide" {
            (
                route.location.path.clone(),
                route.location.line.unwrap_or(func.line),
            )
        } else {
            (file.path.clone(), func.line)
        };
        let version = if generator == "paperclip" {
            "2.0"
        } else {
            "3.0.0"
        };
        let doc = docs
            .entry((doc_path.clone(), generator))
            .or_insert_with(|| {
                let mut d = new_doc(&doc_path, generator, version);
                d.schemas = types_deriving(
                    facts,
                    match generator {
                        "poem-openapi" => &["Object", "ApiResponse", "Union", "Enum"],
                        "paperclip" => &["Apiv2Schema"],
                        "salvo-oapi" => &["ToSchema"],
                        _ => &["JsonSchema"],
                    },
                );
                d.security_schemes = match generator {
                    "poem-openapi" => types_deriving(facts, &["SecurityScheme"]),
                    _ => literals_passed_to(facts, &["security_scheme"]),
                };
                if generator == "poem-openapi" {
                    d.servers = literals_passed_to(facts, &["server"]);
                }
                d
            });
        let mut params = handler_params(facts, fi, func, route);
        add_path_params(&route.path, &mut params);
        let (shape, schema_ref) = func
            .ret
            .as_deref()
            .map(|r| body_shape(facts, fi, r))
            .unwrap_or((Shape::None, None));
        let responses = if shape == Shape::None {
            Vec::new()
        } else {
            vec![SpecResponse {
                status: "200".into(),
                content_types: vec!["application/json".into()],
                headers: Vec::new(),
                shape,
                schema_ref,
            }]
        };
        doc.operations.push(Operation {
            method: route.method.clone(),
            path: route.path.clone(),
            line: Some(line),
            operation_id: Some(func.name.clone()),
            summary: None,
            params,
            responses,
            security: None,
            ..Default::default()
        });
    }
}

/// Query and path parameters a handler's extractors and route declare.
fn handler_params(facts: &Facts, fi: usize, func: &FnFact, route: &Route) -> Vec<SpecParam> {
    let mut out = Vec::new();
    for q in &route.query {
        out.push(SpecParam {
            name: q.clone(),
            location: "query".into(),
            required: false,
            maximum: None,
        });
    }
    for p in &func.params {
        let ty = p.ty.as_str();
        let Some(at) = ty.find("Query<") else {
            continue;
        };
        if !(at == 0 || ty[..at].ends_with("::")) {
            continue;
        }
        let inner = &ty[at + "Query<".len()..ty.rfind('>').unwrap_or(ty.len())];
        let optional = inner.starts_with("Option<");
        let inner = inner
            .strip_prefix("Option<")
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(inner);
        if inner.chars().next().is_some_and(char::is_uppercase)
            && !matches!(inner, "String" | "Vec" | "HashMap" | "BTreeMap")
            && !inner.starts_with("HashMap")
        {
            let mut fields = into_params(facts, fi, inner);
            for f in &mut fields {
                f.location = "query".into();
            }
            out.extend(fields);
        } else if let Some(name) = &p.name {
            // poem-openapi `limit: Query<Option<u32>>`: the parameter's name.
            out.push(SpecParam {
                name: name.clone(),
                location: "query".into(),
                required: !optional,
                maximum: None,
            });
        }
    }
    out.dedup_by(|a, b| a.name == b.name && a.location == b.location);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_response_wrappers() {
        assert_eq!(
            strip_wrappers("Result<Json<Vec<Todo>>, AppError>"),
            "Vec<Todo>"
        );
        assert_eq!(strip_wrappers("web::Json<Page<User>>"), "Page<User>");
        assert_eq!(strip_wrappers("[Todo]"), "[Todo]");
    }
}
