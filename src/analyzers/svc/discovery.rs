//! `svc.discovery`: the service finds its peers from configuration, DNS or a
//! registry — never from addresses written in code.
//!
//! Hard-coded peer URLs (`http://orders:8080`, `http://10.0.3.7/api`,
//! `http://localhost:9000`, `*.svc.cluster.local`) in service code tie a build
//! to one environment. Peers come from configuration when their address is an
//! environment variable (`ORDERS_URL`, `PAYMENTS_HOST`) or a config field
//! (`orders_url: Url`), or from a registry client (Consul, etcd, the
//! Kubernetes API, SRV lookups, tonic's balanced channels). Literals used as
//! defaults (`unwrap_or("http://localhost:8080")`) are defaults, not the
//! address. Public APIs (`https://api.github.com`) are not peers to discover.
//!
//! pass: peers from config/env/registry · fail: peer addresses in code ·
//! manual: clients whose targets are not visible · n/a: no outbound calls, or
//! only public APIs.

use super::outbound;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const REGISTRIES: &[&str] = &[
    "rs_consul",
    "consulrs",
    "consul::Client",
    "etcd_client",
    "kube::Api",
    "hickory_resolver",
    "trust_dns_resolver",
    "Channel::balance_list",
    "Channel::balance_channel",
    "tower::discover",
    "zookeeper",
    "nacos_sdk",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let clients = outbound(facts);
    if clients.is_empty() {
        return Outcome::na("the service makes no outbound HTTP or gRPC calls");
    }
    let (internal, public) = url_literals(facts);
    let registry = facts.refs(REGISTRIES);
    let configured = configured_peers(facts);
    let looked = "peer addresses read from configuration (`ORDERS_URL`, a `*_url` config field) or a registry (Consul, etcd, Kubernetes, SRV)";
    if !internal.is_empty() {
        return Outcome::fail(format!(
            "peer address written in code: {} — the build only works where that host exists",
            internal[0].what
        ))
        .with_hits(internal)
        .with_found_hits(configured)
        .looked_for(looked);
    }
    if let Some(first) = registry.first().or(configured.first()) {
        return Outcome::pass(format!(
            "peers come from configuration or a registry: {}",
            first.what
        ))
        .with_hits(registry.clone())
        .with_hits(configured.clone());
    }
    if !public.is_empty() {
        return Outcome::na(format!(
            "the service calls only public APIs ({}); there are no peer services to discover",
            public[0].what
        ));
    }
    Outcome::manual(
        "outbound clients exist, but where their targets come from is not visible in code",
    )
    .with_hits(clients.into_iter().take(5))
}

fn is_default_ctx(ctx: Option<&str>) -> bool {
    ctx.is_some_and(|c| {
        c.starts_with("unwrap_or")
            || c.starts_with("default")
            || c == "or"
            || c == "or_else"
            || c.ends_with("_default")
    })
}

/// Whether a URL authority names a private/internal host: a private IP, an
/// internal suffix (`.svc`, `.internal`, `.local`), or a bare name with a port
/// (`orders:8080`, compose/Kubernetes service DNS).
pub fn internal_authority(authority: &str) -> bool {
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => (h, true),
        _ => (authority, false),
    };
    let bare = !host.contains('.')
        && !host.is_empty()
        && host != "localhost"
        && !host.contains(['{', '$', '[']);
    internal_host(host) && (!bare || port)
}

/// Whether a URL host is a private/internal name.
pub fn internal_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    if h.is_empty() || h.contains('{') || h.contains('$') {
        return false;
    }
    let private_ip = h.starts_with("10.")
        || h.starts_with("192.168.")
        || (h.starts_with("172.")
            && h.split('.')
                .nth(1)
                .and_then(|o| o.parse::<u8>().ok())
                .is_some_and(|o| (16..=31).contains(&o)));
    let suffix = [
        ".svc",
        ".local",
        ".internal",
        ".cluster.local",
        ".lan",
        ".consul",
        ".svc.cluster.local",
    ]
    .iter()
    .any(|s| h.ends_with(s));
    let bare = !h.contains('.') && !h.contains(':') && h != "localhost";
    private_ip || suffix || bare || h == "localhost" || h == "127.0.0.1"
}

