//! SQL: schema definitions (DDL) from migrations, schema files, SQL literals in
//! Rust code and sea-query migration builders, as plain facts.
//!
//! Three sources feed the same facts, so data rules judge one schema however it
//! is written:
//! - `.sql` files ([`extract_file`]): sqlx `migrations/`, diesel `up.sql`,
//!   refinery `V1__x.sql`, schema dumps;
//! - SQL string literals in Rust ([`from_rust_literals`]): migrations kept as
//!   `&str` arrays, `CREATE TABLE IF NOT EXISTS` run at startup;
//! - sea-orm-migration / sea-query builders in Rust ([`seaquery::extract`]):
//!   `Table::create().col(ColumnDef::new(..).not_null())`, `Index::create()`.
//!
//! Each source keeps its statements in order with lines: tables with columns,
//! primary keys, foreign keys, NOT NULL / UNIQUE / CHECK constraints, indexes
//! with their columns, and the `ALTER`/`DROP` statements that change them. A
//! migration source also knows its set (the folder of one migration history),
//! its version and whether it is a down migration, so the final schema can be
//! replayed in order. Nothing here judges; rules do.

pub mod ddl;
pub mod lexer;
pub mod query;
pub mod seaquery;

use crate::classify::Role;
use crate::extract::rust::RustFile;
use serde::Serialize;

/// Where SQL facts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SqlOrigin {
    /// A `.sql` file.
    File,
    /// String literals in a Rust file.
    RustLiteral,
    /// sea-query builder calls in a Rust file.
    SeaQuery,
}

/// SQL facts of one file.
#[derive(Debug, Clone, Serialize)]
pub struct SqlSource {
    pub path: String,
    pub role: Role,
    pub origin: SqlOrigin,
    /// Set when the file is part of a migration history.
    pub migration: Option<Migration>,
    /// MySQL/MariaDB syntax seen (`AUTO_INCREMENT`, `ENGINE=`, backquotes): there,
    /// foreign-key columns get an index automatically.
    pub mysql: bool,
    pub statements: Vec<Ddl>,
}

/// A file's place in a migration history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    /// The folder holding one history (`migrations`, `migrations/postgres`).
    pub set: String,
    /// The version prefix (`20231021111635`, `1` for `V1__`), when the name has one.
    pub version: Option<String>,
    /// A revert script (`down.sql`, `x.down.sql`, refinery `U1__`).
    pub down: bool,
    /// The migration's name without version and extension.
    pub name: String,
}

/// One schema statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ddl {
    CreateTable(Table),
    AlterTable {
        table: String,
        line: u32,
        actions: Vec<Alter>,
    },
    CreateIndex(Index),
    DropTable {
        tables: Vec<String>,
        line: u32,
    },
    DropIndex {
        names: Vec<String>,
        line: u32,
    },
}

/// `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Lower-case, without schema qualifier or quotes.
    pub name: String,
    pub line: u32,
    pub columns: Vec<Column>,
    /// Table-level constraints (`PRIMARY KEY (a, b)`, `FOREIGN KEY ..`, MySQL `KEY idx (a)`).
    pub constraints: Vec<Constraint>,
    /// `CREATE TABLE .. AS SELECT` / `LIKE` / `PARTITION OF`: columns unknown.
    pub opaque: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    /// The type as written, lower-case (`character varying(100)`).
    pub ty: String,
    pub line: u32,
    pub not_null: bool,
    pub primary_key: bool,
    pub unique: bool,
    pub check: bool,
    pub references: Option<Reference>,
}

/// The target of a foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub table: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    pub name: Option<String>,
    pub kind: ConstraintKind,
    pub columns: Vec<String>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey {
        references: Reference,
    },
    Check,
    /// A plain index declared inside `CREATE TABLE` (MySQL `KEY`/`INDEX`).
    Index,
    /// Postgres `EXCLUDE USING ..`.
    Exclude,
}

/// `CREATE [UNIQUE] INDEX`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    pub name: Option<String>,
    pub table: String,
    /// Indexed columns in order; expressions are kept as their text.
    pub columns: Vec<String>,
    pub unique: bool,
    /// A partial index (`WHERE ..`).
    pub partial: bool,
    pub line: u32,
}

/// One action of `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Alter {
    AddColumn(Column),
    DropColumn { column: String },
    AddConstraint(Constraint),
    DropConstraint { name: String },
    SetNotNull { column: String },
    DropNotNull { column: String },
    RenameColumn { from: String, to: String },
    RenameTo { to: String },
}

/// Read a `.sql` file.
pub fn extract_file(path: &str, role: Role, text: &str) -> SqlSource {
    let toks = lexer::lex(text, 1);
    SqlSource {
        path: path.to_string(),
        role,
        origin: SqlOrigin::File,
        migration: migration_of(path),
        mysql: looks_mysql(path, text),
        statements: ddl::parse(&toks),
    }
}

/// SQL schema statements in the string literals of a Rust file (outside tests).
/// Returns `None` when no literal holds DDL.
pub fn from_rust_literals(file: &RustFile) -> Option<SqlSource> {
    let mut statements = Vec::new();
    let mut mysql = false;
    for lit in file.literals.iter().filter(|l| !l.test) {
        if !has_ddl(&lit.value) {
            continue;
        }
        mysql |= looks_mysql("", &lit.value);
        statements.extend(ddl::parse(&lexer::lex(&lit.value, lit.line)));
    }
    if statements.is_empty() {
        return None;
    }
    Some(SqlSource {
        path: file.path.clone(),
        role: file.role,
        origin: SqlOrigin::RustLiteral,
        migration: migration_of(&file.path),
        mysql,
        statements,
    })
}

