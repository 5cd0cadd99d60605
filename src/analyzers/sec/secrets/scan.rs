//! Where secrets are looked for: the tree's code, config and container files.
//!
//! - **Rust string literals**, with the name they are bound to (`let`, `const`,
//!   struct field) as the keyword;
//! - **key material handed to a constructor** (`EncodingKey::from_secret(b"..")`,
//!   `Hmac::new_from_slice(..)`, `.bearer_auth("..")`, `.password("..")`): a
//!   literal there is a secret whatever it looks like — the code signs or
//!   authenticates with it;
//! - **committed config**: YAML, TOML, JSON, `.env`, `.ini`/`.conf`/`.properties`,
//!   shell scripts and Makefiles, line by line (`key: value`, `key = "value"`,
//!   `KEY=value`, `"key": "value"`, `- name: K` / `value: V` pairs), plus
//!   Kubernetes `Secret` manifests with inline `data`;
//! - **Dockerfiles**: `ENV` and `ARG` values.
//!
//! Never read: `Cargo.lock`, `target/` (never walked), Markdown (documentation
//! shows sample tokens), SQL, coverage reports. Files in tests, fixtures,
//! examples, benches and `*.example`/`*.sample`/`*.template` files are scanned
//! but marked not counted: a rule reports them apart, never as the service's.

use super::detect::{self, Confidence, Detection, Kind};
use crate::analyzers::sec::common::clip;
use crate::classify::{FileKind, Role};
use crate::extract::rust::KeyArg;
use crate::facts::Facts;
use crate::location::Location;

/// Where a finding was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A string literal in Rust code.
    Code,
    /// A literal handed to a key or credential call (the callee).
    KeyCall(String),
    /// A config, script or manifest file.
    Config,
    /// A Dockerfile `ENV`/`ARG`.
    Dockerfile,
}

/// One secret-looking value.
#[derive(Debug, Clone)]
pub struct Finding {
    pub location: Location,
    pub detection: Detection,
    pub source: Source,
    /// The name it is bound to, when there is one.
    pub key: Option<String>,
    /// In service code or config (not tests, fixtures, examples or sample files).
    pub counted: bool,
}

impl Finding {
    /// One line for evidence: what, bound to what, masked.
    pub fn describe(&self) -> String {
        let at = match &self.source {
            Source::Code => "in code".to_string(),
            Source::KeyCall(c) => format!("passed to `{c}`"),
            Source::Config => "in committed config".to_string(),
            Source::Dockerfile => "in a Dockerfile ENV/ARG".to_string(),
        };
        let key = match (&self.key, self.detection.kind) {
            (Some(k), Kind::Keyword) => format!(" bound to `{}`", clip(k, 40)),
            _ => String::new(),
        };
        let label = match self.detection.kind {
            Kind::Keyword => "secret-looking value".to_string(),
            _ => self.detection.label.clone(),
        };
        format!("{label}{key} {at}: {}", self.detection.masked)
    }

    pub fn is_high(&self) -> bool {
        self.detection.confidence == Confidence::High
    }
}

/// Every finding in the tree, counted ones first, in path order.
pub fn scan(facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    scan_rust(facts, &mut out);
    scan_texts(facts, &mut out);
    out.sort_by(|a, b| {
        (!a.counted, &a.location)
            .cmp(&(!b.counted, &b.location))
            .then(b.detection.confidence.cmp(&a.detection.confidence))
    });
    out.dedup_by(|a, b| a.location == b.location);
    out
}

/// The findings that count against the service.
pub fn counted(facts: &Facts) -> (Vec<Finding>, Vec<Finding>) {
    scan(facts).into_iter().partition(|f| f.counted)
}

/// Whether a path names a sample/template file rather than the real one.
pub fn is_sample_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [
        ".example",
        ".sample",
        ".template",
        ".tmpl",
        ".dist",
        "example.",
        "sample.",
        "-example",
        "_example",
        ".tpl",
    ]
    .iter()
    .any(|p| name.contains(p))
}

/// CI pipeline definitions: their inline values configure throwaway test
/// instances, so only known-format tokens in them count.
pub fn is_ci_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.starts_with(".github/workflows/")
        || lower.contains("/.github/workflows/")
        || lower.ends_with(".gitlab-ci.yml")
        || lower.starts_with(".circleci/")
        || lower.starts_with(".buildkite/")
        || lower.starts_with(".woodpecker")
        || lower.ends_with(".drone.yml")
        || lower.ends_with(".travis.yml")
        || lower.ends_with("bitbucket-pipelines.yml")
        || lower.starts_with("azure-pipelines")
}

/// Scripts that run the test suite (`test.sh`, `run-tests.sh`) configure
/// throwaway instances, like CI files.
fn is_test_script(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with(".sh") && name.contains("test")
}

