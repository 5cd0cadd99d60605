//! What deciding a rule produces: a status, a one-line summary, evidence, and —
//! when something is missing — what was looked for.

use crate::facts::query::Hit;
use crate::location::Location;
use serde::{Serialize, Serializer};

/// An item's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Pass,
    Partial,
    Fail,
    /// The item cannot apply to this service (the reason is in the summary).
    NotApplicable,
    /// No static evidence can decide it; a team may attest to it.
    Manual,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Partial => "partial",
            Status::Fail => "fail",
            Status::NotApplicable => "n/a",
            Status::Manual => "manual",
        }
    }

    /// The item's score: pass 1, partial 0.5, fail 0; n/a and manual are unscored.
    pub fn score(self) -> Option<f64> {
        match self {
            Status::Pass => Some(1.0),
            Status::Partial => Some(0.5),
            Status::Fail => Some(0.0),
            Status::NotApplicable | Status::Manual => None,
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "pass" => Status::Pass,
            "partial" => Status::Partial,
            "fail" => Status::Fail,
            "n/a" | "na" => Status::NotApplicable,
            "manual" => Status::Manual,
            _ => return None,
        })
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What a piece of evidence says about its item: a problem to fix there, or
/// something found that supports the item.
///
/// Code-scanning formats (SARIF, GitHub annotations, Code Quality) annotate
/// only problems, so a partial item does not flag the lines that are right.
/// The default is `Problem`: evidence nobody marked is still annotated (noisy
/// at worst), never hidden.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// What is missing or wrong, and where.
    #[default]
    Problem,
    /// What was found that counts towards the item.
    Found,
}

/// One piece of evidence: a place and what was seen (or not seen) there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Evidence {
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
    pub kind: EvidenceKind,
}

impl From<Hit> for Evidence {
    fn from(h: Hit) -> Self {
        Evidence::new(h.location, h.what)
    }
}

impl Evidence {
    /// Evidence of a problem (the default polarity).
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Evidence {
            location,
            message: message.into(),
            kind: EvidenceKind::Problem,
        }
    }

    /// Evidence of something found that supports the item.
    pub fn found(location: Location, message: impl Into<String>) -> Self {
        Evidence::new(location, message).as_found()
    }

    /// The same evidence, marked as supporting.
    pub fn as_found(mut self) -> Self {
        self.kind = EvidenceKind::Found;
        self
    }

    pub fn is_problem(&self) -> bool {
        self.kind == EvidenceKind::Problem
    }
}

/// A rule's decision.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// For fail/partial: what was looked for and not found.
    pub looked_for: Option<String>,
}

/// Most evidence entries kept per item; the summary says how many there were.
pub const MAX_EVIDENCE: usize = 25;

