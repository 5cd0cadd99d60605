//! `api.validation`: request bodies are validated before handlers use them.
//!
//! The endpoints judged are handlers that take a typed body — `Json<T>`,
//! `Form<T>`, `web::Json<T>`, rocket `Json<T>`/`Form<T>`, poem `Json<T>`,
//! salvo `JsonBody<T>` — found through the routes. A body is **validated** when
//! - the extractor validates: `Valid<Json<T>>` (axum-valid), `ValidatedJson<T>`,
//!   `Garde<..>`, an extractor imported from a validating crate
//!   (actix-web-validator, axum-valid, axum-garde), or a project extractor whose
//!   `FromRequest` impl calls `.validate()`;
//! - `T` derives `Validate` (validator, garde) **and** `.validate()` is called —
//!   in the handler, or in a function that takes `T` or is a method of `T`.
//!   A derive nobody calls validates nothing;
//! - the framework validates while parsing: rocket `#[field(validate = ..)]`,
//!   poem-openapi `#[oai(validator(..))]`;
//! - it is parsed, not validated: `T` or its fields are domain types
//!   (`#[serde(try_from = ..)]`, `#[nutype(validate(..))]`, a hand-written
//!   `Deserialize`), or the handler converts it with `try_from`/`try_into`.
//!
//! `Json<serde_json::Value>`, maps and raw strings are unvalidated input. In
//! the OpenAPI documents, request-body schemas with constraints (`maxLength`,
//! `pattern`, `minimum`, `enum`, …) state the contract.
//!
//! pass: every typed body is validated · partial: some are, or only the spec
//! states constraints · fail: none are · manual: the body types are defined
//! outside the tree · n/a: no handler or operation takes a body.

use super::code::{base_type, generic_args, Body, ServiceIndex};
use super::spec_routes::is_webhook_path;
use crate::analyzers::unless_server;
use crate::extract::rust::{RustFile, TypeFact};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Extractors that carry a request body.
const BODY_EXTRACTORS: &[&str] = &[
    "Json",
    "Form",
    "JsonBody",
    "FormBody",
    "ValidatedJson",
    "ValidatedForm",
    "ValidJson",
    "ValidForm",
    "Garde",
    "MsgPack",
    "Cbor",
    "Yaml",
    "Xml",
];

/// Crates whose `Json`/`Form`/`Query` extractors validate.
const VALIDATING_CRATES: &[&str] = &[
    "actix_web_validator",
    "axum_valid",
    "axum_garde",
    "actix_web_garde",
    "garde_actix_web",
    "axum_validated_extractors",
];

/// Derives that make a type validatable.
const VALIDATE_DERIVES: &[&str] = &["Validate", "Validify"];

/// Calls that run validation.
const VALIDATE_CALLS: &[&str] = &[
    "validate",
    "validate_with",
    "validate_with_args",
    "validate_args",
    "validify",
    "validate_into",
];

/// Untyped bodies: nothing constrains them.
const UNTYPED: &[&str] = &[
    "Value", "HashMap", "BTreeMap", "String", "Bytes", "Vec", "str", "Map",
];

#[derive(Debug)]
enum Verdict {
    Validated(Evidence),
    /// Derives a validator nothing calls.
    DeriveNoCall(Evidence),
    Untyped,
    Unvalidated,
    /// The type is not in the tree.
    Unknown,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let idx = ServiceIndex::new(facts);
    let mut verdicts: Vec<(String, Location, Verdict)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Webhook receivers authenticate their sender (a signature, a token)
    // rather than validate a schema they do not own.
    for r in facts
        .routes
        .iter()
        .filter(|r| !r.grpc && !is_webhook_path(&r.path))
    {
        let Some((fi, ni)) = r.handler_fn else {
            continue;
        };
        if !seen.insert((fi, ni)) {
            continue;
        }
        let body = Body::new(&facts.rust[fi], ni);
        for p in &body.func.params {
            let Some(bp) = body_param(&p.ty, body.file) else {
                continue;
            };
            let label = format!(
                "{} {} → `{}` takes `{}`",
                r.method, r.path, body.func.name, p.ty
            );
            let v = judge(&idx, fi, body, &bp);
            verdicts.push((label, body.location(), v));
        }
    }

