//! The schema a service ends up with: migration histories replayed in order.
//!
//! Each migration set (one folder of versioned files, one Rust file of SQL
//! literals, one sea-orm-migration crate) is replayed from its first version to
//! its last, down migrations skipped: `CREATE TABLE`, then the `ALTER TABLE`s that
//! add keys and columns (pg_dump writes primary keys that way), renames and
//! drops. Standalone schema files (`schema.sql`, `db/init.sql`) are sets of their
//! own. The result is what data rules judge: tables with their keys and
//! constraints, and indexes with their columns, each with the line that made it.

use crate::extract::sql::{Alter, Column, ConstraintKind, Ddl, SqlOrigin, SqlSource, Table};
use crate::facts::Facts;
use crate::location::Location;
use std::collections::BTreeMap;

/// One replayed migration history (or schema file).
#[derive(Debug, Clone, Default)]
pub struct SchemaSet {
    /// The set's folder or file.
    pub name: String,
    /// MySQL/MariaDB: foreign-key columns are indexed automatically.
    pub mysql: bool,
    /// Migration files replayed (0 for a plain schema file).
    pub migrations: usize,
    pub tables: Vec<TableState>,
    pub indexes: Vec<IndexState>,
}

#[derive(Debug, Clone)]
pub struct TableState {
    pub name: String,
    pub at: Location,
    pub columns: Vec<ColState>,
    pub pk: Option<Key>,
    pub fks: Vec<Fk>,
    pub uniques: Vec<Key>,
    pub checks: Vec<Location>,
    /// Created with `AS SELECT`/`LIKE`, or only altered here: columns unknown.
    pub opaque: bool,
}

#[derive(Debug, Clone)]
pub struct ColState {
    pub name: String,
    pub ty: String,
    pub at: Location,
    pub not_null: bool,
}

/// A key or unique constraint: its columns, name and where it was declared.
#[derive(Debug, Clone)]
pub struct Key {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct Fk {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct IndexState {
    pub name: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
    pub unique: bool,
    pub at: Location,
}

impl SchemaSet {
    pub fn table(&self, name: &str) -> Option<&TableState> {
        self.tables.iter().find(|t| t.name == name)
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut TableState> {
        self.tables.iter_mut().find(|t| t.name == name)
    }

    /// Column lists that index `table`: its primary key, unique constraints and indexes.
    pub fn index_columns<'a>(
        &'a self,
        table: &'a TableState,
    ) -> impl Iterator<Item = &'a [String]> + 'a {
        table
            .pk
            .iter()
            .chain(&table.uniques)
            .map(|k| k.columns.as_slice())
            .chain(
                self.indexes
                    .iter()
                    .filter(move |i| i.table == table.name)
                    .map(|i| i.columns.as_slice()),
            )
    }

    /// Whether some index leads with exactly `cols` (in any order), so lookups
    /// on them need no scan.
    pub fn covered(&self, table: &TableState, cols: &[String]) -> bool {
        self.index_columns(table)
            .any(|ix| ix.len() >= cols.len() && cols.iter().all(|c| ix[..cols.len()].contains(c)))
    }

