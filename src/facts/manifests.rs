//! Deployment manifests as facts: what compose, Kubernetes and Helm say about
//! how the service runs.
//!
//! Compose files and Kubernetes manifests arrive as line-numbered YAML trees
//! ([`YNode`]); Helm charts arrive as text (their templates are not YAML until
//! rendered) plus a `values.yaml`. Each becomes [`Workload`]s — a compose
//! service, a Deployment/StatefulSet/DaemonSet/Job/Pod, or a chart — with their
//! containers' image, ports, probes, resources, environment, mounts and user,
//! and the pod's replicas, grace period and volumes. Every other Kubernetes
//! object is kept as a [`ManifestObject`] (kind, name, line), with the scale
//! target of an autoscaler and the ports of a Service.
//!
//! The containers' commands (`curl -f http://localhost:8080/healthz`) are read
//! by [`http_check`], shared with the Dockerfile `HEALTHCHECK`.

use super::{TextFile, YamlFile};
use crate::extract::yaml::{self, DocKind, YNode, YVal};
use serde::Serialize;

/// Where a workload was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Compose,
    Kubernetes,
    Helm,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Compose => "compose",
            Source::Kubernetes => "Kubernetes",
            Source::Helm => "Helm chart",
        }
    }
}

/// A value and the line it was written on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spot<T> {
    pub value: T,
    pub line: u32,
}

fn spot<T>(value: T, line: u32) -> Spot<T> {
    Spot { value, line }
}

/// A unit that runs containers.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub source: Source,
    pub path: String,
    pub line: u32,
    /// `service` (compose), `Deployment`, `StatefulSet`, …, `chart` (Helm).
    pub kind: String,
    pub name: String,
    pub replicas: Option<Spot<i64>>,
    /// `terminationGracePeriodSeconds`, compose `stop_grace_period` (seconds).
    pub grace_period: Option<Spot<i64>>,
    /// compose `stop_signal`.
    pub stop_signal: Option<Spot<String>>,
    /// Pod-level `securityContext`: `runAsNonRoot: true` or a non-zero `runAsUser`.
    pub non_root: Option<Spot<bool>>,
    /// Pod volumes (`name (persistentVolumeClaim)`), StatefulSet volume claim
    /// templates, compose named/bind volumes.
    pub volumes: Vec<Spot<String>>,
    /// compose networks the service joins.
    pub networks: Vec<Spot<String>>,
    pub containers: Vec<Container>,
}

/// One container of a workload.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Container {
    pub name: String,
    pub line: u32,
    pub image: Option<Spot<String>>,
    /// compose `build:` (context, and the Dockerfile when named).
    pub build: Option<Spot<String>>,
    /// compose `build.target`.
    pub build_target: Option<String>,
    /// The Dockerfile a compose `build:` uses, relative to the audited root.
    pub dockerfile: Option<String>,
    /// Ports the container listens on (container side).
    pub ports: Vec<PortDecl>,
    pub probes: Vec<Probe>,
    /// `cpu`/`memory` limits (compose `cpus`/`memory`/`mem_limit` mapped to them).
    pub limits: Vec<Spot<String>>,
    pub requests: Vec<Spot<String>>,
    pub env: Vec<EnvVar>,
    pub command: Option<Spot<String>>,
    /// Mount targets inside the container.
    pub mounts: Vec<Spot<String>>,
    /// Container `securityContext` or compose `user:`.
    pub non_root: Option<Spot<bool>>,
}

/// A port a container listens on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortDecl {
    /// The container-side port, when numeric.
    pub port: Option<u16>,
    /// A port's name (`http`), for probes that refer to it.
    pub name: Option<String>,
    /// The host side of a compose mapping.
    pub published: Option<String>,
    /// The host address of a compose mapping (`127.0.0.1:8080:8080`).
    pub host_ip: Option<String>,
    pub line: u32,
}

/// An environment variable set on a container.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// A literal value (`valueFrom` references have none).
    pub value: Option<String>,
    pub line: u32,
}

/// What kind of check a probe is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
    /// A compose `healthcheck`.
    Healthcheck,
}

impl ProbeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Startup => "startupProbe",
            ProbeKind::Healthcheck => "healthcheck",
        }
    }
}

/// How a probe checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProbeAction {
    /// `httpGet` (or a command running curl/wget against a URL).
    Http {
        path: String,
        port: Option<String>,
    },
    Exec {
        command: String,
    },
    Tcp {
        port: Option<String>,
    },
    Grpc {
        port: Option<String>,
    },
    /// compose `disable: true` / `test: ["NONE"]`.
    Disabled,
    /// Written with template expressions that cannot be read statically.
    Templated,
}

