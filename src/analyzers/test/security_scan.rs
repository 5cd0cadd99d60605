//! `test.security-scan` (also reported as `ready.security-scan`): CI checks the
//! dependencies (and images) for known vulnerabilities, and a finding fails
//! the build.
//!
//! Scanners: `cargo audit` (or `rustsec/audit-check`), `cargo deny check` with
//! its advisories check (or `EmbarkStudios/cargo-deny-action`), trivy, grype,
//! osv-scanner, snyk — in a workflow step, GitLab job, or a recipe a step
//! runs. A scheduled audit workflow counts.
//!
//! Cross-checks: `cargo deny check licenses bans` without `advisories` scans
//! nothing for vulnerabilities; a step with `continue-on-error` gates nothing;
//! a `deny.toml` or `audit.toml` that no CI step uses is configuration only;
//! Dependabot/Renovate update dependencies but gate no build; code scanning
//! (CodeQL, semgrep) looks at the code, not the dependencies' advisories.
//!
//! pass: an advisory scan CI runs and fails on · partial: a scan that gates
//! nothing, a deny config no CI runs, or only update bots / code scanning ·
//! fail: nothing.

use crate::analyzers::scan;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Evidence, Outcome, RuleDef};

/// Vulnerability scanners run in CI.
pub const SCANNERS: &str = r"(?i)cargo[\s-]+audit\b|rustsec/audit-check|actions-rs/audit-check|cargo[\s-]+deny\b|EmbarkStudios/cargo-deny-action|\btrivy\b|aquasecurity/trivy-action|\bgrype\b|anchore/scan-action|osv-scanner|google/osv-scanner|snyk\s+test|snyk/actions|cargo[\s-]+pants|docker\s+scout\s+cves";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let looked = "cargo audit / cargo deny check advisories / trivy / grype / osv-scanner in a CI step that fails the build";
    let mut gating = Vec::new();
    let mut weak: Vec<Evidence> = Vec::new();
    let scanners = scan::re(SCANNERS);
    let deny_check = scan::re(r"(?i)deny[^\n]*?\bcheck\b([^\n|&;]*)");
    for (hit, cmd) in scan::ci_hits(facts, &scanners) {
        let text = cmd.text.to_ascii_lowercase();
        if text.contains("deny")
            && !text.contains("audit")
            && !text.contains("trivy")
            && !text.contains("grype")
        {
            // cargo-deny: which checks? (action input `command: check bans licenses` or CLI args)
            let checks: Vec<String> = deny_check
                .captures(&text)
                .map(|c| {
                    c[1].split_whitespace()
                        .filter(|w| !w.starts_with('-'))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let named: Vec<&String> = checks
                .iter()
                .filter(|w| {
                    ["advisories", "bans", "licenses", "sources", "all"].contains(&w.as_str())
                })
                .collect();
            if !named.is_empty() && !named.iter().any(|w| *w == "advisories" || *w == "all") {
                weak.push(Evidence::new(
                    hit.location,
                    format!(
                        "{} — checks {} only, not advisories",
                        hit.what,
                        named
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                continue;
            }
        }
        if cmd.allow_failure {
            weak.push(Evidence::new(
                hit.location,
                format!(
                    "{} — but the step may fail without failing the build",
                    hit.what
                ),
            ));
        } else {
            gating.push(hit);
        }
    }
    if !gating.is_empty() {
        return Outcome::pass(gating[0].what.clone())
            .with_hits(gating)
            .with(weak);
    }
    let configs: Vec<Hit> = facts
        .files
        .iter()
        .filter(|f| {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            matches!(
                name,
                "deny.toml"
                    | "audit.toml"
                    | ".trivyignore"
                    | "trivy.yaml"
                    | ".grype.yaml"
                    | "osv-scanner.toml"
            )
        })
        .map(|f| {
            Hit::new(
                Location::file(f.path.clone()),
                format!("`{}` is configured", f.path),
            )
        })
        .collect();
    if !weak.is_empty() {
        return Outcome::partial(format!(
            "a scanner runs in CI but gates nothing: {}",
            weak[0].message
        ))
        .with(weak)
        .with_found_hits(configs)
        .looked_for(looked);
    }
    if !configs.is_empty() {
        return Outcome::partial(format!(
            "{} but no CI step runs the scanner",
            configs[0].what
        ))
        .with_found_hits(configs)
        .looked_for(looked);
    }
    let mut other: Vec<Hit> = facts
        .files
        .iter()
        .filter(|f| {
            f.path.ends_with(".github/dependabot.yml")
                || f.path.ends_with(".github/dependabot.yaml")
                || f.path.ends_with("renovate.json")
                || f.path.ends_with("renovate.json5")
        })
        .map(|f| {
            Hit::new(
                Location::file(f.path.clone()),
                format!("`{}` updates dependencies", f.path),
            )
        })
        .collect();
    other.extend(
        scan::ci_hits(
            facts,
            &scan::re(r"(?i)github/codeql-action|semgrep|returntocorp/semgrep|cargo[\s-]+geiger"),
        )
        .into_iter()
        .map(|(h, _)| h),
    );
    if !other.is_empty() {
        return Outcome::partial(format!(
            "{}, but no advisory scan checks the dependencies for known vulnerabilities",
            other[0].what
        ))
        .with_found_hits(other)
        .looked_for(looked);
    }
    Outcome::fail("no vulnerability scan")
        .at(
            scan::ci_anchor(facts),
            "no cargo audit / cargo deny / trivy / grype step in CI",
        )
        .looked_for(looked)
}
