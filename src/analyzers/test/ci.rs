//! `test.ci`: CI runs the test suite, and a failing test fails the build.
//!
//! A test run is `cargo test`, `cargo nextest run`, `cargo insta test`,
//! `cargo llvm-cov` / `cargo tarpaulin` (which run the tests to measure them),
//! `cargo hack test`, `cross test`, the `actions-rs/cargo` action with
//! `command: test` — directly in a workflow step or GitLab job, or in a
//! Makefile/justfile recipe, script or cargo alias a step runs.
//!
//! A run does not gate anything when its step or job may fail
//! (`continue-on-error`, `allow_failure`), when its failure is swallowed
//! (`cargo test || true`), when it only compiles the tests (`--no-run`), or
//! when its GitHub workflow never runs on a push, pull request or merge queue.
//!
//! pass: a gating test run · partial: test runs that gate nothing · fail: CI
//! without a test run, or no CI at all.

use crate::analyzers::scan;
use crate::extract::yaml;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Commands that run Rust tests.
pub const TEST_RUN: &str = r"(?i)\b(cargo|cross)\s+(\+\S+\s+)?(test|t|nextest\s+run|nextest|insta\s+test|llvm-cov|tarpaulin|hack\s+(\S+\s+)*test|make\s+test|careful\s+test|miri\s+test|mutants)\b|\bcommand:\s*(test|nextest)\b";

/// A matched test run and why it may not gate the build.
pub struct TestRun {
    pub hit: Hit,
    pub weak: Option<String>,
}

/// Every test run CI makes, each with the reason it gates nothing (if any).
pub fn test_runs(facts: &Facts) -> Vec<TestRun> {
    let re = scan::re(TEST_RUN);
    let mut out = Vec::new();
    for (hit, cmd) in scan::ci_hits(facts, &re) {
        let workflow = cmd.via.as_ref().unwrap_or(&cmd.location).path.clone();
        // A step may run the tests on several lines (`--no-run` to build them,
        // then the run itself): the step gates when any of its runs does.
        let verdicts: Vec<Option<String>> = cmd
            .text
            .lines()
            .filter(|l| re.is_match(l))
            // `cargo llvm-cov report` only renders an earlier run.
            .filter(|l| !scan::re(r"llvm-cov\s+(report|clean|show-env)").is_match(l))
            .map(|line| weakness(facts, cmd.allow_failure, line, &workflow))
            .collect();
        let weak = match verdicts.iter().find(|w| w.is_none()).or(verdicts.first()) {
            Some(w) => w.clone(),
            // The command spans lines (`cargo \\n test`): judge it whole.
            None => weakness(facts, cmd.allow_failure, &cmd.text, &workflow),
        };
        out.push(TestRun { hit, weak });
    }
    out
}

/// Why the test run on `line` gates nothing, if it does not.
fn weakness(facts: &Facts, allow_failure: bool, line: &str, workflow: &str) -> Option<String> {
    if allow_failure {
        Some("its step/job may fail without failing the pipeline (continue-on-error / allow_failure)".to_string())
    } else if scan::re(r"\|\|\s*(true|exit\s+0|:)\b").is_match(line) {
        Some("its failure is swallowed (`|| true`)".to_string())
    } else if line.contains("--no-run") {
        Some("it only compiles the tests (`--no-run`)".to_string())
    } else {
        untriggered(facts, workflow)
            .map(|t| format!("its workflow only runs on {t}, not on pushes or pull requests"))
    }
}

/// For a GitHub workflow that never runs on push / pull_request / merge_group
/// (or as a called workflow), the triggers it has.
fn untriggered(facts: &Facts, path: &str) -> Option<String> {
    let ci = facts.ci.iter().find(|c| c.path == path)?;
    if ci.system != crate::extract::ci::CiSystem::Github {
        return None;
    }
    let text = &facts.texts.iter().find(|t| t.path == path)?.text;
    let doc = yaml::load(text).ok()?.into_iter().next()?;
    let on = doc.get("on").or_else(|| doc.get("true"))?;
    let triggers: Vec<String> = match &on.val {
        yaml::YVal::Str(s) => vec![s.clone()],
        yaml::YVal::Seq(items) => items.iter().filter_map(|i| i.as_str()).collect(),
        yaml::YVal::Map(m) => m.iter().map(|(k, _)| k.clone()).collect(),
        _ => return None,
    };
    let gating = [
        "push",
        "pull_request",
        "pull_request_target",
        "merge_group",
        "workflow_call",
    ];
    if triggers.is_empty() || triggers.iter().any(|t| gating.contains(&t.as_str())) {
        return None;
    }
    Some(triggers.join(", "))
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let looked = "a CI step (or a Makefile/justfile recipe it runs) running cargo test / cargo nextest run / cargo insta test, whose failure fails the job";
    if facts.ci.is_empty() {
        return Outcome::fail("no CI configuration: nothing runs the tests on a change")
            .at(
                facts.anchor(),
                "no .github/workflows/*.yml, .gitlab-ci.yml or .circleci/config.yml in this repository",
            )
            .looked_for(looked);
    }
    let runs = test_runs(facts);
    let (gating, weak): (Vec<TestRun>, Vec<TestRun>) =
        runs.into_iter().partition(|r| r.weak.is_none());
    if let Some(first) = gating.first() {
        return Outcome::pass(first.hit.what.clone())
            .with_hits(gating.into_iter().map(|r| r.hit))
            .with(weak.into_iter().map(|r| {
                Evidence::new(
                    r.hit.location,
                    format!("{} — but {}", r.hit.what, r.weak.unwrap_or_default()),
                )
            }));
    }
    if let Some(first) = weak.first() {
        return Outcome::partial(format!(
            "CI runs the tests, but {}",
            first.weak.clone().unwrap_or_default()
        ))
        .with(weak.into_iter().map(|r| {
            Evidence::new(
                r.hit.location,
                format!("{} — {}", r.hit.what, r.weak.unwrap_or_default()),
            )
        }))
        .looked_for(looked);
    }
    Outcome::fail("CI never runs the tests")
        .with(facts.ci.iter().map(|c| {
            Evidence::new(
                Location::file(c.path.clone()),
                format!("{} job(s), none runs cargo test / nextest", c.jobs.len()),
            )
        }))
        .looked_for(looked)
}
