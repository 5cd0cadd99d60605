//! Questions rules ask of the facts, answered with locations.
//!
//! Every query returns [`Hit`]s — a location and what was seen there — so a rule
//! can put them straight into a report as evidence.

use super::index::At;
use super::{Facts, Package, TextFile};
use crate::classify::{FileKind, Role};
use crate::extract::cargo::{Dep, DepKind};
use crate::extract::ci::{CiFile, CiJob, CiStep};
use crate::extract::rust::{FnFact, MacroCall, MethodCall, PathRef, RefKind, RustFile, TypeFact};
use crate::location::Location;

/// Something seen at a place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub location: Location,
    pub what: String,
}

impl Hit {
    pub fn new(location: Location, what: impl Into<String>) -> Self {
        Hit {
            location,
            what: what.into(),
        }
    }
}

/// Whether `path` (`a::b::C::new`) matches `pattern`: the pattern's segments
/// appear contiguously in the path. Segments may use `*` as a wildcard
/// (`*RateLimit*`). A leading `^` anchors the pattern at the path's start.
/// `-` and `_` are the same character in both.
///
/// Called for every path seen in code against every pattern of every rule, so
/// it allocates nothing and rejects most paths with one substring search.
pub fn path_matches(path: &str, pattern: &str) -> bool {
    let (anchored, pattern) = match pattern.strip_prefix('^') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    // Without wildcards or dashes, contiguous equal segments are a substring.
    if !pattern.contains(['*', '-']) && !path.contains('-') && !contains(path, pattern) {
        return false;
    }
    let n_segs = segments(path).count();
    let n_pats = segments(pattern).count();
    if n_pats > n_segs {
        return false;
    }
    let last_start = if anchored { 0 } else { n_segs - n_pats };
    (0..=last_start).any(|start| {
        segments(pattern)
            .zip(segments(path).skip(start))
            .all(|(p, s)| glob_segment(p, s))
    })
}

/// Several path patterns, prepared once for matching many paths.
pub struct PathMatcher<'a> {
    /// Each pattern with the plain text its last segment needs to find in a path.
    patterns: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> PathMatcher<'a> {
    pub fn new(patterns: &[&'a str]) -> Self {
        PathMatcher {
            patterns: patterns
                .iter()
                .map(|p| {
                    let last = p.trim_start_matches('^').rsplit("::").next().unwrap_or(p);
                    (*p, (!last.contains(['*', '-'])).then_some(last))
                })
                .collect(),
        }
    }

    /// Whether `path` matches any pattern (see [`path_matches`]).
    pub fn matches(&self, path: &str) -> bool {
        self.patterns
            .iter()
            .any(|(p, last)| last.is_none_or(|l| path.contains(l)) && path_matches(path, p))
    }
}

/// The `::`-separated segments of a path.
fn segments(path: &str) -> impl Iterator<Item = &str> + Clone {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let r = rest?;
        let mut from = 0;
        while let Some(i) = r[from..].find(':') {
            let at = from + i;
            if r.as_bytes().get(at + 1) == Some(&b':') {
                rest = Some(&r[at + 2..]);
                return Some(&r[..at]);
            }
            from = at + 1;
        }
        rest = None;
        Some(r)
    })
}

/// `haystack.contains(needle)`, without building a two-way searcher for the
/// short needles patterns are.
fn contains(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    match n.first() {
        None => true,
        Some(&first) => h
            .iter()
            .enumerate()
            .take((h.len() + 1).saturating_sub(n.len()))
            .any(|(i, &b)| b == first && h[i..].starts_with(n)),
    }
}

/// Equal, reading `-` as `_` on both sides.
fn eq_dashes(a: &str, b: &str) -> bool {
    let norm = |c: u8| if c == b'-' { b'_' } else { c };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| norm(x) == norm(y))
}

