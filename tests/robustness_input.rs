//! Bad input gets a diagnostic at its location, the audit finishes, and the good
//! files next to the bad ones are still scored.
//!
//! The corpus is `tests/fixtures/bad-input` (see its README) plus what is
//! awkward to commit, generated here: deep nesting, a file past the size limit,
//! a FIFO, an empty directory, files nobody may read.

mod robustness_support;
use robustness_support::*;

use seaworthy::extract::rust::{depth, MAX_DEPTH};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// Source text nesting a construct `n` deep.
type Make = fn(usize) -> String;

/// Nested constructs syn recurses on, as `(name, source for depth n)`.
fn deep_constructs() -> Vec<(&'static str, Make)> {
    vec![
        ("parens", |n| {
            format!("fn f() -> i32 {{ {}1{} }}", "(".repeat(n), ")".repeat(n))
        }),
        ("arrays", |n| {
            format!("fn f() {{ let x = {}{}; }}", "[".repeat(n), "]".repeat(n))
        }),
        ("blocks", |n| {
            format!("fn f() {{ {}{} }}", "{".repeat(n), "}".repeat(n))
        }),
        ("sum", |n| {
            format!("fn f() {{ let x = 1{}; }}", " + 1".repeat(n))
        }),
        ("method_chain", |n| {
            format!("fn f() {{ a{}; }}", ".b()".repeat(n))
        }),
        ("negation", |n| {
            format!("fn f() {{ let x = {}1; }}", "-".repeat(n))
        }),
        ("ref_types", |n| format!("type T = {}u8;", "&".repeat(n))),
        ("generics", |n| {
            format!("type T = {}u8{};", "Vec<".repeat(n), ">".repeat(n))
        }),
        ("generic_pairs", |n| {
            format!("type T = {}u8{};", "HashMap<K, ".repeat(n), ">".repeat(n))
        }),
        ("dyn_fn", |n| {
            format!(
                "type T = {}u8{};",
                "Box<dyn Fn() -> ".repeat(n),
                ">".repeat(n)
            )
        }),
        ("fn_pointers", |n| {
            format!("type T = {}u8;", "fn() -> ".repeat(n))
        }),
        ("tuple_types", |n| {
            format!("type T = {}u8{};", "(".repeat(n), ",)".repeat(n))
        }),
        ("else_if", |n| {
            format!("fn f() {{ {}{{}} }}", "if a {} else ".repeat(n))
        }),
        ("closures", |n| {
            format!("fn f() {{ let x = {}1; }}", "|| ".repeat(n))
        }),
        ("assignments", |n| {
            format!("fn f() {{ {}1; }}", "a = ".repeat(n))
        }),
        ("returns", |n| {
            format!("fn f() {{ {}1; }}", "return ".repeat(n))
        }),
        ("modules", |n| {
            format!("{}{}", "mod a { ".repeat(n), "}".repeat(n))
        }),
        ("matches", |n| {
            format!(
                "fn f() {{ {}1{} }}",
                "match a { _ => ".repeat(n),
                "}".repeat(n)
            )
        }),
        ("struct_literals", |n| {
            format!(
                "fn f() {{ let x = {}1{}; }}",
                "S { a: ".repeat(n),
                "}".repeat(n)
            )
        }),
        ("patterns", |n| {
            format!("fn f() {{ let {}x{} = 1; }}", "(".repeat(n), ")".repeat(n))
        }),
        ("macro_args", |n| {
            format!("fn f() {{ m!({}{}); }}", "(".repeat(n), ")".repeat(n))
        }),
        ("nested_vec_macros", |n| {
            format!(
                "fn f() {{ let x = {}1{}; }}",
                "vec![".repeat(n),
                "]".repeat(n)
            )
        }),
        ("attributes", |n| {
            format!("#[a({}{})] fn f() {{}}", "b(".repeat(n), ")".repeat(n))
        }),
        ("unsafe_blocks", |n| {
            format!("fn f() {{ {}{} }}", "unsafe { ".repeat(n), "}".repeat(n))
        }),
    ]
}

