//! Questions about Dockerfiles that several container rules ask.
//!
//! Which Dockerfiles build the service (not a dev container, a test image or a
//! database image kept for local development); which of their stages end up as
//! images (the last stage and any other stage nothing builds on, unless it is a
//! build or test stage); what a `FROM` resolves to once `ARG` defaults are
//! substituted; and what a stage inherits from the stages it is built `FROM`
//! (its user, command, health check, installed tools).

use crate::extract::docker::{Dockerfile, Instr, Stage};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::Outcome;

/// The Dockerfiles a container rule judges, and those it leaves out with why.
pub struct Judged<'a> {
    pub files: Vec<&'a Dockerfile>,
    pub left_out: Vec<(&'a Dockerfile, String)>,
}

/// `n/a` when the tree has no Dockerfile/Containerfile for the service.
pub fn unless_dockerfile(facts: &Facts) -> Result<Judged<'_>, Outcome> {
    let j = judged(facts);
    if j.files.is_empty() {
        let why = match j.left_out.first() {
            Some((d, reason)) => format!(
                "no Dockerfile for the service (only {} Dockerfile(s) that {}, e.g. {})",
                j.left_out.len(),
                reason,
                d.path
            ),
            None => "no Dockerfile or Containerfile in this repository".to_string(),
        };
        return Err(Outcome::na(why));
    }
    Ok(j)
}

/// The service's Dockerfiles.
pub fn judged(facts: &Facts) -> Judged<'_> {
    let mut files = Vec::new();
    let mut left_out = Vec::new();
    for d in &facts.dockerfiles {
        if !crate::classify::role_of(&d.path).is_service() {
            left_out.push((d, "belong to tests or examples".to_string()));
        } else if let Some(reason) = auxiliary(&d.path) {
            left_out.push((d, reason.to_string()));
        } else if build_environment(d) {
            left_out.push((
                d,
                "are build environments (nothing copied in, no command)".to_string(),
            ));
        } else if !ships_rust(d) && other_software(d) {
            left_out.push((
                d,
                "package other software (a database, collector or proxy image)".to_string(),
            ));
        } else {
            files.push(d);
        }
    }
    Judged { files, left_out }
}

/// Development and test images, by name.
fn auxiliary(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    if lower.contains(".devcontainer/") || lower.contains(".circleci/") {
        return Some("are development or CI tooling");
    }
    if lower
        .split('/')
        .any(|seg| seg == "templates" || seg == "template")
    {
        return Some("are templates for other builds");
    }
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let tokens: Vec<&str> = name
        .split(['.', '-', '_'])
        .filter(|t| !t.is_empty())
        .collect();
    if tokens
        .iter()
        .any(|t| matches!(*t, "dev" | "devel" | "develop" | "local"))
    {
        return Some("are development images");
    }
    if tokens
        .iter()
        .any(|t| matches!(*t, "test" | "tests" | "ci" | "e2e" | "bench"))
    {
        return Some("are test or CI images");
    }
    None
}

/// Whether a Dockerfile builds or ships a Rust binary.
fn ships_rust(d: &Dockerfile) -> bool {
    d.stages.iter().any(|s| {
        base_class(&resolve_image(d, s)) == Base::Toolchain
            || s.instructions.iter().any(|i| {
                (i.keyword == "RUN" && runs_cargo(&i.text))
                    || (i.keyword == "COPY" && i.text.contains("target/"))
            })
    })
}

/// An image of tools (a CI or cross-compilation builder): it sets no command,
/// exposes nothing, and hands no built artifact from one stage to another.
fn build_environment(d: &Dockerfile) -> bool {
    let names: Vec<String> = d
        .stages
        .iter()
        .filter_map(|s| s.name.as_deref().map(str::to_ascii_lowercase))
        .collect();
    d.stages.iter().all(|s| {
        !s.instructions.iter().any(|i| {
            matches!(
                i.keyword.as_str(),
                "ENTRYPOINT" | "CMD" | "EXPOSE" | "HEALTHCHECK"
            ) || i.flags.iter().any(|(k, v)| {
                k == "from"
                    && v.as_deref().is_some_and(|v| {
                        names.contains(&v.to_ascii_lowercase()) || v.parse::<usize>().is_ok()
                    })
            })
        })
    })
}

