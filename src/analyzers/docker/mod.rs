//! Analyzers for the Containers section (`docker.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).
//! The section applies when the service has a Dockerfile or Containerfile
//! ([`image::unless_dockerfile`]); compose files, Kubernetes manifests and Helm
//! charts that run the service ([`app_workloads`]) and the code's listen
//! addresses ([`listen`]) are joined to it.

pub mod env_config;
pub mod healthcheck;
pub mod image;
pub mod image_scan;
pub mod listen;
pub mod multi_stage;
pub mod network;
pub mod non_root;
pub mod pinned_base;
pub mod resource_limits;
pub mod signals;
pub mod volumes;

use super::Decide;
use crate::extract::docker::Dockerfile;
use crate::facts::manifests::{Container, Source, Workload};
use crate::facts::Facts;
use crate::location::Location;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("multi_stage", multi_stage::decide),
    ("image_scan", image_scan::decide),
    ("docker_env_config", env_config::decide),
    ("docker_volumes", volumes::decide),
    ("docker_network", network::decide),
    ("resource_limits", resource_limits::decide),
    ("docker_healthcheck", healthcheck::decide),
    ("docker_signals", signals::decide),
    ("non_root", non_root::decide),
    ("pinned_base", pinned_base::decide),
];

/// Images of infrastructure a compose file runs next to the service.
const INFRA_IMAGES: &[&str] = &[
    "postgres",
    "postgis",
    "mysql",
    "mariadb",
    "redis",
    "valkey",
    "memcached",
    "mongo",
    "rabbitmq",
    "kafka",
    "zookeeper",
    "nats",
    "minio",
    "localstack",
    "elasticsearch",
    "opensearch",
    "jaeger",
    "all-in-one",
    "zipkin",
    "prometheus",
    "grafana",
    "loki",
    "tempo",
    "opentelemetry-collector",
    "otel",
    "nginx",
    "traefik",
    "envoy",
    "consul",
    "vault",
    "etcd",
    "keycloak",
    "mailhog",
    "mailpit",
    "adminer",
    "pgadmin4",
    "clickhouse-server",
    "cassandra",
    "scylla",
    "agent",
    "ddapm-test-agent",
    "redpanda",
    "pulsar",
    "azurite",
    "dynamodb-local",
    "wiremock",
    "toxiproxy",
];

/// Whether a container runs this repository's service: it is built here, its
/// image is named after a service package or binary, or (outside compose) it
/// is not a well-known infrastructure image.
pub fn is_app(facts: &Facts, w: &Workload, c: &Container) -> bool {
    if w.source == Source::Helm {
        return true;
    }
    if let Some(df) = &c.dockerfile {
        // Built here: the app when it builds one of the service's Dockerfiles
        // (or a Dockerfile seaworthy did not read).
        let judged = image::judged(facts);
        return judged.files.iter().any(|d| &d.path == df)
            || !judged.left_out.iter().any(|(d, _)| &d.path == df);
    }
    let Some(image) = &c.image else {
        return false;
    };
    let (repo, _, _) = image::split_ref(&image.value);
    let last = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let named = facts.service_packages().any(|p| {
        let name = norm(&p.name);
        last == name
            || repo.contains(&format!("/{name}"))
            || p.targets
                .iter()
                .any(|t| t.kind == "bin" && norm(&t.name) == last)
    });
    if named {
        return true;
    }
    w.source == Source::Kubernetes
        && !INFRA_IMAGES
            .iter()
            .any(|i| last == *i || last.starts_with(&format!("{i}-")))
}

/// Whether a file belongs to what the container runs: a server package, or a
/// package a server package depends on (its libraries), not a CLI or build
/// tool living in the same workspace.
pub fn in_service_scope(facts: &Facts, path: &str) -> bool {
    let Some(i) = crate::facts::packages::package_of(&facts.packages, path) else {
        return true;
    };
    let p = &facts.packages[i];
    if facts.server_packages().next().is_none() {
        return p.is_service_code();
    }
    p.is_server()
        || facts.server_packages().any(|s| {
            s.deps
                .iter()
                .any(|d| crate::facts::packages::same_crate(&d.name, &p.name))
        })
}

/// Workloads and containers that run the service.
pub fn app_containers(facts: &Facts) -> Vec<(&Workload, &Container)> {
    facts
        .workloads
        .iter()
        .filter(|w| crate::classify::role_of(&w.path).is_service())
        .flat_map(|w| w.containers.iter().map(move |c| (w, c)))
        .filter(|(w, c)| is_app(facts, w, c))
        .collect()
}

/// Where a workload's container is declared.
pub fn container_loc(w: &Workload, c: &Container) -> Location {
    Location::new(w.path.clone(), if c.line > 1 { c.line } else { w.line })
}

/// "compose service `api`", "Deployment `api`", "Helm chart `api`".
pub fn workload_label(w: &Workload) -> String {
    match w.source {
        Source::Compose => format!("compose service `{}`", w.name),
        Source::Kubernetes => format!("{} `{}`", w.kind, w.name),
        Source::Helm => format!("Helm chart `{}`", w.name),
    }
}

/// Environment values set for the service: runtime-stage `ENV` of the
/// Dockerfiles and the app containers' environment.
pub fn container_env(facts: &Facts, files: &[&Dockerfile]) -> Vec<(String, String, Location)> {
    let mut out = Vec::new();
    for d in files {
        for s in image::runtime_stages(d) {
            for st in image::chain(d, s) {
                for i in st.find("ENV") {
                    for (k, v) in env_pairs(&i.text) {
                        out.push((k, v, Location::new(d.path.clone(), i.line)));
                    }
                }
            }
        }
    }
    for (w, c) in app_containers(facts) {
        for e in &c.env {
            if let Some(v) = &e.value {
                out.push((
                    e.name.clone(),
                    v.clone(),
                    Location::new(w.path.clone(), e.line),
                ));
            }
        }
    }
    out
}

/// `KEY=value KEY2="v 2"` (or the legacy `KEY value`) into pairs.
pub fn env_pairs(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    if !text.contains('=')
        || text
            .split_whitespace()
            .next()
            .is_some_and(|w| !w.contains('='))
    {
        return match text.split_once(char::is_whitespace) {
            Some((k, v)) => vec![(k.to_string(), v.trim().to_string())],
            None => Vec::new(),
        };
    }
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        while chars
            .peek()
            .is_some_and(|c| c.is_whitespace() || *c == '\\')
        {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        let quote = match chars.peek() {
            Some('"') | Some('\'') => chars.next(),
            _ => None,
        };
        for c in chars.by_ref() {
            match quote {
                Some(q) if c == q => break,
                None if c.is_whitespace() => break,
                _ => value.push(c),
            }
        }
        out.push((key.trim().to_string(), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::env_pairs;

    #[test]
    fn env_forms() {
        assert_eq!(
            env_pairs("A=1 B=\"two words\" C=x"),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x".into())
            ]
        );
        assert_eq!(env_pairs("PORT 8080"), vec![("PORT".into(), "8080".into())]);
    }
}
