//! Listen addresses and ports written in code: what a server binds.
//!
//! Containers join on them: a Dockerfile `EXPOSE`, a compose `ports:` entry or
//! a Kubernetes `containerPort` should name the port the server binds, and a
//! server bound to `127.0.0.1` inside a container cannot be reached from
//! outside it. The address is seen where code states it:
//!
//! - at a bind site: `.bind(("0.0.0.0", 8080))`, `TcpListener::bind("0.0.0.0:3000")`,
//!   `SocketAddr::from(([0, 0, 0, 0], 8080))`, `SocketAddr::new(ip, 8080)`,
//!   warp's `.run(([127, 0, 0, 1], 3030))`;
//! - where a value named for a port or address is set: `let port = 8080`,
//!   `const BIND_ADDR: &str = "0.0.0.0:8080"`, `Self { port: 8000, .. }`,
//!   `fn default_port() -> u16 { 8080 }`, `fn default_ip() -> IpAddr { Ipv4Addr::UNSPECIFIED.into() }`;
//! - with the environment variable consulted there (`env::var("PORT")`), so a
//!   default is known to be only a default.
//!
//! Ports of dependencies (`db_port`, `redis_port`) are not listen ports and are
//! skipped by name.

use super::model::AddrFact;
use super::resolve::{last_ident, path_text};
use syn::visit::{self, Visit};

/// What a scanned expression says about an address.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub env: Option<String>,
}

impl Found {
    fn is_empty(&self) -> bool {
        self.host.is_none() && self.port.is_none()
    }
}

/// The kind of name a binding carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `port`, `http_port`, `listen_port`: integer literals are ports.
    Port,
    /// `addr`, `bind_address`, `host`, `ip`, `listen`: strings and tuples are addresses.
    Addr,
}

/// Qualifiers that make a port or address someone else's (a dependency's).
const FOREIGN: &[&str] = &[
    "ssh",
    "ftp",
    "ntp",
    "syslog",
    "smtps",
    "imap",
    "pop3",
    "db",
    "database",
    "pg",
    "postgres",
    "postgresql",
    "mysql",
    "redis",
    "smtp",
    "mail",
    "ldap",
    "kafka",
    "nats",
    "amqp",
    "rabbit",
    "rabbitmq",
    "mongo",
    "mongodb",
    "es",
    "elastic",
    "s3",
    "upstream",
    "remote",
    "proxy",
    "target",
    "peer",
    "client",
    "dest",
    "destination",
    "backend",
    "origin",
    "public",
    "external",
    "jaeger",
    "otlp",
    "otel",
    "statsd",
    "sentry",
    "dns",
];

/// Whether a binding name (`http_port`, `BIND_ADDR`, `listenAddress`) is a
/// listen port or address of this service.
pub fn name_kind(name: &str) -> Option<NameKind> {
    let snake = snake(name);
    let segs: Vec<&str> = snake.split('_').filter(|s| !s.is_empty()).collect();
    let last = *segs.last()?;
    if is_foreign(&snake) {
        return None;
    }
    match last {
        "port" => Some(NameKind::Port),
        "addr" | "address" | "bind" | "listen" | "host" | "ip" | "socket" | "sockaddr" => {
            Some(NameKind::Addr)
        }
        _ => None,
    }
}

/// Whether a name (`DB_HOST`, `redisPort`) belongs to a dependency.
pub fn is_foreign(name: &str) -> bool {
    snake(name).split('_').any(|s| FOREIGN.contains(&s))
}

/// `httpPort` → `http_port`, `BIND_ADDR` → `bind_addr`.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

/// Methods that take a listen address.
const BIND_METHODS: &[&str] = &[
    "bind",
    "try_bind",
    "bind_rustls",
    "bind_rustls_021",
    "bind_rustls_0_22",
    "bind_rustls_0_23",
    "bind_openssl",
    "bind_auto_h2c",
    "bind_with_graceful_shutdown",
    "try_bind_with_graceful_shutdown",
    "listen",
    "run",
];