/// Every stage builds on an image of other software (postgres, an OpenTelemetry
/// collector, nginx, a frontend toolchain).
fn other_software(d: &Dockerfile) -> bool {
    !d.stages.is_empty()
        && d.stages.iter().all(|s| {
            let (repo, _, _) = split_ref(&resolve_image(d, s));
            let last = repo.rsplit('/').next().unwrap_or(&repo).to_string();
            super::INFRA_IMAGES
                .iter()
                .chain(&[
                    "node",
                    "python",
                    "golang",
                    "httpd",
                    "caddy",
                    "haproxy",
                    "opentelemetry-collector-contrib",
                    "opentelemetry-collector",
                    "openresty",
                ])
                .any(|i| last == *i || last.starts_with(&format!("{i}-")))
        })
}

/// Whether a command runs a Rust build.
pub fn runs_cargo(cmd: &str) -> bool {
    cmd.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
        .collect::<Vec<_>>()
        .windows(2)
        .any(|w| {
            (w[0] == "cargo" || w[0].ends_with("/cargo"))
                && matches!(
                    w[1],
                    "build" | "install" | "chef" | "auditable" | "zigbuild" | "leptos"
                )
        })
}

/// The stage a `FROM` names, when it is an earlier stage of the same file.
pub fn parent<'a>(d: &'a Dockerfile, s: &Stage) -> Option<&'a Stage> {
    let image = s.image.to_ascii_lowercase();
    d.stages[..s.index]
        .iter()
        .rev()
        .find(|p| p.name.as_deref().map(str::to_ascii_lowercase).as_deref() == Some(image.as_str()))
}

/// A stage and the stages it is built `FROM`, nearest first.
pub fn chain<'a>(d: &'a Dockerfile, s: &'a Stage) -> Vec<&'a Stage> {
    let mut out = vec![s];
    let mut cur = s;
    while let Some(p) = parent(d, cur) {
        if out.iter().any(|x| x.index == p.index) {
            break;
        }
        out.push(p);
        cur = p;
    }
    out
}

/// The external image a stage finally builds on, with `ARG` defaults substituted.
pub fn resolve_image(d: &Dockerfile, s: &Stage) -> String {
    let root = chain(d, s).last().copied().unwrap_or(s);
    substitute(&root.image, &arg_defaults(&d.global_args))
}

/// `ARG NAME=default` values.
pub fn arg_defaults(args: &[Instr]) -> Vec<(String, String)> {
    args.iter()
        .filter(|a| a.keyword == "ARG")
        .flat_map(|a| {
            a.text
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((
                k.to_string(),
                v.trim_matches('"').trim_matches('\'').to_string(),
            ))
        })
        .collect()
}

/// Substitute `$NAME`, `${NAME}` and `${NAME:-default}`; unknown names stay.
pub fn substitute(text: &str, vars: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, default, used) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    let body = &inner[..end];
                    let (n, d) = match body.split_once(":-").or_else(|| body.split_once('-')) {
                        Some((n, d)) => (n, Some(d)),
                        None => (body, None),
                    };
                    (n, d, end + 2)
                }
                None => ("", None, 0),
            }
        } else {
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..n], None, n)
        };
        match vars
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .or(default)
        {
            Some(v) if !name.is_empty() => out.push_str(v),
            _ => out.push_str(&rest[at..at + 1 + used]),
        }
        rest = &after[used..];
    }
    out.push_str(rest);
    out
}

/// What a base image is, for size, tools and default user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    Scratch,
    Distroless,
    /// Chainguard/Wolfi images: minimal, non-root by default.
    Chainguard,
    Alpine,
    Busybox,
    /// `-slim`, `-minimal`, `ubi-micro`: a trimmed distribution.
    Slim,
    /// A full distribution (debian, ubuntu, fedora, …).
    Full,
    /// A Rust toolchain image (`rust`, `cargo-chef`, `muslrust`, …).
    Toolchain,
    /// Unresolved (`${BASE}` with no default).
    Unresolved,
    Other,
}

/// The repository part of an image reference (`gcr.io/distroless/cc`) and its tag.
pub fn split_ref(image: &str) -> (String, Option<String>, Option<String>) {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d.to_string())),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (repo, tag) = match name[last_slash..].rsplit_once(':') {
        Some((r, t)) => (format!("{}{r}", &name[..last_slash]), Some(t.to_string())),
        None => (name.to_string(), None),
    };
    (
        repo.to_ascii_lowercase(),
        tag.map(|t| t.to_ascii_lowercase()),
        digest,
    )
}

