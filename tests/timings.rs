//! `audit --timings`: phases on stderr, stdout untouched; no progress bar when
//! stderr is not a terminal.

mod common;

use common::{sample, seaworthy};

#[test]
fn timings_go_to_stderr_and_leave_stdout_alone() {
    let run = |extra: &[&str]| {
        seaworthy()
            .arg("audit")
            .arg(sample("axum-ready"))
            .args(["--format", "json", "--no-cargo-metadata"])
            .args(extra)
            .output()
            .expect("runs")
    };
    let plain = run(&[]);
    let timed = run(&["--timings"]);
    assert!(plain.status.success() && timed.status.success());
    assert_eq!(plain.stdout, timed.stdout, "stdout changed with --timings");
    let err = String::from_utf8(timed.stderr).unwrap();
    for phase in [
        "seaworthy timings:",
        "discover",
        "extract",
        "    rust",
        "facts",
        "    routes",
        "rules",
        "report",
        "services",
        "render",
        "total",
    ] {
        assert!(err.contains(phase), "no `{phase}` in:\n{err}");
    }
    let plain_err = String::from_utf8(plain.stderr).unwrap();
    assert!(
        !plain_err.contains("timings") && !plain_err.contains("reading"),
        "stderr without --timings (and not a terminal) must stay quiet: {plain_err}"
    );
}
