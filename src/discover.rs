//! Finding the files to audit, and accounting for every one that is not.
//!
//! The walk uses the `ignore` crate's parallel walker so `.gitignore`/`.ignore`
//! rules apply as the team wrote them, inside or outside a git checkout
//! (`require_git(false)`), hidden directories such as `.github/` are seen
//! (`hidden(false)`), and the user's global gitignore is not consulted (the same
//! tree must give the same report on every machine).
//!
//! Nothing is dropped silently: the `ignore` walker cannot say what it filtered, so
//! a second, unfiltered walk finds the files and directories the first one left out
//! and records each with its reason. Symbolic links are never followed (a link can
//! point out of the audited tree); they are listed as skipped.

use crate::classify::{self, FileKind, Role};
use crate::diagnostics::Diagnostic;
use crate::location::Location;
use ignore::{WalkBuilder, WalkState};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file that will be read by an extractor.
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    pub kind: FileKind,
    pub role: Role,
    pub size: u64,
}

/// A file or directory not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Everything the walk saw.
#[derive(Debug, Default)]
pub struct Inventory {
    pub files: Vec<FoundFile>,
    pub skipped: Vec<Skipped>,
    /// Entries the walk could not read (each also in `skipped`).
    pub diagnostics: Vec<Diagnostic>,
}

/// Walk options.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub threads: usize,
    /// Files larger than this are skipped with a reason.
    pub max_file_size: u64,
}

/// Walk `root` and classify every file under it.
pub fn discover(root: &Path, opts: &WalkOptions) -> Inventory {
    let kept = walk_filtered(root, opts.threads);
    let mut inv = Inventory::default();
    let found = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    let unreadable = Mutex::new(Vec::new());

    // The unfiltered walk: everything, minus what we prune ourselves.
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .threads(opts.threads);
    builder.build_parallel().run(|| {
        let found = &found;
        let skipped = &skipped;
        let unreadable = &unreadable;
        let kept = &kept;
        // Skipped, and a diagnostic: the user should learn that part of the
        // tree could not be read.
        let cannot_read = move |path: String, err: &ignore::Error| {
            let reason = format!("could not be read: {}", err_text(err));
            unreadable.lock().unwrap().push(Diagnostic::error(
                Location::file(path.clone()),
                "read",
                format!("{reason}; it is skipped"),
            ));
            skipped.lock().unwrap().push(Skipped { path, reason });
        };
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = match error_path(&err) {
                        // A directory that cannot be listed reads `dir/`, like
                        // every other skipped directory.
                        Some(p) if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) => {
                            format!("{}/", rel_path(root, &p))
                        }
                        Some(p) => rel_path(root, &p),
                        None => "?".to_string(),
                    };
                    cannot_read(path, &err);
                    return WalkState::Continue;
                }
            };
            if entry.depth() == 0 {
                return WalkState::Continue;
            }
            let rel = rel_path(root, entry.path());
            let name = entry.file_name().to_string_lossy();
            if entry.path_is_symlink() {
                skipped.lock().unwrap().push(Skipped {
                    path: rel,
                    reason: "symbolic link (not followed)".into(),
                });
                return WalkState::Skip;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                if let Some(reason) = classify::pruned_dir_reason(&name) {
                    // Listed once, as the directory: `.git/` too, so the
                    // skipped list accounts for every entry of the tree.
                    skipped.lock().unwrap().push(Skipped {
                        path: format!("{rel}/"),
                        reason: reason.into(),
                    });
                    return WalkState::Skip;
                }
                if !kept.dirs.contains(&rel) {
                    skipped.lock().unwrap().push(Skipped {
                        path: format!("{rel}/"),
                        reason: "ignored by .gitignore/.ignore".into(),
                    });
                    return WalkState::Skip;
                }
                return WalkState::Continue;
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                skipped.lock().unwrap().push(Skipped {
                    path: rel,
                    reason: "not a regular file".into(),
                });
                return WalkState::Continue;
            }
            if !kept.files.contains(&rel) {
                skipped.lock().unwrap().push(Skipped {
                    path: rel,
                    reason: "ignored by .gitignore/.ignore".into(),
                });
                return WalkState::Continue;
            }
            let Some(kind) = classify::kind_of(&rel) else {
                skipped.lock().unwrap().push(Skipped {
                    path: rel,
                    reason: "not a kind of file seaworthy reads".into(),
                });
                return WalkState::Continue;
            };
            let size = match entry.metadata() {
                Ok(m) => m.len(),
                Err(err) => {
                    cannot_read(rel, &err);
                    return WalkState::Continue;
                }
            };
            if size > opts.max_file_size {
                skipped.lock().unwrap().push(Skipped {
                    path: rel,
                    reason: format!(
                        "larger than the size limit ({size} bytes > {} bytes)",
                        opts.max_file_size
                    ),
                });
                return WalkState::Continue;
            }
            let role = classify::role_of(&rel);
            found.lock().unwrap().push(FoundFile {
                rel,
                abs: entry.into_path(),
                kind,
                role,
                size,
            });
            WalkState::Continue
        })
    });
    inv.files = found.into_inner().unwrap();
    inv.skipped = skipped.into_inner().unwrap();
    inv.diagnostics = unreadable.into_inner().unwrap();
    inv.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    inv.skipped.sort();
    inv
}

/// What the gitignore-aware walk keeps.
struct Kept {
    files: HashSet<String>,
    dirs: HashSet<String>,
}

fn walk_filtered(root: &Path, threads: usize) -> Kept {
    let files = Mutex::new(HashSet::new());
    let dirs = Mutex::new(HashSet::new());
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .git_exclude(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && classify::pruned_dir_reason(&e.file_name().to_string_lossy()).is_some())
        });
    builder.build_parallel().run(|| {
        let files = &files;
        let dirs = &dirs;
        Box::new(move |entry| {
            if let Ok(entry) = entry {
                if entry.depth() > 0 {
                    let rel = rel_path(root, entry.path());
                    if entry.file_type().is_some_and(|t| t.is_dir()) {
                        dirs.lock().unwrap().insert(rel);
                    } else {
                        files.lock().unwrap().insert(rel);
                    }
                }
            }
            WalkState::Continue
        })
    });
    Kept {
        files: files.into_inner().unwrap(),
        dirs: dirs.into_inner().unwrap(),
    }
}

/// `path` relative to `root`, with `/` separators.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, comp) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_name(&mut out, comp.as_os_str());
    }
    out
}

/// A file name as text. Bytes that are not UTF-8 are written `\xNN`, so two
/// such names stay two paths in the report (a lossy conversion would turn both
/// into the same `�`).
fn push_name(out: &mut String, name: &std::ffi::OsStr) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
    }
    #[cfg(not(unix))]
    out.push_str(&name.to_string_lossy());
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn err_text(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => err_text(err),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let root = Path::new("/r");
        let a = root.join(std::ffi::OsStr::from_bytes(b"caf\xe9.rs"));
        let b = root.join(std::ffi::OsStr::from_bytes(b"caf\xe8.rs"));
        assert_eq!(rel_path(root, &a), "caf\\xe9.rs");
        assert_ne!(rel_path(root, &a), rel_path(root, &b));
        assert_eq!(rel_path(root, &root.join("src/é.rs")), "src/é.rs");
    }
}
