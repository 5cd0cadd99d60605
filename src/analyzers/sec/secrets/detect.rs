//! Does this value look like a secret? One value at a time, no file context.
//!
//! Secret scanners live or die by their false alarms, so a value must clear
//! several gates, as gitleaks and detect-secrets do:
//!
//! 1. **Known formats** are secrets wherever they appear: PEM private-key blocks,
//!    AWS access key ids, GitHub/GitLab/Slack/Stripe/Google/SendGrid/OpenAI/npm
//!    tokens, signed JWTs, and connection strings carrying a password for a host
//!    that is not local.
//! 2. **Everything else needs a keyword**: the value must be bound to a name that
//!    says it is a secret (`password`, `api_key`, `client_secret`, `token`, …) and
//!    that is not a secret's *metadata* (`token_ttl`, `password_min_length`,
//!    `api_key_header`, `secret_path`).
//! 3. **Placeholders are allowed**: `${VAR}`, `$VAR`, `{{ .Values.x }}`, `<token>`,
//!    `changeme`, `example`, `xxx`, `your-api-key`, `dummy`, values equal to their
//!    key, references to secret stores (`vault:`, `arn:aws:secretsmanager`).
//! 4. **An entropy floor**: keyword-bound values must be at least 8 characters,
//!    mix character classes and carry ≥ 3 bits of Shannon entropy per character,
//!    so `"development"` and `"password123"`-style samples do not trip it while
//!    `"hK8#q2Lz!pW"` does.
//!
//! Evidence never prints a secret: [`mask`] keeps a short prefix and the length.

use crate::analyzers::sec::common::clip;
use regex::Regex;
use std::sync::OnceLock;

/// How sure the detector is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Keyword-bound value with enough entropy: likely, but review it.
    Medium,
    /// A known secret format, a private key, a credentialled connection string.
    High,
}

/// What kind of secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    PrivateKey,
    /// A token or key of a third-party service (AWS, GitHub, Stripe, …).
    ServiceToken,
    /// A signed JSON Web Token.
    Jwt,
    /// A database or broker URL with a password in it.
    ConnectionString,
    /// A `Bearer`/`Basic` authorization header value.
    AuthHeader,
    /// A value bound to a secret-sounding name.
    Keyword,
}

/// One detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub kind: Kind,
    pub confidence: Confidence,
    /// What it is, for evidence: `AWS access key id`, `password`.
    pub label: String,
    /// The value with its secret part masked.
    pub masked: String,
}

/// Known token formats: (label, pattern).
const FORMATS: &[(&str, &str)] = &[
    (
        "AWS access key id",
        r"\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
    ),
    ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    (
        "GitHub fine-grained token",
        r"\bgithub_pat_[A-Za-z0-9_]{60,}\b",
    ),
    ("GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
    ("Slack token", r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"),
    (
        "Slack webhook URL",
        r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}",
    ),
    ("Stripe live key", r"\b(sk|rk)_live_[0-9A-Za-z]{16,}\b"),
    ("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    (
        "SendGrid API key",
        r"\bSG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}\b",
    ),
    ("Anthropic API key", r"\bsk-ant-[A-Za-z0-9_\-]{32,}"),
    (
        "OpenAI API key",
        r"\bsk-(proj-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}",
    ),
    ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"),
    ("crates.io token", r"\bcio[A-Za-z0-9]{32}\b"),
    ("DigitalOcean token", r"\bdo[por]_v1_[a-f0-9]{64}\b"),
    ("Twilio API key", r"\bSK[0-9a-f]{32}\b"),
    ("Mailgun API key", r"\bkey-[0-9a-zA-Z]{32}\b"),
    (
        "Azure storage account key",
        r"AccountKey=[A-Za-z0-9+/]{40,}={0,2}",
    ),
];

fn formats() -> &'static [(&'static str, Regex)] {
    static RE: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    RE.get_or_init(|| {
        FORMATS
            .iter()
            .map(|(l, p)| (*l, Regex::new(p).expect("valid secret pattern")))
            .collect()
    })
}

fn pem_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----")
            .expect("valid regex")
    })
}

fn jwt_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,}")
            .expect("valid regex")
    })
}

fn conn_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|clickhouse|nats|cockroachdb|oracle)://([^:/@\s]*):([^@\s]+)@([^/\s:?,]+)",
        )
        .expect("valid regex")
    })
}

fn auth_header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)^(bearer|token|basic)\s+([A-Za-z0-9._~+/=\-]{20,})$").expect("valid regex")
    })
}

/// Words that make a name a secret's name on their own.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "secrets",
    "token",
    "tokens",
    "apikey",
    "credential",
    "credentials",
    "creds",
    "privatekey",
];

