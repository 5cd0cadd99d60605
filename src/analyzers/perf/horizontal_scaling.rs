//! `perf.horizontal-scaling`: the service scales out — its shared state is in
//! external stores, and its deployment runs (or autoscales) several replicas.
//!
//! - blockers: sessions in memory, or an embedded SQLite/DuckDB database as the
//!   only store (each replica would have its own data);
//! - state in the process (see `perf.load-balancing`) weakens it;
//! - scaling declared: a Kubernetes `HorizontalPodAutoscaler` or KEDA
//!   `ScaledObject`, `replicas:`/`replicaCount:` of 2 or more, Helm
//!   `autoscaling.enabled: true`, compose `deploy.replicas`, Fly
//!   `min_machines_running`, ECS `desired_count` — read from workload
//!   manifests, Helm values, compose, `fly.toml` and Terraform files.
//!
//! fail: a blocker · partial: state in the process, a single replica
//! declared, or no deployment manifest in the repository · pass: external
//! state and several replicas or an autoscaler · n/a: no HTTP/gRPC server.

use crate::analyzers::{scan, unless_server};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let dbs = crate::analyzers::db::databases(facts);
    let sessions = super::memory_sessions(facts);
    let state = super::in_process_state(facts);
    let autoscaler = scan::re(
        r"(?m)^\s*kind:\s*(HorizontalPodAutoscaler|ScaledObject)\b|^\s*autoscaling:\s*\n\s*enabled:\s*true",
    );
    let many = scan::re(
        r"(?m)^\s*(replicas|replicaCount|desired_count|min_machines_running|minReplicas)\s*[:=]\s*([2-9]|\d{2,})\b",
    );
    let single = scan::re(
        r"(?m)^\s*(replicas|replicaCount|desired_count|min_machines_running)\s*[:=]\s*1\b",
    );
    let workload = scan::re(
        r"(?m)^\s*kind:\s*(Deployment|StatefulSet|ReplicaSet|Rollout|ScaledObject|HorizontalPodAutoscaler)\b",
    );
    // Deployment descriptions: workloads, Helm values, compose, Fly, Terraform.
    let deploys: Vec<&crate::facts::TextFile> = facts
        .texts_where(|t| {
            let name = t.path.rsplit('/').next().unwrap_or(&t.path);
            t.role.is_service()
                && (workload.is_match(&t.text)
                    || name.starts_with("values")
                    || name.starts_with("docker-compose")
                    || name.starts_with("compose")
                    || name == "fly.toml"
                    || name.ends_with(".tf"))
        })
        .collect();
    let mut scaled = Vec::new();
    let mut one = Vec::new();
    for t in &deploys {
        scaled.extend(scan::file_hits(t, &autoscaler, 1));
        scaled.extend(scan::file_hits(t, &many, 1));
        one.extend(scan::file_hits(t, &single, 1));
    }
    let external: Vec<Hit> = dbs
        .sql
        .iter()
        .chain(&dbs.doc)
        .cloned()
        .chain(facts.dep_hits(&["redis", "fred", "deadpool-redis", "bb8-redis"]))
        .collect();
    let looked = "state in external stores (database, redis) and several replicas or an autoscaler in the deployment manifests";
    if !sessions.is_empty() {
        return Outcome::fail(
            "sessions live in one replica's memory: a second replica does not know the user",
        )
        .with_hits(sessions)
        .looked_for(looked);
    }
    if dbs.embedded_only
        && dbs.doc.is_empty()
        && facts.dep_hits(&["redis", "fred", "libsql"]).is_empty()
    {
        return Outcome::fail(
            "the only database is embedded (SQLite/DuckDB): each replica would keep its own data",
        )
        .with_hits(dbs.sql)
        .looked_for(looked);
    }
    if !state.is_empty() {
        return Outcome::partial(format!("state is kept in the process ({})", state[0].what))
            .with_hits(state)
            .with_found_hits(scaled)
            .looked_for(looked);
    }
    if !scaled.is_empty() {
        return Outcome::pass(format!("stateless, and scaled out: {}", scaled[0].what))
            .with_hits(scaled)
            .with_hits(external.into_iter().take(3));
    }
    if !one.is_empty() {
        return Outcome::partial(format!(
            "the deployment runs a single replica ({})",
            one[0].what
        ))
        .with_hits(one)
        .looked_for(looked);
    }
    Outcome::partial("the handlers keep no state in the process, but no replica count or autoscaler is in the repository")
        .at(facts.anchor(), "no deployment manifest declaring replicas or an autoscaler")
        .with_found_hits(external.into_iter().take(3))
        .looked_for(looked)
}
