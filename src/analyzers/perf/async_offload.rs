//! `perf.async-offload`: heavy or blocking work stays off the async runtime's
//! worker threads.
//!
//! Inside an `async fn` (not `main`), outside closures handed to
//! `spawn_blocking`/`block_in_place`/`web::block`/`thread::spawn`/rayon/
//! deadpool `interact`:
//! - blocking calls: `std::thread::sleep`, `std::fs::*`, `reqwest::blocking`,
//!   `std::net` sockets, `ureq`, `std::process::Command` waited on;
//! - CPU-heavy calls: password hashing (`bcrypt::hash`/`verify`, argon2
//!   `hash_password`/`verify_password`, `scrypt`, `pbkdf2`).
//!
//! Either stalls every other request scheduled on that worker. Offloading is
//! seen as `spawn_blocking` and friends, and background job queues (apalis,
//! fang, faktory, sidekiq, sqlxmq, underway) or `tokio::spawn`ed tasks.
//!
//! fail: blocking calls in request handlers · partial: blocking calls in other
//! async functions of server packages (a CLI's async `main` path is not a
//! server), or password hashing on the runtime · pass: none · n/a: no
//! async code.

use crate::analyzers::scan;
use crate::extract::rust::RefKind;
use crate::facts::query::{path_matches, Hit};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

const BLOCKING: &[&str] = &[
    "std::thread::sleep",
    "std::fs",
    "reqwest::blocking",
    "std::net::TcpStream",
    "std::net::TcpListener",
    "std::net::UdpSocket",
    "std::net::ToSocketAddrs",
    "^ureq",
    "std::io::stdin",
];

const CPU_HEAVY: &[&str] = &[
    "bcrypt::hash",
    "bcrypt::verify",
    "bcrypt::hash_with_result",
    "argon2::hash_encoded",
    "argon2::verify_encoded",
    "scrypt::scrypt",
    "scrypt::password_hash",
    "pbkdf2::pbkdf2",
    "pbkdf2::pbkdf2_hmac",
];

const CPU_METHODS: &[&str] = &["hash_password", "verify_password", "hash_password_into"];

const OFFLOAD: &[&str] = &[
    "spawn_blocking",
    "block_in_place",
    "actix_web::web::block",
    "web::block",
    "^rayon",
    "^apalis",
    "^fang",
    "^faktory",
    "^sidekiq",
    "^sqlxmq",
    "^underway",
    "^background_jobs",
    "^graphile_worker",
    "tokio::spawn",
    "tokio::task::spawn",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let async_fns: usize = facts
        .service_rust()
        .map(|(_, f)| f.fns.iter().filter(|x| x.is_async && !x.test).count())
        .sum();
    if async_fns == 0 {
        return Outcome::na("no async code in the service");
    }
    let handlers = scan::handlers(facts);
    // Outside handlers, blocking matters where a server runs (not in a CLI).
    let server_dirs: Vec<String> = facts
        .server_packages()
        .map(|p| {
            if p.dir.is_empty() {
                String::new()
            } else {
                format!("{}/", p.dir)
            }
        })
        .collect();
    let in_server = |path: &str| {
        server_dirs.is_empty() || server_dirs.iter().any(|d| path.starts_with(d.as_str()))
    };
    let mut in_handlers = Vec::new();
    let mut elsewhere = Vec::new();
    let mut cpu = Vec::new();
    for (fi, f) in facts.service_rust() {
        let in_async = |i: Option<u32>| {
            i.and_then(|i| f.fns.get(i as usize))
                .is_some_and(|x| x.is_async && x.name != "main" && !x.test)
        };
        let fn_name = |i: Option<u32>| {
            i.and_then(|i| f.fns.get(i as usize))
                .map(|x| x.name.clone())
                .unwrap_or_default()
        };
        for r in f
            .refs
            .iter()
            .filter(|r| !r.test && !r.offloaded && r.kind == RefKind::Expr && in_async(r.in_fn))
        {
            let at = Location::new(f.path.clone(), r.line);
            if BLOCKING.iter().any(|p| path_matches(&r.path, p)) {
                let handler = r
                    .in_fn
                    .is_some_and(|i| handlers.contains(&(fi, i as usize)));
                let e = Evidence::new(
                    at,
                    format!(
                        "`{}` blocks the runtime in async {} `{}`",
                        r.path,
                        if handler { "handler" } else { "fn" },
                        fn_name(r.in_fn)
                    ),
                );
                if handler {
                    in_handlers.push(e);
                } else if in_server(&f.path) {
                    elsewhere.push(e);
                }
            } else if CPU_HEAVY.iter().any(|p| path_matches(&r.path, p)) {
                cpu.push(Evidence::new(
                    at,
                    format!(
                        "`{}` hashes on the runtime in async fn `{}`",
                        r.path,
                        fn_name(r.in_fn)
                    ),
                ));
            }
        }
        for m in f
            .methods
            .iter()
            .filter(|m| !m.test && !m.offloaded && in_async(m.in_fn))
        {
            let root = m.root.as_deref().unwrap_or("");
            if CPU_METHODS.contains(&m.name.as_str()) {
                cpu.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!(
                        "`.{}()` hashes on the runtime in async fn `{}`",
                        m.name,
                        fn_name(m.in_fn)
                    ),
                ));
            } else if root.starts_with("std::process::Command")
                && matches!(m.name.as_str(), "output" | "status" | "wait")
                && in_server(&f.path)
            {
                elsewhere.push(Evidence::new(
                    Location::new(f.path.clone(), m.line),
                    format!(
                        "`std::process::Command` waited on with `.{}()` in async fn `{}`",
                        m.name,
                        fn_name(m.in_fn)
                    ),
                ));
            }
        }
    }
    let offload: Vec<Hit> = facts.refs(OFFLOAD).into_iter().take(5).collect();
    let looked = "blocking and CPU-heavy work moved off the runtime: tokio::fs, tokio::time::sleep, tokio::task::spawn_blocking, a job queue";
    if !in_handlers.is_empty() {
        return Outcome::fail(format!(
            "{} blocking call(s) inside async request handlers stall the runtime",
            in_handlers.len()
        ))
        .with(in_handlers)
        .with(elsewhere)
        .with(cpu)
        .looked_for(looked);
    }
    if !elsewhere.is_empty() || !cpu.is_empty() {
        let mut parts = Vec::new();
        if !elsewhere.is_empty() {
            parts.push(format!(
                "{} blocking call(s) in async functions",
                elsewhere.len()
            ));
        }
        if !cpu.is_empty() {
            parts.push(format!(
                "{} password hash(es) computed on the runtime",
                cpu.len()
            ));
        }
        return Outcome::partial(parts.join("; "))
            .with(elsewhere)
            .with(cpu)
            .with_found_hits(offload)
            .looked_for(looked);
    }
    let summary = match offload.first() {
        Some(h) => format!(
            "no blocking call in {async_fns} async function(s); work is offloaded ({})",
            h.what
        ),
        None => format!("no blocking call in {async_fns} async function(s)"),
    };
    let mut o = Outcome::pass(summary).with_hits(offload);
    if o.evidence.is_empty() {
        o = o.at(facts.router_anchor().unwrap_or_else(|| facts.anchor()), format!("{async_fns} async function(s) checked for std::thread::sleep, std::fs, blocking HTTP and password hashing"));
    }
    o
}