/// A cheap test for schema statements in a text.
pub fn has_ddl(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    [
        "CREATE TABLE",
        "CREATE INDEX",
        "CREATE UNIQUE INDEX",
        "ALTER TABLE",
    ]
    .iter()
    .any(|k| {
        upper.match_indices(k).any(|(i, _)| {
            // A word boundary before it: not `XCREATE TABLE`.
            i == 0 || !upper.as_bytes()[i - 1].is_ascii_alphanumeric()
        })
    })
}

fn looks_mysql(path: &str, text: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let upper = text.to_ascii_uppercase();
    p.contains("mysql")
        || p.contains("maria")
        || upper.contains("AUTO_INCREMENT")
        || upper.contains("ENGINE=")
        || upper.contains("ENGINE =")
}

/// Whether a path lies in a migrations folder.
pub fn in_migrations_dir(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
        .iter()
        .any(|d| d.to_ascii_lowercase().contains("migration"))
}

/// A file's place in a migration history, from its path: `up.sql`/`down.sql`
/// in a version folder (diesel), `V1__name.sql`/`U1__name.sql` (refinery),
/// `<version>_name[.up|.down].sql` (sqlx), or any `.sql`/`.rs` file in a
/// `*migration*` folder.
pub fn migration_of(path: &str) -> Option<Migration> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop()?;
    let lower = file.to_ascii_lowercase();
    let stem = lower
        .strip_suffix(".sql")
        .or_else(|| lower.strip_suffix(".rs"))
        .unwrap_or(&lower);
    if matches!(stem, "mod" | "lib" | "main") {
        return None;
    }
    let in_dir = in_migrations_dir(path);
    // diesel: migrations/<version>_<name>/up.sql
    if (stem == "up" || stem == "down") && !parts.is_empty() {
        let dir = parts.pop().unwrap_or("");
        let (version, name) = split_version(dir);
        return Some(Migration {
            set: parts.join("/"),
            version,
            down: stem == "down",
            name,
        });
    }
    let set = parts.join("/");
    // refinery: V1__name / U1__name
    let refinery = |prefix: char| {
        let rest = stem.strip_prefix(prefix)?;
        let (digits, name) = rest.split_once("__")?;
        digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
            .then(|| (digits.to_string(), name.to_string()))
    };
    if let Some((v, name)) = refinery('v') {
        return Some(Migration {
            set,
            version: Some(v),
            down: false,
            name,
        });
    }
    if let Some((v, name)) = refinery('u') {
        return Some(Migration {
            set,
            version: Some(v),
            down: true,
            name,
        });
    }
    let (base, down) = if let Some(b) = stem.strip_suffix(".down") {
        (b, true)
    } else if let Some(b) = stem.strip_suffix(".up") {
        (b, false)
    } else if let Some(b) = stem.strip_suffix("_down") {
        (b, true)
    } else {
        (stem, false)
    };
    // sea-orm-migration: m20220101_000001_create_table
    let base_v = base
        .strip_prefix('m')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(base);
    let (version, name) = split_version(base_v);
    if version.is_none() && !in_dir {
        return None;
    }
    if version.is_none() && lower.ends_with(".rs") {
        // A helper module in a migrations crate, not a migration.
        return None;
    }
    Some(Migration {
        set,
        version,
        down,
        name,
    })
}

/// `20231021111635_initial` → (`20231021111635`, `initial`); `2020-01-05-232816_x`
/// → (`20200105232816`, `x`); `0001_init` → (`0001`, `init`).
fn split_version(s: &str) -> (Option<String>, String) {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(s.len());
    let digits: String = s[..end].chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return (None, s.to_string());
    }
    (
        Some(digits),
        s[end..].trim_matches(['_', '-', '.']).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_names() {
        let m = migration_of("migrations/20231021111635_initial.up.sql").unwrap();
        assert_eq!(m.set, "migrations");
        assert_eq!(m.version.as_deref(), Some("20231021111635"));
        assert!(!m.down);
        assert!(
            migration_of("migrations/20231021111635_initial.down.sql")
                .unwrap()
                .down
        );
        let d = migration_of("migrations/postgres/2020-01-05-232816_add_blocklist/up.sql").unwrap();
        assert_eq!(d.set, "migrations/postgres");
        assert_eq!(d.version.as_deref(), Some("20200105232816"));
        assert_eq!(d.name, "add_blocklist");
        let r = migration_of("crates/api/sqlite_migrations/V10__add_type.sql").unwrap();
        assert_eq!(r.version.as_deref(), Some("10"));
        assert_eq!(r.set, "crates/api/sqlite_migrations");
        let s = migration_of("migration/src/m20220101_000001_create_table.rs").unwrap();
        assert_eq!(s.version.as_deref(), Some("20220101000001"));
        assert!(migration_of("migration/src/lib.rs").is_none());
        assert!(migration_of("src/queries/get_user.sql").is_none());
        assert!(migration_of("db/migrations/schema.sql").is_some());
    }

    #[test]
    fn ddl_is_spotted_in_text() {
        assert!(has_ddl("create table if not exists t (id int)"));
        assert!(!has_ddl("SELECT * FROM t"));
    }
}
