//! `obs.structured-logging`: logs are machine-readable records, and `println!`
//! is not how the service logs.
//!
//! Structured output is seen where it is wired: `tracing_subscriber::fmt().json()`
//! (or `fmt::layer().json()`, `format().json()`), a bunyan/logfmt/stackdriver/ECS
//! layer, `slog_json`, log4rs's `JsonEncoder`, `femme`, `structured-logger`, an
//! OpenTelemetry log appender, or a hand-written `format_event` formatter that
//! serialises with serde. A logging framework writing plain text is only
//! partly there. `println!`/`eprintln!`/`dbg!` in service functions (outside
//! `main`, tests, examples and build scripts) are reported: they bypass levels,
//! fields and the log pipeline.
//!
//! pass: structured output wired, no print logging · partial: structured but
//! print logging too, or a text-only logger · fail: print logging or no logging.

use crate::facts::query::{path_matches, Hit};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Layers and formatters that write structured records.
const STRUCTURED_PATHS: &[&str] = &[
    "tracing_bunyan_formatter",
    "BunyanFormattingLayer",
    "tracing_logfmt",
    "json_subscriber",
    "tracing_stackdriver",
    "tracing_ecs",
    "tracing_gelf",
    "tracing_subscriber_json",
    "slog_json",
    "slog_bunyan",
    "log4rs::encode::json",
    "JsonEncoder",
    "femme",
    "structured_logger",
    "logforth::layout::JsonLayout",
    "opentelemetry_appender_tracing",
    "opentelemetry_appender_log",
    "tracing_journald",
];

/// Logging frameworks (set up, but maybe writing text).
const LOGGER_PATHS: &[&str] = &[
    "tracing_subscriber",
    "env_logger",
    "pretty_env_logger",
    "simple_logger",
    "simplelog",
    "log4rs",
    "fern",
    "flexi_logger",
    "slog",
    "tracing_tree",
    "logforth",
];

const PRINT_MACROS: &[&str] = &["println", "eprintln", "print", "eprint", "dbg"];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if facts.service_rust().next().is_none() {
        return Outcome::na(
            "no service code (no Rust sources outside tests, examples and tooling)",
        );
    }
    let structured = structured_output(facts);
    let loggers = facts.refs(LOGGER_PATHS);
    let prints = print_logging(facts);
    let looked = "a structured log formatter wired in code: tracing_subscriber fmt().json(), a bunyan/logfmt layer, slog_json, log4rs JsonEncoder; and no println!/eprintln! in service functions";

    let print_ev: Vec<Evidence> = prints.iter().cloned().map(Evidence::from).collect();
    if !structured.is_empty() {
        if prints.is_empty() {
            return Outcome::pass(format!("structured logging: {}", structured[0].what))
                .with_hits(structured);
        }
        return Outcome::partial(format!(
            "structured logging is wired ({}), but {} print statement(s) in service code bypass it",
            structured[0].what,
            prints.len()
        ))
        .with_found_hits(structured)
        .with(print_ev)
        .looked_for(looked);
    }
    if !loggers.is_empty() {
        let summary = if prints.is_empty() {
            format!(
                "a logger is set up ({}) but writes human-readable text, not JSON/logfmt records",
                loggers[0].what
            )
        } else {
            format!(
                "a text logger is set up ({}) and {} print statement(s) in service code bypass it",
                loggers[0].what,
                prints.len()
            )
        };
        return Outcome::partial(summary)
            .with_hits(loggers.into_iter().take(3))
            .with(print_ev)
            .looked_for(looked);
    }
    if !prints.is_empty() {
        return Outcome::fail(format!(
            "println!/eprintln! is the logging path: {} print statement(s) and no logging framework set up",
            prints.len()
        ))
        .with(print_ev)
        .looked_for(looked);
    }
    Outcome::fail("no logging set up in service code")
        .with([Evidence::new(facts.anchor(), "no logger initialised here")])
        .looked_for(looked)
}

/// Where structured output is wired.
pub fn structured_output(facts: &Facts) -> Vec<Hit> {
    let mut hits = facts.refs(STRUCTURED_PATHS);
    for (_, f) in facts.service_rust() {
        let uses_subscriber = f.refs.iter().any(|r| r.path.contains("tracing_subscriber"));
        for m in f.methods.iter().filter(|m| !m.test && m.args == 0) {
            let json_like = matches!(m.name.as_str(), "json" | "flatten_event");
            if !json_like {
                continue;
            }
            let root_ok = m.root.as_deref().is_some_and(|r| {
                path_matches(r, "tracing_subscriber")
                    || path_matches(r, "fmt")
                    || path_matches(r, "fmt::layer")
                    || path_matches(r, "fmt::format")
                    || path_matches(r, "FmtSubscriber")
                    || path_matches(r, "Subscriber::builder")
            });
            let local_root = m.root.as_deref().is_none_or(|r| {
                !r.contains("::") && r.chars().next().is_some_and(char::is_lowercase)
            });
            if root_ok || (uses_subscriber && local_root && m.name == "json") {
                hits.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` on the tracing-subscriber formatter", m.name),
                ));
            }
        }
    }
    hits.extend(json_event_formatters(facts));
    hits.sort();
    hits.dedup();
    hits
}

/// Hand-written event formatters that emit JSON: a `format_event` method (of
/// tracing-subscriber's `FormatEvent` or a service's own formatter trait)
/// whose body serialises with serde (`serde_json`, `serialize_entry`), or
/// whose type is named for JSON in a file that does. A text formatter next
/// to it is not one.
fn json_event_formatters(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        let serde_in = |idx: Option<u32>| {
            f.refs.iter().any(|r| {
                !r.test && (idx.is_none() || r.in_fn == idx) && r.path.starts_with("serde_json")
            }) || f.methods.iter().any(|m| {
                !m.test
                    && (idx.is_none() || m.in_fn == idx)
                    && matches!(m.name.as_str(), "serialize_entry" | "serialize_map")
            })
        };
        if !serde_in(None) {
            continue;
        }
        for (i, func) in f.fns.iter().enumerate() {
            let Some(ty) = func.self_ty.as_deref() else {
                continue;
            };
            if func.test || func.name != "format_event" {
                continue;
            }
            let json_named = ty.to_ascii_lowercase().contains("json");
            if json_named || serde_in(Some(i as u32)) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{ty}::format_event` writes events as JSON (a custom formatter)"),
                ));
            }
        }
    }
    out
}

/// `println!`-family calls in service functions other than `main`, in packages
/// that serve requests (or anywhere in service code when none does).
pub fn print_logging(facts: &Facts) -> Vec<Hit> {
    let servers: Vec<&str> = facts.server_packages().map(|p| p.dir.as_str()).collect();
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        if !servers.is_empty()
            && !servers
                .iter()
                .any(|d| d.is_empty() || f.path.starts_with(&format!("{d}/")))
        {
            continue;
        }
        if f.path.contains("/bin/") || f.path.ends_with("build.rs") {
            continue;
        }
        for m in f
            .macros
            .iter()
            .filter(|m| !m.test && PRINT_MACROS.contains(&m.path.as_str()))
        {
            let in_main = m
                .in_fn
                .and_then(|i| f.fns.get(i as usize))
                .is_some_and(|func| func.name == "main" && func.self_ty.is_none());
            if in_main {
                continue;
            }
            out.push(Hit::new(
                Location::new(f.path.clone(), m.line),
                format!("`{}!`", m.path),
            ));
        }
    }
    out.sort();
    out
}
