//! Geometry of the dashboard's inline SVG charts: a service's score over its
//! runs, as a sparkline and as a line chart with axes.
//!
//! Only numbers come out of here; labels stay text for the template to escape.
//! The x axis is time when every run has a timestamp, else the run's position
//! (the order the fleet view read them in, see `aggregate`). Runs without a
//! score break the line.

use super::model::Run;
use crate::provenance::parse_rfc3339;

/// A chart's plot: polyline segments (`"x,y x,y …"`) and one dot per scored run.
#[derive(Debug, Clone, Default)]
pub struct Plot {
    pub width: u32,
    pub height: u32,
    pub segments: Vec<String>,
    pub dots: Vec<Dot>,
    /// Horizontal grid lines: (y, label).
    pub grid: Vec<(f64, &'static str)>,
    /// Labels under the x axis: (x, text, anchor `start|middle|end`).
    pub x_labels: Vec<(f64, String, &'static str)>,
}

#[derive(Debug, Clone)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    /// Tooltip: when, which commit, the score.
    pub label: String,
}

/// Margins of the full chart: left (y labels), right, top, bottom (x labels).
const MARGIN: (f64, f64, f64, f64) = (34.0, 12.0, 8.0, 22.0);

/// The x of each run in 0–1, by time when every run has one, else by position.
fn positions(runs: &[Run]) -> Vec<f64> {
    let times: Option<Vec<i64>> = runs
        .iter()
        .map(|r| r.timestamp.as_deref().and_then(parse_rfc3339))
        .collect();
    let n = runs.len();
    match times {
        Some(t) if n > 1 && t[n - 1] > t[0] => {
            let (lo, span) = (t[0], (t[n - 1] - t[0]) as f64);
            t.iter().map(|x| (x - lo) as f64 / span).collect()
        }
        _ if n > 1 => (0..n).map(|i| i as f64 / (n - 1) as f64).collect(),
        _ => vec![0.5; n],
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// What a run is called on the chart: its date, else its short commit, else its position.
pub fn run_label(run: &Run, index: usize) -> String {
    match (&run.timestamp, &run.commit) {
        (Some(t), _) => t.get(..10).unwrap_or(t).to_string(),
        (None, Some(c)) => c.chars().take(7).collect(),
        (None, None) => format!("run {}", index + 1),
    }
}

fn plot(runs: &[Run], width: u32, height: u32, margin: (f64, f64, f64, f64)) -> Plot {
    let (ml, mr, mt, mb) = margin;
    let inner_w = f64::from(width) - ml - mr;
    let inner_h = f64::from(height) - mt - mb;
    let x_of = |p: f64| round(ml + p * inner_w);
    let y_of = |s: f64| round(mt + (1.0 - s.clamp(0.0, 100.0) / 100.0) * inner_h);
    let mut out = Plot {
        width,
        height,
        ..Plot::default()
    };
    let mut current: Vec<String> = Vec::new();
    for (i, (run, p)) in runs.iter().zip(positions(runs)).enumerate() {
        match run.score {
            Some(s) => {
                let (x, y) = (x_of(p), y_of(s));
                current.push(format!("{x},{y}"));
                let commit: String = run
                    .commit
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(12)
                    .collect();
                out.dots.push(Dot {
                    x,
                    y,
                    label: format!("{} {commit} — {s:.1}", run_label(run, i)).replace("  ", " "),
                });
            }
            None => {
                if !current.is_empty() {
                    out.segments.push(current.join(" "));
                    current.clear();
                }
            }
        }
    }
    if !current.is_empty() {
        out.segments.push(current.join(" "));
    }
    out.grid = [(100.0, "100"), (50.0, "50"), (0.0, "0")]
        .into_iter()
        .map(|(s, l)| (y_of(s), l))
        .collect();
    out
}

/// The small chart in the ranking table.
pub fn sparkline(runs: &[Run]) -> Plot {
    plot(runs, 120, 28, (3.0, 3.0, 3.0, 3.0))
}

/// The chart of a service's section: axes, grid, and the first and last run named.
pub fn line(runs: &[Run]) -> Plot {
    let mut p = plot(runs, 640, 150, MARGIN);
    let pos = positions(runs);
    if let (Some(first), Some(last)) = (runs.first(), runs.last()) {
        if runs.len() == 1 {
            let x = round(MARGIN.0 + pos[0] * (640.0 - MARGIN.0 - MARGIN.1));
            p.x_labels.push((x, run_label(first, 0), "middle"));
        } else {
            p.x_labels.push((MARGIN.0, run_label(first, 0), "start"));
            p.x_labels
                .push((640.0 - MARGIN.1, run_label(last, runs.len() - 1), "end"));
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ts: Option<&str>, score: Option<f64>) -> Run {
        Run {
            file: "r.json".into(),
            timestamp: ts.map(str::to_string),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            branch: None,
            score,
            grade: None,
        }
    }

    #[test]
    fn time_axis_spaces_runs_by_time_and_gaps_break_the_line() {
        let runs = [
            run(Some("2026-01-01T00:00:00Z"), Some(100.0)),
            run(Some("2026-01-02T00:00:00Z"), None),
            run(Some("2026-01-05T00:00:00Z"), Some(0.0)),
            run(Some("2026-01-11T00:00:00Z"), Some(50.0)),
        ];
        let p = sparkline(&runs);
        // x: 3 + p*114 with p = 0, 0.4, 1; y: 3 + (1 - s/100)*22.
        assert_eq!(p.segments, ["3,3", "48.6,25 117,14"]);
        assert_eq!(p.dots.len(), 3);
        assert_eq!(p.dots[2].label, "2026-01-11 0123456789ab — 50.0");
    }

    #[test]
    fn without_timestamps_runs_are_evenly_spaced_and_named_by_commit() {
        let runs = [
            run(None, Some(80.0)),
            run(Some("2026-01-01T00:00:00Z"), Some(90.0)),
            run(None, Some(70.0)),
        ];
        let p = line(&runs);
        let xs: Vec<f64> = p.dots.iter().map(|d| d.x).collect();
        assert_eq!(xs, [34.0, 331.0, 628.0]);
        assert_eq!(p.x_labels[0].1, "0123456");
        assert_eq!(p.x_labels[1].2, "end");
        assert_eq!(line(&runs[..1]).x_labels[0].2, "middle");
    }
}
