//! `perf.latency-budget`: a p95 latency budget of 100 ms or less is stated,
//! and a load test or benchmark in the repository checks it.
//!
//! A budget is a k6 threshold on `http_req_duration` (`'p(95)<100'`), an
//! Artillery `ensure` (`p95: 100`), a Gatling `percentile3.lt(100)`, or a
//! latency SLO / alert (`histogram_quantile(0.95, ..) > 0.1`). A threshold in
//! a load test that CI runs is checked on every run; one in an alert is
//! watched in production, not tested.
//!
//! pass: a p95 (or tighter) budget ≤ 100 ms in a load test CI runs ·
//! partial: a budget above 100 ms, a budget no CI step checks, or a budget only
//! in alerts/SLOs · manual: no stated budget (static evidence cannot measure
//! latency).

use crate::analyzers::scan;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const BUDGET_MS: f64 = 100.0;

/// A stated budget: percentile, milliseconds, where.
struct Budget {
    pct: f64,
    ms: f64,
    hit: Hit,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let k6 = scan::re(r"p\((\d+(?:\.\d+)?)\)\s*<=?\s*(\d+(?:\.\d+)?)");
    let artillery =
        scan::re(r"(?m)^\s*(?:http\.response_time\.)?p(\d\d)\s*:\s*(\d+(?:\.\d+)?)\s*$");
    let gatling = scan::re(r"percentile(\d)\.lt\((\d+)\)");
    let mut budgets: Vec<Budget> = Vec::new();
    let scripts = crate::analyzers::test::load::scripts(facts);
    for s in &scripts {
        let t = s.file;
        let mut push = |pct: f64, ms: f64, at: usize| {
            let line = t.text[..at].matches('\n').count() as u32 + 1;
            budgets.push(Budget {
                pct,
                ms,
                hit: Hit::new(
                    Location::new(t.path.clone(), line),
                    format!("{} threshold: p{pct} < {ms} ms", s.tool),
                ),
            });
        };
        match s.tool {
            "k6" => {
                for c in k6.captures_iter(&t.text) {
                    if let (Ok(p), Ok(ms)) = (c[1].parse(), c[2].parse()) {
                        push(p, ms, c.get(0).map(|m| m.start()).unwrap_or(0));
                    }
                }
            }
            "Artillery" => {
                for c in artillery.captures_iter(&t.text) {
                    if let (Ok(p), Ok(ms)) = (c[1].parse(), c[2].parse()) {
                        push(p, ms, c.get(0).map(|m| m.start()).unwrap_or(0));
                    }
                }
            }
            "Gatling" => {
                // percentile1..4 default to 50/75/95/99.
                for c in gatling.captures_iter(&t.text) {
                    let pct = match &c[1] {
                        "1" => 50.0,
                        "2" => 75.0,
                        "3" => 95.0,
                        _ => 99.0,
                    };
                    if let Ok(ms) = c[2].parse() {
                        push(pct, ms, c.get(0).map(|m| m.start()).unwrap_or(0));
                    }
                }
            }
            _ => {}
        }
    }
    // p95+ budgets only: a p50 target says nothing about the tail.
    budgets.retain(|b| b.pct >= 95.0);
    let ci_runs: Vec<Hit> =
        scan::ci_gating(facts, &scan::re(crate::analyzers::test::load::LOAD_RUN)).0;
    let alerts = scan::text_hits(
        facts,
        |t| t.role.is_service() && t.kind != crate::classify::FileKind::Markdown,
        &scan::re(r"histogram_quantile\(\s*0\.9[59]\d*\s*,[^\n]*\)\s*>\s*[0-9.]+"),
        2,
    );
    let looked = "a load-test threshold such as k6 `http_req_duration: ['p(95)<100']` run in CI";
    if let Some(best) = budgets.iter().min_by(|a, b| a.ms.total_cmp(&b.ms)) {
        let ev: Vec<Hit> = budgets.iter().map(|b| b.hit.clone()).collect();
        if ci_runs.is_empty() {
            return Outcome::partial(format!(
                "a latency budget is stated ({}) but no CI step runs the load test that checks it",
                best.hit.what
            ))
            .with_found_hits(ev)
            .looked_for(looked);
        }
        if best.ms > BUDGET_MS {
            return Outcome::partial(format!(
                "the tightest p95 budget is {} ms, above 100 ms ({})",
                best.ms, best.hit.what
            ))
            .with_hits(ev)
            .with_found_hits(ci_runs)
            .looked_for(looked);
        }
        return Outcome::pass(format!("{} and CI runs the load test", best.hit.what))
            .with_hits(ev)
            .with_hits(ci_runs);
    }
    if !alerts.is_empty() {
        return Outcome::partial(format!(
            "a latency objective is watched in production ({}), but no test checks it before release",
            alerts[0].what
        ))
        .with_found_hits(alerts)
        .looked_for(looked);
    }
    Outcome::manual("no latency budget is stated in a load test, benchmark or SLO in this repository; latency cannot be measured statically — attest it with the measured p95")
}
