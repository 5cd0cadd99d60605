//! Searches many analyzers share: string literals, identifiers and config
//! texts matching a pattern, test code, request handlers, CI commands.
//!
//! Each returns [`Hit`]s (a place and what was seen there) so analyzers can put
//! them straight into evidence. Service code means what [`Facts::service_rust`]
//! means: shipped code, outside `#[cfg(test)]`.

use crate::extract::rust::{FnFact, RustFile, StrLit};
use crate::facts::query::{CiCommand, Hit};
use crate::facts::{Facts, TextFile};
use crate::location::Location;
use regex::Regex;
use std::collections::{BTreeSet, HashSet};

/// A compiled static pattern.
pub fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// Shorten untrusted text for a message.
pub fn clip(s: &str, max: usize) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > max {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    } else {
        one_line
    }
}

/// String literals in service code (not tests).
pub fn literals(facts: &Facts) -> impl Iterator<Item = (&RustFile, &StrLit)> {
    facts
        .service_rust()
        .flat_map(|(_, f)| f.literals.iter().filter(|l| !l.test).map(move |l| (f, l)))
}

/// Literals in service code matching `re`, one hit each.
pub fn literal_hits(facts: &Facts, re: &Regex) -> Vec<Hit> {
    let mut out: Vec<Hit> = literals(facts)
        .filter_map(|(f, l)| {
            let m = re.find(&l.value)?;
            let line = l.line + l.value[..m.start()].matches('\n').count() as u32;
            Some(Hit::new(
                Location::new(f.path.clone(), line),
                format!("`{}`", clip(m.as_str(), 80)),
            ))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Identifiers in service code matching `re`: referenced paths (their last
/// segment), method names, function, type and field names.
pub fn ident_hits(facts: &Facts, re: &Regex) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        let mut push = |line: u32, kind: &str, name: &str| {
            if re.is_match(name) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), line),
                    format!("{kind} `{name}`"),
                ));
            }
        };
        for r in f
            .refs
            .iter()
            .filter(|r| !r.test && r.kind != crate::extract::rust::RefKind::Use)
        {
            push(r.line, "uses", &r.path);
        }
        for m in f.methods.iter().filter(|m| !m.test) {
            push(m.line, "calls", &format!(".{}()", m.name));
        }
        for func in f.fns.iter().filter(|x| !x.test) {
            push(func.line, "fn", &func.name);
        }
        for t in f.types.iter().filter(|t| !t.test) {
            push(t.line, "type", &t.name);
            for fld in &t.fields {
                push(fld.line, "field", &format!("{}.{}", t.name, fld.name));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Non-Rust text files (config, scripts, manifests, docs) whose path passes
/// `keep`, at each line matching `re` (at most `per_file` per file).
pub fn text_hits(
    facts: &Facts,
    keep: impl Fn(&TextFile) -> bool,
    re: &Regex,
    per_file: usize,
) -> Vec<Hit> {
    facts
        .texts_where(|t| keep(t))
        .flat_map(|t| file_hits(t, re, per_file))
        .collect()
}

/// The first `per_file` matches of `re` in one text file.
pub fn file_hits(t: &TextFile, re: &Regex, per_file: usize) -> Vec<Hit> {
    re.find_iter(&t.text)
        .take(per_file)
        .map(|m| {
            let line = t.text[..m.start()].matches('\n').count() as u32 + 1;
            Hit::new(
                Location::new(t.path.clone(), line),
                format!("`{}`", clip(m.as_str(), 80)),
            )
        })
        .collect()
}

/// Whether a text file is shipped configuration or tooling rather than
/// documentation, test data or a lock file.
pub fn is_config(t: &TextFile) -> bool {
    t.role.is_service()
        && t.kind != crate::classify::FileKind::Markdown
        && t.kind != crate::classify::FileKind::CargoLock
        && !crate::extract::sql::migration_of(&t.path).is_some_and(|m| m.down)
}

/// Every test function (`#[test]`, `#[tokio::test]`, `#[sqlx::test]`, …) in the
/// tree: unit tests in `src/` and tests in `tests/`, examples excluded.
pub fn test_fns(facts: &Facts) -> impl Iterator<Item = (usize, &RustFile, usize, &FnFact)> {
    facts
        .rust
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            !matches!(
                f.role,
                crate::classify::Role::Example | crate::classify::Role::Generated
            )
        })
        .flat_map(|(fi, f)| {
            f.fns
                .iter()
                .enumerate()
                .filter(|(_, x)| x.is_test_fn)
                .map(move |(ni, x)| (fi, f, ni, x))
        })
}

