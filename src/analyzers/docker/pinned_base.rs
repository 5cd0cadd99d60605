//! `docker.pinned-base`: every base image is pinned, and the builder's Rust
//! matches the project's.
//!
//! Every `FROM` is checked, except references to an earlier stage by name and
//! `scratch`; `ARG` defaults declared before the first `FROM` are substituted
//! (`FROM rust:${RUST_VERSION}-slim`). A digest (`@sha256:…`) pins exactly; a
//! tag pins a line of releases; no tag or `:latest` rebuilds on whatever was
//! pushed last. A `FROM ${BASE}` with no default is pinned by whoever builds.
//!
//! Joined with Cargo: a Rust builder image older than the `rust-version` the
//! project declares fails to build it; one that differs from the
//! `rust-toolchain.toml` the build copies in makes rustup download that
//! toolchain during every build.
//!
//! pass: every base pinned by tag or digest, toolchains agree · partial: a
//! base chosen by a build argument, a Rust image tagged by variant only
//! (`rust:slim-bookworm`), or a builder that differs from rust-toolchain.toml · fail: an untagged or `latest` base, or a builder older
//! than rust-version · n/a: no Dockerfile.

use super::image::{self, Base};
use crate::analyzers::tally::Tally;
use crate::extract::docker::Dockerfile;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let msrv = rust_version(facts);
    let toolchain = toolchain_file(facts);
    let mut t = Tally::default();
    for d in &judged.files {
        let vars = image::arg_defaults(&d.global_args);
        for s in &d.stages {
            if image::parent(d, s).is_some() || s.image.eq_ignore_ascii_case("scratch") {
                continue;
            }
            let at = Location::new(d.path.clone(), s.line);
            let resolved = image::substitute(&s.image, &vars);
            if resolved.contains('$') {
                t.half(
                    at,
                    format!(
                        "`FROM {}`: the base is chosen by a build argument with no default",
                        s.image
                    ),
                );
                continue;
            }
            let shown = if resolved == s.image {
                resolved.clone()
            } else {
                format!("{} (= {resolved})", s.image)
            };
            let (_, tag, digest) = image::split_ref(&resolved);
            match (tag.as_deref(), digest) {
                (_, Some(_)) => t.good(at.clone(), format!("`FROM {shown}` is pinned by digest")),
                (None, None) => t.bad(
                    at.clone(),
                    format!(
                        "`FROM {shown}` has no tag: it builds on whatever `latest` is that day"
                    ),
                ),
                (Some("latest"), None) => {
                    t.bad(at.clone(), format!("`FROM {shown}` floats on `latest`"))
                }
                (Some(tag), None)
                    if image::base_class(&resolved) == Base::Toolchain && !tag.contains(|c: char| c.is_ascii_digit()) =>
                {
                    t.half(
                        at.clone(),
                        format!("`FROM {shown}` names a variant, not a Rust version: the compiler changes with every Rust release"),
                    )
                }
                (Some(_), None) => t.good(at.clone(), format!("`FROM {shown}` is pinned by tag")),
            }
            if image::base_class(&resolved) == Base::Toolchain {
                judge_toolchain(d, &resolved, &at, msrv.as_ref(), toolchain.as_ref(), &mut t);
            }
        }
    }
    t.outcome("every FROM with a version tag or @sha256 digest (never `latest`), and a Rust builder image at least as new as rust-version")
}

type Version = (u32, u32, Option<u32>);

