//! Running cargo so that nothing from the audited tree decides what runs.
//!
//! `cargo metadata` is the one program seaworthy starts. What cargo and rustup
//! execute is decided by files found from the working directory upwards
//! (`.cargo/config.toml`: `build.rustc`, `build.rustc-wrapper`, runners;
//! `rust-toolchain.toml`: a toolchain to install, or a `path` toolchain whose
//! `bin/cargo` rustup runs), by `CARGO_HOME`/`RUSTUP_HOME`, by the environment
//! (`RUSTC_WRAPPER`, `CARGO_BUILD_*`, …) and by `PATH`. A [`Sandbox`] pins all of
//! them away from the audited tree:
//!
//! - the working directory is a fresh private directory (`0700`, random name,
//!   removed afterwards), so no config or toolchain file of the tree — and none
//!   planted in a predictable temp path — is on the lookup path;
//! - the environment is cleared except for a short allow-list, so the caller's
//!   `RUSTC_WRAPPER` and friends do not apply either;
//! - `PATH` keeps only absolute entries outside the tree, and the cargo binary is
//!   resolved from that `PATH` here;
//! - if the cargo binary, `CARGO_HOME`, `RUSTUP_HOME` or the private directory
//!   lies inside the tree anyway (CI jobs often set `CARGO_HOME=$PWD/.cargo` or
//!   `TMPDIR=$PWD/tmp`), cargo is not run at all and the caller says why.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variables passed through to cargo; everything else is cleared so
/// neither the caller's `RUSTC_WRAPPER` nor `CARGO_BUILD_*` settings apply.
const ENV_KEEP: &[&str] = &[
    "HOME",
    "USERPROFILE",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "SYSTEMROOT",
    "TMPDIR",
    "TEMP",
    "TMP",
];

/// A way to run cargo on the tree at `root` without running anything from it.
#[derive(Debug)]
pub struct Sandbox {
    cargo: PathBuf,
    path: OsString,
    workdir: tempfile::TempDir,
}

impl Sandbox {
    /// Prepare a sandbox for auditing `root`. `Ok(None)`: cargo is not installed.
    /// `Err`: cargo cannot be run safely here, with the reason.
    pub fn new(root: &Path) -> Result<Option<Sandbox>, String> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let path = safe_path(std::env::var_os("PATH").unwrap_or_default(), &root);
        let cargo = match std::env::var_os("CARGO") {
            Some(c) if !c.is_empty() => PathBuf::from(c),
            _ => match find_program("cargo", &path) {
                Some(c) => c,
                None => return Ok(None),
            },
        };
        if !cargo.is_absolute() {
            return Err(format!(
                "CARGO is the relative path `{}`; set it to an absolute path",
                cargo.display()
            ));
        }
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let dir_of = |var: &str, default: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(default)))
        };
        let checks = [
            ("the cargo binary", Some(cargo.clone())),
            ("CARGO_HOME", dir_of("CARGO_HOME", ".cargo")),
            ("RUSTUP_HOME", dir_of("RUSTUP_HOME", ".rustup")),
        ];
        for (what, p) in checks {
            if let Some(p) = p.filter(|p| inside(p, &root)) {
                return Err(format!(
                    "{what} ({}) is inside the audited tree, so the tree could decide what runs; cargo was not run",
                    p.display()
                ));
            }
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix("seaworthy-cargo-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let workdir = builder
            .tempdir()
            .map_err(|e| format!("cannot create a private working directory: {e}"))?;
        if inside(workdir.path(), &root) {
            return Err(format!(
                "the temporary directory ({}) is inside the audited tree; set TMPDIR elsewhere so cargo can run outside it",
                workdir.path().display()
            ));
        }
        Ok(Some(Sandbox {
            cargo,
            path,
            workdir,
        }))
    }

    /// `cargo` with the private working directory and the cleared environment.
    pub fn cargo(&self) -> Command {
        let mut cmd = Command::new(&self.cargo);
        cmd.current_dir(self.workdir.path()).env_clear();
        for key in ENV_KEEP {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        cmd.env("PATH", &self.path)
            .env("CARGO_TERM_COLOR", "never")
            // Never download a toolchain on rustup's own initiative.
            .env("RUSTUP_AUTO_INSTALL", "0");
        cmd
    }
}

/// Whether `p` is `root` or below it (both resolved through symlinks when they exist).
fn inside(p: &Path, root: &Path) -> bool {
    let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    p.starts_with(root)
}

/// `PATH` without empty or relative entries (they name the working directory)
/// and without directories inside the audited tree.
fn safe_path(path: OsString, root: &Path) -> OsString {
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|p| p.is_absolute() && !inside(p, root))
        .collect();
    std::env::join_paths(kept).unwrap_or_default()
}

/// The first executable file named `name` on `path`.
fn find_program(name: &str, path: &OsString) -> Option<PathBuf> {
    let exe = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    std::env::split_paths(path)
        .map(|dir| dir.join(&exe))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_drops_relative_and_in_tree_entries() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("bin")).unwrap();
        let path = std::env::join_paths([
            PathBuf::from("/usr/bin"),
            PathBuf::from("relative/bin"),
            PathBuf::from(""),
            root.join("bin"),
        ])
        .unwrap();
        let kept: Vec<PathBuf> = std::env::split_paths(&safe_path(path, &root)).collect();
        assert_eq!(kept, vec![PathBuf::from("/usr/bin")]);
    }

    #[test]
    fn workdirs_are_private_and_fresh() {
        let root = tempfile::tempdir().unwrap();
        let (Ok(Some(a)), Ok(Some(b))) = (Sandbox::new(root.path()), Sandbox::new(root.path()))
        else {
            return; // no cargo on this machine: nothing to run
        };
        assert_ne!(a.workdir.path(), b.workdir.path());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = a.workdir.path().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "workdir readable by others: {mode:o}");
        }
        let kept = a.workdir.path().to_path_buf();
        drop(a);
        assert!(!kept.exists(), "workdir not removed");
    }
}
