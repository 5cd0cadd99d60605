//! Cargo manifests and lock files: packages, workspaces, dependencies.
//!
//! Every `Cargo.toml` is read directly with `toml` (fast, needs no cargo, and
//! gives each dependency's line for evidence). Where cargo is installed,
//! [`cargo_metadata()`] then confirms the workspace layout and resolved dependency
//! names the way cargo sees them — run so that nothing from the audited tree can
//! execute: `--no-deps --offline --frozen`, in a [`Sandbox`](super::sandbox::Sandbox) (a
//! private working directory outside the tree, so the tree's `.cargo/config.toml`
//! and `rust-toolchain.toml` are never read, and an environment cleared of
//! `RUSTC`, `RUSTC_WRAPPER` and friends).

use crate::diagnostics::Diagnostic;
use crate::location::Location;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Which table a dependency is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dep {
    /// The package name on the registry (`package = ".."` when renamed).
    pub name: String,
    /// The name used in code when renamed, else the package name.
    pub key: String,
    pub kind: DepKind,
    /// Line of the declaration in the manifest.
    pub line: Option<u32>,
    pub optional: bool,
    /// Manifest-relative path of a path dependency.
    pub path: Option<String>,
    /// Features it enables (`features = [..]`; with `workspace = true`, the
    /// workspace declaration's too).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// A `[[bin]]`/`[lib]` target declared or found by cargo's conventions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetDecl {
    pub kind: String,
    pub name: String,
    /// Root-relative source path, when known.
    pub path: Option<String>,
}

/// The `[package]` part of a manifest.
#[derive(Debug, Clone, Serialize)]
pub struct PackageDecl {
    pub name: String,
    pub line: Option<u32>,
    pub deps: Vec<Dep>,
    pub targets: Vec<TargetDecl>,
    pub rust_version: Option<String>,
    /// `[package.metadata.seaworthy]`, kept as TOML text for the config loader.
    pub seaworthy_config: Option<String>,
}

/// The `[workspace]` part of a manifest.
#[derive(Debug, Clone, Serialize)]
pub struct WorkspaceDecl {
    pub members: Vec<String>,
    pub exclude: Vec<String>,
    /// `[workspace.dependencies]`.
    pub deps: Vec<Dep>,
    pub seaworthy_config: Option<String>,
}

/// One `Cargo.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Root-relative path of the manifest.
    pub path: String,
    /// Root-relative directory ("" for the root).
    pub dir: String,
    pub package: Option<PackageDecl>,
    pub workspace: Option<WorkspaceDecl>,
}

