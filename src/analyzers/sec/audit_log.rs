//! `sec.audit-log`: sensitive operations — sign-in, permission changes, admin
//! actions, deletions — leave an audit trail that says who did what, when.
//!
//! An audit trail is something dedicated, not the request log: a type or module
//! for audit events (`AuditLog`, `AuditEvent`, `audit::record`), an audit table
//! in the migrations (`audit_log`, `audit_events`, `activity_log`), or a log
//! target set apart for it (`info!(target: "audit", ..)`). It must be *used*:
//! referenced from service code outside its own definition.
//!
//! pass: an audit trail written from service code · partial: an audit type or
//! table that nothing writes, or only ordinary log lines in the login/admin
//! handlers · fail: nothing · n/a: no server.

use super::common;
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const AUDIT_WORDS: &[&str] = &[
    "audit",
    "audits",
    "auditlog",
    "audit_log",
    "audited",
    "auditing",
];

/// Log macros at levels that reach production logs.
const LOG_MACROS: &[&str] = &["info", "warn", "error", "event"];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let (defs, uses) = audit_code(facts);
    let tables: Vec<Evidence> = common::sql_tables(facts)
        .into_iter()
        .filter(|t| {
            common::has_word(&t.name, AUDIT_WORDS)
                || t.name.contains("activity_log")
                || t.name.contains("event_log")
                || t.name.contains("security_event")
        })
        .map(|t| {
            Evidence::new(
                t.location.clone(),
                format!("table `{}` keeps an audit trail", t.name),
            )
        })
        .collect();
    let targets = audit_targets(facts);
    let looked = "a dedicated audit trail written on sign-in, permission and admin operations: an audit type/module called from service code, an audit table, or an `audit` log target";
    if !uses.is_empty() || !targets.is_empty() || (!tables.is_empty() && !defs.is_empty()) {
        let first = uses
            .first()
            .or(targets.first())
            .or(tables.first())
            .map(|e| e.message.clone())
            .unwrap_or_default();
        return Outcome::pass(format!("sensitive operations are audited: {first}"))
            .with(uses.into_iter().take(6))
            .with(targets.into_iter().take(4))
            .with(tables.into_iter().take(2))
            .with(defs.into_iter().take(2));
    }
    if !defs.is_empty() || !tables.is_empty() {
        return Outcome::partial(
            "an audit type or table exists, but nothing in service code writes to it",
        )
        .with_found(defs)
        .with_found(tables)
        .looked_for(looked);
    }
    if super::rbac::unauthenticated_read_only(facts) {
        return Outcome::na(
            "no sensitive operations to audit: every route only reads (GET) and nobody signs in",
        );
    }
    let logged = logged_sensitive_handlers(facts);
    if !logged.is_empty() {
        return Outcome::partial(
            "sign-in/admin handlers log ordinary events, but there is no dedicated audit trail (who did what, kept apart from debug logs)",
        )
        .with_found(logged)
        .looked_for(looked);
    }
    if facts.routes.is_empty() {
        return Outcome::manual(
            "no routes were found in code and no audit trail is visible; review which operations are sensitive by hand",
        );
    }
    Outcome::fail("no audit logging of sensitive operations")
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no audit events recorded by the handlers routed here",
        )
        .looked_for(looked)
}

/// Audit types/functions defined, and references to them from elsewhere.
fn audit_code(facts: &Facts) -> (Vec<Evidence>, Vec<Evidence>) {
    let mut defs = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            if common::has_word(&t.name, AUDIT_WORDS) {
                defs.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!("type `{}` models audit events", t.name),
                ));
            }
        }
        for func in f.fns.iter().filter(|x| !x.test) {
            if common::has_word(&func.name, AUDIT_WORDS) {
                defs.push(Evidence::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{}` records audit events", func.name),
                ));
            }
        }
    }
    let mut uses = Vec::new();
    for (_, f) in facts.service_rust() {
        for r in f
            .refs
            .iter()
            .filter(|r| !r.test && r.kind == crate::extract::rust::RefKind::Expr)
        {
            let audit_path = r.path.split("::").any(|s| common::has_word(s, AUDIT_WORDS));
            if audit_path
                && r.in_fn
                    .is_some_and(|i| !common::has_word(&f.fns[i as usize].name, AUDIT_WORDS))
            {
                uses.push(crate::facts::query::Hit::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}` writes an audit event", r.path),
                ));
            }
        }
        for m in f.methods.iter().filter(|m| !m.test) {
            if common::has_word(&m.name, AUDIT_WORDS)
                && m.in_fn
                    .is_some_and(|i| !common::has_word(&f.fns[i as usize].name, AUDIT_WORDS))
            {
                uses.push(crate::facts::query::Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` writes an audit event", m.name),
                ));
            }
        }
    }
    let uses = common::first_per_file(uses, 2)
        .into_iter()
        .map(Evidence::from)
        .collect();
    (defs, uses)
}

/// Log statements with an `audit` target (`info!(target: "audit", ..)`), or
/// string literals naming an audit log target in service code.
fn audit_targets(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            let v = l.value.to_ascii_lowercase();
            let target = matches!(
                v.as_str(),
                "audit" | "audit_log" | "audit-log" | "auditlog" | "security_audit"
            ) || v.ends_with("::audit");
            if target {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), l.line),
                    format!("log target `{}` keeps audit events apart", l.value),
                ));
            }
        }
    }
    out.truncate(4);
    out
}

/// Log macros inside handlers of sign-in and admin routes.
fn logged_sensitive_handlers(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for r in facts.routes.iter().filter(|r| {
        common::is_sensitive_route(&r.method, &r.path)
            || common::has_word(&r.path, &["admin", "roles", "permissions"])
    }) {
        let Some((fi, ni)) = r.handler_fn else {
            continue;
        };
        let f = &facts.rust[fi];
        if let Some(m) = f
            .macros
            .iter()
            .find(|m| m.in_fn == Some(ni as u32) && LOG_MACROS.contains(&common::last_seg(&m.path)))
        {
            out.push(Evidence::new(
                Location::new(f.path.clone(), m.line),
                format!("{} {} logs with `{}!`", r.method, r.path, m.path),
            ));
        }
    }
    out.truncate(5);
    out
}
