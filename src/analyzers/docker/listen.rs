//! Where the service listens, as far as code and its config files say.
//!
//! Address facts come from the Rust extractor ([`crate::extract::rust::addr`]);
//! here they are narrowed to the ones that are about this server: bind sites
//! themselves, values named for a port or address in a function that binds,
//! defaults (`fn default_port`, `impl Default`, top-level constants), clap/serde
//! field defaults (`#[arg(env = "PORT", default_value_t = 8080)] port: u16`),
//! and `port = 8000` keys in the service's config files. A default read from an
//! environment variable is replaced by the value the container sets for it
//! (`ENV PORT=80`).

use crate::extract::rust::addr::{name_kind, NameKind};
use crate::facts::Facts;
use crate::location::Location;

/// One place that says where the server listens.
#[derive(Debug, Clone)]
pub struct Listen {
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The environment variable that overrides it.
    pub env: Option<String>,
    pub location: Location,
    /// What was seen, for evidence: "`.bind(..)` 0.0.0.0:8080".
    pub what: String,
    /// At a bind call (not a default or a config value).
    pub at_bind: bool,
    /// From a config file the image ships (`COPY router.yaml /config/`).
    pub in_image: bool,
}

fn is_bind_site(site: &str) -> bool {
    site.starts_with("`.") || site.ends_with("(..)`")
}

