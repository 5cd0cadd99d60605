//! `db.pool`: database connections come from a pool whose size and timeouts
//! are set.
//!
//! A pool is built with sqlx `PgPoolOptions`/`PoolOptions` (or
//! `PgPool::connect`, which takes the defaults), sea-orm `ConnectOptions`,
//! deadpool, bb8, r2d2, diesel's pooled connections, or a mongodb `Client`.
//! Its settings are the builder calls `max_connections`/`max_size`/
//! `max_pool_size` (size) and `acquire_timeout`/`connect_timeout`/
//! `connection_timeout`/`idle_timeout`/`max_lifetime`/`Timeouts` (timeouts),
//! counted only on database builders (reqwest's `connect_timeout` is not one).
//! Settings other builders share (`connect_timeout`, `max_size`, `idle_timeout`)
//! count only on a pool or in a function that builds one. A hand-rolled pool
//! (a `*Pool` type holding clients, sized by a semaphore) counts as a pool. A
//! connection opened per use (`PgConnection::connect`, `tokio_postgres::connect`,
//! diesel `establish`, `rusqlite::Connection::open`) is not a pool.
//!
//! pass: a pool with a size and a timeout set · partial: a pool on defaults or
//! with only one of them, or one SQLite connection shared by all requests ·
//! fail: only per-use connections to a database server · manual: no connection
//! code found · n/a: no SQL database (or mongodb) client.

use super::databases;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

/// Types and functions that build a pool.
const POOL_BUILDERS: &[&str] = &[
    "PoolOptions",
    "PgPoolOptions",
    "MySqlPoolOptions",
    "SqlitePoolOptions",
    "AnyPoolOptions",
    "sea_orm::ConnectOptions",
    "sea_orm::options::ConnectOptions",
    "deadpool_postgres::Config",
    "deadpool_postgres::Pool",
    "deadpool_postgres::Manager",
    "deadpool_diesel",
    "deadpool_sqlite",
    "deadpool::managed::Pool",
    "deadpool::Runtime",
    "bb8::Pool",
    "bb8::Builder",
    "r2d2::Pool",
    "r2d2::Builder",
    "diesel::r2d2::Pool",
    "diesel::r2d2::ConnectionManager",
    "diesel_async::pooled_connection",
    "mobc::Pool",
    "mongodb::options::ClientOptions",
    "ClientOptions::parse",
    "scylla::SessionBuilder",
];

/// Pools on default settings.
const DEFAULT_POOLS: &[&str] = &[
    "PgPool::connect",
    "PgPool::connect_lazy",
    "PgPool::connect_with",
    "MySqlPool::connect",
    "MySqlPool::connect_with",
    "SqlitePool::connect",
    "SqlitePool::connect_with",
    "AnyPool::connect",
    "sqlx::Pool::connect",
    "sqlx::Pool::connect_lazy",
    "sea_orm::Database::connect",
    "mongodb::Client::with_uri_str",
];

/// Connections opened one at a time.
const DIRECT: &[&str] = &[
    "PgConnection::connect",
    "MySqlConnection::connect",
    "SqliteConnection::connect",
    "tokio_postgres::connect",
    "postgres::Client::connect",
    "PgConnection::establish",
    "MysqlConnection::establish",
    "SqliteConnection::establish",
    "diesel::Connection::establish",
    "AsyncPgConnection::establish",
    "rusqlite::Connection::open",
    "rusqlite::Connection::open_in_memory",
    "mysql_async::Conn::new",
    "tiberius::Client::connect",
];

/// Settings only database pools have.
const SIZE: &[&str] = &[
    "max_connections",
    "max_pool_size",
    "set_max_connections",
    "min_connections",
];
const TIMEOUT: &[&str] = &["acquire_timeout", "max_lifetime", "set_acquire_timeout"];
/// Settings other builders share (`reqwest::ClientBuilder::connect_timeout`):
/// counted only on a pool, or in a function that builds one.
const SHARED_SIZE: &[&str] = &["max_size", "pool_size"];
const SHARED_TIMEOUT: &[&str] = &[
    "connect_timeout",
    "connection_timeout",
    "idle_timeout",
    "timeouts",
    "wait_timeout",
];

