//! `api.http-semantics`: methods match what the endpoints do.
//!
//! The defect that matters is a **state-changing GET**: crawlers, link
//! prefetchers, caches and retries all assume GET is safe, so a GET that
//! deletes or writes gets triggered by accident. A GET route is state-changing
//! when its handler
//! - runs SQL that writes (`INSERT`/`UPDATE`/`DELETE`/… literals, directly or
//!   in a function it calls that is the only one with that name — a method
//!   call only when the handler names the method's type), or calls an
//!   ORM/driver write (`diesel::delete`, `insert_one`, `delete_many`, …);
//! - is named for a write (`delete_user`, `create_order`), unless the name says
//!   it renders a form or page (`delete_confirm_page`) or the body writes
//!   nothing and renders HTML (a confirmation form that POSTs).
//!
//! Link-driven flows that must be GET (OAuth callbacks, email verification,
//! unsubscribe links, logout) are exempt. In the OpenAPI documents, a GET
//! operation with a request body or an operationId naming a write counts the
//! same way, and a path both sides know but with different methods (spec
//! `PATCH`, code `PUT`) is a disagreement.
//!
//! fail: a GET that deletes (by SQL, ORM call or name) · partial: a GET that
//! inserts/updates, or spec and code disagree on methods · pass: GET handlers
//! read and none writes · manual: no handler body could be read · n/a: no HTTP
//! server, gRPC only, GraphQL, or no GET route at all.

use super::code::{sql_write, words, Body};
use super::spec_routes::{is_infra_path, unless_graphql, Join};
use crate::analyzers::unless_server;
use crate::extract::rust::FnFact;
use crate::facts::{Facts, Route};
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::{BTreeMap, HashMap};

/// Leading words of a handler or operation name that mean deletion.
const DELETE_VERBS: &[&str] = &[
    "delete", "remove", "destroy", "purge", "drop", "erase", "wipe", "del", "rm",
];

/// Leading words that mean another write.
const WRITE_VERBS: &[&str] = &[
    "create",
    "add",
    "insert",
    "update",
    "set",
    "save",
    "modify",
    "reset",
    "increment",
    "decrement",
    "approve",
    "reject",
    "publish",
    "unpublish",
    "archive",
    "restore",
    "upsert",
    "put",
    "patch",
];

/// Words in a name that say it renders a page or form rather than acting.
const UI_WORDS: &[&str] = &[
    "form",
    "page",
    "view",
    "confirm",
    "confirmation",
    "dialog",
    "modal",
    "prompt",
    "preview",
    "template",
    "ui",
    "html",
];

/// Path words of flows that must be reachable by a link (a GET).
const LINK_FLOW_WORDS: &[&str] = &[
    "callback",
    "oauth",
    "oauth2",
    "oidc",
    "sso",
    "verify",
    "verification",
    "confirm",
    "activate",
    "activation",
    "unsubscribe",
    "logout",
    "signout",
    "login",
    "signin",
    "magic",
    "authorize",
    "redirect",
];

/// ORM and driver calls that delete.
const DELETE_CALLS: &[&str] = &[
    "delete_one",
    "delete_many",
    "find_one_and_delete",
    "delete_by_id",
    "delete_all",
];

/// ORM and driver calls that write.
const WRITE_CALLS: &[&str] = &[
    "insert_one",
    "insert_many",
    "update_one",
    "update_many",
    "replace_one",
    "find_one_and_update",
    "find_one_and_replace",
    "insert_into",
];

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Severity {
    /// Inserts or updates, or disagrees with the spec.
    Mild,
    /// Deletes.
    Severe,
}

