//! The config file: which rules count and how much, and the team's exceptions.
//!
//! Found in the Rust ecosystem's way: `--config FILE`, else `seaworthy.toml` at
//! the audited root, else `[workspace.metadata.seaworthy]` or
//! `[package.metadata.seaworthy]` in the root `Cargo.toml`. The Cargo.toml is
//! read here again (rather than taken from the manifest facts) so that every
//! error names its line in the file the user edits.
//!
//! ```toml
//! profile = "standard"                 # minimal | standard | strict
//! [rules."api.versioning"]
//! enabled = false
//! [[waiver]]
//! rule = "obs.health"
//! path = "src/legacy/**"               # optional: only findings under these paths
//! reason = "legacy admin port, retired in Q1"
//! expires = 2026-12-31
//! [[attestation]]
//! rule = "db.backup"
//! by = "Jane Doe <jane@example.com>"
//! reason = "nightly snapshots; restore drill on 2026-10-02"
//! date = 2026-10-02
//! ```
//! Unknown keys and bad values are errors naming the line (exit 2), in the
//! manner of cargo-deny: an exception without a reason is not accepted.

pub mod apply;
pub mod inline;

use crate::location::LineIndex;
use crate::rules::{Catalog, Severity};
use crate::score::{Level, Profile};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// The commented starter config `seaworthy init` writes.
pub const STARTER: &str = include_str!("../../templates/seaworthy.toml");

/// A parsed config.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub profile: Option<Profile>,
    /// Score preview rules too.
    pub preview: Option<bool>,
    pub fail_under: Option<Spanned<f64>>,
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, RuleOverride>,
    #[serde(default, rename = "waiver")]
    pub waivers: Vec<Spanned<Waiver>>,
    #[serde(default, rename = "attestation")]
    pub attestations: Vec<Spanned<Attestation>>,
}

/// `[rules."ID"]`: turn a rule off or change how much it counts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    pub enabled: Option<bool>,
    pub weight: Option<Spanned<f64>>,
    pub severity: Option<Severity>,
    pub level: Option<Level>,
}

/// `[[waiver]]`: accept a failing item (or its findings under `path`) until a date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: Spanned<String>,
    pub path: Option<Glob>,
    pub reason: Reason,
    pub expires: Date,
}

/// `[[attestation]]`: a person's word that a manual item is done.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub rule: Spanned<String>,
    pub by: Reason,
    pub reason: Reason,
    pub date: Date,
}

/// A non-empty explanation.
#[derive(Debug, Clone)]
pub struct Reason(pub String);

impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(serde::de::Error::custom(
                "must not be empty: say why (and who) so the next reader can judge it",
            ));
        }
        Ok(Reason(s.trim().to_string()))
    }
}

/// A date, written as a TOML date (`2026-12-31`) or a string (`"2026-12-31"`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub String);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match toml::Value::deserialize(d)? {
            toml::Value::String(s) => s,
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            _ => String::new(),
        };
        match crate::provenance::parse_date(&text) {
            Some(_) => Ok(Date(text)),
            None => Err(serde::de::Error::custom("expected a date like 2026-12-31")),
        }
    }
}

/// A path glob (`src/legacy/**`), checked when read.
#[derive(Debug, Clone)]
pub struct Glob {
    pub text: String,
    pub matcher: globset::GlobMatcher,
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let glob = globset::GlobBuilder::new(&text)
            .literal_separator(true)
            .build()
            .map_err(|e| serde::de::Error::custom(format!("not a valid path glob: {e}")))?;
        Ok(Glob {
            matcher: glob.compile_matcher(),
            text,
        })
    }
}

/// A config and where it came from.
#[derive(Debug, Default)]
pub struct Loaded {
    pub config: Config,
    /// The file's display name (`seaworthy.toml`, `Cargo.toml`, or the `--config` path).
    pub source: Option<String>,
    /// The config file's text, for line numbers.
    text: Option<String>,
}

impl Loaded {
    /// `file:line` of a byte span in the config file.
    pub fn at(&self, span: std::ops::Range<usize>) -> String {
        let file = self.source.as_deref().unwrap_or("config");
        match &self.text {
            Some(t) => format!("{file}:{}", LineIndex::new(t).line_of(span.start)),
            None => file.to_string(),
        }
    }
}

/// Find and read the config for `root`. `explicit` is `--config FILE`.
pub fn load(root: &Path, explicit: Option<&Path>, catalog: &Catalog) -> Result<Loaded, String> {
    let loaded = if let Some(path) = explicit {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--config {}: cannot read: {e}", path.display()))?;
        parse(&path.display().to_string(), &text, &Where::Whole)?
    } else if let Ok(text) = std::fs::read_to_string(root.join("seaworthy.toml")) {
        parse("seaworthy.toml", &text, &Where::Whole)?
    } else if let Ok(text) = std::fs::read_to_string(root.join("Cargo.toml")) {
        parse("Cargo.toml", &text, &Where::CargoMetadata)?
    } else {
        Loaded::default()
    };
    validate(&loaded, catalog)?;
    Ok(loaded)
}

pub enum Where {
    Whole,
    CargoMetadata,
}

/// The part of a Cargo.toml that holds a config.
#[derive(Deserialize)]
struct CargoFile {
    workspace: Option<Holder>,
    package: Option<Holder>,
}

#[derive(Deserialize)]
struct Holder {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    seaworthy: Option<Config>,
}

