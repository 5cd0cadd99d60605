//! `ready.migrations-verified`: CI proves the migrations apply before they
//! reach production.
//!
//! Verified means a CI step applies or checks them — `sqlx migrate run`,
//! `cargo sqlx prepare --check` (the queries still match the migrated
//! schema), `diesel migration run`/`redo`, `sea-orm-cli migrate`, refinery,
//! dbmate, flyway, atlas, a migration binary run with `cargo run -p migration`
//! — or CI runs the tests and the tests apply the migrations (`#[sqlx::test]`
//! applies `./migrations` to each test database; `sqlx::migrate!().run`,
//! `Migrator::up`, `run_pending_migrations` in test code).
//!
//! pass: CI applies or checks the migrations · partial: they are applied only
//! when the service starts (a bad migration is found in production), or tests
//! apply them but CI does not run the tests · fail: nothing applies them
//! before production · n/a: no migrations.

use crate::analyzers::scan;
use crate::extract::sql::SqlOrigin;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let migrations: Vec<&str> = facts
        .sql
        .iter()
        .filter(|s| s.role.is_service() && s.origin != SqlOrigin::RustLiteral)
        .filter(|s| s.migration.as_ref().is_some_and(|m| m.version.is_some()))
        .map(|s| s.path.as_str())
        .collect();
    let mut code = super::migrations::code_runners(facts);
    let lists = super::migrations::literal_lists(facts);
    if migrations.is_empty() && code.is_empty() && lists.is_empty() {
        return Outcome::na("no versioned migrations in the repository");
    }
    let looked = "a CI step that applies or checks the migrations (sqlx migrate run, cargo sqlx prepare --check, diesel migration run), or CI running tests that apply them (#[sqlx::test])";
    let verify = scan::re(&format!(
        r"{}|(?i)sqlx\s+prepare\b[^\n]*--check",
        super::migrations::RUN_COMMANDS
    ));
    let ci: Vec<Hit> = scan::ci_gating(facts, &verify).0;
    if !ci.is_empty() {
        return Outcome::pass(ci[0].what.clone()).with_hits(ci);
    }
    let mut in_tests: Vec<Hit> = Vec::new();
    for (_, f, _, func) in scan::test_fns(facts) {
        if func.attrs.iter().any(|a| a.path.ends_with("sqlx::test")) {
            in_tests.push(Hit::new(
                crate::location::Location::new(f.path.clone(), func.line),
                format!("#[sqlx::test] `{}` applies the migrations", func.name),
            ));
            break;
        }
    }
    in_tests.extend(scan::test_refs(
        facts,
        &["Migrator::up", "MigratorTrait", "sqlx::migrate::Migrator"],
    ));
    in_tests.extend(scan::test_methods(facts, &["run_pending_migrations"]));
    for f in facts.rust.iter() {
        for m in &f.macros {
            if scan::in_test_code(f, m.in_fn, m.test)
                && (m.path.ends_with("migrate") || m.path.ends_with("embed_migrations"))
            {
                in_tests.push(Hit::new(
                    crate::location::Location::new(f.path.clone(), m.line),
                    format!("`{}!` in test code", m.path),
                ));
            }
        }
    }
    // A list kept in code is applied by the code that holds it.
    code.extend(lists.into_iter().map(|e| Hit::new(e.location, e.message)));
    let test_runs: Vec<_> = crate::analyzers::test::ci::test_runs(facts)
        .into_iter()
        .filter(|r| r.weak.is_none())
        .collect();
    if !in_tests.is_empty() && !test_runs.is_empty() {
        return Outcome::pass(format!(
            "tests apply the migrations ({}) and CI runs the tests ({})",
            in_tests[0].what, test_runs[0].hit.what
        ))
        .with_hits(in_tests)
        .with_hits(test_runs.into_iter().map(|r| r.hit));
    }
    // Tests against a real database build its schema with the service's own
    // runner (`Database::new` calling `Migrator::up`): CI running them applies
    // the migrations too.
    let db_tests = crate::analyzers::test::db_tests::real_db_tests(facts);
    if !code.is_empty() && !db_tests.is_empty() && !test_runs.is_empty() {
        return Outcome::pass(format!(
            "CI runs database-backed tests ({}) and the service applies its migrations when it connects ({})",
            db_tests[0].what, code[0].what
        ))
        .with_hits(db_tests.into_iter().take(3))
        .with_hits(code)
        .with_hits(test_runs.into_iter().map(|r| r.hit));
    }
    if !in_tests.is_empty() {
        return Outcome::partial(format!(
            "tests apply the migrations ({}) but CI does not run the tests",
            in_tests[0].what
        ))
        .with_found_hits(in_tests)
        .looked_for(looked);
    }
    if !code.is_empty() {
        return Outcome::partial(format!(
            "migrations are applied when the service starts ({}); nothing applies them in CI, so a broken migration is found in production",
            code[0].what
        ))
        .with_found_hits(code)
        .looked_for(looked);
    }
    Outcome::fail("nothing applies the migrations before production")
        .at(
            migrations
                .first()
                .map(|p| crate::location::Location::file(p.to_string()))
                .unwrap_or_else(|| scan::ci_anchor(facts)),
            "these migrations are never applied in CI",
        )
        .looked_for(looked)
}
