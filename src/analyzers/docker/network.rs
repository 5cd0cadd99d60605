//! `docker.network`: the container listens where the image, the manifests and
//! the code say it does.
//!
//! Joins three artifacts. The code's listen address ([`listen::listens`]: bind
//! calls, port defaults, `PORT` with its default, config files), with an
//! environment variable the container sets (`ENV PORT=80`, compose/Kubernetes
//! `env`) taking precedence over its default. The image's `EXPOSE`. The
//! compose `ports`/`expose` and Kubernetes `containerPort`s of the service's
//! containers. Checked:
//! - `EXPOSE` and manifest ports name a port the server binds;
//! - the server does not bind `127.0.0.1`/`localhost` (unreachable from
//!   outside the container); a loopback default is partial unless the
//!   container's own settings (its environment, a config file the image
//!   copies in) bind every interface;
//! - a non-root runtime user binding a port below 1024 (works on Docker ≥ 20.10,
//!   which allows unprivileged low ports; fails on Kubernetes without
//!   `NET_BIND_SERVICE`).
//!
//! pass: the ports agree · partial: no `EXPOSE` or manifest port, a loopback
//! default, or a low port as non-root · fail: a port mismatch or a hard-coded
//! loopback bind · manual: the bound port comes from configuration and cannot
//! be compared · n/a: no Dockerfile.

use super::listen::{listens, show};
use super::non_root::runs_as;
use super::{app_containers, container_env, image, workload_label};
use crate::analyzers::tally::Tally;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};
use std::collections::BTreeSet;

