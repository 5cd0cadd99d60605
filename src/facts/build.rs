//! Assembling [`Facts`] from per-file extraction outcomes.

use super::{generated_spec, packages, routes, AnalyzedFile, Facts, TextFile, YamlFile};
use crate::diagnostics::Diagnostic;
use crate::discover::Inventory;
use crate::extract::{self, cargo, Extracted, FileOutcome};
use crate::location::Location;
use std::path::Path;

/// Options for joining facts.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Confirm Cargo facts with a sandboxed `cargo metadata` where cargo exists.
    pub cargo_metadata: bool,
}

impl Facts {
    /// Join extraction outcomes (in inventory order) into the index.
    pub fn build(
        root: &Path,
        inventory: Inventory,
        outcomes: Vec<FileOutcome>,
        opts: &BuildOptions,
    ) -> Facts {
        let mut f = Facts {
            root: root.to_path_buf(),
            skipped: inventory.skipped,
            diagnostics: inventory.diagnostics,
            cargo_source: "manifest".into(),
            ..Facts::default()
        };
        for o in outcomes {
            f.diagnostics.extend(o.diagnostics);
            if let Some(s) = o.skipped {
                f.skipped.push(s);
                continue;
            }
            f.files.push(AnalyzedFile {
                path: o.path.clone(),
                kind: o.kind,
                role: o.role,
            });
            if let Some(text) = o.text {
                f.texts.push(TextFile {
                    path: o.path.clone(),
                    kind: o.kind,
                    role: o.role,
                    text,
                });
            }
            f.sql.extend(o.seaquery);
            match o.facts {
                Some(Extracted::Rust(r)) => {
                    f.sql.extend(crate::extract::sql::from_rust_literals(&r));
                    f.rust.push(r)
                }
                Some(Extracted::Sql(s)) => f.sql.push(s),
                Some(Extracted::Manifest(m)) => f.manifests.push(m),
                Some(Extracted::Lock(l)) => {
                    for (k, mut v) in l {
                        let e = f.lock.entry(k).or_default();
                        e.append(&mut v);
                        e.sort();
                        e.dedup();
                    }
                }
                Some(Extracted::Docker(d)) => f.dockerfiles.push(d),
                Some(Extracted::Spec(s)) => f.specs.push(s),
                Some(Extracted::Ci(c)) => f.ci.push(c),
                Some(Extracted::Yaml { kind, docs }) => f.yaml.push(YamlFile {
                    path: o.path,
                    kind,
                    role: o.role,
                    docs,
                }),
                Some(Extracted::Coverage(c)) => f.coverage.push(c),
                Some(Extracted::Text) | None => {}
            }
        }
        if f.files.is_empty() {
            // An empty directory, or the wrong one: say so rather than print an
            // empty report that looks like a clean bill of health.
            f.diagnostics.push(Diagnostic::warning(
                Location::file("."),
                "read",
                "no file seaworthy reads was found under this path (Rust, Cargo, Dockerfile, OpenAPI, CI); check that it is the root of the repository",
            ));
        }
        f.packages = packages::from_manifests(&f.manifests);
        f.apply_package_roles();
        if opts.cargo_metadata {
            crate::timings::time_sub("cargo metadata", || f.confirm_with_cargo_metadata());
        }
        let joined = crate::timings::time_sub("routes", || routes::join(&f.rust, &f.packages));
        (f.routes, f.router_roots, f.unmounted_routes) =
            (joined.routes, joined.roots, joined.unmounted);
        (f.workloads, f.k8s_objects) = super::manifests::collect(&f.yaml, &f.texts);
        // OpenAPI documents the code generates (utoipa, aide, poem-openapi, ..).
        let generated = generated_spec::from_code(&f);
        f.specs.extend(generated);
        f.skipped.sort();
        f.diagnostics.sort();
        f.diagnostics.dedup();
        f
    }

