//! `cfg.feature-flags`: behaviour can be switched at run time without a build.
//!
//! A flag service client used in code (Unleash, LaunchDarkly, Flagsmith,
//! GrowthBook, ConfigCat, OpenFeature, Flipt, Statsig), or config-driven
//! toggles: boolean fields named for a feature on a config struct
//! (`enable_signup: bool`, `features: HashMap<String, bool>`), or environment
//! switches (`FEATURE_X`, `ENABLE_X`, `X_ENABLED`). Cargo features
//! (`#[cfg(feature = "...")]`) switch code at build time only. A flag crate in
//! Cargo.toml that no code uses switches nothing.
//!
//! pass: a flag client or config toggles · partial: only Cargo features gate
//! service code · fail: none, or an unused flag crate · n/a: no service code.

use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const FLAG_CRATES: &[&str] = &[
    "unleash-api-client",
    "launchdarkly-server-sdk",
    "flagsmith",
    "growthbook-rust",
    "configcat",
    "open-feature",
    "flipt",
    "statsig-rs",
    "devcycle-rust-server-sdk",
    "featureflag",
    "posthog-rs",
];

const FLAG_PATHS: &[&str] = &[
    "unleash_api_client",
    "launchdarkly_server_sdk",
    "flagsmith",
    "growthbook_rust",
    "configcat",
    "open_feature",
    "flipt",
    "statsig",
    "devcycle",
    "featureflag",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::unless_service(facts) {
        return na;
    }
    let looked = "a feature-flag client (Unleash, LaunchDarkly, Flagsmith, OpenFeature, …) used in code, or boolean toggles in the service's configuration";
    let clients: Vec<Hit> = facts
        .refs_or_imports(FLAG_PATHS)
        .into_iter()
        .filter(|h| !h.what.starts_with("`crate::"))
        .collect();
    let toggles = config_toggles(facts);
    let crates = facts.dep_hits(FLAG_CRATES);
    if !clients.is_empty() || !toggles.is_empty() {
        let what = match clients.first() {
            Some(c) => format!("feature-flag client used: {}", c.what),
            None => format!("runtime toggles in configuration: {}", toggles[0].what),
        };
        return Outcome::pass(what)
            .with_hits(clients)
            .with_hits(toggles)
            .with_hits(crates);
    }
    if let Some(unused) = crate::analyzers::declared_unused(
        facts,
        FLAG_CRATES,
        "no code uses it, so nothing is flagged",
        looked,
    ) {
        return unused;
    }
    let cargo = cargo_feature_gates(facts);
    if !cargo.is_empty() {
        return Outcome::partial(
            "only Cargo features switch service code: changing them needs a new build",
        )
        .with_found_hits(cargo)
        .looked_for(looked);
    }
    Outcome::fail("no feature flags: no flag client and no runtime toggles in configuration")
        .at(
            facts.anchor(),
            "nothing here can switch behaviour without a new build",
        )
        .looked_for(looked)
}

fn is_flag_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split('_').any(|t| {
        matches!(
            t,
            "enable"
                | "enabled"
                | "disable"
                | "disabled"
                | "feature"
                | "features"
                | "flag"
                | "flags"
                | "toggle"
                | "toggles"
                | "experimental"
        )
    })
}

/// Boolean toggles on config types and flag-named environment switches.
fn config_toggles(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            let loaded = t.derives.iter().any(|d| {
                d.ends_with("Deserialize") || d.ends_with("Parser") || d.ends_with("Args")
            });
            if !loaded || !super::is_config_type(&f.path, t) {
                continue;
            }
            for field in &t.fields {
                let boolish = field.ty == "bool"
                    || field.ty == "Option<bool>"
                    || (field.ty.contains("Map<") && field.ty.ends_with(",bool>"));
                if boolish && is_flag_name(&field.name) {
                    out.push(Hit::new(
                        Location::new(f.path.clone(), field.line),
                        format!("`{}.{}: {}`", t.name, field.name, field.ty),
                    ));
                }
            }
        }
        for l in f
            .literals
            .iter()
            .filter(|l| !l.test && l.context.as_deref() == Some("var"))
        {
            let v = &l.value;
            let upper = v
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
            if upper
                && (v.starts_with("FEATURE_")
                    || v.starts_with("ENABLE_")
                    || v.starts_with("FF_")
                    || v.ends_with("_ENABLED")
                    || v.starts_with("DISABLE_"))
            {
                out.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("environment switch `{v}`"),
                ));
            }
        }
    }
    out
}

/// `#[cfg(feature = "…")]` on service functions and types.
fn cargo_feature_gates(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for func in f.fns.iter().filter(|x| !x.test) {
            let gate = func.attrs.iter().find(|a| {
                a.path == "cfg"
                    && a.args.contains("feature=")
                    && !["test", "testing", "mock", "bench", "fuzz", "dev"]
                        .iter()
                        .any(|t| a.args.contains(&format!("feature=\"{t}")))
            });
            if let Some(a) = gate {
                out.push(Hit::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{}` compiled only with `cfg({})`", func.name, a.args),
                ));
            }
        }
    }
    out.truncate(10);
    out
}
