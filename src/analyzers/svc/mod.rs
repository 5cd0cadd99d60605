//! Analyzers for the Service architecture section (`svc.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).
//! Shared questions live here: how the server stops ([`shutdown`], also asked
//! by `docker.graceful-shutdown`) and whether the service calls other services
//! ([`outbound`]).

pub mod api_gateway;
pub mod boundaries;
pub mod circuit_breaker;
pub mod communication;
pub mod discovery;
pub mod distributed_tracing;
pub mod event_driven;
pub mod graceful_shutdown;
pub mod saga;

use super::Decide;
use crate::facts::packages::same_crate;
use crate::facts::query::Hit;
use crate::facts::Facts;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("boundaries", boundaries::decide),
    ("communication", communication::decide),
    ("graceful_shutdown", graceful_shutdown::decide),
    ("circuit_breaker", circuit_breaker::decide),
    ("discovery", discovery::decide),
    ("distributed_tracing", distributed_tracing::decide),
    ("event_driven", event_driven::decide),
    ("saga", saga::decide),
    ("api_gateway", api_gateway::decide),
];

/// How the server stops.
#[derive(Debug, Default)]
pub struct Shutdown {
    /// Calls that stop accepting and drain in-flight requests.
    pub drains: Vec<Hit>,
    /// Handlers for SIGTERM (what `docker stop` and Kubernetes send).
    pub sigterm: Vec<Hit>,
    /// Handlers for SIGINT / Ctrl-C only.
    pub sigint: Vec<Hit>,
    /// A server that drains on SIGTERM and SIGINT by itself (actix-web's
    /// `HttpServer`, Rocket), unless told not to.
    pub framework: Vec<Hit>,
    /// `disable_signals()` on an actix-web server.
    pub disabled: Vec<Hit>,
}

impl Shutdown {
    /// The server handles SIGTERM (itself or through its framework).
    pub fn handles_sigterm(&self) -> bool {
        !self.sigterm.is_empty() || (!self.framework.is_empty() && self.disabled.is_empty())
    }

    /// The server handles SIGINT.
    pub fn handles_sigint(&self) -> bool {
        !self.sigint.is_empty() || (!self.framework.is_empty() && self.disabled.is_empty())
    }

    /// Anything at all reacts to a signal.
    pub fn any(&self) -> bool {
        !self.drains.is_empty() || self.handles_sigterm() || self.handles_sigint()
    }
}

const DRAINS: &[&str] = &[
    "with_graceful_shutdown",
    "serve_with_shutdown",
    "serve_with_incoming_shutdown",
    "run_with_graceful_shutdown",
    "bind_with_graceful_shutdown",
    "graceful_shutdown",
    "stop_graceful",
    "shutdown_timeout",
];

/// What the service does on SIGTERM and Ctrl-C.
pub fn shutdown(facts: &Facts) -> Shutdown {
    let mut s = Shutdown::default();
    for (f, m) in facts.methods(DRAINS) {
        s.drains.push(Hit::new(
            crate::location::Location::new(f.path.clone(), m.line),
            format!("`.{}()`", m.name),
        ));
    }
    s.drains.extend(facts.refs(&[
        "GracefulShutdown",
        "tokio_graceful_shutdown::Toplevel",
        "axum_server::Handle",
        "poem::Server::run_with_graceful_shutdown",
    ]));
    s.sigterm = facts.refs(&[
        "SignalKind::terminate",
        "SIGTERM",
        "signal_hook::consts::TERM_SIGNALS",
        "signal::unix::SignalKind::terminate",
    ]);
    s.sigint = facts.refs(&[
        "tokio::signal::ctrl_c",
        "signal::ctrl_c",
        "SignalKind::interrupt",
        "SIGINT",
        "ctrlc::set_handler",
    ]);
    // ctrlc's `termination` feature makes its handler catch SIGTERM too.
    let ctrlc_terminates = facts.packages.iter().any(|p| {
        p.deps
            .iter()
            .any(|d| same_crate(&d.name, "ctrlc") && d.features.iter().any(|f| f == "termination"))
    });
    if ctrlc_terminates {
        s.sigterm.extend(
            facts
                .refs(&["ctrlc::set_handler", "ctrlc::try_set_handler"])
                .into_iter()
                .map(|h| {
                    Hit::new(
                        h.location,
                        "`ctrlc::set_handler` with ctrlc's `termination` feature (SIGTERM too)",
                    )
                }),
        );
        // The same call, said once: as the SIGTERM handler it is.
        s.sigint
            .retain(|h| !s.sigterm.iter().any(|t| t.location == h.location));
    }
    let served = served_packages(facts);
    let in_served =
        |h: &Hit| match crate::facts::packages::package_of(&facts.packages, &h.location.path) {
            Some(i) => served.as_ref().is_none_or(|s| s.contains(&i)),
            None => true,
        };
    s.framework = facts
        .refs_or_imports(&["actix_web::HttpServer", "ntex::web::HttpServer"])
        .into_iter()
        .filter(|h| in_served(h))
        .take(1)
        .map(|h| Hit::new(h.location, "actix-web's HttpServer drains on SIGTERM/SIGINT by default (30 s shutdown_timeout)"))
        .collect();
    // Rocket drains on its own only from 0.5 on; 0.4 (`rocket::ignite`,
    // `rocket_contrib`) stops when the process is killed.
    if !rocket_before_0_5(facts) {
        let rocket = facts
            .refs_or_imports(&["rocket::build", "rocket::launch", "rocket::custom"])
            .into_iter()
            .filter(|h| in_served(h))
            .take(1)
            .map(|h| {
                Hit::new(
                    h.location,
                    "Rocket drains on SIGTERM/SIGINT by default (its `shutdown` grace period)",
                )
            });
        s.framework.extend(rocket);
    }
    s.disabled = facts
        .methods(&["disable_signals"])
        .into_iter()
        .map(|(f, m)| {
            Hit::new(
                crate::location::Location::new(f.path.clone(), m.line),
                "`.disable_signals()`: the server ignores SIGTERM/SIGINT",
            )
        })
        .collect();
    s
}

