//! Extractors: one module per artifact kind, each turning a file into facts.
//!
//! Every extractor takes the file's text and path and returns plain facts or a
//! diagnostic; none keeps a syntax tree, none panics on bad input, and none runs
//! anything from the audited tree.

pub mod cargo;
pub mod ci;
pub mod coverage;
pub mod docker;
pub mod openapi;
pub mod rust;
pub mod yaml;

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
}

/// Read and extract one file. Never panics on bad input: unreadable, binary and
/// non-UTF-8 files come back as skipped with a diagnostic.
pub fn extract_file(file: &FoundFile) -> FileOutcome {
    let mut out = FileOutcome {
        path: file.rel.clone(),
        kind: file.kind,
        role: file.role,
        facts: None,
        text: None,
        diagnostics: Vec::new(),
        skipped: None,
    };
    let bytes = match std::fs::read(&file.abs) {
        Ok(b) => b,
        Err(e) => {
            out.skip(format!("could not be read: {e}"));
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
        FileKind::Yaml | FileKind::Json => match yaml::sniff(path, &text) {
            yaml::DocKind::OpenApi => openapi::extract(path, &text).map(|(doc, warnings)| {
                out.diagnostics.extend(warnings);
                Extracted::Spec(doc)
            }),
            yaml::DocKind::GithubWorkflow => ci::github(path, &text).map(Extracted::Ci),
            yaml::DocKind::GitlabCi => ci::gitlab(path, &text).map(Extracted::Ci),
            // A Helm template is not YAML until rendered: kept as text for the chart.
            yaml::DocKind::Kubernetes if is_helm_template(path, &text) => Ok(Extracted::Text),
            kind @ (yaml::DocKind::Compose | yaml::DocKind::Kubernetes) => yaml::load(&text)
                .map(|docs| Extracted::Yaml { kind, docs })
                .map_err(|e| {
                    Diagnostic::error(
                        Location::file(path),
                        "yaml",
                        format!("{e}; this manifest is missing from this audit"),
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
    if file.kind != FileKind::Rust {
        out.text = Some(text);
    }
    out
}

/// A file under a chart's `templates/` directory with template expressions.
fn is_helm_template(path: &str, text: &str) -> bool {
    (path.starts_with("templates/") || path.contains("/templates/")) && text.contains("{{")
}

impl FileOutcome {
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