    /// Whether some index leads with `col`.
    pub fn leads_with(&self, table: &TableState, col: &str) -> bool {
        self.index_columns(table)
            .any(|ix| ix.first().is_some_and(|c| c == col))
    }
}

/// Whether a `.sql` file outside a migrations folder is a schema definition
/// (`schema.sql`, `db/init.sql`, `sql/tables.sql`) rather than a query file,
/// fixture or syntax sample.
fn schema_like(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let name_hint = [
        "schema",
        "init",
        "ddl",
        "tables",
        "structure",
        "setup",
        "create",
    ]
    .iter()
    .any(|k| name.contains(k));
    let dir_hint = parts
        .iter()
        .any(|d| matches!(*d, "db" | "sql" | "database" | "schema" | "schemas" | "ddl"));
    let noise = parts.iter().any(|d| {
        matches!(
            *d,
            "assets" | "static" | "syntaxes" | "docs" | "doc" | "examples" | "queries"
        )
    });
    (name_hint || dir_hint) && !noise
}

/// The sources that describe the service's schema: service code and files.
fn schema_sources(facts: &Facts) -> Vec<&SqlSource> {
    facts
        .sql
        .iter()
        .filter(|s| s.role.is_service())
        .filter(|s| s.migration.is_some() || s.origin != SqlOrigin::File || schema_like(&s.path))
        .filter(|s| !s.statements.is_empty() || s.migration.is_some())
        .collect()
}

/// Replay every schema source into its set.
pub fn schema(facts: &Facts) -> Vec<SchemaSet> {
    let mut groups: BTreeMap<String, Vec<&SqlSource>> = BTreeMap::new();
    for s in schema_sources(facts) {
        let key = match &s.migration {
            Some(m) if s.origin == SqlOrigin::File || s.origin == SqlOrigin::SeaQuery => {
                m.set.clone()
            }
            _ => s.path.clone(),
        };
        groups.entry(key).or_default().push(s);
    }
    let mut out = Vec::new();
    for (name, mut sources) in groups {
        sources.sort_by_key(|s| order_key(s));
        let mut set = SchemaSet {
            name,
            ..SchemaSet::default()
        };
        for src in sources {
            if src.migration.as_ref().is_some_and(|m| m.down) {
                continue;
            }
            set.mysql |= src.mysql;
            if src.migration.is_some() {
                set.migrations += 1;
            }
            for st in &src.statements {
                apply(&mut set, &src.path, st);
            }
        }
        if !set.tables.is_empty() {
            out.push(set);
        }
    }
    out
}

/// Versions compare as numbers (`V2` before `V10`), then by name and path.
fn order_key(s: &SqlSource) -> (u128, String, String) {
    let v = s
        .migration
        .as_ref()
        .and_then(|m| m.version.as_ref())
        .and_then(|v| {
            v.get(..v.len().min(38))
                .and_then(|d| d.parse::<u128>().ok())
        })
        .unwrap_or(0);
    let name = s
        .migration
        .as_ref()
        .map(|m| m.name.clone())
        .unwrap_or_default();
    (v, name, s.path.clone())
}

fn col_state(path: &str, c: &Column) -> ColState {
    ColState {
        name: c.name.clone(),
        ty: c.ty.clone(),
        at: Location::new(path, c.line),
        not_null: c.not_null || c.primary_key,
    }
}

fn add_column(t: &mut TableState, path: &str, c: &Column) {
    let at = Location::new(path, c.line);
    if c.primary_key {
        t.pk = Some(Key {
            name: None,
            columns: vec![c.name.clone()],
            at: at.clone(),
        });
    }
    if c.unique {
        t.uniques.push(Key {
            name: None,
            columns: vec![c.name.clone()],
            at: at.clone(),
        });
    }
    if c.check {
        t.checks.push(at.clone());
    }
    if let Some(r) = &c.references {
        t.fks.push(Fk {
            name: None,
            columns: vec![c.name.clone()],
            ref_table: r.table.clone(),
            at,
        });
    }
    t.columns.retain(|x| x.name != c.name);
    t.columns.push(col_state(path, c));
}

fn add_constraint(
    set: &mut SchemaSet,
    table: &str,
    path: &str,
    k: &crate::extract::sql::Constraint,
) {
    let at = Location::new(path, k.line);
    let key = Key {
        name: k.name.clone(),
        columns: k.columns.clone(),
        at: at.clone(),
    };
    if let ConstraintKind::Index = k.kind {
        set.indexes.push(IndexState {
            name: k.name.clone(),
            table: table.to_string(),
            columns: k.columns.clone(),
            unique: false,
            at,
        });
        return;
    }
    let Some(t) = set.table_mut(table) else {
        return;
    };
    match &k.kind {
        ConstraintKind::PrimaryKey => {
            for c in t.columns.iter_mut().filter(|c| k.columns.contains(&c.name)) {
                c.not_null = true;
            }
            t.pk = Some(key);
        }
        ConstraintKind::Unique => t.uniques.push(key),
        ConstraintKind::ForeignKey { references } => t.fks.push(Fk {
            name: k.name.clone(),
            columns: k.columns.clone(),
            ref_table: references.table.clone(),
            at,
        }),
        ConstraintKind::Check | ConstraintKind::Exclude => t.checks.push(at),
        ConstraintKind::Index => {}
    }
}

fn create(set: &mut SchemaSet, path: &str, t: &Table) {
    if set.table(&t.name).is_some_and(|x| !x.opaque) {
        return; // CREATE TABLE IF NOT EXISTS again
    }
    set.tables.retain(|x| x.name != t.name);
    let mut st = TableState {
        name: t.name.clone(),
        at: Location::new(path, t.line),
        columns: Vec::new(),
        pk: None,
        fks: Vec::new(),
        uniques: Vec::new(),
        checks: Vec::new(),
        opaque: t.opaque,
    };
    for c in &t.columns {
        add_column(&mut st, path, c);
    }
    set.tables.push(st);
    for k in &t.constraints {
        add_constraint(set, &t.name, path, k);
    }
}

fn apply(set: &mut SchemaSet, path: &str, st: &Ddl) {
    match st {
        Ddl::CreateTable(t) if !t.name.is_empty() => create(set, path, t),
        Ddl::CreateTable(_) => {}
        Ddl::CreateIndex(i) => set.indexes.push(IndexState {
            name: i.name.clone(),
            table: i.table.clone(),
            columns: i.columns.clone(),
            unique: i.unique,
            at: Location::new(path, i.line),
        }),
        Ddl::DropTable { tables, .. } => {
            set.tables.retain(|t| !tables.contains(&t.name));
            set.indexes.retain(|i| !tables.contains(&i.table));
        }
        Ddl::DropIndex { names, .. } => {
            set.indexes
                .retain(|i| !i.name.as_ref().is_some_and(|n| names.contains(n)));
            for t in &mut set.tables {
                t.uniques
                    .retain(|k| !k.name.as_ref().is_some_and(|n| names.contains(n)));
            }
        }
        Ddl::AlterTable {
            table,
            line,
            actions,
        } => {
            if set.table(table).is_none() {
                if table.is_empty() {
                    return;
                }
                set.tables.push(TableState {
                    name: table.clone(),
                    at: Location::new(path, *line),
                    columns: Vec::new(),
                    pk: None,
                    fks: Vec::new(),
                    uniques: Vec::new(),
                    checks: Vec::new(),
                    opaque: true,
                });
            }
            for a in actions {
                alter(set, table, path, a);
            }
        }
    }
}

fn alter(set: &mut SchemaSet, table: &str, path: &str, a: &Alter) {
    match a {
        Alter::AddConstraint(k) => add_constraint(set, table, path, k),
        Alter::RenameTo { to } => {
            if let Some(t) = set.table_mut(table) {
                t.name = to.clone();
            }
            for i in set.indexes.iter_mut().filter(|i| i.table == table) {
                i.table = to.clone();
            }
            for t in &mut set.tables {
                for fk in t.fks.iter_mut().filter(|f| f.ref_table == table) {
                    fk.ref_table = to.clone();
                }
            }
        }
        _ => {
            let Some(t) = set.table_mut(table) else {
                return;
            };
            match a {
                Alter::AddColumn(c) => add_column(t, path, c),
                Alter::DropColumn { column } => {
                    t.columns.retain(|c| &c.name != column);
                    t.fks.retain(|f| !f.columns.contains(column));
                    t.uniques.retain(|k| !k.columns.contains(column));
                    if t.pk.as_ref().is_some_and(|k| k.columns.contains(column)) {
                        t.pk = None;
                    }
                    let name = t.name.clone();
                    set.indexes
                        .retain(|i| !(i.table == name && i.columns.contains(column)));
                }
                Alter::DropConstraint { name } => {
                    if name == "primary"
                        || t.pk.as_ref().is_some_and(|k| k.name.as_ref() == Some(name))
                    {
                        t.pk = None;
                    }
                    t.fks.retain(|f| f.name.as_ref() != Some(name));
                    t.uniques.retain(|k| k.name.as_ref() != Some(name));
                    set.indexes.retain(|i| i.name.as_ref() != Some(name));
                }
                Alter::SetNotNull { column } | Alter::DropNotNull { column } => {
                    let nn = matches!(a, Alter::SetNotNull { .. });
                    for c in t.columns.iter_mut().filter(|c| &c.name == column) {
                        c.not_null = nn;
                    }
                }
                Alter::RenameColumn { from, to } => {
                    for c in t.columns.iter_mut().filter(|c| &c.name == from) {
                        c.name = to.clone();
                    }
                    let keys = t.pk.iter_mut().chain(t.uniques.iter_mut());
                    for k in keys {
                        for c in k.columns.iter_mut().filter(|c| *c == from) {
                            *c = to.clone();
                        }
                    }
                    for f in &mut t.fks {
                        for c in f.columns.iter_mut().filter(|c| *c == from) {
                            *c = to.clone();
                        }
                    }
                    let name = t.name.clone();
                    for i in set.indexes.iter_mut().filter(|i| i.table == name) {
                        for c in i.columns.iter_mut().filter(|c| *c == from) {
                            *c = to.clone();
                        }
                    }
                }
                Alter::AddConstraint(_) | Alter::RenameTo { .. } => {}
            }
        }
    }
}

/// Groups of numbered columns of the same stem (`phone1`, `phone2`, `phone3`):
/// a repeating group that belongs in its own table. Returns (stem, columns).
pub fn repeated_groups(t: &TableState) -> Vec<(String, Vec<&ColState>)> {
    let mut by_stem: BTreeMap<String, Vec<(&ColState, u32)>> = BTreeMap::new();
    for c in &t.columns {
        let digits: String = c
            .name
            .chars()
            .rev()
            .take_while(|ch| ch.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if digits.is_empty() {
            continue;
        }
        let stem = c.name[..c.name.len() - digits.len()].trim_end_matches('_');
        let n: u32 = digits.parse().unwrap_or(u32::MAX);
        if stem.chars().filter(|ch| ch.is_alphabetic()).count() < 2 || n > 20 {
            continue;
        }
        by_stem.entry(stem.to_string()).or_default().push((c, n));
    }
    by_stem
        .into_iter()
        .filter(|(_, v)| {
            let mut ns: Vec<u32> = v.iter().map(|(_, n)| *n).collect();
            ns.sort();
            ns.dedup();
            ns.len() >= 3
        })
        .map(|(stem, v)| (stem, v.into_iter().map(|(c, _)| c).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Role;
    use crate::extract::sql::{extract_file, SqlSource};

    fn replay(files: &[(&str, &str)]) -> Vec<SchemaSet> {
        let facts = Facts {
            sql: files
                .iter()
                .map(|(p, t)| extract_file(p, Role::Service, t))
                .collect::<Vec<SqlSource>>(),
            ..Facts::default()
        };
        schema(&facts)
    }

    #[test]
    fn replays_in_version_order_and_skips_down() {
        let sets = replay(&[
            ("migrations/V10__fk.sql", "ALTER TABLE b ADD CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a(id);"),
            ("migrations/V2__b.sql", "CREATE TABLE b (id int, a_id int);\nALTER TABLE ONLY b ADD CONSTRAINT b_pkey PRIMARY KEY (id);"),
            ("migrations/V1__a.sql", "CREATE TABLE a (id int PRIMARY KEY);"),
            ("migrations/U2__b.sql", "DROP TABLE b;"),
            ("migrations/V3__idx.sql", "CREATE INDEX b_a_idx ON b (a_id);"),
        ]);
        assert_eq!(sets.len(), 1);
        let s = &sets[0];
        assert_eq!(s.migrations, 4);
        let b = s.table("b").unwrap();
        assert!(b.pk.is_some());
        assert_eq!(b.fks.len(), 1);
        assert!(s.covered(b, &b.fks[0].columns));
    }

    #[test]
    fn renames_and_drops_follow() {
        let sets = replay(&[(
            "db/schema.sql",
            "CREATE TABLE t (id int PRIMARY KEY, x int);\nCREATE INDEX t_x ON t (x);\nALTER TABLE t RENAME COLUMN x TO y;\nALTER TABLE t RENAME TO u;",
        )]);
        let u = sets[0].table("u").unwrap();
        assert!(sets[0].leads_with(u, "y"));
    }

    #[test]
    fn query_files_and_samples_are_not_schema() {
        assert!(
            replay(&[("assets/syntaxes/SQL/test.sql", "CREATE TABLE foo (id int);")]).is_empty()
        );
        assert!(replay(&[("src/get_user.sql", "SELECT * FROM users WHERE id = $1")]).is_empty());
    }

    #[test]
    fn numbered_column_groups() {
        let sets = replay(&[(
            "schema.sql",
            "CREATE TABLE c (id int PRIMARY KEY, phone1 text, phone2 text, phone3 text, p50 int, p90 int, p99 int, line1 text, line2 text);",
        )]);
        let groups = repeated_groups(sets[0].table("c").unwrap());
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].0, "phone");
    }
}
