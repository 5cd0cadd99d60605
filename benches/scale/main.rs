//! seaworthy's scale benchmark: the full audit against the bare cost of parsing
//! the tree, on synthetic service workspaces of growing size, with peers.
//!
//! ```sh
//! cargo bench --bench scale                        # 1, 10, 100 % of 1M lines; 1 vs N threads; peers
//! cargo bench --bench scale -- --lines 200000 --runs 5 --no-peers
//! benches/scale/peers/install.sh                   # semgrep, hadolint, Spectral into target/bench-peers
//! ```
//!
//! Why a `[[bench]]` with `harness = false` rather than an xtask crate: it needs
//! no workspace (the root manifest and `cargo run` stay as they are), `cargo
//! bench` builds it and the `seaworthy` binary with the release profile, Cargo
//! hands it that exact binary (`CARGO_BIN_EXE_seaworthy`), and its dependencies
//! stay dev-only. Under `cargo test` (no `--bench` argument) it runs a smoke
//! pass on a 2,000-line tree instead, so CI proves it still works in seconds.
//!
//! Each measurement is a child process (peak memory is per run): the baseline
//! is this binary re-run as `__baseline` (walk + read + `syn::parse_file` of
//! every `.rs` file on a rayon pool like seaworthy's), the audit is `seaworthy
//! audit --format json --output FILE`. Runs alternate baseline/audit and the
//! fastest of each is kept, so both see the same machine load.

mod baseline;
mod generate;
mod measure;
mod peers;
mod rng;
mod templates;

use clap::Parser;
use generate::TreeStats;
use measure::Sample;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "scale", about = "seaworthy's scale benchmark")]
struct Args {
    /// Lines of Rust in the largest tree.
    #[arg(long, default_value_t = 1_000_000)]
    lines: usize,
    /// Tree sizes to measure, in percent of --lines.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 10, 100])]
    percents: Vec<usize>,
    /// Worker threads for both the baseline and the audit (default: all cores).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Runs of each measurement; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Where the trees are written (default: $TMPDIR/seaworthy-bench).
    #[arg(long)]
    dir: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Do not run semgrep, hadolint and Spectral.
    #[arg(long)]
    no_peers: bool,
    /// Kill a peer after this many seconds.
    #[arg(long, default_value_t = 900)]
    peer_timeout: u64,
    /// Do not measure 1 thread against --threads on the largest tree.
    #[arg(long)]
    no_speedup: bool,
    /// Also write the tables as Markdown here (default: target/bench/scale.md).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Passed by `cargo bench`; without it this is the smoke run of `cargo test`.
    #[arg(long, hide = true)]
    bench: bool,
    /// Test-name filters passed by `cargo test NAME`.
    #[arg(hide = true)]
    filters: Vec<String>,
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("__baseline") {
        let threads = argv[3].parse().expect("thread count");
        let c = baseline::run(Path::new(&argv[2]), threads);
        println!("files={} bytes={} errors={}", c.files, c.bytes, c.errors);
        return;
    }
    let args = Args::parse();
    let code = if args.bench {
        full(&args)
    } else if args
        .filters
        .iter()
        .all(|f| "scale_smoke".contains(f.as_str()))
    {
        smoke()
    } else {
        0
    };
    std::process::exit(code);
}

/// One tree size's results.
struct Size {
    percent: usize,
    tree: PathBuf,
    stats: TreeStats,
    baseline: Sample,
    audit: Sample,
    /// Bytes the baseline read (all `.rs` files).
    bytes: usize,
    routes_found: usize,
    parse_errors: usize,
    timings: String,
    peers: Vec<PeerResult>,
}

struct PeerResult {
    name: &'static str,
    scope: &'static str,
    sample: Option<Sample>,
    findings: Option<usize>,
    note: String,
}

struct Bench {
    threads: usize,
    runs: usize,
    dir: PathBuf,
    seaworthy: PathBuf,
    peer_timeout: Duration,
}