/// Translation catalogs: their keys name UI strings (`noTokenFound`), their
/// values are text or hashes of it.
fn is_i18n_file(path: &str) -> bool {
    path.to_ascii_lowercase().split('/').any(|seg| {
        seg.contains("translation")
            || matches!(
                seg,
                "i18n" | "l10n" | "locale" | "locales" | "lang" | "langs"
            )
    })
}

fn scan_rust(facts: &Facts, out: &mut Vec<Finding>) {
    for f in &facts.rust {
        let service = facts.is_service_path(&f.path, f.role);
        for lit in &f.literals {
            if let Some(d) = detect::detect(&lit.value, lit.context.as_deref()) {
                out.push(Finding {
                    location: Location::new(f.path.clone(), lit.line),
                    detection: d,
                    source: Source::Code,
                    key: lit.context.clone(),
                    counted: service && !lit.test,
                });
            }
        }
        for k in &f.key_args {
            if let Some(d) = key_literal(f, k) {
                out.push(Finding {
                    location: Location::new(f.path.clone(), k.line),
                    detection: d,
                    source: Source::KeyCall(k.callee.clone()),
                    key: None,
                    counted: service && !k.test,
                });
            }
        }
    }
}

/// Key constructors (as opposed to client methods): a literal there is the key.
fn is_key_constructor(callee: &str) -> bool {
    !callee.starts_with('.')
}

/// The literal (or the constant's literal) handed to a key call, as a detection.
pub fn key_literal(f: &crate::extract::rust::RustFile, k: &KeyArg) -> Option<Detection> {
    let value = match (&k.literal, &k.constant) {
        (Some(v), _) => v.clone(),
        (None, Some(c)) => f
            .literals
            .iter()
            .find(|l| l.context.as_deref() == Some(c.as_str()) && l.in_fn.is_none())?
            .value
            .clone(),
        _ => return None,
    };
    if value.is_empty() || k.from_env {
        return None;
    }
    if !is_key_constructor(&k.callee) && detect::is_placeholder(&value, None) {
        return None;
    }
    if !is_key_constructor(&k.callee) && value.chars().count() < 6 {
        return None;
    }
    Some(Detection {
        kind: Kind::Keyword,
        confidence: Confidence::High,
        label: "key literal".into(),
        masked: detect::mask(&value),
    })
}

/// File kinds whose text is scanned: config, scripts and container files.
pub fn is_scanned_kind(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Yaml
            | FileKind::Json
            | FileKind::Toml
            | FileKind::Text
            | FileKind::Script
            | FileKind::Dockerfile
    )
}

fn scan_texts(facts: &Facts, out: &mut Vec<Finding>) {
    for t in &facts.texts {
        if !is_scanned_kind(t.kind) || is_i18n_file(&t.path) {
            continue;
        }
        let counted = t.role == Role::Service
            && facts.is_service_path(&t.path, t.role)
            && !is_sample_file(&t.path);
        let ci = is_ci_file(&t.path) || is_test_script(&t.path);
        for (line, key, d) in scan_text(&t.text, t.kind) {
            let counted = counted && (!ci || d.confidence == Confidence::High);
            out.push(Finding {
                location: Location::new(t.path.clone(), line),
                detection: d,
                source: if t.kind == FileKind::Dockerfile {
                    Source::Dockerfile
                } else {
                    Source::Config
                },
                key,
                counted,
            });
        }
    }
}

/// Keys whose values are documentation, not configuration.
const DOC_KEYS: &[&str] = &[
    "example",
    "examples",
    "description",
    "summary",
    "title",
    "x-example",
];

/// Findings in one text file: (line, key, detection).
pub fn scan_text(text: &str, kind: FileKind) -> Vec<(u32, Option<String>, Detection)> {
    let mut out = Vec::new();
    pem_blocks(text, &mut out);
    let k8s_secret = kind == FileKind::Yaml && is_k8s_secret(text);
    let mut last_name: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let line: String = raw.chars().take(4096).collect();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.contains("PRIVATE KEY-----") {
            continue;
        }
        let comment =
            trimmed.starts_with('#') || trimmed.starts_with("//") || trimmed.starts_with(';');
        let pairs = if kind == FileKind::Dockerfile {
            docker_pairs(trimmed)
        } else if comment {
            Vec::new()
        } else {
            key_value(trimmed).into_iter().collect()
        };
        let mut found = false;
        for (key, value) in pairs {
            if DOC_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
                found = true; // documentation: do not fall through to the format scan
                continue;
            }
            if key == "name" {
                last_name = Some(value.clone());
                continue;
            }
            let effective = if key == "value" {
                last_name.clone().unwrap_or(key.clone())
            } else {
                key.clone()
            };
            if let Some(mut d) = detect::detect(&value, Some(&effective)) {
                if k8s_secret {
                    d.confidence = Confidence::High;
                }
                out.push((line_no, Some(effective), d));
                found = true;
            } else if k8s_secret && !value.is_empty() && !detect::is_placeholder(&value, None) {
                if let Some(d) = detect::detect(&value, Some("secret")) {
                    out.push((
                        line_no,
                        Some(effective.clone()),
                        Detection {
                            confidence: Confidence::High,
                            label: format!("Kubernetes Secret data `{effective}`"),
                            ..d
                        },
                    ));
                    found = true;
                }
            }
        }
        if !found {
            if let Some(d) = detect::detect_format(trimmed) {
                if d.kind != Kind::AuthHeader {
                    out.push((line_no, None, d));
                }
            }
        }
    }
    out
}