/// A liveness/readiness/startup probe or compose healthcheck.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Probe {
    pub kind: ProbeKind,
    pub line: u32,
    pub action: ProbeAction,
    /// The file it is written in, when not the workload's own (Helm templates).
    pub path: Option<String>,
    /// The command it runs inside the container (compose `test`, Kubernetes `exec`).
    pub command: Option<String>,
}

/// Any Kubernetes object, for rules that ask about kinds (HPA, Ingress,
/// PrometheusRule, Service).
#[derive(Debug, Clone, Serialize)]
pub struct ManifestObject {
    pub path: String,
    pub line: u32,
    pub kind: String,
    pub api_version: String,
    pub name: String,
    /// An autoscaler's `scaleTargetRef.name`.
    pub scale_target: Option<String>,
    /// A Service's ports: `port` and `targetPort`.
    pub ports: Vec<(Option<String>, Option<String>, u32)>,
}

/// Kinds that run pods, and where their pod spec is.
const POD_KINDS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("Rollout", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    ("Pod", &["spec"]),
];

/// Workloads and objects of every compose file, Kubernetes manifest and Helm chart.
pub fn collect(yaml: &[YamlFile], texts: &[TextFile]) -> (Vec<Workload>, Vec<ManifestObject>) {
    let mut workloads = Vec::new();
    let mut objects = Vec::new();
    for y in yaml {
        match y.kind {
            DocKind::Compose => {
                for d in &y.docs {
                    workloads.extend(compose(&y.path, &merge_keys(d)));
                }
            }
            DocKind::Kubernetes => {
                for d in &y.docs {
                    kubernetes(&y.path, d, &mut workloads, &mut objects);
                }
            }
            _ => {}
        }
    }
    workloads.extend(helm_charts(texts));
    (workloads, objects)
}

/// Apply YAML merge keys (`<<: *anchor`), which compose files use to share
/// service settings: the anchored entries fill in keys the mapping lacks.
fn merge_keys(n: &YNode) -> YNode {
    let val = match &n.val {
        YVal::Map(entries) => {
            let mut out: Vec<(String, YNode)> = Vec::new();
            let mut inherited: Vec<(String, YNode)> = Vec::new();
            for (k, v) in entries {
                if k == "<<" {
                    let sources: Vec<&YNode> = match &v.val {
                        YVal::Seq(items) => items.iter().collect(),
                        _ => vec![v],
                    };
                    for s in sources {
                        inherited.extend(merge_keys(s).entries().iter().cloned());
                    }
                } else {
                    out.push((k.clone(), merge_keys(v)));
                }
            }
            for (k, v) in inherited {
                if !out.iter().any(|(o, _)| *o == k) {
                    out.push((k, v));
                }
            }
            YVal::Map(out)
        }
        YVal::Seq(items) => YVal::Seq(items.iter().map(merge_keys).collect()),
        other => other.clone(),
    };
    YNode { line: n.line, val }
}

fn path_get<'a>(node: &'a YNode, keys: &[&str]) -> Option<&'a YNode> {
    keys.iter().try_fold(node, |n, k| n.get(k))
}

fn text_of(n: &YNode) -> Option<String> {
    n.as_str()
}

