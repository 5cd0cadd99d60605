//! The shape of one SQL query written in code: what it reads, from which
//! table, filtered on which columns.
//!
//! Used to join code with the schema: a `SELECT *`, a filter on a column no
//! index leads with, a `FOR UPDATE` lock. Only simple single-table statements
//! are read for filters (a join's predicates need a planner to judge).

use super::lexer::{lex, Tok, TokKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    Select,
    Insert,
    Update,
    Delete,
}

/// What a query does, as far as a reader without a planner can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryShape {
    pub kind: QueryKind,
    /// The one table it reads or changes, when it touches only one.
    pub table: Option<String>,
    /// Columns compared in its `WHERE` clause (`a = $1`, `b IN (..)`, `c > ?`).
    pub filters: Vec<String>,
    /// The outer select list is `*` or `t.*`.
    pub select_star: bool,
    /// Takes row locks (`FOR UPDATE`, `FOR SHARE`, `FOR NO KEY UPDATE`).
    pub locks_rows: bool,
}

/// Read a query, or `None` when the text is not a DML statement.
pub fn shape(sql: &str) -> Option<QueryShape> {
    let head = sql.trim_start();
    let first: String = head
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    let kind = match first.as_str() {
        "SELECT" | "WITH" => QueryKind::Select,
        "INSERT" => QueryKind::Insert,
        "UPDATE" => QueryKind::Update,
        "DELETE" => QueryKind::Delete,
        _ => return None,
    };
    // Prose starts with these words too ("Select an item from the list"): SQL
    // has its keywords in capitals or some SQL punctuation.
    let upper_kw = head.starts_with(first.as_str());
    if !upper_kw && !head.contains(['*', ',', '=', '(', '$', '?', ';']) {
        return None;
    }
    let toks = lex(sql, 1);
    // A query needs its second keyword: a select reads FROM (or is `SELECT 1`),
    // an update SETs, an insert goes INTO.
    let has = |kw: &str| toks.iter().any(|t| t.is(kw));
    let ok = match kind {
        QueryKind::Select => has("FROM") || toks.len() <= 6,
        QueryKind::Insert => has("INTO"),
        QueryKind::Update => has("SET"),
        QueryKind::Delete => has("FROM"),
    };
    if !ok || toks.len() < 2 {
        return None;
    }
    let mut s = QueryShape {
        kind,
        table: None,
        filters: Vec::new(),
        select_star: false,
        locks_rows: false,
    };
    s.locks_rows = toks
        .windows(2)
        .any(|w| w[0].is("FOR") && (w[1].is("UPDATE") || w[1].is("SHARE") || w[1].is("NO")));
    if first == "WITH" {
        return Some(s); // CTEs: only locks are read
    }
    let depth0 = depths(&toks);
    match kind {
        QueryKind::Select => {
            // `SELECT *`, `SELECT DISTINCT *`, `SELECT t.*`
            let mut i = 1;
            while toks.get(i).is_some_and(|t| t.is("DISTINCT") || t.is("ALL")) {
                i += 1;
            }
            s.select_star = toks.get(i).is_some_and(|t| t.is_punct('*'))
                || (toks.get(i).is_some_and(Tok::is_name)
                    && toks.get(i + 1).is_some_and(|t| t.is_punct('.'))
                    && toks.get(i + 2).is_some_and(|t| t.is_punct('*')));
            let from = (0..toks.len()).find(|&i| depth0[i] && toks[i].is("FROM"));
            if let Some(f) = from {
                s.table = single_table(&toks, &depth0, f + 1);
            }
        }
        QueryKind::Update => {
            let mut i = 1;
            toks.get(i).is_some_and(|t| t.is("ONLY")).then(|| i += 1);
            if toks.get(i).is_some_and(Tok::is_name) {
                s.table = single_table(&toks, &depth0, i);
            }
        }
        QueryKind::Delete => {
            if toks.get(1).is_some_and(|t| t.is("FROM")) {
                s.table = single_table(&toks, &depth0, 2);
            }
        }
        QueryKind::Insert => {
            if let Some(i) = toks.iter().position(|t| t.is("INTO")) {
                s.table = qualified(&toks, i + 1).map(|(n, _)| n);
            }
            return Some(s);
        }
    }
    if s.table.is_some() {
        if let Some(w) = (0..toks.len()).find(|&i| depth0[i] && toks[i].is("WHERE")) {
            s.filters = filters(&toks[w + 1..], &depth0[w + 1..]);
        }
    }
    Some(s)
}

/// Whether each token is at parenthesis depth 0.
fn depths(toks: &[Tok]) -> Vec<bool> {
    let mut d = 0i32;
    toks.iter()
        .map(|t| {
            if t.is_punct('(') {
                d += 1;
                false
            } else if t.is_punct(')') {
                d -= 1;
                false
            } else {
                d == 0
            }
        })
        .collect()
}

