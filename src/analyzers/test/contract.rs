//! `test.contract`: the API's contract is tested — what it answers is checked
//! against the published spec or the consumers' expectations.
//!
//! Contract testing is: Pact (`pact_consumer`/`pact_verifier` in tests, a Pact
//! broker or verifier in CI), Schemathesis or Dredd run against the spec in CI
//! or scripts, or tests that validate responses against the OpenAPI document
//! (a JSON-schema validator such as `jsonschema`/`openapiv3`/`oas3` in test
//! code that loads the spec). A test that compares the spec generated from
//! code (utoipa, aide, poem-openapi) with the committed one catches drift of
//! the document, not of the responses, and counts half.
//!
//! pass: consumer/provider or spec-driven response tests that run · partial:
//! contract tooling nothing runs, or only a spec-drift test · fail: none ·
//! n/a: no HTTP/gRPC server.

use crate::analyzers::{scan, unless_server};
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::rules::{Outcome, RuleDef};

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    if let Some(na) = unless_server(facts) {
        return na;
    }
    let looked = "Pact consumer/provider tests, Schemathesis or Dredd against the spec in CI, or tests validating responses against the OpenAPI document";
    let mut strong: Vec<Hit> = scan::test_refs(
        facts,
        &[
            "pact_consumer",
            "pact_verifier",
            "pact_models",
            "pact_mock_server",
        ],
    );
    let runners = scan::re(
        r"(?i)\b(schemathesis|st\s+run\s|dredd\b|pact-broker|pact_verifier_cli|pact-provider-verifier|pactfoundation/|schemathesis/action|prism\s+proxy)",
    );
    let (gating, informational) = scan::ci_gating(facts, &runners);
    strong.extend(gating);
    // Tests that load the spec and validate against it.
    let spec_in_tests = scan::test_literals(
        facts,
        &scan::re(r"(?i)(openapi|swagger)[\w./-]*\.(ya?ml|json)$"),
    );
    let validators = scan::test_refs(
        facts,
        &[
            "jsonschema",
            "openapiv3",
            "oas3",
            "openapi_schema_validator",
            "valico",
            "boon",
        ],
    );
    if !spec_in_tests.is_empty() && !validators.is_empty() {
        strong.extend(validators.iter().cloned());
        strong.extend(spec_in_tests.iter().cloned());
    }
    if !strong.is_empty() {
        return Outcome::pass(format!("contract tests: {}", strong[0].what)).with_hits(strong);
    }
    let mut weak: Vec<Hit> = facts
        .dev_deps(&["pact_consumer", "pact_verifier", "pact_models"])
        .into_iter()
        .map(|(p, d)| {
            Hit::new(
                facts.dep_location(p, d),
                format!(
                    "`{}` dev-depends on `{}` but no test uses it",
                    p.name, d.name
                ),
            )
        })
        .collect();
    weak.extend(informational);
    weak.extend(scan::text_hits(facts, scan::is_deploy_config, &runners, 1));
    // Spec drift: the generated spec compared in a test.
    let drift = scan::test_methods(
        facts,
        &["openapi", "to_pretty_json", "to_yaml", "finish_api"],
    );
    if !drift.is_empty()
        && (!spec_in_tests.is_empty()
            || !scan::test_refs(facts, &["insta", "similar_asserts", "pretty_assertions"])
                .is_empty())
    {
        weak.push(drift[0].clone());
        weak.extend(spec_in_tests.iter().cloned());
    }
    if !weak.is_empty() {
        return Outcome::partial(format!(
            "{}; no test checks responses against the contract",
            weak[0].what
        ))
        .with_found_hits(weak)
        .looked_for(looked);
    }
    Outcome::fail("no contract tests")
        .at(
            scan::ci_anchor(facts),
            "no Pact, Schemathesis, Dredd or spec validation step",
        )
        .looked_for(looked)
}
