//! `db.read-replicas`: reads can be served by replicas — the service keeps a
//! read pool (or URL) apart from the write pool.
//!
//! Seen as a second connection setting for reads (`DATABASE_READ_URL`,
//! `REPLICA_URL`, `READER_ENDPOINT`, a CloudNativePG `-ro` service host),
//! driver routing to standbys (`target_session_attrs=prefer-standby`,
//! `readPreference=secondaryPreferred`), or separate pools in code
//! (`read_pool`/`replica_pool`/`reader` fields and variables).
//!
//! pass: a read path apart from the write path · fail: one pool for
//! everything · n/a: no database, or only embedded SQLite/DuckDB (nothing to
//! replicate).

use crate::analyzers::scan;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

const SETTING: &str = r"(?i)(?:\b|[_-])(read[_-]?only|read[_-]?replica|read|replica|reader|ro|standby|secondary|follower)[_-](database[_-]|db[_-]|pg[_-]|postgres[_-]|mysql[_-])?(url|uri|dsn|host|endpoint|pool)\b|(?:\b|[_-])(database|db|pg|postgres)[_-](read|replica|reader|ro|standby)[_-](url|uri|dsn|host|endpoint)\b|target_session_attrs=(read-only|prefer-standby|standby)|readPreference=(secondary|secondaryPreferred|nearest)|\b[a-z0-9-]+-ro(\.[a-z0-9-]+)*:5432";

const IDENT: &str = r"(?i)(^|[.:_])(read(er)?_?(pool|db|conn(ection)?s?|replicas?)|replicas?_?(pool|db|conn(ection)?s?)|ro_pool|read_only_(pool|db))$";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = super::unless_database(facts) {
        return na;
    }
    let dbs = super::databases(facts);
    if dbs.embedded_only && dbs.doc.is_empty() {
        return Outcome::na(
            "the database is embedded (SQLite/DuckDB): there is no server to replicate",
        );
    }
    let setting = scan::re(SETTING);
    let mut hits = scan::literal_hits(facts, &setting);
    hits.extend(scan::text_hits(facts, scan::is_config, &setting, 2));
    hits.extend(scan::ident_hits(facts, &scan::re(IDENT)));
    if !hits.is_empty() {
        return Outcome::pass(format!("reads have their own path: {}", hits[0].what))
            .with_hits(hits);
    }
    Outcome::fail("one database pool/URL serves reads and writes alike; nothing routes reads to a replica")
        .with_hits(dbs.sql.into_iter().chain(dbs.doc))
        .looked_for("a read pool or URL apart from the write pool (DATABASE_READ_URL, a replica/reader pool, target_session_attrs=prefer-standby, readPreference=secondaryPreferred)")
}
