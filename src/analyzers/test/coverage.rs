//! `test.coverage`: test coverage is measured, and held at 80 % or more.
//!
//! Evidence, strongest first:
//! 1. a threshold CI enforces: `cargo llvm-cov --fail-under-lines N`,
//!    `cargo tarpaulin --fail-under N` (in a workflow step or a Makefile/justfile
//!    recipe or cargo alias a step runs), `fail-under` in `tarpaulin.toml`, or a
//!    Codecov `target` — compared with 80;
//! 2. a coverage report committed to the tree (lcov `LH/LF`, Cobertura
//!    `line-rate`), read for its figure;
//! 3. a coverage tool run in CI without a threshold (measured, not held).
//!
//! pass: a threshold ≥ 80 %, or a report at ≥ 80 % · partial: a threshold below
//! 80 %, or coverage measured without a threshold · fail: a report below 80 %,
//! or no coverage anywhere.

use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};
use regex::Regex;

const TARGET: f64 = 80.0;

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if facts.rust.is_empty() {
        return Outcome::na("no Rust code to measure");
    }
    let tool_re = Regex::new(
        r"(?i)(cargo[\s+-]+(llvm-cov|tarpaulin)|cargo-llvm-cov|tarpaulin|grcov|\bkcov\b|codecov/codecov-action|coverallsapp/github-action|cargo\s+cov\b)",
    )
    .expect("static regex");
    let threshold_re =
        Regex::new(r"--fail-under(?:-lines|-regions|-functions)?[=\s]+([0-9]+(?:\.[0-9]+)?)")
            .expect("static regex");

    let mut runs: Vec<Hit> = Vec::new();
    let mut thresholds: Vec<(f64, Hit)> = Vec::new();
    for cmd in facts.ci_commands().into_iter().filter(|c| !c.allow_failure) {
        let Some(m) = tool_re.find(&cmd.text) else {
            continue;
        };
        let line_of = |off: usize| {
            let extra = cmd.text[..off].matches('\n').count() as u32;
            match (cmd.location.line, cmd.via.is_some()) {
                (Some(l), true) => Location::new(cmd.location.path.clone(), l + extra),
                _ => cmd.location.clone(),
            }
        };
        let via = cmd
            .via
            .as_ref()
            .map(|v| format!(" (run by {v})"))
            .unwrap_or_default();
        runs.push(Hit::new(
            line_of(m.start()),
            format!("CI runs `{}`{via}", m.as_str()),
        ));
        for c in threshold_re.captures_iter(&cmd.text) {
            if let Ok(v) = c[1].parse::<f64>() {
                let at = c.get(0).map(|m| m.start()).unwrap_or(0);
                thresholds.push((
                    v,
                    Hit::new(
                        line_of(at),
                        format!("CI fails under {v} % coverage (`{}`){via}", &c[0]),
                    ),
                ));
            }
        }
    }
    // Thresholds in tool configuration files.
    let tarpaulin_re =
        Regex::new(r"(?m)^\s*fail[-_]under\s*=\s*([0-9]+(?:\.[0-9]+)?)").expect("static regex");
    let codecov_re =
        Regex::new(r#"(?m)^\s*target:\s*["']?([0-9]+(?:\.[0-9]+)?)%?"#).expect("static regex");
    for t in facts.texts_where(|t| {
        let name = t.path.rsplit('/').next().unwrap_or(&t.path);
        matches!(
            name,
            "tarpaulin.toml"
                | ".tarpaulin.toml"
                | "codecov.yml"
                | ".codecov.yml"
                | "codecov.yaml"
                | ".codecov.yaml"
        )
    }) {
        let name = t.path.rsplit('/').next().unwrap_or(&t.path);
        let re = if name.contains("tarpaulin") {
            &tarpaulin_re
        } else {
            &codecov_re
        };
        for c in re.captures_iter(&t.text) {
            if let Ok(v) = c[1].parse::<f64>() {
                let at = c.get(0).map(|m| m.start()).unwrap_or(0);
                let line = t.text[..at].matches('\n').count() as u32 + 1;
                thresholds.push((
                    v,
                    Hit::new(
                        Location::new(t.path.clone(), line),
                        format!("{name} sets a {v} % coverage threshold"),
                    ),
                ));
            }
        }
    }
    let reports: Vec<(f64, Hit)> = facts
        .coverage
        .iter()
        .map(|r| {
            (
                r.line_percent,
                Hit::new(
                    Location::file(r.path.clone()),
                    format!("{} report: {} % line coverage", r.format, r.line_percent),
                ),
            )
        })
        .collect();

    let looked = "a coverage tool run in CI (cargo llvm-cov, cargo tarpaulin, grcov) with a threshold of at least 80 % (--fail-under-lines 80, tarpaulin fail-under, Codecov target), or a committed lcov/Cobertura report at 80 % or more";
    let ci_enforced = !runs.is_empty();
    let best = thresholds
        .iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .cloned();
    let ev_thresholds: Vec<Evidence> = thresholds.iter().map(|(_, h)| h.clone().into()).collect();
    let ev_reports: Vec<Evidence> = reports.iter().map(|(_, h)| h.clone().into()).collect();

    if let Some((v, hit)) = &best {
        if *v >= TARGET && ci_enforced {
            return Outcome::pass(format!("coverage is held at {v} % or more ({})", hit.what))
                .with(ev_thresholds)
                .with_hits(runs)
                .with(ev_reports);
        }
        if *v >= TARGET {
            return Outcome::partial(format!(
                "a {v} % threshold is configured ({}) but no CI step runs a coverage tool, so nothing enforces it",
                hit.location
            ))
            .with_found(ev_thresholds)
            .with_found(ev_reports)
            .looked_for(looked);
        }
    }
    if let Some((pct, hit)) = reports.iter().max_by(|a, b| a.0.total_cmp(&b.0)) {
        if *pct >= TARGET && best.as_ref().is_none_or(|(v, _)| *v >= TARGET) {
            return Outcome::pass(format!("{} (at least 80 %)", hit.what))
                .with(ev_reports)
                .with(ev_thresholds)
                .with_hits(runs);
        }
        if best.is_none() {
            return Outcome::fail(format!("{}, below 80 %", hit.what))
                .with(ev_reports)
                .with_found_hits(runs)
                .looked_for(looked);
        }
    }
    if let Some((v, hit)) = best {
        return Outcome::partial(format!(
            "the coverage threshold is {v} %, below 80 % ({})",
            hit.what
        ))
        .with(ev_thresholds)
        .with_found_hits(runs)
        .with_found(ev_reports)
        .looked_for(looked);
    }
    if ci_enforced {
        return Outcome::partial(format!(
            "coverage is measured ({}) but no threshold holds it at 80 %",
            runs[0].what
        ))
        .with_found_hits(runs)
        .looked_for(looked);
    }
    let anchor = facts
        .ci
        .first()
        .map(|c| Location::file(c.path.clone()))
        .unwrap_or_else(|| facts.anchor());
    Outcome::fail("coverage is not measured: no coverage tool in CI and no coverage report")
        .with([Evidence::new(anchor, "no coverage step in CI")])
        .looked_for(looked)
}
