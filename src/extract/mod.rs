//! Extractors: one module per artifact kind, each turning a file into facts.
//!
//! Every extractor takes the file's text and path and returns plain facts or a
//! diagnostic; none keeps a syntax tree, none panics on bad input, and none runs
//! anything from the audited tree.

pub mod cargo;
pub mod ci;
pub mod circleci;
pub mod coverage;
pub mod docker;
pub mod openapi;
pub mod rust;
pub mod sandbox;
pub mod sql;
pub mod yaml;
pub mod yaml_lenient;

use crate::classify::{FileKind, Role};
use crate::diagnostics::Diagnostic;
use crate::discover::{FoundFile, Skipped};
use crate::location::Location;
use std::collections::BTreeMap;

/// What one file turned into.
#[derive(Debug)]
pub enum Extracted {
    Rust(rust::RustFile),
    Manifest(cargo::Manifest),
    Lock(BTreeMap<String, Vec<String>>),
    Docker(docker::Dockerfile),
    Spec(openapi::SpecDoc),
    Ci(ci::CiFile),
    Yaml {
        kind: yaml::DocKind,
        docs: Vec<yaml::YNode>,
    },
    Coverage(coverage::CoverageReport),
    /// Schema statements of a `.sql` file.
    Sql(sql::SqlSource),
    /// Kept only as text.
    Text,
}

/// The outcome of reading one file: its facts (if any), its text (for non-Rust
/// files), diagnostics, and a skip record when it could not be read at all.
#[derive(Debug)]
pub struct FileOutcome {
    pub path: String,
    pub kind: FileKind,
    pub role: Role,
    pub facts: Option<Extracted>,
    pub text: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Option<Skipped>,
    /// Schema statements built in a Rust file with sea-query (sea-orm-migration).
    pub seaquery: Option<sql::SqlSource>,
}

/// Read and extract one file. Never panics on bad input: unreadable, binary and
/// non-UTF-8 files come back as skipped with a diagnostic.
pub fn extract_file(file: &FoundFile) -> FileOutcome {
    // A bug in an extractor must cost one file, not the whole audit: a panic is
    // caught here and the file reported as skipped (the panic message still goes
    // to stderr through the panic hook).
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract_unguarded(file))) {
        Ok(out) => out,
        Err(_) => {
            // The parse may have stopped half-way: drop its spans all the same.
            proc_macro2::extra::invalidate_current_thread_spans();
            let mut out = FileOutcome::new(file);
            out.skip(
                "seaworthy failed while reading it (an internal error: please report it)".into(),
            );
            out
        }
    }
}

fn extract_unguarded(file: &FoundFile) -> FileOutcome {
    let mut out = FileOutcome::new(file);
    let bytes = match read_found(file) {
        Ok(b) => b,
        Err(reason) => {
            out.skip(reason);
            return out;
        }
    };
    if bytes[..bytes.len().min(8192)].contains(&0) {
        out.skip("binary content (NUL bytes)".into());
        return out;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() as u32 + 1;
            out.skip(format!("not valid UTF-8 (first bad byte at line {line})"));
            if let Some(d) = out.diagnostics.last_mut() {
                d.location.line = Some(line);
            }
            return out;
        }
    };
    let path = file.rel.as_str();
    let result: Result<Extracted, Diagnostic> = match file.kind {
        FileKind::Rust => rust::extract(path, file.role, &text).map(Extracted::Rust),
        FileKind::CargoManifest => cargo::read_manifest(path, &text).map(Extracted::Manifest),
        FileKind::CargoLock => cargo::read_lock(path, &text).map(Extracted::Lock),
        FileKind::Dockerfile => docker::extract(path, &text).map(Extracted::Docker),
        FileKind::CoverageReport => coverage::extract(path, &text).map(Extracted::Coverage),
        FileKind::Sql => Ok(Extracted::Sql(sql::extract_file(path, file.role, &text))),
        FileKind::Yaml | FileKind::Json => match yaml::sniff(path, &text) {
            yaml::DocKind::OpenApi => openapi::extract(path, &text).map(|(doc, warnings)| {
                out.diagnostics.extend(warnings);
                Extracted::Spec(doc)
            }),
            yaml::DocKind::GithubWorkflow => ci::github(path, &text).map(Extracted::Ci),
            yaml::DocKind::GitlabCi => ci::gitlab(path, &text).map(Extracted::Ci),
            yaml::DocKind::CircleCi => circleci::read(path, &text).map(Extracted::Ci),
            // A Helm template is not YAML until rendered: kept as text for the chart.
            yaml::DocKind::Kubernetes if is_helm_template(path, &text) => Ok(Extracted::Text),
            kind @ (yaml::DocKind::Compose | yaml::DocKind::Kubernetes) => yaml::load_marked(&text)
                .map(|docs| Extracted::Yaml { kind, docs })
                .map_err(|e| {
                    Diagnostic::error(
                        Location::new(path, e.line.unwrap_or(0)),
                        "yaml",
                        format!("{}; this manifest is missing from this audit", e.message),
                    )
                }),
            yaml::DocKind::Other => Ok(Extracted::Text),
        },
        _ => Ok(Extracted::Text),
    };
    match result {
        Ok(facts) => out.facts = Some(facts),
        Err(d) => out.diagnostics.push(d),
    }
    if file.kind == FileKind::Rust && sql::seaquery::mentions_builders(&text) {
        let statements = sql::seaquery::extract(&text);
        if !statements.is_empty() {
            out.seaquery = Some(sql::SqlSource {
                path: path.to_string(),
                role: file.role,
                origin: sql::SqlOrigin::SeaQuery,
                migration: sql::migration_of(path),
                mysql: false,
                statements,
            });
        }
    }
    if file.kind != FileKind::Rust {
        out.text = Some(text);
    }
    out
}

