//! YAML with line numbers, and what kind of YAML/JSON document a file is.
//!
//! CI workflows, compose files and Kubernetes manifests need the line of a step or
//! probe for evidence, which serde does not give. They are loaded with `saphyr`
//! (pure Rust, with a budget on alias expansion against "billion laughs"
//! documents) into a small owned tree, [`YNode`], that keeps each node's line.
//! Nesting deeper than [`MAX_DEPTH`] is refused rather than recursed into.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 200;

/// A YAML value with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct YNode {
    pub line: u32,
    pub val: YVal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum YVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<YNode>),
    /// Keys rendered as strings, in document order.
    Map(Vec<(String, YNode)>),
}

impl YNode {
    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&YNode> {
        match &self.val {
            YVal::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entries of a mapping (empty otherwise).
    pub fn entries(&self) -> &[(String, YNode)] {
        match &self.val {
            YVal::Map(m) => m,
            _ => &[],
        }
    }

    /// The items of a sequence (empty otherwise).
    pub fn items(&self) -> &[YNode] {
        match &self.val {
            YVal::Seq(s) => s,
            _ => &[],
        }
    }

    /// A scalar as text (strings, numbers, booleans).
    pub fn as_str(&self) -> Option<String> {
        match &self.val {
            YVal::Str(s) => Some(s.clone()),
            YVal::Int(i) => Some(i.to_string()),
            YVal::Float(f) => Some(f.to_string()),
            YVal::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A string value, or the lines of a sequence of strings joined by newlines
    /// (GitLab `script:` may be either).
    pub fn as_text(&self) -> Option<String> {
        match &self.val {
            YVal::Seq(items) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_text())
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            _ => self.as_str(),
        }
    }
}

/// Why a YAML text could not be loaded, and the line it happened on.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub line: Option<u32>,
    pub message: String,
}

/// Load every document of a YAML text.
pub fn load(text: &str) -> Result<Vec<YNode>, String> {
    load_marked(text).map_err(|e| e.message)
}

/// [`load`], keeping the line of the error for the diagnostic's location.
/// What saphyr refuses is read again by libyaml ([`super::yaml_lenient`])
/// before it is called invalid, as the CI systems that run such files do.
pub fn load_marked(text: &str) -> Result<Vec<YNode>, LoadError> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| LoadError {
        line: u32::try_from(e.marker().line()).ok().filter(|l| *l > 0),
        message: format!(
            "invalid YAML at line {} column {}: {}",
            e.marker().line(),
            e.marker().col() + 1,
            e.info()
        ),
    });
    match docs {
        Ok(docs) => docs.iter().map(|d| convert(d, 0)).collect(),
        Err(e) => super::yaml_lenient::load(text).ok_or(e),
    }
}