fn kubernetes(path: &str, doc: &YNode, out: &mut Vec<Workload>, objects: &mut Vec<ManifestObject>) {
    // `kind: List` wraps items.
    if doc.get("kind").and_then(text_of).as_deref() == Some("List") {
        for item in doc.get("items").map(YNode::items).unwrap_or(&[]) {
            kubernetes(path, item, out, objects);
        }
        return;
    }
    let Some(kind) = doc.get("kind").and_then(text_of) else {
        return;
    };
    let name = path_get(doc, &["metadata", "name"])
        .and_then(text_of)
        .unwrap_or_default();
    let api_version = doc.get("apiVersion").and_then(text_of).unwrap_or_default();
    let mut obj = ManifestObject {
        path: path.to_string(),
        line: doc.get("kind").map(|k| k.line).unwrap_or(doc.line),
        kind: kind.clone(),
        api_version: api_version.clone(),
        name: name.clone(),
        scale_target: path_get(doc, &["spec", "scaleTargetRef", "name"]).and_then(text_of),
        ports: Vec::new(),
    };
    if kind == "Service" {
        for p in path_get(doc, &["spec", "ports"])
            .map(YNode::items)
            .unwrap_or(&[])
        {
            obj.ports.push((
                p.get("port").and_then(text_of),
                p.get("targetPort").and_then(text_of),
                p.line,
            ));
        }
    }
    objects.push(obj);
    // Knative services carry a pod spec too.
    let pod_path: Option<&[&str]> =
        if kind == "Service" && api_version.starts_with("serving.knative.dev") {
            Some(&["spec", "template", "spec"])
        } else {
            POD_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p)
        };
    let Some(pod_path) = pod_path else {
        return;
    };
    let Some(pod) = path_get(doc, pod_path) else {
        return;
    };
    let mut w = Workload {
        source: Source::Kubernetes,
        path: path.to_string(),
        line: doc.get("kind").map(|k| k.line).unwrap_or(doc.line),
        kind,
        name,
        replicas: path_get(doc, &["spec", "replicas"]).and_then(int_spot),
        grace_period: pod.get("terminationGracePeriodSeconds").and_then(int_spot),
        stop_signal: None,
        non_root: pod.get("securityContext").and_then(security_non_root),
        volumes: Vec::new(),
        networks: Vec::new(),
        containers: Vec::new(),
    };
    for v in pod.get("volumes").map(YNode::items).unwrap_or(&[]) {
        let vname = v.get("name").and_then(text_of).unwrap_or_default();
        let source = v
            .entries()
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| *k != "name")
            .unwrap_or("volume");
        w.volumes.push(spot(format!("{vname} ({source})"), v.line));
    }
    for t in path_get(doc, &["spec", "volumeClaimTemplates"])
        .map(YNode::items)
        .unwrap_or(&[])
    {
        let vname = path_get(t, &["metadata", "name"])
            .and_then(text_of)
            .unwrap_or_default();
        w.volumes
            .push(spot(format!("{vname} (volumeClaimTemplate)"), t.line));
    }
    for c in pod.get("containers").map(YNode::items).unwrap_or(&[]) {
        w.containers.push(k8s_container(c));
    }
    out.push(w);
}

fn int_spot(n: &YNode) -> Option<Spot<i64>> {
    match &n.val {
        YVal::Int(i) => Some(spot(*i, n.line)),
        YVal::Str(s) => s.trim().parse().ok().map(|i| spot(i, n.line)),
        _ => None,
    }
}

/// `runAsNonRoot: true`, or `runAsUser` other than 0.
fn security_non_root(sc: &YNode) -> Option<Spot<bool>> {
    if let Some(n) = sc.get("runAsNonRoot") {
        if let YVal::Bool(b) = n.val {
            return Some(spot(b, n.line));
        }
    }
    sc.get("runAsUser")
        .and_then(int_spot)
        .map(|u| spot(u.value != 0, u.line))
}

fn k8s_container(c: &YNode) -> Container {
    let mut out = Container {
        name: c.get("name").and_then(text_of).unwrap_or_default(),
        line: c.line,
        image: c.get("image").and_then(|i| Some(spot(text_of(i)?, i.line))),
        non_root: c.get("securityContext").and_then(security_non_root),
        ..Container::default()
    };
    for p in c.get("ports").map(YNode::items).unwrap_or(&[]) {
        out.ports.push(PortDecl {
            port: p
                .get("containerPort")
                .and_then(int_spot)
                .and_then(|s| u16::try_from(s.value).ok()),
            name: p.get("name").and_then(text_of),
            published: None,
            host_ip: None,
            line: p.line,
        });
    }
    for (key, kind) in [
        ("livenessProbe", ProbeKind::Liveness),
        ("readinessProbe", ProbeKind::Readiness),
        ("startupProbe", ProbeKind::Startup),
    ] {
        if let Some(p) = c.get(key) {
            out.probes.push(Probe {
                kind,
                line: p.line.saturating_sub(1).max(1),
                action: k8s_probe_action(p),
                path: None,
                command: p.get("exec").and_then(|e| e.get("command")).map(|c| {
                    c.items()
                        .iter()
                        .filter_map(text_of)
                        .collect::<Vec<_>>()
                        .join(" ")
                }),
            });
        }
    }
    if let Some(r) = c.get("resources") {
        out.limits = resource_list(r.get("limits"));
        out.requests = resource_list(r.get("requests"));
    }
    for e in c.get("env").map(YNode::items).unwrap_or(&[]) {
        if let Some(name) = e.get("name").and_then(text_of) {
            out.env.push(EnvVar {
                name,
                value: e.get("value").and_then(text_of),
                line: e.line,
            });
        }
    }
    let cmd: Vec<String> = ["command", "args"]
        .iter()
        .filter_map(|k| c.get(k))
        .flat_map(|n| n.items().iter().filter_map(text_of).collect::<Vec<_>>())
        .collect();
    if !cmd.is_empty() {
        let line = c
            .get("command")
            .or_else(|| c.get("args"))
            .map(|n| n.line)
            .unwrap_or(c.line);
        out.command = Some(spot(cmd.join(" "), line));
    }
    for m in c.get("volumeMounts").map(YNode::items).unwrap_or(&[]) {
        if let Some(p) = m.get("mountPath").and_then(text_of) {
            out.mounts.push(spot(p, m.line));
        }
    }
    out
}

