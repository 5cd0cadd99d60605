//! Schema statements written with sea-query builders (sea-orm-migration).
//!
//! ```ignore
//! manager.create_table(Table::create().table(Post::Table)
//!     .col(ColumnDef::new(Post::Id).integer().not_null().primary_key())
//!     .col(string_null(Post::Title))
//!     .foreign_key(ForeignKey::create().from(Post::Table, Post::AuthorId).to(User::Table, User::Id)))
//! ```
//! becomes the same [`Ddl`] facts a `CREATE TABLE` would. Names come from the
//! `Iden` enums (`Post::Table` → `post`, `Post::AuthorId` → `author_id`),
//! `Alias::new("x")` or string literals. Only files that mention a builder
//! are parsed (a second, cheap parse of a few migration files).

use super::{Alter, Column, Constraint, ConstraintKind, Ddl, Index, Reference, Table};
use crate::extract::rust::resolve::{last_ident, line_of, lit_str};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, Token};

/// Whether a Rust text may hold sea-query schema builders.
pub fn mentions_builders(text: &str) -> bool {
    text.contains("Table::create()")
        || text.contains("Table::alter()")
        || text.contains("Index::create()")
        || text.contains("ForeignKey::create()")
}

/// Schema statements built in a Rust file, in source order.
pub fn extract(text: &str) -> Vec<Ddl> {
    let out = match syn::parse_file(text) {
        Ok(file) => {
            let mut v = Walker { out: Vec::new() };
            v.visit_file(&file);
            v.out
        }
        Err(_) => Vec::new(), // the Rust extractor reports the parse error
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    out
}

struct Walker {
    out: Vec<Ddl>,
}

type Args = Punctuated<Expr, Token![,]>;

/// A method chain from its root: `A::b(x).c(y).d()` → root `A::b(x)`, calls c, d.
struct Chain<'a> {
    root: &'a Expr,
    calls: Vec<(String, &'a Args)>,
}

fn chain(expr: &Expr) -> Chain<'_> {
    let mut calls = Vec::new();
    let mut e = expr;
    loop {
        match e {
            Expr::MethodCall(m) => {
                calls.push((m.method.to_string(), &m.args));
                e = &m.receiver;
            }
            Expr::Paren(p) => e = &p.expr,
            Expr::Reference(r) => e = &r.expr,
            _ => break,
        }
    }
    calls.reverse();
    Chain { root: e, calls }
}

fn chain_of(m: &syn::ExprMethodCall) -> Chain<'_> {
    let mut ch = chain(&m.receiver);
    ch.calls.push((m.method.to_string(), &m.args));
    ch
}

/// `Table::create` for a root `Table::create()`: the last two path segments of a call.
fn root_call(e: &Expr) -> Option<(String, &Args)> {
    let Expr::Call(c) = e else { return None };
    let Expr::Path(p) = c.func.as_ref() else {
        return None;
    };
    let segs: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let name = segs[segs.len().saturating_sub(2)..].join("::");
    Some((name, &c.args))
}

impl<'ast> Visit<'ast> for Walker {
    // A migration's `down` undoes its `up`; only `up` builds the schema.
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if f.sig.ident != "down" {
            visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if f.sig.ident != "down" {
            visit::visit_item_fn(self, f);
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let ch = chain_of(m);
        let line = line_of(&m.method);
        if let Some((root, _)) = root_call(ch.root) {
            let done = match root.as_str() {
                "Table::create" => {
                    let t = create_table(&ch, line);
                    self.out.push(Ddl::CreateTable(t));
                    true
                }
                "Table::alter" => {
                    if let Some(d) = alter_table(&ch, line) {
                        self.out.push(d);
                    }
                    true
                }
                "Table::drop" => {
                    let tables = first_args(&ch, "table", table_name);
                    if !tables.is_empty() {
                        self.out.push(Ddl::DropTable { tables, line });
                    }
                    true
                }
                "Index::create" => {
                    if let Some(i) = index(&ch, line) {
                        self.out.push(Ddl::CreateIndex(i));
                    }
                    true
                }
                "Index::drop" => {
                    let names = first_args(&ch, "name", col_name);
                    if !names.is_empty() {
                        self.out.push(Ddl::DropIndex { names, line });
                    }
                    true
                }
                "ForeignKey::create" => {
                    if let Some((table, k)) = foreign_key(&ch, line) {
                        self.out.push(Ddl::AlterTable {
                            table,
                            line,
                            actions: vec![Alter::AddConstraint(k)],
                        });
                    }
                    true
                }
                _ => false,
            };
            if done {
                return;
            }
        }
        visit::visit_expr_method_call(self, m);
    }
}

fn args_of<'a>(ch: &'a Chain<'a>, name: &'a str) -> impl Iterator<Item = &'a Args> + 'a {
    ch.calls
        .iter()
        .filter(move |(n, _)| n == name)
        .map(|(_, a)| *a)
}

