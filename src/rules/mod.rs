//! Rules: the catalog (YAML), the clause language, and the engine that decides
//! each item's status from the facts.

pub mod catalog;
pub mod clause;
pub mod engine;
pub mod outcome;
pub mod reference;

pub use catalog::{Catalog, RuleDef, Severity};
pub use outcome::{Evidence, EvidenceKind, Outcome, Status};