/// URL literals in service code: internal peers (not used as defaults) and public hosts.
fn url_literals(facts: &Facts) -> (Vec<Hit>, Vec<Hit>) {
    let mut internal = Vec::new();
    let mut public = Vec::new();
    for (_, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            let v = l.value.trim();
            let Some(rest) = v
                .strip_prefix("http://")
                .or_else(|| v.strip_prefix("https://"))
                .or_else(|| v.strip_prefix("grpc://"))
            else {
                continue;
            };
            if v.contains(char::is_whitespace) {
                continue;
            }
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = authority
                .rsplit_once('@')
                .map(|(_, h)| h)
                .unwrap_or(authority);
            let host = if host.starts_with('[') {
                host
            } else {
                host.split(':').next().unwrap_or("")
            };
            let in_default_fn = l
                .in_fn
                .and_then(|i| f.fns.get(i as usize))
                .is_some_and(|x| x.name == "default" || x.name.starts_with("default_"));
            let loc = Location::new(f.path.clone(), l.line);
            let authority = authority
                .rsplit_once('@')
                .map(|(_, h)| h)
                .unwrap_or(authority);
            if internal_authority(authority) {
                if !is_default_ctx(l.context.as_deref())
                    && !in_default_fn
                    && host != "localhost"
                    && host != "127.0.0.1"
                {
                    internal.push(Hit::new(loc, format!("`{}`", clip(v))));
                }
            } else if host.contains('.')
                && !host.starts_with("example.")
                && !host.contains("example.")
            {
                public.push(Hit::new(loc, format!("`{host}`")));
            }
        }
    }
    (internal, public)
}

fn clip(s: &str) -> String {
    if s.chars().count() > 70 {
        format!("{}…", s.chars().take(70).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Peer addresses from environment variables and config fields.
fn configured_peers(facts: &Facts) -> Vec<Hit> {
    let peerish = |n: &str| {
        let u = n.to_ascii_uppercase();
        [
            "_URL",
            "_URI",
            "_HOST",
            "_ADDR",
            "_ADDRESS",
            "_ENDPOINT",
            "_SERVICE",
            "_BASE_URL",
        ]
        .iter()
        .any(|s| u.ends_with(s))
            && ![
                "DATABASE", "DB_", "REDIS", "POSTGRES", "MYSQL", "MONGO", "AMQP", "KAFKA", "NATS",
                "OTEL", "OTLP", "JAEGER", "SENTRY", "BIND", "LISTEN", "ROCKET_",
            ]
            .iter()
            .any(|k| u.contains(k))
            // The service's own address, not a peer's.
            && ![
                "BASE_URL", "PUBLIC_URL", "SITE_URL", "APP_URL", "ROOT_URL", "EXTERNAL_URL",
                "SERVER_URL", "HOST", "ADDR", "ADDRESS",
            ]
            .contains(&u.as_str())
    };
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for l in f
            .literals
            .iter()
            .filter(|l| !l.test && l.context.as_deref() == Some("var"))
        {
            if l.value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                && peerish(&l.value)
            {
                out.push(Hit::new(
                    Location::new(f.path.clone(), l.line),
                    format!("peer address from `{}`", l.value),
                ));
            }
        }
        for t in f.types.iter().filter(|t| {
            !t.test
                && t.derives
                    .iter()
                    .any(|d| d.ends_with("Deserialize") || d.ends_with("Parser"))
                && crate::analyzers::cfg::is_config_type(&f.path, t)
        }) {
            for field in &t.fields {
                if peerish(&field.name)
                    && (field.ty.contains("String")
                        || field.ty.contains("Url")
                        || field.ty.contains("Uri"))
                {
                    out.push(Hit::new(
                        Location::new(f.path.clone(), field.line),
                        format!("peer address from config field `{}.{}`", t.name, field.name),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{internal_authority, internal_host};

    #[test]
    fn internal_hosts() {
        for h in [
            "orders",
            "10.0.3.7",
            "api.svc.cluster.local",
            "payments.internal",
            "172.20.0.4",
        ] {
            assert!(internal_host(h), "{h}");
        }
        for h in ["api.github.com", "8.8.8.8", "{host}", "172.40.0.1"] {
            assert!(!internal_host(h), "{h}");
        }
        assert!(internal_authority("orders:8080"));
        assert!(!internal_authority("default"));
        assert!(internal_authority("10.0.0.5"));
    }
}