struct Finding {
    severity: Severity,
    /// The endpoint it is about (`GET /x`).
    endpoint: String,
    evidence: Evidence,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts).or_else(|| unless_graphql(facts)) {
        return na;
    }
    let routes: Vec<&Route> = facts
        .routes
        .iter()
        .filter(|r| !r.grpc && !is_infra_path(&r.path))
        .collect();
    let spec_ops = facts
        .specs
        .iter()
        .map(|s| s.operations.len())
        .sum::<usize>();
    if routes.is_empty() && spec_ops == 0 {
        if facts.routes.iter().any(|r| r.grpc) {
            return Outcome::na("gRPC only: its methods are RPCs, not HTTP verbs");
        }
        return Outcome::manual(
            "no HTTP routes or OpenAPI operations found to judge; review the methods by hand",
        )
        .at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no routes seen here",
        );
    }

    let by_name = fn_index(facts);
    let mut findings: Vec<Finding> = Vec::new();
    let mut exempt = Vec::new();
    let mut read = 0usize;
    for r in routes.iter().filter(|r| r.method == "GET") {
        if is_link_flow(&r.path) {
            exempt.push(r);
            continue;
        }
        let Some(body) = Body::of_route(facts, r) else {
            continue;
        };
        read += 1;
        findings.extend(get_handler_writes(facts, &by_name, r, body));
    }

    for spec in &facts.specs {
        for op in spec.operations.iter().filter(|o| o.method == "GET") {
            let at = Location::new(spec.path.clone(), op.line.unwrap_or(0));
            if op.request_body.is_some() {
                findings.push(Finding {
                    severity: Severity::Mild,
                    endpoint: format!("GET {}", op.path),
                    evidence: Evidence::new(
                        at.clone(),
                        format!("spec: GET {} takes a request body", op.path),
                    ),
                });
            }
            if let Some(id) = &op.operation_id {
                if let Some(sev) = name_severity(id) {
                    findings.push(Finding {
                        severity: sev,
                        endpoint: format!("GET {}", op.path),
                        evidence: Evidence::new(
                            at,
                            format!(
                                "spec: GET {} has operationId `{id}`, named for a write",
                                op.path
                            ),
                        ),
                    });
                }
            }
        }
    }
    let join = Join::build(facts);
    for (op, served) in &join.method_mismatch {
        let methods: Vec<&str> = served.iter().map(|r| r.method.as_str()).collect();
        findings.push(Finding {
            severity: Severity::Mild,
            endpoint: op.label(),
            evidence: Evidence::new(
                op.location(),
                format!(
                    "spec says {}, code serves {} {} ({})",
                    op.label(),
                    methods.join("/"),
                    served[0].path,
                    served[0].location
                ),
            ),
        });
    }

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &routes {
        *counts.entry(r.method.as_str()).or_default() += 1;
    }
    let methods = counts
        .iter()
        .map(|(m, n)| format!("{n} {m}"))
        .collect::<Vec<_>>()
        .join(", ");
    let exempt_ev = exempt.iter().take(3).map(|r| {
        Evidence::new(
            r.location.clone(),
            format!(
                "GET {} is a link-driven flow (callback, verification, logout): GET is expected",
                r.path
            ),
        )
    });
    let looked = "GET handlers that neither run INSERT/UPDATE/DELETE nor call ORM writes nor are named for a write; spec operations whose methods match the code's";

    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let worst = findings.first().map(|f| f.severity);
    let endpoints = |sev: Severity| {
        findings
            .iter()
            .filter(|f| f.severity == sev)
            .map(|f| f.endpoint.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let n_severe = endpoints(Severity::Severe);
    let n_mild = endpoints(Severity::Mild);
    let ev: Vec<Evidence> = findings.into_iter().map(|f| f.evidence).collect();
    match worst {
        Some(Severity::Severe) => Outcome::fail(format!(
            "{n_severe} GET endpoint(s) delete state: crawlers, prefetchers and retries will trigger them"
        ))
        .with(ev)
        .looked_for(looked),
        Some(Severity::Mild) => Outcome::partial(format!(
            "{n_mild} endpoint(s) with a method problem: a GET that writes, or spec and code disagreeing on the method"
        ))
        .with(ev)
        .looked_for(looked),
        None if read == 0 && spec_ops == 0 && !counts.contains_key("GET") => Outcome::na(format!(
            "no GET routes ({methods}), so none can change state; nothing else is judged without an OpenAPI document"
        )),
        None if read == 0 && spec_ops == 0 => {
            Outcome::manual(format!(
                "{} GET route(s), but no handler body could be read (closures or handlers outside the tree); review them by hand",
                routes.len()
            ))
            .with(routes.iter().take(5).map(|r| {
                Evidence::new(r.location.clone(), format!("GET {}: handler not resolved", r.path))
            }))
        }
        None => {
            let anchor = facts.router_anchor().unwrap_or_else(|| facts.anchor());
            let mut o = Outcome::pass(format!(
                "methods match intent: {read} GET handler(s) read and none writes ({methods})"
            ))
            .at(
                anchor,
                format!("routes by method: {methods}; no GET handler runs a write"),
            );
            if !join.documented.is_empty() {
                let first = &join.documented[0].1[0];
                o = o.at(
                    first.location(),
                    format!(
                        "spec and code agree on the methods of {} route(s)",
                        join.documented.len()
                    ),
                );
            }
            o.with(exempt_ev)
        }
    }
}

/// Whether a path belongs to a flow reached by following a link.
fn is_link_flow(path: &str) -> bool {
    path.split('/')
        .filter(|s| !s.starts_with('{'))
        .flat_map(words)
        .any(|w| LINK_FLOW_WORDS.contains(&w.as_str()))
}

/// How bad a name is for a GET: deletion words are severe, other writes mild.
fn name_severity(name: &str) -> Option<Severity> {
    let w = words(name);
    let first = w.first()?;
    if w.iter().any(|x| UI_WORDS.contains(&x.as_str())) {
        return None;
    }
    // `get_or_create_session`, `fetch_and_update`: the first word is a read.
    if DELETE_VERBS.contains(&first.as_str()) {
        Some(Severity::Severe)
    } else if WRITE_VERBS.contains(&first.as_str()) {
        Some(Severity::Mild)
    } else {
        None
    }
}

fn sql_severity(what: &str) -> Severity {
    if matches!(what, "DELETE" | "TRUNCATE" | "DROP") {
        Severity::Severe
    } else {
        Severity::Mild
    }
}

/// Service functions by name, for following a handler one call deep.
fn fn_index(facts: &Facts) -> HashMap<&str, Vec<(usize, usize)>> {
    let mut idx: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (fi, f) in facts.service_rust() {
        for (ni, func) in f.fns.iter().enumerate().filter(|(_, f)| !f.test) {
            idx.entry(func.name.as_str()).or_default().push((fi, ni));
        }
    }
    idx
}

/// The SQL writes in a function body: (line, statement kind).
fn sql_writes(body: Body<'_>) -> Vec<(u32, &'static str)> {
    let mut out: Vec<(u32, &'static str)> = body
        .literals()
        .filter_map(|l| sql_write(&l.value).map(|w| (l.line, w)))
        .collect();
    out.extend(body.macros().filter_map(|m| {
        m.first_lit
            .as_deref()
            .and_then(sql_write)
            .map(|w| (m.line, w))
    }));
    out.sort();
    out.dedup();
    out
}

fn get_handler_writes(
    facts: &Facts,
    by_name: &HashMap<&str, Vec<(usize, usize)>>,
    route: &Route,
    body: Body<'_>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let func: &FnFact = body.func;
    let label = format!("GET {} → `{}`", route.path, func.name);
    let endpoint = format!("GET {}", route.path);
    let named = name_severity(&func.name);
    for (line, what) in sql_writes(body) {
        out.push(Finding {
            severity: sql_severity(what),
            endpoint: endpoint.clone(),
            evidence: Evidence::new(body.at(line), format!("{label} runs SQL {what}")),
        });
    }
    for r in body.refs() {
        let last = r.path.rsplit("::").next().unwrap_or("");
        let sev = match (r.path.starts_with("diesel::"), last) {
            (true, "delete") => Some(Severity::Severe),
            (true, "insert_into" | "update" | "replace_into") => Some(Severity::Mild),
            _ => None,
        };
        if let Some(sev) = sev {
            out.push(Finding {
                severity: sev,
                endpoint: endpoint.clone(),
                evidence: Evidence::new(body.at(r.line), format!("{label} calls `{}`", r.path)),
            });
        }
    }
    for m in body.methods() {
        let sev = if DELETE_CALLS.contains(&m.name.as_str()) {
            Some(Severity::Severe)
        } else if WRITE_CALLS.contains(&m.name.as_str()) {
            Some(Severity::Mild)
        } else {
            None
        };
        if let Some(sev) = sev {
            out.push(Finding {
                severity: sev,
                endpoint: endpoint.clone(),
                evidence: Evidence::new(body.at(m.line), format!("{label} calls `.{}()`", m.name)),
            });
        }
    }
    // One call deep: a uniquely named service function the handler calls. A
    // method call (`x.remove(..)`) is followed only when the handler names
    // the method's type: a same-named method of a type it never touches
    // (`HashMap::remove` vs a repo's `Overrides::remove`) is someone else's.
    let callees = body
        .methods()
        .map(|m| (m.name.as_str(), m.line, true))
        .chain(body.calls().map(|c| (c.name.as_str(), c.line, false)))
        .chain(
            body.refs()
                .map(|r| (r.path.rsplit("::").next().unwrap_or(""), r.line, false)),
        );
    let mut followed = std::collections::HashSet::new();
    for (name, line, is_method) in callees {
        let Some([(fi, ni)]) = by_name.get(name).map(Vec::as_slice) else {
            continue;
        };
        if !followed.insert((*fi, *ni)) || facts.rust[*fi].fns[*ni].name == func.name {
            continue;
        }
        if is_method && !names_type(body, facts.rust[*fi].fns[*ni].self_ty.as_deref()) {
            continue;
        }
        let callee = Body::new(&facts.rust[*fi], *ni);
        for (wline, what) in sql_writes(callee) {
            out.push(Finding {
                severity: sql_severity(what),
                endpoint: endpoint.clone(),
                evidence: Evidence::new(
                    callee.at(wline),
                    format!("{label} calls `{name}` (line {line}), which runs SQL {what}"),
                ),
            });
        }
    }
    // A name alone convicts only a handler that does not just render a page:
    // `GET /account/delete` showing a confirmation form that POSTs is right.
    if let Some(sev) = named {
        if !(out.is_empty() && renders_html(body)) {
            let evidence = Evidence::new(body.location(), format!("{label} is named for a write"));
            out.insert(
                0,
                Finding {
                    severity: sev,
                    endpoint: endpoint.clone(),
                    evidence,
                },
            );
        }
    }
    out
}

/// The handler body names the type `ty` (a parameter, a path, its own impl).
fn names_type(body: Body<'_>, ty: Option<&str>) -> bool {
    let Some(ty) = ty.map(|t| t.split('<').next().unwrap_or(t).trim()) else {
        return false;
    };
    let has = |text: &str| {
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == ty)
    };
    body.func.self_ty.as_deref().is_some_and(has)
        || body.func.params.iter().any(|p| has(&p.ty))
        || body.refs().any(|r| r.path.split("::").any(|s| s == ty))
}

/// Where the handler renders an HTML page: a `text/html` content type, an
/// `Html`/template return type, or a template `render` call.
fn renders_html(body: Body<'_>) -> bool {
    let ret = body.func.ret.as_deref().unwrap_or("");
    ["Html<", "Template", "Markup", "Ructe"]
        .iter()
        .any(|t| ret.contains(t))
        || body.literals().any(|l| l.value.starts_with("text/html"))
        || body.methods().any(|m| {
            matches!(
                m.name.as_str(),
                "render" | "render_once" | "render_template"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_for_writes() {
        assert_eq!(name_severity("delete_item"), Some(Severity::Severe));
        assert_eq!(name_severity("createUser"), Some(Severity::Mild));
        assert_eq!(name_severity("delete_confirm_page"), None);
        assert_eq!(name_severity("get_or_create_session"), None);
        assert_eq!(name_severity("list_items"), None);
        assert_eq!(name_severity("settings"), None);
    }

    #[test]
    fn link_flows() {
        assert!(is_link_flow("/auth/github/callback"));
        assert!(is_link_flow("/users/{id}/verify-email"));
        assert!(!is_link_flow("/items/{id}/delete"));
    }
}