    let mut spec_constrained = Vec::new();
    let mut spec_bodies = 0usize;
    for spec in &facts.specs {
        for op in &spec.operations {
            let Some(req) = &op.request_body else {
                continue;
            };
            spec_bodies += 1;
            if !req.constraints.is_empty() {
                let shown: Vec<&str> = req.constraints.iter().take(3).map(String::as_str).collect();
                spec_constrained.push(Evidence::new(
                    Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                    format!(
                        "spec: {} {} body constrains {}",
                        op.method,
                        op.path,
                        shown.join(", ")
                    ),
                ));
            }
        }
    }

    if verdicts.is_empty() && spec_bodies == 0 {
        return Outcome::na(
            "no handler takes a JSON or form body and no OpenAPI operation declares one, so there is no request body to validate",
        );
    }
    let known: Vec<&(String, Location, Verdict)> = verdicts
        .iter()
        .filter(|(_, _, v)| !matches!(v, Verdict::Unknown))
        .collect();
    let validated: Vec<&Evidence> = known
        .iter()
        .filter_map(|(_, _, v)| match v {
            Verdict::Validated(e) => Some(e),
            _ => None,
        })
        .collect();
    let mut missing: Vec<Evidence> = Vec::new();
    for (label, at, v) in &known {
        match v {
            Verdict::DeriveNoCall(e) => {
                missing.push(Evidence::new(
                    at.clone(),
                    format!("{label}, never validated"),
                ));
                missing.push(e.clone());
            }
            Verdict::Untyped => missing.push(Evidence::new(
                at.clone(),
                format!("{label}: an untyped body nothing constrains"),
            )),
            Verdict::Unvalidated => missing.push(Evidence::new(
                at.clone(),
                format!("{label}: no validator derive, validated extractor or domain type"),
            )),
            _ => {}
        }
    }
    let looked = "validated extractors (Valid<Json<T>>, ValidatedJson), `#[derive(Validate)]` with a `.validate()` call, rocket/poem field validators, domain types parsed with TryFrom/nutype, and request-body constraints in the spec";
    let (v, k) = (validated.len(), known.len());
    let ev_validated = validated.iter().map(|e| (*e).clone());
    if k == 0 {
        if !spec_constrained.is_empty() {
            return Outcome::partial(
                "the spec constrains request bodies, but the body types in code are defined outside the tree, so enforcement is not visible",
            )
            .with_found(spec_constrained)
            .looked_for(looked);
        }
        if verdicts.is_empty() {
            return Outcome::fail(format!(
                "{spec_bodies} spec operation(s) take a body, but their schemas state no constraints and no handler visibly validates"
            ))
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no validated body found in the handlers of the router built here",
            )
            .looked_for(looked);
        }
        let ev = verdicts.iter().take(5).map(|(l, at, _)| {
            Evidence::new(
                at.clone(),
                format!("{l}: its type is not defined in this tree"),
            )
        });
        return Outcome::manual(format!(
            "{} handler(s) take bodies whose types are defined outside this tree; review their validation by hand",
            verdicts.len()
        ))
        .with(ev);
    }
    if v == k {
        return Outcome::pass(format!(
            "all {k} typed request bod(ies) are validated before use"
        ))
        .with(ev_validated)
        .with(spec_constrained.into_iter().take(3));
    }
    if v > 0 {
        return Outcome::partial(format!("{v} of {k} typed request bodies are validated"))
            .with(missing)
            .with_found(ev_validated)
            .with_found(spec_constrained.into_iter().take(3))
            .looked_for(looked);
    }
    if !spec_constrained.is_empty() {
        return Outcome::partial(format!(
            "the spec constrains request bodies, but none of the {k} handler bodies is validated in code"
        ))
        .with(missing)
        .with_found(spec_constrained.into_iter().take(3))
        .looked_for(looked);
    }
    Outcome::fail(format!("none of the {k} typed request bodies is validated"))
        .with(missing)
        .looked_for(looked)
}

