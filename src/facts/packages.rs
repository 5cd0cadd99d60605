//! Packages: which crate each file belongs to, and which crates are services.
//!
//! A package is a service when it depends on a server framework (axum,
//! actix-web, rocket, warp, poem, salvo, tonic …) and is not itself a test,
//! example or tooling crate. Files belong to the package whose directory is the
//! longest prefix of their path.

use crate::classify::{self, Role};
use crate::extract::cargo::{Dep, DepKind, Manifest, TargetDecl};
use serde::Serialize;
use std::collections::HashSet;

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
    /// Builds a binary: a `[[bin]]` target, `src/main.rs` or `src/bin/`
    /// (set by [`refine_roles`]).
    pub has_bin: bool,
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
            has_bin: false,
        });
    }
    out.sort_by(|a, b| a.manifest.cmp(&b.manifest));
    out
}

/// Fuzzing harness crates: a package depending on one is fuzzing tooling.
const FUZZ_CRATES: &[&str] = &["libfuzzer-sys", "afl", "honggfuzz", "cargo-fuzz"];

/// Refine package roles from what the manifests say, beyond their paths: a
/// cargo-fuzz crate (it depends on `libfuzzer-sys`, `afl`, `honggfuzz`) is
/// tooling wherever it lives; a library other packages of the repository use
/// only as a dev-dependency, or whose name says it is test support
/// (`orders-test-utils`, `api-testing`), is test code — unless it has a binary
/// (`has_bin` says whether `<dir>/src/main.rs` or a file under `<dir>/src/bin/`
/// was found). A server crate only tests depend on is test support only when
/// another server crate remains the service; otherwise its binary may be out
/// of sight, and it stays.
pub fn refine_roles(packages: &mut [Package], has_bin: impl Fn(&str) -> bool) {
    let mut normal_use: HashSet<String> = HashSet::new();
    let mut dev_use: HashSet<String> = HashSet::new();
    for p in packages.iter() {
        for d in &p.deps {
            let name = d.name.replace('_', "-");
            match d.kind {
                DepKind::Dev => dev_use.insert(name),
                _ => normal_use.insert(name),
            };
        }
    }
    let mut dev_servers = Vec::new();
    for (i, p) in packages.iter_mut().enumerate() {
        p.has_bin = p.targets.iter().any(|t| t.kind == "bin") || has_bin(&p.dir);
        if p.role != Role::Service {
            continue;
        }
        if p.deps
            .iter()
            .any(|d| FUZZ_CRATES.iter().any(|f| same_crate(&d.name, f)))
        {
            p.role = Role::Tooling;
            continue;
        }
        if p.has_bin {
            continue;
        }
        let key = p.name.replace('_', "-");
        let dev_only = dev_use.contains(&key) && !normal_use.contains(&key);
        if named_for_tests(&p.name) || (dev_only && p.frameworks.is_empty()) {
            p.role = Role::Test;
        } else if dev_only {
            dev_servers.push(i);
        }
    }
    let other_server = |i: usize| {
        packages
            .iter()
            .enumerate()
            .any(|(j, p)| j != i && !dev_servers.contains(&j) && p.is_server())
    };
    let test_support: Vec<usize> = dev_servers
        .iter()
        .copied()
        .filter(|&i| other_server(i))
        .collect();
    for i in test_support {
        packages[i].role = Role::Test;
    }
}

/// A crate name made of test-support words: `test-utils`, `foo-testing`,
/// `bar_test_harness`, `testkit` (not `contest`, `latest`).
fn named_for_tests(name: &str) -> bool {
    name.split(['-', '_']).any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "test" | "tests" | "testing" | "testkit" | "testutils"
        )
    })
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
            for f in &wd.features {
                if !d.features.contains(f) {
                    d.features.push(f.clone());
                }
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

    fn package(name: &str, dir: &str, deps: &[(&str, DepKind)]) -> Package {
        Package {
            name: name.into(),
            manifest: format!("{dir}/Cargo.toml"),
            dir: dir.into(),
            deps: deps
                .iter()
                .map(|(n, k)| Dep {
                    key: n.to_string(),
                    name: n.to_string(),
                    kind: *k,
                    line: Some(1),
                    optional: false,
                    path: None,
                    features: Vec::new(),
                })
                .collect(),
            targets: Vec::new(),
            role: Role::Service,
            has_bin: false,
            frameworks: Vec::new(),
        }
    }

    #[test]
    fn fuzz_and_test_support_crates_are_not_service_code() {
        let mut ps = vec![
            package(
                "api",
                "crates/api",
                &[
                    ("helpers", DepKind::Dev),
                    ("stub-server", DepKind::Dev),
                    ("shared", DepKind::Normal),
                ],
            ),
            package("helpers", "crates/helpers", &[]),
            package("stub-server", "crates/stub", &[]),
            package("shared", "crates/shared", &[]),
            package("orders-test-utils", "crates/tu", &[]),
            package(
                "parser-fuzz",
                "crates/pf",
                &[("libfuzzer-sys", DepKind::Normal)],
            ),
            package("ab-test-runner", "crates/ab", &[]),
            package("latest", "crates/latest", &[]),
        ];
        ps[0].frameworks = vec!["axum".into()];
        ps[2].frameworks = vec!["axum".into()];
        refine_roles(&mut ps, |dir| dir == "crates/ab" || dir == "crates/api");
        let roles: Vec<(&str, Role)> = ps.iter().map(|p| (p.name.as_str(), p.role)).collect();
        assert_eq!(
            roles,
            [
                ("api", Role::Service),
                // used only by api's tests
                ("helpers", Role::Test),
                // a server only tests use, beside the real one
                ("stub-server", Role::Test),
                ("shared", Role::Service),
                ("orders-test-utils", Role::Test),
                ("parser-fuzz", Role::Tooling),
                // it has a binary
                ("ab-test-runner", Role::Service),
                ("latest", Role::Service),
            ]
        );

        // A server crate only tests use, with no other server: its binary may
        // be elsewhere, so it stays the service.
        let mut ps = vec![
            package("e2e", "e2e", &[("core", DepKind::Dev)]),
            package("core", "core", &[]),
        ];
        ps[1].frameworks = vec!["axum".into()];
        refine_roles(&mut ps, |_| false);
        assert_eq!(ps[1].role, Role::Service);
    }

    #[test]
    fn crate_names_ignore_dash_underscore() {
        assert!(same_crate("tower-http", "tower_http"));
        assert!(!same_crate("tower-http", "tower"));
    }
}
