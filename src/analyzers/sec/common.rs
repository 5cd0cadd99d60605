//! Questions several security rules ask: which routes are guarded and by what,
//! which types are auth guards, what a migration's tables look like, where
//! secrets and database URLs are read from.
//!
//! Names are read as words (`require_auth` → `require`, `auth`;
//! `AdminUser` → `admin`, `user`) so a guard is recognised by what it is called
//! without matching substrings by accident (`author` is not `auth`).

use crate::extract::rust::{LayerFact, RustFile};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::Evidence;
use std::collections::{BTreeMap, HashSet};

pub use super::guards::{
    guard_param, guard_types, handler_guard, is_attr_handler, is_credential_header, route_guard,
    GuardType,
};
pub use super::secrets::detect::is_secret_name;

/// Split an identifier or a compact code text into lower-case words:
/// `from_fn_with_state(state,auth::require_user)` → from, fn, with, state,
/// state, auth, require, user; `AdminUser` → admin, user.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_upper = false;
    for c in text.chars() {
        if c.is_ascii_uppercase() && !cur.is_empty() && !prev_upper {
            out.push(std::mem::take(&mut cur).to_ascii_lowercase());
        }
        prev_upper = c.is_ascii_uppercase();
        if c.is_ascii_alphanumeric() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur).to_ascii_lowercase());
        }
    }
    if !cur.is_empty() {
        out.push(cur.to_ascii_lowercase());
    }
    out
}

/// Whether any word of `text` is in `set`.
pub fn has_word(text: &str, set: &[&str]) -> bool {
    words(text).iter().any(|w| set.contains(&w.as_str()))
}

/// Route handlers: (file, fn) indices of functions routes point at.
pub fn handler_set(facts: &Facts) -> HashSet<(usize, usize)> {
    facts.routes.iter().filter_map(|r| r.handler_fn).collect()
}

