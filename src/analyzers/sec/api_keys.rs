//! `sec.api-keys`: API keys (and personal access tokens) are stored hashed, can
//! be revoked or expire, and carry scopes.
//!
//! Applies when the service issues or accepts API keys: a key/token model
//! (`ApiKey`, `ApiToken`, `PersonalAccessToken`, a type with an `api_key` field),
//! an `api_keys`/`api_tokens`/`tokens` table, routes managing keys
//! (`/api-keys`, `/tokens`), or an `X-Api-Key` header read in code.
//!
//! - **hashed at rest**: the key model or table keeps a hash (`key_hash`,
//!   `token_hash`, `hashed_key`) rather than the key, or code hashes keys
//!   (`hash_token`, `hash_api_key`);
//! - **rotation**: expiry or revocation (`expires_at`, `revoked`, `revoked_at`,
//!   `disabled`, `last_used_at`), or revoke/rotate routes (`DELETE /tokens/{id}`);
//! - **scopes**: `scopes`/`permissions`/`role`/`read_only` on the key.
//!
//! A single shared key read from configuration and compared in middleware
//! cannot be rotated per client or scoped: `partial`.
//!
//! pass: hashed, with rotation or scopes · partial: some of the three, or one
//! shared key from config · fail: keys stored in plain text (a key field with no
//! hash, nothing hashing keys) · n/a: no API keys.

use super::common;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Type names of API key models.
fn key_type(name: &str) -> bool {
    let w = common::words(name);
    let joined = w.join("_");
    (joined.contains("api_key")
        || joined.contains("apikey")
        || joined.contains("api_token")
        || joined.contains("access_token")
        || joined.contains("personal_token")
        || joined.contains("auth_token")
        || joined == "token"
        || joined.ends_with("_token")
        || joined.ends_with("_tokens"))
        && !w.iter().any(|x| {
            matches!(
                x.as_str(),
                "request"
                    | "response"
                    | "claims"
                    | "params"
                    | "query"
                    | "header"
                    | "form"
                    | "kind"
                    | "type"
            )
        })
}

const HASH_FIELDS: &[&str] = &["hash", "hashed", "digest", "sha", "sha256"];
const ROTATION_FIELDS: &[&str] = &[
    "expires_at",
    "expires",
    "expiry",
    "expiration",
    "revoked",
    "revoked_at",
    "disabled",
    "disabled_at",
    "is_active",
    "active",
    "last_used",
    "last_used_at",
    "rotated_at",
    "valid_until",
    "deleted_at",
];
const SCOPE_FIELDS: &[&str] = &[
    "scopes",
    "scope",
    "permissions",
    "permission",
    "role",
    "roles",
    "read_only",
    "readonly",
    "access",
    "capabilities",
    "crates",
    "namespace",
];
const KEY_FIELDS: &[&str] = &[
    "key",
    "token",
    "api_key",
    "apikey",
    "secret",
    "value",
    "api_token",
    "access_token",
];

/// One API-key model (type or table) and what it keeps.
struct Model {
    location: Location,
    name: String,
    fields: Vec<String>,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let models = models(facts);
    let header = header_reads(facts);
    let routes: Vec<&crate::facts::Route> = facts
        .routes
        .iter()
        .filter(|r| {
            let w = common::words(&r.path);
            w.windows(2).any(|p| {
                p[0] == "api" && matches!(p[1].as_str(), "key" | "keys" | "token" | "tokens")
            }) || w
                .iter()
                .any(|x| matches!(x.as_str(), "apikeys" | "apikey" | "tokens"))
        })
        .collect();
    if models.is_empty() && header.is_empty() && routes.is_empty() {
        return Outcome::na("the service issues and accepts no API keys (no key/token model, table, route or X-Api-Key header)");
    }
    let looked = "API keys stored as hashes (key_hash/token_hash), with expiry or revocation (expires_at, revoked_at, revoke routes) and scopes";
    if models.is_empty() {
        // A key compared in middleware, with no store of keys: one shared key.
        return Outcome::partial(
            "API keys are checked against a single shared key from configuration: it cannot be rotated per client, revoked alone or scoped",
        )
        .with(header)
        .with_found(routes.iter().take(3).map(|r| Evidence::new(r.location.clone(), format!("{} {}", r.method, r.path))))
        .looked_for(looked);
    }
    let hashing_code = hashing_code(facts);
    let mut hashed = Vec::new();
    let mut plain = Vec::new();
    let mut rotation = Vec::new();
    let mut scopes = Vec::new();
    for m in &models {
        let has = |set: &[&str]| {
            m.fields
                .iter()
                .find(|f| {
                    set.contains(&f.as_str())
                        || common::words(f).iter().any(|w| set.contains(&w.as_str()))
                })
                .cloned()
        };
        match has(HASH_FIELDS) {
            Some(f) => hashed.push(Evidence::new(
                m.location.clone(),
                format!("`{}` keeps `{f}`, not the key", m.name),
            )),
            None => {
                if let Some(f) = m.fields.iter().find(|f| KEY_FIELDS.contains(&f.as_str())) {
                    plain.push(Evidence::new(
                        m.location.clone(),
                        format!("`{}` stores `{f}` as given", m.name),
                    ));
                }
            }
        }
        if let Some(f) = m
            .fields
            .iter()
            .find(|f| ROTATION_FIELDS.contains(&f.as_str()))
        {
            rotation.push(Evidence::new(
                m.location.clone(),
                format!("`{}.{f}` lets keys expire or be revoked", m.name),
            ));
        }
        if let Some(f) = m.fields.iter().find(|f| SCOPE_FIELDS.contains(&f.as_str())) {
            scopes.push(Evidence::new(
                m.location.clone(),
                format!("`{}.{f}` scopes what a key may do", m.name),
            ));
        }
    }
    hashed.extend(hashing_code);
    for r in routes.iter().filter(|r| {
        r.method == "DELETE" || common::has_word(&r.path, &["revoke", "rotate", "regenerate"])
    }) {
        rotation.push(Evidence::new(
            r.location.clone(),
            format!("{} {} revokes or rotates keys", r.method, r.path),
        ));
    }
    if hashed.is_empty() && !plain.is_empty() {
        return Outcome::fail(format!(
            "API keys are stored in plain text: {}; a database leak hands out working keys",
            plain[0].message
        ))
        .with(plain)
        .with_found(rotation)
        .with_found(scopes)
        .looked_for(looked);
    }
    let parts = [!hashed.is_empty(), !rotation.is_empty(), !scopes.is_empty()];
    let summary = format!(
        "API keys: {} at rest, {}, {}",
        if parts[0] {
            "hashed"
        } else {
            "storage not visible"
        },
        if parts[1] {
            "expiry/revocation"
        } else {
            "no expiry or revocation"
        },
        if parts[2] { "scoped" } else { "not scoped" }
    );
    let o = if parts[0] && (parts[1] || parts[2]) {
        Outcome::pass(summary)
    } else {
        Outcome::partial(summary).looked_for(looked)
    };
    o.with_found(hashed)
        .with_found(rotation)
        .with_found(scopes)
        .with_found(header.into_iter().take(2))
}

