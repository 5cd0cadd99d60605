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

/// One piece of evidence: a place and what was seen (or not seen) there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Evidence {
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
}

impl From<Hit> for Evidence {
    fn from(h: Hit) -> Self {
        Evidence {
            location: h.location,
            message: h.what,
        }
    }
}

impl Evidence {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Evidence {
            location,
            message: message.into(),
        }
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

    pub fn at(mut self, location: Location, message: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(location, message));
        self
    }

    pub fn looked_for(mut self, what: impl Into<String>) -> Self {
        self.looked_for = Some(what.into());
        self
    }

    /// De-duplicate evidence (keeping the analyzer's order: strongest first), and cap it.
    pub fn normalised(mut self) -> Self {
        let mut seen = std::collections::HashSet::new();
        self.evidence.retain(|e| seen.insert(e.clone()));
        if self.evidence.len() > MAX_EVIDENCE {
            let more = self.evidence.len() - MAX_EVIDENCE;
            self.evidence.truncate(MAX_EVIDENCE);
            let last = self
                .evidence
                .last()
                .map(|e| e.location.clone())
                .unwrap_or_else(|| Location::file("."));
            self.evidence
                .push(Evidence::new(last, format!("… and {more} more")));
        }
        self
    }
}
