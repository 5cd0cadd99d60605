//! Deciding every rule of the catalog against the facts.
//!
//! Rules are independent, so they are decided in parallel; results come back in
//! catalog order. Restated items (`same_as`) take their target's outcome.

use super::catalog::{Catalog, Otherwise, RuleDef};
use super::outcome::{Evidence, Outcome};
use crate::analyzers;
use crate::facts::Facts;
use rayon::prelude::*;

/// Decide one rule (restatements excepted).
pub fn decide(rule: &RuleDef, facts: &Facts) -> Outcome {
    if let Some(reason) = &rule.manual {
        return Outcome::manual(reason.clone());
    }
    if let Some(name) = &rule.analyzer {
        return analyzers::run(name, facts, rule);
    }
    if let Some(cond) = &rule.applies_when {
        if cond.eval(facts).is_empty() {
            return Outcome::na(rule.not_applicable.clone().unwrap_or_default());
        }
    }
    let looked_for = || {
        rule.looked_for.clone().unwrap_or_else(|| {
            rule.pass
                .iter()
                .map(|c| c.describe())
                .collect::<Vec<_>>()
                .join("; or ")
        })
    };
    let hits: Vec<_> = rule.pass.iter().flat_map(|c| c.eval(facts)).collect();
    if !hits.is_empty() {
        return Outcome::pass(format!("found {}", hits[0].what)).with_hits(hits);
    }
    let partial: Vec<_> = rule.partial.iter().flat_map(|c| c.eval(facts)).collect();
    if !partial.is_empty() {
        return Outcome::partial(format!("only {}", partial[0].what))
            .with_found_hits(partial)
            .looked_for(looked_for());
    }
    match rule.otherwise {
        Otherwise::Manual => Outcome::manual(format!(
            "no static evidence found ({}); attest it in the config if it is done",
            looked_for()
        )),
        Otherwise::Fail => Outcome::fail(format!("not found: {}", looked_for()))
            .with([Evidence::new(
                facts.anchor(),
                "nothing found in this repository",
            )])
            .looked_for(looked_for()),
    }
}

/// Decide every rule, in catalog order.
pub fn evaluate(catalog: &Catalog, facts: &Facts) -> Vec<Outcome> {
    let base: Vec<Option<Outcome>> = catalog
        .rules
        .par_iter()
        .map(|r| r.same_as.is_none().then(|| decide(r, facts).normalised()))
        .collect();
    catalog
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| match &r.same_as {
            None => base[i].clone().expect("decided"),
            Some(target) => {
                let ti = catalog
                    .rules
                    .iter()
                    .position(|x| &x.id == target)
                    .expect("validated");
                let mut o = base[ti].clone().expect("target is not a restatement");
                o.summary = format!("{} (decided by {target})", o.summary);
                o
            }
        })
        .collect()
}
