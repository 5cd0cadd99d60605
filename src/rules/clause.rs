//! Declarative evidence clauses: what a YAML rule can say without Rust code.
//!
//! ```yaml
//! pass:
//!   - all:
//!       - crate: [notify]
//!       - uses: [notify::Watcher, RecommendedWatcher]
//!   - method: [with_graceful_shutdown]
//! partial:
//!   - crate: [notify]
//! ```
//! A clause finds evidence (a list of hits with locations) or nothing. `all`
//! needs every member to find something; `any` one; `not` finds "nothing of X"
//! at the service's anchor when X finds nothing.

use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use regex::Regex;
use serde::{Deserialize, Serialize};

/// One evidence clause, written in YAML as a one-key map (`- crate: [governor]`).
#[derive(Debug, Clone)]
pub enum Clause {
    /// A normal dependency of a service package.
    Crate(Vec<String>),
    /// A dev-dependency of any package.
    DevCrate(Vec<String>),
    /// A path referenced in service code (calls, types, attributes; not bare imports).
    Uses(Vec<String>),
    /// A method called in service code.
    Method(Vec<String>),
    /// A macro invoked in service code.
    Macro(Vec<String>),
    /// A route whose full path matches the regex.
    Route(String),
    /// A file whose root-relative path matches any glob.
    File(Vec<String>),
    /// A text file (not Rust) matching `files` globs whose text matches `pattern`.
    Text {
        files: Vec<String>,
        pattern: String,
    },
    /// A CI command (including the Makefile/justfile recipes it runs) matching the regex.
    Ci(String),
    /// Any test function (`#[test]`, `#[tokio::test]`, …) anywhere in the tree.
    TestFn(TestScope),
    All(Vec<Clause>),
    Any(Vec<Clause>),
    Not(Box<Clause>),
}

/// Clause names, as written in rule files.
pub const CLAUSE_NAMES: &[&str] = &[
    "crate",
    "dev_crate",
    "uses",
    "method",
    "macro",
    "route",
    "file",
    "text",
    "ci",
    "test_fn",
    "all",
    "any",
    "not",
];

impl<'de> Deserialize<'de> for Clause {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_json::Value::deserialize(d)?;
        let map = v.as_object().filter(|m| m.len() == 1).ok_or_else(|| {
            D::Error::custom(format!(
                "a clause is a map with one key, one of: {}",
                CLAUSE_NAMES.join(", ")
            ))
        })?;
        let (key, val) = map.iter().next().expect("one entry");
        let val = val.clone();
        fn de<T: serde::de::DeserializeOwned, E: Error>(
            key: &str,
            v: serde_json::Value,
        ) -> Result<T, E> {
            serde_json::from_value(v).map_err(|e| E::custom(format!("clause `{key}`: {e}")))
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct TextArgs {
            files: Vec<String>,
            pattern: String,
        }
        Ok(match key.as_str() {
            "crate" => Clause::Crate(de(key, val)?),
            "dev_crate" => Clause::DevCrate(de(key, val)?),
            "uses" => Clause::Uses(de(key, val)?),
            "method" => Clause::Method(de(key, val)?),
            "macro" => Clause::Macro(de(key, val)?),
            "route" => Clause::Route(de(key, val)?),
            "file" => Clause::File(de(key, val)?),
            "text" => {
                let t: TextArgs = de(key, val)?;
                Clause::Text {
                    files: t.files,
                    pattern: t.pattern,
                }
            }
            "ci" => Clause::Ci(de(key, val)?),
            "test_fn" => Clause::TestFn(de(key, val)?),
            "all" => Clause::All(de(key, val)?),
            "any" => Clause::Any(de(key, val)?),
            "not" => Clause::Not(Box::new(de(key, val)?)),
            other => {
                return Err(D::Error::custom(format!(
                    "unknown clause `{other}`; expected one of: {}",
                    CLAUSE_NAMES.join(", ")
                )))
            }
        })
    }
}

