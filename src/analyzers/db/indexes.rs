//! `db.indexes`: foreign-key columns and the columns queries filter on are
//! indexed.
//!
//! Two joins no single-file linter makes:
//! - schema ↔ schema: every foreign key's columns lead some index (a primary
//!   key, unique constraint or `CREATE INDEX`); without one, deleting a parent
//!   row or joining child rows scans the child table. MySQL/InnoDB indexes
//!   foreign-key columns itself, so they count there.
//! - code ↔ schema: simple single-table queries in code and `.sql` query
//!   files (`SELECT .. FROM orders WHERE customer_id = $1`) filter on a column
//!   some index leads with.
//!
//! pass: every foreign key and every filter read is indexed · partial: some are
//! not, or three or more tables have no secondary index and no filter could be
//! read · fail: foreign keys exist, none is indexed, and there is no secondary
//! index at all · manual / n/a: as `db.schema`.

use super::model::SchemaSet;
use super::{schema_or_outcome, table_label};
use crate::analyzers::scan;
use crate::extract::sql::query::{shape, QueryKind};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let sets = match schema_or_outcome(facts) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    let mut indexes = Vec::new();
    let mut tables = 0;
    for set in &sets {
        for i in &set.indexes {
            indexes.push(Evidence::new(
                i.at.clone(),
                format!(
                    "{}index on {}({})",
                    if i.unique { "unique " } else { "" },
                    table_label(&sets, set, &i.table),
                    i.columns.join(", ")
                ),
            ));
        }
        for t in set.tables.iter().filter(|t| !t.opaque) {
            tables += 1;
            for fk in &t.fks {
                let label = table_label(&sets, set, &t.name);
                if set.mysql || set.covered(t, &fk.columns) {
                    covered.push(Evidence::new(
                        fk.at.clone(),
                        format!(
                            "foreign key {label}({}) is indexed{}",
                            fk.columns.join(", "),
                            if set.mysql {
                                " (InnoDB indexes foreign keys)"
                            } else {
                                ""
                            }
                        ),
                    ));
                } else {
                    uncovered.push(Evidence::new(
                        fk.at.clone(),
                        format!(
                            "foreign key {label}({}) → `{}` has no index leading with it",
                            fk.columns.join(", "),
                            fk.ref_table
                        ),
                    ));
                }
            }
        }
    }
    let (filtered, unfiltered) = query_filters(facts, &sets);
    let looked = "an index leading with every foreign-key column and with the columns queries filter on (CREATE INDEX .. ON child (parent_id))";
    let fk_total = covered.len() + uncovered.len();
    if !uncovered.is_empty() && covered.is_empty() && indexes.is_empty() {
        return Outcome::fail(format!(
            "none of the {} foreign key(s) is indexed and the schema has no secondary index",
            uncovered.len()
        ))
        .with(uncovered)
        .with(unfiltered)
        .looked_for(looked);
    }
    if uncovered.is_empty() && unfiltered.is_empty() {
        if indexes.is_empty() && fk_total == 0 && filtered.is_empty() && tables >= 3 {
            return Outcome::partial(format!(
                "{tables} tables and no secondary index; no query filter could be read from the code to show the primary keys suffice"
            ))
            .at(sets[0].tables[0].at.clone(), "no CREATE INDEX in this schema")
            .looked_for(looked);
        }
        if indexes.is_empty() && fk_total == 0 && filtered.is_empty() {
            return Outcome::pass(format!(
                "{tables} table(s) with no foreign key and no filter read from the code: the primary keys serve every lookup seen"
            ))
            .with(
                sets.iter()
                    .flat_map(|s| s.tables.iter())
                    .filter_map(|t| t.pk.as_ref().map(|k| Evidence::new(k.at.clone(), format!("`{}` primary key ({})", t.name, k.columns.join(", ")))))
                    .take(3),
            );
        }
        let mut parts = vec![format!("{} index(es)", indexes.len())];
        if fk_total > 0 {
            parts.push(format!("all {fk_total} foreign key(s) indexed"));
        }
        if !filtered.is_empty() {
            parts.push(format!("{} query filter(s) use an index", filtered.len()));
        }
        return Outcome::pass(parts.join("; "))
            .with(covered)
            .with(filtered)
            .with(indexes);
    }
    let mut parts = Vec::new();
    if !uncovered.is_empty() {
        parts.push(format!(
            "{} of {fk_total} foreign key(s) have no index",
            uncovered.len()
        ));
    }
    if !unfiltered.is_empty() {
        parts.push(format!(
            "{} query filter(s) on columns no index leads with",
            unfiltered.len()
        ));
    }
    Outcome::partial(parts.join("; "))
        .with(uncovered)
        .with(unfiltered)
        .with_found(covered)
        .with_found(indexes)
        .looked_for(looked)
}

/// Filters read from single-table queries in code and `.sql` query files,
/// split into indexed and not indexed.
pub fn query_filters(facts: &Facts, sets: &[SchemaSet]) -> (Vec<Evidence>, Vec<Evidence>) {
    let mut ok = Vec::new();
    let mut missing = Vec::new();
    let mut queries: Vec<(Location, String)> = scan::literals(facts)
        .map(|(f, l)| (Location::new(f.path.clone(), l.line), l.value.clone()))
        .collect();
    for t in facts.texts_where(|t| {
        t.kind == crate::classify::FileKind::Sql
            && t.role.is_service()
            && crate::extract::sql::migration_of(&t.path).is_none()
    }) {
        let mut line = 1;
        for stmt in t.text.split(';') {
            let lead = stmt.len() - stmt.trim_start().len();
            let at = line + stmt[..lead].matches('\n').count() as u32;
            queries.push((Location::new(t.path.clone(), at), stmt.to_string()));
            line += stmt.matches('\n').count() as u32;
        }
    }
    for (at, text) in queries {
        let Some(q) = shape(&text) else { continue };
        if q.kind == QueryKind::Insert || q.filters.is_empty() {
            continue;
        }
        let Some(table) = &q.table else { continue };
        let homes: Vec<_> = sets
            .iter()
            .filter_map(|s| s.table(table).filter(|t| !t.opaque).map(|t| (s, t)))
            .collect();
        if homes.is_empty() {
            continue;
        }
        // Only columns the table has (not parameters, functions or aliases).
        let cols: Vec<&String> = q
            .filters
            .iter()
            .filter(|c| {
                homes
                    .iter()
                    .any(|(_, t)| t.columns.iter().any(|x| &&x.name == c))
            })
            .collect();
        if cols.is_empty() {
            continue;
        }
        let indexed = cols
            .iter()
            .any(|c| homes.iter().any(|(s, t)| s.leads_with(t, c)));
        let list = cols
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if indexed {
            ok.push(Evidence::new(
                at,
                format!("query on `{table}` filters by {list}, which an index leads with"),
            ));
        } else {
            missing.push(Evidence::new(
                at,
                format!("query on `{table}` filters by {list}, which no index leads with"),
            ));
        }
    }
    ok.sort();
    ok.dedup();
    missing.sort();
    missing.dedup();
    (ok, missing)
}
