//! Analyzers for the Configuration section (`cfg.*` rules).
//!
//! Each analyzer is a submodule with `pub fn decide(facts, rule) -> Outcome`,
//! listed in [`ANALYZERS`] under the name rules use (`analyzer: <name>`).
//! [`sources`] says where the service's configuration comes from at run time;
//! several rules (and `docker.env-config`) start from it.

pub mod feature_flags;
pub mod hot_reload;
pub mod per_env;
pub mod rollback;
pub mod startup_validation;

pub mod db_url;
pub mod secrets;
pub mod third_party_creds;

use super::Decide;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;

/// This section's analyzers, by name.
pub const ANALYZERS: &[(&str, Decide)] = &[
    ("db_url", db_url::decide),
    ("secrets_management", secrets::decide),
    ("third_party_creds", third_party_creds::decide),
    ("config_per_env", per_env::decide),
    ("feature_flags", feature_flags::decide),
    ("startup_validation", startup_validation::decide),
    ("config_hot_reload", hot_reload::decide),
    ("rollback", rollback::decide),
];

/// Where configuration comes from at run time.
#[derive(Debug, Default)]
pub struct Sources {
    /// Layered loaders: config-rs builders and sources, figment providers.
    pub layered: Vec<Hit>,
    /// Typed loaders straight from the environment: envy, envconfig,
    /// serde_env, clap arguments with `env`.
    pub typed_env: Vec<Hit>,
    /// `std::env::var` and friends, read one at a time.
    pub env_reads: Vec<Hit>,
    /// Config files parsed (`toml::from_str`, `serde_yaml::from_*`, `Toml::file`).
    pub files: Vec<Hit>,
    /// `.env` loading (dotenvy).
    pub dotenv: Vec<Hit>,
    /// Rocket reads `Rocket.toml` profiles and `ROCKET_*` variables itself.
    pub framework: Vec<Hit>,
}

impl Sources {
    /// Nothing at all is read at run time.
    pub fn is_empty(&self) -> bool {
        self.layered.is_empty()
            && self.typed_env.is_empty()
            && self.env_reads.is_empty()
            && self.files.is_empty()
            && self.dotenv.is_empty()
            && self.framework.is_empty()
    }

    /// Every hit, strongest first.
    pub fn all(&self) -> Vec<Hit> {
        let mut v = Vec::new();
        for part in [
            &self.layered,
            &self.typed_env,
            &self.framework,
            &self.files,
            &self.env_reads,
            &self.dotenv,
        ] {
            v.extend(part.iter().cloned());
        }
        v
    }
}

const LAYERED: &[&str] = &[
    "config::Config::builder",
    "config::ConfigBuilder",
    "config::File",
    "config::Environment",
    "config::FileFormat",
    "figment::Figment",
    "figment::providers::Env",
    "figment::providers::Toml",
    "figment::providers::Yaml",
    "figment::providers::Json",
    "figment::providers::Serialized",
    "confique::Config",
    "twelf::config",
    "config_rs",
    "hierarchical_config",
    "schematic::ConfigLoader",
    "^provcfg",
];

const TYPED_ENV: &[&str] = &[
    "envy::from_env",
    "envy::prefixed",
    "envconfig::Envconfig",
    "Envconfig::init_from_env",
    "serde_env::from_env",
    "econf::load",
    "envious::Config",
    "env_config",
];

const ENV_READS: &[&str] = &[
    "std::env::var",
    "env::var",
    "std::env::var_os",
    "env::var_os",
    "std::env::vars",
    "dotenvy::var",
    "dotenv::var",
];

const FILES: &[&str] = &[
    "toml::from_str",
    "toml::de::from_str",
    "serde_yaml::from_str",
    "serde_yaml::from_reader",
    "serde_yml::from_str",
    "serde_json::from_reader",
    "ron::from_str",
    "json5::from_str",
];

const DOTENV: &[&str] = &[
    "dotenvy::dotenv",
    "dotenvy::from_filename",
    "dotenvy::from_path",
    "dotenv::dotenv",
    "dotenv::from_filename",
];

/// Where the service's configuration comes from.
pub fn sources(facts: &Facts) -> Sources {
    let mut s = Sources {
        layered: facts.refs(LAYERED),
        typed_env: facts.refs(TYPED_ENV),
        env_reads: facts.refs(ENV_READS),
        files: facts.refs(FILES),
        dotenv: facts.refs(DOTENV),
        framework: Vec::new(),
    };
    // `config::…` is config-rs only when that crate (not a workspace crate
    // named `config`) is the dependency.
    let config_rs = facts.packages.iter().any(|p| {
        p.deps
            .iter()
            .any(|d| crate::facts::packages::same_crate(&d.name, "config") && d.path.is_none())
    });
    if !config_rs {
        s.layered.retain(|h| !h.what.starts_with("`config::"));
    }
    s.typed_env.extend(clap_env_fields(facts));
    if facts
        .server_packages()
        .any(|p| p.frameworks.iter().any(|f| f == "rocket"))
    {
        s.framework.extend(
            facts
                .refs_or_imports(&[
                    "rocket::build",
                    "rocket::launch",
                    "rocket::custom",
                    "rocket::Config",
                ])
                .into_iter()
                .take(1)
                .map(|h| {
                    Hit::new(
                        h.location,
                        "Rocket reads Rocket.toml profiles and ROCKET_* variables",
                    )
                }),
        );
    }
    s
}

