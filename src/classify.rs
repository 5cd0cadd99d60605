//! What a file is (its kind) and what part it plays (its role).
//!
//! Kind decides which extractor reads a file; role decides whether its facts can
//! decide a service item. A `println!` in `tests/`, a route in `examples/` or a
//! secret-looking literal in a fixture must not score the service, so every file is
//! classified before anything is judged. Classification is by path only here; the
//! Rust extractor refines it (`#[cfg(test)]` modules, `@generated` headers).

use serde::Serialize;

/// The artifact kind of a file, chosen from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Rust,
    CargoManifest,
    CargoLock,
    Dockerfile,
    /// YAML: a spec, a CI workflow, a compose file, a Kubernetes manifest or config.
    Yaml,
    /// JSON: a spec or config.
    Json,
    Toml,
    Sql,
    Markdown,
    /// Makefiles, justfiles, shell scripts: commands CI may run.
    Script,
    /// lcov / cobertura coverage reports.
    CoverageReport,
    Proto,
    /// Other small text read for text clauses (.env, .conf, .txt …).
    Text,
}

/// The part a file plays in the repository.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Code and config that ship with the service.
    #[default]
    Service,
    Test,
    Bench,
    Example,
    BuildScript,
    Generated,
    /// Developer tooling such as `xtask`.
    Tooling,
}

impl Role {
    /// Whether facts of this role can decide a service item.
    pub fn is_service(self) -> bool {
        matches!(self, Role::Service)
    }
}

/// Directories never walked into, with the reason reported for them.
pub fn pruned_dir_reason(name: &str) -> Option<&'static str> {
    Some(match name {
        ".git" | ".hg" | ".svn" | ".jj" => "version-control metadata",
        "target" => "build output (target/)",
        "node_modules" => "JavaScript dependencies (node_modules/)",
        "vendor" | "third_party" | "third-party" => "vendored third-party code",
        ".venv" | "venv" | "__pycache__" | ".tox" => "Python environment",
        ".direnv" | ".idea" | ".vscode" => "editor or shell tooling",
        _ => return None,
    })
}

/// The kind of a file from its path, or `None` when seaworthy does not read it.
pub fn kind_of(rel_path: &str) -> Option<FileKind> {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    Some(match lower.as_str() {
        "cargo.toml" => FileKind::CargoManifest,
        "cargo.lock" => FileKind::CargoLock,
        "dockerfile" | "containerfile" => FileKind::Dockerfile,
        "makefile" | "gnumakefile" | "justfile" | ".justfile" | "makefile.toml" => FileKind::Script,
        "lcov.info" | "cobertura.xml" | "coverage.xml" | "lcov.dat" => FileKind::CoverageReport,
        // Read for container and toolchain joins (`Dockerfile.dockerignore` too).
        "rust-toolchain" => FileKind::Text,
        _ if lower.ends_with(".dockerignore") => FileKind::Text,
        _ if lower.starts_with("dockerfile.")
            || lower.starts_with("dockerfile-")
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile")
            || lower.starts_with("containerfile.") =>
        {
            FileKind::Dockerfile
        }
        _ if lower == ".env" || lower.starts_with(".env.") => FileKind::Text,
        _ => match ext {
            "rs" => FileKind::Rust,
            "yml" | "yaml" => FileKind::Yaml,
            "json" => FileKind::Json,
            "toml" => FileKind::Toml,
            "sql" => FileKind::Sql,
            "md" | "markdown" | "rst" | "adoc" => FileKind::Markdown,
            "sh" | "bash" | "mk" | "just" => FileKind::Script,
            "lcov" => FileKind::CoverageReport,
            "proto" => FileKind::Proto,
            "txt" | "conf" | "ini" | "cfg" | "env" | "hcl" | "tf" | "properties" => FileKind::Text,
            // Load-test scripts (k6, locust, artillery, gatling, wrk) are read
            // as text; other JavaScript/Python is not seaworthy's business.
            "js" | "mjs" | "ts" | "py" | "lua" | "scala" if is_load_script(rel_path) => {
                FileKind::Text
            }
            _ => return None,
        },
    })
}

