//! `test.load` (also reported as `ready.load-tested`): the service is load
//! tested, and the load test is run.
//!
//! Load tests are scripts for k6 (`import http from 'k6/http'`), Locust
//! (`from locust import`), Artillery (`config:` with `phases:`), drill
//! (`plan:` with `concurrency:`), Gatling (`io.gatling`), wrk Lua scripts, or a
//! goose load test in Rust (`goose::GooseAttack`). They are run when a CI step
//! (or a recipe it runs) invokes `k6 run`, `locust`, `artillery run`, `drill`,
//! `wrk`, `oha`, `hey`, `vegeta attack`, `bombardier` or the goose binary; a
//! CI step running one of those tools is a load test by itself. Results
//! written down (requests per second, p95/p99 latencies next to the tool's
//! name in the docs) count as a run.
//!
//! pass: a load test that CI runs, or whose results are documented · partial:
//! load-test scripts nothing runs · fail: no load test · n/a: no HTTP/gRPC
//! server.

use crate::analyzers::{scan, unless_server};
use crate::classify::FileKind;
use crate::facts::query::Hit;
use crate::facts::{Facts, TextFile};
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

/// Commands that run a load test.
pub const LOAD_RUN: &str = r"(?i)\b(k6\s+(run|cloud)|grafana/k6-action|grafana/run-k6-action|locust\s|artillery\s+run|drill\s+(-b|--benchmark)|wrk2?\s+-|oha\s|hey\s+-|vegeta\s+attack|bombardier\s|ab\s+-n|gatling|cargo\s+run\s+[^\n]*(load|stress|soak|goose))";

/// A load-test script and the tool it is for.
pub struct Script<'a> {
    pub file: &'a TextFile,
    pub tool: &'static str,
}

/// Load-test scripts in the tree (any role: load tests often live in tests/).
pub fn scripts(facts: &Facts) -> Vec<Script<'_>> {
    let mut out = Vec::new();
    for t in &facts.texts {
        let name = t
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&t.path)
            .to_ascii_lowercase();
        let text = &t.text;
        let tool = if (name.ends_with(".js") || name.ends_with(".ts") || name.ends_with(".mjs"))
            && (text.contains("'k6") || text.contains("\"k6"))
        {
            Some("k6")
        } else if name.ends_with(".py")
            && (text.contains("from locust") || text.contains("import locust"))
        {
            Some("Locust")
        } else if name.ends_with(".scala") && text.contains("io.gatling") {
            Some("Gatling")
        } else if name.ends_with(".lua") && text.contains("wrk.") {
            Some("wrk")
        } else if t.kind == FileKind::Yaml
            && text.contains("config:")
            && text.contains("scenarios:")
            && (text.contains("phases:") || text.contains("arrivalRate"))
        {
            Some("Artillery")
        } else if t.kind == FileKind::Yaml
            && text.contains("plan:")
            && (text.contains("concurrency:") || text.contains("iterations:"))
        {
            Some("drill")
        } else {
            None
        };
        if let Some(tool) = tool {
            out.push(Script { file: t, tool });
        }
    }
    out
}

/// goose load tests in Rust, in any role (often a bin or an example).
fn goose(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for f in &facts.rust {
        if let Some(r) = f
            .refs
            .iter()
            .find(|r| r.path.starts_with("goose::") && r.kind != crate::extract::rust::RefKind::Use)
        {
            out.push(Hit::new(
                Location::new(f.path.clone(), r.line),
                format!("goose load test (`{}`)", r.path),
            ));
        }
    }
    out
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let mut found: Vec<Hit> = scripts(facts)
        .iter()
        .map(|s| {
            Hit::new(
                Location::file(s.file.path.clone()),
                format!("{} load-test script", s.tool),
            )
        })
        .collect();
    found.extend(goose(facts));
    let runs: Vec<Hit> = scan::ci_gating(facts, &scan::re(LOAD_RUN)).0;
    let results = documented_results(facts);
    let looked = "a load test (k6, Locust, Artillery, drill, goose, wrk/oha) run in CI, or with its results written down";
    if !runs.is_empty() {
        return Outcome::pass(format!("CI runs a load test ({})", runs[0].what))
            .with_hits(runs)
            .with_hits(found)
            .with_hits(results);
    }
    if !found.is_empty() && !results.is_empty() {
        return Outcome::pass(format!("{}, with results documented", found[0].what))
            .with_hits(found)
            .with_hits(results);
    }
    if !found.is_empty() {
        return Outcome::partial(format!(
            "{} in the repository, but no CI step runs it and no results are written down",
            found[0].what
        ))
        .with_found_hits(found)
        .looked_for(looked);
    }
    Outcome::fail("no load test")
        .at(
            scan::ci_anchor(facts),
            "no load-test script or CI step running a load tool",
        )
        .looked_for(looked)
}

/// Docs that report a load test's figures: a load tool named near a
/// throughput or percentile figure.
fn documented_results(facts: &Facts) -> Vec<Hit> {
    let tool = scan::re(
        r"(?i)\b(k6|locust|artillery|drill|goose|wrk2?|oha|hey|vegeta|bombardier|gatling|load[- ]test)",
    );
    let figure = scan::re(
        r"(?i)\d[\d,.]*\s*(req(uest)?s?/s(ec)?|rps)\b|\bp9[59]\b[^\n]{0,20}\d+(\.\d+)?\s*(ms|s)\b",
    );
    let mut out = Vec::new();
    for t in facts.texts_where(|t| t.kind == FileKind::Markdown) {
        if !tool.is_match(&t.text) {
            continue;
        }
        if let Some(h) = scan::file_hits(t, &figure, 1).into_iter().next() {
            out.push(Hit::new(
                h.location,
                format!("load-test results documented: {}", h.what),
            ));
        }
    }
    out
}