fn k8s_probe_action(p: &YNode) -> ProbeAction {
    if let Some(h) = p.get("httpGet") {
        return ProbeAction::Http {
            path: h
                .get("path")
                .and_then(text_of)
                .unwrap_or_else(|| "/".into()),
            port: h.get("port").and_then(text_of),
        };
    }
    if let Some(e) = p.get("exec") {
        let command = e
            .get("command")
            .map(|c| {
                c.items()
                    .iter()
                    .filter_map(text_of)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        return match http_check(&command) {
            Some(h) => ProbeAction::Http {
                path: h.path,
                port: h.port.map(|p| p.to_string()),
            },
            None => ProbeAction::Exec { command },
        };
    }
    if let Some(t) = p.get("tcpSocket") {
        return ProbeAction::Tcp {
            port: t.get("port").and_then(text_of),
        };
    }
    if let Some(g) = p.get("grpc") {
        return ProbeAction::Grpc {
            port: g.get("port").and_then(text_of),
        };
    }
    ProbeAction::Templated
}

fn resource_list(n: Option<&YNode>) -> Vec<Spot<String>> {
    let Some(n) = n else { return Vec::new() };
    n.entries()
        .iter()
        .filter(|(k, _)| k == "cpu" || k == "memory")
        .map(|(k, v)| spot(format!("{k}={}", text_of(v).unwrap_or_default()), v.line))
        .collect()
}

fn compose(path: &str, doc: &YNode) -> Vec<Workload> {
    let mut out = Vec::new();
    let Some(services) = doc.get("services") else {
        return out;
    };
    for (name, s) in services.entries() {
        let mut c = Container {
            name: name.clone(),
            line: s.line,
            image: s.get("image").and_then(|i| Some(spot(text_of(i)?, i.line))),
            ..Container::default()
        };
        if let Some(b) = s.get("build") {
            let ctx = text_of(b)
                .or_else(|| b.get("context").and_then(text_of))
                .unwrap_or_else(|| ".".into());
            let df = b.get("dockerfile").and_then(text_of);
            let text = match &df {
                Some(df) => format!("{ctx} ({df})"),
                None => ctx.clone(),
            };
            let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            c.dockerfile = Some(join_paths(&[
                dir,
                &ctx,
                df.as_deref().unwrap_or("Dockerfile"),
            ]));
            c.build = Some(spot(text, b.line));
            c.build_target = b.get("target").and_then(text_of);
        }
        for p in s.get("ports").map(YNode::items).unwrap_or(&[]) {
            c.ports.push(compose_port(p));
        }
        for p in s.get("expose").map(YNode::items).unwrap_or(&[]) {
            c.ports.push(PortDecl {
                port: text_of(p).and_then(|t| t.split('/').next()?.parse().ok()),
                name: None,
                published: None,
                host_ip: None,
                line: p.line,
            });
        }
        if let Some(h) = s.get("healthcheck") {
            c.probes.push(Probe {
                kind: ProbeKind::Healthcheck,
                line: h.line.saturating_sub(1).max(1),
                action: compose_healthcheck(h),
                path: None,
                command: compose_test_command(h),
            });
        }
        let res = path_get(s, &["deploy", "resources"]);
        c.limits = compose_resources(res.and_then(|r| r.get("limits")));
        c.requests = compose_resources(res.and_then(|r| r.get("reservations")));
        for (key, res) in [("mem_limit", "memory"), ("cpus", "cpu")] {
            if let Some(v) = s.get(key) {
                c.limits.push(spot(
                    format!("{res}={}", text_of(v).unwrap_or_default()),
                    v.line,
                ));
            }
        }
        if let Some(env) = s.get("environment") {
            c.env = compose_env(env);
        }
        if let Some(cmd) = s.get("command").or_else(|| s.get("entrypoint")) {
            if let Some(t) = cmd.as_text() {
                c.command = Some(spot(t.replace('\n', " "), cmd.line));
            }
        }
        let mut volumes = Vec::new();
        for v in s.get("volumes").map(YNode::items).unwrap_or(&[]) {
            let (src, target) = match text_of(v) {
                Some(t) => {
                    let mut parts = t.splitn(3, ':');
                    let a = parts.next().unwrap_or_default().to_string();
                    match parts.next() {
                        Some(b) => (a, b.to_string()),
                        None => (String::new(), a),
                    }
                }
                None => (
                    v.get("source").and_then(text_of).unwrap_or_default(),
                    v.get("target").and_then(text_of).unwrap_or_default(),
                ),
            };
            c.mounts.push(spot(target.clone(), v.line));
            volumes.push(spot(
                if src.is_empty() {
                    format!("anonymous volume at {target}")
                } else {
                    format!("{src} → {target}")
                },
                v.line,
            ));
        }
        if let Some(u) = s.get("user") {
            let t = text_of(u).unwrap_or_default();
            let user = t.split(':').next().unwrap_or("");
            c.non_root = Some(spot(
                !(user == "root" || user == "0" || user.is_empty()),
                u.line,
            ));
        }
        let networks = match s.get("networks") {
            Some(n) => {
                let mut v: Vec<Spot<String>> = n
                    .items()
                    .iter()
                    .filter_map(|i| Some(spot(text_of(i)?, i.line)))
                    .collect();
                v.extend(n.entries().iter().map(|(k, e)| spot(k.clone(), e.line)));
                v
            }
            None => Vec::new(),
        };
        out.push(Workload {
            source: Source::Compose,
            path: path.to_string(),
            line: s.line.saturating_sub(1).max(1),
            kind: "service".into(),
            name: name.clone(),
            replicas: path_get(s, &["deploy", "replicas"]).and_then(int_spot),
            grace_period: s
                .get("stop_grace_period")
                .and_then(|g| Some(spot(duration_secs(&text_of(g)?)?, g.line))),
            stop_signal: s
                .get("stop_signal")
                .and_then(|g| Some(spot(text_of(g)?, g.line))),
            non_root: None,
            volumes,
            networks,
            containers: vec![c],
        });
    }
    out
}

/// Join relative paths and resolve `.`/`..`: `["deploy", "..", "Dockerfile"]` → `Dockerfile`.
fn join_paths(parts: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in parts {
        for seg in part.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    out.pop();
                }
                s => out.push(s),
            }
        }
    }
    out.join("/")
}