/// Words that make a name a secret's name after `api`, `access`, `private`, …
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "signing",
    "auth",
    "encryption",
    "master",
    "hmac",
    "jwt",
    "session",
    "cookie",
    "secret",
    "client",
    "app",
    "service",
    "account",
];

/// Name parts that make a secret-sounding name about something else: its
/// length, lifetime, location, header, type or a message about it.
const METADATA_WORDS: &[&str] = &[
    "path",
    "file",
    "dir",
    "url",
    "uri",
    "endpoint",
    "env",
    "var",
    "name",
    "header",
    "len",
    "length",
    "min",
    "max",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "lifetime",
    "duration",
    "timeout",
    "type",
    "kind",
    "id",
    "field",
    "prefix",
    "suffix",
    "format",
    "regex",
    "pattern",
    "query",
    "sql",
    "message",
    "msg",
    "error",
    "label",
    "text",
    "placeholder",
    "help",
    "hint",
    "description",
    "title",
    "count",
    "size",
    "cost",
    "rounds",
    "algorithm",
    "alg",
    "policy",
    "route",
    "location",
    "source",
    "provider",
    "hash",
    "hashed",
    "digest",
    "column",
    "table",
    "reset",
    "forgot",
    "confirm",
    "confirmation",
    "changed",
    "required",
    "enabled",
    "mode",
    "version",
    "audience",
    "issuer",
    "scope",
    "scopes",
    "uri",
    "cookie_name",
    "key_name",
    "input",
    "param",
    "example",
    "sample",
    "template",
    "delay",
    "retry",
    "retries",
    "ms",
    "secs",
    "seconds",
    "minutes",
    "hours",
    "days",
    "interval",
    "cache",
    "limit",
    "expire",
    "endpoint",
    "strategy",
    "allowed",
    "allow",
    "store",
    "storage",
];

/// Values that are obviously not real secrets.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "example",
    "xxx",
    "***",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "placeholder",
    "dummy",
    "sample",
    "fake",
    "redacted",
    "todo",
    "fixme",
    "replace",
    "insert_",
    "insert-",
    "enter_",
    "enter-",
    "<",
    "${",
    "{{",
    "%(",
    "not-a-secret",
    "notasecret",
    "not_a_secret",
    "test",
    "mock",
    "secret_here",
    "key_here",
    "token_here",
];

/// Whole values that are defaults, not secrets.
const PLACEHOLDER_VALUES: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "pass",
    "admin",
    "root",
    "postgres",
    "default",
    "guest",
    "user",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "empty",
    "token",
    "key",
    "apikey",
    "api_key",
    "mysql",
    "redis",
    "local",
    "dev",
    "development",
    "s3cr3t",
    "pwd",
];

/// Is `value` a placeholder or a reference to a secret kept elsewhere?
pub fn is_placeholder(value: &str, key: Option<&str>) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let lower = v.to_ascii_lowercase();
    if v.is_empty() || PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if v.starts_with('$') || v.starts_with('%') || v.starts_with('@') {
        return true;
    }
    if [
        "env:", "vault:", "secret:", "ssm:", "arn:aws:", "file:", "op://", "sm://", "gcp:",
        "azure:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return true;
    }
    let first = v.chars().next().unwrap_or(' ');
    if v.chars().all(|c| c == first) {
        return true;
    }
    if let Some(k) = key {
        let norm = |s: &str| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        };
        if norm(k) == norm(v) || norm(v).contains(&norm(k)) && norm(k).len() >= 4 {
            return true;
        }
    }
    false
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// Whether a name says its value is a secret (and not a secret's metadata):
/// `DB_PASSWORD`, `client_secret`, `githubToken`, `api-key` — not `tokenize`,
/// `token_ttl` or `password_min_length`.
pub fn is_secret_name(name: &str) -> bool {
    // snake_case, kebab-case, dotted and camelCase names split into words.
    let words = split_camel(name);
    let secret = words.iter().enumerate().any(|(i, w)| {
        SECRET_WORDS.contains(&w.as_str())
            // `DB_PASS`, `smtp_pass` — but not `pass_through`
            || (w == "pass" && i + 1 == words.len())
            // run-together names: `accesstoken`, `apisecret`, `smtppassword`
            || (w.len() > 8
                && ["token", "secret", "password", "passwd", "apikey", "accesskey", "secretkey", "privatekey"]
                    .iter()
                    .any(|end| w.ends_with(end)))
            || (matches!(w.as_str(), "key" | "keys")
                && i > 0
                && KEY_QUALIFIERS.contains(&words[i - 1].as_str()))
    });
    secret && !words.iter().any(|w| METADATA_WORDS.contains(&w.as_str()))
}