/// Classify a resolved image reference.
pub fn base_class(image: &str) -> Base {
    if image.contains('$') {
        return Base::Unresolved;
    }
    let (repo, tag, _) = split_ref(image);
    let tag = tag.unwrap_or_default();
    let last = repo.rsplit('/').next().unwrap_or(&repo);
    if repo == "scratch" {
        return Base::Scratch;
    }
    if repo.contains("distroless") {
        return Base::Distroless;
    }
    if repo.contains("chainguard") || repo.contains("wolfi") {
        return Base::Chainguard;
    }
    if matches!(
        last,
        "rust" | "cargo-chef" | "muslrust" | "rust-musl-builder" | "rust-musl-cross" | "cross"
    ) || repo.ends_with("rustlang/rust")
        || repo.contains("cargo-chef")
    {
        return Base::Toolchain;
    }
    if last == "alpine" || tag.contains("alpine") {
        return Base::Alpine;
    }
    if last == "busybox" {
        return Base::Busybox;
    }
    if tag.contains("slim")
        || tag.contains("minimal")
        || last.contains("minimal")
        || last.contains("micro")
    {
        return Base::Slim;
    }
    if matches!(
        last,
        "debian"
            | "ubuntu"
            | "fedora"
            | "centos"
            | "rockylinux"
            | "almalinux"
            | "amazonlinux"
            | "ubi"
            | "ubi8"
            | "ubi9"
            | "archlinux"
            | "opensuse"
            | "leap"
    ) {
        return Base::Full;
    }
    Base::Other
}

/// The stages that become images: the last stage, and any other stage nothing
/// is built from that is not itself a build or test stage.
pub fn runtime_stages(d: &Dockerfile) -> Vec<&Stage> {
    let Some(last) = d.stages.last() else {
        return Vec::new();
    };
    let referenced = |s: &Stage| {
        let Some(name) = s.name.as_deref().map(str::to_ascii_lowercase) else {
            return false;
        };
        let index = s.index.to_string();
        d.stages.iter().any(|o| {
            o.image.to_ascii_lowercase() == name
                || o.instructions.iter().any(|i| {
                    i.flags.iter().any(|(k, v)| {
                        k == "from"
                            && v.as_deref()
                                .is_some_and(|v| v.to_ascii_lowercase() == name || v == index)
                    }) || (i.keyword == "RUN"
                        && i.flags.iter().any(|(k, v)| {
                            k == "mount"
                                && v.as_deref()
                                    .is_some_and(|v| v.contains(&format!("from={name}")))
                        }))
                })
        })
    };
    let mut out: Vec<&Stage> = d
        .stages
        .iter()
        .filter(|s| s.index != last.index && !referenced(s) && !is_build_stage(d, s))
        .collect();
    out.push(last);
    out
}

/// A stage that compiles (or tests) rather than runs the service.
pub fn is_build_stage(d: &Dockerfile, s: &Stage) -> bool {
    base_class(&resolve_image(d, s)) == Base::Toolchain
        || chain(d, s).iter().any(|c| {
            c.find("RUN")
                .any(|i| runs_cargo(&i.text) || i.text.contains("cargo test"))
        })
}

/// The last instruction with `keyword` in a stage or the stages it builds on.
pub fn inherited<'a>(
    d: &'a Dockerfile,
    s: &'a Stage,
    keyword: &'a str,
) -> Option<(&'a Stage, &'a Instr)> {
    chain(d, s)
        .into_iter()
        .find_map(|st| st.find(keyword).last().map(|i| (st, i)))
}

/// Where a stage starts, for evidence.
pub fn stage_loc(d: &Dockerfile, s: &Stage) -> Location {
    Location::new(d.path.clone(), s.line)
}

/// A stage's label for messages: `runtime` (FROM gcr.io/distroless/cc).
pub fn stage_label(d: &Dockerfile, s: &Stage) -> String {
    let image = resolve_image(d, s);
    match &s.name {
        Some(n) => format!("stage `{n}` (FROM {image})"),
        None => format!("final stage (FROM {image})"),
    }
}

