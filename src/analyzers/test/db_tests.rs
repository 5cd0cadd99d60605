//! `test.db-transactions`: tests run against a real database, so queries,
//! constraints and transactions are exercised, not assumed.
//!
//! A database-backed test is a `#[sqlx::test]` function (a fresh database per
//! test, migrations applied), a test that starts a database container
//! (`testcontainers`), an embedded server (`pg-embed`, `postgresql_embedded`),
//! diesel's `begin_test_transaction`/`test_transaction` (rolled back at the
//! end), a project fixture type named for a test database (`TestDatabase`,
//! `TestDb`) that tests use, or a test that connects a pool when CI provides a
//! database service.
//! Test code that opens, commits or rolls back transactions is noted. Mocks
//! (`sea_orm::MockDatabase`, `mockall` repositories) stand in for the
//! database and only half count.
//!
//! pass: database-backed tests · partial: only mocks, or a CI database
//! service no test is seen using · fail: no database tests · n/a: no database.

use crate::analyzers::scan;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

/// Evidence of tests running against a real database (not mocks), with the
/// supporting pool/CI hits; empty when none.
pub fn real_db_tests(facts: &Facts) -> Vec<Hit> {
    let mut real: Vec<Hit> = Vec::new();
    let mut sqlx_tests = 0;
    let mut first_sqlx = None;
    for (_, f, _, func) in scan::test_fns(facts) {
        if func
            .attrs
            .iter()
            .any(|a| a.path == "sqlx::test" || a.path.ends_with("sqlx::test"))
        {
            sqlx_tests += 1;
            first_sqlx.get_or_insert_with(|| Location::new(f.path.clone(), func.line));
        }
    }
    if let Some(at) = first_sqlx {
        real.push(Hit::new(
            at,
            format!("{sqlx_tests} #[sqlx::test] test(s), each on a fresh database"),
        ));
    }
    real.extend(scan::test_refs(
        facts,
        &[
            "testcontainers",
            "testcontainers_modules",
            "pg_embed",
            "postgresql_embedded",
            "embedded_postgres",
        ],
    ));
    real.extend(scan::test_methods(
        facts,
        &["begin_test_transaction", "test_transaction"],
    ));
    // A project's own test-database fixture (`TestDatabase`, `TestDb`) used by tests.
    let fixture =
        scan::re(r"^Test_?(Db|Database|Pool|Postgres|Pg|Sql)\w*$|^\w*Test_?(Db|Database)$");
    let fixtures: Vec<String> = facts
        .rust
        .iter()
        .flat_map(|f| f.types.iter())
        .filter(|t| fixture.is_match(&t.name))
        .map(|t| t.name.clone())
        .collect();
    if !fixtures.is_empty() {
        let names: Vec<&str> = fixtures.iter().map(String::as_str).collect();
        real.extend(scan::test_refs(facts, &names).into_iter().take(3).map(|h| {
            Hit::new(
                h.location,
                format!("tests use the test database fixture {}", h.what),
            )
        }));
    }
    let pools = test_pools(facts);
    let ci_db = ci_database(facts);
    if !pools.is_empty()
        && (!ci_db.is_empty()
            || pools
                .iter()
                .any(|h| h.what.contains("open_in_memory") || h.what.contains("Sqlite")))
    {
        real.extend(pools);
        real.extend(ci_db);
    }
    real
}

fn test_pools(facts: &Facts) -> Vec<Hit> {
    let mut out = scan::test_refs(
        facts,
        &[
            "PgPool::connect",
            "PgPoolOptions",
            "PoolOptions",
            "sea_orm::Database::connect",
            "Database::connect",
            "tokio_postgres::connect",
            "PgConnection::establish",
            "Connection::establish",
            "deadpool_postgres",
            "rusqlite::Connection::open_in_memory",
            "SqlitePool::connect",
            "sqlx::migrate",
        ],
    );
    // A database URL read by test code (`TEST_DB_URL`, `DATABASE_URL`).
    out.extend(scan::test_literals(
        facts,
        &scan::re(r"^\w*(DB|DATABASE)_URL$"),
    ));
    out
}

fn ci_database(facts: &Facts) -> Vec<Hit> {
    scan::text_hits(
        facts,
        |t| facts.ci.iter().any(|c| c.path == t.path),
        &scan::re(
            r"(?m)^\s*(image:\s*)?['\x22]?(postgres|postgis/postgis|mysql|mariadb|mongo|cockroachdb/cockroach|timescale/timescaledb)[:'\x22\s]",
        ),
        1,
    )
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::db::unless_database(facts) {
        return na;
    }
    let real = real_db_tests(facts);
    let pools = test_pools(facts);
    let ci_db = ci_database(facts);
    let tx_in_tests = scan::test_methods(facts, &["begin", "transaction", "commit", "rollback"]);
    let mocks = scan::test_refs(facts, &["MockDatabase", "sea_orm::MockDatabase", "mockall"]);
    let looked = "tests against a real database: #[sqlx::test], testcontainers, diesel test_transaction, or a pool connected in tests with a database service in CI";
    if !real.is_empty() {
        let mut o =
            Outcome::pass(format!("database-backed tests ({})", real[0].what)).with_hits(real);
        if !tx_in_tests.is_empty() {
            o.summary.push_str("; test code exercises transactions");
        }
        return o.with_hits(tx_in_tests);
    }
    if !mocks.is_empty() {
        return Outcome::partial(
            "tests use a mock database: queries, constraints and transactions are never run",
        )
        .with_hits(mocks)
        .looked_for(looked);
    }
    if !ci_db.is_empty() || !pools.is_empty() {
        return Outcome::partial(
            "a database is set up for tests, but no test is seen running against it",
        )
        .with_found_hits(ci_db)
        .with_found_hits(pools)
        .looked_for(looked);
    }
    Outcome::fail("no test runs against a database")
        .at(
            facts.anchor(),
            "no #[sqlx::test], testcontainers or test database found",
        )
        .looked_for(looked)
}