    /// Refine package roles from their manifests ([`packages::refine_roles`])
    /// and give every service file of a package that is not service code its
    /// package's role: a fuzz target's `println!` or a test harness's routes
    /// must not decide a service item.
    fn apply_package_roles(&mut self) {
        // Package dirs with a binary by cargo's conventions.
        let bins: std::collections::HashSet<&str> = self
            .files
            .iter()
            .filter_map(|a| {
                let (dir, rest) = match a.path.strip_prefix("src/") {
                    Some(r) => ("", r),
                    None => a.path.split_once("/src/")?,
                };
                (rest == "main.rs" || rest.starts_with("bin/")).then_some(dir)
            })
            .collect();
        packages::refine_roles(&mut self.packages, |dir| bins.contains(dir));
        let pkgs = &self.packages;
        let role = |path: &str, was: crate::classify::Role| {
            if !was.is_service() {
                return was;
            }
            packages::package_of(pkgs, path)
                .map(|i| pkgs[i].role)
                .unwrap_or(was)
        };
        for r in &mut self.rust {
            r.role = role(&r.path, r.role);
        }
        for a in &mut self.files {
            a.role = role(&a.path, a.role);
        }
        for t in &mut self.texts {
            t.role = role(&t.path, t.role);
        }
        for y in &mut self.yaml {
            y.role = role(&y.path, y.role);
        }
    }

    /// Run `cargo metadata` (sandboxed) on each top-level manifest and take its
    /// dependency lists where it succeeds; report where it fails.
    fn confirm_with_cargo_metadata(&mut self) {
        // Top-level manifests: a workspace root, or a package no workspace encloses.
        let roots: Vec<String> = self
            .manifests
            .iter()
            .filter(|m| {
                m.workspace.is_some()
                    || !self.manifests.iter().any(|w| {
                        w.workspace.is_some()
                            && w.path != m.path
                            && (w.dir.is_empty() || m.dir.starts_with(&format!("{}/", w.dir)))
                    })
            })
            .filter(|m| crate::classify::role_of(&m.path).is_service())
            .map(|m| m.path.clone())
            .collect();
        let Some(first) = roots.first() else { return };
        // One sandbox for the whole tree: a private working directory and a
        // cleared environment, refused when the tree could decide what runs.
        let sandbox = match extract::sandbox::Sandbox::new(&self.root) {
            Ok(Some(s)) => s,
            Ok(None) => return, // cargo not installed: manifests are the source.
            Err(msg) => {
                self.diagnostics.push(Diagnostic::warning(
                    Location::file(first.clone()),
                    "cargo",
                    format!(
                        "cargo metadata was not run ({msg}); Cargo.toml files were read directly"
                    ),
                ));
                return;
            }
        };
        let mut confirmed = false;
        for rel in roots {
            let abs = self.root.join(&rel);
            let abs = abs.canonicalize().unwrap_or(abs);
            match cargo::cargo_metadata(&sandbox, &abs) {
                Ok(metas) => {
                    confirmed = true;
                    for meta in metas {
                        self.apply_meta(&meta);
                    }
                }
                Err(msg) => self.diagnostics.push(Diagnostic::warning(
                    Location::file(rel.clone()),
                    "cargo",
                    format!("cargo metadata could not read this workspace ({msg}); Cargo.toml files were read directly"),
                )),
            }
        }
        if confirmed {
            self.cargo_source = "cargo-metadata".into();
        }
    }

    fn apply_meta(&mut self, meta: &cargo::MetaPackage) {
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        let rel = Path::new(&meta.manifest_path)
            .strip_prefix(&root)
            .map(|p| crate::discover::rel_path(Path::new(""), p))
            .unwrap_or_default();
        let Some(pkg) = self.packages.iter_mut().find(|p| p.manifest == rel) else {
            return;
        };
        let mut deps = Vec::new();
        for (name, key, kind, optional) in &meta.deps {
            let line = pkg
                .deps
                .iter()
                .find(|d| &d.key == key && d.kind == *kind)
                .or_else(|| pkg.deps.iter().find(|d| &d.key == key))
                .and_then(|d| d.line);
            let declared = pkg.deps.iter().find(|d| &d.key == key);
            let path = declared.and_then(|d| d.path.clone());
            let features = declared.map(|d| d.features.clone()).unwrap_or_default();
            deps.push(cargo::Dep {
                name: name.clone(),
                key: key.clone(),
                kind: *kind,
                line,
                optional: *optional,
                path,
                features,
            });
        }
        pkg.deps = deps;
        pkg.frameworks = packages::frameworks_of(&pkg.deps);
        pkg.targets = meta
            .targets
            .iter()
            .filter(|(kind, _, _)| kind == "bin" || kind == "lib")
            .map(|(kind, name, src)| cargo::TargetDecl {
                kind: kind.clone(),
                name: name.clone(),
                path: Path::new(src)
                    .strip_prefix(&root)
                    .ok()
                    .map(|p| crate::discover::rel_path(Path::new(""), p)),
            })
            .collect();
    }
}
