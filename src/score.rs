//! Scoring: items to sections to one number.
//!
//! An item scores 1 (pass), 0.5 (partial) or 0 (fail); n/a and manual items are
//! left out of the denominator. A section's score is the weighted mean of its
//! items, the overall score the weighted mean of every distinct rule (an item
//! that restates another counts in its section but only once overall), both
//! 0–100 rounded to one decimal, with a letter grade.
//!
//! Besides the number there is a ladder a team can aim at: every item has a
//! [`Level`] (bronze, silver, gold); a service reaches a level when no item at
//! that level or below fails or is partial. A [`Profile`] selects which items
//! count at all.

use crate::rules::Severity;
use serde::{Deserialize, Serialize};

/// One scored entry: weight, score (None if unscored), and whether it restates another.
pub struct Entry<'a> {
    pub section: &'a str,
    pub weight: f64,
    pub score: Option<f64>,
    pub restatement: bool,
}

/// Weighted mean of `(weight, score)` pairs, as 0–100, or `None` if nothing is scored.
pub fn weighted(entries: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for (w, s) in entries {
        num += w * s;
        den += w;
    }
    (den > 0.0).then(|| round1(num / den * 100.0))
}

/// The overall score.
pub fn overall(entries: &[Entry<'_>]) -> Option<f64> {
    weighted(
        entries
            .iter()
            .filter(|e| !e.restatement)
            .filter_map(|e| e.score.map(|s| (e.weight, s))),
    )
}

/// One section's score.
pub fn section(entries: &[Entry<'_>], id: &str) -> Option<f64> {
    weighted(
        entries
            .iter()
            .filter(|e| e.section == id)
            .filter_map(|e| e.score.map(|s| (e.weight, s))),
    )
}

/// The letter grade of a 0–100 score.
pub fn grade(score: f64) -> &'static str {
    match score {
        s if s >= 90.0 => "A",
        s if s >= 80.0 => "B",
        s if s >= 70.0 => "C",
        s if s >= 60.0 => "D",
        _ => "F",
    }
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A rung of the readiness ladder.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Bronze,
    Silver,
    Gold,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Bronze, Level::Silver, Level::Gold];

    /// The default level of a rule: what must hold first is what hurts most.
    pub fn of(severity: Severity) -> Level {
        match severity {
            Severity::Critical | Severity::High => Level::Bronze,
            Severity::Medium => Level::Silver,
            Severity::Low | Severity::Info => Level::Gold,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Bronze => "bronze",
            Level::Silver => "silver",
            Level::Gold => "gold",
        }
    }
}

/// Which items count.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Only bronze items (critical and high severity by default) are scored.
    Minimal,
    /// Every item is scored; manual items are left out unless attested.
    #[default]
    Standard,
    /// Every item is scored, preview rules included; a manual item that nobody
    /// attested counts as failed.
    Strict,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Minimal => "minimal",
            Profile::Standard => "standard",
            Profile::Strict => "strict",
        }
    }

    /// Whether items of `level` count in this profile.
    pub fn counts(self, level: Level) -> bool {
        self != Profile::Minimal || level == Level::Bronze
    }
}

/// Where a service stands on the ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// The highest level reached, `null` when bronze is not.
    pub achieved: Option<Level>,
    /// The next level, `null` at gold.
    pub next: Option<Level>,
    /// The items (ids) that keep the service from the next level.
    pub blocking: Vec<String>,
}

/// The ladder position from `(id, level, blocks)` entries, where `blocks` says
/// the item fails or is partial (and counts).
pub fn standing<'a>(entries: impl IntoIterator<Item = (&'a str, Level, bool)>) -> Standing {
    let mut blockers: Vec<(Level, &str)> = entries
        .into_iter()
        .filter(|(_, _, b)| *b)
        .map(|(id, l, _)| (l, id))
        .collect();
    blockers.sort();
    let lowest = blockers.first().map(|(l, _)| *l);
    let achieved = match lowest {
        None => Some(Level::Gold),
        Some(Level::Bronze) => None,
        Some(l) => Level::ALL.iter().copied().filter(|x| *x < l).max(),
    };
    let next = match achieved {
        None => Some(Level::Bronze),
        Some(a) => Level::ALL.iter().copied().find(|x| *x > a),
    };
    let blocking = blockers
        .iter()
        .filter(|(l, _)| Some(*l) == next)
        .map(|(_, id)| id.to_string())
        .collect();
    Standing {
        achieved,
        next,
        blocking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(section: &str, weight: f64, score: Option<f64>, restatement: bool) -> Entry<'_> {
        Entry {
            section,
            weight,
            score,
            restatement,
        }
    }

    #[test]
    fn unscored_items_leave_the_denominator() {
        let items = [
            e("a", 1.0, Some(1.0), false),
            e("a", 1.0, None, false),
            e("a", 2.0, Some(0.5), false),
        ];
        assert_eq!(overall(&items), Some(66.7));
    }

    #[test]
    fn restatements_count_in_sections_not_overall() {
        let items = [
            e("a", 1.0, Some(1.0), false),
            e("b", 1.0, Some(0.0), false),
            e("c", 1.0, Some(0.0), true),
        ];
        assert_eq!(overall(&items), Some(50.0));
        assert_eq!(section(&items, "c"), Some(0.0));
    }

    #[test]
    fn nothing_scored_is_none() {
        assert_eq!(overall(&[e("a", 1.0, None, false)]), None);
    }

    #[test]
    fn ladder_needs_every_item_at_and_below_a_level() {
        let s = standing([
            ("a", Level::Bronze, false),
            ("b", Level::Silver, true),
            ("c", Level::Gold, true),
        ]);
        assert_eq!(s.achieved, Some(Level::Bronze));
        assert_eq!(s.next, Some(Level::Silver));
        assert_eq!(s.blocking, vec!["b".to_string()]);
        let none = standing([("a", Level::Bronze, true), ("b", Level::Gold, false)]);
        assert_eq!(none.achieved, None);
        assert_eq!(none.next, Some(Level::Bronze));
        assert_eq!(none.blocking, vec!["a".to_string()]);
        let all = standing([("a", Level::Gold, false)]);
        assert_eq!((all.achieved, all.next), (Some(Level::Gold), None));
        assert!(all.blocking.is_empty());
    }

    #[test]
    fn minimal_profile_counts_bronze_only() {
        assert!(Profile::Minimal.counts(Level::Bronze));
        assert!(!Profile::Minimal.counts(Level::Silver));
        assert!(Profile::Standard.counts(Level::Gold));
        assert_eq!(Level::of(Severity::High), Level::Bronze);
        assert_eq!(Level::of(Severity::Low), Level::Gold);
    }

    #[test]
    fn grades() {
        assert_eq!(grade(90.0), "A");
        assert_eq!(grade(79.9), "C");
        assert_eq!(grade(10.0), "F");
    }
}