fn split_camel(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_upper = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && !cur.is_empty() && !prev_upper {
            out.push(cur.to_ascii_lowercase());
            cur = String::new();
        }
        prev_upper = c.is_ascii_uppercase();
        if c.is_ascii_alphanumeric() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(cur.to_ascii_lowercase());
            cur = String::new();
        }
    }
    if !cur.is_empty() {
        out.push(cur.to_ascii_lowercase());
    }
    out
}

/// Hosts a credential in a URL can only reach on a developer machine or in CI.
pub fn is_local_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    matches!(
        h.as_str(),
        "localhost"
            | "127.0.0.1"
            | "0.0.0.0"
            | "[::1]"
            | "::1"
            | "db"
            | "database"
            | "postgres"
            | "postgresql"
            | "pg"
            | "mysql"
            | "mariadb"
            | "redis"
            | "mongo"
            | "mongodb"
            | "rabbitmq"
            | "host.docker.internal"
    ) || h.ends_with(".local")
        || h.ends_with(".localhost")
        || h.ends_with(".test")
        || h.ends_with(".example")
        || h.ends_with("example.com")
        || h.ends_with("example.org")
}

/// Detect a secret in `value`, bound to `key` when there is one.
pub fn detect(value: &str, key: Option<&str>) -> Option<Detection> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Some(d) = detect_format(v) {
        return Some(d);
    }
    let key = key?;
    if !is_secret_name(key) {
        return None;
    }
    let masked = keyword_value(v, key)?;
    let norm: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let aws_secret = norm.contains("secretaccesskey")
        && v.len() == 40
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+');
    Some(Detection {
        kind: if aws_secret {
            Kind::ServiceToken
        } else {
            Kind::Keyword
        },
        confidence: if aws_secret {
            Confidence::High
        } else {
            Confidence::Medium
        },
        label: if aws_secret {
            "AWS secret access key".into()
        } else {
            format!("`{}`", clip(key, 40))
        },
        masked,
    })
}

/// A cheap first pass: could `v` hold any known format at all?
fn prefilter() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack|_live_|AIza|SG\.|sk-|npm_|pypi-|cio|do[por]_v1_|SK|key-|AccountKey=|eyJ|://|PRIVATE KEY|(?i:bearer|basic|token)\s",
        )
        .expect("valid regex")
    })
}

/// Known formats: private keys, tokens, JWTs, credentialled URLs, auth headers.
pub fn detect_format(v: &str) -> Option<Detection> {
    if !prefilter().is_match(v) {
        return None;
    }
    if pem_re().is_match(v) {
        let header = pem_re().find(v).map(|m| m.as_str()).unwrap_or("");
        // A header alone (a constant used to recognise keys) is not a key.
        let body = &v[pem_re().find(v).map(|m| m.end()).unwrap_or(0)..];
        let b64: usize = body
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
            .count();
        if b64 >= 64 {
            return Some(Detection {
                kind: Kind::PrivateKey,
                confidence: Confidence::High,
                label: "private key".into(),
                masked: format!("{header} … ({b64} base64 characters)"),
            });
        }
    }
    for (label, re) in formats() {
        if let Some(m) = re.find(v) {
            if is_placeholder(m.as_str(), None) {
                continue;
            }
            if entropy(m.as_str()) < 3.0 {
                continue;
            }
            // An AWS access key id names a key; alone it does not authenticate.
            let confidence = if label.starts_with("AWS access key id") {
                Confidence::Medium
            } else {
                Confidence::High
            };
            return Some(Detection {
                kind: Kind::ServiceToken,
                confidence,
                label: (*label).into(),
                masked: mask(m.as_str()),
            });
        }
    }
    if let Some(m) = jwt_re().find(v) {
        return Some(Detection {
            kind: Kind::Jwt,
            confidence: Confidence::High,
            label: "signed JWT".into(),
            masked: mask(m.as_str()),
        });
    }
    if let Some(c) = conn_re().captures(v) {
        let scheme = &c[1];
        let user = &c[2];
        let password = &c[3];
        let host = &c[4];
        if !is_placeholder(password, Some(user))
            && !is_local_host(host)
            && password.chars().count() >= 4
        {
            return Some(Detection {
                kind: Kind::ConnectionString,
                confidence: Confidence::High,
                label: format!("{scheme} URL with a password"),
                masked: format!("{scheme}://{user}:****@{host}"),
            });
        }
    }
    if let Some(c) = auth_header_re().captures(v) {
        let token = &c[2];
        if !is_placeholder(token, None) && entropy(token) >= 3.5 {
            return Some(Detection {
                kind: Kind::AuthHeader,
                confidence: Confidence::High,
                label: format!("{} authorization value", &c[1]),
                masked: format!("{} {}", &c[1], mask(token)),
            });
        }
    }
    None
}

