//! `cfg.third-party-creds`: credentials for other services' APIs (cloud, payment,
//! mail, source hosting, LLM providers, OAuth clients) come from the environment
//! or configuration, never from literals.
//!
//! Applies when the service talks to third parties with credentials: SDK crates
//! (aws-sdk-*, stripe, octocrab, lettre, sendgrid, async-openai, oauth2 …) or
//! credentials handed to an HTTP client (`.bearer_auth(..)`, `.basic_auth(..)`,
//! `.personal_token(..)`, `Credentials::new(..)`).
//!
//! - **good**: secret-named env reads and config fields that are not the
//!   database's (`GITHUB_TOKEN`, `STRIPE_SECRET_KEY`, `smtp_password`), the AWS
//!   default credential chain (`aws_config::load_from_env`, `defaults(..)`),
//!   credentials handed to clients from a variable or config value;
//! - **bad**: a literal handed to a credential call, a known-format token in
//!   code (AWS, GitHub, Slack, Stripe, Google, SendGrid, OpenAI …), a literal
//!   `Bearer ..`/`Basic ..` header value.
//!
//! fail: literal credentials in code · partial: from env/config, but committed
//! config carries service tokens · pass: from env/config · manual: SDK crates
//! that need credentials, source not visible · n/a: no third-party credentials.

use crate::analyzers::sec::common::{self, is_secret_name};
use crate::analyzers::sec::secrets::{detect::Kind, scan};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// SDKs that always authenticate to a third party.
const SDK_CRATES: &[&str] = &[
    "aws-config",
    "aws-sdk-s3",
    "aws-sdk-sqs",
    "aws-sdk-sns",
    "aws-sdk-dynamodb",
    "aws-sdk-ses",
    "aws-sdk-sesv2",
    "aws-sdk-lambda",
    "aws-sdk-kms",
    "aws-sdk-secretsmanager",
    "rusoto_core",
    "rust-s3",
    "object_store",
    "google-cloud-storage",
    "google-cloud-pubsub",
    "gcp_auth",
    "azure_storage",
    "azure_storage_blobs",
    "azure_identity",
    "async-stripe",
    "stripe-rust",
    "octocrab",
    "lettre",
    "sendgrid",
    "mail-send",
    "twilio",
    "slack-morphism",
    "async-openai",
    "openai-api-rs",
    "anthropic-sdk",
    "oauth2",
    "openidconnect",
    "sentry",
    "algoliasearch",
    "meilisearch-sdk",
    "firebase-rs",
    "fcm",
    "a2",
];

/// Names of the database's own settings, which cfg.db-url judges.
fn is_db_name(name: &str) -> bool {
    common::has_word(
        name,
        &[
            "database",
            "db",
            "postgres",
            "postgresql",
            "pg",
            "mysql",
            "mariadb",
            "mongo",
            "mongodb",
            "redis",
            "sql",
            "sqlite",
        ],
    )
}

/// Names of the service's own keys (token signing, sessions, encryption), which
/// are secrets but not credentials for another service.
fn is_own_key(name: &str) -> bool {
    common::has_word(
        name,
        &[
            "jwt",
            "session",
            "cookie",
            "signing",
            "encryption",
            "csrf",
            "master",
            "salt",
            "pepper",
            "internal",
            "admin",
            "root",
        ],
    )
}

fn third_party_name(name: &str) -> bool {
    is_secret_name(name) && !is_db_name(name) && !is_own_key(name)
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let sdks = facts.dep_hits(SDK_CRATES);
    let (found, _) = scan::counted(facts);
    let literal_code: Vec<Evidence> = found
        .iter()
        .filter(|f| {
            let client_call = matches!(&f.source, scan::Source::KeyCall(c) if c.starts_with('.') && c != ".password" || c.contains("Credentials") || c.contains("ClientSecret"));
            let service_token = matches!(f.source, scan::Source::Code)
                && matches!(f.detection.kind, Kind::ServiceToken | Kind::AuthHeader);
            client_call || service_token
        })
        .map(|f| Evidence::new(f.location.clone(), f.describe()))
        .collect();
    let committed: Vec<Evidence> = found
        .iter()
        .filter(|f| {
            matches!(f.source, scan::Source::Config | scan::Source::Dockerfile)
                && (f.detection.kind == Kind::ServiceToken
                    || f.key.as_deref().is_some_and(third_party_name)
                        && f.detection.kind == Kind::Keyword)
        })
        .map(|f| Evidence::new(f.location.clone(), f.describe()))
        .collect();
    let sources = sources(facts);
    let looked = "third-party API keys, tokens and client secrets read from the environment or configuration (env::var, config fields, the AWS default credential chain), and none written in code";
    if !literal_code.is_empty() {
        return Outcome::fail(format!(
            "third-party credentials are written in code: {}",
            literal_code[0].message
        ))
        .with(literal_code)
        .with_found(sources.into_iter().take(3))
        .looked_for(looked);
    }
    if sources.is_empty() && sdks.is_empty() && committed.is_empty() {
        return Outcome::na("the service passes no credentials to third-party APIs (no SDK crates, no API keys, tokens or client secrets handed to clients)");
    }
    if sources.is_empty() {
        if !committed.is_empty() {
            return Outcome::partial("committed config carries third-party credentials, and code does not visibly read them from the environment")
                .with(committed)
                .looked_for(looked);
        }
        return Outcome::manual(format!(
            "{} — its credentials' source is not visible in code",
            sdks[0].what
        ))
        .with(sdks.into_iter().map(Evidence::from));
    }
    if !committed.is_empty() {
        return Outcome::partial(format!(
            "third-party credentials are read from configuration ({}), but committed config carries {} of them",
            sources[0].message,
            committed.len()
        ))
        .with(committed)
        .with_found(sources.into_iter().take(3))
        .looked_for(looked);
    }
    Outcome::pass(format!(
        "third-party credentials come from outside the code: {}",
        sources[0].message
    ))
    .with(sources.into_iter().take(6))
}

/// Where third-party credentials are read from.
fn sources(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for r in common::env_reads(facts)
        .into_iter()
        .filter(|r| !r.compile_time && third_party_name(&r.name))
    {
        out.push(r.evidence());
    }
    for c in common::config_fields(facts)
        .into_iter()
        .filter(|c| third_party_name(&c.field) && !is_db_name(&c.type_name))
    {
        out.push(c.evidence());
    }
    for h in common::refs_by(facts, |p| {
        p.starts_with("aws_config")
            && matches!(
                common::last_seg(p),
                "load_from_env" | "from_env" | "defaults" | "load_defaults"
            )
    }) {
        out.push(Evidence::new(
            h.location,
            format!("{} uses the AWS default credential chain", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        for k in f
            .key_args
            .iter()
            .filter(|k| !k.test && k.callee != ".password")
        {
            let client = k.callee.starts_with('.')
                || k.callee.contains("Credentials")
                || k.callee.contains("ClientSecret");
            if client && k.literal.is_none() && k.constant.is_none() {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), k.line),
                    format!(
                        "`{}` gets its credential from {}",
                        k.callee,
                        if k.from_env {
                            "the environment".to_string()
                        } else {
                            format!("`{}`", common::clip(&k.args, 50))
                        }
                    ),
                ));
            }
        }
    }
    common::first_per_file(out, 2)
}
