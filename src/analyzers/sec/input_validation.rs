//! `sec.input-validation`: request input is validated, and bodies are bounded.
//!
//! Two halves, both needed:
//! 1. **validation** — validator/garde/validify derives *and* a `.validate()` call
//!    or a validating extractor (`Valid<Json<T>>`, `ValidatedJson`, `Garde<..>`,
//!    actix-web-validator), nutype/TryFrom domain types, poem-openapi
//!    `#[oai(validator(..))]`, HTML sanitising (ammonia), or spec constraints on
//!    parameters (`maximum`);
//! 2. **size limits** — a body limit set in code: axum `DefaultBodyLimit::max`,
//!    tower-http `RequestBodyLimitLayer`, actix `PayloadConfig::new(n)`/
//!    `JsonConfig::default().limit(n)`/`FormConfig::limit`, warp
//!    `content_length_limit`, poem `SizeLimit`, salvo `max_size`, tonic
//!    `max_decoding_message_size`, rocket `limits` in `Rocket.toml`. An actix
//!    `JsonConfig` without `.limit(..)` sets no limit of its own.
//!
//! **Framework defaults** count half, the same for every framework: axum ≥ 0.6
//! (`DefaultBodyLimit`, 2 MB), actix-web (`JsonConfig` 2 MB / `PayloadConfig`
//! 256 kB), rocket (data limits: forms 32 KiB, JSON 1 MiB) and tonic (4 MB
//! messages) bound bodies nobody configured. They keep an item from failing
//! but do not make it pass; `DefaultBodyLimit::disable()` removes the axum one.
//!
//! **No request bodies**: when routes were found and no handler takes a body
//! (JSON, form, bytes, multipart, a raw request; webhook receivers aside, as in
//! `api.validation`) and no OpenAPI operation declares one, there is no body
//! to validate or bound: n/a, unless validation is visible anyway (pass).
//!
//! pass: validation and an explicit limit · partial: one half, or validation
//! or nothing else with only a framework default · fail: neither (or body
//! limits disabled with no limit instead) · n/a: no server, or no request
//! bodies and no validation.

use super::common;
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Derives that declare validation rules.
const VALIDATE_DERIVES: &[&str] = &["Validate", "Validify", "Garde", "Nutype"];

/// Extractor/wrapper types that validate on extraction.
const VALIDATING_TYPES: &[&str] = &[
    "Valid",
    "Validated",
    "ValidatedJson",
    "ValidatedQuery",
    "ValidatedForm",
    "ValidatedPath",
    "Garde",
    "Validify",
    "WithValidation",
];

/// Paths that set a body size limit, with the crate that must be in the path
/// (empty when the name is specific enough on its own).
const LIMIT_PATHS: &[(&str, &str)] = &[
    ("DefaultBodyLimit::max", ""),
    ("RequestBodyLimitLayer", ""),
    ("RequestBodyLimit", "tower_http"),
    ("PayloadConfig", ""),
    ("SizeLimit", "poem"),
    ("SecureMaxSize", ""),
    ("content_length_limit", "warp"),
    ("ContentLengthLimit", ""),
];

const LIMIT_METHODS: &[&str] = &[
    "content_length_limit",
    "max_decoding_message_size",
    "max_encoding_message_size",
    "max_request_body_size",
    "max_body_size",
    "body_limit",
    "max_payload_size",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let validation = validation(facts);
    let limits = body_limits(facts);
    let looked = "validation of request input (validator/garde derives with .validate() or validating extractors, domain types, schema constraints) and an explicit body size limit (DefaultBodyLimit::max, RequestBodyLimitLayer, PayloadConfig/JsonConfig::limit, content_length_limit)";
    if takes_bodies(facts) == Some(false) && limits.explicit.is_empty() {
        if validation.is_empty() {
            return Outcome::na(
                "no handler takes a request body (JSON, form, bytes, multipart) and no OpenAPI operation declares one, so there is no body to validate or bound",
            );
        }
        return Outcome::pass(format!(
            "input is validated ({}); no handler takes a request body",
            validation[0].message
        ))
        .with(validation.into_iter().take(6));
    }
    let bound = if !limits.explicit.is_empty() {
        Some(limits.explicit[0].message.clone())
    } else {
        None
    };
    match (validation.is_empty(), bound) {
        (false, Some(b)) => Outcome::pass(format!(
            "input is validated ({}) and bodies are bounded ({b})",
            validation[0].message
        ))
        .with(validation.into_iter().take(6))
        .with(limits.explicit.into_iter().take(4)),
        (false, None) => Outcome::partial(format!(
            "input is validated ({}) but no body size limit is set{}",
            validation[0].message,
            limits.gap_note()
        ))
        .with_found(validation.into_iter().take(6))
        .with_found(limits.default)
        .with(limits.disabled)
        .looked_for(looked),
        (true, Some(b)) => Outcome::partial(format!(
            "bodies are bounded ({b}) but no input validation is visible"
        ))
        .with_found(limits.explicit)
        .looked_for(looked),
        (true, None) if limits.default.is_some() => Outcome::partial(format!(
            "no input validation is visible and no body size limit is set{}",
            limits.gap_note()
        ))
        .with(limits.default)
        .looked_for(looked),
        (true, None) => Outcome::fail("no input validation and no body size limit")
            .at(
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "no validation or body limit on the routes built here",
            )
            .with(limits.disabled)
            .looked_for(looked),
    }
}

