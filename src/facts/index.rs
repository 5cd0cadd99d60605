//! Lookup tables over the Rust facts, built once, on the first query.
//!
//! Rules ask the same kinds of question many times: "which files are service
//! code?", "where is a path matching `CorsLayer` referenced?", "who calls
//! `.with_graceful_shutdown()`?", "where is the struct `ListParams`?". Scanning
//! every fact of every file for each question made the rules phase grow with
//! (facts × questions); on a large tree it cost more than parsing it. These
//! tables answer them from distinct values instead:
//!
//! - which package each `Facts::rust` file belongs to and whether it is
//!   service code (was: a package lookup per file per query);
//! - each distinct reference path and macro path, with where it occurs — a
//!   pattern is matched once per distinct path, not once per reference;
//! - method calls and types by name.
//!
//! Occurrence lists are in file order then fact order, and cover service files
//! only, as the queries they serve do. The tables are built after the facts are
//! complete (`Facts` is not changed once built); a `Facts` whose Rust files
//! changed after the tables were built gets fresh tables, never stale ones.

use super::Facts;
use std::collections::HashMap;
use std::sync::OnceLock;

/// (file index in `Facts::rust`, fact index in that file).
pub type At = (u32, u32);

/// The lazily built tables.
#[derive(Default)]
pub struct Index {
    cell: OnceLock<Tables>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.cell.get().is_some() {
            "Index(built)"
        } else {
            "Index(not built)"
        })
    }
}

#[derive(Clone)]
pub struct Tables {
    /// Per `Facts::rust` file: whether it is service code.
    pub service: Vec<bool>,
    /// Per `Facts::rust` file: the package it belongs to.
    pub package: Vec<Option<usize>>,
    /// Occurrences of each distinct `PathRef::path` in service files.
    pub ref_paths: Vec<Vec<At>>,
    /// Occurrences of each distinct `MacroCall::path` in service files.
    pub macro_paths: Vec<Vec<At>>,
    /// Occurrences of each distinct `MethodCall::name` in service files.
    pub method_names: Vec<Vec<At>>,
    /// Service-file types by name.
    pub types: HashMap<String, Vec<At>>,
}

impl Facts {
    /// The lookup tables (built on first use).
    pub fn tables(&self) -> std::borrow::Cow<'_, Tables> {
        let t = self.index.cell.get_or_init(|| Tables::build(self));
        if t.service.len() == self.rust.len() {
            std::borrow::Cow::Borrowed(t)
        } else {
            std::borrow::Cow::Owned(Tables::build(self))
        }
    }
}

impl Tables {
    fn build(facts: &Facts) -> Tables {
        let package: Vec<Option<usize>> = facts
            .rust
            .iter()
            .map(|f| super::packages::package_of(&facts.packages, &f.path))
            .collect();
        // `Facts::is_service_path`, with the package already known.
        let service: Vec<bool> = facts
            .rust
            .iter()
            .zip(&package)
            .map(|(f, p)| {
                f.role.is_service() && p.is_none_or(|i| facts.packages[i].is_service_code())
            })
            .collect();
        let mut refs = Groups::default();
        let mut macros = Groups::default();
        let mut methods = Groups::default();
        let mut types: HashMap<String, Vec<At>> = HashMap::new();
        for (fi, f) in facts.rust.iter().enumerate() {
            if !service[fi] {
                continue;
            }
            let fi = fi as u32;
            for (i, r) in f.refs.iter().enumerate() {
                refs.add(&r.path, (fi, i as u32));
            }
            for (i, m) in f.macros.iter().enumerate() {
                macros.add(&m.path, (fi, i as u32));
            }
            for (i, m) in f.methods.iter().enumerate() {
                methods.add(&m.name, (fi, i as u32));
            }
            for (i, t) in f.types.iter().enumerate() {
                types
                    .entry(t.name.clone())
                    .or_default()
                    .push((fi, i as u32));
            }
        }
        Tables {
            service,
            package,
            ref_paths: refs.groups,
            macro_paths: macros.groups,
            method_names: methods.groups,
            types,
        }
    }
}

/// Occurrences grouped by equal key, groups in order of first occurrence.
#[derive(Default)]
struct Groups<'a> {
    by_key: HashMap<&'a str, usize>,
    groups: Vec<Vec<At>>,
}

impl<'a> Groups<'a> {
    fn add(&mut self, key: &'a str, at: At) {
        let n = self.groups.len();
        let g = *self.by_key.entry(key).or_insert(n);
        if g == n {
            self.groups.push(Vec::new());
        }
        self.groups[g].push(at);
    }
}