fn smoke() -> i32 {
    let dir = std::env::temp_dir().join(format!("seaworthy-bench-smoke-{}", std::process::id()));
    let bench = Bench {
        threads: 2,
        runs: 1,
        dir: dir.clone(),
        seaworthy: PathBuf::from(env!("CARGO_BIN_EXE_seaworthy")),
        peer_timeout: Duration::from_secs(60),
    };
    let size = bench.size(100, 2_000, 1, &[]).expect("smoke run");
    print!(
        "{}",
        tables(&bench, std::slice::from_ref(&size), None, &[], false)
    );
    let _ = std::fs::remove_dir_all(&dir);
    let ok = size.stats.rust_lines >= 2_000
        && size.audit.code == Some(0)
        && size.baseline.code == Some(0)
        && size.parse_errors == 0
        && size.routes_found == size.stats.routes;
    if ok {
        println!("scale_smoke: ratio printed, tree audited");
        println!("1 passed, 0 failed");
        0
    } else {
        eprintln!(
            "scale_smoke failed: audit exit {:?}, baseline exit {:?}, {} parse errors, {} of {} routes found",
            size.audit.code, size.baseline.code, size.parse_errors, size.routes_found, size.stats.routes
        );
        println!("0 passed, 1 failed");
        1
    }
}

