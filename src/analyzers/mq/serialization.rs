//! `mq.serialization`: messages have a defined, versioned format.
//!
//! Schema formats: protobuf (`prost::Message`), Avro (`apache_avro`), a schema
//! registry (`schema_registry_converter`), Cap'n Proto, FlatBuffers, used in a
//! file that talks to the broker. Serde
//! message types — structs and enums deriving `Serialize`/`Deserialize` named
//! `*Event`, `*Message`, `*Command`, `*Payload`, `*Envelope`, `*Notification` —
//! defined in or named by such files — are versioned when they carry a `version`/`schema_version` field or are an
//! internally tagged enum (`#[serde(tag = "type")]`), so consumers can tell
//! old payloads from new ones.
//!
//! pass: a schema format, or versioned serde message types · partial: serde
//! message types without a version · fail: no message types (raw strings or
//! bytes) · n/a: no broker client.

use super::{broker_files, broker_hits, unless_broker};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    // Formats and types count where messages are made: in files that use a
    // broker client, or types those files name.
    let files = broker_files(facts, &brokers);
    let schema_crates = [
        "prost",
        "apache_avro",
        "schema_registry_converter",
        "capnp",
        "flatbuffers",
        "protobuf",
    ];
    let mut schema = Vec::new();
    // (type name, module it is named from, the broker file) for paths broker
    // files reference.
    let mut named: std::collections::HashSet<(&str, &str, &str)> = std::collections::HashSet::new();
    for (_, f) in facts
        .service_rust()
        .filter(|(_, f)| files.contains(&f.path))
    {
        for r in f.refs.iter().filter(|r| !r.test) {
            let root = r.path.split("::").next().unwrap_or("");
            if schema_crates.contains(&root) {
                schema.push(Hit::new(
                    Location::new(f.path.clone(), r.line),
                    format!("`{}`", r.path),
                ));
            }
            // Types of the service's own, not the client's (`async_nats::Event`).
            let external = super::BROKER_PATHS.contains(&root)
                || [
                    "std",
                    "core",
                    "alloc",
                    "tokio",
                    "futures",
                    "serde",
                    "serde_json",
                    "anyhow",
                ]
                .contains(&root);
            if !external {
                let mut segs = r.path.rsplit("::");
                let ty = segs.next().unwrap_or(&r.path);
                named.insert((ty, segs.next().unwrap_or(""), f.path.as_str()));
            }
        }
    }
    schema.sort();
    schema.dedup();
    let name = crate::analyzers::scan::re(
        r"(Event|Message|Command|Payload|Envelope|Notification|Record)s?$",
    );
    let mut versioned = Vec::new();
    let mut plain = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| {
            !t.test
                && name.is_match(&t.name)
                && (files.contains(&f.path) || names(&named, &t.name, &f.path))
        }) {
            if !t
                .derives
                .iter()
                .any(|d| d.ends_with("Serialize") || d.ends_with("Deserialize"))
            {
                continue;
            }
            let at = Location::new(f.path.clone(), t.line);
            let version = t.fields.iter().find(|x| {
                let n = x.name.to_ascii_lowercase();
                n == "version" || n.ends_with("_version") || n == "schema"
            });
            let tagged = t.attrs.iter().any(|a| {
                a.path.ends_with("serde") && (a.args.contains("tag=") || a.args.contains("tag ="))
            });
            match (version, tagged) {
                (Some(v), _) => {
                    versioned.push(Hit::new(at, format!("`{}` carries `{}`", t.name, v.name)))
                }
                (None, true) => versioned.push(Hit::new(
                    at,
                    format!("`{}` is a tagged enum of message kinds", t.name),
                )),
                (None, false) => {
                    plain.push(Hit::new(at, format!("`{}` has no version field", t.name)))
                }
            }
        }
    }
    let looked = "a schema format (protobuf, Avro with a registry) or serde message types with a version field or type tag";
    if !schema.is_empty() || !versioned.is_empty() {
        let first = schema
            .first()
            .or(versioned.first())
            .map(|h| h.what.clone())
            .unwrap_or_default();
        return Outcome::pass(format!("messages have a versioned format ({first})"))
            .with_hits(schema)
            .with_hits(versioned);
    }
    if !plain.is_empty() {
        return Outcome::partial(format!(
            "serde message types, but none is versioned ({}): a changed payload breaks old consumers",
            plain[0].what
        ))
        .with_hits(plain)
        .looked_for(looked);
    }
    Outcome::fail("no message types: payloads are ad-hoc strings or bytes")
        .with_found_hits(broker_hits(&brokers))
        .looked_for(looked)
}

/// Whether a broker file names type `ty` defined in `file`: by a path through
/// the file's module (`meta::traces::Event` for `meta/traces.rs`), or by a
/// bare/`self::`/`super::` path from the same or the parent directory.
fn names(named: &std::collections::HashSet<(&str, &str, &str)>, ty: &str, file: &str) -> bool {
    let dir = |p: &str| {
        p.rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default()
    };
    let mut parts = file.trim_end_matches(".rs").rsplit('/');
    let stem = parts.next().unwrap_or("");
    let module = if matches!(stem, "mod" | "lib" | "main") {
        parts.next().unwrap_or("")
    } else {
        stem
    };
    named.iter().any(|(t, m, from)| {
        *t == ty
            && match *m {
                "" | "self" => dir(file) == dir(from),
                "super" => dir(file) == dir(&dir(from)) || dir(file) == dir(from),
                "crate" => true,
                _ => *m == module,
            }
    })
}
