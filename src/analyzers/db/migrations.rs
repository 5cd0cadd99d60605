//! `db.migrations`: schema changes are versioned migration scripts, applied by
//! a migration runner.
//!
//! Migrations are versioned files in a migrations folder (sqlx
//! `migrations/<version>_<name>.sql`, diesel `<version>_<name>/up.sql`, refinery
//! `V<n>__<name>.sql`), sea-orm-migration modules (`m20220101_000001_x.rs`), or
//! an ordered list of SQL literals in code with a version table. A runner
//! applies them: `sqlx::migrate!`, `embed_migrations!` (diesel, refinery),
//! sea-orm `Migrator::up`, `run_pending_migrations`, or a CI/deploy command
//! (`sqlx migrate run`, `diesel migration run`, `sea-orm-cli migrate`,
//! `refinery migrate`, dbmate, flyway, atlas) in a workflow, Makefile recipe,
//! Dockerfile or manifest.
//!
//! pass: versioned migrations and a runner · partial: migrations nothing
//! applies, two migrations with the same version, or only an unversioned
//! schema (`schema.sql`, `CREATE TABLE IF NOT EXISTS` at startup) · fail: a SQL
//! database and no schema management at all · n/a: no SQL database.

use crate::analyzers::scan;
use crate::extract::sql::SqlOrigin;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::BTreeMap;

/// Per migration set: up files, down files, and the paths of each version.
type SetCount = (usize, usize, BTreeMap<String, Vec<String>>);

/// Commands that apply migrations.
pub const RUN_COMMANDS: &str = r"(?i)(sqlx(-cli)?\s+migrate\s+run|sqlx\s+database\s+setup|diesel\s+migration\s+(run|redo)|diesel\s+setup|sea-orm-cli\s+migrate|refinery\s+migrate|dbmate\s+(up|migrate)|flyway\s+migrate|atlas\s+migrate\s+apply|migrate\s+-path\s|cargo\s+run\s+(-p|--package)\s+\S*migrat\S*|cargo\s+run\s+--bin\s+\S*migrat\S*)";

/// Runners in code.
pub fn code_runners(facts: &Facts) -> Vec<Hit> {
    let mut out: Vec<Hit> = facts
        .macros(&[
            "sqlx::migrate",
            "migrate",
            "embed_migrations",
            "diesel_migrations::embed_migrations",
            "refinery::embed_migrations",
        ])
        .into_iter()
        .map(|(f, m)| {
            Hit::new(
                Location::new(f.path.clone(), m.line),
                format!("`{}!` embeds the migrations", m.path),
            )
        })
        .collect();
    out.extend(facts.refs(&[
        "MigratorTrait",
        "Migrator::up",
        "sqlx::migrate::Migrator",
        "refinery::Runner",
        "MigrationHarness",
    ]));
    for (f, m) in facts.methods(&["run_pending_migrations", "run_migrations"]) {
        out.push(Hit::new(
            Location::new(f.path.clone(), m.line),
            format!("`.{}()` applies the migrations", m.name),
        ));
    }
    out
}

/// Runners outside code: CI and the recipes it runs, Dockerfiles, manifests, scripts.
pub fn deploy_runners(facts: &Facts) -> Vec<Hit> {
    let re = scan::re(RUN_COMMANDS);
    let mut out: Vec<Hit> = scan::ci_gating(facts, &re).0;
    out.extend(scan::text_hits(
        facts,
        |t| {
            t.role.is_service()
                && matches!(
                    t.kind,
                    crate::classify::FileKind::Dockerfile
                        | crate::classify::FileKind::Yaml
                        | crate::classify::FileKind::Script
                )
        },
        &re,
        2,
    ));
    out.sort();
    out.dedup();
    out
}

