//! `sec.sql-injection`: SQL text is never built from runtime values.
//!
//! The Rust extractor follows SQL text from where it is built to the call that
//! executes it (`sqlx::query`/`query_as`/`query_scalar`/`raw_sql`,
//! `diesel::sql_query`, sea-orm `Statement::from_string`, tokio-postgres
//! `query`/`execute`/`batch_execute`, rusqlite `execute`/`query_row`,
//! `execute_unprepared`, sqlx `QueryBuilder::push`), through `let` bindings,
//! `push_str`, `+=`, `write!` and `match` arms, and gives every interpolated
//! value an origin (see [`crate::extract::rust::sql`]). Here the values are
//! judged:
//!
//! - **constants** — literals, `SCREAMING_CASE` items (`{USERS_TABLE}`), loop
//!   variables over constant arrays — are not injection;
//! - **inert values** — numbers, booleans, UUIDs, dates by their declared type,
//!   lengths, quoting/escaping calls, placeholder lists (`$1, $2, …`) — are not
//!   injection either;
//! - **request input** — a handler's `Query`/`Json`/`Path`/`Form` extractor, a
//!   parameter of an attribute-routed handler, or anything derived from them —
//!   reaching SQL text is injection: `fail`;
//! - **other runtime text spliced inside a quoted SQL string** (`'{name}'`) puts
//!   a value where a bind parameter belongs: `fail`;
//! - **other runtime values outside quotes** (table or column names, clause
//!   fragments, numbers of unknown type) cannot always be bound and may be safe,
//!   but nothing proves it: `partial`.
//!
//! Text wrapped in `sqlx::AssertSqlSafe` was reviewed by its author and only
//! fails on request input. `query!`/`query_as!` macros, literal SQL with
//! `.bind()`, and query builders (diesel DSL, sea-query, `push_bind`) pass.
//!
//! n/a: no SQL client crate. manual: a SQL crate is a dependency but no query
//! is visible in service code.

use super::common::clip;
use crate::extract::rust::{SqlExec, SqlValue, ValueOrigin};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::HashSet;

/// Crates that talk SQL.
pub const SQL_CRATES: &[&str] = &[
    "sqlx",
    "diesel",
    "diesel-async",
    "sea-orm",
    "sea-query",
    "tokio-postgres",
    "postgres",
    "deadpool-postgres",
    "bb8-postgres",
    "r2d2_postgres",
    "rusqlite",
    "r2d2_sqlite",
    "deadpool-sqlite",
    "tokio-rusqlite",
    "mysql",
    "mysql_async",
    "tiberius",
    "libsql",
    "sqlite",
    "duckdb",
    "rbatis",
    "ormx",
    "clickhouse",
    "odbc-api",
];

/// Checked-at-compile-time query macros.
const QUERY_MACROS: &[&str] = &["sqlx::query*"];

/// Query builders and ORMs: SQL text is made by the library, values are bound.
const BUILDERS: &[&str] = &[
    "^diesel",
    "^sea_orm",
    "^sea_query",
    "QueryBuilder::push_bind",
    "^rbatis",
];

