//! `mq.serialization`: messages have a defined, versioned format.
//!
//! Schema formats: protobuf (`prost::Message`), Avro (`apache_avro`), a schema
//! registry (`schema_registry_converter`), Cap'n Proto, FlatBuffers. Serde
//! message types — structs and enums deriving `Serialize`/`Deserialize` named
//! `*Event`, `*Message`, `*Command`, `*Payload`, `*Envelope`, `*Notification` —
//! are versioned when they carry a `version`/`schema_version` field or are an
//! internally tagged enum (`#[serde(tag = "type")]`), so consumers can tell
//! old payloads from new ones.
//!
//! pass: a schema format, or versioned serde message types · partial: serde
//! message types without a version · fail: no message types (raw strings or
//! bytes) · n/a: no broker client.

use super::{broker_hits, unless_broker};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let brokers = match unless_broker(facts) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let schema = facts.refs(&[
        "prost::Message",
        "^apache_avro",
        "^schema_registry_converter",
        "^capnp",
        "^flatbuffers",
        "protobuf::Message",
    ]);
    let name = crate::analyzers::scan::re(
        r"(Event|Message|Command|Payload|Envelope|Notification|Record)s?$",
    );
    let mut versioned = Vec::new();
    let mut plain = Vec::new();
    for (_, f) in facts.service_rust() {
        for t in f.types.iter().filter(|t| !t.test && name.is_match(&t.name)) {
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
                n == "version" || n == "v" || n.ends_with("_version") || n == "schema"
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
        .with_hits(broker_hits(&brokers))
        .looked_for(looked)
}
