//! OpenAPI documents (3.0, 3.1, and Swagger 2.0 read leniently), found by content.
//!
//! A document is first validated with the typed model for its version —
//! `openapiv3` for 3.0 (it rejects 3.1) and `oas3` for 3.1 — so a broken spec gets
//! a diagnostic that says what is wrong. Facts are then read from the JSON value by
//! one normaliser for every version: operations with method, path, parameters,
//! responses (status, content types, headers, and the shape of the body), security
//! and a line. Local `$ref`s are followed with a depth limit, so reference cycles
//! terminate; dangling refs are reported.

use crate::diagnostics::Diagnostic;
use crate::location::Location;
use serde::Serialize;
use serde_json::Value;

/// One OpenAPI document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpecDoc {
    pub path: String,
    /// The `openapi` (or `swagger`) version string.
    pub version: String,
    pub title: String,
    pub servers: Vec<String>,
    pub operations: Vec<Operation>,
    /// Names of `components.securitySchemes`.
    pub security_schemes: Vec<String>,
    /// The document declares security requirements at the top level.
    pub global_security: bool,
    /// Names of `components.schemas`.
    pub schemas: Vec<String>,
    /// Generated from code (utoipa, aide, poem-openapi, paperclip, okapi,
    /// salvo-oapi) rather than read from a file: `path` is then the Rust file
    /// whose handlers state the operations, and each operation's `line` is in it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub generated: bool,
    /// The generator, when `generated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
}

/// One operation (path + method).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub line: Option<u32>,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub params: Vec<SpecParam>,
    pub responses: Vec<SpecResponse>,
    /// `Some(true)` when the operation lists security requirements, `Some(false)`
    /// when it explicitly lists none (`security: []`), `None` when it inherits.
    pub security: Option<bool>,
    /// The request body, when the operation declares one.
    pub request_body: Option<SpecRequest>,
}