/// Migrations kept in code as an ordered list of SQL literals (a `MIGRATIONS`
/// array) applied against a version table.
pub fn literal_lists(facts: &Facts) -> Vec<Evidence> {
    let mut list = Vec::new();
    for s in facts
        .sql
        .iter()
        .filter(|s| s.role.is_service() && s.origin == SqlOrigin::RustLiteral)
    {
        let f = facts.rust.iter().find(|f| f.path == s.path);
        let named = f.is_some_and(|f| {
            f.literals.iter().any(|l| {
                l.context
                    .as_deref()
                    .is_some_and(|c| c.to_ascii_lowercase().contains("migration"))
                    && crate::extract::sql::has_ddl(&l.value)
            })
        });
        let version_table = s.statements.iter().any(|d| match d {
            crate::extract::sql::Ddl::CreateTable(t) => {
                t.name.contains("migration")
                    || t.name.contains("schema_version")
                    || t.name.contains("database_version")
            }
            _ => false,
        });
        if named && version_table {
            list.push(Evidence::new(
                Location::file(s.path.clone()),
                "migrations kept as an ordered list of SQL statements, applied against a version table".to_string(),
            ));
        }
    }
    list
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let dbs = super::databases(facts);
    let sources: Vec<_> = facts
        .sql
        .iter()
        .filter(|s| {
            s.role.is_service() && s.migration.is_some() && s.origin != SqlOrigin::RustLiteral
        })
        .collect();
    if dbs.sql.is_empty() && sources.is_empty() && super::model::schema(facts).is_empty() {
        return super::unless_database(facts).unwrap_or_else(|| {
            Outcome::na(format!(
                "the service's stores ({}) have no SQL schema to migrate",
                dbs.names()
            ))
        });
    }
    // Migration sets: (up files, versions → paths).
    let mut sets: BTreeMap<String, SetCount> = BTreeMap::new();
    // sqlx, diesel and refinery key migrations by version; sea-orm by the
    // whole module name, so only file-based sets can clash.
    let mut keyed_by_version: std::collections::HashSet<String> = std::collections::HashSet::new();
    for s in &sources {
        let m = s.migration.as_ref().expect("filtered");
        let e = sets.entry(m.set.clone()).or_default();
        if s.origin == SqlOrigin::File {
            keyed_by_version.insert(m.set.clone());
        }
        if m.down {
            e.1 += 1;
            continue;
        }
        e.0 += 1;
        if let Some(v) = &m.version {
            e.2.entry(v.clone()).or_default().push(s.path.clone());
        }
    }
    let mut set_ev = Vec::new();
    let mut dupes = Vec::new();
    let mut versioned = 0;
    for (set, (ups, downs, versions)) in &sets {
        if versions.is_empty() {
            continue;
        }
        versioned += 1;
        let first = versions
            .values()
            .next()
            .and_then(|p| p.first())
            .cloned()
            .unwrap_or_default();
        set_ev.push(Evidence::new(
            Location::file(first),
            format!(
                "`{set}`: {ups} versioned migration(s){}",
                if *downs > 0 {
                    format!(", {downs} with down scripts")
                } else {
                    String::new()
                }
            ),
        ));
        let clashes = versions
            .iter()
            .filter(|(_, p)| p.len() > 1 && keyed_by_version.contains(set));
        for (v, paths) in clashes {
            dupes.push(Evidence::new(
                Location::file(paths[1].clone()),
                format!(
                    "version {v} is used by {} migrations: {}",
                    paths.len(),
                    paths.join(", ")
                ),
            ));
        }
    }
    let list = literal_lists(facts);
    let code = code_runners(facts);
    let deploy = deploy_runners(facts);
    let looked = "versioned migration files (migrations/<version>_<name>.sql, diesel up.sql, refinery V1__x.sql, sea-orm-migration) applied by sqlx::migrate!, embed_migrations!, Migrator::up or a CI/deploy step";
    if versioned == 0 && list.is_empty() {
        let schema = super::model::schema(facts);
        if let Some(set) = schema.first() {
            return Outcome::partial(format!(
                "the schema is defined in `{}` without versioned migrations: changes to existing tables have no history to apply",
                set.name
            ))
            .at(set.tables[0].at.clone(), format!("table `{}` defined here", set.tables[0].name))
            .with_found_hits(code)
            .looked_for(looked);
        }
        return Outcome::fail(format!(
            "the service uses {} but has no migrations: the schema is changed by hand",
            dbs.names()
        ))
        .with_hits(dbs.sql)
        .looked_for(looked);
    }
    let mut ev = set_ev;
    ev.extend(list);
    if !dupes.is_empty() {
        return Outcome::partial(format!(
            "{} migration version(s) are used twice: the runner applies one and skips or rejects the other",
            dupes.len()
        ))
        .with(dupes)
        .with_found(ev)
        .looked_for(looked);
    }
    if code.is_empty()
        && deploy.is_empty()
        && ev.iter().all(|e| !e.message.contains("version table"))
    {
        return Outcome::partial(
            "versioned migrations exist, but nothing in the code, CI or deployment applies them",
        )
        .with_found(ev)
        .looked_for(looked);
    }
    let runner = code
        .first()
        .or(deploy.first())
        .map(|h| h.what.clone())
        .unwrap_or_else(|| "a version table".into());
    Outcome::pass(format!("versioned migrations applied by {runner}"))
        .with(ev)
        .with_hits(code)
        .with_hits(deploy)
}