/// Whether a method call takes a listen address.
pub fn is_bind_method(name: &str) -> bool {
    BIND_METHODS.contains(&name)
}

/// Whether a function's last path segment is one [`is_bind_fn`] may accept
/// (a cheap check before resolving the path).
pub fn may_bind(last: &str) -> bool {
    matches!(
        last,
        "bind"
            | "try_bind"
            | "bind_rustls"
            | "bind_openssl"
            | "serve_addr"
            | "from"
            | "new"
            | "from_str"
    )
}

/// Whether a called function (its path text) takes a listen address:
/// `SocketAddr::from`, `TcpListener::bind`, `Server::bind`, `axum_server::bind`.
pub fn is_bind_fn(path: &str) -> bool {
    let segs: Vec<&str> = path.split("::").collect();
    let last = segs.last().copied().unwrap_or("");
    let prev = segs.len().checked_sub(2).map(|i| segs[i]).unwrap_or("");
    matches!(
        last,
        "bind" | "try_bind" | "bind_rustls" | "bind_openssl" | "serve_addr"
    ) || (matches!(prev, "SocketAddr" | "SocketAddrV4" | "SocketAddrV6")
        && matches!(last, "from" | "new" | "from_str"))
        || (prev == "TcpListener" && last == "new")
}

/// Scan the arguments of a bind call. Two plain arguments (`SocketAddr::new(ip, 8080)`)
/// read as a (host, port) pair.
pub fn scan_args<'a>(args: impl Iterator<Item = &'a syn::Expr>) -> Found {
    let args: Vec<&syn::Expr> = args.collect();
    if args.len() == 2 {
        let mut f = Found {
            host: host_of(args[0]),
            port: port_lit(args[1]),
            env: None,
        };
        let mut s = Scan::new(false);
        s.visit_expr(args[1]);
        f.env = s.found.env;
        if f.port.is_none() {
            f.port = s.found.port;
        }
        if !f.is_empty() {
            return f;
        }
    }
    let mut s = Scan::new(false);
    for a in args {
        s.visit_expr(a);
    }
    s.found
}

/// Scan the value bound to a port- or address-named binding.
pub fn scan_named(kind: NameKind, expr: &syn::Expr) -> Found {
    let mut s = Scan::new(kind == NameKind::Port);
    s.visit_expr(expr);
    s.found
}

/// Scan the body of a small function named for a port or address.
pub fn scan_block(kind: NameKind, block: &syn::Block) -> Found {
    let mut s = Scan::new(kind == NameKind::Port);
    s.visit_block(block);
    s.found
}

/// A fact, when the scan found an address or port.
pub fn fact(
    found: Found,
    site: String,
    line: u32,
    test: bool,
    in_fn: Option<u32>,
) -> Option<AddrFact> {
    if found.is_empty() || found.env.as_deref().is_some_and(is_foreign) {
        return None;
    }
    Some(AddrFact {
        host: found.host,
        port: found.port,
        env: found.env,
        site,
        line,
        test,
        in_fn,
    })
}

struct Scan {
    /// Integer literals (and digit strings) are ports here.
    ints_are_ports: bool,
    found: Found,
}

impl Scan {
    fn new(ints_are_ports: bool) -> Self {
        Scan {
            ints_are_ports,
            found: Found::default(),
        }
    }

    fn set_host(&mut self, h: String) {
        if self.found.host.is_none() {
            self.found.host = Some(h);
        }
    }

    fn set_port(&mut self, p: u16) {
        if self.found.port.is_none() && p != 0 {
            self.found.port = Some(p);
        }
    }
}