impl Serialize for Clause {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        match self {
            Clause::Crate(v) => m.serialize_entry("crate", v)?,
            Clause::DevCrate(v) => m.serialize_entry("dev_crate", v)?,
            Clause::Uses(v) => m.serialize_entry("uses", v)?,
            Clause::Method(v) => m.serialize_entry("method", v)?,
            Clause::Macro(v) => m.serialize_entry("macro", v)?,
            Clause::Route(v) => m.serialize_entry("route", v)?,
            Clause::File(v) => m.serialize_entry("file", v)?,
            Clause::Text { files, pattern } => m.serialize_entry(
                "text",
                &serde_json::json!({ "files": files, "pattern": pattern }),
            )?,
            Clause::Ci(v) => m.serialize_entry("ci", v)?,
            Clause::TestFn(v) => m.serialize_entry("test_fn", v)?,
            Clause::All(v) => m.serialize_entry("all", v)?,
            Clause::Any(v) => m.serialize_entry("any", v)?,
            Clause::Not(v) => m.serialize_entry("not", v)?,
        }
        m.end()
    }
}

/// Where a `test_fn` clause looks.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TestScope {
    /// Unit tests inside service crates' `src/`.
    Unit,
    /// Tests in `tests/` directories.
    Integration,
}

impl Clause {
    /// Check regexes and globs compile.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Clause::Route(r) | Clause::Ci(r) => Regex::new(r)
                .map(|_| ())
                .map_err(|e| format!("bad regex `{r}`: {e}")),
            Clause::Text { files, pattern } => {
                Regex::new(pattern).map_err(|e| format!("bad regex `{pattern}`: {e}"))?;
                globs(files).map(|_| ())
            }
            Clause::File(g) => globs(g).map(|_| ()),
            Clause::All(cs) | Clause::Any(cs) => cs.iter().try_for_each(Clause::validate),
            Clause::Not(c) => c.validate(),
            _ => Ok(()),
        }
    }

    /// The evidence this clause finds.
    pub fn eval(&self, facts: &Facts) -> Vec<Hit> {
        fn strs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        match self {
            Clause::Crate(names) => facts.dep_hits(&strs(names)),
            Clause::DevCrate(names) => facts
                .dev_deps(&strs(names))
                .into_iter()
                .map(|(p, d)| {
                    Hit::new(
                        facts.dep_location(p, d),
                        format!("`{}` dev-depends on `{}`", p.name, d.name),
                    )
                })
                .collect(),
            Clause::Uses(paths) => facts.refs(&strs(paths)),
            Clause::Method(names) => facts
                .methods(&strs(names))
                .into_iter()
                .map(|(f, m)| {
                    Hit::new(
                        Location::new(f.path.clone(), m.line),
                        format!("`.{}()` called", m.name),
                    )
                })
                .collect(),
            Clause::Macro(names) => facts
                .macros(&strs(names))
                .into_iter()
                .map(|(f, m)| {
                    Hit::new(
                        Location::new(f.path.clone(), m.line),
                        format!("`{}!` invoked", m.path),
                    )
                })
                .collect(),
            Clause::Route(re) => {
                let re = Regex::new(re).expect("validated");
                facts
                    .routes
                    .iter()
                    .filter(|r| re.is_match(&r.path))
                    .map(|r| Hit::new(r.location.clone(), format!("route {} {}", r.method, r.path)))
                    .collect()
            }
            Clause::File(g) => {
                let set = globs(g).expect("validated");
                facts
                    .files
                    .iter()
                    .filter(|f| set.is_match(&f.path))
                    .map(|f| Hit::new(Location::file(f.path.clone()), format!("file `{}`", f.path)))
                    .collect()
            }
            Clause::Text { files, pattern } => {
                let set = globs(files).expect("validated");
                let re = Regex::new(pattern).expect("validated");
                let mut out = Vec::new();
                for t in facts.texts_where(|t| set.is_match(&t.path)) {
                    if let Some(m) = re.find(&t.text) {
                        let line = t.text[..m.start()].matches('\n').count() as u32 + 1;
                        out.push(Hit::new(
                            Location::new(t.path.clone(), line),
                            format!("`{}`", clip(m.as_str())),
                        ));
                    }
                }
                out
            }
            Clause::Ci(re) => {
                let re = Regex::new(re).expect("validated");
                facts
                    .ci_commands()
                    .into_iter()
                    .filter(|c| !c.allow_failure)
                    .filter_map(|c| {
                        let m = re.find(&c.text)?;
                        let line_off = c.text[..m.start()].matches('\n').count() as u32;
                        let loc = match c.location.line {
                            Some(l) if c.via.is_some() => {
                                Location::new(c.location.path.clone(), l + line_off)
                            }
                            _ => c.location.clone(),
                        };
                        let via = c.via.map(|v| format!(" (run by {v})")).unwrap_or_default();
                        Some(Hit::new(
                            loc,
                            format!("CI runs `{}`{via}", clip(m.as_str())),
                        ))
                    })
                    .collect()
            }
            Clause::TestFn(scope) => {
                let mut out = Vec::new();
                for f in &facts.rust {
                    let in_scope = match scope {
                        TestScope::Unit => {
                            facts.is_service_path(&f.path, crate::classify::Role::Service)
                                && f.role.is_service()
                        }
                        TestScope::Integration => f.role == crate::classify::Role::Test,
                    };
                    if !in_scope {
                        continue;
                    }
                    let n = f.fns.iter().filter(|x| x.is_test_fn).count();
                    if let Some(first) = f.fns.iter().find(|x| x.is_test_fn) {
                        out.push(Hit::new(
                            Location::new(f.path.clone(), first.line),
                            format!("{n} test function(s)"),
                        ));
                    }
                }
                out
            }
            Clause::All(cs) => {
                let mut out = Vec::new();
                for c in cs {
                    let hits = c.eval(facts);
                    if hits.is_empty() {
                        return Vec::new();
                    }
                    out.extend(hits);
                }
                out
            }
            Clause::Any(cs) => cs.iter().flat_map(|c| c.eval(facts)).collect(),
            Clause::Not(c) => {
                if c.eval(facts).is_empty() {
                    vec![Hit::new(
                        facts.anchor(),
                        format!("none of: {}", c.describe()),
                    )]
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// A short description, used for "looked for" text.
    pub fn describe(&self) -> String {
        let list = |v: &Vec<String>| v.join(", ");
        match self {
            Clause::Crate(v) => format!("a dependency on {}", list(v)),
            Clause::DevCrate(v) => format!("a dev-dependency on {}", list(v)),
            Clause::Uses(v) => format!("code using {}", list(v)),
            Clause::Method(v) => format!("calls to .{}()", v.join("()/.")),
            Clause::Macro(v) => format!("{}! invocations", v.join("!/")),
            Clause::Route(r) => format!("a route matching `{r}`"),
            Clause::File(g) => format!("a file matching {}", list(g)),
            Clause::Text { files, pattern } => format!("`{pattern}` in {}", list(files)),
            Clause::Ci(r) => format!("a CI step running `{r}`"),
            Clause::TestFn(TestScope::Unit) => "unit tests in src/".into(),
            Clause::TestFn(TestScope::Integration) => "tests in tests/".into(),
            Clause::All(cs) => cs
                .iter()
                .map(Clause::describe)
                .collect::<Vec<_>>()
                .join(" and "),
            Clause::Any(cs) => cs
                .iter()
                .map(Clause::describe)
                .collect::<Vec<_>>()
                .join(" or "),
            Clause::Not(c) => format!("no {}", c.describe()),
        }
    }
}

fn globs(patterns: &[String]) -> Result<globset::GlobSet, String> {
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        let g = globset::GlobBuilder::new(p)
            .literal_separator(false)
            .build()
            .map_err(|e| format!("bad glob `{p}`: {e}"))?;
        b.add(g);
    }
    b.build().map_err(|e| e.to_string())
}

fn clip(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_read_as_one_key_maps() {
        let c: Vec<Clause> = yaml_serde::from_str(
            "- crate: [governor]\n- all:\n    - uses: [GovernorLayer]\n    - not: {ci: 'cargo deny'}\n- text: {files: ['*.md'], pattern: 'rollback'}\n",
        )
        .unwrap();
        assert!(matches!(&c[0], Clause::Crate(v) if v == &["governor"]));
        assert!(matches!(&c[1], Clause::All(v) if v.len() == 2));
        assert!(matches!(&c[2], Clause::Text { .. }));
    }

    #[test]
    fn unknown_clause_names_the_choices() {
        let err = yaml_serde::from_str::<Clause>("crates: [x]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown clause `crates`"), "{err}");
    }
}
