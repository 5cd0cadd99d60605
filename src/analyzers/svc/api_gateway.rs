//! `svc.api-gateway`: the service is published through a gateway, and knows
//! which forwarded headers to trust.
//!
//! Gateway configuration shipped with the service: Kubernetes Ingress,
//! Gateway API routes (`HTTPRoute`, `GRPCRoute`), Istio `VirtualService`,
//! Traefik `IngressRoute`, Ambassador `Mapping`, Kong/APISIX routes, or
//! nginx/Envoy/Traefik/Caddy/Kong configuration proxying to it. Behind a proxy
//! the peer address is the proxy's; the client's comes from `Forwarded` /
//! `X-Forwarded-For`, which anyone can set unless the service trusts only its
//! proxies (axum-client-ip `SecureClientIp`/`ClientIpSource`, actix
//! `realip_remote_addr` behind a known proxy, Rocket `ip_header`, a
//! trusted-proxies setting). Reading `X-Forwarded-For` directly lets clients
//! spoof their address (rate limits, audit logs).
//!
//! pass: gateway config shipped, or trusted forwarded-header handling ·
//! partial: forwarded headers read without a trust setting · manual: nothing
//! in this repository (the gateway may live elsewhere) · n/a: no server.

use crate::analyzers::unless_server;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const GATEWAY_KINDS: &[&str] = &[
    "Ingress",
    "IngressRoute",
    "HTTPRoute",
    "GRPCRoute",
    "Gateway",
    "VirtualService",
    "Mapping",
    "KongIngress",
    "ApisixRoute",
    "Route",
];

const TRUSTED: &[&str] = &[
    "axum_client_ip",
    "SecureClientIp",
    "ClientIpSource",
    "SecureClientIpSource",
    "realip_remote_addr",
    "ip_header",
    "*TrustedProx*",
    "*trusted_prox*",
    "forwarded_header_value",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let gateway = gateway_config(facts);
    let mut trusted = facts.refs(TRUSTED);
    trusted.extend(
        facts
            .methods(&["realip_remote_addr"])
            .into_iter()
            .map(|(f, m)| {
                Hit::new(
                    Location::new(f.path.clone(), m.line),
                    "`.realip_remote_addr()`",
                )
            }),
    );
    let raw = raw_forwarded(facts);
    if let Some(g) = gateway.first().or(trusted.first()) {
        return Outcome::pass(format!("published through a gateway: {}", g.what))
            .with_hits(gateway.clone())
            .with_hits(trusted)
            .with_hits(raw);
    }
    let looked = "gateway/ingress configuration shipped with the service, or client addresses taken from forwarded headers only behind trusted proxies";
    if !raw.is_empty() {
        return Outcome::partial("forwarded headers are read with no trusted-proxy setting: any client can claim any address")
            .with_hits(raw)
            .looked_for(looked);
    }
    Outcome::manual("no gateway configuration in this repository and no forwarded-header handling; if a gateway configured elsewhere fronts the service, attest it")
}

fn gateway_config(facts: &Facts) -> Vec<Hit> {
    let mut out: Vec<Hit> = facts
        .k8s_objects
        .iter()
        .filter(|o| {
            GATEWAY_KINDS.contains(&o.kind.as_str())
                && (o.kind != "Route" || o.api_version.contains("openshift"))
        })
        .filter(|o| {
            o.kind != "Gateway"
                || o.api_version.contains("gateway.networking")
                || o.api_version.contains("istio")
        })
        .map(|o| {
            Hit::new(
                Location::new(o.path.clone(), o.line),
                format!("{} `{}`", o.kind, o.name),
            )
        })
        .collect();
    const TEXT: &[(&str, &str)] = &[
        ("proxy_pass ", "nginx `proxy_pass`"),
        (
            "envoy.filters.network.http_connection_manager",
            "Envoy HTTP connection manager",
        ),
        ("reverse_proxy ", "Caddy `reverse_proxy`"),
        ("_format_version", "Kong declarative config"),
        ("kind: Ingress", "Kubernetes Ingress"),
        ("kind: HTTPRoute", "Gateway API HTTPRoute"),
    ];
    for t in facts.texts_where(|t| t.role.is_service()) {
        let name = crate::analyzers::file_name(&t.path);
        let configish = name.ends_with(".conf")
            || name.ends_with(".yaml")
            || name.ends_with(".yml")
            || name.ends_with(".toml")
            || name == "caddyfile"
            || name.contains("nginx");
        if !configish || facts.ci.iter().any(|c| c.path == t.path) {
            continue;
        }
        for (needle, what) in TEXT {
            if let Some(line) = crate::location::find_line(&t.text, needle) {
                out.push(Hit::new(
                    Location::new(t.path.clone(), line),
                    what.to_string(),
                ));
                break;
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.location.path == b.location.path);
    out
}

/// Forwarded-header names used as literals in service code.
fn raw_forwarded(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            let v = l.value.to_ascii_lowercase();
            if v == "x-forwarded-for" || v == "x-real-ip" || v == "forwarded" {
                out.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("reads `{}`", l.value),
                ));
            }
        }
    }
    out.extend(facts.refs(&["X_FORWARDED_FOR", "FORWARDED"]));
    out
}
