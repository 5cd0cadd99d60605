//! `cfg.hot-reload`: settings can change without a restart.
//!
//! A file watcher on configuration (`notify` watchers and debouncers,
//! `hotwatch`), a SIGHUP handler (`SignalKind::hangup()`, `SIGHUP`), or a
//! reload-friendly holder swapped at run time (`arc_swap::ArcSwap`,
//! `tokio::sync::watch` fed from a config loader). Reloading only the log
//! filter (`tracing_subscriber::reload`) is part of it.
//!
//! pass: a watcher, SIGHUP reload or swapped config · partial: only the log
//! level reloads · fail: settings are read once at start · n/a: nothing is
//! configured at run time.

use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const RELOADERS: &[&str] = &[
    "notify::recommended_watcher",
    "notify::RecommendedWatcher",
    "notify::Watcher",
    "notify::PollWatcher",
    "notify_debouncer_mini",
    "notify_debouncer_full",
    "hotwatch",
    "SignalKind::hangup",
    "SIGHUP",
    "arc_swap::ArcSwap",
    "ArcSwap",
    "config_watcher",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let s = match super::configured(facts) {
        Ok(s) => s,
        Err(na) => return na,
    };
    let looked = "a config file watcher (notify), a SIGHUP handler that reloads settings, or settings swapped at run time (ArcSwap)";
    let reload = facts.refs(RELOADERS);
    if let Some(first) = reload.first() {
        return Outcome::pass(format!(
            "settings can be reloaded at run time: {}",
            first.what
        ))
        .with_hits(reload);
    }
    let log_reload = facts.refs(&[
        "tracing_subscriber::reload",
        "reload::Layer",
        "reload::Handle",
    ]);
    if !log_reload.is_empty() {
        return Outcome::partial(
            "only the log filter can be changed at run time (tracing_subscriber::reload)",
        )
        .with_found_hits(log_reload)
        .looked_for(looked);
    }
    let mut o = Outcome::fail("settings are read once at startup: changing one needs a restart");
    if let Some(first) = s.all().into_iter().next() {
        o = o.at(first.location, format!("read once here: {}", first.what));
    } else {
        o = o.at(facts.anchor(), "no reload mechanism");
    }
    o.looked_for(looked)
}