/// Whether a script's path says it is a load test (`k6/`, `load-tests/`,
/// `locustfile.py`, `perf/soak.js`).
fn is_load_script(rel_path: &str) -> bool {
    let lower = rel_path.to_ascii_lowercase();
    if lower.contains("node_modules/") {
        return false;
    }
    [
        "k6",
        "load",
        "locust",
        "perf",
        "stress",
        "soak",
        "gatling",
        "artillery",
        "wrk",
        "bench",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

/// The role of a file from the directories on its path.
pub fn role_of(rel_path: &str) -> Role {
    let mut parts: Vec<&str> = rel_path.split('/').collect();
    let name = parts.pop().unwrap_or("");
    if name == "build.rs" {
        return Role::BuildScript;
    }
    if name.ends_with(".pb.rs") || name.ends_with("_generated.rs") {
        return Role::Generated;
    }
    for dir in &parts {
        match dir.to_ascii_lowercase().as_str() {
            "tests" | "test" | "testdata" | "test-data" | "test_data" | "fixtures"
            | "test-fixtures" | "integration-tests" | "integration_tests" | "e2e"
            | "test_harness" | "test-harness" | "test_utils" | "test-utils" | "testutils"
            | "test_support" | "test-support" => return Role::Test,
            "benches" | "bench" | "benchmarks" => return Role::Bench,
            "examples" | "example" => return Role::Example,
            "generated" => return Role::Generated,
            "xtask" => return Role::Tooling,
            _ => {}
        }
    }
    // Crate-level directories (above any `src/`): a cargo-fuzz crate
    // (`fuzz/Cargo.toml`, `fuzz/fuzz_targets/`) is tooling, a `testing/` or
    // `testkit/` crate is test support. Under `src/` the same names may be
    // modules of the service and keep its role.
    let crate_level = parts.iter().take_while(|d| **d != "src");
    for dir in crate_level {
        match dir.to_ascii_lowercase().as_str() {
            "fuzz" | "fuzz_targets" | "fuzz-targets" => return Role::Tooling,
            "testing" | "testkit" | "test-kit" | "test_kit" | "test-helpers" | "test_helpers" => {
                return Role::Test
            }
            _ => {}
        }
    }
    if parts.last() == Some(&"src") && (name == "tests.rs" || name == "test_utils.rs") {
        return Role::Test;
    }
    // `mod tests;` / `mod foo_tests;` files next to the code they test.
    if parts.contains(&"src") && (name == "tests.rs" || name.ends_with("_tests.rs")) {
        return Role::Test;
    }
    Role::Service
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_names() {
        assert_eq!(kind_of("src/main.rs"), Some(FileKind::Rust));
        assert_eq!(kind_of("Cargo.toml"), Some(FileKind::CargoManifest));
        assert_eq!(kind_of("docker/api.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(kind_of("Dockerfile.prod"), Some(FileKind::Dockerfile));
        assert_eq!(
            kind_of("dockerfiles/Dockerfile-postgres"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(kind_of("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(kind_of(".github/workflows/ci.yml"), Some(FileKind::Yaml));
        assert_eq!(
            kind_of("coverage/lcov.info"),
            Some(FileKind::CoverageReport)
        );
        assert_eq!(kind_of("logo.png"), None);
        assert_eq!(kind_of("load-tests/orders.js"), Some(FileKind::Text));
        assert_eq!(kind_of("locustfile.py"), Some(FileKind::Text));
        assert_eq!(kind_of("web/app.js"), None);
    }

    #[test]
    fn roles_follow_directories() {
        assert_eq!(role_of("src/main.rs"), Role::Service);
        assert_eq!(role_of("tests/api.rs"), Role::Test);
        assert_eq!(role_of("crates/api/tests/it/main.rs"), Role::Test);
        assert_eq!(role_of("examples/hello.rs"), Role::Example);
        assert_eq!(role_of("benches/parse.rs"), Role::Bench);
        assert_eq!(role_of("build.rs"), Role::BuildScript);
        assert_eq!(role_of("src/generated/api.rs"), Role::Generated);
        assert_eq!(role_of("xtask/src/main.rs"), Role::Tooling);
        assert_eq!(role_of("crates/api/src/axum_factory/tests.rs"), Role::Test);
        assert_eq!(role_of("crates/api/src/test_harness/mocks.rs"), Role::Test);
        assert_eq!(role_of("src/contest.rs"), Role::Service);
        assert_eq!(role_of("src/ab_test.rs"), Role::Service);
        // cargo-fuzz crates are tooling; a `fuzz` module of the service is not.
        assert_eq!(role_of("fuzz/fuzz_targets/parse.rs"), Role::Tooling);
        assert_eq!(role_of("fuzz/Cargo.toml"), Role::Tooling);
        assert_eq!(role_of("crates/api/fuzz/src/lib.rs"), Role::Tooling);
        assert_eq!(role_of("src/fuzz/mod.rs"), Role::Service);
        // Test-support crates, above `src/` only.
        assert_eq!(role_of("testing/src/lib.rs"), Role::Test);
        assert_eq!(role_of("crates/testkit/src/lib.rs"), Role::Test);
        assert_eq!(role_of("src/testing/ab.rs"), Role::Service);
    }
}
