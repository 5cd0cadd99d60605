//! Schema statements from SQL tokens: `CREATE TABLE`, `CREATE INDEX`,
//! `ALTER TABLE`, `DROP TABLE`/`INDEX`, MySQL `RENAME TABLE`.
//!
//! Postgres, MySQL/MariaDB and SQLite spellings are read; anything else
//! (functions, views, types, grants, data changes) is skipped. Parsing is
//! forgiving: a clause it does not know is passed over, never an error, so one
//! vendor extension does not lose the rest of a migration.

use super::lexer::{statements, Tok};
use super::{Alter, Column, Constraint, ConstraintKind, Ddl, Index, Reference, Table};

/// Every schema statement in a token stream, in order.
pub fn parse(toks: &[Tok]) -> Vec<Ddl> {
    statements(toks).into_iter().filter_map(statement).collect()
}

/// A cursor over one statement's tokens.
struct Cur<'a> {
    t: &'a [Tok],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(t: &'a [Tok]) -> Self {
        Cur { t, i: 0 }
    }
    fn peek(&self) -> Option<&'a Tok> {
        self.t.get(self.i)
    }
    fn peek_is(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is(kw))
    }
    fn eat(&mut self, kw: &str) -> bool {
        if self.peek_is(kw) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Eat a sequence of keywords, all or nothing.
    fn eat_seq(&mut self, kws: &[&str]) -> bool {
        let ok = kws
            .iter()
            .enumerate()
            .all(|(k, kw)| self.t.get(self.i + k).is_some_and(|t| t.is(kw)));
        if ok {
            self.i += kws.len();
        }
        ok
    }
    fn eat_punct(&mut self, c: char) -> bool {
        if self.peek().is_some_and(|t| t.is_punct(c)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn line(&self) -> u32 {
        self.peek()
            .or_else(|| self.t.last())
            .map(|t| t.line)
            .unwrap_or(0)
    }
    /// A possibly qualified name (`public.users`, `"Users"`): its last part, lower-cased.
    fn name(&mut self) -> Option<String> {
        let t = self.peek().filter(|t| t.is_name())?;
        self.i += 1;
        let mut last = t;
        while self.peek().is_some_and(|t| t.is_punct('.'))
            && self.t.get(self.i + 1).is_some_and(|t| t.is_name())
        {
            last = &self.t[self.i + 1];
            self.i += 2;
        }
        Some(norm(last))
    }
    /// The tokens of a parenthesised group starting here (without the parens).
    fn group(&mut self) -> Option<&'a [Tok]> {
        if !self.peek().is_some_and(|t| t.is_punct('(')) {
            return None;
        }
        let start = self.i + 1;
        let mut depth = 0;
        while let Some(t) = self.peek() {
            if t.is_punct('(') {
                depth += 1;
            } else if t.is_punct(')') {
                depth -= 1;
                if depth == 0 {
                    let g = &self.t[start..self.i];
                    self.i += 1;
                    return Some(g);
                }
            }
            self.i += 1;
        }
        Some(&self.t[start..])
    }
    fn rest(&self) -> &'a [Tok] {
        &self.t[self.i.min(self.t.len())..]
    }
}

/// An identifier as rules compare it: lower-cased, quotes already removed by
/// the lexer. (Postgres keeps the case of quoted names; matching keys and
/// indexes across statements does not need that distinction.)
fn norm(t: &Tok) -> String {
    t.text.to_ascii_lowercase()
}