/// Read one manifest's text.
pub fn read_manifest(path: &str, text: &str) -> Result<Manifest, Diagnostic> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::location::LineIndex::new(text).line_of(s.start))
            .unwrap_or(0);
        Diagnostic::error(
            Location::new(path, line),
            "cargo",
            format!(
                "Cargo.toml is not valid TOML: {}; its dependencies are missing from this audit",
                e.message()
            ),
        )
    })?;
    let dir = path
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    let lines = KeyLines::new(text);
    let package = table.get("package").and_then(|p| p.as_table()).map(|p| {
        let name = p
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        let mut deps = Vec::new();
        collect_dep_tables(&table, &lines, &mut deps);
        if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
            for cfg in targets.values().filter_map(|v| v.as_table()) {
                collect_dep_tables(cfg, &lines, &mut deps);
            }
        }
        let mut targets = Vec::new();
        if let Some(bins) = table.get("bin").and_then(|b| b.as_array()) {
            for bin in bins.iter().filter_map(|b| b.as_table()) {
                if let Some(n) = bin.get("name").and_then(|n| n.as_str()) {
                    targets.push(TargetDecl {
                        kind: "bin".into(),
                        name: n.to_string(),
                        path: bin
                            .get("path")
                            .and_then(|p| p.as_str())
                            .map(|p| join_rel(&dir, p)),
                    });
                }
            }
        }
        if let Some(lib) = table.get("lib").and_then(|l| l.as_table()) {
            targets.push(TargetDecl {
                kind: "lib".into(),
                name: lib
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or(&name)
                    .replace('-', "_"),
                path: lib
                    .get("path")
                    .and_then(|p| p.as_str())
                    .map(|p| join_rel(&dir, p)),
            });
        }
        PackageDecl {
            line: lines.table_line("package"),
            rust_version: p
                .get("rust-version")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            seaworthy_config: p
                .get("metadata")
                .and_then(|m| m.get("seaworthy"))
                .map(|v| v.to_string()),
            name,
            deps,
            targets,
        }
    });
    let workspace = table.get("workspace").and_then(|w| w.as_table()).map(|w| {
        let strings = |key: &str| -> Vec<String> {
            w.get(key)
                .and_then(|m| m.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut deps = Vec::new();
        if let Some(t) = w.get("dependencies").and_then(|d| d.as_table()) {
            collect_deps(t, DepKind::Normal, &lines, &mut deps);
        }
        WorkspaceDecl {
            members: strings("members"),
            exclude: strings("exclude"),
            deps,
            seaworthy_config: w
                .get("metadata")
                .and_then(|m| m.get("seaworthy"))
                .map(|v| v.to_string()),
        }
    });
    Ok(Manifest {
        path: path.to_string(),
        dir,
        package,
        workspace,
    })
}

fn collect_dep_tables(table: &toml::Table, lines: &KeyLines, out: &mut Vec<Dep>) {
    for (key, kind) in [
        ("dependencies", DepKind::Normal),
        ("dev-dependencies", DepKind::Dev),
        ("dev_dependencies", DepKind::Dev),
        ("build-dependencies", DepKind::Build),
        ("build_dependencies", DepKind::Build),
    ] {
        if let Some(t) = table.get(key).and_then(|d| d.as_table()) {
            collect_deps(t, kind, lines, out);
        }
    }
}

fn collect_deps(table: &toml::Table, kind: DepKind, lines: &KeyLines, out: &mut Vec<Dep>) {
    for (key, value) in table {
        let (name, optional, path, features) = match value {
            toml::Value::Table(t) => (
                t.get("package")
                    .and_then(|p| p.as_str())
                    .unwrap_or(key)
                    .to_string(),
                t.get("optional").and_then(|o| o.as_bool()).unwrap_or(false),
                t.get("path").and_then(|p| p.as_str()).map(str::to_string),
                t.get("features")
                    .and_then(|f| f.as_array())
                    .map(|f| {
                        f.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => (key.clone(), false, None, Vec::new()),
        };
        out.push(Dep {
            name,
            key: key.clone(),
            kind,
            line: lines.key_line(key),
            optional,
            path,
            features,
        });
    }
}

/// Finds the line of a key or table header in a TOML text.
struct KeyLines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> KeyLines<'a> {
    fn new(text: &'a str) -> Self {
        KeyLines {
            lines: text.lines().collect(),
        }
    }

    fn key_line(&self, key: &str) -> Option<u32> {
        let quoted = format!("\"{key}\"");
        self.lines
            .iter()
            .position(|l| {
                let t = l.trim_start();
                let rest = t
                    .strip_prefix(key)
                    .or_else(|| t.strip_prefix(quoted.as_str()));
                match rest {
                    Some(r) => {
                        let r = r.trim_start();
                        r.starts_with('=') || (r.starts_with('.') && !t.starts_with('['))
                    }
                    None => {
                        t.starts_with('[')
                            && t.trim_end()
                                .trim_end_matches(']')
                                .ends_with(&format!(".{key}"))
                    }
                }
            })
            .map(|i| i as u32 + 1)
    }

    fn table_line(&self, name: &str) -> Option<u32> {
        let header = format!("[{name}]");
        self.lines
            .iter()
            .position(|l| l.trim() == header)
            .map(|i| i as u32 + 1)
    }
}

fn join_rel(dir: &str, p: &str) -> String {
    let p = p.trim_start_matches("./");
    if dir.is_empty() {
        p.to_string()
    } else {
        format!("{dir}/{p}")
    }
}

/// Resolved versions from a `Cargo.lock`: package name → versions.
pub fn read_lock(path: &str, text: &str) -> Result<BTreeMap<String, Vec<String>>, Diagnostic> {
    // Not TOML at all: say where, on one line (cargo-lock's own error quotes the
    // offending source over several lines).
    if let Err(e) = toml::from_str::<toml::Table>(text) {
        let line = e
            .span()
            .map(|s| crate::location::LineIndex::new(text).line_of(s.start))
            .unwrap_or(0);
        return Err(Diagnostic::warning(
            Location::new(path, line),
            "cargo",
            format!(
                "Cargo.lock is not valid TOML ({}); resolved versions are not shown",
                e.message().trim()
            ),
        ));
    }
    let lock = text.parse::<cargo_lock::Lockfile>().map_err(|e| {
        let msg = e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Diagnostic::warning(
            Location::file(path),
            "cargo",
            format!("Cargo.lock could not be read ({msg}); resolved versions are not shown"),
        )
    })?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in lock.packages {
        out.entry(p.name.as_str().to_string())
            .or_default()
            .push(p.version.to_string());
    }
    Ok(out)
}

/// A package as `cargo metadata` reports it.
#[derive(Debug, Clone)]
pub struct MetaPackage {
    /// Absolute manifest path.
    pub manifest_path: String,
    pub name: String,
    pub deps: Vec<(String, String, DepKind, bool)>,
    pub targets: Vec<(String, String, String)>,
}

/// Run `cargo metadata --no-deps --offline --frozen` on one manifest, in the
/// [`Sandbox`](super::sandbox::Sandbox): nothing from the audited tree decides
/// what runs. `--no-deps` also keeps cargo from asking rustc anything.
pub fn cargo_metadata(
    sandbox: &super::sandbox::Sandbox,
    manifest_abs: &Path,
) -> Result<Vec<MetaPackage>, String> {
    let mut cmd = sandbox.cargo();
    cmd.args([
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
        "--frozen",
        "--color",
        "never",
        "--manifest-path",
    ])
    .arg(manifest_abs)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd
        .spawn()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    let output = wait_with_timeout(child, Duration::from_secs(60))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .or_else(|| stderr.lines().next())
            .unwrap_or("cargo metadata failed")
            .trim();
        return Err(first.to_string());
    }
    let meta = cargo_metadata::MetadataCommand::parse(String::from_utf8_lossy(&output.stdout))
        .map_err(|e| format!("unexpected cargo metadata output: {e}"))?;
    Ok(meta
        .packages
        .iter()
        .map(|p| MetaPackage {
            manifest_path: p.manifest_path.to_string(),
            name: p.name.to_string(),
            deps: p
                .dependencies
                .iter()
                .map(|d| {
                    let kind = match d.kind {
                        cargo_metadata::DependencyKind::Development => DepKind::Dev,
                        cargo_metadata::DependencyKind::Build => DepKind::Build,
                        _ => DepKind::Normal,
                    };
                    let key = d.rename.clone().unwrap_or_else(|| d.name.clone());
                    (d.name.clone(), key, kind, d.optional)
                })
                .collect(),
            targets: p
                .targets
                .iter()
                .map(|t| {
                    let kind = t.kind.first().map(|k| k.to_string()).unwrap_or_default();
                    (kind, t.name.clone(), t.src_path.to_string())
                })
                .collect(),
        })
        .collect())
}

fn wait_with_timeout(
    mut child: std::process::Child,
    limit: Duration,
) -> Result<std::process::Output, String> {
    let start = Instant::now();
    // Drain pipes on threads so a chatty cargo cannot block on a full pipe.
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_t = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut buf);
        }
        buf
    });
    let err_t = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut buf);
        }
        buf
    });
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return Ok(std::process::Output {
                    status,
                    stdout: out_t.join().unwrap_or_default(),
                    stderr: err_t.join().unwrap_or_default(),
                })
            }
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "cargo metadata took longer than {}s",
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for cargo: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_deps_renames_and_lines() {
        let text = r#"[package]
name = "svc"

[dependencies]
axum = "0.8"
tower-http = { version = "0.6", features = ["cors"] }
gov = { package = "governor", version = "0.6", optional = true }

[dev-dependencies]
insta = "1"

[target.'cfg(unix)'.dependencies]
nix = "0.29"

[[bin]]
name = "api"
path = "src/bin/api.rs"
"#;
        let m = read_manifest("crates/svc/Cargo.toml", text).unwrap();
        assert_eq!(m.dir, "crates/svc");
        let p = m.package.unwrap();
        assert_eq!(p.name, "svc");
        let gov = p.deps.iter().find(|d| d.key == "gov").unwrap();
        assert_eq!(gov.name, "governor");
        assert!(gov.optional);
        assert_eq!(gov.line, Some(7));
        let insta = p.deps.iter().find(|d| d.name == "insta").unwrap();
        assert_eq!(insta.kind, DepKind::Dev);
        assert!(p.deps.iter().any(|d| d.name == "nix"));
        assert_eq!(
            p.targets[0].path.as_deref(),
            Some("crates/svc/src/bin/api.rs")
        );
    }

    #[test]
    fn a_broken_lock_file_is_one_line_with_its_line() {
        let err = read_lock("Cargo.lock", "version = 3\n\n[[package]]\nname = \n").unwrap_err();
        assert_eq!(err.location.line, Some(4));
        assert!(!err.message.contains('\n'), "{}", err.message);
        let err = read_lock("Cargo.lock", "version = 3\n[[package]]\nname = 1\n").unwrap_err();
        assert!(!err.message.contains('\n'), "{}", err.message);
    }

    #[test]
    fn invalid_toml_is_a_diagnostic_with_a_line() {
        let err = read_manifest("Cargo.toml", "[package]\nname = \n").unwrap_err();
        assert_eq!(err.location.line, Some(2));
        assert!(err.message.contains("not valid TOML"));
    }
}
