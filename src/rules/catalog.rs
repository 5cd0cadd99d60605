//! The rule catalog: `rules/*.yaml`, one file per checklist section.
//!
//! The built-in files are embedded in the binary at build time, so `seaworthy`
//! works anywhere. `--rules DIR` adds rule files: a rule whose id exists replaces
//! the built-in one, a new id is added (in the section its file names). Every
//! catalog error names the file and says what to fix.

use super::clause::Clause;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The built-in rule files, in report order.
pub const BUILTIN: &[(&str, &str)] = &[
    ("api.yaml", include_str!("../../rules/api.yaml")),
    ("db.yaml", include_str!("../../rules/db.yaml")),
    ("sec.yaml", include_str!("../../rules/sec.yaml")),
    ("perf.yaml", include_str!("../../rules/perf.yaml")),
    ("test.yaml", include_str!("../../rules/test.yaml")),
    ("svc.yaml", include_str!("../../rules/svc.yaml")),
    ("mq.yaml", include_str!("../../rules/mq.yaml")),
    ("obs.yaml", include_str!("../../rules/obs.yaml")),
    ("docker.yaml", include_str!("../../rules/docker.yaml")),
    ("cfg.yaml", include_str!("../../rules/cfg.yaml")),
    ("ready.yaml", include_str!("../../rules/ready.yaml")),
];

/// How much a failing item matters; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// What a declarative rule concludes when no clause matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Otherwise {
    #[default]
    Fail,
    Manual,
}

/// Documentation shown by `seaworthy rules explain`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    /// How the status is decided.
    #[serde(default)]
    pub how: Option<String>,
    /// An example that fails.
    #[serde(default)]
    pub bad: Option<String>,
    /// An example that passes.
    #[serde(default)]
    pub good: Option<String>,
}

/// One rule: a checklist item and how it is decided.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    pub title: String,
    /// Filled from the file's `section`.
    #[serde(default)]
    pub section: String,
    pub severity: Severity,
    #[serde(default = "one")]
    pub weight: f64,
    pub rationale: String,
    pub remediation: String,
    #[serde(default)]
    pub docs: Docs,
    /// A named analyzer written in Rust decides the status.
    #[serde(default)]
    pub analyzer: Option<String>,
    /// This item restates another: it is reported with that rule's result.
    #[serde(default)]
    pub same_as: Option<String>,
    /// The item is `manual` (no static evidence can decide it), with the reason.
    #[serde(default)]
    pub manual: Option<String>,
    /// When this clause finds nothing the item is `n/a`…
    #[serde(default)]
    pub applies_when: Option<Clause>,
    /// …for this reason.
    #[serde(default)]
    pub not_applicable: Option<String>,
    /// Any clause that finds evidence makes the item pass.
    #[serde(default)]
    pub pass: Vec<Clause>,
    /// Else, any clause that finds evidence makes it partial.
    #[serde(default)]
    pub partial: Vec<Clause>,
    #[serde(default)]
    pub otherwise: Otherwise,
    /// What was looked for, said when nothing was found.
    #[serde(default)]
    pub looked_for: Option<String>,
    /// The ladder level the item belongs to (default: from the severity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::score::Level>,
    /// The seaworthy version that added the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// A rule new in this release: reported but not scored (except in the
    /// strict profile or with `preview = true` in the config), so upgrading
    /// seaworthy does not silently move every service's score.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview: bool,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    section: String,
    title: String,
    #[serde(default)]
    rules: Vec<RuleDef>,
}

/// A checklist section.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
}

/// The loaded catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub sections: Vec<Section>,
    pub rules: Vec<RuleDef>,
    /// Tool version plus a hash of the rule texts: changes when any rule changes.
    pub version: String,
}