/// Whether the service takes request bodies: `Some(false)` when routes were
/// found and no handler takes one (webhook receivers aside: their sender owns
/// the contract) and no OpenAPI operation declares one; `None` when no routed
/// handler was found to tell.
pub fn takes_bodies(facts: &Facts) -> Option<bool> {
    if facts
        .specs
        .iter()
        .any(|s| s.operations.iter().any(|o| o.request_body.is_some()))
    {
        return Some(true);
    }
    // Bodies read by filters or by hand (`warp::body::json()`,
    // `hyper::body::to_bytes(req.into_body())`), not by a handler parameter.
    let read_by_hand = !common::refs_by(facts, |p| {
        p.starts_with("warp::body::")
            || common::last_seg(p) == "to_bytes" && p.contains("body")
            || p.ends_with("BodyExt::collect")
    })
    .is_empty();
    if read_by_hand {
        return Some(true);
    }
    let mut handlers = 0;
    for r in facts.routes.iter().filter(|r| !r.grpc) {
        let Some(hf) = r.handler_fn else { continue };
        handlers += 1;
        if crate::analyzers::api::spec_routes::is_webhook_path(&r.path) {
            continue;
        }
        let (_, func) = facts.func(hf);
        let write = !matches!(r.method.as_str(), "GET" | "HEAD" | "OPTIONS" | "DELETE");
        if func
            .params
            .iter()
            .any(|p| is_body_param(&p.ty, write && func.route_attrs.is_empty()))
        {
            return Some(true);
        }
    }
    // gRPC messages are bodies.
    if facts.routes.iter().any(|r| r.grpc) {
        return Some(true);
    }
    (handlers > 0).then_some(false)
}

/// Extractors that read the request body.
const BODY_TYPES: &[&str] = &[
    "Json",
    "Form",
    "JsonBody",
    "FormBody",
    "Bytes",
    "BytesMut",
    "Multipart",
    "TypedMultipart",
    "Payload",
    "Body",
    "RawBody",
    "Data",
    "Request",
    "MsgPack",
    "Cbor",
    "Xml",
    "Yaml",
    "Protobuf",
];

/// Whether a handler parameter type reads the body: a body extractor
/// (`Json<T>`, `web::Bytes`, `Multipart`, a whole `Request`), a project
/// extractor named for one (`AppJson<T>`), or, for a write method of a
/// builder-routed handler, a plain `String`.
fn is_body_param(ty: &str, string_is_body: bool) -> bool {
    let idents = common::type_idents(ty);
    idents.iter().any(|i| {
        BODY_TYPES.contains(i) || (i.len() > 4 && (i.ends_with("Json") || i.ends_with("Form")))
    }) || (string_is_body && ty == "String")
}

/// Evidence that input is validated.
pub fn validation(facts: &Facts) -> Vec<Evidence> {
    let mut derived = Vec::new();
    let mut called = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            if let Some(d) = t
                .derives
                .iter()
                .find(|d| VALIDATE_DERIVES.contains(&common::last_seg(d)))
            {
                derived.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!("`{}` derives `{d}`", t.name),
                ));
            } else if t
                .attrs
                .iter()
                .any(|a| common::last_seg(&a.path) == "nutype")
            {
                derived.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!("`{}` is a validated nutype", t.name),
                ));
            } else if let Some(fld) = t.fields.iter().find(|x| {
                x.attrs
                    .iter()
                    .any(|a| common::last_seg(&a.path) == "oai" && a.args.contains("validator"))
            }) {
                derived.push(Evidence::new(
                    Location::new(f.path.clone(), fld.line),
                    format!("`{}.{}` has a poem-openapi validator", t.name, fld.name),
                ));
            }
        }
        for m in f.methods.iter().filter(|m| !m.test) {
            if matches!(m.name.as_str(), "validate" | "validate_args" | "validify") && m.args <= 1 {
                called.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` checks input", m.name),
                ));
            }
        }
        for func in f.fns.iter().filter(|x| !x.test) {
            if let Some(p) = func.params.iter().find(|p| {
                common::type_idents(&p.ty)
                    .iter()
                    .any(|i| VALIDATING_TYPES.contains(i))
            }) {
                called.push(Evidence::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{}` takes validated input `{}`", func.name, p.ty),
                ));
            }
        }
    }
    let mut out = Vec::new();
    if !called.is_empty() {
        out.extend(called.into_iter().take(4));
        out.extend(derived.into_iter().take(3));
    } else if !derived.is_empty() {
        // Rules declared but never run still count when a validating crate runs
        // them for the framework (actix-web-validator, axum-valid).
        let runner = facts.dep_hits(&[
            "actix-web-validator",
            "axum-valid",
            "axum-garde",
            "poem-openapi",
            "salvo-oapi",
        ]);
        if !runner.is_empty() {
            out.extend(derived.into_iter().take(3));
            out.extend(runner.into_iter().map(Evidence::from));
        }
    }
    for h in common::refs_by(facts, |p| p.starts_with("ammonia"))
        .into_iter()
        .take(2)
    {
        out.push(Evidence::new(
            h.location,
            format!("{} sanitises HTML", h.what),
        ));
    }
    for spec in &facts.specs {
        if let Some(op) = spec
            .operations
            .iter()
            .find(|o| o.params.iter().any(|p| p.maximum.is_some()))
        {
            out.push(Evidence::new(
                Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                format!("spec bounds parameters of {} {}", op.method, op.path),
            ));
        }
    }
    out
}