/// `schema.name` at `i`: the last part, lower-cased, and the index after it.
fn qualified(toks: &[Tok], mut i: usize) -> Option<(String, usize)> {
    let mut name = toks
        .get(i)
        .filter(|t| t.is_name())?
        .text
        .to_ascii_lowercase();
    i += 1;
    while toks.get(i).is_some_and(|t| t.is_punct('.')) && toks.get(i + 1).is_some_and(Tok::is_name)
    {
        name = toks[i + 1].text.to_ascii_lowercase();
        i += 2;
    }
    Some((name, i))
}

/// The table after FROM/UPDATE when it is the only one: no join, no comma list.
fn single_table(toks: &[Tok], depth0: &[bool], at: usize) -> Option<String> {
    if toks.get(at).is_some_and(|t| t.is_punct('(')) {
        return None; // a subquery
    }
    let (name, after) = qualified(toks, at)?;
    let end = clause_end(
        toks,
        depth0,
        after,
        &[
            "WHERE",
            "ORDER",
            "GROUP",
            "LIMIT",
            "SET",
            "RETURNING",
            "FOR",
            "HAVING",
            "UNION",
            "OFFSET",
        ],
    );
    let joined = toks[after..end]
        .iter()
        .any(|t| t.is("JOIN") || t.is_punct(',') || t.is("USING"));
    (!joined).then_some(name)
}

/// Where the clause starting at `from` ends: the first top-level keyword of
/// `next`, or the end.
fn clause_end(toks: &[Tok], depth0: &[bool], from: usize, next: &[&str]) -> usize {
    (from..toks.len())
        .find(|&i| depth0[i] && next.iter().any(|k| toks[i].is(k)))
        .unwrap_or(toks.len())
}

/// Columns compared in a WHERE clause at depth 0.
fn filters(toks: &[Tok], depth0: &[bool]) -> Vec<String> {
    let end = clause_end(
        toks,
        depth0,
        0,
        &[
            "ORDER",
            "GROUP",
            "LIMIT",
            "RETURNING",
            "FOR",
            "HAVING",
            "UNION",
            "OFFSET",
        ],
    );
    let toks = &toks[..end];
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        // A name (not a qualifier: `o.` in `o.customer_id`) followed by a comparison.
        if !t.is_name() || is_keyword(t) || toks.get(i + 1).is_some_and(|x| x.is_punct('.')) {
            continue;
        }
        let compared = toks.get(i + 1).is_some_and(|x| {
            compares_start(x) || x.is("IN") || x.is("BETWEEN") || x.is("LIKE") || x.is("ILIKE")
        });
        let name = t.text.to_ascii_lowercase();
        if compared && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn compares_start(t: &Tok) -> bool {
    t.kind == TokKind::Punct && matches!(t.text.as_str(), "=" | "<" | ">" | "!")
}

fn is_keyword(t: &Tok) -> bool {
    t.kind == TokKind::Word
        && [
            "AND", "OR", "NOT", "NULL", "TRUE", "FALSE", "EXISTS", "ANY", "ALL", "CASE", "WHEN",
            "THEN", "ELSE", "END",
        ]
        .iter()
        .any(|k| t.is(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects() {
        let s = shape("SELECT * FROM public.orders o WHERE o.customer_id = $1 AND status IN ('a') ORDER BY id").unwrap();
        assert_eq!(s.kind, QueryKind::Select);
        assert!(s.select_star);
        assert_eq!(s.table.as_deref(), Some("orders"));
        assert_eq!(s.filters, ["customer_id", "status"]);
        let j = shape("SELECT a.id FROM a JOIN b ON a.x = b.y WHERE a.z = 1").unwrap();
        assert_eq!(j.table, None);
        assert!(!j.select_star);
        assert!(shape("select count(*) from t").is_some_and(|s| !s.select_star));
        assert!(
            shape("SELECT id FROM jobs WHERE done = false FOR UPDATE SKIP LOCKED")
                .unwrap()
                .locks_rows
        );
    }

    #[test]
    fn updates_deletes_inserts() {
        let u = shape("UPDATE accounts SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3").unwrap();
        assert_eq!(u.table.as_deref(), Some("accounts"));
        assert_eq!(u.filters, ["id", "version"]);
        let d = shape("DELETE FROM sessions WHERE expires_at < now()").unwrap();
        assert_eq!(d.filters, ["expires_at"]);
        let i = shape("INSERT INTO t (a) VALUES ($1)").unwrap();
        assert_eq!(i.kind, QueryKind::Insert);
        assert_eq!(i.table.as_deref(), Some("t"));
    }

    #[test]
    fn prose_is_not_sql() {
        assert!(shape("Select an item from the list").is_none());
        assert!(shape("update available").is_none());
    }
}