/// One interpolated value, judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// Request input reaches the SQL text.
    Request,
    /// Runtime text inside a quoted SQL string.
    Quoted,
    /// Runtime value outside quotes.
    Unquoted,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let crates = facts.dep_hits(SQL_CRATES);
    if crates.is_empty() {
        return Outcome::na("no SQL database client crate (sqlx, diesel, sea-orm, tokio-postgres, rusqlite, …) in the service's dependencies");
    }
    let handlers: HashSet<(usize, usize)> =
        facts.routes.iter().filter_map(|r| r.handler_fn).collect();

    let mut bad: Vec<(Verdict, Evidence)> = Vec::new();
    let mut reviewed = Vec::new();
    let mut literal = Vec::new();
    let mut constant = Vec::new();
    let mut opaque = 0usize;
    for (fi, f) in facts.service_rust() {
        for e in f.sql.iter().filter(|e| !e.test) {
            let loc = Location::new(f.path.clone(), e.line);
            if e.how == "opaque" {
                opaque += 1;
                continue;
            }
            let in_handler = e
                .in_fn
                .is_some_and(|ni| handlers.contains(&(fi, ni as usize)));
            let judged: Vec<(Verdict, &SqlValue)> = e
                .values
                .iter()
                .filter_map(|v| verdict(v, in_handler).map(|x| (x, v)))
                .collect();
            let Some(worst) = judged.iter().map(|(v, _)| *v).min() else {
                if e.how == "literal" {
                    literal.push(Evidence::new(loc, format!("`{}` runs literal SQL", e.sink)));
                } else {
                    constant.push(Evidence::new(
                        loc,
                        format!(
                            "`{}` runs SQL built with {} from constants only: {}",
                            e.sink,
                            e.how,
                            quote_template(&e.template)
                        ),
                    ));
                }
                continue;
            };
            let message = describe(e, &judged);
            if e.asserted && worst != Verdict::Request {
                reviewed.push(Evidence::new(
                    loc,
                    format!("note: {message} (wrapped in AssertSqlSafe: reviewed by its author)"),
                ));
                continue;
            }
            bad.push((worst, Evidence::new(loc, message)));
        }
    }
    bad.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));

    let macros: Vec<Evidence> = facts
        .macros(QUERY_MACROS)
        .into_iter()
        .map(|(f, m)| {
            Evidence::new(
                Location::new(f.path.clone(), m.line),
                format!(
                    "`{}!` checks the query at compile time and binds its arguments",
                    m.path
                ),
            )
        })
        .collect();
    let builders: Vec<Evidence> = facts
        .refs(BUILDERS)
        .into_iter()
        .take(3)
        .map(|h| Evidence::new(h.location, format!("query builder {}", h.what)))
        .collect();
    let opaque_note = (opaque > 0).then(|| {
        Evidence::new(
            facts.anchor(),
            format!("note: {opaque} query call(s) take SQL text built in another function; those texts were not followed"),
        )
    });
    let looked = "SQL text given to sqlx::query/query_as/raw_sql, diesel::sql_query, Statement::from_string, client.query/execute/batch_execute, conn.execute/query_row, QueryBuilder::push built with format!, concatenation, push_str or write! from runtime values";

    if let Some((worst, _)) = bad.first() {
        let n = bad.len();
        let count = |v: Verdict| bad.iter().filter(|(x, _)| *x == v).count();
        let others = n - count(*worst);
        let more = if others > 0 {
            format!(" ({others} more place(s) build SQL from other runtime values)")
        } else {
            String::new()
        };
        let summary = match worst {
            Verdict::Request => format!(
                "request input is interpolated into SQL text at {} place(s){more}; bind it as a parameter",
                count(Verdict::Request)
            ),
            Verdict::Quoted => format!(
                "runtime values are spliced into quoted SQL strings at {} place(s){more}; bind them as parameters",
                count(Verdict::Quoted)
            ),
            Verdict::Unquoted => format!(
                "SQL text is built from runtime values at {n} place(s) (identifiers, fragments or numbers of unknown origin); check each is trusted or allow-listed"
            ),
        };
        let o = if *worst == Verdict::Unquoted {
            Outcome::partial(summary)
        } else {
            Outcome::fail(summary)
        };
        return o
            .with(bad.into_iter().map(|(_, e)| e))
            .with_found(reviewed)
            .with_found(opaque_note)
            .looked_for(looked);
    }
    let seen = literal.len() + constant.len() + macros.len();
    if seen == 0 && builders.is_empty() {
        return Outcome::manual(format!(
            "{} — but no query is visible in service code (queries may be built behind an abstraction seaworthy does not follow)",
            crates[0].what
        ))
        .with(crates.into_iter().map(Evidence::from))
        .with(opaque_note)
        .with(reviewed);
    }
    let mut parts = Vec::new();
    if !macros.is_empty() {
        parts.push(format!(
            "{} compile-time checked query macro(s)",
            macros.len()
        ));
    }
    if !literal.is_empty() {
        parts.push(format!(
            "{} literal SQL text(s) with bound parameters",
            literal.len()
        ));
    }
    if !constant.is_empty() {
        parts.push(format!(
            "{} SQL text(s) built from constants only",
            constant.len()
        ));
    }
    if !builders.is_empty() {
        parts.push("a query builder".into());
    }
    Outcome::pass(format!(
        "no SQL text is built from runtime values: {}",
        parts.join(", ")
    ))
    .with(constant)
    .with(macros.into_iter().take(5))
    .with(literal.into_iter().take(5))
    .with(builders)
    .with(reviewed)
    .with(opaque_note)
}

/// How bad one interpolated value is, or `None` when it is safe.
fn verdict(v: &SqlValue, in_handler: bool) -> Option<Verdict> {
    let origin = match v.origin {
        ValueOrigin::Param if in_handler => ValueOrigin::Request,
        o => o,
    };
    match origin {
        ValueOrigin::Const | ValueOrigin::Safe => None,
        ValueOrigin::Request => Some(Verdict::Request),
        ValueOrigin::Local | ValueOrigin::Param => {
            if is_placeholder_list(&v.expr) {
                None
            } else if v.quoted {
                Some(Verdict::Quoted)
            } else {
                Some(Verdict::Unquoted)
            }
        }
    }
}

/// Values whose name says what made them safe: placeholder lists (`$1, $2`),
/// escaped or quoted text (`org_id_escaped`, `quoted_name`).
fn is_placeholder_list(expr: &str) -> bool {
    let root: String = expr
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<String>()
        .to_ascii_lowercase();
    ["placeholder", "escaped", "quoted", "sanitized", "sanitised"]
        .iter()
        .any(|w| root.contains(w))
}

fn describe(e: &SqlExec, judged: &[(Verdict, &SqlValue)]) -> String {
    let values: Vec<String> = judged
        .iter()
        .take(4)
        .map(|(v, sv)| {
            let why = match v {
                Verdict::Request => "request input",
                Verdict::Quoted => match sv.origin {
                    ValueOrigin::Param => "a parameter, inside quotes",
                    _ => "runtime value, inside quotes",
                },
                Verdict::Unquoted => match sv.origin {
                    ValueOrigin::Param => "a parameter",
                    _ => "runtime value",
                },
            };
            format!("`{}` ({why})", clip(&sv.expr, 40))
        })
        .collect();
    let built = match e.built_at {
        Some(l) => format!(" on line {l}"),
        None => String::new(),
    };
    format!(
        "`{}` runs SQL built with {}{built} from {}: {}",
        e.sink,
        e.how,
        values.join(", "),
        quote_template(&e.template)
    )
}

fn quote_template(t: &str) -> String {
    let one_line: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("\"{}\"", clip(&one_line, 100))
}