/// The largest `n` whose source estimates at most `limit` deep (`n` ≥ 1).
fn deepest_under(make: Make, limit: usize) -> usize {
    let est = |n| depth::estimate(make(n).parse().expect("tokenizes"));
    let (mut lo, mut hi) = (1, 1);
    while est(hi) <= limit {
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if est(mid) <= limit {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// A copy of the corpus with the generated files added.
fn corpus() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, tree) = scratch_copy("bad-input");
    let w = |rel: &str, text: String| std::fs::write(tree.join(rel), text).unwrap();
    w(
        "src/deep_parens.rs",
        format!(
            "fn f() -> i32 {{ {}1{} }}",
            "(".repeat(50_000),
            ")".repeat(50_000)
        ),
    );
    w(
        "src/deep_sum.rs",
        format!("fn f() -> i32 {{ 1{} }}", " + 1".repeat(200_000)),
    );
    w(
        "src/deep_types.rs",
        format!(
            "type T = {}u8{};",
            "Vec<".repeat(50_000),
            ">".repeat(50_000)
        ),
    );
    w(
        "src/deep_chain.rs",
        format!("fn f() {{ a{}; }}", ".b()".repeat(100_000)),
    );
    w("src/empty.rs", String::new());
    w(
        "src/bom_shebang.rs",
        "\u{feff}#!/usr/bin/env run-cargo-script\nfn main() {}\n".into(),
    );
    // Past the 4 MiB default limit; sparse, so it costs no disk.
    let big = std::fs::File::create(tree.join("src/huge.rs")).unwrap();
    big.set_len(5 * 1024 * 1024).unwrap();
    std::fs::create_dir_all(tree.join("empty/nested")).unwrap();
    #[cfg(unix)]
    {
        let fifo = tree.join("src/fifo.rs");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("note: no mkfifo here; the FIFO case is not covered");
        }
    }
    (dir, tree)
}

fn audit_timed(tree: &Path, extra: &[&str]) -> Value {
    let start = Instant::now();
    let r = report_of(&audit_raw(tree, extra));
    // Debug builds on a busy 2-core machine: generous, but a hang fails.
    assert!(
        start.elapsed() < Duration::from_secs(120),
        "the audit took {:?}",
        start.elapsed()
    );
    r
}

