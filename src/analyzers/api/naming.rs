//! `api.naming`: endpoint paths follow one naming scheme.
//!
//! The paths judged are those of the API surface (see `spec_routes`) and of the
//! OpenAPI operations. Three conventions are checked, on static segments only
//! (`{id}` parameters are ignored):
//! - **one casing style**: segments are kebab-case, snake_case or camelCase;
//!   single lower-case words fit any style. Segments in the less used styles are
//!   the outliers. Segments starting with `.`/`_` (`.well-known`, `_matrix`)
//!   and version segments are conventions of their own and not judged.
//! - **plural collections**: a segment followed by a parameter names a
//!   collection (`/users/{id}`) and should be plural — not `/user/{id}`.
//!   Uncountable nouns (`data`, `media`, `metadata`, …) are fine.
//! - **no verbs**: a segment that is, or starts with, a CRUD verb
//!   (`/getUser`, `/users/create`, `/delete-item`) puts the method in the path.
//!   Actions on a resource that are not CRUD (`/orders/{id}/cancel`, `/search`,
//!   `/login`) are the accepted custom-method style and not flagged; nor are
//!   the form pages of server-rendered apps (`/posts/new`, `/posts/{id}/edit`).
//!
//! pass: no outlier · partial: some paths break a convention · fail: half or
//! more of the paths carry verbs or an outlier casing (an RPC-style surface) ·
//! n/a: no HTTP server, gRPC only, GraphQL, or only pages/assets/webhooks
//! (`spec_routes::unless_api`) · manual: no paths seen.

use super::code::words;
use super::spec_routes::{api_routes, is_infra_path, is_version_segment, unless_api};
use crate::analyzers::unless_server;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use std::collections::BTreeMap;

/// CRUD verbs that name the HTTP method in a path.
const PATH_VERBS: &[&str] = &[
    "get", "fetch", "retrieve", "read", "list", "create", "add", "insert", "new", "update",
    "modify", "set", "save", "edit", "delete", "remove", "destroy", "del",
];

/// Verbs of server-rendered form pages (`/posts/new`, `/posts/{id}/edit`):
/// fine as a whole last segment.
const FORM_PAGES: &[&str] = &["new", "edit"];

/// Nouns whose plural is the same word, or that name a collection by themselves.
const UNCOUNTABLE: &[&str] = &[
    "data",
    "media",
    "metadata",
    "info",
    "information",
    "news",
    "series",
    "species",
    "people",
    "children",
    "men",
    "women",
    "staff",
    "feedback",
    "software",
    "equipment",
    "history",
    "search",
    "auth",
    "config",
    "admin",
    "api",
    "me",
];

/// Leading words of lookup segments (`/by-name/{name}`), not collections.
const PREPOSITIONS: &[&str] = &["by", "at", "for", "of", "in", "to", "from", "with"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Casing {
    Kebab,
    Snake,
    Camel,
}

impl Casing {
    fn name(self) -> &'static str {
        match self {
            Casing::Kebab => "kebab-case",
            Casing::Snake => "snake_case",
            Casing::Camel => "camelCase",
        }
    }
}

/// A path to judge, with where it was seen.
struct PathSeen {
    path: String,
    at: Location,
    /// `GET /users` or `spec: GET /users`.
    label: String,
}