/// A request body: what it accepts and which constraints its schema states.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpecRequest {
    pub content_types: Vec<String>,
    /// The `$ref` name of the body schema, when it is a reference.
    pub schema_ref: Option<String>,
    /// Constraints the schema puts on the input, as `field: keyword`
    /// (`customer: maxLength`, `items[]: minimum`), capped.
    pub constraints: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecParam {
    pub name: String,
    /// `query`, `path`, `header`, `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    pub required: bool,
    /// `maximum` of the parameter's schema, when numeric.
    pub maximum: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecResponse {
    /// `200`, `4XX`, `default`, …
    pub status: String,
    pub content_types: Vec<String>,
    /// Header names declared on the response.
    pub headers: Vec<String>,
    pub shape: Shape,
    /// The `$ref` name of the body schema, when it is a reference.
    pub schema_ref: Option<String>,
}

/// What a response body is, as far as pagination cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    /// A JSON array.
    Array {
        max_items: bool,
    },
    /// An object wrapping an array (`{ "items": [...], "next": .. }`).
    Wrapper {
        field: String,
        max_items: bool,
    },
    Object,
    Scalar,
    None,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Field names that hold the page of a list response.
pub const LIST_FIELDS: &[&str] = &[
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

/// Read one spec. `Ok((doc, warnings))`: the facts and any validation warnings.
pub fn extract(path: &str, text: &str) -> Result<(SpecDoc, Vec<Diagnostic>), Diagnostic> {
    let is_json = text.trim_start().starts_with('{');
    let value: Value = if is_json {
        serde_json::from_str(text).map_err(|e| {
            Diagnostic::error(
                Location::new(path, e.line() as u32),
                "openapi",
                format!("OpenAPI document is not valid JSON: {e}; it is missing from this audit"),
            )
        })?
    } else {
        yaml_serde::from_str(text).map_err(|e| {
            // yaml_serde stops alias expansion bombs with a bare "repetition
            // limit exceeded": say what that means.
            let why = if e.to_string().contains("repetition limit") {
                " (its aliases expand past the size budget: a YAML bomb?)"
            } else {
                ""
            };
            Diagnostic::error(
                Location::new(path, e.location().map(|l| l.line() as u32).unwrap_or(0)),
                "openapi",
                format!(
                    "OpenAPI document is not valid YAML: {e}{why}; it is missing from this audit"
                ),
            )
        })?
    };
    let mut warnings = Vec::new();
    let version = value
        .get("openapi")
        .or_else(|| value.get("swagger"))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let validation = if version.starts_with("3.0") {
        <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&value)
            .err()
            .map(|e| format!("does not conform to OpenAPI 3.0: {e}"))
    } else if version.starts_with("3.1") || version.starts_with("3.2") {
        <oas3::Spec as serde::Deserialize>::deserialize(&value)
            .err()
            .map(|e| format!("does not conform to OpenAPI 3.1: {e}"))
    } else if version.starts_with("2.") {
        Some("is Swagger 2.0; it is read leniently (operations and responses only)".to_string())
    } else {
        Some(format!(
            "has an unknown OpenAPI version `{version}`; it is read leniently"
        ))
    };
    if let Some(msg) = validation {
        warnings.push(Diagnostic::warning(
            Location::file(path),
            "openapi",
            format!("OpenAPI document {msg}"),
        ));
    }
    let mut doc = normalise(path, text, &value, version, &mut warnings);
    doc.operations
        .sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok((doc, warnings))
}

fn normalise(
    path: &str,
    text: &str,
    root: &Value,
    version: String,
    warnings: &mut Vec<Diagnostic>,
) -> SpecDoc {
    let r = Resolver { root, path };
    let mut dangling = Vec::new();
    let mut operations = Vec::new();
    if let Some(paths) = root.get("paths").and_then(Value::as_object) {
        let lines = OpLines::new(text, paths.keys().map(String::as_str));
        for (p, item) in paths {
            let item = r.deref(item, &mut dangling);
            let shared_params = item.get("parameters");
            for m in METHODS {
                let Some(op) = item.get(*m) else { continue };
                let mut params = Vec::new();
                for list in [shared_params, op.get("parameters")].into_iter().flatten() {
                    for prm in list.as_array().into_iter().flatten() {
                        let prm = r.deref(prm, &mut dangling);
                        let Some(name) = prm.get("name").and_then(Value::as_str) else {
                            continue;
                        };
                        let schema = prm.get("schema").map(|s| r.deref(s, &mut dangling));
                        let maximum = schema
                            .and_then(|s| s.get("maximum"))
                            .or_else(|| prm.get("maximum"))
                            .and_then(Value::as_f64);
                        params.push(SpecParam {
                            name: name.to_string(),
                            location: prm
                                .get("in")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string(),
                            required: prm
                                .get("required")
                                .and_then(Value::as_bool)
                                .unwrap_or(false),
                            maximum,
                        });
                    }
                }
                let mut responses = Vec::new();
                if let Some(resps) = op.get("responses").and_then(Value::as_object) {
                    for (status, resp) in resps {
                        let resp = r.deref(resp, &mut dangling);
                        responses.push(response(&r, status, resp, &mut dangling));
                    }
                }
                let request_body = request_body(&r, op, &mut dangling);
                let security = op
                    .get("security")
                    .and_then(Value::as_array)
                    .map(|a| !a.is_empty());
                operations.push(Operation {
                    method: m.to_ascii_uppercase(),
                    path: p.clone(),
                    line: lines.line(p, m),
                    operation_id: op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    summary: op
                        .get("summary")
                        .or_else(|| op.get("description"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    params,
                    responses,
                    security,
                    request_body,
                });
            }
        }
    }
    dangling.sort();
    dangling.dedup();
    for d in dangling {
        warnings.push(Diagnostic::warning(
            Location::new(path, crate::location::find_line(text, &d).unwrap_or(0)),
            "openapi",
            format!("`$ref: {d}` points at nothing in this document (or forms a cycle); what it describes is not judged"),
        ));
    }
    let mut servers: Vec<String> = root
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url").and_then(Value::as_str).map(str::to_string))
        .collect();
    if let Some(base) = root.get("basePath").and_then(Value::as_str) {
        servers.push(base.to_string());
    }
    let names = |v: Option<&Value>| -> Vec<String> {
        let mut n: Vec<String> = v
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        n.sort();
        n
    };
    let components = root.get("components");
    SpecDoc {
        path: path.to_string(),
        version,
        title: root
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        servers,
        operations,
        security_schemes: names(
            components
                .and_then(|c| c.get("securitySchemes"))
                .or_else(|| root.get("securityDefinitions")),
        ),
        global_security: root
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty()),
        schemas: names(
            components
                .and_then(|c| c.get("schemas"))
                .or_else(|| root.get("definitions")),
        ),
        generated: false,
        generator: None,
    }
}

fn response(
    r: &Resolver<'_>,
    status: &str,
    resp: &Value,
    dangling: &mut Vec<String>,
) -> SpecResponse {
    let mut content_types = Vec::new();
    let mut schema = None;
    if let Some(content) = resp.get("content").and_then(Value::as_object) {
        for (ct, media) in content {
            content_types.push(ct.clone());
            if schema.is_none() || ct.contains("json") {
                if let Some(s) = media.get("schema") {
                    schema = Some(s);
                }
            }
        }
    } else if let Some(s) = resp.get("schema") {
        content_types.push("application/json".into());
        schema = Some(s);
    }
    let headers = resp
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| h.keys().cloned().collect())
        .unwrap_or_default();
    let schema_ref = schema
        .and_then(|s| s.get("$ref"))
        .and_then(Value::as_str)
        .map(|s| s.rsplit('/').next().unwrap_or(s).to_string());
    SpecResponse {
        status: status.to_string(),
        content_types,
        headers,
        shape: schema
            .map(|s| shape(r, s, dangling, 0, &mut SHAPE_BUDGET.clone()))
            .unwrap_or(Shape::None),
        schema_ref,
    }
}

/// Schema keywords that constrain input values.
const CONSTRAINT_KEYWORDS: &[&str] = &[
    "maxLength",
    "minLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "enum",
    "const",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
];

/// Most constraints kept per request body.
const MAX_CONSTRAINTS: usize = 32;

/// The request body of an operation: OpenAPI 3 `requestBody`, or a Swagger 2
/// `in: body` parameter.
fn request_body(r: &Resolver<'_>, op: &Value, dangling: &mut Vec<String>) -> Option<SpecRequest> {
    let mut req = SpecRequest::default();
    let mut schema = None;
    if let Some(body) = op.get("requestBody") {
        let body = r.deref(body, dangling);
        for (ct, media) in body.get("content").and_then(Value::as_object)? {
            req.content_types.push(ct.clone());
            if schema.is_none() || ct.contains("json") {
                if let Some(s) = media.get("schema") {
                    schema = Some(s);
                }
            }
        }
    } else {
        let param = op
            .get("parameters")
            .and_then(Value::as_array)?
            .iter()
            .map(|p| r.deref(p, dangling))
            .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))?;
        req.content_types.push("application/json".into());
        schema = param.get("schema");
    }
    if let Some(s) = schema {
        req.schema_ref = s
            .get("$ref")
            .and_then(Value::as_str)
            .map(|s| s.rsplit('/').next().unwrap_or(s).to_string());
        let mut budget = SHAPE_BUDGET;
        constraints(r, s, "", 0, dangling, &mut req.constraints, &mut budget);
    }
    Some(req)
}