fn compose_port(p: &YNode) -> PortDecl {
    if let Some(target) = p.get("target") {
        return PortDecl {
            port: text_of(target).and_then(|t| t.parse().ok()),
            name: p.get("name").and_then(text_of),
            published: p.get("published").and_then(text_of),
            host_ip: p.get("host_ip").and_then(text_of),
            line: p.line,
        };
    }
    let text = text_of(p).unwrap_or_default();
    let text = text.split('/').next().unwrap_or("").to_string();
    let parts: Vec<&str> = text.split(':').collect();
    let (host_ip, published, container) = match parts.as_slice() {
        [c] => (None, None, *c),
        [h, c] => (None, Some(h.to_string()), *c),
        [ip, h, c] => (Some(ip.to_string()), Some(h.to_string()), *c),
        _ => (None, None, ""),
    };
    PortDecl {
        port: container.split('-').next().and_then(|c| c.parse().ok()),
        name: None,
        published,
        host_ip,
        line: p.line,
    }
}

/// The command of a compose `healthcheck.test` (`CMD`/`CMD-SHELL` dropped).
fn compose_test_command(h: &YNode) -> Option<String> {
    let test = h.get("test")?;
    let words: Vec<String> = match &test.val {
        YVal::Seq(items) => items.iter().filter_map(text_of).collect(),
        _ => vec![text_of(test)?],
    };
    match words.first().map(String::as_str) {
        Some("NONE") => None,
        Some("CMD") | Some("CMD-SHELL") => Some(words[1..].join(" ")),
        _ => Some(words.join(" ")),
    }
}