#[derive(Default)]
struct Problems {
    verbs: Vec<(usize, String)>,
    singular: Vec<(usize, String)>,
    casing: Vec<(usize, String)>,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts).or_else(|| unless_api(facts)) {
        return na;
    }
    let mut paths: Vec<PathSeen> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in api_routes(facts) {
        if seen.insert(r.path.clone()) {
            paths.push(PathSeen {
                path: r.path.clone(),
                at: r.location.clone(),
                label: r.path.clone(),
            });
        }
    }
    for spec in &facts.specs {
        for op in &spec.operations {
            if is_infra_path(&op.path) || !seen.insert(format!("spec:{}", op.path)) {
                continue;
            }
            paths.push(PathSeen {
                path: op.path.clone(),
                at: Location::new(spec.path.clone(), op.line.unwrap_or(0)),
                label: format!("spec {}", op.path),
            });
        }
    }
    if paths.is_empty() {
        if !facts.routes.is_empty() && facts.routes.iter().all(|r| r.grpc) {
            return Outcome::na("gRPC only: service and method names come from the .proto files");
        }
        return Outcome::manual("no API paths found in code or OpenAPI documents to judge").at(
            facts.router_anchor().unwrap_or_else(|| facts.anchor()),
            "no routes seen here",
        );
    }

    let problems = judge(&paths);
    let bad_paths: std::collections::BTreeSet<usize> = problems
        .verbs
        .iter()
        .chain(&problems.casing)
        .chain(&problems.singular)
        .map(|(i, _)| *i)
        .collect();
    let severe: std::collections::BTreeSet<usize> = problems
        .verbs
        .iter()
        .chain(&problems.casing)
        .map(|(i, _)| *i)
        .collect();
    let ev = |list: &[(usize, String)]| -> Vec<Evidence> {
        list.iter()
            .map(|(i, msg)| {
                Evidence::new(paths[*i].at.clone(), format!("{}: {msg}", paths[*i].label))
            })
            .collect()
    };
    let mut evidence = ev(&problems.verbs);
    evidence.extend(ev(&problems.casing));
    evidence.extend(ev(&problems.singular));
    let total = paths.len();
    let looked = "one casing style across path segments, plural nouns for collections (`/users/{id}`), and no CRUD verbs in paths (the method says it)";
    if bad_paths.is_empty() {
        let style = dominant_style(&paths)
            .map(Casing::name)
            .unwrap_or("single lower-case words");
        return Outcome::pass(format!(
            "{total} path(s) follow one scheme: {style}, plural collections, no verbs"
        ))
        .with(
            paths
                .iter()
                .take(3)
                .map(|p| Evidence::new(p.at.clone(), format!("{} follows the scheme", p.label))),
        );
    }
    let mut kinds = Vec::new();
    if !problems.verbs.is_empty() {
        kinds.push(format!("{} with verbs", problems.verbs.len()));
    }
    if !problems.casing.is_empty() {
        kinds.push(format!("{} off the main casing", problems.casing.len()));
    }
    if !problems.singular.is_empty() {
        kinds.push(format!(
            "{} singular collection(s)",
            problems.singular.len()
        ));
    }
    let summary = format!(
        "{} of {total} path(s) break the naming scheme: {}",
        bad_paths.len(),
        kinds.join(", ")
    );
    if severe.len() * 2 >= total {
        Outcome::fail(summary).with(evidence).looked_for(looked)
    } else {
        Outcome::partial(summary).with(evidence).looked_for(looked)
    }
}

/// The static segments of a path that name things.
fn segments(path: &str) -> Vec<(usize, &str)> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .enumerate()
        .filter(|(_, s)| {
            !s.starts_with('{')
                && !s.starts_with('.')
                && !s.starts_with('_')
                && !s.starts_with('*')
                && !s.starts_with(':')
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && !is_version_segment(s)
        })
        .collect()
}

fn casing(seg: &str) -> Option<Casing> {
    // A custom method (`things:cancel`) or a file name: judge the name part.
    let seg = seg.split([':', '.']).next().unwrap_or(seg);
    let has_upper = seg.chars().any(|c| c.is_ascii_uppercase());
    if seg.contains('-') {
        Some(Casing::Kebab)
    } else if seg.contains('_') {
        Some(Casing::Snake)
    } else if has_upper {
        Some(Casing::Camel)
    } else {
        None
    }
}

