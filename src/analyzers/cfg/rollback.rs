//! `cfg.rollback`: a bad release can be rolled back, and the team knows how.
//!
//! Two halves. **Versioned releases**, so there is something to roll back to:
//! CI that releases on tags (`on: push: tags`), release tooling (release-plz,
//! cargo-release, cargo-dist, semantic-release, goreleaser), image tags from
//! versions (`docker/metadata-action` semver), a Helm chart version, a
//! CHANGELOG with version headings, Argo Rollouts. **A documented procedure**:
//! docs or scripts that say how to roll back a deploy (`helm rollback`,
//! `kubectl rollout undo`, a "Rollback" section, "roll back to the previous
//! release/image"), not a passing mention of the word.
//!
//! pass: both · partial: one · fail: neither · n/a: no service code.

use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};
use regex::Regex;

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = crate::analyzers::unless_service(facts) {
        return na;
    }
    let versioned = versioned_releases(facts);
    let documented = documented_rollback(facts);
    let looked = "versioned releases (tag-triggered CI, release-plz/cargo-release/cargo-dist, a versioned CHANGELOG or Helm chart) and a documented rollback procedure (helm rollback, kubectl rollout undo, redeploying the previous image)";
    match (versioned.first(), documented.first()) {
        (Some(v), Some(d)) => Outcome::pass(format!("{}; {}", d.what, v.what))
            .with_hits(documented.clone())
            .with_hits(versioned.clone()),
        (Some(v), None) => Outcome::partial(format!(
            "{}, but no rollback procedure is written down",
            v.what
        ))
        .with_found_hits(versioned.clone())
        .looked_for(looked),
        (None, Some(d)) => Outcome::partial(format!(
            "{}, but releases are not versioned in this repository",
            d.what
        ))
        .with_found_hits(documented.clone())
        .looked_for(looked),
        (None, None) => Outcome::fail("no versioned releases and no rollback procedure")
            .at(
                facts.anchor(),
                "nothing here says how to return to the previous release",
            )
            .looked_for(looked),
    }
}

fn versioned_releases(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    let tag_trigger = Regex::new(r#"(?m)^[ \t]+tags:[ \t]*(\[|$|-|'|")|^[ \t]*release:[ \t]*$|^[ \t]+types:[ \t]*\[[ \t]*published"#).expect("valid");
    let tools = Regex::new(r"release-plz|cargo[- ]release|cargo-dist|dist (build|plan)|semantic-release|goreleaser|type=semver|docker/metadata-action|git tag ").expect("valid");
    for c in &facts.ci {
        if let Some(t) = facts.texts.iter().find(|t| t.path == c.path) {
            if let Some(m) = tag_trigger.find(&t.text) {
                let line = crate::location::line_at(&t.text, m.start());
                out.push(Hit::new(
                    Location::new(c.path.clone(), line),
                    "CI releases on version tags",
                ));
            }
        }
    }
    for cmd in facts.ci_commands() {
        if let Some(m) = tools.find(&cmd.text) {
            out.push(Hit::new(
                cmd.location.clone(),
                format!("release tooling in CI: `{}`", m.as_str().trim()),
            ));
        }
    }
    let heading = Regex::new(r"(?m)^#+ \[?v?\d+\.\d+\.\d+").expect("valid");
    for t in facts.texts_where(|t| {
        let name = crate::analyzers::file_name(&t.path);
        name.starts_with("changelog") || name.starts_with("releases") || name == "history.md"
    }) {
        if let Some(m) = heading.find(&t.text) {
            let line = crate::location::line_at(&t.text, m.start());
            out.push(Hit::new(
                Location::new(t.path.clone(), line),
                "CHANGELOG with versioned releases",
            ));
        }
    }
    for w in facts
        .workloads
        .iter()
        .filter(|w| w.source == crate::facts::manifests::Source::Helm)
    {
        out.push(Hit::new(
            Location::file(w.path.clone()),
            format!("Helm chart `{}` is versioned (helm rollback)", w.name),
        ));
    }
    for o in facts.k8s_objects.iter().filter(|o| o.kind == "Rollout") {
        out.push(Hit::new(
            Location::new(o.path.clone(), o.line),
            "Argo Rollout",
        ));
    }
    out.sort();
    out.dedup_by(|a, b| a.location.path == b.location.path && a.what == b.what);
    out
}

fn documented_rollback(facts: &Facts) -> Vec<Hit> {
    let cmd = Regex::new(r"(?i)helm rollback|kubectl rollout undo|argocd app rollback|fly (releases|deploy) .*--image|rollback\.sh").expect("valid");
    // A section about rolling back, or a sentence saying what to roll back to —
    // not any mention of the word (a migration checklist's "rollback path").
    let heading = Regex::new(
        r"(?i)^#+ .*\b(roll(ing)?[ -]?back|rollbacks?|revert(ing)? a (deploy|release))\b",
    )
    .expect("valid");
    let sentence = Regex::new(
        r"(?i)\b(roll(ing)?[ -]?back|revert) (to )?(the |a )?(previous|last|prior|earlier|older) (release|version|image|deploy|tag|revision)",
    )
    .expect("valid");
    let mut out = Vec::new();
    for t in facts.texts_where(|t| t.role.is_service()) {
        let name = crate::analyzers::file_name(&t.path);
        let doc = name.ends_with(".md")
            || name.ends_with(".rst")
            || name.ends_with(".adoc")
            || name.ends_with(".txt");
        let script = name.ends_with(".sh") || name == "makefile" || name == "justfile";
        if name.starts_with("changelog") || name.starts_with("license") || !(doc || script) {
            continue;
        }
        for (i, l) in t.text.lines().enumerate() {
            let found = if let Some(m) = cmd.find(l) {
                Some(format!("rollback procedure `{}`", m.as_str()))
            } else if doc && (heading.is_match(l) || sentence.is_match(l)) {
                Some("rollback documented".to_string())
            } else {
                None
            };
            if let Some(what) = found {
                out.push(Hit::new(
                    Location::new(t.path.clone(), i as u32 + 1),
                    format!("{what} in {}", t.path),
                ));
                break;
            }
        }
    }
    out
}
