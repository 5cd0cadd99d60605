//! `test.auth-flows`: tests cover authentication both ways — a valid login or
//! token is accepted, and a missing, wrong or expired one is refused.
//!
//! The service authenticates when it uses an auth crate (jsonwebtoken,
//! oauth2/openidconnect, axum-login, actix-identity, actix-web-httpauth,
//! tower-sessions, a password hash), auth middleware, or handlers that take
//! credentials (`TypedHeader<Authorization<Bearer>>`, `Claims`, `AuthUser`,
//! `Session`) — not when it only sets `Authorization` on outbound calls. In test
//! code (tests/ and `#[cfg(test)]`):
//! - the refusing path: test names with unauthorized/forbidden/invalid token/
//!   expired/wrong password/without auth, or assertions on
//!   `StatusCode::UNAUTHORIZED`/`FORBIDDEN`;
//! - the accepting path: test names with login/token/jwt/session/api key, or
//!   requests carrying an `Authorization` header (`bearer_auth`,
//!   `header::AUTHORIZATION`).
//!
//! pass: both paths · partial: one · fail: neither · n/a: no authentication in
//! the service.

use crate::analyzers::scan;
use crate::facts::query::Hit;
use crate::facts::Facts;
use crate::location::Location;
use crate::rules::{Outcome, RuleDef};

const AUTH_CRATES: &[&str] = &[
    "jsonwebtoken",
    "jwt-simple",
    "josekit",
    "biscuit-auth",
    "oauth2",
    "openidconnect",
    "axum-login",
    "actix-identity",
    "actix-web-httpauth",
    "tower-sessions",
    "actix-session",
    "axum-sessions",
    "async-session",
    "argon2",
    "bcrypt",
    "scrypt",
    "password-hash",
    "pasetors",
    "webauthn-rs",
    "rocket_auth",
];

pub fn decide(facts: &Facts, _rule: &RuleDef) -> Outcome {
    // Authentication of incoming requests: an auth crate, auth middleware, or a
    // handler taking credentials (`TypedHeader<Authorization<Bearer>>`,
    // `BearerAuth`, a `Claims`/`AuthUser`/`Session` extractor). Setting an
    // `Authorization` header on outbound calls is not it.
    let mut auth = facts.dep_hits(AUTH_CRATES);
    auth.extend(facts.refs(&[
        "ValidateRequestHeaderLayer",
        "RequireAuthorizationLayer",
        "AsyncRequireAuthorizationLayer",
        "HttpAuthentication",
    ]));
    let credential = scan::re(
        r"Authorization<|BearerAuth|BasicAuth|\bClaims\b|AuthUser|AuthenticatedUser|CurrentUser|\bSession\b|\bIdentity\b",
    );
    for (fi, ni) in scan::handlers(facts) {
        let (f, func) = facts.func((fi, ni));
        if let Some(p) = func.params.iter().find(|p| credential.is_match(&p.ty)) {
            auth.push(Hit::new(
                Location::new(f.path.clone(), func.line),
                format!("handler `{}` takes credentials (`{}`)", func.name, p.ty),
            ));
        }
    }
    if auth.is_empty() {
        return Outcome::na("the service does not authenticate requests (no auth crate, auth middleware or credential extractor)");
    }
    let refused = scan::re(r"(?i)unauthori[sz]ed|unauthenticated|forbidden");
    // Whole name segments: `token` but not `tokenize`, `auth` but not `author`.
    let auth_word = scan::re(
        r"(?i)(^|_)(login|logins|log_in|logout|sign_?in|sign_?up|tokens?|jwts?|sessions?|auth|authn|authz|authenticat\w*|authori[sz]\w*|api_?keys?|passwords?|credentials?|oauth2?|bearer|cookies?|csrf|permissions?)(_|$)",
    );
    let negative = scan::re(
        r"(?i)invalid|expired|wrong|bad_|without|(^|_)no_|missing|not_(provided|given|present|logged)|reject|denied|deny|fail|forged|tampered|revoked|disallow|not_allowed|requires?_|40[13]",
    );
    let mut refuse: Vec<Hit> = Vec::new();
    let mut accept: Vec<Hit> = Vec::new();
    for (_, f, _, func) in scan::test_fns(facts) {
        let at = Location::new(f.path.clone(), func.line);
        let name = &func.name;
        if refused.is_match(name) || (auth_word.is_match(name) && negative.is_match(name)) {
            refuse.push(Hit::new(at, format!("test `{name}`")));
        } else if auth_word.is_match(name) {
            accept.push(Hit::new(at, format!("test `{name}`")));
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
    accept.extend(scan::test_refs(
        facts,
        &["header::AUTHORIZATION", "AUTHORIZATION", "Authorization"],
    ));
    accept.extend(scan::test_methods(facts, &["bearer_auth", "basic_auth"]));
    accept.extend(scan::test_literals(
        facts,
        &scan::re(r"^Bearer\s|^(?i)authorization$"),
    ));
    let looked = "tests that log in (or send a valid token) and tests that get 401/403 without or with a bad token";
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
            .with_found_hits(auth.into_iter().take(3))
            .looked_for(looked),
    }
}
