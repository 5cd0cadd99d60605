//! Command-line interface: `seaworthy audit`, `seaworthy rules list|explain`.
//!
//! Exit codes: 0 the audit ran and every gate held; 1 a gate failed
//! (`--fail-under`, `--fail-on`); 2 a usage or input error, reported in one line
//! that says what to fix.

use crate::audit::{self, AuditOptions};
use crate::render::{self, Format};
use crate::report::Report;
use crate::rules::{Catalog, Severity, Status};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "seaworthy",
    version,
    about = "Production-readiness auditor for Rust services",
    long_about = "Production-readiness auditor for Rust services.\n\n\
        seaworthy reads a Rust service repository — its code (parsed with syn), Cargo \
        manifests, Dockerfiles, OpenAPI documents and CI workflows — and scores every item \
        of a production-readiness checklist (pagination, rate limiting, health endpoints, \
        structured logging, coverage, …) with the file and line that decided it. It never \
        builds or runs anything from the audited repository.",
    after_help = "Examples:\n  seaworthy audit                      audit the current directory\n  seaworthy audit path/to/service --format json --output report.json\n  seaworthy audit --fail-under 70      exit 1 when the score is below 70\n  seaworthy rules list                 every checklist item\n  seaworthy rules explain obs.health   what a rule checks and how to fix it"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a repository and score its production readiness.
    Audit(AuditArgs),
    /// List the checklist's rules, or explain one.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print the facts extracted from a tree as JSON (for debugging rules).
    #[command(hide = true)]
    DebugFacts {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Only the facts of files whose path contains this text.
        #[arg(long)]
        file: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Root of the repository to audit.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory of extra rule files (.yaml); a rule with a built-in id replaces it.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Print only the score line (and errors).
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads for reading and parsing (default: all cores).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Exit 1 when the overall score is below SCORE (0–100).
    #[arg(long, value_name = "SCORE", value_parser = parse_score)]
    pub fail_under: Option<f64>,
    /// Exit 1 when an item of this severity or higher fails.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Read Cargo.toml files only; do not run `cargo metadata` (sandboxed) to confirm them.
    #[arg(long)]
    pub no_cargo_metadata: bool,
    /// Skip files larger than this many bytes (reported as skipped).
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_file_size: u64,
    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print the time of each phase (discover, extract per artifact kind, facts, rules, render) to stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule with its section, severity and weight.
    List {
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Directory of extra rule files, as for `audit --rules`.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Explain a rule: what it checks, why, how it is decided, how to fix it.
    Explain {
        /// The rule id, e.g. `api.pagination`.
        id: String,
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

fn parse_score(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is outside 0–100"))
    }
}

/// Run the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `cargo seaworthy …` runs `cargo-seaworthy seaworthy …`.
    if args.get(1).is_some_and(|a| a == "seaworthy") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Audit(a) => run_audit(a),
        Command::Rules { command } => run_rules(command),
        Command::DebugFacts { path, file } => debug_facts(path, file),
    }
}

fn debug_facts(path: PathBuf, file: Option<String>) -> i32 {
    let opts = AuditOptions::new(&path);
    let facts = match audit::collect(&opts) {
        Ok(f) => f,
        Err(e) => return error(&e.to_string()),
    };
    let keep = |p: &str| file.as_deref().is_none_or(|f| p.contains(f));
    let value = serde_json::json!({
        "packages": facts.packages,
        "routes": facts.routes,
        "rust": facts.rust.iter().filter(|r| keep(&r.path)).collect::<Vec<_>>(),
        "dockerfiles": facts.dockerfiles.iter().filter(|d| keep(&d.path)).collect::<Vec<_>>(),
        "specs": facts.specs.iter().filter(|s| keep(&s.path)).collect::<Vec<_>>(),
        "ci": facts.ci.iter().filter(|c| keep(&c.path)).collect::<Vec<_>>(),
        "diagnostics": facts.diagnostics,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&value).expect("facts serialise")
    );
    0
}

fn error(msg: &str) -> i32 {
    eprintln!("error: {msg}");
    2
}

fn run_audit(a: AuditArgs) -> i32 {
    let mut opts = AuditOptions::new(&a.path);
    if let Some(t) = a.threads {
        opts.threads = usize::from(t);
    }
    opts.rules_dir = a.rules.clone();
    opts.cargo_metadata = !a.no_cargo_metadata;
    opts.max_file_size = a.max_file_size;
    opts.progress = !a.quiet;
    if a.timings {
        crate::timings::enable();
    }
    let report = match audit::run(&opts) {
        Ok(r) => r,
        Err(e) => return error(&e.to_string()),
    };
    let color = match a.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            a.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    let text = crate::timings::time("render", || render::render(&report, a.format, color));
    let score_line = score_line(&report);
    match &a.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                return error(&format!(
                    "cannot write the report to '{}': {e}",
                    path.display()
                ));
            }
            if !a.quiet {
                eprintln!("wrote {} — {score_line}", path.display());
            }
        }
        None => {
            let out = if a.quiet && a.format == Format::Table {
                format!("{score_line}\n")
            } else {
                text
            };
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(out.as_bytes()).is_err() {
                return 0; // a closed pipe (`| head`) is not an error
            }
        }
    }
    crate::timings::print();
    gates(&report, a.fail_under, a.fail_on.map(Severity::from))
}