/// A body parameter: the extractor chain and the body type.
#[derive(Debug)]
struct BodyParam {
    /// The body type's text (`NewOrder`, `Vec<Item>`).
    inner: String,
    /// The extractor validates (and how, for the evidence).
    extractor_validates: Option<String>,
    /// The body extractor's name (`Json`, `AppJson`).
    extractor: String,
}

/// Read a parameter type as a body extractor, if it is one.
fn body_param(ty: &str, file: &RustFile) -> Option<BodyParam> {
    let mut chain: Vec<&str> = Vec::new();
    let mut cur = ty;
    let mut body_at = None;
    for _ in 0..6 {
        let name = base_type(cur);
        chain.push(name);
        let is_body = BODY_EXTRACTORS.contains(&name)
            || (name.ends_with("Json") || name.ends_with("Form")) && name.len() > 4;
        if is_body {
            body_at = Some(cur);
            break;
        }
        match generic_args(cur).first() {
            Some(next) => cur = next,
            None => break,
        }
    }
    let at = body_at?;
    let extractor = base_type(at).to_string();
    let inner = generic_args(at).first()?.to_string();
    let by_name = chain
        .iter()
        .find(|n| n.contains("Valid") || n.contains("Garde"))
        .map(|n| format!("the `{n}` extractor validates"));
    let by_import = file
        .refs
        .iter()
        .find(|r| {
            base_type(&r.path) == extractor
                && VALIDATING_CRATES
                    .iter()
                    .any(|c| r.path.starts_with(&format!("{c}::")))
        })
        .map(|r| format!("`{extractor}` is `{}`, which validates", r.path));
    Some(BodyParam {
        inner,
        extractor_validates: by_name.or(by_import),
        extractor,
    })
}

fn judge(idx: &ServiceIndex<'_>, fi: usize, handler: Body<'_>, bp: &BodyParam) -> Verdict {
    if let Some(how) = &bp.extractor_validates {
        return Verdict::Validated(Evidence::new(
            handler.location(),
            format!("`{}` takes `{}`: {how}", handler.func.name, bp.inner),
        ));
    }
    // `Vec<T>` / `Option<T>`: judge the element.
    let mut inner = bp.inner.as_str();
    while matches!(base_type(inner), "Vec" | "Option" | "Box") {
        match generic_args(inner).first() {
            Some(a) => inner = a,
            None => break,
        }
    }
    let name = base_type(inner);
    if UNTYPED.contains(&name) || name.is_empty() {
        return Verdict::Untyped;
    }
    // A project extractor whose FromRequest impl validates.
    if let Some(e) = validating_extractor(idx, &bp.extractor) {
        return Verdict::Validated(e);
    }
    // The handler parses the body into a domain type.
    if let Some(call) = handler
        .methods()
        .find(|m| m.name == "try_into")
        .map(|m| (m.line, "try_into".to_string()))
        .or_else(|| {
            handler
                .refs()
                .find(|r| r.path.ends_with("::try_from"))
                .map(|r| (r.line, r.path.clone()))
        })
    {
        return Verdict::Validated(Evidence::new(
            handler.at(call.0),
            format!("`{}` parses the body with `{}`", handler.func.name, call.1),
        ));
    }
    let Some((tf, t)) = idx.type_named(name, fi) else {
        return Verdict::Unknown;
    };
    let t_at = Location::new(tf.path.clone(), t.line);
    if let Some(e) = framework_validated(tf, t) {
        return Verdict::Validated(e);
    }
    if let Some(e) = domain_type(idx, fi, tf, t) {
        return Verdict::Validated(e);
    }
    let Some(derive) = t
        .derives
        .iter()
        .find(|d| VALIDATE_DERIVES.contains(&base_type(d)))
    else {
        return hand_validated(idx, handler, name).unwrap_or(Verdict::Unvalidated);
    };
    if let Some(m) = handler.find_method(VALIDATE_CALLS) {
        return Verdict::Validated(Evidence::new(
            handler.at(m.line),
            format!(
                "`{}` calls `.{}()` on its `{name}` body (`{name}` derives `{derive}`)",
                handler.func.name, m.name
            ),
        ));
    }
    if let Some(e) = validated_elsewhere(idx, name) {
        return Verdict::Validated(e);
    }
    Verdict::DeriveNoCall(Evidence::new(
        t_at,
        format!("`{name}` derives `{derive}`, but nothing calls `.validate()` on it"),
    ))
}