/// A listen address after the container's environment is applied.
struct Effective {
    host: Option<String>,
    port: Option<u16>,
    location: Location,
    what: String,
    at_bind: bool,
    overridable: bool,
    /// Set by the container itself: its environment or a config file it ships.
    in_container: bool,
}

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let judged = match image::unless_dockerfile(facts) {
        Ok(j) => j,
        Err(na) => return na,
    };
    let env = container_env(facts, &judged.files);
    let shipped = shipped_configs(facts, &judged.files);
    let mut eff = Vec::new();
    for l in listens(facts, &shipped) {
        let set = l
            .env
            .as_ref()
            .and_then(|name| env.iter().find(|(k, _, _)| k == name));
        if let Some((k, v, loc)) = set {
            let (host, port) = match v.trim().parse::<u16>() {
                Ok(p) => (l.host.clone(), Some(p)),
                Err(_) => crate::extract::rust::addr::parse_addr(v)
                    .map(|(h, p)| (h.or(l.host.clone()), p.or(l.port)))
                    .unwrap_or((l.host.clone(), l.port)),
            };
            eff.push(Effective {
                host,
                port,
                location: loc.clone(),
                what: format!(
                    "`{k}={v}` set for the container (read by {} at {})",
                    l.what, l.location
                ),
                at_bind: false,
                overridable: false,
                in_container: true,
            });
        } else {
            eff.push(Effective {
                host: l.host.clone(),
                port: l.port,
                location: l.location.clone(),
                what: l.what.clone(),
                at_bind: l.at_bind,
                overridable: l.env.is_some() || !l.at_bind,
                in_container: l.in_image,
            });
        }
    }
    let mut t = Tally::default();
    // Loopback binds.
    let any_host = eff
        .iter()
        .any(|e| matches!(e.host.as_deref(), Some("0.0.0.0" | "::")));
    // The container's own settings bind every interface: loopback defaults are overridden.
    let container_any = eff
        .iter()
        .find(|e| e.in_container && matches!(e.host.as_deref(), Some("0.0.0.0" | "::")));
    for e in eff
        .iter()
        .filter(|e| matches!(e.host.as_deref(), Some("127.0.0.1" | "localhost" | "::1")))
    {
        if let (true, Some(c)) = (e.overridable, container_any) {
            t.note(
                e.location.clone(),
                format!(
                    "{} defaults to loopback, overridden in the container by {} ({})",
                    e.what, c.what, c.location
                ),
            );
        } else if e.at_bind && !e.overridable && !any_host {
            t.bad(
                e.location.clone(),
                format!("the server binds {} inside the container: nothing outside the container can connect", show(e.host.as_deref(), e.port)),
            );
        } else {
            t.half(
                e.location.clone(),
                format!("{} listens on loopback only: unreachable from outside the container unless configuration overrides it", e.what),
            );
        }
    }
    let code_ports: BTreeSet<u16> = eff.iter().filter_map(|e| e.port).collect();
    let port_source = |p: u16| {
        eff.iter()
            .find(|e| e.port == Some(p))
            .map(|e| e.location.to_string())
            .unwrap_or_default()
    };
    // EXPOSE in the runtime stages.
    let mut exposed: Vec<(u16, Location)> = Vec::new();
    for d in &judged.files {
        for s in image::runtime_stages(d) {
            let mut vars = image::arg_defaults(&d.global_args);
            for st in image::chain(d, s).into_iter().rev() {
                vars.extend(image::arg_defaults(&st.instructions));
                for i in st.find("ENV") {
                    vars.extend(super::env_pairs(&i.text));
                }
            }
            for st in image::chain(d, s) {
                for i in st.find("EXPOSE") {
                    for w in image::substitute(&i.text, &vars).split_whitespace() {
                        if let Ok(p) = w.split('/').next().unwrap_or("").parse::<u16>() {
                            exposed.push((p, Location::new(d.path.clone(), i.line)));
                        }
                    }
                }
            }
        }
    }
    let manifest: Vec<(u16, Location, String)> = app_containers(facts)
        .into_iter()
        .flat_map(|(w, c)| {
            c.ports.iter().filter_map(move |p| {
                Some((
                    p.port?,
                    Location::new(w.path.clone(), p.line),
                    workload_label(w),
                ))
            })
        })
        .collect();
    let list = |ps: &BTreeSet<u16>| ps.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    if !code_ports.is_empty() {
        if !exposed.is_empty() {
            match exposed.iter().find(|(p, _)| code_ports.contains(p)) {
                Some((p, loc)) => t.good(
                    loc.clone(),
                    format!(
                        "EXPOSE {p} matches the port the server binds ({})",
                        port_source(*p)
                    ),
                ),
                None => {
                    let (p, loc) = &exposed[0];
                    t.bad(
                        loc.clone(),
                        format!("EXPOSE {p}, but the server binds {}", list(&code_ports)),
                    );
                }
            }
        }
        if !manifest.is_empty() {
            match manifest.iter().find(|(p, _, _)| code_ports.contains(p)) {
                Some((p, loc, who)) => {
                    t.good(loc.clone(), format!("{who} port {p} matches the server"))
                }
                None => {
                    let (p, loc, who) = &manifest[0];
                    t.bad(
                        loc.clone(),
                        format!(
                            "{who} sends traffic to port {p}, but the server binds {}",
                            list(&code_ports)
                        ),
                    );
                }
            }
        }
        if exposed.is_empty() && manifest.is_empty() {
            t.half(
                image::stage_loc(judged.files[0], image::runtime_stages(judged.files[0])[0]),
                format!(
                    "no EXPOSE: the image does not say which port it serves (the server binds {})",
                    list(&code_ports)
                ),
            );
        }
        for e in eff.iter().filter(|e| e.port.is_some()) {
            t.note(e.location.clone(), format!("listens: {}", e.what));
        }
    } else if exposed.is_empty() && manifest.is_empty() {
        t.half(
            image::stage_loc(judged.files[0], image::runtime_stages(judged.files[0])[0]),
            "no EXPOSE, and the port the server binds is not visible in code or config",
        );
    } else {
        for (p, loc) in &exposed {
            t.note(loc.clone(), format!("EXPOSE {p}"));
        }
        for (p, loc, who) in &manifest {
            t.note(loc.clone(), format!("{who} port {p}"));
        }
    }
    // A non-root user binding a privileged port.
    if let Some(low) = code_ports.iter().find(|p| **p < 1024) {
        for d in &judged.files {
            for s in image::runtime_stages(d) {
                if !runs_as(d, s).is_root() {
                    t.half(
                        image::stage_loc(d, s),
                        format!("port {low} is below 1024 and {} runs as non-root: fine on Docker ≥ 20.10, refused on Kubernetes without NET_BIND_SERVICE", image::stage_label(d, s)),
                    );
                }
            }
        }
    }
    for (w, _) in app_containers(facts) {
        for n in &w.networks {
            t.note(
                Location::new(w.path.clone(), n.line),
                format!("{} joins network `{}`", workload_label(w), n.value),
            );
        }
    }
    if t.is_empty() {
        let shown: BTreeSet<u16> = exposed
            .iter()
            .map(|(p, _)| *p)
            .chain(manifest.iter().map(|(p, _, _)| *p))
            .collect();
        return t.manual(format!(
            "the image serves port {}, but the port the server binds comes from configuration and could not be compared",
            list(&shown)
        ));
    }
    t.outcome("EXPOSE and compose/Kubernetes ports naming the port the server binds on 0.0.0.0")
}

/// Config files the runtime stages copy in (`COPY router.yaml /dist/config/`),
/// as root-relative paths: relative to the root or to the Dockerfile's folder.
fn shipped_configs(facts: &Facts, files: &[&crate::extract::docker::Dockerfile]) -> Vec<String> {
    let mut out = Vec::new();
    for d in files {
        let dir = d
            .path
            .rsplit_once('/')
            .map(|(dir, _)| format!("{dir}/"))
            .unwrap_or_default();
        for s in image::runtime_stages(d) {
            for st in image::chain(d, s) {
                for i in st
                    .instructions
                    .iter()
                    .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
                {
                    if i.flags.iter().any(|(k, _)| k == "from") {
                        continue;
                    }
                    let words: Vec<&str> = i.text.split_whitespace().collect();
                    for src in &words[..words.len().saturating_sub(1)] {
                        let src = src.trim_start_matches("./");
                        if ![".yaml", ".yml", ".toml", ".json"]
                            .iter()
                            .any(|e| src.ends_with(e))
                        {
                            continue;
                        }
                        for cand in [src.to_string(), format!("{dir}{src}")] {
                            if facts.texts.iter().any(|t| t.path == cand) && !out.contains(&cand) {
                                out.push(cand);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}
