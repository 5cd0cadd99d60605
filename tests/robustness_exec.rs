//! It executes nothing from the audited repository.
//!
//! `tests/fixtures/untrusted/exec-trap` is a workspace whose `.cargo/config.toml`
//! names `build.rustc`, `build.rustc-wrapper`, a workspace wrapper and a
//! `[target]` runner, whose `rust-toolchain.toml` names a toolchain, and which has
//! a build script and a proc-macro crate. Each test copies it, writes marker
//! scripts into the copy (executable bits set here: nothing executable is
//! committed), audits it with `cargo metadata` enabled (the default), and checks
//! that no marker exists afterwards — and that `cargo metadata` did run, or the
//! check would prove nothing.
//!
//! The `*_trap_is_armed` tests run cargo the unsafe way on purpose and show the
//! same markers do appear then: the traps are real.

mod robustness_support;
use robustness_support::*;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of the trap tree with its hooks armed.
struct Trap {
    _dir: tempfile::TempDir,
    tree: PathBuf,
    /// Where the hook scripts append when they run (outside the tree).
    marker: PathBuf,
}

impl Trap {
    fn new() -> Trap {
        let (dir, tree) = scratch_copy("untrusted/exec-trap");
        let marker = dir.path().join("EXECUTED");
        for script in [
            "tools/rustc",
            "tools/rustc-wrapper",
            "tools/rustc-workspace-wrapper",
            "tools/runner",
            "toolchain/bin/cargo",
            "toolchain/bin/rustc",
            "bin/cargo",
        ] {
            marker_script(&tree.join(script), &marker);
        }
        // rustup only accepts an absolute `path` toolchain.
        std::fs::write(
            tree.join("rust-toolchain.toml"),
            format!(
                "[toolchain]\npath = \"{}\"\n",
                tree.join("toolchain").display()
            ),
        )
        .unwrap();
        Trap {
            _dir: dir,
            tree,
            marker,
        }
    }

    fn script(&self, name: &str) -> PathBuf {
        self.tree.join(name)
    }

    /// What ran: the marker's lines, plus build-script / proc-macro markers.
    fn executed(&self) -> Vec<String> {
        let mut ran: Vec<String> = std::fs::read_to_string(&self.marker)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        for name in ["EXECUTED-build-rs", "EXECUTED-proc-macro"] {
            if self.tree.join(name).exists() {
                ran.push(name.to_string());
            }
        }
        ran
    }

    fn assert_nothing_ran(&self) {
        let ran = self.executed();
        assert!(ran.is_empty(), "code from the audited tree ran: {ran:#?}");
    }

    /// `seaworthy audit` on the copy with `cmd` adjusted by `env`.
    fn audit(&self, env: impl FnOnce(&mut Command)) -> Value {
        let mut cmd = seaworthy_cmd();
        cmd.arg("audit").arg(&self.tree).args(["--format", "json"]);
        env(&mut cmd);
        report_of(&cmd.output().unwrap())
    }
}

fn cargo_source(r: &Value) -> &str {
    r["target"]["cargo_source"].as_str().unwrap()
}

