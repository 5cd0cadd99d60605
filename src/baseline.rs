//! `--baseline OLD.json`: what got worse and what got better since a report.
//!
//! A pull request should fail for what it breaks, not for what was broken
//! before. Items are matched by id; an item got worse when it now counts as
//! partial or failed and was better before (or absent), and a failing item got
//! worse when it has a problem finding whose fingerprint the baseline did not
//! have (what was found that counts for the item is not a regression; reports
//! from before findings had a `kind` are read as all problems).
//! The overall score dropping is a regression too. The baseline is read as
//! plain JSON so reports of any 1.x schema compare.

use crate::report::Report;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One item that changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: String,
    pub what: String,
}

/// The difference between a baseline and this report.
#[derive(Debug, Default)]
pub struct Comparison {
    pub worse: Vec<Change>,
    pub better: Vec<Change>,
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
}

/// How far short an item falls, from its effective score: 0 ok (or not
/// counted), 1 partial, 2 fail.
fn shortfall(score: Option<f64>) -> u8 {
    match score {
        Some(s) if s <= 0.0 => 2,
        Some(s) if s < 1.0 => 1,
        _ => 0,
    }
}

fn state(score: Option<f64>, status: &str) -> String {
    match score {
        Some(_) => status.to_string(),
        None => format!("{status} (not counted)"),
    }
}

struct Old {
    status: String,
    score: Option<f64>,
    findings: BTreeSet<String>,
}

/// Read a baseline report's text.
pub fn parse(name: &str, text: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("--baseline {name}: not a seaworthy JSON report: {e}"))?;
    let version = v["schema_version"].as_str().unwrap_or("");
    if version.split('.').next() != crate::report::SCHEMA_VERSION.split('.').next() {
        return Err(format!(
            "--baseline {name}: schema_version `{version}` is not {}.x, which this seaworthy reads; \
             make a new baseline with this version",
            crate::report::SCHEMA_VERSION.split('.').next().unwrap_or("1")
        ));
    }
    Ok(v)
}

/// Compare `report` against the `baseline` report.
pub fn compare(baseline: &Value, report: &Report) -> Comparison {
    let mut old: BTreeMap<String, Old> = BTreeMap::new();
    for i in baseline["items"].as_array().into_iter().flatten() {
        let Some(id) = i["id"].as_str() else { continue };
        if i["same_as"].is_string() {
            continue;
        }
        old.insert(
            id.to_string(),
            Old {
                status: i["status"].as_str().unwrap_or("?").to_string(),
                score: i["score"].as_f64(),
                findings: unsuppressed(i["evidence"].as_array().into_iter().flatten())
                    .map(str::to_string)
                    .collect(),
            },
        );
    }
    let mut c = Comparison {
        score_before: baseline["summary"]["score"].as_f64(),
        score_after: report.summary.score,
        ..Comparison::default()
    };
    for item in report.items.iter().filter(|i| i.same_as.is_none()) {
        let now = shortfall(item.score);
        let status = item.status.as_str();
        let Some(before) = old.get(&item.id) else {
            if now > 0 {
                c.worse.push(Change {
                    id: item.id.clone(),
                    what: format!("new item, {}", state(item.score, status)),
                });
            }
            continue;
        };
        let was = shortfall(before.score);
        let moved = format!(
            "{} → {}",
            state(before.score, &before.status),
            state(item.score, status)
        );
        if now > was {
            c.worse.push(Change {
                id: item.id.clone(),
                what: moved,
            });
            continue;
        }
        if now < was {
            c.better.push(Change {
                id: item.id.clone(),
                what: moved,
            });
            continue;
        }
        if now == 0 || before.findings.is_empty() {
            continue;
        }
        for f in item
            .evidence
            .iter()
            .filter(|f| counted(f) && !before.findings.contains(&f.fingerprint))
        {
            c.worse.push(Change {
                id: item.id.clone(),
                what: format!("new finding at {}: {}", f.location, f.message),
            });
        }
        let current: BTreeSet<&str> = item
            .evidence
            .iter()
            .filter(|f| counted(f))
            .map(|f| f.fingerprint.as_str())
            .collect();
        let gone = before
            .findings
            .iter()
            .filter(|f| !current.contains(f.as_str()))
            .count();
        if gone > 0 {
            c.better.push(Change {
                id: item.id.clone(),
                what: format!("{gone} finding(s) fixed, still {status}"),
            });
        }
    }
    c
}

/// Fingerprints of a baseline item's problem findings that no waiver covered.
fn unsuppressed<'a>(evidence: impl Iterator<Item = &'a Value>) -> impl Iterator<Item = &'a str> {
    evidence
        .filter(|e| e["suppressed"].is_null() && e["kind"].as_str() != Some("found"))
        .filter_map(|e| e["fingerprint"].as_str())
}

/// A finding of this report that a baseline compares: a problem no waiver covers.
fn counted(f: &crate::report::Finding) -> bool {
    f.suppressed.is_none() && f.is_problem()
}

impl Comparison {
    /// The score dropped (by more than rounding).
    pub fn score_dropped(&self) -> bool {
        matches!((self.score_before, self.score_after), (Some(b), Some(a)) if a < b - 0.05)
            || (self.score_before.is_some() && self.score_after.is_none())
    }

    /// A new failure or a lower score: the baseline gate fails.
    pub fn regressed(&self) -> bool {
        !self.worse.is_empty() || self.score_dropped()
    }

    /// What changed, for the terminal.
    pub fn render(&self) -> String {
        let fmt = |s: Option<f64>| s.map_or("not scored".to_string(), |s| format!("{s:.1}"));
        let mut out = format!(
            "against the baseline: score {} → {}\n",
            fmt(self.score_before),
            fmt(self.score_after)
        );
        for (head, list) in [("worse", &self.worse), ("better", &self.better)] {
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!("  {head}:\n"));
            for ch in list {
                out.push_str(&format!(
                    "    {} {}\n",
                    crate::render::terminal_safe(&ch.id),
                    crate::render::terminal_safe(&ch.what)
                ));
            }
        }
        if self.worse.is_empty() && self.better.is_empty() {
            out.push_str("  no item changed\n");
        }
        out
    }
}
