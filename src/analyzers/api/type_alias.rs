//! Local type aliases looked through: `type AxumResult<T> = Result<T, AxumNope>`
//! makes a handler returning `AxumResult<Page>` return `Result<Page, AxumNope>`.
//!
//! Handlers name their return type through such aliases all the time; reading
//! the alias's name (`PageResult`, `AxumResult`) instead of what it stands for
//! hides the error type and invents "page" types.

use crate::facts::Facts;
use std::borrow::Cow;

/// `ty` with its outermost type, when it is a local alias, replaced by the
/// aliased type (arguments substituted), repeatedly (at most 4 levels). Other
/// types come back unchanged. Only an alias the file can see counts: one it
/// defines, or one it imports by name (`use crate::error::AxumResult`).
pub fn expand<'t>(facts: &Facts, ty: &'t str, near_file: usize) -> Cow<'t, str> {
    let mut out = Cow::Borrowed(ty);
    for _ in 0..4 {
        let Some(next) = expand_once(facts, &out, near_file) else {
            break;
        };
        out = Cow::Owned(next);
    }
    out
}

fn expand_once(facts: &Facts, ty: &str, near_file: usize) -> Option<String> {
    let (head, args) = match ty.find('<') {
        Some(at) if ty.ends_with('>') => (&ty[..at], super::code::generic_args(ty)),
        _ => (ty, Vec::new()),
    };
    let name = head.rsplit("::").next()?.trim();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let alias = visible_alias(facts, name, near_file)?;
    if alias.target.starts_with(&format!("{name}<")) || alias.target == name {
        return None;
    }
    let mut target = alias.target.clone();
    for (p, a) in alias.params.iter().zip(&args) {
        target = replace_word(&target, p, a);
    }
    Some(target)
}

/// The alias `name` as seen from file `near`: defined there, or imported by
/// name, then defined in the file the import's module path points at (or the
/// only definition).
fn visible_alias<'f>(
    facts: &'f Facts,
    name: &str,
    near: usize,
) -> Option<&'f crate::extract::rust::TypeAlias> {
    let file = facts.rust.get(near)?;
    if let Some(a) = file.aliases.iter().find(|a| a.name == name) {
        return Some(a);
    }
    let uses = || {
        file.refs
            .iter()
            .filter(|r| r.kind == crate::extract::rust::RefKind::Use && r.path.contains("::"))
    };
    // By name first, then a glob of a module (`use crate::errors::*`).
    let import = uses()
        .find(|r| r.path.rsplit("::").next() == Some(name))
        .or_else(|| {
            uses().find(|r| {
                r.path.ends_with("::*") && {
                    let module = r.path.trim_end_matches("::*");
                    let m = module.rsplit("::").next().unwrap_or(module);
                    facts.rust.iter().any(|f| {
                        (f.path.ends_with(&format!("/{m}.rs"))
                            || f.path.ends_with(&format!("/{m}/mod.rs")))
                            && f.aliases.iter().any(|a| a.name == name)
                    })
                }
            })
        })?;
    let module: Vec<&str> = import
        .path
        .split("::")
        .filter(|s| !matches!(*s, "crate" | "self" | "super"))
        .collect();
    let module = &module[..module.len().saturating_sub(1)];
    let defs: Vec<(&str, &crate::extract::rust::TypeAlias)> = facts
        .rust
        .iter()
        .flat_map(|f| {
            f.aliases
                .iter()
                .filter(|a| a.name == name)
                .map(move |a| (f.path.as_str(), a))
        })
        .collect();
    let stem_matches = |path: &str| {
        module.last().is_some_and(|m| {
            path.ends_with(&format!("/{m}.rs")) || path.ends_with(&format!("/{m}/mod.rs"))
        })
    };
    defs.iter()
        .find(|(p, _)| stem_matches(p))
        .or_else(|| (defs.len() == 1).then(|| &defs[0]))
        .map(|(_, a)| *a)
}

/// Replace whole identifiers `word` in `s` by `with`.
fn replace_word(s: &str, word: &str, with: &str) -> String {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(ident) || after.is_some_and(ident) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_words() {
        assert_eq!(
            replace_word("Result<T,TError>", "T", "Page"),
            "Result<Page,TError>"
        );
    }
}