/// Every listen address or port the service states; `shipped` are config files
/// the image copies in, read even when their names do not say "config".
pub fn listens(facts: &Facts, shipped: &[String]) -> Vec<Listen> {
    let mut out = Vec::new();
    // Test helpers kept beside the code (`src/http/tests.rs`) bind loopback ports.
    let test_helper = |path: &str| {
        let name = crate::analyzers::file_name(path);
        let stem = name.trim_end_matches(".rs");
        let dir = path.split('/').any(|seg| {
            matches!(
                seg,
                "test_harness" | "testing" | "test_support" | "test_utils" | "testutils" | "mocks"
            )
        });
        dir || stem == "tests"
            || stem == "test"
            || stem.ends_with("_test")
            || stem.ends_with("_tests")
            || stem.starts_with("test_")
    };
    for (_, f) in facts.service_rust().filter(|(_, f)| !test_helper(&f.path)) {
        // Functions that bind: their named values are about the server.
        let binding_fns: Vec<u32> = f
            .addrs
            .iter()
            // A bind call, or a listen address built on the unspecified host
            // (`([0, 0, 0, 0], port)`), which only servers use.
            .filter(|a| {
                is_bind_site(&a.site) || matches!(a.host.as_deref(), Some("0.0.0.0" | "::"))
            })
            .filter_map(|a| a.in_fn)
            .chain(
                f.methods
                    .iter()
                    .filter(|m| {
                        matches!(
                            m.name.as_str(),
                            "bind" | "launch" | "listen" | "serve_with_shutdown" | "bind_rustls"
                        )
                    })
                    .filter_map(|m| m.in_fn),
            )
            .chain(
                f.refs
                    .iter()
                    .filter(|r| {
                        let last = r.path.rsplit("::").next().unwrap_or("");
                        matches!(last, "bind" | "serve" | "try_bind")
                    })
                    .filter_map(|r| r.in_fn),
            )
            .collect();
        for a in f.addrs.iter().filter(|a| !a.test) {
            let func = a.in_fn.and_then(|i| f.fns.get(i as usize));
            let fn_name = func.map(|x| x.name.as_str());
            // A bind call, not an address built in a default (`SocketAddr::from_str`
            // in `fn default_listen`), which configuration replaces.
            let at_bind = is_bind_site(&a.site)
                && !a.site.contains("SocketAddr")
                && !fn_name.is_some_and(|n| n == "default" || n.starts_with("default_"));
            // `impl Default for Postgresql { fn default() { Self { port: 5432 } } }`
            if func
                .and_then(|x| x.self_ty.as_deref())
                .is_some_and(crate::extract::rust::addr::is_foreign)
            {
                continue;
            }
            let is_default = fn_name.is_some_and(|n| n == "default" || n.starts_with("default_"))
                || a.site.starts_with("`fn default");
            let top_level = a.in_fn.is_none();
            let in_binding_fn = a.in_fn.is_some_and(|i| binding_fns.contains(&i));
            if !(at_bind || is_default || top_level || in_binding_fn) {
                continue;
            }
            out.push(Listen {
                host: a.host.clone(),
                port: a.port,
                env: a.env.clone(),
                location: Location::new(f.path.clone(), a.line),
                what: format!("{} {}", a.site, show(a.host.as_deref(), a.port)),
                at_bind,
                in_image: false,
            });
        }
        // clap / serde field defaults on port fields.
        for t in f.types.iter().filter(|t| !t.test) {
            for field in &t.fields {
                if name_kind(&field.name) != Some(NameKind::Port) {
                    continue;
                }
                let args: String = field
                    .attrs
                    .iter()
                    .map(|a| a.args.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                // clap `default_value_t = 8080`, env-config style `default = 8080`.
                let Some(port) = ["default_value_t", "default_value", "default"]
                    .iter()
                    .find_map(|k| attr_value(&args, k))
                    .and_then(|v| v.parse::<u16>().ok())
                else {
                    continue;
                };
                // `env = "PORT"`, or `name = "APP_PORT"` when it names a variable.
                let env = attr_value(&args, "env").or_else(|| {
                    attr_value(&args, "name").filter(|n| {
                        n.chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    })
                });
                out.push(Listen {
                    host: None,
                    port: Some(port),
                    env,
                    location: Location::new(f.path.clone(), field.line),
                    what: format!("`{}.{}` defaults to {port}", t.name, field.name),
                    at_bind: false,
                    in_image: false,
                });
            }
        }
    }
    out.extend(config_file_ports(facts, shipped));
    out
}

/// `key = "value"` or `key = value` inside attribute argument text.
fn attr_value(args: &str, key: &str) -> Option<String> {
    let at = args.find(&format!("{key}="))?;
    let before = args[..at].chars().last();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let rest = &args[at + key.len() + 1..];
    let v = rest.split([',', ')']).next()?.trim().trim_matches('"');
    (!v.is_empty()).then(|| v.to_string())
}

/// `port = 8000` / `port: 8000` / `address = "0.0.0.0"` in config files the
/// service ships (`config/*.toml`, `Rocket.toml`, `settings.yaml`, …).
fn config_file_ports(facts: &Facts, shipped: &[String]) -> Vec<Listen> {
    let mut out = Vec::new();
    let manifest = |p: &str| facts.yaml.iter().any(|y| y.path == p);
    for t in facts.texts_where(|t| {
        t.role.is_service()
            && (is_config_file(&t.path) || shipped.contains(&t.path))
            && !manifest(&t.path)
    }) {
        // The enclosing TOML table or YAML parent key: `[smtp] port = 25` is not ours.
        let mut section = String::new();
        let mut parents: Vec<(usize, String)> = Vec::new();
        for (i, line) in t.text.lines().enumerate() {
            let l = line.trim().trim_start_matches('"');
            if l.starts_with('[') {
                section = l.trim_matches(['[', ']']).to_string();
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            parents.retain(|(d, _)| *d < indent);
            if let Some(k) = l.strip_suffix(':') {
                parents.push((indent, k.trim_matches('"').to_string()));
                continue;
            }
            if section
                .split('.')
                .any(crate::extract::rust::addr::is_foreign)
                || parents
                    .iter()
                    .any(|(_, k)| crate::extract::rust::addr::is_foreign(k))
            {
                continue;
            }
            let Some((key, value)) = l.split_once(['=', ':']) else {
                continue;
            };
            let key = key.trim().trim_end_matches('"');
            let value = value
                .trim()
                .trim_matches(',')
                .trim()
                .trim_matches('"')
                .trim_matches('\'');
            match name_kind(key) {
                Some(NameKind::Port) => {
                    if let Ok(p) = value.parse::<u16>() {
                        out.push(Listen {
                            host: None,
                            port: Some(p),
                            env: None,
                            location: Location::new(t.path.clone(), i as u32 + 1),
                            what: format!("config `{key} = {p}`"),
                            at_bind: false,
                            in_image: shipped.contains(&t.path),
                        });
                    }
                }
                Some(NameKind::Addr) => {
                    if let Some((h, p)) = crate::extract::rust::addr::parse_addr(value) {
                        out.push(Listen {
                            host: h.clone(),
                            port: p,
                            env: None,
                            location: Location::new(t.path.clone(), i as u32 + 1),
                            what: format!("config `{key} = {value}`"),
                            at_bind: false,
                            in_image: shipped.contains(&t.path),
                        });
                    }
                }
                None => {}
            }
        }
    }
    out
}

fn is_config_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext_ok = [".toml", ".yaml", ".yml", ".json"]
        .iter()
        .any(|e| name.ends_with(e));
    if !ext_ok
        || name == "cargo.toml"
        || name.starts_with("docker-compose")
        || name.starts_with("compose")
    {
        return false;
    }
    lower.starts_with("config/")
        || lower.contains("/config/")
        || name == "rocket.toml"
        || ["config", "settings", "app", "default", "server"]
            .iter()
            .any(|s| name.starts_with(&format!("{s}.")))
}

/// `0.0.0.0:8080`, `:8080`, `0.0.0.0`.
pub fn show(host: Option<&str>, port: Option<u16>) -> String {
    match (host, port) {
        (Some(h), Some(p)) if h.contains(':') => format!("[{h}]:{p}"),
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (None, Some(p)) => format!(":{p}"),
        (Some(h), None) => h.to_string(),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_defaults() {
        assert_eq!(
            attr_value("long,env=\"PORT\",default_value_t=8080", "default_value_t").as_deref(),
            Some("8080")
        );
        assert_eq!(
            attr_value("long,env=\"PORT\"", "env").as_deref(),
            Some("PORT")
        );
        assert_eq!(attr_value("default_value_t=1", "value_t"), None);
    }

    #[test]
    fn config_names() {
        assert!(is_config_file("config/default.toml"));
        assert!(is_config_file("Rocket.toml"));
        assert!(is_config_file("crates/api/config/production.yaml"));
        assert!(!is_config_file("Cargo.toml"));
        assert!(!is_config_file("docker-compose.yml"));
    }
}
