//! `cfg.secrets`: the service gets its secrets from the environment or a secret
//! store at run time — never from literals.
//!
//! Where sec.secrets asks "is anything leaked in the repository?", this asks
//! "how does the service obtain its secrets?". Positive evidence:
//!
//! - secret-named values read at run time: `env::var("JWT_SECRET")`,
//!   `dotenvy::var(..)`, config keys, config-struct fields (`jwt_secret: String`
//!   on a `Deserialize` settings type), CLI/env arguments (`#[arg(env)]`);
//! - the `secrecy` crate (`SecretString`, `Secret<..>`), which keeps secrets out
//!   of logs and `Debug` output;
//! - secret-store clients (Vault, AWS Secrets Manager/SSM, GCP Secret Manager,
//!   Azure Key Vault, Infisical, Doppler) and orchestrator secrets
//!   (`secretKeyRef`, compose `secrets:`, `RUN --mount=type=secret`).
//!
//! Negative: secrets written in code (sec.secrets findings in Rust), and
//! compile-time `env!("..SECRET")`, which bakes the secret into the binary.
//!
//! fail: secret literals in code · partial: secrets come from env/config, but
//! committed config files or compile-time `env!` carry some · pass: sourced at
//! run time, none committed · manual: secrets are handled but their source is
//! not visible · n/a: the service handles no secrets.

use crate::analyzers::sec::common::{self, is_secret_name};
use crate::analyzers::sec::secrets::scan::{self, Source};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

pub const STORE_CRATES: &[&str] = &[
    "vaultrs",
    "hashicorp_vault",
    "vault-client",
    "aws-sdk-secretsmanager",
    "aws-sdk-ssm",
    "rusoto_secretsmanager",
    "google-cloud-secretmanager",
    "google-secretmanager1",
    "gcp_secret_manager",
    "azure_security_keyvault",
    "azure_security_keyvault_secrets",
    "infisical",
    "doppler",
    "onepassword",
];

/// Markers of orchestrator-managed secrets in manifests and Dockerfiles.
const MANIFEST_MARKERS: &[&str] = &[
    "secretKeyRef",
    "secretRef:",
    "type=secret",
    "external-secrets",
    "SealedSecret",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let (found, _) = scan::counted(facts);
    let in_code: Vec<Evidence> = found
        .iter()
        .filter(|f| matches!(f.source, Source::Code | Source::KeyCall(_)))
        .map(|f| Evidence::new(f.location.clone(), f.describe()))
        .collect();
    let in_config: Vec<Evidence> = found
        .iter()
        .filter(|f| matches!(f.source, Source::Config | Source::Dockerfile))
        .map(|f| Evidence::new(f.location.clone(), f.describe()))
        .collect();
    let sources = sources(facts);
    let baked: Vec<Evidence> = common::env_reads(facts)
        .into_iter()
        .filter(|r| r.compile_time && is_secret_name(&r.name))
        .map(|r| {
            Evidence::new(
                r.location,
                format!(
                    "`env!(\"{}\")` bakes the secret into the binary at build time",
                    r.name
                ),
            )
        })
        .collect();
    let secrecy: Vec<Evidence> = common::refs_by(facts, |p| {
        p.starts_with("secrecy")
            || matches!(
                common::last_seg(p),
                "SecretString" | "SecretBox" | "SecretVec"
            )
    })
    .into_iter()
    .take(2)
    .map(|h| Evidence::new(h.location, format!("{} keeps secrets out of logs", h.what)))
    .collect();
    let looked = "secrets read at run time (env::var of secret-named variables, config fields, #[arg(env)], secrecy, a secret store, secretKeyRef) and none written in code";
    if !in_code.is_empty() {
        return Outcome::fail(format!(
            "secrets are written in code: {}",
            in_code[0].message
        ))
        .with(in_code)
        .with_found(sources.into_iter().take(3))
        .looked_for(looked);
    }
    let handled =
        !sources.is_empty() || !in_config.is_empty() || !baked.is_empty() || !secrecy.is_empty();
    if !handled {
        let auth = facts.dep_hits(crate::analyzers::sec::authn::AUTH_CRATES);
        let creds: Vec<Evidence> = facts
            .service_rust()
            .flat_map(|(_, f)| {
                f.key_args.iter().filter(|k| !k.test).map(move |k| {
                    Evidence::new(
                        Location::new(f.path.clone(), k.line),
                        format!("`{}` takes a credential", k.callee),
                    )
                })
            })
            .take(3)
            .collect();
        if auth.is_empty() && creds.is_empty() {
            return Outcome::na("the service handles no secrets: no secret-named settings, credentials, keys or auth crates");
        }
        return Outcome::manual(
            "the service uses credentials, but where they come from is not visible",
        )
        .with(auth.into_iter().map(Evidence::from))
        .with(creds);
    }
    let secrecy_note = if secrecy.is_empty() && !sources.is_empty() {
        vec![Evidence::new(
            sources[0].location.clone(),
            "note: wrap secrets in `secrecy::SecretString` so they cannot end up in logs",
        )]
    } else {
        secrecy
    };
    if sources.is_empty() && !in_config.is_empty() {
        return Outcome::fail(format!(
            "secrets are committed in config files and nothing reads them from the environment or a store: {}",
            in_config[0].message
        ))
        .with(in_config)
        .with(baked)
        .looked_for(looked);
    }
    if !in_config.is_empty() || !baked.is_empty() {
        return Outcome::partial(if in_config.is_empty() {
            "secrets are read from configuration, but some are baked in at build time with env!".to_string()
        } else {
            format!(
                "secrets are read from configuration, but committed config carries {} secret value(s)",
                in_config.len()
            )
        })
        .with(in_config)
        .with(baked)
        .with_found(sources.into_iter().take(4))
        .looked_for(looked);
    }
    Outcome::pass(format!(
        "secrets are read at run time: {}",
        sources[0].message
    ))
    .with(sources.into_iter().take(6))
    .with(secrecy_note)
}

/// Where the service reads its secrets from.
fn sources(facts: &Facts) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = facts
        .dep_hits(STORE_CRATES)
        .into_iter()
        .map(|h| Evidence::new(h.location, format!("{} reads secrets from a store", h.what)))
        .collect();
    for r in common::env_reads(facts)
        .into_iter()
        .filter(|r| !r.compile_time && is_secret_name(&r.name))
    {
        out.push(r.evidence());
    }
    for c in common::config_fields(facts)
        .into_iter()
        .filter(|c| is_secret_name(&c.field))
    {
        out.push(c.evidence());
    }
    for t in facts.texts.iter().filter(|t| t.role.is_service()) {
        if let Some((line, m)) = MANIFEST_MARKERS
            .iter()
            .find_map(|m| crate::location::find_line(&t.text, m).map(|l| (l, m)))
        {
            out.push(Evidence::new(
                Location::new(t.path.clone(), line),
                format!("`{m}`: the orchestrator injects secrets"),
            ));
        }
    }
    common::first_per_file(out, 2)
}