/// The first argument of every `.method(..)` call in the chain, named by `name`.
fn first_args(ch: &Chain, method: &str, name: fn(&Expr) -> String) -> Vec<String> {
    args_of(ch, method)
        .filter_map(|a| a.first().map(name))
        .collect()
}

/// `Post::Table` → `post`; `UserIden::Table` → `user`; `Alias::new("x")` → `x`.
fn table_name(e: &Expr) -> String {
    if let Expr::Path(p) = e {
        let segs: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if segs.len() >= 2 && segs.last().is_some_and(|s| s == "Table") {
            let ty = snake(&segs[segs.len() - 2]);
            return ty
                .strip_suffix("_iden")
                .or_else(|| ty.strip_suffix("_table"))
                .unwrap_or(&ty)
                .to_string();
        }
    }
    col_name(e)
}

/// `Post::AuthorId` → `author_id`; `"x"` / `Alias::new("x")` → `x`.
fn col_name(e: &Expr) -> String {
    if let Some(s) = lit_str(e) {
        return s.to_ascii_lowercase();
    }
    match e {
        Expr::Path(p) => snake(&last_ident(&p.path)),
        Expr::Call(c) => c.args.first().map(col_name).unwrap_or_default(),
        Expr::MethodCall(m) => col_name(&m.receiver),
        Expr::Reference(r) => col_name(&r.expr),
        Expr::Paren(p) => col_name(&p.expr),
        _ => String::new(),
    }
}

/// Column names from an argument: one column, or a tuple of them.
fn cols(e: &Expr) -> Vec<String> {
    match e {
        Expr::Tuple(t) => t.elems.iter().map(col_name).collect(),
        _ => vec![col_name(e)],
    }
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Column types and modifiers sea-query knows; other methods are ignored.
fn column(e: &Expr) -> Option<Column> {
    let ch = chain(e);
    let (root, args) = match ch.root {
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Path(p) => (last_ident(&p.path), &c.args),
            _ => return None,
        },
        _ => return None,
    };
    let name = col_name(args.first()?);
    let mut col = Column {
        name,
        ty: String::new(),
        line: line_of(ch.root),
        not_null: false,
        primary_key: false,
        unique: false,
        check: false,
        references: None,
    };
    if root != "new" && root != "new_with_type" {
        // sea-orm-migration schema helpers: `pk_auto(X)`, `string(X)`,
        // `string_null(X)`, `integer_uniq(X)`; all NOT NULL unless `_null`.
        col.primary_key = root.starts_with("pk_");
        col.unique = root.ends_with("_uniq");
        col.not_null = !root.ends_with("_null");
        col.ty = root
            .trim_start_matches("pk_")
            .trim_end_matches("_null")
            .trim_end_matches("_uniq")
            .to_string();
    }
    for (m, _) in &ch.calls {
        match m.as_str() {
            "not_null" => col.not_null = true,
            "null" => col.not_null = false,
            "primary_key" => {
                col.primary_key = true;
                col.not_null = true;
            }
            "unique_key" => col.unique = true,
            "check" => col.check = true,
            "default" | "auto_increment" | "extra" | "comment" | "to_owned" | "take" => {}
            other if col.ty.is_empty() => col.ty = other.to_string(),
            _ => {}
        }
    }
    Some(col)
}

fn create_table(ch: &Chain, line: u32) -> Table {
    let mut t = Table {
        name: String::new(),
        line,
        columns: Vec::new(),
        constraints: Vec::new(),
        opaque: false,
    };
    for (m, args) in &ch.calls {
        let Some(a) = args.first() else { continue };
        match m.as_str() {
            "table" => t.name = table_name(a),
            "col" | "column" => {
                if let Some(c) = column(a) {
                    t.columns.push(c);
                }
            }
            "primary_key" => {
                let ich = chain(a);
                t.constraints.push(Constraint {
                    name: None,
                    kind: ConstraintKind::PrimaryKey,
                    columns: args_of(&ich, "col")
                        .filter_map(|x| x.first().map(col_name))
                        .collect(),
                    line: line_of(a),
                });
            }
            "foreign_key" => {
                if let Some((_, k)) = foreign_key(&chain(a), line_of(a)) {
                    t.constraints.push(k);
                }
            }
            "index" => {
                if let Some(i) = index(&chain(a), line_of(a)) {
                    t.constraints.push(Constraint {
                        name: i.name,
                        kind: if i.unique {
                            ConstraintKind::Unique
                        } else {
                            ConstraintKind::Index
                        },
                        columns: i.columns,
                        line: i.line,
                    });
                }
            }
            "check" => t.constraints.push(Constraint {
                name: None,
                kind: ConstraintKind::Check,
                columns: Vec::new(),
                line: line_of(a),
            }),
            _ => {}
        }
    }
    t
}