/// Service-code references whose path satisfies `keep`, without the per-pattern
/// glob matching of [`Facts::refs`] (one pass, no allocation per segment).
pub fn refs_by(facts: &Facts, keep: impl Fn(&str) -> bool) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for r in &f.refs {
            if r.test || r.kind == crate::extract::rust::RefKind::Use {
                continue;
            }
            if keep(&r.path) {
                out.push(Hit::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}`", r.path),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Rust files that describe the service's data: service code plus generated
/// code of service packages (ORM entities from sea-orm-codegen or diesel
/// `schema.rs` are the data model even when a tool wrote them).
pub fn model_rust(facts: &Facts) -> impl Iterator<Item = &RustFile> {
    facts.rust.iter().filter(|f| {
        matches!(
            f.role,
            crate::classify::Role::Service | crate::classify::Role::Generated
        ) && facts.is_service_path(&f.path, crate::classify::Role::Service)
    })
}

/// The name a data model goes by: its table for ORM entities
/// (`#[sea_orm(table_name = "auth_token")] struct Model`,
/// `#[diesel(table_name = api_keys)]`), else the type's name.
pub fn model_name(t: &crate::extract::rust::TypeFact) -> String {
    for a in &t.attrs {
        if let Some(at) = a.args.find("table_name") {
            let rest = a.args[at + "table_name".len()..].trim_start_matches(['=', ' ', '"']);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                return name;
            }
        }
    }
    t.name.clone()
}

/// Dependencies of service packages whose crate name contains any of `parts`
/// (`argon2` finds `argon2`, `rust-argon2` and `argon2-creds`).
pub fn deps_containing(facts: &Facts, parts: &[&str]) -> Vec<Hit> {
    let mut out = Vec::new();
    for p in facts.service_packages() {
        for d in &p.deps {
            if d.kind == crate::extract::cargo::DepKind::Normal
                && parts.iter().any(|x| d.name.replace('_', "-").contains(x))
            {
                out.push(Hit::new(
                    facts.dep_location(p, d),
                    format!("`{}` depends on `{}`", p.name, d.name),
                ));
            }
        }
    }
    out
}

/// The last segment of a path.
pub fn last_seg(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Whether a `::` path has a segment equal to one of `segs`.
pub fn has_seg(path: &str, segs: &[&str]) -> bool {
    path.split("::").any(|s| segs.contains(&s))
}

/// Words of paths that need no authentication: health and metrics probes,
/// the login and sign-up flow itself, static assets and API docs.
const PUBLIC_WORDS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "ready",
    "readyz",
    "live",
    "livez",
    "liveness",
    "readiness",
    "ping",
    "metrics",
    "status",
    "version",
    "login",
    "signin",
    "logout",
    "signup",
    "register",
    "callback",
    "static",
    "assets",
    "public",
    "favicon",
    "robots",
    "docs",
    "swagger",
    "openapi",
    "redoc",
    "rapidoc",
    "scalar",
    "well",
    "known",
];

/// Whether a route path is public by nature (health, login, docs, static).
pub fn is_public_path(path: &str) -> bool {
    path == "/" || path.is_empty() || has_word(path, PUBLIC_WORDS)
}

/// Words of paths that handle credentials wherever they appear.
const SENSITIVE_WORDS: &[&str] = &[
    "login",
    "signin",
    "logon",
    "password",
    "passwords",
    "signup",
    "register",
    "oauth",
    "otp",
    "mfa",
    "totp",
    "2fa",
];

/// Words that name a credential endpoint only as the last static segment of a
/// route that is not a read (`POST /auth`, `POST /oauth/token`, `POST
/// /sessions`), not as a namespace (`/auth/dl/{crate}`) or a resource (`GET
/// /traces/session`).
const SENSITIVE_LAST: &[&str] = &[
    "auth",
    "authenticate",
    "token",
    "tokens",
    "session",
    "sessions",
    "verify",
];

/// Whether a route handles credentials (login, token, password reset, sign-up).
pub fn is_sensitive_route(method: &str, path: &str) -> bool {
    if path.contains(".well-known") {
        return false;
    }
    if has_word(path, SENSITIVE_WORDS) {
        return true;
    }
    let last = path
        .split('/')
        .rev()
        .find(|s| {
            !s.is_empty() && !s.starts_with('{') && !s.starts_with(':') && !s.starts_with('<')
        })
        .unwrap_or("");
    !matches!(method, "GET" | "HEAD" | "OPTIONS")
        && SENSITIVE_LAST.contains(&last.to_ascii_lowercase().as_str())
}

/// Words that name authentication in middleware and guards.
const AUTH_WORDS: &[&str] = &[
    "auth",
    "authn",
    "authenticate",
    "authenticated",
    "authentication",
    "authorize",
    "authorization",
    "authz",
    "jwt",
    "bearer",
    "login",
    "logged",
    "apikey",
    "token",
    "session",
    "identity",
    "credentials",
    "oauth",
    "oidc",
    "guard",
    "protected",
    "protect",
    "require",
    "required",
];

/// Layer names that are not authentication even though a word matches
/// (`SessionManagerLayer` stores sessions, it does not require one).
const NOT_AUTH_LAYER: &[&str] = &[
    "manager",
    "store",
    "cors",
    "trace",
    "compression",
    "timeout",
    "service",
];

/// Whether a middleware authenticates requests.
pub fn is_auth_layer(l: &LayerFact) -> bool {
    let w = words(&l.text);
    let auth = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "auth"
                | "authn"
                | "authenticate"
                | "authenticated"
                | "authentication"
                | "jwt"
                | "bearer"
                | "apikey"
                | "oauth"
                | "oidc"
        )
    }) || (w.iter().any(|x| {
        matches!(
            x.as_str(),
            "require" | "required" | "validate" | "check" | "ensure" | "must"
        )
    }) && w
        .iter()
        .any(|x| AUTH_WORDS.contains(&x.as_str()) && x != "require" && x != "required"))
        || l.paths.iter().any(|p| {
            matches!(
                last_seg(p),
                "ValidateRequestHeaderLayer"
                    | "RequireAuthorizationLayer"
                    | "HttpAuthentication"
                    | "AsyncRequireAuthorizationLayer"
                    | "login_required"
                    | "JwtAuth"
                    | "BasicAuth"
            )
        });
    auth && !w.iter().any(|x| NOT_AUTH_LAYER.contains(&x.as_str()))
}

/// Words that name roles and permissions.
pub const ROLE_WORDS: &[&str] = &[
    "role",
    "roles",
    "permission",
    "permissions",
    "perm",
    "perms",
    "admin",
    "admins",
    "privilege",
    "privileges",
    "grant",
    "grants",
    "scope",
    "scopes",
    "rbac",
    "acl",
    "policy",
    "casbin",
    "oso",
    "cedar",
    "authorize",
    "authorization",
    "authz",
    "owner",
    "moderator",
    "superuser",
    "staff",
    "capability",
    "capabilities",
];

