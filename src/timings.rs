//! `seaworthy audit --timings`: the time of each phase, printed to stderr.
//!
//! The recorder is process-wide and off until [`enable`] is called, so the
//! phases of the pipeline can be timed where they run (`audit`, `facts::build`,
//! the CLI's render) without threading a value through every signature. When it
//! is off, [`time`] is a plain call.
//!
//! Extraction runs in parallel, so besides its wall time the time spent per
//! artifact kind is summed over the workers (`cpu` below, a sum of per-file
//! wall times): it says where the work went, not how long anyone waited.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);
static PHASES: Mutex<Vec<Phase>> = Mutex::new(Vec::new());
static START: Mutex<Option<Instant>> = Mutex::new(None);

/// One timed phase.
#[derive(Debug, Clone)]
struct Phase {
    name: String,
    time: Duration,
    /// Indented under the phase before it.
    sub: bool,
    detail: String,
}

/// Start recording.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
    *START.lock().unwrap() = Some(Instant::now());
}

/// Whether phases are being recorded.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Run `f`, recording its wall time as phase `name` when recording. Phases
/// timed inside `f` are listed after it.
pub fn time<T>(name: &str, f: impl FnOnce() -> T) -> T {
    timed(name, false, f)
}

/// [`time`], listed indented under the phase that encloses it.
pub fn time_sub<T>(name: &str, f: impl FnOnce() -> T) -> T {
    timed(name, true, f)
}

fn timed<T>(name: &str, sub: bool, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let slot = {
        let mut phases = PHASES.lock().unwrap();
        phases.push(Phase {
            name: name.to_string(),
            time: Duration::ZERO,
            sub,
            detail: String::new(),
        });
        phases.len() - 1
    };
    let start = Instant::now();
    let out = f();
    PHASES.lock().unwrap()[slot].time = start.elapsed();
    out
}

/// Record a phase.
pub fn record(name: &str, time: Duration, detail: String) {
    push(name, time, false, detail);
}

/// Record a line under the phase before it (a part of it, or a sum over workers).
pub fn record_sub(name: &str, time: Duration, detail: String) {
    push(name, time, true, detail);
}

fn push(name: &str, time: Duration, sub: bool, detail: String) {
    if enabled() {
        PHASES.lock().unwrap().push(Phase {
            name: name.to_string(),
            time,
            sub,
            detail,
        });
    }
}

/// The recorded phases as text, one per line, with the total since [`enable`].
pub fn render() -> String {
    let phases = PHASES.lock().unwrap();
    let mut out = String::from("seaworthy timings:\n");
    for p in phases.iter() {
        let name = if p.sub {
            format!("  {}", p.name)
        } else {
            p.name.clone()
        };
        out.push_str(&format!(
            "  {name:<24} {:>9.3} s{}{}\n",
            p.time.as_secs_f64(),
            if p.detail.is_empty() { "" } else { "  " },
            p.detail
        ));
    }
    if let Some(start) = *START.lock().unwrap() {
        out.push_str(&format!(
            "  {:<24} {:>9.3} s\n",
            "total",
            start.elapsed().as_secs_f64()
        ));
    }
    out
}

/// Print the phases to stderr, when recording.
pub fn print() {
    if enabled() {
        eprint!("{}", render());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_when_enabled_and_renders_each_phase() {
        // Off: nothing is kept.
        assert_eq!(time("off", || 1 + 1), 2);
        assert!(!render().contains("off"));
        enable();
        time("discover", || std::thread::sleep(Duration::from_millis(2)));
        record_sub("rust", Duration::from_millis(5), "3 files".into());
        time("facts", || time_sub("routes", || ()));
        let text = render();
        assert!(text.contains("discover"), "{text}");
        let facts = text.find("facts").unwrap();
        assert!(text[facts..].contains("\n    routes"), "{text}");
        assert!(text.contains("    rust"), "{text}");
        assert!(text.contains("3 files"), "{text}");
        assert!(text.contains("total"), "{text}");
        ENABLED.store(false, Ordering::Relaxed);
    }
}