/// Read a file the walk found, only if it is still the regular file of at most
/// the size the walk saw (and checked against the size limit): a file swapped
/// for a symbolic link, a FIFO or something larger since is not read.
fn read_found(file: &FoundFile) -> Result<Vec<u8>, String> {
    use std::io::Read;
    match std::fs::symlink_metadata(&file.abs) {
        Ok(m) if m.file_type().is_symlink() => return Err("symbolic link (not followed)".into()),
        Ok(m) if !m.is_file() => return Err("not a regular file".into()),
        Ok(_) => {}
        Err(e) => return Err(format!("could not be read: {e}")),
    }
    let handle = std::fs::File::open(&file.abs).map_err(|e| format!("could not be read: {e}"))?;
    let mut bytes = Vec::with_capacity(usize::try_from(file.size).unwrap_or(0));
    handle
        .take(file.size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("could not be read: {e}"))?;
    if bytes.len() as u64 > file.size {
        return Err(format!(
            "changed while the audit ran (grew past the {} bytes seen)",
            file.size
        ));
    }
    Ok(bytes)
}

/// A file under a chart's `templates/` directory with template expressions.
fn is_helm_template(path: &str, text: &str) -> bool {
    (path.starts_with("templates/") || path.contains("/templates/")) && text.contains("{{")
}

impl FileOutcome {
    fn new(file: &FoundFile) -> Self {
        FileOutcome {
            path: file.rel.clone(),
            kind: file.kind,
            role: file.role,
            facts: None,
            text: None,
            diagnostics: Vec::new(),
            skipped: None,
            seaquery: None,
        }
    }

    fn skip(&mut self, reason: String) {
        self.diagnostics.push(Diagnostic::error(
            Location::file(self.path.clone()),
            "read",
            format!("{reason}; the file is skipped"),
        ));
        self.skipped = Some(Skipped {
            path: self.path.clone(),
            reason,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(abs: std::path::PathBuf, size: u64) -> FoundFile {
        FoundFile {
            rel: "src/a.rs".into(),
            abs,
            kind: FileKind::Rust,
            role: Role::Service,
            size,
        }
    }

    /// What the walk saw may change before the file is read: whatever it became,
    /// it is not followed, not blocked on, and not read past its size.
    #[cfg(unix)]
    #[test]
    fn a_file_changed_since_the_walk_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.rs");
        std::fs::write(&file, "fn a() {}\n").unwrap();

        let grown = extract_file(&found(file.clone(), 4));
        assert!(grown.skipped.unwrap().reason.contains("changed while"));

        std::fs::remove_file(&file).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", &file).unwrap();
        let linked = extract_file(&found(file.clone(), 10));
        assert_eq!(
            linked.skipped.unwrap().reason,
            "symbolic link (not followed)"
        );
        assert!(linked.text.is_none());

        std::fs::remove_file(&file).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&file)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            // Reading a FIFO with no writer would block forever.
            let fifo = extract_file(&found(file.clone(), 10));
            assert_eq!(fifo.skipped.unwrap().reason, "not a regular file");
        }

        std::fs::remove_file(&file).unwrap();
        let gone = extract_file(&found(file, 10));
        assert!(gone
            .skipped
            .unwrap()
            .reason
            .starts_with("could not be read"));
    }
}