/// Whether a middleware checks roles or permissions. "policy" alone is not
/// enough (a CORS, retry or cache policy is not access control): it counts
/// only beside an access word. Words inside string literals are data, not the
/// middleware's name (`("Permissions-Policy", "interest-cohort=()")`), and a
/// layer that sets response headers (`DefaultHeaders`, `SetResponseHeaderLayer`)
/// checks nothing.
pub fn is_role_layer(l: &LayerFact) -> bool {
    let w = words(&without_strings(&l.text));
    let sets_headers = w.windows(2).any(|p| {
        matches!(
            (p[0].as_str(), p[1].as_str()),
            ("default", "headers")
                | ("response", "header")
                | ("request", "header")
                | ("set", "header")
                | ("insert", "header")
                | ("append", "header")
                | ("add", "header")
        )
    });
    if sets_headers {
        return false;
    }
    let unrelated = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "cors"
                | "retry"
                | "timeout"
                | "compression"
                | "cache"
                | "trace"
                | "ratelimit"
                | "governor"
        )
    });
    if unrelated {
        return false;
    }
    w.iter().any(|x| {
        ROLE_NOUNS.contains(&x.as_str())
            || matches!(
                x.as_str(),
                "admin" | "authorize" | "authz" | "rbac" | "casbin"
            )
    })
}

/// Code text with the contents of its string literals removed:
/// `add(("Permissions-Policy", "x"))` → `add(("", ""))`.
fn without_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
                out.push(c);
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        out.push(c);
    }
    out
}

/// Nouns that name roles and permissions (`enum Role`, `struct Permission`).
pub const ROLE_NOUNS: &[&str] = &[
    "role",
    "roles",
    "permission",
    "permissions",
    "privilege",
    "privileges",
    "grant",
    "grants",
    "scope",
    "scopes",
    "capability",
    "capabilities",
];

/// The identifiers of a compact type text: `Extension<Arc<User>>` → Extension, Arc, User.
pub fn type_idents(ty: &str) -> Vec<&str> {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|s| !s.is_empty())
        .collect()
}

/// A table created (or altered) by a SQL migration.
#[derive(Debug, Clone)]
pub struct SqlTable {
    pub name: String,
    pub location: Location,
    pub columns: Vec<String>,
}

/// Tables and their columns from `.sql` files (`CREATE TABLE`, `ALTER TABLE …
/// ADD [COLUMN]`), lower-cased.
pub fn sql_tables(facts: &Facts) -> Vec<SqlTable> {
    use std::sync::OnceLock;
    static CREATE: OnceLock<regex::Regex> = OnceLock::new();
    static ALTER: OnceLock<regex::Regex> = OnceLock::new();
    let create = CREATE.get_or_init(|| {
        regex::Regex::new(r#"(?i)create\s+table\s+(?:if\s+not\s+exists\s+)?["`]?(?:\w+["`]?\.["`]?)?(\w+)["`]?\s*\("#)
            .expect("valid regex")
    });
    let alter = ALTER.get_or_init(|| {
        regex::Regex::new(r#"(?i)alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?["`]?(\w+)["`]?\s+add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?["`]?(\w+)"#)
            .expect("valid regex")
    });
    let mut out: Vec<SqlTable> = Vec::new();
    for t in facts.texts_where(|t| t.kind == crate::classify::FileKind::Sql && t.role.is_service())
    {
        for c in create.captures_iter(&t.text) {
            let m = c.get(0).expect("match");
            let body = balanced(&t.text[m.end()..]);
            let columns = body
                .split(',')
                .filter_map(|part| {
                    let w = part
                        .trim()
                        .trim_matches(|c| c == '"' || c == '`')
                        .split(|c: char| c.is_whitespace() || c == '"' || c == '`')
                        .next()?
                        .to_ascii_lowercase();
                    let keyword = matches!(
                        w.as_str(),
                        "primary"
                            | "foreign"
                            | "unique"
                            | "constraint"
                            | "check"
                            | "key"
                            | "index"
                            | ""
                    );
                    (!keyword).then_some(w)
                })
                .collect();
            let line = t.text[..m.start()].matches('\n').count() as u32 + 1;
            out.push(SqlTable {
                name: c[1].to_ascii_lowercase(),
                location: Location::new(t.path.clone(), line),
                columns,
            });
        }
        for c in alter.captures_iter(&t.text) {
            let name = c[1].to_ascii_lowercase();
            let col = c[2].to_ascii_lowercase();
            let line = t.text[..c.get(0).expect("match").start()]
                .matches('\n')
                .count() as u32
                + 1;
            match out.iter_mut().find(|x| x.name == name) {
                Some(x) => x.columns.push(col),
                None => out.push(SqlTable {
                    name,
                    location: Location::new(t.path.clone(), line),
                    columns: vec![col],
                }),
            }
        }
    }
    out
}

/// The text up to the parenthesis that closes an opening one just before it.
fn balanced(s: &str) -> &str {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            _ => {}
        }
    }
    s
}