/// Packages whose code runs in a binary of this repository: those with a bin
/// target (declared, `src/main.rs` or `src/bin/`) and the workspace packages
/// they depend on, transitively. `None` when no package has a binary (a
/// library-only tree, where nothing can be ruled out). A framework adapter
/// library that no binary here links is not the served process.
fn served_packages(facts: &Facts) -> Option<Vec<usize>> {
    let pkgs = &facts.packages;
    let mut served: Vec<usize> = (0..pkgs.len()).filter(|&i| pkgs[i].has_bin).collect();
    if served.is_empty() {
        return None;
    }
    let mut next = 0;
    while next < served.len() {
        let p = &pkgs[served[next]];
        next += 1;
        for d in &p.deps {
            if let Some(j) = pkgs
                .iter()
                .position(|q| crate::facts::packages::same_crate(&q.name, &d.name))
            {
                if !served.contains(&j) {
                    served.push(j);
                }
            }
        }
    }
    Some(served)
}

/// The locked Rocket is older than 0.5, or, with no lock, the code uses what
/// only 0.4 has (`rocket::ignite`, the `rocket_contrib` crate).
fn rocket_before_0_5(facts: &Facts) -> bool {
    match facts.lock.get("rocket").and_then(|v| v.last()) {
        Some(v) => v.starts_with("0.4") || v.starts_with("0.3") || v.starts_with("0.2"),
        None => {
            !facts.deps(&["rocket_contrib"]).is_empty()
                || !facts.refs_or_imports(&["rocket::ignite"]).is_empty()
        }
    }
}

/// HTTP/gRPC client crates: the service calls something.
pub const CLIENT_CRATES: &[&str] = &[
    "reqwest",
    "reqwest-middleware",
    "ureq",
    "surf",
    "isahc",
    "attohttpc",
    "awc",
    "hyper-util",
    "progenitor-client",
];

/// Code that calls other services: HTTP clients built or used, tonic clients.
pub fn outbound(facts: &Facts) -> Vec<Hit> {
    let mut hits = facts.refs(&[
        "reqwest::Client",
        "reqwest::ClientBuilder",
        "reqwest::get",
        "reqwest::blocking::Client",
        "ClientWithMiddleware",
        "ureq::Agent",
        "ureq::AgentBuilder",
        "ureq::get",
        "ureq::post",
        "surf::Client",
        "awc::Client",
        "isahc::HttpClient",
        "hyper_util::client::legacy::Client",
        "hyper::Client",
        "tonic::transport::Channel",
        "tonic::transport::Endpoint",
        "*Client::connect",
    ]);
    const NOT_PEERS: &[&str] = &[
        "redis", "mongodb", "postgres", "sqlx", "lapin", "nats", "kafka", "scylla",
    ];
    hits.retain(|h| {
        !NOT_PEERS
            .iter()
            .any(|n| h.what.to_ascii_lowercase().contains(n))
    });
    hits
}