fn compose_healthcheck(h: &YNode) -> ProbeAction {
    if matches!(h.get("disable").map(|d| &d.val), Some(YVal::Bool(true))) {
        return ProbeAction::Disabled;
    }
    if h.get("test").is_none() {
        return ProbeAction::Templated;
    }
    let Some(command) = compose_test_command(h) else {
        return ProbeAction::Disabled;
    };
    match http_check(&command) {
        Some(c) => ProbeAction::Http {
            path: c.path,
            port: c.port.map(|p| p.to_string()),
        },
        None => ProbeAction::Exec { command },
    }
}

fn compose_resources(n: Option<&YNode>) -> Vec<Spot<String>> {
    let Some(n) = n else { return Vec::new() };
    n.entries()
        .iter()
        .filter_map(|(k, v)| {
            let key = match k.as_str() {
                "cpus" => "cpu",
                "memory" => "memory",
                _ => return None,
            };
            Some(spot(
                format!("{key}={}", text_of(v).unwrap_or_default()),
                v.line,
            ))
        })
        .collect()
}

fn compose_env(env: &YNode) -> Vec<EnvVar> {
    let mut out: Vec<EnvVar> = env
        .entries()
        .iter()
        .map(|(k, v)| EnvVar {
            name: k.clone(),
            value: text_of(v),
            line: v.line,
        })
        .collect();
    for i in env.items() {
        if let Some(t) = text_of(i) {
            let (k, v) = match t.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (t, None),
            };
            out.push(EnvVar {
                name: k,
                value: v,
                line: i.line,
            });
        }
    }
    out
}

/// `30s`, `1m30s`, `90` → seconds.
fn duration_secs(t: &str) -> Option<i64> {
    let t = t.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    let mut total = 0i64;
    let mut num = String::new();
    let mut seen = false;
    for ch in t.chars() {
        if ch.is_ascii_digit() {
            num.push(ch);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        total += match ch {
            'h' => n * 3600,
            'm' => n * 60,
            's' => n,
            _ => return None,
        };
        seen = true;
    }
    (seen && num.is_empty()).then_some(total)
}

/// A health check command that requests a URL: the tool, port and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCheck {
    /// `curl`, `wget`, or the program run.
    pub tool: String,
    pub host: String,
    pub port: Option<u16>,
    /// Path without the query string.
    pub path: String,
}

/// Read `curl -f http://localhost:8080/healthz || exit 1` (or wget, or any
/// command with an http URL) into the URL it requests.
pub fn http_check(command: &str) -> Option<HttpCheck> {
    let tool = check_tool(command)?;
    let words: Vec<&str> = command
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let url = words
        .iter()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .copied()
        // `curl --fail localhost:3000/health`: no scheme.
        .or_else(|| {
            (tool == "curl" || tool == "wget")
                .then(|| {
                    words.iter().copied().find(|w| {
                        ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"]
                            .iter()
                            .any(|h| {
                                w.starts_with(&format!("{h}:")) || w.starts_with(&format!("{h}/"))
                            })
                    })
                })
                .flatten()
        })?;
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split(['?', '#']).next().unwrap_or("/").to_string();
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h.to_string(), p.parse().ok())
        }
        _ => (authority.to_string(), None),
    };
    Some(HttpCheck {
        tool,
        host,
        port,
        path,
    })
}

/// The program a health check command runs (`curl`, `wget`, `/app/healthcheck`),
/// looking through `sh -c` wrappers.
pub fn check_tool(command: &str) -> Option<String> {
    let mut words = command
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']' || c == ','));
    let mut first = words.next()?;
    while matches!(
        first,
        "sh" | "/bin/sh" | "bash" | "/bin/bash" | "-c" | "CMD" | "CMD-SHELL" | "exec"
    ) {
        first = words.next()?;
    }
    Some(first.rsplit('/').next().unwrap_or(first).to_string())
}