/// Collect the constraint keywords of a schema and its properties and items.
/// `budget` bounds the schemas visited: members and properties that refer back
/// to their own schema would otherwise multiply at every level.
fn constraints(
    r: &Resolver<'_>,
    schema: &Value,
    at: &str,
    depth: u32,
    dangling: &mut Vec<String>,
    out: &mut Vec<String>,
    budget: &mut u32,
) {
    if depth > 6 || out.len() >= MAX_CONSTRAINTS || *budget == 0 {
        return;
    }
    *budget -= 1;
    let s = r.deref(schema, dangling);
    let here = if at.is_empty() { "(body)" } else { at };
    for k in CONSTRAINT_KEYWORDS {
        if s.get(*k).is_some() && out.len() < MAX_CONSTRAINTS {
            out.push(format!("{here}: {k}"));
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in s.get(key).and_then(Value::as_array).into_iter().flatten() {
            constraints(r, member, at, depth + 1, dangling, out, budget);
        }
    }
    if let Some(items) = s.get("items").filter(|i| i.is_object()) {
        constraints(
            r,
            items,
            &format!("{at}[]"),
            depth + 1,
            dangling,
            out,
            budget,
        );
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            let path = if at.is_empty() {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            constraints(r, prop, &path, depth + 1, dangling, out, budget);
        }
    }
}

/// Schemas looked at to decide one response's shape (or to collect one request
/// body's constraints). `allOf`/`oneOf`/`anyOf` members are followed
/// recursively, so a schema listing itself twenty times would otherwise cost
/// 20^8 steps: a 1 KB spec that never finishes.
const SHAPE_BUDGET: u32 = 1000;

fn shape(
    r: &Resolver<'_>,
    schema: &Value,
    dangling: &mut Vec<String>,
    depth: u32,
    budget: &mut u32,
) -> Shape {
    if depth > 8 || *budget == 0 {
        return Shape::Object;
    }
    *budget -= 1;
    let s = r.deref(schema, dangling);
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            for member in list {
                let sh = shape(r, member, dangling, depth + 1, budget);
                if matches!(sh, Shape::Array { .. } | Shape::Wrapper { .. }) {
                    return sh;
                }
            }
        }
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or(""),
        _ => "",
    };
    if ty == "array" || s.get("items").is_some_and(|i| i.is_object()) && ty.is_empty() {
        return Shape::Array {
            max_items: s.get("maxItems").is_some(),
        };
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            if !LIST_FIELDS.contains(&name.as_str()) {
                continue;
            }
            let p = r.deref(prop, dangling);
            let is_array = p.get("type").and_then(Value::as_str) == Some("array")
                || p.get("items").is_some_and(|i| i.is_object());
            if is_array {
                return Shape::Wrapper {
                    field: name.clone(),
                    max_items: p.get("maxItems").is_some(),
                };
            }
        }
        return Shape::Object;
    }
    if ty == "object" {
        Shape::Object
    } else if ty.is_empty() {
        Shape::None
    } else {
        Shape::Scalar
    }
}