/// One pattern segment against one path segment (whose `-` read as `_`).
fn glob_segment(pattern: &str, seg: &str) -> bool {
    if !pattern.contains('*') {
        return eq_dashes(pattern, seg);
    }
    let normalised;
    let seg = if seg.contains('-') {
        normalised = seg.replace('-', "_");
        normalised.as_str()
    } else {
        seg
    };
    let n_parts = pattern.split('*').count();
    let mut rest = seg;
    for (i, part) in pattern.split('*').enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == n_parts - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// A CI command, with where it came from.
#[derive(Debug, Clone)]
pub struct CiCommand {
    /// Where the command text is (a workflow step, or a Makefile recipe it runs).
    pub location: Location,
    pub text: String,
    /// The CI step that leads to it, when the text lives in a script or Makefile.
    pub via: Option<Location>,
    /// A failure of this step does not fail the pipeline.
    pub allow_failure: bool,
}

impl Facts {
    /// Service packages (not tests, examples or tooling).
    pub fn service_packages(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| p.is_service_code())
    }

    /// Packages that serve HTTP or gRPC.
    pub fn server_packages(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| p.is_server())
    }

    /// Whether a file's code counts as service code.
    pub fn is_service_path(&self, path: &str, role: Role) -> bool {
        if !role.is_service() {
            return false;
        }
        match super::packages::package_of(&self.packages, path) {
            Some(i) => self.packages[i].is_service_code(),
            None => true,
        }
    }

    /// Rust files of service code, with their index in `self.rust`.
    pub fn service_rust(&self) -> impl Iterator<Item = (usize, &RustFile)> {
        let service = match self.tables() {
            std::borrow::Cow::Borrowed(t) => std::borrow::Cow::Borrowed(&t.service),
            std::borrow::Cow::Owned(t) => std::borrow::Cow::Owned(t.service),
        };
        self.rust
            .iter()
            .enumerate()
            .filter(move |(i, _)| service[*i])
    }

    /// Normal dependencies of service packages on any of `names`.
    pub fn deps(&self, names: &[&str]) -> Vec<(&Package, &Dep)> {
        self.service_packages()
            .filter_map(|p| p.dep(names).map(|d| (p, d)))
            .collect()
    }

    /// Dev-dependencies of any package on any of `names`.
    pub fn dev_deps(&self, names: &[&str]) -> Vec<(&Package, &Dep)> {
        self.packages
            .iter()
            .flat_map(|p| {
                p.deps
                    .iter()
                    .filter(|d| {
                        d.kind == DepKind::Dev
                            && names
                                .iter()
                                .any(|n| super::packages::same_crate(&d.name, n))
                    })
                    .map(move |d| (p, d))
            })
            .collect()
    }

    /// The manifest line of a dependency.
    pub fn dep_location(&self, pkg: &Package, dep: &Dep) -> Location {
        match dep.line {
            Some(l) => Location::new(pkg.manifest.clone(), l),
            None => Location::file(pkg.manifest.clone()),
        }
    }

    /// Dependency hits, with the resolved version when Cargo.lock has one.
    pub fn dep_hits(&self, names: &[&str]) -> Vec<Hit> {
        self.deps(names)
            .into_iter()
            .map(|(p, d)| {
                let version = self
                    .lock
                    .get(&d.name)
                    .and_then(|v| v.last())
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default();
                Hit::new(
                    self.dep_location(p, d),
                    format!("`{}` depends on `{}`{version}", p.name, d.name),
                )
            })
            .collect()
    }

    /// References in service code (not imports, not tests) to paths matching any pattern.
    pub fn refs(&self, patterns: &[&str]) -> Vec<Hit> {
        self.refs_where(patterns, |r| r.kind != RefKind::Use && !r.test)
    }

    /// Like [`Facts::refs`], imports included.
    pub fn refs_or_imports(&self, patterns: &[&str]) -> Vec<Hit> {
        self.refs_where(patterns, |r| !r.test)
    }

    fn refs_where(&self, patterns: &[&str], keep: impl Fn(&PathRef) -> bool) -> Vec<Hit> {
        let tables = self.tables();
        let mut out: Vec<Hit> = self
            .grouped(
                &tables.ref_paths,
                |f, i| &f.refs[i],
                |r| patterns.iter().any(|p| path_matches(&r.path, p)),
            )
            .filter(|(_, r)| keep(r))
            .map(|(f, r)| {
                Hit::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}`", r.path),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Method calls in service code (not tests) named any of `names`, optionally
    /// filtered by the call chain's root path.
    pub fn methods(&self, names: &[&str]) -> Vec<(&RustFile, &MethodCall)> {
        let tables = self.tables();
        self.grouped(
            &tables.method_names,
            |f, i| &f.methods[i],
            |m| names.contains(&m.name.as_str()),
        )
        .filter(|(_, m)| !m.test)
        .collect()
    }

    /// Macro invocations in service code (not tests) whose path matches any pattern.
    pub fn macros(&self, patterns: &[&str]) -> Vec<(&RustFile, &MacroCall)> {
        let tables = self.tables();
        self.grouped(
            &tables.macro_paths,
            |f, i| &f.macros[i],
            |m| patterns.iter().any(|p| path_matches(&m.path, p)),
        )
        .filter(|(_, m)| !m.test)
        .collect()
    }

    /// Every fact of the groups (of equal keys) whose first fact is `wanted`,
    /// in file then fact order.
    fn grouped<'s, T: 's>(
        &'s self,
        groups: &[Vec<At>],
        fact: impl Fn(&'s RustFile, usize) -> &'s T,
        wanted: impl Fn(&T) -> bool,
    ) -> impl Iterator<Item = (&'s RustFile, &'s T)> {
        let mut at: Vec<At> = Vec::new();
        for group in groups {
            let (fi, i) = group[0];
            if wanted(fact(&self.rust[fi as usize], i as usize)) {
                at.extend(group);
            }
        }
        at.sort_unstable();
        at.into_iter().map(move |(fi, i)| {
            let f = &self.rust[fi as usize];
            (f, fact(f, i as usize))
        })
    }

    /// A function by its index pair.
    pub fn func(&self, (fi, ni): (usize, usize)) -> (&RustFile, &FnFact) {
        (&self.rust[fi], &self.rust[fi].fns[ni])
    }

    /// A struct or enum named `name` in service code, preferring `near_file`'s
    /// package.
    pub fn type_named(&self, name: &str, near_file: usize) -> Option<(&RustFile, &TypeFact)> {
        let tables = self.tables();
        let near_pkg = tables.package[near_file];
        let mut best: Option<((&RustFile, &TypeFact), u8)> = None;
        for &(fi, ti) in tables.types.get(name).into_iter().flatten() {
            let (fi, f) = (fi as usize, &self.rust[fi as usize]);
            let t = &f.types[ti as usize];
            if t.test {
                continue;
            }
            let score = if fi == near_file {
                2
            } else if near_pkg.is_some() && tables.package[fi] == near_pkg {
                1
            } else {
                0
            };
            if best.is_none_or(|(_, s)| score > s) {
                best = Some(((f, t), score));
            }
        }
        best.map(|(b, _)| b)
    }

    /// Every CI step.
    pub fn ci_steps(&self) -> impl Iterator<Item = (&CiFile, &CiJob, &CiStep)> {
        self.ci.iter().flat_map(|c| {
            c.jobs
                .iter()
                .filter(|j| !j.template)
                .flat_map(move |j| j.steps.iter().map(move |s| (c, j, s)))
        })
    }

    /// Every command CI runs: step texts, plus the Makefile/justfile recipes,
    /// scripts and cargo aliases those steps invoke (one level deep).
    pub fn ci_commands(&self) -> Vec<CiCommand> {
        let mut out = Vec::new();
        for (file, job, step) in self.ci_steps() {
            let loc = Location::new(file.path.clone(), step.line);
            let allow_failure = step.allow_failure || job.allow_failure;
            let text = step.text();
            for (target_loc, body) in self.expand_command(&text) {
                out.push(CiCommand {
                    location: target_loc,
                    text: body,
                    via: Some(loc.clone()),
                    allow_failure,
                });
            }
            out.push(CiCommand {
                location: loc,
                text,
                via: None,
                allow_failure,
            });
        }
        out
    }

    /// Recipes and scripts a command line runs.
    fn expand_command(&self, text: &str) -> Vec<(Location, String)> {
        let mut out = Vec::new();
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            for (i, w) in words.iter().enumerate() {
                let next = words.get(i + 1).copied().unwrap_or("");
                match *w {
                    "make" | "just" if !next.starts_with('-') && !next.is_empty() => {
                        let files: &[&str] = if *w == "make" {
                            &["Makefile", "makefile", "GNUmakefile"]
                        } else {
                            &["justfile", ".justfile", "Justfile"]
                        };
                        // Every target named (`just run-tests run-builder-tests`),
                        // also in imported `.just`/`.mk` files.
                        let targets = words[i + 1..]
                            .iter()
                            .take_while(|t| {
                                !t.starts_with('-')
                                    && !t.contains('=')
                                    && !matches!(**t, "&&" | "||" | ";" | "|")
                            })
                            .map(|t| t.trim_end_matches(';'));
                        let ext = if *w == "make" { ".mk" } else { ".just" };
                        for target in targets {
                            for t in self.texts.iter().filter(|t| {
                                let name = t.path.rsplit('/').next().unwrap_or(&t.path);
                                files.contains(&name) || name.ends_with(ext)
                            }) {
                                if let Some((line, body)) = recipe(&t.text, target) {
                                    for (def_line, def) in make_calls(&t.text, &body) {
                                        out.push((Location::new(t.path.clone(), def_line), def));
                                    }
                                    out.push((Location::new(t.path.clone(), line), body));
                                }
                            }
                        }
                    }
                    "cargo" if !next.is_empty() => {
                        if let Some((loc, body)) = self.cargo_alias(next) {
                            out.push((loc, body));
                        }
                        if next == "make" {
                            if let Some(task) = words.get(i + 2) {
                                for t in self
                                    .texts
                                    .iter()
                                    .filter(|t| t.path.ends_with("Makefile.toml"))
                                {
                                    if let Some(line) = crate::location::find_line(
                                        &t.text,
                                        &format!("[tasks.{task}]"),
                                    ) {
                                        let body: String = t
                                            .text
                                            .lines()
                                            .skip(line as usize - 1)
                                            .take(15)
                                            .collect::<Vec<_>>()
                                            .join("\n");
                                        out.push((Location::new(t.path.clone(), line), body));
                                    }
                                }
                            }
                        }
                    }
                    _ => {
                        let script = w.trim_start_matches("./");
                        if script.ends_with(".sh") {
                            if let Some(t) = self.texts.iter().find(|t| {
                                t.path == script || t.path.ends_with(&format!("/{script}"))
                            }) {
                                out.push((Location::file(t.path.clone()), t.text.clone()));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn cargo_alias(&self, name: &str) -> Option<(Location, String)> {
        for t in self
            .texts
            .iter()
            .filter(|t| t.path == ".cargo/config.toml" || t.path == ".cargo/config")
        {
            let table: toml::Table = toml::from_str(&t.text).ok()?;
            let alias = table.get("alias")?.get(name)?;
            let body = match alias {
                toml::Value::String(s) => s.clone(),
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => continue,
            };
            let line = crate::location::find_line(&t.text, &format!("{name} ")).unwrap_or(0);
            return Some((Location::new(t.path.clone(), line), format!("cargo {body}")));
        }
        None
    }

    /// Non-Rust text files matching a predicate.
    pub fn texts_where(&self, keep: impl Fn(&TextFile) -> bool) -> impl Iterator<Item = &TextFile> {
        self.texts.iter().filter(move |t| keep(t))
    }

    /// A real place to point at when something is missing everywhere: the
    /// first server's entry point (`src/main.rs`), else the first service
    /// manifest, else the root manifest, else the first file read.
    pub fn anchor(&self) -> Location {
        if let Some(p) = self.server_packages().chain(self.service_packages()).next() {
            let main = if p.dir.is_empty() {
                "src/main.rs".to_string()
            } else {
                format!("{}/src/main.rs", p.dir)
            };
            if self.rust.iter().any(|f| f.path == main) {
                return Location::file(main);
            }
            return Location::file(p.manifest.clone());
        }
        if let Some(f) = self
            .files
            .iter()
            .find(|f| f.kind == FileKind::CargoManifest)
        {
            return Location::file(f.path.clone());
        }
        Location::file(
            self.files
                .first()
                .map(|f| f.path.clone())
                .unwrap_or_else(|| ".".into()),
        )
    }

    /// Where the top-level router is built: the router root serving the most
    /// routes.
    pub fn router_anchor(&self) -> Option<Location> {
        self.router_roots.first().map(|r| r.location.clone())
    }
}

/// The bodies (with their first line) of the make functions a recipe calls
/// (`$(call test_core)` → `define test_core … endef`).
fn make_calls(text: &str, body: &str) -> Vec<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    body.split("$(call ")
        .skip(1)
        .filter_map(|rest| rest.split([')', ',']).next())
        .filter_map(|name| {
            let def = lines
                .iter()
                .position(|l| l.split_whitespace().take(2).eq(["define", name.trim()]))?;
            let block: Vec<&str> = lines[def + 1..]
                .iter()
                .take_while(|l| l.trim() != "endef")
                .map(|l| l.trim())
                .collect();
            Some((def as u32 + 2, block.join("\n")))
        })
        .collect()
}

/// The body of a Makefile target or justfile recipe, with its line.
fn recipe(text: &str, name: &str) -> Option<(u32, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| {
        !l.starts_with(char::is_whitespace)
            && l.split(':').next().is_some_and(|head| {
                head.split_whitespace().next() == Some(name)
                    || head.split_whitespace().any(|t| t == name) && !l.contains(":=")
            })
            && l.contains(':')
            && !l.contains(":=")
    })?;
    let mut body = vec![lines[start].to_string()];
    for l in &lines[start + 1..] {
        if l.starts_with('\t') || l.starts_with("    ") || l.starts_with("  ") {
            body.push(l.trim().to_string());
        } else if l.trim().is_empty() {
            continue;
        } else {
            break;
        }
    }
    Some((start as u32 + 1, body.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns_match_contiguous_segments() {
        assert!(path_matches(
            "tower_http::cors::CorsLayer::new",
            "CorsLayer"
        ));
        assert!(path_matches(
            "tower_http::cors::CorsLayer::new",
            "tower_http::cors::CorsLayer"
        ));
        assert!(path_matches(
            "tower_http::cors::CorsLayer::new",
            "tower-http::cors"
        ));
        assert!(!path_matches("tower_http::cors::CorsLayer", "cors::Other"));
        assert!(path_matches("my::RateLimiterLayer", "*RateLimit*"));
        assert!(path_matches("governor::Quota", "^governor"));
        assert!(!path_matches("app::governor::Quota", "^governor"));
    }

    /// The first implementation of [`path_matches`], splitting and allocating on
    /// every call: the fast one must agree with it.
    fn path_matches_reference(path: &str, pattern: &str) -> bool {
        fn glob(pattern: &str, seg: &str) -> bool {
            if !pattern.contains('*') {
                return pattern.replace('-', "_") == seg;
            }
            let parts: Vec<&str> = pattern.split('*').collect();
            let mut rest = seg;
            for (i, part) in parts.iter().enumerate() {
                if part.is_empty() {
                    continue;
                }
                if i == 0 {
                    match rest.strip_prefix(part) {
                        Some(r) => rest = r,
                        None => return false,
                    }
                } else if i == parts.len() - 1 {
                    return rest.ends_with(part);
                } else {
                    match rest.find(part) {
                        Some(at) => rest = &rest[at + part.len()..],
                        None => return false,
                    }
                }
            }
            true
        }
        let (anchored, pattern) = match pattern.strip_prefix('^') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        let segs: Vec<&str> = path.split("::").collect();
        let pats: Vec<&str> = pattern.split("::").collect();
        if pats.len() > segs.len() {
            return false;
        }
        let starts = if anchored {
            0..1
        } else {
            0..segs.len() - pats.len() + 1
        };
        starts.into_iter().any(|start| {
            pats.iter()
                .zip(&segs[start..])
                .all(|(p, s)| glob(p, &s.replace('-', "_")))
        })
    }

    #[test]
    fn fast_path_matching_agrees_with_the_reference() {
        let paths = [
            "tower_http::cors::CorsLayer::new",
            "tower-http::cors::CorsLayer",
            "governor::Quota",
            "app::governor::Quota",
            "my::RateLimiterLayer",
            "a:::b",
            "a::",
            "",
            "x::y::x::y::z",
            "tracing_subscriber::fmt::layer",
            "fmt",
        ];
        let patterns = [
            "CorsLayer",
            "tower_http::cors",
            "tower-http::cors",
            "^tower_http",
            "^governor",
            "governor::Quota",
            "*RateLimit*",
            "Rate*Layer",
            "*Layer",
            "my::*Limiter*",
            "x::y::z",
            "^x::y::z",
            "fmt",
            "fmt::layer",
            "",
            "::",
            ":b",
            "a::",
            "cors::Other",
        ];
        for p in paths {
            for pat in patterns {
                assert_eq!(
                    path_matches(p, pat),
                    path_matches_reference(p, pat),
                    "{p} ~ {pat}"
                );
            }
        }
    }

    #[test]
    fn makefile_and_justfile_recipes() {
        let mk = "all: build\n\ncoverage:\n\tcargo llvm-cov --fail-under-lines 85\n\ntest:\n\tcargo test\n";
        let (line, body) = recipe(mk, "coverage").unwrap();
        assert_eq!(line, 3);
        assert!(body.contains("--fail-under-lines 85"));
        let called = "define test_core\n\tcargo test --no-fail-fast\nendef\n\ntest: ## all\n\t$(call test_core)\n";
        let (_, body) = recipe(called, "test").unwrap();
        assert_eq!(
            make_calls(called, &body),
            [(2, "cargo test --no-fail-fast".to_string())]
        );
        let just = "cov:\n    cargo tarpaulin --fail-under 80\n";
        assert!(recipe(just, "cov").unwrap().1.contains("tarpaulin"));
    }
}
