//! `docker.ci-scan`: CI scans the image (or its filesystem) for known
//! vulnerabilities.
//!
//! A CI step (or a Makefile/justfile recipe a step runs) that calls a
//! vulnerability scanner on the image or the tree: trivy (`trivy image`,
//! `trivy fs`, `aquasecurity/trivy-action`), grype (`anchore/scan-action`),
//! `docker scout cves` (`docker/scout-action`), `snyk container`, clair,
//! dockle, or GitHub's container scanning actions. A step marked
//! `continue-on-error`/`allow_failure` still reports but gates nothing. Linting
//! the Dockerfile (hadolint) finds mistakes, not vulnerable packages.
//!
//! pass: a scanner runs in a step that can fail the pipeline · partial: the
//! scan may fail without failing the pipeline, or only hadolint runs · fail:
//! no scan · n/a: no Dockerfile.

use super::image;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};
use regex::Regex;

const SCANNERS: &str = r"(?i)\btrivy\b|trivy-action|\bgrype\b|anchore/scan-action|docker scout|scout-action|snyk (container|test --docker)|snyk/actions/docker|\bclair(ctl)?\b|\bdockle\b|sysdiglabs/scan-action|neuvector|prisma-cloud-scan|docker/scout|azure/container-scan|crazy-max/ghaction-container-scan";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let re = Regex::new(SCANNERS).expect("valid regex");
    let cmds = facts.ci_commands();
    let hits: Vec<_> = cmds.iter().filter(|c| re.is_match(&c.text)).collect();
    let looked = "a CI step running trivy, grype, docker scout, snyk container or a scan action on the image";
    if let Some(c) = hits.iter().find(|c| !c.allow_failure) {
        let m = re
            .find(&c.text)
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        let mut o = Outcome::pass(format!("CI scans the image with `{m}`"));
        for h in &hits {
            o = o.at(
                h.location.clone(),
                format!("image scan `{}`", first_line(&h.text)),
            );
        }
        return o;
    }
    if let Some(c) = hits.first() {
        return Outcome::partial(
            "the image is scanned in CI, but a failing scan does not fail the pipeline",
        )
        .at(
            c.location.clone(),
            format!(
                "`{}` runs with continue-on-error/allow_failure",
                first_line(&c.text)
            ),
        )
        .looked_for(looked);
    }
    let first = Location::new(judged.files[0].path.clone(), 1);
    if let Some(c) = cmds.iter().find(|c| c.text.contains("hadolint")) {
        return Outcome::partial("CI lints the Dockerfile (hadolint) but does not scan the image for vulnerable packages")
            .found_at(c.location.clone(), "hadolint checks Dockerfile mistakes, not CVEs")
            .at(first, "image built from here is not scanned")
            .looked_for(looked);
    }
    let mut o = Outcome::fail("no image vulnerability scan in CI")
        .at(first, "image built from here is never scanned");
    if facts.ci.is_empty() {
        o = o.at(
            Location::file("."),
            "no CI workflow found (.github/workflows, .gitlab-ci.yml, .circleci/config.yml)",
        );
    }
    o.looked_for(looked)
}

fn first_line(s: &str) -> String {
    let l = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if l.chars().count() > 80 {
        format!("{}…", l.chars().take(80).collect::<String>())
    } else {
        l.to_string()
    }
}