fn package_names(r: &Value) -> Vec<String> {
    let mut names: Vec<String> = r["target"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn audit_with_cargo_metadata_runs_nothing_from_the_tree() {
    let trap = Trap::new();
    let r = trap.audit(|_| {});
    trap.assert_nothing_ran();
    assert_eq!(
        cargo_source(&r),
        "cargo-metadata",
        "cargo metadata did not run, so this proves nothing: {:#?}",
        diagnostics(&r)
    );
    assert_eq!(package_names(&r), ["app", "evil-macros"]);
    // The tree was read all the same: its route is there.
    assert!(r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["path"] == "/healthz" && x["location"]["path"] == "app/src/main.rs"));
}

#[test]
fn cargo_found_on_path_through_rustup_runs_nothing_from_the_tree() {
    // Without CARGO, cargo is looked up on PATH — usually rustup's proxy, which
    // would obey the tree's rust-toolchain.toml if run from inside the tree.
    let trap = Trap::new();
    let r = trap.audit(|c| {
        c.env_remove("CARGO").env_remove("RUSTUP_TOOLCHAIN");
    });
    trap.assert_nothing_ran();
    if which("cargo").is_some() {
        assert_eq!(cargo_source(&r), "cargo-metadata", "{:#?}", diagnostics(&r));
    }
}

/// Hooks a caller's environment can set; cargo would run each of them.
fn hostile_env(trap: &Trap, c: &mut Command) {
    let wrapper = trap.script("tools/rustc-wrapper");
    let rustc = trap.script("tools/rustc");
    let runner = trap.script("tools/runner");
    c.env("RUSTC_WRAPPER", &wrapper)
        .env("RUSTC_WORKSPACE_WRAPPER", &wrapper)
        .env("CARGO_BUILD_RUSTC_WRAPPER", &wrapper)
        .env("CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER", &wrapper)
        .env("RUSTC", &rustc)
        .env("CARGO_BUILD_RUSTC", &rustc)
        .env("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER", &runner)
        .env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER", &runner);
}

#[test]
fn wrappers_in_the_callers_environment_do_not_apply() {
    let trap = Trap::new();
    let r = trap.audit(|c| hostile_env(&trap, c));
    trap.assert_nothing_ran();
    assert_eq!(cargo_source(&r), "cargo-metadata", "{:#?}", diagnostics(&r));
}

#[test]
fn a_cargo_on_path_inside_the_tree_is_not_the_one_run() {
    let trap = Trap::new();
    let path = std::env::join_paths(
        std::iter::once(trap.tree.join("bin"))
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let r = trap.audit(|c| {
        c.env_remove("CARGO")
            .env_remove("RUSTUP_TOOLCHAIN")
            .env("PATH", &path);
    });
    trap.assert_nothing_ran();
    if which("cargo").is_some() {
        assert_eq!(cargo_source(&r), "cargo-metadata", "{:#?}", diagnostics(&r));
    }
}

#[test]
fn cargo_is_not_run_when_the_tree_holds_its_home_binary_or_temp_dir() {
    let trap = Trap::new();
    std::fs::create_dir_all(trap.tree.join("tmp")).unwrap();
    type SetEnv<'a> = Box<dyn Fn(&mut Command) + 'a>;
    let cases: [(&str, SetEnv); 3] = [
        (
            "CARGO_HOME",
            Box::new(|c: &mut Command| {
                // CI jobs often cache with CARGO_HOME=$PWD/.cargo: the tree's
                // .cargo/config.toml would then be cargo's home config.
                c.env("CARGO_HOME", trap.tree.join(".cargo"));
            }),
        ),
        (
            "the cargo binary",
            Box::new(|c: &mut Command| {
                c.env("CARGO", trap.tree.join("bin/cargo"));
            }),
        ),
        (
            "temporary directory",
            Box::new(|c: &mut Command| {
                c.env("TMPDIR", trap.tree.join("tmp"));
            }),
        ),
    ];
    for (what, env) in cases {
        let r = trap.audit(|c| env(c));
        trap.assert_nothing_ran();
        assert_eq!(cargo_source(&r), "manifest", "{what}");
        let diags = diagnostics(&r);
        let d = diagnostic_at(&diags, "Cargo.toml", "cargo metadata was not run");
        assert!(
            d.2.contains(what) && d.2.contains("inside the audited tree"),
            "{what}: {}",
            d.2
        );
        // The manifests were still read directly.
        assert_eq!(package_names(&r), ["app", "evil-macros"], "{what}");
    }
}

// ---- The traps are armed: cargo run the unsafe way does run them. ----

/// `cargo metadata` without `--no-deps`, run from inside the tree: cargo asks
/// rustc for the target's details through `build.rustc-wrapper`.
#[test]
fn config_trap_is_armed() {
    let Some(cargo) = std::env::var_os("CARGO") else {
        eprintln!("skipped: CARGO is not set");
        return;
    };
    let trap = Trap::new();
    let _ = Command::new(cargo)
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(&trap.tree)
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC")
        .output()
        .unwrap();
    let ran = trap.executed();
    assert!(
        ran.iter().any(|l| l.contains("tools/rustc")),
        "the .cargo/config.toml hooks did not fire: {ran:?}"
    );
}

/// rustup's proxy, run from inside the tree, obeys its rust-toolchain.toml.
#[test]
fn toolchain_trap_is_armed() {
    let Some(proxy) = which("rustup").and_then(|r| {
        let cargo = r.with_file_name("cargo");
        cargo.is_file().then_some(cargo)
    }) else {
        eprintln!("skipped: no rustup proxy on PATH");
        return;
    };
    let trap = Trap::new();
    let _ = Command::new(proxy)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(&trap.tree)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .output()
        .unwrap();
    let ran = trap.executed();
    assert!(
        ran.iter().any(|l| l.contains("toolchain/bin/cargo")),
        "the rust-toolchain.toml hook did not fire: {ran:?}"
    );
}

/// The caller's `RUSTC_WRAPPER` is a live hook for cargo (outside any tree).
#[test]
fn environment_trap_is_armed() {
    let Some(cargo) = std::env::var_os("CARGO") else {
        eprintln!("skipped: CARGO is not set");
        return;
    };
    let trap = Trap::new();
    let scratch = tempfile::tempdir().unwrap();
    let manifest = scratch.path().join("Cargo.toml");
    std::fs::write(
        &manifest,
        "[package]\nname = \"ctl\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::create_dir(scratch.path().join("src")).unwrap();
    std::fs::write(scratch.path().join("src/lib.rs"), "").unwrap();
    let mut cmd = Command::new(cargo);
    cmd.args(["metadata", "--offline", "--format-version", "1"])
        .arg("--manifest-path")
        .arg(&manifest)
        .current_dir(scratch.path());
    hostile_env(&trap, &mut cmd);
    let _ = cmd.output().unwrap();
    assert!(
        !trap.executed().is_empty(),
        "RUSTC_WRAPPER from the environment did not fire"
    );
}

/// The scripts are really executable and write the marker.
#[test]
fn marker_scripts_work() {
    let trap = Trap::new();
    let _ = Command::new(trap.script("tools/runner")).arg("x").status();
    assert_eq!(trap.executed().len(), 1);
    assert!(Path::new(&trap.marker).exists());
}
