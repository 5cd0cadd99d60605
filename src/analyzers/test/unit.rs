//! `test.unit`: the service's code has unit tests next to it.
//!
//! Unit tests are test functions (`#[test]`, `#[tokio::test]`,
//! `#[sqlx::test]`, `#[rstest]`, …) inside a package's `src/` — in
//! `#[cfg(test)]` modules or `src/tests.rs`. Each service package (not test,
//! example or tooling crates) with some logic (three functions or more) is
//! judged on its own, so one tested crate does not vouch for the others.
//!
//! pass: every such package has unit tests · partial: some do · fail: none do.

use crate::analyzers::scan;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Functions a package needs before it is expected to have tests.
const MIN_FNS: usize = 3;

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    // (package dir, manifest, name) of service packages; a tree without
    // manifests is one package at the root.
    let mut pkgs: Vec<(String, String, String)> = facts
        .service_packages()
        .map(|p| (p.dir.clone(), p.manifest.clone(), p.name.clone()))
        .collect();
    if pkgs.is_empty() {
        pkgs.push((String::new(), facts.anchor().path, "the crate".into()));
    }
    let src_of = |dir: &str| {
        if dir.is_empty() {
            "src/".to_string()
        } else {
            format!("{dir}/src/")
        }
    };
    let owner = |path: &str| -> Option<usize> {
        pkgs.iter()
            .enumerate()
            .filter(|(_, (d, _, _))| path.starts_with(&src_of(d)))
            .max_by_key(|(_, (d, _, _))| d.len())
            .map(|(i, _)| i)
    };
    let mut tests: Vec<Vec<(String, u32)>> = vec![Vec::new(); pkgs.len()];
    let mut logic = vec![0usize; pkgs.len()];
    for (_, f, _, func) in scan::test_fns(facts) {
        if let Some(i) = owner(&f.path) {
            tests[i].push((f.path.clone(), func.line));
        }
    }
    for (_, f) in facts.service_rust() {
        if let Some(i) = owner(&f.path) {
            logic[i] += f.fns.iter().filter(|x| !x.test).count();
        }
    }
    let mut tested = Vec::new();
    let mut untested = Vec::new();
    for (i, (_, manifest, name)) in pkgs.iter().enumerate() {
        if logic[i] < MIN_FNS && tests[i].is_empty() {
            continue;
        }
        match tests[i].first() {
            Some((path, line)) => tested.push(Evidence::new(
                Location::new(path.clone(), *line),
                format!("{} unit test(s) in `{name}`", tests[i].len()),
            )),
            None => untested.push(Evidence::new(
                Location::file(manifest.clone()),
                format!(
                    "`{name}` has {} function(s) and no test in its src/",
                    logic[i]
                ),
            )),
        }
    }
    let looked = "#[test] / #[tokio::test] functions in #[cfg(test)] modules inside each service package's src/";
    if tested.is_empty() && untested.is_empty() {
        return Outcome::na("no Rust code with logic to unit-test");
    }
    if untested.is_empty() {
        let n: usize = tests.iter().map(Vec::len).sum();
        return Outcome::pass(format!(
            "{n} unit test(s) across {} package(s)",
            tested.len()
        ))
        .with(tested);
    }
    if tested.is_empty() {
        return Outcome::fail("no unit tests in any service package's src/")
            .with(untested)
            .looked_for(looked);
    }
    Outcome::partial(format!(
        "{} of {} package(s) have no unit tests",
        untested.len(),
        untested.len() + tested.len()
    ))
    .with(untested)
    .with_found(tested)
    .looked_for(looked)
}
