//! `docker.multi-stage`: the image that ships holds the binary, not the toolchain.
//!
//! Each runtime stage of the service's Dockerfiles ([`image::runtime_stages`])
//! is judged by what it is built on and what it runs: a stage on a Rust
//! toolchain image (`rust:*`, `cargo-chef`, `muslrust`), or one that runs
//! `cargo build` itself, ships compilers, sources and build caches (1–2 GB) and
//! every CVE that comes with them. A small runtime base — scratch, distroless,
//! Chainguard, alpine, busybox, `-slim` — is the goal; a full distribution
//! (`debian:bookworm`, `ubuntu:24.04`) works but is large. A single stage on a
//! small base that copies a binary built outside (in CI) is fine too.
//!
//! When a runtime stage copies the whole build context (`COPY . .`) and no
//! `.dockerignore` keeps `target/` out, the image carries the host's build
//! directory: partial.
//!
//! pass: every runtime stage is small · partial: a full-distribution runtime,
//! or `target/` copied into it · fail: the toolchain ships · n/a: no Dockerfile.

use super::image::{self, Base};
use crate::extract::docker::{Dockerfile, Stage};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let mut t = crate::analyzers::tally::Tally::default();
    for d in &judged.files {
        let runtime = image::runtime_stages(d);
        for s in &runtime {
            judge_stage(facts, d, s, &mut t);
        }
        if d.stages.len() > 1 {
            t.note(
                Location::new(d.path.clone(), d.stages[0].line),
                format!("{} stages; {} become images", d.stages.len(), runtime.len()),
            );
        }
    }
    t.outcome("a build stage on a Rust image and a runtime stage on scratch, distroless, alpine or a -slim image that only copies the binary")
}

fn judge_stage(facts: &Facts, d: &Dockerfile, s: &Stage, t: &mut crate::analyzers::tally::Tally) {
    let at = image::stage_loc(d, s);
    let label = image::stage_label(d, s);
    let base = image::base_class(&image::resolve_image(d, s));
    let compiles = image::chain(d, s).into_iter().find_map(|st| {
        st.find("RUN")
            .find(|i| image::runs_cargo(&i.text))
            .map(|i| Location::new(d.path.clone(), i.line))
    });
    if base == Base::Toolchain || compiles.is_some() {
        let why = if base == Base::Toolchain {
            "is a Rust toolchain image"
        } else {
            "compiles the service itself"
        };
        t.bad(
            at,
            format!("{label} {why}: the shipped image carries compilers, sources and build caches"),
        );
        if let Some(c) = compiles {
            t.note(c, "`cargo build` runs in the shipped stage");
        }
        return;
    }
    if let Some(copy) = copies_target(facts, d, s) {
        t.half(
            copy,
            format!("{label} copies the whole build context and no .dockerignore keeps `target/` out: the host's build directory lands in the image"),
        );
        return;
    }
    match base {
        Base::Full => t.half(
            at,
            format!("{label} is a full distribution image; a -slim, distroless or scratch base is a fraction of the size"),
        ),
        Base::Unresolved => t.note(at, format!("{label}: the base image is only known at build time")),
        _ if d.stages.len() == 1 => t.good(
            at,
            format!("{label} is small and copies a binary built outside the image"),
        ),
        _ => t.good(at, format!("runtime {label} is separate from the build stage")),
    }
}

/// A `COPY . <dest>` in the stage when the context's `.dockerignore` lets `target/` in.
fn copies_target(facts: &Facts, d: &Dockerfile, s: &Stage) -> Option<Location> {
    let copy = s.instructions.iter().find(|i| {
        (i.keyword == "COPY" || i.keyword == "ADD")
            && !i.flags.iter().any(|(k, _)| k == "from")
            && i.text
                .split_whitespace()
                .next()
                .is_some_and(|src| src == "." || src == "./")
    })?;
    let ignore = dockerignore(facts, d);
    if ignore
        .as_ref()
        .is_some_and(|(_, text)| ignores(text, "target"))
    {
        return None;
    }
    Some(Location::new(d.path.clone(), copy.line))
}

/// The `.dockerignore` that applies to a Dockerfile: `<Dockerfile>.dockerignore`,
/// then the Dockerfile's directory, then the repository root.
pub fn dockerignore<'a>(facts: &'a Facts, d: &Dockerfile) -> Option<(String, &'a str)> {
    let dir = d
        .path
        .rsplit_once('/')
        .map(|(dir, _)| format!("{dir}/"))
        .unwrap_or_default();
    let candidates = [
        format!("{}.dockerignore", d.path),
        format!("{dir}.dockerignore"),
        ".dockerignore".to_string(),
    ];
    candidates.iter().find_map(|c| {
        facts
            .texts
            .iter()
            .find(|t| &t.path == c)
            .map(|t| (t.path.clone(), t.text.as_str()))
    })
}

/// Whether `.dockerignore` text excludes a top-level entry (`target`, `.env`).
pub fn ignores(text: &str, entry: &str) -> bool {
    let mut excluded = false;
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (negate, pat) = match l.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, l),
        };
        let p = pat
            .trim_start_matches('/')
            .trim_start_matches("**/")
            .trim_end_matches("/**")
            .trim_end_matches("/*")
            .trim_end_matches('/');
        let matches = p == entry || p == "*" || p == "**" || glob_match(p, entry);
        if matches {
            excluded = !negate;
        }
    }
    excluded
}

fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        Some((pre, post)) => {
            name.starts_with(pre) && name.ends_with(post) && name.len() >= pre.len() + post.len()
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::ignores;

    #[test]
    fn dockerignore_patterns() {
        assert!(ignores("/target\n", "target"));
        assert!(ignores("**/target/\n.env\n", ".env"));
        assert!(ignores("*\n!src\n!Cargo.toml\n", "target"));
        assert!(!ignores("*\n!target\n", "target"));
        assert!(ignores(".env*\n", ".env"));
        assert!(!ignores("node_modules\n", "target"));
    }
}
