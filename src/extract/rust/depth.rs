//! A cheap upper bound on how deep syn (and the visitors after it) will recurse
//! on a file, computed before parsing.
//!
//! syn parses and visits recursively, and drops its tree recursively: 50,000
//! nested parentheses, `Vec<Vec<…>>` types, `if … else if …` chains or a
//! 200,000-term `1 + 1 + …` overflow any fixed thread stack, which aborts the
//! whole process. Rust cannot catch a stack overflow, so the depth has to be known
//! before parsing. Tokenizing is iterative (proc-macro2 keeps its own stack), so
//! the file is tokenized first and [`estimate`] walks the token trees with an
//! explicit stack.
//!
//! The estimate counts, for every token, the tokens before it that it may be
//! nested under: every token since the last point where nesting provably ends at
//! its level, plus the estimate of the enclosing group. Nesting ends at a `;`, at
//! a `,` (back to where the innermost open `<` was: generic arguments nest through
//! commas), and at an identifier or literal right after a `{…}` group, where
//! nothing but `as` and `else` continues an expression (the next item, statement
//! or block-bodied match arm starts there). Attributes and doc comments count as nothing: they are
//! siblings of what they are attached to. Each syntax-tree level consumes at least one
//! token, so the true depth is at most a small constant times the estimate; real
//! code stays in the low hundreds (see the tests), generated pathological input
//! runs into the tens of thousands.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Identifiers that continue an expression after a `{…}` group (`{x} as u8`,
/// `if a {} else {}`). Any other identifier or a literal there starts a sibling:
/// the next item, statement, or match arm (block arms need no comma).
const CONTINUE_AFTER_BRACE: &[&str] = &["as", "else"];

/// Where one group's tokens are being walked.
struct Level {
    tokens: proc_macro2::token_stream::IntoIter,
    /// The estimate of the group token itself.
    base: usize,
    /// Tokens at this level since nesting last ended.
    run: usize,
    /// `run` at each `<` still open at this level.
    angles: Vec<usize>,
    /// The previous token was a `{…}` group.
    after_brace: bool,
    /// The previous token was a joint `-` or `=` (so a `>` is `->` or `=>`).
    after_arrow_head: bool,
    /// Inside `#`/`#!` of an attribute, before its `[…]`.
    in_attr: bool,
    /// The previous token was a lone `.` (a method call, field or `.await`).
    after_dot: bool,
    /// The previous tokens were `.name`: a `(…)` next is that method call's
    /// arguments, on the call's own level.
    after_dot_name: bool,
}

impl Level {
    fn new(tokens: TokenStream, base: usize) -> Self {
        Level {
            tokens: tokens.into_iter(),
            base,
            run: 0,
            angles: Vec::new(),
            after_brace: false,
            after_arrow_head: false,
            in_attr: false,
            after_dot: false,
            after_dot_name: false,
        }
    }

    fn reset(&mut self) {
        self.run = 0;
        self.angles.clear();
    }
}

