//! `seaworthy fleet REPORT_OR_DIR...`: many services' JSON reports, over
//! time, in one view.
//!
//! Platform teams keep one audit report per service per CI run. This reads
//! them all — files, or directory trees searched for `*.json` — and writes the
//! fleet: services ranked by their latest score, a services × sections heat
//! map, for every checklist item the share of services passing it, each
//! service's score over its runs, the regressions since each service's
//! previous report, and every service's items. Three renderings of one
//! [`model::Fleet`] value: an HTML dashboard, a JSON summary
//! (`docs/fleet.schema.json`) and an OpenMetrics exposition for Prometheus and
//! Grafana; and a ranking table for the terminal.
//!
//! Pipeline: [`inputs`] (which files, in what order) → [`read`] (one file into
//! the few fields needed, or why not) → [`aggregate`] (fold, order, compare)
//! → [`html`] / [`metrics`] / JSON / [`table`]. Reports are read in parallel
//! in chunks and folded in input order, so the output does not depend on
//! thread timing; each report is dropped once folded, so memory stays small
//! however many reports there are.

pub mod aggregate;
pub mod chart;
pub mod html;
pub mod inputs;
pub mod metrics;
pub mod model;
pub mod read;
pub mod table;

use crate::render::terminal_safe;
use clap::{Args, ValueEnum};
use model::Fleet;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The `kind` of a fleet summary, which tells it from an audit report.
pub const KIND: &str = "seaworthy-fleet";

/// Reports parsed in parallel before they are folded in, in input order.
const CHUNK: usize = 256;

#[derive(Debug, Args)]
pub struct FleetArgs {
    /// JSON reports of `seaworthy audit`, or directories searched recursively for them.
    #[arg(required = true, value_name = "REPORT_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// Output formats, comma-separated (default: html,json,metrics with
    /// --output-dir; the format --output's extension names; else table).
    #[arg(short, long, value_enum, value_delimiter = ',')]
    pub format: Vec<FleetFormat>,
    /// Write one format to this file.
    #[arg(short, long, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write every format to this directory (fleet.html, fleet.json, fleet.prom).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Print only the summary line and errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FleetFormat {
    /// Services ranked by score, and the regressions, for the terminal.
    Table,
    /// The dashboard: one self-contained HTML page.
    Html,
    /// The fleet summary (docs/fleet.schema.json).
    Json,
    /// OpenMetrics / Prometheus text exposition.
    #[value(alias = "openmetrics", alias = "prometheus")]
    Metrics,
}

impl FleetFormat {
    pub fn file_name(self) -> &'static str {
        match self {
            FleetFormat::Table => "fleet.txt",
            FleetFormat::Html => "fleet.html",
            FleetFormat::Json => "fleet.json",
            FleetFormat::Metrics => "fleet.prom",
        }
    }

    fn from_extension(path: &Path) -> Option<FleetFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "html" | "htm" => FleetFormat::Html,
            "json" => FleetFormat::Json,
            "prom" | "metrics" | "om" => FleetFormat::Metrics,
            "txt" => FleetFormat::Table,
            _ => return None,
        })
    }
}

/// Read every report under `paths` and summarise the fleet.
pub fn summarise(paths: &[PathBuf]) -> Result<Fleet, String> {
    let found = inputs::collect(paths)?;
    let mut acc = aggregate::Acc::default();
    for (path, reason) in found.ignored {
        acc.ignore(path, reason);
    }
    for (c, chunk) in found.files.chunks(CHUNK).enumerate() {
        let reads: Vec<_> = chunk
            .par_iter()
            .map(|p| read::read::<read::Lite>(p))
            .collect();
        for (i, (path, r)) in chunk.iter().zip(reads).enumerate() {
            let seq = u32::try_from(c * CHUNK + i).unwrap_or(u32::MAX);
            acc.add(seq, path.clone(), r);
        }
    }
    Ok(acc.finish())
}

/// Render the fleet in `format`.
pub fn render(fleet: &Fleet, format: FleetFormat) -> String {
    match format {
        FleetFormat::Table => table::render(fleet),
        FleetFormat::Html => html::render(fleet),
        FleetFormat::Json => {
            let mut s = serde_json::to_string_pretty(fleet).expect("the fleet serialises");
            s.push('\n');
            s
        }
        FleetFormat::Metrics => metrics::render(fleet),
    }
}

fn formats(a: &FleetArgs) -> Result<Vec<FleetFormat>, String> {
    if !a.format.is_empty() {
        if a.format.len() > 1 && a.output_dir.is_none() {
            return Err("several formats need --output-dir DIR (one file per format)".into());
        }
        return Ok(a.format.clone());
    }
    Ok(match (&a.output_dir, &a.output) {
        (Some(_), _) => vec![FleetFormat::Html, FleetFormat::Json, FleetFormat::Metrics],
        (None, Some(path)) => vec![FleetFormat::from_extension(path).ok_or_else(|| {
            format!(
                "cannot tell the format from '{}'; pass --format html|json|metrics",
                path.display()
            )
        })?],
        (None, None) => vec![FleetFormat::Table],
    })
}

/// One line per corrupt and refused file, and the ignored ones counted by reason.
fn report_inputs(fleet: &Fleet, quiet: bool) {
    let i = &fleet.inputs;
    if !quiet {
        for p in &i.corrupt {
            eprintln!(
                "corrupt: {}: {}",
                terminal_safe(&p.path),
                terminal_safe(&p.message)
            );
        }
        for p in &i.refused {
            eprintln!(
                "refused: {}: {}",
                terminal_safe(&p.path),
                terminal_safe(&p.message)
            );
        }
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &i.ignored {
            *reasons.entry(p.reason.as_str()).or_default() += 1;
        }
        for (reason, n) in reasons {
            eprintln!("ignored: {n} file(s): {}", terminal_safe(reason));
        }
    }
    eprintln!(
        "read {} report(s) of {} service(s) from {} file(s): {} corrupt, {} refused, {} ignored",
        i.reports,
        i.services,
        i.files,
        i.corrupt.len(),
        i.refused.len(),
        i.ignored.len()
    );
}

/// Run `seaworthy fleet`; returns the exit code (0 written, 2 usage or input error).
pub fn run(a: &FleetArgs) -> i32 {
    let fail = |msg: &str| {
        eprintln!("error: {msg}");
        2
    };
    let formats = match formats(a) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let fleet = match summarise(&a.inputs) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    report_inputs(&fleet, a.quiet);
    if fleet.inputs.reports == 0 {
        return fail("no seaworthy report was read; pass the JSON reports of `seaworthy audit --format json`");
    }
    let write = |path: &Path, text: String| -> Result<(), String> {
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
        if !a.quiet {
            eprintln!("wrote {}", path.display());
        }
        Ok(())
    };
    let written = if let Some(dir) = &a.output_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create '{}': {e}", dir.display()))
            .and_then(|()| {
                formats
                    .iter()
                    .try_for_each(|f| write(&dir.join(f.file_name()), render(&fleet, *f)))
            })
    } else if let Some(path) = &a.output {
        write(path, render(&fleet, formats[0]))
    } else {
        // A closed pipe (`| head`) is not an error.
        let _ = std::io::stdout()
            .lock()
            .write_all(render(&fleet, formats[0]).as_bytes());
        Ok(())
    };
    match written {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}
