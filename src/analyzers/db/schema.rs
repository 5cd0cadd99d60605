//! `db.schema`: the schema is normalized — every table has a primary key,
//! tables that relate are joined by foreign keys, and no table repeats a group
//! of numbered columns.
//!
//! The schema is the one migrations leave behind (see [`super::model`]):
//! `.sql` migrations replayed in version order, schema files, SQL literals in
//! code and sea-orm-migration builders.
//!
//! pass: every table has a primary key, foreign keys relate the tables, no
//! repeated column groups · partial: some tables lack a primary key, three or
//! more tables with no foreign key at all, or a repeated group · fail: no table
//! has a primary key · manual: a SQL database whose schema is not in the
//! repository · n/a: no database, or only document stores.

use super::model::repeated_groups;
use super::{schema_or_outcome, table_label};
use crate::rules::{Evidence, Outcome, RuleDef};

pub fn decide(facts: &crate::facts::Facts, _rule: &RuleDef) -> Outcome {
    let sets = match schema_or_outcome(facts) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let mut tables = 0;
    let mut with_pk = Vec::new();
    let mut without_pk = Vec::new();
    let mut fks = Vec::new();
    let mut groups = Vec::new();
    let mut unrelated = Vec::new();
    for set in &sets {
        let mut set_fks = 0;
        let known: Vec<_> = set.tables.iter().filter(|t| !t.opaque).collect();
        for t in &known {
            tables += 1;
            let label = table_label(&sets, set, &t.name);
            // A UNIQUE key over NOT NULL columns identifies rows as well as a
            // primary key does.
            let natural = t.uniques.iter().find(|k| {
                !k.columns.is_empty()
                    && k.columns
                        .iter()
                        .all(|c| t.columns.iter().any(|x| &x.name == c && x.not_null))
            });
            match (&t.pk, natural) {
                (Some(k), _) => with_pk.push(Evidence::new(
                    k.at.clone(),
                    format!("{label} has primary key ({})", k.columns.join(", ")),
                )),
                (None, Some(k)) => with_pk.push(Evidence::new(
                    k.at.clone(),
                    format!("{label} has no primary key, but UNIQUE ({}) on NOT NULL columns identifies its rows", k.columns.join(", ")),
                )),
                (None, None) => without_pk.push(Evidence::new(
                    t.at.clone(),
                    format!("{label} has no primary key (nor a UNIQUE key on NOT NULL columns)"),
                )),
            }
            for fk in &t.fks {
                set_fks += 1;
                fks.push(Evidence::new(
                    fk.at.clone(),
                    format!(
                        "foreign key {label}({}) → `{}`",
                        fk.columns.join(", "),
                        fk.ref_table
                    ),
                ));
            }
            for (stem, cols) in repeated_groups(t) {
                groups.push(Evidence::new(
                    cols[0].at.clone(),
                    format!(
                        "{label} repeats a column group: {} — `{stem}` values belong in a child table",
                        cols.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        if known.len() >= 3 && set_fks == 0 {
            unrelated.push(Evidence::new(
                known[0].at.clone(),
                format!(
                    "{} tables in `{}` and not one foreign key between them",
                    known.len(),
                    set.name
                ),
            ));
        }
    }
    let looked = "a primary key on every table, foreign keys between related tables, and no repeated numbered columns (phone1, phone2, phone3)";
    if tables == 0 {
        return Outcome::manual(
            "the schema is only altered here (tables are created elsewhere); review it where it is defined",
        );
    }
    if with_pk.is_empty() {
        return Outcome::fail(format!("none of the {tables} table(s) has a primary key"))
            .with(without_pk)
            .with(groups)
            .looked_for(looked);
    }
    let problems = without_pk.len() + groups.len() + unrelated.len();
    if problems == 0 {
        let summary = if fks.is_empty() {
            format!("all {tables} table(s) have primary keys")
        } else {
            format!(
                "all {tables} table(s) have primary keys; {} foreign key(s) relate them",
                fks.len()
            )
        };
        return Outcome::pass(summary).with(fks).with(with_pk);
    }
    let mut parts = Vec::new();
    if !without_pk.is_empty() {
        parts.push(format!(
            "{} of {tables} table(s) have no primary key",
            without_pk.len()
        ));
    }
    if !unrelated.is_empty() {
        parts.push("tables are not related by any foreign key".to_string());
    }
    if !groups.is_empty() {
        parts.push(format!("{} repeated column group(s)", groups.len()));
    }
    Outcome::partial(parts.join("; "))
        .with(without_pk)
        .with(unrelated)
        .with(groups)
        .with_found(fks)
        .looked_for(looked)
}