/// The pool's state, for `db.pool` and `perf.pooling`. `None` when no
/// database client applies.
pub fn assess(facts: &Facts) -> Option<Outcome> {
    let dbs = databases(facts);
    let pooled_kinds = !dbs.sql.is_empty() || !facts.deps(&["mongodb", "scylla"]).is_empty();
    if !pooled_kinds {
        return None;
    }
    let builders = facts.refs(POOL_BUILDERS);
    let defaults = facts.refs(DEFAULT_POOLS);
    let direct = facts.refs(DIRECT);
    // Functions that build a pool: (file, fn index).
    let builder_fns: std::collections::HashSet<(String, u32)> = facts
        .service_rust()
        .flat_map(|(_, f)| {
            f.refs
                .iter()
                .filter(|r| {
                    !r.test
                        && POOL_BUILDERS
                            .iter()
                            .chain(DEFAULT_POOLS)
                            .any(|p| crate::facts::query::path_matches(&r.path, p))
                })
                .filter_map(move |r| r.in_fn.map(|i| (f.path.clone(), i)))
        })
        .collect();
    let setting = |names: &[&str], shared: bool| -> Vec<Hit> {
        facts
            .methods(names)
            .into_iter()
            .filter(|(f, m)| {
                let root = m.root.as_deref().unwrap_or("");
                let other = [
                    "reqwest", "hyper", "tonic", "Endpoint", "Channel", "ureq", "Http", "nats",
                    "redis",
                ]
                .iter()
                .any(|k| root.contains(k));
                let on_pool = root.contains("Pool") || root.contains("pool");
                let in_builder = m
                    .in_fn
                    .is_some_and(|i| builder_fns.contains(&(f.path.clone(), i)));
                !other && (!shared || on_pool || in_builder)
            })
            .map(|(f, m)| {
                Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` set on the pool", m.name),
                )
            })
            .collect()
    };
    let mut sizes = setting(SIZE, false);
    sizes.extend(setting(SHARED_SIZE, true));
    sizes.extend(facts.refs(&[
        "deadpool_postgres::PoolConfig",
        "deadpool::managed::PoolConfig",
        "PoolConfig::new",
    ]));
    let mut timeouts = setting(TIMEOUT, false);
    timeouts.extend(setting(SHARED_TIMEOUT, true));
    timeouts.extend(facts.refs(&[
        "deadpool::managed::Timeouts",
        "deadpool_postgres::Timeouts",
        "Timeouts::wait_millis",
    ]));
    // A hand-rolled pool: a `*Pool` type holding clients or connections (and a
    // semaphore for its size).
    let mut custom = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f
            .types
            .iter()
            .filter(|t| !t.test && t.name.ends_with("Pool") && t.name != "ThreadPool")
        {
            if t.fields.iter().any(|x| {
                ["Client", "Connection", "Conn"]
                    .iter()
                    .any(|k| x.ty.contains(k))
            }) {
                custom.push(Hit::new(
                    Location::new(f.path.clone(), t.line),
                    format!("hand-rolled pool `{}`", t.name),
                ));
                if let Some(sem) = t.fields.iter().find(|x| x.ty.contains("Semaphore")) {
                    sizes.push(Hit::new(
                        Location::new(f.path.clone(), sem.line),
                        format!("`{}.{}` bounds the pool's size", t.name, sem.name),
                    ));
                }
            }
        }
    }
    let looked = "a connection pool (sqlx PgPoolOptions, sea-orm ConnectOptions, deadpool, bb8, r2d2) with max connections and an acquire/connect timeout set";

    if builders.is_empty() && defaults.is_empty() && custom.is_empty() {
        if !direct.is_empty() {
            if dbs.embedded_only {
                return Some(
                    Outcome::partial(
                        "one SQLite connection is opened and shared; every query waits for it",
                    )
                    .with_hits(direct)
                    .looked_for(looked),
                );
            }
            return Some(
                Outcome::fail(format!(
                    "connections are opened one at a time ({}), with no pool to bound and reuse them",
                    direct[0].what
                ))
                .with_hits(direct)
                .looked_for(looked),
            );
        }
        return Some(
            Outcome::manual(format!(
                "the service depends on {} but no pool or connection is built in its code; review where connections are made",
                dbs.names()
            ))
            .with_hits(dbs.sql),
        );
    }
    let pools: Vec<Hit> = builders
        .iter()
        .chain(&defaults)
        .chain(&custom)
        .cloned()
        .collect();
    match (sizes.is_empty(), timeouts.is_empty()) {
        (false, false) => Some(
            Outcome::pass(format!(
                "pool built ({}) with a size ({}) and a timeout ({})",
                pools[0].what, sizes[0].what, timeouts[0].what
            ))
            .with_hits(sizes)
            .with_hits(timeouts)
            .with_hits(pools),
        ),
        (true, true) => Some(
            Outcome::partial(format!(
                "a pool is built ({}) on default size and timeouts",
                pools[0].what
            ))
            .with_hits(pools)
            .looked_for(looked),
        ),
        (false, true) => Some(
            Outcome::partial(format!(
                "the pool's size is set ({}) but no acquire/connect timeout: a burst waits on the default",
                sizes[0].what
            ))
            .with_found_hits(sizes)
            .with_hits(pools)
            .looked_for(looked),
        ),
        (true, false) => Some(
            Outcome::partial(format!(
                "the pool has a timeout ({}) but its size is the default",
                timeouts[0].what
            ))
            .with_found_hits(timeouts)
            .with_hits(pools)
            .looked_for(looked),
        ),
    }
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = super::unless_database(facts) {
        return na;
    }
    assess(facts).unwrap_or_else(|| {
        Outcome::na(format!(
            "the service's stores ({}) are not pooled SQL databases",
            databases(facts).names()
        ))
    })
}
