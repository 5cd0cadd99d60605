//! `perf.pooling`: connections are pooled and reused — the database pool
//! (`db.pool`) and outbound HTTP clients.
//!
//! An HTTP client owns a connection pool; building one per request
//! (`reqwest::Client::new()`, `Client::builder()..build()`, `reqwest::get(..)`,
//! `ureq::get(..)`, awc/hyper clients) inside a request handler throws the pool
//! away each time: a new TCP and TLS handshake per call, and sockets left in
//! TIME_WAIT. Built once (in `main`, a constructor, a `static`) and shared, it
//! reuses connections.
//!
//! fail: clients built in request handlers, or `db.pool` fails · partial:
//! `db.pool` is partial · pass: pools configured and clients built once ·
//! manual: neither a pool nor a client could be judged · n/a: no database and
//! no HTTP client.

use crate::analyzers::scan;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef, Status};

/// Calls that build an HTTP client (and its connection pool).
const CLIENT_BUILDERS: &[&str] = &[
    "reqwest::Client::new",
    "reqwest::Client::builder",
    "reqwest::ClientBuilder::new",
    "reqwest::blocking::Client::new",
    "reqwest::get",
    "reqwest::blocking::get",
    "ureq::get",
    "ureq::post",
    "ureq::agent",
    "ureq::AgentBuilder::new",
    "awc::Client::new",
    "awc::Client::builder",
    "awc::ClientBuilder::new",
    "hyper::Client::new",
    "hyper::Client::builder",
    "hyper_util::client::legacy::Client::builder",
    "isahc::HttpClient::new",
    "surf::client",
    "surf::get",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let handlers = scan::handlers(facts);
    let mut per_request = Vec::new();
    let mut once = Vec::new();
    for (fi, f) in facts.service_rust() {
        for r in f
            .refs
            .iter()
            .filter(|r| !r.test && r.kind == crate::extract::rust::RefKind::Expr)
        {
            if !CLIENT_BUILDERS
                .iter()
                .any(|p| crate::facts::query::path_matches(&r.path, p))
            {
                continue;
            }
            let func = r.in_fn.and_then(|i| f.fns.get(i as usize));
            let at = Location::new(f.path.clone(), r.line);
            if r.in_fn
                .is_some_and(|i| handlers.contains(&(fi, i as usize)))
            {
                per_request.push(Evidence::new(
                    at,
                    format!(
                        "`{}` builds an HTTP client on every request to handler `{}`",
                        r.path,
                        func.map(|x| x.name.as_str()).unwrap_or("?")
                    ),
                ));
            } else {
                once.push(Hit::new(
                    at,
                    format!(
                        "`{}` built in `{}`, outside request handlers",
                        r.path,
                        func.map(|x| x.name.as_str()).unwrap_or("a static")
                    ),
                ));
            }
        }
    }
    let db = crate::analyzers::db::pool::assess(facts);
    if db.is_none() && per_request.is_empty() && once.is_empty() {
        return Outcome::na("no database pool and no outbound HTTP client to reuse");
    }
    let looked = "one database pool with size and timeouts, and HTTP clients built once at startup and shared through state";
    // A passing pool's evidence is all found once normalised.
    let db_ev: Vec<Evidence> = db
        .as_ref()
        .map(|o| o.clone().normalised().evidence)
        .unwrap_or_default();
    if !per_request.is_empty() {
        return Outcome::fail(format!(
            "HTTP clients are built per request in {} place(s): each call opens new connections",
            per_request.len()
        ))
        .with(per_request)
        .with(db_ev)
        .looked_for(looked);
    }
    match db {
        Some(o) if o.status == Status::Fail => Outcome::fail(format!("database: {}", o.summary))
            .with(o.evidence)
            .with_found_hits(once)
            .looked_for(looked),
        Some(o) if o.status == Status::Partial => {
            Outcome::partial(format!("database: {}", o.summary))
                .with(o.evidence)
                .with_found_hits(once)
                .looked_for(looked)
        }
        Some(o) if o.status == Status::Manual && once.is_empty() => o,
        Some(o) => {
            let mut parts = Vec::new();
            if o.status == Status::Pass {
                parts.push("database pool configured".to_string());
            } else if o.status == Status::Manual {
                parts.push("no database pool found in the code (see db.pool)".to_string());
            }
            if !once.is_empty() {
                parts.push(format!(
                    "{} HTTP client(s) built outside handlers",
                    once.len()
                ));
            }
            Outcome::pass(parts.join("; "))
                .with(o.evidence)
                .with_hits(once)
        }
        None => Outcome::pass(format!(
            "{} HTTP client(s) built outside handlers and reused",
            once.len()
        ))
        .with_hits(once),
    }
}