fn full(args: &Args) -> i32 {
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("seaworthy-bench"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench = Bench {
        threads,
        runs: args.runs.max(1),
        dir,
        seaworthy: PathBuf::from(env!("CARGO_BIN_EXE_seaworthy")),
        peer_timeout: Duration::from_secs(args.peer_timeout),
    };
    let peer_list = if args.no_peers {
        Vec::new()
    } else {
        peers::find(&repo.join("target/bench-peers"))
    };
    let mut percents = args.percents.clone();
    percents.sort();
    percents.dedup();
    println!(
        "seaworthy scale benchmark: {} threads, fastest of {} runs, trees in {}",
        threads,
        bench.runs,
        bench.dir.display()
    );
    let load_at_start = load_average();
    let mut sizes = Vec::new();
    for &p in &percents {
        let lines = args.lines * p / 100;
        match bench.size(p, lines, args.seed, &peer_list) {
            Ok(s) => {
                eprintln!(
                    "  {p:>3} %: baseline {:.2} s, audit {:.2} s",
                    s.baseline.wall.as_secs_f64(),
                    s.audit.wall.as_secs_f64()
                );
                sizes.push(s)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    }
    let speedup = if args.no_speedup || threads == 1 {
        None
    } else {
        sizes.last().map(|s| bench.speedup(s))
    };
    let notes: Vec<String> = peer_list
        .iter()
        .filter(|p| p.bin.is_none())
        .map(|p| {
            format!(
                "{} not installed: skipped (benches/scale/peers/install.sh installs it)",
                p.name
            )
        })
        .collect();
    let mut notes = notes;
    notes.push(format!(
        "machine load average (1 min) at start {load_at_start}, at end {}: other work on the machine slows both sides",
        load_average()
    ));
    let text = tables(&bench, &sizes, speedup.as_ref(), &notes, false);
    print!("{text}");
    if let Some(last) = sizes.last() {
        println!(
            "\nseaworthy --timings on the largest tree:\n{}",
            last.timings.trim_end()
        );
    }
    let md = args
        .markdown
        .clone()
        .unwrap_or_else(|| repo.join("target/bench/scale.md"));
    if let Some(parent) = md.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let mut doc = tables(&bench, &sizes, speedup.as_ref(), &notes, true);
    if let Some(last) = sizes.last() {
        let _ = write!(
            doc,
            "\n`seaworthy audit --timings` on the largest tree:\n\n```\n{}\n```\n",
            last.timings.trim_end()
        );
    }
    match std::fs::write(&md, doc) {
        Ok(()) => println!("\nMarkdown tables written to {}", md.display()),
        Err(e) => eprintln!("cannot write {}: {e}", md.display()),
    }
    0
}

/// Baseline and audit on one thread against `threads` threads.
struct Speedup {
    lines: usize,
    baseline_1: Sample,
    audit_1: Sample,
    baseline_n: Sample,
    audit_n: Sample,
}

impl Bench {
    fn baseline_cmd(&self, tree: &Path, threads: usize) -> Command {
        let mut cmd = Command::new(std::env::current_exe().expect("own path"));
        cmd.arg("__baseline").arg(tree).arg(threads.to_string());
        cmd
    }

    fn audit_cmd(&self, tree: &Path, work: &Path, threads: usize) -> Command {
        let mut cmd = Command::new(&self.seaworthy);
        cmd.arg("audit")
            .arg(tree)
            .args([
                "-j",
                &threads.to_string(),
                "--format",
                "json",
                "--timings",
                "-q",
            ])
            .arg("--output")
            .arg(work.join("report.json"));
        cmd
    }

    /// Fastest of `runs` alternating baseline/audit pairs on `threads` threads;
    /// returns (baseline, audit, baseline stdout, audit stderr of its fastest run).
    fn pair(
        &self,
        tree: &Path,
        work: &Path,
        threads: usize,
    ) -> std::io::Result<(Sample, Sample, String, String)> {
        let long = Duration::from_secs(3600);
        let (mut base, mut audit) = (Vec::new(), Vec::new());
        let mut counts = String::new();
        let mut timings = String::new();
        for _ in 0..self.runs {
            let (out, err) = (work.join("baseline.out"), work.join("baseline.err"));
            let s = measure::run(&mut self.baseline_cmd(tree, threads), &out, &err, long)?;
            if s.code != Some(0) {
                return Err(std::io::Error::other(format!(
                    "baseline failed: {}",
                    std::fs::read_to_string(&err).unwrap_or_default()
                )));
            }
            counts = std::fs::read_to_string(&out)?;
            base.push(s);
            let (out, err) = (work.join("audit.out"), work.join("audit.err"));
            let s = measure::run(&mut self.audit_cmd(tree, work, threads), &out, &err, long)?;
            if audit.iter().all(|a: &Sample| s.wall < a.wall) {
                timings = std::fs::read_to_string(&err)?;
            }
            audit.push(s);
        }
        Ok((measure::best(&base), measure::best(&audit), counts, timings))
    }

    fn size(
        &self,
        percent: usize,
        lines: usize,
        seed: u64,
        peers: &[peers::Peer],
    ) -> std::io::Result<Size> {
        let tree = self.dir.join(format!("tree-{lines}"));
        eprintln!("generating {} lines of Rust in {}", lines, tree.display());
        let stats = generate::generate(&tree, lines, seed)?;
        let work = self.dir.join(format!("work-{lines}"));
        std::fs::create_dir_all(&work)?;
        let (baseline, audit, counts, timings) = self.pair(&tree, &work, self.threads)?;
        let count = |key: &str| -> usize {
            counts
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
                .unwrap_or(0)
        };
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(work.join("report.json"))?)
                .map_err(std::io::Error::other)?;
        let routes_found = report["routes"].as_array().map_or(0, Vec::len);
        let parse_errors = report["diagnostics"]
            .as_array()
            .map_or(0, |d| d.iter().filter(|d| d["source"] == "rust").count())
            + count("errors");
        let mut results = Vec::new();
        for p in peers {
            let Some(bin) = &p.bin else { continue };
            eprintln!("running {} on the {percent} % tree", p.name);
            let (out, err) = (
                work.join(format!("{}.out", p.name)),
                work.join(format!("{}.err", p.name)),
            );
            let result = p
                .command(bin, &tree, &work, self.threads)
                .and_then(|mut cmd| measure::run(&mut cmd, &out, &err, self.peer_timeout));
            results.push(match result {
                Ok(s) => PeerResult {
                    name: p.name,
                    scope: p.scope,
                    sample: Some(s),
                    findings: p.findings(&work, &out),
                    note: if s.timed_out {
                        format!("killed after {} s", self.peer_timeout.as_secs())
                    } else if s.code.is_some_and(|c| c > 1) || s.code.is_none() {
                        format!(
                            "exit {:?}: {}",
                            s.code,
                            first_line(&std::fs::read_to_string(&err).unwrap_or_default())
                        )
                    } else {
                        String::new()
                    },
                },
                Err(e) => PeerResult {
                    name: p.name,
                    scope: p.scope,
                    sample: None,
                    findings: None,
                    note: format!("could not run: {e}"),
                },
            });
        }
        Ok(Size {
            percent,
            tree,
            bytes: count("bytes"),
            stats,
            baseline,
            audit,
            routes_found,
            parse_errors,
            timings,
            peers: results,
        })
    }

    fn speedup(&self, size: &Size) -> Speedup {
        let work = self.dir.join(format!("work-{}-1t", size.stats.rust_lines));
        let _ = std::fs::create_dir_all(&work);
        eprintln!("measuring 1 thread on the largest tree");
        let (baseline_1, audit_1, _, _) = self
            .pair(&size.tree, &work, 1)
            .expect("single-thread measurement");
        Speedup {
            lines: size.stats.rust_lines,
            baseline_1,
            audit_1,
            baseline_n: size.baseline,
            audit_n: size.audit,
        }
    }
}

/// The 1-minute load average, as /proc/loadavg gives it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64().max(1e-9))
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Rows of the main table: one per size.
fn size_rows(sizes: &[Size]) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        "size",
        "crates",
        ".rs files",
        "lines",
        "MB",
        "baseline",
        "audit",
        "ratio",
        "cpu ratio",
        "baseline files/s",
        "audit files/s",
        "audit MB/s",
        "baseline peak",
        "audit peak",
    ];
    let rows = sizes
        .iter()
        .map(|s| {
            let mb = s.bytes as f64 / 1e6;
            let per_s = |d: Duration| s.stats.rust_files as f64 / d.as_secs_f64().max(1e-9);
            vec![
                format!("{} %", s.percent),
                s.stats.crates.to_string(),
                thousands(s.stats.rust_files),
                thousands(s.stats.rust_lines),
                format!("{mb:.1}"),
                secs(s.baseline.wall),
                secs(s.audit.wall),
                ratio(s.audit.wall, s.baseline.wall),
                ratio(s.audit.cpu, s.baseline.cpu),
                thousands(per_s(s.baseline.wall) as usize),
                thousands(per_s(s.audit.wall) as usize),
                format!("{:.1}", mb / s.audit.wall.as_secs_f64().max(1e-9)),
                mib(s.baseline.max_rss_kib),
                mib(s.audit.max_rss_kib),
            ]
        })
        .collect();
    (head, rows)
}