/// `T` has a hand-written `fn validate(&self)` and the handler calls it (or a
/// function taking `T` does): the same check `sec.input-validation` credits.
fn hand_validated(idx: &ServiceIndex<'_>, handler: Body<'_>, name: &str) -> Option<Verdict> {
    let (tf, method) = idx.files.iter().find_map(|(_, f)| {
        f.fns
            .iter()
            .find(|x| {
                !x.test
                    && x.self_ty.as_deref().map(base_type) == Some(name)
                    && VALIDATE_CALLS.contains(&x.name.as_str())
            })
            .map(|x| (*f, x))
    })?;
    let defined = format!(
        "`{name}` has a hand-written `{}()` ({}:{})",
        method.name, tf.path, method.line
    );
    if let Some(m) = handler.find_method(&[method.name.as_str()]) {
        return Some(Verdict::Validated(Evidence::new(
            handler.at(m.line),
            format!(
                "`{}` calls `.{}()` on its `{name}` body; {defined}",
                handler.func.name, m.name
            ),
        )));
    }
    validated_elsewhere(idx, name).map(Verdict::Validated)
}

/// A `.validate()` call in a function that takes `name` or is a method of it.
fn validated_elsewhere(idx: &ServiceIndex<'_>, name: &str) -> Option<Evidence> {
    for (_, f) in &idx.files {
        // Only functions of files that call a validator at all.
        if !f
            .methods
            .iter()
            .any(|m| !m.test && VALIDATE_CALLS.contains(&m.name.as_str()))
        {
            continue;
        }
        for (ni, func) in f.fns.iter().enumerate().filter(|(_, f)| !f.test) {
            let takes = func.self_ty.as_deref().map(base_type) == Some(name)
                || func.params.iter().any(|p| mentions(&p.ty, name));
            if !takes {
                continue;
            }
            let b = Body::new(f, ni);
            if let Some(m) = b.find_method(VALIDATE_CALLS) {
                return Some(Evidence::new(
                    b.at(m.line),
                    format!("`{}` validates `{name}` with `.{}()`", func.name, m.name),
                ));
            }
        }
    }
    None
}

/// Whether a type text mentions the type `name` as a whole word.
fn mentions(ty: &str, name: &str) -> bool {
    ty.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == name)
}

/// A project extractor (`AppJson<T>`) whose `FromRequest` impl validates.
fn validating_extractor(idx: &ServiceIndex<'_>, extractor: &str) -> Option<Evidence> {
    let impls = idx.impls_of(extractor).filter(|(_, imp)| {
        imp.trait_path.as_deref().is_some_and(|t| {
            matches!(
                base_type(t),
                "FromRequest" | "FromRequestParts" | "FromData" | "Extractor"
            )
        })
    });
    for (f, imp) in impls {
        for b in super::code::impl_fns(f, imp) {
            if let Some(m) = b.find_method(VALIDATE_CALLS) {
                return Some(Evidence::new(
                    b.at(m.line),
                    format!(
                        "the `{extractor}` extractor calls `.{}()` on every body",
                        m.name
                    ),
                ));
            }
        }
    }
    None
}

