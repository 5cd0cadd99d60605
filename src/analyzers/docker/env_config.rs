//! `docker.env-config`: the image is the same in every environment; settings
//! arrive when the container starts.
//!
//! Looks at every `ENV` and `ARG` of the service's Dockerfiles. A default that
//! is a secret (a `*PASSWORD`/`*SECRET`/`*TOKEN`/`*API_KEY` value, a URL with
//! `user:password@`) is baked into the image and its history for anyone who
//! can pull it — placeholders (`${VAR}`, `changeme`, empty) excepted. Values
//! that pin one environment into the runtime image (`APP_ENV=production`, a
//! `DATABASE_URL` naming a host) make one image per environment. A `.env`
//! copied in with `COPY . .` (no `.dockerignore` entry) carries local secrets
//! into the image. And the code must read its settings at run time
//! (environment or config files, see `cfg.per-env`), or there is nothing to
//! pass.
//!
//! pass: no secrets or environment values baked, settings read at run time ·
//! partial: an environment-specific value is baked in · fail: a secret baked
//! in, `.env` copied into the image, or nothing read at run time · n/a: no
//! Dockerfile.

use super::env_pairs;
use super::image;
use super::multi_stage::{dockerignore, ignores};
use crate::analyzers::tally::Tally;
use crate::extract::docker::Dockerfile;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "private_key",
    "access_key",
    "secret_key",
    "credentials",
    "credential",
];

const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "xxx",
    "placeholder",
    "dummy",
    "example",
    "todo",
    "none",
    "null",
    "false",
    "true",
];

/// Whether an `ENV`/`ARG` name and value look like a baked secret.
pub fn secret(name: &str, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.starts_with('$') || v.contains("{{") || v.starts_with('<') {
        return false;
    }
    if credentials_in_url(v) {
        return true;
    }
    let n = name.to_ascii_lowercase();
    let keyish = SECRET_WORDS.iter().any(|w| n.contains(w))
        && ![
            "_file",
            "_path",
            "_dir",
            "_url",
            "_uri",
            "_host",
            "_header",
            "_type",
            "_mode",
            "_method",
            "_endpoint",
            "_enabled",
            "_ttl",
            "_expiry",
            "_lifetime",
            "_duration",
            "_timeout",
            "_length",
            "_size",
            "_name",
            "_id",
            "_issuer",
            "_audience",
        ]
        .iter()
        .any(|s| n.ends_with(s));
    keyish
        && !PLACEHOLDERS.contains(&v.to_ascii_lowercase().as_str())
        && !v.starts_with('/')
        && !v.chars().all(|c| c.is_ascii_digit())
}

/// `scheme://user:password@host`.
fn credentials_in_url(v: &str) -> bool {
    let Some((_, rest)) = v.split_once("://") else {
        return false;
    };
    let Some((userinfo, _)) = rest.split_once('@') else {
        return false;
    };
    match userinfo.split_once(':') {
        Some((_, pw)) => {
            !pw.is_empty()
                && !pw.starts_with('$')
                && !PLACEHOLDERS.contains(&pw.to_ascii_lowercase().as_str())
        }
        None => false,
    }
}

/// A value that ties the image to one environment.
fn environment_specific(name: &str, value: &str) -> Option<String> {
    let n = name.to_ascii_uppercase();
    let v = value.trim().to_ascii_lowercase();
    let env_names = [
        "APP_ENV",
        "ENVIRONMENT",
        "RUST_ENV",
        "RUN_MODE",
        "APP_ENVIRONMENT",
        "DEPLOY_ENV",
        "PROFILE",
        "STAGE",
    ];
    if env_names.contains(&n.as_str()) && crate::analyzers::cfg::ENV_NAMES.contains(&v.as_str()) {
        return Some(format!(
            "`{name}={value}` builds the image for one environment"
        ));
    }
    let endpoint = ["_URL", "_URI", "_HOST", "_ENDPOINT"]
        .iter()
        .any(|s| n.ends_with(s));
    if endpoint && v.contains("://") {
        let host = v
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split(['/', ':', '@'])
            .next()
            .unwrap_or("");
        if !host.is_empty()
            && !matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0")
            && !host.starts_with('$')
        {
            return Some(format!(
                "`{name}` points at `{host}`: the image only works where that host exists"
            ));
        }
    }
    None
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let mut t = Tally::default();
    for d in &judged.files {
        judge_file(facts, d, &mut t);
    }
    let sources = crate::analyzers::cfg::sources(facts);
    match sources.all().first() {
        Some(first) => t.good(first.location.clone(), format!("settings are read at run time: {}", first.what)),
        None => t.bad(
            facts.anchor(),
            "the service reads no environment variable or config file: there is nothing to configure when the container starts",
        ),
    }
    t.outcome("ENV/ARG without secrets or environment-specific values, .env kept out of the image, and settings read from the environment at run time")
}