/// A named value read from the environment or a config source in service code:
/// `env::var("JWT_SECRET")`, `env!("X")`, `config.get("db.url")`, `dotenvy::var`.
#[derive(Debug, Clone)]
pub struct EnvRead {
    pub location: Location,
    pub name: String,
    /// `env!`/`option_env!`: read when the binary is built, not when it runs.
    pub compile_time: bool,
}

impl EnvRead {
    /// "`NAME` is read from the environment".
    pub fn evidence(&self) -> Evidence {
        Evidence::new(
            self.location.clone(),
            format!(
                "`{}` is read from the environment{}",
                self.name,
                if self.compile_time {
                    " at build time"
                } else {
                    ""
                }
            ),
        )
    }
}

/// Every environment/config read with a literal name in service code:
/// `env::var("X")`, `dotenvy::var("X")`, helpers named for the environment
/// (`require_env("X")`, `maybe_env("X")`, `get_env_var("X")`), and the
/// compile-time `env!("X")`/`option_env!("X")` macros.
pub fn env_reads(facts: &Facts) -> Vec<EnvRead> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for l in f.literals.iter().filter(|l| !l.test) {
            let Some(ctx) = l.context.as_deref() else {
                continue;
            };
            let w = words(ctx);
            let env_like = w
                .iter()
                .any(|x| matches!(x.as_str(), "env" | "var" | "dotenv" | "envvar"))
                || matches!(ctx, "var_os" | "get_string" | "get_str");
            if !env_like {
                continue;
            }
            let compile_time = matches!(ctx, "env" | "option_env")
                && f.macros
                    .iter()
                    .any(|m| m.line == l.line && matches!(last_seg(&m.path), "env" | "option_env"));
            let v = l.value.as_str();
            let name_like = !v.is_empty()
                && v.len() <= 80
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if name_like {
                out.push(EnvRead {
                    location: Location::new(f.path.clone(), l.line),
                    name: v.to_string(),
                    compile_time,
                });
            }
        }
    }
    out
}

/// A field of a configuration type: deserialised settings
/// (`struct Config { jwt_secret: String }`) or a CLI/env argument
/// (`#[arg(env = "API_KEY")]`).
#[derive(Debug, Clone)]
pub struct ConfigField {
    pub location: Location,
    pub type_name: String,
    pub field: String,
    pub ty: String,
    /// Bound to an environment variable by an attribute (`#[arg(env)]`).
    pub env_attr: bool,
}

impl ConfigField {
    /// "`Type.field` comes from configuration".
    pub fn evidence(&self) -> Evidence {
        Evidence::new(
            self.location.clone(),
            format!(
                "`{}.{}` comes from {}",
                self.type_name,
                self.field,
                if self.env_attr {
                    "an environment variable"
                } else {
                    "configuration"
                }
            ),
        )
    }
}

/// Type names that hold configuration.
const CONFIG_WORDS: &[&str] = &[
    "config",
    "configuration",
    "settings",
    "setting",
    "env",
    "environment",
    "opts",
    "cli",
    "conf",
    "cfg",
];

