//! `sec.token-management`: tokens expire, signing keys come from configuration,
//! and validation is not switched off.
//!
//! Applies when the service issues or checks tokens: JWT crates (jsonwebtoken,
//! jwt-simple, josekit, biscuit, jwt-authorizer, paseto), OAuth2/OIDC clients,
//! session stores (tower-sessions, actix-session, axum-login, signed cookies),
//! or token types of its own.
//!
//! - **keys**: the argument of `EncodingKey::from_secret`/`DecodingKey::from_*`,
//!   `HS256Key::from_bytes`, `Hmac::new_from_slice`, cookie `Key::from` must not
//!   be a literal (or a constant holding one); from `env::var`, a config value or
//!   an embedded file is fine (a key file in the repo is reported by sec.secrets);
//! - **expiry**: a claims type with an `exp` field, jsonwebtoken `Validation`
//!   (which checks `exp` unless told not to), jwt-simple's `Claims::create(duration)`,
//!   session expiry (`with_expiry`, `Expiry::OnInactivity`, `session_ttl`,
//!   `max_age`), `expires_at` on token types;
//! - **switched off**: `validate_exp = false`, `insecure_disable_signature_validation()`,
//!   `dangerous_insecure_decode`/`insecure_decode`;
//! - **refresh**: a route, function or type named for refresh tokens, oauth2
//!   `exchange_refresh_token` — reported, not required.
//!
//! fail: a literal signing key or validation switched off · pass: expiry seen and
//! no literal keys · partial: tokens without visible expiry · n/a: no tokens.

use super::common;
use super::secrets::scan::key_literal;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const TOKEN_CRATES: &[&str] = &[
    "jsonwebtoken",
    "jwt-simple",
    "josekit",
    "biscuit",
    "biscuit-auth",
    "jwt-authorizer",
    "axum-jwt-auth",
    "jwt",
    "frank_jwt",
    "alcoholic_jwt",
    "pasetors",
    "rusty_paseto",
    "oauth2",
    "openidconnect",
    "tower-sessions",
    "axum-sessions",
    "actix-session",
    "actix-identity",
    "axum-login",
    "async-session",
];

/// Calls that switch validation off.
const INSECURE: &[&str] = &[
    "insecure_disable_signature_validation",
    "dangerous_insecure_decode",
    "dangerous_insecure_decode_with_validation",
    "insecure_decode",
    "dangerous_unsafe_decode",
];

