//! `perf.query-optimization`: queries are not issued once per item (N+1), read
//! only the columns they need, and filter on indexed columns.
//!
//! - N+1: a database call (`fetch_one`/`fetch_all`/`fetch_optional`,
//!   diesel `get_result(s)`/`first(conn)`/`load` on a table DSL, tokio-postgres
//!   `query`/`query_one`/`execute` with parameters, sea-orm `one`/`all` on a
//!   `find`) inside a `for` body or an iterator closure (`map`, `for_each`,
//!   `then`) — not inside a `loop`/`while` that polls or consumes a queue;
//! - `SELECT *` as the outer select list of a query literal;
//! - filters on columns no index leads with (see `db.indexes`).
//!
//! fail: a query inside a loop in a request handler · partial: one elsewhere
//! (jobs, helpers), `SELECT *`, or unindexed filters · pass: queries seen and
//! none of those · manual: no query recognised · n/a: no database.

use crate::analyzers::scan;
use crate::extract::rust::MethodCall;
use crate::extract::sql::query::shape;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Whether a method call runs a database query.
pub fn is_db_call(m: &MethodCall) -> bool {
    let root = m.root.as_deref().unwrap_or("");
    let tabley = ["dsl", "schema", "table", "Entity", "find"]
        .iter()
        .any(|k| root.contains(k));
    let sqlish = root.contains("sqlx") || root.contains("query") || root.contains("diesel");
    let other = ["reqwest", "hyper", "Client::new", "http"]
        .iter()
        .any(|k| root.contains(k));
    match m.name.as_str() {
        "fetch_one" | "fetch_all" | "fetch_optional" | "fetch_many" | "fetch_scalar"
        | "get_result" | "get_results" | "query_one" | "query_opt" | "query_raw" => !other,
        "execute" | "query" => !other && (sqlish || m.args == 2),
        "load" | "first" => tabley && m.args == 1,
        "one" | "all" | "count" => root.contains("find") && m.args == 1,
        _ => false,
    }
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::db::unless_database(facts) {
        return na;
    }
    let handlers = scan::handlers(facts);
    let mut queries = 0;
    let mut seen: Vec<Hit> = Vec::new();
    let mut n1_handlers = Vec::new();
    let mut n1_other = Vec::new();
    // One-off data migrations are not hot paths.
    let hot = |path: &str| {
        crate::extract::sql::migration_of(path).is_none()
            && !crate::extract::sql::in_migrations_dir(path)
    };
    for (fi, f) in facts.service_rust().filter(|(_, f)| hot(&f.path)) {
        for m in f.methods.iter().filter(|m| !m.test && is_db_call(m)) {
            queries += 1;
            if seen.len() < 3 && !m.in_iter {
                seen.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` outside any loop", m.name),
                ));
            }
            if !m.in_iter || m.offloaded {
                continue;
            }
            let func = m.in_fn.and_then(|i| f.fns.get(i as usize));
            let name = func.map(|x| x.name.as_str()).unwrap_or("?");
            let in_handler = m
                .in_fn
                .is_some_and(|i| handlers.contains(&(fi, i as usize)));
            let e = Evidence::new(
                Location::new(f.path.clone(), m.line),
                format!(
                    "`.{}()` runs once per item of a loop in {} `{name}` (N+1)",
                    m.name,
                    if in_handler { "handler" } else { "function" }
                ),
            );
            if in_handler {
                n1_handlers.push(e);
            } else {
                n1_other.push(e);
            }
        }
    }
    let mut star = Vec::new();
    for (f, l) in scan::literals(facts).filter(|(f, _)| hot(&f.path)) {
        if let Some(q) = shape(&l.value) {
            queries += 1;
            if seen.len() < 3 && !q.select_star {
                seen.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("`{}`", scan::clip(&l.value, 50)),
                ));
            }
            if q.select_star {
                star.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("`{}` reads every column", scan::clip(&l.value, 50)),
                ));
            }
        }
    }
    let unindexed: Vec<Evidence> = match crate::analyzers::db::model::schema(facts) {
        sets if !sets.is_empty() => crate::analyzers::db::indexes::query_filters(facts, &sets).1,
        _ => Vec::new(),
    };
    let looked = "queries outside loops (batch with IN/ANY or a join), explicit column lists, and filters on indexed columns";
    if !n1_handlers.is_empty() {
        return Outcome::fail(format!(
            "{} request handler(s) query the database once per item of a loop (N+1)",
            n1_handlers.len()
        ))
        .with(n1_handlers)
        .with(n1_other)
        .with_hits(star)
        .with(unindexed)
        .looked_for(looked);
    }
    if !n1_other.is_empty() || !star.is_empty() || !unindexed.is_empty() {
        let mut parts = Vec::new();
        if !n1_other.is_empty() {
            parts.push(format!("{} query(ies) inside loops", n1_other.len()));
        }
        if !star.is_empty() {
            parts.push(format!("{} SELECT *", star.len()));
        }
        if !unindexed.is_empty() {
            parts.push(format!(
                "{} filter(s) on unindexed columns",
                unindexed.len()
            ));
        }
        return Outcome::partial(parts.join("; "))
            .with(n1_other)
            .with_hits(star)
            .with(unindexed)
            .looked_for(looked);
    }
    if queries == 0 {
        return Outcome::manual("no database query was recognised in service code (an ORM's methods may hide them); review the hot queries");
    }
    Outcome::pass(format!(
        "{queries} query call(s) and SQL text(s) seen: none inside a loop, no SELECT *"
    ))
    .with_hits(seen)
}
