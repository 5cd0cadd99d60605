//! Where a fact was seen: a path relative to the audited root and a 1-based line.
//!
//! Every piece of evidence in a report points at a `Location`, so a user can open
//! the file and see what decided an item. Paths always use `/` and never escape the
//! root; `line` is `None` when the fact is about the file as a whole.

use serde::Serialize;
use std::fmt;

/// A place in the audited tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Path relative to the audited root, `/`-separated.
    pub path: String,
    /// 1-based line, when the fact has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Location {
    /// A location at a line of a file.
    pub fn new(path: impl Into<String>, line: u32) -> Self {
        Location {
            path: path.into(),
            line: (line > 0).then_some(line),
        }
    }

    /// A location naming a whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Location {
            path: path.into(),
            line: None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

/// Maps byte offsets of a text to 1-based line numbers.
///
/// Parsers that report byte spans (Dockerfiles) or nothing at all (JSON/YAML via
/// serde) are turned into line evidence with this.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        u32::try_from(idx + 1).unwrap_or(u32::MAX)
    }
}

/// The 1-based line of the first occurrence of `needle` in `text`, if any.
/// The 1-based line of a byte offset in `text`.
pub fn line_at(text: &str, offset: usize) -> u32 {
    u32::try_from(text[..offset.min(text.len())].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

pub fn find_line(text: &str, needle: &str) -> Option<u32> {
    let offset = text.find(needle)?;
    Some(u32::try_from(text[..offset].matches('\n').count() + 1).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_offsets_to_lines() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(2), 2);
        assert_eq!(idx.line_of(3), 2);
        assert_eq!(idx.line_of(5), 3);
        assert_eq!(idx.line_of(6), 4);
    }

    #[test]
    fn find_line_counts_newlines_before_match() {
        assert_eq!(find_line("x\ny\nz", "z"), Some(3));
        assert_eq!(find_line("x", "q"), None);
    }

    #[test]
    fn display_includes_line_when_known() {
        assert_eq!(Location::new("src/main.rs", 4).to_string(), "src/main.rs:4");
        assert_eq!(Location::file("Cargo.toml").to_string(), "Cargo.toml");
    }
}
