//! `svc.graceful-shutdown`: on SIGTERM the server stops accepting connections,
//! finishes the requests in flight, and exits.
//!
//! Orchestrators stop containers with SIGTERM (then SIGKILL after a grace
//! period). A server that drains — axum/hyper `with_graceful_shutdown`, tonic
//! `serve_with_shutdown`, poem `run_with_graceful_shutdown`, salvo
//! `stop_graceful`, axum-server's `Handle::graceful_shutdown` — finishes its
//! requests; one that does not drops them mid-flight on every deploy.
//! actix-web's `HttpServer` and Rocket drain on SIGTERM by themselves (unless
//! `disable_signals()`). A drain wired to `tokio::signal::ctrl_c()` alone
//! reacts to Ctrl-C (SIGINT) but not to the SIGTERM a deploy sends.
//!
//! pass: drains on SIGTERM · partial: drains on Ctrl-C only, or handles a
//! signal without draining · fail: nothing handles shutdown · n/a: no server.

use super::shutdown;
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const SERVE: &[&str] = &[
    "axum::serve",
    "axum::Server",
    "axum_server::bind",
    "hyper::Server",
    "warp::serve",
    "poem::Server",
    "salvo::Server",
    "tonic::transport::Server",
    "Server::builder",
    "HttpServer::new",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let s = shutdown(facts);
    let looked = "a server that drains in-flight requests on SIGTERM: `with_graceful_shutdown(shutdown_signal())` listening for SIGTERM and Ctrl-C, tonic `serve_with_shutdown`, or actix-web/Rocket's built-in signal handling";
    if !s.disabled.is_empty() && s.drains.is_empty() && s.sigterm.is_empty() {
        return Outcome::fail(
            "the actix-web server is told to ignore signals and nothing else stops it gracefully",
        )
        .with_hits(s.disabled)
        .looked_for(looked);
    }
    let explicit_drain = !s.drains.is_empty();
    let framework = !s.framework.is_empty() && s.disabled.is_empty();
    if (explicit_drain && !s.sigterm.is_empty()) || framework {
        let what = if explicit_drain {
            format!("the server drains on SIGTERM: {}", s.drains[0].what)
        } else {
            s.framework[0].what.clone()
        };
        return Outcome::pass(what)
            .with_hits(s.drains)
            .with_hits(s.sigterm)
            .with_hits(s.sigint)
            .with_hits(s.framework);
    }
    if explicit_drain {
        let mut o = Outcome::partial(
            "the server drains only on Ctrl-C (SIGINT): `docker stop` and Kubernetes send SIGTERM, which ends the process without draining",
        )
        .with_found_hits(s.drains);
        o = o.with_hits(s.sigint);
        return o.looked_for(looked);
    }
    if !s.sigterm.is_empty() || !s.sigint.is_empty() {
        return Outcome::partial("a signal is handled, but the server is not told to drain: requests in flight are cut off")
            .with_found_hits(s.sigterm)
            .with_found_hits(s.sigint)
            .looked_for(looked);
    }
    let at = facts
        .refs(SERVE)
        .into_iter()
        .next()
        .map(|h| {
            (
                h.location,
                format!("{} runs with no shutdown signal", h.what),
            )
        })
        .unwrap_or_else(|| {
            (
                facts.router_anchor().unwrap_or_else(|| facts.anchor()),
                "the server built here has no shutdown handling".to_string(),
            )
        });
    Outcome::fail("no graceful shutdown: SIGTERM kills the server with requests in flight")
        .with([crate::rules::Evidence::new(at.0, at.1)])
        .looked_for(looked)
}