impl<'ast> Visit<'ast> for Scan {
    fn visit_expr_tuple(&mut self, t: &'ast syn::ExprTuple) {
        if t.elems.len() == 2 {
            if let Some(h) = host_of(&t.elems[0]) {
                self.set_host(h);
                if let Some(p) = port_lit(&t.elems[1]) {
                    self.set_port(p);
                } else {
                    let saved = self.ints_are_ports;
                    self.ints_are_ports = true;
                    self.visit_expr(&t.elems[1]);
                    self.ints_are_ports = saved;
                }
                return;
            }
        }
        visit::visit_expr_tuple(self, t);
    }

    fn visit_expr_array(&mut self, a: &'ast syn::ExprArray) {
        // `[0, 0, 0, 0]` is a host, never a port.
        if let Some(h) = ip_array(a) {
            self.set_host(h);
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = c.func.as_ref() {
            let text = path_text(&p.path);
            let last = last_ident(&p.path);
            if text.ends_with("Ipv4Addr::new") || text.ends_with("Ipv6Addr::new") {
                if let Some(h) = host_of_call(c) {
                    self.set_host(h);
                }
                return;
            }
            if (last == "var" || last == "var_os") && text.contains("env") {
                if let Some(name) = c.args.first().and_then(super::resolve::lit_str) {
                    if self.found.env.is_none() {
                        self.found.env = Some(name);
                    }
                }
                return;
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(h) = ip_const(&path_text(&p.path)) {
            self.set_host(h.to_string());
        }
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        let v = s.value();
        if let Some((h, p)) = parse_addr(&v) {
            if let Some(h) = h {
                self.set_host(h);
            }
            if let Some(p) = p {
                self.set_port(p);
            }
        } else if self.ints_are_ports {
            if let Ok(p) = v.trim().parse::<u16>() {
                self.set_port(p);
            }
        }
    }

    fn visit_lit_int(&mut self, i: &'ast syn::LitInt) {
        if self.ints_are_ports {
            if let Ok(p) = i.base10_parse::<u16>() {
                self.set_port(p);
            }
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `format!("0.0.0.0:{}", port)`: the host from the format string.
        if let Ok(args) = m.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) {
            for a in &args {
                self.visit_expr(a);
            }
        }
    }
}

/// A port written as an integer literal (or a digit string).
fn port_lit(e: &syn::Expr) -> Option<u16> {
    match e {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => i.base10_parse::<u16>().ok().filter(|p| *p != 0),
            syn::Lit::Str(s) => s.value().trim().parse::<u16>().ok().filter(|p| *p != 0),
            _ => None,
        },
        syn::Expr::Paren(p) => port_lit(&p.expr),
        syn::Expr::Cast(c) => port_lit(&c.expr),
        _ => None,
    }
}

/// A host written as `"0.0.0.0"`, `[0, 0, 0, 0]`, `Ipv4Addr::UNSPECIFIED`,
/// `Ipv4Addr::new(127, 0, 0, 1)`, `IpAddr::V4(..)`, `IpAddr::from([..])`.
pub fn host_of(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => {
                let v = s.value();
                let v = v.trim().trim_start_matches('[').trim_end_matches(']');
                (is_ip_like(v) || v == "localhost").then(|| normal_host(v))
            }
            _ => None,
        },
        syn::Expr::Array(a) => ip_array(a),
        syn::Expr::Path(p) => ip_const(&path_text(&p.path)).map(str::to_string),
        syn::Expr::Call(c) => host_of_call(c),
        syn::Expr::MethodCall(m) if m.method == "into" || m.method == "parse" => {
            host_of(&m.receiver)
        }
        syn::Expr::Paren(p) => host_of(&p.expr),
        syn::Expr::Reference(r) => host_of(&r.expr),
        _ => None,
    }
}

