//! `docker.non-root`: the shipped image runs its process as a non-root user.
//!
//! Only the stages that become images count ([`image::runtime_stages`]); a
//! `USER` in a build stage changes nothing in the final image. A runtime stage
//! runs as its last `USER` (inherited from a stage it is built `FROM`), else as
//! its base image's user: distroless `:nonroot` tags and Chainguard images
//! default to a non-root user, everything else to root. `USER root`/`0` is
//! root. A Kubernetes `securityContext` (`runAsNonRoot: true`, `runAsUser`
//! other than 0) or a compose `user:` on the service's container also makes it
//! run unprivileged. A root process that is compromised owns the container and
//! is one kernel bug from the host.
//!
//! pass: every runtime stage runs as non-root · fail: one runs as root ·
//! n/a: no Dockerfile.

use super::{app_containers, image, workload_label};
use crate::analyzers::tally::Tally;
use crate::extract::docker::{Dockerfile, Stage};
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

/// Who a runtime stage runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsAs {
    /// A `USER` instruction names a non-root user.
    User { name: String, line: u32 },
    /// `USER root` / `USER 0`.
    Root { line: u32 },
    /// No `USER`; the base image defaults to a non-root user.
    BaseNonRoot,
    /// No `USER`; the base image runs as root.
    BaseRoot,
}

impl RunsAs {
    pub fn is_root(&self) -> bool {
        matches!(self, RunsAs::Root { .. } | RunsAs::BaseRoot)
    }
}

/// Who a stage runs as.
pub fn runs_as(d: &Dockerfile, s: &Stage) -> RunsAs {
    if let Some((_, i)) = image::inherited(d, s, "USER") {
        let vars = image::arg_defaults(&d.global_args);
        let user = image::substitute(i.text.trim(), &vars);
        let name = user.split(':').next().unwrap_or("").trim().to_string();
        return if name == "root" || name == "0" {
            RunsAs::Root { line: i.line }
        } else {
            RunsAs::User { name, line: i.line }
        };
    }
    let resolved = image::resolve_image(d, s);
    let (_, tag, _) = image::split_ref(&resolved);
    let nonroot_tag = tag.as_deref().is_some_and(|t| t.contains("nonroot"));
    match image::base_class(&resolved) {
        image::Base::Chainguard => RunsAs::BaseNonRoot,
        image::Base::Distroless if nonroot_tag => RunsAs::BaseNonRoot,
        _ => RunsAs::BaseRoot,
    }
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    // Orchestrator settings that force a non-root user.
    let forced: Vec<(Location, String)> = app_containers(facts)
        .into_iter()
        .filter_map(|(w, c)| {
            let s = c.non_root.as_ref().or(w.non_root.as_ref())?;
            s.value.then(|| {
                (
                    Location::new(w.path.clone(), s.line),
                    format!(
                        "{} runs as non-root (securityContext / user)",
                        workload_label(w)
                    ),
                )
            })
        })
        .collect();
    let mut t = Tally::default();
    for d in &judged.files {
        for s in image::runtime_stages(d) {
            let label = image::stage_label(d, s);
            match runs_as(d, s) {
                RunsAs::User { name, line } => t.good(
                    Location::new(d.path.clone(), line),
                    format!("{label} runs as `{name}`"),
                ),
                RunsAs::BaseNonRoot => t.good(
                    image::stage_loc(d, s),
                    format!("{label}: the base image runs as a non-root user"),
                ),
                root => {
                    let at = match root {
                        RunsAs::Root { line } => Location::new(d.path.clone(), line),
                        _ => image::stage_loc(d, s),
                    };
                    let why = if matches!(root, RunsAs::Root { .. }) {
                        format!("{label} switches to root")
                    } else {
                        format!("{label} has no USER: the process runs as root")
                    };
                    match forced.first() {
                        Some((loc, what)) => {
                            t.good(loc.clone(), what.clone());
                            t.note(at, format!("{why}, but the orchestrator overrides it"));
                        }
                        None => t.bad(at, why),
                    }
                    // A USER set only in a build stage does not carry over.
                    for st in &d.stages {
                        if st.index != s.index
                            && !image::chain(d, s).iter().any(|c| c.index == st.index)
                        {
                            if let Some(u) = st.find("USER").last() {
                                t.note(
                                    Location::new(d.path.clone(), u.line),
                                    "USER here is in another stage and does not apply to the image",
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    t.outcome("`USER <non-root>` in the runtime stage (or a distroless :nonroot base), or runAsNonRoot in the Kubernetes securityContext")
}
