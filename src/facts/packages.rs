//! Packages: which crate each file belongs to, and which crates are services.
//!
//! A package is a service when it depends on a server framework (axum,
//! actix-web, rocket, warp, poem, salvo, tonic …) and is not itself a test,
//! example or tooling crate. Files belong to the package whose directory is the
//! longest prefix of their path.

use crate::classify::{self, Role};
use crate::extract::cargo::{Dep, DepKind, Manifest, TargetDecl};
use serde::Serialize;

/// Crates that serve HTTP or gRPC, with the framework name reported.
pub const FRAMEWORKS: &[(&str, &str)] = &[
    ("axum", "axum"),
    ("actix-web", "actix-web"),
    ("rocket", "rocket"),
    ("warp", "warp"),
    ("poem", "poem"),
    ("poem-openapi", "poem"),
    ("salvo", "salvo"),
    ("tonic", "tonic"),
    ("tide", "tide"),
    ("ntex", "ntex"),
    ("gotham", "gotham"),
    ("viz", "viz"),
    ("loco-rs", "axum"),
    ("shuttle-axum", "axum"),
    ("shuttle-actix-web", "actix-web"),
    ("lambda_http", "lambda_http"),
    ("hyper", "hyper"),
];

/// A Cargo package.
#[derive(Debug, Clone, Serialize)]
pub struct Package {
    pub name: String,
    /// Root-relative manifest path.
    pub manifest: String,
    /// Root-relative directory ("" for the root).
    pub dir: String,
    pub deps: Vec<Dep>,
    pub targets: Vec<TargetDecl>,
    pub role: Role,
    /// Server frameworks it depends on directly.
    pub frameworks: Vec<String>,
}

impl Package {
    /// A package whose code ships with a service (not tests, examples, tooling).
    pub fn is_service_code(&self) -> bool {
        self.role == Role::Service
    }

    /// Serves HTTP or gRPC itself.
    pub fn is_server(&self) -> bool {
        self.is_service_code() && !self.frameworks.is_empty()
    }

    /// A normal (non-dev, non-build) dependency on any of `names`
    /// (`-`/`_` insensitive).
    pub fn dep(&self, names: &[&str]) -> Option<&Dep> {
        self.deps
            .iter()
            .find(|d| d.kind == DepKind::Normal && names.iter().any(|n| same_crate(&d.name, n)))
    }

    /// A dependency of any kind on any of `names`.
    pub fn any_dep(&self, names: &[&str]) -> Option<&Dep> {
        self.deps
            .iter()
            .find(|d| names.iter().any(|n| same_crate(&d.name, n)))
    }
}

/// Crate names compare with `-` and `_` as the same character.
pub fn same_crate(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || (matches!(x, b'-' | b'_') && matches!(y, b'-' | b'_')))
}

/// Packages from manifests (with workspace dependency inheritance applied).
pub fn from_manifests(manifests: &[Manifest]) -> Vec<Package> {
    let mut out = Vec::new();
    for m in manifests {
        let Some(p) = &m.package else { continue };
        let role = if m.dir.is_empty() {
            Role::Service
        } else {
            classify::role_of(&format!("{}/Cargo.toml", m.dir))
        };
        let deps: Vec<Dep> = p
            .deps
            .iter()
            .map(|d| inherit(d, &m.dir, manifests))
            .collect();
        out.push(Package {
            name: p.name.clone(),
            manifest: m.path.clone(),
            dir: m.dir.clone(),
            frameworks: frameworks_of(&deps),
            deps,
            targets: p.targets.clone(),
            role,
        });
    }
    out.sort_by(|a, b| a.manifest.cmp(&b.manifest));
    out
}

/// `foo = { workspace = true }` → the real package name from the nearest
/// enclosing `[workspace.dependencies]`.
fn inherit(dep: &Dep, dir: &str, manifests: &[Manifest]) -> Dep {
    let mut best: Option<&Manifest> = None;
    for m in manifests.iter().filter(|m| m.workspace.is_some()) {
        let encloses = m.dir.is_empty() || dir == m.dir || dir.starts_with(&format!("{}/", m.dir));
        if encloses && best.is_none_or(|b| m.dir.len() > b.dir.len()) {
            best = Some(m);
        }
    }
    let mut d = dep.clone();
    if let Some(ws) = best.and_then(|m| m.workspace.as_ref()) {
        if let Some(wd) = ws.deps.iter().find(|w| w.key == dep.key) {
            if d.name == d.key {
                d.name = wd.name.clone();
            }
            if d.path.is_none() {
                d.path = wd.path.clone();
            }
        }
    }
    d
}

pub fn frameworks_of(deps: &[Dep]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (krate, fw) in FRAMEWORKS {
        if deps
            .iter()
            .any(|d| d.kind == DepKind::Normal && same_crate(&d.name, krate))
            && !out.iter().any(|f| f == fw)
        {
            out.push(fw.to_string());
        }
    }
    // hyper alone is usually a client; only count it when nothing else serves.
    if out.len() > 1 {
        out.retain(|f| f != "hyper");
    }
    out
}

/// The index of the package a root-relative file path belongs to.
pub fn package_of(packages: &[Package], path: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, p) in packages.iter().enumerate() {
        let inside = p.dir.is_empty()
            || (path.starts_with(p.dir.as_str())
                && path.as_bytes().get(p.dir.len()) == Some(&b'/'));
        if inside && best.is_none_or(|(_, len)| p.dir.len() > len) {
            best = Some((i, p.dir.len()));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_ignore_dash_underscore() {
        assert!(same_crate("tower-http", "tower_http"));
        assert!(!same_crate("tower-http", "tower"));
    }
}