fn host_of_call(c: &syn::ExprCall) -> Option<String> {
    let syn::Expr::Path(p) = c.func.as_ref() else {
        return None;
    };
    let text = path_text(&p.path);
    if text.ends_with("Ipv4Addr::new") && c.args.len() == 4 {
        let octets: Vec<u8> = c
            .args
            .iter()
            .filter_map(|a| {
                port_lit(a)
                    .and_then(|p| u8::try_from(p).ok())
                    .or_else(|| zero(a))
            })
            .collect();
        (octets.len() == 4).then(|| {
            octets
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(".")
        })
    } else if text.ends_with("Ipv6Addr::new") && c.args.len() == 8 {
        let all_zero = c.args.iter().all(|a| zero(a).is_some());
        let last_one = port_lit(&c.args[7]) == Some(1);
        if all_zero {
            Some("::".into())
        } else if last_one {
            Some("::1".into())
        } else {
            None
        }
    } else if text.ends_with("V4")
        || text.ends_with("V6")
        || text.ends_with("IpAddr::from")
        || text.ends_with("Ipv4Addr::from")
    {
        c.args.first().and_then(host_of)
    } else {
        None
    }
}

fn zero(e: &syn::Expr) -> Option<u8> {
    match e {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) if i.base10_parse::<u64>().ok() == Some(0) => Some(0),
            _ => None,
        },
        _ => None,
    }
}