impl Outcome {
    pub fn new(status: Status, summary: impl Into<String>) -> Self {
        Outcome {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            looked_for: None,
        }
    }

    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, summary)
    }
    pub fn partial(summary: impl Into<String>) -> Self {
        Self::new(Status::Partial, summary)
    }
    pub fn fail(summary: impl Into<String>) -> Self {
        Self::new(Status::Fail, summary)
    }
    pub fn na(summary: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, summary)
    }
    pub fn manual(summary: impl Into<String>) -> Self {
        Self::new(Status::Manual, summary)
    }

    pub fn with(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    pub fn with_hits(self, hits: impl IntoIterator<Item = Hit>) -> Self {
        self.with(hits.into_iter().map(Evidence::from))
    }

    /// Add supporting evidence (marked [`EvidenceKind::Found`]).
    pub fn with_found(self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.with(evidence.into_iter().map(Evidence::as_found))
    }

    /// Add query hits as supporting evidence.
    pub fn with_found_hits(self, hits: impl IntoIterator<Item = Hit>) -> Self {
        self.with_found(hits.into_iter().map(Evidence::from))
    }

    pub fn at(mut self, location: Location, message: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(location, message));
        self
    }

    /// Add one piece of supporting evidence.
    pub fn found_at(mut self, location: Location, message: impl Into<String>) -> Self {
        self.evidence.push(Evidence::found(location, message));
        self
    }

    pub fn looked_for(mut self, what: impl Into<String>) -> Self {
        self.looked_for = Some(what.into());
        self
    }

    /// Mark the evidence of a passing or not-applicable item as found (none of
    /// it is a problem), de-duplicate it (keeping the analyzer's order:
    /// strongest first), and cap it — keeping problems before supporting
    /// evidence when there is too much, so no problem is capped away for a
    /// line that is fine.
    pub fn normalised(mut self) -> Self {
        if matches!(self.status, Status::Pass | Status::NotApplicable) {
            for e in &mut self.evidence {
                e.kind = EvidenceKind::Found;
            }
        }
        let mut seen = std::collections::HashSet::new();
        self.evidence.retain(|e| seen.insert(e.clone()));
        if self.evidence.len() > MAX_EVIDENCE {
            let more = self.evidence.len() - MAX_EVIDENCE;
            let problems = self.evidence.iter().filter(|e| e.is_problem()).count();
            let mut found_kept = MAX_EVIDENCE.saturating_sub(problems);
            let mut problems_kept = MAX_EVIDENCE - found_kept;
            let mut dropped = Vec::new();
            self.evidence.retain(|e| {
                let budget = if e.is_problem() {
                    &mut problems_kept
                } else {
                    &mut found_kept
                };
                let keep = *budget > 0;
                *budget = budget.saturating_sub(1);
                if !keep {
                    dropped.push(e.kind);
                }
                keep
            });
            let last = self
                .evidence
                .last()
                .map(|e| e.location.clone())
                .unwrap_or_else(|| Location::file("."));
            let mut overflow = Evidence::new(last, format!("… and {more} more"));
            overflow.kind = dropped.into_iter().min().unwrap_or(EvidenceKind::Problem);
            self.evidence.push(overflow);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(n: u32) -> Location {
        Location::new("src/main.rs", n)
    }

    #[test]
    fn evidence_is_a_problem_unless_marked_found() {
        assert!(Evidence::new(at(1), "x").is_problem());
        assert!(!Evidence::found(at(1), "x").is_problem());
        let o = Outcome::partial("p")
            .at(at(1), "missing here")
            .found_at(at(2), "present here")
            .with_found([Evidence::new(at(3), "also present")]);
        let kinds: Vec<_> = o.evidence.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EvidenceKind::Problem,
                EvidenceKind::Found,
                EvidenceKind::Found
            ]
        );
        let json = serde_json::to_value(&o.evidence[0]).unwrap();
        assert_eq!(json["kind"], "problem");
    }

    #[test]
    fn a_pass_has_no_problems_and_a_fail_keeps_them() {
        let pass = Outcome::pass("ok").at(at(1), "seen").normalised();
        assert!(pass.evidence.iter().all(|e| !e.is_problem()));
        let fail = Outcome::fail("no").at(at(1), "missing").normalised();
        assert!(fail.evidence[0].is_problem());
    }

    #[test]
    fn the_cap_keeps_problems_over_what_was_found() {
        let o = Outcome::partial("p")
            .with((1..=30).map(|n| Evidence::found(at(n), format!("fine {n}"))))
            .at(at(99), "missing")
            .normalised();
        assert_eq!(o.evidence.len(), MAX_EVIDENCE + 1);
        assert!(o
            .evidence
            .iter()
            .any(|e| e.message == "missing" && e.is_problem()));
        let overflow = o.evidence.last().unwrap();
        assert_eq!(overflow.message, "… and 6 more");
        assert_eq!(
            overflow.kind,
            EvidenceKind::Found,
            "only found ones were cut"
        );
        // The analyzer's order is kept.
        assert_eq!(o.evidence[MAX_EVIDENCE - 1].message, "missing");
    }
}