/// Validation the framework runs while parsing the type.
fn framework_validated(tf: &RustFile, t: &TypeFact) -> Option<Evidence> {
    for field in &t.fields {
        for a in &field.attrs {
            let last = base_type(&a.path);
            // validator/garde field attributes need their derive and a call:
            // the caller judges those.
            let hit = (last == "field" && a.args.contains("validate"))
                || (last == "oai" && a.args.contains("validator"));
            if hit {
                return Some(Evidence::new(
                    Location::new(tf.path.clone(), field.line),
                    format!(
                        "`{}.{}` is validated while parsing: #[{}({})]",
                        t.name, field.name, a.path, a.args
                    ),
                ));
            }
        }
    }
    None
}

/// `t` or one of its fields is a domain type that validates on deserialisation.
fn domain_type(idx: &ServiceIndex<'_>, fi: usize, tf: &RustFile, t: &TypeFact) -> Option<Evidence> {
    if let Some(why) = parses_itself(idx, t) {
        return Some(Evidence::new(
            Location::new(tf.path.clone(), t.line),
            format!("`{}` {why}", t.name),
        ));
    }
    for field in &t.fields {
        let mut ty = field.ty.as_str();
        while matches!(base_type(ty), "Vec" | "Option" | "Box") {
            match generic_args(ty).first() {
                Some(a) => ty = a,
                None => break,
            }
        }
        let name = base_type(ty);
        if name == t.name {
            continue;
        }
        let Some((_, ft)) = idx.type_named(name, fi) else {
            continue;
        };
        if let Some(why) = parses_itself(idx, ft) {
            return Some(Evidence::new(
                Location::new(tf.path.clone(), field.line),
                format!("`{}.{}` is a `{name}`, which {why}", t.name, field.name),
            ));
        }
    }
    None
}

/// Why a type validates while it is deserialised, if it does.
fn parses_itself(idx: &ServiceIndex<'_>, t: &TypeFact) -> Option<String> {
    for a in &t.attrs {
        let last = base_type(&a.path);
        if last == "serde" && a.args.contains("try_from") {
            return Some(format!("deserialises through `#[serde({})]`", a.args));
        }
        if last == "nutype" && (a.args.contains("validate") || a.args.contains("sanitize")) {
            return Some("is a `nutype` with validation".to_string());
        }
    }
    idx.impls_of(&t.name)
        .find(|(_, i)| {
            i.trait_path
                .as_deref()
                .is_some_and(|p| base_type(p) == "Deserialize")
        })
        .map(|(f, imp)| format!("has a hand-written `Deserialize` ({}:{})", f.path, imp.line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> RustFile {
        RustFile::default()
    }

    #[test]
    fn reads_body_extractors() {
        let f = file();
        let b = body_param("Json<NewOrder>", &f).unwrap();
        assert_eq!(b.inner, "NewOrder");
        assert!(b.extractor_validates.is_none());
        let b = body_param("Valid<Json<NewOrder>>", &f).unwrap();
        assert!(b.extractor_validates.unwrap().contains("Valid"));
        let b = body_param("web::Json<Vec<Item>>", &f).unwrap();
        assert_eq!(b.inner, "Vec<Item>");
        assert!(body_param("ValidatedJson<Signup>", &f)
            .unwrap()
            .extractor_validates
            .is_some());
        assert!(body_param("Query<ListParams>", &f).is_none());
        assert!(body_param("State<AppState>", &f).is_none());
    }

    #[test]
    fn whole_word_type_mentions() {
        assert!(mentions("&NewOrder", "NewOrder"));
        assert!(!mentions("NewOrderLine", "NewOrder"));
    }
}