fn ip_array(a: &syn::ExprArray) -> Option<String> {
    if a.elems.len() != 4 {
        return None;
    }
    let octets: Vec<String> = a
        .elems
        .iter()
        .filter_map(|e| match e {
            syn::Expr::Lit(l) => match &l.lit {
                syn::Lit::Int(i) => i.base10_parse::<u8>().ok().map(|o| o.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    (octets.len() == 4).then(|| octets.join("."))
}

fn ip_const(path: &str) -> Option<&'static str> {
    let mut segs = path.rsplit("::");
    let last = segs.next()?;
    let ty = segs.next().unwrap_or("");
    match (ty, last) {
        ("Ipv4Addr", "UNSPECIFIED") => Some("0.0.0.0"),
        ("Ipv4Addr", "LOCALHOST") => Some("127.0.0.1"),
        ("Ipv6Addr", "UNSPECIFIED") => Some("::"),
        ("Ipv6Addr", "LOCALHOST") => Some("::1"),
        _ => None,
    }
}

fn is_ip_like(v: &str) -> bool {
    let v4 = v.split('.').count() == 4 && v.split('.').all(|o| o.parse::<u8>().is_ok());
    let v6 = v.contains(':') && v.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    v4 || v6
}

fn normal_host(v: &str) -> String {
    match v {
        "0:0:0:0:0:0:0:0" => "::".into(),
        "0:0:0:0:0:0:0:1" => "::1".into(),
        other => other.to_string(),
    }
}

/// Parse a listen-address string: `0.0.0.0:8080`, `[::]:8080`, `:8080`,
/// `localhost:3000`, `127.0.0.1`, a format string `0.0.0.0:{}`. Strings that
/// are not addresses (URLs, names) give `None`.
pub fn parse_addr(v: &str) -> Option<(Option<String>, Option<u16>)> {
    let v = v.trim();
    if v.is_empty() || v.contains("://") || v.contains('/') || v.contains(' ') {
        return None;
    }
    if let Some(rest) = v.strip_prefix('[') {
        let (host, tail) = rest.split_once(']')?;
        if !is_ip_like(host) {
            return None;
        }
        let port = tail.strip_prefix(':').and_then(port_text);
        return Some((Some(normal_host(host)), port.flatten()));
    }
    if is_ip_like(v) && !v.contains("::") && v.matches(':').count() > 1 {
        return Some((Some(normal_host(v)), None));
    }
    if v == "::" || v == "::1" {
        return Some((Some(v.to_string()), None));
    }
    match v.rsplit_once(':') {
        Some((host, port)) => {
            let port = port_text(port)?;
            if host.is_empty() {
                return Some((None, port));
            }
            if is_ip_like(host) || host == "localhost" {
                return Some((Some(normal_host(host)), port));
            }
            None
        }
        None => (is_ip_like(v) || v == "localhost").then(|| (Some(v.to_string()), None)),
    }
}

/// A port in an address string: digits, or a format placeholder (`{}`, `{port}`).
fn port_text(p: &str) -> Option<Option<u16>> {
    if p.starts_with('{') && p.ends_with('}') {
        return Some(None);
    }
    p.parse::<u16>().ok().map(|n| (n != 0).then_some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> syn::Expr {
        syn::parse_str(s).unwrap()
    }

    #[test]
    fn address_strings() {
        assert_eq!(
            parse_addr("0.0.0.0:8080"),
            Some((Some("0.0.0.0".into()), Some(8080)))
        );
        assert_eq!(
            parse_addr("[::]:3000"),
            Some((Some("::".into()), Some(3000)))
        );
        assert_eq!(parse_addr(":8080"), Some((None, Some(8080))));
        assert_eq!(
            parse_addr("127.0.0.1:{}"),
            Some((Some("127.0.0.1".into()), None))
        );
        assert_eq!(
            parse_addr("localhost"),
            Some((Some("localhost".into()), None))
        );
        assert_eq!(parse_addr("http://localhost:8080"), None);
        assert_eq!(parse_addr("db:5432"), None);
        assert_eq!(parse_addr("12:30"), None);
    }

    #[test]
    fn bind_arguments() {
        let f = scan_args([expr(r#"("0.0.0.0", 8080)"#)].iter());
        assert_eq!(f.host.as_deref(), Some("0.0.0.0"));
        assert_eq!(f.port, Some(8080));
        let f = scan_args([expr("([127, 0, 0, 1], 3000)")].iter());
        assert_eq!((f.host.as_deref(), f.port), (Some("127.0.0.1"), Some(3000)));
        let f = scan_args([expr("(Ipv4Addr::UNSPECIFIED, port)")].iter());
        assert_eq!((f.host.as_deref(), f.port), (Some("0.0.0.0"), None));
        let f = scan_args([expr("IpAddr::V4(Ipv4Addr::new(0, 0, 0, 0))"), expr("8080")].iter());
        assert_eq!((f.host.as_deref(), f.port), (Some("0.0.0.0"), Some(8080)));
        assert!(scan_args([expr("addr")].iter()).is_empty());
    }

    #[test]
    fn named_values_with_env_defaults() {
        let f = scan_named(
            NameKind::Port,
            &expr(r#"std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080)"#),
        );
        assert_eq!((f.port, f.env.as_deref()), (Some(8080), Some("PORT")));
        let f = scan_named(
            NameKind::Port,
            &expr(r#"env::var("PORT").unwrap_or_else(|_| "3000".to_string())"#),
        );
        assert_eq!(f.port, Some(3000));
        let f = scan_named(NameKind::Addr, &expr(r#"format!("0.0.0.0:{}", port)"#));
        assert_eq!(f.host.as_deref(), Some("0.0.0.0"));
        // An address binding does not read stray integers as ports.
        assert!(scan_named(NameKind::Addr, &expr("compute(42)")).is_empty());
    }

    #[test]
    fn names() {
        assert_eq!(name_kind("port"), Some(NameKind::Port));
        assert_eq!(name_kind("HTTP_PORT"), Some(NameKind::Port));
        assert_eq!(name_kind("bind_addr"), Some(NameKind::Addr));
        assert_eq!(name_kind("listen_address"), Some(NameKind::Addr));
        assert_eq!(name_kind("db_port"), None);
        assert_eq!(name_kind("redis_host"), None);
        assert_eq!(name_kind("report"), None);
        assert_eq!(name_kind("portfolio"), None);
        assert_eq!(name_kind("httpPort"), Some(NameKind::Port));
    }

    #[test]
    fn bind_functions() {
        assert!(is_bind_fn("tokio::net::TcpListener::bind"));
        assert!(is_bind_fn("std::net::SocketAddr::from"));
        assert!(is_bind_fn("salvo::conn::TcpListener::new"));
        assert!(!is_bind_fn("Vec::new"));
    }
}