struct Resolver<'a> {
    root: &'a Value,
    #[allow(dead_code)]
    path: &'a str,
}

impl<'a> Resolver<'a> {
    /// Follow local `$ref`s (up to 16 hops). An unresolvable or cyclic reference
    /// yields `Null` and is recorded.
    fn deref(&self, mut v: &'a Value, dangling: &mut Vec<String>) -> &'a Value {
        static NULL: Value = Value::Null;
        for _ in 0..16 {
            let Some(reference) = v.get("$ref").and_then(Value::as_str) else {
                return v;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                // An external file: not followed.
                return &NULL;
            };
            match self.root.pointer(&decode_pointer(pointer)) {
                Some(target) => v = target,
                None => {
                    dangling.push(reference.to_string());
                    return &NULL;
                }
            }
        }
        if let Some(reference) = v.get("$ref").and_then(Value::as_str) {
            dangling.push(reference.to_string());
        }
        &NULL
    }
}

fn decode_pointer(p: &str) -> String {
    p.replace("%7B", "{").replace("%7D", "}")
}

/// Lines of operations: the method key after the first place the path is
/// written as a key (`"/x"`, `'/x'` or `/x:`).
///
/// Every path key is found in one pass over the text (Aho-Corasick), and lines
/// come from a line index: looking each operation up with `str::find` from the
/// top and counting newlines was quadratic, and took most of an audit's time on
/// a spec with thousands of operations.
struct OpLines<'t> {
    text: &'t str,
    /// Where each path key is first written.
    starts: std::collections::HashMap<&'t str, usize>,
    index: crate::location::LineIndex,
}

impl<'t> OpLines<'t> {
    fn new(text: &'t str, keys: impl Iterator<Item = &'t str>) -> Self {
        let keys: Vec<&str> = keys.collect();
        let mut starts = std::collections::HashMap::new();
        if let Ok(ac) = aho_corasick::AhoCorasick::new(&keys) {
            let bytes = text.as_bytes();
            for m in ac.find_overlapping_iter(text) {
                let key = keys[m.pattern().as_usize()];
                if starts.contains_key(key) {
                    continue;
                }
                let (p, end) = (m.start(), m.end());
                let before = p.checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(end).copied();
                let quoted = matches!(
                    (before, after),
                    (Some(b'"'), Some(b'"')) | (Some(b'\''), Some(b'\''))
                );
                if quoted {
                    starts.insert(key, p - 1);
                } else if after == Some(b':') {
                    starts.insert(key, p);
                }
                if starts.len() == keys.len() {
                    break;
                }
            }
        }
        OpLines {
            text,
            starts,
            index: crate::location::LineIndex::new(text),
        }
    }

