//! A small, forgiving SQL lexer: words, quoted identifiers, strings, numbers
//! and punctuation, each with its line.
//!
//! It understands what real migrations contain so that statement boundaries are
//! right: `--` and nested `/* */` comments, `'..'` strings (with `''` and `E'\''`
//! escapes), `".."`, `` `..` `` and `[..]` identifiers, and Postgres dollar
//! quotes (`$$ .. $$`, `$fn$ .. $fn$`) around function bodies. Anything it does
//! not recognise becomes a one-character punctuation token; it never fails.

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    pub kind: TokKind,
    /// The text: a word as written, an identifier without its quotes, a string's
    /// contents, a punctuation character.
    pub text: String,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// A keyword or unquoted identifier.
    Word,
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`).
    Ident,
    Str,
    Number,
    /// A dollar-quoted body (`$$..$$`).
    Body,
    /// A bind parameter (`$1`, `?`, `:name`).
    Param,
    Punct,
}

impl Tok {
    /// Whether this is the keyword `kw` (case-insensitive; quoted identifiers never are).
    pub fn is(&self, kw: &str) -> bool {
        self.kind == TokKind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct && self.text.len() == c.len_utf8() && self.text.starts_with(c)
    }

    /// A name: a word or a quoted identifier.
    pub fn is_name(&self) -> bool {
        matches!(self.kind, TokKind::Word | TokKind::Ident)
    }
}

/// Split `text` into tokens; `first_line` is the line of the text's first character.
pub fn lex(text: &str, first_line: u32) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = first_line;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Comments.
        if c == '-' && chars.get(i + 1) == Some(&'-') || c == '#' && at_line_start(&chars, i) {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < n {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            continue;
        }
        let start_line = line;
        // Strings, with an optional E/N/B/X prefix handled by the word branch below.
        if c == '\'' {
            let (s, next, lines) = quoted(&chars, i, '\'', false);
            out.push(tok(TokKind::Str, s, start_line));
            line += lines;
            i = next;
            continue;
        }
        if c == '"' || c == '`' {
            let (s, next, lines) = quoted(&chars, i, c, false);
            out.push(tok(TokKind::Ident, s, start_line));
            line += lines;
            i = next;
            continue;
        }
        if c == '['
            && chars
                .get(i + 1)
                .is_some_and(|c| c.is_alphabetic() || *c == '_')
        {
            if let Some(end) = chars[i + 1..].iter().position(|c| *c == ']' || *c == '\n') {
                if chars[i + 1 + end] == ']' {
                    let s: String = chars[i + 1..i + 1 + end].iter().collect();
                    out.push(tok(TokKind::Ident, s, start_line));
                    i += end + 2;
                    continue;
                }
            }
        }
        if c == '$' {
            // `$1` parameter or `$tag$ .. $tag$` body.
            if chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                let mut j = i + 1;
                while j < n && chars[j].is_ascii_digit() {
                    j += 1;
                }
                out.push(tok(
                    TokKind::Param,
                    chars[i..j].iter().collect(),
                    start_line,
                ));
                i = j;
                continue;
            }
            let mut j = i + 1;
            while j < n && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            if j < n && chars[j] == '$' {
                let tag: Vec<char> = chars[i..=j].to_vec();
                let body_start = j + 1;
                let mut k = body_start;
                let mut found = None;
                while k + tag.len() <= n {
                    if chars[k..k + tag.len()] == tag[..] {
                        found = Some(k);
                        break;
                    }
                    k += 1;
                }
                let end = found.unwrap_or(n);
                let body: String = chars[body_start..end].iter().collect();
                line += body.matches('\n').count() as u32;
                out.push(tok(TokKind::Body, body, start_line));
                i = (end + tag.len()).min(n);
                continue;
            }
        }
        if c == '?' {
            out.push(tok(TokKind::Param, "?".into(), start_line));
            i += 1;
            continue;
        }
        if c == ':'
            && chars
                .get(i + 1)
                .is_some_and(|c| c.is_alphabetic() || *c == '_')
            && !out.last().is_some_and(|t: &Tok| t.is_punct(':'))
        {
            let mut j = i + 1;
            while j < n && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            out.push(tok(
                TokKind::Param,
                chars[i..j].iter().collect(),
                start_line,
            ));
            i = j;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < n && (chars[j].is_ascii_alphanumeric() || chars[j] == '.' || chars[j] == '_')
            {
                j += 1;
            }
            out.push(tok(
                TokKind::Number,
                chars[i..j].iter().collect(),
                start_line,
            ));
            i = j;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < n && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '$') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            // E'..' / N'..' / B'..' / X'..' string prefixes.
            if j < n && chars[j] == '\'' && word.len() == 1 && "eEnNbBxXuU".contains(&word[..]) {
                let escapes = word.eq_ignore_ascii_case("e");
                let (s, next, lines) = quoted(&chars, j, '\'', escapes);
                out.push(tok(TokKind::Str, s, start_line));
                line += lines;
                i = next;
                continue;
            }
            out.push(tok(TokKind::Word, word, start_line));
            i = j;
            continue;
        }
        out.push(tok(TokKind::Punct, c.to_string(), start_line));
        i += 1;
    }
    out
}