/// Fields of configuration types in service code. A type is configuration when
/// it is deserialised or parsed (`Deserialize`, clap `Parser`/`Args`,
/// `Envconfig`) and its name says so (`Settings`, `AppConfig`), its file is a
/// config module (`config.rs`, `settings.rs`), or a configuration type holds it
/// (`Settings { postgres: Postgresql }`). Fields bound to an environment variable
/// by an attribute (`#[arg(env)]`, `#[env_config(name = "X")]`) count anyway.
/// Numbers and booleans are settings, never credentials, and are left out.
pub fn config_fields(facts: &Facts) -> Vec<ConfigField> {
    use std::collections::HashSet;
    let deser = |t: &crate::extract::rust::TypeFact| {
        t.derives.iter().any(|d| {
            matches!(
                last_seg(d),
                "Deserialize" | "Parser" | "Args" | "StructOpt" | "Envconfig"
            )
        })
    };
    let mut config: HashSet<&str> = HashSet::new();
    for (_, f) in facts.service_rust() {
        let file = f
            .path
            .rsplit('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".rs");
        let config_file = matches!(
            file,
            "config" | "settings" | "configuration" | "conf" | "cfg"
        );
        for t in f.types.iter().filter(|t| !t.test && deser(t)) {
            let cli = t
                .derives
                .iter()
                .any(|d| matches!(last_seg(d), "Parser" | "Args" | "StructOpt" | "Envconfig"));
            if cli || config_file || has_word(&t.name, CONFIG_WORDS) {
                config.insert(t.name.as_str());
            }
        }
    }
    // Types held by configuration types are configuration too (two levels).
    for _ in 0..2 {
        let mut more = Vec::new();
        for (_, f) in facts.service_rust() {
            for t in f.types.iter().filter(|t| config.contains(t.name.as_str())) {
                for fld in &t.fields {
                    more.extend(type_idents(&fld.ty));
                }
            }
        }
        for (_, f) in facts.service_rust() {
            for t in f
                .types
                .iter()
                .filter(|t| !t.test && deser(t) && more.contains(&t.name.as_str()))
            {
                config.insert(t.name.as_str());
            }
        }
    }
    const SCALARS: &[&str] = &[
        "bool", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128",
        "isize", "f32", "f64", "Duration",
    ];
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            let is_config = config.contains(t.name.as_str());
            for fld in &t.fields {
                let idents = type_idents(&fld.ty);
                if idents.iter().any(|i| SCALARS.contains(i)) {
                    continue;
                }
                let env_attr = fld.attrs.iter().any(|a| {
                    let path_env = words(&a.path)
                        .iter()
                        .any(|w| w == "env" || w == "envconfig");
                    let arg_env =
                        matches!(last_seg(&a.path), "arg" | "clap" | "structopt" | "config")
                            && words(&a.args).iter().any(|w| w == "env");
                    path_env || arg_env
                });
                if is_config || env_attr {
                    out.push(ConfigField {
                        location: Location::new(f.path.clone(), fld.line),
                        type_name: t.name.clone(),
                        field: fld.name.clone(),
                        ty: fld.ty.clone(),
                        env_attr,
                    });
                }
            }
        }
    }
    out
}

/// Something with a place: hits and evidence.
pub trait Located {
    fn location(&self) -> &Location;
}

impl Located for Hit {
    fn location(&self) -> &Location {
        &self.location
    }
}

impl Located for Evidence {
    fn location(&self) -> &Location {
        &self.location
    }
}

/// Keep the first `n` items per file: evidence that shows breadth without
/// flooding the report.
pub fn first_per_file<T: Located>(items: Vec<T>, n: usize) -> Vec<T> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    items
        .into_iter()
        .filter(|h| {
            let c = seen.entry(h.location().path.clone()).or_default();
            *c += 1;
            *c <= n
        })
        .collect()
}

pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_code_text() {
        assert_eq!(
            words("from_fn_with_state(state,auth::requireUser)"),
            vec!["from", "fn", "with", "state", "state", "auth", "require", "user"]
        );
        assert_eq!(words("AdminUser"), vec!["admin", "user"]);
        assert_eq!(words("JWTClaims"), vec!["jwtclaims"]);
        assert!(!has_word("author_id", &["auth"]));
    }

    #[test]
    fn header_layers_are_not_role_checks() {
        let layer = |text: &str| LayerFact {
            text: text.to_string(),
            paths: Vec::new(),
            methods: Vec::new(),
            line: 1,
        };
        assert!(!is_role_layer(&layer(
            r#"actix_middleware::DefaultHeaders::new().add(("Permissions-Policy","interest-cohort=()"))"#
        )));
        assert!(!is_role_layer(&layer(
            r#"SetResponseHeaderLayer::overriding(HeaderName::from_static("x-permissions"),v)"#
        )));
        assert!(is_role_layer(&layer("from_fn(require_permission)")));
        assert!(is_role_layer(&layer(r#"RequireRole::new("admin")"#)));
        assert_eq!(without_strings(r#"a("b\"c",d)"#), r#"a("",d)"#);
    }

    #[test]
    fn public_and_sensitive_paths() {
        assert!(is_public_path("/healthz"));
        assert!(is_public_path("/api/v1/login"));
        assert!(!is_public_path("/api/v1/orders"));
        assert!(is_sensitive_route("POST", "/auth/token"));
        assert!(is_sensitive_route("GET", "/users/password/reset"));
        assert!(!is_sensitive_route("POST", "/orders/{id}"));
        assert!(is_sensitive_route("POST", "/api/sessions"));
        assert!(!is_sensitive_route("GET", "/traces/session"));
        assert!(!is_sensitive_route("DELETE", "/streams/_reset"));
        assert!(!is_sensitive_route(
            "GET",
            "/.well-known/oauth-authorization-server"
        ));
    }
}
