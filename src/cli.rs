//! Command-line interface: `seaworthy audit`, `seaworthy fleet`,
//! `seaworthy init`, `seaworthy rules list|explain`.
//!
//! Exit codes: 0 the audit ran and every gate held; 1 a gate failed
//! (`--fail-under`, `--fail-on`, a regression against `--baseline`); 2 a usage
//! or input error (a bad flag, a broken config), reported in one line that says
//! what to fix.

use crate::audit::{self, AuditOptions};
use crate::config::{self, apply, inline};
use crate::render::{self, Format};
use crate::report::Report;
use crate::rules::{Catalog, Severity};
use crate::score::Profile;
use crate::{baseline, provenance};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

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
    after_help = "Examples:\n  seaworthy audit                      audit the current directory\n  seaworthy audit path/to/service --format json --output report.json\n  seaworthy audit --format json,html,sarif --output-dir reports/\n  seaworthy audit --fail-under 70      exit 1 when the score is below 70\n  seaworthy audit --baseline main.json exit 1 only for what got worse\n  seaworthy fleet reports/ --output-dir fleet/\n                                       dashboard, JSON and metrics of many reports\n  seaworthy init                       write a commented seaworthy.toml\n  seaworthy rules list                 every checklist item\n  seaworthy rules explain obs.health   what a rule checks and how to fix it"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a repository and score its production readiness.
    Audit(Box<AuditArgs>),
    /// Summarise many services' JSON reports, over time: an HTML dashboard,
    /// a JSON fleet summary and OpenMetrics for Prometheus/Grafana.
    Fleet(crate::fleet::FleetArgs),
    /// Write a commented starter `seaworthy.toml` into a repository.
    Init {
        /// Root of the repository.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Replace an existing seaworthy.toml.
        #[arg(long)]
        force: bool,
    },
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
    /// Output formats, comma-separated (several need --output-dir).
    #[arg(
        short,
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "table"
    )]
    pub format: Vec<Format>,
    /// Write the report to this file instead of standard output (one format).
    #[arg(short, long, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write every format to this directory (seaworthy.json, seaworthy.html,
    /// seaworthy.sarif, seaworthy-junit.xml, seaworthy.md, …).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Read the config from FILE (default: seaworthy.toml at the root, else
    /// [workspace|package.metadata.seaworthy] in Cargo.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any config in the audited repository.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Ignore `seaworthy:allow(RULE)` comments in the audited code.
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// Exit 1 only for what got worse against this earlier JSON report: a new
    /// failing item or finding, or a lower score.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// Which items count (default: the config's, else standard).
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// The service's name in the report (default: the root package's name).
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Record when the audit ran: `now` (the default value), seconds since
    /// 1970, or an RFC 3339 time. Without it only SOURCE_DATE_EPOCH is recorded.
    #[arg(long, value_name = "WHEN", num_args = 0..=1, default_missing_value = "now")]
    pub timestamp: Option<String>,
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
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    /// Every rule's documentation as one Markdown page (docs/rules.md).
    Markdown,
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
        Command::Fleet(a) => crate::fleet::run(&a),
        Command::Init { path, force } => init(&path, force),
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
        "sql": facts.sql.iter().filter(|s| keep(&s.path)).collect::<Vec<_>>(),
        "workloads": facts.workloads.iter().filter(|w| keep(&w.path)).collect::<Vec<_>>(),
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

