//! Helpers for the robustness tests: copy a fixture tree to a scratch
//! directory, write executable scripts at test time, run audits and walk trees
//! independently of seaworthy.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A fixture under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Copy `src` into `dst` (created), regular files and directories only.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let ty = entry.file_type().unwrap();
        let to = dst.join(entry.file_name());
        if ty.is_dir() {
            copy_tree(&entry.path(), &to);
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// A fixture copied to a fresh scratch directory: `(guard, path of the copy)`.
pub fn scratch_copy(rel: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    copy_tree(&fixture(rel), &tree);
    (dir, tree)
}

/// Write an executable shell script.
pub fn write_script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A script that appends its name and arguments to `marker` and fails.
pub fn marker_script(path: &Path, marker: &Path) {
    write_script(
        path,
        &format!("echo \"$0 $*\" >> '{}'\nexit 1", marker.display()),
    );
}

/// The seaworthy binary as a plain `std::process::Command`.
pub fn seaworthy_cmd() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_seaworthy"))
}

/// Run `seaworthy audit PATH --format json EXTRA…`; the output as it is.
pub fn audit_raw(path: &Path, extra: &[&str]) -> Output {
    seaworthy_cmd()
        .arg("audit")
        .arg(path)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("seaworthy runs")
}

/// Parse a successful audit's JSON, failing with its stderr otherwise.
pub fn report_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "audit exited {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is valid JSON")
}

/// The report's diagnostics as `(path, line, message)`.
pub fn diagnostics(report: &Value) -> Vec<(String, Option<u64>, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["location"]["path"].as_str().unwrap().to_string(),
                d["location"]["line"].as_u64(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The one diagnostic at `path` whose message contains `text`, or a panic that
/// lists them all.
pub fn diagnostic_at<'a>(
    diags: &'a [(String, Option<u64>, String)],
    path: &str,
    text: &str,
) -> &'a (String, Option<u64>, String) {
    diags
        .iter()
        .find(|(p, _, m)| p == path && m.contains(text))
        .unwrap_or_else(|| panic!("no diagnostic at {path} saying `{text}`; got {diags:#?}"))
}

/// Paths of analysed files, and skipped entries as `(path, reason)`.
pub fn files(report: &Value) -> (Vec<String>, Vec<(String, String)>) {
    let analyzed = report["files"]["analyzed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    let skipped = report["files"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (analyzed, skipped)
}

/// Every `path` value anywhere in the report (evidence, diagnostics, files,
/// routes, packages' manifests).
pub fn all_paths(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("path" | "manifest", Value::String(s)) => out.push(s.clone()),
                    _ => all_paths(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| all_paths(x, out)),
        _ => {}
    }
}

/// Whether the process runs as root (permission bits do not stop root).
pub fn is_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // A file just created belongs to the effective user.
        let probe = tempfile::NamedTempFile::new().unwrap();
        probe.as_file().metadata().unwrap().uid() == 0
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// An executable on `PATH`, if any.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}