fn statement(toks: &[Tok]) -> Option<Ddl> {
    let mut c = Cur::new(toks);
    let line = c.line();
    if c.eat("CREATE") {
        c.eat_seq(&["OR", "REPLACE"]);
        let mut unique = false;
        loop {
            if c.eat("GLOBAL") || c.eat("LOCAL") || c.eat("UNLOGGED") {
                continue;
            }
            if c.eat("TEMP") || c.eat("TEMPORARY") {
                return None; // temporary tables are not schema
            }
            if c.eat("UNIQUE") {
                unique = true;
                continue;
            }
            if c.eat("FULLTEXT") || c.eat("SPATIAL") || c.eat("CLUSTERED") || c.eat("NONCLUSTERED")
            {
                continue;
            }
            break;
        }
        if c.eat("TABLE") {
            return create_table(&mut c, line).map(Ddl::CreateTable);
        }
        if c.eat("INDEX") {
            return create_index(&mut c, line, unique).map(Ddl::CreateIndex);
        }
        return None;
    }
    if c.eat("ALTER") && c.eat("TABLE") {
        c.eat_seq(&["IF", "EXISTS"]);
        c.eat("ONLY");
        let table = c.name()?;
        let actions = alter_actions(&mut c);
        return Some(Ddl::AlterTable {
            table,
            line,
            actions,
        });
    }
    if c.eat("DROP") {
        if c.eat("TABLE") {
            c.eat_seq(&["IF", "EXISTS"]);
            let tables = name_list(&mut c);
            return (!tables.is_empty()).then_some(Ddl::DropTable { tables, line });
        }
        if c.eat("INDEX") {
            c.eat("CONCURRENTLY");
            c.eat_seq(&["IF", "EXISTS"]);
            let names = name_list(&mut c);
            return (!names.is_empty()).then_some(Ddl::DropIndex { names, line });
        }
        return None;
    }
    if c.eat("RENAME") && c.eat("TABLE") {
        let from = c.name()?;
        c.eat("TO");
        let to = c.name()?;
        return Some(Ddl::AlterTable {
            table: from,
            line,
            actions: vec![Alter::RenameTo { to }],
        });
    }
    None
}

fn name_list(c: &mut Cur) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(n) = c.name() {
        out.push(n);
        if !c.eat_punct(',') {
            break;
        }
    }
    out
}

fn create_table(c: &mut Cur, line: u32) -> Option<Table> {
    c.eat_seq(&["IF", "NOT", "EXISTS"]);
    let name_line = c.line();
    let name = c.name()?;
    let mut table = Table {
        name,
        line: name_line.max(line),
        columns: Vec::new(),
        constraints: Vec::new(),
        opaque: false,
    };
    if c.peek_is("AS") || c.peek_is("LIKE") || c.peek_is("PARTITION") || c.peek_is("OF") {
        table.opaque = true;
        return Some(table);
    }
    let Some(body) = c.group() else {
        table.opaque = true;
        return Some(table);
    };
    for part in split_commas(body) {
        if part.is_empty() {
            continue;
        }
        if let Some(k) = table_constraint(part) {
            table.constraints.push(k);
        } else if part[0].is("LIKE") {
            table.opaque = true;
        } else if let Some(col) = column(part) {
            table.columns.push(col);
        }
    }
    Some(table)
}

/// Split a token slice at top-level commas.
fn split_commas(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth -= 1;
        } else if t.is_punct(',') && depth == 0 {
            out.push(&toks[start..i]);
            start = i + 1;
        }
    }
    out.push(&toks[start..]);
    out
}

/// Column names of a `(a, b DESC, lower(c))` list: plain names as names,
/// expressions as their compact text.
fn column_list(toks: &[Tok]) -> Vec<String> {
    split_commas(toks)
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p[0].is_name() && (p.len() == 1 || !p[1].is_punct('(')) {
                norm(&p[0])
            } else {
                p.iter()
                    .map(|t| t.text.to_ascii_lowercase())
                    .collect::<String>()
            }
        })
        .collect()
}

