//! Paths stay inside the root, and nothing the walk sees is lost.
//!
//! - Symbolic links are never followed (a link can point anywhere: `/etc/passwd`,
//!   a directory outside the tree, itself): each is listed as skipped, and
//!   nothing behind it is read.
//! - Every path in a report is relative to the audited root.
//! - Every entry of the tree is in the report, analysed or skipped with a
//!   reason (or under a skipped directory), checked against a walk of the tree
//!   done here with `std::fs`. `.git/` is listed once, as version-control
//!   metadata, like the other pruned directories.

mod robustness_support;
use robustness_support::*;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// The bad-input corpus plus links pointing out of it, at itself, and in loops.
fn tree_with_links() -> (tempfile::TempDir, PathBuf) {
    let (dir, tree) = scratch_copy("bad-input");
    symlink("/etc/passwd", tree.join("src/passwd.rs"));
    symlink("/etc/passwd", tree.join("Dockerfile.passwd"));
    symlink("/etc", tree.join("etc"));
    symlink("/", tree.join("slash"));
    symlink(dir.path(), tree.join("parent"));
    symlink("loop-b", tree.join("loop-a"));
    symlink("loop-a", tree.join("loop-b"));
    symlink(".", tree.join("src/self"));
    symlink("..", tree.join("src/up"));
    symlink("/nonexistent/x.rs", tree.join("src/dangling.rs"));
    symlink("main.rs", tree.join("src/alias.rs"));
    std::fs::remove_file(tree.join("api/openapi.yaml")).unwrap();
    symlink("../../../etc/passwd", tree.join("api/openapi.yaml"));
    (dir, tree)
}

const LINKS: &[&str] = &[
    "src/passwd.rs",
    "Dockerfile.passwd",
    "etc",
    "slash",
    "parent",
    "loop-a",
    "loop-b",
    "src/self",
    "src/up",
    "src/dangling.rs",
    "src/alias.rs",
    "api/openapi.yaml",
];

fn assert_paths_relative(r: &Value) {
    let mut paths = Vec::new();
    for key in ["items", "diagnostics", "files"] {
        all_paths(&r[key], &mut paths);
    }
    // A route's own `path` is its URL path; its file is under `location`.
    for route in r["routes"].as_array().unwrap() {
        all_paths(&route["location"], &mut paths);
    }
    all_paths(&r["target"]["packages"], &mut paths);
    assert!(!paths.is_empty());
    for p in paths {
        assert!(
            !p.starts_with('/')
                && !p.contains('\\')
                && !p.split('/').any(|c| c == "..")
                && !p.contains("/tmp/"),
            "not a path relative to the root: {p:?}"
        );
    }
}

#[test]
fn symbolic_links_are_listed_as_skipped_and_never_followed() {
    let (_dir, tree) = tree_with_links();
    let out = audit_raw(&tree, &[]);
    let r = report_of(&out);
    let (analyzed, skipped) = files(&r);
    for link in LINKS {
        assert!(
            skipped
                .iter()
                .any(|(p, why)| p == link && why == "symbolic link (not followed)"),
            "{link} not listed as a skipped link: {skipped:#?}"
        );
        assert!(!analyzed.iter().any(|p| p == link), "{link} was read");
    }
    // Nothing behind the links was read: not /etc/passwd, not /etc.
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("root:x:0:0"), "/etc/passwd leaked");
    assert!(!analyzed
        .iter()
        .any(|p| p.starts_with("etc/") || p.starts_with("slash/")));
    assert_paths_relative(&r);
    // The real files next to the links are read as usual.
    assert!(analyzed.iter().any(|p| p == "src/main.rs"));
}

#[test]
fn a_root_given_through_a_symlink_or_dot_dot_is_audited_with_relative_paths() {
    let (dir, tree) = scratch_copy("bad-input");
    let link = dir.path().join("via-link");
    symlink(&tree, &link);
    let dotted = tree.join("src/../.");
    for root in [link, dotted] {
        let r = report_of(&audit_raw(&root, &[]));
        let (analyzed, _) = files(&r);
        assert!(analyzed.iter().any(|p| p == "src/main.rs"), "{root:?}");
        assert_paths_relative(&r);
    }
}

#[test]
fn every_report_path_is_relative() {
    let (_dir, tree) = scratch_copy("untrusted/exec-trap");
    assert_paths_relative(&report_of(&audit_raw(&tree, &[])));
    let (_dir, tree) = scratch_copy("bad-input");
    assert_paths_relative(&report_of(&audit_raw(&tree, &[])));
}

/// What is on disk under `root`, walked here without following links:
/// `(files and other non-directories, directories)`, root-relative.
fn walk(root: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    fn go(root: &Path, dir: &Path, files: &mut BTreeSet<String>, dirs: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            if entry.file_type().unwrap().is_dir() {
                dirs.insert(rel);
                go(root, &path, files, dirs);
            } else {
                files.insert(rel);
            }
        }
    }
    let (mut files, mut dirs) = (BTreeSet::new(), BTreeSet::new());
    go(root, root, &mut files, &mut dirs);
    (files, dirs)
}

