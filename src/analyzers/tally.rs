//! Grading several findings into one outcome.
//!
//! Container, service and configuration rules judge many things at once (every
//! runtime stage of every Dockerfile, every probe, every client). Each finding
//! is good, half-done or bad, with its place; the item fails when anything is
//! bad, is partial when anything is half-done, and passes otherwise. Evidence
//! comes out worst first, and notes (facts that decided nothing) last. Good
//! findings and notes are supporting evidence ([`Evidence::found`]); bad and
//! half-done ones are the problems code scanning points at.

use crate::location::Location;
use crate::rules::{Evidence, Outcome};

#[derive(Debug, Default)]
pub struct Tally {
    good: Vec<Evidence>,
    half: Vec<Evidence>,
    bad: Vec<Evidence>,
    notes: Vec<Evidence>,
}

impl Tally {
    pub fn good(&mut self, at: Location, message: impl Into<String>) {
        self.good.push(Evidence::found(at, message));
    }

    pub fn half(&mut self, at: Location, message: impl Into<String>) {
        self.half.push(Evidence::new(at, message));
    }

    pub fn bad(&mut self, at: Location, message: impl Into<String>) {
        self.bad.push(Evidence::new(at, message));
    }

    /// A fact shown with the outcome that does not change it.
    pub fn note(&mut self, at: Location, message: impl Into<String>) {
        self.notes.push(Evidence::found(at, message));
    }

    /// Nothing was graded.
    pub fn is_empty(&self) -> bool {
        self.good.is_empty() && self.half.is_empty() && self.bad.is_empty()
    }

    pub fn has_bad(&self) -> bool {
        !self.bad.is_empty()
    }

    pub fn has_half(&self) -> bool {
        !self.half.is_empty()
    }

    /// `manual` with the notes as evidence, for when nothing could be graded.
    pub fn manual(self, summary: impl Into<String>) -> Outcome {
        Outcome::manual(summary).with(self.notes)
    }

    /// fail on anything bad, partial on anything half-done, else pass; the
    /// summary is the first finding of the deciding grade.
    pub fn outcome(self, looked_for: &str) -> Outcome {
        let (mut o, lead) = if let Some(b) = self.bad.first() {
            (Outcome::fail(""), (b.message.clone(), self.bad.len()))
        } else if let Some(h) = self.half.first() {
            (Outcome::partial(""), (h.message.clone(), self.half.len()))
        } else if let Some(g) = self.good.first() {
            (Outcome::pass(""), (g.message.clone(), self.good.len()))
        } else {
            return Outcome::manual(format!("nothing to judge ({looked_for})")).with(self.notes);
        };
        o.summary = match lead.1 {
            1 => lead.0,
            n => format!("{} (and {} more)", lead.0, n - 1),
        };
        if o.status != crate::rules::Status::Pass {
            o = o.looked_for(looked_for);
        }
        o.with(self.bad)
            .with(self.half)
            .with(self.good)
            .with(self.notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Status;

    #[test]
    fn worst_grade_decides() {
        let mut t = Tally::default();
        t.good(Location::file("a"), "fine");
        assert_eq!(std::mem::take(&mut t).outcome("x").status, Status::Pass);
        t.good(Location::file("a"), "fine");
        t.half(Location::file("b"), "meh");
        t.bad(Location::file("c"), "broken");
        t.bad(Location::file("d"), "broken too");
        let o = t.outcome("x");
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.summary, "broken (and 1 more)");
        assert_eq!(o.evidence[0].message, "broken");
        assert_eq!(o.evidence.len(), 4);
        let kinds: Vec<_> = o.evidence.iter().map(|e| e.is_problem()).collect();
        assert_eq!(
            kinds,
            [true, true, true, false],
            "bad and half are problems, good is found"
        );
    }
}