/// A table-level constraint, when the element is one.
fn table_constraint(part: &[Tok]) -> Option<Constraint> {
    let mut c = Cur::new(part);
    let line = c.line();
    let mut name = None;
    if c.eat("CONSTRAINT") {
        name = c.name();
    }
    let kind;
    let mut columns = Vec::new();
    if c.eat_seq(&["PRIMARY", "KEY"]) {
        kind = ConstraintKind::PrimaryKey;
        skip_index_name(&mut c);
        columns = c.group().map(column_list).unwrap_or_default();
    } else if c.eat("UNIQUE") {
        let _ = c.eat("KEY") || c.eat("INDEX");
        skip_index_name(&mut c);
        kind = ConstraintKind::Unique;
        columns = c.group().map(column_list).unwrap_or_default();
    } else if c.eat_seq(&["FOREIGN", "KEY"]) {
        skip_index_name(&mut c);
        columns = c.group().map(column_list).unwrap_or_default();
        let references = reference(&mut c)?;
        kind = ConstraintKind::ForeignKey { references };
    } else if c.eat("CHECK") {
        kind = ConstraintKind::Check;
    } else if c.eat("EXCLUDE") {
        kind = ConstraintKind::Exclude;
    } else if name.is_none() && (c.peek_is("KEY") || c.peek_is("INDEX")) {
        // MySQL `KEY idx (a)`; but a column may be named `key` or `index`
        // (`key TEXT NOT NULL`), so require the `[name] (` shape.
        c.i += 1;
        skip_index_name(&mut c);
        let g = c.group()?;
        kind = ConstraintKind::Index;
        columns = column_list(g);
    } else if name.is_none() && (c.peek_is("FULLTEXT") || c.peek_is("SPATIAL")) {
        return Some(Constraint {
            name: None,
            kind: ConstraintKind::Index,
            columns: Vec::new(),
            line,
        });
    } else {
        return None;
    }
    Some(Constraint {
        name,
        kind,
        columns,
        line,
    })
}

/// `[name] [USING btree]` before a MySQL key's column list.
fn skip_index_name(c: &mut Cur) {
    if c.peek().is_some_and(|t| t.is_name() && !t.is("USING")) {
        c.i += 1;
    }
    if c.eat("USING") {
        c.i += 1;
    }
}

/// `REFERENCES t [(a, b)] [ON DELETE ..]`.
fn reference(c: &mut Cur) -> Option<Reference> {
    if !c.eat("REFERENCES") {
        return None;
    }
    let table = c.name()?;
    let columns = c.group().map(column_list).unwrap_or_default();
    Some(Reference { table, columns })
}

/// Words that end a column's type and start its constraints.
const COLUMN_CLAUSES: &[&str] = &[
    "NOT",
    "NULL",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "CHECK",
    "DEFAULT",
    "CONSTRAINT",
    "GENERATED",
    "COLLATE",
    "AUTO_INCREMENT",
    "AUTOINCREMENT",
    "COMMENT",
    "ON",
    "IDENTITY",
    "AS",
    "STORED",
    "VIRTUAL",
];

fn column(part: &[Tok]) -> Option<Column> {
    let mut c = Cur::new(part);
    let first = c.peek().filter(|t| t.is_name())?;
    let line = first.line;
    c.i += 1;
    let mut col = Column {
        name: norm(first),
        ty: String::new(),
        line,
        not_null: false,
        primary_key: false,
        unique: false,
        check: false,
        references: None,
    };
    // The type: words and groups until a constraint keyword.
    let mut ty = Vec::new();
    while let Some(t) = c.peek() {
        if COLUMN_CLAUSES.iter().any(|k| t.is(k)) {
            break;
        }
        if t.is_punct('(') {
            let g = c.group().unwrap_or_default();
            ty.push(format!(
                "({})",
                g.iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join("")
            ));
            continue;
        }
        ty.push(t.text.to_ascii_lowercase());
        c.i += 1;
    }
    col.ty = ty
        .join(" ")
        .replace(" (", "(")
        .replace(" [ ]", "[]")
        .replace(" [", "[")
        .replace("[ ]", "[]");
    // Constraints.
    while let Some(t) = c.peek() {
        if c.eat_seq(&["NOT", "NULL"]) {
            col.not_null = true;
        } else if c.eat_seq(&["PRIMARY", "KEY"]) {
            col.primary_key = true;
            col.not_null = true;
        } else if c.eat("UNIQUE") {
            col.unique = true;
            c.eat("KEY");
        } else if c.eat("CHECK") {
            col.check = true;
            c.group();
        } else if t.is("REFERENCES") {
            col.references = reference(&mut c);
        } else if c.eat("DEFAULT") || c.eat("COLLATE") || c.eat("COMMENT") {
            // The value: at least one token or group, then anything up to the
            // next clause keyword (`now()`, `''::text`, `(1 + 2)`, `NULL`).
            if c.group().is_none() {
                c.i += 1;
            }
            while let Some(t) = c.peek() {
                if COLUMN_CLAUSES.iter().any(|k| t.is(k)) {
                    break;
                }
                if c.group().is_none() {
                    c.i += 1;
                }
            }
        } else if c.group().is_none() {
            c.i += 1;
        }
    }
    Some(col)
}