/// A value bound to a secret name: is it a real secret? Returns it masked.
fn keyword_value(v: &str, key: &str) -> Option<String> {
    let v = v.trim_matches(|c| c == '"' || c == '\'');
    let n = v.chars().count();
    if !(8..=512).contains(&n) {
        return None;
    }
    if v.chars().any(char::is_whitespace) {
        return None;
    }
    if is_placeholder(v, Some(key)) {
        return None;
    }
    // Names of environment variables, config keys, paths and URLs.
    if v.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.')
    {
        return None;
    }
    if v.starts_with('/') || v.starts_with("./") || v.contains("://") || v.starts_with("~/") {
        return None;
    }
    if v.ends_with(".pem")
        || v.ends_with(".key")
        || v.ends_with(".json")
        || v.ends_with(".toml")
        || v.ends_with(".txt")
    {
        return None;
    }
    let classes = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < 2 || entropy(v) < 3.0 {
        return None;
    }
    // Short hex strings are hashes, ids and short commit SHAs.
    if n < 32 && v.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    // Names, keys and paths (`session_token_cookie`, `::salvo::jwt_auth::token`,
    // `auth.token`) read as identifiers, not secrets.
    if v.chars()
        .all(|c| c.is_ascii_lowercase() || matches!(c, '_' | '-' | '.' | ':' | '/'))
    {
        return None;
    }
    Some(mask(v))
}

/// Mask a secret: a short prefix and the length, never the whole value.
pub fn mask(v: &str) -> String {
    let n = v.chars().count();
    let keep = if n >= 24 {
        4
    } else if n >= 12 {
        3
    } else {
        1
    };
    let prefix: String = v.chars().take(keep).collect();
    format!("{prefix}… ({n} chars)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_formats_are_found_and_masked() {
        let d = detect("AKIAZ7QW3RT5YU8IOP2L", None).unwrap();
        assert_eq!(d.label, "AWS access key id");
        assert!(!d.masked.contains("Z7QW3RT5YU8IOP2L"), "{}", d.masked);
        let gh = detect("ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5", None).unwrap();
        assert_eq!(gh.kind, Kind::ServiceToken);
        let pem = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"
                .repeat(2)
        );
        assert_eq!(detect(&pem, None).unwrap().kind, Kind::PrivateKey);
        // The header alone is a constant, not a key.
        assert!(detect("-----BEGIN PRIVATE KEY-----", None).is_none());
    }

    #[test]
    fn connection_strings_need_a_real_password_and_host() {
        let d = detect("postgres://app:Xk92bd7QpLm@db.prod.internal:5432/app", None).unwrap();
        assert_eq!(d.kind, Kind::ConnectionString);
        assert_eq!(d.masked, "postgres://app:****@db.prod.internal");
        assert!(detect("postgres://postgres:postgres@localhost/app", None).is_none());
        assert!(detect("postgres://app:${DB_PASSWORD}@db.prod/app", None).is_none());
        assert!(detect("postgres://localhost/app", None).is_none());
    }

    #[test]
    fn keywords_need_entropy_and_no_placeholder() {
        assert!(detect("hK8#q2Lz!pW7", Some("password")).is_some());
        assert!(detect("hK8#q2Lz!pW7", Some("greeting")).is_none());
        assert!(detect("changeme", Some("password")).is_none());
        assert!(detect("${API_KEY}", Some("api_key")).is_none());
        assert!(detect("{{ .Values.token }}", Some("token")).is_none());
        assert!(detect("<your-api-key>", Some("api_key")).is_none());
        assert!(detect("JWT_SECRET", Some("secret")).is_none());
        assert!(detect("development", Some("secret")).is_none());
        assert!(detect("session_token_cookie", Some("token")).is_none());
        assert!(detect("Zm9vYmFyYmF6cXV4MTIz", Some("token_ttl")).is_none());
        assert!(detect("Zm9vYmFyYmF6cXV4MTIz", Some("api_key_header")).is_none());
        assert!(detect("Zm9vYmFyYmF6cXV4MTIz", Some("apiKey")).is_some());
    }

    #[test]
    fn names() {
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("client_secret"));
        assert!(is_secret_name("githubToken"));
        assert!(!is_secret_name("password_min_length"));
        assert!(!is_secret_name("tokenTtl"));
        assert!(!is_secret_name("username"));
        assert!(!is_secret_name("tokenize"));
        assert!(is_secret_name("JWT_SECRET"));
        assert!(is_secret_name("AWS_SECRET_ACCESS_KEY"));
        assert!(is_secret_name("apiKey"));
        assert!(!is_secret_name("primary_key"));
    }

    #[test]
    fn entropy_orders_values() {
        assert!(entropy("aaaaaaaa") < 0.1);
        assert!(entropy("hK8#q2Lz!pW7") > 3.0);
    }
}
