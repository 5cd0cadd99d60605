//! The bare baseline: walk the tree, read every `.rs` file and `syn::parse_file`
//! it, on the same kind of pool seaworthy uses (rayon, `threads` workers with
//! large stacks, spans invalidated after each file) — and nothing else.
//!
//! It is what any syn-based tool must pay at least once; the audit's cost is
//! reported as a ratio to it.

use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Files parsed, bytes read, files that did not parse.
pub struct Counts {
    pub files: usize,
    pub bytes: usize,
    pub errors: usize,
}

pub fn run(root: &Path, threads: usize) -> Counts {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(seaworthy::audit::PARSE_STACK)
        .build()
        .expect("pool");
    pool.install(|| {
        let files = walk(root, threads);
        files
            .par_iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let ok = syn::parse_file(&text).is_ok();
                proc_macro2::extra::invalidate_current_thread_spans();
                Counts {
                    files: 1,
                    bytes: text.len(),
                    errors: usize::from(!ok),
                }
            })
            .reduce(
                || Counts {
                    files: 0,
                    bytes: 0,
                    errors: 0,
                },
                |a, b| Counts {
                    files: a.files + b.files,
                    bytes: a.bytes + b.bytes,
                    errors: a.errors + b.errors,
                },
            )
    })
}

/// Every `.rs` file, gitignore-aware, hidden directories included.
fn walk(root: &Path, threads: usize) -> Vec<PathBuf> {
    let found = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .git_exclude(false)
        .threads(threads)
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                if let Ok(e) = entry {
                    if e.file_type().is_some_and(|t| t.is_file())
                        && e.path().extension().is_some_and(|x| x == "rs")
                    {
                        found.lock().unwrap().push(e.into_path());
                    }
                }
                WalkState::Continue
            })
        });
    let mut files = found.into_inner().unwrap();
    files.sort();
    files
}
