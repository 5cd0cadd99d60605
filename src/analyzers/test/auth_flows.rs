//! `test.auth-flows`: tests cover authentication both ways — a valid login or
//! token is accepted, and a missing, wrong or expired one is refused.
//!
//! The item applies exactly when `sec.authn` finds the service authenticating
//! requests (a guarded route or handler, or an auth mechanism), so the two
//! items never disagree on whether there is authentication to test. In test
//! code (tests/ and `#[cfg(test)]`):
//! - the refusing path: assertions on a 401/403 status
//!   (`StatusCode::UNAUTHORIZED`/`FORBIDDEN`, rocket `Status::Unauthorized`); an
//!   error variant the service maps to 401/403 (`ServiceError::WrongPassword`
//!   when the service's code has `ServiceError::WrongPassword =>
//!   StatusCode::UNAUTHORIZED`); a redirect status (302/303) asserted by a test
//!   about login or protected pages; test names with unauthorized/forbidden/
//!   invalid token/expired/wrong password/without auth;
//! - the accepting path: test names with login/token/jwt/session/api key, or
//!   requests carrying an `Authorization` header (`bearer_auth`,
//!   `header::AUTHORIZATION`).
//!
//! Evidence must test this service's auth: test names count only for tests
//! that drive requests (a status, a test request, a request helper), and an
//! `Authorization` header in a file that mocks an outbound server (mockito,
//! wiremock, httpmock) is the client's, not the service's.
//!
//! pass: both paths · partial: one · fail: neither · n/a: sec.authn finds no
//! authentication.

use crate::analyzers::scan;
use crate::analyzers::sec::{authn, common};
use crate::extract::rust::RustFile;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

/// Crates that mock an outbound HTTP server in tests.
const MOCK_CRATES: &[&str] = &["mockito", "wiremock", "httpmock", "mock_server"];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    let auth = authn::authenticates(facts);
    if auth.is_empty() {
        return Outcome::na("the service does not authenticate requests (sec.authn finds no auth middleware, guard or mechanism)");
    }
    let refused = scan::re(r"(?i)unauthori[sz]ed|unauthenticated|forbidden");
    // Whole name segments: `token` but not `tokenize`, `auth` but not `author`.
    let auth_word = scan::re(
        r"(?i)(^|_)(login|logins|log_in|logout|sign_?in|sign_?up|tokens?|jwts?|sessions?|auth|authn|authz|authenticat\w*|authori[sz]\w*|api_?keys?|passwords?|credentials?|oauth2?|bearer|cookies?|csrf|permissions?|protected)(_|$)",
    );
    let negative = scan::re(
        r"(?i)invalid|expired|wrong|bad_|without|(^|_)no_|missing|not_(provided|given|present|logged)|reject|denied|deny|fail|forged|tampered|revoked|disallow|not_allowed|requires?_|40[13]",
    );
    let variants = auth_error_variants(facts);
    let mut refuse: Vec<Hit> = Vec::new();
    let mut accept: Vec<Hit> = Vec::new();
    for (_, f, ni, func) in scan::test_fns(facts) {
        let at = Location::new(f.path.clone(), func.line);
        let name = &func.name;
        let ni = ni as u32;
        let drives = drives_requests(f, ni);
        if drives
            && (refused.is_match(name) || (auth_word.is_match(name) && negative.is_match(name)))
        {
            refuse.push(Hit::new(at, format!("test `{name}`")));
        } else if drives && auth_word.is_match(name) {
            accept.push(Hit::new(at, format!("test `{name}`")));
        }
    }
    // Helpers in test code count too: tests often assert through a shared
    // `bad_post_req_test(.., ServiceError::WrongPassword)`.
    for f in facts
        .rust
        .iter()
        .filter(|f| f.role != crate::classify::Role::Example)
    {
        for (ni, func) in f.fns.iter().enumerate() {
            if !scan::in_test_code(f, Some(ni as u32), func.test) {
                continue;
            }
            let name = &func.name;
            let ni = ni as u32;
            // Logging in through the service (`register_and_signin(..)`).
            if let Some(c) = f.calls.iter().find(|c| {
                c.in_fn == Some(ni)
                    && common::has_word(&c.name, &["login", "signin", "authenticate"])
            }) {
                accept.push(Hit::new(
                    Location::new(f.path.clone(), c.line),
                    format!("test `{name}` logs in with `{}`", c.name),
                ));
            }
            // An error the service answers with 401/403.
            for r in f.refs.iter().filter(|r| r.in_fn == Some(ni)) {
                if let Some((v, mapped)) = variants
                    .iter()
                    .find(|(v, _)| r.path == *v || r.path.ends_with(&format!("::{v}")))
                {
                    refuse.push(Hit::new(
                        Location::new(f.path.clone(), r.line),
                        format!("test `{name}` expects `{v}`, which the service answers with 401/403 ({mapped})"),
                    ));
                    break;
                }
            }
            // A redirect asserted by a test about login or protected pages.
            if let Some(r) = f.refs.iter().find(|r| {
                r.in_fn == Some(ni)
                    && matches!(
                        common::last_seg(&r.path),
                        "FOUND" | "SEE_OTHER" | "TEMPORARY_REDIRECT" | "Found" | "SeeOther"
                    )
            }) {
                let about_login = auth_word.is_match(name)
                    || f.literals.iter().any(|l| {
                        l.in_fn == Some(ni) && common::has_word(&l.value, &["login", "signin"])
                    });
                if about_login {
                    refuse.push(Hit::new(
                        Location::new(f.path.clone(), r.line),
                        format!(
                            "test `{name}` asserts a redirect (`{}`) of an unauthenticated request",
                            r.path
                        ),
                    ));
                }
            }
        }
    }
    refuse.extend(scan::test_refs(
        facts,
        &[
            "StatusCode::UNAUTHORIZED",
            "StatusCode::FORBIDDEN",
            "Status::Unauthorized",
            "Status::Forbidden",
        ],
    ));
    let mocked: Vec<&str> = facts
        .rust
        .iter()
        .filter(|f| f.refs.iter().any(|r| common::has_seg(&r.path, MOCK_CRATES)))
        .map(|f| f.path.as_str())
        .collect();
    let mut sent = scan::test_refs(
        facts,
        &["header::AUTHORIZATION", "AUTHORIZATION", "Authorization"],
    );
    sent.extend(scan::test_methods(facts, &["bearer_auth", "basic_auth"]));
    sent.extend(scan::test_literals(
        facts,
        &scan::re(r"^Bearer\s|^(?i)authorization$"),
    ));
    accept.extend(
        sent.into_iter()
            .filter(|h| !mocked.contains(&h.location.path.as_str())),
    );
    refuse.sort();
    refuse.dedup();
    let mut refuse = common::first_per_file(refuse, 3);
    let mut accept = common::first_per_file(accept, 3);
    refuse.truncate(8);
    accept.truncate(8);
    let looked = "tests that log in (or send a valid token) and tests that get 401/403 (or a redirect to login) without or with a bad credential";
    match (refuse.is_empty(), accept.is_empty()) {
        (false, false) => Outcome::pass(format!(
            "auth tests cover acceptance ({}) and refusal ({})",
            accept[0].what, refuse[0].what
        ))
        .with_hits(refuse)
        .with_hits(accept),
        (true, false) => Outcome::partial(format!(
            "tests exercise authentication ({}) but none checks that a missing or bad credential is refused (401/403)",
            accept[0].what
        ))
        .with_found_hits(accept)
        .looked_for(looked),
        (false, true) => Outcome::partial(format!(
            "tests check refusal ({}) but none logs in or sends a valid credential",
            refuse[0].what
        ))
        .with_found_hits(refuse)
        .looked_for(looked),
        (true, true) => Outcome::fail("the service authenticates requests but no test covers it")
            .with_found(auth)
            .looked_for(looked),
    }
}