#[test]
fn every_bad_file_is_a_diagnostic_at_its_location_and_the_good_files_are_scored() {
    let (_dir, tree) = corpus();
    let r = audit_timed(&tree, &[]);
    let d = diagnostics(&r);
    let line_of = |path: &str, text: &str| diagnostic_at(&d, path, text).1;

    assert_eq!(
        line_of("src/syntax_error.rs", "does not parse as Rust"),
        Some(3)
    );
    assert_eq!(line_of("src/not_utf8.rs", "not valid UTF-8"), Some(1));
    diagnostic_at(&d, "src/binary.rs", "binary content");
    for deep in [
        "src/deep_parens.rs",
        "src/deep_sum.rs",
        "src/deep_types.rs",
        "src/deep_chain.rs",
    ] {
        diagnostic_at(&d, deep, "nested too deeply to parse safely");
    }
    assert_eq!(
        line_of("crates/broken/Cargo.toml", "not valid TOML"),
        Some(4)
    );
    assert_eq!(
        line_of("Cargo.lock", "Cargo.lock is not valid TOML"),
        Some(1)
    );
    assert_eq!(
        line_of("docker/broken.Dockerfile", "does not parse"),
        Some(1)
    );
    assert_eq!(
        line_of(".github/workflows/invalid.yml", "invalid YAML"),
        Some(3)
    );
    assert_eq!(
        line_of(".github/workflows/bomb.yml", "alias expansion"),
        Some(8)
    );
    assert_eq!(line_of("docker-compose.yml", "alias expansion"), Some(9));
    assert_eq!(line_of("k8s/bomb.yaml", "alias expansion"), Some(8));
    diagnostic_at(&d, "api/openapi-bomb.yaml", "a YAML bomb?");
    assert_eq!(
        line_of("api/openapi-broken.json", "not valid JSON"),
        Some(4)
    );
    for (line, target) in [
        (9, "#/components/parameters/Loop"),
        (16, "#/components/schemas/A"),
        (18, "#/components/responses/Missing"),
        (20, "#/paths/~1self"),
    ] {
        assert_eq!(
            line_of("api/openapi-cycles.yaml", &format!("`$ref: {target}`")),
            Some(line)
        );
    }
    // Every diagnostic is one line: the table prints them as rows.
    for (path, _, msg) in &d {
        assert!(!msg.contains('\n'), "{path}: multi-line message {msg:?}");
    }

    let (analyzed, skipped) = files(&r);
    let reason = |p: &str| {
        skipped
            .iter()
            .find(|(s, _)| s == p)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{p} not skipped: {skipped:?}"))
    };
    assert!(reason("src/huge.rs").contains("larger than the size limit"));
    if tree.join("src/fifo.rs").exists() {
        assert_eq!(reason("src/fifo.rs"), "not a regular file");
    }
    assert!(reason("src/binary.rs").contains("binary"));
    for good in [
        "Cargo.toml",
        "src/main.rs",
        "src/empty.rs",
        "src/bom_shebang.rs",
        "Dockerfile",
        ".github/workflows/ci.yml",
        "api/openapi.yaml",
    ] {
        assert!(analyzed.iter().any(|a| a == good), "{good} not analysed");
        assert!(
            !d.iter().any(|(p, _, _)| p == good),
            "{good} has a diagnostic: {d:#?}"
        );
    }

    // The good files still decide items, with their evidence.
    assert_eq!(r["summary"]["diagnostics"].as_u64(), Some(d.len() as u64));
    let item = |id: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    let health = item("obs.health");
    assert_eq!(health["status"], "pass");
    assert!(health["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "src/main.rs" && e["line"] == 9));
    assert!(item("test.coverage")["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == ".github/workflows/ci.yml"));
    assert!(r["routes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["path"] == "/healthz" && x["location"]["path"] == "src/main.rs"));
}

#[test]
fn the_table_renders_the_corpus_too() {
    let (_dir, tree) = corpus();
    let out = seaworthy_cmd()
        .args(["audit", "--color", "never"])
        .arg(&tree)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Score "), "{table}");
    assert!(table.contains("diagnostics"), "{table}");
}

/// Every nested construct, just under the depth limit, parses (or fails to
/// parse) without overflowing the stack; just over it, it is refused.
#[test]
fn deep_nesting_at_the_limit_parses_or_is_refused_never_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let constructs = deep_constructs();
    for (name, make) in &constructs {
        let n = deepest_under(*make, MAX_DEPTH);
        std::fs::write(src.join(format!("{name}_under.rs")), make(n)).unwrap();
        std::fs::write(src.join(format!("{name}_over.rs")), make(n + 1)).unwrap();
    }
    let r = audit_timed(dir.path(), &["--no-cargo-metadata"]);
    let d = diagnostics(&r);
    for (name, _) in &constructs {
        let under = format!("src/{name}_under.rs");
        let over = format!("src/{name}_over.rs");
        assert!(
            !d.iter()
                .any(|(p, _, m)| *p == under && m.contains("nested too deeply")),
            "{under} was refused"
        );
        diagnostic_at(&d, &over, "nested too deeply");
    }
    // The constructs are valid Rust: under the limit they parse cleanly.
    let failed: Vec<_> = d
        .iter()
        .filter(|(p, _, _)| p.ends_with("_under.rs"))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn a_path_that_is_a_file_or_does_not_exist_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Cargo.toml");
    std::fs::write(&file, "[package]\nname = \"x\"\n").unwrap();
    for (path, says) in [
        (file, "is a file"),
        (dir.path().join("missing"), "does not exist"),
    ] {
        let out = audit_raw(&path, &[]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(says), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn an_empty_directory_is_audited_with_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let r = report_of(&audit_raw(dir.path(), &[]));
    let d = diagnostics(&r);
    diagnostic_at(&d, ".", "no file seaworthy reads was found");
    assert_eq!(r["summary"]["files_analyzed"], 0);
}

/// Root reads anything, so the check runs the audit as `nobody` when the tests
/// run as root (and `setpriv` is there to drop to it).
#[test]
fn unreadable_files_and_directories_are_skipped_with_a_diagnostic() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    copy_tree(&fixture("bad-input/src"), &tree.join("src"));
    std::fs::write(tree.join("src/secret.rs"), "fn a() {}\n").unwrap();
    std::fs::create_dir_all(tree.join("locked")).unwrap();
    std::fs::write(tree.join("locked/inner.rs"), "fn b() {}\n").unwrap();
    let mode =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(dir.path(), 0o755);
    mode(&tree, 0o755);
    mode(&tree.join("src/secret.rs"), 0o000);
    mode(&tree.join("locked"), 0o000);

    let mut cmd = if is_root() {
        let Some(setpriv) = which("setpriv") else {
            eprintln!("skipped: running as root and no setpriv to drop privileges");
            return;
        };
        let mut c = std::process::Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_seaworthy"));
        c
    } else {
        seaworthy_cmd()
    };
    let out = cmd
        .arg("audit")
        .arg(&tree)
        .args(["--format", "json", "--no-cargo-metadata"])
        .output()
        .unwrap();
    mode(&tree.join("locked"), 0o755); // so the temp dir can be removed
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).starts_with("setpriv") {
        eprintln!(
            "skipped: cannot run as nobody: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let r = report_of(&out);
    let d = diagnostics(&r);
    diagnostic_at(&d, "src/secret.rs", "could not be read");
    diagnostic_at(&d, "locked/", "could not be read");
    let (analyzed, skipped) = files(&r);
    assert!(skipped
        .iter()
        .any(|(p, why)| p == "src/secret.rs" && why.contains("could not be read")));
    assert!(skipped.iter().any(|(p, _)| p == "locked/"));
    assert!(analyzed.iter().any(|p| p == "src/main.rs"));
}
