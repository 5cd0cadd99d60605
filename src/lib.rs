//! seaworthy: a production-readiness auditor for Rust services.
//!
//! `seaworthy audit [PATH]` walks a Rust service repository, extracts facts from
//! its code (syn), Cargo manifests, Dockerfiles, OpenAPI documents and CI
//! configuration, decides every item of the readiness checklist from those facts
//! with evidence, and reports a score.
//!
//! The shape is *extract facts once, judge them many times*:
//! [`discover`] → [`extract`] (parallel, per file) → [`facts`] → [`rules`] →
//! [`score`] → [`render`]. Nothing from the audited repository is ever executed.

pub mod analyzers;
pub mod audit;
pub mod baseline;
pub mod classify;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod extract;
pub mod facts;
pub mod fleet;
pub mod location;
pub mod progress;
pub mod provenance;
pub mod render;
pub mod report;
pub mod rules;
pub mod score;
pub mod services;
pub mod timings;
