//! `cfg.startup-validation`: configuration is parsed into typed values and
//! checked before the server accepts traffic, so a bad setting stops the
//! deploy instead of failing the first request.
//!
//! Typed configuration: a layered loader deserialising into a struct
//! (`try_deserialize`, `extract`), envy/envconfig/serde_env, a clap `Parser`,
//! or a `*Config`/`*Settings` struct deserialised from a file. Checks beyond
//! types: `.validate()` (validator/garde) on it, a `validate`/`check` method on
//! the config type, fields typed `Url`, `SocketAddr`, `NonZero*`, `Duration`.
//! Environment variables read inside request handlers are read lazily: a
//! missing one is found by the first user.
//!
//! pass: typed config (checks beyond types noted) · partial: ad hoc
//! `env::var` reads at startup · fail: settings read inside request handlers ·
//! n/a: nothing is configured at run time.

use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const CONFIG_NAMES: &[&str] = &[
    "Config",
    "Settings",
    "Conf",
    "Configuration",
    "Env",
    "Options",
    "Opts",
    "Args",
    "Cli",
    "AppConfig",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let s = match super::configured(facts) {
        Ok(s) => s,
        Err(na) => return na,
    };
    let typed = typed_loads(facts, &s);
    let checks = checks(facts);
    let lazy = lazy_reads(facts);
    let looked = "configuration deserialised into a typed struct (config-rs/figment `try_deserialize`/`extract`, envy, clap Parser) and validated before the server starts";
    if let Some(first) = typed.first() {
        let mut o = Outcome::pass(if checks.is_empty() {
            format!(
                "{} (parsing fails fast on missing or mistyped settings)",
                first.what
            )
        } else {
            format!("{}, with checks: {}", first.what, checks[0].what)
        })
        .with_hits(typed)
        .with_hits(checks);
        if !lazy.is_empty() {
            o = o.with_hits(lazy);
        }
        return o;
    }
    if !lazy.is_empty() {
        return Outcome::fail(format!(
            "{} setting(s) are read inside request handlers: a missing or bad value is found by the first request, not at startup",
            lazy.len()
        ))
        .with_hits(lazy)
        .looked_for(looked);
    }
    Outcome::partial("settings are read one at a time with `env::var`, not parsed into a typed config checked before serving")
        .with_found_hits(s.all())
        .looked_for(looked)
}

fn is_config_name(name: &str) -> bool {
    CONFIG_NAMES.iter().any(|c| name == *c || name.ends_with(c))
}

/// Places where configuration is parsed into a type.
fn typed_loads(facts: &Facts, s: &super::Sources) -> Vec<Hit> {
    let mut out: Vec<Hit> = s
        .typed_env
        .iter()
        .map(|h| Hit::new(h.location.clone(), format!("typed config: {}", h.what)))
        .collect();
    for (f, m) in facts.methods(&[
        "try_deserialize",
        "extract",
        "extract_inner",
        "try_into",
        "deserialize",
    ]) {
        let rooted = m.root.as_deref().is_some_and(|r| {
            [
                "config", "Config", "Figment", "figment", "settings", "Settings", "builder",
            ]
            .iter()
            .any(|k| r.contains(k))
        });
        let loader_file =
            !s.layered.is_empty() && s.layered.iter().any(|h| h.location.path == f.path);
        if (m.name == "try_deserialize" || m.name == "extract" || m.name == "extract_inner")
            && (rooted || loader_file)
        {
            out.push(Hit::new(
                Location::new(f.path.clone(), m.line),
                format!("typed config: `.{}()` into a struct", m.name),
            ));
        }
    }
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test && !t.is_enum) {
            let clap = t.derives.iter().any(|d| d.ends_with("Parser"));
            let serde = t.derives.iter().any(|d| d.ends_with("Deserialize"));
            let loaded = !s.files.is_empty() || !s.layered.is_empty() || !s.dotenv.is_empty();
            let config_named = ["Config", "Settings", "Configuration", "Conf"]
                .iter()
                .any(|c| t.name.ends_with(c));
            if clap || (serde && config_named && loaded) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), t.line),
                    format!(
                        "typed config: `{}` ({})",
                        t.name,
                        if clap { "clap Parser" } else { "Deserialize" }
                    ),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Checks beyond parsing: validate calls and methods, validated field types.
fn checks(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f
            .types
            .iter()
            .filter(|t| !t.test && super::is_config_type(&f.path, t))
        {
            if t.derives.iter().any(|d| d.ends_with("Validate")) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), t.line),
                    format!("`{}` derives Validate", t.name),
                ));
            }
            for field in &t.fields {
                let ty = field.ty.as_str();
                if ["Url", "SocketAddr", "NonZero", "Duration", "IpAddr", "Uri"]
                    .iter()
                    .any(|k| ty.contains(k))
                {
                    out.push(Hit::new(
                        Location::new(f.path.clone(), field.line),
                        format!("`{}.{}: {}` is checked when parsed", t.name, field.name, ty),
                    ));
                }
            }
        }
        for func in f.fns.iter().filter(|x| !x.test) {
            let on_config = func.self_ty.as_deref().is_some_and(is_config_name);
            if on_config
                && matches!(
                    func.name.as_str(),
                    "validate" | "check" | "verify" | "ensure_valid"
                )
            {
                out.push(Hit::new(
                    Location::new(f.path.clone(), func.line),
                    format!(
                        "`{}::{}` checks the settings",
                        func.self_ty.as_deref().unwrap_or(""),
                        func.name
                    ),
                ));
            }
        }
    }
    out
}

/// `env::var` reads inside functions that handle requests.
fn lazy_reads(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for r in &facts.routes {
        let Some(h) = r.handler_fn else { continue };
        let (file, func) = facts.func(h);
        let fi = h.1 as u32;
        for rf in file.refs.iter().filter(|x| x.in_fn == Some(fi) && !x.test) {
            if ["env::var", "env::var_os"]
                .iter()
                .any(|p| crate::facts::query::path_matches(&rf.path, p))
            {
                out.push(Hit::new(
                    Location::new(file.path.clone(), rf.line),
                    format!(
                        "handler `{}` ({} {}) reads `{}` per request",
                        func.name, r.method, r.path, rf.path
                    ),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
