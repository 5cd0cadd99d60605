//! Data rules (`db.*`) and `ready.migrations-verified`: each passes on the
//! prepared sample (sqlx migrations, a configured pool, transactions, a backup
//! CronJob) and fails, is partial, n/a or manual on fixtures built to break it,
//! with the evidence that decided it.

mod data_rules_common;
use data_rules_common::*;

fn ready() -> &'static serde_json::Value {
    report(sample("axum-sqlx-kafka"))
}
fn bad() -> &'static serde_json::Value {
    report(fixture("bad-ledger"))
}

const INIT: &str = "migrations/20240101120000_create_accounts.sql";
const TRANSFERS: &str = "migrations/20240102090000_create_transfers.sql";

#[test]
fn schema_passes_with_keys_and_fails_without() {
    expect(
        ready(),
        "db.schema",
        "pass",
        INIT,
        Some(11),
        "foreign key `accounts`(customer_id) → `customers`",
    );
    expect(
        bad(),
        "db.schema",
        "fail",
        "migrations/0001_init.sql",
        Some(1),
        "`customers` has no primary key",
    );
    expect(
        bad(),
        "db.schema",
        "fail",
        "migrations/0001_init.sql",
        Some(4),
        "repeats a column group: `phone1`, `phone2`, `phone3`",
    );
    // A UNIQUE key on NOT NULL columns would count; `tags` has none.
    expect(
        report(fixture("sqlite-notes")),
        "db.schema",
        "partial",
        "db/schema.sql",
        Some(7),
        "`tags` has no primary key",
    );
    // sea-orm-migration builders are read like SQL.
    expect(
        report(fixture("seaorm-shop")),
        "db.schema",
        "pass",
        "migration/src/m20240101_000001_create_tables.rs",
        Some(28),
        "foreign key `order_line`(product_id) → `product`",
    );
    // Migrations kept as SQL literals in code.
    expect(
        report(fixture("versioned-literals")),
        "db.schema",
        "pass",
        "src/db.rs",
        Some(9),
        "foreign key `reviews`(user_id)",
    );
    expect_summary(
        report(sample("axum-ready")),
        "db.schema",
        "manual",
        "no schema is in the repository",
    );
    expect_summary(
        report(sample("actix-bare")),
        "db.schema",
        "n/a",
        "no database client crate",
    );
}

#[test]
fn indexes_cover_foreign_keys_and_query_filters() {
    expect(
        ready(),
        "db.indexes",
        "pass",
        TRANSFERS,
        Some(10),
        "foreign key `transfers`(from_account) is indexed",
    );
    expect(
        bad(),
        "db.indexes",
        "fail",
        "migrations/0001_init.sql",
        Some(11),
        "`invoices`(customer_email) → `customers` has no index",
    );
    // The code ↔ schema join: a query filtering on an unindexed column.
    expect(
        bad(),
        "db.indexes",
        "fail",
        "src/handlers.rs",
        Some(15),
        "filters by `customer_email`, which no index leads with",
    );
    expect(
        report(fixture("seaorm-shop")),
        "db.indexes",
        "partial",
        "migration/src/m20240101_000001_create_tables.rs",
        Some(28),
        "`order_line`(product_id) → `product` has no index",
    );
}

#[test]
fn pool_needs_size_and_timeout() {
    expect(
        ready(),
        "db.pool",
        "pass",
        "src/main.rs",
        Some(30),
        "`.max_connections()` set on the pool",
    );
    expect(
        ready(),
        "db.pool",
        "pass",
        "src/main.rs",
        Some(31),
        "`.acquire_timeout()` set on the pool",
    );
    expect(
        bad(),
        "db.pool",
        "partial",
        "src/main.rs",
        Some(9),
        "`sqlx::PgPool::connect`",
    );
    expect(
        report(fixture("pg-direct")),
        "db.pool",
        "fail",
        "src/main.rs",
        Some(13),
        "`tokio_postgres::connect`",
    );
    expect_summary(
        report(fixture("sqlite-notes")),
        "db.pool",
        "partial",
        "one SQLite connection",
    );
    expect(
        report(fixture("versioned-literals")),
        "db.pool",
        "pass",
        "src/db.rs",
        Some(17),
        "deadpool_postgres::PoolConfig",
    );
    expect(
        report(fixture("seaorm-shop")),
        "db.pool",
        "pass",
        "src/main.rs",
        Some(11),
        "`.acquire_timeout()` set on the pool",
    );
    expect_summary(
        report(sample("actix-bare")),
        "db.pool",
        "n/a",
        "no database client crate",
    );
}