fn alter_table(ch: &Chain, line: u32) -> Option<Ddl> {
    let table = args_of(ch, "table").find_map(|a| a.first().map(table_name))?;
    let mut actions = Vec::new();
    for (m, args) in &ch.calls {
        let Some(a) = args.first() else { continue };
        match m.as_str() {
            "add_column" | "add_column_if_not_exists" => {
                actions.extend(column(a).map(Alter::AddColumn));
            }
            "modify_column" => {
                if let Some(c) = column(a) {
                    actions.push(if c.not_null {
                        Alter::SetNotNull { column: c.name }
                    } else {
                        Alter::DropNotNull { column: c.name }
                    });
                }
            }
            "drop_column" => actions.push(Alter::DropColumn {
                column: col_name(a),
            }),
            "rename_column" => {
                if let Some(b) = args.iter().nth(1) {
                    actions.push(Alter::RenameColumn {
                        from: col_name(a),
                        to: col_name(b),
                    });
                }
            }
            "add_foreign_key" => {
                if let Some((_, k)) = foreign_key(&chain(a), line_of(a)) {
                    actions.push(Alter::AddConstraint(k));
                }
            }
            _ => {}
        }
    }
    Some(Ddl::AlterTable {
        table,
        line,
        actions,
    })
}

/// `ForeignKey::create().from(T, C).to(U, D)` or `TableForeignKey::new()
/// .from_tbl(T).from_col(C).to_tbl(U).to_col(D)`: the owning table and the constraint.
fn foreign_key(ch: &Chain, line: u32) -> Option<(String, Constraint)> {
    let mut from_t = None;
    let mut from_c = Vec::new();
    let mut to_t = None;
    let mut to_c = Vec::new();
    let mut name = None;
    for (m, args) in &ch.calls {
        let a: Vec<&Expr> = args.iter().collect();
        match (m.as_str(), a.as_slice()) {
            ("from", [t, c]) => {
                from_t = Some(table_name(t));
                from_c = cols(c);
            }
            ("to", [t, c]) => {
                to_t = Some(table_name(t));
                to_c = cols(c);
            }
            ("from_tbl", [t]) => from_t = Some(table_name(t)),
            ("from_col", [c]) => from_c.extend(cols(c)),
            ("to_tbl", [t]) => to_t = Some(table_name(t)),
            ("to_col", [c]) => to_c.extend(cols(c)),
            ("name", [n]) => name = Some(col_name(n)),
            _ => {}
        }
    }
    let to = to_t?;
    Some((
        from_t.unwrap_or_default(),
        Constraint {
            name,
            kind: ConstraintKind::ForeignKey {
                references: Reference {
                    table: to,
                    columns: to_c,
                },
            },
            columns: from_c,
            line,
        },
    ))
}

fn index(ch: &Chain, line: u32) -> Option<Index> {
    let mut i = Index {
        name: None,
        table: String::new(),
        columns: Vec::new(),
        unique: false,
        partial: false,
        line,
    };
    for (m, args) in &ch.calls {
        match (m.as_str(), args.first()) {
            ("name", Some(a)) => i.name = Some(col_name(a)),
            ("table", Some(a)) => i.table = table_name(a),
            ("col", Some(a)) => i.columns.push(col_name(a)),
            ("unique", _) => i.unique = true,
            ("and_where" | "cond_where", _) => i.partial = true,
            _ => {}
        }
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_become_ddl() {
        let src = r#"
use sea_orm_migration::prelude::*;
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(
            Table::create()
                .table(PostIden::Table)
                .if_not_exists()
                .col(ColumnDef::new(PostIden::Id).integer().not_null().auto_increment().primary_key())
                .col(string_null(PostIden::Title))
                .col(ColumnDef::new(PostIden::AuthorId).integer().not_null())
                .foreign_key(ForeignKey::create().name("fk").from(PostIden::Table, PostIden::AuthorId).to(User::Table, User::Id))
                .to_owned(),
        ).await?;
        manager.create_index(Index::create().name("idx_author").table(PostIden::Table).col(PostIden::AuthorId).to_owned()).await
    }
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PostIden::Table).to_owned()).await
    }
}
"#;
        let d = extract(src);
        assert_eq!(d.len(), 2, "{d:?}");
        let Ddl::CreateTable(t) = &d[0] else { panic!() };
        assert_eq!(t.name, "post");
        assert_eq!(t.columns.len(), 3);
        assert!(t.columns[0].primary_key);
        assert!(!t.columns[1].not_null);
        assert_eq!(t.columns[2].name, "author_id");
        assert!(
            matches!(&t.constraints[0].kind, ConstraintKind::ForeignKey { references } if references.table == "user")
        );
        let Ddl::CreateIndex(i) = &d[1] else { panic!() };
        assert_eq!(i.columns, ["author_id"]);
        assert_eq!(i.table, "post");
    }
}