/// `kind: Secret` manifests carry their data inline.
fn is_k8s_secret(text: &str) -> bool {
    text.lines().any(|l| l.trim() == "kind: Secret")
        && text
            .lines()
            .any(|l| matches!(l.trim(), "data:" | "stringData:"))
}

/// PEM private-key blocks spread over lines.
fn pem_blocks(text: &str, out: &mut Vec<(u32, Option<String>, Detection)>) {
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if !l.contains("PRIVATE KEY-----") || !l.contains("BEGIN") {
            continue;
        }
        let block: String = lines[i..lines.len().min(i + 80)].join("\n");
        if let Some(d) = detect::detect_format(&block) {
            if d.kind == Kind::PrivateKey {
                out.push((i as u32 + 1, None, d));
            }
        }
    }
}

/// `key: value`, `key = "value"`, `"key": "value"`, `KEY=value`,
/// `export KEY=value`, `- KEY=value`.
fn key_value(line: &str) -> Option<(String, String)> {
    let l = line
        .trim_start_matches("- ")
        .trim_start_matches("export ")
        .trim();
    let at = l.find([':', '='])?;
    let key = l[..at].trim().trim_matches(|c| c == '"' || c == '\'');
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return None;
    }
    let mut value = l[at + 1..].trim();
    // `key: "value", # comment` — keep what is quoted, else cut comments.
    if let Some(rest) = value.strip_prefix('"') {
        value = rest.split('"').next().unwrap_or("");
    } else if let Some(rest) = value.strip_prefix('\'') {
        value = rest.split('\'').next().unwrap_or("");
    } else {
        value = value
            .split(" #")
            .next()
            .unwrap_or("")
            .trim_end_matches(',')
            .trim();
    }
    if value.is_empty() || value == "|" || value == ">" {
        return None;
    }
    Some((key.to_string(), value.to_string()))
}

/// `ENV A=b C=d`, `ENV A b`, `ARG A=b` as (key, value) pairs.
fn docker_pairs(line: &str) -> Vec<(String, String)> {
    let mut words = line.split_whitespace();
    let Some(kw) = words.next() else {
        return Vec::new();
    };
    if !kw.eq_ignore_ascii_case("ENV") && !kw.eq_ignore_ascii_case("ARG") {
        return Vec::new();
    }
    let rest: Vec<&str> = words.collect();
    if rest.is_empty() {
        return Vec::new();
    }
    if !rest[0].contains('=') {
        return vec![(rest[0].to_string(), rest[1..].join(" "))];
    }
    rest.iter()
        .filter_map(|w| {
            let (k, v) = w.split_once('=')?;
            Some((k.to_string(), v.trim_matches('"').to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_lines_are_read_as_pairs() {
        let yaml = "db:\n  password: \"hK8#q2Lz!pW7\"\n  user: app\napi_key: ${API_KEY}\n";
        let f = scan_text(yaml, FileKind::Yaml);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 2);
        assert_eq!(f[0].1.as_deref(), Some("password"));
        let env = "export STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\nDEBUG=true\n";
        let f = scan_text(env, FileKind::Text);
        assert_eq!(f[0].2.label, "Stripe live key");
    }

    #[test]
    fn kubernetes_env_pairs_and_secrets() {
        let k8s = "env:\n  - name: GITHUB_TOKEN\n    value: Zm9vYmFyYmF6cXV4MTIzNDU2\n";
        let f = scan_text(k8s, FileKind::Yaml);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].1.as_deref(), Some("GITHUB_TOKEN"));
        let secret = "apiVersion: v1\nkind: Secret\ndata:\n  db-pass: aEs4I3EyTHohcFc3Cg==\n";
        let f = scan_text(secret, FileKind::Yaml);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].2.confidence, Confidence::High);
    }

    #[test]
    fn dockerfile_env_and_arg() {
        let d = "FROM x\nENV APP_SECRET=hK8q2LzpW7xR\nARG VERSION=1.2.3\nENV API_TOKEN ${TOKEN}\n";
        let f = scan_text(d, FileKind::Dockerfile);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 2);
    }

    #[test]
    fn samples_are_recognised() {
        assert!(is_sample_file(".env.example"));
        assert!(is_sample_file("config/settings.sample.toml"));
        assert!(!is_sample_file(".env"));
        assert!(!is_sample_file("config/production.toml"));
    }
}
