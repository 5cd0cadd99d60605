//! Problems met while reading the audited tree.
//!
//! A file that does not parse, a spec that does not validate, a manifest cargo
//! rejects: each becomes a `Diagnostic` in the report, and the audit goes on. The
//! report is the place a user learns that part of their tree was not understood.

use crate::location::Location;
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagLevel {
    /// Something was read in a degraded way (a fallback was used).
    Warning,
    /// Something could not be read at all.
    Error,
}

/// One problem, with where it was.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    pub location: Location,
    pub level: DiagLevel,
    /// What kind of input it was (`rust`, `openapi`, `dockerfile`, `cargo`, `yaml`, …).
    pub source: String,
    pub message: String,
}

impl Diagnostic {
    pub fn error(location: Location, source: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            level: DiagLevel::Error,
            source: source.to_string(),
            message: message.into(),
        }
    }

    pub fn warning(location: Location, source: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            level: DiagLevel::Warning,
            source: source.to_string(),
            message: message.into(),
        }
    }
}