#[test]
fn related_writes_need_a_transaction() {
    expect(
        ready(),
        "db.transactions",
        "pass",
        "src/routes/accounts.rs",
        Some(56),
        "`.begin()` opens a transaction",
    );
    expect(
        bad(),
        "db.transactions",
        "fail",
        "src/handlers.rs",
        Some(32),
        "`create_invoice` writes 2 tables (lines 33, 35) outside a transaction",
    );
    expect(
        report(fixture("pg-direct")),
        "db.transactions",
        "partial",
        "src/main.rs",
        Some(15),
        "raw `BEGIN`",
    );
    expect_summary(
        report(fixture("sqlite-notes")),
        "db.transactions",
        "manual",
        "no transaction",
    );
}

#[test]
fn migrations_are_versioned_and_applied() {
    expect(
        ready(),
        "db.migrations",
        "pass",
        "src/main.rs",
        Some(40),
        "`sqlx::migrate!` embeds the migrations",
    );
    expect(
        ready(),
        "db.migrations",
        "pass",
        INIT,
        None,
        "2 versioned migration(s), 1 with down scripts",
    );
    expect_summary(
        bad(),
        "db.migrations",
        "partial",
        "nothing in the code, CI or deployment applies them",
    );
    expect(
        report(fixture("sqlite-notes")),
        "db.migrations",
        "partial",
        "db/schema.sql",
        Some(1),
        "table `notes` defined here",
    );
    expect(
        report(sample("axum-ready")),
        "db.migrations",
        "fail",
        "Cargo.toml",
        Some(18),
        "depends on `sqlx`",
    );
    expect(
        report(fixture("seaorm-shop")),
        "db.migrations",
        "pass",
        "src/main.rs",
        Some(13),
        "`migration::Migrator::up`",
    );
    expect(
        report(fixture("versioned-literals")),
        "db.migrations",
        "pass",
        "src/db.rs",
        None,
        "applied against a version table",
    );
}

#[test]
fn backups_are_scheduled_and_restores_written_down() {
    expect(
        ready(),
        "db.backup",
        "pass",
        "k8s/backup.yaml",
        Some(15),
        "CronJob runs `pg_dump`",
    );
    expect(
        ready(),
        "db.backup",
        "pass",
        "docs/runbook.md",
        Some(5),
        "restore from a backup",
    );
    expect(
        bad(),
        "db.backup",
        "partial",
        "scripts/backup.sh",
        Some(2),
        "`pg_dump`",
    );
    expect_summary(
        report(fixture("pg-direct")),
        "db.backup",
        "manual",
        "no backup job",
    );
}

#[test]
fn reads_can_go_to_a_replica() {
    expect(
        ready(),
        "db.read-replicas",
        "pass",
        "src/main.rs",
        Some(39),
        "DATABASE_READ_URL",
    );
    expect(
        bad(),
        "db.read-replicas",
        "fail",
        "Cargo.toml",
        Some(9),
        "depends on `sqlx`",
    );
    expect_summary(
        report(fixture("sqlite-notes")),
        "db.read-replicas",
        "n/a",
        "embedded",
    );
}

#[test]
fn consistency_counts_constraints_and_locking() {
    expect(
        ready(),
        "db.consistency",
        "pass",
        "src/routes/accounts.rs",
        Some(57),
        "optimistic locking",
    );
    expect(
        report(fixture("sqlite-notes")),
        "db.consistency",
        "fail",
        "db/schema.sql",
        Some(1),
        "no FOREIGN KEY, NOT NULL, UNIQUE or CHECK",
    );
    expect_summary(
        bad(),
        "db.consistency",
        "partial",
        "missing: NOT NULL columns, UNIQUE/CHECK constraints",
    );
    expect(
        report(fixture("seaorm-shop")),
        "db.consistency",
        "pass",
        "migration/src/m20240101_000001_create_tables.rs",
        Some(16),
        "CHECK constraint on `product`",
    );
}

#[test]
fn migrations_are_verified_in_ci() {
    expect(
        ready(),
        "ready.migrations-verified",
        "pass",
        ".github/workflows/ci.yml",
        Some(22),
        "CI runs `sqlx migrate run`",
    );
    expect(
        bad(),
        "ready.migrations-verified",
        "fail",
        "migrations/0001_init.sql",
        None,
        "never applied in CI",
    );
    expect(
        report(fixture("seaorm-shop")),
        "ready.migrations-verified",
        "partial",
        "src/main.rs",
        Some(13),
        "`migration::Migrator::up`",
    );
    expect_summary(
        report(sample("actix-bare")),
        "ready.migrations-verified",
        "n/a",
        "no versioned migrations",
    );
}