fn score_line(report: &Report) -> String {
    match (report.summary.score, report.summary.grade) {
        (Some(s), Some(g)) => format!(
            "score {s:.1}/100 ({g}): {} pass, {} partial, {} fail",
            report.summary.counts.pass, report.summary.counts.partial, report.summary.counts.fail
        ),
        _ => "no item could be scored".to_string(),
    }
}

/// Check the gates; print each that failed; return the exit code.
pub fn gates(report: &Report, fail_under: Option<f64>, fail_on: Option<Severity>) -> i32 {
    let mut failed = false;
    if let Some(min) = fail_under {
        match report.summary.score {
            Some(s) if s < min => {
                eprintln!("gate failed: score {s:.1} is below --fail-under {min}");
                failed = true;
            }
            None => {
                eprintln!(
                    "gate failed: no item could be scored, so --fail-under {min} cannot hold"
                );
                failed = true;
            }
            _ => {}
        }
    }
    if let Some(sev) = fail_on {
        let bad: Vec<_> = report
            .items
            .iter()
            .filter(|i| i.same_as.is_none() && i.status == Status::Fail && i.severity >= sev)
            .collect();
        if !bad.is_empty() {
            eprintln!(
                "gate failed: {} item(s) of severity {} or higher fail: {}",
                bad.len(),
                sev.as_str(),
                bad.iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            failed = true;
        }
    }
    i32::from(failed)
}

fn run_rules(cmd: RulesCommand) -> i32 {
    match cmd {
        RulesCommand::List { format, rules } => {
            let catalog = match Catalog::load(rules.as_deref()) {
                Ok(c) => c,
                Err(e) => return error(&e),
            };
            match format {
                Format::Json => {
                    let mut s =
                        serde_json::to_string_pretty(&catalog.rules).expect("rules serialise");
                    s.push('\n');
                    print!("{s}");
                }
                Format::Table => {
                    for section in &catalog.sections {
                        println!("{} ({})", section.title, section.id);
                        for r in catalog.rules.iter().filter(|r| r.section == section.id) {
                            let how = match (&r.analyzer, &r.same_as, &r.manual) {
                                (Some(a), _, _) => format!("analyzer {a}"),
                                (_, Some(s), _) => format!("same as {s}"),
                                (_, _, Some(_)) => "manual".to_string(),
                                _ => "clauses".to_string(),
                            };
                            println!(
                                "  {:<28} {:<8} w{:<3} {:<48} [{how}]",
                                r.id,
                                r.severity.as_str(),
                                r.weight,
                                r.title
                            );
                        }
                    }
                    println!(
                        "\n{} rules · catalog {}",
                        catalog.rules.len(),
                        catalog.version
                    );
                }
            }
            0
        }
        RulesCommand::Explain { id, rules } => {
            let catalog = match Catalog::load(rules.as_deref()) {
                Ok(c) => c,
                Err(e) => return error(&e),
            };
            let Some(rule) = catalog.rule(&id) else {
                let close: Vec<&str> = catalog
                    .rules
                    .iter()
                    .map(|r| r.id.as_str())
                    .filter(|r| {
                        r.split('.').next() == id.split('.').next() || r.contains(id.as_str())
                    })
                    .take(8)
                    .collect();
                let hint = if close.is_empty() {
                    "run `seaworthy rules list` to see every id".to_string()
                } else {
                    format!("did you mean one of: {}?", close.join(", "))
                };
                return error(&format!("no rule `{id}`; {hint}"));
            };
            print!("{}", explain(rule));
            0
        }
    }
}

/// The `rules explain` text of a rule.
pub fn explain(rule: &crate::rules::RuleDef) -> String {
    let mut s = format!(
        "{} — {}\nsection {} · severity {} · weight {}\n\n",
        rule.id,
        rule.title,
        rule.section,
        rule.severity.as_str(),
        rule.weight
    );
    let para = |s: &mut String, head: &str, body: &str| {
        s.push_str(head);
        s.push('\n');
        for line in body.trim_end().lines() {
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
        s.push('\n');
    };
    para(&mut s, "Why it matters", &rule.rationale);
    let how = match (&rule.docs.how, &rule.analyzer, &rule.same_as, &rule.manual) {
        (Some(h), _, _, _) => h.clone(),
        (None, _, Some(t), _) => format!("Restates {t}: reported with that rule's result."),
        (None, _, _, Some(m)) => format!("Reported as manual: {m}"),
        (None, Some(a), _, _) => format!("Decided by the `{a}` analyzer."),
        _ => rule
            .pass
            .iter()
            .map(|c| format!("pass when: {}", c.describe()))
            .chain(
                rule.partial
                    .iter()
                    .map(|c| format!("partial when: {}", c.describe())),
            )
            .collect::<Vec<_>>()
            .join("\n"),
    };
    para(&mut s, "How it is decided", &how);
    if let Some(bad) = &rule.docs.bad {
        para(&mut s, "Example that fails", bad);
    }
    if let Some(good) = &rule.docs.good {
        para(&mut s, "Example that passes", good);
    }
    para(&mut s, "How to fix", &rule.remediation);
    s
}
