//! `cfg.db-url`: database connection strings come from the environment or
//! configuration, never from a literal in code.
//!
//! A literal `postgres://app:pw@db.internal/app` in code pins every environment
//! to one database and ships its password with the source. Evidence:
//!
//! - **from outside**: `env::var("DATABASE_URL")` (and `DB_URL`, `POSTGRES_*`,
//!   `PG*`, `MYSQL_*`, `MONGO*`, `REDIS_URL`, `*_DSN`), a config field
//!   (`database_url`, `db_url`, `url` on a database settings type, `dsn`),
//!   `PgConnectOptions::from_env`/`PgPoolOptions` fed from config, rocket
//!   `#[database("..")]` pools configured in `Rocket.toml`;
//! - **literal**: a connection URL (`postgres://`, `mysql://`, `mongodb://`,
//!   `redis://`, `amqp://` …) in service code, or `.password("..")` on a
//!   connection builder. SQLite file paths and `sqlite::memory:` are locations,
//!   not credentials, and are left alone. A literal used as a fallback
//!   (`.unwrap_or("postgres://localhost/dev")`) next to an env read is a
//!   development default.
//!
//! fail: a literal URL and no env/config source · partial: env/config, but a
//! literal fallback in code or a credentialled URL in committed config · pass:
//! from env/config · manual: a database crate but no visible source · n/a: no
//! database client.

use crate::analyzers::sec::common;
use crate::analyzers::sec::secrets::{detect::Kind, scan};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Database and cache clients.
pub const DB_CRATES: &[&str] = &[
    "sqlx",
    "diesel",
    "diesel-async",
    "sea-orm",
    "tokio-postgres",
    "postgres",
    "deadpool-postgres",
    "bb8-postgres",
    "r2d2_postgres",
    "mysql",
    "mysql_async",
    "tiberius",
    "mongodb",
    "redis",
    "deadpool-redis",
    "bb8-redis",
    "fred",
    "scylla",
    "surrealdb",
    "elasticsearch",
    "clickhouse",
    "rocket_db_pools",
    "rocket_sync_db_pools",
    "rbatis",
];

const URL_SCHEMES: &[&str] = &[
    "postgres://",
    "postgresql://",
    "mysql://",
    "mariadb://",
    "mongodb://",
    "mongodb+srv://",
    "redis://",
    "rediss://",
    "mssql://",
    "sqlserver://",
    "clickhouse://",
    "cockroachdb://",
];

/// Words of env/config names that carry a database location.
fn db_name(name: &str) -> bool {
    let w = common::words(name);
    let db = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "database"
                | "db"
                | "postgres"
                | "postgresql"
                | "pg"
                | "mysql"
                | "mariadb"
                | "mongo"
                | "mongodb"
                | "redis"
                | "sql"
                | "sqlx"
                | "clickhouse"
        )
    }) || name.starts_with("PG");
    let loc = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "url"
                | "uri"
                | "dsn"
                | "host"
                | "conn"
                | "connection"
                | "string"
                | "addr"
                | "address"
                | "password"
                | "pass"
        )
    });
    (db && loc) || matches!(name, "DSN" | "dsn")
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let crates = facts.dep_hits(DB_CRATES);
    if crates.is_empty() {
        return Outcome::na("no database or cache client crate in the service's dependencies");
    }
    let sources = sources(facts);
    let (literals, local_defaults) = literal_urls(facts);
    // Local defaults (`redis://127.0.0.1:6379`) next to a configurable source
    // are development conveniences, not the production location.
    let literals = if sources.is_empty() {
        literals.into_iter().chain(local_defaults).collect()
    } else {
        literals
    };
    let committed: Vec<Evidence> = scan::counted(facts)
        .0
        .into_iter()
        .filter(|f| {
            f.detection.kind == Kind::ConnectionString && !matches!(f.source, scan::Source::Code)
        })
        .map(|f| Evidence::new(f.location.clone(), f.describe()))
        .collect();
    let looked = "the connection string read from the environment (DATABASE_URL …) or a config field, and no literal connection URL in code";
    if !literals.is_empty() && sources.is_empty() {
        return Outcome::fail(format!(
            "the database location is written in code: {}",
            literals[0].message
        ))
        .with(literals)
        .with(committed)
        .looked_for(looked);
    }
    if sources.is_empty() {
        if !committed.is_empty() {
            return Outcome::partial("a credentialled database URL is committed in config, and code does not visibly read it from the environment")
                .with(committed)
                .looked_for(looked);
        }
        return Outcome::manual(format!(
            "{} — but where its connection string comes from is not visible",
            crates[0].what
        ))
        .with(crates.into_iter().map(Evidence::from));
    }
    if !literals.is_empty() || !committed.is_empty() {
        let why = if !literals.is_empty() {
            format!(
                "a literal connection URL is also in code ({})",
                literals[0].message
            )
        } else {
            "committed config carries a credentialled database URL".to_string()
        };
        return Outcome::partial(format!(
            "the database URL is read from {}, but {why}",
            origin(&sources)
        ))
        .with(literals)
        .with(committed)
        .with_found(sources.into_iter().take(3))
        .looked_for(looked);
    }
    Outcome::pass(format!(
        "the database connection string comes from {}",
        origin(&sources)
    ))
    .with(sources.into_iter().take(5))
}

