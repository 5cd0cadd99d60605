//! `cfg.per-env` (and `ready.config-externalized`): settings come from outside
//! the binary, layered so each environment overrides only what differs.
//!
//! Evidence, strongest first: a layered loader (config-rs builder with file and
//! environment sources, figment providers merged, confique/twelf), a typed
//! loader straight from the environment (envy, envconfig, serde_env, clap
//! arguments with `env`), Rocket's profiles, base and per-environment config
//! files (`config/default.toml` + `config/production.toml`, `.env.staging`).
//! Reading variables one at a time with `std::env::var` externalises values but
//! gives no structure, defaults or per-environment files.
//!
//! pass: a layered or typed loader, or per-environment files the code reads ·
//! partial: ad hoc `env::var` reads or a single config file · fail: nothing is
//! read at run time (every setting is compiled in) · n/a: no service code.

use super::{env_files, sources};
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::unless_service(facts) {
        return na;
    }
    let s = sources(facts);
    let (per_env, base) = env_files(facts);
    let looked = "a config loader layering files and environment (config-rs, figment, envy, clap `env`), or base + per-environment config files";
    let strong: Vec<_> = s
        .layered
        .iter()
        .chain(&s.typed_env)
        .chain(&s.framework)
        .cloned()
        .collect();
    if let Some(first) = strong.first() {
        return Outcome::pass(format!(
            "configuration is loaded from outside the binary: {}",
            first.what
        ))
        .with_hits(strong)
        .with_hits(per_env)
        .with_hits(base);
    }
    let reads_files = !s.files.is_empty() || !s.dotenv.is_empty();
    if !per_env.is_empty() && (reads_files || !s.env_reads.is_empty()) {
        return Outcome::pass(format!("{} read at run time", per_env[0].what))
            .with_hits(per_env)
            .with_hits(base)
            .with_hits(s.all());
    }
    if !s.is_empty() {
        let all = s.all();
        let what = if !s.env_reads.is_empty() {
            format!(
                "settings are read one at a time ({} `env::var` call site(s)) with no config layer or per-environment files",
                s.env_reads.len()
            )
        } else {
            "a single config source with no per-environment layering".to_string()
        };
        return Outcome::partial(what)
            .with_found_hits(all)
            .looked_for(looked);
    }
    Outcome::fail("nothing is read from the environment or config files at run time: every setting is compiled in")
        .at(facts.anchor(), "no env::var, config loader or config file read in service code")
        .looked_for(looked)
}