/// Whether a file holds test code: a `tests/` file, or one with `#[cfg(test)]` code.
pub fn in_test_code(f: &RustFile, in_fn: Option<u32>, test_flag: bool) -> bool {
    test_flag
        || f.role == crate::classify::Role::Test
        || in_fn.is_some_and(|i| f.fns.get(i as usize).is_some_and(|x| x.test))
}

/// Paths referenced in test code (any test file or `#[cfg(test)]` code) matching
/// any pattern (see [`crate::facts::query::path_matches`]).
pub fn test_refs(facts: &Facts, patterns: &[&str]) -> Vec<Hit> {
    let mut out = Vec::new();
    let matcher = crate::facts::query::PathMatcher::new(patterns);
    for f in facts
        .rust
        .iter()
        .filter(|f| f.role != crate::classify::Role::Example)
    {
        for r in &f.refs {
            // Calls and types, not imports or attributes (`#[actix_web::test]`
            // marks a test, it drives nothing).
            if matches!(
                r.kind,
                crate::extract::rust::RefKind::Expr | crate::extract::rust::RefKind::Type
            ) && matcher.matches(&r.path)
                && in_test_code(f, r.in_fn, r.test)
            {
                out.push(Hit::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}`", r.path),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Method calls in test code named any of `names`.
pub fn test_methods(facts: &Facts, names: &[&str]) -> Vec<Hit> {
    let mut out = Vec::new();
    for f in facts
        .rust
        .iter()
        .filter(|f| f.role != crate::classify::Role::Example)
    {
        for m in &f.methods {
            if in_test_code(f, m.in_fn, m.test) && names.contains(&m.name.as_str()) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), m.line),
                    format!("`.{}()`", m.name),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Literals in test code matching `re`.
pub fn test_literals(facts: &Facts, re: &Regex) -> Vec<Hit> {
    let mut out = Vec::new();
    for f in facts
        .rust
        .iter()
        .filter(|f| f.role != crate::classify::Role::Example)
    {
        for l in &f.literals {
            if in_test_code(f, l.in_fn, l.test) {
                if let Some(m) = re.find(&l.value) {
                    out.push(Hit::new(
                        Location::new(f.path.clone(), l.line),
                        format!("`{}`", clip(m.as_str(), 60)),
                    ));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Extractor types that mark a function as a request handler.
const EXTRACTORS: &[&str] = &[
    "State<",
    "Json<",
    "Path<",
    "Query<",
    "Form<",
    "Extension<",
    "web::Data<",
    "web::Json<",
    "web::Path<",
    "web::Query<",
    "web::Form<",
    "HttpRequest",
    "Request<",
    "TypedHeader<",
    "Multipart",
    "&State<",
];

/// Request handlers in service code, as (file index, fn index): functions a
/// route calls, and functions taking framework extractors. Ordered, so rules
/// that iterate it decide the same way on every run.
pub fn handlers(facts: &Facts) -> BTreeSet<(usize, usize)> {
    let mut out: BTreeSet<(usize, usize)> =
        facts.routes.iter().filter_map(|r| r.handler_fn).collect();
    for (fi, f) in facts.service_rust() {
        for (ni, func) in f.fns.iter().enumerate() {
            if func.test || func.name == "main" {
                continue;
            }
            let extractor = func.params.iter().any(|p| {
                EXTRACTORS
                    .iter()
                    .any(|e| p.ty.starts_with(e) || p.ty.contains(&format!("::{e}")))
            });
            if (func.is_async && extractor) || !func.route_attrs.is_empty() {
                out.insert((fi, ni));
            }
        }
    }
    out
}

/// CI commands (with the recipes they run) matching `re`, each with whether a
/// failure of it fails the pipeline.
pub fn ci_hits(facts: &Facts, re: &Regex) -> Vec<(Hit, CiCommand)> {
    let mut out = Vec::new();
    for c in facts.ci_commands() {
        let Some(m) = re.find(&c.text) else { continue };
        let line_off = c.text[..m.start()].matches('\n').count() as u32;
        let loc = match c.location.line {
            Some(l) if c.via.is_some() => Location::new(c.location.path.clone(), l + line_off),
            _ => c.location.clone(),
        };
        let via = c
            .via
            .as_ref()
            .map(|v| format!(" (run by {v})"))
            .unwrap_or_default();
        out.push((
            Hit::new(loc, format!("CI runs `{}`{via}", clip(m.as_str(), 80))),
            c,
        ));
    }
    out
}

/// CI commands matching `re`, split into those whose failure fails the
/// pipeline and those that may fail (`continue-on-error`, `allow_failure`),
/// the latter saying so in their message.
pub fn ci_gating(facts: &Facts, re: &Regex) -> (Vec<Hit>, Vec<Hit>) {
    let mut gating = Vec::new();
    let mut weak = Vec::new();
    for (h, c) in ci_hits(facts, re) {
        if c.allow_failure {
            weak.push(Hit::new(
                h.location,
                format!(
                    "{} — but the step may fail without failing the build",
                    h.what
                ),
            ));
        } else {
            gating.push(h);
        }
    }
    (gating, weak)
}

/// Where to point when a CI step is missing: the first workflow, else the anchor.
pub fn ci_anchor(facts: &Facts) -> Location {
    facts
        .ci
        .first()
        .map(|c| Location::file(c.path.clone()))
        .unwrap_or_else(|| facts.anchor())
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clip_folds_whitespace_and_shortens() {
        assert_eq!(clip("a\n  b", 10), "a b");
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}

/// Kinds of evidence to look for at once, each optional.
#[derive(Debug, Default, Clone, Copy)]
pub struct Spec<'a> {
    /// Paths referenced in service code (see [`Facts::refs`]).
    pub refs: &'a [&'a str],
    /// Method names called in service code.
    pub methods: &'a [&'a str],
    /// A regex over string literals in service code.
    pub literals: Option<&'a str>,
    /// A regex over identifiers in service code (see [`ident_hits`]).
    pub idents: Option<&'a str>,
    /// A regex over deployment config (see [`is_deploy_config`]).
    pub config: Option<&'a str>,
    /// Only code in these files counts (config is not restricted).
    pub within: Option<&'a HashSet<String>>,
}

impl Spec<'_> {
    /// Everything this spec finds in service code and config.
    pub fn find(&self, facts: &Facts) -> Vec<Hit> {
        let mut out = if self.refs.is_empty() {
            Vec::new()
        } else {
            facts.refs(self.refs)
        };
        for (f, m) in facts.methods(self.methods) {
            out.push(Hit::new(
                Location::new(f.path.clone(), m.line),
                format!("`.{}()` called", m.name),
            ));
        }
        if let Some(p) = self.literals {
            out.extend(literal_hits(facts, &re(p)));
        }
        if let Some(p) = self.idents {
            out.extend(ident_hits(facts, &re(p)));
        }
        if let Some(files) = self.within {
            out.retain(|h| files.contains(&h.location.path));
        }
        if let Some(p) = self.config {
            out.extend(text_hits(facts, is_deploy_config, &re(p), 2));
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Configuration a deployment reads (YAML/TOML manifests, config files,
/// scripts, Dockerfiles), not CI workflows, Cargo manifests, docs, vendored
/// `.proto` definitions or JSON data: a crate named `parking_lot` or a project
/// board's "Backlog" column says nothing about queues.
pub fn is_deploy_config(t: &TextFile) -> bool {
    is_config(t)
        && !matches!(
            t.kind,
            crate::classify::FileKind::CargoManifest
                | crate::classify::FileKind::Sql
                | crate::classify::FileKind::Proto
                | crate::classify::FileKind::Json
        )
        && !t.path.starts_with(".github/")
        && !t.path.contains("/.github/")
        && !t.path.ends_with(".gitlab-ci.yml")
}
