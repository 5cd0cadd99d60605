//! A second reading of YAML that `saphyr` refuses but libyaml accepts.
//!
//! saphyr follows the YAML 1.2 indentation rules strictly; the parsers behind
//! GitHub Actions, GitLab and Kubernetes are more forgiving (a multi-line flow
//! sequence closed at its key's indentation, for one). A workflow the CI runs
//! must not drop out of the audit for that, so when saphyr fails the text is
//! read again with `yaml_serde` (libyaml). libyaml keeps no positions in its
//! values, so lines are recovered by walking the text in document order: each
//! mapping key is looked for on the next line that starts with it. Lines are
//! therefore approximate for unusual layouts, never out of the file.

use super::yaml::{YNode, YVal, MAX_DEPTH};
use serde::Deserialize;
use yaml_serde::Value;

/// Every document of `text`, or `None` when libyaml refuses it too.
pub fn load(text: &str) -> Option<Vec<YNode>> {
    let mut docs = Vec::new();
    for de in yaml_serde::Deserializer::from_str(text) {
        docs.push(Value::deserialize(de).ok()?);
    }
    let mut cursor = Cursor {
        lines: text.lines().collect(),
        at: 0,
    };
    docs.iter().map(|d| cursor.node(d, 0)).collect()
}

/// Where the walk through the text has got to.
struct Cursor<'t> {
    lines: Vec<&'t str>,
    /// 0-based index of the line the last key was found on.
    at: usize,
}

impl Cursor<'_> {
    /// 1-based line of the walk's current position.
    fn line(&self) -> u32 {
        u32::try_from(self.at + 1).unwrap_or(u32::MAX)
    }

    /// Move to the next line (from the current one) that holds `key:` as a
    /// mapping key; stay put when none does.
    fn seek_key(&mut self, key: &str) {
        let found = self.lines[self.at.min(self.lines.len())..]
            .iter()
            .position(|l| starts_with_key(l, key));
        if let Some(k) = found {
            self.at += k;
        }
    }

    fn node(&mut self, v: &Value, depth: usize) -> Option<YNode> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.line();
        let val = match v {
            Value::Null => YVal::Null,
            Value::Bool(b) => YVal::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => YVal::Int(i),
                None => YVal::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => YVal::Str(s.clone()),
            Value::Sequence(items) => YVal::Seq(
                items
                    .iter()
                    .map(|i| self.node(i, depth + 1))
                    .collect::<Option<_>>()?,
            ),
            Value::Mapping(map) => {
                let mut out = Vec::with_capacity(map.len());
                let mut first_key_line = None;
                for (k, v) in map {
                    let key = match k {
                        Value::String(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        Value::Null => "null".into(),
                        _ => continue,
                    };
                    self.seek_key(&key);
                    let key_line = self.line();
                    first_key_line.get_or_insert(key_line);
                    let mut node = self.node(v, depth + 1)?;
                    // A scalar value sits on its key's line.
                    if !matches!(node.val, YVal::Seq(_) | YVal::Map(_)) {
                        node.line = key_line;
                    }
                    out.push((key, node));
                }
                return Some(YNode {
                    line: first_key_line.unwrap_or(line),
                    val: YVal::Map(out),
                });
            }
            Value::Tagged(t) => return self.node(&t.value, depth + 1),
        };
        Some(YNode { line, val })
    }
}

/// `line` holds `key` as a mapping key: `key:`, `- key:`, or quoted.
fn starts_with_key(line: &str, key: &str) -> bool {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let rest = if let Some(r) = t.strip_prefix(key) {
        r
    } else if let Some(r) = t
        .strip_prefix('"')
        .and_then(|r| r.strip_prefix(key))
        .and_then(|r| r.strip_prefix('"'))
    {
        r
    } else if let Some(r) = t
        .strip_prefix('\'')
        .and_then(|r| r.strip_prefix(key))
        .and_then(|r| r.strip_prefix('\''))
    {
        r
    } else {
        return false;
    };
    rest.trim_start().starts_with(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flow sequence closed at its key's indentation: GitHub runs it, saphyr
    /// refuses it.
    const WORKFLOW: &str = "on: push\njobs:\n  docker:\n    strategy:\n      matrix:\n        target: [\n          \"web\",\n          \"cli\"\n        ]\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: build\n        run: docker build .\n";

    #[test]
    fn reads_what_saphyr_refuses_with_lines() {
        use saphyr::LoadableYamlNode;
        assert!(saphyr::MarkedYaml::load_from_str(WORKFLOW).is_err());
        let docs = load(WORKFLOW).expect("libyaml reads it");
        let job = docs[0].get("jobs").unwrap().get("docker").unwrap();
        let steps = job.get("steps").unwrap().items();
        assert_eq!(steps.len(), 2);
        let run = steps[1].get("run").unwrap();
        assert_eq!(run.as_str().as_deref(), Some("docker build ."));
        assert_eq!(run.line, 14);
        assert_eq!(steps[1].get("name").unwrap().line, 13);
        assert_eq!(job.get("runs-on").unwrap().line, 10);
    }

    #[test]
    fn the_audit_reads_it_through_the_usual_loader() {
        assert_eq!(super::super::yaml::load(WORKFLOW).ok(), load(WORKFLOW));
    }

    /// libyaml's own alias budget holds on this path too: a "billion laughs"
    /// document is refused, not expanded.
    #[test]
    fn an_alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        assert!(load(&text).is_none());
    }

    #[test]
    fn refuses_what_libyaml_refuses() {
        assert!(load("a: [1, 2\nb: {").is_none());
    }
}