/// The casing most segments use.
fn dominant_style(paths: &[PathSeen]) -> Option<Casing> {
    let mut counts: BTreeMap<Casing, usize> = BTreeMap::new();
    for p in paths {
        for (_, s) in segments(&p.path) {
            if let Some(c) = casing(s) {
                *counts.entry(c).or_default() += 1;
            }
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(c, _)| c)
}

fn judge(paths: &[PathSeen]) -> Problems {
    let mut out = Problems::default();
    let main = dominant_style(paths);
    for (i, p) in paths.iter().enumerate() {
        let all: Vec<&str> = p.path.split('/').filter(|s| !s.is_empty()).collect();
        let segs = segments(&p.path);
        let last_pos = all.len().saturating_sub(1);
        for (pos, seg) in &segs {
            let w = words(seg.split(':').next().unwrap_or(seg));
            let Some(first) = w.first() else { continue };
            if PATH_VERBS.contains(&first.as_str())
                && !(w.len() == 1 && FORM_PAGES.contains(&first.as_str()) && *pos == last_pos)
            {
                out.verbs
                    .push((i, format!("`{seg}` puts the verb `{first}` in the path")));
                break;
            }
        }
        if let Some(main) = main {
            if let Some((_, seg)) = segs
                .iter()
                .find(|(_, s)| casing(s).is_some_and(|c| c != main))
            {
                let c = casing(seg).map(Casing::name).unwrap_or("");
                out.casing
                    .push((i, format!("`{seg}` is {c}, most paths use {}", main.name())));
            }
        }
        for (pos, seg) in &segs {
            let next_is_param = all.get(pos + 1).is_some_and(|s| s.starts_with('{'));
            // Abbreviations (`dl`, `id`, `org`) are not judged.
            if next_is_param && seg.len() > 3 && !is_plural(seg) {
                out.singular.push((
                    i,
                    format!("`{seg}` names a collection (a parameter follows) but is singular"),
                ));
                break;
            }
        }
    }
    out
}

/// Whether a segment reads as a plural (or uncountable) noun.
pub(super) fn is_plural(seg: &str) -> bool {
    let w = words(seg);
    let Some(last) = w.last() else { return true };
    // `/by-name/{name}`, `/for-user/{id}`: a lookup key, not a collection.
    if PREPOSITIONS.contains(&w[0].as_str()) {
        return true;
    }
    if UNCOUNTABLE.contains(&last.as_str()) || PATH_VERBS.contains(&last.as_str()) {
        return true;
    }
    // `status`, `analysis`, `address`, `bus` end in s but are singular.
    if last.ends_with("ss") || last.ends_with("us") || last.ends_with("is") {
        return false;
    }
    last.ends_with('s')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(paths: &[&str]) -> Vec<PathSeen> {
        paths
            .iter()
            .map(|p| PathSeen {
                path: p.to_string(),
                at: Location::new("src/main.rs", 1),
                label: p.to_string(),
            })
            .collect()
    }

    #[test]
    fn flags_verbs_but_not_actions_or_form_pages() {
        let p = judge(&seen(&[
            "/getUsers",
            "/users/{id}/delete",
            "/orders/{id}/cancel",
            "/posts/new",
            "/posts/{id}/edit",
            "/search",
            "/updates",
            "/settings",
        ]));
        let flagged: Vec<usize> = p.verbs.iter().map(|(i, _)| *i).collect();
        assert_eq!(flagged, [0, 1]);
    }

    #[test]
    fn flags_the_minority_casing() {
        let p = judge(&seen(&[
            "/user-groups",
            "/api-keys/{id}",
            "/audit_logs",
            "/.well-known/jwks.json",
        ]));
        let flagged: Vec<usize> = p.casing.iter().map(|(i, _)| *i).collect();
        assert_eq!(flagged, [2]);
    }

    #[test]
    fn singular_collections() {
        let p = judge(&seen(&[
            "/user/{id}",
            "/users/{id}",
            "/status/{id}",
            "/media/{id}",
            "/by-name/{name}",
        ]));
        let flagged: Vec<usize> = p.singular.iter().map(|(i, _)| *i).collect();
        assert_eq!(flagged, [0, 2]);
    }
}