/// Parse config text; errors are `file:line: message`.
pub fn parse(name: &str, text: &str, place: &Where) -> Result<Loaded, String> {
    let lines = LineIndex::new(text);
    let err = |e: toml::de::Error| {
        let line = e.span().map(|s| lines.line_of(s.start)).unwrap_or(1);
        format!(
            "{name}:{line}: {}",
            e.message().trim_end().replace('\n', "; ")
        )
    };
    let config = match place {
        Where::Whole => Some(toml::from_str::<Config>(text).map_err(err)?),
        Where::CargoMetadata => {
            let cargo: CargoFile = toml::from_str(text).map_err(err)?;
            let meta = |h: Option<Holder>| h.and_then(|h| h.metadata).and_then(|m| m.seaworthy);
            meta(cargo.workspace).or_else(|| meta(cargo.package))
        }
    };
    Ok(match config {
        Some(config) => Loaded {
            config,
            source: Some(name.to_string()),
            text: Some(text.to_string()),
        },
        None => Loaded::default(),
    })
}

/// Checks serde cannot make: rule ids exist, numbers are in range.
fn validate(l: &Loaded, catalog: &Catalog) -> Result<(), String> {
    let c = &l.config;
    let known = |id: &Spanned<String>| -> Result<(), String> {
        if catalog.rule(id.get_ref()).is_some() {
            return Ok(());
        }
        Err(format!(
            "{}: no rule `{}`; run `seaworthy rules list` to see every id",
            l.at(id.span()),
            id.get_ref()
        ))
    };
    for (id, o) in &c.rules {
        known(id)?;
        if let Some(w) = &o.weight {
            if !w.get_ref().is_finite() || *w.get_ref() < 0.0 {
                return Err(format!(
                    "{}: weight {} must be zero or more",
                    l.at(w.span()),
                    w.get_ref()
                ));
            }
        }
    }
    if let Some(f) = &c.fail_under {
        if !(0.0..=100.0).contains(f.get_ref()) {
            return Err(format!(
                "{}: fail-under {} is outside 0–100",
                l.at(f.span()),
                f.get_ref()
            ));
        }
    }
    for w in &c.waivers {
        known(&w.get_ref().rule)?;
    }
    for a in &c.attestations {
        known(&a.get_ref().rule)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::load(None).unwrap()
    }

    fn parse_whole(text: &str) -> Result<Loaded, String> {
        let l = parse("seaworthy.toml", text, &Where::Whole)?;
        validate(&l, &catalog())?;
        Ok(l)
    }

    #[test]
    fn the_starter_config_parses() {
        let l = parse_whole(STARTER).unwrap();
        assert!(l.config.waivers.is_empty(), "the starter waives nothing");
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let e = parse_whole("profile = \"strict\"\n\n[[waiver]]\nrule = \"obs.health\"\nreason = \"x\"\nexpires = 2030-01-01\nowner = \"me\"\n")
            .unwrap_err();
        assert!(
            e.starts_with("seaworthy.toml:7: unknown field `owner`"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_the_line() {
        let cases = [
            ("profile = \"lax\"\n", "seaworthy.toml:1: unknown variant `lax`"),
            (
                "[[waiver]]\nrule = \"obs.health\"\nreason = \"  \"\nexpires = 2030-01-01\n",
                "seaworthy.toml:3: must not be empty",
            ),
            (
                "[[waiver]]\nrule = \"obs.health\"\nreason = \"r\"\nexpires = \"next year\"\n",
                "seaworthy.toml:4: expected a date",
            ),
            (
                "[[waiver]]\nrule = \"obs.health\"\nreason = \"r\"\n",
                "missing field `expires`",
            ),
            (
                "\n[[waiver]]\nrule = \"obs.nope\"\nreason = \"r\"\nexpires = 2030-01-01\n",
                "seaworthy.toml:3: no rule `obs.nope`",
            ),
            (
                "[rules.\"obs.health\"]\nweight = -1.0\n",
                "seaworthy.toml:2: weight -1 must be zero or more",
            ),
            (
                "[[waiver]]\nrule = \"obs.health\"\npath = \"src/[\"\nreason = \"r\"\nexpires = 2030-01-01\n",
                "seaworthy.toml:3: not a valid path glob",
            ),
        ];
        for (text, want) in cases {
            let e = parse_whole(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: got {e}");
        }
    }

    #[test]
    fn cargo_metadata_tables_are_read_with_cargo_toml_lines() {
        let text = "[package]\nname = \"x\"\n\n[package.metadata.seaworthy]\nprofile = \"minimal\"\n\n[[package.metadata.seaworthy.waiver]]\nrule = \"obs.health\"\nreason = \"r\"\nexpires = 2030-01-01\n";
        let l = parse("Cargo.toml", text, &Where::CargoMetadata).unwrap();
        assert_eq!(l.config.profile, Some(Profile::Minimal));
        assert_eq!(l.at(l.config.waivers[0].span()), "Cargo.toml:7"); // the [[…waiver]] header
        let ws = "[workspace]\nmembers = []\n[workspace.metadata.seaworthy]\nprofle = \"x\"\n";
        let e = parse("Cargo.toml", ws, &Where::CargoMetadata).unwrap_err();
        assert!(e.starts_with("Cargo.toml:4: unknown field `profle`"), "{e}");
        let none = parse(
            "Cargo.toml",
            "[package]\nname = \"x\"\n",
            &Where::CargoMetadata,
        )
        .unwrap();
        assert!(none.source.is_none());
    }
}