/// API-key models: service types and migration tables.
fn models(facts: &Facts) -> Vec<Model> {
    let mut out = Vec::new();
    for f in common::model_rust(facts) {
        for t in f.types.iter().filter(|t| !t.test && !t.is_enum) {
            let name = common::model_name(t);
            let by_name = key_type(&name);
            let by_field = t.fields.iter().any(|x| {
                matches!(
                    x.name.as_str(),
                    "api_key" | "api_key_hash" | "key_hash" | "token_hash"
                )
            });
            let stored = t.derives.iter().any(|d| {
                matches!(
                    common::last_seg(d),
                    "FromRow"
                        | "Queryable"
                        | "Insertable"
                        | "Selectable"
                        | "DeriveEntityModel"
                        | "AsChangeset"
                )
            }) || t.attrs.iter().any(|a| {
                matches!(
                    common::last_seg(&a.path),
                    "sea_orm" | "diesel" | "table_name"
                )
            });
            if (by_name || by_field) && stored && t.fields.len() >= 2 {
                out.push(Model {
                    location: Location::new(f.path.clone(), t.line),
                    name,
                    fields: t
                        .fields
                        .iter()
                        .map(|x| x.name.to_ascii_lowercase())
                        .collect(),
                });
            }
        }
    }
    for t in common::sql_tables(facts) {
        if key_type(&t.name) {
            out.push(Model {
                location: t.location.clone(),
                name: t.name.clone(),
                fields: t.columns.clone(),
            });
        }
    }
    out
}

/// Code reading an API-key header.
fn header_reads(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        // Reads only (`headers.get("x-api-key")`); `.header("x-api-key", ..)`
        // on an outgoing request sends the service's own key.
        for l in f.literals.iter().filter(|l| {
            !l.test
                && matches!(
                    l.context.as_deref(),
                    Some(
                        "get"
                            | "get_all"
                            | "contains_key"
                            | "get_header"
                            | "header_value"
                            | "typed_get"
                    )
                )
        }) {
            let v = l.value.to_ascii_lowercase();
            if matches!(
                v.as_str(),
                "x-api-key" | "api-key" | "x-api-token" | "apikey" | "x-auth-token"
            ) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), l.line),
                    format!("reads the `{}` header", l.value),
                ));
            }
        }
    }
    out.truncate(3);
    out
}

/// Functions that hash keys or tokens.
fn hashing_code(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for func in f.fns.iter().filter(|x| !x.test) {
            let w = common::words(&func.name);
            // `hash_token`, `hash_api_key` — not `SchemaExt::hash_key`.
            let api_key = w.windows(2).any(|p| p[0] == "api" && p[1] == "key");
            let hashes = w
                .iter()
                .any(|x| x == "hash" || x == "hashed" || x == "digest");
            let secretish = w
                .iter()
                .any(|x| matches!(x.as_str(), "token" | "tokens" | "apikey" | "secret"));
            if hashes && (api_key || secretish) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{}` hashes keys before they are stored", func.name),
                ));
            }
        }
    }
    out.truncate(3);
    out
}