impl Catalog {
    /// The built-in catalog, plus the rule files in `extra` when given.
    pub fn load(extra: Option<&Path>) -> Result<Catalog, String> {
        let mut texts: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, t)| (format!("rules/{n}"), t.to_string()))
            .collect();
        if let Some(dir) = extra {
            let mut files: Vec<_> = std::fs::read_dir(dir)
                .map_err(|e| format!("--rules {}: cannot read the directory: {e}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(format!(
                    "--rules {}: no .yaml rule files in the directory",
                    dir.display()
                ));
            }
            for p in files {
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
                texts.push((p.display().to_string(), text));
            }
        }
        let mut catalog = Catalog {
            sections: Vec::new(),
            rules: Vec::new(),
            version: String::new(),
        };
        let mut hash = Fnv::default();
        for (name, text) in &texts {
            hash.write(text.as_bytes());
            let file: SectionFile = yaml_serde::from_str(text).map_err(|e| {
                let at = e
                    .location()
                    .map(|l| format!(":{}", l.line()))
                    .unwrap_or_default();
                format!("{name}{at}: invalid rule file: {e}")
            })?;
            if !catalog.sections.iter().any(|s| s.id == file.section) {
                catalog.sections.push(Section {
                    id: file.section.clone(),
                    title: file.title.clone(),
                });
            }
            for mut rule in file.rules {
                rule.section = file.section.clone();
                validate(&rule).map_err(|e| format!("{name}: rule `{}`: {e}", rule.id))?;
                match catalog.rules.iter_mut().find(|r| r.id == rule.id) {
                    Some(existing) => *existing = rule,
                    None => catalog.rules.push(rule),
                }
            }
        }
        for rule in &catalog.rules {
            if let Some(target) = &rule.same_as {
                if !catalog
                    .rules
                    .iter()
                    .any(|r| &r.id == target && r.same_as.is_none())
                {
                    return Err(format!(
                        "rule `{}`: same_as `{target}` names no rule (or one that is itself a restatement)",
                        rule.id
                    ));
                }
            }
        }
        catalog.version = format!("{}+{:08x}", env!("CARGO_PKG_VERSION"), hash.finish() as u32);
        Ok(catalog)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleDef> {
        self.rules.iter().find(|r| r.id == id)
    }
}

fn validate(rule: &RuleDef) -> Result<(), String> {
    if !rule.id.contains('.') {
        return Err("ids are `section.name`".into());
    }
    if rule.weight < 0.0 || !rule.weight.is_finite() {
        return Err(format!("weight {} must be zero or more", rule.weight));
    }
    let deciders = [
        rule.analyzer.is_some(),
        rule.same_as.is_some(),
        rule.manual.is_some(),
        !rule.pass.is_empty(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if deciders != 1 {
        return Err("give exactly one of `analyzer`, `same_as`, `manual` or `pass` clauses".into());
    }
    if let Some(name) = &rule.analyzer {
        if !crate::analyzers::exists(name) {
            return Err(format!(
                "unknown analyzer `{name}` (known: {})",
                crate::analyzers::names().join(", ")
            ));
        }
    }
    for c in rule
        .pass
        .iter()
        .chain(&rule.partial)
        .chain(rule.applies_when.iter())
    {
        c.validate()?;
    }
    if rule.applies_when.is_some() && rule.not_applicable.is_none() {
        return Err("`applies_when` needs a `not_applicable` reason".into());
    }
    Ok(())
}

/// FNV-1a, for stable hashes (catalog version, finding fingerprints) without a dependency.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        if self.0 == 0 {
            self.0 = 0xcbf29ce484222325;
        }
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

impl RuleDef {
    /// The level the rule counts towards: its own, else its severity's.
    pub fn level_or_default(&self) -> crate::score::Level {
        self.level
            .unwrap_or_else(|| crate::score::Level::of(self.severity))
    }

    /// " · preview (…)" for a rule not scored yet, else empty.
    pub fn preview_note(&self) -> String {
        match (self.preview, &self.since) {
            (true, Some(v)) => format!(" · preview (new in {v}; not scored yet)"),
            (true, None) => " · preview (not scored yet)".to_string(),
            _ => String::new(),
        }
    }

    /// How the rule is decided, for its documentation: the written text, else
    /// what the rule's definition says.
    pub fn how_decided(&self) -> String {
        match (&self.docs.how, &self.analyzer, &self.same_as, &self.manual) {
            (Some(h), _, _, _) => h.clone(),
            (None, _, Some(t), _) => format!("Restates {t}: reported with that rule's result."),
            (None, _, _, Some(m)) => format!("Reported as manual: {m}"),
            (None, Some(a), _, _) => format!("Decided by the `{a}` analyzer."),
            _ => self
                .pass
                .iter()
                .map(|c| format!("pass when: {}", c.describe()))
                .chain(
                    self.partial
                        .iter()
                        .map(|c| format!("partial when: {}", c.describe())),
                )
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}