/// Whether a program is present in a stage: installed by a RUN, copied in, or
/// part of the base image. `None` when the base is not known well enough to say.
pub fn has_tool(d: &Dockerfile, s: &Stage, tool: &str) -> Option<bool> {
    for st in chain(d, s) {
        for i in &st.instructions {
            let words: Vec<&str> = i.text.split_whitespace().collect();
            let installs = i.keyword == "RUN"
                && words.iter().any(|w| matches!(*w, "install" | "add"))
                && words
                    .iter()
                    .any(|w| *w == tool || w.starts_with(&format!("{tool}=")));
            let copies = (i.keyword == "COPY" || i.keyword == "ADD")
                && words.iter().any(|w| w.ends_with(&format!("/{tool}")));
            if installs || copies {
                return Some(true);
            }
        }
    }
    match base_class(&resolve_image(d, s)) {
        Base::Scratch | Base::Distroless | Base::Chainguard => Some(false),
        Base::Alpine | Base::Busybox => Some(tool == "wget"),
        Base::Slim | Base::Full => Some(false),
        Base::Toolchain => Some(tool == "curl" || tool == "wget"),
        Base::Unresolved | Base::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::docker::extract;

    #[test]
    fn arg_defaults_resolve_images() {
        let d = extract(
            "Dockerfile",
            "ARG RUST=1.82\nARG BASE\nFROM rust:${RUST}-slim AS build\nFROM ${BASE:-debian:bookworm-slim}\n",
        )
        .unwrap();
        assert_eq!(resolve_image(&d, &d.stages[0]), "rust:1.82-slim");
        assert_eq!(resolve_image(&d, &d.stages[1]), "debian:bookworm-slim");
        assert_eq!(base_class("rust:1.82-slim"), Base::Toolchain);
        assert_eq!(
            base_class("gcr.io/distroless/cc-debian12:nonroot"),
            Base::Distroless
        );
        assert_eq!(base_class("debian:bookworm-slim"), Base::Slim);
        assert_eq!(base_class("ubuntu:24.04"), Base::Full);
        assert_eq!(base_class("${BASE}"), Base::Unresolved);
    }

    #[test]
    fn runtime_stages_are_the_leaves() {
        let d = extract(
            "Dockerfile",
            "FROM rust:1.82 AS chef\nFROM chef AS build\nRUN cargo build --release\nFROM build AS test\nRUN cargo test\nFROM debian:bookworm-slim AS web\nCOPY --from=build /a /a\nFROM debian:bookworm-slim AS cli\nCOPY --from=build /b /b\n",
        )
        .unwrap();
        let names: Vec<_> = runtime_stages(&d)
            .iter()
            .map(|s| s.name.clone().unwrap())
            .collect();
        assert_eq!(names, vec!["web", "cli"]);
        assert_eq!(resolve_image(&d, &d.stages[2]), "rust:1.82");
    }

    #[test]
    fn tools_in_stages() {
        let d = extract(
            "Dockerfile",
            "FROM debian:bookworm-slim AS a\nRUN apt-get update && apt-get install -y curl\nFROM gcr.io/distroless/cc AS b\nFROM alpine:3.20\n",
        )
        .unwrap();
        assert_eq!(has_tool(&d, &d.stages[0], "curl"), Some(true));
        assert_eq!(has_tool(&d, &d.stages[1], "curl"), Some(false));
        assert_eq!(has_tool(&d, &d.stages[2], "wget"), Some(true));
        assert_eq!(has_tool(&d, &d.stages[2], "curl"), Some(false));
    }

    #[test]
    fn build_environments_are_not_the_service() {
        let tools = extract(
            "Dockerfile.sccache",
            "FROM rust:1.82\nRUN cargo install sccache\n",
        )
        .unwrap();
        assert!(build_environment(&tools));
        let cross = extract(
            "cross/Dockerfile.musl",
            "ARG BASE\nFROM $BASE\nRUN apt-get install -y musl-tools\nCOPY --from=ctx ./ /src\n",
        )
        .unwrap();
        assert!(build_environment(&cross));
        let staged = extract(
            "Dockerfile",
            "FROM rust:1.82 AS build\nRUN cargo build\nFROM debian:bookworm-slim\nCOPY --from=build /a /a\n",
        )
        .unwrap();
        assert!(!build_environment(&staged));
        let svc = extract(
            "Dockerfile",
            "FROM rust:1.82\nCOPY . .\nRUN cargo build\nCMD [\"/app\"]\n",
        )
        .unwrap();
        assert!(!build_environment(&svc));
    }

    #[test]
    fn auxiliary_names() {
        assert!(auxiliary("Dockerfile.dev").is_some());
        assert!(auxiliary("dockerfiles/Dockerfile-gui-tests").is_some());
        assert!(auxiliary(".devcontainer/Dockerfile").is_some());
        assert!(auxiliary("builder/templates/cargo-chef.Dockerfile").is_some());
        assert!(auxiliary("docker/Dockerfile").is_none());
        assert!(auxiliary("deploy/build/Dockerfile.tag.amd64").is_none());
    }
}
