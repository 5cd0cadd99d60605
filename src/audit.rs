//! The audit pipeline: discover → extract (parallel) → facts → rules → report.

use crate::discover::{self, WalkOptions};
use crate::extract;
use crate::facts::build::BuildOptions;
use crate::facts::Facts;
use crate::report::Report;
use crate::rules::{engine, Catalog};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Stack size of parsing threads: syn recurses on deeply nested expressions.
pub const PARSE_STACK: usize = 32 * 1024 * 1024;

/// What to audit and how.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub root: PathBuf,
    /// The path as the user wrote it, for the report.
    pub display_path: String,
    pub threads: usize,
    pub max_file_size: u64,
    pub rules_dir: Option<PathBuf>,
    pub cargo_metadata: bool,
}

impl AuditOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        AuditOptions {
            display_path: root.display().to_string(),
            root,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            max_file_size: 4 * 1024 * 1024,
            rules_dir: None,
            cargo_metadata: true,
        }
    }
}

/// Why an audit could not run at all (a usage or input error: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{0}")]
    Usage(String),
}

/// Walk, read and parse the tree into facts.
pub fn collect(opts: &AuditOptions) -> Result<Facts, AuditError> {
    check_root(&opts.root)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .stack_size(PARSE_STACK)
        .thread_name(|i| format!("seaworthy-parse-{i}"))
        .build()
        .map_err(|e| {
            AuditError::Usage(format!("cannot start {} worker threads: {e}", opts.threads))
        })?;
    let walk = WalkOptions {
        threads: opts.threads.max(1),
        max_file_size: opts.max_file_size,
    };
    let facts = pool.install(|| {
        let inventory = discover::discover(&opts.root, &walk);
        let outcomes: Vec<_> = inventory
            .files
            .par_iter()
            .map(extract::extract_file)
            .collect();
        Facts::build(
            &opts.root,
            inventory,
            outcomes,
            &BuildOptions {
                cargo_metadata: opts.cargo_metadata,
            },
        )
    });
    Ok(facts)
}

/// Run a whole audit.
pub fn run(opts: &AuditOptions) -> Result<Report, AuditError> {
    let catalog = Catalog::load(opts.rules_dir.as_deref()).map_err(AuditError::Usage)?;
    run_with(opts, &catalog).map(|(report, _)| report)
}

/// Run an audit with a prepared catalog (the config's overrides applied);
/// returns the facts too, for what is applied after the rules (inline
/// suppressions).
pub fn run_with(opts: &AuditOptions, catalog: &Catalog) -> Result<(Report, Facts), AuditError> {
    let facts = collect(opts)?;
    let outcomes = engine::evaluate(catalog, &facts);
    let report = Report::build(&opts.display_path, &facts, catalog, outcomes);
    Ok((report, facts))
}

fn check_root(root: &Path) -> Result<(), AuditError> {
    match std::fs::metadata(root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AuditError::Usage(format!(
            "path '{}' does not exist; pass the root of a Rust repository",
            root.display()
        ))),
        Err(e) => Err(AuditError::Usage(format!(
            "cannot read '{}': {e}",
            root.display()
        ))),
        Ok(m) if !m.is_dir() => Err(AuditError::Usage(format!(
            "path '{}' is a file; pass the directory at the root of a Rust repository",
            root.display()
        ))),
        Ok(_) => Ok(()),
    }
}
