//! `sec.rbac`: what an authenticated caller may do depends on its role or
//! permissions, and that is checked where requests come in.
//!
//! Two halves:
//! 1. **a model**: a role/permission type (`enum Role`, `struct Permission`),
//!    role fields on principals (`role`, `roles`, `permissions`, `is_admin`,
//!    `scopes`), a `roles`/`permissions` table in migrations, or a policy crate
//!    (casbin, oso, cedar-policy, biscuit, actix-web-grants, poem-grants,
//!    axum-casbin);
//! 2. **checks wired in**: guard types whose name carries a role (`AdminUser`,
//!    `RequireAdmin`) in handler parameters, middleware whose name checks roles
//!    or permissions (`from_fn(require_admin)`, `GrantsMiddleware`, `CasbinAxumLayer`),
//!    grant attributes (`#[has_permissions(..)]`, `#[protect(..)]`,
//!    `#[has_roles(..)]`), or calls of check functions (`has_role`,
//!    `has_permission`, `check_permission`, `require_role`, `authorize`,
//!    `enforce`, `is_admin`) in service code.
//!
//! pass: both · partial: a model that nothing checks, or checks without a
//! visible model · fail: neither · n/a: no server.

use super::common;
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const POLICY_CRATES: &[&str] = &[
    "casbin",
    "axum-casbin",
    "actix-casbin",
    "actix-casbin-auth",
    "oso",
    "cedar-policy",
    "biscuit-auth",
    "actix-web-grants",
    "poem-grants",
    "protect-axum",
    "protect-actix-web",
    "openfga-rs",
    "permit",
];

/// Functions and methods that check a role or permission.
const CHECK_FNS: &[&str] = &[
    "has_role",
    "has_roles",
    "has_any_role",
    "has_permission",
    "has_permissions",
    "has_any_permission",
    "check_permission",
    "check_permissions",
    "check_role",
    "require_role",
    "require_permission",
    "require_admin",
    "ensure_admin",
    "is_admin",
    "is_owner",
    "authorize",
    "enforce",
    "can_access",
    "can_edit",
    "can_delete",
    "is_authorized",
    "check_access",
    "assert_admin",
];

/// Attributes of grant crates.
const GRANT_ATTRS: &[&str] = &[
    "has_permissions",
    "has_roles",
    "has_any_role",
    "has_any_permission",
    "protect",
];

/// Field names that give a principal a role.
const ROLE_FIELDS: &[&str] = &[
    "role",
    "roles",
    "permissions",
    "permission",
    "is_admin",
    "admin",
    "scopes",
    "scope",
    "groups",
    "privileges",
    "user_role",
    "access_level",
    "is_superuser",
    "is_staff",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let model = model(facts);
    let checks = checks(facts);
    let looked = "a role/permission model (Role/Permission types, role fields, a policy crate such as casbin/oso/cedar) and checks where requests come in (role guards in handler parameters, role middleware, grant attributes, has_role/has_permission/authorize calls)";
    match (model.is_empty(), checks.is_empty()) {
        (false, false) => Outcome::pass(format!(
            "roles are modelled and checked: {}",
            checks[0].message
        ))
        .with(checks.into_iter().take(8))
        .with(model.into_iter().take(5)),
        (false, true) => Outcome::partial(format!(
            "roles or permissions are modelled ({}) but no check is visible on routes or in handlers",
            model[0].message
        ))
        .with_found(model)
        .looked_for(looked),
        (true, false) => Outcome::partial(format!(
            "access checks exist ({}) but no role or permission model is visible",
            checks[0].message
        ))
        .with_found(checks)
        .looked_for(looked),
        (true, true) if facts.routes.is_empty() => Outcome::manual(
            "no routes were found in code and no roles or permissions are visible; review access control by hand",
        ),
        (true, true) if unauthenticated_read_only(facts) => Outcome::manual(
            "no roles and no authentication, and every route only reads (GET): if everything served is public there is nobody to authorize — attest it",
        ),
        (true, true) => Outcome::fail(
            "no role-based access control: no roles or permissions modelled and none checked",
        )
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no role or permission check on the routes built here",
        )
        .looked_for(looked),
    }
}

/// A service whose routes all read and that authenticates nobody.
pub fn unauthenticated_read_only(facts: &Facts) -> bool {
    !facts.routes.is_empty()
        && facts
            .routes
            .iter()
            .all(|r| matches!(r.method.as_str(), "GET" | "HEAD" | "OPTIONS"))
        && super::authn::mechanism(facts, &common::guard_types(facts)).is_empty()
}