/// Words of methods and paths that set a session or token lifetime.
const EXPIRY_METHODS: &[&str] = &[
    "with_expiry",
    "set_expiry",
    "session_ttl",
    "session_length",
    "max_age",
    "max_age_secs",
    "with_max_age",
    "cookie_max_age",
    "set_max_age",
    "expires_in",
    "with_expires_in",
    "set_expires_in",
    "visit_deadline",
    "login_deadline",
    "expiration",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let crates = facts.dep_hits(TOKEN_CRATES);
    let mut token_types = token_types(facts);
    token_types.extend(bearer_checks(facts));
    let key_calls = key_calls(facts);
    if crates.is_empty() && token_types.is_empty() && key_calls.is_empty() {
        return Outcome::na(
            "the service issues and checks no tokens (no JWT, session, OAuth2 or token types)",
        );
    }
    let mut bad: Vec<Evidence> = Vec::new();
    let mut weak: Vec<Evidence> = Vec::new();
    let mut good: Vec<Evidence> = Vec::new();
    for (loc, callee, lit, source) in &key_calls {
        if *lit {
            bad.push(Evidence::new(
                loc.clone(),
                format!(
                    "`{callee}` is given a literal key: anyone with the source can sign tokens"
                ),
            ));
        } else {
            good.push(Evidence::new(
                loc.clone(),
                format!("`{callee}` takes its key from {source}"),
            ));
        }
    }
    for (_, f) in facts.service_rust() {
        for m in f.methods.iter().filter(|m| !m.test) {
            if INSECURE.contains(&m.name.as_str()) {
                bad.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` turns token validation off", m.name),
                ));
            }
        }
        for b in f.bool_settings.iter().filter(|b| !b.test) {
            if matches!(b.name.as_str(), "validate_exp" | "validate_nbf") && !b.value {
                weak.push(Evidence::new(
                    Location::new(f.path.clone(), b.line),
                    format!("`{} = false`: expired tokens pass this validation", b.name),
                ));
            }
        }
    }
    for h in common::refs_by(facts, |p| INSECURE.contains(&common::last_seg(p))) {
        bad.push(Evidence::new(
            h.location,
            format!("{} turns signature validation off", h.what),
        ));
    }
    let expiry = expiry(facts, &token_types);
    let refresh = refresh(facts);
    let looked = "token expiry (claims `exp`, jsonwebtoken Validation, session expiry, expires_at on tokens) and signing keys read from configuration rather than literals";
    if !bad.is_empty() {
        return Outcome::fail(format!("tokens are not managed safely: {}", bad[0].message))
            .with(bad)
            .with_found(expiry)
            .with_found(good)
            .looked_for(looked);
    }
    let refresh_note = if refresh.is_empty() {
        vec![Evidence::new(
            crates
                .first()
                .map(|h| h.location.clone())
                .unwrap_or_else(|| facts.anchor()),
            "note: no refresh-token flow seen; short-lived tokens then need a fresh login",
        )]
    } else {
        refresh
    };
    if !weak.is_empty() {
        return Outcome::partial(format!(
            "expiry validation is switched off for some tokens ({}); if they authenticate callers, expired ones are accepted",
            weak[0].message
        ))
        .with(weak)
        .with_found(expiry)
        .with_found(good)
        .looked_for(looked);
    }
    if expiry.is_empty() {
        return Outcome::partial(
            "tokens are used but no expiry is visible: no `exp` claim, Validation, session expiry or expires_at",
        )
        .with_found(crates.into_iter().map(Evidence::from))
        .with_found(token_types.into_iter().map(|(l, n)| {
            // Bearer checks come described; types come by name.
            let what = if n.contains(' ') {
                n
            } else {
                format!("token type `{n}`")
            };
            Evidence::new(l, what)
        }))
        .with_found(good)
        .looked_for(looked);
    }
    let keys = if good.is_empty() {
        String::new()
    } else {
        ", keys from configuration".to_string()
    };
    Outcome::pass(format!("tokens expire{keys}; no validation switched off"))
        .with(expiry)
        .with(good)
        .with(refresh_note)
}

/// Key constructors in service code: (location, callee, literal?, where the key comes from).
fn key_calls(facts: &Facts) -> Vec<(Location, String, bool, String)> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for k in f
            .key_args
            .iter()
            .filter(|k| !k.test && !k.callee.starts_with('.'))
        {
            let last = common::last_seg(&k.callee);
            // Token signing keys only: HMAC keys verify webhooks, AWS and TLS
            // credential providers sign requests.
            let token_key = last.starts_with("from_")
                && (k.callee.contains("Key") || k.callee.contains("jwt"))
                && !matches!(last, "from_keys")
                || (common::has_seg(&k.callee, &["Key"]) && k.callee.contains("cookie"));
            if !token_key {
                continue;
            }
            let loc = Location::new(f.path.clone(), k.line);
            let lit = key_literal(f, k).is_some();
            let source = if k.from_env {
                "the environment".to_string()
            } else if let Some(p) = &k.include {
                format!("the embedded file `{p}`")
            } else {
                format!("`{}`", common::clip(&k.args, 60))
            };
            out.push((loc, k.callee.clone(), lit, source));
        }
    }
    out
}

/// Handlers that require a bearer token they check themselves
/// (`Option<TypedHeader<Authorization<Bearer>>>` refused when missing, a
/// `TypedHeader<Authorization<Bearer>>` guard): the service checks tokens even
/// with no token crate or type.
fn bearer_checks(facts: &Facts) -> Vec<(Location, String)> {
    let guards = common::guard_types(facts);
    let mut out = Vec::new();
    for r in &facts.routes {
        let Some(hf) = r.handler_fn else { continue };
        let (_, func) = facts.func(hf);
        let bearer = func
            .params
            .iter()
            .any(|p| p.ty.contains("Authorization<Bearer"));
        if bearer && common::handler_guard(facts, hf, &guards).is_some() {
            out.push((
                r.location.clone(),
                format!(
                    "bearer token checked by `{}` ({} {})",
                    func.name, r.method, r.path
                ),
            ));
        }
    }
    out.truncate(5);
    out
}

/// Service types that are tokens: JWT claims, token/session guards (request
/// extractors), and stored token/session models.
fn token_types(facts: &Facts) -> Vec<(Location, String)> {
    let guards: Vec<String> = common::guard_types(facts)
        .into_iter()
        .map(|g| g.name)
        .collect();
    let mut out = Vec::new();
    for f in common::model_rust(facts) {
        for t in f.types.iter().filter(|t| !t.test && !t.is_enum) {
            let name = common::model_name(t);
            let w = common::words(&name);
            let claims = w.iter().any(|x| matches!(x.as_str(), "claims" | "jwt"));
            let tokenish = w
                .iter()
                .any(|x| matches!(x.as_str(), "token" | "tokens" | "session" | "sessions"));
            let stored = t.derives.iter().any(|d| {
                matches!(
                    common::last_seg(d),
                    "FromRow" | "Queryable" | "Insertable" | "Selectable" | "DeriveEntityModel"
                )
            });
            if claims || (tokenish && (stored || guards.contains(&t.name))) {
                out.push((Location::new(f.path.clone(), t.line), t.name.clone()));
            }
        }
    }
    out
}

/// Evidence that tokens or sessions expire.
fn expiry(facts: &Facts, token_types: &[(Location, String)]) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            if !token_types.iter().any(|(_, n)| n == &t.name)
                && !common::has_word(&t.name, &["claims", "token", "session"])
            {
                continue;
            }
            if let Some(fld) = t.fields.iter().find(|fld| {
                matches!(
                    fld.name.as_str(),
                    "exp"
                        | "expires_at"
                        | "expires"
                        | "expiry"
                        | "expiration"
                        | "expires_in"
                        | "valid_until"
                )
            }) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), fld.line),
                    format!("`{}.{}` carries the token's expiry", t.name, fld.name),
                ));
            }
        }
        for m in f.methods.iter().filter(|m| !m.test) {
            // `max_age` also sets CORS preflight caching: count it on cookies,
            // sessions and identities only.
            let generic = m.name.contains("max_age");
            let on_session = m.root.as_deref().is_some_and(|r| {
                common::has_word(
                    r,
                    &[
                        "cookie", "cookies", "session", "sessions", "identity", "login", "auth",
                        "jwt", "token", "key",
                    ],
                )
            });
            if EXPIRY_METHODS.contains(&m.name.as_str()) && (!generic || on_session) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` sets a token/session lifetime", m.name),
                ));
            }
        }
    }
    let validation = common::refs_by(facts, |p| {
        (p.contains("jsonwebtoken") && common::last_seg(p) == "Validation"
            || p.ends_with("Validation::new")
            || p.ends_with("Validation::default"))
            && !p.contains("validator")
    });
    for h in validation.into_iter().take(3) {
        out.push(Evidence::new(
            h.location,
            format!("{} checks `exp` (unless told otherwise)", h.what),
        ));
    }
    for h in common::refs_by(facts, |p| {
        p.ends_with("Expiry::OnInactivity")
            || p.ends_with("Expiry::AtDateTime")
            || p.ends_with("Claims::create")
    })
    .into_iter()
    .take(3)
    {
        out.push(Evidence::new(
            h.location,
            format!("{} sets an expiry", h.what),
        ));
    }
    for t in common::sql_tables(facts) {
        if common::has_word(&t.name, &["token", "tokens", "session", "sessions"]) {
            if let Some(c) = t
                .columns
                .iter()
                .find(|c| c.contains("expire") || c.contains("expiry") || c == &"valid_until")
            {
                out.push(Evidence::new(
                    t.location.clone(),
                    format!("table `{}` has an expiry column `{c}`", t.name),
                ));
            }
        }
    }
    out.truncate(8);
    out
}

/// Evidence of a refresh flow.
fn refresh(facts: &Facts) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = facts
        .routes
        .iter()
        .filter(|r| common::has_word(&r.path, &["refresh"]))
        .take(2)
        .map(|r| {
            Evidence::new(
                r.location.clone(),
                format!("{} {} refreshes tokens", r.method, r.path),
            )
        })
        .collect();
    for (_, f) in facts.service_rust() {
        for func in f.fns.iter().filter(|x| !x.test) {
            if common::has_word(&func.name, &["refresh"]) && out.len() < 3 {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{}` handles token refresh", func.name),
                ));
            }
        }
    }
    out
}