fn tok(kind: TokKind, text: String, line: u32) -> Tok {
    Tok { kind, text, line }
}

fn at_line_start(chars: &[char], i: usize) -> bool {
    // `#` comments (MySQL) only at the start of a line, so `#>>` operators survive.
    chars[..i]
        .iter()
        .rev()
        .take_while(|c| **c != '\n')
        .all(|c| c.is_whitespace())
        && chars
            .get(i + 1)
            .is_some_and(|c| *c == ' ' || *c == '!' || *c == '\n')
}

/// A quoted run from `chars[start]` (the opening quote) to `close`; a doubled
/// closing quote is an escaped one, and with `backslash` (`E'..'` strings) a
/// backslash escapes the next character. Returns the contents, the index after
/// it, and newlines seen.
fn quoted(chars: &[char], start: usize, close: char, backslash: bool) -> (String, usize, u32) {
    let mut s = String::new();
    let mut i = start + 1;
    let mut lines = 0;
    while i < chars.len() {
        let c = chars[i];
        if backslash && c == '\\' && i + 1 < chars.len() {
            s.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == close {
            if chars.get(i + 1) == Some(&close) {
                s.push(close);
                i += 2;
                continue;
            }
            return (s, i + 1, lines);
        }
        if c == '\n' {
            lines += 1;
        }
        s.push(c);
        i += 1;
    }
    (s, i, lines)
}

/// Split tokens into statements at top-level `;`. A trigger's `BEGIN .. END`
/// body (SQLite, MySQL) stays inside its statement.
pub fn statements(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    let mut in_trigger = false;
    let mut block = 0i32;
    for (i, t) in toks.iter().enumerate() {
        if i == start {
            in_trigger = false;
            block = 0;
        }
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = (depth - 1).max(0);
        } else if t.is("TRIGGER") && toks[start..i].iter().any(|x| x.is("CREATE")) {
            in_trigger = true;
        } else if in_trigger && (t.is("BEGIN") || t.is("CASE")) {
            block += 1;
        } else if in_trigger && t.is("END") {
            block -= 1;
        } else if t.is_punct(';') && depth == 0 && !(in_trigger && block > 0) {
            if i > start {
                out.push(&toks[start..i]);
            }
            start = i + 1;
        }
    }
    if start < toks.len() {
        out.push(&toks[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(sql: &str) -> Vec<String> {
        lex(sql, 1).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn comments_strings_and_quotes() {
        assert_eq!(
            words("SELECT 'it''s' -- no\n, \"Weird Name\" /* x /* y */ */ FROM `t`"),
            ["SELECT", "it's", ",", "Weird Name", "FROM", "t"]
        );
        assert_eq!(words(r"SELECT E'a\'b', 'c'"), ["SELECT", "a'b", ",", "c"]);
    }

    #[test]
    fn dollar_bodies_keep_statements_whole() {
        let toks = lex(
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nCREATE TABLE t (id int);",
            1,
        );
        let stmts = statements(&toks);
        assert_eq!(stmts.len(), 2);
        assert_eq!(stmts[1][0].line, 2);
    }

    #[test]
    fn trigger_bodies_keep_statements_whole() {
        let toks = lex(
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE x SET a = 1; END;\nCREATE TABLE y (id int);",
            1,
        );
        assert_eq!(statements(&toks).len(), 2);
    }

    #[test]
    fn params_and_lines() {
        let toks = lex("SELECT *\nFROM t WHERE a = $1 AND b = ?", 10);
        assert_eq!(toks.last().unwrap().kind, TokKind::Param);
        assert_eq!(toks[2].line, 11);
    }
}
