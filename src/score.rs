//! Scoring: items to sections to one number.
//!
//! An item scores 1 (pass), 0.5 (partial) or 0 (fail); n/a and manual items are
//! left out of the denominator. A section's score is the weighted mean of its
//! items, the overall score the weighted mean of every distinct rule (an item
//! that restates another counts in its section but only once overall), both
//! 0–100 rounded to one decimal, with a letter grade.

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
    fn grades() {
        assert_eq!(grade(90.0), "A");
        assert_eq!(grade(79.9), "C");
        assert_eq!(grade(10.0), "F");
    }
}