fn speedup_rows(threads: usize, sp: &Speedup) -> (Vec<String>, Vec<Vec<String>>) {
    let head = vec![
        "".to_string(),
        "1 thread".to_string(),
        format!("{threads} threads"),
        "speedup".to_string(),
    ];
    let rows = vec![
        vec![
            "baseline".to_string(),
            secs(sp.baseline_1.wall),
            secs(sp.baseline_n.wall),
            ratio(sp.baseline_1.wall, sp.baseline_n.wall),
        ],
        vec![
            "audit".to_string(),
            secs(sp.audit_1.wall),
            secs(sp.audit_n.wall),
            ratio(sp.audit_1.wall, sp.audit_n.wall),
        ],
        vec![
            "audit ÷ baseline".to_string(),
            ratio(sp.audit_1.wall, sp.baseline_1.wall),
            ratio(sp.audit_n.wall, sp.baseline_n.wall),
            String::new(),
        ],
    ];
    (head, rows)
}

fn peer_rows(sizes: &[Size]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in sizes {
        if s.peers.is_empty() {
            continue;
        }
        rows.push(vec![
            format!("{} %", s.percent),
            "seaworthy audit".into(),
            "everything, 100 rules".into(),
            secs(s.audit.wall),
            mib(s.audit.max_rss_kib),
            String::new(),
            "1.00×".into(),
            String::new(),
        ]);
        for p in &s.peers {
            let (time, peak, r) = match &p.sample {
                Some(x) => (
                    secs(x.wall),
                    mib(x.max_rss_kib),
                    ratio(x.wall, s.audit.wall),
                ),
                None => Default::default(),
            };
            rows.push(vec![
                format!("{} %", s.percent),
                p.name.to_string(),
                p.scope.to_string(),
                time,
                peak,
                p.findings.map(thousands).unwrap_or_default(),
                r,
                p.note.clone(),
            ]);
        }
    }
    rows
}

