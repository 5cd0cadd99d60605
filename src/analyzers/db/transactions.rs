//! `db.transactions`: writes that belong together run in one transaction,
//! which rolls back on error.
//!
//! Transactions are seen as `.begin()` (sqlx, sea-orm; the transaction rolls
//! back when dropped without `commit`), closure transactions
//! (`conn.transaction(|tx| ..)` in diesel, sea-orm, rusqlite, tokio-postgres:
//! an `Err` rolls back), `Transaction` parameters (a function run inside a
//! caller's transaction), explicit `.rollback()`, and raw `BEGIN`/`COMMIT`
//! SQL. Writes are `INSERT`/`UPDATE`/`DELETE` statements in literals and
//! `query!` macros, and diesel's `insert_into`/`update`/`delete`; a function
//! that writes two or more tables with no transaction can leave half its work
//! behind. (Writes to one table are counted once: two `INSERT`s into the same
//! table are as often alternatives in an `if`/`else` as a sequence.)
//!
//! pass: transactions used, every multi-write function inside one · partial:
//! some multi-write functions outside any transaction, or only raw
//! `BEGIN`/`COMMIT` SQL with no `ROLLBACK` · fail: multi-write functions and no
//! transaction anywhere · manual: no transaction and no multi-write function
//! seen · n/a: no database.

use crate::analyzers::scan;
use crate::extract::sql::query::{shape, QueryKind};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::{BTreeMap, BTreeSet};

const TX_METHODS: &[&str] = &[
    "begin",
    "begin_with",
    "transaction",
    "build_transaction",
    "start_transaction",
    "with_transaction",
    "transaction_async",
    "begin_transaction",
];

