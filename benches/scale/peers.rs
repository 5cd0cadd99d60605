//! Single-artifact linters run on the same tree, where installed: semgrep on the
//! Rust code (rules for `format!`-built SQL and `println!` logging, the checks
//! seaworthy makes), hadolint on the Dockerfiles, Spectral on the OpenAPI spec.
//!
//! They are looked for in `target/bench-peers/` (where `peers/install.sh` puts
//! them), then on `PATH`; a peer that is not found is reported as skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const SEMGREP_RULES: &str = include_str!("peers/semgrep.yaml");
pub const SPECTRAL_RULES: &str = include_str!("peers/spectral.yaml");

/// A peer: its name, what it checks, and where its binary is (if anywhere).
pub struct Peer {
    pub name: &'static str,
    pub scope: &'static str,
    pub bin: Option<PathBuf>,
}

/// Every peer, found or not.
pub fn find(peer_dir: &Path) -> Vec<Peer> {
    let look = |local: &str, name: &str| -> Option<PathBuf> {
        let p = peer_dir.join(local);
        if p.is_file() {
            return Some(p);
        }
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    };
    vec![
        Peer {
            name: "semgrep",
            scope: "Rust code (2 rules)",
            bin: look("venv/bin/semgrep", "semgrep"),
        },
        Peer {
            name: "hadolint",
            scope: "Dockerfiles",
            bin: look("venv/bin/hadolint", "hadolint"),
        },
        Peer {
            name: "spectral",
            scope: "OpenAPI spec (spectral:oas)",
            bin: look("npm/node_modules/.bin/spectral", "spectral"),
        },
    ]
}

impl Peer {
    /// The command that runs this peer over `tree`, with its config in `work`.
    pub fn command(
        &self,
        bin: &Path,
        tree: &Path,
        work: &Path,
        threads: usize,
    ) -> std::io::Result<Command> {
        let mut cmd = Command::new(bin);
        match self.name {
            "semgrep" => {
                let rules = work.join("semgrep-rules.yaml");
                std::fs::write(&rules, SEMGREP_RULES)?;
                cmd.args([
                    "scan",
                    "--metrics=off",
                    "--disable-version-check",
                    "--quiet",
                ])
                .arg("--config")
                .arg(&rules)
                .args(["--json", "--jobs", &threads.to_string()])
                .arg("--output")
                .arg(work.join("semgrep.json"))
                .arg(tree)
                .env("SEMGREP_SEND_METRICS", "off");
            }
            "hadolint" => {
                cmd.args(["--no-fail", "--format", "json"]);
                for f in dockerfiles(tree)? {
                    cmd.arg(f);
                }
            }
            "spectral" => {
                let rules = work.join("spectral-ruleset.yaml");
                std::fs::write(&rules, SPECTRAL_RULES)?;
                cmd.arg("lint")
                    .arg(tree.join("openapi/gateway.yaml"))
                    .arg("--ruleset")
                    .arg(&rules)
                    .args(["--format", "json", "--fail-severity", "error", "--quiet"])
                    .arg("--output")
                    .arg(work.join("spectral.json"));
            }
            other => unreachable!("unknown peer {other}"),
        }
        Ok(cmd)
    }

    /// How many findings the peer reported, read from its output.
    pub fn findings(&self, work: &Path, stdout: &Path) -> Option<usize> {
        let file = match self.name {
            "semgrep" => work.join("semgrep.json"),
            "spectral" => work.join("spectral.json"),
            _ => stdout.to_path_buf(),
        };
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
        match self.name {
            "semgrep" => v["results"].as_array().map(Vec::len),
            _ => v.as_array().map(Vec::len),
        }
    }
}

/// The generated tree's Dockerfiles, in order.
fn dockerfiles(tree: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(tree.join("crates"))? {
        let f = entry?.path().join("Dockerfile");
        if f.is_file() {
            out.push(f);
        }
    }
    out.sort();
    Ok(out)
}