const PEER_HEAD: [&str; 8] = [
    "size",
    "tool",
    "checks",
    "time",
    "peak",
    "findings",
    "time ÷ seaworthy",
    "note",
];

/// A plain-text table with aligned columns.
fn text_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let n = head.len();
    let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            s.push_str(&" ".repeat(pad));
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(head.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

fn md_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| {} |",
        head.iter()
            .map(|h| h.as_ref())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out
}

fn checks(sizes: &[Size]) -> String {
    let mut out = String::new();
    for s in sizes {
        let _ = writeln!(
            out,
            "{} %: {} routes found of {} generated, {} parse errors, {} OpenAPI operations, {} Dockerfiles, {} files in all",
            s.percent,
            thousands(s.routes_found),
            thousands(s.stats.routes),
            s.parse_errors,
            thousands(s.stats.spec_operations),
            s.stats.dockerfiles,
            thousands(s.stats.rust_files + s.stats.other_files)
        );
    }
    out
}

/// The result tables, as aligned text for the terminal or as Markdown.
fn tables(
    bench: &Bench,
    sizes: &[Size],
    sp: Option<&Speedup>,
    notes: &[String],
    markdown: bool,
) -> String {
    let render = |head: &[&str], rows: &[Vec<String>]| {
        if markdown {
            md_table(head, rows)
        } else {
            text_table(head, rows)
        }
    };
    let mut out = String::new();
    if markdown {
        let _ = writeln!(
            out,
            "Measured with `cargo bench --bench scale` on {} threads, fastest of {} runs.\n",
            bench.threads, bench.runs
        );
    } else {
        let _ = writeln!(
            out,
            "\nbaseline = walk + read + syn::parse_file of every .rs file; audit = seaworthy audit --format json ({} threads, fastest of {} runs)\n",
            bench.threads, bench.runs
        );
    }
    let (head, rows) = size_rows(sizes);
    out.push_str(&render(&head, &rows));
    out.push('\n');
    for l in checks(sizes).lines() {
        let _ = writeln!(out, "{}{l}", if markdown { "- " } else { "" });
    }
    if let Some(sp) = sp {
        let _ = writeln!(
            out,
            "\nParallel speedup on the {}-line tree:\n",
            thousands(sp.lines)
        );
        let (head, rows) = speedup_rows(bench.threads, sp);
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        out.push_str(&render(&head, &rows));
    }
    let prow = peer_rows(sizes);
    if !prow.is_empty() {
        out.push_str("\nPeers on the same trees:\n\n");
        out.push_str(&render(&PEER_HEAD, &prow));
    }
    for n in notes {
        let _ = writeln!(out, "{}{n}", if markdown { "\n- " } else { "" });
    }
    if !markdown
        && sizes.iter().all(|s| s.peers.is_empty())
        && !notes.iter().any(|n| n.contains("not installed"))
    {
        out.push_str("peers: not run\n");
    }
    out
}