    /// The line of `method` under `path`.
    fn line(&self, path: &str, method: &str) -> Option<u32> {
        let start = *self.starts.get(path)?;
        let rest = &self.text[start..];
        let bytes = rest.as_bytes();
        // The first `"method"` or `method:` after the path key.
        let off = rest
            .match_indices(method)
            .find_map(|(p, _)| {
                let end = p + method.len();
                if p > 0 && bytes[p - 1] == b'"' && bytes.get(end) == Some(&b'"') {
                    Some(p - 1)
                } else if bytes.get(end) == Some(&b':') {
                    Some(p)
                } else {
                    None
                }
            })
            .unwrap_or(0);
        Some(self.index.line_of(start + off))
    }
}

impl Operation {
    /// Responses with a 2xx status.
    pub fn success(&self) -> impl Iterator<Item = &SpecResponse> {
        self.responses.iter().filter(|r| r.status.starts_with('2'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V30: &str = r##"openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/PetPage"}
        "429":
          description: slow down
          headers:
            Retry-After: {schema: {type: integer}}
components:
  schemas:
    PetPage:
      type: object
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Pet"}}
    Pet: {type: object, properties: {name: {type: string}}}
"##;

    #[test]
    fn reads_operations_params_and_list_shapes() {
        let (doc, warnings) = extract("openapi.yaml", V30).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let op = &doc.operations[0];
        assert_eq!((op.method.as_str(), op.path.as_str()), ("GET", "/pets"));
        assert_eq!(op.line, Some(5));
        assert_eq!(op.params[0].maximum, Some(100.0));
        let ok = op.responses.iter().find(|r| r.status == "200").unwrap();
        assert_eq!(
            ok.shape,
            Shape::Wrapper {
                field: "items".into(),
                max_items: false
            }
        );
        let slow = op.responses.iter().find(|r| r.status == "429").unwrap();
        assert_eq!(slow.headers, vec!["Retry-After".to_string()]);
    }

    /// The first implementation of operation lines: a search from the top per
    /// operation. [`OpLines`] must give the same lines.
    fn op_line_reference(text: &str, path: &str, method: &str) -> Option<u32> {
        let candidates = [
            format!("\"{path}\""),
            format!("'{path}'"),
            format!("{path}:"),
        ];
        let start = candidates
            .iter()
            .filter_map(|c| text.find(c.as_str()))
            .min()?;
        let rest = &text[start..];
        let m_candidates = [format!("\"{method}\""), format!("{method}:")];
        let off = m_candidates
            .iter()
            .filter_map(|c| rest.find(c.as_str()))
            .min()
            .unwrap_or(0);
        Some(text[..start + off].matches('\n').count() as u32 + 1)
    }

    #[test]
    fn operation_lines_match_a_search_from_the_top() {
        let docs = [
            V30,
            "paths:\n  # see /a/b: below, and '/a' too\n  '/a':\n    description: get: it\n    post:\n      x: 1\n  /a/b:\n    put: {}\n  \"/c\":\n    delete: {}\n  /d:\n    x: 1\n",
            r#"{"paths": {"/a": {"get": {}}, "/a/{id}": {"post": {}, "get": {}}, "/": {"patch": {}}}}"#,
        ];
        for text in docs {
            let keys = [
                "/pets",
                "/pets/{id}",
                "/a",
                "/a/b",
                "/c",
                "/d",
                "/a/{id}",
                "/",
                "/missing",
            ];
            let lines = OpLines::new(text, keys.iter().copied());
            for k in keys {
                for m in ["get", "post", "put", "delete", "patch", "head"] {
                    assert_eq!(
                        lines.line(k, m),
                        op_line_reference(text, k, m),
                        "{k} {m} in {text}"
                    );
                }
            }
        }
    }

    /// Validating from a borrowed value (no copy of the document) reports what
    /// validating a copy reported.
    #[test]
    fn validation_errors_are_the_same_from_a_borrowed_value() {
        let bad = [
            r#"{"openapi": "3.0.3", "info": {"title": "t"}, "paths": {}}"#,
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": 5}}}}"#,
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"parameters": [{"in": "query"}], "responses": {}}}}}"#,
        ];
        for text in bad {
            let v: Value = serde_json::from_str(text).unwrap();
            let owned = serde_json::from_value::<openapiv3::OpenAPI>(v.clone()).unwrap_err();
            let borrowed = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&v).unwrap_err();
            assert_eq!(owned.to_string(), borrowed.to_string());
            let owned = serde_json::from_value::<oas3::Spec>(v.clone())
                .map(|_| ())
                .unwrap_err();
            let borrowed = <oas3::Spec as serde::Deserialize>::deserialize(&v)
                .map(|_| ())
                .unwrap_err();
            assert_eq!(owned.to_string(), borrowed.to_string());
        }
    }

    #[test]
    fn reads_request_body_constraints() {
        let text = r##"openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses: {"201": {description: created}}
  /raw:
    post:
      requestBody:
        content:
          application/octet-stream: {schema: {type: string}}
      responses: {"200": {description: ok}}
components:
  schemas:
    NewPet:
      type: object
      properties:
        name: {type: string, maxLength: 50}
        tags: {type: array, maxItems: 5, items: {type: string, pattern: "^[a-z]+$"}}
"##;
        let (doc, _) = extract("openapi.yaml", text).unwrap();
        let pets = doc.operations.iter().find(|o| o.path == "/pets").unwrap();
        let body = pets.request_body.as_ref().unwrap();
        assert_eq!(body.schema_ref.as_deref(), Some("NewPet"));
        assert_eq!(
            body.constraints,
            vec!["name: maxLength", "tags: maxItems", "tags[]: pattern"]
        );
        let raw = doc.operations.iter().find(|o| o.path == "/raw").unwrap();
        assert!(raw.request_body.as_ref().unwrap().constraints.is_empty());
    }

    #[test]
    fn reads_3_1_documents() {
        let text = r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
          "paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"type": ["array", "null"], "items": {"type": "string"}}}}}}}}}}"#;
        let (doc, warnings) = extract("spec.json", text).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            doc.operations[0].responses[0].shape,
            Shape::Array { max_items: false }
        );
    }

    #[test]
    fn ref_cycles_and_dangling_refs_terminate_with_warnings() {
        let text = r##"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
          "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}}},
          "components": {"responses": {"A": {"$ref": "#/components/responses/B"}, "B": {"$ref": "#/components/responses/A"}},
            "schemas": {"X": {"$ref": "#/components/schemas/Missing"}}}}"##;
        let (doc, warnings) = extract("spec.json", text).unwrap();
        assert_eq!(doc.operations.len(), 1);
        assert!(warnings
            .iter()
            .any(|w| w.message.contains("points at nothing")));
    }

    #[test]
    fn self_referencing_all_of_lists_finish_quickly() {
        // Each `allOf` member is the schema itself: 20^8 steps without a budget.
        let refs = vec![r##"{"$ref": "#/components/schemas/A"}"##; 20].join(", ");
        let text = format!(
            r##"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}},
              "paths": {{"/x": {{"get": {{"responses": {{"200": {{"description": "d",
                "content": {{"application/json": {{"schema": {{"$ref": "#/components/schemas/A"}}}}}}}}}}}}}}}},
              "components": {{"schemas": {{"A": {{"allOf": [{refs}]}}}}}}}}"##
        );
        let start = std::time::Instant::now();
        let (doc, _) = extract("spec.json", &text).unwrap();
        assert!(!matches!(
            doc.operations[0].responses[0].shape,
            Shape::Array { .. } | Shape::Wrapper { .. }
        ));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn self_referencing_request_bodies_finish_quickly() {
        // allOf members and properties all pointing back at their schema.
        let refs = vec![r##"{"$ref": "#/components/schemas/A"}"##; 20].join(", ");
        let props: Vec<String> = (0..20)
            .map(|i| format!(r##""p{i}": {{"$ref": "#/components/schemas/A"}}"##))
            .collect();
        let text = format!(
            r##"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}},
              "paths": {{"/x": {{"post": {{
                "requestBody": {{"content": {{"application/json": {{"schema": {{"$ref": "#/components/schemas/A"}}}}}}}},
                "responses": {{"200": {{"description": "d"}}}}}}}}}},
              "components": {{"schemas": {{"A": {{"allOf": [{refs}], "properties": {{{}}}}}}}}}}}"##,
            props.join(", ")
        );
        let start = std::time::Instant::now();
        let (doc, _) = extract("spec.json", &text).unwrap();
        assert!(doc.operations[0].request_body.is_some());
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn broken_json_is_a_diagnostic_with_a_line() {
        let err = extract("spec.json", "{\n\"openapi\": \"3.0.0\",\n  oops\n}").unwrap_err();
        assert_eq!(err.location.line, Some(3));
    }
}