fn init(root: &Path, force: bool) -> i32 {
    if !root.is_dir() {
        return error(&format!(
            "'{}' is not a directory; pass the root of a Rust repository",
            root.display()
        ));
    }
    let path = root.join("seaworthy.toml");
    if path.exists() && !force {
        return error(&format!(
            "'{}' exists; edit it, or pass --force to replace it",
            path.display()
        ));
    }
    if let Err(e) = std::fs::write(&path, config::STARTER) {
        return error(&format!("cannot write '{}': {e}", path.display()));
    }
    eprintln!(
        "wrote {} — edit it, then run `seaworthy audit`",
        path.display()
    );
    0
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn run_audit(a: Box<AuditArgs>) -> i32 {
    let (report, catalog, loaded, baseline) = match prepare(&a) {
        Ok(r) => r,
        Err(e) => return error(&e),
    };
    if let Err(e) = write_reports(&a, &report, &catalog) {
        return error(&e);
    }
    // Under GitHub Actions, findings become annotations on the diff. The runner
    // reads workflow commands from stderr too, so stdout stays the report.
    if env("GITHUB_ACTIONS").as_deref() == Some("true") && !a.format.contains(&Format::Github) {
        eprint!("{}", render::github::render(&report));
    }
    // Expired waivers explain a failing gate, so they are said even with -q.
    for n in report
        .config
        .notices
        .iter()
        .filter(|n| !a.quiet || n.kind == "expired-waiver")
    {
        eprintln!(
            "config: {} {} at {}: {}",
            n.kind,
            n.rule,
            render::terminal_safe(&n.source),
            render::terminal_safe(&n.message)
        );
    }
    let fail_under = a
        .fail_under
        .or(loaded.config.fail_under.as_ref().map(|f| *f.get_ref()));
    let fail_on = a.fail_on.map(Severity::from).or(loaded.config.fail_on);
    let mut code = gates(&report, fail_under, fail_on);
    if let Some(old) = &baseline {
        let cmp = baseline::compare(old, &report);
        eprint!("{}", cmp.render());
        if cmp.regressed() {
            eprintln!("gate failed: worse than the baseline");
            code = 1;
        }
    }
    code
}

/// Everything an audit run needs before writing: the report with the config
/// applied, the (overridden) catalog, the config, and the baseline.
type Prepared = (Report, Catalog, config::Loaded, Option<serde_json::Value>);

/// Read the flags, config and baseline, run the audit and apply the config.
fn prepare(a: &AuditArgs) -> Result<Prepared, String> {
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
    if a.format.len() > 1 && a.output_dir.is_none() {
        return Err("several formats need --output-dir DIR (one file per format)".into());
    }
    let timestamp = provenance::timestamp(
        a.timestamp.as_deref(),
        env("SOURCE_DATE_EPOCH").as_deref(),
        provenance::now,
    )?;
    let baseline = match &a.baseline {
        None => None,
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("--baseline {}: cannot read: {e}", p.display()))?;
            Some(baseline::parse(&p.display().to_string(), &text)?)
        }
    };
    let mut catalog = Catalog::load(opts.rules_dir.as_deref())?;
    let loaded = if a.no_config {
        config::Loaded::default()
    } else {
        config::load(&a.path, a.config.as_deref(), &catalog)?
    };
    let disabled = apply::to_catalog(&mut catalog, &loaded);
    let (mut report, facts) = audit::run_with(&opts, &catalog).map_err(|e| e.to_string())?;
    if let Some(name) = &a.service {
        report.target.name = name.clone();
    }
    report.target.vcs = provenance::detect(&a.path, &env);
    report.profile = a.profile.or(loaded.config.profile).unwrap_or_default();
    report.config.disabled = disabled;
    let today = timestamp
        .as_deref()
        .map(|t| t[..10].to_string())
        .unwrap_or_else(|| provenance::date_of(provenance::now()));
    report.timestamp = timestamp;
    let suppressions = (!a.no_inline_suppressions).then(|| inline::scan(&facts));
    apply::to_report(&mut report, &loaded, suppressions.as_deref(), &today);
    let profile = report.profile;
    report.services = crate::timings::time("services", || {
        crate::services::score(&facts, &catalog, &opts.display_path, |r| {
            r.profile = profile;
            apply::to_report(r, &loaded, suppressions.as_deref(), &today);
        })
    });
    Ok((report, catalog, loaded, baseline))
}

/// Write the report in every requested format: files in --output-dir, one
/// file with --output, else standard output.
fn write_reports(a: &AuditArgs, report: &Report, catalog: &Catalog) -> Result<(), String> {
    let to_terminal = a.output.is_none() && a.output_dir.is_none();
    let color = match a.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    let ctx = render::Context { catalog, color };
    let score_line = score_line(report);
    let write = |path: &Path, text: String| {
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write the report to '{}': {e}", path.display()))
    };
    if let Some(dir) = &a.output_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create '{}': {e}", dir.display()))?;
        for f in &a.format {
            let path = dir.join(f.file_name());
            write(
                &path,
                crate::timings::time("render", || render::render(report, *f, &ctx)),
            )?;
            if !a.quiet {
                eprintln!("wrote {}", path.display());
            }
        }
        eprintln!("{score_line}");
    } else if let Some(path) = &a.output {
        write(
            path,
            crate::timings::time("render", || render::render(report, a.format[0], &ctx)),
        )?;
        if !a.quiet {
            eprintln!("wrote {} — {score_line}", path.display());
        }
    } else {
        let out = if a.quiet && a.format[0] == Format::Table {
            format!("{score_line}\n")
        } else {
            crate::timings::time("render", || render::render(report, a.format[0], &ctx))
        };
        // A closed pipe (`| head`) is not an error.
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
    crate::timings::print();
    Ok(())
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
            .filter(|i| i.same_as.is_none() && i.fails() && i.severity >= sev)
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
                ListFormat::Markdown => print!("{}", crate::rules::reference::markdown(&catalog)),
                ListFormat::Json => {
                    let mut s =
                        serde_json::to_string_pretty(&catalog.rules).expect("rules serialise");
                    s.push('\n');
                    print!("{s}");
                }
                ListFormat::Table => {
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
    let level = rule.level_or_default();
    let preview = rule.preview_note();
    let mut s = format!(
        "{} — {}\nsection {} · severity {} · weight {} · level {}{preview}\n\n",
        rule.id,
        rule.title,
        rule.section,
        rule.severity.as_str(),
        rule.weight,
        level.as_str()
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
    let how = rule.how_decided();
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
