//! `ready.container-build`: CI builds the container image.
//!
//! A CI step — or a Makefile/justfile recipe or script a step runs — that
//! builds an image: `docker build`/`docker buildx build`/`docker buildx bake`,
//! `docker/build-push-action`, `docker compose build`, buildah, podman, kaniko,
//! `nix build` of an image, depot. An image nobody builds in CI breaks
//! unnoticed until release day. A build defined only in a Makefile that CI
//! never runs, or in a job allowed to fail, is half of it.
//!
//! pass: a CI step builds the image · partial: the build exists but CI does
//! not run it (or may fail) · fail: no image build · n/a: no Dockerfile.

use crate::analyzers::docker::image;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};
use regex::Regex;

const BUILDS: &str = r"docker(-| )compose (-f \S+ )?build|docker (buildx )?(build|bake)\b|buildx bake|build-push-action|docker/bake-action|\bbuildah (bud|build)\b|\bpodman build\b|\bkaniko\b|/kaniko/executor|\bdepot build\b|nix build \S*(docker|image|container)|redhat-actions/buildah-build|\bcross build --docker|\bko build\b";

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let re = Regex::new(BUILDS).expect("valid regex");
    let cmds = facts.ci_commands();
    let hits: Vec<_> = cmds.iter().filter(|c| re.is_match(&c.text)).collect();
    let looked = "a CI step building the image (docker build, docker/build-push-action, buildah, kaniko), directly or through a Makefile/justfile recipe";
    if let Some(c) = hits.iter().find(|c| !c.allow_failure) {
        let m = re
            .find(&c.text)
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        let mut o = Outcome::pass(format!("CI builds the image (`{m}`)"));
        for h in &hits {
            let via = h
                .via
                .as_ref()
                .map(|v| format!(" (run by {v})"))
                .unwrap_or_default();
            o = o.at(h.location.clone(), format!("image build{via}"));
        }
        return o.at(
            Location::new(judged.files[0].path.clone(), 1),
            "Dockerfile built",
        );
    }
    if let Some(c) = hits.first() {
        return Outcome::partial("the image is built in CI only in a step or job allowed to fail")
            .at(
                c.location.clone(),
                "image build with continue-on-error/allow_failure",
            )
            .looked_for(looked);
    }
    let local: Vec<_> = facts
        .texts_where(|t| {
            let name = crate::analyzers::file_name(&t.path);
            matches!(
                name.as_str(),
                "makefile" | "justfile" | ".justfile" | "makefile.toml"
            ) || name.ends_with(".sh")
        })
        .filter_map(|t| {
            let m = re.find(&t.text)?;
            let line = crate::location::line_at(&t.text, m.start());
            Some((Location::new(t.path.clone(), line), m.as_str().to_string()))
        })
        .collect();
    if let Some((loc, m)) = local.first() {
        return Outcome::partial(format!(
            "the image build is scripted (`{m}`) but no CI step runs it"
        ))
        .at(loc.clone(), "build recipe CI never runs")
        .looked_for(looked);
    }
    Outcome::fail("CI never builds the container image")
        .at(
            Location::new(judged.files[0].path.clone(), 1),
            "this Dockerfile is not built by any CI step",
        )
        .looked_for(looked)
}