fn origin(sources: &[Evidence]) -> &'static str {
    if sources.iter().any(|e| e.message.contains("environment")) {
        "the environment"
    } else {
        "configuration"
    }
}

/// Env reads and config fields that carry the database location.
fn sources(facts: &Facts) -> Vec<Evidence> {
    let mut out = Vec::new();
    for r in common::env_reads(facts)
        .into_iter()
        .filter(|r| db_name(&r.name))
    {
        out.push(r.evidence());
    }
    for c in common::config_fields(facts) {
        let db_type = common::has_word(
            &c.type_name,
            &[
                "database",
                "db",
                "postgres",
                "postgresql",
                "pg",
                "mysql",
                "mariadb",
                "redis",
                "mongo",
                "mongodb",
                "sql",
                "sqlite",
            ],
        );
        let field = db_name(&c.field)
            || (db_type
                && matches!(
                    c.field.as_str(),
                    "url"
                        | "uri"
                        | "dsn"
                        | "host"
                        | "address"
                        | "addr"
                        | "connection_string"
                        | "conn_str"
                        | "password"
                        | "pwd"
                ));
        if field {
            out.push(c.evidence());
        }
    }
    for h in common::refs_by(facts, |p| {
        p.ends_with("ConnectOptions::from_env")
            || p.ends_with("Config::from_env") && p.contains("postgres")
    }) {
        out.push(Evidence::new(
            h.location,
            format!("{} reads the environment", h.what),
        ));
    }
    for (_, f) in facts.service_rust() {
        for func in f.fns.iter().filter(|x| !x.test) {
            if let Some(a) = func
                .attrs
                .iter()
                .find(|a| common::last_seg(&a.path) == "database")
            {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), func.line),
                    format!("rocket pool `#[database({})]` is configured in Rocket.toml or the environment", a.args),
                ));
            }
        }
        for t in f.types.iter().filter(|t| !t.test) {
            if let Some(a) = t
                .attrs
                .iter()
                .find(|a| common::last_seg(&a.path) == "database")
            {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), t.line),
                    format!("rocket pool `#[database({})]` is configured in Rocket.toml or the environment", a.args),
                ));
            }
        }
    }
    common::first_per_file(out, 2)
}

/// Connection URLs and passwords written in service code, and literal URLs
/// that point at the local machine.
fn literal_urls(facts: &Facts) -> (Vec<Evidence>, Vec<Evidence>) {
    let mut out = Vec::new();
    let mut local = Vec::new();
    for (_, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            let v = l.value.trim();
            if URL_SCHEMES.iter().any(|s| v.starts_with(s)) && v.len() > 12 && !v.contains('{') {
                let shown = mask_url(v);
                let ev = Evidence::new(
                    Location::new(f.path.clone(), l.line),
                    format!("literal connection URL `{shown}`"),
                );
                let host = v
                    .split_once("://")
                    .map(|(_, r)| r.rsplit_once('@').map(|(_, h)| h).unwrap_or(r))
                    .unwrap_or("")
                    .split(['/', ':', '?'])
                    .next()
                    .unwrap_or("");
                if crate::analyzers::sec::secrets::detect::is_local_host(host) {
                    local.push(ev);
                } else {
                    out.push(ev);
                }
            }
        }
        for k in f
            .key_args
            .iter()
            .filter(|k| !k.test && k.callee == ".password")
        {
            if let Some(d) = scan::key_literal(f, k) {
                out.push(Evidence::new(
                    Location::new(f.path.clone(), k.line),
                    format!(
                        "literal database password passed to `.password()`: {}",
                        d.masked
                    ),
                ));
            }
        }
    }
    (out, local)
}

/// `postgres://user:pw@host/db` → `postgres://user:****@host/db`.
fn mask_url(v: &str) -> String {
    let Some((scheme, rest)) = v.split_once("://") else {
        return common::clip(v, 60);
    };
    let masked = match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:****@{host}"),
            None => v.to_string(),
        },
        None => v.to_string(),
    };
    common::clip(&masked, 80)
}