fn judge_file(facts: &Facts, d: &Dockerfile, t: &mut Tally) {
    let runtime: Vec<usize> = image::runtime_stages(d)
        .iter()
        .flat_map(|s| image::chain(d, s))
        .map(|s| s.index)
        .collect();
    let mut seen = 0;
    let global = d.global_args.iter().map(|i| (i, false));
    let staged = d.stages.iter().flat_map(|s| {
        let in_runtime = runtime.contains(&s.index);
        s.instructions.iter().map(move |i| (i, in_runtime))
    });
    for (i, in_runtime) in global.chain(staged) {
        if i.keyword != "ENV" && i.keyword != "ARG" {
            continue;
        }
        let pairs = if i.keyword == "ARG" {
            i.text
                .split_whitespace()
                .filter_map(|kv| {
                    kv.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                })
                .collect()
        } else {
            env_pairs(&i.text)
        };
        let at = Location::new(d.path.clone(), i.line);
        for (k, v) in pairs {
            seen += 1;
            if secret(&k, &v) {
                t.bad(
                    at.clone(),
                    format!("`{} {k}=…` bakes a secret into the image (visible to anyone who can pull it, and in `docker history`)", i.keyword),
                );
            } else if in_runtime && i.keyword == "ENV" {
                if let Some(why) = environment_specific(&k, &v) {
                    t.half(at.clone(), why);
                }
            }
        }
    }
    // `.env` carried in by `COPY . .`.
    let ignore = dockerignore(facts, d);
    let env_ignored = ignore
        .as_ref()
        .is_some_and(|(_, text)| ignores(text, ".env"));
    let dir = d
        .path
        .rsplit_once('/')
        .map(|(dir, _)| format!("{dir}/"))
        .unwrap_or_default();
    let dot_env_exists = facts
        .files
        .iter()
        .any(|f| f.path == ".env" || f.path == format!("{dir}.env"));
    for s in &d.stages {
        for i in s
            .instructions
            .iter()
            .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
        {
            if i.flags.iter().any(|(k, _)| k == "from") {
                continue;
            }
            let srcs: Vec<&str> = i.text.split_whitespace().collect();
            let srcs = &srcs[..srcs.len().saturating_sub(1)];
            let at = Location::new(d.path.clone(), i.line);
            let in_runtime = runtime.contains(&s.index);
            if srcs.iter().any(|s| s.trim_start_matches("./") == ".env") {
                t.bad(at, "`.env` is copied into the image explicitly");
            } else if srcs.iter().any(|s| *s == "." || *s == "./") && !env_ignored {
                if dot_env_exists && in_runtime {
                    t.bad(at, "`COPY .` copies the repository's `.env` into the shipped image: add `.env` to .dockerignore");
                } else if dot_env_exists {
                    t.half(at, "`COPY .` copies the repository's `.env` into a build stage: add `.env` to .dockerignore");
                } else {
                    t.note(at, "`COPY .` with no .dockerignore entry for `.env`: a developer's local .env would be copied in");
                }
            }
        }
    }
    if seen == 0 {
        t.note(Location::new(d.path.clone(), 1), "no ENV or ARG defaults");
    }
}

#[cfg(test)]
mod tests {
    use super::secret;

    #[test]
    fn secrets_and_placeholders() {
        assert!(secret("ADMIN_PASSWORD", "hunter2"));
        assert!(secret("DATABASE_URL", "postgres://app:s3cret@db/app"));
        assert!(secret("API_KEY", "sk_live_abc"));
        assert!(!secret("API_KEY", "${API_KEY}"));
        assert!(!secret("PASSWORD", "changeme"));
        assert!(!secret("PASSWORD_FILE", "/run/secrets/pw"));
        assert!(!secret("DATABASE_URL", "postgres://db/app"));
        assert!(!secret("RUST_LOG", "info"));
    }
}