const TX_TYPES: &[&str] = &[
    "sqlx::Transaction",
    "Transaction",
    "DatabaseTransaction",
    "AnsiTransactionManager",
    "TransactionManager",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = super::unless_database(facts) {
        return na;
    }
    // Functions (file, fn) inside a transaction, and the evidence of it.
    let mut in_tx: BTreeSet<(usize, u32)> = BTreeSet::new();
    let mut tx = Vec::new();
    let mut closure_or_drop = false;
    let mut rollbacks = Vec::new();
    for (fi, f) in facts.service_rust() {
        for m in f.methods.iter().filter(|m| !m.test) {
            if TX_METHODS.contains(&m.name.as_str()) {
                if let Some(i) = m.in_fn {
                    in_tx.insert((fi, i));
                }
                closure_or_drop = true;
                tx.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()` opens a transaction", m.name),
                ));
            } else if m.name == "rollback" {
                rollbacks.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    "`.rollback()` on the error path".to_string(),
                ));
            }
        }
        for (ni, func) in f.fns.iter().enumerate().filter(|(_, x)| !x.test) {
            if func.params.iter().any(|p| {
                TX_TYPES
                    .iter()
                    .any(|t| p.ty.contains(&format!("{t}<")) || p.ty.ends_with(t))
                    || p.name
                        .as_deref()
                        .is_some_and(|n| n == "tx" || n == "txn" || n == "transaction")
            }) {
                in_tx.insert((fi, ni as u32));
                tx.push(Hit::new(
                    Location::new(f.path.clone(), func.line),
                    format!("`{}` runs inside a caller's transaction", func.name),
                ));
            }
        }
    }
    // Raw SQL transactions.
    let begin_re =
        scan::re(r"(?i)^\s*(BEGIN(\s+TRANSACTION|\s+WORK)?|START\s+TRANSACTION)\s*;?\s*$");
    let rollback_re = scan::re(r"(?i)^\s*ROLLBACK\b");
    let mut raw = Vec::new();
    for (fi, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            if begin_re.is_match(&l.value) {
                if let Some(i) = l.in_fn {
                    in_tx.insert((fi, i));
                }
                raw.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("raw `{}`", scan::clip(&l.value, 30)),
                ));
            } else if rollback_re.is_match(&l.value) {
                rollbacks.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    "raw `ROLLBACK`",
                ));
            }
        }
    }
    // Functions that write more than once.
    // Per function: the tables it writes, with the line of the first write to each.
    let mut writes: BTreeMap<(usize, u32), BTreeMap<String, u32>> = BTreeMap::new();
    // Migrations run in the runner's transaction; their writes are not judged here.
    for (fi, f) in facts.service_rust().filter(|(_, f)| {
        crate::extract::sql::migration_of(&f.path).is_none()
            && !crate::extract::sql::in_migrations_dir(&f.path)
    }) {
        let mut add = |in_fn: Option<u32>, table: String, line: u32| {
            if let Some(i) = in_fn {
                writes
                    .entry((fi, i))
                    .or_default()
                    .entry(table)
                    .or_insert(line);
            }
        };
        for l in f.literals.iter().filter(|l| !l.test) {
            if let Some(q) = shape(&l.value).filter(|q| q.kind != QueryKind::Select) {
                let table = q.table.unwrap_or_else(|| format!("?{}", l.line));
                add(l.in_fn, table, l.line);
            }
        }
        for r in f.refs.iter().filter(|r| !r.test) {
            if [
                "diesel::insert_into",
                "diesel::update",
                "diesel::delete",
                "diesel::replace_into",
            ]
            .iter()
            .any(|p| crate::facts::query::path_matches(&r.path, p))
            {
                add(r.in_fn, format!("?{}", r.line), r.line);
            }
        }
    }
    let mut uncovered = Vec::new();
    let mut covered = 0;
    for ((fi, ni), tables) in &writes {
        if tables.len() < 2 {
            continue;
        }
        let mut lines: Vec<u32> = tables.values().copied().collect();
        lines.sort();
        if in_tx.contains(&(*fi, *ni)) {
            covered += 1;
            continue;
        }
        let f = &facts.rust[*fi];
        let func = &f.fns[*ni as usize];
        uncovered.push(Evidence::new(
            Location::new(f.path.clone(), func.line),
            format!(
                "`{}` writes {} tables (lines {}) outside a transaction",
                func.name,
                lines.len(),
                lines
                    .iter()
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let looked = "transactions around related writes: pool.begin() … tx.commit(), conn.transaction(|tx| …), with rollback on error";
    let any_tx = !tx.is_empty() || !raw.is_empty();
    if !any_tx {
        if !uncovered.is_empty() {
            return Outcome::fail(format!(
                "{} function(s) write several tables with no transaction anywhere",
                uncovered.len()
            ))
            .with(uncovered)
            .looked_for(looked);
        }
        return Outcome::manual(
            "no transaction and no function that writes more than once was seen (writes may go through an ORM's methods); review how related writes are grouped",
        );
    }
    if tx.is_empty() && rollbacks.is_empty() {
        return Outcome::partial(
            "transactions are raw BEGIN/COMMIT SQL with no ROLLBACK: an error between them leaves the connection inside an open transaction",
        )
        .with_hits(raw)
        .with(uncovered)
        .looked_for(looked);
    }
    if !uncovered.is_empty() {
        return Outcome::partial(format!(
            "transactions are used ({}), but {} function(s) write several tables outside one",
            tx.first()
                .or(raw.first())
                .map(|h| h.what.clone())
                .unwrap_or_default(),
            uncovered.len()
        ))
        .with(uncovered)
        .with_found_hits(tx)
        .with_found_hits(raw)
        .looked_for(looked);
    }
    let how = if !rollbacks.is_empty() {
        "with explicit rollback"
    } else if closure_or_drop {
        "rolled back on error or drop"
    } else {
        "inside callers' transactions"
    };
    let mut summary = format!("transactions used ({how})");
    if covered > 0 {
        summary.push_str(&format!(
            "; {covered} multi-write function(s) all inside one"
        ));
    }
    Outcome::pass(summary)
        .with_hits(tx)
        .with_hits(rollbacks)
        .with_hits(raw)
}