fn parse_version(s: &str) -> Option<Version> {
    let mut parts = s.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts
        .next()
        .and_then(|p| p.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
    Some((major, minor, patch))
}

fn show(v: &Version) -> String {
    match v.2 {
        Some(p) => format!("{}.{}.{p}", v.0, v.1),
        None => format!("{}.{}", v.0, v.1),
    }
}

/// The Rust version in a toolchain image tag: `rust:1.82-slim`, `cargo-chef:latest-rust-1.82.0`.
fn image_rust_version(image_ref: &str) -> Option<Version> {
    let (_, tag, _) = image::split_ref(image_ref);
    let tag = tag?;
    let start = tag.find("rust-").map(|i| i + 5).unwrap_or(0);
    let rest = &tag[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    parse_version(&rest[..end])
}

fn judge_toolchain(
    d: &Dockerfile,
    image_ref: &str,
    at: &Location,
    msrv: Option<&(Version, Location)>,
    toolchain: Option<&(Version, Location)>,
    t: &mut Tally,
) {
    let Some(v) = image_rust_version(image_ref) else {
        return;
    };
    let older =
        |a: &Version, b: &Version| (a.0, a.1, a.2.unwrap_or(0)) < (b.0, b.1, b.2.unwrap_or(0));
    if let Some((req, loc)) = msrv {
        if older(&v, req) {
            t.bad(
                at.clone(),
                format!("the builder has Rust {}, older than the rust-version {} declared at {loc}: the build fails", show(&v), show(req)),
            );
        } else {
            t.note(
                loc.clone(),
                format!("rust-version {} ≤ builder Rust {}", show(req), show(&v)),
            );
        }
    }
    if let Some((pin, loc)) = toolchain {
        let copies = d.stages.iter().flat_map(|s| s.find("COPY")).any(|i| {
            let src = i.text.split_whitespace().next().unwrap_or("");
            src == "." || src == "./" || src.starts_with("rust-toolchain")
        });
        if (pin.0, pin.1) != (v.0, v.1) && copies {
            t.half(
                at.clone(),
                format!("the builder has Rust {}, but {loc} pins {}: rustup downloads {} inside every build", show(&v), show(pin), show(pin)),
            );
        }
    }
}

/// The highest `rust-version` of the service packages (or the workspace).
fn rust_version(facts: &Facts) -> Option<(Version, Location)> {
    let mut best: Option<(Version, Location)> = None;
    for m in &facts.manifests {
        let from_pkg = m.package.as_ref().and_then(|p| p.rust_version.clone());
        let text = facts
            .texts
            .iter()
            .find(|t| t.path == m.path)
            .map(|t| t.text.as_str());
        let from_ws = text.and_then(|t| {
            let v: toml::Table = toml::from_str(t).ok()?;
            v.get("workspace")?
                .get("package")?
                .get("rust-version")?
                .as_str()
                .map(str::to_string)
        });
        for raw in [from_pkg, from_ws].into_iter().flatten() {
            let Some(v) = parse_version(&raw) else {
                continue;
            };
            let line = text
                .and_then(|t| crate::location::find_line(t, "rust-version"))
                .unwrap_or(0);
            if best.as_ref().is_none_or(|(b, _)| v > *b) {
                best = Some((v, Location::new(m.path.clone(), line)));
            }
        }
    }
    best
}

/// The version `rust-toolchain.toml` / `rust-toolchain` pins at the root.
fn toolchain_file(facts: &Facts) -> Option<(Version, Location)> {
    let t = facts
        .texts
        .iter()
        .find(|t| t.path == "rust-toolchain.toml" || t.path == "rust-toolchain")?;
    let channel = if t.path.ends_with(".toml") {
        let v: toml::Table = toml::from_str(&t.text).ok()?;
        v.get("toolchain")?.get("channel")?.as_str()?.to_string()
    } else {
        t.text.lines().next()?.trim().to_string()
    };
    let line = crate::location::find_line(&t.text, &channel).unwrap_or(1);
    parse_version(&channel).map(|v| (v, Location::new(t.path.clone(), line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_in_tags() {
        assert_eq!(image_rust_version("rust:1.82-slim"), Some((1, 82, None)));
        assert_eq!(
            image_rust_version("rust:1.82.1-bookworm"),
            Some((1, 82, Some(1)))
        );
        assert_eq!(
            image_rust_version("lukemathwalker/cargo-chef:latest-rust-1.80"),
            Some((1, 80, None))
        );
        assert_eq!(image_rust_version("rust:slim"), None);
        assert_eq!(image_rust_version("rust:1"), None);
    }
}