/// How request bodies are bounded.
#[derive(Debug, Default)]
pub struct Limits {
    /// Limits set in code or config.
    pub explicit: Vec<Evidence>,
    /// Framework limits switched off (`DefaultBodyLimit::disable()`).
    pub disabled: Vec<Evidence>,
    /// The framework's own limit, when nothing is set and nothing disabled.
    pub default: Option<Evidence>,
}

impl Limits {
    /// Why the limit half is not met, for a summary.
    pub fn gap_note(&self) -> &'static str {
        if !self.disabled.is_empty() {
            ", and the framework default is disabled"
        } else if self.default.is_some() {
            " (only the framework's default limit applies)"
        } else {
            ""
        }
    }
}

/// Body limits set in code or config, limits disabled, and the framework
/// default that applies when neither.
pub fn body_limits(facts: &Facts) -> Limits {
    let mut limits = Vec::new();
    let mut disabled = Vec::new();
    for h in common::refs_by(facts, |p| {
        LIMIT_PATHS
            .iter()
            .any(|(l, krate)| p.ends_with(l) && (krate.is_empty() || p.contains(krate)))
    }) {
        limits.push(Evidence::new(
            h.location,
            format!("{} limits request bodies", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        for m in f.methods.iter().filter(|m| !m.test) {
            // `JsonConfig::default().error_handler(..).limit(n)`: the root is
            // the config type's constructor.
            let root_cfg = m.root.as_deref().is_some_and(|r| {
                ["JsonConfig", "FormConfig", "PayloadConfig"]
                    .iter()
                    .any(|c| common::has_seg(r, &[*c]))
            });
            if LIMIT_METHODS.contains(&m.name.as_str()) || (m.name == "limit" && root_cfg) {
                limits.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` limits request bodies", m.name),
                ));
            }
        }
    }
    for h in common::refs_by(facts, |p| p.ends_with("DefaultBodyLimit::disable")) {
        disabled.push(Evidence::new(
            h.location,
            format!("{} removes the framework's body limit", h.what),
        ));
    }
    for t in facts
        .texts
        .iter()
        .filter(|t| t.path.ends_with("Rocket.toml"))
    {
        if let Some(line) = crate::location::find_line(&t.text, "limits") {
            limits.push(Evidence::new(
                Location::new(t.path.clone(), line),
                "Rocket.toml sets request limits",
            ));
        }
    }
    let explicit = common::first_per_file(limits, 2);
    let default = if explicit.is_empty() && disabled.is_empty() {
        framework_default(facts)
    } else {
        None
    };
    Limits {
        explicit,
        disabled,
        default,
    }
}

/// The body limit a framework applies on its own, if the service's framework
/// has one: axum from 0.6, actix-web, rocket, tonic.
fn framework_default(facts: &Facts) -> Option<Evidence> {
    let locked_at_least = |krate: &str, major: u64, minor: u64| {
        facts.lock.get(krate).is_none_or(|vs| {
            vs.iter().any(|v| {
                let mut it = v.split('.').map(|x| x.parse::<u64>().unwrap_or(0));
                let (ma, mi) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
                (ma, mi) >= (major, minor)
            })
        })
    };
    let frameworks: &[(&str, &str, (u64, u64))] = &[
        ("axum", "axum caps request bodies at 2 MB by default (`DefaultBodyLimit`); no limit of the service's own is set", (0, 6)),
        ("actix-web", "actix-web caps JSON bodies at 2 MB and raw payloads at 256 kB by default; no limit of the service's own is set", (0, 0)),
        ("rocket", "Rocket applies its default data limits (forms 32 KiB, JSON 1 MiB); no limit of the service's own is set", (0, 0)),
        ("tonic", "tonic caps decoded messages at 4 MB by default; no limit of the service's own is set", (0, 0)),
    ];
    frameworks.iter().find_map(|(krate, what, (ma, mi))| {
        if !locked_at_least(krate, *ma, *mi) {
            return None;
        }
        let h = facts.dep_hits(&[krate]).into_iter().next()?;
        Some(Evidence::new(h.location, *what))
    })
}