/// Helm charts: a `Chart.yaml`, its `values.yaml` and `templates/`.
fn helm_charts(texts: &[TextFile]) -> Vec<Workload> {
    let mut out = Vec::new();
    for chart in texts
        .iter()
        .filter(|t| t.path.ends_with("Chart.yaml") && t.role.is_service())
    {
        let dir = chart.path.trim_end_matches("Chart.yaml");
        let name = chart
            .text
            .lines()
            .find_map(|l| l.strip_prefix("name:"))
            .map(|n| n.trim().trim_matches('"').to_string())
            .unwrap_or_else(|| {
                dir.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string()
            });
        let values = texts.iter().find(|t| {
            t.path == format!("{dir}values.yaml") || t.path == format!("{dir}values.yml")
        });
        let values_doc = values
            .and_then(|v| yaml::load(&v.text).ok())
            .and_then(|d| d.into_iter().next());
        let mut c = Container {
            name: name.clone(),
            line: 1,
            ..Container::default()
        };
        let mut w = Workload {
            source: Source::Helm,
            path: chart.path.clone(),
            line: 1,
            kind: "chart".into(),
            name,
            replicas: None,
            grace_period: None,
            stop_signal: None,
            non_root: None,
            volumes: Vec::new(),
            networks: Vec::new(),
            containers: Vec::new(),
        };
        let templates: Vec<&TextFile> = texts
            .iter()
            .filter(|t| t.path.starts_with(&format!("{dir}templates/")))
            .collect();
        for t in &templates {
            helm_template_probes(t, &mut c);
        }
        if let Some(doc) = &values_doc {
            if let Some(r) = doc.get("resources") {
                c.limits = resource_list(r.get("limits"));
                c.requests = resource_list(r.get("requests"));
                c.line = r.line;
            }
            w.replicas = doc.get("replicaCount").and_then(int_spot);
            w.grace_period = doc.get("terminationGracePeriodSeconds").and_then(int_spot);
            w.non_root = doc
                .get("podSecurityContext")
                .and_then(security_non_root)
                .or_else(|| doc.get("securityContext").and_then(security_non_root));
        }
        w.path = values.map(|v| v.path.clone()).unwrap_or(w.path);
        w.containers.push(c);
        out.push(w);
    }
    out
}

/// Probes written in a Helm template: `livenessProbe:` followed by `httpGet:`
/// and a `path:` that is a literal or a template with a `default "/health"`.
fn helm_template_probes(t: &TextFile, c: &mut Container) {
    let lines: Vec<&str> = t.text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let trimmed = l.trim();
        let kind = match trimmed {
            "livenessProbe:" => ProbeKind::Liveness,
            "readinessProbe:" => ProbeKind::Readiness,
            "startupProbe:" => ProbeKind::Startup,
            _ => continue,
        };
        let mut action = ProbeAction::Templated;
        let indent = l.len() - l.trim_start().len();
        let mut path = None;
        let mut port = None;
        let mut http = false;
        for next in lines.iter().skip(i + 1).take(12) {
            let ni = next.len() - next.trim_start().len();
            if !next.trim().is_empty() && ni <= indent {
                break;
            }
            let nt = next.trim();
            if nt.starts_with("httpGet:") {
                http = true;
            } else if let Some(v) = nt.strip_prefix("path:") {
                path = template_literal(v);
            } else if let Some(v) = nt.strip_prefix("port:") {
                port = template_literal(v).map(|p| p.trim_start_matches(':').to_string());
            } else if nt.starts_with("grpc:") {
                action = ProbeAction::Grpc { port: None };
            } else if nt.starts_with("tcpSocket:") {
                action = ProbeAction::Tcp { port: None };
            }
        }
        if http {
            if let Some(p) = path {
                action = ProbeAction::Http { path: p, port };
            }
        }
        c.probes.push(Probe {
            kind,
            line: i as u32 + 1,
            action,
            path: Some(t.path.clone()),
            command: None,
        });
    }
}

