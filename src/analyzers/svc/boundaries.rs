//! `svc.boundaries`: each service is its own deployable with a documented API.
//!
//! For every package that serves HTTP or gRPC: it builds a binary of its own
//! (`src/main.rs`, `src/bin/*`, a `[[bin]]` target) — one deployable per
//! service — and its API surface is written down: an OpenAPI document in the
//! tree, one generated from code (utoipa, aide, poem-openapi, paperclip, okapi,
//! apistos), or `.proto` files for gRPC. Routes nobody documented are a
//! boundary only the code knows.
//!
//! pass: every server package is a deployable with a documented API ·
//! partial: one of the two is missing somewhere · fail: no server package
//! documents its API and none is a deployable of its own · n/a: no server.

use crate::analyzers::unless_server;
use crate::classify::FileKind;
use crate::facts::{Facts, Package};
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const GENERATED_SPEC: &[&str] = &[
    "utoipa::OpenApi",
    "utoipa",
    "aide::openapi",
    "aide",
    "poem_openapi",
    "paperclip",
    "okapi",
    "rocket_okapi",
    "apistos",
    "utoipa_axum",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let mut t = crate::analyzers::tally::Tally::default();
    let servers: Vec<&Package> = facts.server_packages().collect();
    let any_deployable = servers.iter().any(|p| binary_of(facts, p).is_some());
    for p in &servers {
        let bin = binary_of(facts, p);
        let name = &p.name;
        // A library with routes is part of the deployable that depends on it;
        // next to deployables, one nothing here uses is published for others
        // (an SDK or framework adapter). Neither is a service of its own.
        if bin.is_none() {
            let user = facts.packages.iter().find(|o| {
                o.name != p.name
                    && o.deps
                        .iter()
                        .any(|d| crate::facts::packages::same_crate(&d.name, &p.name))
            });
            match user {
                Some(user) => {
                    t.note(
                        Location::file(p.manifest.clone()),
                        format!("`{name}` is a library of `{}`, judged with it", user.name),
                    );
                    continue;
                }
                None if any_deployable => {
                    t.note(
                        Location::file(p.manifest.clone()),
                        format!("`{name}` is a library with routes that no deployable here uses (an SDK or adapter): not judged"),
                    );
                    continue;
                }
                None => {}
            }
        }
        let doc = documented(facts, p);
        match (&bin, &doc) {
            (Some(b), Some((loc, what))) => {
                t.good(b.clone(), format!("`{name}` is a deployable of its own with a documented API ({what})"));
                t.note(loc.clone(), format!("API of `{name}`: {what}"));
            }
            (Some(b), None) => t.half(b.clone(), format!("`{name}` is a deployable, but its API is documented nowhere (no OpenAPI document, generated spec or .proto)")),
            (None, Some((loc, what))) => {
                t.half(
                    Location::file(p.manifest.clone()),
                    format!("`{name}` documents its API ({what}) but builds no binary of its own: it ships inside another deployable"),
                );
                t.note(loc.clone(), what.clone());
            }
            (None, None) => t.bad(
                Location::file(p.manifest.clone()),
                format!("`{name}` serves HTTP/gRPC, builds no binary of its own and documents no API"),
            ),
        }
    }
    t.outcome("each server package builds its own binary and documents its API (OpenAPI document, generated spec, or .proto)")
}

/// The binary target of a package, when it has one.
fn binary_of(facts: &Facts, p: &Package) -> Option<Location> {
    let prefix = if p.dir.is_empty() {
        String::new()
    } else {
        format!("{}/", p.dir)
    };
    if let Some(t) = p.targets.iter().find(|t| t.kind == "bin") {
        return Some(
            t.path
                .clone()
                .map(Location::file)
                .unwrap_or_else(|| Location::file(p.manifest.clone())),
        );
    }
    let main = format!("{prefix}src/main.rs");
    let bin_dir = format!("{prefix}src/bin/");
    facts
        .rust
        .iter()
        .find(|f| f.path == main || f.path.starts_with(&bin_dir))
        .map(|f| Location::file(f.path.clone()))
}

/// Where a package's API is documented.
fn documented(facts: &Facts, p: &Package) -> Option<(Location, String)> {
    // The package and the workspace libraries it depends on.
    let dirs: Vec<&str> = facts
        .packages
        .iter()
        .filter(|o| {
            o.name == p.name
                || p.deps
                    .iter()
                    .any(|d| crate::facts::packages::same_crate(&d.name, &o.name))
        })
        .map(|o| o.dir.as_str())
        .collect();
    let inside = |path: &str| {
        dirs.iter()
            .any(|d| d.is_empty() || path.starts_with(&format!("{d}/")))
    };
    let only_server = facts.server_packages().count() == 1;
    let spec = facts
        .specs
        .iter()
        .find(|s| inside(&s.path))
        .or_else(|| facts.specs.first().filter(|_| only_server));
    if let Some(s) = spec {
        return Some((
            Location::file(s.path.clone()),
            format!("OpenAPI document {}", s.path),
        ));
    }
    let generated: Vec<_> = facts
        .refs_or_imports(GENERATED_SPEC)
        .into_iter()
        .filter(|h| inside(&h.location.path))
        .collect();
    if let Some(g) = generated.first() {
        return Some((
            g.location.clone(),
            format!("spec generated from code with {}", g.what),
        ));
    }
    let grpc = p.frameworks.iter().any(|f| f == "tonic");
    if grpc {
        if let Some(f) = facts
            .files
            .iter()
            .find(|f| f.kind == FileKind::Proto && f.role.is_service())
        {
            return Some((
                Location::file(f.path.clone()),
                format!("protobuf definitions {}", f.path),
            ));
        }
    }
    None
}