/// Whether test function `ni` drives requests at the service: it checks a
/// status, builds a test request, or calls a request helper.
fn drives_requests(f: &RustFile, ni: u32) -> bool {
    const REQUEST_WORDS: &[&str] = &[
        "request", "req", "oneshot", "response", "resp", "status", "client", "server", "app",
        "signin", "login", "signup", "register", "logout", "call", "send",
    ];
    let inside = |i: Option<u32>| i == Some(ni);
    f.refs.iter().any(|r| {
        inside(r.in_fn)
            && (r.path.contains("StatusCode")
                || r.path.contains("Status::")
                || common::has_word(common::last_seg(&r.path), REQUEST_WORDS))
    }) || f
        .methods
        .iter()
        .any(|m| inside(m.in_fn) && common::has_word(&m.name, REQUEST_WORDS))
        || f.calls
            .iter()
            .any(|c| inside(c.in_fn) && common::has_word(&c.name, REQUEST_WORDS))
        || f.macros
            .iter()
            .any(|m| inside(m.in_fn) && common::has_word(common::last_seg(&m.path), REQUEST_WORDS))
}

/// Error variants the service answers with 401/403: a variant named on the
/// same line as `StatusCode::UNAUTHORIZED`/`FORBIDDEN` in service code
/// (`ServiceError::WrongPassword => StatusCode::UNAUTHORIZED`), as
/// (`Type::Variant`, where).
fn auth_error_variants(facts: &Facts) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (_, f) in facts.service_rust() {
        for s in f.refs.iter().filter(|r| {
            !r.test
                && matches!(
                    common::last_seg(&r.path),
                    "UNAUTHORIZED" | "FORBIDDEN" | "Unauthorized" | "Forbidden"
                )
        }) {
            for r in f.refs.iter().filter(|r| {
                r.line == s.line && r.in_fn == s.in_fn && !std::ptr::eq(*r, s) && !r.test
            }) {
                let segs: Vec<&str> = r.path.rsplit("::").take(2).collect();
                let [variant, ty] = segs[..] else { continue };
                let is_variant = variant.chars().next().is_some_and(char::is_uppercase)
                    && variant.chars().any(char::is_lowercase)
                    && ty.chars().next().is_some_and(char::is_uppercase)
                    && !matches!(ty, "StatusCode" | "Status" | "Self" | "HttpResponse");
                let short = format!("{ty}::{variant}");
                if is_variant && !out.iter().any(|(v, _)| *v == short) {
                    out.push((short, format!("{}:{}", f.path, r.line)));
                }
            }
        }
    }
    out
}
