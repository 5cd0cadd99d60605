//! `db.consistency`: the database enforces the data's invariants, and
//! concurrent writers cannot corrupt it.
//!
//! Four kinds of guarantee are looked for:
//! 1. referential integrity — foreign keys;
//! 2. required values — `NOT NULL` columns beyond the primary key;
//! 3. value rules — `UNIQUE` constraints/indexes or `CHECK` constraints;
//! 4. concurrency control — a transaction isolation level set
//!    (`SET TRANSACTION ISOLATION LEVEL`, `IsolationLevel::Serializable`), row
//!    locks (`SELECT .. FOR UPDATE`), advisory locks, or optimistic locking
//!    (an `UPDATE .. WHERE version = $n` against a version column).
//!
//! pass: three or four kinds · partial: one or two · fail: none, on a schema
//! that is in the repository · manual: a SQL database whose schema is not in
//! the repository and no concurrency control seen · n/a: as `db.schema`.

use super::schema_or_outcome;
use crate::analyzers::scan;
use crate::extract::sql::query::{shape, QueryKind};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Columns that carry an optimistic-locking version.
const VERSION_COLUMNS: &[&str] = &[
    "version",
    "lock_version",
    "row_version",
    "revision",
    "etag",
    "xmin",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let concurrency = concurrency_control(facts);
    let sets = match schema_or_outcome(facts) {
        Ok(s) => s,
        Err(o) if o.status == crate::rules::Status::Manual && !concurrency.is_empty() => {
            return Outcome::partial(format!(
                "concurrency control is in the code ({}), but no schema is in the repository to show its constraints",
                concurrency[0].what
            ))
            .with_found_hits(concurrency)
            .looked_for("NOT NULL, UNIQUE, CHECK and FOREIGN KEY constraints in the migrations");
        }
        Err(o) => return o,
    };
    let mut fk = Vec::new();
    let mut not_null = Vec::new();
    let mut nullable = 0;
    let mut rules = Vec::new();
    for set in &sets {
        for t in set.tables.iter().filter(|t| !t.opaque) {
            let pk: &[String] = t.pk.as_ref().map(|k| k.columns.as_slice()).unwrap_or(&[]);
            for f in &t.fks {
                fk.push(Evidence::new(
                    f.at.clone(),
                    format!(
                        "foreign key `{}`({}) → `{}`",
                        t.name,
                        f.columns.join(", "),
                        f.ref_table
                    ),
                ));
            }
            for c in t.columns.iter().filter(|c| !pk.contains(&c.name)) {
                if c.not_null {
                    not_null.push(Evidence::new(
                        c.at.clone(),
                        format!("`{}.{}` is NOT NULL", t.name, c.name),
                    ));
                } else {
                    nullable += 1;
                }
            }
            for u in &t.uniques {
                rules.push(Evidence::new(
                    u.at.clone(),
                    format!("UNIQUE `{}`({})", t.name, u.columns.join(", ")),
                ));
            }
            for c in &t.checks {
                rules.push(Evidence::new(
                    c.clone(),
                    format!("CHECK constraint on `{}`", t.name),
                ));
            }
        }
        for i in set.indexes.iter().filter(|i| i.unique) {
            rules.push(Evidence::new(
                i.at.clone(),
                format!("unique index on `{}`({})", i.table, i.columns.join(", ")),
            ));
        }
    }
    let kinds = [
        ("foreign keys", !fk.is_empty()),
        ("NOT NULL columns", !not_null.is_empty()),
        ("UNIQUE/CHECK constraints", !rules.is_empty()),
        (
            "concurrency control (isolation level, row or optimistic locks)",
            !concurrency.is_empty(),
        ),
    ];
    let have: Vec<&str> = kinds.iter().filter(|(_, b)| *b).map(|(n, _)| *n).collect();
    let lack: Vec<&str> = kinds.iter().filter(|(_, b)| !*b).map(|(n, _)| *n).collect();
    let summary = format!(
        "{} foreign key(s), {} NOT NULL column(s) ({} nullable), {} UNIQUE/CHECK constraint(s){}",
        fk.len(),
        not_null.len(),
        nullable,
        rules.len(),
        if concurrency.is_empty() {
            String::new()
        } else {
            format!(", {}", concurrency[0].what)
        }
    );
    // Evidence: a few of each kind, strongest first.
    let mut ev: Vec<Evidence> = Vec::new();
    ev.extend(concurrency.iter().cloned().map(Evidence::from));
    ev.extend(fk.into_iter().take(5));
    ev.extend(rules.into_iter().take(5));
    ev.extend(not_null.into_iter().take(5));
    let looked = "foreign keys, NOT NULL, UNIQUE/CHECK constraints, and concurrency control (isolation level, SELECT .. FOR UPDATE, optimistic version column)";
    match have.len() {
        3 | 4 => {
            let mut o = Outcome::pass(summary).with(ev);
            if !lack.is_empty() {
                o.summary.push_str(&format!("; no {}", lack.join(", ")));
            }
            o
        }
        0 => {
            let first = sets
                .iter()
                .flat_map(|s| s.tables.iter())
                .next()
                .map(|t| t.at.clone())
                .unwrap_or_else(|| facts.anchor());
            Outcome::fail("the schema declares no constraint beyond primary keys, and nothing in the code controls concurrent writes")
                .at(first, "no FOREIGN KEY, NOT NULL, UNIQUE or CHECK in this schema")
                .looked_for(looked)
        }
        _ => Outcome::partial(format!("{summary}; missing: {}", lack.join(", ")))
            .with_found(ev)
            .looked_for(looked),
    }
}

/// Isolation levels, row and advisory locks, optimistic version checks.
fn concurrency_control(facts: &Facts) -> Vec<Hit> {
    let mut out = facts.refs(&["IsolationLevel", "TransactionIsolationLevel"]);
    for (f, m) in facts.methods(&[
        "isolation_level",
        "set_isolation_level",
        "with_isolation_level",
    ]) {
        out.push(Hit::new(
            crate::location::Location::new(f.path.clone(), m.line),
            format!("`.{}()` sets an isolation level", m.name),
        ));
    }
    out.extend(scan::literal_hits(
        facts,
        &scan::re(r"(?i)isolation\s+level\s+(serializable|repeatable\s+read|read\s+committed)|pg_advisory_(xact_)?lock|GET_LOCK\("),
    ));
    for (f, l) in scan::literals(facts) {
        let Some(q) = shape(&l.value) else { continue };
        let at = crate::location::Location::new(f.path.clone(), l.line);
        if q.locks_rows {
            out.push(Hit::new(
                at,
                format!("row lock: `{}`", scan::clip(&l.value, 60)),
            ));
        } else if q.kind == QueryKind::Update
            && q.filters
                .iter()
                .any(|c| VERSION_COLUMNS.contains(&c.as_str()))
        {
            out.push(Hit::new(
                at,
                format!("optimistic locking: `{}`", scan::clip(&l.value, 60)),
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}