#[test]
fn every_file_on_disk_is_in_the_report_analysed_or_skipped_with_a_reason() {
    let (_dir, tree) = tree_with_links();
    let w = |rel: &str, text: &str| {
        let p = tree.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // Ignored, pruned, unknown and hidden things of every sort.
    w(".gitignore", "generated/\n*.log\n/secrets.env\n");
    w("generated/api.rs", "fn g() {}");
    w("generated/deeper/more.rs", "fn g() {}");
    w("build.log", "log");
    w("secrets.env", "KEY=1");
    w("sub/.gitignore", "local.rs\n");
    w("sub/local.rs", "fn l() {}");
    w("sub/kept.rs", "fn k() {}");
    w("target/debug/app.rs", "fn t() {}");
    w("node_modules/x/index.rs", "");
    w("vendor/dep/lib.rs", "");
    w(".git/HEAD", "ref: refs/heads/main\n");
    w(".git/objects/ab/cdef", "x");
    w(".hg/store", "x");
    w("assets/logo.png", "\u{89}PNG");
    w("LICENSE", "MIT");
    w(".env.example", "A=1");
    w("docs/guide.md", "# guide");
    w("src/nested/deep/mod.rs", "pub fn d() {}");
    std::fs::create_dir_all(tree.join("empty/also-empty")).unwrap();
    let big = std::fs::File::create(tree.join("big.json")).unwrap();
    big.set_len(5 * 1024 * 1024).unwrap();
    #[cfg(unix)]
    let _ = std::process::Command::new("mkfifo")
        .arg(tree.join("pipe.yaml"))
        .status();

    let r = report_of(&audit_raw(&tree, &[]));
    let (analyzed, skipped) = files(&r);
    let skipped_paths: Vec<&String> = skipped.iter().map(|(p, _)| p).collect();

    // No entry twice, and every entry exists on disk.
    let mut reported: Vec<&String> = analyzed
        .iter()
        .chain(skipped_paths.iter().copied())
        .collect();
    let n = reported.len();
    reported.sort();
    reported.dedup();
    assert_eq!(reported.len(), n, "an entry is reported twice");
    let (on_disk, dirs) = walk(&tree);
    for p in &reported {
        let bare = p.trim_end_matches('/');
        assert!(
            on_disk.contains(bare) || dirs.contains(bare),
            "{p} is reported but not on disk"
        );
    }
    for (p, why) in &skipped {
        assert!(!why.trim().is_empty(), "{p} skipped without a reason");
    }

    // Every file on disk is accounted for.
    let covered = |file: &str| {
        analyzed.iter().any(|a| a == file)
            || skipped_paths.iter().any(|s| *s == file)
            || skipped_paths
                .iter()
                .any(|s| s.ends_with('/') && file.starts_with(s.as_str()))
    };
    let lost: Vec<&String> = on_disk.iter().filter(|f| !covered(f)).collect();
    assert!(lost.is_empty(), "files missing from the report: {lost:#?}");

    // And for the right reasons.
    let reason = |p: &str| &skipped.iter().find(|(s, _)| s == p).unwrap().1;
    assert!(reason("generated/").contains("ignored"));
    assert!(reason("build.log").contains("ignored"));
    assert!(reason("sub/local.rs").contains("ignored"));
    assert!(reason("target/").contains("build output"));
    assert!(reason("node_modules/").contains("JavaScript"));
    assert!(reason("vendor/").contains("vendored"));
    assert!(reason(".hg/").contains("version-control"));
    assert!(reason(".git/").contains("version-control metadata"));
    assert!(
        !skipped_paths
            .iter()
            .any(|p| p.starts_with(".git/") && *p != ".git/"),
        "nothing under .git/ is listed on its own"
    );
    assert!(reason("assets/logo.png").contains("not a kind"));
    assert!(reason("big.json").contains("size limit"));
    if tree.join("pipe.yaml").exists() {
        assert_eq!(reason("pipe.yaml"), "not a regular file");
    }
    assert!(analyzed.iter().any(|p| p == "sub/kept.rs"));
    assert!(analyzed.iter().any(|p| p == "src/nested/deep/mod.rs"));
    assert!(analyzed.iter().any(|p| p == ".github/workflows/ci.yml"));
    // The summary counts what the lists hold.
    assert_eq!(
        r["summary"]["files_analyzed"].as_u64(),
        Some(analyzed.len() as u64)
    );
    assert_eq!(
        r["summary"]["files_skipped"].as_u64(),
        Some(skipped.len() as u64)
    );
}

/// Two files whose names differ only in bytes that are not UTF-8 stay two
/// entries (a lossy conversion would have merged them).
#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_are_kept_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for name in [&b"caf\xe9.rs"[..], &b"caf\xe8.rs"[..]] {
        std::fs::write(src.join(std::ffi::OsStr::from_bytes(name)), "fn f() {}").unwrap();
    }
    let r = report_of(&audit_raw(dir.path(), &["--no-cargo-metadata"]));
    let (analyzed, _) = files(&r);
    assert_eq!(analyzed, ["src/caf\\xe8.rs", "src/caf\\xe9.rs"]);
}