fn alter_actions(c: &mut Cur) -> Vec<Alter> {
    let mut out = Vec::new();
    for part in split_commas(c.rest()) {
        if let Some(a) = alter_action(part) {
            out.push(a);
        }
    }
    out
}

fn alter_action(part: &[Tok]) -> Option<Alter> {
    let mut c = Cur::new(part);
    if c.eat("ADD") {
        if let Some(k) = table_constraint(c.rest()) {
            return Some(Alter::AddConstraint(k));
        }
        if c.peek_is("INDEX") || c.peek_is("KEY") {
            // `ADD INDEX idx (a)` without the constraint shape being recognised.
            return None;
        }
        c.eat("COLUMN");
        c.eat_seq(&["IF", "NOT", "EXISTS"]);
        return column(c.rest()).map(Alter::AddColumn);
    }
    if c.eat("DROP") {
        if c.eat("CONSTRAINT") {
            c.eat_seq(&["IF", "EXISTS"]);
            return c.name().map(|name| Alter::DropConstraint { name });
        }
        if c.eat_seq(&["PRIMARY", "KEY"]) {
            return Some(Alter::DropConstraint {
                name: "primary".into(),
            });
        }
        if c.eat("INDEX") || c.eat("KEY") || c.eat_seq(&["FOREIGN", "KEY"]) {
            return c.name().map(|name| Alter::DropConstraint { name });
        }
        c.eat("COLUMN");
        c.eat_seq(&["IF", "EXISTS"]);
        return c.name().map(|column| Alter::DropColumn { column });
    }
    if c.eat("ALTER") {
        c.eat("COLUMN");
        let column = c.name()?;
        if c.eat_seq(&["SET", "NOT", "NULL"]) {
            return Some(Alter::SetNotNull { column });
        }
        if c.eat_seq(&["DROP", "NOT", "NULL"]) {
            return Some(Alter::DropNotNull { column });
        }
        return None;
    }
    if c.eat("MODIFY") {
        c.eat("COLUMN");
        let col = column(c.rest())?;
        return Some(if col.not_null {
            Alter::SetNotNull { column: col.name }
        } else {
            Alter::DropNotNull { column: col.name }
        });
    }
    if c.eat("CHANGE") {
        c.eat("COLUMN");
        let from = c.name()?;
        let col = column(c.rest())?;
        return Some(Alter::RenameColumn { from, to: col.name });
    }
    if c.eat("RENAME") {
        if c.eat("TO") || c.eat("AS") {
            return c.name().map(|to| Alter::RenameTo { to });
        }
        if c.eat("CONSTRAINT") || c.eat("INDEX") || c.eat("KEY") {
            return None;
        }
        c.eat("COLUMN");
        let from = c.name()?;
        c.eat("TO");
        let to = c.name()?;
        return Some(Alter::RenameColumn { from, to });
    }
    None
}

