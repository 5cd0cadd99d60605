//! Inline suppressions: `// seaworthy:allow(RULE) reason` in Rust code and
//! `# seaworthy:allow(RULE) reason` in Dockerfiles, YAML, TOML and scripts.
//!
//! A suppression covers findings of RULE on its own line (a trailing comment)
//! and on the next line that is not a comment (a comment above the code), and
//! findings about the file as a whole. In a Dockerfile `#` starts a comment
//! only at the start of a line, so there it goes on the line above. The reason is required: a suppression
//! without one is reported and does not apply. `--no-inline-suppressions`
//! ignores them all, for audits that must not be waived from inside the repo.

use crate::classify::FileKind;
use crate::facts::Facts;

/// The marker every suppression starts with.
pub const MARKER: &str = "seaworthy:allow(";

/// One `seaworthy:allow` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub rule: String,
    /// Empty when none was given (then it does not apply).
    pub reason: String,
    pub path: String,
    /// The comment's line.
    pub line: u32,
    /// The line of code it covers (the comment's own line when trailing).
    pub covers: u32,
}

impl Suppression {
    /// `path:line` of the comment.
    pub fn source(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }

    /// Whether it covers a finding of `rule` at `path`/`line`.
    pub fn covers(&self, rule: &str, path: &str, line: Option<u32>) -> bool {
        self.rule == rule
            && self.path == path
            && line.is_none_or(|l| l == self.line || l == self.covers)
    }
}

/// The comment leader of a file kind, if it can carry suppressions.
fn leader(kind: FileKind) -> Option<&'static str> {
    match kind {
        FileKind::Rust | FileKind::Proto => Some("//"),
        FileKind::Dockerfile
        | FileKind::Yaml
        | FileKind::Toml
        | FileKind::CargoManifest
        | FileKind::Script => Some("#"),
        _ => None,
    }
}

/// Every suppression in the analysed files of `facts`, in path order.
pub fn scan(facts: &Facts) -> Vec<Suppression> {
    let mut out = Vec::new();
    for f in &facts.files {
        let Some(lead) = leader(f.kind) else { continue };
        if f.path == "seaworthy.toml" {
            continue; // the config's own examples are not suppressions
        }
        let Ok(text) = std::fs::read_to_string(facts.root.join(&f.path)) else {
            continue;
        };
        if text.contains(MARKER) {
            out.extend(scan_text(&f.path, &text, lead));
        }
    }
    out
}

/// The suppressions in one file's text.
pub fn scan_text(path: &str, text: &str, lead: &str) -> Vec<Suppression> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let Some(comment) = line[..at].rfind(lead) else {
            continue;
        };
        // Only whitespace (or the leader's own repetition: `///`, `##`) between the
        // comment leader and the marker.
        if !line[comment..at]
            .trim_start_matches(lead)
            .trim_start_matches(['/', '#', '!'])
            .trim()
            .is_empty()
        {
            continue;
        }
        let rest = &line[at + MARKER.len()..];
        let Some(close) = rest.find(')') else {
            continue;
        };
        let own_line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trailing = !line[..comment].trim().is_empty();
        let covers = if trailing {
            own_line
        } else {
            lines[i + 1..]
                .iter()
                .position(|l| {
                    let t = l.trim();
                    !t.is_empty() && !t.starts_with(lead)
                })
                .map_or(own_line, |k| own_line + 1 + u32::try_from(k).unwrap_or(0))
        };
        for rule in rest[..close]
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            out.push(Suppression {
                rule: rule.to_string(),
                reason: rest[close + 1..].trim().to_string(),
                path: path.to_string(),
                line: own_line,
                covers,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_above_covers_the_next_code_line() {
        let text = "fn main() {\n    // seaworthy:allow(obs.structured-logging) CLI output, not logs\n    // more words\n\n    println!(\"hi\");\n}\n";
        let s = scan_text("src/main.rs", text, "//");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].rule, "obs.structured-logging");
        assert_eq!(s[0].reason, "CLI output, not logs");
        assert_eq!((s[0].line, s[0].covers), (2, 5));
        assert!(s[0].covers("obs.structured-logging", "src/main.rs", Some(5)));
        assert!(!s[0].covers("obs.structured-logging", "src/main.rs", Some(6)));
        assert!(!s[0].covers("obs.health", "src/main.rs", Some(5)));
    }

    #[test]
    fn trailing_comment_and_hash_comments() {
        let s = scan_text(
            "Dockerfile",
            "FROM rust\nUSER root # seaworthy:allow(docker.non-root, docker.x) needs a port below 1024\n",
            "#",
        );
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].covers), (2, 2));
        assert_eq!(s[1].rule, "docker.x");
        // a marker in a string, not a comment, is not a suppression
        assert!(scan_text("a.rs", "let s = \"seaworthy:allow(x) y\";\n", "//").is_empty());
        // no reason: found, with an empty reason (reported, not applied)
        assert_eq!(
            scan_text("a.yaml", "# seaworthy:allow(x)\nk: v\n", "#")[0].reason,
            ""
        );
    }
}