/// The service's configuration sources, or `n/a` when there is no service
/// code or nothing is read at run time (nothing to validate or reload).
pub fn configured(facts: &Facts) -> Result<Sources, crate::rules::Outcome> {
    if let Some(na) = crate::analyzers::unless_service(facts) {
        return Err(na);
    }
    let s = sources(facts);
    if s.is_empty() {
        return Err(crate::rules::Outcome::na(
            "nothing is configured at run time (no env::var, config loader or config file read)",
        ));
    }
    Ok(s)
}

/// Struct fields whose clap attribute reads an environment variable
/// (`#[arg(long, env = "PORT")]`).
fn clap_env_fields(facts: &Facts) -> Vec<Hit> {
    let mut out = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test) {
            for field in &t.fields {
                let env = field.attrs.iter().any(|a| {
                    (a.path.ends_with("arg")
                        || a.path.ends_with("clap")
                        || a.path.ends_with("structopt"))
                        && a.args
                            .split(',')
                            .any(|p| p.trim() == "env" || p.trim().starts_with("env="))
                });
                if env {
                    out.push(Hit::new(
                        Location::new(f.path.clone(), field.line),
                        format!(
                            "`{}.{}` is read from the environment (clap `env`)",
                            t.name, field.name
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Whether a type holds the service's settings: named like one (`Config`,
/// `Settings`, `AppConfig`, `Features`), defined in a config/settings module,
/// or parsed from the command line (clap `Parser`/`Args`).
pub fn is_config_type(path: &str, t: &crate::extract::rust::TypeFact) -> bool {
    let named = [
        "Config",
        "Settings",
        "Configuration",
        "Conf",
        "Features",
        "Flags",
        "Toggles",
    ]
    .iter()
    .any(|s| t.name.ends_with(s));
    let module = path.split('/').any(|seg| {
        matches!(
            seg.trim_end_matches(".rs"),
            "config" | "settings" | "configuration" | "conf" | "cfg"
        )
    });
    let cli = t
        .derives
        .iter()
        .any(|d| d.ends_with("Parser") || d.ends_with("Args"));
    named || module || cli
}

/// Environment names per deployment stage, as files and literals use them.
pub const ENV_NAMES: &[&str] = &[
    "production",
    "prod",
    "staging",
    "stage",
    "development",
    "dev",
    "local",
    "test",
    "testing",
    "qa",
    "preview",
    "sandbox",
];

/// Config files per environment: `config/production.toml`, `settings.staging.yaml`,
/// `.env.production`, next to a base (`default`, `base`, `config`, `settings`).
pub fn env_files(facts: &Facts) -> (Vec<Hit>, Vec<Hit>) {
    let mut per_env = Vec::new();
    let mut base = Vec::new();
    for f in &facts.files {
        if !f.role.is_service()
            || crate::classify::role_of(&f.path) != crate::classify::Role::Service
        {
            continue;
        }
        let lower = f.path.to_ascii_lowercase();
        let name = crate::analyzers::file_name(&f.path);
        let is_cfg_ext = [".toml", ".yaml", ".yml", ".json", ".ron", ".ini"]
            .iter()
            .any(|e| name.ends_with(e))
            || name.starts_with(".env.");
        if !is_cfg_ext || name == "cargo.toml" || lower.starts_with(".github/") {
            continue;
        }
        let in_config_dir = lower.starts_with("config/")
            || lower.contains("/config/")
            || lower.starts_with("configs/")
            || lower.starts_with("settings/");
        let stem_tokens: Vec<&str> = name
            .split(['.', '-', '_'])
            .filter(|t| !t.is_empty())
            .collect();
        let names_env =
            stem_tokens.iter().any(|t| ENV_NAMES.contains(t)) && !name.ends_with(".example");
        let names_cfg = stem_tokens.first().is_some_and(|t| {
            matches!(
                *t,
                "config" | "settings" | "app" | "appsettings" | "env" | "application"
            )
        });
        if names_env && (in_config_dir || names_cfg || name.starts_with(".env.")) {
            per_env.push(Hit::new(
                Location::file(f.path.clone()),
                format!("per-environment config `{}`", f.path),
            ));
        } else if in_config_dir
            && stem_tokens
                .iter()
                .any(|t| matches!(*t, "default" | "base" | "common" | "config" | "settings"))
        {
            base.push(Hit::new(
                Location::file(f.path.clone()),
                format!("base config `{}`", f.path),
            ));
        }
    }
    (per_env, base)
}