fn create_index(c: &mut Cur, line: u32, unique: bool) -> Option<Index> {
    c.eat("CONCURRENTLY");
    c.eat_seq(&["IF", "NOT", "EXISTS"]);
    let name = if c.peek_is("ON") { None } else { c.name() };
    if !c.eat("ON") {
        return None;
    }
    c.eat("ONLY");
    let table = c.name()?;
    if c.eat("USING") {
        c.i += 1;
    }
    let columns = c.group().map(column_list).unwrap_or_default();
    let partial = c.rest().iter().any(|t| t.is("WHERE"));
    Some(Index {
        name,
        table,
        columns,
        unique,
        partial,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    fn ddl(sql: &str) -> Vec<Ddl> {
        parse(&lex(sql, 1))
    }

    #[test]
    fn create_table_with_inline_and_table_constraints() {
        let d = ddl(
            "CREATE TABLE IF NOT EXISTS public.orders (\n  id uuid PRIMARY KEY,\n  customer_id bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,\n  total numeric(10, 2) NOT NULL CHECK (total >= 0),\n  email text UNIQUE,\n  created timestamp with time zone DEFAULT now() NOT NULL,\n  CONSTRAINT uq UNIQUE (customer_id, email)\n);",
        );
        let Ddl::CreateTable(t) = &d[0] else {
            panic!("{d:?}")
        };
        assert_eq!(t.name, "orders");
        assert_eq!(t.columns.len(), 5);
        assert!(t.columns[0].primary_key);
        let cust = &t.columns[1];
        assert!(cust.not_null);
        assert_eq!(cust.line, 3);
        assert_eq!(cust.references.as_ref().unwrap().table, "customers");
        assert_eq!(t.columns[2].ty, "numeric(10,2)");
        assert!(t.columns[2].check);
        assert!(t.columns[3].unique);
        assert!(t.columns[4].not_null, "{:?}", t.columns[4]);
        assert_eq!(t.constraints[0].columns, ["customer_id", "email"]);
    }

    #[test]
    fn indexes_alters_and_drops() {
        let d = ddl(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_a ON ONLY t USING btree (a, lower(b)) WHERE a > 0;\nCREATE INDEX ON t (c);\nALTER TABLE ONLY t ADD CONSTRAINT t_pkey PRIMARY KEY (id), ADD COLUMN x int NOT NULL, ALTER COLUMN y SET NOT NULL;\nALTER TABLE t ADD FOREIGN KEY (u) REFERENCES users (id);\nDROP TABLE IF EXISTS a, b CASCADE;",
        );
        let Ddl::CreateIndex(i) = &d[0] else { panic!() };
        assert!(i.unique && i.partial);
        assert_eq!(i.columns, ["a", "lower(b)"]);
        let Ddl::CreateIndex(i2) = &d[1] else {
            panic!()
        };
        assert_eq!(i2.name, None);
        let Ddl::AlterTable { actions, .. } = &d[2] else {
            panic!()
        };
        assert_eq!(actions.len(), 3);
        assert!(
            matches!(&actions[0], Alter::AddConstraint(k) if k.kind == ConstraintKind::PrimaryKey)
        );
        assert!(matches!(&actions[1], Alter::AddColumn(c) if c.not_null));
        let Ddl::AlterTable { actions, .. } = &d[3] else {
            panic!()
        };
        assert!(matches!(
            &actions[0],
            Alter::AddConstraint(Constraint {
                kind: ConstraintKind::ForeignKey { .. },
                ..
            })
        ));
        assert!(matches!(&d[4], Ddl::DropTable { tables, .. } if tables.len() == 2));
    }

    #[test]
    fn mysql_keys_and_columns_named_key() {
        let d = ddl(
            "CREATE TABLE `t` (\n `id` INT NOT NULL AUTO_INCREMENT,\n `key` VARCHAR(32) NOT NULL,\n PRIMARY KEY (`id`),\n KEY `idx_key` (`key`),\n UNIQUE KEY `uk` (`key`)\n) ENGINE=InnoDB;",
        );
        let Ddl::CreateTable(t) = &d[0] else { panic!() };
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.columns[1].name, "key");
        assert_eq!(t.constraints.len(), 3);
        assert_eq!(t.constraints[1].kind, ConstraintKind::Index);
    }

    #[test]
    fn functions_and_views_are_skipped() {
        let d = ddl("CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN CREATE TABLE x (a int); END $$ LANGUAGE plpgsql;\nCREATE VIEW v AS SELECT 1;");
        assert!(d.is_empty());
    }
}