/// Role/permission types, role fields, tables and policy crates.
fn model(facts: &Facts) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = facts
        .dep_hits(POLICY_CRATES)
        .into_iter()
        .map(Evidence::from)
        .collect();
    for f in common::model_rust(facts) {
        for t in f.types.iter().filter(|t| !t.test) {
            let w = common::words(&t.name);
            let named = w
                .last()
                .is_some_and(|x| common::ROLE_NOUNS.contains(&x.as_str()));
            if named {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!(
                        "{} `{}` models roles/permissions",
                        if t.is_enum { "enum" } else { "type" },
                        t.name
                    ),
                ));
                continue;
            }
            let principal = common::has_word(
                &t.name,
                &[
                    "user",
                    "account",
                    "member",
                    "claims",
                    "principal",
                    "identity",
                    "session",
                    "token",
                    "apikey",
                    "key",
                ],
            );
            if principal {
                if let Some(fld) = t
                    .fields
                    .iter()
                    .find(|fld| ROLE_FIELDS.contains(&fld.name.as_str()))
                {
                    out.push(Evidence::new(
                        Location::new(f.path.clone(), fld.line),
                        format!("`{}.{}` gives principals a role", t.name, fld.name),
                    ));
                }
            }
        }
    }
    for t in common::sql_tables(facts) {
        if common::has_word(
            &t.name,
            &[
                "role",
                "roles",
                "permission",
                "permissions",
                "grants",
                "privileges",
            ],
        ) {
            out.push(Evidence::new(
                t.location.clone(),
                format!("table `{}` holds roles/permissions", t.name),
            ));
        } else if let Some(c) = t.columns.iter().find(|c| ROLE_FIELDS.contains(&c.as_str())) {
            out.push(Evidence::new(
                t.location.clone(),
                format!("column `{}.{c}` gives a role", t.name),
            ));
        }
    }
    out
}

/// Role checks: guards, middleware, attributes, calls.
fn checks(facts: &Facts) -> Vec<Evidence> {
    let guards = common::guard_types(facts);
    let mut out = Vec::new();
    for r in &facts.routes {
        if let Some(l) = r.layers.iter().find(|l| common::is_role_layer(l)) {
            out.push(Evidence::new(
                r.location.clone(),
                format!(
                    "{} {} — role middleware `{}`",
                    r.method,
                    r.path,
                    common::clip(&l.text, 60)
                ),
            ));
            continue;
        }
        if let Some(hf) = r.handler_fn {
            let (_, func) = facts.func(hf);
            if let Some((ty, true)) = common::guard_param(facts, hf, &guards) {
                out.push(Evidence::new(
                    r.location.clone(),
                    format!("{} {} — role guard `{ty}`", r.method, r.path),
                ));
            } else if let Some(a) = func
                .attrs
                .iter()
                .find(|a| GRANT_ATTRS.contains(&common::last_seg(&a.path)))
            {
                out.push(Evidence::new(
                    r.location.clone(),
                    format!(
                        "{} {} — `#[{}({})]`",
                        r.method,
                        r.path,
                        a.path,
                        common::clip(&a.args, 40)
                    ),
                ));
            }
        }
    }
    out.truncate(10);
    let mut calls = Vec::new();
    for (_, f) in facts.service_rust() {
        for m in f.methods.iter().filter(|m| !m.test) {
            if CHECK_FNS.contains(&m.name.as_str()) {
                calls.push(crate::facts::query::Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` checks access", m.name),
                ));
            }
        }
        for func in f.fns.iter().filter(|x| !x.test) {
            if let Some(a) = func
                .attrs
                .iter()
                .find(|a| GRANT_ATTRS.contains(&common::last_seg(&a.path)))
            {
                calls.push(crate::facts::query::Hit::new(
                    Location::new(f.path.clone(), func.line),
                    format!(
                        "`{}` is protected by `#[{}({})]`",
                        func.name,
                        a.path,
                        common::clip(&a.args, 40)
                    ),
                ));
            }
        }
    }
    calls.extend(
        common::refs_by(facts, |p| CHECK_FNS.contains(&common::last_seg(p)))
            .into_iter()
            .map(|h| {
                crate::facts::query::Hit::new(h.location, format!("{} checks access", h.what))
            }),
    );
    out.extend(
        common::first_per_file(calls, 1)
            .into_iter()
            .take(6)
            .map(Evidence::from),
    );
    out
}