/// A value written in a template: a literal, or the `default "x"` of an expression.
fn template_literal(v: &str) -> Option<String> {
    let v = v.trim();
    if !v.contains("{{") {
        return Some(v.trim_matches('"').trim_matches('\'').to_string()).filter(|s| !s.is_empty());
    }
    let at = v.find("default \"")? + "default \"".len();
    let end = v[at..].find('"')?;
    Some(v[at..at + end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Role;

    fn yaml_file(kind: DocKind, path: &str, text: &str) -> YamlFile {
        YamlFile {
            path: path.into(),
            kind,
            role: Role::Service,
            docs: yaml::load(text).unwrap(),
        }
    }

    #[test]
    fn kubernetes_deployment() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n  template:\n    spec:\n      terminationGracePeriodSeconds: 45\n      securityContext:\n        runAsNonRoot: true\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.2.0\n          ports:\n            - containerPort: 8080\n              name: http\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n          resources:\n            limits:\n              memory: 256Mi\n              cpu: 500m\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\nspec:\n  scaleTargetRef:\n    name: api\n";
        let (w, o) = collect(&[yaml_file(DocKind::Kubernetes, "k8s/api.yaml", text)], &[]);
        assert_eq!(w.len(), 1);
        let d = &w[0];
        assert_eq!((d.kind.as_str(), d.line), ("Deployment", 2));
        assert_eq!(d.replicas.as_ref().unwrap().value, 3);
        assert_eq!(d.grace_period.as_ref().unwrap().value, 45);
        assert!(d.non_root.as_ref().unwrap().value);
        let c = &d.containers[0];
        assert_eq!(c.ports[0].port, Some(8080));
        assert_eq!(
            c.probes[0].action,
            ProbeAction::Http {
                path: "/healthz".into(),
                port: Some("http".into())
            }
        );
        assert_eq!(c.probes[0].line, 18);
        assert_eq!(c.limits.len(), 2);
        assert_eq!(o[1].kind, "HorizontalPodAutoscaler");
        assert_eq!(o[1].scale_target.as_deref(), Some("api"));
    }

    #[test]
    fn compose_service() {
        let text = "services:\n  api:\n    build: .\n    ports:\n      - \"8080:3000\"\n      - 127.0.0.1:9090:9090\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:3000/health\"]\n    deploy:\n      resources:\n        limits:\n          cpus: '0.5'\n          memory: 512M\n    volumes:\n      - data:/var/lib/api\n    stop_grace_period: 1m30s\n  db:\n    image: postgres:16\n    healthcheck:\n      disable: true\nvolumes:\n  data:\n";
        let (w, _) = collect(
            &[yaml_file(DocKind::Compose, "docker-compose.yml", text)],
            &[],
        );
        assert_eq!(w.len(), 2);
        let api = &w[0].containers[0];
        assert_eq!(api.ports[0].port, Some(3000));
        assert_eq!(api.ports[0].published.as_deref(), Some("8080"));
        assert_eq!(api.ports[1].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(
            api.probes[0].action,
            ProbeAction::Http {
                path: "/health".into(),
                port: Some("3000".into())
            }
        );
        assert_eq!(api.limits.len(), 2);
        assert_eq!(w[0].volumes[0].value, "data → /var/lib/api");
        assert_eq!(w[0].grace_period.as_ref().unwrap().value, 90);
        assert_eq!(w[1].containers[0].probes[0].action, ProbeAction::Disabled);
        assert_eq!(api.dockerfile.as_deref(), Some("Dockerfile"));
        assert_eq!(
            join_paths(&["deploy", "../docker", "./Dockerfile.api"]),
            "docker/Dockerfile.api"
        );
    }

    #[test]
    fn compose_merge_keys() {
        let text = "x-build: &build\n  context: .\n  dockerfile: docker/Dockerfile\nservices:\n  web:\n    build:\n      <<: *build\n      target: web\n";
        let (w, _) = collect(&[yaml_file(DocKind::Compose, "compose.yaml", text)], &[]);
        let c = &w[0].containers[0];
        assert_eq!(c.dockerfile.as_deref(), Some("docker/Dockerfile"));
        assert_eq!(c.build_target.as_deref(), Some("web"));
    }

    #[test]
    fn health_commands() {
        let c = http_check("curl -f http://localhost:8000/api/v1/health || exit 1").unwrap();
        assert_eq!(
            (c.tool.as_str(), c.port, c.path.as_str()),
            ("curl", Some(8000), "/api/v1/health")
        );
        let c = http_check("wget -qO- http://127.0.0.1/healthz?full=1").unwrap();
        assert_eq!(
            (c.tool.as_str(), c.port, c.path.as_str()),
            ("wget", None, "/healthz")
        );
        assert_eq!(http_check("/app/healthcheck"), None);
        let c = http_check("curl --silent --fail localhost:3000/").unwrap();
        assert_eq!((c.port, c.path.as_str()), (Some(3000), "/"));
        assert_eq!(
            check_tool("/bin/sh -c 'curl -f x'").as_deref(),
            Some("curl")
        );
        assert_eq!(
            check_tool("/usr/local/bin/probe --x").as_deref(),
            Some("probe")
        );
    }

    #[test]
    fn helm_template_defaults() {
        assert_eq!(
            template_literal(r#"{{ (.Values.health.path | default "/health") }}{{"?live"}}"#)
                .as_deref(),
            Some("/health")
        );
        assert_eq!(template_literal("/ready").as_deref(), Some("/ready"));
        assert_eq!(template_literal("{{ .Values.path }}"), None);
    }
}
