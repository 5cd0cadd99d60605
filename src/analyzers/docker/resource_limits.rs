//! `docker.resource-limits`: the service's containers run with CPU and memory
//! bounds.
//!
//! Read from the compose files, Kubernetes manifests and Helm values that run
//! the service ([`super::app_containers`]): compose `deploy.resources.limits`
//! (`cpus`, `memory`) or `mem_limit`/`cpus`; Kubernetes `resources.limits` and
//! `requests`; Helm `values.yaml` `resources`. A memory limit keeps a leak from
//! taking the node down; CPU needs at least a request so the scheduler can
//! place the pod (many teams deliberately set no CPU limit). A Dockerfile
//! cannot set limits, so without manifests the repository does not say.
//!
//! pass: memory limit and a CPU limit or request on every container ·
//! partial: some of it, a chart leaving `resources` empty, or a compose file
//! (often local development only) with none · fail: Kubernetes manifests with
//! no limits · manual: no compose/Kubernetes/Helm manifest runs the
//! service here · n/a: no Dockerfile.

use super::{app_containers, container_loc, image, workload_label};
use crate::analyzers::tally::Tally;
use crate::facts::manifests::{Source, Spot};
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Err(na) = image::unless_dockerfile(facts) {
        return na;
    }
    let apps = app_containers(facts);
    if apps.is_empty() {
        return Outcome::manual("no compose, Kubernetes or Helm manifest runs the service in this repository: its limits are set wherever it is deployed");
    }
    let mut t = Tally::default();
    for (w, c) in apps {
        let label = workload_label(w);
        fn has<'a>(list: &'a [Spot<String>], key: &str) -> Option<&'a Spot<String>> {
            list.iter()
                .find(|s| s.value.starts_with(&format!("{key}=")))
        }
        let mem = has(&c.limits, "memory");
        let cpu = has(&c.limits, "cpu").or_else(|| has(&c.requests, "cpu"));
        let at = container_loc(w, c);
        match (mem, cpu) {
            (Some(m), Some(cp)) => t.good(
                crate::location::Location::new(w.path.clone(), m.line),
                format!("{label}: {} and {}", m.value, cp.value),
            ),
            (Some(m), None) => t.half(
                crate::location::Location::new(w.path.clone(), m.line),
                format!("{label}: {} but no CPU limit or request", m.value),
            ),
            (None, Some(cp)) => t.half(
                crate::location::Location::new(w.path.clone(), cp.line),
                format!("{label}: {} but no memory limit: a leak can exhaust the node", cp.value),
            ),
            (None, None) if w.source == Source::Helm => t.half(
                at,
                format!("{label}: `resources` is left empty in values.yaml: limits depend on whoever installs the chart"),
            ),
            (None, None) if w.source == Source::Compose => t.half(
                at,
                format!("{label} runs with no CPU or memory limits (if this compose file is for local development only, attest where production sets them)"),
            ),
            (None, None) => t.bad(at, format!("{label} runs with no CPU or memory limits")),
        }
    }
    t.outcome("memory and CPU limits (or CPU requests) on every container that runs the service")
}