fn convert(node: &MarkedYaml<'_>, depth: usize) -> Result<YNode, LoadError> {
    let line = node.span.start.line() as u32;
    let fail = |message: String| LoadError {
        line: Some(line).filter(|l| *l > 0),
        message,
    };
    if depth > MAX_DEPTH {
        return Err(fail(format!("YAML nested deeper than {MAX_DEPTH} levels")));
    }
    let val = match &node.data {
        YamlData::Value(s) => scalar(s),
        YamlData::Representation(s, _, _) => YVal::Str(s.to_string()),
        YamlData::Sequence(items) => YVal::Seq(
            items
                .iter()
                .map(|i| convert(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        YamlData::Mapping(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map.iter() {
                let key = match &k.data {
                    YamlData::Value(s) => scalar_text(s),
                    YamlData::Representation(s, _, _) => s.to_string(),
                    _ => continue,
                };
                out.push((key, convert(v, depth + 1)?));
            }
            YVal::Map(out)
        }
        YamlData::Tagged(_, inner) => return convert(inner, depth + 1),
        YamlData::BadValue => {
            return Err(fail(format!(
                "YAML value at line {line} could not be read (an unknown alias, or an alias that expands past the size budget)"
            )))
        }
        _ => YVal::Null,
    };
    Ok(YNode { line, val })
}

fn scalar(s: &Scalar<'_>) -> YVal {
    match s {
        Scalar::Null => YVal::Null,
        Scalar::Boolean(b) => YVal::Bool(*b),
        Scalar::Integer(i) => YVal::Int(*i),
        Scalar::FloatingPoint(f) => YVal::Float(f.into_inner()),
        Scalar::String(s) => YVal::Str(s.to_string()),
    }
}

fn scalar_text(s: &Scalar<'_>) -> String {
    match s {
        Scalar::Null => "null".into(),
        Scalar::Boolean(b) => b.to_string(),
        Scalar::Integer(i) => i.to_string(),
        Scalar::FloatingPoint(f) => f.to_string(),
        Scalar::String(s) => s.to_string(),
    }
}

/// What a YAML or JSON file holds, decided from its path and top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    OpenApi,
    GithubWorkflow,
    GitlabCi,
    CircleCi,
    Compose,
    Kubernetes,
    Other,
}

/// Decide the kind of a YAML/JSON document from its path and a look at its text.
pub fn sniff(rel_path: &str, text: &str) -> DocKind {
    let name = rel_path
        .rsplit('/')
        .next()
        .unwrap_or(rel_path)
        .to_ascii_lowercase();
    if rel_path.starts_with(".github/workflows/") || rel_path.contains("/.github/workflows/") {
        return DocKind::GithubWorkflow;
    }
    if name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml" || name.ends_with(".gitlab-ci.yml") {
        return DocKind::GitlabCi;
    }
    if rel_path == ".circleci/config.yml" || rel_path.ends_with("/.circleci/config.yml") {
        return DocKind::CircleCi;
    }
    if (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
    {
        return DocKind::Compose;
    }
    if has_top_key(text, "openapi") || has_top_key(text, "swagger") {
        return DocKind::OpenApi;
    }
    if has_top_key(text, "apiVersion") && has_top_key(text, "kind") {
        return DocKind::Kubernetes;
    }
    DocKind::Other
}

/// Whether a top-level key appears: `key:` at column 0 (YAML) or `"key":` near
/// the start of a JSON object.
fn has_top_key(text: &str, key: &str) -> bool {
    let yaml = text.lines().any(|l| {
        l.strip_prefix(key)
            .or_else(|| {
                l.strip_prefix('"')
                    .and_then(|r| r.strip_prefix(key))
                    .and_then(|r| r.strip_prefix('"'))
            })
            .is_some_and(|r| r.trim_start().starts_with(':'))
    });
    if yaml {
        return true;
    }
    let head: String = text.chars().take(4096).collect();
    let trimmed = head.trim_start();
    trimmed.starts_with('{') && head.contains(&format!("\"{key}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_of_nested_nodes() {
        let docs = load("jobs:\n  test:\n    steps:\n      - run: cargo test\n").unwrap();
        let step = &docs[0]
            .get("jobs")
            .unwrap()
            .get("test")
            .unwrap()
            .get("steps")
            .unwrap()
            .items()[0];
        assert_eq!(step.get("run").unwrap().line, 4);
        assert_eq!(step.get("run").unwrap().as_str().unwrap(), "cargo test");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let mut prev = 'a';
        for c in 'b'..='j' {
            text.push_str(&format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = c;
        }
        assert!(load(&text).is_err());
    }

    #[test]
    fn invalid_yaml_names_the_line() {
        let err = load("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.contains("invalid YAML"), "{err}");
    }

    #[test]
    fn sniffs_document_kinds() {
        assert_eq!(
            sniff(".github/workflows/ci.yml", "on: push"),
            DocKind::GithubWorkflow
        );
        assert_eq!(
            sniff("api/openapi.yaml", "openapi: 3.0.3\ninfo: {}"),
            DocKind::OpenApi
        );
        assert_eq!(
            sniff("spec.json", "{\n  \"openapi\": \"3.1.0\"}"),
            DocKind::OpenApi
        );
        assert_eq!(
            sniff("k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment"),
            DocKind::Kubernetes
        );
        assert_eq!(
            sniff("docker-compose.yml", "services: {}"),
            DocKind::Compose
        );
        assert_eq!(sniff("config/app.yaml", "port: 1"), DocKind::Other);
    }
}