/// The estimated nesting depth of `tokens` (see the module docs).
pub fn estimate(tokens: TokenStream) -> usize {
    let mut max = 0;
    let mut stack = vec![Level::new(tokens, 0)];
    while let Some(level) = stack.last_mut() {
        let Some(token) = level.tokens.next() else {
            stack.pop();
            continue;
        };
        let after_brace = std::mem::take(&mut level.after_brace);
        let after_arrow_head = std::mem::take(&mut level.after_arrow_head);
        let in_attr = std::mem::take(&mut level.in_attr);
        let after_dot = std::mem::take(&mut level.after_dot);
        let after_dot_name = std::mem::take(&mut level.after_dot_name);
        // An attribute (`#[…]`, `#![…]`, doc comments) nests nothing after it: it
        // is a sibling of the other attributes and of what it is attached to, so
        // its tokens do not add to the run; its content is nested as usual.
        match &token {
            TokenTree::Punct(p) if p.as_char() == '#' || (in_attr && p.as_char() == '!') => {
                level.in_attr = true;
                level.after_brace = after_brace;
                continue;
            }
            TokenTree::Group(g) if in_attr && g.delimiter() == Delimiter::Bracket => {
                let here = level.base + level.run;
                level.after_brace = after_brace;
                stack.push(Level::new(g.stream(), here));
                continue;
            }
            _ => {}
        }
        match &token {
            TokenTree::Ident(i) if after_brace && !CONTINUE_AFTER_BRACE.iter().any(|k| i == k) => {
                level.reset()
            }
            TokenTree::Literal(_) if after_brace => level.reset(),
            _ => {}
        }
        // A method call `.name(args)` is one syntax-tree level however many
        // tokens it takes: the `.` and the argument group add nothing to the
        // name's count, so a long builder chain estimates its length, not three
        // times it. (A lone `.` always leads a token that is counted.)
        match &token {
            TokenTree::Punct(p) if p.as_char() == '.' && p.spacing() == Spacing::Alone => {
                level.after_dot = true;
                continue;
            }
            TokenTree::Group(g) if after_dot_name && g.delimiter() == Delimiter::Parenthesis => {
                let here = level.base + level.run;
                stack.push(Level::new(g.stream(), here));
                continue;
            }
            TokenTree::Ident(_) if after_dot => level.after_dot_name = true,
            // `a.0.1` lexes as `a`, `.`, `0.1`: two field levels in one token.
            TokenTree::Literal(_) if after_dot => level.run += 1,
            _ => {}
        }
        level.run += 1;
        let here = level.base + level.run;
        max = max.max(here);
        match token {
            TokenTree::Group(g) => {
                level.after_brace = g.delimiter() == Delimiter::Brace;
                stack.push(Level::new(g.stream(), here));
            }
            TokenTree::Punct(p) => match p.as_char() {
                ';' => level.reset(),
                ',' => level.run = level.angles.last().copied().unwrap_or(0),
                '<' => level.angles.push(level.run),
                '>' if !after_arrow_head => {
                    level.angles.pop();
                }
                '-' | '=' => level.after_arrow_head = p.spacing() == Spacing::Joint,
                _ => {}
            },
            TokenTree::Ident(_) | TokenTree::Literal(_) => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(src: &str) -> usize {
        estimate(src.parse().unwrap())
    }

    #[test]
    fn siblings_do_not_add_up() {
        let many_items: String = (0..500)
            .map(|i| format!("fn f{i}() {{ a(); }}\n"))
            .collect();
        assert!(est(&many_items) < 10, "{}", est(&many_items));
        let many_stmts = format!("fn f() {{ {} }}", "let x = a.b(c, d);".repeat(500));
        assert!(est(&many_stmts) < 20, "{}", est(&many_stmts));
        let many_fields = format!(
            "struct S {{ {} }}",
            "a: Vec<Option<u8>>, b: HashMap<K, V>, ".repeat(300)
        );
        assert!(est(&many_fields) < 20, "{}", est(&many_fields));
        let fn_types = format!("fn f({}) {{}}", "a: fn() -> Vec<u8>, ".repeat(300));
        assert!(est(&fn_types) < 20, "{}", est(&fn_types));
        let arms = format!(
            "fn f() {{ match x {{ {} }} }}",
            "A(b) => { c(); } ".repeat(500)
        );
        assert!(est(&arms) < 20, "{}", est(&arms));
        let docs = format!(
            "{}\n{}fn f() {{}}",
            "//! doc\n".repeat(500),
            "/// doc\n".repeat(500)
        );
        assert!(est(&docs) < 10, "{}", est(&docs));
    }

    #[test]
    fn nesting_is_counted_whatever_its_form() {
        let n = 1000;
        let cases = [
            format!("fn f() {{ {}1{} }}", "(".repeat(n), ")".repeat(n)),
            format!("fn f() {{ {}{} }}", "{".repeat(n), "}".repeat(n)),
            format!("fn f() {{ let x = 1{}; }}", " + 1".repeat(n)),
            format!("fn f() {{ a{}; }}", ".b()".repeat(n)),
            format!("fn f() {{ let x = {}1; }}", "-".repeat(n)),
            format!("type T = {}u8{};", "Vec<".repeat(n), ">".repeat(n)),
            format!("type T = {}u8{};", "HashMap<K, ".repeat(n), ">".repeat(n)),
            format!("type T = {}u8;", "&".repeat(n)),
            format!("type T = {}u8;", "fn() -> ".repeat(n)),
            format!("fn f() {{ {}{{}} }}", "if a {} else ".repeat(n)),
            format!("fn f() {{ {}1; }}", "|| ".repeat(n)),
            format!("fn f() {{ {}1; }}", "a = ".repeat(n)),
            format!(
                "fn f() {{ {} }}",
                "match a { _ => ".repeat(n) + &"}".repeat(n)
            ),
            format!("fn f() {{ {}1; }}", "a = #[x] ".repeat(n)),
            format!("fn f() {{ {}1; }}", "a = {} as u8 + ".repeat(n)),
        ];
        for c in &cases {
            assert!(est(c) >= n, "{} for {}…", est(c), &c[..40]);
        }
    }

    #[test]
    fn a_method_call_counts_once() {
        let chain = |n| {
            est(&format!(
                "fn f() {{ a{}; }}",
                ".route(\"/x\", get(h))".repeat(n)
            ))
        };
        let (short, long) = (chain(10), chain(4000));
        assert!(long >= 4000, "{long}");
        assert!(long - short <= 4000, "{short} {long}");
        // Turbofish calls, fields and `.await` still count each level.
        assert!(est(&format!("fn f() {{ a{}; }}", ".b::<T>()".repeat(1000))) >= 1000);
        assert!(est(&format!("fn f() {{ a{}; }}", ".b".repeat(1000))) >= 1000);
        assert!(est(&format!("fn f() {{ a{}; }}", ".await".repeat(1000))) >= 1000);
        assert!(est(&format!("fn f() {{ a{}; }}", ".0".repeat(1000))) >= 1000);
    }

    #[test]
    fn commas_outside_generics_end_nesting_but_not_inside() {
        assert!(est("f(a, b, c, d, e, f, g, h)") < 5);
        assert!(est("type T = A<B, C<D, E<F, G<H>>>>;") >= 8);
        // `->` and `=>` close no generic.
        assert!(est("type T = A<B, fn() -> C<D, E<F, G<H>>>>;") >= 8);
    }
}
