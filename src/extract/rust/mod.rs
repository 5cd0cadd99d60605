//! Reading Rust source with `syn` into [`RustFile`] facts.
//!
//! Each file is tokenized, its nesting depth bounded ([`depth`]), then parsed
//! with syn (full syntax), walked once by [`visitor::Collector`], and its tree
//! dropped. Spans are copied into plain line numbers and the thread's span table
//! is cleared after every file
//! (`proc_macro2::extra::invalidate_current_thread_spans`), or memory would grow
//! with every file parsed on that thread.

pub mod addr;
pub mod api_doc;
pub mod depth;
pub mod keys;
pub mod method_router;
pub mod model;
pub mod resolve;
pub mod route_path;
pub mod router;
pub mod sql;
pub mod visitor;
pub mod warp;

pub use model::*;

use crate::classify::Role;
use crate::diagnostics::Diagnostic;
use crate::location::Location;
use syn::visit::Visit;

/// Deepest nesting accepted, as estimated by [`depth::estimate`]. Real code stays
/// far below (the deepest file among ~12,000 of real services and crates
/// estimates 554), but a generated router can chain thousands of `.route(..)`
/// calls, one level each: 5000 admits a 4,000-route builder chain. Past this a
/// file is refused with a diagnostic rather than risking a stack overflow,
/// which would abort the whole audit (the stack is sized to the estimate, so
/// this bounds memory, not safety).
pub const MAX_DEPTH: usize = 5000;

/// Stack needed per unit of estimated depth, measured in debug builds (the worst
/// construct, nested `&&&…T` types, takes ~36 KiB per level; release needs far
/// less), with a margin.
const STACK_PER_DEPTH: usize = 96 * 1024;

/// Files estimated at most this deep are parsed on the calling thread, which must
/// have a stack of [`crate::audit::PARSE_STACK`] (the parse pool's); deeper ones
/// get a thread of their own with a stack sized to their depth.
const INLINE_DEPTH: usize = crate::audit::PARSE_STACK / STACK_PER_DEPTH;

/// Parse `text` (the contents of `path`) and collect its facts.
///
/// Call it on a thread with a [`crate::audit::PARSE_STACK`] stack (the parse
/// pool's): shallow files (most of them) are parsed on the calling thread.
pub fn extract(path: &str, role: Role, text: &str) -> Result<RustFile, Diagnostic> {
    // Tokenizing is iterative, so it is safe at any depth; the tokens tell how
    // deep parsing will go before anything recursive runs.
    let result = match tokenize(text) {
        Err(err) => Err(lex_error(path, &err)),
        Ok(tokens) => match depth::estimate(tokens.clone()) {
            d if d <= INLINE_DEPTH => parse_and_collect(path, role, text, tokens),
            d if d <= MAX_DEPTH => {
                drop(tokens);
                proc_macro2::extra::invalidate_current_thread_spans();
                return on_own_thread(path, role, text, d);
            }
            d => Err(Diagnostic::error(
                Location::file(path),
                "rust",
                format!(
                    "nested too deeply to parse safely (estimated depth {d}, limit {MAX_DEPTH}); its facts are missing from this audit"
                ),
            )),
        },
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

/// Tokenize and parse a deep file on a thread whose stack fits its depth.
fn on_own_thread(path: &str, role: Role, text: &str, depth: usize) -> Result<RustFile, Diagnostic> {
    let stack = crate::audit::PARSE_STACK + depth * STACK_PER_DEPTH;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("seaworthy-deep-parse".into())
            .stack_size(stack)
            .spawn_scoped(scope, || {
                let result = tokenize(text)
                    .map_err(|err| lex_error(path, &err))
                    .and_then(|tokens| parse_and_collect(path, role, text, tokens));
                proc_macro2::extra::invalidate_current_thread_spans();
                result
            });
        match worker.map(|w| w.join()) {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(Diagnostic::error(
                Location::file(path),
                "rust",
                "reading this file failed (a seaworthy bug: please report it); its facts are missing from this audit",
            )),
            Err(e) => Err(Diagnostic::error(
                Location::file(path),
                "rust",
                format!("cannot start a thread to parse this deeply nested file ({e}); its facts are missing from this audit"),
            )),
        }
    })
}

/// The tokens of a source file, after a byte-order mark and a `#!` interpreter
/// line, as `syn::parse_file` strips them.
fn tokenize(text: &str) -> Result<proc_macro2::TokenStream, proc_macro2::LexError> {
    let mut content = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(rest) = content.strip_prefix("#!") {
        if !rest.trim_start().starts_with('[') {
            content = content.find('\n').map_or("", |i| &content[i..]);
        }
    }
    content.parse()
}

fn parse_and_collect(
    path: &str,
    role: Role,
    text: &str,
    tokens: proc_macro2::TokenStream,
) -> Result<RustFile, Diagnostic> {
    let file: syn::File = syn::parse2(tokens).map_err(|err| parse_error(path, &err))?;
    let role = if role == Role::Service && is_generated(text) {
        Role::Generated
    } else {
        role
    };
    let uses = resolve::UseMap::from_file(&file);
    let mut collector = visitor::Collector::new(&uses, path.to_string(), role);
    collector.visit_file(&file);
    let mut out = collector.finish();
    shrink(&mut out);
    Ok(out)
}

/// proc-macro2 says only "cannot parse string into token stream": say what that is.
fn lex_error(path: &str, err: &proc_macro2::LexError) -> Diagnostic {
    syntax_error(
        path,
        err.span().start(),
        "an unclosed or mismatched delimiter, or an invalid token",
    )
}

fn parse_error(path: &str, err: &syn::Error) -> Diagnostic {
    syntax_error(path, err.span().start(), &err.to_string())
}

fn syntax_error(path: &str, at: proc_macro2::LineColumn, what: &str) -> Diagnostic {
    Diagnostic::error(
        Location::new(path, u32::try_from(at.line).unwrap_or(0)),
        "rust",
        format!(
            "does not parse as Rust (column {}): {what}; its facts are missing from this audit",
            at.column + 1
        ),
    )
}

/// Give back the growth slack of a file's fact lists. The facts of every file
/// live until the end of the audit, and a `Vec` grown by doubling leaves up to
/// half of its buffer unused (on the benchmark's 1M-line tree: 304 → 279 MiB
/// peak RSS).
fn shrink(f: &mut RustFile) {
    f.refs.shrink_to_fit();
    f.methods.shrink_to_fit();
    f.macros.shrink_to_fit();
    f.literals.shrink_to_fit();
    f.fns.shrink_to_fit();
    f.types.shrink_to_fit();
    f.impls.shrink_to_fit();
    f.fragments.shrink_to_fit();
}

/// Whether the file says it was generated (`@generated`, `DO NOT EDIT`,
/// `Code generated by`) in its first lines.
fn is_generated(text: &str) -> bool {
    text.lines().take(5).any(|l| {
        let l = l.trim_start();
        (l.starts_with("//") || l.starts_with("/*") || l.starts_with('*'))
            && (l.contains("@generated")
                || l.contains("DO NOT EDIT")
                || l.contains("Code generated by")
                || l.contains("automatically generated"))
    })
}
