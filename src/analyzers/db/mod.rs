//! Analyzers for the Data section (`db.*` rules), and the database facts they
//! share: which database clients a service uses, and its replayed schema.
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).

pub mod backup;
pub mod consistency;
pub mod indexes;
pub mod migrations;
pub mod migrations_verified;
pub mod model;
pub mod pool;
pub mod read_replicas;
pub mod schema;
pub mod transactions;

use super::Decide;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::rules::Outcome;
use model::SchemaSet;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("db_schema", schema::decide),
    ("db_indexes", indexes::decide),
    ("db_pool", pool::decide),
    ("db_transactions", transactions::decide),
    ("db_migrations", migrations::decide),
    ("db_backup", backup::decide),
    ("db_read_replicas", read_replicas::decide),
    ("db_consistency", consistency::decide),
    ("migrations_verified", migrations_verified::decide),
];

/// Relational (and wide-column) database clients: a schema, migrations, pools.
pub const SQL_CLIENTS: &[&str] = &[
    "sqlx",
    "diesel",
    "diesel-async",
    "deadpool-diesel",
    "sea-orm",
    "tokio-postgres",
    "postgres",
    "deadpool-postgres",
    "bb8-postgres",
    "r2d2_postgres",
    "mysql",
    "mysql_async",
    "rusqlite",
    "tokio-rusqlite",
    "deadpool-sqlite",
    "r2d2_sqlite",
    "async-sqlite",
    "sqlite",
    "libsql",
    "tiberius",
    "rbatis",
    "quaint",
    "prisma-client-rust",
    "clickhouse",
    "scylla",
    "duckdb",
];

/// Document, key-value and search stores: durable data without a SQL schema.
pub const DOC_STORES: &[&str] = &[
    "mongodb",
    "elasticsearch",
    "opensearch",
    "aws-sdk-dynamodb",
    "couchbase",
    "surrealdb",
    "sled",
    "rocksdb",
    "redb",
    "heed",
    "qdrant-client",
    "meilisearch-sdk",
];

/// Clients of embedded SQLite-family databases (no server, no replicas).
const EMBEDDED: &[&str] = &[
    "rusqlite",
    "tokio-rusqlite",
    "deadpool-sqlite",
    "r2d2_sqlite",
    "async-sqlite",
    "sqlite",
    "duckdb",
];

/// Clients that only speak to a database server.
const SERVER_CLIENTS: &[&str] = &[
    "tokio-postgres",
    "postgres",
    "deadpool-postgres",
    "bb8-postgres",
    "r2d2_postgres",
    "mysql",
    "mysql_async",
    "tiberius",
    "scylla",
    "clickhouse",
];

/// The databases a service talks to.
#[derive(Debug, Default)]
pub struct Databases {
    /// Dependencies on SQL clients.
    pub sql: Vec<Hit>,
    /// Dependencies on document/key-value stores.
    pub doc: Vec<Hit>,
    /// Every SQL engine in use is embedded (SQLite, DuckDB).
    pub embedded_only: bool,
}

impl Databases {
    pub fn any(&self) -> bool {
        !self.sql.is_empty() || !self.doc.is_empty()
    }

    /// Crate names for messages (`sqlx, redis`).
    pub fn names(&self) -> String {
        let mut names: Vec<&str> = self
            .sql
            .iter()
            .chain(&self.doc)
            .filter_map(|h| h.what.split('`').nth(3))
            .collect();
        names.sort();
        names.dedup();
        names.join(", ")
    }
}

/// What databases the service code depends on.
pub fn databases(facts: &Facts) -> Databases {
    let sql = facts.dep_hits(SQL_CLIENTS);
    let doc = facts.dep_hits(DOC_STORES);
    // sqlx / diesel / sea-orm speak to several engines: look at the client
    // crates, the types used and the features named in the manifests.
    let manifests = |words: &[&str]| {
        facts
            .texts_where(|t| {
                t.kind == crate::classify::FileKind::CargoManifest && t.role.is_service()
            })
            .any(|t| {
                let lower = t.text.to_ascii_lowercase();
                words.iter().any(|w| lower.contains(w))
            })
    };
    let server = !facts.deps(SERVER_CLIENTS).is_empty()
        || !facts
            .refs(&[
                "PgPool",
                "PgPoolOptions",
                "PgConnection",
                "PgConnectOptions",
                "MySqlPool",
                "MySqlPoolOptions",
                "MySqlConnection",
                "MySqlConnectOptions",
            ])
            .is_empty()
        || manifests(&["postgres", "mysql", "mssql", "\"pg\""]);
    let embedded = !facts.deps(EMBEDDED).is_empty()
        || !facts
            .refs(&[
                "SqlitePool",
                "SqlitePoolOptions",
                "SqliteConnection",
                "SqliteConnectOptions",
            ])
            .is_empty()
        || manifests(&["sqlite"]);
    let embedded_only = !sql.is_empty() && embedded && !server;
    Databases {
        sql,
        doc,
        embedded_only,
    }
}

/// `n/a` when the service uses no database.
pub fn unless_database(facts: &Facts) -> Option<Outcome> {
    let clients: Vec<&str> = SQL_CLIENTS.iter().chain(DOC_STORES).copied().collect();
    if !facts.deps(&clients).is_empty() || !model::schema(facts).is_empty() {
        return None;
    }
    Some(Outcome::na(
        "no database client crate (sqlx, diesel, sea-orm, tokio-postgres, rusqlite, mongodb, …) and no schema in the repository",
    ))
}

/// The replayed schema, or the outcome when there is none to judge: `n/a`
/// without a database (or with only document stores), `manual` when a SQL
/// database is used but its schema is not in the repository.
pub fn schema_or_outcome(facts: &Facts) -> Result<Vec<SchemaSet>, Outcome> {
    let sets = model::schema(facts);
    if !sets.is_empty() {
        return Ok(sets);
    }
    let dbs = databases(facts);
    if dbs.sql.is_empty() && !dbs.doc.is_empty() {
        return Err(Outcome::na(format!(
            "the service's data lives in document/key-value stores ({}) with no relational schema",
            dbs.names()
        )));
    }
    if dbs.sql.is_empty() {
        return Err(unless_database(facts).unwrap_or_else(|| Outcome::na("no database")));
    }
    Err(Outcome::manual(format!(
        "the service uses {} but no schema is in the repository (no CREATE TABLE in migrations, schema files, SQL literals or sea-query builders); review the schema where it is managed",
        dbs.names()
    ))
    .with_hits(dbs.sql))
}

/// A table's name and set for messages: `orders` or `orders (migrations/sqlite)`
/// when several sets exist.
pub fn table_label(sets: &[SchemaSet], set: &SchemaSet, table: &str) -> String {
    if sets.len() > 1 {
        format!("`{table}` ({})", set.name)
    } else {
        format!("`{table}`")
    }
}
