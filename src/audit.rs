//! The audit pipeline: discover → extract (parallel) → facts → rules → report.

use crate::discover::{self, WalkOptions};
use crate::extract::{self, Extracted, FileOutcome};
use crate::facts::build::BuildOptions;
use crate::facts::Facts;
use crate::progress::Progress;
use crate::report::Report;
use crate::rules::{engine, Catalog};
use crate::timings;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    /// Draw a progress bar on stderr when it is a terminal and the run is long.
    pub progress: bool,
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
            progress: true,
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
    let pool = pool(opts.threads).map_err(|e| {
        AuditError::Usage(format!("cannot start {} worker threads: {e}", opts.threads))
    })?;
    let walk = WalkOptions {
        threads: opts.threads.max(1),
        max_file_size: opts.max_file_size,
    };
    let facts = pool.install(|| {
        let inventory = timings::time("discover", || discover::discover(&opts.root, &walk));
        let outcomes = extract_all(&inventory, opts.progress);
        timings::time("facts", || {
            Facts::build(
                &opts.root,
                inventory,
                outcomes,
                &BuildOptions {
                    cargo_metadata: opts.cargo_metadata,
                },
            )
        })
    });
    Ok(facts)
}

/// A pool of `threads` workers with stacks deep enough for syn.
fn pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .stack_size(PARSE_STACK)
        .thread_name(|i| format!("seaworthy-parse-{i}"))
        .build()
}

/// Read and extract every file in parallel (inventory order), with a progress
/// bar when wanted, and the time per artifact kind when `--timings` records.
fn extract_all(inventory: &discover::Inventory, progress: bool) -> Vec<FileOutcome> {
    let start = Instant::now();
    let bar = Progress::new(inventory.files.len(), progress);
    let timed: Vec<(FileOutcome, Duration)> = inventory
        .files
        .par_iter()
        .map(|f| {
            let t = Instant::now();
            let out = extract::extract_file(f);
            bar.inc();
            (out, t.elapsed())
        })
        .collect();
    bar.finish();
    if !timings::enabled() {
        return timed.into_iter().map(|(o, _)| o).collect();
    }
    timings::record(
        "extract",
        start.elapsed(),
        format!("{} files", inventory.files.len()),
    );
    let mut kinds: BTreeMap<&str, (Duration, usize, u64)> = BTreeMap::new();
    for ((o, t), f) in timed.iter().zip(&inventory.files) {
        let e = kinds.entry(kind_name(o)).or_default();
        e.0 += *t;
        e.1 += 1;
        e.2 += f.size;
    }
    for (kind, (t, n, bytes)) in kinds {
        timings::record_sub(
            kind,
            t,
            format!(
                "{n} files, {:.1} MB (summed over {} workers)",
                bytes as f64 / 1e6,
                rayon::current_num_threads()
            ),
        );
    }
    timed.into_iter().map(|(o, _)| o).collect()
}

/// The artifact kind an outcome is reported under in `--timings`.
fn kind_name(o: &FileOutcome) -> &'static str {
    match &o.facts {
        Some(Extracted::Rust(_)) => "rust",
        Some(Extracted::Manifest(_)) | Some(Extracted::Lock(_)) => "cargo",
        Some(Extracted::Docker(_)) => "docker",
        Some(Extracted::Spec(_)) => "openapi",
        Some(Extracted::Ci(_)) => "ci",
        Some(Extracted::Yaml { .. }) => "yaml",
        Some(Extracted::Coverage(_)) => "coverage",
        Some(Extracted::Sql(_)) => "sql",
        Some(Extracted::Text) => "text",
        None => "unreadable or invalid",
    }
}

/// Run a whole audit.
pub fn run(opts: &AuditOptions) -> Result<Report, AuditError> {
    let catalog = timings::time("catalog", || Catalog::load(opts.rules_dir.as_deref()))
        .map_err(AuditError::Usage)?;
    run_with(opts, &catalog).map(|(report, _)| report)
}

/// Run an audit with a prepared catalog (the config's overrides applied);
/// returns the facts too, for what is applied after the rules (inline
/// suppressions).
pub fn run_with(opts: &AuditOptions, catalog: &Catalog) -> Result<(Report, Facts), AuditError> {
    let facts = collect(opts)?;
    let outcomes = evaluate(opts, catalog, &facts);
    let report = timings::time("report", || {
        Report::build(&opts.display_path, &facts, catalog, outcomes)
    });
    Ok((report, facts))
}

/// Decide every rule, in parallel on as many threads as extraction had (not
/// on every core whatever `-j` said).
pub fn evaluate(
    opts: &AuditOptions,
    catalog: &Catalog,
    facts: &Facts,
) -> Vec<crate::rules::Outcome> {
    timings::time("rules", || match pool(opts.threads) {
        Ok(pool) => pool.install(|| engine::evaluate(catalog, facts)),
        Err(_) => engine::evaluate(catalog, facts),
    })
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
