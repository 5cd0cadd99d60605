//! Which files `seaworthy fleet` reads: the paths on the command line, with
//! directories walked recursively, in a stable order.
//!
//! CI artifacts pile up as trees (`billing/run-117/seaworthy.json`), often
//! next to the HTML, SARIF and JUnit files of the same run. Every `*.json` file
//! under a directory is a candidate report; every other file is listed as
//! ignored with the reason, so nothing is dropped silently. A file named on the
//! command line is always a candidate, whatever its name.
//!
//! The order is the command line's, and within a directory a natural sort
//! (`run-2` before `run-10`): it is the order of a service's runs when its
//! reports carry no timestamp, so it has to be the order a person expects.
//! Symbolic links to directories are not followed (a link loop would never
//! end); `.git` directories are skipped.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// The candidate report files, in order, and what was left out.
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    /// `(path, reason)` of every file or directory left out.
    pub ignored: Vec<(String, String)>,
}

/// Walk `paths`; a path that does not exist is a usage error.
pub fn collect(paths: &[PathBuf]) -> Result<Inputs, String> {
    let mut inputs = Inputs::default();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| {
            format!(
                "'{}': {e}; pass JSON reports or directories of them",
                p.display()
            )
        })?;
        if meta.is_dir() {
            walk(p, &mut inputs);
        } else {
            inputs.files.push(p.clone());
        }
    }
    Ok(inputs)
}

fn walk(dir: &Path, inputs: &mut Inputs) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            inputs
                .ignored
                .push((dir.display().to_string(), format!("cannot read: {e}")));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by(|a, b| {
        natural(
            &a.file_name().to_string_lossy(),
            &b.file_name().to_string_lossy(),
        )
    });
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let shown = || path.display().to_string();
        if kind.is_dir() {
            if entry.file_name() == ".git" {
                continue;
            }
            walk(&path, inputs);
        } else if kind.is_symlink() && path.is_dir() {
            inputs
                .ignored
                .push((shown(), "a link to a directory (not followed)".into()));
        } else if is_json(&path) {
            inputs.files.push(path);
        } else {
            inputs.ignored.push((shown(), "not a .json file".into()));
        }
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Natural order: runs of digits compare as numbers, the rest as text.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let (ca, ra) = chunk(a);
        let (cb, rb) = chunk(b);
        let digits = |s: &str| s.as_bytes()[0].is_ascii_digit();
        let ord = if digits(ca) && digits(cb) {
            let (ta, tb) = (ca.trim_start_matches('0'), cb.trim_start_matches('0'));
            ta.len()
                .cmp(&tb.len())
                .then_with(|| ta.cmp(tb))
                .then_with(|| ca.len().cmp(&cb.len()))
        } else {
            ca.cmp(cb)
        };
        if ord != Ordering::Equal {
            return ord;
        }
        (a, b) = (ra, rb);
    }
}

/// The leading run of digits or of non-digits, and the rest.
fn chunk(s: &str) -> (&str, &str) {
    let digit = s.as_bytes()[0].is_ascii_digit();
    let end = s
        .bytes()
        .position(|b| b.is_ascii_digit() != digit)
        .unwrap_or(s.len());
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        let mut v = vec!["run-10", "run-2", "run-1", "run-02", "a", "run-1b"];
        v.sort_by(|a, b| natural(a, b));
        assert_eq!(v, ["a", "run-1", "run-1b", "run-2", "run-02", "run-10"]);
    }

    #[test]
    fn walks_directories_in_natural_order_and_lists_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "b/run-10/r.json",
            "b/run-2/r.json",
            "a/x.JSON",
            "a/x.html",
            ".git/HEAD.json",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        let got = collect(&[d.to_path_buf()]).unwrap();
        let rel: Vec<String> = got
            .files
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, ["a/x.JSON", "b/run-2/r.json", "b/run-10/r.json"]);
        assert_eq!(got.ignored.len(), 1);
        assert!(got.ignored[0].0.ends_with("x.html"));
        assert!(collect(&[d.join("missing")]).is_err());
    }
}
